"""Numerals to values: 854,045 / 7282.1179万 / 三百 / 一千五百 / 1.2亿 / 百分之三十.

cn2an does the conversion of Chinese and mixed numerals. Where it falls
short we say so and do the small rest here: it rejects thousands separators
(we drop them first), and it does not know the financial numerals 貳/參 in
their traditional forms beyond 壹贰叁… (normalisation has made them simplified).
A multiplier written after the numeral (万, 亿 and the compounds 百万, 千万,
万亿 of units.toml) is applied here, by its value, rather than by cn2an,
which reads 1.2亿 but not 20百万, 1.5万亿 or 七五万.
"""
from __future__ import annotations

import re
import math
import tomllib
from functools import cache, lru_cache
from importlib import resources


BARE_POWERS = "百千万亿"


class NotANumber(ValueError):
    pass


@cache
def _cn2an():
    """cn2an's converter, imported on first use: loading it takes a quarter of
    a second, which a re-run served from the result cache does not need."""
    import cn2an

    return cn2an.cn2an


@cache
def _multipliers() -> dict[str, int]:
    units = resources.files("extractors.data").joinpath("units.toml").read_text(encoding="utf-8")
    return tomllib.loads(units)["multipliers"]


@lru_cache(maxsize=4096)
def to_value(numeral: str, multiplier: str = "") -> float:
    """The value of a numeral (Arabic, Chinese or mixed) times an optional
    万/亿 multiplier written after it, as a plain decimal (finite: a number
    too big for a float is not a number)."""
    text = numeral.replace(",", "").replace(" ", "")
    if not text:
        raise NotANumber(numeral)
    if text[0] in BARE_POWERS:
        text = "一" + text  # 千余户, 上万件: a power of ten alone is one of it (cn2an rejects it)
    if multiplier and multiplier not in _multipliers():
        raise NotANumber(f"{numeral}{multiplier}: {multiplier} is not a multiplier")
    try:
        value = float(text)
    except ValueError:
        try:
            value = float(_cn2an()(text, "smart"))
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise NotANumber(f"{numeral}{multiplier}: {error}") from None
    value *= _multipliers().get(multiplier, 1)
    if not math.isfinite(value):
        raise NotANumber(f"{numeral}{multiplier}: too large")
    # 7282.1179万 is 72821179, not 72821179.00000001
    return round(value, 6)


# An Arabic numeral as reports write it: 854,045 / 7282.1179 / 12 (thousands
# separators only in threes); the table readers and the table extractor share it.
ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# A number alone in a table cell, maybe with 万/亿, a measure word or a percent
# sign (a year, 2023年, is a header, not a number); and what an empty data
# cell is written as.
NUMERIC_CELL = re.compile(rf"[+-]?(?:{ARABIC})\s*[万亿]?\s*(?:[%％‰]|(?![年月日])\w{{1,3}})?")
EMPTY_CELL = re.compile(r"[-—–－―/／、\\]*|无")
