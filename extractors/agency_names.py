"""Government agency names, found by how they are built rather than by a tagger.

    (place)* unit (place? sub-unit | unit)*
    重庆市 | 公安局 | 渝北区 分局        汉中市 | 公安局 | 南郑 分局
    重庆市 渝北区 | 司法局              常德市 | 公安局 | 法制支队
    core place sub-unit                 公安 南郑 分局
    国家 | 税务总局 | 绍兴市 税务局        national prefix, unit, then its local office
    朝阳区 望京 | 街道办事处            county, the township's own name, township unit

A unit is a core word and a suffix (公安 + 局, 市场监管 + 局) or a standalone
word (人民政府); places come from the gazetteer, short names included
(南郑 of 南郑区). The word lists are data: extractors/data/agencies.toml.
One regular expression finds the units; the names are grown from them to both
sides by dictionary look-ups, so a whole document costs a few milliseconds.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from extractors.gazetteer import Gazetteer, default_gazetteer


def trie_regex(words: list[str]) -> str:
    """A regular expression matching any of the words, longest first, built
    as a trie so that matching costs one branch per character, not per word;
    a look-ahead for the first characters lets the engine skip the rest fast."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        ends_here = "" in node
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if not ends_here:
            return body
        return (body if len(branches) == 1 and len(branches[0]) == 1 else f"(?:{body})") + "?"

    first_chars = "".join(sorted(char for char in trie))
    return f"(?=[{re.escape(first_chars)}]){pattern(trie)}"


@dataclass(frozen=True)
class AgencyGrammar:
    unit: re.Pattern  # groups: core and suffix (a bare core when suffix is None), standalone, or township
    sub_unit: re.Pattern
    level_chars: str
    national_prefixes: tuple[str, ...]  # longest first
    township_name_chars: tuple[int, int]
    full_cores: dict[str, str]  # abbreviated core word -> written out
    full_units: dict[str, str]  # standalone unit by its short name -> written out
    zone: re.Pattern  # a zone's name: 西湖风景名胜区


@cache
def agency_grammar() -> AgencyGrammar:
    data = tomllib.loads(resources.files("extractors").joinpath("data/agencies.toml").read_text(encoding="utf-8"))
    not_before = data["suffix_not_before"]
    cores = trie_regex(data["cores"])
    suffixes = sorted(data["suffixes"], key=len, reverse=True)  # 分局 before 局
    suffix = "|".join(
        re.escape(s) + (f"(?![{re.escape(not_before[s[-1]])}])" if s[-1] in not_before else "") for s in suffixes
    )
    first_chars = re.escape("".join(sorted({word[0] for word in data["cores"] + data["standalone"] + data["township_units"]})))
    unit = re.compile(
        f"(?=[{first_chars}])(?:(?P<core>{cores})(?P<suffix>{suffix})?|(?P<standalone>{trie_regex(data['standalone'])})"
        f"|(?P<township>{trie_regex(data['township_units'])}))"
    )
    shortest, longest = data["township_name_chars"]
    return AgencyGrammar(
        unit=unit,
        sub_unit=re.compile(trie_regex(data["sub_units"])),
        level_chars=data["level_chars"],
        national_prefixes=tuple(sorted(data["national_prefixes"], key=len, reverse=True)),
        township_name_chars=(shortest, longest),
        full_cores=data["full_cores"],
        full_units=data["full_units"],
        zone=re.compile(f"[\u4e00-\u9fff]{{1,{data['zone_name_chars']}}}?(?:{trie_regex(data['zone_suffixes'])})"),
    )


def national_prefix(text: str, grammar: AgencyGrammar | None = None) -> str:
    """The national prefix a name starts with (国家 of 国家税务总局); '' when none."""
    grammar = grammar or agency_grammar()
    return next((prefix for prefix in grammar.national_prefixes if text.startswith(prefix)), "")


def find_agencies(text: str, gazetteer: Gazetteer | None = None) -> list[tuple[int, int]]:
    """(start, end) of every agency name in the text, left to right."""
    gazetteer = gazetteer or default_gazetteer()
    grammar = agency_grammar()
    found: list[tuple[int, int]] = []
    for unit in grammar.unit.finditer(text):
        if found and unit.start() < found[-1][1]:
            continue  # already inside the previous name
        end = unit.end()
        if unit.group("core") and not unit.group("suffix"):
            # a core word names an agency only with a place and sub-unit after it: 公安 南郑 分局
            place = gazetteer.name_at(text, end, words_too=True)
            sub = grammar.sub_unit.match(text, end + len(place)) if place else None
            if not sub:
                continue
            end = sub.end()
        if unit.group("township"):
            start = _grow_over_township_name(text, unit.start(), gazetteer, grammar)
            if start == unit.start():
                continue  # 各镇人民政府: no township named
        else:  # a place that is also a word is one before a government or court (合肥 中院)
            start = _grow_left(text, unit.start(), gazetteer, grammar, words_too=bool(unit.group("standalone")))
        if unit.group("standalone") and start == unit.start():
            continue  # 政府 in 法治政府: a standalone unit needs a place before it
        national = bool(national_prefix(text[start:], grammar))
        found.append((start, _grow_right(text, end, gazetteer, grammar, national)))
    return found


def full_name(name: str, gazetteer: Gazetteer | None = None) -> str:
    """An agency's name as the tables give it: abbreviated words written out
    (市场监管局 -> 市场监督管理局, 卫健委 -> 卫生健康委员会, 合肥中院 -> 合肥市中级人民法院,
    区政府 -> 区人民政府), and a district's branch of its city's bureau named as
    the bureau's (海珠区公安分局 -> 广州市公安局海珠区分局)."""
    gazetteer = gazetteer or default_gazetteer()
    grammar = agency_grammar()
    pieces, last = [], 0
    place = gazetteer.name_at(name, 0, words_too=True)
    readings = gazetteer.lookup(place) if place else []
    if len(readings) == 1 and readings[0].name != place:  # 合肥 中院: the place by its full name
        pieces, last = [readings[0].name], len(place)
    for unit in grammar.unit.finditer(name):
        core = unit.group("core")
        if unit.group("standalone") in grammar.full_units:
            pieces += [name[last : unit.start()], grammar.full_units[unit.group("standalone")]]
            last = unit.end()
        elif core in grammar.full_cores:
            pieces += [name[last : unit.start("core")], grammar.full_cores[core]]
            last = unit.end("core")
            if unit.group("suffix") == "委":
                pieces.append("委员会")
                last = unit.end("suffix")
        elif core and unit.group("suffix") == "委":  # 卫生健康委: a commission, 委员会 written short
            pieces += [name[last : unit.start("suffix")], "委员会"]
            last = unit.end("suffix")
    name = "".join(pieces) + name[last:]
    _, city, county = gazetteer.locate(name)
    if city and county.endswith("区") and city not in name and name.endswith("分局"):
        district = gazetteer.name_at(name, 0)
        same_name = [division for division in gazetteer.lookup(district) if division.name == district]
        rest = name[len(district) :]
        if len(same_name) == 1 and same_name[0].name == county and grammar.unit.fullmatch(rest):
            return f"{city}{rest[:-2]}局{county}分局"  # 海珠区公安分局 is 广州市公安局海珠区分局
    return name


def _grow_over_township_name(text: str, start: int, gazetteer: Gazetteer, grammar: AgencyGrammar) -> int:
    """Take in a township's own name and the places before it (黔江区 水市 | 乡人民政府);
    `start` itself when no county is named before a name of the usual length."""
    shortest, longest = grammar.township_name_chars
    for length in range(shortest, longest + 1):
        name_start = start - length
        if name_start <= 0 or not all("\u4e00" <= char <= "\u9fff" for char in text[name_start:start]):
            break
        if gazetteer.name_before(text, name_start):
            return _grow_left(text, name_start, gazetteer, grammar)
    return start


def _grow_left(text: str, start: int, gazetteer: Gazetteer, grammar: AgencyGrammar, words_too: bool = False) -> int:
    """Take in the places before a unit (重庆市 渝北区 | 司法局); failing any,
    a national prefix (国家 | 税务总局, 最高 | 人民法院) or a level character
    (区 | 司法局). `words_too` takes a place next to the unit that is also a word."""
    grown = start
    while place := _place_before(text, grown, gazetteer, words_too and grown == start):
        grown -= len(place)
    if grown == start:
        before = text[max(0, start - len(grammar.national_prefixes[0])) : start]
        prefix = next((prefix for prefix in grammar.national_prefixes if before.endswith(prefix)), "")
        if prefix:
            grown -= len(prefix)
        elif start > 0 and text[start - 1] in grammar.level_chars:
            grown -= 1
    return grown


def _place_before(text: str, end: int, gazetteer: Gazetteer, words_too: bool) -> str:
    """The place name ending at `end`; one that is also a word (大同市, 合肥)
    when it is a full name or `words_too` says the unit after it needs a place."""
    place = gazetteer.name_before(text, end)
    if place:
        return place
    place = gazetteer.name_before(text, end, words_too=True)
    return place if place and (words_too or gazetteer.lookup(place)[0].name == place) else ""


def _grow_right(text: str, end: int, gazetteer: Gazetteer, grammar: AgencyGrammar, national: bool = False) -> int:
    """Take in the parts after a name: a sub-unit, with or without a place or
    zone before it (渝北区 分局, 南郑 分局, 西湖风景名胜区 分局, 办公室), or another core unit (法制支队);
    after a national body, its local office with its place (国家税务总局 +
    绍兴市 税务局: a service managed from the centre names itself so).
    Between a name and a sub-unit even a place name that is also a word is
    one (城固 of 城固县, a verb to jieba)."""
    while True:
        place = gazetteer.name_at(text, end, words_too=True)
        sub = grammar.sub_unit.match(text, end + len(place))
        if not sub and (zone := grammar.zone.match(text, end)):
            sub = grammar.sub_unit.match(text, zone.end())  # a zone is taken only with a sub-unit after it
        if sub:
            end = sub.end()
            continue
        unit = grammar.unit.match(text, end + len(place) if national else end)
        if unit and unit.group("suffix") and (national or not place):
            end = unit.end()
            national = False  # one local office
            continue
        return end
