"""The default NER backend: rules and dictionaries, with jieba where words are needed.

Most entities in a report are found by cheap passes over the whole text:
    ORG   agency names by their grammar (extractors/agency_names.py):
          重庆市公安局渝北区分局, 永川区市场监管局 — one entity each
    LOC   division names from the gazetteer (重庆市, 渝北区)
    DATE  2024年1月19日, 二〇二三年十二月十五日, 2023年度, 2024-03-01
    NUM   854045件, 1500余万元, 62.62%, 三百余人 (measure words: units.toml)
People are the one thing that needs a tagger: jieba.posseg runs only on a few
characters around titles (局长廖泳, 明朗副市长), which keeps the backend well
under the cost of one jieba.lcut pass over the document; the organisations
and places it tags there (nt, ns) are added where the rules found none.
"""
from __future__ import annotations

import bisect
import logging
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from extractors.agency_names import find_agencies, trie_regex
from extractors.dates import DATE
from extractors.gazetteer import default_gazetteer
from extractors.ner.base import Span, add_without_overlap, merge_names, to_entities, tokens_to_spans
from schemas import EntityRecord, SegmentedDocument

DATA = resources.files("extractors").joinpath("data")
GAP = r"[ \t]?"  # PDF text puts spaces around numbers: "1700 余名"


@dataclass(frozen=True)
class Patterns:
    number: re.Pattern
    person_title: re.Pattern
    person_window: int
    person_name_not_last: str


@cache
def patterns() -> Patterns:
    units = tomllib.loads(DATA.joinpath("units.toml").read_text(encoding="utf-8"))
    words = [unit for section in units.values() if isinstance(section, dict) for unit in section.get("units", [])]
    not_before = units.get("not_before", {})
    # a measure word is not one when it starts another word (3部门, 2场所)
    unit = "|".join(
        re.escape(word) + (f"(?![{re.escape(not_before[word])}])" if word in not_before else "")
        for word in sorted(set(words), key=len, reverse=True)
    )
    multiplier = "|".join(sorted(units.get("multipliers", {}), key=len, reverse=True))
    # not a list marker: 1. 2、 （3）
    arabic = r"(?<![0-9.（(])[0-9]+(?:[.,][0-9]+)*(?![0-9]*[、）)]|\.(?![0-9]))"
    chinese = r"(?<![第〇零一二两三四五六七八九十百千])[零〇一二两三四五六七八九十百千]+"  # 第三 is a rank
    tail = rf"(?:{GAP}(?:{multiplier}|余|多)+)?"  # 1500余万, 3.7万
    number = re.compile(rf"(?=[0-9零〇一二两三四五六七八九十百千])(?:{arabic}{tail}(?:{GAP}(?:{unit}))?|{chinese}{tail}{GAP}(?:{unit}))")
    person = tomllib.loads(DATA.joinpath("ner_patterns.toml").read_text(encoding="utf-8"))
    return Patterns(
        number, re.compile(trie_regex(person["person_titles"])), person["person_window"], person["person_name_not_last"]
    )


@cache
def pos_tagger():
    """jieba's part-of-speech tagger with our user dictionary, made once per
    process. It is jieba's default tagger: importing jieba.posseg has already
    read the word tags of the main dictionary, and a tagger of our own would
    read them a second time (a second or more at every start).
    Its HMM decoder, which guesses the words it does not know (the names),
    is swapped for a vectorised one that returns the same answers
    (extractors/ner/posseg_hmm.py): jieba's took a fifth of the backend's time."""
    import jieba
    import jieba.posseg

    from extractors.ner import posseg_hmm

    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict…" on every run
    jieba.load_userdict(str(DATA.joinpath("ner_userdict.txt")))
    jieba.posseg.viterbi = posseg_hmm.viterbi  # the name jieba.posseg's cutter calls
    return jieba.posseg.dt


class JiebaBackend:
    name = "jieba"

    def find(self, doc: SegmentedDocument) -> list[EntityRecord]:
        text = doc.clean
        gazetteer = default_gazetteer()
        # surest first: a later pass only adds spans that overlap none found
        spans = [Span(start, end, "ORG") for start, end in find_agencies(text, gazetteer)]
        spans = add_without_overlap(spans, (Span(*m.span(), "DATE") for m in DATE.finditer(text)))
        spans = add_without_overlap(spans, (Span(start, end, "LOC") for start, end, _ in gazetteer.find_names(text)))
        spans = add_without_overlap(spans, (Span(*m.span(), "NUM") for m in patterns().number.finditer(text)))
        spans = add_without_overlap(spans, self._tagged_near_titles(doc))
        return to_entities(doc, spans, self.name)

    def _tagged_near_titles(self, doc: SegmentedDocument) -> list[Span]:
        """People jieba tags in the windows around person titles, and the
        organisations and places it tags there. Its place tags are loose
        (治区 of 依法治区办公室), so a place counts only when the gazetteer
        knows it; a 'person' that is a place (常德) is dropped, and one that
        swallowed the verb after it (廖泳任 of 局长廖泳任组长) loses it."""
        gazetteer = default_gazetteer()
        tagger = pos_tagger()
        not_last = patterns().person_name_not_last
        found: list[Span] = []
        for start, end in self._title_windows(doc):
            window = doc.clean[start:end]
            for span in merge_names(tokens_to_spans(tagger.lcut(window), window, start)):
                name = doc.clean[span.start : span.end]
                if span.label == "PER":
                    if len(name) == 3 and name[-1] in not_last:
                        span, name = Span(span.start, span.end - 1, "PER"), name[:-1]
                    if 2 <= len(name) <= 4 and not gazetteer.lookup(name):
                        found.append(span)
                elif span.label == "LOC" and gazetteer.lookup(name) or span.label == "ORG" and len(name) >= 2:
                    found.append(span)
        return found

    def _title_windows(self, doc: SegmentedDocument) -> list[tuple[int, int]]:
        """Stretches of text around person titles, kept inside their sentence
        and merged where they touch."""
        found = patterns()
        sentence_starts = [sentence.start for sentence in doc.sentences]
        windows: list[tuple[int, int]] = []
        for title in found.person_title.finditer(doc.clean):
            i = bisect.bisect_right(sentence_starts, title.start()) - 1
            low, high = (doc.sentences[i].start, doc.sentences[i].end) if i >= 0 else (0, len(doc.clean))
            start = max(low, title.start() - found.person_window)
            end = min(high, title.end() + found.person_window)
            if windows and start < windows[-1][1]:
                windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
            else:
                windows.append((start, end))
        return windows
