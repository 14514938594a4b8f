"""The command line: `zhfig run`, `zhfig extract`, `zhfig review`, `zhfig metrics`, `zhfig schema`.

Exit status: 0 when every document was read (ok or empty), 1 when any
failed, 2 for a usage error (a bad option, an NER backend that cannot be
used), 3 when another run is writing into the same --out. Bad input never shows a traceback; `zhfig --verbose` logs them.
"""
from __future__ import annotations

import enum
import inspect
import json
import logging
import sys
import types
import typing
from pathlib import Path
from typing import Literal, Optional

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Column, Table

from extractors.ner import BACKENDS
from extractors.ner.base import NerUnavailable
from pipeline.executors import EXECUTORS
from pipeline.read import DEFAULT_MAX_BYTES
from pipeline.rows import RECORD_TABLES

MB = 1024 * 1024

app = typer.Typer(
    help="zhfig: figures from Chinese government enforcement reports, as tables.\n\n"
         "Example: `zhfig run data/raw --out data/out`, then open data/out/figures.csv.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    rich_markup_mode="markdown",
)
stdout = Console()
stderr = Console(stderr=True)

# choices as enums: typer turns them into a checked list shown in --help
NerName = enum.Enum("NerName", {name: name for name in BACKENDS}, type=str)
TableName = enum.Enum("TableName", {name: name for name in RECORD_TABLES}, type=str)
ExecutorName = enum.Enum("ExecutorName", {name: name for name in EXECUTORS}, type=str)

NER_OPTION = typer.Option(NerName.jieba.value, "--ner",
                          help="Named-entity backend (hanlp and lac need their extras installed).")
HANLP_MODEL_OPTION = typer.Option(None, "--hanlp-model", file_okay=False,
                                  help="Folder of a local HanLP model (nothing is downloaded).")


def _fail(message: str, status: int) -> typer.Exit:
    stderr.print(f"[bold red]zhfig: error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(status)


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v",
                                      help="Log details, including the traceback of a failed document.")) -> None:
    handler = logging.StreamHandler()
    handler.setLevel(logging.DEBUG if verbose else logging.WARNING)  # libraries' chatter only when asked
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, handlers=[handler])


def _positive(value: float) -> float:
    if value <= 0:
        raise typer.BadParameter("must be more than 0")
    return value


@app.command()
def run(
    paths: list[str] = typer.Argument(None, metavar="PATH...", show_default="data/raw",
                                      help="Files, folders (searched recursively) or globs."),
    out: Path = typer.Option(Path("data/out"), "--out", "-o", file_okay=False,
                             help="Folder for the tables (created if needed)."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, show_default="number of cores",
                                          help="Processes working in parallel."),
    force: bool = typer.Option(False, "--force", help="Redo every document, ignoring earlier results."),
    ner: NerName = NER_OPTION,
    hanlp_model: Optional[Path] = HANLP_MODEL_OPTION,
    max_size: float = typer.Option(DEFAULT_MAX_BYTES / MB, "--max-size", callback=_positive,
                                   help="Skip (status error) files larger than this many MB."),
    executor: ExecutorName = typer.Option(ExecutorName.local.value, "--executor",
                                          help="local: worker processes here; dask: a Dask cluster "
                                               "(needs the dask extra). The tables are the same."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", metavar="ADDRESS",
                                            help="The Dask scheduler (tcp://host:8786); without it, "
                                                 "--executor dask starts a LocalCluster of --workers processes."),
    dataset: bool = typer.Option(False, "--dataset",
                                 help="Write each table as a folder of Parquet parts (figures/part-00000.parquet …) "
                                      "instead of one CSV and one Parquet file: for corpora too big for single files."),
    database: bool = typer.Option(False, "--duckdb", help="Also write every table into OUT/zhfig.duckdb."),
) -> None:
    """Turn reports into tables: documents, figures, entities, issues, metrics_wide, panel (CSV and Parquet).

    Every input file gets one row in documents.csv, whatever happens to it.
    A re-run into the same --out reuses the results of unchanged files and
    removes what a killed run left; while one run writes into an --out,
    another into it stops at once (exit status 3). The summary line goes
    to stdout; exit status 1 when any document failed.

    Examples:

    ```
    zhfig run                       # data/raw -> data/out
    zhfig run reports/ 'more/**/*.html' --out tables --workers 4
    zhfig run s3://bucket/reports/ --out panel --executor dask --scheduler tcp://head:8786 --dataset
    zhfig run reports/ --out tables --duckdb   # then: duckdb tables/zhfig.duckdb "select * from panel"
    ```
    """
    from pipeline.executors import ExecutorUnavailable
    from pipeline.outdir import OutputFolderBusy
    from pipeline.runner import RunOptions, run as run_batch  # the heavy imports, only when running
    from pipeline.sources import SourceUnavailable

    if scheduler and executor != ExecutorName.dask:
        raise _fail("--scheduler needs --executor dask", 2)

    options = RunOptions(ner=ner.value, hanlp_model=hanlp_model, max_bytes=int(max_size * MB))
    with _progress() as progress:
        task = progress.add_task("zhfig run", total=None)
        try:
            summary = run_batch(paths or ["data/raw"], out, options=options, workers=workers, force=force,
                                on_progress=lambda done, total: progress.update(task, completed=done, total=total,
                                                                                refresh=True),
                                executor=executor.value, scheduler=scheduler, dataset=dataset)
        except (NerUnavailable, ExecutorUnavailable, SourceUnavailable) as exc:
            raise _fail(str(exc), 2) from None
        except OutputFolderBusy as exc:
            raise _fail(str(exc), 3) from None
        except OSError as exc:  # the output folder cannot be written
            raise _fail(f"cannot write the tables to {out}: {exc.strerror or exc}", 1) from None
    print(summary.line())
    if database:
        from pipeline.writers.duckdb import write_database

        print(f"database: {write_database(out)}")
    if not summary.documents:
        stderr.print(f"zhfig: no files found in {' '.join(paths or ['data/raw'])}", highlight=False, soft_wrap=True)
    if summary.failed:
        raise typer.Exit(1)


def _progress() -> Progress:
    """A progress bar on a terminal; nothing when stderr is a file or a pipe.
    It is redrawn as documents finish, not by a thread of its own: worker
    processes are forked, and forking a process with threads risks deadlocks."""
    return Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=stderr, transient=True, auto_refresh=False,
        disable=not sys.stderr.isatty(),
    )


@app.command()
def extract(
    file: Path = typer.Argument(..., help="One report (.txt, .md, .html) in any encoding; tables in it are read cell by cell.", dir_okay=False),
    as_json: bool = typer.Option(False, "--json", help="One JSON object, for machines: the report's row of "
                                 "documents, then its lists of figures, entities and issues (empty lists when "
                                 "there are none), columns as in the tables."),
    entities: bool = typer.Option(False, "--entities", help="Show the named entities instead of the figures."),
    ner: NerName = NER_OPTION,
    hanlp_model: Optional[Path] = HANLP_MODEL_OPTION,
) -> None:
    """Show the figures (or entities) of one report, without writing any table.

    Examples:

    ```
    zhfig extract data/raw/000_29a50878a8927d2e.txt
    zhfig extract report.html --json | jq '.figures[].value'
    ```
    """
    from extractors.ner import get_backend
    from pipeline.runner import process_file

    try:
        backend = get_backend(ner.value, hanlp_model)
    except NerUnavailable as exc:
        raise _fail(str(exc), 2) from None
    doc = process_file(file, None, backend)
    if doc.status == "error":
        raise _fail(f"{file}: {doc.error}", 1)
    if as_json:
        from pipeline.rows import DocumentRows

        print(json.dumps(DocumentRows.from_document(doc).as_dict(), ensure_ascii=False))
        return
    records = doc.entities if entities else doc.figures
    facts = doc.facts
    stdout.print(f"[bold]{facts.title or doc.doc_id}[/]", highlight=False)
    stdout.print(" · ".join(str(part) for part in (facts.agency, facts.report_year, facts.report_type,
                                                 facts.publish_date, doc.encoding, doc.format) if part),
                 highlight=False)
    if doc.status == "empty":
        stdout.print(f"(empty: {doc.error})")
        return
    stdout.print(_entity_table(doc.entities) if entities else _figure_table(doc.figures))
    stdout.print(f"{len(records)} {'entities' if entities else 'figures'}", highlight=False)


def _snippet(sentence: str, text: str, width: int = 30) -> str:
    """The part of the sentence around `text`, so the figure stays visible."""
    at = max(sentence.find(text), 0)
    start = max(0, min(at - width // 3, len(sentence) - width))
    piece = sentence[start:start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(sentence) else "")


def _number(value: float) -> str:
    return f"{value:,.0f}" if value.is_integer() else f"{value:,}"


def _figure_table(figures) -> Table:
    # on a narrow terminal the figure's own columns keep their width; subject and sentence give way.
    # A table cell shows its header path as subject and its place instead of a sentence.
    table = Table(Column("text", min_width=8), Column("value", justify="right", min_width=6),
                  Column("unit", min_width=4), "metric",
                  Column("subject", max_width=28, no_wrap=True, overflow="ellipsis"),
                  Column("sentence / cell", min_width=12), header_style="bold")
    for figure in figures:
        table.add_row(figure.text, _number(figure.value), figure.unit, figure.metric, figure.subject,
                      figure.cell or _snippet(figure.sentence, figure.text))
    return table


def _entity_table(entities) -> Table:
    table = Table(Column("text", min_width=8), Column("label", min_width=5), Column("backend", min_width=7),
                  "sentence", header_style="bold")
    for entity in entities:
        table.add_row(entity.text, entity.label, entity.backend, _snippet(entity.sentence, entity.text))
    return table


@app.command()
def review(
    out: Path = typer.Argument(Path("data/out"), file_okay=False, help="The output folder of a `zhfig run`."),
    entities: bool = typer.Option(True, "--entities/--no-entities", help="Mark the named entities (underlined on request)."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, show_default="number of cores",
                                          help="Processes writing pages in parallel."),
) -> None:
    """Write pages to check every figure in its text: OUT/review/index.html.

    One page per document: the text with each figure highlighted (colour by
    metric family), its details on hover or click, the figures as a table to
    sort and filter, the warnings beside them. Static files: open them from
    disk, no server or network needed. The source files are read again from
    documents.path (run it from the folder `zhfig run` ran in).

    Example:

    ```
    zhfig run data/raw --out data/out && zhfig review data/out
    ```
    """
    from pipeline.writers.review import write_review

    try:
        summary = write_review(out, entities=entities, workers=workers)
    except FileNotFoundError as exc:
        raise _fail(str(exc), 1) from None
    print(summary.line())


@app.command()
def metrics(
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line, for machines."),
) -> None:
    """The metric catalog: id, Chinese name, unit kind, parent, wordings.

    The ids are figures.metric's values; the catalog is extractors/data/metrics.toml.

    Examples:

    ```
    zhfig metrics
    zhfig metrics --json | jq -r .id
    ```
    """
    from pipeline.catalog import metric_rows

    rows = metric_rows()
    if as_json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return
    table = Table("id", "name", "kind", "parent", Column("wordings", overflow="fold"), header_style="bold")
    for row in rows:
        table.add_row(row["id"], row["name"], row["kind"], row["parent"], " · ".join(row["wordings"]))
    stdout.print(table)
    stdout.print(f"{len(rows)} metrics", highlight=False)


@app.command()
def schema(
    table: Optional[TableName] = typer.Argument(None, help="One table; all of them when left out."),
    markdown: bool = typer.Option(False, "--markdown", help="The codebook: every column with type, meaning, example."),
) -> None:
    """The output tables' columns: JSON Schema (from the pydantic models), or the codebook.

    Examples:

    ```
    zhfig schema figures
    zhfig schema --markdown > codebook.md
    ```
    """
    names = [table.value] if table else list(RECORD_TABLES)
    if markdown:
        print(codebook(names), end="")
    elif table:
        print(json.dumps(RECORD_TABLES[table.value].model_json_schema(), ensure_ascii=False, indent=2))
    else:
        print(json.dumps({name: RECORD_TABLES[name].model_json_schema() for name in names}, ensure_ascii=False,
                         indent=2))


# ---------------------------------------------------------------- the codebook

CODEBOOK_INTRO = """\
Every table is written twice into the output folder: `<table>.csv` (UTF-8
without a byte-order mark, quoted where a value holds a comma, a quote or a
line break; in Excel open it with Data → From Text/CSV and choose UTF-8) and
`<table>.parquet` (typed columns). Offsets (`start`, `end`) count characters
of the original decoded file: `text == original[start:end]`.
"""

METRICS_WIDE_CODEBOOK = """\
### metrics_wide

One row per document: `doc_id`, then one column per metric id of the catalog
(`extractors/data/metrics.toml`, in catalog order, e.g. `penalty.total`). A
cell holds the document's figure for that metric (`figures.value`): the first
in text order that is a level (`kind` level) about the whole document (no `org`) and about the
report's year; it is empty when the report states none.
"""


def _type_name(annotation) -> str:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        (inner,) = [arg for arg in args if arg is not type(None)]
        return f"{_type_name(inner)} or empty"
    if typing.get_origin(annotation) is Literal:
        return "text: " + ", ".join(f"`{arg}`" if arg else "''" for arg in args)
    return {str: "text", int: "integer", float: "number", bool: "true/false"}[annotation]


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table_codebook(name: str, model: type[BaseModel]) -> str:
    description = " ".join(inspect.cleandoc(model.__doc__ or "").split())
    lines = [f"### {name}", "", description, "", "| column | type | meaning | example |", "|---|---|---|---|"]
    for column, field in model.model_fields.items():
        example = field.examples[0] if field.examples else ""
        lines.append(f"| `{column}` | {_type_name(field.annotation)} | {_cell(field.description or '')} "
                     f"| {_cell(example)} |")
    return "\n".join(lines) + "\n"


def codebook(names: list[str] | None = None) -> str:
    """The markdown codebook of the tables (README.md includes all of it)."""
    names = names or list(RECORD_TABLES)
    whole = len(names) == len(RECORD_TABLES)
    parts = [CODEBOOK_INTRO] if whole else []
    parts += [_table_codebook(name, RECORD_TABLES[name]) for name in names]
    if whole:
        parts.append(METRICS_WIDE_CODEBOOK)
    return "\n".join(parts)
