"""Government agency names, found by how they are built rather than by a tagger.

    (place)* unit (place? sub-unit | unit)*
    重庆市 | 公安局 | 渝北区 分局        汉中市 | 公安局 | 南郑 分局
    重庆市 渝北区 | 司法局              常德市 | 公安局 | 法制支队
    core place sub-unit                 公安 南郑 分局

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
    unit: re.Pattern  # groups: core and suffix (a bare core when suffix is None), or standalone
    sub_unit: re.Pattern
    level_chars: str


@cache
def agency_grammar() -> AgencyGrammar:
    data = tomllib.loads(resources.files("extractors").joinpath("data/agencies.toml").read_text(encoding="utf-8"))
    not_before = data["suffix_not_before"]
    cores = trie_regex(data["cores"])
    suffixes = sorted(data["suffixes"], key=len, reverse=True)  # 分局 before 局
    suffix = "|".join(
        re.escape(s) + (f"(?![{re.escape(not_before[s[-1]])}])" if s[-1] in not_before else "") for s in suffixes
    )
    first_chars = re.escape("".join(sorted({word[0] for word in data["cores"] + data["standalone"]})))
    unit = re.compile(
        f"(?=[{first_chars}])(?:(?P<core>{cores})(?P<suffix>{suffix})?|(?P<standalone>{trie_regex(data['standalone'])}))"
    )
    return AgencyGrammar(
        unit=unit,
        sub_unit=re.compile(trie_regex(data["sub_units"])),
        level_chars=data["level_chars"],
    )


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
        start = _grow_left(text, unit.start(), gazetteer, grammar)
        if unit.group("standalone") and start == unit.start():
            continue  # 政府 in 法治政府: a standalone unit needs a place before it
        found.append((start, _grow_right(text, end, gazetteer, grammar)))
    return found


def _grow_left(text: str, start: int, gazetteer: Gazetteer, grammar: AgencyGrammar) -> int:
    """Take in the places before a unit (重庆市 渝北区 | 司法局); failing any,
    a level character (区 | 司法局)."""
    grown = start
    while place := gazetteer.name_before(text, grown):
        grown -= len(place)
    if grown == start and start > 0 and text[start - 1] in grammar.level_chars:
        grown -= 1
    return grown


def _grow_right(text: str, end: int, gazetteer: Gazetteer, grammar: AgencyGrammar) -> int:
    """Take in the parts after a name: a sub-unit, with or without a place
    before it (渝北区 分局, 南郑 分局, 办公室), or another core unit (法制支队).
    Between a name and a sub-unit even a place name that is also a word is
    one (城固 of 城固县, a verb to jieba)."""
    while True:
        place = gazetteer.name_at(text, end, words_too=True)
        sub = grammar.sub_unit.match(text, end + len(place))
        if sub:
            end = sub.end()
            continue
        unit = grammar.unit.match(text, end)
        if unit and unit.group("suffix"):
            end = unit.end()
            continue
        return end
