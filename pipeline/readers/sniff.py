"""What a file is: its magic bytes first, then its name's suffix.

Scraped reports come misnamed (a PDF saved as .html, a workbook as .doc, an
error page as .pdf), so the bytes decide where they can: a PDF; a ZIP,
looked into (an Office Open XML package: DOCX, XLSX, PPTX; an OFD; an
OpenDocument); an OLE2 compound file (legacy Word, Excel, WPS, PowerPoint,
or an encrypted OOXML file: told apart by its streams); an image; an archive. A file with no magic bytes is text, of the
format its suffix names (and HTML if it starts like a page; see read.py).

`sniff` returns the format and, for a format zhfig recognises but does not
read, the message that says what the file is and what to do instead.
"""
from __future__ import annotations

import io
import re
import zipfile
from typing import NamedTuple


class Sniffed(NamedTuple):
    format: str  # txt, md, html, pdf, docx, xlsx, xls, doc, wps; or what a refused file is (png, zip …)
    refusal: str = ""  # for a format not read: what the file is and why it is not read


TEXT_SUFFIXES = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}

CONVERT = "convert it with `libreoffice --headless --convert-to {target}` (or Save As {target} in WPS or Office)"
_NO_OCR = "images are not supported (OCR is not supported)"
_UNPACK = "archives are not read: unpack it and pass its files"

# Magic bytes at offset 0 -> (format, refusal) for formats no reader reads.
_REFUSED_MAGIC: list[tuple[bytes, str, str]] = [
    (b"\x89PNG\r\n\x1a\n", "png", f"a PNG image: {_NO_OCR}"),
    (b"\xff\xd8\xff", "jpeg", f"a JPEG image: {_NO_OCR}"),
    (b"GIF87a", "gif", f"a GIF image: {_NO_OCR}"),
    (b"GIF89a", "gif", f"a GIF image: {_NO_OCR}"),
    (b"II*\x00", "tiff", f"a TIFF image: {_NO_OCR}"),
    (b"MM\x00*", "tiff", f"a TIFF image: {_NO_OCR}"),
    (b"\x1f\x8b", "gzip", f"a gzip archive: {_UNPACK}"),
    (b"7z\xbc\xaf\x27\x1c", "7z", f"a 7-Zip archive: {_UNPACK}"),
    (b"Rar!\x1a\x07", "rar", f"a RAR archive: {_UNPACK}"),
    (b"\xfd7zXZ\x00", "xz", f"an xz archive: {_UNPACK}"),
    (b"{\\rtf", "rtf", f"an RTF document: RTF is not read; {CONVERT.format(target='docx')}"),
]
_WEBP = re.compile(rb"RIFF.{4}WEBP", re.DOTALL)
_BMP = re.compile(rb"BM.{4}\x00\x00\x00\x00", re.DOTALL)  # size, then four reserved zero bytes
_BZIP2 = re.compile(rb"BZh[1-9]1AY&SY")
_PDF_HEADER_WITHIN = 1024  # readers accept junk before %PDF-, up to this far
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

# An OOXML package's main part, by the content type [Content_Types].xml gives it.
_OOXML_TYPES = [
    (b"wordprocessingml.document.main", "docx"), (b"ms-word.document.macroEnabled.main", "docx"),
    (b"ms-word.template.macroEnabledTemplate.main", "docx"), (b"wordprocessingml.template.main", "docx"),
    (b"spreadsheetml.sheet.main", "xlsx"), (b"ms-excel.sheet.macroEnabled.main", "xlsx"),
    (b"spreadsheetml.template.main", "xlsx"), (b"ms-excel.template.macroEnabled.main", "xlsx"),
    (b"presentationml", "pptx"), (b"ms-powerpoint", "pptx"),
]
_OPENDOCUMENT = {b"application/vnd.oasis.opendocument.text": "odt",
                 b"application/vnd.oasis.opendocument.spreadsheet": "ods"}
_MAX_CONTENT_TYPES_BYTES = 1024 * 1024

# Legacy Office (OLE2) by suffix, when the streams do not tell.
_OLE_SUFFIXES = {".doc": "doc", ".dot": "doc", ".wps": "wps", ".xls": "xls", ".xlt": "xls", ".et": "xls",
                 ".ppt": "ppt", ".dps": "ppt"}
_OOXML_SUFFIXES = {".docx": "docx", ".docm": "docx", ".xlsx": "xlsx", ".xlsm": "xlsx"}
# The main parts where producers put them, for a package whose content types do not say.
_OOXML_MAIN_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx"}

_REFUSED_FORMATS = {
    "ppt": f"a PowerPoint presentation (.ppt): presentations are not read; {CONVERT.format(target='pdf')}",
    "pptx": f"a PowerPoint presentation (.pptx): presentations are not read; {CONVERT.format(target='pdf')}",
    "odt": f"an OpenDocument text (.odt): it is not read; {CONVERT.format(target='docx')}",
    "ods": f"an OpenDocument spreadsheet (.ods): it is not read; {CONVERT.format(target='xlsx')}",
    "ofd": "an OFD document (GB/T 33190): it is not read; export it as PDF (OFD readers can) and pass that",
    "zip": f"a ZIP archive: {_UNPACK}",
    "ole": "an OLE2 compound file that is not a Word or Excel document: it is not read",
    "encrypted-office": "an encrypted (password-protected) Office file: remove the password and save it again",
}


def sniff(raw: bytes, suffix: str) -> Sniffed:
    """The format of a file's bytes; `suffix` (with its dot, any case) decides only what the bytes leave open."""
    suffix = suffix.lower()
    head = raw[:16]
    pdf_header = raw.find(b"%PDF-", 0, _PDF_HEADER_WITHIN)
    if pdf_header == 0 or (pdf_header > 0 and b"<" not in raw[:pdf_header]):  # not a page that names a PDF
        return Sniffed("pdf")
    if head.startswith(_ZIP):
        return _refuse_or_read(_zip_format(raw, suffix))
    if head.startswith(_OLE2):
        return _refuse_or_read(_ole_format(raw, suffix))
    for magic, format_, refusal in _REFUSED_MAGIC:
        if head.startswith(magic):
            return Sniffed(format_, refusal)
    if _WEBP.match(head):
        return Sniffed("webp", f"a WebP image: {_NO_OCR}")
    if _BMP.match(head):
        return Sniffed("bmp", f"a BMP image: {_NO_OCR}")
    if _BZIP2.match(head):
        return Sniffed("bzip2", f"a bzip2 archive: {_UNPACK}")
    # No magic bytes: a text file, whatever its name says (a .pdf that is an
    # error page is read as the page it is).
    return Sniffed(TEXT_SUFFIXES.get(suffix, "txt"))


def _refuse_or_read(format_: str) -> Sniffed:
    return Sniffed(format_, _REFUSED_FORMATS.get(format_, ""))


def _zip_format(raw: bytes, suffix: str) -> str:
    """docx or xlsx by the package's main content type (or main part); pptx,
    ofd, odt or ods; else, when the name promises a DOCX or XLSX, that (so
    its reader says what is wrong with it); else zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = {info.filename: info for info in archive.infolist()}
            content_types = names.get("[Content_Types].xml")
            if content_types is not None and content_types.file_size <= _MAX_CONTENT_TYPES_BYTES:
                declared = archive.read(content_types)
                for marker, format_ in _OOXML_TYPES:
                    if marker in declared:
                        return format_
            for part, format_ in _OOXML_MAIN_PARTS.items():
                if part in names:
                    return format_
            if "OFD.xml" in names:
                return "ofd"
            mimetype = names.get("mimetype")
            if mimetype is not None and mimetype.file_size <= 100:
                return _OPENDOCUMENT.get(archive.read(mimetype).strip(), "zip")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError):
        pass  # unreadable ([Content_Types].xml damaged or encrypted): let the suffix say what it was meant to be
    return _OOXML_SUFFIXES.get(suffix, "zip")


def ole_streams(raw: bytes) -> set[str]:
    """The stream names of an OLE2 compound file; none for a damaged one."""
    import olefile  # only for OLE2 files

    try:
        with olefile.OleFileIO(raw) as ole:
            return {"/".join(entry) for entry in ole.listdir(streams=True, storages=False)}
    except Exception:  # olefile raises many kinds for a damaged file
        return set()


def _ole_format(raw: bytes, suffix: str) -> str:
    """Word, Excel or PowerPoint by the compound file's streams, else (damaged) by the suffix."""
    streams = ole_streams(raw)
    if "EncryptedPackage" in streams:
        return "encrypted-office"  # an OOXML file with a password is wrapped in OLE2
    if "WordDocument" in streams:
        return "wps" if suffix == ".wps" else "doc"
    if "Workbook" in streams or "Book" in streams:
        return "xls"
    if "PowerPoint Document" in streams:
        return "ppt"
    return _OLE_SUFFIXES.get(suffix, "ole")
