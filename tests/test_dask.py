"""Beyond one machine: a Dask cluster gives the same tables as local workers,
loses no document when a worker dies or a task keeps failing, and reuses the
cache; --dataset writes partitioned Parquet that reads back as the tables;
fsspec URLs (file://) are inputs like local paths.

One LocalCluster for the module: real worker processes (processes=True),
2 workers of 1 thread each, as a small real cluster would be.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")
import cloudpickle  # noqa: E402 (distributed brings it)
from distributed.diagnostics.plugin import WorkerPlugin  # noqa: E402

from pipeline import runner  # noqa: E402
from pipeline.runner import run  # noqa: E402
from pipeline.rows import METRICS_WIDE, TABLES  # noqa: E402

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
SAMPLES = sorted(path.name for path in RAW.iterdir() if not path.name.startswith("."))
OUTPUT_FILES = [f"{name}.{ext}" for name in [*TABLES, METRICS_WIDE] for ext in ("csv", "parquet")]

# the plugins below are defined here, in a module the workers cannot import: send them by value
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def tables(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUT_FILES}


@pytest.fixture(scope="module", autouse=True)
def fixed_fingerprint():
    with pytest.MonkeyPatch.context() as patch:
        fingerprint = runner.pipeline_fingerprint()
        patch.setattr(runner, "pipeline_fingerprint", lambda: fingerprint)
        yield


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as local, distributed.Client(local) as client:
        yield local.scheduler_address, client


@pytest.fixture(scope="module")
def local_tables(tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    run([RAW], out, workers=1)
    return tables(out)


def ten_reports(folder: Path) -> Path:
    """The five samples twice, under ten names: enough for batches of two."""
    folder.mkdir()
    for copy in range(2):
        for name in SAMPLES:
            shutil.copyfile(RAW / name, folder / f"{copy}_{name}")
    return folder


class PatchedProcessInput(WorkerPlugin):
    """In every worker: pipeline.runner.process_input with a fault for one document."""

    def __init__(self, doc_id: str, fault: str, marker: str = ""):
        self.doc_id, self.fault, self.marker = doc_id, fault, marker

    def setup(self, worker):
        import pipeline.runner

        self.real = real = pipeline.runner.process_input
        doc_id, fault, marker = self.doc_id, self.fault, Path(self.marker)

        def process_input(item, ner, max_bytes):
            if item.doc_id == doc_id:
                if fault == "kill once" and not marker.exists():
                    marker.touch()
                    os._exit(1)  # the worker process dies mid-task; its nanny starts a new one
                if fault == "raise":
                    raise RuntimeError("this document always fails")
            return real(item, ner, max_bytes)

        pipeline.runner.process_input = process_input

    def teardown(self, worker):
        import pipeline.runner

        pipeline.runner.process_input = self.real


@pytest.fixture
def fault(cluster):
    _, client = cluster

    def install(plugin: PatchedProcessInput) -> None:
        client.register_plugin(plugin, name="fault")

    yield install
    if "fault" in client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.worker_plugins)):
        client.unregister_worker_plugin("fault")


def test_a_dask_run_writes_the_same_bytes_as_a_local_run_and_reuses_the_cache(cluster, local_tables, tmp_path):
    address, _ = cluster
    out = tmp_path / "out"
    first = run([RAW], out, executor="dask", scheduler=address)
    assert (first.documents, first.ok, first.reused) == (5, 5, 0)
    assert tables(out) == local_tables
    (out / "figures.csv").unlink()
    again = run([RAW], out, executor="dask", scheduler=address)
    assert (again.documents, again.reused) == (5, 5)
    assert tables(out) == local_tables

    inputs = tmp_path / "in"
    shutil.copytree(RAW, inputs)
    assert run([inputs], out, executor="dask", scheduler=address).reused == 0
    changed = inputs / SAMPLES[2]
    changed.write_bytes(changed.read_bytes() + "\n另查处案件7件。\n".encode())
    third = run([inputs], out, executor="dask", scheduler=address)
    assert (third.documents, third.reused, third.figures) == (5, 4, first.figures + 1)


def test_a_worker_killed_mid_run_loses_no_document(cluster, fault, local_tables, tmp_path):
    address, _ = cluster
    marker = tmp_path / "killed"
    fault(PatchedProcessInput(SAMPLES[3], "kill once", str(marker)))
    summary = run([RAW], tmp_path / "out", executor="dask", scheduler=address)
    assert marker.exists()  # a worker did die, on that document
    assert (summary.documents, summary.ok, summary.failed) == (5, 5, 0)
    assert tables(tmp_path / "out") == local_tables


def test_a_document_that_keeps_failing_is_its_own_error_and_its_batch_mates_are_done(cluster, fault, tmp_path):
    import pandas as pd

    address, _ = cluster
    inputs = ten_reports(tmp_path / "in")
    poisoned = f"1_{SAMPLES[0]}"
    fault(PatchedProcessInput(poisoned, "raise"))
    summary = run([inputs], tmp_path / "out", executor="dask", scheduler=address)
    assert (summary.documents, summary.ok, summary.failed) == (10, 9, 1)
    documents = pd.read_csv(tmp_path / "out" / "documents.csv", keep_default_na=False)
    assert documents.doc_id.tolist() == sorted(path.name for path in inputs.iterdir())
    failed = documents[documents.status == "error"]
    assert failed[["doc_id", "error"]].values.tolist() == [
        [poisoned, "worker failed: RuntimeError: this document always fails"]]
    # a failure is not cached: the next run tries that document again, and only it
    assert run([inputs], tmp_path / "out", workers=1).reused == 9


def test_a_dataset_reads_back_as_the_tables_in_pandas_and_duckdb(local_tables, tmp_path, monkeypatch):
    import duckdb
    import pandas as pd

    import pipeline.writers.dataset

    reference = tmp_path / "files"
    reference.mkdir()
    for name, data in local_tables.items():
        (reference / name).write_bytes(data)
    monkeypatch.setattr(pipeline.writers.dataset, "PART_CSV_BYTES", 16 << 10)  # several parts from five reports
    out = tmp_path / "dataset"
    assert run([RAW], out, workers=1, dataset=True).reused == 0
    assert not list(out.glob("*.csv")) and not list(out.glob("*.parquet"))
    assert len(list((out / "entities").glob("part-*.parquet"))) > 2
    assert [path.name for path in (out / "issues").iterdir()] == ["part-00000.parquet"]  # no rows: one empty part
    for name in [*TABLES, METRICS_WIDE]:
        single = pd.read_parquet(reference / f"{name}.parquet")
        pd.testing.assert_frame_equal(pd.read_parquet(out / name), single)
        query = f"SELECT * FROM read_parquet('{out / name}/*.parquet') ORDER BY ALL"
        pd.testing.assert_frame_equal(duckdb.sql(query).df(),
                                      duckdb.sql(f"SELECT * FROM '{reference / name}.parquet' ORDER BY ALL").df())

    parts = {path: path.stat().st_mtime_ns for path in out.rglob("part-*.parquet")}
    assert run([RAW], out, workers=1, dataset=True).reused == 5
    assert {path: path.stat().st_mtime_ns for path in out.rglob("part-*.parquet")} == parts  # left alone
    assert run([RAW], out, workers=1).reused == 5  # the same results, now as single files
    assert tables(out) == local_tables


def test_a_file_url_is_read_by_the_workers_and_cached(cluster, local_tables, tmp_path):
    import pandas as pd

    address, _ = cluster
    inputs = tmp_path / "in"
    shutil.copytree(RAW, inputs)
    (inputs / ".hidden.txt").write_text("不读", encoding="utf-8")
    url = inputs.as_uri()
    out = tmp_path / "out"
    summary = run([url], out, executor="dask", scheduler=address)
    assert (summary.documents, summary.ok) == (5, 5)
    for name in OUTPUT_FILES:
        if not name.startswith("documents"):
            assert (out / name).read_bytes() == local_tables[name], name
    documents = pd.read_csv(out / "documents.csv", keep_default_na=False)
    assert documents.doc_id.tolist() == SAMPLES
    assert documents.path.tolist() == [f"{url}/{name}" for name in SAMPLES]
    assert run([f"{url}/*.txt"], out, workers=1).reused == 5
    missing = run([f"{url}/nowhere.txt"], tmp_path / "missing", workers=1)
    assert (missing.documents, missing.failed) == (1, 1)


def test_the_command_line_runs_on_the_cluster_at_an_address(cluster, local_tables, tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    address, _ = cluster
    result = CliRunner().invoke(app, ["run", str(RAW), "--out", str(tmp_path), "--executor", "dask",
                                      "--scheduler", address])
    assert result.exit_code == 0, result.output
    assert "5 documents: 5 ok" in result.output
    assert tables(tmp_path) == local_tables
    wrong = CliRunner().invoke(app, ["run", str(RAW), "--out", str(tmp_path), "--scheduler", address])
    assert wrong.exit_code == 2 and "--scheduler needs --executor dask" in wrong.output
