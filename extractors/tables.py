"""Table cells -> figures, each through its header path.

A statistical table says what each number is by where it stands: under a
column header (警告), maybe under a group header (行政处罚实施数量（宗）), in a
row with a label (罚款, or an agency: 一行一个单位), in a table with a caption
(表一 …统计表, 单位：件、万元). For every numeric data cell the extractor
gives a FigureRecord with
- value: the number times the multiplier its header declares (罚没金额（万元）
  -> x10,000), money in 元;
- unit: the nearest declaration: the cell itself, the row label, the column
  header, the group header, the label column's header, the title rows and
  caption; '' when the table declares none (never guessed);
- metric: the header words, units removed, through the same catalog as prose
  figures: first the column's own header (and the row label), then, if that
  names nothing, the whole path with the group header (合计 under
  行政处罚实施数量); the caption, section and group headers are the context
  that gives generic words (受理, 法制审核) their act type;
- subject: the header path in words (行政处罚实施数量 > 罚款); org: the row
  label when rows are agencies; cell: 'table T rRcC' (from 1), or
  'sheet!C4' for a workbook; page: the table's.

Header words are read from the clean text (simplified, half-width) through
the cell's span, so a traditional-character table is read like any other.
"""
from __future__ import annotations

import tomllib
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import regex

from extractors.figures import FigureRules, Unit, default_rules
from extractors.metrics import NO_METRIC, Catalog, FigureContext, MetricMatch, load_catalog
from extractors.numbers import ARABIC, to_value
from schemas import FigureRecord, SegmentedDocument
from schemas.table import Cell, Table

EXTRACTOR = "table"
SPACE_BY_HAN = regex.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")
BRACKETED = regex.compile(r"[（(]\s*(?P<inside>[^（()）]{1,16}?)\s*[）)]")
UNIT_LIST = regex.compile(r"[、,，/]")
YEAR = regex.compile(r"((?:19|20)\d{2})\s*年")


@cache
def _layout() -> dict:
    return tomllib.loads(resources.files("extractors.data").joinpath("tables.toml").read_text(encoding="utf-8"))


def is_title(text: str) -> bool:
    """Whether a line reads as a table's title, unit or note (表一, …统计表, 单位：件, 说明：)."""
    return bool(_title_row().search(text))


@cache
def _title_row() -> regex.Pattern:
    return regex.compile(_layout()["captions"]["title_row"])


def cell_address(table: Table, row: int, col: int) -> str:
    """Where a cell sits: sheet!C4 in a workbook, 'table T rRcC' elsewhere (from 1)."""
    if table.sheet:
        letters, n = "", col + 1
        while n:
            n, rest = divmod(n - 1, 26)
            letters = chr(65 + rest) + letters
        return f"{table.sheet}!{letters}{row + 1}"
    return f"table {table.index} r{row + 1}c{col + 1}"


@dataclass(frozen=True)
class Header:
    """A header cell (or caption) read: its words with the unit brackets taken
    out, and the units they declare (with a 万/亿 multiplier)."""

    words: str
    units: tuple[tuple[Unit, str], ...]


@dataclass
class TableFigure:
    """A table figure and where it stands, for the table checks."""

    record: FigureRecord
    table: Table
    row: int
    col: int
    group: tuple[tuple[int, int], ...]  # the header cells above the column's own, by position
    is_total_column: bool
    is_total_row: bool


class _CleanCells:
    """Cells (spans of `original`) read in the clean text."""

    def __init__(self, doc: SegmentedDocument):
        self.doc = doc
        self.starts = doc.clean_map.starts if doc.clean_map is not None else None

    def range(self, start: int, end: int) -> tuple[int, int]:
        if self.starts is None:
            return start, end
        return bisect_left(self.starts, start), bisect_left(self.starts, end)

    def text(self, cell: Cell) -> tuple[str, int]:
        """The cell's clean text, stripped, and where it starts in the clean text."""
        start, end = self.range(cell.start, cell.end)
        raw = self.doc.clean[start:end]
        return raw.strip(), start + len(raw) - len(raw.lstrip())

    def original(self, start: int, end: int) -> tuple[int, int]:
        if self.doc.clean_map is None:
            return start, end
        return self.doc.clean_map.span(start, end)


class TableExtractor:
    def __init__(self, rules: FigureRules | None = None, catalog: Catalog | None = None):
        self.rules = rules or default_rules()
        self.catalog = catalog or load_catalog()
        layout = _layout()
        self.totals = tuple(layout["rows"]["totals"])
        self.org_headers = regex.compile("|".join(map(regex.escape, layout["rows"]["org_headers"])))
        self.org_suffixes = tuple(layout["rows"]["org_suffixes"])
        self.index_headers = set(layout["rows"]["index_headers"])
        self.kinds = {kind: regex.compile("|".join(words)) for kind, words in layout["kinds"].items()}
        self.unit_line = regex.compile(layout["captions"]["unit_line"])
        multipliers = "|".join(sorted(map(regex.escape, self.rules.multipliers), key=len, reverse=True))
        units = "|".join(sorted(map(regex.escape, self.rules.units), key=len, reverse=True))
        self.value = regex.compile(rf"(?P<num>{ARABIC})\s*(?P<mult>{multipliers})?\s*(?P<unit>{units})?")
        self.unit_token = regex.compile(rf"(?:单位\s*[：:]\s*)?(?P<mult>{multipliers})?(?P<unit>{units})")

    # -- reading headers -------------------------------------------------
    def units_in(self, text: str) -> tuple[tuple[Unit, str], ...]:
        """The units a list such as 件、万元 declares; () unless every item is a unit."""
        found = []
        for token in UNIT_LIST.split(text):
            match = self.unit_token.fullmatch(token.strip())
            if not match:
                return ()
            found.append((self.rules.units[match.group("unit")], match.group("mult") or ""))
        return tuple(found)

    def header(self, text: str) -> Header:
        text = SPACE_BY_HAN.sub("", text).strip()
        units: list[tuple[Unit, str]] = []
        words = text
        for bracket in BRACKETED.finditer(text):
            declared = self.units_in(bracket.group("inside"))
            if declared:
                units.extend(declared)
                words = words.replace(bracket.group(), "", 1)
        for line in self.unit_line.finditer(words):
            declared = self.units_in(line.group("units"))
            if declared:
                units.extend(declared)
                words = words.replace(line.group(), "", 1)
        return Header(words.strip(" ：:"), tuple(units))

    # -- the table's layout ----------------------------------------------
    def extract(self, doc: SegmentedDocument, report_year: int | None = None) -> tuple[list[TableFigure], list[str]]:
        """The figures of every table, and what kept a table from being read:
        one table that cannot be read costs its own figures only."""
        cells = _CleanCells(doc)
        found: list[TableFigure] = []
        problems: list[str] = []
        for table in doc.tables:
            try:
                found.extend(self.extract_table(doc, cells, table, report_year))
            except Exception as exc:  # a layout no rule foresaw: say so, read the others
                problems.append(f"table {table.index} could not be read: {type(exc).__name__}: {exc}")
        return found, problems

    def extract_table(self, doc: SegmentedDocument, cells: _CleanCells, table: Table,
                      report_year: int | None) -> list[TableFigure]:
        grid = table.grid()
        read = {id(cell): cells.text(cell) for cell in table.cells}
        headers = {id(cell): self.header(read[id(cell)][0]) for cell in table.cells}

        def is_number(cell: Cell | None) -> bool:
            return cell is not None and self.value.fullmatch(read[id(cell)][0]) is not None

        def is_full_width(r: int) -> bool:  # one cell over the whole width
            row = _distinct(grid[r])
            return table.n_cols > 1 and len(row) == 1 and row[0].colspan >= table.n_cols

        def is_title_row(r: int) -> bool:  # a title, unit or note row (else a full-width group header)
            return is_full_width(r) and is_title(read[id(grid[r][0])][0])

        first_data = next((r for r in range(table.n_rows)
                           if not is_title_row(r) and any(is_number(cell) for cell in grid[r] if cell and cell.row == r)), None)
        if first_data is None:
            return []
        header_rows = [r for r in range(first_data) if not is_title_row(r)]
        title_rows = [r for r in range(first_data) if is_title_row(r)]
        data_rows = [r for r in range(first_data, table.n_rows) if not is_full_width(r)]  # below: notes

        label_cols: list[int] = []
        data_cols: list[int] = []
        for c in range(table.n_cols):
            column_words = [headers[id(grid[r][c])].words for r in header_rows if grid[r][c] is not None]
            if any(words in self.index_headers for words in column_words):
                continue  # 序号: row numbers, not figures
            if not data_cols and not any(is_number(grid[r][c]) for r in data_rows):
                label_cols.append(c)
            else:
                data_cols.append(c)

        label_header = " ".join(dict.fromkeys(
            headers[id(grid[r][c])].words for r in header_rows for c in label_cols if grid[r][c] is not None))
        labels = {r: self._row_label(grid, r, label_cols, headers) for r in data_rows}
        by_agency = self._rows_are_agencies(label_header, [labels[r] for r in data_rows])
        table_units = self._table_units(table, grid, title_rows, label_cols, header_rows, headers)
        # what the table is about: the act types its headers name (许可数量 beside
        # 受理数量), then, named later so that they win, its section, caption and title rows
        all_headers = _distinct(grid[r][c] for r in header_rows for c in range(table.n_cols))
        acts = [headers[id(h)].words for h in all_headers if self.catalog.scope(headers[id(h)].words)]
        before = " ".join(filter(None, (*acts, self._section_at(doc, cells, table),
                                        table.caption, *(headers[id(grid[r][0])].words for r in title_rows))))
        section = table.caption or self._section_at(doc, cells, table)

        found: list[TableFigure] = []
        for r in data_rows:
            label = labels[r]
            is_total_row = label.words.startswith(self.totals)
            row_text = " | ".join(read[id(cell)][0] for cell in _distinct(grid[r]))
            for c in data_cols:
                cell = grid[r][c]
                if cell is None or (cell.row, cell.col) != (r, c) or not is_number(cell):
                    continue
                column = _distinct(grid[h][c] for h in header_rows)
                column = [header for header in column if headers[id(header)].words or headers[id(header)].units]
                if not column and not label.words:
                    continue  # a number no header or label speaks for says nothing
                found.append(self._figure(
                    doc, cells, table, cell, read[id(cell)], [headers[id(h)] for h in column],
                    label, by_agency, table_units, before, section, row_text, report_year,
                    group=tuple((h.row, h.col) for h in column[:-1]), is_total_row=is_total_row,
                ))
        return found

    def _row_label(self, grid, r: int, label_cols: list[int], headers: dict) -> Header:
        row_cells = _distinct(grid[r][c] for c in label_cols)
        read = [headers[id(cell)] for cell in row_cells]
        return Header(" ".join(h.words for h in read if h.words), tuple(u for h in read for u in h.units))

    def _rows_are_agencies(self, label_header: str, labels: list[Header]) -> bool:
        if self.org_headers.search(label_header):
            return True
        named = [label.words for label in labels if label.words and not label.words.startswith(self.totals)]
        return bool(named) and sum(words.endswith(self.org_suffixes) for words in named) * 2 > len(named)

    def _table_units(self, table, grid, title_rows, label_cols, header_rows, headers) -> tuple[tuple[Unit, str], ...]:
        """The units declared for the whole table: the label column's header,
        title rows, the caption."""
        units: list[tuple[Unit, str]] = []
        for r in header_rows:
            for c in label_cols:
                if grid[r][c] is not None:
                    units.extend(headers[id(grid[r][c])].units)
        for r in title_rows:
            units.extend(headers[id(grid[r][0])].units)
        units.extend(self.header(table.caption).units)
        return tuple(dict.fromkeys(units))

    def _section_at(self, doc: SegmentedDocument, cells: _CleanCells, table: Table) -> str:
        at = cells.range(table.start, table.start)[0]
        path = ""
        for section in doc.sections:
            if section.start > at:
                break
            path = section.path
        return path

    # -- one figure ------------------------------------------------------
    def _figure(self, doc, cells: _CleanCells, table: Table, cell: Cell, read: tuple[str, int],
                column: list[Header], label: Header, by_agency: bool, table_units, before: str,
                section: str, row_text: str, report_year: int | None, group, is_total_row: bool) -> TableFigure:
        text, clean_start = read
        match = self.value.fullmatch(text)
        row_words = [] if by_agency else [label.words] if label.words else []
        leaf_words = [column[-1].words] if column else []
        path_words = [h.words for h in column if h.words] + row_words
        kind = self._kind(path_words)

        # the nearest declaration of a unit: the cell, the row label, the column's headers bottom-up
        declared: tuple[tuple[Unit, str], ...] = ()
        if match.group("unit"):
            declared = ((self.rules.units[match.group("unit")], match.group("mult") or ""),)
        for source in ([] if by_agency else [label]) + column[::-1]:
            if declared:
                break
            declared = source.units
        declared = declared or table_units
        context_before = " ".join(filter(None, (before, *(h.words for h in column[:-1]))))
        # the whole path only for a total (合计 under 行政处罚实施数量): a column of its
        # own words (立案数量) is not what its group header counts
        is_total_column = bool(leaf_words) and leaf_words[0].startswith(self.totals)
        leaf = "".join(leaf_words + row_words)
        unit, multiplier, metric = self._unit_and_metric(
            declared, leaf, "".join(path_words) if is_total_column or not leaf else leaf, context_before, kind)

        value = to_value(match.group("num"), match.group("mult") or multiplier)
        start, end = cells.original(clean_start, clean_start + len(text))
        year = self._year(path_words, table.caption, report_year)
        record = FigureRecord(
            figure_id=f"{doc.doc_id}:{start}", doc_id=doc.doc_id, start=start, end=end,
            text=doc.original[start:end], value=value,
            unit=unit.text if unit else "", unit_kind=unit.kind if unit else ("percent" if kind in ("rate", "share") else "count"),
            metric=metric.id, kind=kind, subject=" > ".join(path_words), year=year, section=section,
            sentence=row_text, org=label.words if by_agency and not is_total_row else "",
            page=table.page, cell=cell_address(table, cell.row, cell.col), extractor=EXTRACTOR,
        )
        return TableFigure(record, table, cell.row, cell.col, group, is_total_column, is_total_row)

    def _unit_and_metric(self, declared, leaf: str, path: str, before: str,
                         kind: str) -> tuple[Unit | None, str, MetricMatch]:
        """The unit among those declared whose kind gives the header words a
        metric (a caption's 单位：件、万元 names two), and that metric."""
        options = list(declared) or [(None, "")]
        first: tuple[Unit | None, str, MetricMatch] | None = None
        for unit, multiplier in options:
            unit_kind = unit.kind if unit else ("percent" if kind in ("rate", "share") else "count")
            metric = self._assign(leaf, path, before, unit.text if unit else "", unit_kind, kind == "change")
            if metric.id:
                return unit, multiplier, metric
            first = first or (unit, multiplier, metric)
        if len(options) > 1:  # several units declared and none fits: say none
            return None, "", first[2]
        return first

    @lru_cache(maxsize=4096)  # a column's cells share their words: one look-up a column
    def _assign(self, leaf: str, path: str, before: str, unit: str, unit_kind: str, is_change: bool) -> MetricMatch:
        metric = NO_METRIC
        for clause in dict.fromkeys((leaf, path)):
            metric = self.catalog.assign(FigureContext(clause=clause, following="", before=before, unit=unit,
                                                       kind=unit_kind, is_change=is_change))
            if metric.id:
                break
        return metric

    def _kind(self, path_words: list[str]) -> str:
        for header in reversed(path_words):
            for kind, pattern in self.kinds.items():
                if pattern.search(header):
                    return kind
        return "level"

    @staticmethod
    def _year(path_words: list[str], caption: str, report_year: int | None) -> int | None:
        """A year the header path names (2022年 | 2023年 columns), else the caption's, else the report's."""
        for words in (" ".join(path_words), caption):
            years = YEAR.findall(words)
            if years:
                return int(years[-1])
        return report_year


def _distinct(cells) -> list[Cell]:
    """The cells in order, each once (a spanned cell fills several positions), no gaps."""
    seen: dict[int, Cell] = {}
    for cell in cells:
        if cell is not None:
            seen.setdefault(id(cell), cell)
    return list(seen.values())


@cache
def table_extractor() -> TableExtractor:
    return TableExtractor()
