#!/usr/bin/env python3
"""The large-batch check: 100,000 small files in one `zhfig run`.

    python benchmarks/many_files.py              # 10,000 then 100,000 files (~10 min on 2 cores)
    python benchmarks/many_files.py --sizes 2000 # one size, for development

Each file is a short report: one to three paragraphs of the sample reports
in data/raw with every Arabic number changed, so every file is distinct (no
cache or dedup makes it cheap). One file in a thousand is broken on purpose
(empty, NUL bytes, undecodable bytes) so the failure path runs at scale too.

For each size it runs the real command line in a subprocess and checks:
- documents.csv has exactly one row per input file, with the file's doc_id;
- the broken files have a failed or empty status, the others are ok or empty;
- peak resident memory (the largest process of the run's tree, sampled
  every half second) and the largest number of open file descriptors of any
  of those processes, against the soft limit (`ulimit -n`).
"Memory flat" is the peak at the largest size divided by the peak at the
smallest. Results are printed and written to benchmarks/results-many.json.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import watch_processes

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "raw"
BROKEN_EVERY = 1000
BROKEN = (b"", b"\x00\x01PK\x00\x00 binary", "行政处罚".encode("utf-8")[:-1] + b"\xff\xfe\xfd" * 40)
NUMBER = re.compile(r"\d+")


def paragraphs() -> list[str]:
    """The sample reports' paragraphs that hold a number."""
    found = []
    for path in sorted(SAMPLES.iterdir()):
        for paragraph in path.read_text(encoding="utf-8").split("\n"):
            if NUMBER.search(paragraph) and len(paragraph) > 20:
                found.append(paragraph.strip())
    return found


def build(folder: Path, n: int, seed: int) -> int:
    """n small files in `folder` (in subfolders of 1,000); returns how many are broken."""
    pool = paragraphs()
    rng = random.Random(seed)
    broken = 0
    for i in range(n):
        sub = folder / f"{i // 1000:03d}"
        if i % 1000 == 0:
            sub.mkdir(parents=True)
        path = sub / f"{i:06d}.txt"
        if i % BROKEN_EVERY == BROKEN_EVERY - 1:
            path.write_bytes(BROKEN[(i // BROKEN_EVERY) % len(BROKEN)])
            broken += 1
            continue
        text = "\n".join(NUMBER.sub(lambda m: str(rng.randint(1, 9999)), rng.choice(pool))
                         for _ in range(rng.randint(1, 3)))
        path.write_text(text + "\n", encoding="utf-8")
    return broken


def watch(pid: int, peaks: dict, stop: threading.Event) -> None:
    """Each process of the tree's resident memory and open file descriptors;
    `peaks` keeps the largest of each."""
    def look(process) -> None:
        peaks["rss_mb"] = max(peaks.get("rss_mb", 0), process.memory_info().rss / 2**20)
        peaks["fds"] = max(peaks.get("fds", 0), process.num_fds())

    watch_processes(pid, stop, look)


def run_once(folder: Path, out: Path, n: int, broken: int, workers: int) -> dict:
    command = [sys.executable, "-m", "pipeline", "run", str(folder), "--out", str(out), "--workers", str(workers)]
    peaks: dict = {}
    stop = threading.Event()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT, text=True)
    watcher = threading.Thread(target=watch, args=(process.pid, peaks, stop))
    watcher.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    watcher.join()
    summary = output.strip().splitlines()[-1] if output.strip() else ""
    if process.returncode not in (0, 1):  # 1: some documents failed, as the broken ones must
        sys.exit(f"many_files: zhfig run exited {process.returncode}:\n{output}")

    with open(out / "documents.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    expected = {f"{i:06d}.txt" for i in range(n)}
    ids = [Path(row["doc_id"]).name for row in rows]
    statuses: dict[str, int] = {}
    for row in rows:
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    problems = []
    if len(rows) != n or set(ids) != expected:
        problems.append(f"{len(rows)} documents rows for {n} files ({len(expected - set(ids))} missing)")
    not_ok = sum(count for status, count in statuses.items() if status != "ok")
    if not_ok < broken:
        problems.append(f"only {not_ok} rows not ok for {broken} broken files")
    soft_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return {"files": n, "workers": workers, "seconds": round(seconds, 1), "files_per_s": round(n / seconds),
            "peak_rss_mb": round(peaks.get("rss_mb", 0)), "max_open_fds": peaks.get("fds", 0),
            "fd_soft_limit": soft_limit, "statuses": statuses, "summary": summary, "problems": problems}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results-many.json")
    args = parser.parse_args()

    results = []
    with tempfile.TemporaryDirectory(prefix="zhfig-many-") as work:
        for n in args.sizes:
            folder, out = Path(work) / f"files_{n}", Path(work) / f"out_{n}"
            print(f"building {n:,} files …", flush=True)
            broken = build(folder, n, args.seed)
            print(f"zhfig run: {n:,} files, {args.workers} workers …", flush=True)
            result = run_once(folder, out, n, broken, args.workers)
            results.append(result)
            print(json.dumps(result, ensure_ascii=False), flush=True)
            shutil.rmtree(folder)
            shutil.rmtree(out)
    report = {"runs": results}
    if len(results) > 1:
        report["memory_ratio_largest_vs_smallest"] = round(results[-1]["peak_rss_mb"] / results[0]["peak_rss_mb"], 2)
    args.output.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k != "runs"}))
    return 1 if any(result["problems"] for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
