"""Stage 1, read: one file on disk -> SourceDocument.

Finds the encoding, decodes the bytes unchanged into `original`, and for an
HTML page extracts the visible text with a map from every character of it
back to the source. Bad input never raises: it comes back as a document with
status "error" or "empty" and a message that says what was wrong.
"""
from __future__ import annotations

import codecs
import hashlib
import html
import importlib
import os
import re
import stat
from array import array
from html.parser import HTMLParser
from pathlib import Path

from pipeline.readers.sniff import TEXT_SUFFIXES, sniff
from pipeline.readers.sniff import Unreadable as _Unreadable
from schemas.document import SourceDocument
from schemas.text import TextMap

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# The binary formats' readers, imported with the first file of their format
# (a run of text reports never loads them): bytes -> (original, tables,
# page_starts), or Unreadable.
BINARY_READERS = {
    "pdf": "pipeline.readers.pdf:read_pdf",
    "docx": "pipeline.readers.office:read_docx",
    "xlsx": "pipeline.readers.office:read_xlsx",
    "xls": "pipeline.readers.office:read_xls",
    "doc": "pipeline.readers.office:read_doc",
    "wps": "pipeline.readers.office:read_wps",
}


def read_source(path: Path, root: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceDocument:
    """Read and decode one report file; never raises for bad input."""
    path = Path(path)
    doc = SourceDocument(
        doc_id=_doc_id(path, root),
        path=str(path),
        format=TEXT_SUFFIXES.get(path.suffix.lower(), "txt"),
    )
    try:
        raw = _read_bytes(path, max_bytes)
        doc.sha256 = hashlib.sha256(raw).hexdigest()
        if not raw:
            raise _Unreadable("empty", "empty file (0 bytes)")
        doc.format, refusal = sniff(raw, path.suffix)
        if refusal:
            raise _Unreadable("error", refusal)
        if doc.format in BINARY_READERS:
            module, _, function = BINARY_READERS[doc.format].partition(":")
            reader = getattr(importlib.import_module(module), function)
            doc.original, doc.tables, doc.page_starts = reader(raw)
            doc.text = doc.original
            if not doc.text.strip():
                raise _Unreadable("empty", f"{doc.format.upper()} file with no text")
            return doc
        doc.original, doc.encoding = _decode(raw)
        # A Markdown file may well start with HTML; any other file that does is a web page.
        if doc.format == "txt" and _HTML_START.match(doc.original):
            doc.format = "html"
        if doc.format == "html":
            doc.text, doc.text_map = _visible_text(doc.original)
            if not doc.text.strip():
                raise _Unreadable("empty", "HTML page with no visible text")
        else:
            doc.text = doc.original
            if not doc.text.strip():
                raise _Unreadable("empty", f"no text: only whitespace ({len(doc.original)} characters)")
    except _Unreadable as problem:
        doc.status, doc.error = problem.status, problem.message
    return doc


def _doc_id(path: Path, root: Path | None) -> str:
    """The path relative to `root` when it lies under it, else the file name."""
    if root is not None:
        # abspath, not resolve: a symlink under root keeps its place under root
        absolute, absolute_root = Path(os.path.abspath(path)), Path(os.path.abspath(root))
        if absolute != absolute_root and absolute.is_relative_to(absolute_root):
            return absolute.relative_to(absolute_root).as_posix()
    return path.name


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise _Unreadable("error", "is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise _Unreadable("error", "not a regular file (a pipe, socket or device)")
        size = info.st_size
        if size <= max_bytes:
            with path.open("rb") as file:
                raw = file.read(max_bytes + 1)  # the size stat reports can be stale or 0
            size = max(size, len(raw))
    except FileNotFoundError:
        raise _Unreadable("error", "file not found") from None
    except PermissionError:
        raise _Unreadable("error", "permission denied: cannot read the file") from None
    except OSError as exc:
        raise _Unreadable("error", f"cannot read the file: {exc.strerror or exc}") from None
    except ValueError as exc:  # a path no system call accepts, such as one with a NUL
        raise _Unreadable("error", f"invalid path: {exc}") from None
    if size > max_bytes:
        raise _Unreadable("error", f"file too large: {size:,} bytes, over the limit of {max_bytes:,} bytes")
    return raw


# --- encodings ---------------------------------------------------------------

# Byte-order marks, the UTF-32 LE mark before the UTF-16 LE mark it begins with.
_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
]

# Characters no text contains: the C0 controls but tab, line feed, vertical
# tab, form feed and carriage return; and DEL. In the ASCII-compatible
# encodings (UTF-8, GBK, Big5) these bytes are always these characters.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
_SNIFF_BYTES = 4096
_MAX_CONTROL_SHARE = 0.05


def _decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding) of the bytes, or _Unreadable."""
    decoded = _decode_by_bom(raw) or _utf16_without_bom(raw)
    if decoded:
        _reject_binary(decoded[0][:_SNIFF_BYTES], "characters")
        return decoded
    # Test the bytes before decoding: a binary file is "binary", not "undecodable".
    _reject_binary(raw[:_SNIFF_BYTES].decode("latin-1"), "bytes")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    legacy = _chinese_legacy_decoding(raw)
    if legacy:
        return legacy
    raise _Unreadable(
        "error", f"cannot decode the bytes: not UTF-8 ({utf8_error.reason} at byte {utf8_error.start}), "
        "UTF-16, GB18030 or Big5")


def _decode_by_bom(raw: bytes) -> tuple[str, str] | None:
    for bom, encoding, name in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise _Unreadable(
                    "error", f"starts with a {name} byte-order mark but is not valid {name}: "
                    f"{exc.reason} at byte {exc.start}") from None
    return None


def _utf16_without_bom(raw: bytes) -> tuple[str, str] | None:
    """UTF-16 with no byte-order mark. Its ASCII characters (line breaks,
    digits, spaces) put a NUL into every other byte -- the second byte of
    the pair in little-endian, the first in big-endian -- while the NULs of a
    binary file fall anywhere. (A CJK character can bring a NUL on the other
    side too, as 一 U+4E00 does; hence a majority, not all.)"""
    head = raw[:_SNIFF_BYTES]
    nul_first, nul_second = head[0::2].count(0), head[1::2].count(0)
    if len(raw) % 2 or not nul_first + nul_second:
        return None
    if nul_second >= 4 * nul_first:
        encoding = "utf-16-le"
    elif nul_first >= 4 * nul_second:
        encoding = "utf-16-be"
    else:
        return None
    try:
        return raw.decode(encoding), encoding
    except UnicodeDecodeError:
        return None


def _reject_binary(head: str, unit: str) -> None:
    """Reject a file whose first characters (or bytes) are not text."""
    if "\0" in head:
        raise _Unreadable("error", f"not valid text: contains NUL {unit} (a binary file?)")
    n_control = len(_CONTROL.findall(head))
    if n_control > _MAX_CONTROL_SHARE * len(head):
        raise _Unreadable(
            "error", f"not valid text: {n_control / len(head):.0%} of the first {len(head)} {unit} "
            "are control characters (a binary file?)")


def _is_everyday_gb(char: str) -> bool:
    """In GB2312's punctuation rows (A1, A3) or its first level of 3755 frequent hanzi."""
    try:
        code = char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return code[0] in (0xA1, 0xA3) or 0xB0 <= code[0] <= 0xD7


def _is_everyday_big5(char: str) -> bool:
    """In Big5's symbols (A140-A3BF) or its first level of 5401 frequent hanzi (to C67E)."""
    try:
        code = char.encode("big5")
    except UnicodeEncodeError:
        return False
    return b"\xa1\x40" <= code <= b"\xc6\x7e"


# The pre-Unicode Chinese encodings and a test for the everyday characters of
# each. gb18030 decodes GB2312 and GBK too (supersets); big5hkscs is Big5 as
# web browsers read it.
_LEGACY_ENCODINGS = {"gb18030": _is_everyday_gb, "big5hkscs": _is_everyday_big5}


def _chinese_legacy_decoding(raw: bytes) -> tuple[str, str] | None:
    """The legacy decoding in which most characters are everyday ones.

    GBK and Big5 share their byte ranges, so the same bytes often decode
    without error both ways; read the wrong way they give rare characters.
    (charset-normalizer's guesses were measured and rejected here: on short
    GBK text it often prefers Big5 or UTF-16, and it drops valid long texts
    that contain box-drawing dashes.) Ties go to gb18030, the mainland default."""
    best: tuple[float, str, str] | None = None
    for encoding, is_everyday in _LEGACY_ENCODINGS.items():
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        sample = _NON_ASCII.findall(text, 0, 4 * _SNIFF_BYTES)
        share = sum(map(is_everyday, sample)) / len(sample) if sample else 1.0
        if best is None or share > best[0]:
            best = (share, text, encoding)
    return best[1:] if best else None


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


# --- HTML --------------------------------------------------------------------

_HTML_START = re.compile(r"\s*<(?:!doctype\s+html|html)\b", re.IGNORECASE)

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


def _visible_text(source: str) -> tuple[str, TextMap]:
    """The text of an HTML page as a browser shows it, and its map to `source`."""
    parser = _VisibleTextParser(source)
    try:
        parser.feed(source)
        parser.close()
    except AssertionError as exc:  # html.parser's complaint about a malformed <! declaration
        raise _Unreadable("error", f"cannot parse the HTML: {exc}") from None
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
