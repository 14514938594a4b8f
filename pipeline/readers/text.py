"""Bytes -> text: byte-order marks, UTF-16 without one, UTF-8, GB18030 and
Big5; and `Unreadable`, the one error every reader raises for a file that
gives no text (the dispatcher, pipeline/read.py, turns it into the
document's status and message).
"""
from __future__ import annotations

import codecs
import re


class Unreadable(Exception):
    """Why a file gives no text: becomes the document's status and error."""

    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


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


def decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding) of the bytes, or Unreadable."""
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
    raise Unreadable(
        "error", f"cannot decode the bytes: not UTF-8 ({utf8_error.reason} at byte {utf8_error.start}), "
        "UTF-16, GB18030 or Big5")


def _decode_by_bom(raw: bytes) -> tuple[str, str] | None:
    for bom, encoding, name in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise Unreadable(
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
        raise Unreadable("error", f"not valid text: contains NUL {unit} (a binary file?)")
    n_control = len(_CONTROL.findall(head))
    if n_control > _MAX_CONTROL_SHARE * len(head):
        raise Unreadable(
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
