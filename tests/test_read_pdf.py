"""The PDF reader on PDFs the tests draw with reportlab (its built-in CID font
STSong-Light writes Chinese without a font file): the text layer page by
page, where each page starts, a ruled table with merged cells; and the
errors for a scanned page, a password, a damaged file, a time limit."""
from __future__ import annotations

import pytest

from binary_fixtures import framed_pdf, report_pdf, scanned_pdf, unmapped_font_pdf
from pipeline.readers.pdf import read_pdf
from pipeline.readers.text import Unreadable


@pytest.fixture(scope="module")
def report():
    return read_pdf(report_pdf())


def test_text_layer_page_by_page_with_the_table_in_place(report):
    text, _, page_starts = report
    assert text == (
        "2023年全市行政处罚实施1234件。\n"
        "表一 行政处罚统计表\n"
        "执法单位\t行政处罚（件）\n"
        "\t警告\t罚款\n"
        "市场监管局\t12\t30\n"
        "交通运输局\t3\t7\n"
        "表后说明文字。\n"
        "二、罚没金额56.7万元。\n"  # drawn twice, read once
        "项目\t件数\n"  # columns without ruling lines: a tab where the gap is a column's
        "警告 处罚\t20\n")
    assert page_starts == [0, 81]
    assert text[page_starts[1]:].startswith("二、罚没金额")


def test_ruled_table_with_merged_cells(report):
    text, (table,), _ = report
    assert (table.index, table.page, table.source, table.n_rows, table.n_cols) == (1, 1, "pdf", 4, 3)
    assert table.caption == "表一 行政处罚统计表"
    assert [(c.row, c.col, c.rowspan, c.colspan, c.text, c.is_header) for c in table.cells] == [
        (0, 0, 2, 1, "执法单位", True),
        (0, 1, 1, 2, "行政处罚（件）", True),
        (1, 1, 1, 1, "警告", True),
        (1, 2, 1, 1, "罚款", True),
        (2, 0, 1, 1, "市场监管局", False),
        (2, 1, 1, 1, "12", False),
        (2, 2, 1, 1, "30", False),
        (3, 0, 1, 1, "交通运输局", False),
        (3, 1, 1, 1, "3", False),
        (3, 2, 1, 1, "7", False),
    ]
    for cell in table.cells:
        assert text[cell.start:cell.end] == cell.text
        assert cell.value is None  # a PDF stores no numbers, only their glyphs
    assert text[table.start:table.end] == "执法单位\t行政处罚（件）\n\t警告\t罚款\n市场监管局\t12\t30\n交通运输局\t3\t7\n"


@pytest.mark.parametrize(("raw", "message"), [
    (scanned_pdf, "PDF of 1 page with no text layer (a scanned image? OCR is not supported)"),
    (lambda: report_pdf(encrypt="secret"),
     "encrypted PDF: it opens only with a password (remove the protection and save it again)"),
    (lambda: b"%PDF-1.4\n" + b"garbage\x00\x01" * 100, "corrupt PDF: PDFSyntaxError: No /Root object! - Is this really a PDF?"),
    (lambda: report_pdf()[:1500], "corrupt PDF: PSEOF: Unexpected EOF"),
    (lambda: unmapped_font_pdf(with_latin_line=False), "PDF of 1 page whose fonts map none of its 4 glyphs to "
     "characters (no ToUnicode map): no text can be read (OCR is not supported)"),
], ids=["scanned", "encrypted", "garbage", "truncated", "unmapped-glyphs"])
def test_unreadable_pdfs_say_why(raw, message):
    with pytest.raises(Unreadable) as problem:
        read_pdf(raw())
    assert (problem.value.status, problem.value.message) == ("error", message)


def test_parsing_past_the_time_limit_stops_between_pages():
    with pytest.raises(Unreadable) as problem:
        read_pdf(report_pdf(), time_limit=0)
    assert problem.value.message == "PDF parsing stopped after 0 s at page 1 of 2 (the limit is 0 s per document)"


def test_glyphs_no_font_maps_are_dropped_not_read_as_digits():
    text, tables, page_starts = read_pdf(unmapped_font_pdf(with_latin_line=True))
    assert (text, tables, page_starts) == ("Total 12\n", [], [0])  # not "(cid:18)(cid:52)…"


def test_a_frame_round_the_page_is_not_a_table():
    assert read_pdf(framed_pdf()) == ("关于2023年行政执法工作的报告\n全年受理行政复议申请86件。\n", [], [0])
