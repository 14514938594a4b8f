"""Pinyin glosses after characters are page garbage: normalisation drops them,
keeping the map from every clean character to the original."""
from __future__ import annotations

import pytest

from extractors.ner import get_backend
from pipeline.extract import extract
from pipeline.normalize import normalize
from pipeline.segment import segment
from schemas import SourceDocument


def normalized(text: str):
    return normalize(SourceDocument(doc_id="t.txt", path="t.txt", original=text, text=text))


def maps_back(doc) -> bool:
    """Every clean character comes from the same character of the original."""
    spans = doc.clean_map
    if spans is None:
        return doc.clean == doc.original
    return all(doc.original[spans.starts[i] : spans.ends[i]] == char for i, char in enumerate(doc.clean))


@pytest.mark.parametrize("glossed, clean", [
    ("全年开展检(jiǎn)查(chá)1200次。", "全年开展检查1200次。"),  # tone marks
    ("全年开展检（jiǎn）查（chá）1200次。", "全年开展检查1200次。"),  # full-width parentheses
    ("行(xing2)政(zheng4)处(chu3)罚(fa2)86件。", "行政处罚86件。"),  # tone digits
    ("罚(fa)款(kuan)合计3.5万元。", "罚款合计3.5万元。"),  # no tone
    ("绿(lǜ)色通道、绿(lv4)码", "绿色通道、绿码"),  # ü, also written v
])
def test_glosses_are_dropped_and_every_clean_character_maps_back(glossed, clean):
    doc = normalized(glossed)
    assert doc.clean == clean
    assert maps_back(doc)


@pytest.mark.parametrize("text", [
    "推广政府和社会资本合作(PPP)模式",  # an abbreviation
    "依据《行政处罚法》(2021)第三十条",  # a year
    "聘请法律顾问张三(Zhang San)律师",  # a name in Latin letters
    "方案(a)和方案(b)",  # letters that are no reading of the character before them
    "开展检查(check)120次",  # an English word after a character
])
def test_parenthesised_latin_text_that_is_no_gloss_stays(text):
    assert normalized(text).clean == text


def test_figures_in_glossed_text_are_grounded_in_the_original():
    original = "2023年，我局共作出行(xíng)政(zhèng)处(chǔ)罚(fá)决定86件，罚(fá)没(mò)款（kuǎn）合计35.6万元。\n"
    doc = segment(normalized(original))
    extracted = extract(doc, get_backend("jieba"))
    found = {(figure.value, figure.unit, figure.text, figure.metric) for figure in extracted.figures}
    # the words read whole again, so the figures take their metrics
    assert found == {(86.0, "件", "86件", "penalty.total"), (356000.0, "元", "35.6万元", "penalty.amount")}
    for figure in extracted.figures:
        assert figure.text == original[figure.start : figure.end]
    assert "行政处罚决定" in doc.clean and "罚没款合计" in doc.clean
