"""PDF -> the text of its text layer, page by page, and its ruled tables.

pdfplumber (on pdfminer.six) gives every character with its position and
finds tables from their ruling lines. On each page the text outside the
tables comes line by line, each table at its place among the lines (row by
row, cells joined by tabs: see builder.py), and `page_starts` records where
each page's text begins. A merged cell's rowspan/colspan come from how many
of the table's column and row edges its box covers.

Characters drawn twice a hair apart (a heading made bold by overprinting)
are read once. A glyph whose font maps it to no character comes out of
pdfminer as "(cid:123)"; it is dropped, since its digits are not the
report's. No OCR: a PDF of scanned images has no text layer, and one whose
fonts map no glyph to a character has none that can be read; both are
refused. A file that would take too long is stopped: at most MAX_PAGES
pages, and the clock is read after every page.
"""
from __future__ import annotations

import io
import re
import time
from bisect import bisect_left
from typing import Any

from pipeline.readers.builder import CellDraft, TextBuilder, failures_named
from pipeline.readers.text import Unreadable
from schemas.table import Table

MAX_PAGES = 2000
TIME_LIMIT_SECONDS = 60.0
_UNMAPPED_GLYPH = re.compile(r"\(cid:\d+\)")
_COLUMN_GAP_CHARS = 2  # a gap between words wider than two characters (of their height) parts columns


def read_pdf(raw: bytes, time_limit: float = TIME_LIMIT_SECONDS) -> tuple[str, list[Table], list[int]]:
    import pdfplumber  # imported with the first PDF: it brings pdfminer, PIL and pypdfium2
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    started = time.monotonic()
    builder = _PdfText()
    page_starts: list[int] = []
    with failures_named("PDF"):
        try:
            with pdfplumber.open(io.BytesIO(raw)) as pdf:
                n_pages = len(pdf.pages)
                if n_pages > MAX_PAGES:
                    raise Unreadable("error", f"PDF of {n_pages:,} pages, over the limit of {MAX_PAGES:,} pages")
                for number, page in enumerate(pdf.pages, start=1):
                    page_starts.append(builder.length)
                    _read_page(builder, page, number)
                    page.close()  # drop the page's parsed objects; a long PDF holds one page at a time
                    elapsed = time.monotonic() - started
                    if elapsed > time_limit and number < n_pages:
                        raise Unreadable("error", f"PDF parsing stopped after {elapsed:.0f} s at page {number} of "
                                         f"{n_pages} (the limit is {time_limit:.0f} s per document)")
        except PdfminerException as exc:  # what pdfminer raised opening the file
            cause = exc.args[0] if exc.args else exc
            if isinstance(cause, PDFPasswordIncorrect):
                raise Unreadable("error", "encrypted PDF: it opens only with a password (remove the protection "
                                 "and save it again)") from None
            raise Unreadable("error", f"corrupt PDF: {type(cause).__name__}: {cause}") from None
    text = builder.text()
    pages = f"PDF of {len(page_starts)} page{'s' * (len(page_starts) != 1)}"
    if not text.strip() and builder.unmapped:
        raise Unreadable("error", f"{pages} whose fonts map none of its {builder.unmapped:,} glyphs to characters "
                         "(no ToUnicode map): no text can be read (OCR is not supported)")
    if not text.strip():
        raise Unreadable("error", f"{pages} with no text layer (a scanned image? OCR is not supported)")
    return text, builder.tables, page_starts


class _PdfText(TextBuilder):
    """The builder, counting and dropping the glyphs no font maps to a character."""

    def __init__(self) -> None:
        super().__init__()
        self.unmapped = 0

    def mapped(self, text: str) -> str:
        if "(cid:" not in text:
            return text
        text, n = _UNMAPPED_GLYPH.subn("", text)
        self.unmapped += n
        return text


def _read_page(builder: _PdfText, page: Any, number: int) -> None:
    """The page's lines and tables, top to bottom."""
    page = page.dedupe_chars()
    tables = sorted(filter(_is_grid, page.find_tables()), key=lambda table: table.bbox[1])
    boxes = [table.bbox for table in tables]
    tops = [box[1] for box in boxes]

    def band(char: dict) -> int:
        """How many tables begin above the character: where it stands among them."""
        return bisect_left(tops, (char["top"] + char["bottom"]) / 2)

    def outside_tables(obj: dict) -> bool:
        if obj.get("object_type") != "char":
            return True
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    if not tables:
        _add_lines(builder, page)
        return
    prose = page.filter(outside_tables)
    for index, table in enumerate([*tables, None]):
        _add_lines(builder, prose.filter(lambda obj, k=index: obj.get("object_type") != "char" or band(obj) == k))
        if table is not None:
            _add_table(builder, table, number)


def _is_grid(table: Any) -> bool:
    """Two rows and two columns at least: a frame drawn round a page, a box
    round a paragraph, a ruled list is text, not a table."""
    return len({cell[0] for cell in table.cells}) >= 2 and len({cell[1] for cell in table.cells}) >= 2


def _add_lines(builder: _PdfText, page: Any) -> None:
    """The page's words line by line, top to bottom: a space between words
    a small gap apart, a tab where the gap is a column's (wider than two
    characters), so a table drawn without lines keeps its columns."""
    from pdfplumber.utils import cluster_objects

    words = page.extract_words(x_tolerance=3, y_tolerance=3)
    for line in cluster_objects(words, lambda word: word["top"], tolerance=3):
        line.sort(key=lambda word: word["x0"])
        pieces = [line[0]["text"]]
        for before, word in zip(line, line[1:]):
            gap = word["x0"] - before["x1"]
            pieces.append("\t" if gap > _COLUMN_GAP_CHARS * (word["bottom"] - word["top"]) else " ")
            pieces.append(word["text"])
        builder.line(builder.mapped("".join(pieces)))


def _add_table(builder: _PdfText, table: Any, page_number: int) -> None:
    """The table's cells by their boxes: a box covering k column edges spans k columns."""
    column_edges = sorted({round(cell[0], 1) for cell in table.cells})
    row_edges = sorted({round(cell[1], 1) for cell in table.cells})

    def covered(edges: list[float], low: float, high: float) -> int:
        return max(1, sum(1 for edge in edges if round(low, 1) <= edge < round(high, 1) - 0.5))

    drafts = []
    for row, texts in zip(table.rows, table.extract()):
        for box, text in zip(row.cells, texts):
            if box is None:
                continue
            x0, top, x1, bottom = box
            drafts.append(CellDraft(
                row=bisect_left(row_edges, round(top, 1)), col=bisect_left(column_edges, round(x0, 1)),
                rowspan=covered(row_edges, top, bottom), colspan=covered(column_edges, x0, x1),
                text=builder.mapped(text or "")))
    builder.table(drafts, n_rows=len(row_edges), n_cols=len(column_edges), source="pdf", page=page_number)
