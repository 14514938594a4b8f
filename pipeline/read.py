"""Stage 1, read: one file on disk -> SourceDocument.

Reads the bytes, decides the format, and hands the bytes to that format's
reader (pipeline/readers/): text files are decoded unchanged into
`original`; an HTML page also gets its visible text with a map from every
character of it back to the source; the tables found (HTML grids, flattened
tables in text) come along as cell spans of `original`. Bad input never raises: it comes back
as a document with status "error" or "empty" and a message that says what
was wrong.
"""
from __future__ import annotations

import hashlib
import importlib
import os
import stat
from pathlib import Path

from pipeline.readers import flat_tables, html
from pipeline.readers.sniff import sniff
from pipeline.readers.text import Unreadable, decode
from schemas.document import SourceDocument

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_FORMATS = {
    ".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
    ".pdf": "pdf", ".xlsx": "xlsx", ".xls": "xls", ".docx": "docx",
}

# The binary formats' readers, imported when a file of the format comes: each
# takes the file's bytes and returns (original, tables, page_starts), or
# raises readers.text.Unreadable.
BINARY_READERS = {
    "pdf": "pipeline.readers.pdf:read_pdf",
    "xlsx": "pipeline.readers.office:read_xlsx",
    "xls": "pipeline.readers.office:read_xls",
    "docx": "pipeline.readers.office:read_docx",
    "doc": "pipeline.readers.office:read_doc",
    "wps": "pipeline.readers.office:read_wps",
}


def read_source(path: Path, root: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceDocument:
    """Read and decode one report file; never raises for bad input."""
    path = Path(path)
    doc = SourceDocument(doc_id=_doc_id(path, root), path=str(path), format=_FORMATS.get(path.suffix.lower(), "txt"))
    try:
        raw = _read_bytes(path, max_bytes)
        doc.sha256 = hashlib.sha256(raw).hexdigest()
        if not raw:
            raise Unreadable("empty", "empty file (0 bytes)")
        # the magic bytes first, then the suffix (readers/sniff.py); a format not read is refused
        doc.format, refusal = sniff(raw, path.suffix)
        if refusal:
            raise Unreadable("error", refusal)
        if doc.format in BINARY_READERS:
            _read_binary(doc, raw)
        else:
            _read_text(doc, raw)
    except Unreadable as problem:
        doc.status, doc.error = problem.status, problem.message
    return doc


def _read_text(doc: SourceDocument, raw: bytes) -> None:
    doc.original, doc.encoding = decode(raw)
    # A Markdown file may well start with HTML; any other file that does is a web page.
    if doc.format == "txt" and html.HTML_START.match(doc.original):
        doc.format = "html"
    if doc.format == "html":
        doc.text, doc.text_map, doc.tables = html.read_html(doc.original)
        if not doc.text.strip():
            raise Unreadable("empty", "HTML page with no visible text")
    else:
        doc.text = doc.original
        if not doc.text.strip():
            raise Unreadable("empty", f"no text: only whitespace ({len(doc.original)} characters)")
        doc.tables = flat_tables.find_tables(doc.text)


def _read_binary(doc: SourceDocument, raw: bytes) -> None:
    module_name, _, function = BINARY_READERS[doc.format].partition(":")
    try:
        reader = getattr(importlib.import_module(module_name), function)
    except ModuleNotFoundError as missing:
        if missing.name and module_name.startswith(missing.name):
            raise Unreadable("error", f"no reader for {doc.format.upper()} files yet") from None
        raise Unreadable("error", f"cannot read {doc.format.upper()} files: the {missing.name} package is not installed") from None
    except AttributeError:
        raise Unreadable("error", f"no reader for {doc.format.upper()} files yet") from None
    doc.original, doc.tables, doc.page_starts = reader(raw)
    doc.text = doc.original
    if not doc.text.strip():
        raise Unreadable("empty", f"{doc.format.upper()} file with no text")


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
            raise Unreadable("error", "is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("error", "not a regular file (a pipe, socket or device)")
        size = info.st_size
        if size <= max_bytes:
            with path.open("rb") as file:
                raw = file.read(max_bytes + 1)  # the size stat reports can be stale or 0
            size = max(size, len(raw))
    except FileNotFoundError:
        raise Unreadable("error", "file not found") from None
    except PermissionError:
        raise Unreadable("error", "permission denied: cannot read the file") from None
    except OSError as exc:
        raise Unreadable("error", f"cannot read the file: {exc.strerror or exc}") from None
    except ValueError as exc:  # a path no system call accepts, such as one with a NUL
        raise Unreadable("error", f"invalid path: {exc}") from None
    if size > max_bytes:
        raise Unreadable("error", f"file too large: {size:,} bytes, over the limit of {max_bytes:,} bytes")
    return raw
