"""Stage 3, segment: find the section headings and the sentences of the clean text.

Chinese official reports number their sections in a fixed hierarchy:
一、 > （一） > 1. > （1）. A numbered line is a heading; when a paragraph
opens with a run-in heading ("（1）建立“一把手”主抓机制。分局多次…"), the
heading is its first sentence. Every sentence records the section path it
stands under, which the extractors use as context ("法制审核" under 行政强制
is coercion.legal_reviews).

Words are not cut here: jieba runs only where an extractor needs words
(see extractors/words.py), which keeps the stage a cheap regex pass.
"""
from __future__ import annotations

import regex

from schemas import NormalizedDocument, Section, SegmentedDocument, Sentence

CN_DIGITS = "一二三四五六七八九十"

# (level, pattern of the numbering prefix at the start of a line)
HEADING_MARKS = [
    (1, regex.compile(rf"[{CN_DIGITS}]{{1,3}}\s*[、.．]")),
    (2, regex.compile(rf"[（(]\s*[{CN_DIGITS}]{{1,3}}\s*[）)]")),
    (3, regex.compile(r"\d{1,2}\s*[、.．](?!\d)")),
    (4, regex.compile(r"[（(]\s*\d{1,2}\s*[）)]")),
]
MAX_HEADING_CHARS = 60

# A sentence ends at 。！？； or a line break; closing quotes stay with it.
SENTENCE = regex.compile(r"[^\n。！？；!?;]*(?:[。！？；!?;]+[”’」』）)]*|\n|$)")
RUN_IN_HEADING_END = regex.compile(r"[。：:！？；]")


# the characters a numbering can start with: most lines are let through by one look-up
HEADING_FIRST = frozenset(CN_DIGITS + "（(")


def heading_level(line: str) -> int:
    """The heading level a line's numbering gives it, or 0 when it is not numbered."""
    if line[:1] not in HEADING_FIRST and not line[:1].isdecimal():  # isdecimal: what \d matches
        return 0
    for level, mark in HEADING_MARKS:
        if mark.match(line):
            return level
    return 0


def heading_text(line: str) -> str:
    """The heading part of a numbered line: the line up to its first sentence
    end (a run-in heading), cut at a comma when that is too long to be a title."""
    end = RUN_IN_HEADING_END.search(line)
    heading = line[: end.start()] if end else line
    if len(heading) > MAX_HEADING_CHARS:
        heading = regex.split(r"[，,]", heading, maxsplit=1)[0][:MAX_HEADING_CHARS]
    return heading.strip()


def segment(doc: NormalizedDocument) -> SegmentedDocument:
    text = doc.clean
    sections: list[Section] = []
    open_headings: list[tuple[int, str]] = []  # (level, heading) from the top down
    heading_spans: dict[int, int] = {}  # line start -> heading end
    section_at_line: list[tuple[int, str]] = []  # (line start, section path) in order
    path = ""  # the section path of the current line

    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        level = heading_level(stripped) if stripped else 0
        if level:
            lead = len(line) - len(line.lstrip())
            heading = heading_text(stripped)
            while open_headings and open_headings[-1][0] >= level:
                open_headings.pop()
            open_headings.append((level, heading))
            path = " > ".join(h for _, h in open_headings)
            start = pos + lead
            sections.append(Section(start=start, end=start + len(heading), level=level, heading=heading, path=path))
            heading_spans[pos] = start + len(heading)
        section_at_line.append((pos, path))
        pos += len(line)

    sentences: list[Sentence] = []
    line_index = 0
    for match in SENTENCE.finditer(text):
        start, end = match.span()
        raw = match.group()
        if not raw.strip():
            continue
        while line_index + 1 < len(section_at_line) and section_at_line[line_index + 1][0] <= start:
            line_index += 1
        line_start, path = section_at_line[line_index] if section_at_line else (0, "")
        # trim surrounding white space so the span is the sentence itself
        lead = len(raw) - len(raw.lstrip())
        trail = len(raw) - len(raw.rstrip())
        start, end = start + lead, end - trail
        is_heading = line_start in heading_spans and end <= heading_spans[line_start] + 1
        sentences.append(Sentence(start=start, end=end, text=text[start:end], section=path, is_heading=is_heading))

    return SegmentedDocument(**doc.__dict__, sections=sections, sentences=sentences)
