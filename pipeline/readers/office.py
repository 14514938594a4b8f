"""Word and Excel files -> the text the reader builds, and its tables.

Each reader takes the file's bytes and returns (original, tables,
page_starts), or raises Unreadable:

- DOCX (python-docx): paragraphs and tables in body order; a table cell's
  gridSpan is its colspan, a vMerge run its rowspan; rows marked as repeated
  header rows (w:tblHeader) are its header.
- DOC and WPS (legacy Word, WPS Writer): converted to DOCX by LibreOffice
  when it is installed (`soffice` on PATH), then read as DOCX; without it,
  refused with the command that converts them.
- XLSX (openpyxl) and XLS (xlrd): one table per sheet, its grid from A1 (so
  row r, col c is the sheet's cell at column c+1, row r+1: 表一!C4 is
  (3, 2)), merged ranges as spans, numbers as numbers (Cell.value) shown as
  the number format shows them: a percent format shows 12.5%, and the value
  is then 12.5 (in the text's unit, not rounded as the text is); 0"件"
  shows 12件. A formula gives the value Excel
  last computed and saved (nothing, for a file saved by a program that
  does not compute). Tables stacked on one sheet, blank rows between, are
  tables of their own.

The text (see builder.py): DOCX paragraphs one per line, a table row by
row; a workbook sheet by sheet, each sheet's name on a line before its rows.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from pipeline.readers.builder import CellDraft, TextBuilder, check_cell_count, failures_named
from pipeline.readers.sniff import CONVERT, ole_streams
from pipeline.readers.text import Unreadable
from schemas.table import Table

Read = tuple[str, list[Table], list[int]]

# A DOCX or XLSX is a ZIP of XML parts: refuse one that unpacks to more than
# this, or whose big members are compressed far past what XML reaches (a zip bomb).
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
_RATIO_CHECKED_FROM_BYTES = 10 * 1024 * 1024


def _check_zip(raw: bytes, kind: str) -> None:
    """Refuse a damaged ZIP, or one whose members would unpack into too much.

    The sizes are the ones the archive declares; zipfile never unpacks a
    member past its declared size, so they bound what reading can cost."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        raise Unreadable("error", f"corrupt {kind} file: not a readable ZIP container ({exc})") from None
    total = sum(member.file_size for member in members)
    if total > MAX_UNZIPPED_BYTES:
        raise Unreadable("error", f"{kind} file unpacks to {total:,} bytes, over the limit of "
                         f"{MAX_UNZIPPED_BYTES:,} bytes (a zip bomb?)")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= _RATIO_CHECKED_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise Unreadable("error", f"{kind} file member {member.filename} is compressed {ratio:,.0f}:1 "
                             f"({member.file_size:,} bytes unpacked), past the limit of "
                             f"{MAX_COMPRESSION_RATIO}:1 (a zip bomb?)")


# --- DOCX --------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(raw: bytes) -> Read:
    _check_zip(raw, "DOCX")
    import docx  # python-docx, imported with the first Word file
    from docx.opc.exceptions import PackageNotFoundError

    builder = TextBuilder()
    with failures_named("DOCX"):
        try:
            document = docx.Document(io.BytesIO(raw))
        except (PackageNotFoundError, KeyError, ValueError):
            raise Unreadable("error", "corrupt DOCX file: a ZIP without a Word document in it") from None
        for block in _body_blocks(document.element.body):
            if block.tag == f"{_W}p":
                builder.line(_run_text(block))
            else:
                _docx_table(builder, block)
    return builder.text(), builder.tables, []


CONVERT_TIMEOUT_SECONDS = 120


def read_doc(raw: bytes) -> Read:
    return _converted_to_docx(raw, ".doc", "a legacy Word document (.doc)")


def read_wps(raw: bytes) -> Read:
    return _converted_to_docx(raw, ".wps", "a WPS Writer document (.wps)")


def _converted_to_docx(raw: bytes, suffix: str, what: str) -> Read:
    """Read a legacy word-processor file through LibreOffice's DOCX export.

    Each conversion gets a profile folder of its own, so worker processes
    converting at once do not share (and lock) one."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not ole_streams(raw):  # LibreOffice would import the bytes as plain text
        raise Unreadable("error", f"{what}: damaged (not a readable OLE2 compound file)")
    if soffice is None:
        raise Unreadable("error", f"{what}: it is read only when LibreOffice is installed (to convert it); "
                         f"{CONVERT.format(target='docx')}")
    with tempfile.TemporaryDirectory(prefix="zhfig-convert-") as folder:
        source = Path(folder) / f"document{suffix}"
        source.write_bytes(raw)
        command = [soffice, f"-env:UserInstallation={Path(folder, 'profile').as_uri()}", "--headless",
                   "--convert-to", "docx", "--outdir", folder, str(source)]
        # a session of its own: soffice starts soffice.bin, which a timeout must stop too
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              start_new_session=True) as process:
            try:
                out, err = process.communicate(timeout=CONVERT_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
                raise Unreadable("error", f"{what}: LibreOffice did not convert it within "
                                 f"{CONVERT_TIMEOUT_SECONDS} s") from None
        converted = source.with_suffix(".docx")
        if not converted.exists():
            said = (err or out).strip().splitlines()
            raise Unreadable("error", f"{what}: LibreOffice could not convert it (damaged, or password-protected?)"
                             + (f": {said[-1]}" if said else ""))
        return read_docx(converted.read_bytes())


def _body_blocks(parent: Any):
    """The paragraphs and tables of the body (or of a content control in it), in order."""
    for child in parent.iterchildren():
        if child.tag in (f"{_W}p", f"{_W}tbl"):
            yield child
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _body_blocks(content)


# Subtrees that repeat text shown elsewhere: the older markup Word writes
# beside a text box (mc:Fallback), the place a tracked move came from.
_REPEATED = {"{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback", f"{_W}moveFrom"}


def _run_text(element: Any) -> str:
    """The text of a paragraph or a cell: its runs' text (text boxes' too, once),
    tabs and breaks, a line break after each paragraph; no deleted text
    (w:delText) or field codes (w:instrText)."""
    from lxml import etree

    pieces: list[str] = []
    walker = etree.iterwalk(element, events=("start", "end"))
    for event, node in walker:
        if event == "start":
            if node.tag in _REPEATED:
                walker.skip_subtree()
            elif node.tag == f"{_W}t" and node.text:
                pieces.append(node.text)
            elif node.tag == f"{_W}tab":
                pieces.append("\t")
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                pieces.append("\n")
        elif node.tag == f"{_W}p":
            pieces.append("\n")
    return "".join(pieces)


def _row_cells(row: Any):
    """A table row's cells, those inside a content control too (not a nested table's:
    their text is in the outer cell's)."""
    for child in row.iterchildren():
        if child.tag == f"{_W}tc":
            yield child
        elif child.tag == f"{_W}sdt" and (content := child.find(f"{_W}sdtContent")) is not None:
            yield from content.iterchildren(f"{_W}tc")


def _docx_table(builder: TextBuilder, table: Any) -> None:
    drafts: list[CellDraft] = []
    open_merges: dict[int, CellDraft] = {}  # grid column -> the cell a vMerge run began with
    n_cols = 0
    rows = table.findall(f"{_W}tr")
    for row_index, row in enumerate(rows):
        properties = row.find(f"{_W}trPr")
        is_header = properties is not None and properties.find(f"{_W}tblHeader") is not None
        column = row.grid_before
        for cell in _row_cells(row):
            span = max(cell.grid_span, 1)
            merge = cell.vMerge
            if merge == "continue" and column in open_merges:
                open_merges[column].rowspan = row_index - open_merges[column].row + 1
            else:
                draft = CellDraft(row=row_index, col=column, text=_run_text(cell), colspan=span,
                                  is_header=is_header)
                drafts.append(draft)
                for covered in range(column, column + span):
                    open_merges.pop(covered, None)
                if merge == "restart":
                    open_merges[column] = draft
            column += span
        n_cols = max(n_cols, column)
    builder.table(drafts, n_rows=len(rows), n_cols=n_cols, source="docx")


# --- workbooks ---------------------------------------------------------------

# A number format's tokens: quoted literal text, an escaped character, a
# [colour]/[condition]/[$currency] part, a digit placeholder, anything else.
_FORMAT_TOKEN = re.compile(r'"(?P<quoted>[^"]*)"|\\(?P<escaped>.)|\[[^\]]*\]|(?P<digit>[0#?])|.', re.DOTALL)


def _displayed(number: float, number_format: str) -> tuple[str, float]:
    """A stored number as its format shows it, and the number in the text's
    unit (a percent ×100), not rounded as the text is.

    Kept: what changes the reading: percent (×100, with a %), the count of
    decimals, and literal text around the number (0"件" shows 12件). Left
    out: thousands separators and currency signs."""
    tokens = list(_FORMAT_TOKEN.finditer(number_format.split(";")[0]))
    digits = [i for i, token in enumerate(tokens) if token.group("digit")]
    plain = "".join(token.group() for token in tokens
                    if token.group("quoted") is None and token.group("escaped") is None)
    decimals = len(match.group(1)) if (match := re.search(r"\.([0#?]+)", plain)) else None
    if "%" in plain:
        shown = round(number * 100, 10)
        text = f"{shown:.{decimals or 0}f}%"
    else:
        shown = float(number)
        text = f"{number:.{decimals}f}" if decimals is not None else _general(number)
    if digits:
        def literal(part: list[re.Match]) -> str:
            return "".join(token.group("quoted") or token.group("escaped") or "" for token in part)
        text = literal(tokens[:digits[0]]) + text + literal(tokens[digits[-1] + 1:])
    return text, shown


def _general(number: float) -> str:
    """Excel's General format, without its switch to exponents."""
    if float(number).is_integer():
        return str(int(number))
    text = f"{number:.15g}"
    return f"{number:.15f}".rstrip("0") if "e" in text else text


def _workbook_cell(value: Any, number_format: str) -> tuple[str, float | None]:
    """(text, value) of one workbook cell's stored value."""
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), None
    if isinstance(value, (int, float)):
        return _displayed(value, number_format)
    if isinstance(value, dt.datetime):
        return (value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")), None
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat(), None
    return str(value), None


def _sheet_tables(builder: TextBuilder, name: str, values: dict[tuple[int, int], tuple[str, float | None]],
                  merges: list[tuple[int, int, int, int]], source: str) -> None:
    """One sheet: its cells {(row, col): (text, value)} from 0 and its merged
    ranges (first row, first col, last row + 1, last col + 1); a table for
    each block of rows between blank ones (two tables stacked on one sheet),
    a block with no number going with the block below it (a title or a
    header set apart by a blank row)."""
    drafts: dict[tuple[int, int], CellDraft] = {
        position: CellDraft(row=position[0], col=position[1], text=text, value=value)
        for position, (text, value) in values.items() if text}
    for first_row, first_col, end_row, end_col in merges:
        for position in [(r, c) for r in range(first_row, end_row) for c in range(first_col, end_col)][1:]:
            drafts.pop(position, None)  # a covered cell's leftover value, which Excel does not show
        top_left = drafts.setdefault((first_row, first_col), CellDraft(row=first_row, col=first_col, text=""))
        top_left.rowspan, top_left.colspan = end_row - first_row, end_col - first_col
    if not any(draft.text for draft in drafts.values()):
        return
    builder.line(name)
    for block in _row_blocks(list(drafts.values())):
        n_rows = max(draft.row + draft.rowspan for draft in block)
        n_cols = max(draft.col + draft.colspan for draft in block)
        builder.table(block, n_rows=n_rows, n_cols=n_cols, source=source, sheet=name)


def _row_blocks(drafts: list[CellDraft]) -> list[list[CellDraft]]:
    """The cells in runs of rows that blank rows part; a run with no number joins the next."""
    drafts.sort(key=lambda draft: (draft.row, draft.col))
    runs: list[list[CellDraft]] = []
    covered_to = -1  # the last row the current run covers
    for draft in drafts:
        if draft.row > covered_to + 1 or not runs:
            runs.append([])
        runs[-1].append(draft)
        covered_to = max(covered_to, draft.row + draft.rowspan - 1)
    blocks: list[list[CellDraft]] = []
    pending: list[CellDraft] = []
    for run in runs:
        pending += run
        if any(draft.states_number for draft in run):
            blocks.append(pending)
            pending = []
    if pending:
        blocks.append(pending)  # text below the last table: notes (注：…, 填报说明)
    return blocks


def read_xlsx(raw: bytes) -> Read:
    _check_zip(raw, "XLSX")
    import openpyxl  # imported with the first workbook
    from openpyxl.utils.exceptions import InvalidFileException

    builder = TextBuilder()
    with failures_named("XLSX"):
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(raw), data_only=True)
        except (InvalidFileException, KeyError, OSError):  # OSError: "File contains no valid workbook part"
            raise Unreadable("error", "corrupt XLSX file: a ZIP without an Excel workbook in it") from None
        check_cell_count(sum(cell.value is not None for sheet in workbook.worksheets for cell in sheet._cells.values()),
                         "XLSX")
        for sheet in workbook.worksheets:
            # sheet._cells holds the cells the file has; the public iterators make
            # every position of the used range, which a stray formatted cell far
            # down can make millions.
            values = {(row - 1, col - 1): _workbook_cell(cell.value, cell.number_format)
                      for (row, col), cell in sheet._cells.items() if cell.value is not None}
            merges = [(r.min_row - 1, r.min_col - 1, r.max_row, r.max_col) for r in sheet.merged_cells.ranges]
            _sheet_tables(builder, sheet.title, values, merges, "xlsx")
    return builder.text(), builder.tables, []


def read_xls(raw: bytes) -> Read:
    import xlrd  # imported with the first legacy workbook
    from xlrd.compdoc import CompDocError

    builder = TextBuilder()
    with failures_named("XLS"):
        try:
            book = xlrd.open_workbook(file_contents=raw, formatting_info=True, on_demand=True)
        except (xlrd.XLRDError, CompDocError) as exc:
            if "encrypted" in str(exc).lower():
                raise Unreadable("error", "encrypted XLS file (password-protected): remove the password "
                                 "and save it again") from None
            raise Unreadable("error", f"corrupt XLS file: {exc}") from None
        try:
            for index in range(book.nsheets):
                sheet = book.sheet_by_index(index)
                check_cell_count(builder.n_cells + sheet.nrows * sheet.ncols, "XLS")  # before reading them
                values = {}
                for row in range(sheet.nrows):
                    for col, cell in enumerate(sheet.row(row)):
                        stored = _xls_value(book, cell)
                        if stored is not None:
                            values[(row, col)] = _workbook_cell(stored, _xls_format(book, cell))
                merges = [(rlo, clo, rhi, chi) for rlo, rhi, clo, chi in sheet.merged_cells]
                _sheet_tables(builder, sheet.name, values, merges, "xls")
                book.unload_sheet(index)
        finally:
            book.release_resources()
    return builder.text(), builder.tables, []


def _xls_value(book: Any, cell: Any) -> Any:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate_as_datetime(cell.value, book.datemode)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    return cell.value


def _xls_format(book: Any, cell: Any) -> str:
    fmt = book.format_map.get(book.xf_list[cell.xf_index].format_key) if cell.xf_index is not None else None
    return fmt.format_str if fmt is not None else "General"
