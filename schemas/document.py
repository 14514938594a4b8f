"""The document as it passes through the stages.

Each stage is a plain function from one of these models to the next:

    read_source(path)       -> SourceDocument      (decoded, format known)
    normalize(source)       -> NormalizedDocument  (clean text + map to the original)
    segment(normalized)     -> SegmentedDocument   (sections, sentences)
    extract(segmented)      -> ExtractedDocument   (figures, facts, entities, issues)

Later models extend earlier ones, so every stage sees all that came before.
All spans inside the pipeline (sections, sentences, matches) are offsets into
`clean`; the records written out carry offsets into `original`.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.records import DocumentFacts, EntityRecord, FigureRecord, IssueRecord
from schemas.table import Table
from schemas.text import TextMap

Status = Literal["ok", "empty", "error"]


class SourceDocument(BaseModel):
    """Stage 1, read: one input file, decoded (or the reason it could not be)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    doc_id: str
    path: str
    sha256: str = ""
    encoding: str = ""
    format: str = ""  # txt, md, html
    status: Status = "ok"
    error: str = ""
    original: str = ""  # the decoded file, unchanged: every written offset points here
    text: str = ""  # the readable text: `original` itself, or the visible text of an HTML page
    text_map: TextMap | None = None  # text -> original; None when text is original
    tables: list[Table] = Field(default_factory=list)  # the tables the reader found, cells as spans of `original`
    page_starts: list[int] = Field(default_factory=list)  # PDF: offset in `original` where each page (from 1) begins


class NormalizedDocument(SourceDocument):
    """Stage 2, normalise: half-width, simplified, joined lines, no markup."""

    clean: str = ""
    clean_map: TextMap | None = None  # clean -> original


class Section(BaseModel):
    start: int  # heading span in `clean`
    end: int
    level: int  # 1 = 一、, 2 = （一）, 3 = 1., 4 = （1）; markdown # depth otherwise
    heading: str
    path: str  # the headings from the top down to this one, joined by " > "


class Sentence(BaseModel):
    start: int  # span in `clean`
    end: int
    text: str
    section: str = ""  # the section path the sentence stands under
    is_heading: bool = False


class SegmentedDocument(NormalizedDocument):
    """Stage 3, segment: where sections and sentences are."""

    sections: list[Section] = Field(default_factory=list)
    sentences: list[Sentence] = Field(default_factory=list)


class ExtractedDocument(SegmentedDocument):
    """Stage 4, extract: what the extractors found, ready to write."""

    facts: DocumentFacts = Field(default_factory=DocumentFacts)
    figures: list[FigureRecord] = Field(default_factory=list)
    entities: list[EntityRecord] = Field(default_factory=list)
    issues: list[IssueRecord] = Field(default_factory=list)
