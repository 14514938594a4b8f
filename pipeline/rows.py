"""What one document contributes to the tables: plain rows (what the result
cache keeps) and the same rows rendered as CSV lines (what worker processes
hand to the writer).

The tables and their columns are the record models of schemas/records.py,
field for field; pipeline/write.py writes the files.
"""
from __future__ import annotations

import csv
import io
import operator
from collections.abc import Callable, Sequence
from functools import cache
from typing import NamedTuple

from pydantic import BaseModel

from schemas import DocumentRecord, EntityRecord, ExtractedDocument, FigureRecord, IssueRecord, PanelRecord
from schemas.records import SourceFile

# table name -> the record model whose fields are its columns
TABLES: dict[str, type[BaseModel]] = {
    "documents": DocumentRecord,
    "figures": FigureRecord,
    "entities": EntityRecord,
    "issues": IssueRecord,
}
METRICS_WIDE = "metrics_wide"
PANEL = "panel"  # built from the finished tables at the end of a run (pipeline/writers/panel.py)
# every table with a record model: what `zhfig schema` and the codebook describe
RECORD_TABLES: dict[str, type[BaseModel]] = {**TABLES, PANEL: PanelRecord}

Row = tuple  # one record's values in column order


class DocumentRows(NamedTuple):
    """Everything one document contributes to the tables, as plain rows
    (cheap to pass between processes and to cache)."""

    document: Row
    figures: list[Row]
    entities: list[Row]
    issues: list[Row]

    @classmethod
    def from_document(cls, doc: ExtractedDocument) -> "DocumentRows":
        document = DocumentRecord(
            **{name: getattr(doc, name) for name in SourceFile.model_fields},
            **doc.facts.model_dump(),
            n_chars=len(doc.original),
            n_figures=len(doc.figures),
        )
        return cls(
            record_row(document),
            [record_row(figure) for figure in doc.figures],
            [record_row(entity) for entity in doc.entities],
            [record_row(issue) for issue in doc.issues],
        )

    def as_dict(self) -> dict:
        """The rows as one JSON-ready object: the documents row under
        "document", then a list for each other table (empty when it has none)."""
        return {"document": dict(zip(columns(DocumentRecord), self.document)),
                **{name: [dict(zip(columns(TABLES[name]), row)) for row in getattr(self, name)]
                   for name in ("figures", "entities", "issues")}}


def columns(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def record_row(record: BaseModel) -> Row:
    return _row_getter(type(record))(record)


@cache
def _row_getter(model: type[BaseModel]) -> Callable[[BaseModel], Row]:
    """A function from a record to its values in column order (one C call per record)."""
    names = list(model.model_fields)
    getter = operator.attrgetter(*names)
    return getter if len(names) > 1 else lambda record: (getter(record),)


_FIGURE_COLUMNS = {name: i for i, name in enumerate(columns(FigureRecord))}
_DOCUMENT_COLUMNS = {name: i for i, name in enumerate(columns(DocumentRecord))}


class RenderedRows(NamedTuple):
    """One document's rows as CSV text, table by table, and what the run
    summary counts. Rendering is most of a writer's work, so worker
    processes do it and the writer only appends text."""

    csv: dict[str, str]  # table -> its rows of this document, as CSV lines
    status: str
    figures: int
    entities: int


def render(rows: DocumentRows, metric_ids: Sequence[str]) -> RenderedRows:
    """The rows as each table's CSV lines, metrics_wide's row included."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # the same dialect as the files' header
    tables = {"documents": [rows.document], "figures": rows.figures, "entities": rows.entities,
              "issues": rows.issues, METRICS_WIDE: [metrics_wide_row(rows, metric_ids)]}
    rendered = {}
    for name, table_rows in tables.items():
        writer.writerows(table_rows)
        rendered[name] = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    return RenderedRows(rendered, rows.document[_DOCUMENT_COLUMNS["status"]], len(rows.figures), len(rows.entities))


def metrics_wide_row(rows: DocumentRows, metric_ids: Sequence[str]) -> Row:
    """The document's value of each metric: the first figure (in text order)
    with that metric that is a level (not a change, share or rate) about the
    whole document — no sub-unit (org) and about the report's year — so
    breakdowns by unit and comparisons with earlier years do not overwrite
    the report's own figure."""
    col = _FIGURE_COLUMNS
    report_year = rows.document[_DOCUMENT_COLUMNS["report_year"]]
    values: dict[str, float] = {}
    for figure in sorted(rows.figures, key=lambda figure: figure[col["start"]]):
        metric = figure[col["metric"]]
        if (metric and metric not in values and not figure[col["org"]] and figure[col["kind"]] == "level"
                and figure[col["year"]] in (None, report_year)):
            values[metric] = figure[col["value"]]
    return (rows.document[_DOCUMENT_COLUMNS["doc_id"]], *(values.get(metric) for metric in metric_ids))
