"""Who processes a run's documents: local worker processes or a Dask
cluster, behind one interface.

    with make_executor(...) as executor:
        for packed, rendered in executor.map(items): ...   # in the order of items

Either way each document is processed where it is sent (pipeline.runner's
`process_input`), its rows packed for the result cache (cache.pack) and
rendered as CSV lines (rows.render) there, so the one process that writes
only appends; `packed` is None when there is nothing worth caching (a worker
that failed). Results come back in input order, whatever order they finish
in, so the tables are the same bytes as a one-worker run's.
"""
from __future__ import annotations

import gc
import logging
import marshal
import math
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

import zstandard

from extractors.ner import get_backend
from extractors.ner.base import NerBackend
from pipeline.cache import pack
from pipeline.rows import RenderedRows, render

if TYPE_CHECKING:
    from pipeline.runner import InputFile, RunOptions

log = logging.getLogger(__name__)

EXECUTORS = ("local", "dask")
WINDOW_PER_WORKER = 8  # documents in flight per local worker: keeps workers busy, memory flat
GC_YOUNG_THRESHOLD = 10_000  # allocations between young collections during a batch
BATCH_DOCUMENTS = 32  # documents per Dask task at most: a task's overhead is ~1 ms, a document's ~15 ms
BATCHES_PER_THREAD = 4  # Dask tasks in flight per worker thread
TASK_RETRIES = 2  # a Dask task that raises is run again this often (a worker's death is retried by the scheduler)

Processed = tuple[bytes | None, RenderedRows]


class ExecutorUnavailable(RuntimeError):
    """The executor asked for cannot run here (its package is missing, no scheduler at the address)."""


class Executor(Protocol):
    def map(self, items: Sequence[InputFile]) -> Iterator[Processed]: ...
    def __enter__(self) -> Executor: ...
    def __exit__(self, *exc) -> None: ...


def make_executor(name: str, *, workers: int, scheduler: str | None, backend: NerBackend,
                  options: RunOptions, metric_ids: Sequence[str]) -> Executor:
    if name == "local":
        return LocalProcesses(workers, backend, options, metric_ids)
    if name == "dask":
        return DaskCluster(scheduler, workers, options, metric_ids)
    raise ExecutorUnavailable(f"unknown executor {name!r}; choose one of: {', '.join(EXECUTORS)}")


def _worker_failure(item: InputFile, exc: BaseException, metric_ids: Sequence[str]) -> Processed:
    """A worker died or failed outside the stages (out of memory …): the document's error."""
    from pipeline.runner import failed_rows

    log.debug("%s: worker failed", item.path, exc_info=exc)
    return None, render(failed_rows(item, "run", f"worker failed: {type(exc).__name__}: {exc}"), metric_ids)


@contextmanager
def batch_gc() -> Iterator[None]:
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


# ---------------------------------------------------------------- local processes

_worker_backend: NerBackend | None = None
_worker_metric_ids: Sequence[str] = ()


def _start_worker(options: RunOptions, metric_ids: Sequence[str]) -> None:
    """Runs once in each worker process: build the NER backend there."""
    global _worker_backend, _worker_metric_ids
    _worker_backend = get_backend(options.ner, options.hanlp_model)
    _worker_metric_ids = metric_ids


def _process_in_worker(item: InputFile, max_bytes: int) -> tuple[bytes, RenderedRows]:
    from pipeline.runner import process_input

    rows = process_input(item, _worker_backend, max_bytes)
    return pack(rows), render(rows, _worker_metric_ids)


class LocalProcesses:
    """This process for one worker; a pool of forked processes for more,
    with a bounded window of documents in flight."""

    def __init__(self, workers: int, backend: NerBackend, options: RunOptions, metric_ids: Sequence[str]):
        self.workers, self.backend, self.options, self.metric_ids = workers, backend, options, metric_ids

    def __enter__(self) -> LocalProcesses:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def _here(self, item: InputFile) -> Processed:
        from pipeline.runner import process_input

        rows = process_input(item, self.backend, self.options.max_bytes)
        return pack(rows), render(rows, self.metric_ids)

    def map(self, items: Sequence[InputFile]) -> Iterator[Processed]:
        if not items:
            return
        # The first document is done here, before the others: that loads the
        # dictionaries and models once, and forked workers inherit them
        # rather than each spending seconds loading its own.
        first = self._here(items[0])
        with batch_gc():
            yield first
            if min(self.workers, len(items)) == 1:
                for item in items[1:]:
                    yield self._here(item)
                return
            yield from self._pooled(items[1:])

    def _pooled(self, items: Sequence[InputFile]) -> Iterator[Processed]:
        pending: deque[tuple[InputFile, Future]] = deque()

        def finish() -> Processed:
            item, future = pending.popleft()
            try:
                return future.result()
            except Exception as exc:
                return _worker_failure(item, exc, self.metric_ids)

        workers = min(self.workers, len(items) + 1)
        with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(self.options, self.metric_ids)) as pool:
            for item in items:
                pending.append((item, pool.submit(_process_in_worker, item, self.options.max_bytes)))
                while len(pending) > workers * WINDOW_PER_WORKER:
                    yield finish()
            while pending:
                yield finish()


# ---------------------------------------------------------------- Dask

# Each Dask worker process sets itself up once, on its first task: the NER
# backend (jieba's dictionaries) per run options, kept for every later task.
_dask_backends: dict[RunOptions, NerBackend] = {}
_dask_setup_lock = threading.Lock()
# Zstandard contexts must not be shared by threads at once; a worker may run several.
_packing_lock = threading.Lock()
_BATCH_COMPRESSOR = zstandard.ZstdCompressor(level=1)
_BATCH_DECOMPRESSOR = zstandard.ZstdDecompressor()


def _dask_backend(options: RunOptions) -> NerBackend:
    with _dask_setup_lock:
        if options not in _dask_backends:
            _dask_backends[options] = get_backend(options.ner, options.hanlp_model)
            # as local workers inherit it: the loaded dictionaries stay out of full collections
            gc.freeze()
            gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
        return _dask_backends[options]


def process_batch(items: Sequence[InputFile], options: RunOptions, metric_ids: Sequence[str]) -> bytes:
    """A Dask task: process the documents, and send back for each its rows
    packed for the cache and rendered as CSV lines, all in one marshal +
    Zstandard blob (the CSV text shrinks ~4x on the wire)."""
    from pipeline.runner import process_input

    backend = _dask_backend(options)
    results = []
    for item in items:
        rows = process_input(item, backend, options.max_bytes)
        rendered = render(rows, metric_ids)
        with _packing_lock:
            packed = pack(rows)
        results.append((packed, *rendered))
    blob = marshal.dumps(results)
    with _packing_lock:
        return _BATCH_COMPRESSOR.compress(blob)


def _unpack_batch(blob: bytes) -> list[Processed]:
    return [(packed, RenderedRows(*rendered))
            for packed, *rendered in marshal.loads(_BATCH_DECOMPRESSOR.decompress(blob))]


def batch_size(documents: int, threads: int) -> int:
    """Documents per task: BATCH_DOCUMENTS, fewer for a small run so every thread gets work."""
    return max(1, min(BATCH_DOCUMENTS, math.ceil(documents / (threads * BATCHES_PER_THREAD))))


class DaskCluster:
    """Batches of documents as tasks on a Dask distributed cluster: the one
    at `scheduler` (tcp://host:8786), or a LocalCluster of `workers`
    processes with one thread each when no address is given.

    A task that raises is retried (TASK_RETRIES); one whose worker dies is
    rescheduled by the scheduler (up to distributed.scheduler.allowed-failures
    deaths). A batch that still fails is split and each of its documents
    sent alone, so one bad document costs only itself; one that fails alone
    becomes that document's error row. No document is lost."""

    def __init__(self, scheduler: str | None, workers: int, options: RunOptions, metric_ids: Sequence[str]):
        self.scheduler, self.workers, self.options = scheduler, workers, options
        self.metric_ids = tuple(metric_ids)
        self.client = self.cluster = None

    def __enter__(self) -> DaskCluster:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ExecutorUnavailable("--executor dask needs dask[distributed]; "
                                      "install with pip install 'zhfig[dask]'") from None
        try:
            if self.scheduler:
                self.client = Client(self.scheduler, timeout="30s")
            else:
                self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                            dashboard_address=None, silence_logs=logging.ERROR)
                self.client = Client(self.cluster)
        except OSError as exc:  # nothing listens at the address, or it timed out
            self.__exit__()
            raise ExecutorUnavailable(f"cannot reach the Dask scheduler at {self.scheduler}: {exc}") from None
        return self

    def __exit__(self, *exc) -> None:
        for part in (self.client, self.cluster):
            if part is not None:
                part.close()

    def _submit(self, batch: Sequence[InputFile]):
        return self.client.submit(process_batch, batch, self.options, self.metric_ids,
                                  retries=TASK_RETRIES, pure=False)

    def map(self, items: Sequence[InputFile]) -> Iterator[Processed]:
        threads = max(1, sum(self.client.nthreads().values()))
        size = batch_size(len(items), threads)
        pending: deque[tuple[Sequence[InputFile], object]] = deque()
        for start in range(0, len(items), size):
            batch = items[start:start + size]
            pending.append((batch, self._submit(batch)))
            while len(pending) > threads * BATCHES_PER_THREAD:
                yield from self._finish(*pending.popleft())
        while pending:
            yield from self._finish(*pending.popleft())

    def _finish(self, batch: Sequence[InputFile], future) -> list[Processed]:
        try:
            return _unpack_batch(future.result())
        except Exception as exc:  # KilledWorker after repeated deaths, or a task that kept raising
            if len(batch) == 1:
                return [_worker_failure(batch[0], exc, self.metric_ids)]
            log.debug("a batch of %d documents failed (%s); sending them one by one", len(batch), exc)
            alone = [([item], self._submit([item])) for item in batch]
            return [processed for one, future in alone for processed in self._finish(one, future)]
