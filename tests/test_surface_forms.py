"""The surface-form table (tests/data/surface_forms.tsv) through the real stages:
normalise, segment, extract figures, ground them in the original sentence; each
figure with its value, unit, qualifier, metric id and kind."""
from __future__ import annotations

from pathlib import Path

import pytest

from extractors.figures import FigureExtractor
from pipeline.extract import ground_figures
from pipeline.normalize import normalize
from pipeline.segment import segment
from schemas import SourceDocument

TABLE = Path(__file__).parent / "data" / "surface_forms.tsv"


def parse_expected(cell: str) -> list[tuple[str, float, str, str, str, str]]:
    """"3 余场次 = 3 场次 ~余 @training.sessions #level | …"
    -> [("3 余场次", 3.0, "场次", "余", "training.sessions", "level"), …] (@- : no metric)"""
    if cell.strip() == "-":
        return []
    figures = []
    for item in cell.split(" | "):
        quote, _, described = item.partition(" = ")
        parts = described.split()
        kind = parts.pop()[1:]
        metric = parts.pop()[1:]
        qualifier = parts.pop()[1:] if parts[-1].startswith("~") else ""
        value, unit = float(parts[0]), (parts[1] if len(parts) > 1 else "")
        figures.append((quote, value, unit, qualifier, "" if metric == "-" else metric, kind))
    return figures


def load_cases() -> list[tuple[str, str]]:
    cases = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            sentence, expected = line.rsplit("\t", 1)  # table rows hold tabs themselves
            cases.append((sentence, expected))
    return cases


CASES = load_cases()


def test_the_table_is_large_enough():
    assert len(CASES) >= 400


@pytest.fixture(scope="module")
def extractor() -> FigureExtractor:
    return FigureExtractor()


@pytest.mark.parametrize(("sentence", "expected"), CASES, ids=[c[0][:20] for c in CASES])
def test_surface_form(extractor, sentence, expected):
    source = SourceDocument(doc_id="t", path="t", format="txt", encoding="utf-8", original=sentence, text=sentence)
    doc = segment(normalize(source))
    figures = ground_figures(doc, extractor.extract(doc, report_year=2023))
    got = [(f.text, f.value, f.unit, f.qualifier, f.metric, f.kind) for f in figures]
    assert got == parse_expected(expected)
    for f in figures:
        assert sentence[f.start:f.end] == f.text
        assert f.approx == bool(f.qualifier)
