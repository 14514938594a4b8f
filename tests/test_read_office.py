"""DOCX, XLSX and XLS readers on files the tests build: the text they write,
every cell a span of it, merged cells as spans, numbers as numbers; and
the errors for damaged files and zip bombs."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from binary_fixtures import legacy_xls, report_docx, workbook_xlsx, zip_bomb_xlsx, zip_with
from pipeline.readers.office import read_docx, read_xls, read_xlsx
from pipeline.readers.text import Unreadable


def _layout(table):
    """(row, col, rowspan, colspan, text, value, is_header) of every cell."""
    return [(c.row, c.col, c.rowspan, c.colspan, c.text, c.value, c.is_header) for c in table.cells]


def _assert_spans(text, tables):
    for table in tables:
        assert text[table.start:table.end].endswith("\n")
        for cell in table.cells:
            assert text[cell.start:cell.end] == cell.text


@pytest.fixture(scope="module")
def workbook():
    return read_xlsx(workbook_xlsx())


def test_xlsx_text_is_sheets_row_by_row(workbook):
    text, tables, page_starts = workbook
    assert text == (
        "表一\n"
        "2023年度行政执法数据统计表\n"
        "执法单位\t行政处罚实施数量（件）\t\t\t\t\t罚没金额（万元）\t纠错率\n"
        "\t警告\t罚款\t没收违法所得\t责令停产停业\t合计\n"
        "市场监管局\t12\t30\t2\t1\t45\t56.78\t12.5%\n"
        "交通运输局\t3\t7\t0\t0\t10\t1.50\t4.0%\n"
        "分部门\n"
        "部门\t行政许可（件）\t行政检查（次）\n"
        "发展改革委\t120\t35\n"
        "生态环境局\t80\t410\n"
        "合计\t200\t445\n")
    assert page_starts == []
    _assert_spans(text, tables)


def test_xlsx_merged_header_cells_become_spans(workbook):
    _, tables, _ = workbook
    first = tables[0]
    assert (first.index, first.sheet, first.source, first.n_rows, first.n_cols) == (1, "表一", "xlsx", 5, 8)
    assert first.caption == "表一 2023年度行政执法数据统计表"
    assert _layout(first)[:10] == [
        (0, 0, 1, 8, "2023年度行政执法数据统计表", None, False),  # the title: the caption, not a header
        (1, 0, 2, 1, "执法单位", None, True),
        (1, 1, 1, 5, "行政处罚实施数量（件）", None, True),
        (1, 6, 2, 1, "罚没金额（万元）", None, True),
        (1, 7, 2, 1, "纠错率", None, True),
        (2, 1, 1, 1, "警告", None, True),
        (2, 2, 1, 1, "罚款", None, True),
        (2, 3, 1, 1, "没收违法所得", None, True),
        (2, 4, 1, 1, "责令停产停业", None, True),
        (2, 5, 1, 1, "合计", None, True),
    ]
    grid = first.grid()
    assert grid[2][6].text == "罚没金额（万元）"  # the merged cell covers both header rows
    assert [grid[2][c].text for c in range(1, 6)] == ["警告", "罚款", "没收违法所得", "责令停产停业", "合计"]
    assert {grid[1][c].text for c in range(1, 6)} == {"行政处罚实施数量（件）"}


def test_xlsx_numbers_are_values_percent_as_shown(workbook):
    _, tables, _ = workbook
    data = [(c.text, c.value) for c in tables[0].cells if c.row == 3]
    assert data == [("市场监管局", None), ("12", 12.0), ("30", 30.0), ("2", 2.0), ("1", 1.0), ("45", 45.0),
                    ("56.78", 56.78), ("12.5%", 12.5)]
    assert [(c.text, c.value) for c in tables[0].cells if c.row == 4][6:] == [("1.50", 1.5), ("4.0%", 4.0)]


def test_xlsx_numbers_shown_as_their_format_shows_them():
    from openpyxl import Workbook

    workbook = Workbook()
    formats = [(12, '0"件"'), (1234.5, '#,##0.00"万元"'), (0.125, "0%"), (7, '"共"0"人"'), (2.25, "[$¥-804]#,##0.00"),
               (0.5, "0\\%"), (1.5, "0.00_);[Red](0.00)"), (1 / 3, "General"), (dt.datetime(2023, 12, 31), "yyyy-mm-dd")]
    for row, (value, number_format) in enumerate(formats, start=1):
        workbook.active.cell(row=row, column=1, value=value).number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    _, (table,), _ = read_xlsx(buffer.getvalue())
    assert [(c.text, c.value) for c in table.cells] == [
        ("12件", 12.0), ("1234.50万元", 1234.5), ("12%", 12.5), ("共7人", 7.0), ("2.25", 2.25),
        ("0.5%", 0.5),  # an escaped % is text: no ×100
        ("1.50", 1.5), ("0.333333333333333", 1 / 3), ("2023-12-31", None)]


def test_xlsx_second_sheet_one_row_per_department(workbook):
    _, tables, _ = workbook
    second = tables[1]
    assert (second.index, second.sheet, second.n_rows, second.n_cols, second.caption) == (2, "分部门", 4, 3, "分部门")
    assert [[cell.text for cell in row] for row in second.grid()] == [
        ["部门", "行政许可（件）", "行政检查（次）"],
        ["发展改革委", "120", "35"],
        ["生态环境局", "80", "410"],  # "  生态 环境局 ": padding between hanzi dropped
        ["合计", "200", "445"],  # "合　　计"
    ]
    assert [c.is_header for c in second.cells[:4]] == [True, True, True, False]


def test_xlsx_cell_address_is_grid_position_from_a1(workbook):
    text, tables, _ = workbook
    # 表一!G4 holds 56.78: row 4 -> 3, column G -> 6
    cell = next(c for c in tables[0].cells if (c.row, c.col) == (3, 6))
    assert (cell.text, text[cell.start:cell.end]) == ("56.78", "56.78")


def test_xls_legacy_workbook():
    text, tables, _ = read_xls(legacy_xls())
    assert text == "行政许可\n单位\t行政许可（件）\n\t受理\t办结\n市本级\t1520\t1498.5\n办结率\t\t98.55%\n"
    _assert_spans(text, tables)
    (table,) = tables
    assert (table.sheet, table.source, table.n_rows, table.n_cols) == ("行政许可", "xls", 4, 3)
    assert _layout(table) == [
        (0, 0, 1, 1, "单位", None, True),
        (0, 1, 1, 2, "行政许可（件）", None, True),
        (1, 1, 1, 1, "受理", None, True),
        (1, 2, 1, 1, "办结", None, True),
        (2, 0, 1, 1, "市本级", None, False),
        (2, 1, 1, 1, "1520", 1520.0, False),
        (2, 2, 1, 1, "1498.5", 1498.5, False),
        (3, 0, 1, 1, "办结率", None, False),
        (3, 2, 1, 1, "98.55%", 98.55, False),
    ]


def test_docx_paragraphs_and_table_in_body_order():
    text, tables, page_starts = read_docx(report_docx())
    assert text == (
        "某市司法局2023年行政执法情况报告\n"
        "一、总体情况\n"
        "全年共办理行政处罚案件120件，同比增长5%。\n"
        "表1 行政处罚情况统计表\n"
        "单位：件\n"
        "项目\t行政处罚\t\t合计\n"
        "\t警告\t罚款\n"
        "数量\t20\t100\t120\n"
        "二、存在问题\n")
    assert page_starts == []
    _assert_spans(text, tables)
    (table,) = tables
    assert (table.source, table.n_rows, table.n_cols) == ("docx", 3, 4)
    assert table.caption == "表1 行政处罚情况统计表 单位：件"  # the short lines just above it
    assert text[table.start:table.end] == "项目\t行政处罚\t\t合计\n\t警告\t罚款\n数量\t20\t100\t120\n"
    assert _layout(table) == [
        (0, 0, 2, 1, "项目", None, True),  # vMerge restart + continue
        (0, 1, 1, 2, "行政处罚", None, True),  # gridSpan 2
        (0, 3, 2, 1, "合计", None, True),
        (1, 1, 1, 1, "警告", None, True),
        (1, 2, 1, 1, "罚款", None, True),
        (2, 0, 1, 1, "数量", None, False),
        (2, 1, 1, 1, "20", None, False),
        (2, 2, 1, 1, "100", None, False),
        (2, 3, 1, 1, "120", None, False),
    ]


def test_docx_repeated_header_row_is_the_header():
    import docx
    from docx.oxml import OxmlElement

    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(table.rows[0].cells + table.rows[1].cells, ["类别", "说明", "一般程序", "简易程序"]):
        cell.text = text
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    buffer = io.BytesIO()
    document.save(buffer)
    _, (read,), _ = read_docx(buffer.getvalue())
    assert [(c.text, c.is_header) for c in read.cells] == [
        ("类别", True), ("说明", True), ("一般程序", False), ("简易程序", False)]


def test_empty_workbook_and_document_give_no_text():
    import docx
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    assert read_xlsx(buffer.getvalue()) == ("", [], [])
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    assert read_docx(buffer.getvalue()) == ("", [], [])


@pytest.mark.parametrize(("reader", "raw", "message"), [
    (read_xlsx, b"PK\x03\x04" + b"junk" * 50,
     "corrupt XLSX file: not a readable ZIP container (File is not a zip file)"),
    (read_docx, zip_with({"notes.txt": "行政处罚".encode()}), "corrupt DOCX file: a ZIP without a Word document in it"),
    (read_xls, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"junk" * 100,
     "corrupt XLS file: Expected \"little-endian\" marker, found b'ju'"),
], ids=["corrupt-zip", "zip-without-document", "corrupt-ole"])
def test_damaged_files_say_what_is_wrong(reader, raw, message):
    with pytest.raises(Unreadable) as problem:
        reader(raw)
    assert (problem.value.status, problem.value.message) == ("error", message)


def test_truncated_workbook_is_corrupt():
    raw = workbook_xlsx()
    with pytest.raises(Unreadable, match="^corrupt XLSX file: not a readable ZIP container"):
        read_xlsx(raw[: len(raw) // 2])


def test_zip_bomb_over_the_unpacked_limit_is_refused():
    with pytest.raises(Unreadable) as problem:
        read_xlsx(zip_bomb_xlsx(unpacked_mb=210))
    assert problem.value.message == ("XLSX file unpacks to 220,201,075 bytes, over the limit of 209,715,200 "
                                     "bytes (a zip bomb?)")


def test_zip_member_compressed_past_what_xml_reaches_is_refused():
    with pytest.raises(Unreadable) as problem:
        read_docx(zip_with({"word/document.xml": bytes(20 << 20)}))
    assert problem.value.message == ("DOCX file member word/document.xml is compressed 1,029:1 (20,971,520 "
                                     "bytes unpacked), past the limit of 200:1 (a zip bomb?)")


def _with_part_cut_short(raw: bytes, part: str) -> bytes:
    """The package with one XML part cut after 40 bytes: a valid ZIP holding damaged XML."""
    source, damaged = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as archive:
        for member in source.infolist():
            data = source.read(member)
            archive.writestr(member.filename, data[:40] if member.filename == part else data)
    return damaged.getvalue()


@pytest.mark.parametrize(("reader", "raw", "message"), [
    (read_docx, lambda: _with_part_cut_short(report_docx(), "word/document.xml"),
     "cannot read the DOCX file (damaged, or made in a way its reader does not know): XMLSyntaxError: parsing XML "
     "declaration: '?>' expected, line 1, column 38 (<string>, line 1)"),
    (read_xlsx, lambda: _with_part_cut_short(workbook_xlsx(), "xl/worksheets/sheet1.xml"),
     "cannot read the XLSX file (damaged, or made in a way its reader does not know): ParseError: unclosed token: "
     "line 1, column 0"),
], ids=["docx", "xlsx"])
def test_damaged_xml_inside_a_sound_zip(reader, raw, message):
    with pytest.raises(Unreadable) as problem:
        reader(raw())
    assert problem.value.message == message


def test_docx_nested_table_is_text_of_its_outer_cell():
    import docx

    document = docx.Document()
    outer = document.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "说明"
    holder = outer.cell(0, 1)
    holder.text = "附表"
    inner = holder.add_table(rows=1, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "甲 项", "12"
    buffer = io.BytesIO()
    document.save(buffer)
    text, (table,), _ = read_docx(buffer.getvalue())
    assert text == "说明\t附表甲项 12\n"
    assert [(c.row, c.col, c.text) for c in table.cells] == [(0, 0, "说明"), (0, 1, "附表甲项 12")]


def test_a_sheet_past_the_cell_limit_is_refused_before_its_cells_are_read():
    import xlwt

    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("案件清单")
    sheet.write(0, 0, "案件名称")
    sheet.write(400, 250, 1)  # a used range of 401 × 251 cells
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(Unreadable) as problem:
        read_xls(buffer.getvalue())
    assert problem.value.message == ("XLS file with 100,651 table cells or more, over the limit of 100,000 "
                                     "(a list of records rather than a statistical table?)")


def test_tables_stacked_on_one_sheet_are_tables_of_their_own():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "两表"
    for row in (["表1 行政处罚"], [], ["单位", "警告", "罚款"], ["甲局", 4, 9], ["乙局", 1, 2], [],
                ["表2 行政许可"], ["单位", "受理"], ["甲局", "35"], [], ["注：数据截至年底。"]):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    text, tables, _ = read_xlsx(buffer.getvalue())
    assert text == ("两表\n表1 行政处罚\n\n单位\t警告\t罚款\n甲局\t4\t9\n乙局\t1\t2\n"
                    "表2 行政许可\n单位\t受理\n甲局\t35\n注：数据截至年底。\n")
    _assert_spans(text, tables)
    assert [(t.index, t.sheet, t.caption, t.n_rows, t.n_cols) for t in tables] == [
        (1, "两表", "两表 表1 行政处罚", 5, 3),  # the title above a blank row goes with the table below it
        (2, "两表", "表2 行政许可", 9, 2),
        (3, "两表", "", 11, 1)]
    second = tables[1]
    assert [(c.row, c.col, c.text, c.value, c.is_header) for c in second.cells] == [
        (6, 0, "表2 行政许可", None, False), (7, 0, "单位", None, True), (7, 1, "受理", None, True),
        (8, 0, "甲局", None, False), (8, 1, "35", None, False)]  # "35" stored as text: still the number row


def test_docx_text_box_is_read_once_and_a_tracked_move_at_its_new_place():
    import docx
    from docx.oxml import parse_xml

    namespaces = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
                  'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
                  'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
                  'xmlns:v="urn:schemas-microsoft-com:vml"')
    box = "<w:txbxContent><w:p><w:r><w:t>检查1200次</w:t></w:r></w:p></w:txbxContent>"
    document = docx.Document()
    paragraph = document.add_paragraph("正文。")
    paragraph._p.append(parse_xml(
        f"<w:r {namespaces}><mc:AlternateContent><mc:Choice Requires=\"wps\"><wps:txbx>{box}</wps:txbx></mc:Choice>"
        f"<mc:Fallback><v:textbox>{box}</v:textbox></mc:Fallback></mc:AlternateContent></w:r>"))
    moved = document.add_paragraph()
    moved._p.append(parse_xml(f"<w:moveFrom {namespaces} w:id=\"1\" w:author=\"a\"><w:r><w:t>旧处</w:t></w:r></w:moveFrom>"))
    moved._p.append(parse_xml(f"<w:moveTo {namespaces} w:id=\"2\" w:author=\"a\"><w:r><w:t>新处</w:t></w:r></w:moveTo>"))
    buffer = io.BytesIO()
    document.save(buffer)
    text, _, _ = read_docx(buffer.getvalue())
    assert text == "正文。检查1200次\n新处\n"
