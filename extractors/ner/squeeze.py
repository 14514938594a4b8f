"""Give a character tagger a sentence without its whitespace, and map what it
finds back to clean offsets.

Reports put spaces around numbers ("关于 2023 年"); a character tagger reads
such a space as a token of its own (LAC then tags "2023" and "年" apart), and
transformer tokenisers drop it, which shifts every later position. Squeezing
the spaces out before tagging avoids both; an entity found across a removed
space keeps it in its clean span.
"""
from __future__ import annotations

from typing import NamedTuple

from extractors.ner.base import Span


class Squeezed(NamedTuple):
    text: str  # the sentence with its whitespace removed
    offsets: list[int]  # the clean offset of each character of `text`


def squeeze(text: str, offset: int) -> Squeezed:
    """`text` (which starts at `offset` in the clean text) without whitespace."""
    kept = [(i, char) for i, char in enumerate(text) if not char.isspace()]
    return Squeezed("".join(char for _, char in kept), [offset + i for i, _ in kept])


def unsqueeze(spans: list[Span], squeezed: Squeezed) -> list[Span]:
    """Spans over `squeezed.text` as spans of the clean text."""
    return [
        Span(squeezed.offsets[span.start], squeezed.offsets[span.end - 1] + 1, span.label)
        for span in spans
    ]
