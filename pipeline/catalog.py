"""The metric catalog as rows, for `zhfig metrics`, the notebook API and the
DuckDB `metrics` table. Read through extractors.metrics.load_catalog(), so
whatever the catalog's file looks like the ids, names and kinds come out the
same; wordings are shown as far as the Metric objects offer them."""
from __future__ import annotations

import extractors.metrics
from extractors.metrics import load_catalog

WORDING_ATTRIBUTES = ("wordings", "patterns", "family_patterns")  # the first ones a Metric has


def _wording_text(wording) -> str:
    """A wording as written: a string, a compiled pattern, or a tuple holding one (its `.pattern`)."""
    for _ in range(2):
        if isinstance(wording, str):
            return wording
        wording = getattr(wording, "pattern", wording)
    return str(wording)


def wordings(metric) -> list[str]:
    found: list[str] = []
    for attribute in WORDING_ATTRIBUTES:
        for wording in getattr(metric, attribute, None) or ():
            text = _wording_text(wording)
            gap = getattr(extractors.metrics, "GAP", "")  # a compiled "…" turns back into "…"
            text = text.replace(gap, "…") if gap else text
            if text not in found:
                found.append(text)
    return found


def metric_rows() -> list[dict]:
    """id, name (Chinese), kind (unit kind), parent, family, wordings: one dict per metric, in catalog order."""
    return [{
        "id": metric_id,
        "name": getattr(metric, "name", ""),
        "kind": getattr(metric, "kind", ""),
        "parent": getattr(metric, "parent", "") or "",
        "family": getattr(metric, "family", "") or metric_id.split(".", 1)[0],
        "wordings": wordings(metric),
    } for metric_id, metric in load_catalog().metrics.items()]
