"""The notebook entry point: run the pipeline on files or on strings and get
the tables as pandas DataFrames.

    import zhfig
    tables = zhfig.run_texts({"report.txt": "2023年，共办理行政处罚案件46件。"})
    tables.figures[["text", "value", "metric"]]

The same runner as `zhfig run` does the work (same tables, same panel), into
a temporary folder unless `out` is given.
"""
from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pandas as pd

from pipeline.rows import METRICS_WIDE, PANEL, TABLES
from pipeline.runner import RunOptions, RunSummary, run


@dataclass
class Tables:
    """The tables of one run, as DataFrames (columns: the codebook's)."""

    documents: pd.DataFrame
    figures: pd.DataFrame
    entities: pd.DataFrame
    issues: pd.DataFrame
    metrics_wide: pd.DataFrame
    panel: pd.DataFrame
    summary: RunSummary | None = None


_NAMES = [*TABLES, METRICS_WIDE, PANEL]  # Tables' fields, each read from its Parquet file


def load(out: str | Path) -> Tables:
    """The tables of an output folder that `zhfig run` wrote."""
    out = Path(out)
    return Tables(**{name: pd.read_parquet(out / f"{name}.parquet") for name in _NAMES})


def run_paths(paths: str | Path | Sequence[str | Path], out: str | Path | None = None, *,
              ner: str = "jieba", workers: int | None = 1, force: bool = False) -> Tables:
    """Process files, folders (recursive) or globs, as `zhfig run` does, and
    return the tables. Without `out` the tables go to a temporary folder
    that is removed afterwards (and nothing is reused between calls)."""
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if out is not None:
        summary = run(paths, Path(out), options=RunOptions(ner=ner), workers=workers, force=force)
        return _with_summary(load(out), summary)
    with tempfile.TemporaryDirectory(prefix="zhfig-") as folder:
        summary = run(paths, Path(folder), options=RunOptions(ner=ner), workers=workers, force=force)
        return _with_summary(load(folder), summary)


def run_texts(texts: Mapping[str, str] | Sequence[str], *, ner: str = "jieba", workers: int | None = 1) -> Tables:
    """Process reports given as strings: a mapping name -> text (the name is
    the doc_id; a name ending in .html is read as a web page), or a list of
    texts (named text-1, text-2, …). Each is written as a UTF-8 file to a
    temporary folder and run like any file."""
    if not isinstance(texts, Mapping):
        texts = {f"text-{i}": text for i, text in enumerate(texts, 1)}
    with tempfile.TemporaryDirectory(prefix="zhfig-texts-") as folder:
        for name, text in texts.items():
            relative = PurePosixPath(name)
            if relative.is_absolute() or ".." in relative.parts or not relative.parts:
                raise ValueError(f"a text's name must be a relative file name, not {name!r}")
            path = Path(folder, "in", *relative.parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return run_paths(Path(folder, "in"), Path(folder, "out"), ner=ner, workers=workers)


def _with_summary(tables: Tables, summary: RunSummary) -> Tables:
    tables.summary = summary
    return tables


def metrics() -> pd.DataFrame:
    """The metric catalog: id, name, kind, parent, family, wordings."""
    from pipeline.catalog import metric_rows

    return pd.DataFrame(metric_rows())
