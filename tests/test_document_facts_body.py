"""Document facts a report gives outside its title: the agency named only in
its body or its page's frame, national bodies, years relative to publication,
documents of another genre, dates in words. The texts are written for these
tests."""
from __future__ import annotations

import pytest

from extractors.agency_names import find_agencies, full_name
from extractors.document_facts import extract_facts
from extractors.ner import get_backend
from pipeline.normalize import normalize
from pipeline.segment import segment
from schemas import SourceDocument

FIELDS = ("agency", "province", "city", "county", "report_year", "report_type", "publish_date")


@pytest.fixture(scope="module")
def facts_of():
    backend = get_backend("jieba")

    def facts(text: str, fields: tuple[str, ...] = FIELDS) -> dict:
        doc = segment(normalize(SourceDocument(doc_id="t.txt", path="t.txt", original=text, text=text)))
        found = extract_facts(doc, backend.find(doc)).model_dump()
        return {field: found[field] for field in fields}

    return facts


def test_the_government_named_only_in_the_body(facts_of):
    text = """关于渝北区2023年度行政复议工作情况的报告
2023年，区政府共收到行政复议申请86件，依法受理79件。
一、办理情况
全年审结行政复议案件75件，纠错率12.0%。
"""
    assert facts_of(text) == {
        "agency": "渝北区人民政府", "province": "重庆市", "city": "重庆市", "county": "渝北区",
        "report_year": 2023, "report_type": "other", "publish_date": "",
    }


def test_our_county_is_the_county_the_text_names(facts_of):
    text = """2022年，我县深入推进法治政府建设，现将有关情况报告如下。
一、主要举措
印发《安吉县人民政府重大行政决策程序规定》，全年开展会前学法12次。
"""
    assert facts_of(text, ("agency", "county", "report_year", "report_type")) == {
        "agency": "安吉县人民政府", "county": "安吉县", "report_year": 2022, "report_type": "rule_of_law_report",
    }


def test_the_page_source_line_names_the_author_when_the_text_does_not(facts_of):
    text = """当前位置：首页 > 政务公开 > 行政执法公示
关于2023年度行政执法工作情况的报告
发布时间：2024-02-05 10:12  来源：重庆市渝北区司法局  浏览次数：88
2023年，我局共办理行政许可事项326件，作出行政处罚决定41件。
"""
    assert facts_of(text) == {
        "agency": "重庆市渝北区司法局", "province": "重庆市", "city": "重庆市", "county": "渝北区",
        "report_year": 2023, "report_type": "enforcement_report", "publish_date": "2024-02-05",
    }


def test_the_publisher_cell_of_a_page_frame(facts_of):
    text = """索引号 | 11330100/2024-00321 | 公开方式 | 主动公开
发布机构 | 杭州市西湖区市场监督管理局 | 成文日期 | 2024-01-22 | 发布日期 | 2024-01-25
西湖区2023年度行政执法数据公示
2023年，共作出行政处罚决定512件，罚没款合计1260.5万元。
"""
    assert facts_of(text) == {
        "agency": "杭州市西湖区市场监督管理局", "province": "浙江省", "city": "杭州市", "county": "西湖区",
        "report_year": 2023, "report_type": "enforcement_report", "publish_date": "2024-01-25",  # 发布, not 成文
    }


@pytest.mark.parametrize("title, agency", [
    ("司法部2022年法治政府建设年度报告", "司法部"),
    ("生态环境部关于2021年度法治政府建设情况的报告", "生态环境部"),
    ("国家市场监督管理总局2022年法治政府建设年度报告", "国家市场监督管理总局"),
    ("国家税务总局宁波市税务局2023年法治政府建设情况报告", "国家税务总局宁波市税务局"),
    ("最高人民检察院2023年度法治政府建设情况报告", "最高人民检察院"),
    ("浙江省生态环境厅2021年度法治政府建设情况报告", "浙江省生态环境厅"),
    ("国家卫生健康委员会2020年法治政府建设情况报告", "国家卫生健康委员会"),
])
def test_national_and_provincial_bodies(facts_of, title, agency):
    text = f"{title}\n2023年，全系统共办理行政复议案件120件。\n"
    assert facts_of(text, ("agency", "report_type"))["agency"] == agency
    assert facts_of(text, ("report_type",)) == {"report_type": "rule_of_law_report"}


def test_a_national_body_has_no_place_even_when_the_text_names_provinces(facts_of):
    text = """司法部2022年法治政府建设年度报告
2022年，司法部指导浙江省、江苏省开展行政执法协调监督试点，共办理行政复议案件3.2万件。
"""
    assert facts_of(text, ("agency", "province", "city", "county")) == {
        "agency": "司法部", "province": "", "city": "", "county": "",
    }


def test_a_court_and_a_procuratorate(facts_of):
    court = """合肥中院公布2022年度行政审判工作情况
5月10日，合肥中院召开新闻发布会，通报2022年全市法院共受理行政案件3846件。
"""
    assert facts_of(court) == {
        "agency": "合肥市中级人民法院", "province": "安徽省", "city": "合肥市", "county": "",
        "report_year": 2022, "report_type": "other", "publish_date": "2023-05-10",
    }
    procuratorate = """仁寿县人民检察院2021年度行政检察工作情况报告
2021年，共受理行政诉讼监督案件36件。
"""
    assert facts_of(procuratorate, ("agency", "county", "report_type")) == {
        "agency": "仁寿县人民检察院", "county": "仁寿县", "report_type": "other",
    }


def test_a_township_office(facts_of):
    text = "北京市朝阳区望京街道办事处2020年综合行政执法工作情况报告\n2020年，共立案查处违法案件863件。\n"
    assert facts_of(text, ("agency", "province", "city", "county", "report_type")) == {
        "agency": "北京市朝阳区望京街道办事处", "province": "北京市", "city": "北京市", "county": "朝阳区",
        "report_type": "enforcement_report",
    }


@pytest.mark.parametrize("text, names", [
    # the bureaus merged in the 2018–2019 reform, under their county names
    ("汝阳县文化广电和旅游局2023年度行政执法工作报告", ["汝阳县文化广电和旅游局"]),
    ("来源：县文广旅局", ["县文广旅局"]),
    ("市城管执法局、区城市管理行政执法局联合开展整治", ["市城管执法局", "区城市管理行政执法局"]),
])
def test_merged_bureaus(text, names):
    assert [text[start:end] for start, end in find_agencies(text)] == names


def test_abbreviated_names_are_written_out():
    assert full_name("北京市市场监管局") == "北京市市场监督管理局"
    assert full_name("钟楼区人社局") == "钟楼区人力资源和社会保障局"
    assert full_name("渝北区卫健委") == "渝北区卫生健康委员会"
    assert full_name("本溪市卫生健康委") == "本溪市卫生健康委员会"
    assert full_name("区政府") == "区人民政府"
    assert full_name("海珠区公安分局") == "广州市公安局海珠区分局"
    assert full_name("汉中市公安局南郑分局") == "汉中市公安局南郑分局"
    assert find_agencies("秀英区人民法院") == [(0, 7)]


def test_the_first_months_of_a_year(facts_of):
    text = """关于上半年行政执法工作情况的报告
2021年1-6月，我局共作出行政处罚决定46件，罚没款18.2万元。
2020年同期为39件。
"""
    assert facts_of(text, ("report_year", "report_type")) == {"report_year": 2021, "report_type": "enforcement_report"}


@pytest.mark.parametrize("published, year", [("2021-07-15", 2021), ("2022-01-12", 2021)])
def test_this_year_is_the_year_of_publication(facts_of, published, year):
    # 今年 written in July is that year; in January, at the end of the year before
    text = f"""关于行政执法工作情况的报告
发布日期：{published}
今年以来，我局共办理行政处罚案件35件，罚款12万元。
"""
    assert facts_of(text, ("report_year", "publish_date")) == {"report_year": year, "publish_date": published}


def test_a_span_of_years_ends_in_its_last_or_in_the_year_of_publication(facts_of):
    since = """关于2019年以来全市行政审判工作情况的报告
发布时间：2022-03-01
2019年以来，全市法院共受理行政案件1.2万件。
"""
    assert facts_of(since, ("report_year",)) == {"report_year": 2022}
    span = "县司法局关于2021-2025年度行政复议工作情况的报告\n五年来共办理行政复议案件406件。\n"
    assert facts_of(span, ("report_year",)) == {"report_year": 2025}
    white_paper = "市中级人民法院行政审判白皮书（2023）\n全年受理一审行政案件1846件。\n"
    assert facts_of(white_paper, ("report_year", "report_type")) == {"report_year": 2023, "report_type": "other"}


@pytest.mark.parametrize("text, report_type", [
    ("渝北区交通运输局2023年行政执法工作总结\n2023年共查处违法案件35件。\n", "other"),
    ("渝北区交通运输局2023年行政执法工作情况报告\n2023年共查处违法案件35件。\n", "enforcement_report"),
    ("渝北区交通运输局关于2023年法治政府建设工作总结的报告\n2023年共办理行政复议案件3件。\n", "rule_of_law_report"),
    ("渝北区交通运输局2023年度行政执法统计年报\n2023年共查处违法案件35件。\n", "enforcement_report"),
    ("渝北区2023年行政执法数据公示\n2023年共查处违法案件35件。\n", "enforcement_report"),
    ("市应急管理局2024年一季度行政执法工作情况通报\n一季度共检查企业1732家次。\n", "other"),
    ("全市市场监管系统“铁拳”行动成效显著\n截至7月底，全市共立案5344件。\n", "other"),  # a news headline
    ("某市2022年全年林业行政案件统计分析报告\n全年共查处林业行政案件41起。\n", "enforcement_report"),
    ("某市卫生健康委员会2023年度第三季度行政处罚实施情况\n警告 | 罚款\n2 | 5\n", "enforcement_report"),
    # a page whose frame gives the site's name where the title would be: the opening decides
    ("某省政务网\n现将市水务局2023年度行政执法工作情况报告如下。\n全年立案查处水事违法案件65件。\n", "enforcement_report"),
])
def test_the_genre_decides_before_the_subject(facts_of, text, report_type):
    assert facts_of(text, ("report_type",)) == {"report_type": report_type}


def test_a_breadcrumb_is_no_title(facts_of):
    text = """您所在的位置：首页 > 政务公开 > 工作报告
2022年某某区法治政府建设情况报告
2022年，全区共办理行政复议案件58件。
"""
    assert facts_of(text, ("report_year", "report_type")) == {"report_year": 2022, "report_type": "rule_of_law_report"}


def test_a_news_item_without_a_title(facts_of):
    text = """12月25日，生态环境部向媒体通报各地2018年1-11月环境行政处罚案件办理情况。
2018年1-11月，全国共下达处罚决定书16.6万份，罚没款金额136.8亿元。
"""
    assert facts_of(text) == {
        "agency": "生态环境部", "province": "", "city": "", "county": "",
        "report_year": 2018, "report_type": "other", "publish_date": "2018-12-25",  # after November 2018
    }


def test_a_summary_without_a_title_is_other_and_a_report_is_not(facts_of):
    summary = "2020年，我局坚持严格执法。现将全年行政执法工作总结如下。\n一、执法检查\n全年检查企业131家。\n"
    report = "2020年，我局坚持严格执法。现将全年行政执法工作情况报告如下。\n一、执法检查\n全年检查企业131家。\n"
    assert facts_of(summary, ("report_type", "report_year")) == {"report_type": "other", "report_year": 2020}
    assert facts_of(report, ("report_type",)) == {"report_type": "enforcement_report"}


def test_signature_date_in_chinese_numerals_after_a_page_footer(facts_of):
    text = """常德市司法局关于2023年度行政执法情况的报告
2023年，全市共办理行政执法案件1.2万件。

常德市司法局
二〇二四年一月十九日
【打印本页】【关闭窗口】
版权所有：常德市司法局  网站标识码：4307000012
"""
    assert facts_of(text, ("agency", "publish_date")) == {"agency": "常德市司法局", "publish_date": "2024-01-19"}
