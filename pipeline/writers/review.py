"""`zhfig review OUT`: static pages under OUT/review/ to check every number
against the text it came from.

    review/index.html, index-2.html …   the documents, a page of them at a time
    review/docs/<name>.html             one page per document: its text with every
                                        figure highlighted in place, its figures as
                                        a table, the warnings beside them
    review/assets/                      the stylesheet, the script, the document
                                        list for searching all pages (documents.js)

The pages are Jinja templates (templates/), self-contained: no network, they
work from file://. Every figure of figures.csv is exactly one element with
`data-figure-id` on its document's page.

The text comes from the source file itself: each document is read again
with `pipeline.read.read_source(documents.path)`, and used only when its
SHA-256 is still documents.sha256, so the offsets point into exactly the
text the run read. (Keeping a copy of every text in the output folder would
double its size and slow every run down for the sake of the review.) When a
file is gone or has changed, the page says so and shows each figure in its
sentence instead.
"""
from __future__ import annotations

import colorsys
import hashlib
import multiprocessing
import os
import re
import shutil
import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
import pyarrow.parquet as pq

from pipeline.catalog import metric_rows
from pipeline.outdir import publish_folder, temporary_path

REVIEW_FOLDER = "review"
PAGE_SIZE = 200  # documents per index page
TEMPLATES = Path(__file__).with_name("templates")
ASSETS = ["review.css", "review.js"]
FIGURE_COLUMNS = ["figure_id", "doc_id", "start", "end", "text", "value", "unit", "unit_kind", "approx", "qualifier",
                  "metric", "kind", "subject", "year", "section", "sentence", "parent_id", "org", "page", "cell",
                  "extractor"]
ENTITY_COLUMNS = ["doc_id", "start", "end", "label"]
BATCH_ROWS = 20_000


@dataclass
class ReviewSummary:
    folder: Path
    documents: int
    figures: int
    placed: int  # figures highlighted in their text (the others stand in their sentence)
    seconds: float

    def line(self) -> str:
        return (f"{self.documents} document pages, {self.figures} figures ({self.placed} in their text) "
                f"written to {self.folder} in {self.seconds:.1f} s; open {self.folder / 'index.html'}")


# ---------------------------------------------------------------- templates

def _number(value: float) -> str:
    """854045.0 -> 854045, 62.62 -> 62.62: as figures.csv's value reads, without the '.0'."""
    return str(int(value)) if value.is_integer() else str(value)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["number"] = _number
    return env


@lru_cache(maxsize=1)
def _catalog() -> tuple[dict[str, dict], list[str]]:
    """Metric id -> its catalog row; the families in catalog order."""
    rows = metric_rows()
    families = list(dict.fromkeys(row["family"] for row in rows))
    return {row["id"]: row for row in rows}, families


def _family_colours(families: list[str]) -> list[tuple[str, str]]:
    """A light background for each family, hues spread by the golden angle so neighbours differ."""
    colours = []
    for i, family in enumerate(families):
        r, g, b = colorsys.hls_to_rgb((i * 0.381966) % 1.0, 0.82, 0.75)
        colours.append((family, f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"))
    return colours


# ---------------------------------------------------------------- one document's page

@dataclass
class Job:
    document: dict
    figures: list[dict]
    entities: list[dict]
    issues: list[dict]
    page: str  # its file name under docs/


class Display:
    """The text a page shows (the visible text of a web page, else the original)
    and the way from original offsets into it."""

    def __init__(self, text: str, starts=None):
        self.text = text
        self._starts = starts  # for each shown character, where it starts in the original; None: the same

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        if self._starts is None:
            return (start, end) if 0 <= start < end <= len(self.text) else None
        first = bisect_left(self._starts, start)
        last = bisect_left(self._starts, end, lo=first)
        return (first, last) if first < last else None


def _source_text(document: dict) -> tuple[Display | None, list, str]:
    """The document's text as the run read it, its tables, or why it cannot be shown."""
    from pipeline.read import DEFAULT_MAX_BYTES, read_source

    if document["status"] != "ok":
        return None, [], ""
    path = Path(document["path"])
    if not path.is_file():
        return None, [], f"The source file {path} is no longer there (paths are relative to the folder zhfig review runs in)."
    # the run read the file already: whatever limit it had, it was under it
    source = read_source(path, max_bytes=max(path.stat().st_size, DEFAULT_MAX_BYTES))
    if source.sha256 != document["sha256"]:
        return None, [], f"The source file {path} has changed since the run: each figure is shown in its sentence."
    if source.text_map is None:
        return Display(source.original), source.tables, ""
    return Display(source.text, source.text_map.starts), source.tables, ""


def _pieces(text: str, lo: int, hi: int, marks: list[tuple[int, int, dict]],
            entities: list[tuple[int, int, str]]) -> list[dict]:
    """text[lo:hi] as runs for the template: a run is a figure's highlight (its
    figure) or plain text (figure None), each a list of (text, entity label)
    pieces, label '' outside entities. `marks` (sorted, not overlapping) and
    `entities` lie within [lo, hi)."""
    cuts = {lo, hi}
    for s, e, _ in (*marks, *entities):
        cuts.update((s, e))
    cuts = sorted(cuts)
    runs: list[dict] = []
    mark_at = entity_at = 0
    open_entities: list[tuple[int, int, str]] = []  # entities begun before the piece and not yet over
    for a, b in zip(cuts, cuts[1:]):
        while mark_at < len(marks) and marks[mark_at][1] <= a:
            mark_at += 1
        figure = marks[mark_at][2] if mark_at < len(marks) and marks[mark_at][0] <= a else None
        while entity_at < len(entities) and entities[entity_at][0] <= a:
            open_entities.append(entities[entity_at])
            entity_at += 1
        open_entities = [entity for entity in open_entities if entity[1] > a]
        label = next((lab for _, e, lab in open_entities if b <= e), "")
        if not runs or runs[-1]["figure"] is not figure:
            runs.append({"figure": figure, "pieces": [(text[a:b], label)]})
        elif runs[-1]["pieces"][-1][1] == label:
            runs[-1]["pieces"][-1] = (runs[-1]["pieces"][-1][0] + text[a:b], label)
        else:
            runs[-1]["pieces"].append((text[a:b], label))
    return runs


def _blocks(display: Display, tables: list, figures: list[dict], entities: list[dict]) -> tuple[list[dict], list[dict]]:
    """The page's text as blocks (prose runs, and tables with their cells' runs),
    and the figures that could not be placed in it."""
    placed: list[tuple[int, int, dict]] = []
    unplaced: list[dict] = []
    for figure in sorted(figures, key=lambda f: (f["start"], f["end"])):
        span = display.span(figure["start"], figure["end"])
        if span is None or (placed and span[0] < placed[-1][1]):  # outside the text, or overlapping another
            unplaced.append(figure)
        else:
            placed.append((*span, figure))
    shown_entities = sorted((*span, entity["label"]) for entity in entities
                            if (span := display.span(entity["start"], entity["end"])) is not None)

    def within(lo: int, hi: int, spans: list) -> list:
        return [span for span in spans if lo <= span[0] and span[1] <= hi]

    regions = []  # (lo, hi, table) in display offsets
    for table in tables:
        span = display.span(table.start, table.end)
        if span is not None and (not regions or span[0] >= regions[-1][1]):
            regions.append((*span, table))
    blocks, at = [], 0
    used: set[str] = set()
    for lo, hi, table in regions:
        if lo > at:
            blocks.append({"type": "text", "runs": _pieces(display.text, at, lo, within(at, lo, placed),
                                                          within(at, lo, shown_entities))})
        rows = []
        for row in range(table.n_rows):
            cells = []
            for cell in (c for c in table.cells if c.row == row):
                span = display.span(cell.start, cell.end) if cell.end > cell.start else None
                marks = within(*span, placed) if span else []
                used.update(mark[2]["figure_id"] for mark in marks)
                runs = (_pieces(display.text, *span, marks, within(*span, shown_entities)) if span
                        else [{"figure": None, "pieces": [(cell.text, "")]}])
                cells.append({"runs": runs, "rowspan": cell.rowspan, "colspan": cell.colspan,
                              "header": cell.is_header})
            rows.append(cells)
        blocks.append({"type": "table", "caption": table.caption, "rows": rows, "index": table.index})
        # a figure in the table's span but in no cell stands below it
        unplaced += [mark[2] for mark in within(lo, hi, placed) if mark[2]["figure_id"] not in used]
        at = hi
    if at < len(display.text) or not blocks:
        blocks.append({"type": "text", "runs": _pieces(display.text, at, len(display.text),
                                                      within(at, len(display.text), placed),
                                                      within(at, len(display.text), shown_entities))})
    return blocks, unplaced


def _in_sentence(figure: dict) -> list[dict]:
    """A figure that is not in the shown text: its sentence, the figure highlighted in it."""
    sentence, text = figure["sentence"], figure["text"]
    at = sentence.find(text)
    if at < 0:
        return [{"figure": None, "pieces": [(sentence + " ", "")]}, {"figure": figure, "pieces": [(text, "")]}]
    return [{"figure": None, "pieces": [(sentence[:at], "")]}, {"figure": figure, "pieces": [(text, "")]},
            {"figure": None, "pieces": [(sentence[at + len(text):], "")]}]


def _where(figure: dict) -> str:
    if figure["cell"]:
        return figure["cell"]
    return f"page {figure['page']}" if figure["page"] is not None else ""


def _figure_view(figure: dict, issues: list[str], catalog: dict[str, dict]) -> dict:
    metric = catalog.get(figure["metric"])
    return {**figure, "metric_name": metric["name"] if metric else "",
            "family": metric["family"] if metric else "", "where": _where(figure), "issues": issues}


def render_document(job: Job) -> tuple[str, int]:
    """The page of one document, and how many of its figures stand in its text."""
    return render_page(job, *_source_text(job.document))


def render_page(job: Job, display: Display | None, tables: list, notice: str) -> tuple[str, int]:
    """The page of one document shown over `display` (None: no text to show, see `notice`)."""
    catalog, _ = _catalog()
    issues_of: dict[str, list[str]] = defaultdict(list)
    for issue in job.issues:
        if issue["figure_id"]:
            issues_of[issue["figure_id"]].append(issue["message"])
    figures = [_figure_view(figure, issues_of.get(figure["figure_id"], []), catalog) for figure in job.figures]
    if display is None:
        blocks, unplaced = [], sorted(figures, key=lambda f: f["start"])
    else:
        blocks, unplaced = _blocks(display, tables, figures, job.entities)
    details = {figure["figure_id"]: {key: figure[key] for key in (
        "figure_id", "text", "value", "unit", "unit_kind", "approx", "qualifier", "metric", "metric_name", "kind",
        "subject", "year", "section", "parent_id", "org", "where", "extractor", "issues")} for figure in figures}
    html = _environment().get_template("document.html.j2").render(
        document=job.document, notice=notice, blocks=blocks,
        unplaced=[{"figure": figure, "runs": _in_sentence(figure)} for figure in unplaced],
        figures=sorted(figures, key=lambda f: f["start"]), details=details,
        document_issues=[issue for issue in job.issues if not issue["figure_id"]],
        metrics=sorted({(f["metric"], f["metric_name"]) for f in figures if f["metric"]}),
        families=sorted({f["family"] for f in figures if f["family"]}),
        has_entities=bool(job.entities),
    )
    return html, len(figures) - len(unplaced)


def _write_document(job: Job, folder: Path) -> int:
    html, placed = render_document(job)
    (folder / "docs" / job.page).write_text(html, encoding="utf-8")
    return placed


# ---------------------------------------------------------------- reading the tables

def _rows(path: Path, columns: list[str]) -> Iterator[dict]:
    for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS, columns=columns):
        yield from batch.to_pylist()


def _by_document(path: Path, columns: list[str]) -> Iterator[tuple[str, list[dict]]]:
    """(doc_id, its rows): the runner writes a document's rows together, in input order."""
    current, group = None, []
    for row in _rows(path, columns):
        if row["doc_id"] != current:
            if group:
                yield current, group
            current, group = row["doc_id"], []
        group.append(row)
    if group:
        yield current, group


def _page_name(doc_id: str) -> str:
    slug = re.sub(r"[^0-9A-Za-z._-]+", "_", doc_id)[-60:].strip("._") or "document"
    return f"{slug}-{hashlib.sha1(doc_id.encode()).hexdigest()[:8]}.html"


def _jobs(out: Path, documents: list[dict], entities: bool) -> Iterator[Job]:
    issues: dict[str, list[dict]] = defaultdict(list)
    for issue in _rows(out / "issues.parquet", ["doc_id", "severity", "stage", "message", "figure_id"]):
        issues[issue["doc_id"]].append(issue)
    figure_groups = _by_document(out / "figures.parquet", FIGURE_COLUMNS)
    entity_groups = _by_document(out / "entities.parquet", ENTITY_COLUMNS) if entities else iter(())
    next_figures, next_entities = next(figure_groups, None), next(entity_groups, None)
    for document in documents:
        doc_id = document["doc_id"]
        figures = entities_ = []
        if next_figures is not None and next_figures[0] == doc_id:
            figures, next_figures = next_figures[1], next(figure_groups, None)
        if next_entities is not None and next_entities[0] == doc_id:
            entities_, next_entities = next_entities[1], next(entity_groups, None)
        yield Job(document, figures, entities_, issues.get(doc_id, []), document["page"])
    if next_figures is not None:
        raise ValueError(f"figures.parquet has rows of {next_figures[0]!r} out of the documents' order")


# ---------------------------------------------------------------- the whole review

def _index_rows(documents: list[dict], issues_count: dict[str, int]) -> list[dict]:
    return [{"doc_id": d["doc_id"], "title": d["title"], "status": d["status"], "error": d["error"],
             "agency": d["agency"], "report_year": d["report_year"], "report_type": d["report_type"],
             "n_figures": d["n_figures"], "n_warnings": issues_count.get(d["doc_id"], 0),
             "href": f"docs/{d['page']}"} for d in documents]


def _write_index(folder: Path, rows: list[dict]) -> None:
    env = _environment()
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    names = ["index.html"] + [f"index-{n}.html" for n in range(2, pages + 1)]
    template = env.get_template("index.html.j2")
    totals = {"documents": len(rows), "figures": sum(r["n_figures"] for r in rows),
              "warnings": sum(r["n_warnings"] for r in rows),
              "failed": sum(r["status"] == "error" for r in rows)}
    for number, name in enumerate(names, 1):
        (folder / name).write_text(template.render(
            rows=rows[(number - 1) * PAGE_SIZE:number * PAGE_SIZE], page=number, pages=names,
            first=(number - 1) * PAGE_SIZE + 1, totals=totals), encoding="utf-8")
    (folder / "assets" / "documents.js").write_text(
        env.get_template("documents.js.j2").render(rows=rows), encoding="utf-8")


def _write_assets(folder: Path) -> None:
    (folder / "assets").mkdir()
    for name in ASSETS:
        shutil.copyfile(TEMPLATES / name, folder / "assets" / name)
    _, families = _catalog()
    (folder / "assets" / "families.css").write_text(
        _environment().get_template("families.css.j2").render(colours=_family_colours(families)), encoding="utf-8")


def _issue_counts(out: Path) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for issue in _rows(out / "issues.parquet", ["doc_id"]):
        counts[issue["doc_id"]] += 1
    return counts


def write_review(out: Path, *, entities: bool = True, workers: int | None = None) -> ReviewSummary:
    """The review pages of the tables in `out`, under out/review/."""
    started = time.perf_counter()
    out = Path(out)
    for name in ("documents", "figures", "entities", "issues"):
        if not (out / f"{name}.parquet").is_file():
            raise FileNotFoundError(f"{out / (name + '.parquet')} is missing: run `zhfig run --out {out}` first")
    documents = list(_rows(out / "documents.parquet", None))
    for document in documents:
        document["page"] = _page_name(document["doc_id"])
    temp = temporary_path(out / REVIEW_FOLDER)
    temp.mkdir()
    try:
        (temp / "docs").mkdir()
        _write_assets(temp)
        jobs = _jobs(out, documents, entities)
        workers = workers or os.cpu_count() or 1
        if workers == 1:
            placed = sum(_write_document(job, temp) for job in jobs)
        else:
            with multiprocessing.get_context("fork").Pool(workers, initializer=_environment) as pool:
                placed = sum(pool.imap(_WriteInto(temp), jobs, chunksize=8))
        _write_index(temp, _index_rows(documents, _issue_counts(out)))
        publish_folder(temp, out / REVIEW_FOLDER)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return ReviewSummary(out / REVIEW_FOLDER, len(documents), sum(d["n_figures"] for d in documents), placed,
                         time.perf_counter() - started)


@dataclass(frozen=True)
class _WriteInto:
    """_write_document bound to the folder, picklable for the worker pool."""

    folder: Path

    def __call__(self, job: Job) -> int:
        return _write_document(job, self.folder)
