"""Stage 4, extract: run the extractors over a segmented document and ground
what they found in the original text.

    entities  <- the NER backend            (extractors/ner)
    facts     <- title, signature, entities (extractors/document_facts.py)
    figures   <- the pattern extractor      (extractors/figures.py)
    issues    <- plausibility checks        (extractors/checks.py)

Extractors work on the clean text; grounding maps every span through
`clean_map` so that `text == original[start:end]` for every record written.
"""
from __future__ import annotations

from bisect import bisect_right
from functools import cache

from extractors.checks import check_figures
from extractors.document_facts import extract_facts
from extractors.figures import FigureExtractor
from extractors.metrics import load_catalog
from extractors.ner.base import NerBackend
from schemas import EntityRecord, ExtractedDocument, FigureRecord, SegmentedDocument

@cache
def figure_extractor() -> FigureExtractor:
    return FigureExtractor()


def ground(doc: SegmentedDocument, record: FigureRecord | EntityRecord) -> None:
    """Move a record's span from the clean text to the original, in place
    (the records are this stage's own, and a copy per record costs more
    than the rest of grounding)."""
    if doc.clean_map is not None:
        record.start, record.end = doc.clean_map.span(record.start, record.end)
    record.text = doc.original[record.start : record.end]


def ground_figures(doc: SegmentedDocument, figures: list[FigureRecord]) -> list[FigureRecord]:
    # figure ids carry the start offset, so parents are looked up under their new ids
    new_ids = {}
    for figure in figures:
        ground(doc, figure)
        new_ids[figure.figure_id] = figure.figure_id = f"{doc.doc_id}:{figure.start}"
        if doc.page_starts:  # a PDF: the page the figure starts on
            figure.page = bisect_right(doc.page_starts, figure.start)
    for figure in figures:
        figure.parent_id = new_ids.get(figure.parent_id, "")
    return figures


def ground_entities(doc: SegmentedDocument, entities: list[EntityRecord]) -> list[EntityRecord]:
    for entity in entities:
        ground(doc, entity)
        entity.entity_id = f"{doc.doc_id}:{entity.backend}:{entity.start}"
    return entities


def attach_orgs(figures: list[FigureRecord], entities: list[EntityRecord], agency: str) -> None:
    """A figure is about the sub-unit its sentence names before it
    (永川区市场监管局…查处案件12件), when that is not the reporting agency."""
    orgs = sorted((e for e in entities if e.label == "ORG" and e.text != agency), key=lambda e: e.start)
    for figure in figures:
        for org in orgs:
            if org.start >= figure.start:
                break
            if org.sentence == figure.sentence:
                figure.org = org.text


def extract(doc: SegmentedDocument, ner: NerBackend) -> ExtractedDocument:
    entities = ner.find(doc)
    facts = extract_facts(doc, entities)
    figures = figure_extractor().extract(doc, facts.report_year)
    attach_orgs(figures, entities, facts.agency)
    figures = ground_figures(doc, figures)
    issues = check_figures(doc.doc_id, figures, load_catalog())
    return ExtractedDocument(
        **doc.__dict__,
        facts=facts,
        figures=figures,
        entities=ground_entities(doc, entities),
        issues=issues,
    )
