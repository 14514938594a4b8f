"""Statistical tables: HTML grids and flattened text tables read cell by cell.

Every fixture is written here (the column wordings are the statistical
templates' public ones; agencies and numbers are made up). Each layout is
checked figure by figure: value, unit, metric, subject, cell, and that the
figure's text is the span of the original it points to.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractors.ner import get_backend
from extractors.tables import cell_address, table_extractor
from pipeline.normalize import normalize
from pipeline.read import read_source
from pipeline.runner import process_file
from pipeline.segment import segment
from schemas.table import Table


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def table_figures(path: Path, report_year: int | None = 2023):
    doc = segment(normalize(read_source(path)))
    assert doc.status == "ok", doc.error
    found, problems = table_extractor().extract(doc, report_year)
    assert problems == []
    for figure in found:
        assert figure.record.text == doc.original[figure.record.start:figure.record.end]
    return doc, [f.record for f in found]


def rows(figures, *fields):
    return [tuple(getattr(f, name) for name in ("text", "value", "unit", "metric", *fields)) for f in figures]


def page(body: str) -> str:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>统计</title></head><body>{body}</body></html>"


# --- HTML ------------------------------------------------------------------

SPANNING = page("""
<p>现将2023年度行政执法数据公布如下。</p><p>表一 某县交通运输局2023年度行政处罚实施情况统计表</p>
<table border="1">
  <tr><td colspan="6"><p><span>行政处罚实施数量（件）</span></p></td>
      <td rowspan="2"><p>罚没金额<br/>（万元）</p></td></tr>
  <tr><th>警告</th><th>通报批评</th><th>罚款</th><th>没收违法所得、<br>没收非法财物</th><th>其他行政处罚</th><th>合计</th></tr>
  <tr><td>&nbsp;12&nbsp;</td><td>—</td><td>1,204</td><td><p><span>7</span></p></td><td>/</td><td>1223</td><td>86.5321</td></tr>
</table>
<p>说明：1.统计范围为2023年1月1日至12月31日。2.单处一个类别行政处罚的，计入相应类别。</p>
""")


def test_spanning_group_header_with_a_money_column_over_two_rows(tmp_path):
    doc, figures = table_figures(write(tmp_path, "penalty.html", SPANNING))
    assert rows(figures, "subject", "cell") == [
        ("12", 12, "件", "penalty.warning", "行政处罚实施数量 > 警告", "table 1 r3c1"),
        ("1,204", 1204, "件", "penalty.fine", "行政处罚实施数量 > 罚款", "table 1 r3c3"),
        ("7", 7, "件", "penalty.confiscation", "行政处罚实施数量 > 没收违法所得、没收非法财物", "table 1 r3c4"),
        ("1223", 1223, "件", "penalty.total", "行政处罚实施数量 > 合计", "table 1 r3c6"),
        ("86.5321", 865321, "元", "penalty.amount", "罚没金额", "table 1 r3c7"),
    ]
    assert {f.section for f in figures} == {"表一 某县交通运输局2023年度行政处罚实施情况统计表"}
    assert {(f.extractor, f.kind, f.unit_kind, f.year) for f in figures[:4]} == {("table", "level", "count", 2023)}
    assert figures[4].unit_kind == "money"


def test_html_grid_resolves_spans_into_cells_of_the_original(tmp_path):
    doc = read_source(write(tmp_path, "penalty.html", SPANNING))
    (table,) = doc.tables
    assert (table.n_rows, table.n_cols, table.source) == (3, 7, "html")
    grid = table.grid()
    money = grid[1][6]
    assert (money.row, money.col, money.rowspan, money.colspan) == (0, 6, 2, 1)
    assert doc.original[money.start:money.end] == "罚没金额<br/>（万元）"
    assert grid[0][3] is grid[0][0] and grid[0][0].colspan == 6
    assert [c.is_header for c in table.cells if c.row == 1] == [True] * 6
    assert doc.original[grid[2][0].start:grid[2][0].end] == "12"


def test_flat_headers_each_with_its_unit(tmp_path):
    html = page("""<table>
      <tr><td>申请数量（件）</td><td>受理数量（件）</td><td>许可数量（件）</td><td>不予许可数量（件）</td><td>撤销许可数量（件）</td></tr>
      <tr><td>530</td><td>528</td><td>516</td><td>12</td><td>0</td></tr></table>""")
    _, figures = table_figures(write(tmp_path, "licensing.html", html))
    assert rows(figures, "subject") == [
        ("530", 530, "件", "licensing.applications", "申请数量"),
        ("528", 528, "件", "licensing.accepted", "受理数量"),
        ("516", 516, "件", "licensing.granted", "许可数量"),
        ("12", 12, "件", "licensing.denied", "不予许可数量"),
        ("0", 0, "件", "licensing.revoked", "撤销许可数量"),
    ]


def test_categories_as_rows(tmp_path):
    html = page("""<p>行政处罚实施情况统计表</p><table>
      <tr><th>项目</th><th>数量（宗）</th></tr>
      <tr><td>警告</td><td>41</td></tr><tr><td>罚款</td><td>230</td></tr>
      <tr><td>行政拘留</td><td>-</td></tr><tr><td>合计</td><td>271</td></tr>
      <tr><td>罚没金额（万元）</td><td>15.2</td></tr></table>""")
    _, figures = table_figures(write(tmp_path, "rows.html", html))
    assert rows(figures, "subject", "cell") == [
        ("41", 41, "宗", "penalty.warning", "数量 > 警告", "table 1 r2c2"),
        ("230", 230, "宗", "penalty.fine", "数量 > 罚款", "table 1 r3c2"),
        ("271", 271, "宗", "", "数量 > 合计", "table 1 r5c2"),
        ("15.2", 152000, "元", "penalty.amount", "数量 > 罚没金额", "table 1 r6c2"),
    ]


def test_one_row_per_department_then_a_total(tmp_path):
    html = page("""<table>
      <tr><th>单位名称</th><th>行政检查次数（次）</th><th>行政强制措施实施数量（宗）</th></tr>
      <tr><td>某县市场监督管理局</td><td>356</td><td>14</td></tr>
      <tr><td>某县生态环境分局</td><td>120</td><td>3</td></tr>
      <tr><td>合计</td><td>476</td><td>18</td></tr></table>""")
    _, figures = table_figures(write(tmp_path, "departments.html", html))
    assert rows(figures, "org", "cell") == [
        ("356", 356, "次", "inspection.total", "某县市场监督管理局", "table 1 r2c2"),
        ("14", 14, "宗", "coercion.total", "某县市场监督管理局", "table 1 r2c3"),
        ("120", 120, "次", "inspection.total", "某县生态环境分局", "table 1 r3c2"),
        ("3", 3, "宗", "coercion.total", "某县生态环境分局", "table 1 r3c3"),
        ("476", 476, "次", "inspection.total", "", "table 1 r4c2"),
        ("18", 18, "宗", "coercion.total", "", "table 1 r4c3"),
    ]


def test_two_tables_on_a_page_and_a_caption_that_declares_the_units(tmp_path):
    html = page("""<p>现将有关数据公布如下。</p><p>表一 行政许可实施情况统计表</p>
      <table><tr><td>申请数量</td><td>受理数量</td></tr><tr><td>40</td><td>38</td></tr></table>
      <p>表二 行政处罚实施情况统计表</p><p>单位：件、万元</p>
      <table><tr><td>罚款</td><td>罚没金额</td></tr><tr><td>9</td><td>3.5</td></tr></table>""")
    _, figures = table_figures(write(tmp_path, "two.html", html))
    assert rows(figures, "cell", "section") == [
        ("40", 40, "", "licensing.applications", "table 1 r2c1", "表一 行政许可实施情况统计表"),
        ("38", 38, "", "licensing.accepted", "table 1 r2c2", "表一 行政许可实施情况统计表"),
        ("9", 9, "件", "penalty.fine", "table 2 r2c1", "表二 行政处罚实施情况统计表 单位：件、万元"),
        ("3.5", 35000, "元", "penalty.amount", "table 2 r2c2", "表二 行政处罚实施情况统计表 单位：件、万元"),
    ]


def test_traditional_characters_are_read_simplified(tmp_path):
    html = ("<html><head><meta charset='big5'><title>統計年報</title></head><body><p>表一 行政處罰實施情況統計表</p><table>"
      """<tr><td colspan="3">行政處罰實施數量（件）</td><td rowspan="2">罰沒金額（萬元）</td></tr>
      <tr><td>警告</td><td>罰款</td><td>沒收違法所得、沒收非法財物</td></tr>
      <tr><td>5</td><td>61</td><td>2</td><td>4.25</td></tr></table></body></html>""")
    doc, figures = table_figures(write(tmp_path, "big5.html", html, "big5"), report_year=2022)
    assert doc.encoding == "big5hkscs"
    assert rows(figures, "subject") == [
        ("5", 5, "件", "penalty.warning", "行政处罚实施数量 > 警告"),
        ("61", 61, "件", "penalty.fine", "行政处罚实施数量 > 罚款"),
        ("2", 2, "件", "penalty.confiscation", "行政处罚实施数量 > 没收违法所得、没收非法财物"),
        ("4.25", 42500, "元", "penalty.amount", "罚没金额"),
    ]


def test_merged_template_categories_have_their_own_ids(tmp_path):
    html = page("""<table><tr><td>警告、通报批评</td><td>暂扣许可证件、降低资质等级、吊销许可证件</td>
      <td>限制开展生产经营活动、责令停产停业、责令关闭、限制从业</td><td>责令关闭、限制从业</td></tr>
      <tr><td>8</td><td>2</td><td>1</td><td>0</td></tr></table>""")
    _, figures = table_figures(write(tmp_path, "merged.html", html))
    assert [f.metric for f in figures] == [
        "penalty.warning_or_criticism", "penalty.license_suspension_downgrade_or_revocation",
        "penalty.restriction_suspension_closure_or_employment_restriction",
        "penalty.closure_or_employment_restriction",
    ]


# --- flattened text --------------------------------------------------------

def test_pipe_flattened_table_with_empty_spanned_cells(tmp_path):
    text = ("一、行政处罚\n表一 行政处罚实施情况统计表\n"
            "行政处罚实施数量（件） |  |  |  | 罚没金额（万元）\n"
            "警告 | 罚款 | 其他行政处罚 | 合计 | \n"
            "3 | 12 | 1 | 16 | 2.5\n"
            "说明：1.统计范围为本年度1月1日至12月31日。\n")
    doc, figures = table_figures(write(tmp_path, "flat.txt", text))
    assert rows(figures, "subject", "cell") == [
        ("3", 3, "件", "penalty.warning", "行政处罚实施数量 > 警告", "table 1 r3c1"),
        ("12", 12, "件", "penalty.fine", "行政处罚实施数量 > 罚款", "table 1 r3c2"),
        ("1", 1, "件", "penalty.other", "行政处罚实施数量 > 其他行政处罚", "table 1 r3c3"),
        ("16", 16, "件", "penalty.total", "行政处罚实施数量 > 合计", "table 1 r3c4"),
        ("2.5", 25000, "元", "penalty.amount", "罚没金额", "table 1 r3c5"),
    ]
    (table,) = doc.tables
    assert (table.source, table.caption) == ("text", "一、行政处罚 表一 行政处罚实施情况统计表")
    assert doc.original[table.start:table.end].endswith("16 | 2.5")


FLAT_LAYOUTS = {
    "tabs pasted from a spreadsheet": (
        "行政强制实施情况\n"
        "查封场所、设施或者财物\t扣押财物\t冻结存款、汇款\t合计（宗）\n"
        "4\t9\t\t13\n",
        "cell",
        # 宗 is declared for the total only: the other columns declare no unit
        [("4", 4, "", "coercion.sealing", "table 1 r2c1"),
         ("9", 9, "", "coercion.seizure", "table 1 r2c2"),
         ("13", 13, "宗", "", "table 1 r2c4")]),
    "columns aligned by spaces": (
        "行政许可情况（单位：件）\n"
        "项目        数量\n"
        "申请数量    210\n"
        "受理数量    207\n"
        "不予许可数量  5\n",
        "subject",
        [("210", 210, "件", "licensing.applications", "数量 > 申请数量"),
         ("207", 207, "件", "licensing.accepted", "数量 > 受理数量"),
         ("5", 5, "件", "licensing.denied", "数量 > 不予许可数量")]),
    "header rows packed to the left": (
        "单位名称 | 行政许可实施数量 | 撤销许可数量 | ||\n"
        "申请数量 | 受理数量 | 许可数量 | ||\n"
        "某区住房和城乡建设局 | 25 | 25 | 24 | 1 |\n",
        "subject",
        [("25", 25, "", "licensing.applications", "行政许可实施数量 > 申请数量"),
         ("25", 25, "", "licensing.accepted", "行政许可实施数量 > 受理数量"),
         ("24", 24, "", "licensing.granted", "行政许可实施数量 > 许可数量"),
         ("1", 1, "", "licensing.revoked", "撤销许可数量")]),
    "rows numbered, one an agency, then a total": (
        "序号 | 单位名称 | 行政检查次数（次） | 检查企业数（家）\n"
        "1 | 某区市场监督管理局 | 230 | 180\n"
        "2 | 某区应急管理局 | 95 | 60\n"
        "合计 |  | 325 | 240\n",
        "org",
        [("230", 230, "次", "inspection.total", "某区市场监督管理局"),
         ("180", 180, "家", "inspection.entities", "某区市场监督管理局"),
         ("95", 95, "次", "inspection.total", "某区应急管理局"),
         ("60", 60, "家", "inspection.entities", "某区应急管理局"),
         ("325", 325, "次", "inspection.total", ""), ("240", 240, "家", "inspection.entities", "")]),
    "packed headers padded to the table's width, a divider row, the empty last cell lost": (
        "序号 | 单位名称 | 行政处罚实施数量（宗） | 罚没金额（万元） | 备注 | ||||\n"
        "警告 | 罚款 | 没收违法所得、没收非法财物 | 其他行政处罚 | 合计（宗） | ||||\n"
        "（一）本单位实施的 | |||||||||\n"
        "1 | 某市卫生健康委员会 | 2 | 5 | 0 | 1 | 8 | 3.6 |\n",
        "subject",
        [("2", 2, "宗", "penalty.warning", "行政处罚实施数量 > 警告"),
         ("5", 5, "宗", "penalty.fine", "行政处罚实施数量 > 罚款"),
         ("0", 0, "宗", "penalty.confiscation", "行政处罚实施数量 > 没收违法所得、没收非法财物"),
         ("1", 1, "宗", "penalty.other", "行政处罚实施数量 > 其他行政处罚"),
         ("8", 8, "宗", "penalty.total", "行政处罚实施数量 > 合计"),
         ("3.6", 36000, "元", "penalty.amount", "罚没金额")]),
    "a Markdown table": (
        "| 项目 | 数量（件） |\n|---|---:|\n| 警告 | 3 |\n| 罚款 | 14 |\n",
        "cell",
        [("3", 3, "件", "penalty.warning", "table 1 r2c2"), ("14", 14, "件", "penalty.fine", "table 1 r3c2")]),
}


@pytest.mark.parametrize("layout", FLAT_LAYOUTS)
def test_flattened_layouts(tmp_path, layout):
    text, field, expected = FLAT_LAYOUTS[layout]
    _, figures = table_figures(write(tmp_path, "flat.txt", text))
    assert rows(figures, field) == expected


def test_rows_of_agencies_name_the_org(tmp_path):
    _, figures = table_figures(write(tmp_path, "packed.txt", FLAT_LAYOUTS["header rows packed to the left"][0]))
    assert {f.org for f in figures} == {"某区住房和城乡建设局"}


def test_one_cell_a_line_and_one_cell_a_paragraph(tmp_path):
    lines = "|\n行政許可實施數量(宗) |\n||\n|\n申請數量 |\n受理數量 |\n許可數量 |\n|\n31 |\n30 |\n30 |\n"
    _, figures = table_figures(write(tmp_path, "lines.txt", "某局统计年报\n" + lines))
    assert rows(figures, "cell") == [
        ("31", 31, "宗", "licensing.applications", "table 1 r3c1"),
        ("30", 30, "宗", "licensing.accepted", "table 1 r3c2"),
        ("30", 30, "宗", "licensing.granted", "table 1 r3c3"),
    ]
    paragraphs = "具体见表一。\n\n行政许可实施数量(宗)\n\n申请数量\n\n受理数量\n\n许可数量\n\n44\n\n40\n\n39\n\n"
    _, figures = table_figures(write(tmp_path, "paragraphs.txt", paragraphs))
    assert rows(figures) == [("44", 44, "宗", "licensing.applications"), ("40", 40, "宗", "licensing.accepted"),
                             ("39", 39, "宗", "licensing.granted")]


def test_a_label_broken_over_paragraphs_is_joined_again_when_only_one_way_fits(tmp_path):
    text = "见表二。\n\n警告\n\n没收违法\n\n所得、没收非法财物\n\n罚款\n\n1\n\n2\n\n3\n\n"
    doc, figures = table_figures(write(tmp_path, "broken.txt", text))
    assert rows(figures, "subject") == [("1", 1, "", "penalty.warning", "警告"),
                                         ("2", 2, "", "penalty.confiscation", "没收违法所得、没收非法财物"),
                                         ("3", 3, "", "penalty.fine", "罚款")]


def test_blank_paragraph_cells_keep_their_columns(tmp_path):
    # every <td> its own paragraph, a blank one a lone space, two headers broken in pieces
    text = ("表一\n\n某分局2022年度行政处罚实施情况统计表\n\n行政处罚实施数量(宗)\n\n警告\n\n罚款\n\n没收违法\n\n"
            "所得、没收\n\n非法财物\n\n行政\n\n拘留\n\n合计(宗)\n\n罚没金额(万元)\n\n"
            "7\n\n20\n\n \n\n3\n\n30\n\n1.6\n\n\n说明：统计范围为本年度。\n")
    _, figures = table_figures(write(tmp_path, "blank.txt", text), report_year=2022)
    assert rows(figures, "cell") == [
        ("7", 7, "宗", "penalty.warning", "table 1 r3c1"), ("20", 20, "宗", "penalty.fine", "table 1 r3c2"),
        ("3", 3, "宗", "penalty.detention", "table 1 r3c4"), ("30", 30, "宗", "penalty.total", "table 1 r3c5"),
        ("1.6", 16000, "元", "penalty.amount", "table 1 r3c6"),
    ]


def test_labels_that_do_not_pair_with_the_numbers_give_no_table(tmp_path):
    # four labels for three numbers and nothing says which two belong together:
    # pairing them up by guess could shift every header
    text = "见下表。\n\n甲类\n\n乙\n\n丙类\n\n丁类\n\n10\n\n20\n\n30\n\n"
    assert read_source(write(tmp_path, "ambiguous.txt", text)).tables == []


def test_prose_is_not_a_table(tmp_path):
    text = ("2023年，全局共办理行政处罚案件1234件，同比增长5%。\n"
            "其中：  一般程序案件  1000件。\n")
    assert read_source(write(tmp_path, "prose.txt", text)).tables == []


def test_sheet_cells_are_addressed_in_a1_notation():
    table = Table(index=1, n_rows=30, n_cols=30, sheet="表一")
    assert cell_address(table, 3, 2) == "表一!C4"
    assert cell_address(table, 0, 27) == "表一!AB1"
    assert cell_address(Table(index=2, n_rows=1, n_cols=1), 0, 0) == "table 2 r1c1"


# --- the whole pipeline ----------------------------------------------------

@pytest.fixture(scope="module")
def jieba():
    return get_backend("jieba")


def test_prose_does_not_read_the_cells_again_but_keeps_its_own_sentences(tmp_path, jieba):
    text = ("某县司法局2023年度行政执法情况报告\n"
            "一、行政处罚情况\n全年共实施行政处罚16件，罚没金额2.5万元。\n"
            "行政处罚实施数量（件） |  |  |  | 罚没金额（万元）\n"
            "警告 | 罚款 | 其他行政处罚 | 合计 | \n"
            "3 | 12 | 1 | 16 | 2.5\n"
            "说明：1.统计范围为2023年1月1日至12月31日。\n")
    doc = process_file(write(tmp_path, "report.txt", text), None, jieba)
    assert [(f.text, f.extractor, f.metric) for f in doc.figures] == [
        ("16件", "pattern", "penalty.total"), ("2.5万元", "pattern", "penalty.amount"),
        ("3", "table", "penalty.warning"), ("12", "table", "penalty.fine"), ("1", "table", "penalty.other"),
        ("16", "table", "penalty.total"), ("2.5", "table", "penalty.amount"),
    ]
    assert all(f.text == doc.original[f.start:f.end] for f in doc.figures)
    assert doc.issues == []


def test_checks_name_the_table_and_the_cells(tmp_path, jieba):
    html = page("""<p>表一</p><table>
      <tr><td>申请数量</td><td>受理数量</td><td>许可数量</td><td>不予许可数量</td></tr>
      <tr><td>10</td><td>12</td><td>9</td><td>4</td></tr></table>
      <table><tr><td>警告</td><td>罚款</td><td>合计</td></tr><tr><td>2</td><td>5</td><td>8</td></tr></table>""")
    doc = process_file(write(tmp_path, "checks.html", html), None, jieba)
    assert [issue.message for issue in doc.issues] == [
        "table 2: 合计 r2c3 8 is not the sum of its categories r2c1 2 + r2c2 5 = 7",
        "table 1: 受理 is more than 申请: r2c2 12 > r2c1 10",
        "table 1: 许可 + 不予许可 is more than 受理: r2c3 9 + r2c4 4 > r2c2 12",
    ]
    assert {issue.severity for issue in doc.issues} == {"warning"}


def test_zhfig_extract_lists_a_tables_figures_with_header_paths_and_cells(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    result = CliRunner().invoke(app, ["extract", str(write(tmp_path, "penalty.html", SPANNING))],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "table 1" in line]
    assert len(lines) == 5
    assert re.search(r"1,204 .*penalty\.fine .*行政处罚实施数量 > 罚款 .*table 1 r3c3", lines[1])
    assert re.search(r"86\.5321 .*865,321 .*元 .*penalty\.amount .*罚没金额 .*table 1 r3c7", lines[4])


def test_a_layout_table_around_the_report_keeps_its_prose(tmp_path, jieba):
    # old sites put the whole article in one cell of a layout table, the data table inside it
    html = page("""<table width="100%"><tr><td class="left">栏目</td><td>
      <p>全年共受理行政许可申请86件，准予许可80件。</p>
      <table border="1"><tr><td>申请数量<td>受理数量<td>许可数量
      <tr><td>86<td>84<td>80</table>
      </td></tr></table>""")
    doc = process_file(write(tmp_path, "layout.html", html), None, jieba)
    assert [(f.text, f.extractor, f.metric) for f in doc.figures] == [
        ("86件", "pattern", "licensing.accepted"), ("80件", "pattern", "licensing.granted"),
        ("86", "table", "licensing.applications"), ("84", "table", "licensing.accepted"),
        ("80", "table", "licensing.granted"),
    ]
    assert [f.cell for f in doc.figures[2:]] == ["table 2 r2c1", "table 2 r2c2", "table 2 r2c3"]


def test_a_table_that_cannot_be_read_costs_its_own_figures_only(tmp_path, jieba, monkeypatch):
    extractor = table_extractor()
    real = extractor.extract_table

    def fails_on_the_first(doc, cells, table, report_year):
        if table.index == 1:
            raise IndexError("a layout no rule foresaw")
        return real(doc, cells, table, report_year)

    monkeypatch.setattr(extractor, "extract_table", fails_on_the_first)
    html = page("""<table><tr><td>警告</td></tr><tr><td>1</td></tr></table>
      <table><tr><td>罚款</td></tr><tr><td>2</td></tr></table>""")
    doc = process_file(write(tmp_path, "two.html", html), None, jieba)
    assert doc.status == "ok"
    assert [(f.text, f.metric, f.cell) for f in doc.figures] == [("2", "penalty.fine", "table 2 r2c1")]
    assert [(i.severity, i.stage, i.message) for i in doc.issues] == [
        ("warning", "extract", "table 1 could not be read: IndexError: a layout no rule foresaw")]
