"""The metric catalog (data/metrics.toml) and the mapping of a figure to a metric id.

A metric is an act × a measure (see the catalog's header): the act is named by
the act word nearest the number (in its clause, else earlier in the sentence,
else in the section heading or table caption), the measure by the words that
govern the number (受理, 审结, 维持, 警告, 金额 …). Both are lexicons in the data
file. Metrics the structure cannot express keep wording patterns; every
candidate competes on one score and the highest wins.
"""
from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import regex

SEPARATOR = "␟"  # joins the clause before the number and the noun after it
GAP = f"[^{SEPARATOR}]{{0,12}}?"  # "…" in a catalog word: a gap that never crosses the number
POOL = regex.compile(r"从[^，,；;。]{1,20}?中")
CAPTURING = regex.compile(r"\((?!\?)")
NOT_THE_ACT = regex.compile(r"类|事项")  # 行政处罚类1520件, 行政许可事项: a kind of case or item, not the act
NEGATED = ("未", "不", "撤销")  # 未审结2件, 撤销立案3件 (a filing withdrawn): not the measure
COORDINATE = regex.compile(r"[、和及与]?")  # between two measures counted together: 查封扣押, 查封、扣押
# scores: a measure word and an act named in the figure's own clause outrank a wording
# pattern as long as both; an act named only earlier in the sentence adds a little, one
# named before the sentence nothing
MEASURE_SCORE = 2
ACT_IN_CLAUSE = 3
ACT_IN_SENTENCE = 1
TOTAL_SCORE = 3
FOLLOWING_ACT = 16  # the characters after the unit that may still name the act or the thing counted
PIECES = "␞"  # between the sentences (and headings) of a context


@dataclass(frozen=True)
class FigureContext:
    clause: str  # the words from the clause start to the number (a table: the header path)
    following: str  # the noun phrase right after the unit, if any
    before: str  # the section path (a table: its caption) and the sentence up to the figure
    unit: str
    kind: str  # count, money, percent, other
    figure_kind: str = "level"  # level, change, share, rate, average
    context: str = ""  # earlier text that may name the act: the title and the sentences before, joined by ␞
    sentence: str = ""  # the figure's whole sentence, and where the figure starts in it: the
    at: int = 0  # sentence's act words are then found once for all its figures
    is_change: bool = False  # the same as figure_kind "change", for callers that only know that


class MetricMatch(NamedTuple):
    id: str
    score: float  # how specific the words that matched were


NO_METRIC = MetricMatch("", 0.0)

LOOKAROUND = regex.compile(r"\(\?<?[!=][^)]*\)|\.\*|…")
LETTERS = regex.compile(r"[\p{Han}A-Za-z]")
LOOKAROUND_GROUP = regex.compile(r"\(\?<?[!=][^)]*\)")
GROUP = regex.compile(r"\([^)]*\)")
LITERAL_RUN = regex.compile(r"[\p{Han}A-Za-z␟]+")


def specificity(word: str) -> int:
    """The characters a catalog word names outright (gaps and look-arounds do not count)."""
    return len(LETTERS.findall(LOOKAROUND.sub("", word)))


def _compile(word: str) -> str:
    return CAPTURING.sub("(?:", word).replace("…", GAP)


def plain(word: str) -> str:
    """A catalog word without its look-arounds: (?<!暂扣)许可(?!证) -> 许可."""
    return LOOKAROUND_GROUP.sub("", word)


def data_patterns(data: dict, metric_id: str) -> list[str]:
    return next((e.get("patterns", []) for e in data["metric"] if e["id"] == metric_id), [])


def _anchor(pattern: str) -> str:
    """The longest run of literal characters outside groups: every match contains it."""
    runs = LITERAL_RUN.findall(GROUP.sub(" ", pattern.replace("…", " ")))
    return max(runs, key=len, default="")


LEADING_LOOKBEHIND = regex.compile(r"^(?:\(\?<[!=][^)]*\))+")
LEADING_GROUP = regex.compile(r"^\(\?:([^()]*)\)")


def first_characters(word: str) -> str:
    """The characters a catalog word's matches can begin with ('' when that is not plain)."""
    word = LEADING_LOOKBEHIND.sub("", word)
    group = LEADING_GROUP.match(word)
    if group:
        options = group.group(1).split("|")
        return "".join(o[0] for o in options) if all(o and LETTERS.match(o[0]) for o in options) else ""
    return word[0] if word and LETTERS.match(word[0]) else ""


class Found(NamedTuple):
    name: str
    start: int
    end: int
    specificity: int


class Lexicon:
    """Names (acts or measures) and their words; a text's words are found leftmost,
    the most specific first where several begin at one place."""

    def __init__(self, words_by_name: dict[str, list[str]]):
        words = [(name, word) for name, ws in words_by_name.items() for word in ws]
        words.sort(key=lambda nw: -specificity(nw[1]))
        self.entries = [(name, specificity(word)) for name, word in words]
        self.names = set(words_by_name)
        # one alternation per first character: at a place only the words that can begin
        # there are tried (a few, not the lexicon's hundreds)
        by_first: dict[str, list[str]] = defaultdict(list)
        for i, (_, word) in enumerate(words):
            for char in first_characters(word):
                by_first[char].append(f"(?P<w{i}>{_compile(word)})")
        self.by_first = {char: regex.compile("|".join(alternatives)) for char, alternatives in by_first.items()}
        self.starts = regex.compile(f"[{regex.escape(''.join(sorted(by_first)))}]") if by_first else None

    def find(self, text: str) -> tuple[Found, ...]:
        """The words of `text`, leftmost first (kept: reports repeat their clauses)."""
        return _find(self, text)

    def scan(self, text: str) -> tuple[Found, ...]:
        found: list[Found] = []
        if self.starts is None:
            return found
        by_first, entries, pos = self.by_first, self.entries, 0
        for start in self.starts.finditer(text):
            at = start.start()
            if at < pos:
                continue  # inside the word found last
            m = by_first[text[at]].match(text, at)
            if m is not None:
                name, spec = entries[int(m.lastgroup[1:])]
                found.append(Found(name, at, m.end(), spec))
                pos = m.end()
        return tuple(found)


@lru_cache(maxsize=16384)
def _find(lexicon: Lexicon, text: str) -> tuple[Found, ...]:
    return lexicon.scan(text)


class Wording(NamedTuple):
    pattern: regex.Pattern
    specificity: int
    anchor: str  # a literal every match contains: when it is absent the pattern is not tried


@dataclass
class Metric:
    id: str
    name: str
    kind: str
    parent: str = ""
    partition: str = ""
    not_above: str = ""
    act: str = ""
    measures: tuple[str, ...] = ()
    figure_kind: str = "level"
    act_named: bool = False  # only when the act is named in the figure's own sentence
    units: tuple[str, ...] = ()
    requires: regex.Pattern | None = None
    weight: int = 0
    patterns: list[Wording] = field(default_factory=list)
    wordings: tuple[str, ...] = ()  # as a reader would write them: act word…measure word, then the patterns

    def fits(self, ctx: FigureContext, figure_kind: str) -> bool:
        # a number with no unit (a table cell) contradicts no unit list
        return (self.kind == ctx.kind and self.figure_kind == figure_kind
                and not (self.units and ctx.unit and ctx.unit not in self.units))


class Catalog:
    def __init__(self, data: dict):
        self.metrics: dict[str, Metric] = {}
        for entry in data["metric"]:
            measures = entry.get("measure", ())
            metric = Metric(
                id=entry["id"], name=entry["name"], kind=entry["kind"],
                parent=entry.get("parent", ""), partition=entry.get("partition", ""),
                not_above=entry.get("not_above", ""), act=entry.get("act", ""),
                measures=(measures,) if isinstance(measures, str) else tuple(measures),
                figure_kind=entry.get("figure_kind", "rate" if entry["kind"] == "percent" else "level"),
                act_named=entry.get("act_named", False),
                units=_units(entry.get("units", ()), data.get("unit_sets", {}), entry["id"]),
                requires=regex.compile(entry["requires"]) if "requires" in entry else None,
                weight=entry.get("weight", 0),
                patterns=[Wording(regex.compile(_compile(p)), specificity(p), _anchor(p)) for p in entry.get("patterns", ())],
            )
            if metric.id in self.metrics:
                raise ValueError(f"metric id {metric.id} is in the catalog twice")
            self.metrics[metric.id] = metric
        self.acts = Lexicon(data["acts"])
        measures = data["measures"]
        self.measures = Lexicon({name: entry["words"] for name, entry in measures.items()})
        # the measure words an act word can stand inside (不予许可 holds 许可; a gap, 存在…问题,
        # may hold any): only these need finding to tell an act word from a part of a measure word
        self.covering = Lexicon({name: [w for w in entry["words"] if "…" in w or self.acts.find(w)]
                                 for name, entry in measures.items()})
        for metric in self.metrics.values():
            acts = [plain(w) for w in data["acts"].get(metric.act, ())]
            said = [plain(w) for m in metric.measures for w in measures.get(m, {}).get("words", ())]
            combined = [f"{min(acts, key=len)}…{m}" for m in said] if acts else said
            metric.wordings = tuple(dict.fromkeys([*combined, *(plain(p) for p in data_patterns(data, metric.id))]))
        self.measure_rank = {name: i for i, name in enumerate(measures)}
        self.measure_act = {name: entry.get("act", "") for name, entry in measures.items()}
        self.measure_follows = {name for name, entry in measures.items() if entry.get("follows")}
        self.measure_own_clause = {name for name, entry in measures.items() if entry.get("own_clause")}
        self.measure_sentence = {name for name, entry in measures.items() if entry.get("sentence")}
        self.by_act_measure: dict[tuple[str, str], list[Metric]] = defaultdict(list)
        for metric in self.metrics.values():
            # an act is named by its words, or implied by a measure (法制审核 -> legal_review)
            if metric.act and metric.act not in self.acts.names and metric.act not in self.measure_act.values():
                raise ValueError(f"metric {metric.id}: act {metric.act!r} is not in [acts]")
            for measure in metric.measures:
                if measure not in self.measure_rank:
                    raise ValueError(f"metric {metric.id}: measure {measure!r} is not in [measures]")
                self.by_act_measure[(metric.act, measure)].append(metric)
        self.order = {metric_id: i for i, metric_id in enumerate(self.metrics)}
        self.order[""] = len(self.order)  # ties go to the metric listed first
        # every wording under the literal it cannot match without, and the literals under
        # their first character: a figure's words are searched once for all of them
        self.worded: dict[str, list[tuple[Metric, Wording]]] = defaultdict(list)
        for metric in self.metrics.values():
            for wording in metric.patterns:
                self.worded[wording.anchor].append((metric, wording))
        self.anchors_by_first: dict[str, list[str]] = defaultdict(list)
        for anchor in self.worded:
            self.anchors_by_first[anchor[:1]].append(anchor)

    @property
    def ids(self) -> list[str]:
        return list(self.metrics)

    # -- the act --------------------------------------------------------
    def acts_in(self, text: str) -> list[Found]:
        """The act words of `text`, leaving out those inside a longer measure word
        (暂扣许可证 names a penalty type, not 行政许可)."""
        return _acts_in(self, text)

    def runs_across(self, text: str, at: int) -> bool:
        """Whether a catalog word (an act, a measure or a wording) runs across position `at`
        of `text` (没收违法 | 所得: one header broken over two lines)."""
        if any(f.start < at < f.end for lexicon in (self.acts, self.measures) for f in lexicon.find(text)):
            return True
        return any(m.start() < at < m.end() for wordings in self.worded.values()
                   for _, wording in wordings for m in wording.pattern.finditer(text))

    def scope(self, text: str) -> str:
        """The act named last in `text` ('' when none): what a table's caption or header is about."""
        acts = self.acts_in(text)
        return acts[-1].name if acts else ""

    def act_in_words(self, words: str, measures: tuple[Found, ...]) -> Found | None:
        """The act named in the figure's own words: the last act word of the clause, else
        the first of the noun after it. `measures` are the measure words of `words`."""
        number_at = words.find(SEPARATOR)
        found = unmasked(self.acts.find(words), measures, words)
        before_number = [a for a in found if a.end <= number_at]
        return before_number[-1] if before_number else (found[0] if found else None)

    def act_before(self, ctx: FigureContext) -> tuple[Found | None, float]:
        """The act named last before the figure: in its sentence or section, else in the
        earlier context; and the score its place adds."""
        if ctx.sentence:
            earlier = [a for a in self.acts_in(ctx.sentence) if a.end <= ctx.at]
            if earlier:
                return earlier[-1], ACT_IN_SENTENCE
            before = ctx.before[:len(ctx.before) - ctx.at]  # what stands before the sentence
        else:
            before = ctx.before
        for text, score in ((before, ACT_IN_SENTENCE), (ctx.context, 0)):
            # the nearest act is the last one: the pieces (sentences) latest first, each
            # looked at once however many figures ask (acts_in keeps what it found)
            for piece in reversed(text.split(PIECES)):
                earlier = self.acts_in(piece)
                if earlier:
                    return earlier[-1], score
        return None, 0

    # -- the metric -----------------------------------------------------
    def assign(self, ctx: FigureContext) -> MetricMatch:
        """The metric for a figure in this context (NO_METRIC when none fits)."""
        figure_kind = "change" if ctx.is_change else ctx.figure_kind
        if figure_kind == "level" and ctx.kind == "percent":
            figure_kind = "rate"  # a percentage that is no change nor share (a table cell) is a rate
        if figure_kind in ("change", "share") or ctx.kind not in ("count", "money", "percent"):
            return NO_METRIC
        # "从优秀法制民警中选派4名": the pool chosen from is not what was counted
        clause = POOL.sub("", ctx.clause)
        best = self.by_structure(ctx, clause, figure_kind)
        for metric_id, score in self.by_wording(ctx, f"{clause}{SEPARATOR}{ctx.following}", figure_kind):
            if score > best.score or (score == best.score and self.order[metric_id] < self.order[best.id]):
                best = MetricMatch(metric_id, score)
        return best

    def by_structure(self, ctx: FigureContext, clause: str, figure_kind: str) -> MetricMatch:
        words = f"{clause}{SEPARATOR}{ctx.following[:FOLLOWING_ACT]}"
        measures = self.measures.find(words)
        number_at = len(clause)
        found = sorted((m for m in measures
                        if (m.end <= number_at or m.name in self.measure_follows)
                        and not words.endswith(NEGATED, 0, m.start)),
                       key=lambda m: (self.measure_rank[m.name], abs(number_at - m.end)))
        act = self.act_in_words(words, measures)
        if act is not None:
            bonus = ACT_IN_CLAUSE + act.specificity
        elif found:  # an act named before the clause matters only to a measure word
            act, bonus = self.act_before(ctx)
        else:
            return NO_METRIC
        act_name = act.name if act else ""
        act_in_clause = bonus >= ACT_IN_CLAUSE
        if act_in_clause:
            # "查封、扣押等行政强制措施137件": the measures before 等 are examples of the act
            found = [m for m in found if not (m.end <= act.start and "等" in words[m.end:act.start])]
        for measure in found:
            if measure.name in self.measure_own_clause and not act_in_clause:
                continue
            if measure.name in self.measure_sentence and bonus < ACT_IN_SENTENCE:
                continue
            own_act = self.measure_act[measure.name]
            # an act only remembered from earlier sentences yields to the one the measure implies
            # (法制审核48宗 after a paragraph on penalties is a legal review of any act)
            order = (own_act, act_name) if own_act and bonus == 0 else (act_name, own_act)
            for candidate_act in dict.fromkeys(order):
                for metric in self.by_act_measure.get((candidate_act, measure.name), ()):
                    if metric.fits(ctx, figure_kind) and (bonus >= ACT_IN_SENTENCE or not metric.act_named):
                        if self.coordinate(words, measure, found):
                            return NO_METRIC  # 查封扣押138件: two kinds counted together, neither id fits
                        return MetricMatch(metric.id, MEASURE_SCORE + measure.specificity + bonus)
        if act_in_clause and not found:  # an act named with no measure word: the act's total (结案559件 is no total)
            for metric in self.by_act_measure.get((act_name, "total"), ()):
                if metric.fits(ctx, figure_kind):
                    return MetricMatch(metric.id, TOTAL_SCORE + bonus - ACT_IN_CLAUSE)
        return NO_METRIC

    def coordinate(self, words: str, measure: Found, found: list[Found]) -> bool:
        """Whether another measure of the same act stands right next to this one (查封扣押,
        查封、扣押): a count of both together."""
        own_act = self.measure_act[measure.name]
        return bool(own_act) and any(
            other.name != measure.name and self.measure_act[other.name] == own_act
            and (COORDINATE.fullmatch(words[measure.end:other.start]) or COORDINATE.fullmatch(words[other.end:measure.start]))
            for other in found)

    def by_wording(self, ctx: FigureContext, words: str, figure_kind: str):
        """(id, score) of the metrics whose wording patterns match."""
        number_at = words.find(SEPARATOR)
        anchors = [a for char in set(words) for a in self.anchors_by_first.get(char, ()) if a in words]
        for metric, wording in (mw for anchor in anchors for mw in self.worded[anchor]):
            if not metric.fits(ctx, figure_kind):
                continue
            if metric.requires is not None and not metric.requires.search(ctx.before + ctx.clause):
                continue
            score = 0.0
            for m in wording.pattern.finditer(words):
                distance = number_at - m.end() if m.end() <= number_at else 0
                score = max(score, wording.specificity + 1 / (2 + distance))
            if score:
                yield metric.id, score + metric.weight


def _units(units: str | list[str], unit_sets: dict[str, list[str]], metric_id: str) -> tuple[str, ...]:
    """A metric's measure words: its own list, or a named list of [unit_sets]."""
    if isinstance(units, str):
        if units not in unit_sets:
            raise ValueError(f"metric {metric_id}: units {units!r} is not in [unit_sets]")
        units = unit_sets[units]
    return tuple(units)


@lru_cache(maxsize=8192)
def _acts_in(catalog: Catalog, text: str) -> list[Found]:
    acts = catalog.acts.find(text)
    return unmasked(acts, catalog.covering.find(text) if acts else [], text)


def unmasked(acts: list[Found], measures: list[Found], text: str) -> list[Found]:
    """The act words that are not inside a longer measure word (暂扣许可证 names a penalty
    type, not 行政许可) nor name a kind of case or item (行政处罚类, 行政许可事项)."""
    return [a for a in acts
            if not NOT_THE_ACT.match(text, a.end) and
            not any(m.start <= a.start and a.end <= m.end and m.end - m.start > a.end - a.start for m in measures)]


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    text = resources.files("extractors.data").joinpath("metrics.toml").read_text(encoding="utf-8")
    return Catalog(tomllib.loads(text))
