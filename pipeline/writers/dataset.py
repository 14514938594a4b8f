"""A table as a partitioned Parquet dataset: `<out>/<table>/part-00000.parquet`, …

For corpora too big for single files (`zhfig run --dataset`). Each part holds
the rows of whole documents, about PART_CSV_BYTES of them as CSV (a few MB
of Parquet), so the writer's memory and every file's size stay bounded
however large the corpus. pandas (`pd.read_parquet("out/figures")`),
DuckDB (`read_parquet('out/figures/*.parquet')`), Spark and Arrow read the
folder as one table, in part order; they skip the hidden temporary folder.

The parts are written into a hidden folder beside the final one, each made
durable (fsync); publishing renames the previous folder away, the new one
into place, and deletes the old, so readers see one run's parts or the
other's, never a mix.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.outdir import publish_folder, temporary_path
from pipeline.write import ROW_GROUP_ROWS, open_csv

PART_CSV_BYTES = 32 << 20  # rendered CSV per part: bounds the writer's memory and a part's size


class DatasetWriter:
    """One table as a folder of Parquet parts; the same interface as write.TableWriter."""

    def __init__(self, folder: Path, name: str, schema: pa.Schema):
        self.schema = schema
        self.name = name
        self.published: list[str] = []  # the part files it leaves, relative to `folder`
        self._final = folder / name
        self._temp = temporary_path(self._final)
        self._temp.mkdir()
        header = io.StringIO()
        csv.writer(header).writerow(schema.names)
        self._header = header.getvalue().encode()
        self._chunks: list[bytes] = []
        self._buffered = 0
        self._parts: list[str] = []

    def append(self, csv_text: str) -> None:
        """One document's rows rendered as CSV (see rows.render)."""
        chunk = csv_text.encode()
        self._chunks.append(chunk)
        self._buffered += len(chunk)
        if self._buffered >= PART_CSV_BYTES:
            self._write_part()

    def _write_part(self) -> None:
        data = pa.py_buffer(b"".join([self._header, *self._chunks]))
        self._chunks, self._buffered = [], 0
        table = open_csv(pa.BufferReader(data), self.schema).read_all().cast(self.schema)
        name = f"part-{len(self._parts):05d}.parquet"
        with os.fdopen(os.open(self._temp / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb") as handle:
            pq.write_table(table, handle, row_group_size=ROW_GROUP_ROWS)
            handle.flush()
            os.fsync(handle.fileno())
        self._parts.append(name)

    @property
    def parquet_path(self) -> Path:
        """All its parts, as a glob DuckDB reads (the panel is built from them before publishing)."""
        return self._temp / "*.parquet"

    def close(self) -> None:
        """Write the last part (a table with no rows still gets one, empty, so the folder reads as a table)."""
        if self._chunks or not self._parts:
            self._write_part()

    def publish(self) -> None:
        publish_folder(self._temp, self._final)
        self.published = [f"{self.name}/{part}" for part in self._parts]

    def discard(self) -> None:
        shutil.rmtree(self._temp, ignore_errors=True)
