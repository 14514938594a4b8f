"""Offset maps: how a derived text (HTML's visible text, the normalised text)
points back into the original decoded text.

Every stage that rewrites text returns the new text together with a
`TextMap`, so that any span the extractors find in the clean text can be
turned into `[start, end)` of the original, where `original[start:end]`
is what a reader sees in the source file.
"""
from __future__ import annotations

from array import array


_COUNTING = array("q", range(1 << 16))  # 0, 1, 2, …: identity maps are slices of it


class TextMap:
    """For each character i of a derived text: `starts[i]`, `ends[i]`, the
    original characters it came from.

    A copied character has `ends[i] == starts[i] + 1`; a decoded HTML entity
    covers several original characters; an inserted separator (a line break
    between two table cells) has `starts[i] == ends[i]`, a zero-width point.
    """

    __slots__ = ("starts", "ends")

    def __init__(self, starts: array, ends: array):
        if len(starts) != len(ends):
            raise ValueError("starts and ends differ in length")
        self.starts = starts
        self.ends = ends

    @classmethod
    def identity(cls, n: int) -> "TextMap":
        global _COUNTING
        if len(_COUNTING) <= n:  # slicing a ready array is a copy in C, not a Python loop
            _COUNTING = array("q", range(2 * n + 1))
        return cls(_COUNTING[:n], _COUNTING[1 : n + 1])

    def __len__(self) -> int:
        return len(self.starts)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span that derived characters `[start, end)` came from."""
        if not 0 <= start < end <= len(self.starts):
            raise IndexError(f"span [{start}, {end}) outside a text of {len(self.starts)} characters")
        return self.starts[start], self.ends[end - 1]
