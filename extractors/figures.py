"""The pattern extractor for figures: numbers with their qualifier and unit,
told apart from dates, deadlines, quotas, names and list markers.

A figure is what ../shared/spec/figures.md says: a count, an amount of money
or a percentage the report states about what happened. The extractor
1. finds every number with what may surround it (约 … 余 万 … 件 … 以上),
2. drops the numbers that the language marks as something else (the rules in
   data/figure_rules.toml: 每日抽查40起, 不低于5%, “五个一律”, 第三条, 24小时),
3. gives each figure its value, unit, approx flag, subject, year and metric.

Spans are offsets into the clean text; pipeline/extract.py grounds them.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cached_property
from importlib import resources

import regex

from extractors.metrics import Catalog, FigureContext, load_catalog
from extractors.numbers import NotANumber, to_value
from schemas import FigureRecord, SegmentedDocument, Sentence

EXTRACTOR = "pattern"
ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
CLAUSE_BREAK = regex.compile(r"[，；;。：:！？!?\n]|(?<!\d),|,(?!\d)")
NOUN_END = regex.compile(r"[，；;。：:！？!?\n、（）()“”\s]|(?<!\d),|,(?!\d)")
MAX_FOLLOWING = 24  # the noun after a unit that still says what was counted
MAX_SUBJECT_FOLLOWING = 12
GAP = r"[ \t]{0,3}"


def _alternation(words) -> str:
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))


def _load(name: str) -> dict:
    return tomllib.loads(resources.files("extractors.data").joinpath(name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Unit:
    text: str
    kind: str  # count, money, percent, other
    is_time: bool = False


class FigureRules:
    """The data files compiled into patterns, once per process."""

    def __init__(self, units: dict, rules: dict):
        self.units: dict[str, Unit] = {}
        for group, kind in (("count", "count"), ("measure", "other"), ("time", "other"),
                            ("money", "money"), ("percent", "percent"), ("ratio", "other")):
            for text in units[group]["units"]:
                self.units[text] = Unit(text, kind, is_time=group == "time")
        self.multipliers: dict[str, int] = units["multipliers"]
        self.time_outcome = regex.compile(_alternation(units["time"]["outcome_words"]))

        unit_alternatives = []
        for text in sorted(self.units, key=len, reverse=True):
            blocked = units["not_before"].get(text, "")
            lookahead = f"(?![{regex.escape(blocked)}])" if blocked else ""
            unit_alternatives.append(regex.escape(text) + lookahead)

        q = rules["qualifiers"]
        numerals = rules["numerals"]["chinese"]
        chinese = f"[零〇一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾][{numerals}]*"
        self.chinese_numeral = regex.compile(chinese)
        self.candidate = regex.compile(
            rf"(?P<pre>{_alternation(q['before'])})?{GAP}"
            rf"(?:百分之(?P<pct>{chinese}|{ARABIC})|(?P<num>{ARABIC}|{chinese}))"
            rf"{GAP}(?P<q1>{_alternation(q['inside'])})?"
            rf"{GAP}(?P<mult>{_alternation(self.multipliers)})?"
            rf"{GAP}(?P<q2>{_alternation(q['inside'])})?"
            rf"(?:{GAP}(?P<unit>{'|'.join(unit_alternatives)}))?"
            rf"(?P<post>{GAP}(?:{_alternation(q['after'])}))?"
        )
        self.category_units = set(rules["numerals"]["category_units"])
        self.category_max = rules["numerals"]["category_max"]

        context = rules["context"]
        self.rule_context = regex.compile("|".join(f"(?:{p})" for p in context["rule"]))
        self.before_chars = set(context["before_char"])
        self.after_unit = [regex.compile(p) for p in context["after"]]
        self.quote_pairs = [(pair[0], pair[1]) for pair in context["quoted_names"]]
        self.quoted_max = context["quoted_max_chars"]
        self.change = regex.compile(_alternation(rules["changes"]["words"]))
        self.unitless_count = regex.compile(_alternation(rules["unitless"]["count_words"]))
        self.year = regex.compile(rules["year"]["pattern"])
        subject = rules["subject"]
        self.subject_head = regex.compile(rf"^(?:\s|{_alternation(subject['strip_before'])})+")
        self.subject_tail = regex.compile(rf"(?:\s|{_alternation(subject['strip_after'])})+$")
        self.leading_year = regex.compile(r"^\s*(?:(?:19|20)\d{2}\s*年(?:度|底|末)?[，,]?\s*)+")


@dataclass
class Candidate:
    """A number found in a sentence, before we decide whether it is a figure."""

    match: regex.Match
    sentence: Sentence
    offset: int  # the sentence's start in the clean text

    @property
    def start(self) -> int:  # in the sentence
        return self.match.start("pre") if self.match.group("pre") else self._number_start

    @property
    def _number_start(self) -> int:
        return self.match.start("pct") - 3 if self.match.group("pct") else self.match.start("num")

    @cached_property
    def end(self) -> int:  # in the sentence, white space after the number trimmed
        text = self.match.group()
        return self.match.start() + len(text.rstrip())

    @property
    def numeral(self) -> str:
        return self.match.group("pct") or self.match.group("num")

    @property
    def is_chinese(self) -> bool:
        return not any(ch.isdigit() for ch in self.numeral)


class FigureExtractor:
    def __init__(self, rules: FigureRules | None = None, catalog: Catalog | None = None):
        self.rules = rules or default_rules()
        self.catalog = catalog or load_catalog()

    # -- finding ---------------------------------------------------------
    def candidates(self, sentence: Sentence) -> list[Candidate]:
        return [Candidate(m, sentence, sentence.start) for m in self.rules.candidate.finditer(sentence.text)
                if m.group("num") or m.group("pct")]

    def unit_of(self, c: Candidate) -> Unit | None:
        if c.match.group("pct"):
            return self.rules.units["%"]
        unit = c.match.group("unit")
        return self.rules.units[unit] if unit else None

    def clause_start(self, text: str, pos: int, floor: int) -> int:
        """Where the clause holding position `pos` begins: after the last
        clause break, or after the previous figure (`floor`)."""
        start = floor
        for brk in CLAUSE_BREAK.finditer(text, floor, pos):
            start = brk.end()
        return start

    def rejection(self, c: Candidate, unit: Unit | None, clause: str) -> str:
        """Why this number is not a figure ('' when it is one)."""
        r, text = self.rules, c.sentence.text
        num_start = c._number_start
        before = text[num_start - 1] if num_start > 0 else ""
        if before in r.before_chars:
            return "ordinal or document number"
        if before and (before.isascii() and (before.isalnum() or before in "+-./_")):
            return "part of a code"
        after = text[c.end:]
        if after[:1] in "+＋" or (after[:1].isascii() and (after[:1].isalpha() or (unit is None and after[:1].isdigit()))):
            return "part of a code"
        if regex.match(r"\s*[-—~～至到]\s*\d", after) or regex.search(r"\d\s*[-—~～至到]\s*$", text[:num_start]):
            return "a range"
        for open_, close in r.quote_pairs:
            left = text.rfind(open_, 0, num_start)
            if left >= 0 and (open_ == close or text.rfind(close, left + 1, num_start) < 0):
                right = text.find(close, c.end)
                if right >= 0 and right - left <= r.quoted_max:
                    return "part of a quoted name"
        if r.rule_context.search(clause):
            return "a rule, quota, rank or page furniture"
        for pattern in r.after_unit:
            if pattern.match(after):
                return "a deadline, ordinal or address"
        if unit is None:
            if c.is_chinese or c.match.group("mult") or c.match.group("q1") or c.match.group("q2"):
                return "no measure word"
            if not regex.match(r"\s*(?:[，,。；;、）)]|$)", after) or not r.unitless_count.search(clause):
                return "no measure word"
            if regex.fullmatch(r"(?:19|20)\d{2}", c.numeral):
                return "a year"
        elif unit.is_time and not r.time_outcome.search(clause):
            return "a duration or deadline, not an outcome"
        if c.is_chinese:
            try:
                value = to_value(c.numeral)
            except NotANumber:
                return "not a numeral"
            approx = c.match.group("q1") or c.match.group("q2") or c.match.group("pre")
            if value == 1 and not approx:
                return "一 + measure word is an article"
            if (value < r.category_max and not approx and unit is not None
                    and unit.text in r.category_units and regex.match(r"\p{Han}", after)):
                return "a category or slogan (三项制度)"
        return ""

    # -- describing ------------------------------------------------------
    def value_of(self, c: Candidate, unit: Unit | None) -> float:
        return to_value(c.numeral, c.match.group("mult") or "")

    def year_of(self, sentence_before: str, report_year: int | None) -> int | None:
        years = self.rules.year.findall(sentence_before)
        return int(years[-1]) if years else report_year

    def subject_of(self, prefix: str, following: str) -> str:
        r = self.rules
        prefix = r.leading_year.sub("", prefix)
        prefix = r.subject_tail.sub("", r.subject_head.sub("", prefix)).strip()
        if following and (len(prefix) <= 6):
            return f"{prefix}{following}".strip()
        return prefix

    def extract(self, doc: SegmentedDocument, report_year: int | None = None) -> list[FigureRecord]:
        figures: list[FigureRecord] = []
        for sentence in doc.sentences:
            figures.extend(self.extract_sentence(doc.doc_id, sentence, report_year))
        return figures

    def extract_sentence(self, doc_id: str, sentence: Sentence, report_year: int | None) -> list[FigureRecord]:
        text = sentence.text
        accepted: list[tuple[Candidate, Unit | None, int]] = []  # candidate, unit, clause start
        floor = 0
        for c in self.candidates(sentence):
            unit = self.unit_of(c)
            clause_start = self.clause_start(text, c.start, floor)
            clause = text[clause_start:c.start]
            if self.rejection(c, unit, clause):
                continue
            accepted.append((c, unit, clause_start))
            floor = c.end

        records: list[FigureRecord] = []
        parent_id = ""
        previous_subject = ""
        for i, (c, unit, clause_start) in enumerate(accepted):
            next_start = accepted[i + 1][0].start if i + 1 < len(accepted) else len(text)
            brk = NOUN_END.search(text, c.end, next_start)
            following = text[c.end: brk.start() if brk else next_start][:MAX_FOLLOWING]
            prefix = text[clause_start:c.start]
            subject = self.subject_of(prefix, following if len(following) <= MAX_SUBJECT_FOLLOWING else "")
            subject = subject or previous_subject
            previous_subject = subject

            qualifier = "".join(c.match.group(g) or "" for g in ("pre", "q1", "q2", "post")).strip()
            kind = unit.kind if unit else "count"
            is_change = bool(self.rules.change.search(prefix[-6:]))
            sentence_before = f"{sentence.section} {text[:c.start]}"
            start = c.offset + c.start
            figure_id = f"{doc_id}:{start}"
            if prefix.lstrip().startswith("其中") and records:
                parent_id = records[-1].figure_id if not records[-1].parent_id else records[-1].parent_id
            record_parent = parent_id if parent_id and records and records[-1].unit_kind == kind else ""
            metric = self.catalog.assign(FigureContext(
                clause=prefix if prefix.strip() else previous_clause(accepted, i, text),
                following=following,
                before=sentence_before,
                unit=unit.text if unit else "",
                kind=kind,
                is_change=is_change,
            ))
            records.append(FigureRecord(
                figure_id=figure_id,
                doc_id=doc_id,
                start=start,
                end=c.offset + c.end,
                text=text[c.start:c.end],
                value=self.value_of(c, unit),
                unit=unit.text if unit else "",
                unit_kind=kind,
                approx=bool(qualifier),
                qualifier=qualifier,
                metric=metric,
                subject=subject,
                year=self.year_of(text[:c.start], report_year),
                section=sentence.section,
                sentence=text,
                parent_id=record_parent,
                extractor=EXTRACTOR,
            ))
        return records


def previous_clause(accepted, i: int, text: str) -> str:
    """A figure right after another one ("61 案 113 人") counts the same thing
    in another unit: it shares the previous figure's clause."""
    if i == 0:
        return ""
    c, _, clause_start = accepted[i - 1]
    return text[clause_start:c.start]


_DEFAULT: FigureRules | None = None


def default_rules() -> FigureRules:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = FigureRules(_load("units.toml"), _load("figure_rules.toml"))
    return _DEFAULT
