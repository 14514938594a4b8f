"""read_source on binary files, named rightly or wrongly: the format the bytes
say, the reader's text and tables in the document, and one status and
message for every file that is not read; then figures from a PDF and a
workbook grounded in the text the reader built."""
from __future__ import annotations

import io
import shutil
import subprocess

import pytest

from binary_fixtures import (legacy_xls, ole2_file, png_image, report_docx, report_pdf, scanned_pdf, workbook_xlsx,
                             zip_bomb_xlsx)
from extractors.ner import get_backend
from pipeline.read import read_source
from pipeline.runner import process_file


def _write(tmp_path, name, raw):
    path = tmp_path / name
    path.write_bytes(raw)
    return path


@pytest.mark.parametrize(("name", "build", "format_", "n_tables", "page_starts"), [
    ("report.pdf", report_pdf, "pdf", 1, [0, 81]),
    ("report.html", report_pdf, "pdf", 1, [0, 81]),  # misnamed: the bytes decide
    ("报告.docx", report_docx, "docx", 1, []),
    ("数据.doc", workbook_xlsx, "xlsx", 2, []),
    ("旧表.xls", legacy_xls, "xls", 1, []),
])
def test_binary_documents_are_read_by_their_bytes(tmp_path, name, build, format_, n_tables, page_starts):
    doc = read_source(_write(tmp_path, name, build()))
    assert (doc.status, doc.error, doc.format) == ("ok", "", format_)
    assert doc.text == doc.original and doc.text_map is None
    assert (len(doc.tables), doc.page_starts) == (n_tables, page_starts)
    for table in doc.tables:
        for cell in table.cells:
            assert doc.original[cell.start:cell.end] == cell.text


@pytest.mark.parametrize(("name", "raw", "status", "format_", "error"), [
    ("scan.pdf", scanned_pdf, "error", "pdf", "PDF of 1 page with no text layer (a scanned image? OCR is not supported)"),
    ("photo.jpg", png_image, "error", "png", "a PNG image: images are not supported (OCR is not supported)"),
    ("bomb.xlsx", lambda: zip_bomb_xlsx(210), "error", "xlsx",
     "XLSX file unpacks to 220,201,075 bytes, over the limit of 209,715,200 bytes (a zip bomb?)"),
    ("broken.docx", lambda: b"PK\x03\x04" + b"junk" * 50, "error", "docx",
     "corrupt DOCX file: not a readable ZIP container (File is not a zip file)"),
    ("locked.docx", lambda: ole2_file(["EncryptionInfo", "EncryptedPackage"]), "error", "encrypted-office",
     "an encrypted (password-protected) Office file: remove the password and save it again"),
], ids=["scanned", "image", "zip-bomb", "corrupt-docx", "encrypted-docx"])
def test_files_not_read_get_a_status_and_a_message(tmp_path, name, raw, status, format_, error):
    doc = read_source(_write(tmp_path, name, raw()))
    assert (doc.status, doc.format, doc.error, doc.original, doc.tables) == (status, format_, error, "", [])
    assert doc.sha256  # the bytes were read: the file is accounted for


def test_workbook_without_cells_is_empty(tmp_path):
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    doc = read_source(_write(tmp_path, "blank.xlsx", buffer.getvalue()))
    assert (doc.status, doc.error) == ("empty", "XLSX file with no text")


def test_pdf_figures_are_grounded_in_the_built_text(tmp_path):
    doc = process_file(_write(tmp_path, "report.pdf", report_pdf()), tmp_path, get_backend("jieba"))
    assert doc.status == "ok"
    found = {(figure.text, figure.value) for figure in doc.figures}
    assert {("1234件", 1234.0), ("56.7万元", 567000.0)} <= found
    for figure in doc.figures:
        assert doc.original[figure.start:figure.end] == figure.text
    pages = {figure.text: figure.page for figure in doc.figures}
    assert (pages["1234件"], pages["56.7万元"]) == (1, 2)


def test_legacy_word_without_libreoffice_says_how_to_convert(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice on it
    doc = read_source(_write(tmp_path, "old.doc", ole2_file(["WordDocument", "1Table"])))
    assert (doc.status, doc.format, doc.error) == (
        "error", "doc", "a legacy Word document (.doc): it is read only when LibreOffice is installed (to convert "
        "it); convert it with `libreoffice --headless --convert-to docx` (or Save As docx in WPS or Office)")


SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: .doc files are refused")
def test_legacy_word_is_read_through_libreoffice(tmp_path):
    docx_file = _write(tmp_path, "report.docx", report_docx())
    subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "doc", "--outdir", str(tmp_path / "doc"), str(docx_file)],
                   check=True, capture_output=True, timeout=120)
    doc = read_source(tmp_path / "doc" / "report.doc")
    assert (doc.status, doc.format) == ("ok", "doc")
    assert doc.original == read_source(docx_file).original
    (table,) = doc.tables
    assert [(c.row, c.col, c.rowspan, c.colspan, c.text) for c in table.cells][:3] == [
        (0, 0, 2, 1, "项目"), (0, 1, 1, 2, "行政处罚"), (0, 3, 2, 1, "合计")]


def test_damaged_legacy_word_is_not_converted(tmp_path):
    doc = read_source(_write(tmp_path, "damaged.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"junk" * 100))
    assert (doc.status, doc.format, doc.error) == (
        "error", "doc", "a legacy Word document (.doc): damaged (not a readable OLE2 compound file)")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: .doc files are refused")
def test_legacy_word_conversion_past_its_time_limit_is_stopped(tmp_path, monkeypatch):
    from pipeline.readers import office

    monkeypatch.setattr(office, "CONVERT_TIMEOUT_SECONDS", 0.05)
    doc = read_source(_write(tmp_path, "slow.doc", ole2_file(["WordDocument", "1Table"])))
    assert (doc.status, doc.error) == ("error", "a legacy Word document (.doc): LibreOffice did not convert it "
                                                "within 0.05 s")
