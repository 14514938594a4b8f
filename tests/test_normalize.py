"""Stage 2, normalise: each operation with exact clean text, and the map back
to the original checked character by character."""
from __future__ import annotations

import re
import time
import unicodedata
from pathlib import Path

import opencc
import pytest

from pipeline.normalize import normalize
from pipeline.read import read_source
from schemas.document import NormalizedDocument, SourceDocument

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
T2S = opencc.OpenCC("t2s")


def clean_txt(text: str, format: str = "txt") -> NormalizedDocument:
    doc = normalize(SourceDocument(doc_id="t.txt", path="t.txt", format=format, original=text, text=text))
    assert_clean_map_exact(doc)
    return doc


def source_span(doc: NormalizedDocument, start: int, end: int) -> str:
    if doc.clean_map is None:
        return doc.original[start:end]
    return doc.original[slice(*doc.clean_map.span(start, end))]


def assert_clean_map_exact(doc: NormalizedDocument) -> None:
    """Every clean character maps to the original character it came from:
    the same character when copied, else its half-width, simplified or
    plain-space form (or, in HTML, the entity or whitespace run it decodes)."""
    if doc.clean_map is None:
        assert len(doc.clean) == len(doc.original)
    else:
        assert len(doc.clean_map) == len(doc.clean)
    for i, char in enumerate(doc.clean):
        written = source_span(doc, i, i + 1)
        if written == char:
            continue
        if written == "":  # a separator HTML reading inserted
            assert char in "\n\t", (i, char)
        elif char == " ":
            assert written.isspace(), (i, written)
        elif char == "\t":
            assert written == "|", (i, written)
        elif char == "\n":
            assert written == "\r", (i, written)
        elif written.startswith("&"):
            assert len(written) > 1, (i, written)
        else:
            assert char in (unicodedata.normalize("NFKC", written), T2S.convert(written)), (i, char, written)


# --- characters ----------------------------------------------------------------

def test_full_width_ascii_becomes_half_width_but_chinese_punctuation_stays():
    doc = clean_txt("２０２３年办理１２．５％，共１，２００件（一）ＡＢＣ：；！？＋－／～")
    assert doc.clean == "2023年办理12.5%，共1，200件（一）ABC：；！？+-/~"
    assert doc.clean_map is None  # one for one, nothing deleted: the offsets are the original's


def test_spaces_become_plain_and_stay():
    doc = clean_txt("共\u3000计\xa012\u2002件，2023 年 854045 件")
    assert doc.clean == "共 计 12 件，2023 年 854045 件"


def test_line_endings():
    doc = clean_txt("第一行。\r\n第二行。\r第三行。\n")
    assert doc.clean == "第一行。\n第二行。\n第三行。\n"
    assert [doc.clean_map.starts[i] for i, c in enumerate(doc.clean) if c == "\n"] == [5, 10, 15]


def test_invisible_characters_are_deleted():
    doc = clean_txt("处罚85\u200b4045件\ufeff，罚\xad款")
    assert doc.clean == "处罚854045件，罚款"
    # the figure's span in the original covers the deleted character
    assert source_span(doc, 2, 9) == "85\u200b4045件"


def test_traditional_becomes_simplified_one_for_one():
    doc = clean_txt("行政處罰統計與發展：執行１２件")
    assert doc.clean == "行政处罚统计与发展：执行12件"
    assert doc.clean_map is None


def test_simplified_text_is_left_alone():
    text = "重庆市公安局渝北区分局关于2023年行政执法总体情况的报告，干部着力发展。"
    assert clean_txt(text).clean == text


# --- Markdown ----------------------------------------------------------------

@pytest.mark.parametrize("markdown, clean, probe, source", [
    ("# 总标题\n\n## 一、总体情况\n\n###（一）执法情况\n#### **1.强化责任**\n正文。",
     "总标题\n\n一、总体情况\n\n（一）执法情况\n1.强化责任\n正文。", "一、总体情况", "一、总体情况"),
    ("**1.建立机制。**法制部门加强巡查。**2.完善制度。**2023 年制定。二是**创新模式**。共**12**件，*另*有3*5*2，***总计***。",
     "1.建立机制。法制部门加强巡查。2.完善制度。2023 年制定。二是创新模式。共12件，另有3*5*2，总计。", "12件", "12**件"),
    ("| 项目 | 数量 |\n|:---|---:|\n| 行政处罚 | 12 |\n| 警告 | 3 |\n",
     "项目\t数量\n行政处罚\t12\n警告\t3\n", "\t", "|"),
], ids=["headings lose their marks", "emphasis marks go in pairs", "a table becomes tab separated"])
def test_markdown_marks_go_and_spans_still_point_into_the_source(markdown, clean, probe, source):
    doc = clean_txt(markdown)
    assert doc.clean == clean
    at = doc.clean.index(probe)
    assert source_span(doc, at, at + len(probe)) == source


def test_unpaired_star_and_list_bullets_stay():
    assert clean_txt("* 第一项\n单独的*号").clean == "* 第一项\n单独的*号"


def test_blockquote_marks_are_deleted():
    assert clean_txt("> 引用内容。\n>> 再引用。\n正文 > 其他。").clean == "引用内容。\n再引用。\n正文 > 其他。"


def test_html_text_keeps_markdown_characters():
    doc = normalize(SourceDocument(doc_id="p", path="p", format="html", original="**12**", text="**12**"))
    assert doc.clean == "**12**"


# --- broken lines --------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    # a page break in mid-sentence
    ("2023 年，向分局党委报\n\n送法制专题报告 12 期。",
     "2023 年，向分局党委报送法制专题报告 12 期。"),
    ("（二）运用大数据思维，用活数据信息。进一步提高执法过程智能化水平，推进人工智能技术在行政执法\n\n\n\n中的运用，深度剖析个案数据痕迹。",
     "（二）运用大数据思维，用活数据信息。进一步提高执法过程智能化水平，推进人工智能技术在行政执法中的运用，深度剖析个案数据痕迹。"),
    # after a comma, and with edge spaces
    ("分局目前有 41 个执法办案部门，选派 78 名担任法制员，  \n\n  不断加强对执法源头的管控。",
     "分局目前有 41 个执法办案部门，选派 78 名担任法制员，不断加强对执法源头的管控。"),
    # a run-in heading with a colon is a paragraph
    ("5.行政征收征用：2023年分局不涉及行政征收征用工作，无\n\n数据。",
     "5.行政征收征用：2023年分局不涉及行政征收征用工作，无数据。"),
    # single line breaks too
    ("全面落实执法全过程记录制度，对行政执法启动、调查取证等实现全过程记录，\n并实现全面系统归档保存。",
     "全面落实执法全过程记录制度，对行政执法启动、调查取证等实现全过程记录，并实现全面系统归档保存。"),
    # two numbers either side of the break are not glued into one
    ("今年共办理行政案件，数量依次为 12\n\n34 件和 5 件。",
     "今年共办理行政案件，数量依次为 12 34 件和 5 件。"),
    # a long line without punctuation is still running text
    ("了《办案区门禁制度》《执法办案管理中心工作流程图》《新冠疫情防控期间执法办案中心\n\n管理使用规定》等 15 项制度。",
     "了《办案区门禁制度》《执法办案管理中心工作流程图》《新冠疫情防控期间执法办案中心管理使用规定》等 15 项制度。"),
    # a number with a decimal point goes on the sentence; it is not an outline item ("1.")
    ("投资1.2亿元新建视频监控，\n1.07万路已接入。", "投资1.2亿元新建视频监控，1.07万路已接入。"),
    # a figure broken from its qualifier or its unit, even on a short line
    ("全年出动执法人员6000\n余人次，检查企业1200家。", "全年出动执法人员6000余人次，检查企业1200家。"),
    ("罚没款共计3.5\n\n万元。", "罚没款共计3.5万元。"),
])
def test_lines_broken_mid_sentence_are_joined(text, expected):
    assert clean_txt(text).clean == expected


@pytest.mark.parametrize("text", [
    # a title block
    "\n\n重庆市渝北区司法局\n\n关于 2023 年行政执法总体情况的报告\n\n按照有关规定，现将我局 2023 年行政执法总体情况报告如下：\n",
    "重庆市公安局渝北区分局关于2023年法治政府建设情况的报告\n重庆市公安局渝北区分局\n关于2023年度法治政府建设情况的报告\n按照有关规定,现将分局2023年法治政府建设情况报告如下:",
    # a signature block, also after a paragraph that lost its full stop
    "确保安全稳定。\n\n重庆市渝北区司法局\n\n2024年1月19日",
    "今后将继续加强执法规范化建设，为人民群众提供更优质高效的公安服务\n\n汉中市公安局南郑分局\n二〇二三年十二月十五日\n",
    # headings: outline numbers without a full stop, before or after
    "(一)深入学习贯彻党的二十大精神,推进法治政府建设情况\n分局坚持以习近平新时代中国特色社会主义思想为指导。",
    "行政执法工作取得新进展，成效明显\n\n（一）畅通行政执法制度机制。",
    "执法工作取得新进展，成效明显\n1. 强化执法政治责任\n2、落实责任\n（1）建立机制\n第三条 规定\n① 其一",
    # a web page's breadcrumb before the title
    "您的位置: 首页 >要闻动态>通知公告>详细内容\n\n常德市公安局2019年度行政执法情况工作报告\n",
    # table rows (tab-separated, as HTML reading and Markdown tables give them)
    "项目，类别\t数量，件\n行政处罚，警告\t12\n",
])
def test_lines_that_keep_their_breaks(text):
    assert clean_txt(text).clean == text


def test_markdown_heading_line_is_never_joined():
    assert clean_txt("## 执法监督情况，成效显著\n\n正文内容，继续推进。").clean == "执法监督情况，成效显著\n\n正文内容，继续推进。"


# --- documents -----------------------------------------------------------------

def test_documents_that_were_not_read_pass_through():
    doc = normalize(SourceDocument(doc_id="x", path="x", status="error", error="file not found"))
    assert (doc.status, doc.error, doc.clean, doc.clean_map) == ("error", "file not found", "", None)


def test_html_clean_map_points_into_the_html_source(tmp_path):
    page = "<html><body><div class='nav'>首页</div><p>２０２３年处罚&#20214;数\n   <b>854045</b>件，\n</p><p>其中警告 12 件。</p></body></html>"
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    doc = normalize(read_source(path))
    assert doc.clean == "2023年处罚件数 854045件，其中警告 12 件。"
    assert_clean_map_exact(doc)
    number = doc.clean.index("854045")
    assert source_span(doc, number, number + 7) == "854045</b>件"
    assert source_span(doc, 7, 8) == "&#20214;"
    assert source_span(doc, 0, 5) == "２０２３年"


@pytest.mark.parametrize("path", sorted(RAW.glob("*.txt")), ids=lambda p: p.name)
def test_sample_reports(path):
    doc = normalize(read_source(path, RAW))
    assert doc.status == "ok"
    assert_clean_map_exact(doc)
    # every number in the clean text reads the same in the original
    for number in re.finditer(r"\d+(?:\.\d+)?", doc.clean):
        assert source_span(doc, *number.span()) == number.group()
    # no Markdown left, and no line left dangling mid-sentence before a blank line
    assert not re.search(r"^#|\*\*", doc.clean, re.MULTILINE)
    assert not re.search(r"[，、]\n", doc.clean)


def test_speed_on_the_samples():
    docs = [read_source(path) for path in sorted(RAW.glob("*.txt"))]
    start = time.perf_counter()
    for doc in docs:
        normalize(doc)
    assert time.perf_counter() - start < 0.5  # about 10 ms on the reference machine
