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
the left and put the empties at its end; then which headers are groups over
which is rebuilt from the widths and from what the headers say (see
_packed_headers); when that cannot be done there is no table, since headers
placed in the wrong column would give every number the wrong meaning.

Searching is one regex pass for the lines that may be rows (a `|`, a tab or
a run of spaces); everything else is skipped at C speed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations
from math import comb

import opencc

from extractors.numbers import EMPTY_CELL, NUMERIC_CELL
from extractors.tables import is_title
from schemas.table import Cell, Table

# what marks a line that may be a table row: a pipe, a tab, or a run of spaces
# (a plain character class: a look-behind here makes the scan of every text 4x slower)
_ROW_MARK = re.compile(r"[|\t]| {2}|\u3000")
_BLANK = re.compile(r"[ \t\u3000\xa0]*\n")
_MARKDOWN_RULE = re.compile(r"[ \t]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+(?:[ \t]*:?-{3,}:?)?[ \t]*\n?")
_SPACE_RUN = re.compile(r"(?: {2,}|\u3000+|[ \u3000]*\t[ \u3000]*)")
_EDGE = " \t\u3000\xa0\r"
_ROW_NUMBER = re.compile(r"\d{1,3}[.、]?")
_MAX_LABELS = 3  # leading label cells a value row may have (类别 | 项目 | numbers …)
_CAPTION_LINES = 3
_UNIT_BRACKET = re.compile(r"[（(][^（()）]{0,8}[）)]")
_T2S = opencc.OpenCC("t2s")
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
            if i == 0 and _ROW_NUMBER.fullmatch(text) and len(self.texts) > 2 and not self.is_numeric(1):
                n_labels = 1  # 序号: a row number before the label
            elif self.is_numeric(i):
                seen_number = True
            elif not EMPTY_CELL.fullmatch(text):
                if seen_number or i >= _MAX_LABELS:
                    return None
                n_labels = i + 1
        return n_labels if seen_number else None


def find_tables(text: str) -> list[Table]:
    """The flattened tables in a text, cells as spans of it (index from 1)."""
    tables: list[Table] = []
    for block in (*_blocks(text), *_vertical_blocks(text)):
        tables.extend(_tables_in(text, block))
    tables.extend(_paragraph_tables(text))
    tables.sort(key=lambda table: table.start)
    for index, table in enumerate(tables, start=1):
        table.index = index
    return tables


def _blocks(text: str) -> list[list[_Row]]:
    """Runs of row lines of one kind; blank lines may stand between rows."""
    blocks: list[list[_Row]] = []
    current: list[_Row] = []
    for line_start, line_end in _marked_lines(text):
        row = _split(text, line_start, line_end)
        if row is None or _MARKDOWN_RULE.fullmatch(text, line_start, line_end):
            continue
        if current and (row.kind != current[-1].kind or not _only_blank(text, current[-1].end, row.start)):
            blocks.append(current)
            current = []
        current.append(row)
    if current:
        blocks.append(current)
    return [block for block in blocks if len(block) >= 2]


# One cell a line, each ending in a pipe, a lone pipe opening each row, a run
# of pipes for the empty cells of a span ("|" / "警告 |" / "||||").
_VERTICAL_RUN = re.compile(r"(?:^[^\n|]*\|+[ \t]*(?:\n|\Z)){4,}", re.MULTILINE)
_LINE = re.compile(r"[^\n]*")


def _vertical_blocks(text: str) -> list[list[_Row]]:
    blocks = []
    if "|\n" not in text and "| \n" not in text:
        return blocks  # no line ends in a pipe
    for run in _VERTICAL_RUN.finditer(text):
        rows: list[_Row] = []
        cells: list[tuple[int, int]] = []
        line_start = run.start()
        for line in _LINE.finditer(text, run.start(), run.end()):
            stripped = line.group().strip(_EDGE)
            if line.start() > run.end() or (not stripped and line.end() >= run.end()):
                break
            if stripped == "|":  # a new row
                if cells:
                    rows.append(_Row(line_start, line.start() - 1, "vertical", cells, [text[a:b] for a, b in cells]))
                cells, line_start = [], line.start()
            elif stripped.strip("|"):
                content = line.group().rstrip(_EDGE)[:-1]
                lead = len(content) - len(content.lstrip(_EDGE))
                body = content.strip(_EDGE)
                cells.append((line.start() + lead, line.start() + lead + len(body)))
            else:  # the empty cells a span left
                cells.extend([(line.end(), line.end())] * stripped.count("|"))
        if cells:
            rows.append(_Row(line_start, run.end() - 1, "vertical", cells, [text[a:b] for a, b in cells]))
        if len(rows) >= 2:
            blocks.append(rows)
    return blocks


# One cell a paragraph: short label lines, then as many number lines (a
# scraper that wrote every <td> as its own <p>); one label more is a group
# header over them all.
_NUMBER_RUN = re.compile(r"(?:^[ \t]*(?:\d[\d,.]*)[ \t]*\n(?:[ \t]*\n)*){3,}", re.MULTILINE)
_MAX_LABEL_CHARS = 30
_MAX_BROKEN_LABELS = 3  # headers broken over lines that a table may have and still be rebuilt
_WHITESPACE_RUN = re.compile(r"\s+")
# a header over the others says what they count: 行政许可实施数量(宗)
_GROUP_HEADER = re.compile(r"[（(][^（()）]{1,6}[）)]\s*$|(?:数量|数|情况|次数)$")


def _paragraph_tables(text: str) -> list[Table]:
    tables = []
    for run in _NUMBER_RUN.finditer(text):
        values = _paragraph_values(text, run.start(), run.end())
        if not all(NUMERIC_CELL.fullmatch(text[a:b]) for a, b in values if b > a):
            continue
        labels: list[tuple[int, int]] = []
        end = run.start()
        while end > 0 and len(labels) <= len(values) + 1 + _MAX_BROKEN_LABELS:
            line_start = text.rfind("\n", 0, end - 1) + 1
            line = text[line_start:end]
            end = line_start
            stripped = line.strip()
            if not stripped:
                continue
            if (len(stripped) > _MAX_LABEL_CHARS or "。" in stripped or NUMERIC_CELL.fullmatch(stripped)
                    or is_title(stripped)):
                break
            lead = len(line) - len(line.lstrip())
            labels.insert(0, (line_start + lead, line_start + lead + len(stripped)))
        group = None
        if len(labels) > len(values) and _GROUP_HEADER.search(text[labels[0][0]:labels[0][1]]):
            group, labels = labels[0], labels[1:]
        if len(labels) > len(values):
            labels = _rejoined(text, labels, len(labels) - len(values))
        # one label a number, or no table: matching labels and numbers up any
        # other way would give numbers the wrong headers
        if labels is None or len(labels) != len(values):
            continue
        rows = []
        if group is not None:
            rows.append(_Row(group[0], group[1], "paragraph", [group] + [(group[1], group[1])] * (len(values) - 1),
                             [text[group[0]:group[1]]] + [""] * (len(values) - 1)))
        rows.append(_Row(labels[0][0], labels[-1][1], "paragraph", labels, [text[a:b] for a, b in labels]))
        rows.append(_Row(values[0][0], values[-1][1], "paragraph", values, [text[a:b] for a, b in values]))
        tables.extend(_tables_in(text, rows))
    return tables


def _paragraph_values(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The value cells of a run of number paragraphs. When every other line
    is empty, the lines between are the cells, and one holding only a space
    is an empty cell (a scraper's blank <td>: the column still counts);
    otherwise the numbers alone."""
    lines, position = [], start
    for line in text[start:end].split("\n"):
        lines.append((position, position + len(line)))
        position += len(line) + 1
    while lines and lines[-1][0] == lines[-1][1]:
        lines.pop()
    if all(a == b for a, b in lines[1::2]):
        cells = []
        for a, b in lines[0::2]:
            piece = text[a:b]
            lead = len(piece) - len(piece.lstrip())
            cells.append((a + lead, a + lead + len(piece.strip())))
        return cells
    return [(start + m.start(), start + m.end()) for m in re.finditer(r"\S+", text[start:end])]


def _rejoined(text: str, labels: list[tuple[int, int]], n_joins: int) -> list[tuple[int, int]] | None:
    """The labels with the pieces of headers that broke over lines joined
    again (没收违法 / 所得、没收非法财物): the one way of joining n_joins
    neighbours in which every join makes a wording of the metric catalog
    across it (没收违法|所得 -> 没收违法所得) and no two columns name the same
    metric; None when no way, or more than one, does."""
    if n_joins > _MAX_BROKEN_LABELS:
        return None
    scorer = _Affinity()
    words = [_WHITESPACE_RUN.sub("", text[a:b]) for a, b in labels]
    fitting = []
    for joins in combinations(range(len(labels) - 1), n_joins):
        if not all(scorer.joins(words[i], words[i + 1]) for i in joins):
            continue
        joined: list[tuple[int, int]] = []
        for i, (start, end) in enumerate(labels):
            if i - 1 in joins:
                joined[-1] = (joined[-1][0], end)
            else:
                joined.append((start, end))
        named = [m for m in (scorer.family(_WHITESPACE_RUN.sub("", text[a:b]))[1] for a, b in joined) if m]
        if len(set(named)) == len(named):
            fitting.append(joined)
    return fitting[0] if len(fitting) == 1 else None


def _marked_lines(text: str):
    """(start, end) of each line with a row mark, visiting only those lines."""
    position = 0
    while (mark := _ROW_MARK.search(text, position)) is not None:
        start = text.rfind("\n", 0, mark.start()) + 1
        end = text.find("\n", mark.start())
        end = len(text) if end < 0 else end
        yield start, end
        position = end + 1


def _only_blank(text: str, end: int, start: int) -> bool:
    """Whether only blank lines (or a Markdown table's rule) stand between two rows."""
    position = end + 1  # past the line's own \n
    while position < start:
        blank = _BLANK.match(text, position) or _MARKDOWN_RULE.match(text, position)
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
        if len(headers) > 1 and _is_section(headers[-1]):
            headers.pop()  # (一)本单位实施的 | | | … under the column headers: a divider, not a header
        width = _pad_to_headers(headers, values, width)
        headers = [row for row in headers if len(row.cells) <= width]  # a wider row is not a header of these
        minimum = 1 if headers else 2
        if len(values) >= minimum and width >= 2 and (headers or values[0].kind != "space" or len(values) >= 3):
            table = _build(text, headers, values, width)
            if table is not None:
                tables.append(table)
    return tables


def _is_section(row: _Row) -> bool:
    """A row of its first cell alone, the others empty: over the column headers a
    header across them all (行政处罚实施数量（宗） | ||||), under them a part's title."""
    return row.kind == "pipe" and bool(row.texts[0]) and not row.is_numeric(0) and not any(row.texts[1:])


def _pad_to_headers(headers: list[_Row], values: list[_Row], width: int) -> int:
    """The table's width. When the scraper padded every header row to it and the
    value rows lost their last cell, an empty one, to the border (… | 0.8 |
    under 序号 | … | 备注 | |||), the value rows get that cell back and the width
    is one more than theirs; else it is `width`."""
    counts = {len(row.cells) for row in headers}
    if len(counts) != 1 or counts != {width + 1} or any(row.kind != "pipe" for row in headers):
        return width
    for row in values:
        row.cells.append((row.end, row.end))
        row.texts.append("")
    return width + 1


def _build(text: str, headers: list[_Row], values: list[_Row], width: int) -> Table | None:
    # columns empty in every row are a scraper's padding ("| 0 | 0 | ||"), unless the header
    # rows are packed to the left and so say nothing of where the columns are (see
    # _packed_headers): then an empty last column is a real one (备注)
    n_labels = max(row.labels() or 0 for row in values)
    trimmed = max(max((i + 1 for i, t in enumerate(row.texts) if t), default=0) for row in (*headers, *values))
    if not headers or _covered(headers, range(n_labels, trimmed)):
        width = trimmed
    for row in (*headers, *values):
        row.cells, row.texts = row.cells[:width], row.texts[:width]
    if width < 2:
        return None
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
    if not headers or _covered(headers, range(n_labels, width)):
        return _aligned_headers(grid, spans, width)
    return _packed_headers(headers, width, n_labels)


def _covered(headers: list[_Row], columns: range) -> bool:
    """Whether some header row names each of these columns (else the rows are packed to the left)."""
    return all(any(c < len(row.texts) and row.texts[c] for row in headers) for c in columns)


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


def _packed_headers(headers: list[_Row], width: int, n_labels: int) -> list[Cell] | None:
    """Header rows packed to the left: rebuild which cells are groups over
    the row below and which are leaves reaching down to the last header row.

    The widths fix how many groups there are in all: every cell is one
    column but a group, which is as wide as its children, so
    groups = cells - width. Which cells they are, and which run of the row
    below each covers (runs in order, none empty), is chosen per row by how
    well parents and children agree: the same act type in the metric catalog
    (行政处罚实施情况 over 行政处罚案件数量, not over 被行政复议数量), then shared
    characters. The label columns' headers lead the top row as leaves."""
    rows = [[(text, span) for text, span in zip(row.texts, row.cells) if text] for row in headers]
    n_groups = sum(map(len, rows)) - width
    if any(not row for row in rows) or n_groups < len(rows) - 1:
        return None
    scorer = _Affinity()
    choices: list[dict[int, tuple[float, tuple[int, ...], tuple[int, ...]]]] = []
    for i in range(len(rows) - 1):
        upper, lower = [text for text, _ in rows[i]], [text for text, _ in rows[i + 1]]
        protected = n_labels if i == 0 else 0
        options = {}
        for g in range(1, min(len(upper) - protected, len(lower), n_groups) + 1):
            best = scorer.best_grouping(upper, lower, g, protected)
            if best is not None:
                options[g] = best
        choices.append(options)
    plan = _best_plan(choices, n_groups)
    if plan is None:
        return None

    # widths bottom-up, then columns top-down
    last = len(rows) - 1
    widths = [[1] * len(row) for row in rows]
    children: list[list[range]] = [[range(0)] * len(row) for row in rows]
    for i in range(last - 1, -1, -1):
        _, groups, sizes = plan[i]
        start = 0
        for group, size in zip(groups, sizes):
            children[i][group] = range(start, start + size)
            widths[i][group] = sum(widths[i + 1][j] for j in children[i][group])
            start += size
    if sum(widths[0]) != width:
        return None
    cells: list[Cell] = []

    def place(i: int, j: int, col: int) -> None:
        text, (start, end) = rows[i][j]
        below = children[i][j]
        rowspan = 1 if below else len(rows) - i
        cells.append(Cell(row=i, col=col, rowspan=rowspan, colspan=widths[i][j], text=text,
                          start=start, end=end, is_header=True))
        for child in below:
            place(i + 1, child, col)
            col += widths[i + 1][child]

    col = 0
    for j in range(len(rows[0])):
        place(0, j, col)
        col += widths[0][j]
    return cells


def _best_plan(choices, n_groups: int):
    """One grouping per row whose group counts add up to n_groups, best in all."""
    best: dict[int, tuple[float, list]] = {0: (0.0, [])}
    for options in choices:
        step: dict[int, tuple[float, list]] = {}
        for used, (score, plan) in best.items():
            for g, option in options.items():
                total = used + g
                if total <= n_groups and (total not in step or score + option[0] > step[total][0]):
                    step[total] = (score + option[0], plan + [option])
        best = step
    return best[n_groups][1] if n_groups in best else None


class _Affinity:
    """How well a header cell fits over the cells of the row below it."""

    MAX_TRIES = 20000

    def __init__(self):
        from extractors.metrics import FigureContext, load_catalog

        self.catalog, self.context = load_catalog(), FigureContext
        self.families: dict[str, tuple[str, str]] = {}

    def family(self, words: str) -> tuple[str, str]:
        """(act type, metric id) of a header's words, '' where the catalog names none."""
        if words not in self.families:
            simple = _T2S.convert(_UNIT_BRACKET.sub("", words))
            metric = ""
            for kind in ("count", "money", "percent"):
                metric = self.catalog.assign(self.context(clause=simple, following="", before="", unit="", kind=kind)).id
                if metric:
                    break
            family = metric.split(".", 1)[0] if metric else self.catalog.scope(simple)
            self.families[words] = (family, metric)
        return self.families[words]

    def joins(self, left: str, right: str) -> bool:
        """Whether a catalog wording runs across the end of `left` into `right`."""
        return self.catalog.runs_across(_T2S.convert(left + right), len(left))

    def pair(self, parent: str, child: str, common: set[str]) -> float:
        (parent_family, parent_metric), (child_family, child_metric) = self.family(parent), self.family(child)
        score = 0.0
        if parent_family and child_family:
            score += 3 if parent_family == child_family else -3
        metric = self.catalog.metrics.get(child_metric)
        if metric is not None and parent_metric and metric.parent == parent_metric:
            score += 1
        return score + len((set(parent) & set(child)) - common)

    def best_grouping(self, upper: list[str], lower: list[str], g: int, protected: int):
        """(score, group indices, run sizes) of the best choice of g groups in
        `upper` over the cells of `lower`; None when there are too many to try."""
        candidates = range(protected, len(upper))
        if comb(len(candidates), g) * comb(len(lower) - 1, g - 1) > self.MAX_TRIES:
            return None
        counts: dict[str, int] = {}
        for text in lower:
            for char in set(text):
                counts[char] = counts.get(char, 0) + 1
        common = {char for char, n in counts.items() if n * 2 > len(lower) and n >= 2}
        fit = [[self.pair(parent, child, common) for child in lower] for parent in upper]
        best = None
        for groups in combinations(candidates, g):
            for cuts in combinations(range(1, len(lower)), g - 1):
                bounds = (0, *cuts, len(lower))
                score = sum(fit[group][j] for group, a, b in zip(groups, bounds, bounds[1:]) for j in range(a, b))
                if best is None or score > best[0]:
                    best = (score, groups, tuple(b - a for a, b in zip(bounds, bounds[1:])))
        return best


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
