"""The result cache behind incremental runs: `<out>/.zhfig-cache/results.sqlite`.

Each document's rows are stored under a key that hashes everything its
result depends on: the file's bytes, its doc_id and path, the run options
and the pipeline fingerprint (the project's code and data files and the
versions of its dependencies). A re-run looks the key up and skips all
stages on a hit; any change to the file or to the pipeline misses.

The cache also remembers the last run that completed (which documents, in
which order, and the output files it left), so a re-run in which nothing at
all changed does not even rewrite the tables.
"""
from __future__ import annotations

import hashlib
import json
import logging
import marshal
import platform
import re
import sqlite3
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

import zstandard

import extractors
import pipeline
import schemas
from pipeline.rows import DocumentRows
from pipeline.sources import content_token

log = logging.getLogger(__name__)

CACHE_FILE = Path(".zhfig-cache") / "results.sqlite"
_COMPRESSOR = zstandard.ZstdCompressor(level=1)
_DECOMPRESSOR = zstandard.ZstdDecompressor()


def pipeline_fingerprint() -> str:
    """A hash of everything besides the input that decides the output: the
    code and data files of the project's packages, the Python version and
    the versions of the installed dependencies."""
    digest = hashlib.sha256(platform.python_version().encode())
    for package in (pipeline, extractors, schemas):
        folder = Path(package.__file__).parent
        for file in sorted(folder.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(file.relative_to(folder.parent).as_posix().encode() + b"\0")
                digest.update(file.read_bytes())
    try:
        requirements = metadata.requires("zhfig") or []
    except metadata.PackageNotFoundError:  # a source tree that is not installed
        requirements = []
    for requirement in requirements:
        name = re.match(r"[A-Za-z0-9._-]+", requirement)[0]
        try:
            digest.update(f"{name}=={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:  # an extra that is not installed
            pass
    return digest.hexdigest()


def file_key(path: Path, doc_id: str, salt: str, max_bytes: int) -> str | None:
    """The cache key of one input file (a Path, or a UPath for a URL), or
    None when it is not worth caching: it cannot be read or is over the size
    limit (the read stage reports those at once, without hashing megabytes)."""
    try:
        if path.stat().st_size > max_bytes:
            return None
        content = content_token(path)
    except OSError:
        return None
    return hashlib.sha256(f"{salt}\0{doc_id}\0{path}\0{content}".encode()).hexdigest()


@dataclass
class FinishedRun:
    """What a completed run left behind: its documents (the hash of their
    keys, in order), its counts, and the size and modification time of each
    output file, to tell whether the tables are still as it wrote them."""

    inputs: str
    counts: dict[str, int]
    files: dict[str, list[int]]

    @staticmethod
    def file_stats(folder: Path, names: list[str]) -> dict[str, list[int]] | None:
        """{name: [size, mtime_ns]} of the files (paths relative to `folder`); None when one is missing."""
        try:
            return {name: [stat.st_size, stat.st_mtime_ns] for name in names for stat in [(folder / name).stat()]}
        except OSError:
            return None


def pack(rows: DocumentRows) -> bytes:
    """A document's rows as bytes: what the cache stores and what worker
    processes send back (a tenth of the size of the pickled rows).
    marshal is exact for these plain values and twice as fast as JSON (its
    format is tied to the Python version, which the fingerprint holds);
    Zstandard level 1: the rows repeat their sentences, ~2.7x smaller, at a
    third of the time zlib's fastest level took."""
    return _COMPRESSOR.compress(marshal.dumps(tuple(rows)))


def unpack(packed: bytes) -> DocumentRows:
    return DocumentRows(*marshal.loads(_DECOMPRESSOR.decompress(packed)))


class ResultCache:
    """One SQLite file: cheap lookups, no thousands of small files, and a
    crash mid-run loses nothing that was already committed."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open(path)
        except sqlite3.DatabaseError:  # a damaged cache is only a lost speed-up
            log.warning("result cache %s is damaged; starting a new one", path)
            path.unlink()
            self._db = self._open(path)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, rows BLOB NOT NULL)")
        db.execute("CREATE TABLE IF NOT EXISTS finished_run (id INTEGER PRIMARY KEY CHECK (id = 1), run TEXT)")
        return db

    def has(self, key: str) -> bool:
        return self._db.execute("SELECT 1 FROM results WHERE key = ?", (key,)).fetchone() is not None

    def get(self, key: str) -> DocumentRows:
        (blob,) = self._db.execute("SELECT rows FROM results WHERE key = ?", (key,)).fetchone()
        return unpack(blob)

    def put(self, key: str, packed: bytes) -> None:
        """Store a document's rows, as `pack` made them."""
        self._db.execute("INSERT OR REPLACE INTO results VALUES (?, ?)", (key, packed))

    def retain(self, keys: set[str]) -> None:
        """Forget the results of files that were not part of this run."""
        self._db.execute("CREATE TEMP TABLE IF NOT EXISTS kept (key TEXT PRIMARY KEY)")
        self._db.execute("DELETE FROM kept")
        self._db.executemany("INSERT OR IGNORE INTO kept VALUES (?)", ((key,) for key in keys))
        self._db.execute("DELETE FROM results WHERE key NOT IN (SELECT key FROM kept)")

    def finished_run(self) -> FinishedRun | None:
        row = self._db.execute("SELECT run FROM finished_run").fetchone()
        return FinishedRun(**json.loads(row[0])) if row else None

    def set_finished_run(self, run: FinishedRun | None) -> None:
        self._db.execute("DELETE FROM finished_run")
        if run is not None:
            self._db.execute("INSERT INTO finished_run VALUES (1, ?)", (json.dumps(asdict(run)),))

    def commit(self) -> None:
        self._db.commit()

    def close(self) -> None:
        self._db.commit()
        self._db.close()
