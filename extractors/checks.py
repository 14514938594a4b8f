"""Plausibility checks over a document's figures, from the catalog's relations.

- parts that exclude each other (the catalog's `partition`) may not add up
  to more than their total;
- a metric may not exceed the one the catalog names in `not_above`
  (不予许可 > 申请, 纠错 > 法制审核);
- a share may not pass 100%, nor may a rate (纠错率, 办结率: a warning, some
  rates such as 完成率 may).

Only levels are compared: a change (增加40件) or an average is no part of a total.

Each failed check is a warning in issues.csv; the figures stay as written.
"""
from __future__ import annotations

from collections import defaultdict

from extractors.metrics import Catalog
from schemas import FigureRecord, IssueRecord

STAGE = "check"


def _fmt(figure: FigureRecord) -> str:
    return f"{figure.text} ({figure.metric or figure.subject})"


def check_figures(doc_id: str, figures: list[FigureRecord], catalog: Catalog) -> list[IssueRecord]:
    issues: list[IssueRecord] = []

    def warn(figure: FigureRecord, message: str) -> None:
        issues.append(IssueRecord(doc_id=doc_id, severity="warning", stage=STAGE,
                                  message=message, figure_id=figure.figure_id))

    by_id = {f.figure_id: f for f in figures}
    parts: dict[tuple[str, str], list[FigureRecord]] = defaultdict(list)
    for figure in figures:
        metric = catalog.metrics.get(figure.metric)
        if figure.kind == "level" and figure.parent_id in by_id and metric is not None and metric.partition:
            parts[(figure.parent_id, metric.partition)].append(figure)
    for (parent_id, partition), members in parts.items():
        total = by_id[parent_id]
        if sum(m.value for m in members) > total.value:
            listed = " + ".join(m.text for m in members)
            warn(total, f"parts exceed their total: {listed} > {_fmt(total)}")

    # first figure of each metric and year, for the not_above comparisons
    first: dict[tuple[str, int | None], FigureRecord] = {}
    for figure in figures:
        if figure.kind == "level":
            first.setdefault((figure.metric, figure.year), figure)
    for figure in figures:
        metric = catalog.metrics.get(figure.metric)
        if metric is None or not metric.not_above or figure.kind != "level":
            continue
        bound = first.get((metric.not_above, figure.year))
        if bound is not None and figure.value > bound.value:
            warn(figure, f"implausible: {_fmt(figure)} is more than {_fmt(bound)}")

    for figure in figures:
        if figure.unit == "%" and figure.kind in ("rate", "share") and figure.value > 100:
            warn(figure, f"implausible: a {figure.kind} over 100%: {_fmt(figure)}")
    return issues
