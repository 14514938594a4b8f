"""The notebook entry point: reports as strings or paths in, DataFrames out."""
from __future__ import annotations

from pathlib import Path

import pytest

import zhfig
from pipeline.rows import columns
from schemas import FigureRecord, PanelRecord

ROOT = Path(__file__).resolve().parent.parent
REPORT = ("安吉县市场监督管理局2023年行政执法情况报告\n\n"
          "2023年，我局共实施行政处罚案件120件，罚没金额35.6万元。\n\n安吉县市场监督管理局\n2024年1月15日\n")


def test_run_texts_gives_the_tables_as_dataframes():
    tables = zhfig.run_texts({"anji.txt": REPORT, "empty.txt": ""})
    assert list(tables.figures.columns) == columns(FigureRecord)
    assert tables.figures[["doc_id", "text", "value", "metric"]].values.tolist() == [
        ["anji.txt", "120件", 120.0, "penalty.total"], ["anji.txt", "35.6万元", 356000.0, "penalty.amount"]]
    assert tables.documents.set_index("doc_id").status.to_dict() == {"anji.txt": "ok", "empty.txt": "empty"}
    assert tables.documents.set_index("doc_id").report_year["anji.txt"] == 2023
    assert list(tables.panel.columns) == columns(PanelRecord)
    assert tables.panel[["agency", "metric", "value"]].values.tolist() == [
        ["安吉县市场监督管理局", "penalty.total", 120.0], ["安吉县市场监督管理局", "penalty.amount", 356000.0]]
    assert tables.metrics_wide.set_index("doc_id").loc["anji.txt", "penalty.total"] == 120.0
    assert tables.summary.documents == 2


def test_a_list_of_texts_is_named_in_order_and_a_bad_name_is_refused():
    tables = zhfig.run_texts([REPORT])
    assert tables.documents.doc_id.tolist() == ["text-1"]
    with pytest.raises(ValueError, match="relative file name"):
        zhfig.run_texts({"../escape.txt": REPORT})


def test_run_paths_into_a_folder_then_load_it(tmp_path):
    report = ROOT / "data" / "raw" / "004_424a391861ee7c31.txt"
    tables = zhfig.run_paths(report, tmp_path)
    again = zhfig.load(tmp_path)
    assert len(tables.figures) == len(again.figures) > 0
    assert again.documents.doc_id.tolist() == ["004_424a391861ee7c31.txt"]
    assert (tmp_path / "figures.parquet").is_file()


def test_metrics_lists_the_catalog():
    catalog = zhfig.metrics()
    assert list(catalog.columns) == ["id", "name", "kind", "parent", "family", "wordings"]
    row = catalog.set_index("id").loc["licensing.accepted"]
    assert (row["name"], row["kind"], row["parent"], row["family"]) == (
        "行政许可受理", "count", "licensing.applications", "licensing")
    assert "许可…受理" in row["wordings"]
