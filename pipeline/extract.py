"""Stage 4, extract: run the extractors over a segmented document and ground
what they found in the original text.

    entities  <- the NER backend            (extractors/ner)
    facts     <- title, signature, entities (extractors/document_facts.py)
    figures   <- the pattern extractor      (extractors/figures.py)
                 and the table extractor    (extractors/tables.py)
    issues    <- plausibility checks        (extractors/checks.py, extractors/table_checks.py)

Extractors work on the clean text; grounding maps every span through
`clean_map` so that `text == original[start:end]` for every record written.
"""
from __future__ import annotations

from bisect import bisect_right
from functools import cache

from extractors.checks import check_figures
from extractors.document_facts import extract_facts
from extractors.figures import FigureExtractor, Skipped
from extractors.metrics import load_catalog
from extractors.ner.base import NerBackend
from extractors.table_checks import check_tables
from extractors.tables import TableFigure, table_extractor
from schemas import EntityRecord, ExtractedDocument, FigureRecord, IssueRecord, SegmentedDocument

STAGE = "extract"
MAX_QUOTED = 40  # characters of a skipped number's text quoted in its warning

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


def ground_each(doc: SegmentedDocument, records: list, issues: list[IssueRecord] | None) -> list:
    """The records that ground. With an `issues` list, one whose span does not
    fit the text is left out with a warning there, and the others stay;
    without one, the failure is raised."""
    grounded = []
    for record in records:
        try:
            ground(doc, record)
        except IndexError as error:
            if issues is None:
                raise
            issues.append(IssueRecord(doc_id=doc.doc_id, severity="warning", stage=STAGE,
                                      message=f"left out “{_quoted(record.text)}”: {error}"))
        else:
            grounded.append(record)
    return grounded


def ground_figures(doc: SegmentedDocument, figures: list[FigureRecord],
                   issues: list[IssueRecord] | None = None) -> list[FigureRecord]:
    # figure ids carry the start offset, so parents are looked up under their new ids
    new_ids = {}
    figures = ground_each(doc, figures, issues)
    for figure in figures:
        new_ids[figure.figure_id] = figure.figure_id = f"{doc.doc_id}:{figure.start}"
        if doc.page_starts:  # a PDF: the page the figure starts on
            figure.page = bisect_right(doc.page_starts, figure.start)
    for figure in figures:
        figure.parent_id = new_ids.get(figure.parent_id, "")
    return figures


def ground_entities(doc: SegmentedDocument, entities: list[EntityRecord],
                    issues: list[IssueRecord] | None = None) -> list[EntityRecord]:
    entities = ground_each(doc, entities, issues)
    for entity in entities:
        entity.entity_id = f"{doc.doc_id}:{entity.backend}:{entity.start}"
    return entities


def _quoted(text: str) -> str:
    return text if len(text) <= MAX_QUOTED else f"{text[:MAX_QUOTED]}…"


def skipped_issues(doc: SegmentedDocument, skipped: list[Skipped]) -> list[IssueRecord]:
    """A warning for each number the figure extractor had to leave out,
    naming it and where it stands in the original."""
    issues = []
    for number in skipped:
        start, end = doc.clean_map.span(number.start, number.end) if doc.clean_map is not None else (
            number.start, number.end)
        issues.append(IssueRecord(doc_id=doc.doc_id, severity="warning", stage=STAGE,
                                  message=f"left out the number “{_quoted(number.text)}” at [{start}, {end}): "
                                          f"{_quoted(number.reason)}"))
    return issues


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


MAX_CELL_CHARS = 80  # a longer cell is a layout table's text, which prose reads


def outside_tables(figures: list[FigureRecord], table_figures: list[TableFigure]) -> list[FigureRecord]:
    """The prose figures that are not a table's cells read again: a table the
    table extractor read is its own (a prose sentence restating a cell stays)."""
    read = {figure.table.index for figure in table_figures}
    spans = sorted((cell.start, cell.end) for table in {f.table.index: f.table for f in table_figures}.values()
                   if table.index in read for cell in table.cells
                   if cell.end > cell.start and len(cell.text) <= MAX_CELL_CHARS)
    if not spans:
        return figures
    starts = [start for start, _ in spans]
    kept = []
    for figure in figures:
        i = bisect_right(starts, figure.start) - 1
        overlaps = (i >= 0 and spans[i][1] > figure.start) or (i + 1 < len(spans) and spans[i + 1][0] < figure.end)
        if not overlaps:
            kept.append(figure)
    return kept


def extract(doc: SegmentedDocument, ner: NerBackend) -> ExtractedDocument:
    entities = ner.find(doc)
    facts = extract_facts(doc, entities)
    skipped: list[Skipped] = []
    figures = figure_extractor().extract(doc, facts.report_year, skipped)
    attach_orgs(figures, entities, facts.agency)
    issues = skipped_issues(doc, skipped)
    figures = ground_figures(doc, figures, issues)
    table_figures, problems = table_extractor().extract(doc, facts.report_year) if doc.tables else ([], [])
    figures = outside_tables(figures, table_figures)
    # a table's figures are checked against its own cells (table_checks), prose against prose
    issues += check_figures(doc.doc_id, figures, load_catalog()) + check_tables(doc.doc_id, table_figures)
    issues += [IssueRecord(doc_id=doc.doc_id, severity="warning", stage=STAGE, message=problem) for problem in problems]
    if table_figures:
        figures = sorted(figures + [figure.record for figure in table_figures], key=lambda figure: figure.start)
    return ExtractedDocument(
        **doc.__dict__,
        facts=facts,
        figures=figures,
        entities=ground_entities(doc, entities, issues),
        issues=issues,
    )
