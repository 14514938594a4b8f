#!/usr/bin/env python3
"""A drift-free cross-check of the throughput bar: instructions, not seconds.

    python benchmarks/instructions.py          # needs valgrind; ~4 minutes

This machine's speed drifts by tens of percent between half-minutes, which
makes close timings noisy (see bench.py). The number of instructions a
program executes does not drift. This runs `zhfig run` (1 worker) and the
benchmark's baseline program (read + jieba.lcut every report) under
valgrind's cachegrind, on a corpus of one report and of 101 reports built as
bench.py builds them, and prints both programs' start-up and per-report cost
in instructions (per report: the difference of the two corpora over 100).
Instructions are not time (memory stalls differ), so this checks the
direction of the bar, not its value.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import BASELINE, ROOT, build_corpus

REPORTS = 101


def instructions(command: list[str]) -> int:
    """Instructions the command executes, by cachegrind's count."""
    run = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", *command],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return int(re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)[1].replace(",", ""))


def main() -> int:
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="zhfig-instructions-") as tmp:
        work = Path(tmp)
        build_corpus(work / "many", REPORTS, seed=REPORTS)
        (work / "one").mkdir()
        first = min((work / "many").iterdir())
        shutil.copy(first, work / "one" / first.name)
        counts = {}
        for size in ("one", "many"):
            corpus = work / size
            counts["pipeline", size] = instructions(
                [sys.executable, "-m", "pipeline", "run", str(corpus), "--out", str(work / f"out-{size}"), "--workers", "1"])
            counts["baseline", size] = instructions([sys.executable, "-c", BASELINE, str(corpus)])
    print(f"{'program':10s} {'start-up (1 report)':>20s} {'per report':>12s}")
    per_report = {}
    for program in ("pipeline", "baseline"):
        per_report[program] = (counts[program, "many"] - counts[program, "one"]) / (REPORTS - 1)
        print(f"{program:10s} {counts[program, 'one'] / 1e9:18.2f} G {per_report[program] / 1e6:10.1f} M")
    for n in (1_000, 10_000):
        total = {p: counts[p, "one"] + per_report[p] * (n - 1) for p in per_report}
        print(f"baseline ÷ pipeline instructions at {n:,} reports: {total['baseline'] / total['pipeline']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
