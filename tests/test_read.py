"""Stage 1, read: real files of every kind written to tmp_path."""
from __future__ import annotations

import hashlib
import html
import os
from pathlib import Path

import pytest

from pipeline.read import read_source
from schemas.document import SourceDocument


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def read_html(tmp_path: Path, source: str) -> SourceDocument:
    doc = read_source(write(tmp_path, "page.html", source.encode("utf-8")))
    assert doc.status == "ok", doc.error
    assert_text_map_exact(doc)
    return doc


def source_of(doc: SourceDocument, start: int, end: int) -> str:
    """What visible characters [start, end) were in the page."""
    return doc.original[slice(*doc.text_map.span(start, end))]


def assert_text_map_exact(doc: SourceDocument) -> None:
    """Every character of the visible text corresponds to its source span:
    copied, decoded from an entity, a collapsed whitespace run, or an
    inserted separator (zero width)."""
    assert len(doc.text_map) == len(doc.text)
    for i, char in enumerate(doc.text):
        start, end = doc.text_map.starts[i], doc.text_map.ends[i]
        written = doc.original[start:end]
        if start == end:
            assert char in "\n\t", (i, char)
        elif written.startswith("&") and len(written) > 1:
            assert char in html.unescape(written), (i, char, written)
        elif char == " ":
            assert written.isspace(), (i, written)
        else:
            assert written == char, (i, char, written)


# --- encodings ---------------------------------------------------------------

REPORT_LINE = "2023年，分局行政处罚实施854045件，其中警告225454件。\n"


def test_utf8(tmp_path):
    raw = REPORT_LINE.encode("utf-8")
    doc = read_source(write(tmp_path, "report.txt", raw))
    assert (doc.status, doc.encoding, doc.format, doc.error) == ("ok", "utf-8", "txt", "")
    assert doc.original == doc.text == REPORT_LINE
    assert doc.text_map is None
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()
    assert doc.path == str(tmp_path / "report.txt")


def test_utf8_with_bom_drops_the_mark(tmp_path):
    doc = read_source(write(tmp_path, "report.txt", b"\xef\xbb\xbf" + REPORT_LINE.encode("utf-8")))
    assert (doc.status, doc.encoding) == ("ok", "utf-8-sig")
    assert doc.original == REPORT_LINE


@pytest.mark.parametrize("text", [
    "行政处罚854045件",
    "庆市公安",
    "中国",
    "共办理案件12件，其中警告3件。",
    "重庆市公安局渝北区分局关于2023年行政执法总体情况的报告\n",
    REPORT_LINE * 50,
])
def test_gbk_is_read_as_gb18030(tmp_path, text):
    doc = read_source(write(tmp_path, "report.txt", text.encode("gbk")))
    assert (doc.status, doc.encoding) == ("ok", "gb18030")
    assert doc.original == text


def test_gb18030_beyond_gbk(tmp_path):
    text = "𠮷字与€符号共3个\n"  # a supplementary-plane hanzi, only in GB18030's four-byte range
    doc = read_source(write(tmp_path, "report.txt", text.encode("gb18030")))
    assert (doc.status, doc.encoding, doc.original) == ("ok", "gb18030", text)


@pytest.mark.parametrize("text", [
    "行政處罰854045件",
    "中國",
    "共辦理案件12件，其中警告3件。",
    "臺灣省政府關於2023年行政執法總體情況的報告\n" * 20,
])
def test_big5(tmp_path, text):
    doc = read_source(write(tmp_path, "report.txt", text.encode("big5")))
    assert (doc.status, doc.encoding) == ("ok", "big5hkscs")
    assert doc.original == text


def test_utf16_with_bom(tmp_path):
    doc = read_source(write(tmp_path, "report.txt", REPORT_LINE.encode("utf-16")))
    assert (doc.status, doc.encoding, doc.original) == ("ok", "utf-16", REPORT_LINE)


def test_utf32_with_bom_is_not_taken_for_utf16(tmp_path):
    doc = read_source(write(tmp_path, "report.txt", REPORT_LINE.encode("utf-32")))
    assert (doc.status, doc.encoding, doc.original) == ("ok", "utf-32", REPORT_LINE)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(tmp_path, encoding):
    text = "一是落实制度。" + REPORT_LINE  # 一 is U+4E00: a NUL byte on the "wrong" side
    doc = read_source(write(tmp_path, "report.txt", text.encode(encoding)))
    assert (doc.status, doc.encoding, doc.original) == ("ok", encoding, text)


def test_unknown_extension_is_text_recorded_as_txt(tmp_path):
    doc = read_source(write(tmp_path, "report.dat", REPORT_LINE.encode("utf-8")))
    assert (doc.status, doc.format, doc.text) == ("ok", "txt", REPORT_LINE)


@pytest.mark.parametrize("name, expected", [("a.md", "md"), ("a.MARKDOWN", "md"), ("a.htm", "html"), ("a.HTML", "html")])
def test_format_from_extension(tmp_path, name, expected):
    assert read_source(write(tmp_path, name, "正文。".encode("utf-8"))).format == expected


# --- doc_id ------------------------------------------------------------------

def test_doc_id_is_relative_to_root(tmp_path):
    path = write(tmp_path, "seeds/sub/report.txt", REPORT_LINE.encode("utf-8"))
    assert read_source(path, root=tmp_path).doc_id == "seeds/sub/report.txt"
    assert read_source(path).doc_id == "report.txt"
    assert read_source(path, root=tmp_path / "elsewhere").doc_id == "report.txt"


def test_doc_id_with_relative_paths(tmp_path, monkeypatch):
    write(tmp_path, "raw/seeds/report.txt", REPORT_LINE.encode("utf-8"))
    monkeypatch.chdir(tmp_path)
    assert read_source(Path("raw/seeds/report.txt"), root=Path("raw")).doc_id == "seeds/report.txt"
    assert read_source(Path("raw/seeds/../seeds/report.txt"), root=Path("raw/")).doc_id == "seeds/report.txt"


# --- bad input: status and message -------------------------------------------

def assert_problem(doc: SourceDocument, status: str, *words: str) -> None:
    assert doc.status == status
    for word in words:
        assert word in doc.error, doc.error


def test_missing_path(tmp_path):
    doc = read_source(tmp_path / "nope.txt", root=tmp_path)
    assert_problem(doc, "error", "file not found")
    assert (doc.doc_id, doc.sha256, doc.original) == ("nope.txt", "", "")


def test_path_with_a_nul(tmp_path):
    assert_problem(read_source(tmp_path / "a\0b.txt"), "error", "invalid path", "null byte")


def test_directory(tmp_path):
    (tmp_path / "folder.txt").mkdir()
    assert_problem(read_source(tmp_path / "folder.txt"), "error", "is a directory")


def test_pipe_is_not_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")  # reading it would block forever
    assert_problem(read_source(tmp_path / "pipe.txt"), "error", "not a regular file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path):
    path = write(tmp_path, "secret.txt", REPORT_LINE.encode("utf-8"))
    path.chmod(0)
    assert_problem(read_source(path), "error", "permission denied")


def test_file_over_the_limit(tmp_path):
    path = write(tmp_path, "big.txt", b"x" * 2048)
    assert_problem(read_source(path, max_bytes=1000), "error", "file too large", "2,048 bytes", "limit of 1,000 bytes")
    assert read_source(path, max_bytes=2048).status == "ok"


def test_empty_file(tmp_path):
    doc = read_source(write(tmp_path, "empty.txt", b""))
    assert_problem(doc, "empty", "empty file (0 bytes)")
    assert doc.sha256 == hashlib.sha256(b"").hexdigest()


def test_whitespace_only(tmp_path):
    doc = read_source(write(tmp_path, "blank.txt", " \n\t\r\n\u3000\n".encode("utf-8")))
    assert_problem(doc, "empty", "only whitespace")


def test_bom_only(tmp_path):
    assert_problem(read_source(write(tmp_path, "bom.txt", b"\xef\xbb\xbf")), "empty", "only whitespace")


def test_binary_with_nul_bytes(tmp_path):
    # a PNG with its signature damaged (an intact one is refused as an image: test_sniff.py)
    png = (b"\x89PNX\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00"
           + bytes(range(256)) * 4)
    assert_problem(read_source(write(tmp_path, "image.txt", png)), "error", "binary", "NUL")


def test_binary_made_of_control_bytes(tmp_path):
    raw = bytes([0x01, 0x02, 0x1B, 0x41, 0x42, 0x7F, 0x10, 0x43]) * 100
    assert_problem(read_source(write(tmp_path, "data.txt", raw)), "error", "binary", "62% of the first 800 bytes")


def test_binary_that_looks_like_utf16(tmp_path):
    raw = b"".join(n.to_bytes(2, "little") for n in range(1, 32)) * 10  # little-endian 16-bit counters
    assert_problem(read_source(write(tmp_path, "counts.txt", raw)), "error", "binary", "of the first 310 characters")


def test_undecodable_bytes(tmp_path):
    raw = "报告".encode("utf-8") + b" \x80\xff\x80\xff " + "完".encode("gbk")
    assert_problem(read_source(write(tmp_path, "bad.txt", raw)), "error", "cannot decode", "UTF-8", "GB18030", "Big5")


def test_broken_utf16_after_its_bom(tmp_path):
    raw = b"\xff\xfe" + "报告".encode("utf-16-le") + b"\x00\xd8"  # an unpaired surrogate
    assert_problem(read_source(write(tmp_path, "bad.txt", raw)), "error", "UTF-16 byte-order mark", "not valid UTF-16")


def test_html_without_visible_text(tmp_path):
    page = "<html><head><title> </title><script>var x = '报告';</script></head><body><nav>首页</nav><p> </p></body></html>"
    doc = read_source(write(tmp_path, "page.html", page.encode("utf-8")))
    assert_problem(doc, "empty", "HTML page with no visible text")
    assert doc.original == page


def test_html_that_html_parser_rejects(tmp_path):
    doc = read_source(write(tmp_path, "page.html", "<p>正文</p><![foo bar]>".encode("utf-8")))
    assert_problem(doc, "error", "cannot parse the HTML", "marked section")


# --- HTML --------------------------------------------------------------------

def test_table_cells_are_kept_apart(tmp_path):
    doc = read_html(tmp_path, "<table><tr><td>12</td><td>34</td></tr><tr><th>罚款</th><td><p>5</p></td></tr></table>")
    assert doc.text == "12\t34\n罚款\n5"
    assert (doc.format, doc.encoding) == ("html", "utf-8")


def test_page_furniture_is_dropped_and_title_kept(tmp_path):
    doc = read_html(tmp_path, """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>常德市公安局2019年度行政执法情况工作报告</title>
<style>p { color: red }</style><script>document.write("<p>脚本</p>");</script></head>
<body>
<div class="top-nav"><a href="/">首页</a> &gt; 通知公告</div>
<div id="breadcrumbs">您的位置：首页</div>
<nav>导航</nav><header>网站名称</header><aside>相关链接</aside>
<div class="content">
  <h1>2019年度行政执法情况</h1>
  <p>全年办理案件21件。</p>
  <p hidden>隐藏段落</p><div style="display: none">也隐藏</div>
  <select><option>选项</option></select><noscript>请启用脚本</noscript>
</div>
<div class="navigation-box">导航盒子</div>
<div class="footer">版权所有</div><div class="bdshare share">分享到</div><div id="copyright">©</div>
</body></html>""")
    assert doc.text == "常德市公安局2019年度行政执法情况工作报告\n2019年度行政执法情况\n全年办理案件21件。\n导航盒子"


def test_header_inside_an_article_is_content(tmp_path):
    doc = read_html(tmp_path, "<header>站点</header><article><header><h1>报告标题</h1></header><p>正文。</p></article>")
    assert doc.text == "报告标题\n正文。"


def test_form_contents_are_kept_but_controls_dropped(tmp_path):
    doc = read_html(tmp_path, '<form id="form1"><input value="搜索"><button>搜索</button><p>正文12件。</p></form>')
    assert doc.text == "正文12件。"


def test_entities_map_to_the_whole_entity(tmp_path):
    source = "<p>处罚&#20214;数&#x4EF6;&amp;警告&nbsp;3&lt;5 &unknown; &amp</p>"
    doc = read_html(tmp_path, source)
    assert doc.text == "处罚件数件&警告\xa03<5 &unknown; &"
    spans = {doc.text[i]: source_of(doc, i, i + 1) for i in (2, 4, 5, 8, 10)}
    assert spans == {"件": "&#x4EF6;", "&": "&amp;", "\xa0": "&nbsp;", "<": "&lt;"}
    assert source_of(doc, 0, 4) == "处罚&#20214;数"
    # an unknown entity is plain text, copied character by character
    unknown = doc.text.index("&unknown;")
    assert doc.text_map.ends[unknown] - doc.text_map.starts[unknown] == 1


def test_whitespace_collapses_and_breaks_are_zero_width(tmp_path):
    source = "<div>\n  <p>  行政处罚\n     854045件，\n  其中警告 12 件。  </p>\n<p>第一行<br>第二行<br/><br>第三行</br></p>\n</div>"
    doc = read_html(tmp_path, source)
    assert doc.text == "行政处罚 854045件， 其中警告 12 件。\n第一行\n第二行\n\n第三行\n"  # a stray </br> is a <br>
    space = doc.text.index(" ")
    assert source_of(doc, space, space + 1) == "\n     "
    newline = doc.text.index("\n")
    assert doc.text_map.starts[newline] == doc.text_map.ends[newline]


def test_pre_keeps_its_whitespace(tmp_path):
    doc = read_html(tmp_path, "<p>表</p><pre>项目   数量\n罚款   12</pre>")
    assert doc.text == "表\n项目   数量\n罚款   12"


def test_map_positions_across_lines_and_crlf(tmp_path):
    source = "<html>\r\n<body>\r\n<p>第一段\r\n共12件</p>\r\n<p>第二段&#20214;</p></body></html>"
    doc = read_html(tmp_path, source)
    assert doc.text == "第一段 共12件\n第二段件"
    twelve = doc.text.index("12")
    assert source_of(doc, twelve, twelve + 3) == "12件"


def test_html_sniffed_in_a_txt_file(tmp_path):
    doc = read_source(write(tmp_path, "page.txt", "  <!DOCTYPE html><html><body><p>正文</p></body></html>".encode("utf-8")))
    assert (doc.status, doc.format, doc.text) == ("ok", "html", "正文")


def test_markdown_is_not_sniffed_as_html(tmp_path):
    doc = read_source(write(tmp_path, "notes.md", "<html>\n# 标题\n".encode("utf-8")))
    assert (doc.format, doc.text, doc.text_map) == ("md", "<html>\n# 标题\n", None)


def test_gbk_html_page(tmp_path):
    page = '<html><head><meta charset="gb2312"><title>报告</title></head><body><p>处罚854045件</p></body></html>'
    doc = read_source(write(tmp_path, "page.htm", page.encode("gbk")))
    assert (doc.status, doc.encoding, doc.format, doc.text) == ("ok", "gb18030", "html", "报告\n处罚854045件")


def test_a_binary_format_without_its_reader_is_an_error_naming_it(tmp_path, monkeypatch):
    from pipeline import read

    monkeypatch.setitem(read.BINARY_READERS, "pdf", "pipeline.readers.no_such_reader:read_pdf")
    doc = read_source(write(tmp_path, "report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"))
    assert_problem(doc, "error", "no reader for PDF files yet")
