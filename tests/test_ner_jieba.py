"""The default NER backend (rules, gazetteer, jieba near person titles), the
backend registry, and the helpers every backend shares."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from extractors.ner import BACKENDS, NerUnavailable, get_backend
from extractors.ner.base import NerBackend, Span, add_without_overlap, merge_names, to_entities, tokens_to_spans
from pipeline.normalize import normalize
from pipeline.read import read_source
from pipeline.segment import segment
from schemas import SegmentedDocument, SourceDocument

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
GOLD = ROOT / "tests" / "data" / "gold"  # the sample reports' gold facts, copied from the shared gold


def document(text: str) -> SegmentedDocument:
    return segment(normalize(SourceDocument(doc_id="t.txt", path="t.txt", original=text, text=text)))


@pytest.fixture(scope="module")
def jieba_backend() -> NerBackend:
    return get_backend("jieba")


def entities(backend: NerBackend, text: str) -> list[tuple[str, str]]:
    return [(e.text, e.label) for e in backend.find(document(text))]


def test_agency_names_are_one_org_each(jieba_backend):
    text = "重庆市公安局江北区分局、汉中市公安局城固分局和永川区市场监管局联合检查。"
    assert entities(jieba_backend, text) == [
        ("重庆市公安局江北区分局", "ORG"), ("汉中市公安局城固分局", "ORG"), ("永川区市场监管局", "ORG"),
    ]
    text = "宁波市江北区市场监督管理局会同区综合行政执法局、常德市公安局法制支队开展培训。"
    assert entities(jieba_backend, text) == [
        ("宁波市江北区市场监督管理局", "ORG"), ("区综合行政执法局", "ORG"), ("常德市公安局法制支队", "ORG"),
    ]


def test_a_core_word_with_a_place_and_sub_unit_is_an_agency(jieba_backend):
    assert entities(jieba_backend, "公安城固分局多次召开党委会。") == [("公安城固分局", "ORG")]


def test_government_is_an_agency_only_after_a_place(jieba_backend):
    text = "在区委、区政府的坚强领导下，全面推进法治政府建设，安吉县人民政府办公室印发方案。"
    assert entities(jieba_backend, text) == [("区政府", "ORG"), ("安吉县人民政府办公室", "ORG")]


def test_suffix_that_starts_another_word_makes_no_agency(jieba_backend):
    # 执法处 in 执法处罚, 公安部 in 公安部门
    assert entities(jieba_backend, "规范行政执法处罚决定，加强与公安部门协作。") == []


def test_dates_numbers_places_and_people(jieba_backend):
    text = (
        "二〇二三年十二月十五日，渝北区召开会议，由副区长、分局党委书记、局长王建国任领导小组组长。"
        "2023 年共查处案件1700 余件，罚没款128.5万元，结案率98.5%。"
    )
    assert entities(jieba_backend, text) == [
        ("二〇二三年十二月十五日", "DATE"), ("渝北区", "LOC"), ("王建国", "PER"),
        ("2023 年", "DATE"), ("1700 余件", "NUM"), ("128.5万元", "NUM"), ("98.5%", "NUM"),
    ]


def test_list_markers_are_no_numbers(jieba_backend):
    assert entities(jieba_backend, "（1）建立机制。\n2. 强化责任\n3、办理案件12件") == [("12件", "NUM")]


def test_a_surname_tagged_apart_joins_the_given_name(jieba_backend):
    assert entities(jieba_backend, "会议由副县长李红梅同志主持。") == [("李红梅", "PER")]


def test_records_carry_clean_offsets_and_their_sentence(jieba_backend):
    doc = document("按照有关规定，现将情况报告如下：\n重庆市渝北区司法局\n2024年1月19日")
    found = jieba_backend.find(doc)
    assert [(e.start, e.end, e.label, e.sentence) for e in found] == [
        (17, 26, "ORG", "重庆市渝北区司法局"), (27, 37, "DATE", "2024年1月19日"),
    ]
    for entity in found:
        assert entity.text == doc.clean[entity.start : entity.end]
        assert (entity.backend, entity.doc_id, entity.entity_id) == ("jieba", "t.txt", "")


@pytest.mark.parametrize("path", sorted(RAW.glob("*.txt")), ids=lambda p: p.name)
def test_the_agency_of_each_sample_is_one_org(jieba_backend, path):
    agency = json.loads((GOLD / f"{path.name}.meta.json").read_text(encoding="utf-8"))["agency"]
    doc = segment(normalize(read_source(path, RAW)))
    orgs = {e.text for e in jieba_backend.find(doc) if e.label == "ORG"}
    assert agency in orgs


def test_get_backend_names_the_choices_for_an_unknown_one():
    with pytest.raises(NerUnavailable, match=r"unknown NER backend 'spacy'; choose one of: jieba, hanlp, lac"):
        get_backend("spacy")
    assert BACKENDS == ("jieba", "hanlp", "lac")


def test_get_backend_turns_a_missing_extra_into_an_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "extractors.ner.lac_backend", None)  # import fails as without the extra
    with pytest.raises(NerUnavailable, match=r"pip install 'zhfig\[lac\]'"):
        get_backend("lac")


def test_tokens_to_spans_joins_numbers_measures_and_names():
    text = "2024年1月，李红梅在汉中市公安局查处854045件"
    tokens = [("2024", "m"), ("年", "m"), ("1", "m"), ("月", "m"), ("，", "x"), ("李", "nr"), ("红梅", "nr"),
              ("在", "p"), ("汉中市", "ns"), ("公安局", "nt"), ("查处", "v"), ("854045", "m"), ("件", "q")]
    spans = merge_names(tokens_to_spans(tokens, text, offset=100))
    assert [(text[s.start - 100 : s.end - 100], s.label) for s in spans] == [
        ("2024年1月", "NUM"), ("李红梅", "PER"), ("汉中市公安局", "ORG"), ("854045件", "NUM"),
    ]


def test_merge_names_keeps_trailing_places_apart():
    # 重庆市公安局 + 渝北区 + 分局 is one organisation; a place after the last organisation stays a place
    spans = [Span(0, 6, "ORG"), Span(6, 9, "LOC"), Span(9, 11, "ORG"), Span(11, 14, "LOC"), Span(15, 17, "PER")]
    assert merge_names(spans) == [Span(0, 11, "ORG"), Span(11, 14, "LOC"), Span(15, 17, "PER")]


def test_add_without_overlap_keeps_the_first_found():
    kept = [Span(5, 10, "ORG")]
    assert add_without_overlap(kept, [Span(0, 5, "LOC"), Span(8, 12, "NUM"), Span(10, 11, "NUM"), Span(0, 3, "DATE")]) == [
        Span(0, 5, "LOC"), Span(5, 10, "ORG"), Span(10, 11, "NUM"),
    ]


def test_to_entities_gives_each_entity_its_sentence():
    doc = document("特此报告。重庆市渝北区司法局")
    (entity,) = to_entities(doc, [Span(5, 14, "ORG")], backend="lac")
    assert (entity.text, entity.label, entity.backend, entity.sentence) == ("重庆市渝北区司法局", "ORG", "lac", "重庆市渝北区司法局")
    doc.sentences = []  # a document the segmenter found no sentence in
    assert to_entities(doc, [Span(5, 14, "ORG")], backend="lac")[0].sentence == ""
