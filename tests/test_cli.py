"""The command line: help with examples, schema and codebook, extract, usage errors."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app, codebook
from pipeline.read import read_source
from pipeline.rows import RECORD_TABLES, TABLES, columns
from schemas import FigureRecord

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "raw" / "004_424a391861ee7c31.txt"
cli = CliRunner()


def invoke(*args: str):
    return cli.invoke(app, list(args), env={"COLUMNS": "200"})


@pytest.mark.parametrize("command", [[], ["run"], ["extract"], ["review"], ["metrics"], ["schema"]])
def test_every_help_teaches_with_an_example(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output and "zhfig " in result.output


def test_python_dash_m_pipeline_is_the_same_program():
    result = subprocess.run([sys.executable, "-m", "pipeline", "schema", "issues"],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0
    assert list(json.loads(result.stdout)["properties"]) == columns(TABLES["issues"])


def test_schema_gives_the_json_schema_of_every_table():
    result = invoke("schema")
    assert result.exit_code == 0
    schemas = json.loads(result.output)
    assert list(schemas) == ["documents", "figures", "entities", "issues", "panel"]
    for name, model in RECORD_TABLES.items():
        assert list(schemas[name]["properties"]) == columns(model)
    assert json.loads(invoke("schema", "figures").output) == FigureRecord.model_json_schema()


def test_schema_rejects_an_unknown_table():
    result = invoke("schema", "people")
    assert result.exit_code == 2
    assert "people" in result.output


def test_the_codebook_has_a_row_for_every_column():
    text = invoke("schema", "--markdown").output
    for name, model in RECORD_TABLES.items():
        assert f"### {name}" in text
        for column, field in model.model_fields.items():
            assert f"| `{column}` |" in text
            assert field.description.replace("|", "\\|") in text
    assert "| `report_year` | integer or empty |" in text
    assert "| `status` | text: `ok`, `empty`, `error` |" in text
    assert "### metrics_wide" in text
    assert invoke("schema", "entities", "--markdown").output == codebook(["entities"])


def test_the_readme_codebook_is_the_generated_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"<!-- codebook:start -->\n(.*)<!-- codebook:end -->", readme, re.DOTALL)
    assert section, "README.md lacks the codebook markers"
    assert section[1] == codebook(), "README codebook is stale: regenerate it with `zhfig schema --markdown`"


def test_metrics_lists_the_catalog_as_json_lines():
    result = invoke("metrics", "--json")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert rows[0] == {"id": "licensing.applications", "name": "行政许可申请", "kind": "count", "parent": "",
                       "family": "licensing", "wordings": ["许可…申请", "许可…收到", "许可…新收", "许可…新受理",
                                                                           "许可…接收", "许可…收案", "许可…受案", "申请数量"]}
    assert "penalty.total" in [row["id"] for row in rows]
    assert "行政许可申请" in invoke("metrics").output


def test_extract_json_gives_grounded_figures():
    result = invoke("extract", str(SAMPLE), "--json")
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert list(report) == ["document", "figures", "entities", "issues"]
    assert list(report["document"]) == columns(TABLES["documents"])
    figures = [FigureRecord.model_validate(figure) for figure in report["figures"]]
    assert len(figures) == report["document"]["n_figures"] > 0
    original = read_source(SAMPLE).original
    assert all(original[f.start:f.end] == f.text for f in figures)


@pytest.mark.parametrize("text, status", [("关于工作的说明\n今年我们认真开展了各项工作。\n", "ok"), ("", "empty")])
def test_extract_json_of_a_report_without_figures_is_the_same_shape_with_empty_lists(tmp_path, text, status):
    report = tmp_path / "report.txt"
    report.write_text(text, encoding="utf-8")
    result = invoke("extract", str(report), "--json")
    assert result.exit_code == 0
    parsed = json.loads(result.output)
    assert list(parsed) == ["document", "figures", "entities", "issues"]
    assert parsed["document"]["status"] == status
    assert parsed["document"]["n_figures"] == 0
    assert parsed["figures"] == [] and parsed["entities"] == []


def test_extract_shows_a_table_of_figures_or_entities():
    figures = invoke("extract", str(SAMPLE))
    assert figures.exit_code == 0
    n_figures = len(json.loads(invoke("extract", str(SAMPLE), "--json").output)["figures"])
    assert re.search(r"text\s+.\s+value\s+.\s+unit\s+.\s+metric\s+.\s+subject\s+.\s+sentence", figures.output)
    assert figures.output.rstrip().endswith(f"{n_figures} figures")
    entities = invoke("extract", str(SAMPLE), "--entities")
    assert entities.exit_code == 0
    assert re.search(r"text\s+.\s+label\s+.\s+backend\s+.\s+sentence", entities.output)


def test_extract_of_a_missing_file_says_so_without_a_traceback(tmp_path):
    result = invoke("extract", str(tmp_path / "nope.txt"))
    assert result.exit_code == 1
    assert "nope.txt: file not found" in result.output
    assert "Traceback" not in result.output


def test_an_unknown_ner_backend_is_a_usage_error(tmp_path):
    result = invoke("run", str(SAMPLE), "--out", str(tmp_path / "out"), "--ner", "spacy")
    assert result.exit_code == 2
    assert "spacy" in result.output and "jieba" in result.output
    assert not (tmp_path / "out").exists()


def test_a_backend_that_cannot_run_stops_before_any_file_is_read(tmp_path):
    # holds whether or not hanlp is installed: there is no model in that folder either way
    result = invoke("run", str(SAMPLE), "--out", str(tmp_path / "out"), "--ner", "hanlp",
                    "--hanlp-model", str(tmp_path / "no-model"))
    assert result.exit_code == 2
    assert "hanlp" in result.output.lower()
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_run_prints_one_summary_line_and_exits_0(tmp_path):
    result = invoke("run", str(SAMPLE), "--out", str(tmp_path / "out"), "--workers", "1")
    assert result.exit_code == 0
    assert re.fullmatch(r"1 document: 1 ok, 0 empty, 0 failed; \d+ figures, \d+ entities written to "
                        rf"{re.escape(str(tmp_path / 'out'))} in [\d.]+ s \(0 reused\)\n", result.output)


def test_bad_options_are_usage_errors(tmp_path):
    assert invoke("run", "--workers", "0").exit_code == 2
    assert invoke("run", "--max-size", "0").exit_code == 2
