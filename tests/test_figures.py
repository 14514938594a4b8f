"""Meaning of figures: metric ids, breakdowns, years, and the plausibility checks,
on sentences written for the rules (not copied from the samples)."""
from __future__ import annotations

import pytest

from extractors.checks import check_figures
from extractors.figures import FigureExtractor
from extractors.metrics import load_catalog
from pipeline.normalize import normalize
from pipeline.segment import segment
from schemas import FigureRecord, SourceDocument


@pytest.fixture(scope="module")
def extractor() -> FigureExtractor:
    return FigureExtractor()


def figures_of(extractor: FigureExtractor, text: str, report_year: int = 2023) -> list[FigureRecord]:
    source = SourceDocument(doc_id="t", path="t", format="txt", original=text, text=text)
    return extractor.extract(segment(normalize(source)), report_year)


def metrics_of(extractor, text: str) -> list[tuple[str, str]]:
    return [(f.text, f.metric) for f in figures_of(extractor, text)]


def test_penalty_breakdown_takes_its_metrics(extractor):
    text = "全年实施行政处罚1200件，其中警告300件，罚款800件，行政拘留20件，罚没金额56.5万元，简易程序400件，一般程序800件，法制审核500件，纠错12件。"
    assert metrics_of(extractor, text) == [
        ("1200件", "penalty.total"), ("300件", "penalty.warning"), ("800件", "penalty.fine"),
        ("20件", "penalty.detention"), ("56.5万元", "penalty.amount"), ("400件", "penalty.summary_procedure"),
        ("800件", "penalty.general_procedure"), ("500件", "penalty.legal_reviews"), ("12件", "penalty.corrections"),
    ]


def test_generic_words_take_the_act_type_of_their_section(extractor):
    text = "二、行政强制\n全年行政强制措施实施30件，其中查封10件，扣押20件，法制审核30件，纠错1件。\n三、行政强制执行\n加处罚款或者滞纳金4件，法制审核4件。"
    assert metrics_of(extractor, text) == [
        ("30件", "coercion.total"), ("10件", "coercion.sealing"), ("20件", "coercion.seizure"),
        ("30件", "coercion.legal_reviews"), ("1件", "coercion.corrections"),
        ("4件", "enforcement.surcharge"), ("4件", "enforcement.legal_reviews"),
    ]


def test_review_counts_and_generic_review(extractor):
    text = "办结行政复议案件8件，行政应诉5件，败诉1件；共审核行政案件900件；国家赔偿案件2件。"
    assert metrics_of(extractor, text) == [
        ("8件", "reconsideration.closed"), ("5件", "litigation.cases"), ("1件", "litigation.lost"),
        ("900件", "legal_review.cases"), ("2件", "compensation.cases"),
    ]


def test_noun_after_the_number_says_what_was_counted(extractor):
    text = "执法质量考评中共发现 35 个问题，选派 12 名民警担任法制员，对 800 余名行政执法人员开展培训。"
    assert metrics_of(extractor, text) == [
        ("35 个", "quality_review.issues"), ("12 名", "staff.legal_officers"),
        ("800 余名", "staff.enforcement_officers"),
    ]


def test_second_unit_of_the_same_count_and_unmatched_parts_get_no_metric(extractor):
    text = "审核行政处罚案件 40 案 52 人；考评行政案件 30 案，其中优秀案件 20 案。"
    assert metrics_of(extractor, text) == [
        ("40 案", "penalty.legal_reviews"), ("52 人", ""), ("30 案", "quality_review.cases"), ("20 案", ""),
    ]


def test_a_change_is_a_figure_without_the_level_metric(extractor):
    assert metrics_of(extractor, "行政诉讼败诉率同比下降3%。") == [("3%", "")]
    assert metrics_of(extractor, "行政诉讼败诉率为3%。") == [("3%", "litigation.loss_rate")]


def test_parts_link_to_their_total(extractor):
    found = figures_of(extractor, "受理案件100件，罚没金额5万元，其中罚款60件、警告30件。")
    total, money, fine, warning = found
    assert (total.parent_id, money.parent_id) == ("", "")
    assert fine.parent_id == total.figure_id and warning.parent_id == total.figure_id


def test_year_is_the_report_year_unless_the_sentence_names_one(extractor):
    found = figures_of(extractor, "2022年，共评查案卷30卷。截至目前共有执法人员40名。2021年11月1日以来审核案件9件。", 2023)
    assert [(f.text, f.year) for f in found] == [("30卷", 2022), ("40名", 2023), ("9件", 2023)]


def test_history_outside_the_reporting_period_is_not_a_figure(extractor):
    assert figures_of(extractor, "2015年，系统在3个市试点。", 2023) == []


def test_checks_warn_on_parts_over_total_and_implausible_values(extractor):
    text = "全年办理案件100件，其中简易程序70件，一般程序40件。结案率120%。申请许可5件，不予许可6件。"
    found = figures_of(extractor, text)
    issues = check_figures("t", found, load_catalog())
    assert [(i.severity, i.stage, i.message) for i in issues] == [
        ("warning", "check", "parts exceed their total: 70件 + 40件 > 100件 (办理案件)"),
        ("warning", "check", "implausible: 6件 (licensing.denied) is more than 5件 (licensing.applications)"),
        ("warning", "check", "implausible: a rate over 100%: 120% (结案率)"),
    ]
    assert issues[0].figure_id == found[0].figure_id


def test_plausible_figures_raise_no_warning(extractor):
    found = figures_of(extractor, "全年办理案件100件，其中简易程序60件，一般程序40件。结案率100%。")
    assert check_figures("t", found, load_catalog()) == []
