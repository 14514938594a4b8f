"""The runner: find the input files, push each through the stages, write the tables.

    read -> normalize -> segment -> extract   (per document: `process_file`)
    -> rows -> CSV lines (pipeline/rows.py)    (in the worker that did the document)
    -> OutputTables                            (streamed, in input order)

Documents flow one at a time (or a small window of them per worker process),
so memory does not grow with the corpus. The result cache in the output folder
(pipeline/cache.py) lets a re-run skip every file whose bytes, name and
pipeline version are unchanged: on a hit only the file's hash is computed; the
stages are not even imported, nor jieba's dictionaries loaded.
"""
from __future__ import annotations

import gc
import glob
import hashlib
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from extractors.ner import get_backend
from extractors.ner.base import NerBackend
from pipeline.cache import CACHE_FILE, FinishedRun, ResultCache, file_key, pack, pipeline_fingerprint
from pipeline.outdir import claimed
from pipeline.read import DEFAULT_MAX_BYTES
from pipeline.rows import METRICS_WIDE, PANEL, TABLES, DocumentRows, RenderedRows, render
from schemas import ExtractedDocument, IssueRecord, SourceDocument

log = logging.getLogger(__name__)

WINDOW_PER_WORKER = 8  # documents in flight per worker: keeps workers busy, memory flat
CACHE_COMMIT_EVERY = 100  # documents
GC_YOUNG_THRESHOLD = 10_000  # allocations between young collections during a batch
GLOB_MAGIC = set("*?[")
OUTPUT_FILES = [f"{name}.{ext}" for name in [*TABLES, METRICS_WIDE, PANEL] for ext in ("csv", "parquet")]


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


# ---------------------------------------------------------------- discovery

def _walk(folder: Path, exclude: Path | None) -> Iterator[Path]:
    """Regular files under `folder`, sorted, skipping hidden files and folders
    (.DS_Store, .git, .gitkeep) and the output folder itself."""
    def unreadable(error: OSError) -> None:
        log.warning("cannot list the folder %s: %s; its files are left out", error.filename, error.strerror)

    for current, dirnames, filenames in os.walk(folder, onerror=unreadable):
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


def _clashing(inputs: list[InputFile]) -> set[str]:
    seen: set[str] = set()
    return {item.doc_id for item in inputs if item.doc_id in seen or seen.add(item.doc_id)}


def _unique_ids(inputs: list[InputFile]) -> list[InputFile]:
    """Two files with the same doc_id (the same name under two folders): prefix
    each with its folder's name; should that clash too, use the path as given."""
    clash = _clashing(inputs)
    inputs = [
        InputFile(item.path, item.root, f"{(item.root or item.path.parent).resolve().name}/{item.doc_id}",
                  item.missing) if item.doc_id in clash else item
        for item in inputs
    ]
    clash = _clashing(inputs)
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


def _stages(path: Path, root: Path | None, ner: NerBackend, max_bytes: int) -> list[tuple[str, Callable]]:
    # Imported here, on first use: a re-run that finds everything in the
    # cache never loads the stages and their extractors.
    from pipeline.extract import extract
    from pipeline.normalize import normalize
    from pipeline.read import read_source
    from pipeline.segment import segment

    return [
        ("read", lambda _: read_source(path, root, max_bytes=max_bytes)),
        ("normalize", normalize),
        ("segment", segment),
        ("extract", lambda segmented: extract(segmented, ner)),
    ]


def process_file(path: Path, root: Path | None, ner: NerBackend, *,
                 doc_id: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> ExtractedDocument:
    """Read, normalise, segment and extract one file.

    Bad input (unreadable, binary, empty …) is reported by the read stage and
    skips the others; an unexpected exception in a stage is caught and turns
    into status "error" naming the stage, so one document never stops a batch
    (the traceback is logged at debug level: `zhfig --verbose`)."""
    doc: SourceDocument = SourceDocument(doc_id=doc_id or path.name, path=str(path))
    for stage, step in _stages(path, root, ner, max_bytes):
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

    def count(self, rendered: RenderedRows, reused: bool) -> None:
        self.documents += 1
        self.ok += rendered.status == "ok"
        self.empty += rendered.status == "empty"
        self.failed += rendered.status == "error"
        self.figures += rendered.figures
        self.entities += rendered.entities
        self.reused += reused

    def counts(self) -> dict[str, int]:
        return {name: value for name, value in asdict(self).items() if name not in ("out", "reused", "seconds")}

    def line(self) -> str:
        return (f"{self.documents} document{'s' * (self.documents != 1)}: {self.ok} ok, {self.empty} empty, "
                f"{self.failed} failed; {self.figures} figures, {self.entities} entities written to {self.out} "
                f"in {self.seconds:.1f} s ({self.reused} reused)")


@dataclass
class _Task:
    item: InputFile
    key: str | None  # its key in the result cache; None: not to be cached
    cached: bool = False


Result = tuple[_Task, RenderedRows, bytes | None]  # see _results

_worker_backend: NerBackend | None = None
_worker_metric_ids: list[str] = []


def _start_worker(options: RunOptions, metric_ids: list[str]) -> None:
    """Runs once in each worker process: build the NER backend there."""
    global _worker_backend, _worker_metric_ids
    _worker_backend = get_backend(options.ner, options.hanlp_model)
    _worker_metric_ids = metric_ids


def _process_in_worker(item: InputFile, max_bytes: int) -> tuple[bytes, RenderedRows]:
    """The rows packed for the cache and rendered for the tables: both are
    made here, in parallel, rather than in the one process that writes."""
    rows = process_input(item, _worker_backend, max_bytes)
    return pack(rows), render(rows, _worker_metric_ids)


def _worker_failure(item: InputFile, exc: BaseException) -> DocumentRows:
    """A worker process died or failed outside the stages (out of memory …)."""
    log.debug("%s: worker failed", item.path, exc_info=exc)
    return DocumentRows.from_document(_failed(SourceDocument(doc_id=item.doc_id, path=str(item.path)), "run",
                                              f"worker failed: {type(exc).__name__}: {exc}"))


def _results(tasks: list[_Task], backend: NerBackend, options: RunOptions, workers: int,
             cache: ResultCache, metric_ids: list[str]) -> Iterator[Result]:
    """(task, rendered, packed) for each task in order, the rows from the cache, from
    this process, or from a pool of worker processes (each with its own NER
    backend) with a bounded window of work in flight. `packed` is the rows
    as the cache stores them (cache.pack) when they are a fresh stage result
    worth caching, else None (rows from the cache, a worker failure)."""
    workers = min(workers, sum(not task.cached for task in tasks))
    if workers == 0:  # everything is in the cache
        for task in tasks:
            yield task, render(cache.get(task.key), metric_ids), None
        return

    # The first document to process is done here, before the others: that
    # loads the dictionaries and models once, and forked workers inherit
    # them rather than each spending seconds loading its own.
    first = next(task for task in tasks if not task.cached)
    first_rows = process_input(first.item, backend, options.max_bytes)
    with _batch_gc():
        yield from _remaining_results(tasks, first, first_rows, backend, options, workers, cache, metric_ids)


@contextmanager
def _batch_gc() -> Iterator[None]:
    """For the length of a batch: what is alive now (dictionaries, models) is
    kept out of the garbage collector's full passes, which would walk it
    again and again, and young collections are rarer than Python's default
    (made for small heaps). Both are undone afterwards."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _remaining_results(tasks: list[_Task], first: _Task, first_rows: DocumentRows, backend: NerBackend,
                       options: RunOptions, workers: int, cache: ResultCache,
                       metric_ids: list[str]) -> Iterator[Result]:
    if workers == 1:
        for task in tasks:
            if task.cached:
                yield task, render(cache.get(task.key), metric_ids), None
            else:
                rows = first_rows if task is first else process_input(task.item, backend, options.max_bytes)
                yield task, render(rows, metric_ids), pack(rows)
        return

    pending: deque[tuple[_Task, Future | DocumentRows | None]] = deque()

    def finish() -> Result:
        task, result = pending.popleft()
        if result is None:
            return task, render(cache.get(task.key), metric_ids), None
        if isinstance(result, DocumentRows):
            return task, render(result, metric_ids), pack(result)
        try:
            packed, rendered = result.result()
        except Exception as exc:
            return task, render(_worker_failure(task.item, exc), metric_ids), None
        return task, rendered, packed

    with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(options, metric_ids)) as pool:
        for task in tasks:
            if task.cached:
                pending.append((task, None))
            elif task is first:
                pending.append((task, first_rows))
            else:
                pending.append((task, pool.submit(_process_in_worker, task.item, options.max_bytes)))
            while len(pending) > workers * WINDOW_PER_WORKER:
                yield finish()
        while pending:
            yield finish()


def run(paths: Sequence[str | Path], out: Path, *, options: RunOptions = RunOptions(),
        workers: int | None = None, force: bool = False,
        on_progress: Callable[[int, int], None] | None = None) -> RunSummary:
    """Process every document named by `paths` into the tables in `out`.

    The NER backend is resolved before any file is read, so one that cannot
    run fails at once (extractors.ner.base.NerUnavailable); so does a folder
    another run is writing into (pipeline.outdir.OutputFolderBusy). `workers`
    defaults to the number of cores; `force` ignores earlier results.
    `on_progress(done, total)` is called after each document."""
    started = time.perf_counter()
    backend = get_backend(options.ner, options.hanlp_model)
    inputs = discover_inputs(paths, exclude=out)
    with claimed(out):  # this run's alone (else OutputFolderBusy), without the debris of runs that died
        cache = ResultCache(out / CACHE_FILE)
        try:
            salt = f"{pipeline_fingerprint()}\0{options.ner}\0{options.hanlp_model}\0{options.max_bytes}"
            tasks = [_Task(item, None if item.missing else file_key(item.path, item.doc_id, salt, options.max_bytes))
                     for item in inputs]
            for task in tasks:
                task.cached = task.key is not None and not force and cache.has(task.key)
            summary = _unchanged(tasks, out, cache) or _write(tasks, out, backend, options, workers, cache,
                                                               on_progress)
        finally:
            cache.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _inputs_hash(tasks: list[_Task]) -> str:
    return hashlib.sha256("\n".join(str(task.key) for task in tasks).encode()).hexdigest()


def _unchanged(tasks: list[_Task], out: Path, cache: ResultCache) -> RunSummary | None:
    """The summary of the last run when this one would write exactly the same:
    the same documents, all in the cache, and the tables still as it left them."""
    last = cache.finished_run()
    if last is None or not all(task.cached for task in tasks) or last.inputs != _inputs_hash(tasks):
        return None
    if FinishedRun.file_stats([out / name for name in OUTPUT_FILES]) != last.files:
        return None
    return RunSummary(out=out, **last.counts, reused=len(tasks))


def _write(tasks: list[_Task], out: Path, backend: NerBackend, options: RunOptions, workers: int | None,
           cache: ResultCache, on_progress: Callable[[int, int], None] | None) -> RunSummary:
    # only when writing: a re-run that changes nothing loads neither the catalog nor pyarrow
    from extractors.metrics import load_catalog
    from pipeline.write import OutputTables

    summary = RunSummary(out=out)
    all_cached = True  # will every document of this run be in the cache afterwards?
    cache.set_finished_run(None)  # the tables are about to change
    metric_ids = load_catalog().ids
    with OutputTables(out, metric_ids) as tables:
        results = _results(tasks, backend, options, workers or os.cpu_count() or 1, cache, metric_ids)
        for done, (task, rendered, packed) in enumerate(results, 1):
            tables.add_rendered(rendered)
            summary.count(rendered, reused=task.cached)
            if packed is not None and task.key is not None:
                cache.put(task.key, packed)
            if done % CACHE_COMMIT_EVERY == 0:  # what is done survives a crash or Ctrl-C
                cache.commit()
            all_cached &= task.key is not None and (task.cached or packed is not None)
            if on_progress:
                on_progress(done, len(tasks))
    cache.retain({task.key for task in tasks if task.key is not None})
    files = FinishedRun.file_stats([out / name for name in OUTPUT_FILES])
    if all_cached and files is not None:
        cache.set_finished_run(FinishedRun(_inputs_hash(tasks), summary.counts(), files))
    return summary
