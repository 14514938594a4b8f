"""The panel: one number per agency, year and metric, chosen among all the
figures of a run that state it.

Several reports of one agency often state the same number (a 行政执法情况报告,
its statistics table, the 法治政府建设年度报告). The rules that choose, and
the agreement test, are SQL over the finished tables (sql/panel_*.sql), run
by DuckDB straight on the Parquet files: no Python object per figure.
"""
from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

import duckdb

from pipeline.catalog import metric_rows

SQL = resources.files("pipeline.writers").joinpath("sql")


def _sql(name: str) -> str:
    return SQL.joinpath(name).read_text(encoding="utf-8")


# pipeline/catalog.py's columns, then the metric's position in the catalog
CATALOG_COLUMNS = {"id": "VARCHAR", "name": "VARCHAR", "kind": "VARCHAR", "parent": "VARCHAR",
                   "family": "VARCHAR", "wordings": "VARCHAR[]"}


def create_catalog_table(con: duckdb.DuckDBPyConnection, name: str = "metrics") -> None:
    """The catalog as a table of `con` (pipeline/catalog.py's columns, and its
    position), in one INSERT: building it through Arrow would import pandas,
    a third of a second at every run."""
    rows = [(*(row[column] for column in CATALOG_COLUMNS), i) for i, row in enumerate(metric_rows())]
    columns = ", ".join(f"{column} {kind}" for column, kind in CATALOG_COLUMNS.items())
    con.execute(f"CREATE TABLE {name} ({columns}, position INTEGER)")
    placeholders = ", ".join([f"({', '.join('?' * len(rows[0]))})"] * len(rows))
    con.execute(f"INSERT INTO {name} VALUES {placeholders}", [value for row in rows for value in row])


BATCH_ROWS = 10_000  # rows taken from DuckDB at a time: a big run's panel is never all in Python at once


def build_panel(documents: Path, figures: Path, add_panel_rows: Callable[[list[tuple]], None],
                add_issue_rows: Callable[[list[tuple]], None]) -> None:
    """The panel's rows (PanelRecord's columns) and an issue row (IssueRecord's
    columns) for every source that disagrees, from the documents and figures
    tables' Parquet files, handed over BATCH_ROWS at a time."""
    with duckdb.connect() as con:
        con.execute("SET threads = 1")  # a second thread saves a tenth of a second and costs ~35 MB at 10,000 reports
        con.read_parquet(str(documents)).create_view("documents")
        con.read_parquet(str(figures)).create_view("figures")
        create_catalog_table(con)
        con.execute(_sql("panel_sources.sql"))
        for query, add_rows in (("panel.sql", add_panel_rows), ("panel_issues.sql", add_issue_rows)):
            result = con.execute(_sql(query))
            while rows := result.fetchmany(BATCH_ROWS):
                add_rows(rows)
