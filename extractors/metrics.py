"""The metric catalog (data/metrics.toml) and the mapping of a figure to a metric id.

A figure's meaning is in the words around it: the clause before the number
("其中警告"), the noun after its unit ("发现322个问题"), and, for generic
words such as 法制审核 or 纠错, the act type the sentence or section is about
(行政处罚, 行政强制措施 …: the catalog's [scopes]). Every metric whose
wording matches competes; the most specific wording wins.
"""
from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple
from importlib import resources

import regex

GAP = ".{0,12}?"
SEPARATOR = "␟"  # joins the clause before the number and the noun after it
POOL = regex.compile(r"从[^，,；;。]{1,20}?中")


@dataclass(frozen=True)
class FigureContext:
    clause: str  # the words from the clause start to the number
    following: str  # the noun phrase right after the unit, if any
    before: str  # the section path and the sentence up to the figure
    unit: str
    kind: str  # count, money, percent, other
    is_change: bool = False  # 同比下降17%: a change, not the level a metric measures


class MetricMatch(NamedTuple):
    id: str
    score: float  # how specific the wording that matched was


NO_METRIC = MetricMatch("", 0.0)


@dataclass
class Metric:
    id: str
    name: str
    kind: str
    parent: str = ""
    partition: str = ""
    not_above: str = ""
    units: tuple[str, ...] = ()
    requires: regex.Pattern | None = None
    weight: int = 0
    patterns: list[Wording] = field(default_factory=list)
    family_patterns: list[Wording] = field(default_factory=list)
    family: str = ""

    def __post_init__(self) -> None:
        self.family = self.id.split(".", 1)[0]


class Wording(NamedTuple):
    pattern: regex.Pattern
    specificity: int  # the characters it names outright (gaps and look-arounds do not count)
    anchor: str  # a literal every match contains: when it is absent the pattern is not tried


LOOKAROUND = regex.compile(r"\(\?<?[!=][^)]*\)|\.\*|…")
GROUP = regex.compile(r"\([^)]*\)")
LETTERS = regex.compile(r"[\p{Han}A-Za-z]")
LITERAL_RUN = regex.compile(r"[\p{Han}A-Za-z␟]+")


def _anchor(pattern: str) -> str:
    """The longest run of literal characters outside groups: every match contains it."""
    runs = LITERAL_RUN.findall(GROUP.sub(" ", pattern.replace("…", " ")))
    return max(runs, key=len, default="")


def _compile(pattern: str) -> Wording:
    """A catalog wording as a pattern, its specificity and its anchor."""
    specificity = len(LETTERS.findall(LOOKAROUND.sub("", pattern)))
    return Wording(regex.compile(pattern.replace("…", GAP)), specificity, _anchor(pattern))


class Catalog:
    def __init__(self, data: dict):
        self.metrics: dict[str, Metric] = {}
        for entry in data["metric"]:
            metric = Metric(
                id=entry["id"], name=entry["name"], kind=entry["kind"],
                parent=entry.get("parent", ""), partition=entry.get("partition", ""),
                not_above=entry.get("not_above", ""), units=tuple(entry.get("units", ())),
                requires=regex.compile(entry["requires"]) if "requires" in entry else None,
                weight=entry.get("weight", 0),
                patterns=[_compile(p) for p in entry.get("patterns", ())],
                family_patterns=[_compile(p) for p in entry.get("family_patterns", ())],
            )
            if metric.id in self.metrics:
                raise ValueError(f"metric id {metric.id} is in the catalog twice")
            self.metrics[metric.id] = metric
        self.order = {metric_id: i for i, metric_id in enumerate(self.metrics)}
        self.order[""] = len(self.order)  # ties go to the metric listed first, as before
        # every wording under the literal it cannot match without, so that a
        # figure's words are searched once for all anchors, not once per metric
        self.by_anchor: dict[str, list[tuple[Metric, Wording, bool]]] = defaultdict(list)
        for metric in self.metrics.values():
            for wordings, is_family in ((metric.patterns, False), (metric.family_patterns, True)):
                for wording in wordings:
                    self.by_anchor[wording.anchor].append((metric, wording, is_family))
        self.unanchored = self.by_anchor.pop("", [])
        self.anchors_by_first: dict[str, list[str]] = defaultdict(list)
        for anchor in self.by_anchor:
            self.anchors_by_first[anchor[0]].append(anchor)
        # (family, pattern, anchors): the pattern is tried only where one of its words' anchors
        # stands; an anchor that contains another (行政许可, 许可) adds nothing
        self.scope_words = []
        for family, words in data["scopes"].items():
            anchors = {_anchor(word) for word in words}
            anchors = sorted(a for a in anchors if not any(b in a for b in anchors if b != a))
            self.scope_words.append((family, regex.compile("|".join(f"(?:{w})" for w in words)), anchors))

    @property
    def ids(self) -> list[str]:
        return list(self.metrics)

    def scope(self, text: str) -> str:
        """The act type (family) named last in `text`, or ''."""
        best, best_end = "", -1
        for family, pattern, anchors in self.scope_words:
            for anchor in anchors:
                if anchor in text:
                    break
            else:
                continue
            for m in pattern.finditer(text):
                if m.end() > best_end or (m.end() == best_end and len(m.group()) > 0):
                    best, best_end = family, m.end()
        return best

    def assign(self, ctx: FigureContext) -> MetricMatch:
        """The metric for a figure in this context (NO_METRIC when none fits)."""
        if ctx.is_change or ctx.kind not in ("count", "money", "percent"):
            return NO_METRIC
        # "从优秀法制民警中选派4名": the pool chosen from is not what was counted
        clause = POOL.sub("", ctx.clause)
        words = f"{clause}{SEPARATOR}{ctx.following}"
        scope = self.scope(ctx.before)
        number_at = len(clause)
        anchors = [anchor for char in set(words) for anchor in self.anchors_by_first.get(char, ()) if anchor in words]
        wordings = [wording for anchor in anchors for wording in self.by_anchor[anchor]] + self.unanchored
        pattern_score: dict[str, float] = defaultdict(float)
        family_score: dict[str, float] = defaultdict(float)
        for metric, wording, is_family in wordings:
            if is_family and metric.family != scope:
                continue
            scores = family_score if is_family else pattern_score
            scores[metric.id] = max(scores[metric.id], self._match(wording, words, number_at))
        best, best_score = "", 0.0
        for metric_id in pattern_score.keys() | family_score.keys():
            metric = self.metrics[metric_id]
            # a number with no unit (a table cell) contradicts no unit list
            if metric.kind != ctx.kind or (metric.units and ctx.unit and ctx.unit not in metric.units):
                continue
            if metric.requires is not None and not metric.requires.search(ctx.before + ctx.clause):
                continue
            score = pattern_score[metric_id]
            if metric.family == scope:
                score = max(score, family_score[metric_id])
                if score:
                    score += 2
            if not score:
                continue
            score += metric.weight
            if score > best_score or (score == best_score and self.order[metric_id] < self.order[best]):
                best, best_score = metric_id, score
        return MetricMatch(best, best_score)

    @staticmethod
    def _match(wording: Wording, words: str, number_at: int) -> float:
        """The wording's specificity if it is found in `words` (0 if not); a
        match nearer the number (the separator) counts a little more."""
        best = 0.0
        for m in wording.pattern.finditer(words):
            distance = number_at - m.end() if m.end() <= number_at else 0
            best = max(best, wording.specificity + 1 / (2 + distance))
        return best


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    text = resources.files("extractors.data").joinpath("metrics.toml").read_text(encoding="utf-8")
    return Catalog(tomllib.loads(text))
