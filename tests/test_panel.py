"""The panel: one number per agency, year and metric, chosen by the stated rules;
sources that disagree are flagged and written to issues.csv."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.rows import columns, record_row
from pipeline.runner import run
from pipeline.write import arrow_schema
from pipeline.writers.panel import build_panel
from schemas import DocumentRecord, FigureRecord, IssueRecord, PanelRecord

DATA = Path(__file__).parent / "data" / "panel"  # two reports of one agency and year that disagree
AGENCY = "安吉县市场监督管理局"


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("panel")
    run([DATA], out, workers=1)
    return out


def test_two_reports_that_disagree_give_one_row_with_a_conflict(out):
    panel = pd.read_csv(out / "panel.csv", keep_default_na=False)
    assert list(panel.columns) == columns(PanelRecord)
    penalty = panel[panel.metric == "penalty.total"]
    assert len(penalty) == 1
    row = penalty.iloc[0]
    # the 法治政府建设年度报告 came out later (2024-03-20 against 2024-01-15): its 125件 is chosen
    assert (row.agency, row.province, row.city, row.county, row.report_year) == (AGENCY, "浙江省", "湖州市", "安吉县", 2023)
    assert (row.value, row.unit, row.kind, row.figure_id) == (125.0, "件", "level", "rule_of_law_2023.txt:44")
    assert (row.n_sources, row.conflict, str(row.other_values), row.other_figure_ids) == (
        2, True, "120", "enforcement_2023.txt:42")
    # both reports state the same 罚没金额: two sources, no conflict
    amount = panel[panel.metric == "penalty.amount"].iloc[0]
    assert (amount.value, amount.n_sources, amount.conflict, amount.other_values) == (356000.0, 2, False, "")
    single = panel[panel.metric == "licensing.applications"].iloc[0]
    assert (single.value, single.n_sources, single.conflict) == (860.0, 1, False)
    assert len(panel) == 3
    assert pq.read_table(out / "panel.parquet").schema == arrow_schema(PanelRecord)


def test_each_conflict_is_an_issue_naming_both_figures(out):
    issues = pd.read_csv(out / "issues.csv", keep_default_na=False)
    panel_issues = issues[issues.stage == "panel"]
    assert panel_issues.to_dict("records") == [{
        "doc_id": "enforcement_2023.txt", "severity": "warning", "stage": "panel",
        "message": f"panel: {AGENCY} 2023 penalty.total: 120件 here, but 125件 is chosen from "
                   "rule_of_law_2023.txt:44 (it was published later)",
        "figure_id": "enforcement_2023.txt:42",
    }]


# ---------------------------------------------------------------- the rules, on constructed tables

def _document(doc_id: str, *, year: int = 2023, published: str = "2024-02-01", agency: str = AGENCY) -> DocumentRecord:
    return DocumentRecord(doc_id=doc_id, path=doc_id, agency=agency, province="浙江省", city="湖州市",
                          county="安吉县", report_year=year, publish_date=published)


def _figure(doc_id: str, start: int, value: float, *, metric: str = "penalty.total", unit: str = "件",
            unit_kind: str = "count", kind: str = "level", year: int | None = 2023, org: str = "",
            cell: str = "", approx: bool = False) -> FigureRecord:
    return FigureRecord(figure_id=f"{doc_id}:{start}", doc_id=doc_id, start=start, end=start + 4,
                        text=f"{value:g}{unit}", value=value, unit=unit, unit_kind=unit_kind, metric=metric,
                        kind=kind, year=year, org=org, cell=cell, approx=approx, extractor="test")


def _panel(tmp_path: Path, documents: list[DocumentRecord], figures: list[FigureRecord]):
    paths = []
    for name, records, model in (("documents", documents, DocumentRecord), ("figures", figures, FigureRecord)):
        schema = arrow_schema(model)
        table = pa.Table.from_pylist([dict(zip(schema.names, record_row(r))) for r in records], schema=schema)
        pq.write_table(table, tmp_path / f"{name}.parquet")
        paths.append(tmp_path / f"{name}.parquet")
    rows, issues = [], []
    build_panel(*paths, rows.extend, issues.extend)
    panel = [PanelRecord(**dict(zip(columns(PanelRecord), row))) for row in rows]
    return panel, [IssueRecord(**dict(zip(columns(IssueRecord), row))) for row in issues]


def test_a_table_cell_wins_over_prose_even_from_an_earlier_report(tmp_path):
    panel, issues = _panel(tmp_path, [_document("prose.txt", published="2024-05-01"),
                                      _document("table.xlsx", published="2024-01-10")],
                           [_figure("prose.txt", 10, 100), _figure("table.xlsx", 0, 105, cell="表一!C4")])
    (row,) = panel
    assert (row.figure_id, row.value, row.n_sources, row.conflict, row.other_values) == (
        "table.xlsx:0", 105, 2, True, "100")
    assert [(i.figure_id, i.message) for i in issues] == [(
        "prose.txt:10", f"panel: {AGENCY} 2023 penalty.total: 100件 here, but 105件 is chosen from table.xlsx:0 "
                        "(a table cell over prose)")]


def test_a_report_about_its_own_year_wins_over_a_later_one_looking_back(tmp_path):
    panel, issues = _panel(tmp_path, [_document("r2023.txt", year=2023, published="2024-01-10"),
                                      _document("r2024.txt", year=2024, published="2025-01-10")],
                           [_figure("r2023.txt", 5, 95),
                            _figure("r2024.txt", 7, 90, year=2023),  # 2023年为90件: a look back
                            _figure("r2024.txt", 9, 130, year=2024)])
    assert [(r.report_year, r.figure_id, r.value, r.n_sources, r.conflict) for r in panel] == [
        (2023, "r2023.txt:5", 95, 2, True), (2024, "r2024.txt:9", 130, 1, False)]
    assert issues[0].message.endswith("(it is about the report's own year)")


def test_sub_units_changes_other_units_and_agencyless_documents_are_left_out(tmp_path):
    panel, issues = _panel(tmp_path, [_document("a.txt"), _document("anon.txt", agency="")], [
        _figure("a.txt", 1, 300),
        _figure("a.txt", 2, 40, org="市本级"),  # a sub-unit's number, not the agency's
        _figure("a.txt", 3, 12.5, unit="%", unit_kind="percent", kind="change"),  # 同比增长12.5%
        _figure("a.txt", 4, 61, unit="人"),  # counted in persons: not the same number as 件
        _figure("anon.txt", 1, 999),  # no agency: it cannot join a panel row
    ])
    assert [(r.figure_id, r.unit, r.n_sources, r.conflict) for r in panel] == [("a.txt:1", "件", 1, False)]
    assert issues == []


def test_an_approximate_figure_agrees_with_a_close_exact_one(tmp_path):
    panel, issues = _panel(tmp_path, [_document("a.txt", published="2024-01-01"),
                                      _document("b.txt", published="2024-02-01")],
                           [_figure("a.txt", 1, 2712), _figure("b.txt", 1, 2700, approx=True),  # 2700余件
                            _figure("a.txt", 9, 3100, metric="licensing.applications"),
                            _figure("b.txt", 9, 2700, metric="licensing.applications", approx=True)])
    assert [(r.metric, r.figure_id, r.n_sources, r.conflict, r.other_values) for r in panel] == [
        ("licensing.applications", "b.txt:9", 2, True, "3100"),  # more than 10% apart
        ("penalty.total", "b.txt:1", 2, False, ""),
    ]
    assert [i.figure_id for i in issues] == ["a.txt:9"]
