"""The segmenter: heading levels from numbering, section paths, sentences."""
import pytest

from pipeline.segment import heading_level, segment
from schemas import NormalizedDocument


@pytest.mark.parametrize("line, level", [
    ("一、总体情况", 1),
    ("十二. 其他", 1),
    ("（二）规范执法", 2),
    ("(三)规范执法", 2),
    ("3. 强化监督", 3),
    ("12、落实责任", 3),
    ("٣、落实责任", 3),  # any decimal digit numbers a heading, as \d does
    ("（4）加强培训", 4),
    ("1.07万元", 0),
    ("2023年，全局共办理", 0),
    ("全年共查处案件", 0),
    ("", 0),
])
def test_heading_level(line, level):
    assert heading_level(line) == level


def test_sentences_carry_their_section_path_and_heading_flag():
    clean = "一、执法情况\n（一）行政处罚\n全年查处案件12件。罚款3万元！\n二、其他\n无。"
    doc = segment(NormalizedDocument(doc_id="d", path="d.txt", original=clean, text=clean, clean=clean))
    assert [(s.level, s.heading, s.path) for s in doc.sections] == [
        (1, "一、执法情况", "一、执法情况"),
        (2, "（一）行政处罚", "一、执法情况 > （一）行政处罚"),
        (1, "二、其他", "二、其他"),
    ]
    assert [(s.text, s.section, s.is_heading) for s in doc.sentences] == [
        ("一、执法情况", "一、执法情况", True),
        ("（一）行政处罚", "一、执法情况 > （一）行政处罚", True),
        ("全年查处案件12件。", "一、执法情况 > （一）行政处罚", False),
        ("罚款3万元！", "一、执法情况 > （一）行政处罚", False),
        ("二、其他", "二、其他", True),
        ("无。", "二、其他", False),
    ]
    assert all(doc.clean[s.start:s.end] == s.text for s in doc.sentences)
