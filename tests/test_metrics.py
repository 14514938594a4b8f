"""Metric assignment as act × measure (extractors/metrics.py over data/metrics.toml):
the interface the table extractor calls with header paths, the act taken from the
clause, the sentence or the context, and the figures that borrow their meaning."""
from __future__ import annotations

import pytest

from extractors.figures import FigureExtractor
from extractors.metrics import FigureContext, load_catalog
from pipeline.normalize import normalize
from pipeline.segment import segment
from schemas import SourceDocument


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def extractor() -> FigureExtractor:
    return FigureExtractor()


def figures_of(extractor, text: str, report_year: int = 2023):
    source = SourceDocument(doc_id="t", path="t", format="txt", original=text, text=text)
    return extractor.extract(segment(normalize(source)), report_year)


def metrics_of(extractor, text: str) -> list[tuple[str, str]]:
    return [(f.text, f.metric) for f in figures_of(extractor, text)]


@pytest.mark.parametrize(("clause", "unit", "kind", "expected"), [
    ("行政处罚实施数量 罚款", "", "count", "penalty.fine"),
    ("行政处罚 > 警告", "", "count", "penalty.warning"),
    ("行政处罚 > 暂扣许可证、执照", "", "count", "penalty.license_suspension"),
    ("罚没金额（万元）", "", "money", "penalty.amount"),
    ("行政许可 受理", "", "count", "licensing.accepted"),
    ("行政许可 > 不予许可", "", "count", "licensing.denied"),
    ("行政许可 > 申请", "", "count", "licensing.applications"),
    ("行政强制措施 > 查封场所、设施或者财物", "", "count", "coercion.sealing"),
    ("行政强制执行 > 代履行", "", "count", "enforcement.substitute_performance"),
    ("行政复议 > 新收", "", "count", "reconsideration.received"),
    ("行政复议 > 审结", "", "count", "reconsideration.closed"),
    ("行政复议 > 纠错率", "%", "percent", "reconsideration.correction_rate"),
    ("行政诉讼 > 败诉", "", "count", "litigation.lost"),
])
def test_a_table_header_path_maps_to_its_metric(catalog, clause, unit, kind, expected):
    ctx = FigureContext(clause=clause, following="", before="行政执法数据统计表", unit=unit, kind=kind)
    assert catalog.assign(ctx).id == expected


def test_the_act_of_the_caption_reaches_a_generic_header(catalog):
    ctx = FigureContext(clause="法制审核", following="", before="行政强制执行实施情况统计表", unit="", kind="count")
    assert catalog.assign(ctx).id == "enforcement.legal_reviews"
    assert catalog.assign(FigureContext(clause="合计", following="", before="", unit="", kind="count")).id == ""


def test_a_metric_naming_an_unknown_act_or_measure_is_refused():
    from extractors.metrics import Catalog

    data = {"acts": {"penalty": ["行政处罚"]}, "measures": {"total": {"words": ["实施"]}},
            "metric": [{"id": "x.y", "name": "x", "kind": "count", "act": "penalty", "measure": "closed"}]}
    with pytest.raises(ValueError, match="measure 'closed' is not in"):
        Catalog(data)
    data["metric"][0].update(act="review", measure="total")
    with pytest.raises(ValueError, match="act 'review' is not in"):
        Catalog(data)


def test_a_named_unit_list_is_shared_and_an_unknown_one_refused():
    from extractors.metrics import Catalog

    data = {"acts": {"penalty": ["行政处罚"]}, "measures": {"warning": {"words": ["警告"]}},
            "unit_sets": {"penalty_type": ["件", "家次"]},
            "metric": [{"id": "penalty.warning", "name": "警告", "kind": "count", "act": "penalty",
                        "measure": "warning", "units": "penalty_type"}]}
    assert Catalog(data).metrics["penalty.warning"].units == ("件", "家次")
    data["metric"][0]["units"] = "penalty_types"
    with pytest.raises(ValueError, match="units 'penalty_types' is not in"):
        Catalog(data)


SENTENCES = [
    pytest.param(
        "下达行政处罚决定书126份，立案查处违法行为87件。收到复议申请9件。新收一审行政案件12件。",
        [
            ("126份", "penalty.total"), ("87件", "penalty.total"),
            ("9件", "reconsideration.received"), ("12件", "litigation.cases"),
        ],
        id="synonyms_and_documents_name_the_act",
    ),
    pytest.param(
        "全年收到行政复议申请40件，受理36件，不予受理4件，审结33件，其中维持20件，撤销、变更、确认违法等直接纠错5件，驳回6件，纠错率15.2%。",
        [
            ("40件", "reconsideration.received"), ("36件", "reconsideration.received"),
            ("4件", "reconsideration.not_accepted"), ("33件", "reconsideration.closed"),
            ("20件", "reconsideration.upheld"), ("5件", "reconsideration.corrected"),
            ("6件", "reconsideration.dismissed"), ("15.2%", "reconsideration.correction_rate"),
        ],
        id="stage_verbs_of_review_cases",
    ),
    pytest.param(
        "一、行政复议\n全年收到行政复议申请96件。依法受理89件。审结85件，其中维持51件。",
        [
            ("96件", "reconsideration.received"), ("89件", "reconsideration.received"),
            ("85件", "reconsideration.closed"), ("51件", "reconsideration.upheld"),
        ],
        id="a_sentence_that_names_no_act_takes_the_one_named_before",
    ),
    pytest.param(
        "全年实施行政强制措施30件，查封、扣押、冻结分别为12件、15件、3件。",
        [
            ("30件", "coercion.total"), ("12件", "coercion.sealing"), ("15件", "coercion.seizure"),
            ("3件", "coercion.freezing"),
        ],
        id="names_listed_before_respectively_go_to_their_numbers",
    ),
    pytest.param(
        "全年共检查企业1276家次。其中：非煤矿山行业检查企业58家次，工贸行业检查企业1004家次。",
        [
            ("1276家次", "inspection.total"), ("58家次", ""), ("1004家次", ""),
        ],
        id="a_smaller_repeat_after_a_breakdown_word_is_a_part",
    ),
    pytest.param(
        "全年审结行政复议案件10件，未审结2件。实施行政强制措施50件，查封扣押38件。",
        [
            ("10件", "reconsideration.closed"), ("2件", ""), ("50件", "coercion.total"), ("38件", ""),
        ],
        id="coordinate_and_negated_measures_take_no_id",
    ),
]


@pytest.mark.parametrize(("text", "expected"), SENTENCES)
def test_the_metrics_of_a_text(extractor, text, expected):
    """Synonyms and documents name the act; stage verbs of review cases; an act named in an
    earlier sentence; names listed before 分别; breakdowns; coordinate and negated measures."""
    assert metrics_of(extractor, text) == expected


def test_a_comparison_borrows_the_metric_and_takes_the_previous_year(extractor):
    found = figures_of(extractor, "收到复议申请86件，较上年的72件增长19.4%。", 2023)
    assert [(f.text, f.metric, f.kind, f.year) for f in found] == [
        ("86件", "reconsideration.received", "level", 2023),
        ("72件", "reconsideration.received", "level", 2022),
        ("19.4%", "", "change", 2023),
    ]
    named = figures_of(extractor, "作出行政处罚决定300件，比2021年（250件）增加50件。", 2023)
    assert [(f.text, f.metric, f.kind, f.year) for f in named] == [
        ("300件", "penalty.total", "level", 2023), ("250件", "penalty.total", "level", 2021),
        ("50件", "", "change", 2023),
    ]


def test_parts_carry_their_subject_and_no_id_of_their_own(extractor):
    found = figures_of(extractor, "全年立案查处违法案件46起（市本级9起）。六个区县分别受理412件、377件、256件。")
    total, part, *listed = found
    assert (total.metric, part.metric, part.subject, part.parent_id) == (
        "penalty.total", "", "市本级立案查处违法案件", total.figure_id)
    assert [(f.text, f.metric, f.subject) for f in listed] == [
        ("412件", "", "六个区县分别受理"), ("377件", "", "六个区县分别受理"), ("256件", "", "六个区县分别受理"),
    ]


@pytest.mark.parametrize(("text", "kind"), [
    ("受理行政案件46件。", "level"), ("行政处罚决定同比增长12.5%。", "change"),
    ("较上年增加40件。", "change"), ("败诉率下降3个百分点。", "change"),
    ("行政处罚类案件占比21.7%。", "share"), ("罚没款占全市的三成。", "share"),
    ("行政复议纠错率8.2%。", "rate"), ("办结率100%。", "rate"), ("平均整改率98.2%。", "rate"),
    ("平均每件罚款1.2万元。", "average"), ("案件平均办理时长为21天。", "average"),
    ("降低资质等级2件。", "level"), ("降至5%。", "rate"),
])
def test_figure_kinds(extractor, text, kind):
    (figure,) = figures_of(extractor, text)
    assert figure.kind == kind


def test_a_series_year_by_year_keeps_its_metric_and_counts_the_years(extractor):
    found = figures_of(extractor, "2021年以来，全市行政机关败诉率分别为9.4%、8.1%、6.6%。", 2023)
    assert [(f.text, f.metric, f.year) for f in found] == [
        ("9.4%", "litigation.loss_rate", 2021), ("8.1%", "litigation.loss_rate", 2022),
        ("6.6%", "litigation.loss_rate", 2023),
    ]
    named = figures_of(extractor, "2022年行政复议纠错率为10.3%、2023年为12.1%。", 2023)
    assert [(f.text, f.metric, f.year) for f in named] == [
        ("10.3%", "reconsideration.correction_rate", 2022), ("12.1%", "reconsideration.correction_rate", 2023),
    ]


def test_a_power_of_ten_alone_is_a_numeral(extractor):
    found = figures_of(extractor, "督促千余户用人单位补签劳动合同。受理投诉举报上万件。")
    assert [(f.text, f.value, f.unit, f.qualifier) for f in found] == [
        ("千余户", 1000.0, "户", "余"), ("上万件", 10000.0, "件", "上"),
    ]


def test_checks_compare_levels_only_and_warn_on_shares_over_100(extractor):
    from extractors.checks import check_figures

    text = "全年办理案件100件，其中简易程序60件，一般程序40件，较上年增加30件。某类案件占比120%。"
    found = figures_of(extractor, text)
    assert [(i.message) for i in check_figures("t", found, load_catalog())] == [
        "implausible: a share over 100%: 120% (某类案件占比)",
    ]


def test_a_series_ends_with_its_list(extractor):
    text = "2018年以来，全省行政机关败诉率分别为16.4%、11.4%，2022年该省败诉率为6.9%。"
    assert [(f.text, f.metric, f.year) for f in figures_of(extractor, text, 2023)] == [
        ("16.4%", "litigation.loss_rate", 2018), ("11.4%", "litigation.loss_rate", 2019),
        ("6.9%", "litigation.loss_rate", 2022),
    ]
