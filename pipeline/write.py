"""Stage 5, write: stream each document's rows into the output tables.

Every table is written twice, as CSV (plain UTF-8, no BOM, RFC 4180 quoting,
so sentences with commas and line breaks survive) and as Parquet (typed
columns). Rows go into temporary CSV files in the output folder as the
documents arrive (rendered as CSV lines where each document was processed,
see pipeline/rows.py), so memory does not grow with the corpus; at the end Arrow
converts each CSV to Parquet a block at a time. `commit()` makes every file
durable (fsync) and renames it over the previous one (os.replace), so a
crash or an error mid-run leaves the last complete tables untouched.

The columns are exactly the fields of the record models in schemas/records.py,
in order; `metrics_wide` has one row per document and one column per metric
id of the catalog.
"""
from __future__ import annotations

import contextlib
import csv
import io
import os
import types
import typing
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Literal

import pyarrow as pa
import pyarrow.csv as pv
import pyarrow.parquet as pq
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from pipeline.outdir import temporary_path
from pipeline.rows import METRICS_WIDE, PANEL, TABLES, DocumentRows, RenderedRows, render
from schemas import PanelRecord

ROW_GROUP_ROWS = 10_000  # rows per Parquet row group
CSV_BLOCK_BYTES = 256 << 10  # what Arrow reads of a CSV at a time: bounds memory (bigger blocks hold more)
ARROW_TYPES = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}


def _arrow_field(name: str, field: FieldInfo) -> pa.Field:
    """int -> int64, `int | None` -> nullable int64, Literal of strings -> string, …"""
    annotation = field.annotation
    args = typing.get_args(annotation)
    nullable = typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args
    if nullable:
        (annotation,) = [arg for arg in args if arg is not type(None)]
    if typing.get_origin(annotation) is Literal:
        annotation = type(typing.get_args(annotation)[0])
    return pa.field(name, ARROW_TYPES[annotation], nullable=nullable)


def arrow_schema(model: type[BaseModel]) -> pa.Schema:
    return pa.schema([_arrow_field(name, field) for name, field in model.model_fields.items()])


def metrics_wide_schema(metric_ids: Sequence[str]) -> pa.Schema:
    return pa.schema([pa.field("doc_id", pa.string(), nullable=False)]
                     + [pa.field(metric, pa.float64()) for metric in metric_ids])


def open_csv(source, schema: pa.Schema) -> pv.CSVStreamingReader:
    """Arrow's streaming reader over rendered CSV (a file or a buffer), typed
    by the schema, a block at a time so memory stays bounded."""
    return pv.open_csv(
        source,
        read_options=pv.ReadOptions(block_size=CSV_BLOCK_BYTES),
        parse_options=pv.ParseOptions(newlines_in_values=True),
        # "" is an empty string in a text column, a null only in a number column
        convert_options=pv.ConvertOptions(column_types=schema, strings_can_be_null=False),
    )


class TableWriter:
    """One table: each row goes into a temporary CSV at once; closing turns
    the finished CSV into a temporary Parquet file (Arrow's streaming CSV
    reader, typed by the schema: the same rows, no Python objects per
    value); publishing renames both files over the final ones."""

    def __init__(self, folder: Path, name: str, schema: pa.Schema):
        self.schema = schema
        self.published = [f"{name}.csv", f"{name}.parquet"]  # the files it leaves, relative to the folder
        # final file -> its temporary, next to it (pipeline/outdir.py)
        self._temps = {folder / f"{name}.{ext}": temporary_path(folder / f"{name}.{ext}") for ext in ("csv", "parquet")}
        self._csv_temp, self._parquet_temp = self._temps.values()
        self._files: list[IO] = []
        self._parquet: pq.ParquetWriter | None = None
        try:
            self._csv_file = self._create(self._csv_temp, "w", encoding="utf-8", newline="")
            csv.writer(self._csv_file).writerow(schema.names)
        except BaseException:
            self.discard()
            raise

    def _create(self, path: Path, mode: str, **options) -> IO:
        # O_EXCL: never write into someone else's file; mode 0o666 & umask, as for any new file
        handle = os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), mode, **options)
        self._files.append(handle)
        return handle

    def append(self, csv_text: str) -> None:
        """Rows rendered as CSV (see `render`)."""
        self._csv_file.write(csv_text)

    def close(self) -> None:
        """Finish both files on disk (still under their temporary names)."""
        self._csv_file.flush()
        self._write_parquet()
        for handle in self._files:
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()

    def _write_parquet(self) -> None:
        """The CSV as Parquet, in row groups of ROW_GROUP_ROWS; Arrow reads
        the CSV a block at a time, so memory stays bounded."""
        reader = open_csv(self._csv_temp, self.schema)
        self._parquet = pq.ParquetWriter(self._create(self._parquet_temp, "wb"), self.schema)
        pending: list[pa.RecordBatch] = []  # rows read but not yet written: fewer than a group
        buffered = 0
        for batch in reader:
            pending.append(batch)
            buffered += batch.num_rows
            if buffered >= ROW_GROUP_ROWS:
                table = pa.Table.from_batches(pending)
                whole_groups = buffered - buffered % ROW_GROUP_ROWS
                self._parquet.write_table(table.slice(0, whole_groups).cast(self.schema), ROW_GROUP_ROWS)
                pending, buffered = table.slice(whole_groups).to_batches(), buffered - whole_groups
        if buffered:
            self._parquet.write_table(pa.Table.from_batches(pending).cast(self.schema), ROW_GROUP_ROWS)
        self._parquet.close()
        pa.default_memory_pool().release_unused()  # else the pool keeps it, and the tables' conversions add up

    @property
    def parquet_path(self) -> Path:
        """The finished Parquet file, before publishing (under its temporary name)."""
        return self._parquet_temp

    def publish(self) -> None:
        for final, temp in self._temps.items():
            os.replace(temp, final)
        self._temps.clear()

    def discard(self) -> None:
        if self._parquet is not None and self._parquet.is_open:
            with contextlib.suppress(Exception):  # a half-written file about to be deleted
                self._parquet.close()
        for handle in self._files:
            handle.close()
        for temp in self._temps.values():
            temp.unlink(missing_ok=True)
        self._temps.clear()


def _csv_lines(rows: list[tuple]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)  # the dialect of pipeline/rows.py's render
    return buffer.getvalue()


class OutputTables:
    """All the tables of one run. Use as a context manager: the tables are
    published when the block ends normally and discarded when it raises.

        with OutputTables(out, metric_ids) as tables:
            for rows in results:
                tables.add(rows)

    `dataset`: each table as a folder of Parquet parts instead
    (pipeline/writers/dataset.py), for corpora too big for single files.
    """

    def __init__(self, out: Path, metric_ids: Sequence[str], dataset: bool = False):
        out.mkdir(parents=True, exist_ok=True)
        self.metric_ids = list(metric_ids)
        self._writers: dict[str, TableWriter] = {}
        if dataset:
            from pipeline.writers.dataset import DatasetWriter as writer
        else:
            writer = TableWriter
        try:
            for name, model in TABLES.items():
                self._writers[name] = writer(out, name, arrow_schema(model))
            self._writers[METRICS_WIDE] = writer(out, METRICS_WIDE, metrics_wide_schema(self.metric_ids))
            self._writers[PANEL] = writer(out, PANEL, arrow_schema(PanelRecord))
        except BaseException:
            self.discard()
            raise

    def add(self, rows: DocumentRows) -> None:
        self.add_rendered(render(rows, self.metric_ids))

    def add_rendered(self, rendered: RenderedRows) -> None:
        for name, csv_text in rendered.csv.items():
            self._writers[name].append(csv_text)

    def commit(self) -> None:
        # the tables are converted side by side, one per core: Arrow parses and
        # encodes without holding the GIL, so the conversions overlap (each holds
        # a row group, ~60 MB: more at once than cores would add memory, not speed). The panel is
        # built from the finished documents and figures; its conflicts join
        # the issues, so those two tables are finished last.
        last = {name: self._writers[name] for name in ("issues", PANEL)}
        with ThreadPoolExecutor(os.cpu_count()) as pool:
            list(pool.map(lambda writer: writer.close(), [w for name, w in self._writers.items() if name not in last]))
        from pipeline.writers.panel import build_panel  # DuckDB, loaded only to finish a run

        pa.default_memory_pool().release_unused()  # what the conversions left, before DuckDB takes its share
        build_panel(self._writers["documents"].parquet_path, self._writers["figures"].parquet_path,
                    lambda rows: last[PANEL].append(_csv_lines(rows)),
                    lambda rows: last["issues"].append(_csv_lines(rows)))
        with ThreadPoolExecutor(os.cpu_count()) as pool:
            list(pool.map(lambda writer: writer.close(), last.values()))
        for writer in self._writers.values():
            writer.publish()

    @property
    def published(self) -> list[str]:
        """The files the tables are in, relative to the output folder."""
        return [name for writer in self._writers.values() for name in writer.published]

    def discard(self) -> None:
        for writer in self._writers.values():
            writer.discard()

    def __enter__(self) -> "OutputTables":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            try:
                self.commit()
            except BaseException:
                self.discard()
                raise
        else:
            self.discard()
