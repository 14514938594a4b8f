"""The DuckDB database: every table and the panel, answering SQL as an analyst would ask it."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.writers.duckdb import DATABASE_FILE, DATABASE_TABLES

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(app, ["run", str(ROOT / "data" / "raw"), "--out", str(out), "--workers", "1",
                                      "--duckdb"])
    assert result.exit_code == 0, result.output
    assert f"database: {out / DATABASE_FILE}" in result.output
    return out


def test_the_database_holds_every_table_with_the_same_rows(out):
    with duckdb.connect(str(out / DATABASE_FILE), read_only=True) as con:
        assert sorted(row[0] for row in con.execute("show tables").fetchall()) == sorted([*DATABASE_TABLES, "metrics"])
        for name in DATABASE_TABLES:
            rows = len(pd.read_csv(out / f"{name}.csv"))
            assert con.execute(f"select count(*) from {name}").fetchone()[0] == rows, name
        assert con.execute("select count(*) from figures").fetchone()[0] == 241
        # typed columns: a query joins and aggregates without casts
        top = con.execute("""
            select d.agency, sum(f.value) as fines from figures f join documents d using (doc_id)
            where f.metric = 'penalty.amount' and f.kind = 'level' and f.org = ''
            group by d.agency order by fines desc limit 1""").fetchone()
        assert top[0] == "重庆市公安局渝北区分局"
        assert con.execute("select name, kind from metrics where id = 'penalty.total'").fetchone() == ("行政处罚", "count")
        assert con.execute("select typeof(conflict), typeof(report_year) from panel limit 1").fetchone() == (
            "BOOLEAN", "BIGINT")


def test_rewriting_replaces_the_file_whole(out):
    before = (out / DATABASE_FILE).stat().st_ino
    result = CliRunner().invoke(app, ["run", str(ROOT / "data" / "raw"), "--out", str(out), "--duckdb"])
    assert result.exit_code == 0, result.output
    assert (out / DATABASE_FILE).stat().st_ino != before  # a new file renamed over the old one
    assert not [p.name for p in out.iterdir() if p.name.startswith(f".{DATABASE_FILE}")]
