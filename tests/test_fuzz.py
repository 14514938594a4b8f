"""Property-based tests (Hypothesis): random text and mutated sample reports
through the stages.

The text is built from what reports are made of and what breaks parsers:
ASCII and full-width digits, Chinese numerals, measure words, qualifiers,
万/亿, punctuation, table separators (| and tabs), white space and line
breaks, control characters, emoji and lone surrogates, very long lines; and
the five sample reports of data/raw, cut, spliced and sprinkled with those.
The properties:

- no stage raises, and a file fails only when it is binary (NUL bytes, or
  mostly control characters);
- every figure's and entity's `text == original[start:end]`;
- every value is finite;
- a document's figures are the same processed alone as in a batch.

The profile (tests/conftest.py) fixes the seed; the number of examples each
test runs is printed at the end of the session.
"""
from __future__ import annotations

import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.metrics import load_catalog
from extractors.ner import get_backend
from pipeline.extract import extract
from pipeline.normalize import normalize
from pipeline.rows import DocumentRows, render
from pipeline.runner import process_file, run
from pipeline.segment import segment
from schemas import ExtractedDocument, SourceDocument

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
SAMPLES = [path.read_text(encoding="utf-8") for path in sorted(RAW.glob("*.txt"))]

DIGITS = "0123456789０１２３４５６７８９"
CHINESE_NUMERALS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
MEASURE_WORDS = ["件", "起", "宗", "人次", "家", "户", "个", "项", "元", "万元", "亿元", "%", "％", "个百分点",
                 "倍", "成", "平方米", "吨", "个工作日", "小时", "天", "名"]
QUALIFIERS = ["余", "多", "约", "近", "超过", "逾", "以上", "左右", "不足", "不到", "突破", "同比增长", "同比下降",
              "其中", "共计", "累计", "百分之", "占比"]
MULTIPLIERS = ["万", "亿", "百万", "千万", "万亿"]
WORDS = ["行政处罚", "罚没金额", "行政许可", "受理", "办结", "行政复议", "纠错", "2023年", "2019年", "第", "号",
         "〔2022〕", "市场监管局", "重庆", "北京", "渝北区", "局长", "廖泳", "一、", "（一）", "1.", "（1）"]
PUNCTUATION = list("，。、；：！？,.;:!?（）()“”\"'《》【】-—~～至到/+·…#*>_")
SEPARATORS = ["|", " | ", "\t", "  ", " ", "\u3000", "\xa0", "\u200b", "\ufeff", "\xad", "\n", "\r\n", "\r",
              "\n\n", "\u2028", "\x85"]
CONTROL = [chr(code) for code in range(32) if chr(code) not in "\t\n\r"] + ["\x7f"]
EMOJI_AND_SURROGATES = ["😀", "🇨🇳", "👍🏽", "👨\u200d👩\u200d👧", "𠀀", "\u0301", "\ud800", "\udfff", "\udc80"]

numbers = st.tuples(st.text(DIGITS, min_size=1, max_size=14), st.sampled_from(["", ".", ","]),
                    st.text(DIGITS, max_size=6)).map("".join)
atoms = st.one_of(
    numbers, numbers, st.text(CHINESE_NUMERALS, min_size=1, max_size=6),
    *(st.sampled_from(words) for words in (MEASURE_WORDS, QUALIFIERS, MULTIPLIERS, WORDS, PUNCTUATION,
                                           SEPARATORS, CONTROL, EMOJI_AND_SURROGATES)),
    st.text(max_size=4),  # anything at all
)
texts = st.lists(atoms, max_size=60).map("".join)
long_lines = st.tuples(st.sampled_from(["行", "1", "1,", "十", "5件", "。", "|", " "]),
                       st.integers(500, 20_000)).map(lambda piece: piece[0] * (piece[1] // len(piece[0])))


@st.composite
def mutated_samples(draw) -> str:
    """A sample report cut, spliced and sprinkled with atoms."""
    text = draw(st.sampled_from(SAMPLES))
    for _ in range(draw(st.integers(1, 10))):
        at = draw(st.integers(0, len(text)))
        mutation = draw(st.sampled_from(["insert", "insert", "delete", "duplicate", "truncate"]))
        if mutation == "insert":
            text = text[:at] + draw(atoms) + text[at:]
        elif mutation == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 200)):]
        elif mutation == "duplicate":
            source = draw(st.integers(0, len(text)))
            text = text[:at] + text[source:source + draw(st.integers(1, 400))] + text[at:]
        else:
            text = text[:at]
    return text


documents = st.one_of(texts, texts, mutated_samples(), st.tuples(texts, long_lines, texts).map("".join))
ENCODINGS = ["utf-8", "utf-8", "gb18030", "utf-16", "big5hkscs", "utf-8-sig"]


@pytest.fixture(scope="module")
def backend():
    return get_backend("jieba")


@pytest.fixture(scope="module")
def folder():
    with tempfile.TemporaryDirectory() as path:
        yield Path(path)


def assert_sound(doc: ExtractedDocument) -> None:
    """Every record grounded in the original, every value finite."""
    for record in [*doc.figures, *doc.entities]:
        assert 0 <= record.start < record.end <= len(doc.original), record
        assert doc.original[record.start:record.end] == record.text, record
    for figure in doc.figures:
        assert math.isfinite(figure.value), figure


def stages(text: str, backend) -> ExtractedDocument:
    source = SourceDocument(doc_id="fuzz.txt", path="fuzz.txt", original=text, text=text)
    return extract(segment(normalize(source)), backend)


@settings(max_examples=2000)
@given(text=texts)
def test_random_text_goes_through_the_stages_grounded(text, backend, examples):
    examples["random text"] += 1
    assert_sound(stages(text, backend))


@settings(max_examples=300)
@given(text=mutated_samples())
def test_mutated_samples_go_through_the_stages_grounded(text, backend, examples):
    examples["mutated samples"] += 1
    assert_sound(stages(text, backend))


@settings(max_examples=100)
@given(text=st.tuples(texts, long_lines, texts).map("".join))
def test_very_long_lines_go_through_the_stages_grounded(text, backend, examples):
    examples["long lines"] += 1
    assert_sound(stages(text, backend))


@settings(max_examples=600)
@given(text=documents, encoding=st.sampled_from(ENCODINGS))
def test_a_file_fails_only_when_it_is_binary(text, encoding, backend, folder, examples):
    examples["files"] += 1
    data = text.encode(encoding, errors="replace")
    path = folder / "report.txt"
    path.write_bytes(data)
    doc = process_file(path, folder, backend)
    if doc.status == "error":
        assert "(a binary file?)" in doc.error, doc.error
        assert b"\0" in data or any(char in text for char in CONTROL), doc.error
    else:
        assert_sound(doc)


def figure_lines(rows: DocumentRows, metric_ids: list[str]) -> str:
    return render(rows, metric_ids).csv["figures"]


@settings(max_examples=25)
@given(batch=st.lists(documents, min_size=2, max_size=8))
def test_a_documents_figures_are_the_same_alone_as_in_a_batch(batch, backend, examples):
    examples["batches"] += 1
    metric_ids = load_catalog().ids
    with tempfile.TemporaryDirectory() as path:
        corpus, out = Path(path, "in"), Path(path, "out")
        corpus.mkdir()
        for i, text in enumerate(batch):
            (corpus / f"{i:02d}.txt").write_text(text, encoding="utf-8", errors="replace")
        run([corpus], out, workers=1)
        alone = "".join(figure_lines(DocumentRows.from_document(process_file(file, corpus, backend)), metric_ids)
                        for file in sorted(corpus.iterdir()))
        written = (out / "figures.csv").read_text(encoding="utf-8")
        assert written[written.index("\n") + 1:] == alone
