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

from functools import cache

from extractors.checks import check_figures
from extractors.document_facts import extract_facts
from extractors.figures import FigureExtractor
from extractors.metrics import load_catalog
from extractors.ner.base import NerBackend
from schemas import EntityRecord, ExtractedDocument, FigureRecord, SegmentedDocument, TextMap

@cache
def figure_extractor() -> FigureExtractor:
    return FigureExtractor()


def ground(doc: SegmentedDocument, start: int, end: int) -> tuple[int, int]:
    """Clean offsets to original offsets."""
    mapping: TextMap | None = doc.clean_map
    return mapping.span(start, end) if mapping is not None else (start, end)


def grounded_span(doc: SegmentedDocument, record: FigureRecord | EntityRecord) -> dict:
    """A record's start, end and text in the original, from its clean span."""
    start, end = ground(doc, record.start, record.end)
    return {"start": start, "end": end, "text": doc.original[start:end]}


def ground_figures(doc: SegmentedDocument, figures: list[FigureRecord]) -> list[FigureRecord]:
    spans = [grounded_span(doc, figure) for figure in figures]
    # figure ids carry the start offset, so parents are looked up under their new ids
    new_ids = {f.figure_id: f"{doc.doc_id}:{span['start']}" for f, span in zip(figures, spans)}
    return [
        figure.model_copy(update={**span, "figure_id": new_ids[figure.figure_id],
                                  "parent_id": new_ids.get(figure.parent_id, "")})
        for figure, span in zip(figures, spans)
    ]


def ground_entities(doc: SegmentedDocument, entities: list[EntityRecord]) -> list[EntityRecord]:
    grounded = []
    for entity in entities:
        span = grounded_span(doc, entity)
        grounded.append(entity.model_copy(update={**span, "entity_id": f"{doc.doc_id}:{entity.backend}:{span['start']}"}))
    return grounded


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
