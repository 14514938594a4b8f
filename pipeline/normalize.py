"""Stage 2, normalise: SourceDocument -> NormalizedDocument.

Rewrites the readable text into `clean`, the text the segmenter and the
extractors work on: line endings unified, invisible characters dropped,
full-width digits and letters made half-width, traditional characters made
simplified, lines that PDF or Word conversion broke in mid-sentence joined,
Markdown marks removed, and the pinyin glosses some sites put after
characters (检(jiǎn)查(chá)) dropped so that the words read whole again.

Every operation replaces one character by one character or deletes
characters, never inserts, so each clean character comes from exactly one
character of `text`. The map is carried along: deleting a character deletes
its entry, so `clean_map` gives, for each clean character, the span in
`original` of the character it came from (through the HTML map, if any).
"""
from __future__ import annotations

import re
from array import array
from collections.abc import Iterable
from functools import cache

import opencc

from schemas.document import NormalizedDocument, SourceDocument
from schemas.text import TextMap

# Deleted outright: the \r of \r\n, and characters that take no room on the page
# but would split a number ("85\u200b4045"): zero-width spaces and joiners, the
# byte-order mark, the soft hyphen.
_INVISIBLE = re.compile("\r(?=\n)|[\u200b-\u200d\u2060\ufeff\xad]")

# Full-width forms of ASCII become ASCII -- digits, letters and the signs of
# numbers and formulas (％ ． ＋ － ／ ～ …), so that "１２．５％" reads "12.5%".
# The full-width marks that are Chinese punctuation in their own right stay:
# （ ） ， ： ； ！ ？ -- as do 。、“”, which have no ASCII twin -- because the
# downstream patterns for headings and breakdowns (（一）, 其中：) use them.
_KEEP_FULL_WIDTH = "（），：；！？"
_REPLACEMENTS = {
    **{chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F) if chr(code) not in _KEEP_FULL_WIDTH},
    # ideographic, no-break and typographic spaces become a plain space
    **dict.fromkeys("\u3000\xa0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f", " "),
    "\r": "\n",  # an old Mac line ending; the \r of \r\n is already gone
}
# a regex finds the few characters to replace (str.translate would look up every one)
_REPLACED = re.compile("[" + "".join(map(re.escape, _REPLACEMENTS)) + "]")

_T2S = opencc.OpenCC("t2s")
_LONE_SURROGATE = re.compile("([\ud800-\udfff])")

# Lines broken in mid-sentence (see _breaks_mid_sentence)
# (it starts where a run of spaces starts: tried at every space of a long run, it would be quadratic)
_LINE_GAP = re.compile(r"(?<![ \t])[ \t]*\n(?:[ \t]*\n)*[ \t]*")  # a line break, with blank lines and edge spaces
_SENTENCE_END = re.compile(r"[。！？；：.!?;:…][”’」』）)】》\"']*[*_ \t]*$")
_STOP = re.compile(r"[。！？；：!?;:]")
_PUNCTUATION = re.compile(r"[，。、；：！？,;:!?…]")
_MARKUP_LINE = re.compile(r"[ \t]*(?:#|>|\||[-*+][ \t])")  # Markdown heading, quote, table row, list item
_OUTLINE_NUMBER = re.compile(
    r"[*_ \t]*(?:[一二三四五六七八九十百]+[、.]"  # 一、
    r"|[（(][一二三四五六七八九十百]+[）)]"  # （一）
    r"|\d+[、.](?!\d)"  # 1.  1、  (not 1.07)
    r"|[（(]\d+[）)]"  # （1）
    r"|第[一二三四五六七八九十百零\d]+[章节条部分]"  # 第一章
    r"|[①-⑳])"
)
_TITLE_LENGTH = 25  # shorter lines without punctuation are titles, names, dates
_PROSE_LENGTH = 40  # a longer line is running text even without punctuation

# Markdown
_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}(?:[ \t]+|(?=[^\x00-\x7f]))", re.MULTILINE)  # "## 一、" "##一、"
_MD_QUOTE = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+", re.MULTILINE)
# **bold**, __bold__, *italic*: a pair on one line, hugging its content; a
# single * not inside an ASCII word or number, where it is multiplication (3*5*2).
# (Each pattern starts with the marker and looks behind it after, which lets
# the regex engine skip ahead to the next * or _: ten times faster.)
_MD_STRONG = re.compile(r"((\*|_)(?<![*_][*_])\2{1,2})(?=[^\s*_])[^\n]*?(?<=[^\s*_])\1(?![*_])")
_MD_ITALIC = re.compile(r"(\*)(?<![*0-9A-Za-z]\*)(?=[^\s*])[^\n*]*?(?<=[^\s*])\*(?![*0-9A-Za-z])")
# (the leading spaces possessive: a line of spaces is not tried split every way, which was quadratic)
_MD_TABLE_RULE = re.compile(r"^[ \t]*+\|?(?:[ \t]*:?-+:?[ \t]*\|)+(?:[ \t]*:?-+:?)?[ \t]*(?:\n|\Z)", re.MULTILINE)
_MD_TABLE_ROW = re.compile(r"^[ \t]*\|.*\|[ \t]*$", re.MULTILINE)
_MD_CELL_BORDER = re.compile(r"[ \t]*\|[ \t]*")

# A pinyin gloss: a syllable in parentheses right after a character, with a
# tone mark, a tone digit or none (ü also written v). It is dropped only when
# it is a reading of that character (pypinyin's table), so (PPP), (2023), (an
# English name) and any other parenthesised Latin text stay.
_TONED_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_GLOSS = re.compile(rf"[(（](?<=[\u3400-\u9fff][(（])(?P<syllable>[a-zü{_TONED_VOWELS}]{{1,6}})(?P<tone>[1-5])?[)）]")
_UNTONED = str.maketrans({toned: plain for plain, group in (
    ("a", "āáǎà"), ("e", "ēéěè"), ("i", "īíǐì"), ("o", "ōóǒò"), ("u", "ūúǔù"), ("ü", "ǖǘǚǜ"), ("n", "ńňǹ"), ("m", "ḿ"),
) for toned in group} | {"v": "ü"})

Edit = tuple[int, int, str]  # replace text[start:end] with "" (delete) or with one character (end == start + 1)


def normalize(doc: SourceDocument) -> NormalizedDocument:
    """The clean text of a document and its map to the original."""
    fields = {**dict(doc), "clean": "", "clean_map": None}
    if doc.status != "ok":
        return NormalizedDocument(**fields)

    clean = doc.text
    # The original span of every clean character, carried through the deletions.
    spans = doc.text_map if doc.text_map is not None else TextMap.identity(len(clean))
    clean, spans = _apply(clean, spans, ((m.start(), m.end(), "") for m in _INVISIBLE.finditer(clean)))
    clean = _REPLACED.sub(lambda match: _REPLACEMENTS[match.group()], clean)
    clean = _to_simplified(clean)
    if glosses := _pinyin_glosses(clean):
        clean, spans = _apply(clean, spans, glosses)
    # Line joins and Markdown marks are both found before either is applied,
    # so the join rules still see a heading's "#" and a table row's "|".
    edits = _line_joins(clean)
    if doc.format != "html":
        edits += _markdown_edits(clean)
    clean, spans = _apply(clean, spans, edits)

    fields["clean"] = clean
    # nothing deleted: clean maps where text does
    fields["clean_map"] = doc.text_map if len(clean) == len(doc.text) else spans
    return NormalizedDocument(**fields)


def _apply(text: str, spans: TextMap, edits: Iterable[Edit]) -> tuple[str, TextMap]:
    """Apply deletions and one-character replacements to the text and its map
    (slicing arrays, no loop over characters)."""
    pieces: list[str] = []
    starts, ends = array("q"), array("q")
    position = 0
    for start, end, replacement in sorted(edits):
        start = max(start, position)  # edits do not overlap; if they ever did, the first wins
        if start >= end:
            continue
        pieces.append(text[position:start])
        starts.extend(spans.starts[position:start])
        ends.extend(spans.ends[position:start])
        if replacement:
            pieces.append(replacement)
            starts.append(spans.starts[start])
            ends.append(spans.ends[start])
        position = end
    pieces.append(text[position:])
    starts.extend(spans.starts[position:])
    ends.extend(spans.ends[position:])
    return "".join(pieces), TextMap(starts, ends)


def _to_simplified(text: str) -> str:
    """Traditional characters to simplified, one character for one.

    Converting is itself the cheap test for traditional characters (OpenCC
    is C++: under a millisecond for the five sample reports), so it always
    runs. No entry of the t2s dictionaries installed with OpenCC changes a phrase's
    length; should one ever do, convert character by character instead,
    which keeps the map 1:1. OpenCC takes UTF-8, which a lone surrogate
    (from a program's string, never from a decoded file) has no form in: it
    stays as it is, and the text around it is converted."""
    if _LONE_SURROGATE.search(text):
        return "".join(part if _LONE_SURROGATE.fullmatch(part) else _to_simplified(part)
                       for part in _LONE_SURROGATE.split(text))
    simplified = _T2S.convert(text)
    if len(simplified) != len(text):
        simplified = "".join(
            converted if len(converted := _T2S.convert(char)) == 1 else char for char in text
        )
    return simplified


def _pinyin_glosses(text: str) -> list[Edit]:
    """Deletions of the pinyin glosses after characters: 检(jiǎn)查(chá), 检（jian3）."""
    edits: list[Edit] = []
    for gloss in _GLOSS.finditer(text):
        if _is_reading(gloss.group("syllable"), text[gloss.start() - 1]):
            edits.append((gloss.start(), gloss.end(), ""))
    return edits


def _is_reading(syllable: str, char: str) -> bool:
    """Whether the syllable (tones aside) is a reading of the character."""
    from pypinyin.pinyin_dict import pinyin_dict  # a large table: read only when a gloss is seen

    readings = pinyin_dict.get(ord(char), "")
    return syllable.translate(_UNTONED) in {reading.translate(_UNTONED) for reading in readings.split(",")}


def _line_joins(text: str) -> list[Edit]:
    """Deletions that join the lines broken in mid-sentence."""
    edits: list[Edit] = []
    line_start = 0
    for gap in _LINE_GAP.finditer(text):
        line = text[line_start:gap.start()]
        next_end = text.find("\n", gap.end())
        next_line = text[gap.end():next_end if next_end >= 0 else len(text)]
        line_start = gap.end()
        if not _breaks_mid_sentence(line, next_line):
            continue
        if line[-1].isascii() and line[-1].isalnum() and next_line[0].isascii() and next_line[0].isalnum():
            # "12\n\n34" is two numbers, not 1234: keep one space
            edits.append((gap.start(), gap.start() + 1, " "))
            edits.append((gap.start() + 1, gap.end(), ""))
        else:
            edits.append((gap.start(), gap.end(), ""))
    return edits


def _breaks_mid_sentence(line: str, next_line: str) -> bool:
    """Whether the break between two lines (blank lines aside) falls inside a
    sentence, as PDF and Word conversion leave it: "…向分局党委报" / "送法制专题报告 12 期。".

    Lines keep their breaks when the first ends a sentence; when either is
    Markdown structure or a table row; when the next starts an outline item
    (一、 （一） 1. （1）); when the first is a heading (outline number, no
    full stop); and around title, signature and date lines, which are short
    and have no punctuation."""
    if not line or not next_line or "\t" in line or "\t" in next_line:
        return False
    if line[-1].isdigit() and _figure_goes_on(next_line):
        return True  # 出动执法人员6000 / 余人次: a figure broken from its qualifier or unit
    if _MARKUP_LINE.match(line) or _MARKUP_LINE.match(next_line) or _OUTLINE_NUMBER.match(next_line):
        return False
    if _SENTENCE_END.search(line):
        return False
    if _OUTLINE_NUMBER.match(line) and not _STOP.search(line):
        return False
    if len(line) < _PROSE_LENGTH and not _PUNCTUATION.search(line):
        return False
    if len(next_line) < _TITLE_LENGTH and not _PUNCTUATION.search(next_line):
        return False
    return True


@cache
def _figure_continuation() -> re.Pattern:
    """What may follow a number within one figure: a qualifier, 万/亿, a measure word (units.toml)."""
    from extractors.figures import default_rules  # the extractor's own lists, so the two agree

    rules = default_rules()
    words = sorted({*rules.units, *rules.multipliers, "余", "多"}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)))


def _figure_goes_on(next_line: str) -> bool:
    return _figure_continuation().match(next_line) is not None


def _markdown_edits(text: str) -> list[Edit]:
    """Deletions of Markdown marks; table cell borders become tabs."""
    edits: list[Edit] = []
    for pattern in (_MD_HEADING, _MD_QUOTE, _MD_TABLE_RULE):
        edits += ((m.start(), m.end(), "") for m in pattern.finditer(text))
    for emphasis in (*_MD_STRONG.finditer(text), *_MD_ITALIC.finditer(text)):
        width = len(emphasis.group(1))
        edits.append((emphasis.start(), emphasis.start() + width, ""))
        edits.append((emphasis.end() - width, emphasis.end(), ""))
    for row in _MD_TABLE_ROW.finditer(text):
        if _MD_TABLE_RULE.match(text, row.start()):
            continue  # deleted whole above
        for border in _MD_CELL_BORDER.finditer(text, row.start(), row.end()):
            if border.start() == row.start() or border.end() == row.end():  # the outer borders go
                edits.append((border.start(), border.end(), ""))
            else:  # an inner one separates two cells
                pipe = text.index("|", border.start())
                edits += [(border.start(), pipe, ""), (pipe, pipe + 1, "\t"), (pipe + 1, border.end(), "")]
    return edits
