"""HTML: the visible text of a page as a browser shows it, with a map from
every character of it back to the source, and its tables: every <table> as
a grid (rowspan and colspan resolved), and the flattened tables its text
holds (pipeline/readers/flat_tables.py), every cell a span of the source.
"""
from __future__ import annotations

import html
import re
from array import array
from html.parser import HTMLParser

from pipeline.readers import flat_tables
from pipeline.readers.text import Unreadable
from schemas.table import Cell, Table
from schemas.text import TextMap

HTML_START = re.compile(r"\s*<(?:!doctype\s+html|html)\b", re.IGNORECASE)

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
# Never shown, or not report text. (Not <form>: ASP.NET sites wrap whole pages in one.)
_ALWAYS_DROPPED = {"script", "style", "noscript", "template", "iframe", "object", "svg", "select", "textarea", "button"}
# Page furniture, unless inside <article> or <main>, where a header holds the report's title.
_FURNITURE = {"nav", "header", "footer", "aside"}
_FURNITURE_WORDS = {"nav", "menu", "breadcrumb", "footer", "header", "share", "sidebar", "copyright"}
_CONTENT = {"article", "main"}
_BLOCKS = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hgroup", "hr", "html", "legend", "li", "main", "nav", "ol", "option", "p", "pre",
    "section", "summary", "table", "tbody", "tfoot", "thead", "title", "tr", "ul",
}
_CELLS = {"td", "th"}
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # what HTML collapses; not \xa0 or \u3000
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


_WHITESPACE = re.compile(r"\s+")
_MAX_COLSPAN = 1000  # what browsers honour


def read_html(source: str) -> tuple[str, TextMap, list[Table]]:
    """The text of an HTML page as a browser shows it, its map to `source`,
    and the page's tables (index from 1, in page order)."""
    parser = _VisibleTextParser(source)
    try:
        parser.feed(source)
        parser.close()
    except AssertionError as exc:  # html.parser's complaint about a malformed <! declaration
        raise Unreadable("error", f"cannot parse the HTML: {exc}") from None
    text, text_map = "".join(parser.pieces), TextMap(parser.starts, parser.ends)
    grids = [table for draft in parser.tables.done if (table := draft.table(text, text_map)) is not None]
    flat = [_mapped(table, text_map) for table in flat_tables.find_tables(text)
            if not any(draft.holds_cells_of(table, text_map) for draft in parser.tables.done)]
    tables = sorted(grids + flat, key=lambda table: table.start)
    for index, table in enumerate(tables, start=1):
        table.index = index
    return text, text_map, tables


def _to_source(text_map: TextMap, start: int, end: int) -> tuple[int, int]:
    """The source span of visible characters [start, end); a point for an empty range."""
    if start < end:
        return text_map.span(start, end)
    point = text_map.starts[start] if start < len(text_map) else (text_map.ends[-1] if len(text_map) else 0)
    return point, point


def _mapped(table: Table, text_map: TextMap) -> Table:
    """A table found in the visible text, its spans moved to the source."""
    for cell in table.cells:
        cell.start, cell.end = _to_source(text_map, cell.start, cell.end)
    table.start, table.end = _to_source(text_map, table.start, table.end)
    table.source = "html"
    return table


class _CellDraft:
    __slots__ = ("rowspan", "colspan", "is_header", "text_start", "text_end", "position")

    def __init__(self, tag: str, attrs: dict, in_head: bool, text_start: int, position: int):
        self.rowspan = _span_attribute(attrs.get("rowspan"), default=1)  # 0: to the end of the table
        self.colspan = min(max(_span_attribute(attrs.get("colspan"), default=1), 1), _MAX_COLSPAN)
        self.is_header = tag == "th" or in_head
        self.text_start = self.text_end = text_start
        self.position = position


def _span_attribute(value: str | None, default: int) -> int:
    digits = re.match(r"\s*(\d+)", value or "")
    return int(digits.group(1)) if digits else default


class _TableDraft:
    """One <table> as the parser meets it: rows of cells, each cell the range
    of visible text it holds."""

    def __init__(self, position: int, text_start: int):
        self.start = position
        self.end = position
        self.text_start = self.text_end = text_start
        self.rows: list[list[_CellDraft]] = []
        self.caption: tuple[int, int] | None = None
        self.in_head = False

    def table(self, text: str, text_map: TextMap) -> Table | None:
        rows = [row for row in self.rows if row]
        if not rows:
            return None
        taken: set[tuple[int, int]] = set()
        cells: list[Cell] = []
        n_cols = 0
        for r, row in enumerate(rows):
            c = 0
            for draft in row:
                while (r, c) in taken:
                    c += 1
                rowspan = min(draft.rowspan or len(rows), len(rows) - r)
                taken.update((r + dr, c + dc) for dr in range(rowspan) for dc in range(draft.colspan))
                cell_text, (start, end) = _cell_text(text, text_map, draft)
                cells.append(Cell(row=r, col=c, rowspan=rowspan, colspan=draft.colspan, text=cell_text,
                                  start=start, end=end, is_header=draft.is_header))
                c += draft.colspan
                n_cols = max(n_cols, c)
        caption = []
        if self.caption:
            caption.append(_WHITESPACE.sub(" ", text[self.caption[0]:self.caption[1]]).strip())
        caption.insert(0, flat_tables.caption_before(text, self.text_start))
        return Table(index=0, n_rows=len(rows), n_cols=n_cols, cells=cells, caption=" ".join(filter(None, caption)),
                     start=self.start, end=self.end, source="html")

    def holds_cells_of(self, table: Table, text_map: TextMap) -> bool:
        """Whether a flattened table found in the visible text is this table's
        own cells read again (it spans several of them), not a table written
        inside one cell of a layout table."""
        if table.end <= self.text_start or table.start >= self.text_end:
            return False
        return not any(cell.text_start <= table.start and table.end <= cell.text_end
                       for row in self.rows for cell in row)


def _cell_text(text: str, text_map: TextMap, draft: _CellDraft) -> tuple[str, tuple[int, int]]:
    raw = text[draft.text_start:draft.text_end]
    lead = len(raw) - len(raw.lstrip())
    stripped = raw.strip()
    if not stripped:
        return "", (draft.position, draft.position)
    start = draft.text_start + lead
    return _WHITESPACE.sub(" ", stripped), text_map.span(start, start + len(stripped))


class _TableCollector:
    """The tables of a page as the parser passes their tags (nested tables
    each on their own)."""

    def __init__(self):
        self.open: list[_TableDraft] = []
        self.done: list[_TableDraft] = []
        self._cell: list[_CellDraft | None] = []  # the open cell of each open table
        self._caption_start: list[int | None] = []

    def start(self, tag: str, attrs: list[tuple[str, str | None]], position: int, n_chars: int) -> None:
        if tag == "table":
            self.open.append(_TableDraft(position, n_chars))
            self._cell.append(None)
            self._caption_start.append(None)
            return
        if not self.open:
            return
        table = self.open[-1]
        if tag == "tr":
            self._close_cell(n_chars)
            table.rows.append([])
        elif tag in _CELLS:
            self._close_cell(n_chars)
            if not table.rows:
                table.rows.append([])
            cell = _CellDraft(tag, dict(attrs), table.in_head, n_chars, position)
            table.rows[-1].append(cell)
            self._cell[-1] = cell
        elif tag == "thead":
            table.in_head = True
        elif tag == "caption":
            self._caption_start[-1] = n_chars

    def end(self, tag: str, position: int, end: int, n_chars: int) -> None:
        if not self.open:
            return
        table = self.open[-1]
        if tag in _CELLS or tag == "tr":
            self._close_cell(n_chars)
        elif tag == "thead":
            table.in_head = False
        elif tag == "caption" and self._caption_start[-1] is not None:
            table.caption = (self._caption_start[-1], n_chars)
        elif tag == "table":
            self._close_cell(n_chars)
            table.end, table.text_end = end, n_chars
            self.done.append(self.open.pop())
            self._cell.pop()
            self._caption_start.pop()

    def close(self, end: int, n_chars: int) -> None:
        """Tables left open at the end of the page end there."""
        while self.open:
            self.end("table", end, end, n_chars)

    def _close_cell(self, n_chars: int) -> None:
        cell = self._cell[-1]
        if cell is not None:
            cell.text_end = n_chars
            self._cell[-1] = None


class _VisibleTextParser(HTMLParser):
    """Collects the visible text with the source span of every character.

    html.parser reports where each tag, text run and character reference
    starts (getpos), which gives an exact map; selectolax and lxml build a
    tree but do not expose text offsets. convert_charrefs=False makes it hand
    over entities one by one, so each decoded character maps to its entity.
    Separators (line breaks between blocks, tabs between table cells) are
    zero-width points in the map; a collapsed run of whitespace maps to the
    whole run.
    """

    def __init__(self, source: str):
        super().__init__(convert_charrefs=False)
        self._source = source
        self._line_starts = [0, *(m.end() for m in re.finditer("\n", source))]
        self.pieces: list[str] = []
        self.starts = array("q")
        self.ends = array("q")
        self._last = ""  # the last character emitted; "" before any
        self._skipping: str | None = None  # the tag of the hidden element being skipped
        self._skip_depth = 0  # nesting of that tag inside itself
        self._content_depth = 0  # open <article>/<main> elements
        self._pre_depth = 0
        self._pending_break = ""  # "\n" or "\t" owed before the next text
        self._break_at = 0
        self._pending_space: tuple[int, int] | None = None  # collapsed whitespace owed
        self.tables = _TableCollector()

    def _position(self) -> int:
        """Offset in the source of the construct being handled."""
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    # -- what is hidden

    def _hides(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        if tag in _VOID:
            return False
        if tag in _ALWAYS_DROPPED:
            return True
        attributes = dict(attrs)
        if "hidden" in attributes or _HIDDEN_STYLE.search(attributes.get("style") or ""):
            return True
        if self._content_depth:
            return False
        if tag in _FURNITURE:
            return True
        words = re.split(r"[^a-z0-9]+", f"{attributes.get('class') or ''} {attributes.get('id') or ''}".lower())
        return any(word in _FURNITURE_WORDS or word.removesuffix("s") in _FURNITURE_WORDS for word in words)

    # -- html.parser callbacks

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skipping:
            if tag == self._skipping:
                self._skip_depth += 1
            return
        if self._hides(tag, attrs):
            self._skipping, self._skip_depth = tag, 1
            return
        if tag == "br":
            self._line_break()
            return
        if tag in _CONTENT:
            self._content_depth += 1
        if tag == "pre":
            self._pre_depth += 1
        self.tables.start(tag, attrs, self._position(), len(self.starts))
        if tag in _CELLS:
            self._separate("\t")
        elif tag in _BLOCKS:
            self._separate("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/> is one break, not a start and an end
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if tag == self._skipping:
                self._skip_depth -= 1
                if not self._skip_depth:
                    self._skipping = None
            return
        if tag == "br":  # browsers read a stray </br> as <br>
            self._line_break()
            return
        if tag in _CONTENT and self._content_depth:
            self._content_depth -= 1
        if tag == "pre" and self._pre_depth:
            self._pre_depth -= 1
        position = self._position()
        self.tables.end(tag, position, self._source.find(">", position) + 1 or len(self._source), len(self.starts))
        if tag in _BLOCKS:
            self._separate("\n")

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        start = self._position()
        if self._pre_depth:
            self._emit_copy(data, start)
            return
        position = 0
        for space in _HTML_SPACE.finditer(data):
            if space.start() > position:
                self._emit_copy(data[position:space.start()], start + position)
            self._owe_space(start + space.start(), start + space.end())
            position = space.end()
        if position < len(data):
            self._emit_copy(data[position:], start + position)

    def handle_entityref(self, name: str) -> None:
        self._reference(name, prefix_length=1)  # &name;

    def handle_charref(self, name: str) -> None:
        self._reference(name, prefix_length=2)  # &#name;

    def close(self) -> None:
        super().close()
        self.tables.close(len(self._source), len(self.starts))

    # -- building the text

    def _reference(self, name: str, prefix_length: int) -> None:
        if self._skipping:
            return
        start = self._position()
        end = start + prefix_length + len(name)
        if self._source.startswith(";", end):
            end += 1
        written = self._source[start:end]
        decoded = html.unescape(written)
        if decoded == written:  # not a known entity: plain text
            self._emit_copy(written, start)
        elif not decoded.strip(" \t\n\r\f") and not self._pre_depth:  # &#32; collapses like a space
            self._owe_space(start, end)
        else:
            self._flush()
            self.pieces.append(decoded)
            self.starts.extend([start] * len(decoded))
            self.ends.extend([end] * len(decoded))
            self._last = decoded[-1]

    def _emit_copy(self, text: str, start: int) -> None:
        self._flush()
        self.pieces.append(text)
        self.starts.extend(range(start, start + len(text)))
        self.ends.extend(range(start + 1, start + len(text) + 1))
        self._last = text[-1]

    def _owe_space(self, start: int, end: int) -> None:
        if self._pending_space is None:
            self._pending_space = (start, end)

    def _separate(self, separator: str) -> None:
        """Owe a separator before the next text; a line break outranks a tab."""
        if self._pending_break != "\n":
            self._pending_break = separator
            self._break_at = self._position()

    def _line_break(self) -> None:
        self._flush()
        if self._last:
            self._insert("\n", self._position())

    def _flush(self) -> None:
        """Emit what is owed before the next text: a separator (which
        swallows whitespace around it) or else one collapsed space."""
        if self._pending_break:
            if self._last not in ("", "\n"):
                self._insert(self._pending_break, self._break_at)
        elif self._pending_space and self._last not in ("", "\n", "\t", " "):
            start, end = self._pending_space
            self.pieces.append(" ")
            self.starts.append(start)
            self.ends.append(end)
            self._last = " "
        self._pending_break = ""
        self._pending_space = None

    def _insert(self, separator: str, position: int) -> None:
        self.pieces.append(separator)
        self.starts.append(position)
        self.ends.append(position)
        self._last = separator
