"""The format from the magic bytes first, then the suffix; and what a
recognised file that is not read is told."""
from __future__ import annotations

import gzip

import pytest

from binary_fixtures import legacy_xls, ole2_file, png_image, report_docx, report_pdf, workbook_xlsx, zip_with
from pipeline.readers.sniff import Sniffed, sniff

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CONVERT_TO_DOCX = "convert it with `libreoffice --headless --convert-to docx` (or Save As docx in WPS or Office)"


@pytest.mark.parametrize(("raw", "suffix", "expected"), [
    # the bytes decide, whatever the name says
    (report_pdf, ".html", Sniffed("pdf")),
    (lambda: b"\r\n" + report_pdf(), ".pdf", Sniffed("pdf")),  # junk before %PDF- is allowed
    (report_docx, ".wps", Sniffed("docx")),
    (workbook_xlsx, ".doc", Sniffed("xlsx")),
    (workbook_xlsx, "", Sniffed("xlsx")),
    (legacy_xls, ".doc", Sniffed("xls")),  # an OLE2 file with a Workbook stream
    (legacy_xls, ".et", Sniffed("xls")),
    (lambda: ole2_file(["Workbook"]), ".bin", Sniffed("xls")),
    (lambda: ole2_file(["Book"]), ".doc", Sniffed("xls")),  # Excel 5's stream name
    # legacy Word and WPS Writer: read through LibreOffice where it is installed (test_read_formats.py)
    (lambda: ole2_file(["WordDocument", "1Table"]), ".bin", Sniffed("doc")),
    (lambda: ole2_file(["WordDocument"]), ".wps", Sniffed("wps")),
    (lambda: OLE2 + b"junk" * 100, ".doc", Sniffed("doc")),  # damaged: the suffix tells
    (lambda: OLE2 + b"junk" * 100, ".WPS", Sniffed("wps")),
    # no magic bytes: text, of the format the suffix names
    (lambda: "行政处罚854045件".encode(), ".txt", Sniffed("txt")),
    (lambda: "<p>行政处罚</p>".encode(), ".htm", Sniffed("html")),
    (lambda: "# 报告".encode(), ".MD", Sniffed("md")),
    (lambda: "<html>页面不存在</html>".encode(), ".pdf", Sniffed("txt")),  # an error page saved as .pdf
    (lambda: b"BMW 7 series", ".txt", Sniffed("txt")),  # "BM" alone does not make a bitmap
    (lambda: "<p>附件为%PDF-1.4格式</p>".encode(), ".html", Sniffed("html")),  # a page that names a PDF
    # a damaged package keeps the format its name promises, so its reader says it is damaged
    (lambda: b"PK\x03\x04" + b"junk" * 50, ".xlsx", Sniffed("xlsx")),
    (lambda: zip_with({"notes.txt": b"x"}), ".docx", Sniffed("docx")),
    (lambda: zip_with({"word/document.xml": b"<w:document/>"}), ".bin", Sniffed("docx")),  # no content types
], ids=["pdf-as-html", "pdf-after-junk", "docx-as-wps", "xlsx-as-doc", "xlsx-no-suffix", "xls-as-doc", "xls-as-et",
        "ole-workbook", "ole-book", "ole-word", "ole-wps", "damaged-doc", "damaged-wps",
        "text", "html", "markdown", "error-page-as-pdf", "text-starting-BM", "page-naming-pdf", "corrupt-xlsx", "zip-named-docx", "main-part-only"])
def test_formats_read(raw, suffix, expected):
    assert sniff(raw(), suffix) == expected


@pytest.mark.parametrize(("raw", "suffix", "expected"), [
    (png_image, ".pdf", ("png", "a PNG image: images are not supported (OCR is not supported)")),
    (lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF", ".jpg", ("jpeg", "a JPEG image: images are not supported (OCR is not supported)")),
    (lambda: b"GIF89a\x01\x00", "", ("gif", "a GIF image: images are not supported (OCR is not supported)")),
    (lambda: b"II*\x00\x08\x00", ".tif", ("tiff", "a TIFF image: images are not supported (OCR is not supported)")),
    (lambda: b"BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36", ".bmp", ("bmp", "a BMP image: images are not supported (OCR is not supported)")),
    (lambda: b"RIFF\x24\x00\x00\x00WEBPVP8 ", ".webp", ("webp", "a WebP image: images are not supported (OCR is not supported)")),
    (lambda: OLE2 + b"junk" * 100, ".bin",
     ("ole", "an OLE2 compound file that is not a Word or Excel document: it is not read")),
    (lambda: ole2_file(["EncryptionInfo", "EncryptedPackage"]), ".xlsx",
     ("encrypted-office", "an encrypted (password-protected) Office file: remove the password and save it again")),
    (lambda: ole2_file(["PowerPoint Document"]), ".xls",
     ("ppt", "a PowerPoint presentation (.ppt): presentations are not read; convert it with "
      "`libreoffice --headless --convert-to pdf` (or Save As pdf in WPS or Office)")),
    (lambda: zip_with({"报告.txt": b"x"}), ".zip", ("zip", "a ZIP archive: archives are not read: unpack it and pass its files")),
    (lambda: b"PK\x03\x04" + b"junk" * 50, ".bin", ("zip", "a ZIP archive: archives are not read: unpack it and pass its files")),
    (lambda: gzip.compress(b"x"), ".gz", ("gzip", "a gzip archive: archives are not read: unpack it and pass its files")),
    (lambda: b"7z\xbc\xaf\x27\x1c\x00\x04", ".7z", ("7z", "a 7-Zip archive: archives are not read: unpack it and pass its files")),
    (lambda: b"Rar!\x1a\x07\x01\x00", ".rar", ("rar", "a RAR archive: archives are not read: unpack it and pass its files")),
    (lambda: zip_with({"mimetype": b"application/vnd.oasis.opendocument.text"}), ".odt",
     ("odt", f"an OpenDocument text (.odt): it is not read; {CONVERT_TO_DOCX}")),
    (lambda: zip_with({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"}), ".ofd",
     ("ofd", "an OFD document (GB/T 33190): it is not read; export it as PDF (OFD readers can) and pass that")),
    (lambda: b"{\\rtf1\\ansi report}", ".doc", ("rtf", f"an RTF document: RTF is not read; {CONVERT_TO_DOCX}")),
], ids=["png", "jpeg", "gif", "tiff", "bmp", "webp", "ole", "encrypted-xlsx",
        "ole-powerpoint", "zip", "damaged-zip", "gzip", "7z", "rar",
        "odt", "ofd", "rtf"])
def test_formats_refused_say_what_the_file_is(raw, suffix, expected):
    assert sniff(raw(), suffix) == expected
