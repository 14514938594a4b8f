"""The run's tables as one DuckDB database, OUT/zhfig.duckdb, for analysts
who query (`duckdb OUT/zhfig.duckdb "select …"`): every table and the panel,
loaded from their Parquet files (typed columns), plus `metrics`, the catalog.

Written under a temporary name and renamed over the old file, so a reader
never opens a half-built database.
"""
from __future__ import annotations

import os
from pathlib import Path

import duckdb

from pipeline.outdir import temporary_path
from pipeline.rows import METRICS_WIDE, PANEL, TABLES
from pipeline.writers.panel import create_catalog_table

DATABASE_FILE = "zhfig.duckdb"
DATABASE_TABLES = [*TABLES, METRICS_WIDE, PANEL]


def write_database(out: Path) -> Path:
    """OUT/zhfig.duckdb from the tables' Parquet files in `out`; returns its path."""
    final = out / DATABASE_FILE
    temp = temporary_path(final)
    try:
        with duckdb.connect(str(temp)) as con:
            for name in DATABASE_TABLES:
                parquet = out / f"{name}.parquet"
                if not parquet.is_file():
                    raise FileNotFoundError(f"{parquet} is missing: run `zhfig run` into {out} first")
                con.read_parquet(str(parquet)).create(name)
            create_catalog_table(con)
            con.execute("CHECKPOINT")
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, final)
    finally:
        temp.unlink(missing_ok=True)
        Path(f"{temp}.wal").unlink(missing_ok=True)
    return final
