"""What a report says about itself: title, agency, place, year, type, date.

A report opens with its title (after a web page's frame, when it was
scraped: menus, 发布机构/发布时间/来源 fields) and closes with a signature: the
agency's name and the date. A news item has a headline and a lead that says
when and who (12月25日，生态环境部向媒体通报…).

    title         the first title-like line at the top; an agency line followed
                  by "关于…的报告", or a title broken over two lines, is joined;
                  PDF spaces are taken out
    agency        its author, the first of: the agency in the title (or the
                  lines by it), in the signature, in the page's 发布机构 field;
                  the government of a place whose own report it is (庆元县2024年度…);
                  a body of the field a headline names (山西生态环境… ->
                  省生态环境厅); the subject of the opening (2022年，司法部坚持…;
                  南昌县全面贯彻… -> 南昌县人民政府; 我县 -> the county's government;
                  记者从…获悉); the 来源 field; the organisation the body names most
                  often with a place. A name without its place (区司法局) takes a
                  fuller name of the same body found later, or the place of its
                  level the title (else the text) names; abbreviations are written
                  out (市场监管局 -> 市场监督管理局) and the fullest name the text gives
                  the same body wins (天津市静海区… for 静海区…)
    place         where the agency is, by the gazetteer (汉中市公安局南郑分局 ->
                  陕西省 / 汉中市 / 南郑区; a district of a 直辖市 has the 直辖市 as
                  city); none for a national body
    report_year   the year in the title (a span: its last year; 2019年以来: the
                  year of publication), else the year the opening starts with or
                  a news lead names, else the year most sentences with numbers
                  use, else by 今年 and the publication date, else the year of
                  publication
    report_type   a report's type by its subject (行政执法…, 法治政府建设…); a
                  document of another genre (总结, 白皮书, 通报, a news item) is other
    publish_date  a web page's labelled publication date (发布日期 before 成文日期),
                  else the date under the title, else the signature date, else a
                  news lead's day (its year: the first after the period the news
                  is about)

The words are data: extractors/data/document_facts.toml.
"""
from __future__ import annotations

import bisect
import re
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from extractors.agency_names import agency_grammar, find_agencies, full_name, national_prefix
from extractors.dates import (
    BRACKETED_YEAR, FULL_DATE, MONTH_DAY, YEAR, YEAR_BEFORE_NAME, YEAR_SPAN, iso_date, month_day, to_iso,
)
from extractors.gazetteer import LEVEL_RANK, NO_PLACE, default_gazetteer
from schemas import DocumentFacts, EntityRecord, SegmentedDocument

SIGNATURE_LINES = 12  # the signature is among the last lines (a page's footer after it)
OPENING_LINES = 3  # the report type may be stated in the first paragraphs
OPENING_CLAUSES = 8
FULLER_NAME_REACH = 20  # how far before a mention of a unit its places may start  # the subject of the opening is among its first clauses
PROSE = re.compile(r"[。，,；;！？]|[：:]$")
# spaces next to a Chinese character are PDF layout, not text: "2022 年度法治 政府"
LAYOUT_SPACE = re.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")
MARKUP = re.compile(r"^[#*_>\s]+|[*_\s]+$")
DATE_LINE_REST = re.compile(r"[\s()（）:：•·]*")
BUTTONS = re.compile(r"[^】]+(?:】|$)")  # a line's pieces after its buttons 【打印】
OUTLINE_PART = re.compile(r"^第[一二三四五六七八九十]+部分[:：]?")  # 第一部分 庆元县…数据表
FRAME_PART = re.compile(r"[^，,。；;！？]*")  # a line's frame, if any, comes before its sentences
CLAUSE = re.compile(r"[^，,；;。！？：:]+")
BOOK_TITLE = re.compile(r"《[^》]*》")
SENTENCE_END = re.compile(r"[。！？]")
LABEL_VALUE = re.compile(r"[^|\s:：，,。]*")  # up to the next cell, field or clause
LABEL_END = r"\s*[:：|\t]\s*\|?\s*"  # 发布机构：…, 发布机构 | … (a table's cells)
SALUTATION = re.compile(r"[^，,。；;]{2,30}[:：]")
# The months a period of a year ends with: 2018年1-11月, 1至11月, 截至7月底.
PERIOD_MONTHS = re.compile(r"(?:年\s?1?\s?[-—至到~]\s?|截至|截止)(?P<last>1[0-2]|[1-9])\s?月")
CLOSING = re.compile(r"现将.{0,40}?(?P<verb>报告|汇报|通报|总结|公示|公开|公布|说明)如下")


@dataclass(frozen=True)
class FactWords:
    report_genres: list[str]
    other_genres: list[str]
    report_types: dict[str, list[str]]
    title_report_types: dict[str, list[str]]
    title_words: list[str]
    title_max_chars: int
    title_min_chars: int
    top_lines: int
    banner_parts: int
    banner_part_chars: int
    furniture: re.Pattern
    site_name: re.Pattern
    date_labels: list[str]  # the likeliest first
    date_label: re.Pattern  # a label and what separates it from its date
    publisher_labels: re.Pattern
    source_labels: re.Pattern
    not_subject_before: str
    subject_prefixes: tuple[str, ...]
    own_place: dict[str, str]
    government: str
    not_government_after: tuple[str, ...]
    news_lead: re.Pattern
    period_end_months: dict[str, int]
    source_of_news: re.Pattern
    this_year: list[str]
    written_before_month: int
    since: list[str]


def _labels(words: list[str], then: str = "") -> re.Pattern:
    return re.compile(rf"(?:{'|'.join(sorted(map(re.escape, words), key=len, reverse=True))}){then}")


@cache
def fact_words() -> FactWords:
    data = tomllib.loads(
        resources.files("extractors").joinpath("data/document_facts.toml").read_text(encoding="utf-8")
    )
    page = data["web_page"]
    return FactWords(
        report_genres=data["genres"]["report"],
        other_genres=data["genres"]["other"],
        report_types=data["report_types"],
        title_report_types={
            report_type: keywords + data["title_only_report_types"].get(report_type, [])
            for report_type, keywords in data["report_types"].items()
        },
        title_words=data["title"]["words"],
        title_max_chars=data["title"]["max_chars"],
        title_min_chars=data["title"]["min_chars"],
        top_lines=data["title"]["top_lines"],
        banner_parts=data["title"]["banner_parts"],
        banner_part_chars=data["title"]["banner_part_chars"],
        furniture=_labels(page["furniture"]),
        site_name=re.compile(page["site_name"]),
        date_labels=page["date_labels"],
        date_label=re.compile(rf"(?P<label>{_labels(page['date_labels']).pattern})[ \t:：|\]】]*\n?[ \t]*"),
        publisher_labels=_labels(page["publisher_labels"], LABEL_END),
        source_labels=_labels(page["source_labels"], LABEL_END),
        not_subject_before=data["agency"]["not_subject_before"],
        subject_prefixes=tuple(sorted(data["agency"]["subject_prefixes"], key=len, reverse=True)),
        own_place=data["agency"]["own_place"],
        government=data["agency"]["government"],
        not_government_after=tuple(data["agency"]["not_government_after"]),
        news_lead=re.compile(data["news"]["lead"]),
        period_end_months=data["news"]["period_end_months"],
        source_of_news=re.compile(data["news"]["source_of_news"]),
        this_year=data["year"]["this_year"],
        written_before_month=data["year"]["written_before_month"],
        since=data["year"]["since"],
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
    """The lines; a page's buttons (【打印本页】【关闭窗口】) end a line, for
    the text after them was run into them."""
    lines = []
    for match in re.finditer(r"[^\n]+", text):
        pieces = BUTTONS.finditer(match.group()) if "】" in match.group() else (match,)
        for piece in pieces:
            stripped = piece.group().strip()
            if stripped:
                start = match.start() + (piece.start() if piece is not match else 0) + piece.group().index(stripped)
                lines.append(Line(start, start + len(stripped), stripped))
    return lines


def extract_facts(doc: SegmentedDocument, entities: list[EntityRecord]) -> DocumentFacts:
    if not doc.clean.strip():
        return DocumentFacts()  # nothing to tell, not even the type
    words = fact_words()
    lines = lines_of(doc.clean)
    top, body_start = _top_lines(doc, lines, words)
    heading_lines = [line for line in top if not _is_furniture(line.text, words)]
    tail = [line for line in lines[-SIGNATURE_LINES:] if not _is_furniture(line.text, words)]
    title = _title(heading_lines, words)
    body = lines[body_start:]
    if body and SALUTATION.fullmatch(body[0].text):
        body = body[1:]  # 区人民政府：, 各区应急管理局： the addressee, not the author
    opening = "".join(compact(line.text) for line in body[:OPENING_LINES])
    signature_agency, signature_date = _signature(tail)
    agency = _author((  # looked for in this order, each only when those before give no located name
        lambda: _first_agency(title),
        lambda: next(filter(None, (_first_agency(compact(line.text)) for line in heading_lines)), ""),
        lambda: _entity_within(entities, heading_lines),
        lambda: signature_agency,
        lambda: _labelled_agency(top, words.publisher_labels),
        lambda: _government_of_title_place(title, words),
        lambda: _agency_of_title_field(title, body),
        lambda: _opening_subject(opening, doc.clean, words),
        lambda: _labelled_agency(top + body[-SIGNATURE_LINES:], words.source_labels),
        lambda: _most_named_agency(entities, body),
    ), signature_agency, title, doc.clean)
    agency = _fullest_name(agency, doc.clean)
    gazetteer = default_gazetteer()
    place = gazetteer.locate(agency)
    if place == NO_PLACE and not national_prefix(agency):
        place = gazetteer.locate(title)
    publish_date = _labelled_date(doc.clean, lines, words) or _top_date(top, words) or signature_date
    report_year = _report_year(doc, title, opening, entities, publish_date, words)
    if not publish_date:
        publish_date = _news_date(opening, report_year, words)
    return DocumentFacts(
        title=title,
        agency=agency,
        province=place[0],
        city=place[1],
        county=place[2],
        report_year=report_year,
        report_type=_report_type(title, opening, words),
        publish_date=publish_date,
    )


def _is_furniture(text: str, words: FactWords) -> bool:
    """A line of a web page's frame: with a frame word (来源, 点击, 【打印】)
    before any sentence punctuation (the page's text may be run into the
    line after it), the site's name alone (天津政务网), or a banner of short names."""
    frame = FRAME_PART.match(text.replace(" ", "")).group()  # 索 引 号
    if words.furniture.search(frame) or words.site_name.fullmatch(frame):
        return True
    parts = text.split()  # a banner or menu: 中国政府网 山西省政府 忻州市政府
    return len(parts) >= words.banner_parts and all(len(part) <= words.banner_part_chars for part in parts) and not (
        any(char.isdigit() for char in text) or _is_title_like(text, words)
    )


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
        if following and _is_title_like(following, words) and (
            _is_agency_only(text) or (_starts_title(text) and not _is_title_like(text, words) and not _starts_title(following))
        ):
            return text + following  # 县司法局关于…年度行 / 政复议…工作总结报告: a title over two lines
        if _is_agency_only(text) and following.startswith("关于"):
            return text + following
        if _is_title_like(text, words) and len(text.strip("•·")) > words.title_min_chars:
            return text  # not 公示 alone: a frame's value
    return texts[0] if texts else ""


def _starts_title(text: str) -> bool:
    """Whether a line starts as a title does: with an agency or a year, or
    as the agency and 关于 of one (…领导小组办公室关于)."""
    if FULL_DATE.search(text):
        return False  # a day's date is the page's, not the title's
    found = find_agencies(text)
    return bool(found and found[0][0] == 0) or "关于" in text or bool(YEAR.match(text))


def _author(candidates: Iterable[Callable[[], str]], signature_agency: str, title: str, text: str) -> str:
    """The first candidate; one without its place (区司法局) takes a fuller name
    of the same body among the later ones (重庆市渝北区司法局) or the
    signature's, else the place of its level that the title names, or the
    text most often."""
    gazetteer = default_gazetteer()
    named = filter(None, (candidate() for candidate in candidates))
    first = next(named, "")
    if not first or gazetteer.locate(first) != NO_PLACE or national_prefix(first):
        return first
    unit = first[1:] if first[0] in agency_grammar().level_chars else first
    for candidate in named:
        if (candidate.endswith(unit) or candidate == signature_agency) and gazetteer.locate(candidate) != NO_PLACE:
            return candidate
    return _with_place(first, title, text)


def _fullest_name(written: str, text: str) -> str:
    """The agency's name written out, or the fullest name the text gives the same
    body: 天津市静海区市场监督管理局 in the page's banner for 静海区市场监管局 in the
    title. (Only mentions of the name with a place before them are read.)"""
    agency = full_name(written)
    if not agency:
        return agency
    gazetteer = default_gazetteer()
    fuller = {agency}
    for name in {written, agency}:
        position = text.find(name)
        while position >= 0:
            if gazetteer.name_before(text, position, words_too=True):
                window = text[max(0, position - FULLER_NAME_REACH) : position + len(name)]
                fuller.update(full_name(window[start:end]) for start, end in find_agencies(window))
            position = text.find(name, position + len(name))
    return max((name for name in fuller if name.endswith(agency)), key=len)


def _with_place(agency: str, title: str, text: str) -> str:
    """A name with a level character for its place (省生态环境厅) is of the place
    of that level that the title names (2022年山西生态环境执法… -> 山西省生态环境厅),
    else of the one the text names most; as it is when none is named."""
    level_char = agency[0]
    if level_char not in agency_grammar().level_chars:
        return agency
    gazetteer = default_gazetteer()
    for scope in (title, text):
        counts = Counter(
            division.name for _, _, division in gazetteer.find_all(scope)
            if division.name.endswith(level_char) and division.level != "province" or (level_char == "省" and division.level == "province")
        )
        if counts:
            return counts.most_common(1)[0][0] + agency[1:]
    return agency


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


def _government_of_title_place(title: str, words: FactWords) -> str:
    """A title that starts with a place and then its year or 关于 is the
    place's own report (庆元县2024年度行政执法数据表, 闵行区关于…): its government."""
    title = OUTLINE_PART.sub("", title)
    gazetteer = default_gazetteer()
    place = gazetteer.name_at(title, 0)
    rest = title[len(place) :]
    if place and gazetteer.lookup(place)[0].name == place and (YEAR.match(rest) or rest.startswith("关于")):
        return place + words.government
    return ""


def _labelled_agency(lines: list[Line], labels: re.Pattern) -> str:
    """The agency a label on a page's frame gives (发布机构：…局, 发布机构 | 克州应急管理局 |):
    the value, when it is an agency's name or ends as one does."""
    for i, line in enumerate(lines):
        for label in labels.finditer(line.text):
            value = LABEL_VALUE.match(line.text, label.end()).group()
            if not value and label.end() == len(line.text) and i + 1 < len(lines):
                value = LABEL_VALUE.match(lines[i + 1].text).group()  # 发布机构： / 大同市文物局
            found = find_agencies(value)
            if found and found[0][0] == 0:
                return value[: found[0][1]]
            if found and found[-1][1] == len(value):
                return value  # a place the gazetteer does not know by this name: 克州
    return ""


def _agency_of_title_field(title: str, body: list[Line]) -> str:
    """A title that names a field but no agency (2022年山西生态环境执法成效显著):
    the first agency of that field the text names (省生态环境厅)."""
    if not title or find_agencies(title):
        return ""
    grammar = agency_grammar()
    text = "\n".join(line.text for line in body)
    for start, end in find_agencies(text):
        unit = next((u for u in grammar.unit.finditer(text, start, end) if u.group("core")), None)
        if unit and unit.group("core") in title:
            return text[start:end]
    return ""


def _opening_subject(opening: str, text: str, words: FactWords) -> str:
    """The author as the opening's subject: the first clause of the first
    sentences that starts with an agency (2019年，市公安局在…; 现将司法部…;
    关于对市人民检察院…工作的调查报告: the body whose work it describes),
    with a place (南昌县全面贯彻… -> 南昌县人民政府), or with 我县 (the government
    of the county the text names most). Clauses naming others are passed
    over: 在省委、省政府的领导下, 各区应急管理局, 《…》."""
    gazetteer = default_gazetteer()
    sentences = SENTENCE_END.split(BOOK_TITLE.sub("", opening))[:2]
    clauses = [clause.strip() for sentence in sentences for clause in CLAUSE.findall(sentence)][:OPENING_CLAUSES]
    for clause in clauses:
        clause = next((clause[len(p) :] for p in words.subject_prefixes if clause.startswith(p)), clause)
        if clause.startswith(words.not_subject_before):
            continue
        if source := words.source_of_news.search(clause):
            clause = source.group("agency")
        found = find_agencies(clause)
        if found and found[0][0] == 0:
            return clause[: found[0][1]]
        own = next((level for word, level in words.own_place.items() if clause.startswith(word)), "")
        if own:
            return _government_of_most_named(text, own, words)
        place = gazetteer.name_at(clause, 0)
        if (place and not found and gazetteer.lookup(place)[0].name == place
                and not clause.startswith(words.not_government_after, len(place))):
            return place + words.government
    return ""


def _government_of_most_named(text: str, level: str, words: FactWords) -> str:
    """The government of the division of this level that the text names most."""
    counts = Counter(
        division.name for _, _, division in default_gazetteer().find_all(text)
        if LEVEL_RANK[division.level] == LEVEL_RANK[level]
    )
    return counts.most_common(1)[0][0] + words.government if counts else ""


def _most_named_agency(entities: list[EntityRecord], body: list[Line]) -> str:
    """The organisation with a place in its name that the body names most
    often (first named on a tie); not one named only in a web page's frame.
    A name inside a document's title counts only when no other does, and not
    as the issuer of a directive (《湖北省人民政府办公厅关于…的通知》 is a superior's)."""
    body_start = body[0].start if body else 0
    gazetteer = default_gazetteer()
    outside, inside = Counter(), Counter()
    for entity in entities:
        if entity.label != "ORG" or entity.start < body_start or gazetteer.locate(entity.text) == NO_PLACE:
            continue
        at = entity.sentence.find(entity.text)
        in_book_title = entity.sentence.rfind("《", 0, at) > entity.sentence.rfind("》", 0, at)
        if not in_book_title:
            outside[compact(entity.text)] += 1
        elif not entity.sentence.startswith("关于", at + len(entity.text)):
            inside[compact(entity.text)] += 1
    counts = outside or inside
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


def _labelled_date(text: str, lines: list[Line], words: FactWords) -> str:
    """A date a page labels as its publication date (发布时间：2024-03-01), in
    its frame at the top or at the foot, by the likeliest label; not a date
    inside running text (but a label that opens a line the page's text was
    run into)."""
    found = []
    starts = [line.start for line in lines]
    for label in words.date_label.finditer(text):  # labels are rare: dates are read only after them
        date = FULL_DATE.match(text, label.end())
        if not date or not (iso := to_iso(date)):
            continue
        line = lines[bisect.bisect_right(starts, label.start()) - 1]
        if PROSE.search(text, line.start, label.start()) and not _is_furniture(line.text, words):
            continue
        found.append((words.date_labels.index(label.group("label")), label.start(), iso))
    return min(found)[2] if found else ""


def _top_date(top: list[Line], words: FactWords) -> str:
    """A date in the page's frame or a date line under the title."""
    for line in top:
        for match in FULL_DATE.finditer(line.text):
            if _is_furniture(line.text, words) or _date_only(line.text):
                return to_iso(match)
    return ""


def _news_date(opening: str, report_year: int | None, words: FactWords) -> str:
    """The day a news lead gives (12月25日，…), in the first year after the
    period it reports on: 12月25日 after 2018年1-11月 (or 截至11月底) is in
    2018; 1月19日 or 7月4日 after the year 2020 is in 2021."""
    lead = words.news_lead.match(opening)
    day = MONTH_DAY.search(opening, 0, lead.end() + 8) if lead else None
    if not day or report_year is None:
        return ""
    month, date = month_day(day)
    last_month = 12  # a year's results come out in the next
    if period := PERIOD_MONTHS.search(opening):
        last_month = int(period.group("last"))
    elif period := re.search(f"(?:{'|'.join(words.period_end_months)})", opening):
        last_month = words.period_end_months[period.group()]
    return iso_date(report_year if month > last_month else report_year + 1, month, date)


def _genre(title: str, opening: str, words: FactWords) -> str:
    """'report' or 'other' by the title's last genre word; with no title by
    the closing formula (现将…通报如下) or a news lead; '' when none says."""
    title = BOOK_TITLE.sub("", title)
    if title:
        ends = [(title.rfind(word) + len(word), genre)
                for genre, genre_words in (("report", words.report_genres), ("other", words.other_genres))
                for word in genre_words if word in title]
        return max(ends)[1] if ends else "other"  # a headline: a news item
    if words.news_lead.match(opening):
        return "other"
    closing = CLOSING.search(opening)
    if closing:
        return "other" if closing.group("verb") in words.other_genres else "report"
    return ""


def _report_type(title: str, opening: str, words: FactWords) -> str:
    """A report's type by its subject: in the title, or in the opening when there
    is no title or the title names no subject (a site's name taken for one:
    天津政务网); other for a document of another genre or subject."""
    if _genre(title, opening, words) == "other":
        return "other"
    return (title and _subject_type(title, words.title_report_types)) or _subject_type(
        opening, words.report_types) or "other"


def _subject_type(text: str, report_types: dict[str, list[str]]) -> str:
    """The report type whose keyword comes first in the text; '' when none does."""
    found = [
        (position, report_type)
        for report_type, keywords in report_types.items()
        for keyword in keywords
        if (position := text.find(keyword)) >= 0
    ]
    return min(found)[1] if found else ""


def _year_named(text: str, publish_date: str, words: FactWords) -> int | None:
    """The year a title or an opening names first: a year (2023年度, 2021年1-6月,
    （2023）, 2022“铁拳”), a span's last year (2021-2025年), or for 2019年以来 the
    year of publication."""
    found = []
    span = YEAR_SPAN.search(text)
    if span:
        found.append((span.start(), int(span.group("last"))))  # before the first year, which starts with it
    if (year := YEAR.search(text)) and not (span and span.start() <= year.start() < span.end()):
        since = any(text.startswith(word, year.end()) for word in words.since)
        value = int(year.group("year"))
        if since and publish_date and int(publish_date[:4]) >= value:
            value = int(publish_date[:4])
        found.append((year.start(), value))
    for pattern in (BRACKETED_YEAR, YEAR_BEFORE_NAME):
        if bare := pattern.search(text):
            found.append((bare.start(), int(bare.group("year"))))
    return min(found)[1] if found else None


def _report_year(
    doc: SegmentedDocument, title: str, opening: str, entities: list[EntityRecord], publish_date: str, words: FactWords
) -> int | None:
    """The year the title names; else the year the opening starts with
    (2021年1-6月，我局…) or a news lead names; else the year most often named in sentences that
    state numbers (the latest of equals); else by 今年 and the publication
    date; else the year the opening names; else the year of publication."""
    in_title = _year_named(title, publish_date, words)
    if in_title:
        return in_title
    first_clause = CLAUSE.match(opening)
    if first_clause and (YEAR.match(first_clause.group()) or YEAR_SPAN.match(first_clause.group())):
        return _year_named(first_clause.group(), publish_date, words)
    if words.news_lead.match(opening) and (in_lead := _year_named(SENTENCE_END.split(opening)[0], publish_date, words)):
        return in_lead  # 5月10日，合肥中院公布了…2020年-2022年行政审判工作白皮书
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
        year, month = int(publish_date[:4]), int(publish_date[5:7])
        return year - 1 if month <= words.written_before_month else year
    named = _year_named(opening, publish_date, words)  # 近日，水利部发布2021年…报告
    if named is None and publish_date:
        return int(publish_date[:4])  # a text that names no year is about the time it came out
    return named
