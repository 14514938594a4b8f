"""The output folder: one run at a time, and a run killed with kill -9 leaves
nothing the next run does not clear (pipeline/outdir.py)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.outdir import LOCK_FILE, claimed, remove_stale_temporaries, temporary_path
from pipeline.rows import METRICS_WIDE, TABLES
from pipeline.runner import run

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
OUTPUT_FILES = [f"{name}.{ext}" for name in [*TABLES, METRICS_WIDE] for ext in ("csv", "parquet")]
COPIES = 8  # of each sample: enough documents for the run to be killed while it writes


def tables(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUT_FILES}


def temporaries(out: Path) -> list[str]:
    return sorted(path.name for path in out.rglob("*.tmp"))


def writing_rows(out: Path) -> bool:
    """Whether the run has written figures rows to disk (beyond its write buffer)."""
    return out.is_dir() and any(path.stat().st_size > 0 for path in out.glob(".figures.csv.*.tmp"))


def a_dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_run_killed_mid_way_is_cleared_by_the_rerun_which_writes_a_clean_runs_bytes(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    for copy in range(COPIES):
        for sample in sorted(RAW.glob("*.txt")):
            (corpus / f"{copy}_{sample.name}").write_bytes(sample.read_bytes())
    out = tmp_path / "out"
    killed = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(corpus), "--out", str(out),
                               "--workers", "1"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while killed.poll() is None and not writing_rows(out) and time.monotonic() < deadline:
        time.sleep(0.005)
    killed.send_signal(signal.SIGKILL)
    assert killed.wait() == -signal.SIGKILL, "the run finished before it could be killed"
    debris = temporaries(out)
    assert debris and all(f".{killed.pid}-" in name for name in debris)
    assert not any((out / name).exists() for name in OUTPUT_FILES)  # nothing half-written under a final name

    rerun = run([corpus], out, workers=1)
    clean = tmp_path / "clean"
    run([corpus], clean, workers=1)
    assert rerun.documents == rerun.ok == 5 * COPIES
    assert temporaries(out) == []
    assert tables(out) == tables(clean)


def test_a_second_run_into_a_folder_in_use_stops_at_once_with_status_3(tmp_path):
    out = tmp_path / "out"
    with claimed(out):  # as a run in progress holds it
        result = CliRunner().invoke(app, ["run", str(RAW / "000_29a50878a8927d2e.txt"), "--out", str(out)])
    assert result.exit_code == 3
    assert f"in use by another zhfig run (process {os.getpid()})" in result.output
    assert sorted(path.name for path in out.iterdir()) == [LOCK_FILE]  # it wrote nothing
    with claimed(out):  # released when the run ended
        pass


def test_only_the_temporaries_of_processes_that_no_longer_run_are_removed(tmp_path):
    dead = tmp_path / f".figures.csv.{a_dead_pid()}-0123abcd.tmp"
    nested = tmp_path / "review" / f".index.html.{a_dead_pid()}-89abcdef.tmp"
    live = temporary_path(tmp_path / "figures.csv")  # this process's
    not_ours = tmp_path / ".notes.1234.tmp"  # not named as a temporary of a run
    for path in (dead, nested, live, not_ours):
        path.parent.mkdir(exist_ok=True)
        path.write_text("x")
    assert sorted(remove_stale_temporaries(tmp_path)) == sorted([dead, nested])
    assert live.exists() and not_ours.exists()
    assert live.name.startswith(f".figures.csv.{os.getpid()}-") and live.parent == tmp_path


def test_the_part_folders_and_moved_aside_tables_of_a_dead_dataset_run_are_removed(tmp_path):
    pid = a_dead_pid()
    parts = tmp_path / f".figures.{pid}-0123abcd.tmp"  # a --dataset table being written
    aside = tmp_path / f".documents.{pid}-89abcdef.old"  # the previous table, moved aside while replaced
    published = tmp_path / "figures"  # a finished table: not a temporary
    for folder in (parts, aside, published):
        folder.mkdir()
        (folder / "part-00000.parquet").write_bytes(b"PAR1")
    assert sorted(remove_stale_temporaries(tmp_path)) == sorted([parts, aside])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["figures"]
    assert (published / "part-00000.parquet").exists()
