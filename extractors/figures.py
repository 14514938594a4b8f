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
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

import regex

from extractors.metrics import NO_METRIC, PIECES, Catalog, FigureContext, MetricMatch, load_catalog
from extractors.numbers import NotANumber, to_value
from schemas import FigureRecord, SegmentedDocument, Sentence

EXTRACTOR = "pattern"
ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
GAP = r"[ \t]{0,3}"  # PDF conversion puts spaces between number, qualifier and unit: "3 余场次"
CLAUSE_BREAK = regex.compile(r"[，；;。：:！？!?\n]|(?<!\d),|,(?!\d)")
LAST_CLAUSE_BREAK = regex.compile(CLAUSE_BREAK.pattern, flags=regex.REVERSE)  # searched from the end backwards
RANGE_AFTER = regex.compile(r"\s*[-—~～至到]\s*\d")
RANGE_BEFORE = regex.compile(r"(?<=\d\s*[-—~～至到]\s*)")  # matched at the number: no scan of the text before
YEAR_NUMBER = regex.compile(r"(?:19|20)\d{2}")
CLAUSE_END_AFTER = regex.compile(r"\s*(?:[，,。；;、）)]|$)")
HAN = regex.compile(r"\p{Han}")
PUNCTUATION_FIRST = regex.compile(r"\s*\p{P}")
PARTS_FOLLOW = "其中"
DISCOURSE_SENTENCES = 6  # the sentences before a figure's that may still name its act
CHANGE_NEAR = 10  # the characters before the number where a change word stands (同比增长, 较上年减少了)
SERIES_WORD = "以来"  # only a sentence with it can hold a series year by year
COMPARED = regex.compile(r"[较比与同]")  # only a clause with one of these can name a comparison
SECTION_JOIN = " > "  # between the headings of a section path
LIST_GOES_ON = ("；", ";")  # a sentence ending so is one item of a list the next sentence goes on  # the figures after it are parts of the total before it
MAX_FOLLOWING = 40  # the words after a unit that may still say what was counted
MAX_SUBJECT_FOLLOWING = 12  # … and that still fit in a subject phrase
MAX_CHINESE_NUMERAL = 20  # characters: 一千二百三十四万五千六百七十八 has 15; a longer run is no numeral
# characters before a number that its clause and its row label are looked for in: the words
# nearest it (a longer stretch without a break is a line with no punctuation, a flattened table)
CONTEXT_WINDOW = 400
# Flattened tables: a number alone in a cell, after a row label with words in it
# ("警告\t225454", "| 罚没金额（万元） | 7282.1179 |"); the label may name the unit in brackets.
CELL_BEFORE = regex.compile(r"(?:^|[\t|]| {2,})(?P<label>[^\t|]*?\p{Han}[^\t|]*?)(?:\s*(?:\t|\|| {2,})\s*[\d.,]*)*\s*(?:\t|\|| {2,})\s*$")
CELL_AFTER = regex.compile(r"\s*(?:\t|\||$| {2,})")
# the groups of FigureRules.candidate, in the order the pattern opens them
GROUP = {name: i for i, name in enumerate(("pre", "pct", "num", "q1", "mult", "q2", "unit", "post"), start=1)}
LABEL_UNIT = regex.compile(r"[（(]\s*(?:单位[：:]\s*)?(?P<mult>万|亿)?(?P<unit>[^（()）\s]{1,4}?)\s*[）)]\s*$")


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
        for written, unit in units["written_as"].items():
            self.units[written] = replace(self.units[unit])
        self.multipliers: dict[str, int] = units["multipliers"]
        self.time_outcome = regex.compile(_alternation(units["time"]["outcome_words"]))

        unit_alternatives = []
        for text in sorted(self.units, key=len, reverse=True):
            blocked = units["not_before"].get(text, "")
            lookahead = f"(?![{regex.escape(blocked)}])" if blocked else ""
            unit_alternatives.append(regex.escape(text) + lookahead)

        q = rules["qualifiers"]
        numerals = rules["numerals"]["chinese"]
        chinese = f"(?:[零〇一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾][{numerals}]{{0,{MAX_CHINESE_NUMERAL - 1}}}|{rules['numerals']['bare']})"
        inside = _alternation(q["inside"])
        units_pattern = "|".join(unit_alternatives)
        # a Chinese numeral is a candidate only before a measure word: without
        # one it is a word (统一, 一律, 四川), never a figure
        unit_ahead = rf"(?={GAP}(?:{inside})?{GAP}(?:{_alternation(self.multipliers)})?{GAP}(?:{inside})?{GAP}(?:{units_pattern}))"
        self.candidate = regex.compile(
            rf"(?P<pre>{_alternation(q['before'])}|{q['before_pattern']})?{GAP}"
            rf"(?:百分之(?P<pct>{chinese}|{ARABIC})|(?P<num>{ARABIC}|{chinese}{unit_ahead}))"
            rf"{GAP}(?P<q1>{inside})?"
            rf"{GAP}(?P<mult>{_alternation(self.multipliers)})?"
            rf"{GAP}(?P<q2>{inside})?"
            rf"(?:{GAP}(?P<unit>{units_pattern}))?"
            rf"(?P<post>{GAP}(?:{_alternation(q['after'])}))?"
        )
        if self.candidate.groupindex != GROUP:
            raise RuntimeError("figures.GROUP must list the candidate pattern's groups in order")
        # every candidate holds a character that can begin a number (百 of 百分之 too), at most
        # `candidate_reach` characters after the candidate's start (a qualifier and the gaps);
        # the pattern is tried only from there (see FigureExtractor.candidates)
        self.number_start = regex.compile(rf"[\d{regex.escape(numerals)}]")
        self.candidate_reach = max(map(len, q["before"])) + len(q["before_pattern"]) + 3  # + GAP
        self.category_units = set(rules["numerals"]["category_units"])
        self.category_max = rules["numerals"]["category_max"]

        context = rules["context"]
        self.rule_context = regex.compile("|".join(f"(?:{p})" for p in context["rule"]))
        self.before_chars = set(context["before_char"])
        self.after_unit = [regex.compile(p) for p in context["after"]]
        self.quote_pairs = [(pair[0], pair[1]) for pair in context["quoted_names"]]
        self.quoted_max = context["quoted_max_chars"]
        kinds = rules["kinds"]
        self.change = regex.compile(rf"(?:{_alternation(kinds['change_words'])}){kinds['between_change_and_number']}")
        self.change_units = set(kinds["change_units"])
        self.share = regex.compile(kinds["share"])
        self.average = regex.compile(kinds["average"])
        self.share_after = kinds["share_after"]
        self.ratio = regex.compile(kinds["ratio"])
        borrow = rules["borrow"]
        self.list_join = regex.compile(borrow["list_join"])
        self.comparison = regex.compile(borrow["comparison"])
        self.part_open = regex.compile(borrow["part_open"])
        self.respectively = borrow["respectively"]
        self.breakdown = regex.compile(borrow["breakdown"])
        self.series = regex.compile(borrow["series"])
        self.period_item = regex.compile(borrow["period_item"])
        self.unitless_count = regex.compile(_alternation(rules["unitless"]["count_words"]))
        self.last_year = regex.compile(rules["year"]["pattern"], flags=regex.REVERSE)  # the last one first
        self.current_period = regex.compile(_alternation(rules["year"]["current"]))
        subject = rules["subject"]
        self.subject_head = regex.compile(rf"^(?:\s|{_alternation(subject['strip_before'])})+")
        self.subject_tail = regex.compile(rf"(?:\s|{_alternation(subject['strip_after'])})+$")
        self.leading_year = regex.compile(r"^\s*(?:(?:19|20)\d{2}\s*年(?:度|底|末)?[，,]?\s*)+")


class Candidate:
    """A number found in a sentence, before we decide whether it is a figure.
    Positions are in the sentence; `offset` is the sentence's start in the clean text."""

    __slots__ = ("spans", "text", "offset", "numeral", "number_start", "start", "end", "is_chinese")

    def __init__(self, match: regex.Match, sentence: Sentence):
        # the spans of the match and its groups, (-1, -1) for a group not taken
        # part: one cheap tuple instead of a call per group
        self.spans = spans = match.regs
        self.text = text = sentence.text
        self.offset = sentence.start
        (pct_start, pct_end), (num_start, num_end) = spans[GROUP["pct"]], spans[GROUP["num"]]
        if pct_start >= 0:
            self.numeral, self.number_start = text[pct_start:pct_end], pct_start - 3  # 百分之
        else:
            self.numeral, self.number_start = text[num_start:num_end], num_start
        pre_start = spans[GROUP["pre"]][0]
        self.start = pre_start if pre_start >= 0 else self.number_start
        match_start, match_end = spans[0]
        self.end = match_start + len(text[match_start:match_end].rstrip())  # trailing white space trimmed
        self.is_chinese = not self.numeral[:1].isdigit()  # an Arabic numeral starts with a digit

    def group(self, name: str) -> str:
        """The text of a group of the candidate pattern ('' when it took no part)."""
        start, end = self.spans[GROUP[name]]
        return self.text[start:end] if start >= 0 else ""


class FigureExtractor:
    def __init__(self, rules: FigureRules | None = None, catalog: Catalog | None = None):
        self.rules = rules or default_rules()
        self.catalog = catalog or load_catalog()

    # -- finding ---------------------------------------------------------
    def candidates(self, sentence: Sentence) -> list[Candidate]:
        """The candidate pattern's matches, as finditer would give them, but searched
        for only near the characters that can begin a number: tried at every place
        of the sentence, the pattern's optional qualifier made it the extractor's
        costliest regex."""
        text, rules = sentence.text, self.rules
        found, pos = [], 0
        while (number := rules.number_start.search(text, pos)) is not None:
            match = rules.candidate.search(text, max(pos, number.start() - rules.candidate_reach))
            if match is None:
                break
            found.append(Candidate(match, sentence))
            pos = match.end()
        return found

    def unit_of(self, c: Candidate) -> Unit | None:
        if c.group("pct"):
            return self.rules.units["%"]
        unit = c.group("unit")
        return self.rules.units[unit] if unit else None

    @staticmethod
    def cell_label(c: Candidate) -> str:
        """The row label when the number stands alone in a table cell, else ''."""
        text = c.text
        if c.group("pre") or not CELL_AFTER.match(text, c.end):
            return ""
        label = CELL_BEFORE.search(text, max(0, c.number_start - CONTEXT_WINDOW), c.number_start)
        return label.group("label").strip() if label else ""

    def cell_unit(self, label: str) -> tuple[Unit | None, str]:
        """The unit (and 万/亿 multiplier) a row label names: 罚没金额（万元）."""
        named = LABEL_UNIT.search(label)
        if named and named.group("unit") in self.rules.units:
            return self.rules.units[named.group("unit")], named.group("mult") or ""
        return None, ""

    def clause_start(self, text: str, pos: int, floor: int) -> int:
        """Where the clause holding position `pos` begins: after the last
        clause break, or after the previous figure (`floor`), at most CONTEXT_WINDOW before."""
        floor = max(floor, pos - CONTEXT_WINDOW)
        brk = LAST_CLAUSE_BREAK.search(text, floor, pos)
        return brk.end() if brk else floor

    def rejection(self, c: Candidate, unit: Unit | None, clause: str, quotes: list[tuple[str, str]]) -> str:
        """Why this number is not a figure ('' when it is one). `quotes` are
        the quote pairs whose opening mark the sentence holds."""
        r, text = self.rules, c.text
        num_start = c.number_start
        before = text[num_start - 1] if num_start > 0 else ""
        if before in r.before_chars:
            return "ordinal or document number"
        if before and (before.isascii() and (before.isalnum() or before in "+-./_")):
            return "part of a code"
        after = text[c.end:]
        next_char = after[:1]
        if next_char and (next_char in "+＋" or (next_char.isascii() and (next_char.isalpha() or (unit is None and next_char.isdigit())))):
            return "part of a code"
        if RANGE_AFTER.match(after) or RANGE_BEFORE.match(text, num_start):
            return "a range"
        for open_, close in quotes:
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
        label = self.cell_label(c) if unit is None else ""
        if label:
            if YEAR_NUMBER.fullmatch(c.numeral) and "年" in label:
                return "a year"
        elif unit is None:
            if c.is_chinese or c.group("mult") or c.group("q1") or c.group("q2"):
                return "no measure word"
            if not CLAUSE_END_AFTER.match(after) or not r.unitless_count.search(clause):
                return "no measure word"
            if YEAR_NUMBER.fullmatch(c.numeral):
                return "a year"
        elif unit.is_time and not r.time_outcome.search(clause):
            return "a duration or deadline, not an outcome"
        if c.is_chinese:
            try:
                value = to_value(c.numeral)
            except NotANumber:
                return "not a numeral"
            approx = c.group("q1") or c.group("q2") or c.group("pre")
            if value == 1 and not approx:
                return "一 + measure word is an article"
            if (value < r.category_max and not approx and unit is not None
                    and unit.text in r.category_units and HAN.match(after)):
                return "a category or slogan (三项制度)"
        return ""

    # -- describing ------------------------------------------------------
    def value_of(self, c: Candidate, multiplier: str = "") -> float:
        return to_value(c.numeral, c.group("mult") or multiplier)

    def year_of(self, sentence_before: str, report_year: int | None) -> int | None:
        """The last year the sentence names before the figure, unless it then
        comes back to the reporting period (今年以来); else the report year."""
        last = self.rules.last_year.search(sentence_before)
        if last is None or self.rules.current_period.search(sentence_before, last.end()):
            return report_year
        return int(last.group(1))

    def subject_of(self, prefix: str, following: str) -> str:
        r = self.rules
        prefix = r.leading_year.sub("", prefix)
        prefix = r.subject_tail.sub("", r.subject_head.sub("", prefix)).strip()
        if following and (len(prefix) <= 6):
            return f"{prefix}{following}".strip()
        return prefix

    def extract(self, doc: SegmentedDocument, report_year: int | None = None,
                skipped: list[Skipped] | None = None) -> list[FigureRecord]:
        """The document's figures. With a `skipped` list, a number that fails
        to be read or described is left out and noted there, and the others
        stay; without one, the failure is raised."""
        figures: list[FigureRecord] = []
        lead_clause = ""  # the clause of the first figure in the last sentence that had figures
        title = doc.sentences[0].text if doc.sentences and not doc.sentences[0].section else ""
        discourse, part = Discourse(title), ""
        previous: list[FigureRecord] = []
        first: dict[tuple[str, int | None], FigureRecord] = {}  # metric and year -> the figure that first gave it
        in_breakdown = False  # a breakdown word opened a list that goes on over sentences ending in ；
        for sentence in doc.sentences:
            top = sentence.section.split(SECTION_JOIN, 1)[0]
            if top != part:
                part, first, in_breakdown = top, {}, False
                discourse.new_part()
            found, first_clause = self.extract_sentence(doc.doc_id, sentence, report_year, lead_clause,
                                                        discourse.text, previous, skipped)
            # the same metric again with a smaller value, after a word that opens a breakdown in
            # its sentence or a list of them (其中, 按行业分, 市本级, …案件中): a part (a county, an
            # industry, a campaign), no id of its own
            for j, figure in enumerate(found):
                if not figure.metric:
                    continue
                total = first.setdefault((figure.metric, figure.year), figure)
                opened = in_breakdown or self.rules.breakdown.search(doc.clean, max(sentence.start, total.end), figure.start)
                if figure.value < total.value and opened:
                    found[j] = figure.model_copy(update={"metric": ""})
            if found and self.rules.breakdown.search(sentence.text):
                in_breakdown = True
            if not sentence.text.rstrip().endswith(LIST_GOES_ON):
                in_breakdown = False
            figures.extend(found)
            lead_clause = first_clause or lead_clause
            previous = found or previous
            discourse.add(sentence.text)
        return figures

    def extract_sentence(self, doc_id: str, sentence: Sentence, report_year: int | None,
                         lead_clause: str = "", discourse: Callable[[], str] | None = None,
                         earlier: list[FigureRecord] | None = None,
                         skipped: list[Skipped] | None = None) -> tuple[list[FigureRecord], str]:
        """The figures of one sentence, and the clause of its first figure
        (the next sentence may leave out its verb: "共考评行政案件92案。刑事案件158案").
        `discourse` gives earlier text that may name the act; `earlier`, the figures of the
        sentence before, whose total a sentence opening with 其中 breaks down."""
        text = sentence.text
        candidates = self.candidates(sentence)
        if not candidates:
            return [], ""
        accepted: list[tuple[Candidate, Unit | None, str, int, int | None]] = []  # + multiplier, clause start, year
        floor = 0
        quotes = [pair for pair in self.rules.quote_pairs if pair[0] in text]
        for c in candidates:
            with isolated(c, skipped):
                unit = self.unit_of(c)
                clause_start = self.clause_start(text, c.start, floor)
                if self.rejection(c, unit, text[clause_start:c.start], quotes):
                    continue
                multiplier = ""
                if unit is None and (label := self.cell_label(c)):
                    unit, multiplier = self.cell_unit(label)
                    clause_start = text.find(label)
                year = self.year_of(text[:c.start], report_year)
                if year is not None and report_year is not None and year < report_year - 1:
                    continue  # history ("2008年…在3个市州试点"): not measured over the reporting period
                accepted.append((c, unit, multiplier, clause_start, year))
                floor = c.end

        if not accepted:
            return [], ""
        earlier_text = discourse() if discourse is not None else ""
        records: list[FigureRecord] = []
        previous_subject = ""
        parent_of_kind: dict[str, str] = {}
        previous: tuple[str, MetricMatch] | None = None  # the last figure's clause and metric
        names = self.respective_names(text, accepted)
        has_series = SERIES_WORD in text
        in_series = False  # the figure before was one of a series year by year
        for i, (c, unit, multiplier, clause_start, year) in enumerate(accepted):
            with isolated(c, skipped):
                next_start = accepted[i + 1][0].start if i + 1 < len(accepted) else len(text)
                prefix = text[clause_start:c.start]
                following = self.following_noun(text, c.end, next_start)
                kind = unit.kind if unit else "count"
                last = records[-1] if records else None
                # "分别受理412件、377件": the same measure as the figure before, for another subject
                listed = last is not None and last.unit_kind == kind and bool(self.rules.list_join.fullmatch(prefix))
                # "2018年以来…分别为16.4%、11.36%", "2020年为13.5%、2021年为20.2%": one measure year by year
                series = self.rules.series.search(text, 0, c.start) if has_series else None
                yearly = last is not None and last.unit_kind == kind and bool(self.rules.period_item.fullmatch(prefix))
                # "较上年的72件": the same measure for another year
                compared = None if listed or not COMPARED.search(prefix) else self.rules.comparison.search(prefix)
                # "立案46起（市本级9起）": a part of the figure before
                part = None if listed or last is None else self.rules.part_open.match(prefix)
                if (listed or yearly) and last is not None:
                    figure_kind = last.kind
                else:  # the figure a comparison names is a level (较上年的72件), not the change
                    figure_kind = "level" if compared else self.figure_kind_of(prefix, unit, text[c.end:c.end + 1])
                subject = self.subject_of(prefix, following if len(following) <= MAX_SUBJECT_FOLLOWING else "")
                subject = previous_subject = subject or previous_subject

                paired = not prefix.strip() and previous is not None  # "61 案 113 人": the same clause, another unit
                clause = names.get(i) or (previous[0] if paired or listed else prefix)
                context = FigureContext(
                    clause=clause, following=following, before=f"{sentence.section}{PIECES}{text[:c.start]}",
                    unit=unit.text if unit else "", kind=kind, figure_kind=figure_kind, context=earlier_text,
                    sentence=text, at=c.start,
                )
                borrowed = self.borrowed(records, kind) if compared else None
                if (listed and in_series or yearly) and last is not None:
                    metric, subject = MetricMatch(last.metric, previous[1].score if previous else 0.0), last.subject
                    if listed and last.year is not None:
                        year = last.year + 1
                elif listed and i not in names and last is not None:
                    # 六个区县分别受理412件、377件: counts of the parts, no id of their own (nor has the first)
                    metric, subject = NO_METRIC, last.subject
                    if records[-1].metric and self.rules.respectively in text[:c.start]:
                        records[-1] = records[-1].model_copy(update={"metric": ""})
                elif borrowed is not None and not compared.group("words").strip():
                    metric, subject = MetricMatch(borrowed.metric, 0.0), f"{compared.group('period')}{borrowed.subject}"
                else:
                    metric = self.catalog.assign(context)
                    if i == 0 and not metric.id and lead_clause and same_head_noun(lead_clause, clause):
                        metric = self.catalog.assign(replace(context, clause=lead_clause + clause))
                    if compared and borrowed is not None and not metric.id:
                        metric = MetricMatch(borrowed.metric, 0.0)
                if paired and not listed and metric.score < previous[1].score:
                    metric = NO_METRIC  # a second count of the same thing (persons of the cases) with no id of its own
                previous = (clause, metric)
                in_series = bool(series) and (listed and in_series or self.rules.respectively in prefix)
                if in_series and not listed:
                    year = int(series.group(1))  # the first of a series is its start year
                if compared:
                    named = compared.group("year")
                    year = int(named) if named else (year - 1 if year is not None else None)

                start = c.offset + c.start
                since_last = text[accepted[i - 1][0].end if i else 0:c.start]
                if PARTS_FOLLOW in since_last:
                    totals = [r for r in (records or earlier or ()) if r.unit_kind == kind]
                    if totals:  # the parts that follow 其中 belong to the last total of their kind
                        parent_of_kind[kind] = totals[-1].parent_id or totals[-1].figure_id
                parent_id = parent_of_kind.get(kind, "")
                if part and last is not None and last.unit_kind == kind:
                    parent_id = last.figure_id
                    subject = f"{part.group('org').strip()}{last.subject}"
                parent = next((r for r in [*(earlier or ()), *records] if r.figure_id == parent_id), None) if parent_id else None
                if parent is not None and parent.metric == metric.id:
                    metric = NO_METRIC  # a part has no id of its own when its total has the same one
                qualifier = "".join(c.group(g) for g in ("pre", "q1", "q2", "post")).strip()
                records.append(FigureRecord(
                    figure_id=f"{doc_id}:{start}",
                    doc_id=doc_id,
                    start=start,
                    end=c.offset + c.end,
                    text=text[c.start:c.end],
                    value=self.value_of(c, multiplier),
                    unit=unit.text if unit else "",
                    unit_kind=kind,
                    approx=bool(qualifier),
                    qualifier=qualifier,
                    metric=metric.id,
                    kind=figure_kind,
                    subject=subject,
                    year=year,
                    section=sentence.section,
                    sentence=text,
                    parent_id=parent_id,
                    extractor=EXTRACTOR,
                ))
        first_clause = text[accepted[0][3]:accepted[0][0].start] if accepted else ""
        return records, first_clause

    def figure_kind_of(self, prefix: str, unit: Unit | None, after: str = "") -> str:
        """level, change (同比增长12.5%, 下降3个百分点), share (占比21.7%, 99%的县),
        average (案均罚款8.8万元) or rate (纠错率8.2%: any other percentage; 复议诉讼比达1.13)."""
        r = self.rules
        if (unit is not None and unit.text in r.change_units) or r.change.search(prefix[-CHANGE_NEAR:]):
            return "change"
        percent = unit is not None and unit.kind == "percent"
        if r.share.search(prefix) or (percent and after in r.share_after):
            return "share"
        if percent or (unit is None and r.ratio.search(prefix)):
            return "rate"
        return "average" if r.average.search(prefix) else "level"

    @staticmethod
    def borrowed(records: list[FigureRecord], kind: str) -> FigureRecord | None:
        """The level figure a comparison refers back to: the last one of its unit kind."""
        return next((r for r in reversed(records) if r.unit_kind == kind and r.kind == "level"), None)

    def respective_names(self, text: str, accepted: list) -> dict[int, str]:
        """"查封、扣押、移送分别为21宗、6宗、8宗": each number's own name, by its place
        in the list (figure index -> the clause it stands for)."""
        names: dict[int, str] = {}
        for i, (c, _, _, clause_start, _) in enumerate(accepted):
            prefix = text[clause_start:c.start]
            at = prefix.rfind(self.rules.respectively)
            if at < 0:
                continue
            listed = [name for name in regex.split(r"[、和及]", prefix[:at]) if name.strip()]
            verb = prefix[at + len(self.rules.respectively):]
            members = [i]
            for j in range(i + 1, len(accepted)):
                between = text[accepted[j - 1][0].end:accepted[j][0].start]
                if not self.rules.list_join.fullmatch(between):
                    break
                members.append(j)
            if len(listed) == len(members) > 1:
                lead = prefix[:prefix.find(listed[0])] if listed[0] in prefix else ""
                names.update({j: f"{lead}{name}{verb}" for j, name in zip(members, listed)})
        return names

    @staticmethod
    def following_noun(text: str, end: int, next_start: int) -> str:
        """The words right after a figure's unit up to the clause end: the
        noun counted when it follows the number (发现322个问题). When the
        next figure stands in the same clause, stop at the list comma."""
        # (a break after the next figure tells no more than one at it: the search stops
        # there, the character after it still in view for the break's look-ahead)
        brk = CLAUSE_BREAK.search(text, end, next_start + 2)
        clause_end = brk.start() if brk else len(text)
        if next_start < clause_end:
            comma = text.find("、", end, next_start)
            clause_end = comma if comma >= 0 else next_start
        following = text[end:clause_end]
        return "" if PUNCTUATION_FIRST.match(following) else following.strip()[:MAX_FOLLOWING]


class Discourse:
    """The title and the last sentences of the current part of a report: a sentence that
    names no act is about the one named last before it ("收到复议申请96件。受理89件").
    The catalog looks for that act only when a figure needs it."""

    def __init__(self, title: str):
        self.title = title
        self.recent: deque[str] = deque(maxlen=DISCOURSE_SENTENCES)
        self.joined = ""

    def new_part(self) -> None:
        self.recent.clear()
        self.joined = ""

    def add(self, sentence: str) -> None:
        self.recent.append(sentence)
        self.joined = ""

    def text(self) -> str:
        if not self.joined:  # one string while no sentence is added: the catalog caches by it
            self.joined = PIECES.join((self.title, *self.recent))
        return self.joined


@dataclass(frozen=True)
class Skipped:
    """A number left out because reading or describing it failed. Offsets
    are in the clean text, as a figure's are before grounding."""

    start: int
    end: int
    text: str
    reason: str


class isolated:
    """The work on one candidate (`with isolated(c, skipped):`): should it fail,
    the candidate is noted in `skipped` and left out, and the sentence goes on
    (one number that cannot be read costs that number only). A class, not a
    @contextmanager generator: it is entered twice for every number of every
    report, and a generator costs ten times as much."""

    __slots__ = ("candidate", "skipped")

    def __init__(self, c: Candidate, skipped: list[Skipped] | None):
        self.candidate, self.skipped = c, skipped

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, traceback) -> bool:
        if error is None or not isinstance(error, Exception) or self.skipped is None:
            return False  # no failure, or not ours to swallow: it propagates
        c = self.candidate
        self.skipped.append(Skipped(c.offset + c.start, c.offset + c.end, c.text[c.start:c.end],
                                    f"{type(error).__name__}: {error}"))
        return True


def same_head_noun(a: str, b: str) -> bool:
    """Whether two clauses end in the same noun (行政案件, 刑事案件)."""
    a, b = a.strip(), b.strip()
    return len(a) >= 2 and len(b) >= 2 and a[-2:] == b[-2:] and len(b) <= 8


@cache
def default_rules() -> FigureRules:
    return FigureRules(_load("units.toml"), _load("figure_rules.toml"))
