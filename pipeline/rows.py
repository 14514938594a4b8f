"""What one document contributes to the tables, as plain rows: the unit
that passes from worker processes to the writer and into the result cache.

The tables and their columns are the record models of schemas/records.py,
field for field; pipeline/write.py writes the rows out.
"""
from __future__ import annotations

import operator
from collections.abc import Callable
from functools import cache
from typing import NamedTuple

from pydantic import BaseModel

from schemas import DocumentRecord, EntityRecord, ExtractedDocument, FigureRecord, IssueRecord
from schemas.records import SourceFile

# table name -> the record model whose fields are its columns
TABLES: dict[str, type[BaseModel]] = {
    "documents": DocumentRecord,
    "figures": FigureRecord,
    "entities": EntityRecord,
    "issues": IssueRecord,
}
METRICS_WIDE = "metrics_wide"

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
