"""Tables that survive only as text: the rows scrapers make of an HTML table
(cells joined by ` | `, a spanned cell left empty: `||`), text pasted from a
spreadsheet (cells joined by tabs), and columns aligned by runs of spaces
(PDF text, plain-text reports).

A table is a run of such lines: header rows (no numbers) over value rows of
one width (numbers, after at most a couple of leading label cells). Every
cell is a span of the text searched, so a figure read from it is grounded
like any other. Spanned header cells are rebuilt from the empty cells the
flattening left: an empty cell to the right of a header continues it (a
colspan) unless the header above it differs, one below a header continues
that header down (a rowspan). Some scrapers instead pack each header row to
the left and put the empties at its end; a header layout that can be rebuilt
from that unambiguously (one group header over the row below it) is, any
other gives no table, since headers placed in the wrong column would give
every number the wrong meaning.

Searching is one regex pass for the lines that may be rows (a `|`, a tab or
a run of spaces); everything else is skipped at C speed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.numbers import EMPTY_CELL, NUMERIC_CELL
from schemas.table import Cell, Table

# lines that may be table rows: a pipe, a tab, or two spaces between non-spaces
_CANDIDATE = re.compile(r"^[^\n]*(?:\||\t|\S(?: {2,}|\u3000+)\S)[^\n]*$", re.MULTILINE)
_BLANK = re.compile(r"[ \t\u3000\xa0]*\n")
_SPACE_RUN = re.compile(r"(?: {2,}|\u3000+|[ \u3000]*\t[ \u3000]*)")
_EDGE = " \t\u3000\xa0\r"
_MAX_LABELS = 2  # leading label cells a value row may have (类别 | 项目 | numbers …)
_CAPTION_LINES = 3
_UNIT_DECLARED = re.compile(r"单位\s*[：:]")
_MAX_CAPTION_CHARS = 60


@dataclass
class _Row:
    start: int  # line span in the text
    end: int
    kind: str  # pipe, tab, space
    cells: list[tuple[int, int]]  # each cell's span, whitespace trimmed
    texts: list[str]

    def is_numeric(self, i: int) -> bool:
        return bool(NUMERIC_CELL.fullmatch(self.texts[i]))

    def labels(self) -> int | None:
        """How many leading label cells a value row has; None when not a value row."""
        n_labels, seen_number = 0, False
        for i, text in enumerate(self.texts):
            if self.is_numeric(i):
                seen_number = True
            elif not EMPTY_CELL.fullmatch(text):
                if seen_number or i >= _MAX_LABELS:
                    return None
                n_labels = i + 1
        return n_labels if seen_number else None


def find_tables(text: str) -> list[Table]:
    """The flattened tables in a text, cells as spans of it (index from 1)."""
    tables: list[Table] = []
    for block in _blocks(text):
        tables.extend(_tables_in(text, block))
    for index, table in enumerate(tables, start=1):
        table.index = index
    return tables


def _blocks(text: str) -> list[list[_Row]]:
    """Runs of row lines of one kind; blank lines may stand between rows."""
    blocks: list[list[_Row]] = []
    current: list[_Row] = []
    for match in _CANDIDATE.finditer(text):
        row = _split(text, match.start(), match.end())
        if row is None:
            continue
        if current and (row.kind != current[-1].kind or not _only_blank(text, current[-1].end, row.start)):
            blocks.append(current)
            current = []
        current.append(row)
    if current:
        blocks.append(current)
    return [block for block in blocks if len(block) >= 2]


def _only_blank(text: str, end: int, start: int) -> bool:
    position = end + 1  # past the line's own \n
    while position < start:
        blank = _BLANK.match(text, position)
        if not blank:
            return False
        position = blank.end()
    return True


def _split(text: str, start: int, end: int) -> _Row | None:
    line = text[start:end]
    if "|" in line:
        kind = "pipe"
        bounds = [-1, *(i for i, char in enumerate(line) if char == "|"), len(line)]
        pieces = [(bounds[i] + 1, bounds[i + 1]) for i in range(len(bounds) - 1)]
        # the outer borders: "| a | b |" and "a | b |"
        if pieces and not line[pieces[0][0]:pieces[0][1]].strip(_EDGE):
            pieces = pieces[1:]
        if pieces and not line[pieces[-1][0]:pieces[-1][1]].strip(_EDGE):
            pieces = pieces[:-1]
    else:
        kind = "tab" if "\t" in line else "space"
        separator = re.compile("\t") if kind == "tab" else _SPACE_RUN
        lead = len(line) - len(line.lstrip(_EDGE))
        pieces, position = [], lead
        for gap in separator.finditer(line, lead):
            pieces.append((position, gap.start()))
            position = gap.end()
        pieces.append((position, len(line)))
        while len(pieces) > 1 and not line[pieces[-1][0]:pieces[-1][1]].strip(_EDGE):
            pieces.pop()  # a spreadsheet's trailing empty cells
    if len(pieces) < 2:
        return None
    cells, texts = [], []
    for piece_start, piece_end in pieces:
        piece = line[piece_start:piece_end]
        lead = len(piece) - len(piece.lstrip(_EDGE))
        stripped = piece.strip(_EDGE)
        cell_start = start + piece_start + lead
        cells.append((cell_start, cell_start + len(stripped)))
        texts.append(stripped)
    return _Row(start, end, kind, cells, texts)


def _tables_in(text: str, rows: list[_Row]) -> list[Table]:
    """Header rows over value rows of one width, as many times as the block has them."""
    tables: list[Table] = []
    i = 0
    while i < len(rows):
        headers: list[_Row] = []
        while i < len(rows) and rows[i].labels() is None:
            headers.append(rows[i])
            i += 1
        values: list[_Row] = []
        width = len(rows[i].cells) if i < len(rows) else 0
        while i < len(rows) and rows[i].labels() is not None and len(rows[i].cells) == width:
            values.append(rows[i])
            i += 1
        headers = [row for row in headers if len(row.cells) <= width]  # a wider row is not a header of these
        minimum = 1 if headers else 2
        if len(values) >= minimum and width >= 2 and (headers or values[0].kind != "space" or len(values) >= 3):
            table = _build(text, headers, values, width)
            if table is not None:
                tables.append(table)
    return tables


def _build(text: str, headers: list[_Row], values: list[_Row], width: int) -> Table | None:
    n_labels = max(row.labels() or 0 for row in values)
    placed = _place_headers(headers, width, n_labels)
    if placed is None:
        return None
    cells = placed
    for offset, row in enumerate(values):
        r = len(headers) + offset
        for c, (start, end) in enumerate(row.cells):
            cells.append(Cell(row=r, col=c, text=row.texts[c], start=start, end=end, is_header=c < n_labels))
    first = headers[0] if headers else values[0]
    return Table(
        index=0, n_rows=len(headers) + len(values), n_cols=width, cells=cells,
        caption=caption_before(text, first.start), start=first.start, end=values[-1].end, source="text",
    )


def _place_headers(headers: list[_Row], width: int, n_labels: int) -> list[Cell] | None:
    """Header cells with their spans rebuilt (see the module's docstring)."""
    grid = [row.texts + [""] * (width - len(row.texts)) for row in headers]
    spans = [row.cells + [(row.end, row.end)] * (width - len(row.cells)) for row in headers]
    covered = all(any(grid[r][c] for r in range(len(grid))) for c in range(n_labels, width))
    if covered or not headers:
        return _aligned_headers(grid, spans, width)
    if len(headers) == 2:
        return _one_group_headers(headers, width, n_labels)
    return None


def _aligned_headers(grid: list[list[str]], spans, width: int) -> list[Cell]:
    owner: list[list[Cell | None]] = [[None] * width for _ in grid]
    cells: list[Cell] = []
    for r, texts in enumerate(grid):
        for c, cell_text in enumerate(texts):
            above = owner[r - 1][c] if r else None
            if cell_text:
                cell = Cell(row=r, col=c, text=cell_text, start=spans[r][c][0], end=spans[r][c][1], is_header=True)
                cells.append(cell)
                owner[r][c] = cell
                continue
            left = owner[r][c - 1] if c else None
            above_left = owner[r - 1][c - 1] if r and c else None
            if left is not None and left.row == r and above is above_left:
                left.colspan += 1  # the header to the left continues
                owner[r][c] = left
            elif above is not None:
                above.rowspan = r - above.row + 1  # the header above continues down
                owner[r][c] = above
    return cells


def _one_group_headers(headers: list[_Row], width: int, n_labels: int) -> list[Cell] | None:
    """Two left-packed header rows: the upper row's cells are leaves but one,
    the group over all of the lower row's cells; the label columns' headers
    come first. Only when the widths add up."""
    upper = [(text, span) for text, span in zip(headers[0].texts, headers[0].cells) if text]
    lower = [(text, span) for text, span in zip(headers[1].texts, headers[1].cells) if text]
    group = min(n_labels, len(upper) - 1)
    if not lower or len(upper) - 1 + len(lower) != width or len(upper) <= group:
        return None
    cells: list[Cell] = []
    col = 0
    for i, (cell_text, (start, end)) in enumerate(upper):
        if i == group:
            cells.append(Cell(row=0, col=col, colspan=len(lower), text=cell_text, start=start, end=end, is_header=True))
            for j, (lower_text, (lower_start, lower_end)) in enumerate(lower):
                cells.append(Cell(row=1, col=col + j, text=lower_text, start=lower_start, end=lower_end, is_header=True))
            col += len(lower)
        else:
            cells.append(Cell(row=0, col=col, rowspan=2, text=cell_text, start=start, end=end, is_header=True))
            col += 1
    return cells


def caption_before(text: str, start: int) -> str:
    """The title lines right above a table (表一 …统计表, 单位：件): up to three
    short lines without a full stop, nearest last; or the sentence right
    above when it declares the unit (按处罚种类统计如下（单位：件）：)."""
    lines: list[str] = []
    end = start
    while len(lines) < _CAPTION_LINES and end > 0:
        line_start = text.rfind("\n", 0, end - 1) + 1
        line = text[line_start:end].strip()
        end = line_start
        if not line:
            continue
        if len(line) > _MAX_CAPTION_CHARS or "。" in line or "|" in line or "\t" in line:
            if not lines and _UNIT_DECLARED.search(line):
                lines.append(line)
            break
        lines.append(line)
    return " ".join(reversed(lines))
