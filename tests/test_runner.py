"""The runner on the sample reports: grounding, parallel and incremental
runs give the same tables, stage failures are contained; input discovery."""
from __future__ import annotations

import gc
from pathlib import Path

import pytest

from extractors.ner import get_backend
import pipeline.segment
from pipeline import executors, runner
from pipeline.read import read_source
from pipeline.runner import discover_inputs, process_file, run
from pipeline.rows import METRICS_WIDE, TABLES

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
SAMPLES = sorted(path.name for path in RAW.iterdir() if not path.name.startswith("."))
OUTPUT_FILES = [f"{name}.{ext}" for name in [*TABLES, METRICS_WIDE] for ext in ("csv", "parquet")]


def tables(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUT_FILES}


@pytest.fixture(scope="module", autouse=True)
def fixed_fingerprint():
    """The pipeline's fingerprint, taken once: the cache tests stay about the
    cache even while someone edits the code next to a running test."""
    with pytest.MonkeyPatch.context() as patch:
        fingerprint = runner.pipeline_fingerprint()
        patch.setattr(runner, "pipeline_fingerprint", lambda: fingerprint)
        yield


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """data/raw processed once in this process; the reference for the other runs."""
    out = tmp_path_factory.mktemp("first")
    return out, run([RAW], out, workers=1)


# ---------------------------------------------------------------- the samples

def test_the_samples_are_all_read_and_every_figure_is_its_source_slice(first_run):
    out, summary = first_run
    assert (summary.documents, summary.ok, summary.empty, summary.failed, summary.reused) == (5, 5, 0, 0, 0)
    import pandas as pd

    documents = pd.read_parquet(out / "documents.parquet")
    assert sorted(documents.doc_id) == SAMPLES
    figures = pd.read_parquet(out / "figures.parquet")
    assert len(figures) == summary.figures > 0
    assert set(figures.doc_id) <= set(SAMPLES)
    originals = {name: read_source(RAW / name, RAW).original for name in SAMPLES}
    for figure in figures.itertuples():
        assert originals[figure.doc_id][figure.start:figure.end] == figure.text
    entities = pd.read_parquet(out / "entities.parquet")
    for entity in entities.itertuples():
        assert originals[entity.doc_id][entity.start:entity.end] == entity.text
    counts = figures.groupby("doc_id").size()
    assert dict(zip(documents.doc_id, documents.n_figures)) == {name: counts.get(name, 0) for name in SAMPLES}


def test_two_workers_write_the_same_bytes_as_one(first_run, tmp_path):
    out, _ = first_run
    summary = run([RAW], tmp_path, workers=2)
    assert summary.reused == 0
    assert tables(tmp_path) == tables(out)


def test_a_rerun_reuses_every_unchanged_file_and_writes_the_same_tables(first_run):
    out, _ = first_run
    before = tables(out)
    again = run([RAW], out, workers=2)
    assert (again.documents, again.reused) == (5, 5)
    assert tables(out) == before


def test_a_changed_file_is_redone_and_force_redoes_all(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in SAMPLES[3:]:
        (inputs / name).write_bytes((RAW / name).read_bytes())
    out = tmp_path / "out"
    first = run([inputs], out, workers=1)
    changed = inputs / SAMPLES[3]
    changed.write_bytes(changed.read_bytes() + "\n另查处案件7件。\n".encode())
    second = run([inputs], out, workers=1)
    assert (second.documents, second.reused) == (2, 1)
    assert second.figures == first.figures + 1
    assert run([inputs], out, workers=1, force=True).reused == 0


def test_a_run_leaves_the_garbage_collector_as_it_found_it(tmp_path):
    threshold = gc.get_threshold()
    seen_during_run = []
    run([RAW / SAMPLES[4], RAW / SAMPLES[3]], tmp_path, workers=1,
        on_progress=lambda done, total: seen_during_run.append((gc.get_threshold()[0], gc.get_freeze_count() > 0)))
    assert seen_during_run[-1] == (executors.GC_YOUNG_THRESHOLD, True)
    assert (gc.get_threshold(), gc.get_freeze_count()) == (threshold, 0)


def test_a_new_pipeline_version_invalidates_the_cache(tmp_path, monkeypatch):
    sample = RAW / SAMPLES[4]
    assert run([sample], tmp_path, workers=1).reused == 0
    assert run([sample], tmp_path, workers=1).reused == 1
    monkeypatch.setattr(runner, "pipeline_fingerprint", lambda: "another version")
    assert run([sample], tmp_path, workers=1).reused == 0


def test_a_failing_stage_marks_its_document_and_the_batch_goes_on(tmp_path, monkeypatch):
    real_segment = pipeline.segment.segment

    def segment(doc):
        if doc.doc_id == SAMPLES[1]:
            raise ValueError("no sentences in sight")
        return real_segment(doc)

    monkeypatch.setattr(pipeline.segment, "segment", segment)
    summary = run([RAW], tmp_path, workers=1)
    assert (summary.ok, summary.failed) == (4, 1)
    import pandas as pd

    documents = pd.read_csv(tmp_path / "documents.csv", keep_default_na=False).set_index("doc_id")
    assert documents.loc[SAMPLES[1], "status"] == "error"
    assert documents.loc[SAMPLES[1], "error"] == "segment failed: ValueError: no sentences in sight"
    issues = pd.read_csv(tmp_path / "issues.csv", keep_default_na=False)
    failed = issues[issues.severity == "error"]
    assert failed[["doc_id", "stage", "message"]].values.tolist() == [
        [SAMPLES[1], "segment", "segment failed: ValueError: no sentences in sight"]]


def test_process_file_returns_the_grounded_document():
    doc = process_file(RAW / SAMPLES[0], RAW, get_backend("jieba"))
    assert doc.status == "ok" and doc.doc_id == SAMPLES[0]
    assert doc.figures and all(doc.original[f.start:f.end] == f.text for f in doc.figures)


# ---------------------------------------------------------------- discovery

def make(path: Path, text: str = "一") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def ids(inputs) -> list[str]:
    return [item.doc_id for item in inputs]


def test_folders_are_searched_recursively_in_order_without_hidden_files(tmp_path):
    make(tmp_path / "b.txt")
    make(tmp_path / "a" / "z.html")
    make(tmp_path / "a" / "y.md")
    make(tmp_path / ".DS_Store")
    make(tmp_path / ".git" / "config")
    make(tmp_path / "a" / ".gitkeep")
    assert ids(discover_inputs([tmp_path])) == ["b.txt", "a/y.md", "a/z.html"]


def test_files_are_named_by_their_name_and_missing_paths_get_a_reason(tmp_path):
    file = make(tmp_path / "sub" / "r.txt")
    inputs = discover_inputs([file, tmp_path / "nowhere.txt", str(tmp_path / "*.none")])
    assert ids(inputs) == ["r.txt", str(tmp_path / "nowhere.txt"), str(tmp_path / "*.none")]
    assert [item.missing for item in inputs] == ["", "no such file or directory", "no file matches this pattern"]


def test_globs_expand_recursively_relative_to_their_folder(tmp_path):
    make(tmp_path / "x" / "1.txt")
    make(tmp_path / "x" / "deep" / "2.txt")
    make(tmp_path / "x" / "deep" / "3.html")
    assert ids(discover_inputs([f"{tmp_path}/x/**/*.txt"])) == ["1.txt", "deep/2.txt"]


def test_the_same_name_under_two_roots_is_prefixed_and_a_file_is_taken_once(tmp_path):
    make(tmp_path / "2022" / "r.txt")
    make(tmp_path / "2023" / "r.txt")
    make(tmp_path / "2023" / "s.txt")
    inputs = discover_inputs([tmp_path / "2022", tmp_path / "2023", tmp_path / "2023" / "s.txt"])
    assert ids(inputs) == ["2022/r.txt", "2023/r.txt", "s.txt"]


def test_the_output_folder_is_not_read_as_input(tmp_path):
    make(tmp_path / "r.txt")
    make(tmp_path / "out" / "figures.csv")
    assert ids(discover_inputs([tmp_path], exclude=tmp_path / "out")) == ["r.txt"]


def test_an_unchanged_rerun_leaves_the_tables_alone_and_restores_a_damaged_one(first_run):
    out, first = first_run
    before = tables(out)
    stamps = {name: (out / name).stat().st_mtime_ns for name in OUTPUT_FILES}
    again = run([RAW], out, workers=1)
    assert (again.documents, again.figures, again.entities, again.reused) == (5, first.figures, first.entities, 5)
    assert {name: (out / name).stat().st_mtime_ns for name in OUTPUT_FILES} == stamps

    (out / "figures.csv").write_text("edited by hand", encoding="utf-8")
    (out / "issues.parquet").unlink()
    assert run([RAW], out, workers=1).reused == 5
    assert tables(out) == before
