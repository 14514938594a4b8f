"""HTML: the visible text of a page as a browser shows it, with a map from
every character of it back to the source.
"""
from __future__ import annotations

import html
import re
from array import array
from html.parser import HTMLParser

from pipeline.readers.text import Unreadable
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


def visible_text(source: str) -> tuple[str, TextMap]:
    """The text of an HTML page as a browser shows it, and its map to `source`."""
    parser = _VisibleTextParser(source)
    try:
        parser.feed(source)
        parser.close()
    except AssertionError as exc:  # html.parser's complaint about a malformed <! declaration
        raise Unreadable("error", f"cannot parse the HTML: {exc}") from None
    return "".join(parser.pieces), TextMap(parser.starts, parser.ends)


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
