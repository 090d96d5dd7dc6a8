"""Tests of perfeval.library: the shipped indicator library, file validation, search, match and check."""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import perfeval as pe
from perfeval._resources import templates_dir
from perfeval.errors import DataQualityWarning, InputError
from perfeval.framework import Framework, Node
from perfeval.library import (APPLIES_TO, FIELDS, FINDINGS, OPS, SCORING_RULES, Indicator, IndicatorLibrary,
                              load_library, validate_library, validate_library_file)

LIBRARY_DIR = templates_dir() / "indicators"
SECTOR_FILES = ("education", "health", "transport", "agriculture", "environment", "social_security", "science",
                "water", "culture")

# a valid row in FIELDS order; tests change one cell at a time
GOOD = {
    "code": "EDU-OUT-101", "name_zh": "校车配备数", "name_en": "School buses provided", "level1": "产出指标",
    "level2": "数量指标", "definition": "年度内为农村学校配备并投入运营的校车数量。", "kind": "quantitative",
    "op": ">=", "unit": "辆", "scoring_rule": "positive", "formula": "Σ 投入运营的校车数",
    "data_source": "校车管理台账", "sector": "education", "applies_to": "project|transfer", "common": "false",
    "status": "approved", "valid_from": "2022-01-01", "valid_to": "",
}


@pytest.fixture(scope="module")
def lib() -> IndicatorLibrary:
    return load_library()


def write_csv(path: Path, rows: list[dict[str, str]], *, header: list[str] | None = None,
              encoding: str = "utf-8") -> Path:
    header = header or list(FIELDS)
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(h, "") for h in header])
    return path


def row(**changes: str) -> dict[str, str]:
    return {**GOOD, **changes}


# ---------------------------------------------------------------------------------------------------------------
# the shipped library
# ---------------------------------------------------------------------------------------------------------------
def test_shipped_library_size_and_sectors(lib):
    assert len(lib) >= 150
    sectors = set(lib.sectors) - {"general", "department", "transfer"}
    assert len(sectors) >= 8
    assert {"general", "department", "transfer", *SECTOR_FILES} <= set(lib.sectors)
    counts = lib.to_frame().groupby("sector").size()
    assert (counts[list(SECTOR_FILES)] >= 10).all()


def test_shipped_library_validates_clean(lib):
    assert validate_library_file(LIBRARY_DIR) == []
    assert validate_library(lib) == []


def test_shipped_files_have_the_documented_header():
    files = sorted(LIBRARY_DIR.glob("*.csv"))
    assert {f.stem for f in files} >= {"common", "department", "transfer", *SECTOR_FILES}
    for f in files:
        with open(f, encoding="utf-8") as fh:
            assert next(csv.reader(fh)) == list(FIELDS), f.name


def test_every_entry_is_bilingual_and_complete(lib):
    for ind in lib:
        assert ind.name_zh.strip() and ind.name_en.strip(), ind.code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in ind.name_zh), ind.code
        assert ind.name_en.isascii(), ind.code
        assert len(ind.definition) >= 25, ind.code
        assert ind.op in OPS and ind.scoring_rule in SCORING_RULES, ind.code
        assert ind.data_source, ind.code
        assert set(ind.applies_to) <= set(APPLIES_TO), ind.code
        if ind.kind == "quantitative":
            assert ind.unit and ind.formula, ind.code
        else:
            assert ind.unit == "", ind.code


def test_fixed_codes_other_modules_rely_on(lib):
    expected = {"GEN-PRC-001": "资金到位率", "GEN-PRC-002": "预算执行率", "GEN-PRC-003": "资金使用合规性",
                "GEN-SAT-001": "服务对象满意度"}
    for code, name in expected.items():
        assert lib.get(code).name_zh == name
    assert lib.get("GEN-PRC-002").scoring_rule == "execution"
    assert [i.code for i in lib if i.scoring_rule == "execution"] == ["GEN-PRC-002"]
    assert lib.get("GEN-SAT-001").applies_to == APPLIES_TO


def test_cost_indicators_never_use_greater_or_equal(lib):
    costs = [i for i in lib if i.is_cost]
    assert len(costs) >= 20
    from perfeval.library._schema import cost_ge_allowed

    # >= only for minimum standards (基础养老金最低标准, 生均公用经费基准定额: "不得低于标准") and saving rates
    assert all(i.op in ("<=", "=", "qualitative") or cost_ge_allowed(f"{i.name_zh} {i.name_en}") for i in costs)
    assert {i.code for i in costs if i.op == ">="} == {"EDU-COS-001", "SOC-COS-001"}


def test_library_has_draft_and_expired_entries(lib):
    today = date.today()
    assert len(lib.search(status="draft")) >= 5
    expired = [i for i in lib if i.valid_to is not None and i.valid_to < today]
    assert len(expired) >= 5
    assert all(i.valid_from is not None and i.valid_from <= i.valid_to for i in expired)


@pytest.mark.parametrize("name, op", [
    ("义务教育巩固率", ">="), ("学生资助覆盖率", ">="), ("孕产妇死亡率", "<="), ("家庭医生签约率", ">="),
    ("公路优良路率", ">="), ("高标准农田建设面积", ">="), ("空气质量优良天数比率", ">="),
    ("城乡居民养老保险参保率", ">="), ("科技成果转化数", ">="), ("农村自来水普及率", ">="),
    ("公共文化设施免费开放率", ">="), ("基本支出控制率", "<="), ("“三公经费”变动率", "<="), ("预算调整率", "<="),
    ("结转结余率", "<="), ("政府采购执行率", ">="), ("资产管理规范性", "qualitative"), ("重点工作完成率", ">="),
    ("资金下达及时性", "<="), ("地方配套资金到位率", ">="), ("区域绩效目标完成率", ">="),
    ("资金分配合理性", "qualitative"), ("管理制度健全性", "qualitative"), ("制度执行有效性", "qualitative"),
    ("实际完成率", ">="), ("质量达标率", ">="), ("完成及时性", "qualitative"), ("成本节约率", ">="),
    ("立项依据充分性", "qualitative"),
])
def test_named_indicators_are_present_with_their_direction(lib, name, op):
    code = lib.match([name]).iloc[0]
    assert code is not None, name
    assert lib.get(code).op == op


def test_names_are_unique_so_matching_is_unambiguous(lib):
    names = lib.to_frame()["name_zh"]
    assert not names.duplicated().any()


def test_to_frame_has_one_row_per_indicator_and_the_fields_as_columns(lib):
    frame = lib.to_frame()
    assert list(frame.columns) == list(FIELDS)
    assert len(frame) == len(lib)
    assert frame["common"].dtype == bool
    assert frame.loc[frame.code == "GEN-PRC-001", "applies_to"].item() == "project|department|transfer|policy"
    assert isinstance(frame.loc[frame.code == "GEN-PRC-001", "valid_from"].item(), date)


def test_public_names_and_presentation(lib):
    assert pe.load_library is load_library and pe.IndicatorLibrary is IndicatorLibrary
    assert repr(IndicatorLibrary()) == "IndicatorLibrary(0 indicators, sectors: -)"
    assert repr(lib).startswith(f"IndicatorLibrary({len(lib)} indicators, sectors: agriculture, culture")
    page = lib._repr_html_()
    assert page.startswith(f"<p><b>IndicatorLibrary</b>: {len(lib)} indicators in 13 sectors") and "<table" in page
    assert "GEN-PRC-002" in lib.search(sector="general")._repr_html_()


# ---------------------------------------------------------------------------------------------------------------
# loading and validating files
# ---------------------------------------------------------------------------------------------------------------
def test_duplicate_code_missing_name_and_unknown_op_are_all_reported(tmp_path):
    """The acceptance case: three faults, one InputError, each located by spreadsheet row."""
    path = write_csv(tmp_path / "bad.csv", [
        row(),
        row(name_zh="校车安全事故数", name_en="School bus accidents"),          # row 3: duplicate code
        row(code="EDU-OUT-102", name_en=""),                                   # row 4: missing name_en
        row(code="EDU-OUT-103", name_zh="校车覆盖率", op=">>"),                # row 5: unknown op
    ])
    with pytest.raises(InputError, match="3 problem") as info:
        load_library(path)
    found = {(p.location, p.code) for p in info.value.problems}
    assert found == {(f"{path}:3:code", "duplicate_code"), (f"{path}:4:name_en", "missing_value"),
                     (f"{path}:5:op", "unknown_op")}
    dup = next(p for p in info.value.problems if p.code == "duplicate_code")
    assert f"{path}:2" in dup.message
    assert validate_library_file(path) == list(info.value.problems)


@pytest.mark.parametrize("changes, column, code, pattern", [
    ({"kind": "numeric"}, "kind", "unknown_kind", "`kind` must be one of"),
    ({"kind": "qualitative", "unit": ""}, "op", "kind_op_mismatch", "exactly when `kind`"),
    ({"scoring_rule": "linear"}, "scoring_rule", "unknown_scoring_rule", "got 'linear'"),
    ({"scoring_rule": "reverse"}, "scoring_rule", "rule_op_mismatch", "scores op '<='"),
    ({"scoring_rule": "execution"}, "scoring_rule", "execution_rule", "reserved for 预算执行率"),
    ({"valid_from": "2022-13-01"}, "valid_from", "bad_date", "must be a date YYYY-MM-DD"),
    ({"valid_to": "2021-12-31"}, "valid_to", "date_order", "must not be before"),
    ({"level2": "成本指标"}, "op", "cost_op", "must use '<=' or '='"),
    ({"level1": "成本指标", "level2": "经济成本指标", "code": "EDU-COS-101"}, "op", "cost_op", "rewards spending"),
    ({"status": "retired"}, "status", "unknown_status", "`status` must be one of"),
    ({"code": "EDU-XYZ-001"}, "code", "bad_code", "must match <SECTOR>-<L1>-<NNN>"),
    ({"code": "edu-out-1"}, "code", "bad_code", "got 'edu-out-1'"),
    ({"applies_to": "project|school"}, "applies_to", "unknown_applies_to", "project\\|school"),
    ({"applies_to": ""}, "applies_to", "unknown_applies_to", "one or more of"),
    ({"common": "maybe"}, "common", "bad_bool", "true or false"),
    ({"unit": ""}, "unit", "missing_unit", "`unit` must be given"),
    ({"name_zh": " "}, "name_zh", "missing_value", "`name_zh` must not be empty"),
    ({"sector": ""}, "sector", "missing_value", "`sector` must not be empty"),
])
def test_each_row_rule_is_reported_with_its_location(tmp_path, changes, column, code, pattern):
    path = write_csv(tmp_path / "lib.csv", [row(**changes)])
    with pytest.raises(InputError, match=pattern) as info:
        load_library(path)
    assert [(p.location, p.code) for p in info.value.problems] == [(f"{path}:2:{column}", code)]


def test_problems_of_several_rows_and_files_come_together(tmp_path):
    write_csv(tmp_path / "a.csv", [row(), row(code="EDU-OUT-102", name_zh="校车线路数", kind="x")])
    write_csv(tmp_path / "b.csv", [row(name_zh="另一个", valid_from="someday")])
    with pytest.raises(InputError, match="duplicate_code") as info:
        load_library(tmp_path)
    found = {(Path(p.location).name, p.code) for p in info.value.problems}
    assert found == {("a.csv:3:kind", "unknown_kind"), ("b.csv:2:valid_from", "bad_date")} | {
        ("b.csv:2:code", "duplicate_code")}
    dup = next(p for p in info.value.problems if p.code == "duplicate_code")
    assert "a.csv:2" in dup.message


def test_file_level_problems(tmp_path):
    missing = write_csv(tmp_path / "missing.csv", [row()], header=[f for f in FIELDS if f not in ("op", "sector")])
    with pytest.raises(InputError, match="required column 'op' is missing") as info:
        load_library(missing)
    assert [p.code for p in info.value.problems] == ["missing_column", "missing_column"]

    dup = write_csv(tmp_path / "dup.csv", [row()], header=[*FIELDS, "op"])
    with pytest.raises(InputError, match="column 'op' repeats 'op'"):
        load_library(dup)

    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(FIELDS) + "\n" + ",".join(row().values()) + ",surplus\n", encoding="utf-8")
    with pytest.raises(InputError, match="the row has 19 cells but the header has 18"):
        load_library(wide)

    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="it is empty"):
        load_library(empty)

    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81\x30\xff")
    with pytest.raises(InputError, match="UTF-8 or GB18030"):
        load_library(binary)


def test_bad_paths(tmp_path):
    with pytest.raises(InputError, match="must be an existing CSV file or folder"):
        load_library(tmp_path / "nowhere.csv")
    with pytest.raises(InputError, match="holds no \\*.csv file"):
        load_library(tmp_path)
    problems = validate_library_file(tmp_path / "nowhere.csv")
    assert [p.code for p in problems] == ["not_found"]


def test_gb18030_chinese_headers_and_excel_spellings_are_read(tmp_path):
    header = ["指标编码", "指标名称", "英文名称", "一级指标", "二级指标", "指标解释", "指标类型", "指标性质",
              "计量单位", "评分规则", "计算公式", "数据来源", "行业", "适用范围", "是否共性", "状态", "生效日期",
              "失效日期"]
    values = dict(zip(header, [*row(kind="定量", op="≥", common="否", valid_from="2022/1/1").values()]))
    path = write_csv(tmp_path / "gbk.csv", [values], header=header, encoding="gb18030")
    library = load_library(path)
    ind = library.get("EDU-OUT-101")
    assert (ind.name_zh, ind.kind, ind.op, ind.common, ind.valid_from) == (
        "校车配备数", "quantitative", ">=", False, date(2022, 1, 1))
    assert library.origins["EDU-OUT-101"] == f"{path}:2"

    bom = write_csv(tmp_path / "bom.csv", [row()], encoding="utf-8-sig")
    assert load_library(bom).codes == ("EDU-OUT-101",)


def test_content_warnings_are_listed_and_warned(tmp_path):
    path = write_csv(tmp_path / "warn.csv", [
        row(definition="", code="HLT-OUT-101"),
        row(code="EDU-OUT-102", name_zh="校车配备数", level1="效益指标"),
    ], header=[*FIELDS, "remark"])
    problems = validate_library_file(path)
    assert {(p.location, p.code, p.severity) for p in problems} == {
        (f"{path}:1:remark", "unknown_column", "warning"),
        (f"{path}:2:definition", "missing_definition", "warning"),
        (f"{path}:2:sector", "code_sector_mismatch", "warning"),
        (f"{path}:3:level1", "code_level_mismatch", "warning"),
        (f"{path}:3:name_zh", "duplicate_name", "warning"),
    }
    with pytest.warns(DataQualityWarning, match="missing_definition"):
        library = load_library(path)
    assert len(library) == 2


def test_unit_on_a_qualitative_entry_is_a_warning(tmp_path):
    path = write_csv(tmp_path / "qual.csv", [row(kind="qualitative", op="定性", scoring_rule="evaluator", unit="%")])
    assert [(p.location, p.code, p.severity) for p in validate_library_file(path)] == [
        (f"{path}:2:unit", "unit_on_qualitative", "warning")]
    with pytest.warns(DataQualityWarning, match="a qualitative indicator has no unit; got '%'"):
        assert load_library(path).get("EDU-OUT-101").op == "qualitative"


# ---------------------------------------------------------------------------------------------------------------
# Indicator and IndicatorLibrary built in code
# ---------------------------------------------------------------------------------------------------------------
def make_indicator(**changes) -> Indicator:
    fields = {**GOOD, "applies_to": ("project", "transfer"), "common": False, "valid_from": date(2022, 1, 1),
              "valid_to": None, **changes}
    return Indicator(**fields)


def test_indicator_validates_on_construction():
    ind = make_indicator(applies_to="project|policy")
    assert ind.applies_to == ("project", "policy")
    assert ind.is_valid_on(date(2022, 1, 1)) and not ind.is_valid_on(date(2021, 12, 31))
    assert not ind.is_cost
    with pytest.raises(InputError, match="`op` must be one of") as info:
        make_indicator(op="≥", unit="")
    assert [p.location for p in info.value.problems] == ["EDU-OUT-101:op", "EDU-OUT-101:unit"]
    with pytest.raises(InputError, match="`valid_from` must be a datetime.date"):
        make_indicator(valid_from="2022-01-01")
    with pytest.raises(InputError, match="`common` must be a bool"):
        make_indicator(common="yes")


def test_library_rejects_duplicate_codes_and_foreign_objects():
    ind = make_indicator()
    with pytest.raises(InputError, match="got duplicates EDU-OUT-101"):
        IndicatorLibrary((ind, make_indicator(name_zh="别名")))
    with pytest.raises(InputError, match="must hold Indicator objects; got dict"):
        IndicatorLibrary(({"code": "X"},))
    assert validate_library(IndicatorLibrary((ind,))) == []


def test_validate_library_locates_entries_built_in_code_by_code():
    library = IndicatorLibrary((make_indicator(definition=""),))
    assert [(p.location, p.code) for p in validate_library(library)] == [("EDU-OUT-101:definition",
                                                                          "missing_definition")]


def test_get_unknown_code_suggests_close_ones(lib):
    with pytest.raises(InputError, match="Did you mean 'GEN-PRC-002'"):
        lib.get("GEN-PRC-02")
    assert "GEN-PRC-002" in lib and "nope" not in lib


# ---------------------------------------------------------------------------------------------------------------
# search and match
# ---------------------------------------------------------------------------------------------------------------
def test_search_by_text(lib):
    found = lib.search("满意度")
    assert len(found) >= 10
    assert all("满意度" in i.name_zh or "满意度" in i.definition for i in found)
    assert isinstance(found, IndicatorLibrary)
    assert lib.search("INFANT").codes == ("HLT-EFF-002",)
    assert "ENV-EFF-002" in lib.search("ＰＭ２．５")
    assert len(lib.search("no such words anywhere")) == 0


def test_search_filters(lib):
    education = lib.search(sector="education")
    assert education.sectors == ("education",) and len(education) == 20
    output = lib.search(level1="产出", sector="general")
    assert {i.level1 for i in output} == {"产出", "产出指标"}
    assert {i.level2 for i in lib.search(level2="成本指标")} == {"成本指标"}
    reverse = lib.search(op="≤", sector=["health", "transport"])
    assert len(reverse) >= 4 and {i.op for i in reverse} == {"<="}
    assert {i.sector for i in reverse} == {"health", "transport"}
    for_departments = lib.search(applies_to="department")
    assert all("department" in i.applies_to for i in for_departments)
    assert "GEN-PRC-002" in for_departments and "EDU-OUT-001" not in for_departments
    drafts = lib.search(status="draft", sector="general")
    assert drafts.codes == ("GEN-COS-006",)
    assert lib.search("率", sector="water", status="approved", op=">=").sectors == ("water",)


def test_search_by_level_matches_either_level(lib):
    """``level=`` keeps entries whose level1 or level2 is the name (trailing 指标 ignored): 成本 is the first level
    of the 成本指标 entries and the second level of GEN-OUT-006 (产出指标 / 成本指标)."""
    first, second = lib.search(level1="成本"), lib.search(level2="成本")
    either = lib.search(level="成本指标")
    assert set(either.codes) == set(first.codes) | set(second.codes)
    assert "GEN-OUT-006" in either and "GEN-OUT-006" not in first
    assert all("成本" in (i.level1.removesuffix("指标"), i.level2.removesuffix("指标")) for i in either)
    assert lib.search(level="数量").codes == lib.search(level2="数量").codes  # a second-level name only
    assert set(lib.search(level=["成本", "数量"]).codes) == set(either.codes) | set(lib.search(level2="数量").codes)
    assert lib.search(level="成本", level1="产出").codes == ("GEN-OUT-006",)  # criteria combine with AND
    assert len(lib.search(level="no such level")) == 0


@pytest.mark.parametrize("kwargs, pattern", [
    ({"sector": "educaton"}, "`sector` must be one of .*got 'educaton'"),
    ({"status": "retired"}, "`status` must be one of 'approved', 'draft'; got 'retired'"),
    ({"op": ">"}, "`op` must be one of"),
    ({"applies_to": ["project", "school"]}, "`applies_to` must be one of .*got 'school'"),
])
def test_search_rejects_unknown_values(lib, kwargs, pattern):
    with pytest.raises(InputError, match=pattern):
        lib.search(**kwargs)


def test_match_names_exactly_and_after_normalising(lib):
    names = ["预算执行率", " 服务对象　满意度 ", "细颗粒物(PM2.5)年均浓度", "资金到位率（％）", "自定义指标"]
    codes = lib.match(names)
    assert codes.name == "code" and list(codes.index) == names
    assert list(codes) == ["GEN-PRC-002", "GEN-SAT-001", "ENV-EFF-002", None, None]
    series = pd.Series(["资金到位率", None, float("nan")], index=[10, 11, 12])
    matched = lib.match(series)
    assert list(matched.index) == [10, 11, 12] and list(matched) == ["GEN-PRC-001", None, None]


def test_match_prefers_the_approved_entry():
    approved = make_indicator(code="EDU-OUT-102")
    draft = make_indicator(status="draft")
    library = IndicatorLibrary((draft, approved))
    assert library.match(["校车配备数"]).iloc[0] == "EDU-OUT-102"


# ---------------------------------------------------------------------------------------------------------------
# check
# ---------------------------------------------------------------------------------------------------------------
def small_framework() -> Framework:
    leaves = (
        Node("execution", "预算执行率", 10, rule="execution", indicator_code="GEN-PRC-002"),
        Node("funds", "资金到位率", 10, rule="positive", indicator_code="GEN-PRC-001", op="<="),
        Node("lcc", "全生命周期成本", 10, rule="reverse", indicator_code="GEN-COS-006"),
        Node("old", "新农合参合率", 10, rule="positive", indicator_code="HLT-OUT-009"),
        Node("typo", "实际完成率", 10, rule="positive", indicator_code="GEN-OUT-999"),
        Node("own", "框架自定义指标", 10, rule="qualitative"),
    )
    return Framework(name="small", title="小框架", nodes=(Node("root", "过程", None, children=leaves),))


def test_check_framework(lib):
    findings = lib.check(small_framework(), on="2025-06-30")
    assert list(findings.columns) == ["location", "indicator", "code", "finding", "severity", "message"]
    got = {(r.location, r.code, r.finding, r.severity) for r in findings.itertuples()}
    assert got == {
        ("funds", "GEN-PRC-001", "op_differs", "warning"),
        ("lcc", "GEN-COS-006", "draft", "error"),
        ("old", "HLT-OUT-009", "expired", "error"),
        ("typo", "GEN-OUT-999", "not_in_library", "error"),
    }
    assert set(findings["finding"]) <= set(FINDINGS)
    earlier = lib.check(small_framework(), on=date(2023, 6, 30))
    assert ("lcc", "not_yet_valid") in set(zip(earlier["location"], earlier["finding"]))


@pytest.mark.parametrize("name", pe.list_frameworks())
def test_shipped_frameworks_use_only_approved_library_entries(lib, name):
    """Every indicator_code of a shipped framework is an approved, valid library entry with the same operator."""
    findings = lib.check(pe.load_framework(name))
    assert findings.empty, findings.to_string()


def test_shipped_frameworks_reference_the_library():
    coded = [n.indicator_code for name in pe.list_frameworks() for n in pe.load_framework(name).leaves()
             if n.indicator_code]
    assert len(coded) >= 40 and "GEN-PRC-002" in coded and "TRF-PRC-001" in coded


def test_check_observations(lib):
    obs = pd.DataFrame({
        "unit_id": ["P01"] * 6,
        "indicator": ["预算执行率", "服务对象 满意度", "自定义指标", "旧指标", "孕产妇死亡率", "编码写错"],
        "indicator_code": [None, None, None, "EDU-OUT-008", None, "ZZZ-OUT-001"],
        "op": [None, ">=", ">=", ">=", "≥", "="],
        "source_file": "p01.csv", "source_row": [2, 3, 4, 5, 6, 7],
    })
    findings = lib.check(obs, on="2026-01-01")
    got = [(r.location, r.indicator, r.code, r.finding, r.severity) for r in findings.itertuples()]
    assert got == [
        ("p01.csv:4:indicator", "自定义指标", "", "individual", "note"),
        ("p01.csv:5:indicator_code", "旧指标", "EDU-OUT-008", "expired", "error"),
        ("p01.csv:6:op", "孕产妇死亡率", "HLT-EFF-001", "op_differs", "warning"),
        ("p01.csv:7:indicator_code", "编码写错", "ZZZ-OUT-001", "not_in_library", "error"),
    ]
    assert "individual (个性) indicator" in findings.loc[0, "message"]


def test_check_observations_without_source_columns(lib):
    obs = pd.DataFrame({"indicator": ["实际完成率", "自定义指标"]}, index=[7, 8])
    findings = lib.check(obs)
    assert list(findings["location"]) == ["observations[8]:indicator"]
    only_codes = pd.DataFrame({"indicator_code": ["GEN-PRC-001", "GEN-ZZZ-001"]})
    assert list(lib.check(only_codes)["finding"]) == ["not_in_library"]


def test_check_rejects_bad_input(lib):
    with pytest.raises(InputError, match="must be a Framework or an observations DataFrame; got str"):
        lib.check("project_self")
    with pytest.raises(InputError, match="must have a 'indicator_code' or 'indicator' column"):
        lib.check(pd.DataFrame({"name": ["预算执行率"]}))
    with pytest.raises(InputError, match="`on` must be a date"):
        lib.check(small_framework(), on="31/12/2025")


def test_unparsable_csv_is_reported(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text(",".join(FIELDS) + '\n"' + "x" * 200_000 + '"\n', encoding="utf-8")
    with pytest.raises(InputError, match="the file is not valid CSV: field larger than field limit"):
        load_library(path)


def test_check_observations_skips_empty_rows_and_writes_whole_row_numbers(lib):
    obs = pd.DataFrame({"indicator": ["自定义指标", None, " "], "source_file": "a.csv",
                        "source_row": [2.0, float("nan"), 4.0]})
    assert list(lib.check(obs)["location"]) == ["a.csv:2:indicator"]
