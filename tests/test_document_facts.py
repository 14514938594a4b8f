"""Document facts: title, agency, place, report year and type, publication date."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.document_facts import compact, extract_facts
from extractors.ner import get_backend
from pipeline.normalize import normalize
from pipeline.read import read_source
from pipeline.segment import segment
from schemas import SegmentedDocument, SourceDocument

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
GOLD = ROOT / "tests" / "data" / "gold"  # the sample reports' gold facts, copied from the shared gold


@pytest.fixture(scope="module")
def facts_of():
    backend = get_backend("jieba")

    def facts(doc: SegmentedDocument) -> dict:
        return extract_facts(doc, backend.find(doc)).model_dump()

    return facts


def document(text: str) -> SegmentedDocument:
    return segment(normalize(SourceDocument(doc_id="t.txt", path="t.txt", original=text, text=text)))


@pytest.mark.parametrize("path", sorted(RAW.glob("*.txt")), ids=lambda p: p.name)
def test_samples_match_their_gold_facts(facts_of, path):
    gold = json.loads((GOLD / f"{path.name}.meta.json").read_text(encoding="utf-8"))
    facts = facts_of(segment(normalize(read_source(path, RAW))))
    assert {key: facts[key] for key in gold} == gold


def test_agency_line_above_the_title_is_joined_to_it(facts_of):
    text = """重庆市永川区市场监督管理局
关于2022年度行政执法工作情况的报告

按照区政府要求，现将我局2022年度行政执法工作情况报告如下：
一、基本情况
2022年，全局共办理行政处罚案件356件，罚没款128.5万元。
二、2023年工作打算
2023年，我局将继续加强执法队伍建设。

重庆市永川区市场监督管理局
2023年1月31日
"""
    assert facts_of(document(text)) == {
        "title": "重庆市永川区市场监督管理局关于2022年度行政执法工作情况的报告",
        "agency": "重庆市永川区市场监督管理局",
        "province": "重庆市", "city": "重庆市", "county": "永川区",
        "report_year": 2022, "report_type": "enforcement_report", "publish_date": "2023-01-31",
    }


def test_county_government_rule_of_law_report_signed_in_chinese_numerals(facts_of):
    text = """安吉县人民政府关于2023年法治政府建设情况的报告

2023年，县政府坚持以习近平新时代中国特色社会主义思想为指导，全面推进法治政府建设。
一、主要举措和成效
（一）全年办理行政复议案件45件，纠错率12.5%。
二、2024年工作安排
2024年，我县将深入推进依法行政。

安吉县人民政府
二〇二四年三月五日
"""
    assert facts_of(document(text)) == {
        "title": "安吉县人民政府关于2023年法治政府建设情况的报告",
        "agency": "安吉县人民政府",
        "province": "浙江省", "city": "湖州市", "county": "安吉县",
        "report_year": 2023, "report_type": "rule_of_law_report", "publish_date": "2024-03-05",
    }


def test_web_page_gives_its_publication_date_and_not_the_reposting_site(facts_of):
    text = """当前位置：首页 > 政务公开 > 法定主动公开内容
宁波市江北区司法局2023年度行政执法数据公开
索引号：11330205MB1234567X/2024-00012
发布时间：2024-03-01 09:30  来源：宁波市人民政府  点击次数：1024
【打印】【关闭窗口】
根据《浙江省行政执法公示办法》，现将本局2023年度行政执法数据公开如下：
一、行政许可：共办理行政许可12件。
二、行政处罚：共作出行政处罚决定8件，罚没款3.2万元。
"""
    assert facts_of(document(text)) == {
        "title": "宁波市江北区司法局2023年度行政执法数据公开",
        "agency": "宁波市江北区司法局",
        "province": "浙江省", "city": "宁波市", "county": "江北区",  # 江北区 of 宁波, not of 重庆
        "report_year": 2023, "report_type": "enforcement_report", "publish_date": "2024-03-01",
    }


def test_traditional_characters_are_read_after_normalisation(facts_of):
    text = """廣州市天河區司法局關於2023年度法治政府建設情況的報告

2023年，我局全面推進法治政府建設，共辦理法律援助案件1200件。

廣州市天河區司法局
2024年2月2日
"""
    facts = facts_of(document(text))
    assert (facts["title"], facts["agency"], facts["county"], facts["report_type"]) == (
        "广州市天河区司法局关于2023年度法治政府建设情况的报告", "广州市天河区司法局", "天河区", "rule_of_law_report")


def test_report_without_signature_has_no_date(facts_of):
    text = """市场监管局2021年度行政执法统计年报
一、行政处罚
2021年共办理案件12件，罚款5万元。
二、行政许可
办理许可事项300项。
"""
    assert facts_of(document(text)) == {
        "title": "市场监管局2021年度行政执法统计年报", "agency": "市场监督管理局",  # the name written out
        "province": "", "city": "", "county": "",
        "report_year": 2021, "report_type": "enforcement_report", "publish_date": "",
    }


def test_signature_gives_the_agency_when_the_title_names_none(facts_of):
    text = """关于行政执法工作情况的报告
今年以来，我局共办理行政处罚案件35件，罚款12万元。
明年计划开展培训3次。

重庆市渝北区综合行政执法局
2024年1月10日
"""
    facts = facts_of(document(text))
    assert (facts["agency"], facts["county"], facts["publish_date"]) == ("重庆市渝北区综合行政执法局", "渝北区", "2024-01-10")
    assert facts["report_year"] == 2023  # no year is named: 今年 in a report published in 2024


def test_signature_names_the_agency_fully_when_the_title_does_not(facts_of):
    text = """区司法局关于2023年度行政执法情况的报告
2023年共办理行政许可12件。

重庆市渝北区司法局
2024年1月19日
"""
    facts = facts_of(document(text))
    assert (facts["title"], facts["agency"], facts["county"]) == (
        "区司法局关于2023年度行政执法情况的报告", "重庆市渝北区司法局", "渝北区")


def test_year_of_the_figures_not_of_the_plans(facts_of):
    text = """渝北区交通运输局行政执法工作总结
一、工作情况
2023年共查处违法案件35件，罚款12万元。
2023年，执法检查120次。
二、2024年工作打算
2024年计划开展培训3次。
"""
    facts = facts_of(document(text))
    assert (facts["agency"], facts["report_year"], facts["report_type"]) == ("渝北区交通运输局", 2023, "other")  # a 总结


def test_report_of_another_kind_is_other(facts_of):
    text = """重庆市渝北区统计局关于2023年度政务公开工作情况的报告
2023年，我局主动公开政府信息120条。
重庆市渝北区统计局
2024年1月5日
"""
    facts = facts_of(document(text))
    assert (facts["report_type"], facts["report_year"], facts["publish_date"]) == ("other", 2023, "2024-01-05")


def test_empty_document_has_empty_facts(facts_of):
    assert facts_of(document("")) == {
        "title": "", "agency": "", "province": "", "city": "", "county": "",
        "report_year": None, "report_type": "", "publish_date": "",
    }


def test_compact_removes_layout_spaces_and_markdown_only():
    assert compact("## 汉中市公安局南郑分局 2022 年度法治 政府建设年度报告 **") == "汉中市公安局南郑分局2022年度法治政府建设年度报告"
    assert compact("COVID 19 防控") == "COVID 19防控"
