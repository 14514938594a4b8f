"""A batch of bad and awkward inputs through the real `zhfig` console script:
one row each with the right status, no traceback, exit status 1, complete
tables and a summary line that adds up."""
from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.rows import TABLES

ZHFIG = Path(sys.executable).with_name("zhfig")
REPORT = "某市司法局关于2023年行政执法情况的报告\n一、总体情况\n全年办理行政处罚案件125件，罚没金额38.5万元。\n"


def zhfig(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(ZHFIG), *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "200"})


def rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["doc_id"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def bad_batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch")
    inbox = folder / "inbox"
    inbox.mkdir()
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "image.txt").write_bytes(bytes(range(256)) * 8)
    (inbox / "gbk.txt").write_bytes(REPORT.encode("gbk"))
    (inbox / "utf16.txt").write_bytes(REPORT.encode("utf-16"))
    (inbox / "page.html").write_text(
        f"<html><head><script>var n = 999;</script></head><body><p>{REPORT}</p>"
        "<table><tr><td>12</td><td>34</td></tr></table></body></html>", encoding="utf-8")
    (inbox / "blank.html").write_text("<html><body><script>var x=1;</script></body></html>", encoding="utf-8")
    (inbox / "undecodable.txt").write_bytes("年度报告".encode() + b"\xff\xff\n")
    (inbox / "huge.txt").write_text(REPORT * 40, encoding="utf-8")  # over --max-size below
    (inbox / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")  # hidden: not an input
    result = zhfig("run", "inbox", "missing.txt", "--out", "out", "--max-size", "0.004", "--workers", "1",
                   cwd=folder)
    return folder / "out", result


EXPECTED = {  # doc_id: (status, words the error must contain)
    "empty.txt": ("empty", "empty file"),
    "image.txt": ("error", "binary"),
    "gbk.txt": ("ok", ""),
    "utf16.txt": ("ok", ""),
    "page.html": ("ok", ""),
    "blank.html": ("empty", "no visible text"),
    "undecodable.txt": ("error", "cannot decode"),
    "huge.txt": ("error", "too large"),
    "missing.txt": ("error", "no such file or directory"),
}


def test_every_input_gets_one_row_with_the_right_status(bad_batch):
    out, _ = bad_batch
    documents = rows(out / "documents.csv")
    assert sorted(documents) == sorted(EXPECTED)
    for doc_id, (status, words) in EXPECTED.items():
        assert documents[doc_id]["status"] == status, doc_id
        assert words in documents[doc_id]["error"], doc_id
    assert documents["gbk.txt"]["encoding"] == "gb18030"
    assert documents["utf16.txt"]["encoding"].startswith("utf-16")
    assert documents["page.html"]["format"] == "html"
    with (out / "figures.csv").open(encoding="utf-8", newline="") as handle:
        figures = [(row["doc_id"], row["text"], float(row["value"]), row["unit"]) for row in csv.DictReader(handle)]
    assert sorted(figures) == [(doc_id, text, value, unit)
                               for doc_id in ("gbk.txt", "page.html", "utf16.txt")
                               for text, value, unit in (("125件", 125.0, "件"), ("38.5万元", 385000.0, "元"))]


def test_failures_are_issues_and_the_tables_are_complete(bad_batch):
    out, _ = bad_batch
    with (out / "issues.csv").open(encoding="utf-8", newline="") as handle:
        issues = {(row["doc_id"], row["severity"], row["stage"]) for row in csv.DictReader(handle)}
    for doc_id, (status, _) in EXPECTED.items():
        if status != "ok":
            assert (doc_id, "error" if status == "error" else "warning", "read") in issues
    for name in [*TABLES, "metrics_wide"]:
        assert (out / f"{name}.csv").is_file() and (out / f"{name}.parquet").is_file()
    assert pq.read_table(out / "documents.parquet").num_rows == len(EXPECTED)
    assert len(rows(out / "metrics_wide.csv")) == len(EXPECTED)
    assert not [path.name for path in out.iterdir() if path.name.endswith(".tmp")]


def test_the_user_sees_a_summary_and_status_1_but_no_traceback(bad_batch):
    out, result = bad_batch
    assert result.returncode == 1
    assert result.stderr == ""  # no traceback, and no progress bar when stderr is not a terminal
    summary = re.fullmatch(
        r"9 documents: 3 ok, 2 empty, 4 failed; (\d+) figures, (\d+) entities written to out in [\d.]+ s "
        r"\(0 reused\)\n", result.stdout)
    assert summary, result.stdout
    with (out / "figures.csv").open(encoding="utf-8", newline="") as handle:
        assert int(summary[1]) == sum(1 for _ in csv.DictReader(handle))
