"""The text a binary reader builds, and its tables as spans of that text.

A PDF, a Word document or a workbook has no one decoded text to point into,
so its reader writes one: paragraphs (or a PDF page's lines) one per line,
and each table row by row, its cells joined by tabs, a spanned-over position
an empty field (as a CSV export writes a merged cell). That text becomes the
document's `original`; every Cell is a span of it, so `text ==
original[start:end]` holds for a figure from a cell as for one from prose.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pipeline.readers.text import Unreadable
from schemas.table import Cell, Table

# CJK characters and punctuation, full-width forms: between two of them a
# space only pads (合　　计, a PDF's justified gaps, a cell's wrapped line).
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SPACE_RUN = re.compile(r"\s+")
_SPACES_IN_LINE = re.compile(r"[^\S\t\n]+")  # whitespace but tabs and line breaks
# A document's table cells at most: each Cell is a pydantic model (about 1 KB
# in memory), and a statistical table has hundreds, not a hundred thousand.
MAX_CELLS = 100_000
_CAPTION_MAX_CHARS = 60
_SENTENCE_END = ("。", "；", "，", "：", ".", ";", ",", ":")
# What a table states as a number: 1,234  -5.6  12.5%  (for files that store no numbers).
_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?%?")


def fold_cell(text: str) -> str:
    """A cell's text on one line: its wrapped lines joined, no space between
    CJK characters (padding: 合　　计), other runs of whitespace one space,
    none at either end."""
    if text.isprintable() and " " not in text:  # no whitespace at all: most cells
        return text
    return _SPACE_RUN.sub(" ", _SPACE_BETWEEN_CJK.sub("", text)).strip()


@dataclass
class CellDraft:
    """A cell as a reader finds it, before it has a place in the text."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    value: float | None = None
    is_header: bool = False
    is_title: bool = False  # a title row's cell (the table's caption), set by the builder

    @property
    def states_number(self) -> bool:
        """A number stored as one (workbooks), or text that is only a number."""
        return self.value is not None or _NUMBER.fullmatch(self.text.strip()) is not None


class TextBuilder:
    """Appends lines and tables to one text, keeping the tables' cell spans."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self.tables: list[Table] = []
        self.n_cells = 0
        self._recent_short_lines: list[str] = []  # just above: a table's title and 单位 line

    @property
    def length(self) -> int:
        return self._length

    def text(self) -> str:
        return "".join(self._parts)

    def _append(self, text: str) -> int:
        """Append text; return where it starts."""
        start = self._length
        self._parts.append(text)
        self._length += len(text)
        return start

    def line(self, text: str) -> None:
        """A paragraph or a line of a page: each of its lines but blank ones,
        runs of spaces one space (tabs kept: a layout made with tabs stays one)."""
        for line in text.split("\n"):
            line = _SPACES_IN_LINE.sub(" ", line).strip(" \t")
            if not line.strip():
                continue
            self._append(line + "\n")
            is_short = len(line) <= _CAPTION_MAX_CHARS and not line.endswith(_SENTENCE_END)
            self._recent_short_lines = (self._recent_short_lines + [line])[-2:] if is_short else []

    def table(self, drafts: list[CellDraft], n_rows: int, n_cols: int, source: str,
              sheet: str = "", page: int | None = None) -> None:
        """Write the cells (their text folded: fold_cell) row by row and record
        the table, unless no cell has text. Its caption: the short lines just
        above it (up to two: 表一 …统计表, 单位：件) and the title rows at its top.

        Rows and columns before the first with a cell write nothing (a sheet's
        grid starts at A1 however far down its data begins)."""
        drafts = [draft for draft in drafts if draft.row < n_rows and draft.col < n_cols]
        self.n_cells += len(drafts)
        check_cell_count(self.n_cells, source.upper())
        for draft in drafts:
            draft.text = fold_cell(draft.text)
        if not any(draft.text for draft in drafts):
            return
        caption = " ".join([*self._recent_short_lines, *_title_rows(drafts)])
        self._recent_short_lines = []
        _mark_header_rows(drafts)
        by_row: dict[int, list[CellDraft]] = {}
        for draft in drafts:
            by_row.setdefault(draft.row, []).append(draft)
        first_row = min(by_row)
        first_col = min(draft.col for draft in drafts)
        cells: list[Cell] = []
        start = self._length
        for row in range(first_row, n_rows):
            column = first_col
            for draft in sorted(by_row.get(row, []), key=lambda d: d.col):
                if column < draft.col:
                    self._append("\t" * (draft.col - column))
                cell_start = self._append(draft.text)
                cells.append(Cell(
                    row=draft.row, col=draft.col, rowspan=draft.rowspan, colspan=draft.colspan,
                    text=draft.text, start=cell_start, end=cell_start + len(draft.text),
                    value=draft.value, is_header=draft.is_header))
                column = draft.col
            self._append("\n")
        table = Table(index=len(self.tables) + 1, n_rows=n_rows, n_cols=n_cols, cells=cells, caption=caption,
                      start=start, end=self._length, sheet=sheet, page=page, source=source)
        self.tables.append(table)


def _title_rows(drafts: list[CellDraft]) -> list[str]:
    """The texts of the rows at the top that hold one cell only, above rows
    that hold more: a table's title and its 单位：… line, written inside the
    grid as workbooks and some Word tables do."""
    texts_by_row: dict[int, list[CellDraft]] = {}
    for draft in drafts:
        if draft.text:
            texts_by_row.setdefault(draft.row, []).append(draft)
    titles: list[CellDraft] = []
    for row in sorted(texts_by_row):
        if len(texts_by_row[row]) > 1:
            break
        titles.append(texts_by_row[row][0])
    else:
        return []  # every row holds one cell: a list, not a titled table
    for title in titles:
        title.is_title = True
    return [title.text for title in titles]


def _mark_header_rows(drafts: list[CellDraft]) -> None:
    """Unless the file marked its header rows, take the rows above the first
    that states a number (a count, an amount, a rate), below the title, as
    the header."""
    if any(draft.is_header for draft in drafts):
        return
    numeric_rows = [draft.row for draft in drafts if not draft.is_title and draft.states_number]
    if not numeric_rows:
        return
    first_numeric = min(numeric_rows)
    for draft in drafts:
        if draft.row < first_numeric and draft.text and not draft.is_title:
            draft.is_header = True


def check_cell_count(n_cells: int, kind: str) -> None:
    if n_cells > MAX_CELLS:
        raise Unreadable("error", f"{kind} file with {n_cells:,} table cells or more, over the limit of "
                         f"{MAX_CELLS:,} (a list of records rather than a statistical table?)")


@contextmanager
def failures_named(kind: str) -> Iterator[None]:
    """Whatever a reader's library raises on a file it cannot read becomes an
    Unreadable that names the file's kind: one bad file costs that file only."""
    try:
        yield
    except Unreadable:
        raise
    except Exception as exc:  # each library (zipfile, zlib, lxml, pdfminer …) raises kinds of its own
        raise Unreadable("error", f"cannot read the {kind} file (damaged, or made in a way its reader does not "
                         f"know): {type(exc).__name__}: {exc}") from None
