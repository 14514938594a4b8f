"""zhfig for notebooks: run reports (files or strings) and get the tables as pandas DataFrames.

    import zhfig
    tables = zhfig.run_paths("data/raw")          # or zhfig.run_texts({"a.txt": "…"})
    tables.figures, tables.panel, zhfig.metrics()

The command line (`zhfig run`, `zhfig review` …) is the same library behind typer.
"""
from pipeline.api import Tables, load, metrics, run_paths, run_texts

__all__ = ["Tables", "load", "metrics", "run_paths", "run_texts"]
