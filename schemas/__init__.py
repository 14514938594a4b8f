"""Pydantic models passed between the stages and written as tables."""
from schemas.document import (
    ExtractedDocument,
    NormalizedDocument,
    Section,
    SegmentedDocument,
    Sentence,
    SourceDocument,
)
from schemas.records import DocumentFacts, DocumentRecord, EntityRecord, FigureRecord, IssueRecord, PanelRecord
from schemas.table import Cell, Table
from schemas.text import TextMap

__all__ = [
    "Cell", "DocumentFacts", "DocumentRecord", "EntityRecord", "ExtractedDocument", "FigureRecord",
    "IssueRecord", "NormalizedDocument", "PanelRecord", "Section", "SegmentedDocument", "Sentence",
    "SourceDocument", "Table", "TextMap",
]
