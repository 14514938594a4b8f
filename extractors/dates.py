"""Dates as Chinese reports write them: 2024年1月19日, 二〇二三年十二月十五日,
2023 年度 (PDF text puts spaces around numbers), 2021—2025年, 2024-03-01.

DATE finds any of them (for the NER backends); FULL_DATE only whole
year-month-day dates, with the parts as groups, which `to_iso` turns into
ISO dates (extractors/numbers.py reads the Chinese numerals).
"""
from __future__ import annotations

import datetime
import re

from extractors.numbers import to_value

CN_DIGITS = "〇零一二三四五六七八九"
_GAP = r"[ \t]?"
_YEAR = rf"(?:[0-9]{{4}}|[{CN_DIGITS}]{{4}})"
_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DAY = r"(?:3[01]|[12][0-9]|0?[1-9]|三十一?|二?十[一二三四五六七八九]?|[一二三四五六七八九])"

DATE = re.compile(
    rf"(?=[0-9{CN_DIGITS}十])(?:[0-9]{{4}}{_GAP}[—–~至到-]{_GAP}[0-9]{{4}}{_GAP}年"  # 2021—2025年
    rf"|{_YEAR}{_GAP}年度?(?:{_GAP}{_MONTH}{_GAP}月份?(?:{_GAP}{_DAY}{_GAP}[日号])?)?"
    rf"|(?<![0-9]){_MONTH}{_GAP}月{_GAP}{_DAY}{_GAP}[日号]"
    r"|[0-9]{4}[-/.](?:1[0-2]|0?[1-9])[-/.](?:3[01]|[12][0-9]|0?[1-9])(?![0-9]))"
)
FULL_DATE = re.compile(
    rf"(?P<year>{_YEAR}){_GAP}年{_GAP}(?P<month>{_MONTH}){_GAP}月{_GAP}(?P<day>{_DAY}){_GAP}[日号]"
    r"|(?<![0-9])(?P<iso_year>[0-9]{4})[-/.](?P<iso_month>1[0-2]|0?[1-9])[-/.](?P<iso_day>3[01]|[12][0-9]|0?[1-9])(?![0-9])"
)
# A year the text is about: 2023年, 2023 年度; not a span 2021—2025年, not 20234年.
YEAR = re.compile(rf"(?<![0-9—–~至到-])(?<![0-9][—–~-] )(?P<year>(?:19|20)[0-9]{{2}}){_GAP}年(?P<annual>度)?")
# A span of years: 2021—2025年, 2021-2025年度, 2021年至2025年 (a report on it ends in its last year).
YEAR_SPAN = re.compile(
    rf"(?<![0-9])(?P<first>(?:19|20)[0-9]{{2}}){_GAP}年?{_GAP}[—–~至到-]{_GAP}(?P<last>(?:19|20)[0-9]{{2}}){_GAP}年"
)
# A year in parentheses, as titles of yearbooks and white papers give it: 行政检察工作白皮书（2023）.
BRACKETED_YEAR = re.compile(r"[（(](?P<year>(?:19|20)[0-9]{2})[)）]")
# A year written without 年 before a named campaign or a title's 关于: 2022“铁拳”行动, 2023关于….
YEAR_BEFORE_NAME = re.compile(r"(?<![0-9])(?P<year>(?:19|20)[0-9]{2})(?=[“\"《「]|关于)")
# A day of a year not given, as a news item's lead dates it: 12月25日，…
MONTH_DAY = re.compile(rf"(?<![0-9年])(?P<month>{_MONTH}){_GAP}月{_GAP}(?P<day>{_DAY}){_GAP}[日号]")


def _number(numeral: str) -> int:
    """2023, 二〇二三 (read digit by digit), 十二, 二十五."""
    return int(numeral) if numeral.isdigit() else int(to_value(numeral))


def iso_date(year: int, month: int, day: int) -> str:
    """The ISO date; '' when it is no real date (2月30日)."""
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return ""


def month_day(match: re.Match) -> tuple[int, int]:
    """(month, day) of a MONTH_DAY match."""
    return _number(match.group("month")), _number(match.group("day"))


def to_iso(match: re.Match) -> str:
    """The ISO date of a FULL_DATE match; '' when it is no real date (2月30日)."""
    parts = match.groupdict()
    year, month, day = (
        (parts["year"], parts["month"], parts["day"]) if parts["year"] else
        (parts["iso_year"], parts["iso_month"], parts["iso_day"])
    )
    return iso_date(_number(year), _number(month), _number(day))
