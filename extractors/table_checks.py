"""Plausibility checks within a statistical table.

- a 合计 column against the categories beside it under the same group header,
  a 合计 row against the rows above it (the template's categories exclude
  each other: a decision with several penalties counts once, under the
  heaviest);
- 受理 ≤ 申请 and 许可 + 不予许可 ≤ 受理 in one row or one column.

Each failed check is a warning in issues.csv naming the table and cells; the
figures stay as read.
"""
from __future__ import annotations

from collections import defaultdict

from extractors.tables import TableFigure
from schemas import IssueRecord

STAGE = "check"
# a count is exact; money in a template is rounded to 0.01万元 per cell
TOLERANCE = {"count": 0.0, "money": 100.0}


def _cells(figures: list[TableFigure]) -> str:
    return " + ".join(f"{f.record.cell.rsplit(' ', 1)[-1]} {f.record.text}" for f in figures)


def check_tables(doc_id: str, figures: list[TableFigure]) -> list[IssueRecord]:
    issues: list[IssueRecord] = []

    def warn(figure: TableFigure, message: str) -> None:
        issues.append(IssueRecord(doc_id=doc_id, severity="warning", stage=STAGE, message=message,
                                  figure_id=figure.record.figure_id))

    rows: dict[tuple[int, int], list[TableFigure]] = defaultdict(list)
    cols: dict[tuple[int, int], list[TableFigure]] = defaultdict(list)
    for figure in figures:
        if figure.record.kind == "level":
            rows[(figure.table.index, figure.row)].append(figure)
            cols[(figure.table.index, figure.col)].append(figure)

    for line in rows.values():
        for total in (f for f in line if f.is_total_column):
            parts = [f for f in line if not f.is_total_column and f.group == total.group
                     and f.record.unit_kind == total.record.unit_kind and f.record.unit == total.record.unit]
            _check_sum(total, parts, warn)
    for line in cols.values():
        for total in (f for f in line if f.is_total_row):
            parts = [f for f in line if not f.is_total_row and f.record.unit_kind == total.record.unit_kind]
            _check_sum(total, parts, warn)

    for line in (*rows.values(), *cols.values()):
        by_metric = {f.record.metric: f for f in line if f.record.metric}
        applied, accepted = by_metric.get("licensing.applications"), by_metric.get("licensing.accepted")
        decided = [by_metric[m] for m in ("licensing.granted", "licensing.denied") if m in by_metric]
        if applied and accepted and accepted.record.value > applied.record.value:
            warn(accepted, f"table {accepted.table.index}: 受理 is more than 申请: {_cells([accepted])} > {_cells([applied])}")
        if accepted and decided and sum(f.record.value for f in decided) > accepted.record.value:
            warn(accepted, f"table {accepted.table.index}: 许可 + 不予许可 is more than 受理: "
                           f"{_cells(decided)} > {_cells([accepted])}")
    return issues


def _check_sum(total: TableFigure, parts: list[TableFigure], warn) -> None:
    if len(parts) < 2:
        return
    added = round(sum(f.record.value for f in parts), 6)
    if abs(added - total.record.value) > TOLERANCE.get(total.record.unit_kind, 0.0):
        where = total.record.cell.rsplit(" ", 1)[-1]
        warn(total, f"table {total.table.index}: 合计 {where} {total.record.text} is not the sum of its "
                    f"categories {_cells(parts)} = {added:g}")
