"""The runner: find the input files, push each through the stages, write the tables.

    read -> normalize -> segment -> extract   (per document: `process_file`)
    -> rows -> CSV lines (pipeline/rows.py)    (in the worker that did the document)
    -> OutputTables                            (streamed, in input order)

Documents flow one at a time (or a small window of them per worker process or
Dask task: pipeline/executors.py), so memory does not grow with the corpus.
The result cache in the output folder (pipeline/cache.py) lets a re-run skip every file whose bytes, name and
pipeline version are unchanged: on a hit only the file's hash is computed; the
stages are not even imported, nor jieba's dictionaries loaded.
"""
from __future__ import annotations

import glob
import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

from extractors.ner import get_backend
from extractors.ner.base import NerBackend
from pipeline.cache import CACHE_FILE, FinishedRun, ResultCache, file_key, pipeline_fingerprint
from pipeline.executors import Executor, make_executor
from pipeline.outdir import claimed
from pipeline.read import DEFAULT_MAX_BYTES
from pipeline.rows import DocumentRows, RenderedRows, render
from pipeline.sources import GLOB_MAGIC, expand_url, is_url
from schemas import ExtractedDocument, IssueRecord, SourceDocument

log = logging.getLogger(__name__)

CACHE_COMMIT_EVERY = 100  # documents


@dataclass(frozen=True, slots=True)  # one per input file: 100,000 of them in a big batch
class InputFile:
    """One document to process: where it is (a Path, or a UPath for a URL:
    pipeline/sources.py), the folder it was found under (None for a file
    named directly), its doc_id, and, for a path that does not exist, why
    there is nothing to read."""

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
    if is_url(argument):
        yield from (InputFile(*found) for found in expand_url(argument, exclude))
        return
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
        InputFile(item.path, item.root, f"{_folder_name(item.root or item.path.parent)}/{item.doc_id}",
                  item.missing) if item.doc_id in clash else item
        for item in inputs
    ]
    clash = _clashing(inputs)
    return [InputFile(item.path, item.root, str(item.path), item.missing) if item.doc_id in clash else item
            for item in inputs]


def _folder_name(folder) -> str:
    return folder.resolve().name if isinstance(folder, Path) else folder.name


def _identity(item: InputFile) -> str:
    """What makes two inputs the same file (a string: a Path costs three times its memory)."""
    if item.missing:
        return item.doc_id
    return os.path.realpath(item.path) if isinstance(item.path, Path) else str(item.path)


def discover_inputs(arguments: Sequence[str | Path], exclude: Path | None = None) -> list[InputFile]:
    """The documents named by files, folders (recursive) and globs (`**` too),
    local or fsspec URLs (pipeline/sources.py), in the order given; each file
    once. `exclude` (the output folder) is never entered, so a run over "."
    does not read its own output."""
    exclude = exclude.resolve() if exclude is not None else None
    inputs, seen = [], set()
    for argument in arguments:
        for item in _expand(str(argument), exclude):
            identity = _identity(item)
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

    # a URL input's doc_id comes from its discovery (process_file sets it), not from a local root
    root = root if isinstance(path, Path) else None
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


def failed_rows(item: InputFile, stage: str, message: str) -> DocumentRows:
    """The rows of a document that failed before any stage could look at it."""
    return DocumentRows.from_document(
        _failed(SourceDocument(doc_id=item.doc_id, path=str(item.path)), stage, message))


def process_input(item: InputFile, ner: NerBackend, max_bytes: int) -> DocumentRows:
    if item.missing:
        return failed_rows(item, "read", item.missing)
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


@dataclass(slots=True)
class _Task:
    item: InputFile
    key: str | None  # its key in the result cache; None: not to be cached
    cached: bool = False


Result = tuple[_Task, RenderedRows, bytes | None]  # see _results


def _results(tasks: list[_Task], cache: ResultCache, metric_ids: list[str],
             executor: Callable[[], Executor]) -> Iterator[Result]:
    """(task, rendered, packed) for each task in order, the rows from the
    cache or from the executor (started only when there is work for it).
    `packed` is the rows as the cache stores them (cache.pack) when they are
    a fresh stage result worth caching, else None (rows from the cache, a
    worker failure)."""
    todo = [task.item for task in tasks if not task.cached]
    if not todo:
        for task in tasks:
            yield task, render(cache.get(task.key), metric_ids), None
        return
    with executor() as running, closing(running.map(todo)) as processed:
        for task in tasks:
            if task.cached:
                yield task, render(cache.get(task.key), metric_ids), None
            else:
                packed, rendered = next(processed)
                yield task, rendered, packed


def run(paths: Sequence[str | Path], out: Path, *, options: RunOptions = RunOptions(),
        workers: int | None = None, force: bool = False,
        on_progress: Callable[[int, int], None] | None = None,
        executor: str = "local", scheduler: str | None = None, dataset: bool = False) -> RunSummary:
    """Process every document named by `paths` into the tables in `out`.

    The NER backend is resolved before any file is read, so one that cannot
    run fails at once (extractors.ner.base.NerUnavailable); so does a folder
    another run is writing into (pipeline.outdir.OutputFolderBusy). `workers`
    defaults to the number of cores; `force` ignores earlier results.
    `on_progress(done, total)` is called after each document. `executor`
    "dask" sends the documents to the Dask cluster at `scheduler` (a
    LocalCluster of `workers` processes when None); `dataset` writes each
    table as a folder of Parquet parts instead of one CSV and one Parquet
    file (pipeline/writers/dataset.py). Neither changes a row."""
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
            layout = "dataset" if dataset else "files"
            start_executor = partial(make_executor, executor, workers=workers or os.cpu_count() or 1,
                                     scheduler=scheduler, backend=backend, options=options)
            summary = _unchanged(tasks, out, cache, layout) or _write(tasks, out, start_executor, cache, layout,
                                                                       on_progress)
        finally:
            cache.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _inputs_hash(tasks: list[_Task], layout: str) -> str:
    return hashlib.sha256("\n".join([layout, *(str(task.key) for task in tasks)]).encode()).hexdigest()


def _unchanged(tasks: list[_Task], out: Path, cache: ResultCache, layout: str) -> RunSummary | None:
    """The summary of the last run when this one would write exactly the same:
    the same documents, all in the cache, the same layout of the tables, and
    the files still as it left them."""
    last = cache.finished_run()
    if last is None or not all(task.cached for task in tasks) or last.inputs != _inputs_hash(tasks, layout):
        return None
    if FinishedRun.file_stats(out, list(last.files)) != last.files:
        return None
    return RunSummary(out=out, **last.counts, reused=len(tasks))


def _write(tasks: list[_Task], out: Path, start_executor: Callable[..., Executor], cache: ResultCache,
           layout: str, on_progress: Callable[[int, int], None] | None) -> RunSummary:
    # only when writing: a re-run that changes nothing loads neither the catalog nor pyarrow
    from extractors.metrics import load_catalog
    from pipeline.write import OutputTables

    summary = RunSummary(out=out)
    all_cached = True  # will every document of this run be in the cache afterwards?
    cache.set_finished_run(None)  # the tables are about to change
    metric_ids = load_catalog().ids
    with OutputTables(out, metric_ids, dataset=layout == "dataset") as tables:
        results = _results(tasks, cache, metric_ids, partial(start_executor, metric_ids=metric_ids))
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
    files = FinishedRun.file_stats(out, tables.published)
    if all_cached and files is not None:
        cache.set_finished_run(FinishedRun(_inputs_hash(tasks, layout), summary.counts(), files))
    return summary
