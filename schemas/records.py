"""The output records: one model per table the pipeline writes.

The field names are the column names, the descriptions and examples are the
codebook (README and `zhfig schema` are generated from them): change a column
here and everywhere follows.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

UnitKind = Literal["count", "money", "percent", "other"]
FigureKind = Literal["level", "change", "share", "rate", "average"]
ReportType = Literal["enforcement_report", "rule_of_law_report", "other", ""]


class DocumentFacts(BaseModel):
    """What a report says about itself."""

    title: str = Field("", description="The report's title.", examples=["重庆市渝北区司法局关于2023年行政执法总体情况的报告"])
    agency: str = Field("", description="The body whose work the report describes (its author).", examples=["重庆市渝北区司法局"])
    province: str = Field("", description="Province-level division of the agency; a 直辖市 counts as its own province.", examples=["重庆市"])
    city: str = Field("", description="Prefecture-level city; for a district of a 直辖市, the 直辖市 itself; '' when the agency is provincial.", examples=["重庆市"])
    county: str = Field("", description="County-level division (区, 县, 县级市); '' when none.", examples=["渝北区"])
    report_year: int | None = Field(None, description="The year the report is about (not the year it was published).", examples=[2023])
    report_type: ReportType = Field("", description="enforcement_report (行政执法情况报告, 统计年报), rule_of_law_report (法治政府建设报告) or other.", examples=["enforcement_report"])
    publish_date: str = Field("", description="ISO date of publication; the signature date when no other is given.", examples=["2024-01-19"])


class SourceFile(BaseModel):
    """Where a document came from and whether it could be read."""

    doc_id: str = Field(description="The file's path relative to the input folder it was found under (its name when given directly).", examples=["seeds/000_29a50878a8927d2e.txt"])
    path: str = Field(description="The path the file was read from.", examples=["data/raw/seeds/000_29a50878a8927d2e.txt"])
    sha256: str = Field("", description="SHA-256 of the file's bytes; '' when it could not be read.", examples=["9f86d081884c7d65…"])
    encoding: str = Field("", description="The encoding the bytes were decoded with.", examples=["utf-8", "gb18030", "utf-16"])
    format: str = Field("", description="txt, md, html, pdf, docx, doc, wps, xlsx or xls; for a file not read, what it is (png, zip, ppt …).", examples=["txt"])
    status: Literal["ok", "empty", "error"] = Field("ok", description="ok: read and extracted; empty: no text in it; error: could not be read (see error).", examples=["ok"])
    error: str = Field("", description="What went wrong, for status empty or error.", examples=["not valid text: 38% of the first 4096 bytes are control bytes (a binary file?)"])


class DocumentRecord(DocumentFacts, SourceFile):
    """documents.csv: one row for every input file, whatever happened to it:
    the source file's columns, then the document facts, then the counts."""

    n_chars: int = Field(0, description="Characters in the original decoded text.", examples=[12556])
    n_figures: int = Field(0, description="Figures extracted from it.", examples=[69])


class FigureRecord(BaseModel):
    """figures.csv: one row for every statistic stated in a report."""

    figure_id: str = Field(description="Stable id: doc_id and the start offset.", examples=["000_29a50878a8927d2e.txt:3700"])
    doc_id: str = Field(description="The document it comes from (documents.doc_id).", examples=["000_29a50878a8927d2e.txt"])
    start: int = Field(description="Offset of the first character in the original decoded text.", examples=[3700])
    end: int = Field(description="Offset after the last character; text == original[start:end].", examples=[3707])
    text: str = Field(description="The figure as written: number, qualifier and unit.", examples=["854045件"])
    value: float = Field(description="The number as a plain decimal; 万/亿 applied; money in 元.", examples=[854045])
    unit: str = Field(description="The measure word as written (simplified); 元 for all money; % for percentages; '' when none.", examples=["件"])
    unit_kind: UnitKind = Field(description="count, money, percent or other.", examples=["count"])
    approx: bool = Field(False, description="True when the text qualifies the number (余, 多, 约, 近, 超过, 以上, …).", examples=[False])
    qualifier: str = Field("", description="The qualifier word(s) that made it approximate.", examples=["余"])
    metric: str = Field("", description="Canonical metric id from the catalog; '' when none fits.", examples=["penalty.total"])
    kind: FigureKind = Field("level", description="level: an amount (受理46件); change: a difference from another period (同比增长12.5%, 增加40件, 下降3个百分点); share: a part of a whole (占比21.7%, 占全市的三成); rate: an outcome ratio (纠错率8.2%, 办结率100%); average: a per-unit mean (平均每件罚款1.2万元). metrics_wide takes levels only.", examples=["level"])
    subject: str = Field("", description="The short phrase that says what was counted.", examples=["行政处罚实施"])
    year: int | None = Field(None, description="The year the figure is about: the report year unless the sentence names another.", examples=[2023])
    section: str = Field("", description="The section path (headings, top down, joined by ' > ').", examples=["一、2023年行政执法总体情况 > （六）五类行政执法行为数据"])
    sentence: str = Field("", description="The sentence (normalised text) the figure stands in.", examples=["2023年分局行政处罚实施854045件，其中警告225454件…"])
    parent_id: str = Field("", description="For a part of a breakdown (其中…), the figure_id of its total.", examples=["000_29a50878a8927d2e.txt:3700"])
    org: str = Field("", description="The sub-unit the figure is about, where the sentence names one.", examples=["市本级"])
    page: int | None = Field(None, description="For a PDF, the page (from 1) the figure stands on; empty for other formats.", examples=[2])
    cell: str = Field("", description="For a table cell, where it sits in the file: sheet!A1 for a workbook, 'table T rRcC' (from 1) for HTML, DOCX, PDF and text tables; '' for prose.", examples=["表一!C4", "table 2 r3c4"])
    extractor: str = Field(description="Which extractor found it.", examples=["pattern"])


class EntityRecord(BaseModel):
    """entities.csv: organisations, places, people and dates named in a report."""

    entity_id: str = Field(description="Stable id: doc_id, backend and the start offset.", examples=["000_29a50878a8927d2e.txt:jieba:3"])
    doc_id: str = Field(description="The document it comes from.", examples=["000_29a50878a8927d2e.txt"])
    start: int = Field(description="Offset of the first character in the original decoded text.", examples=[3])
    end: int = Field(description="Offset after the last character; text == original[start:end].", examples=[14])
    text: str = Field(description="The entity as written.", examples=["重庆市公安局渝北区分局"])
    label: Literal["ORG", "LOC", "PER", "DATE", "NUM"] = Field(description="ORG, LOC, PER, DATE or NUM.", examples=["ORG"])
    backend: str = Field(description="The NER backend that found it: jieba, hanlp or lac.", examples=["jieba"])
    sentence: str = Field("", description="The sentence (normalised text) it stands in.", examples=["重庆市公安局渝北区分局关于2023年行政执法总体情况的报告"])


class IssueRecord(BaseModel):
    """issues.csv: warnings and errors met on the way."""

    doc_id: str = Field(description="The document concerned.", examples=["000_29a50878a8927d2e.txt"])
    severity: Literal["error", "warning"] = Field(description="error: the document could not be processed; warning: a doubt about the data.", examples=["warning"])
    stage: str = Field(description="read, normalize, segment, extract, check, or panel (sources that disagree about a panel number).", examples=["check"])
    message: str = Field(description="What is wrong, in words.", examples=["parts (1200件) exceed their total (1000件)"])
    figure_id: str = Field("", description="The figure concerned, if any.", examples=["000_29a50878a8927d2e.txt:3700"])


class PanelRecord(BaseModel):
    """panel.csv: one number per agency, year and metric, chosen among every
    figure of the run that states it (see "The panel" in the README for the
    rules); the tables are built at the end of `zhfig run`."""

    agency: str = Field(description="The agency (documents.agency) whose number it is.", examples=["重庆市渝北区司法局"])
    province: str = Field("", description="Province of the agency, as in documents.", examples=["重庆市"])
    city: str = Field("", description="City of the agency, as in documents.", examples=["重庆市"])
    county: str = Field("", description="County of the agency, as in documents.", examples=["渝北区"])
    report_year: int = Field(description="The year the number is about (figures.year: the report's year unless the sentence names another).", examples=[2023])
    metric: str = Field(description="Canonical metric id from the catalog.", examples=["penalty.total"])
    value: float = Field(description="The chosen figure's value (figures.value).", examples=[854045])
    unit: str = Field("", description="The chosen figure's unit.", examples=["件"])
    kind: FigureKind = Field("level", description="The chosen figure's kind: level, or share/rate for a percent metric.", examples=["level"])
    doc_id: str = Field(description="The document the chosen figure comes from.", examples=["000_29a50878a8927d2e.txt"])
    figure_id: str = Field(description="The chosen figure (figures.figure_id).", examples=["000_29a50878a8927d2e.txt:3700"])
    n_sources: int = Field(description="Figures of the run that state this number (same agency, year, metric and unit), the chosen one included.", examples=[2])
    conflict: bool = Field(False, description="True when a source states a different value (approximate figures agree within 10%); each is a warning in issues.csv.", examples=[False])
    other_values: str = Field("", description="The values the disagreeing sources state, distinct, joined by '; '.", examples=["854000; 860000"])
    other_figure_ids: str = Field("", description="The figure_ids of the disagreeing sources, joined by '; '.", examples=["001_d0b205e319d16db8.txt:1203"])
