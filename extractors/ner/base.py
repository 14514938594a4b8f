"""What every NER backend is and shares.

A backend has a `name` and a `find(doc)` that returns EntityRecords with
offsets into `doc.clean` (pipeline/extract.py grounds them in the original
text and sets their ids). The helpers here turn a tagger's output into such
records, so each backend only has to run its tagger:

    tokens_to_spans([("汉中市", "ns"), ("公安局", "nt"), …], sentence.text, sentence.start)
    merge_names(spans)          # 重庆市 + 渝北区 + 司法局 -> one ORG
    to_entities(doc, spans, backend="lac")
"""
from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from typing import Literal, NamedTuple, Protocol, runtime_checkable

from schemas import EntityRecord, SegmentedDocument

Label = Literal["ORG", "LOC", "PER", "DATE", "NUM"]

# Taggers' tags for our labels. Lower case: the PKU-style part-of-speech tags
# of jieba and LAC; upper case: LAC's and HanLP's (MSRA, OntoNotes) entity
# types, and our own labels. A tag not listed is no entity.
TAG_LABELS: Mapping[str, Label] = {
    "nt": "ORG", "ns": "LOC", "nr": "PER", "nrfg": "PER", "nrt": "PER", "t": "DATE", "m": "NUM",
    "ORG": "ORG", "NT": "ORG", "ORGANIZATION": "ORG",
    "LOC": "LOC", "NS": "LOC", "GPE": "LOC", "LOCATION": "LOC",
    "PER": "PER", "NR": "PER", "PERSON": "PER",
    "TIME": "DATE", "DATE": "DATE",
    "NUM": "NUM", "CARDINAL": "NUM", "QUANTITY": "NUM", "MONEY": "NUM", "PERCENT": "NUM", "INTEGER": "NUM",
    "DECIMAL": "NUM", "FRACTION": "NUM", "RATE": "NUM",
}
# Tags of words that belong to the number before them: 854045 + 件.
MEASURE_TAGS = frozenset({"q", "mq"})
NAME_LABELS = frozenset({"ORG", "LOC"})


class NerUnavailable(Exception):
    """A backend cannot be used here; the message says what is missing and how to supply it."""


@runtime_checkable
class NerBackend(Protocol):
    name: str

    def find(self, doc: SegmentedDocument) -> list[EntityRecord]:
        """Entities of the document, offsets into doc.clean, in text order."""
        ...


class Span(NamedTuple):
    start: int  # offsets into doc.clean
    end: int
    label: Label


def tokens_to_spans(
    tokens: Iterable[tuple[str, str]],
    text: str,
    offset: int = 0,
    tag_labels: Mapping[str, Label] = TAG_LABELS,
) -> list[Span]:
    """Spans of the tagged tokens of `text` (which starts at `offset` in the
    clean text). Tokens are found in order in the text, so a tagger that drops
    spaces still lines up; a measure word joins the number before it, runs
    of the same label become one span (2024 + 年 + 1 + 月), and a surname
    tagged apart joins its given name (李 + 红梅); two full names stay two."""
    spans: list[Span] = []
    cursor = 0
    for token, tag in tokens:
        at = text.find(token, cursor)
        if not token or at < 0:
            continue
        cursor = at + len(token)
        start, end = offset + at, offset + cursor
        label = tag_labels.get(tag)
        previous = spans[-1] if spans else None
        joins_previous = previous is not None and previous.end == start and (
            (label is not None and label == previous.label and label != "PER")
            or (label == "PER" == previous.label and (previous.end - previous.start == 1 or len(token) == 1))
            or (tag in MEASURE_TAGS and previous.label == "NUM")
        )
        if joins_previous:
            spans[-1] = Span(previous.start, end, previous.label)
        elif label is not None:
            spans.append(Span(start, end, label))
    return spans


def merge_names(spans: list[Span]) -> list[Span]:
    """Join adjacent place and organisation spans into whole names.

    In a run of touching ORG/LOC spans, everything up to the last ORG is one
    organisation (重庆市 渝北区 司法局; 重庆市公安局 渝北区 分局) and places
    after it are one place; a run of places alone is one place."""
    merged: list[Span] = []
    run: list[Span] = []

    def close_run() -> None:
        last_org = max((i for i, span in enumerate(run) if span.label == "ORG"), default=-1)
        if last_org >= 0:
            merged.append(Span(run[0].start, run[last_org].end, "ORG"))
        rest = run[last_org + 1 :]
        if rest:
            merged.append(Span(rest[0].start, rest[-1].end, "LOC"))
        run.clear()

    for span in sorted(spans):
        if span.label in NAME_LABELS and (not run or run[-1].end == span.start):
            run.append(span)
            continue
        if run:
            close_run()
        if span.label in NAME_LABELS:
            run.append(span)
        else:
            merged.append(span)
    if run:
        close_run()
    return sorted(merged)


def add_without_overlap(kept: list[Span], new: Iterable[Span]) -> list[Span]:
    """`kept` plus those of `new` that overlap none of them (nor each other):
    callers add their surest spans first."""
    result = sorted(kept)
    starts = [span.start for span in result]
    for span in sorted(new, key=lambda s: (s.start, s.start - s.end)):
        i = bisect.bisect_right(starts, span.start)
        before_clear = i == 0 or result[i - 1].end <= span.start
        after_clear = i == len(result) or span.end <= result[i].start
        if before_clear and after_clear and span.end > span.start:
            result.insert(i, span)
            starts.insert(i, span.start)
    return result


def to_entities(doc: SegmentedDocument, spans: Iterable[Span], backend: str) -> list[EntityRecord]:
    """EntityRecords for spans of doc.clean, each with the sentence it stands in."""
    sentence_starts = [sentence.start for sentence in doc.sentences]
    records = []
    for span in sorted(spans):
        i = bisect.bisect_right(sentence_starts, span.start) - 1
        in_sentence = i >= 0 and span.end <= doc.sentences[i].end
        records.append(EntityRecord(
            entity_id="", doc_id=doc.doc_id, start=span.start, end=span.end,
            text=doc.clean[span.start : span.end], label=span.label, backend=backend,
            sentence=doc.sentences[i].text if in_sentence else "",
        ))
    return records
