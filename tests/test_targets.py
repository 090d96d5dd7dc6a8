"""Tests of perfeval.targets: target / actual text as real self-evaluation forms write it."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import perfeval as pe
from perfeval.errors import InputError
from perfeval.targets import MAX_LISTED, parse_level, parse_observations, parse_op


# (text, op, value, unit, flags) -- the forms issue 3 lists, plus the look-alike signs of published forms
TARGETS = [
    ("≥95%", ">=", 95.0, "%", ()),
    (">=95", ">=", 95.0, "", ()),
    ("≤100万元", "<=", 100.0, "万元", ()),
    ("=0", "=", 0.0, "", ()),
    ("＝0", "=", 0.0, "", ()),
    ("不低于95%", ">=", 95.0, "%", ()),
    ("不少于20个", ">=", 20.0, "个", ()),
    ("不超过3个月", "<=", 3.0, "个月", ()),
    ("小于等于5天", "<=", 5.0, "天", ()),
    ("≧90%", ">=", 90.0, "%", ()),
    ("≦5", "<=", 5.0, "", ()),
    ("═0", "=", 0.0, "", ()),
    ("≤50元/人*月", "<=", 50.0, "元/人*月", ()),
    ("≤50元/人×月", "<=", 50.0, "元/人*月", ()),
    ("≥1.2万人次", ">=", 12000.0, "人次", ("multiplied",)),
    ("≥300人次", ">=", 300.0, "人次", ()),
    ("９５％", ">=", 95.0, "%", ("bare_target",)),
    ("≥９５％", ">=", 95.0, "%", ()),
    ("＞＝95", ">=", 95.0, "", ()),
    ("≥ 95 %", ">=", 95.0, "%", ()),
    ("  ≤ 3 天 ", "<=", 3.0, "天", ()),
    ("大于等于98%", ">=", 98.0, "%", ()),
    ("不高于 2%", "<=", 2.0, "%", ()),
    ("95%以上", ">=", 95.0, "%", ()),
    ("3天以内", "<=", 3.0, "天", ()),
    ("控制在5%以内", "<=", 5.0, "%", ()),
    ("大于90%", ">=", 90.0, "%", ("strict_op",)),
    ("低于1%", "<=", 1.0, "%", ("strict_op",)),
    ("8,755", ">=", 8755.0, "", ("bare_target",)),
    ("8755", ">=", 8755.0, "", ("bare_target",)),
    ("100%", ">=", 100.0, "%", ("bare_target",)),
    ("≥-5%", ">=", -5.0, "%", ()),
    ("≤0.5‰", "<=", 0.5, "‰", ()),
    ("≥2亿元", ">=", 2.0, "亿元", ()),
    ("≥50m2", ">=", 50.0, "m2", ()),
    ("≥ 95 %", ">=", 95.0, "%", ()),
    ("不高于5", "<=", 5.0, "", ()),
    ("≤0", "<=", 0.0, "", ()),
    ("=100%", "=", 100.0, "%", ()),
    ("＞90%", ">=", 90.0, "%", ("strict_op",)),
    ("≤ -3", "<=", -3.0, "", ()),
    ("≥95%（含）", ">=", 95.0, "%", ()),
    ("95%（含）以上", ">=", 95.0, "%", ()),
    ("95%左右", ">=", 95.0, "%", ("approximate", "bare_target")),
    ("≥1.2E+05", ">=", 120000.0, "", ()),
    ("1e5次", ">=", 100000.0, "次", ("bare_target",)),
    ("≥1亿", ">=", 1e8, "", ("multiplied",)),
    ("≥1.5万元/人", ">=", 1.5, "万元/人", ()),
]


@pytest.mark.parametrize(("text", "op", "value", "unit", "flags"), TARGETS)
def test_parse_target_forms(text, op, value, unit, flags):
    t = pe.parse_target(text)
    assert (t.op, t.value, t.unit, t.flags) == (op, value, unit, flags)
    assert t.text == text


@pytest.mark.parametrize("text", ["按时完成", "有效提升", "明显改善", "达到国家标准"])
def test_parse_target_qualitative(text):
    t = pe.parse_target(text)
    assert t.op == "qualitative" and math.isnan(t.value) and t.is_qualitative


def test_parse_target_deadline_is_qualitative():
    t = pe.parse_target("2024年12月底前完成")
    assert t.op == "qualitative" and t.flags == ("deadline",)


def test_parse_target_numbers_and_bare_op():
    assert pe.parse_target(8755) == pe.Target(">=", 8755.0, "", ("bare_target",), "8755")
    assert pe.parse_target("100%", bare_op="=").op == "="
    assert pe.parse_target("≥95%").is_percent
    assert str(pe.parse_target("≤100万元")) == "<= 100万元"


@pytest.mark.parametrize(("text", "why"), [
    ("95%-100%", "a range is not a target: write the comparison the indicator is scored on"),
    ("90%~95%", "a range is not a target"),
    ("90至95%", "a range is not a target"),
    ("≥≥1", r"expected \[comparator\] number \[unit\]; write one comparison per cell"),
    ("abc1", "expected"),
    ("≥95%或以上x1", "cannot read '%或以上x1' after the number; write one comparison per cell"),
    ("≥95%；≥90%", "cannot read '%;>=90%' after the number"),
    ("≥1/3", "cannot read '/3' after the number"),
    ("≥", "a comparator without a number"),
    ("不高于", "a comparator without a number"),
    ("≥百分之九十五", "a comparator without a number"),
])
def test_parse_target_unparseable_names_the_cell(text, why):
    """Ranges, lists and comparators without a number are located errors that say what to write, never a guess."""
    with pytest.raises(InputError, match=r"^f\.csv:7:target: unparseable_target: cannot read target .*: " + why):
        pe.parse_target(text, where="f.csv:7:target")


# digits split by whitespace: ambiguous (one number or two?), except the thousands grouping "1 000" (one space,
# also a no-break / thin / ideographic space, between groups of three after a first group of 1-3 digits)
SPACED = [
    ("≥9 5", "ambiguous_number", None),
    ("≥95 100", ">=", 95100.0),
    ("≥1 000", ">=", 1000.0),
    ("≥12 345 678.5元", ">=", 12345678.5),
    ("≥1\u00a0000人次", ">=", 1000.0),
    ("≥1\u2009000", ">=", 1000.0),
    ("≥1\u3000000", ">=", 1000.0),
    ("≥ 95 %", ">=", 95.0),
    ("不少于 20 个", ">=", 20.0),
    ("≥1 00", "ambiguous_number", None),
    ("≥1000 000", "ambiguous_number", None),
    ("≥1  000", "ambiguous_number", None),
    ("≥1 000 00", "ambiguous_number", None),
    ("≥9.5 5", "ambiguous_number", None),
    ("≥0.123 456", "ambiguous_number", None),
    ("≥95\n100", "ambiguous_number", None),
    ("9 5%", "ambiguous_number", None),
    ("≥95, 90", "ambiguous_number", None),
]


@pytest.mark.parametrize(("text", "op_or_code", "value"), SPACED)
def test_parse_target_space_inside_a_number(text, op_or_code, value):
    if value is None:
        with pytest.raises(InputError, match=r"^f\.csv:4:年度指标值: ambiguous_number: cannot read target .*: a space "
                                             r"inside the number .* is ambiguous \(one number or two\?\); write "
                                             r"the number without spaces"):
            pe.parse_target(text, where="f.csv:4:年度指标值")
    else:
        t = pe.parse_target(text)
        assert (t.op, t.value) == (op_or_code, value) and "bare_target" not in t.flags


@pytest.mark.parametrize(("text", "value"), [("9 5", None), ("1 200人次", 1200.0), ("约 95 %", 95.0)])
def test_parse_actual_space_inside_a_number(text, value):
    if value is None:
        with pytest.raises(InputError, match=r"^x:2:actual: ambiguous_number: cannot read actual '9 5'"):
            pe.parse_actual(text, where="x:2:actual")
    else:
        assert pe.parse_actual(text).value == value


def test_parse_observations_reports_ambiguous_number_at_the_cell():
    frame, problems = parse_observations(_obs(["≥9 5", "≥1 000"], ["96", "1 2"]))
    assert [(p.location, p.code, p.severity) for p in problems] == [
        ("f.csv:2:target", "ambiguous_number", "error"), ("f.csv:3:actual", "ambiguous_number", "error")]
    assert math.isnan(frame["target_value"].iloc[0]) and frame["target_value"].iloc[1] == 1000.0


def test_parse_target_contradicting_suffix():
    with pytest.raises(InputError, match="contradicts the suffix"):
        pe.parse_target("≥95%以下")


@pytest.mark.parametrize("empty", [None, "", "   ", float("nan")])
def test_parse_target_missing(empty):
    with pytest.raises(InputError, match="missing_target"):
        pe.parse_target(empty)


def test_parse_target_bad_bare_op():
    with pytest.raises(ValueError, match="`bare_op` must be"):
        pe.parse_target("95", bare_op=">")


ACTUALS = [
    ("98%", None, 98.0, "%", (), None),
    ("1.2万人次", None, 12000.0, "人次", ("multiplied",), None),
    ("约95%", None, 95.0, "%", ("approximate",), None),
    ("95.5", None, 95.5, "", (), None),
    ("９８．５％", None, 98.5, "%", (), None),
    ("120万元", None, 120.0, "万元", (), None),
    ("已完成", "qualitative", math.nan, "", ("qualitative_level",), "met"),
    ("部分完成", "qualitative", math.nan, "", ("qualitative_level",), "partly"),
    ("未完成", "qualitative", math.nan, "", ("qualitative_level",), "not_met"),
    ("效果良好", "qualitative", math.nan, "", (), None),
    ("≥90%", ">=", math.nan, "%", ("actual_restates_target",), None),
    ("不超过3天", "<=", math.nan, "天", ("actual_restates_target",), None),
    ("95%左右", None, 95.0, "%", ("approximate",), None),
    ("-5%", None, -5.0, "%", (), None),
]


@pytest.mark.parametrize(("text", "op", "value", "unit", "flags", "level"), ACTUALS)
def test_parse_actual_forms(text, op, value, unit, flags, level):
    a = pe.parse_actual(text)
    assert a.op == op and a.unit == unit and a.flags == flags and a.level == level
    assert (math.isnan(a.value) and math.isnan(value)) or a.value == value


def test_parse_actual_missing_and_numbers():
    assert pe.parse_actual(None).flags == ("missing",)
    assert pe.parse_actual(0.98).value == 0.98


# an actual on a row whose comparison is known: free text (很多) on a quantitative row is refused; a level phrase
# (已完成) is kept (scored 0 as missing_actual by score()), flagged qualitative_level; any text on a qualitative row
ACTUAL_ON_ROW = [
    ("很多", ">=", "unparseable_actual"),
    ("效果良好", "<=", "unparseable_actual"),
    ("较上年明显提高", "=", "unparseable_actual"),
    ("2024年10月完成", ">=", "unparseable_actual"),
    ("已完成", ">=", "met"),
    ("基本完成", "<=", "partly"),
    ("未达成", "=", "not_met"),
    ("98%", ">=", None),
    ("", ">=", None),
    ("很多", "qualitative", None),
    ("很多", None, None),
    ("已完成", "qualitative", "met"),
]


@pytest.mark.parametrize(("text", "op", "outcome"), ACTUAL_ON_ROW)
def test_parse_actual_on_a_row(text, op, outcome):
    if outcome == "unparseable_actual":
        with pytest.raises(InputError, match=rf"^f\.csv:5:实际完成值: unparseable_actual: cannot read actual "
                                             rf"'{text}': it is neither a number \(with its unit\), a level phrase "
                                             rf".* nor empty, and a {op} target needs a measurement"):
            pe.parse_actual(text, op=op, where="f.csv:5:实际完成值")
        return
    a = pe.parse_actual(text, op=op)
    assert a.level == outcome
    assert ("qualitative_level" in a.flags) == (outcome is not None)


def test_parse_actual_bad_op():
    with pytest.raises(ValueError, match="`op` must be None, '>=', '<=', '=' or 'qualitative'"):
        pe.parse_actual("1", op="≥")


def test_parse_actual_unparseable():
    with pytest.raises(InputError, match=r"x:3:actual: unparseable_actual: cannot read actual '95-100': a range is "
                                         r"not a measurement: write the value reached"):
        pe.parse_actual("95-100", where="x:3:actual")


@pytest.mark.parametrize(("text", "op"), [("≥", ">="), ("≧", ">="), ("正向", ">="), ("<=", "<="), ("反向", "<="),
                                          ("＝", "="), ("═", "="), ("定性", "qualitative"), ("定量", None),
                                          (None, None), (">", ">=")])
def test_parse_op(text, op):
    assert parse_op(text) == op


def test_parse_op_unknown():
    with pytest.raises(InputError, match=r"unknown_op: `op` must be one of >=, <=, =, qualitative"):
        parse_op("大约")


@pytest.mark.parametrize(("text", "level"), [("达成", "met"), ("达成年度指标", "met"), ("met", "met"),
                                             ("部分达成年度指标并具有一定效果", "partly"), ("未达成", "not_met"),
                                             ("NOT_MET", "not_met"), (None, None)])
def test_parse_level(text, level):
    assert parse_level(text) == level


def test_parse_level_unknown():
    with pytest.raises(InputError, match="unknown_level: `level` must be met, partly or not_met"):
        parse_level("很好")


# ---------------------------------------------------------------------------------------------------------------
# whole frames
# ---------------------------------------------------------------------------------------------------------------
def _obs(target, actual, **extra):
    n = len(target)
    return pd.DataFrame({"target": target, "actual": actual, "source_file": "f.csv",
                         "source_row": np.arange(2, n + 2), **extra})


def test_parse_observations_maps_unique_texts_back():
    obs = _obs(["≥95%", "≥95%", "≤100万元", "按时完成", "8755"], ["98%", "90%", "950000元", "已完成", "9000"])
    frame, problems = parse_observations(obs)
    assert frame["op"].tolist() == [">=", ">=", "<=", "qualitative", ">="]
    assert frame["target_value"].tolist()[:3] == [95.0, 95.0, 100.0]
    assert frame["actual_value"].tolist()[:3] == [98.0, 90.0, 95.0]  # 950000 元 -> 95 万元
    assert frame["actual_unit"].tolist()[2] == "万元"
    assert frame["level"].tolist()[3] == "met"
    assert frame["parse_flags"].tolist()[4] == "bare_target"
    assert frame["parse_flags"].tolist()[3] == "qualitative_level;level_from_words"  # 已完成: an inferred level
    assert [(p.location, p.code, p.severity) for p in problems] == [("f.csv:6:target", "bare_target", "warning"),
                                                                    ("f.csv:5:actual", "level_from_words", "warning")]
    assert list(obs.columns) == ["target", "actual", "source_file", "source_row"]  # input untouched


@pytest.mark.parametrize(("target", "actual"), [("≥95%", "0.98"), ("0.95", "98%"), ("≥95%", 1)])
def test_ambiguous_percentage_is_an_error(target, actual):
    frame, problems = parse_observations(_obs([target], [actual]))
    errors = [(p.location, p.code) for p in problems if p.severity == "error"]
    assert errors == [("f.csv:2:actual", "ambiguous_percentage")]
    assert math.isnan(frame["actual_value"].iloc[0])


def test_percent_points_with_bare_actual_above_one_are_fine():
    """A bare actual above 1 next to a % target can only be percent points; one in (0, 1] could be a fraction
    (0.3 = 30 %) or percent points (0.3 %): refused, even when the target is small."""
    frame, problems = parse_observations(_obs(["≥95%", "≤0.5%", "≤0.5%"], ["97", "0.3", "0%"]))
    assert [(p.location, p.code) for p in problems] == [("f.csv:3:actual", "ambiguous_percentage")]
    assert frame["actual_value"].tolist()[0::2] == [97.0, 0.0]


def test_unit_column_makes_bare_numbers_percent():
    frame, problems = parse_observations(_obs(["95", "95"], ["97", "0.97"], unit=["%", "%"], op=[">=", ">="]))
    assert [(p.location, p.code) for p in problems] == [("f.csv:3:actual", "ambiguous_percentage")]


def test_unit_mismatch_and_op_conflict():
    obs = _obs(["≥20个", "≤5"], ["3天", "4"], op=[None, ">="])
    _, problems = parse_observations(obs)
    assert {(p.location, p.code) for p in problems} == {("f.csv:2:actual", "unit_mismatch"),
                                                        ("f.csv:3:target", "op_conflict")}


def test_op_column_given_is_not_a_bare_target():
    frame, problems = parse_observations(_obs(["95", "3"], ["96", "2"], op=["≥", "反向"]))
    assert problems == [] and frame["op"].tolist() == [">=", "<="]


def test_unparseable_cells_and_unknown_op_level():
    obs = _obs(["95%-100%", "≥95%"], ["9x9", "96%"], op=[None, "约"], level=[None, "很好"])
    _, problems = parse_observations(obs)
    assert {(p.location, p.code) for p in problems} == {
        ("f.csv:2:target", "unparseable_target"), ("f.csv:2:actual", "unparseable_actual"),
        ("f.csv:3:op", "unknown_op"), ("f.csv:3:level", "unknown_level")}


def test_restated_actual_is_flagged_not_measured():
    frame, problems = parse_observations(_obs(["≥90%"], ["≥90%"]))
    assert [(p.code, p.severity) for p in problems] == [("actual_restates_target", "warning")]
    assert math.isnan(frame["actual_value"].iloc[0]) and frame["actual_op"].iloc[0] == ">="


def test_problems_are_capped_with_a_summary():
    n = MAX_LISTED + 7
    _, problems = parse_observations(_obs(["8755"] * n, ["9000"] * n))
    assert len(problems) == MAX_LISTED + 1
    assert problems[-1].message.startswith("and 7 more rows")


def test_without_source_columns_locations_are_sheet_rows():
    _, problems = parse_observations(pd.DataFrame({"target": ["≥1", "x1"], "actual": ["1", "1"]}))
    assert problems[0].location == "3:target"


def test_locations_name_the_column_as_the_file_wrote_it():
    """A frame read from a file records its headers (``attrs["headers"]``): problems are located under them; the
    files not recorded (and frames built in code) keep the canonical names."""
    obs = pd.concat([_obs(["≥95%-100%", "≥5个"], ["96%", "3天"]), _obs(["x1"], ["1"]).assign(source_file="g.csv")],
                    ignore_index=True)
    obs.attrs["headers"] = {"f.csv": {"target": "年度指标值", "actual": "实际完成值"}}
    _, problems = parse_observations(obs)
    assert {(p.location, p.code) for p in problems} == {
        ("f.csv:2:年度指标值", "unparseable_target"), ("f.csv:3:实际完成值", "unit_mismatch"),
        ("g.csv:2:target", "unparseable_target")}


def test_parse_observations_bad_bare_op():
    with pytest.raises(ValueError, match="`bare_op` must be"):
        parse_observations(_obs(["1"], ["1"]), bare_op="!")
