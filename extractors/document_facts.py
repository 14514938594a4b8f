"""What a report says about itself: title, agency, place, year, type, date.

A report opens with its title (after a web page's navigation, when it was
scraped) and closes with a signature: the agency's name and the date.

    title         the first title-like line at the top; an agency line followed
                  by "关于…的报告" is joined to it; PDF spaces are taken out
    agency        the agency named in the title, else in the signature, else
                  the organisation named most often with a place in its name
    place         where the agency is, by the gazetteer (汉中市公安局南郑分局 ->
                  陕西省 / 汉中市 / 南郑区)
    report_year   the year in the title, else the year most sentences with
                  numbers use, else the publication year - 1 when the text
                  speaks of 今年
    report_type   by keywords in the title, else in the opening
    publish_date  a web page's publication date at the top, else the signature date

The keywords are data: extractors/data/document_facts.toml.
"""
from __future__ import annotations

import bisect
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

from extractors.agency_names import find_agencies
from extractors.dates import FULL_DATE, YEAR, to_iso
from extractors.gazetteer import NO_PLACE, default_gazetteer
from schemas import DocumentFacts, EntityRecord, SegmentedDocument

SIGNATURE_LINES = 6  # the signature is among the last lines
OPENING_LINES = 3  # the report type may be stated in the first paragraphs
PROSE = re.compile(r"[。，,；;！？]|[：:]$")
# spaces next to a Chinese character are PDF layout, not text: "2022 年度法治 政府"
LAYOUT_SPACE = re.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")
MARKUP = re.compile(r"^[#*_>\s]+|[*_\s]+$")
DATE_LINE_REST = re.compile(r"[\s()（）:：]*")


@dataclass(frozen=True)
class FactWords:
    report_types: dict[str, list[str]]
    title_words: list[str]
    title_max_chars: int
    top_lines: int
    furniture: list[str]
    date_labels: re.Pattern
    this_year: list[str]


@cache
def fact_words() -> FactWords:
    data = tomllib.loads(
        resources.files("extractors").joinpath("data/document_facts.toml").read_text(encoding="utf-8")
    )
    labels = "|".join(sorted(data["web_page"]["date_labels"], key=len, reverse=True))
    return FactWords(
        report_types=data["report_types"],
        title_words=data["title"]["words"],
        title_max_chars=data["title"]["max_chars"],
        top_lines=data["title"]["top_lines"],
        furniture=data["web_page"]["furniture"],
        date_labels=re.compile(rf"(?:{labels})\s*[:：]?\s*$"),
        this_year=data["year"]["this_year"],
    )


@dataclass(frozen=True)
class Line:
    start: int  # offsets in doc.clean, white space at the ends excluded
    end: int
    text: str


def compact(text: str) -> str:
    """A line as a title: Markdown marks and the spaces PDF puts around CJK removed."""
    return LAYOUT_SPACE.sub("", MARKUP.sub("", text))


def lines_of(text: str) -> list[Line]:
    lines = []
    for match in re.finditer(r"[^\n]+", text):
        stripped = match.group().strip()
        if stripped:
            start = match.start() + match.group().index(stripped)
            lines.append(Line(start, start + len(stripped), stripped))
    return lines


def extract_facts(doc: SegmentedDocument, entities: list[EntityRecord]) -> DocumentFacts:
    if not doc.clean.strip():
        return DocumentFacts()  # nothing to tell, not even the type
    words = fact_words()
    lines = lines_of(doc.clean)
    top, body_start = _top_lines(doc, lines, words)
    heading_lines = [line for line in top if not _is_furniture(line.text, words)]
    tail = lines[-SIGNATURE_LINES:]
    title = _title(heading_lines, words)
    signature_agency, signature_date = _signature(tail)
    agency = _best_agency([
        _first_agency(title),
        _entity_within(entities, heading_lines),
        signature_agency,
        _most_named_agency(entities, lines[body_start:]),
    ])
    gazetteer = default_gazetteer()
    place = gazetteer.locate(agency)
    if place == NO_PLACE:
        place = gazetteer.locate(title)
    publish_date = _top_date(top, words) or signature_date
    opening = "".join(compact(line.text) for line in lines[body_start : body_start + OPENING_LINES])
    return DocumentFacts(
        title=title,
        agency=agency,
        province=place[0],
        city=place[1],
        county=place[2],
        report_year=_report_year(doc, title, entities, publish_date, words),
        report_type=_report_type(title, words) or _report_type(opening, words) or "other",
        publish_date=publish_date,
    )


def _is_furniture(text: str, words: FactWords) -> bool:
    return any(word in text for word in words.furniture)


def _top_lines(doc: SegmentedDocument, lines: list[Line], words: FactWords) -> tuple[list[Line], int]:
    """The lines above the report's body (title, web-page frame, date), and
    the index of the first body line: running text or a numbered heading."""
    heading_starts = {section.start for section in doc.sections}
    for i, line in enumerate(lines[: words.top_lines]):
        if _is_furniture(line.text, words):
            continue
        if line.start in heading_starts or PROSE.search(line.text) or len(compact(line.text)) > words.title_max_chars:
            return lines[:i], i
    top = lines[: words.top_lines]
    return top, len(top)


def _is_title_like(text: str, words: FactWords) -> bool:
    return any(word in text for word in words.title_words)


def _is_agency_only(text: str) -> bool:
    found = find_agencies(text)
    return len(found) == 1 and found[0] == (0, len(text))


def _title(heading_lines: list[Line], words: FactWords) -> str:
    """The first title-like line; an agency line directly above "关于…的报告"
    (or another title-like line) is part of it. Failing any, the first line
    that is not a date."""
    texts = [compact(line.text) for line in heading_lines if not _date_only(line.text)]
    for i, text in enumerate(texts):
        following = texts[i + 1] if i + 1 < len(texts) else ""
        if _is_agency_only(text) and following and (following.startswith("关于") or _is_title_like(following, words)):
            return text + following
        if _is_title_like(text, words):
            return text
    return texts[0] if texts else ""


def _best_agency(candidates: list[str]) -> str:
    """The first candidate that says where it is (重庆市渝北区司法局 in the
    signature rather than 区司法局 in the title); else the first at all."""
    named = [candidate for candidate in candidates if candidate]
    located = [candidate for candidate in named if default_gazetteer().locate(candidate) != NO_PLACE]
    return (located or named or [""])[0]


def _first_agency(text: str) -> str:
    found = find_agencies(text)
    return text[found[0][0] : found[0][1]] if found else ""


def _entity_within(entities: list[EntityRecord], lines: list[Line]) -> str:
    """An organisation the NER backend found on the title lines (one the
    agency grammar does not know)."""
    for line in lines:
        for entity in entities:
            if entity.label == "ORG" and line.start <= entity.start and entity.end <= line.end:
                return compact(entity.text)
    return ""


def _most_named_agency(entities: list[EntityRecord], body: list[Line]) -> str:
    """The organisation with a place in its name that the body names most
    often (first named on a tie); not one named only in a web page's frame."""
    body_start = body[0].start if body else 0
    gazetteer = default_gazetteer()
    counts = Counter(
        compact(entity.text) for entity in entities
        if entity.label == "ORG" and entity.start >= body_start and gazetteer.locate(entity.text) != NO_PLACE
    )
    return counts.most_common(1)[0][0] if counts else ""


def _date_only(text: str) -> str:
    """The ISO date when the line is a date and nothing else ('（2024年1月19日）')."""
    match = FULL_DATE.search(text)
    if not match or DATE_LINE_REST.fullmatch(text[: match.start()] + text[match.end() :]) is None:
        return ""
    return to_iso(match)


def _signature(tail: list[Line]) -> tuple[str, str]:
    """(agency, ISO date) of the signature among the last lines: a date line,
    with the agency on the line above or before the date on the same line."""
    for i in range(len(tail) - 1, -1, -1):
        text = tail[i].text
        match = FULL_DATE.search(text)
        if not match:
            continue
        before = compact(text[: match.start()])
        if DATE_LINE_REST.fullmatch(text[match.end() :]) is None:
            continue
        if before and _is_agency_only(before):
            return before, to_iso(match)
        if DATE_LINE_REST.fullmatch(before) is None:
            continue  # a date inside running text
        above = compact(tail[i - 1].text) if i > 0 else ""
        return (above if above and _is_agency_only(above) else ""), to_iso(match)
    return "", ""


def _top_date(top: list[Line], words: FactWords) -> str:
    """A web page's publication date: a labelled date (发布时间：2024-03-01),
    a date in the page's frame, or a date line under the title."""
    for line in top:
        for match in FULL_DATE.finditer(line.text):
            labelled = words.date_labels.search(line.text[: match.start()])
            if labelled or _is_furniture(line.text, words) or _date_only(line.text):
                return to_iso(match)
    return ""


def _report_type(text: str, words: FactWords) -> str:
    """The report type whose keyword comes first in the text; '' when none does."""
    found = [
        (position, report_type)
        for report_type, keywords in words.report_types.items()
        for keyword in keywords
        if (position := text.find(keyword)) >= 0
    ]
    return min(found)[1] if found else ""


def _report_year(
    doc: SegmentedDocument, title: str, entities: list[EntityRecord], publish_date: str, words: FactWords
) -> int | None:
    """The year in the title; else the year most often named in sentences
    that state numbers (the latest of equals); else the year before
    publication when the text speaks of 今年."""
    in_title = YEAR.search(title)
    if in_title:
        return int(in_title.group("year"))
    starts = [sentence.start for sentence in doc.sentences]
    numbered = {bisect.bisect_right(starts, e.start) - 1 for e in entities if e.label == "NUM"}
    counts = Counter(
        int(match.group("year"))
        for i in sorted(numbered) if i >= 0
        for match in YEAR.finditer(doc.sentences[i].text)
    )
    if counts:
        return max(counts, key=lambda year: (counts[year], year))
    if publish_date and any(word in doc.clean for word in words.this_year):
        return int(publish_date[:4]) - 1
    return None
