"""The runner: find the input files, push each through the stages, write the tables.

    read -> normalize -> segment -> extract   (per document, `process_file`)
    -> rows -> OutputTables                    (streamed, in input order)

Documents flow one at a time (or a small window of them per worker process),
so memory does not grow with the corpus. A result cache in the output folder
(`.zhfig-cache/results.sqlite`) lets a re-run skip every file whose bytes, name
and pipeline version are unchanged: on a hit only the file's hash is computed.
"""
from __future__ import annotations

import glob
import hashlib
import json
import logging
import os
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import extractors
import pipeline
import schemas
from extractors.metrics import load_catalog
from extractors.ner import get_backend
from extractors.ner.base import NerBackend
from pipeline.extract import extract
from pipeline.normalize import normalize
from pipeline.read import DEFAULT_MAX_BYTES, read_source
from pipeline.segment import segment
from pipeline.write import DocumentRows, OutputTables, columns
from schemas import DocumentRecord, ExtractedDocument, IssueRecord, SourceDocument

log = logging.getLogger(__name__)

CACHE_FILE = Path(".zhfig-cache") / "results.sqlite"
WINDOW_PER_WORKER = 8  # documents in flight per worker: keeps workers busy, memory flat
GLOB_MAGIC = set("*?[")


@dataclass(frozen=True)
class InputFile:
    """One document to process: where it is, the folder it was found under
    (None for a file named directly), its doc_id, and, for a path that does
    not exist, why there is nothing to read."""

    path: Path
    root: Path | None
    doc_id: str
    missing: str = ""


@dataclass(frozen=True)
class RunOptions:
    ner: str = "jieba"
    hanlp_model: Path | None = None
    max_bytes: int = DEFAULT_MAX_BYTES

    def cache_key(self) -> str:
        return f"{self.ner}|{self.hanlp_model or ''}|{self.max_bytes}"


# ---------------------------------------------------------------- discovery

def _walk(folder: Path, exclude: Path | None) -> Iterator[Path]:
    """Regular files under `folder`, sorted, skipping hidden files and folders
    (.DS_Store, .git, .gitkeep) and the output folder itself."""
    for current, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(
            name for name in dirnames
            if not name.startswith(".") and (exclude is None or Path(current, name).resolve() != exclude)
        )
        for name in sorted(filenames):
            path = Path(current, name)
            if not name.startswith(".") and path.is_file():
                yield path


def _glob_root(pattern: str) -> Path:
    """The folder a glob's matches are relative to: its leading non-wildcard part."""
    parts = []
    for part in Path(pattern).parts:
        if GLOB_MAGIC & set(part):
            break
        parts.append(part)
    return Path(*parts) if parts else Path(".")


def _expand(argument: str, exclude: Path | None) -> Iterator[InputFile]:
    path = Path(argument)
    if path.is_dir():
        for file in _walk(path, exclude):
            yield InputFile(file, path, file.relative_to(path).as_posix())
    elif path.exists():
        yield InputFile(path, None, path.name)
    elif GLOB_MAGIC & set(argument):
        matches = sorted(glob.glob(argument, recursive=True))
        if not matches:
            yield InputFile(path, None, argument, missing="no file matches this pattern")
        root = _glob_root(argument)
        for match in map(Path, matches):
            if match.is_dir():
                yield from _expand(str(match), exclude)
            elif match.is_file():
                yield InputFile(match, root, match.relative_to(root).as_posix())
    else:
        yield InputFile(path, None, argument, missing="no such file or directory")


def _unique_ids(inputs: list[InputFile]) -> list[InputFile]:
    """Two files with the same doc_id (same name under two folders): prefix
    each with its folder's name, and fall back to the path as given."""
    def clashing(items: list[InputFile]) -> set[str]:
        seen: dict[str, int] = {}
        for item in items:
            seen[item.doc_id] = seen.get(item.doc_id, 0) + 1
        return {doc_id for doc_id, n in seen.items() if n > 1}

    clash = clashing(inputs)
    inputs = [
        InputFile(item.path, item.root, f"{(item.root or item.path.parent).resolve().name}/{item.doc_id}", item.missing)
        if item.doc_id in clash else item
        for item in inputs
    ]
    clash = clashing(inputs)
    return [InputFile(item.path, item.root, str(item.path), item.missing) if item.doc_id in clash else item
            for item in inputs]


def discover_inputs(arguments: Sequence[str | Path], exclude: Path | None = None) -> list[InputFile]:
    """The documents named by files, folders (recursive) and globs (`**` too),
    in the order given; each file once. `exclude` (the output folder) is never
    entered, so a run over "." does not read its own output."""
    exclude = exclude.resolve() if exclude is not None else None
    inputs, seen = [], set()
    for argument in arguments:
        for item in _expand(str(argument), exclude):
            identity = item.path.resolve() if not item.missing else item.doc_id
            if identity not in seen:
                seen.add(identity)
                inputs.append(item)
    return _unique_ids(inputs)


# ---------------------------------------------------------------- one document

def _failed(doc: SourceDocument, stage: str, message: str) -> ExtractedDocument:
    """The document as far as it got, marked as failed at `stage`."""
    return ExtractedDocument.model_construct(**{
        **dict(doc),
        "status": "error",
        "error": message,
        "issues": [IssueRecord(doc_id=doc.doc_id, severity="error", stage=stage, message=message)],
    })


def process_file(path: Path, root: Path | None, ner: NerBackend, *,
                 doc_id: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> ExtractedDocument:
    """Read, normalise, segment and extract one file.

    Bad input (unreadable, binary, empty …) is reported by the read stage and
    skips the others; an unexpected exception in a stage is caught and turns
    into status "error" with the stage's name, so one document never stops a
    batch (the traceback is logged at debug level)."""
    doc: SourceDocument = SourceDocument(doc_id=doc_id or path.name, path=str(path))
    stages: list[tuple[str, Callable]] = [
        ("read", lambda _: read_source(path, root, max_bytes=max_bytes)),
        ("normalize", normalize),
        ("segment", segment),
        ("extract", lambda segmented: extract(segmented, ner)),
    ]
    for stage, step in stages:
        try:
            doc = step(doc)
        except Exception as exc:  # a bug or a case no stage foresaw: record it, go on
            log.debug("%s: %s stage failed", path, stage, exc_info=True)
            return _failed(doc, stage, f"{stage} failed: {type(exc).__name__}: {exc}")
        if stage == "read":
            if doc_id is not None:
                doc.doc_id = doc_id
            if doc.status != "ok":
                severity = "error" if doc.status == "error" else "warning"
                issue = IssueRecord(doc_id=doc.doc_id, severity=severity, stage="read", message=doc.error)
                return ExtractedDocument.model_construct(**dict(doc), issues=[issue])
    return doc


def process_input(item: InputFile, ner: NerBackend, max_bytes: int) -> DocumentRows:
    if item.missing:
        return DocumentRows.from_document(
            _failed(SourceDocument(doc_id=item.doc_id, path=str(item.path)), "read", item.missing))
    return DocumentRows.from_document(
        process_file(item.path, item.root, ner, doc_id=item.doc_id, max_bytes=max_bytes))


# ---------------------------------------------------------------- the cache

def pipeline_fingerprint() -> str:
    """A hash of everything that decides the output besides the input: the
    code and data files of the project's packages and the versions of its
    installed dependencies. Any change invalidates the cache."""
    digest = hashlib.sha256()
    for package in (pipeline, extractors, schemas):
        folder = Path(package.__file__).parent
        for file in sorted(folder.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(file.relative_to(folder.parent).as_posix().encode() + b"\0")
                digest.update(file.read_bytes())
    try:
        requirements = metadata.requires("zhfig") or []
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        requirements = []
    for requirement in requirements:
        name = requirement.split(";")[0].split("[")[0]
        for separator in "<>=!~ ":
            name = name.split(separator)[0]
        try:
            digest.update(f"{name}=={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:  # an extra that is not installed
            pass
    return digest.hexdigest()


class ResultCache:
    """Each document's rows, keyed by a hash of its bytes, doc_id, path, the
    run options and the pipeline fingerprint. One SQLite file: cheap lookups,
    no thousands of small files, safe against a crash mid-run."""

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
        db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, rows TEXT NOT NULL)")
        return db

    def has(self, key: str) -> bool:
        return self._db.execute("SELECT 1 FROM results WHERE key = ?", (key,)).fetchone() is not None

    def get(self, key: str) -> DocumentRows:
        (blob,) = self._db.execute("SELECT rows FROM results WHERE key = ?", (key,)).fetchone()
        return DocumentRows(*json.loads(blob))

    def put(self, key: str, rows: DocumentRows) -> None:
        self._db.execute("INSERT OR REPLACE INTO results VALUES (?, ?)",
                         (key, json.dumps(rows, ensure_ascii=False)))

    def retain(self, keys: set[str]) -> None:
        """Forget the results of files that were not part of this run."""
        self._db.execute("CREATE TEMP TABLE IF NOT EXISTS kept (key TEXT PRIMARY KEY)")
        self._db.executemany("INSERT OR IGNORE INTO kept VALUES (?)", ((key,) for key in keys))
        self._db.execute("DELETE FROM results WHERE key NOT IN (SELECT key FROM kept)")

    def commit(self) -> None:
        self._db.commit()

    def close(self) -> None:
        self._db.commit()
        self._db.close()


def _cache_key(item: InputFile, salt: str, max_bytes: int) -> str | None:
    """The file's cache key, or None when it is not worth caching (missing,
    unreadable or over the size limit: the read stage reports those at once)."""
    if item.missing:
        return None
    try:
        if item.path.stat().st_size > max_bytes:
            return None
        with item.path.open("rb") as handle:
            content = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None
    identity = f"{salt}\0{item.doc_id}\0{item.path}\0{content}"
    return hashlib.sha256(identity.encode()).hexdigest()


# ---------------------------------------------------------------- the batch

@dataclass
class RunSummary:
    out: Path
    documents: int = 0
    ok: int = 0
    empty: int = 0
    failed: int = 0
    figures: int = 0
    entities: int = 0
    reused: int = 0
    seconds: float = 0.0

    def count(self, rows: DocumentRows, reused: bool) -> None:
        status = rows.document[_STATUS_COLUMN]
        self.documents += 1
        self.ok += status == "ok"
        self.empty += status == "empty"
        self.failed += status == "error"
        self.figures += len(rows.figures)
        self.entities += len(rows.entities)
        self.reused += reused

    def line(self) -> str:
        return (f"{self.documents} document{'s' * (self.documents != 1)}: {self.ok} ok, {self.empty} empty, {self.failed} failed; "
                f"{self.figures} figures, {self.entities} entities written to {self.out} "
                f"in {self.seconds:.1f} s ({self.reused} reused)")


_STATUS_COLUMN = columns(DocumentRecord).index("status")


@dataclass
class _Task:
    item: InputFile
    key: str | None
    cached: bool = False


_worker_backend: NerBackend | None = None


def _start_worker(options: RunOptions) -> None:
    """Runs once in each worker process: build the NER backend there."""
    global _worker_backend
    _worker_backend = get_backend(options.ner, options.hanlp_model)


def _process_in_worker(item: InputFile, max_bytes: int) -> DocumentRows:
    return process_input(item, _worker_backend, max_bytes)


def _worker_failure(item: InputFile, exc: BaseException) -> DocumentRows:
    """A worker process died or failed outside the stages (out of memory …)."""
    log.debug("%s: worker failed", item.path, exc_info=exc)
    doc = _failed(SourceDocument(doc_id=item.doc_id, path=str(item.path)), "run",
                  f"worker failed: {type(exc).__name__}: {exc}")
    return DocumentRows.from_document(doc)


def _results(tasks: list[_Task], backend: NerBackend, options: RunOptions, workers: int,
             cache: ResultCache) -> Iterator[tuple[_Task, DocumentRows]]:
    """Each task's rows, in task order: from the cache, in this process, or
    from a pool of worker processes (each with its own backend) with a
    bounded window of work in flight."""
    workers = min(workers, sum(not task.cached for task in tasks))
    if workers <= 1:
        for task in tasks:
            yield task, cache.get(task.key) if task.cached else process_input(task.item, backend, options.max_bytes)
        return

    pending: deque[tuple[_Task, Future | None]] = deque()

    def finish() -> tuple[_Task, DocumentRows]:
        task, future = pending.popleft()
        if future is None:
            return task, cache.get(task.key)
        try:
            return task, future.result()
        except Exception as exc:
            return task, _worker_failure(task.item, exc)

    with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(options,)) as pool:
        for task in tasks:
            future = None if task.cached else pool.submit(_process_in_worker, task.item, options.max_bytes)
            pending.append((task, future))
            while len(pending) > workers * WINDOW_PER_WORKER:
                yield finish()
        while pending:
            yield finish()


def run(paths: Sequence[str | Path], out: Path, *, options: RunOptions = RunOptions(),
        workers: int | None = None, force: bool = False,
        on_progress: Callable[[int, int], None] | None = None) -> RunSummary:
    """Process every document named by `paths` into the tables in `out`.

    The NER backend is resolved before any file is read, so a missing one
    fails at once (extractors.ner.base.NerUnavailable). `on_progress(done,
    total)` is called after each document."""
    started = time.perf_counter()
    backend = get_backend(options.ner, options.hanlp_model)
    workers = workers or os.cpu_count() or 1
    inputs = discover_inputs(paths, exclude=out)
    out.mkdir(parents=True, exist_ok=True)
    cache = ResultCache(out / CACHE_FILE)
    salt = f"{pipeline_fingerprint()}\0{options.cache_key()}"
    tasks = [_Task(item, _cache_key(item, salt, options.max_bytes)) for item in inputs]
    for task in tasks:
        task.cached = task.key is not None and not force and cache.has(task.key)

    summary = RunSummary(out=out)
    try:
        with OutputTables(out, load_catalog().ids) as tables:
            for done, (task, rows) in enumerate(_results(tasks, backend, options, workers, cache), 1):
                tables.add(rows)
                summary.count(rows, reused=task.cached)
                if task.key is not None and not task.cached and rows.document[_STATUS_COLUMN] != "error":
                    cache.put(task.key, rows)
                if on_progress:
                    on_progress(done, len(tasks))
        cache.retain({task.key for task in tasks if task.key is not None})
    finally:
        cache.close()
    summary.seconds = time.perf_counter() - started
    return summary
