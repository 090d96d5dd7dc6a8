"""Issue 14: forms scored the way units actually fill them in (domain.md §11).

Every input is written the way published self-evaluation forms write it: Chinese, full-width signs, merged
一级/二级 cells, no 完成等级 column, qualitative rows as text on both sides, targets inside indicator names,
indicator points adding up to 100 (110 with execution), placeholder rows. Each expected number is worked by hand.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

import perfeval as pe
from perfeval import columns as C
from perfeval._target_text import is_not_applicable, level_from_words, target_in_name
from perfeval.cli import main
from perfeval.errors import DataQualityWarning, InputError
from perfeval.io import blank_form_path, read_observations, read_selfeval_form, write_selfeval_form
from perfeval.narrative import draft_problems, draft_recommendations

OUT = ("产出指标", "数量指标")
QUA = ("产出指标", "质量指标")
SOC = ("效益指标", "社会效益指标")
SAT = ("满意度指标", "服务对象满意度指标")


def obs(*rows, **extra) -> pd.DataFrame:
    """Observation rows ``(l1, l2, indicator, target, actual, points)`` of unit P1, located in f.csv."""
    frame = pd.DataFrame([dict(zip(("l1", "l2", "indicator", "target", "actual", "points"), r)) for r in rows])
    frame.insert(0, "unit_id", "P1")
    for k, v in extra.items():
        frame[k] = v
    frame["source_file"] = "f.csv"
    frame["source_row"] = np.arange(2, len(frame) + 2)
    return frame


def budget(executed: float = 100.0) -> pd.DataFrame:
    return pd.DataFrame({"unit_id": ["P1"], "budget_full_year": [100.0], "executed": [executed]})


def quiet(*args, **kwargs) -> pe.ScoreResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return pe.score(*args, **kwargs)


def row_of(res: pe.ScoreResult, name: str) -> pd.Series:
    return res.nodes[res.nodes["name"] == name].iloc[0]


def codes_at(res: pe.ScoreResult, row: int) -> list[tuple[str, str]]:
    return [(p.code, p.severity) for p in res.problems if p.location.startswith(f"f.csv:{row}:")]


# ---------------------------------------------------------------------------------------------------------------
# qualitative rows without a 完成等级 column
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["按时完成", "有效", "显著提升", "全面提升 ", "ＡＢＣ达标"])
def test_actual_restating_a_qualitative_target_is_met(text):
    # 9 of 10 claimed on a met row: achievement 0.9; the other row is full (80 points)
    o = obs((*SOC, "x", text, text.strip(), 10), (*OUT, "y", "≥1", "1", 80), score=[9.0, np.nan])
    res = quiet("project_self", o, budget())
    x = row_of(res, "x")
    assert x["achievement"] == pytest.approx(0.9) and "level_from_text" in x["flags"]
    assert codes_at(res, 2) == [("level_from_text", "warning")]
    assert res.totals["total"].iat[0] == pytest.approx(9 + 80 + 10)


def test_restated_text_without_a_score_is_the_lower_bound_of_met():
    o = obs((*SOC, "x", "有效", "有效", 10), (*OUT, "y", "≥1", "1", 80))
    res = quiet("project_self", o, budget())
    assert row_of(res, "x")["score"] == pytest.approx(8.0)  # met, no score: 80 % of the points (score_from_level)
    assert {c for c, _ in codes_at(res, 2)} == {"level_from_text", "score_from_level"}


@pytest.mark.parametrize(("actual", "level"), [
    ("达成", "met"), ("基本达成", "partly"), ("部分达成", "partly"), ("未达成", "not_met"),
    ("较满意", "met"), ("满意", "met"), ("好", "met"), ("较好", "met"), ("良好", "met"), ("一般", "partly"),
    ("较差", "not_met"), ("不满意", "not_met"), ("已完成。", "met"), ("部分达到预期", "partly"),
    ("未完成年度任务", "not_met"), ("全部完成", "met"),
])
def test_level_words(actual, level):
    assert level_from_words(actual) == level


@pytest.mark.parametrize(("actual", "score", "level", "achievement"), [
    ("较满意", 9.0, "met", 0.9),
    ("一般", 7.0, "partly", 0.7),
    ("较差", 3.0, "not_met", 0.3),
    ("基本达成", np.nan, "partly", 0.6),  # no score: the lower bound of partly
])
def test_level_read_from_words_is_flagged(actual, score, level, achievement):
    o = obs((*SOC, "x", "群众认可", actual, 10), (*OUT, "y", "≥1", "1", 80), score=[score, np.nan])
    res = quiet("project_self", o, budget())
    x = row_of(res, "x")
    assert x["achievement"] == pytest.approx(achievement) and "level_from_words" in x["flags"]
    assert ("level_from_words", "warning") in codes_at(res, 2)
    frame, _ = pe.targets.parse_observations(o)
    assert frame["level"].iat[0] == level


@pytest.mark.parametrize(("score", "level", "achievement"), [(10, "met", 1.0), (8, "met", 0.8), (7.9, "partly", 0.79),
                                                             (6, "partly", 0.6), (5.5, "not_met", 0.55)])
def test_level_read_from_the_claimed_score_band(score, level, achievement):
    # 健全 / 基本健全 are no level words: the claimed score's band gives the level (met [8, 10], partly [6, 8))
    o = obs((*SOC, "x", "健全", "基本健全", 10), (*OUT, "y", "≥1", "1", 80), score=[score, np.nan])
    res = quiet("project_self", o, budget())
    x = row_of(res, "x")
    assert x["achievement"] == pytest.approx(achievement) and "level_from_score" in x["flags"]
    assert codes_at(res, 2) == [("level_from_score", "warning")]
    assert level in next(p.message for p in res.problems if p.code == "level_from_score")


def test_only_a_row_with_neither_usable_text_nor_a_score_is_an_error():
    o = obs((*SOC, "x", "健全", "基本健全", 10), (*OUT, "y", "≥1", "1", 80))
    with pytest.raises(InputError) as err:
        quiet("project_self", o, budget())
    assert [(p.location, p.code) for p in err.value.problems] == [("f.csv:2:level", "missing_level")]


def test_words_and_a_score_in_another_band_warn_and_keep_the_score():
    """一般 says partly, 9 of 10 is in the met band: the unit's score stands (the audit judges it), warned."""
    o = obs((*SOC, "x", "群众认可", "一般", 10), (*OUT, "y", "≥1", "1", 80), score=[9.0, np.nan])
    res = quiet("project_self", o, budget())
    assert row_of(res, "x")["achievement"] == pytest.approx(0.9)
    assert ("score_outside_band", "warning") in codes_at(res, 2)


@pytest.mark.parametrize("level", ["部分达成", "未达成"])
def test_text_actual_on_a_row_with_a_level_is_kept(level):
    """延期1个月 is neither a number nor a level: on a row with a level the level decides, the text is kept."""
    o = obs((*OUT, "x", "2023年6月底前完成", "延期1个月", 10), (*OUT, "y", "≥1", "1", 80), level=[level, None],
            score=[7.0 if level == "部分达成" else 5.0, np.nan])
    o["level"] = o["level"].astype(object)
    res = quiet("project_self", o, budget())
    x = row_of(res, "x")
    assert x["actual"] == "延期1个月" and x["achievement"] == pytest.approx(0.7 if level == "部分达成" else 0.5)
    assert codes_at(res, 2) == []


def test_text_actual_on_a_quantitative_row_without_a_level_is_still_an_error():
    o = obs((*OUT, "x", "≥95%", "延期1个月", 10), (*OUT, "y", "≥1", "1", 80))
    with pytest.raises(InputError, match="unparseable_actual"):
        quiet("project_self", o, budget())


# ---------------------------------------------------------------------------------------------------------------
# not applicable
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("word", ["不适用", "/", "／", "—", "——", "-", "－", "N/A", "n/a", "无", " 不适用 "])
def test_not_applicable_words_drop_the_row_and_rescale(word):
    # x (10 points) drops out; y keeps the slot's 90 points? No: output.quantity shares 90 between x and y, y alone
    # gets all of it and is half met: 0.5 x 90 = 45; + execution 10
    o = obs((*OUT, "x", "≥95%", word, 10), (*OUT, "y", "≥10", "5", 80))
    res = quiet("project_self", o, budget())
    x = row_of(res, "x")
    assert not x["applicable"] and "applicable_from_actual" in x["flags"] and "not_applicable" in x["flags"]
    assert codes_at(res, 2) == [("applicable_from_actual", "warning")]
    assert res.totals["total"].iat[0] == pytest.approx(45 + 10)


@pytest.mark.parametrize("text", ["无延期", "0", "-5%", "无2"])
def test_text_with_a_number_or_more_words_is_not_na(text):
    assert not is_not_applicable(text)


def test_not_applicable_zero_policy_keeps_the_points():
    o = obs((*OUT, "x", "≥95%", "不适用", 10), (*OUT, "y", "≥10", "5", 80))
    res = quiet("project_self", o, budget(), na_policy="zero")
    assert res.totals["total"].iat[0] == pytest.approx(40 + 10)


def _block_form(path: Path, applicable: list | None, header: str = "是否适用") -> Path:
    """A small form with 一级/二级 merged down and, optionally, a 是否适用 column."""
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "项目支出绩效自评表"
    ws["A2"], ws["B2"] = "项目名称", "乡村道路养护"
    ws["D3"], ws["E3"], ws["F3"] = "全年预算数", "全年执行数", "分值"
    ws["A4"], ws["D4"], ws["E4"], ws["F4"] = "年度资金总额", 200, 190, 10
    head = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]
    if applicable is not None:
        head.append(header)
    for c, text in enumerate(head, start=1):
        ws.cell(6, c, text)
    rows = [("产出指标", "数量指标", "养护里程", "≥100公里", "100公里", 45, 45),
            (None, None, "桥梁检查", "≥30座", "／", 20, 20),
            (None, "质量指标", "路况优良率", "≥90％", "90%", 25, 25),
            ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "93%", 0, 0)]
    for r, values in enumerate(rows, start=7):
        for c, v in enumerate(values, start=1):
            if v is not None:
                ws.cell(r, c, v)
        if applicable is not None and applicable[r - 7] is not None:
            ws.cell(r, 8, applicable[r - 7])
    ws.merge_cells("A7:A9")
    ws.merge_cells("B7:B8")
    ws["A11"] = "总分"
    wb.save(path)
    return path


@pytest.mark.parametrize(("applicable", "expected"), [
    (None, [True, False, True, True]),                 # no 是否适用 column: the ／ actual decides
    (["是", "否", "是", None], [True, False, True, True]),
    (["适用", "不适用", "适用", "不适用"], [True, False, True, False]),
])
def test_form_with_and_without_the_applicable_column(tmp_path, applicable, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        form = read_selfeval_form(_block_form(tmp_path / "f.xlsx", applicable))
        res = pe.score("project_self", form.observations, form.budget)
    assert form.observations[C.L1].tolist() == ["产出指标"] * 3 + ["满意度指标"]  # merged cells filled down
    assert form.observations[C.L2].tolist() == ["数量指标", "数量指标", "质量指标", "服务对象满意度指标"]
    applied = res.nodes[res.nodes["name"].isin(form.observations[C.INDICATOR])]["applicable"].tolist()
    assert applied == expected
    # 桥梁检查 (20) drops out; 产出指标 (90 of the rows' 90) is shared by 养护里程 45 and 路况优良率 25 -> scaled
    # by 90/70, both met: 90; execution 190/200 x 10 = 9.5
    assert res.totals["total"].iat[0] == pytest.approx(90 + 9.5)


def test_template_and_writer_have_the_applicable_column(tmp_path):
    ws = load_workbook(blank_form_path()).worksheets[0]
    header = [c.value for c in ws[12]]
    assert "是否适用" in header and header.index("是否适用") == header.index("偏差原因分析及改进措施") + 1
    o = obs((*OUT, "x", "≥95%", "不适用", 10), (*OUT, "y", "≥10", "5", 80), applicable=[False, True]).drop(
        columns=["source_file", "source_row"])
    path = write_selfeval_form(tmp_path / "w.xlsx", unit={"unit_id": "P1"}, observations=o)
    written = load_workbook(path).worksheets[0]
    col = header.index("是否适用") + 1
    assert [written.cell(13, col).value, written.cell(14, col).value] == ["否", "是"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        back = read_selfeval_form(path).observations
    assert back[C.APPLICABLE].tolist() == [False, True]


# ---------------------------------------------------------------------------------------------------------------
# not reported
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("target", "actual"), [("≥95%", None), ("≥95%", ""), ("≥95%", "  "), ("有效提升", None)])
def test_an_empty_actual_is_not_reported(target, actual):
    o = obs((*OUT, "x", target, actual, 10), (*OUT, "y", "≥1", "1", 80), score=[10.0, np.nan])
    with pytest.warns(DataQualityWarning, match="not_reported"):
        res = pe.score("project_self", o, budget())
    x = row_of(res, "x")
    assert x["score"] == 0 and x["flags"] == "not_reported"
    assert codes_at(res, 2) == [("not_reported", "warning")]
    message = next(p.message for p in res.problems if p.code == "not_reported")
    assert "not reported" in message and "实际完成值" in message
    assert res.totals["total"].iat[0] == pytest.approx(80 + 10)


def test_narrative_drafts_not_reported_in_chinese_and_english():
    o = obs((*OUT, "培训人次", "≥1000人次", None, 10), (*OUT, "合格率", "≥90%", "80%", 80))
    res = quiet("project_self", o, budget())
    drafts = draft_problems("P1", score=res)
    by_code = {d.code: d for d in drafts}
    assert by_code["not_reported"].zh == "“培训人次”未填报实际完成值：指标值≥1000人次，无法判断是否完成，按0分计（分值10分）。"
    assert by_code["not_reported"].en == ("“培训人次” was not reported: target ≥1000人次, no actual value given, so it "
                                          "scores 0 (of 10 points).")
    assert by_code["missed_target"].zh.startswith("“合格率”未完成年度指标值")
    recs = {r.code: r for r in draft_recommendations(drafts)}
    assert "补充填报“培训人次”的实际完成值" in recs["not_reported"].zh
    assert "Report the actual value of “培训人次”" in recs["not_reported"].en


# ---------------------------------------------------------------------------------------------------------------
# targets inside names, comparators, bare values, points to 110
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "target"), [("年度资金支付完成率100%", "100%"), ("工程质量合格", "合格"),
                                              ("培训人数≥200人", ">=200人"), ("资金拨付及时", "及时"),
                                              ("培训人次", None), ("满意度", None), ("2023年培训", None)])
def test_target_in_name(name, target):
    assert target_in_name(name) == target


@pytest.mark.parametrize(("name", "l2"), [("年度资金支付完成率100%", "数量指标"), ("工程质量合格", "质量指标")])
def test_a_target_in_the_name_with_empty_cells_scores_full(name, l2):
    o = obs(("产出指标", l2, name, None, None, 10), (*OUT, "y", "≥10", "5", 80), score=[6.0, np.nan])
    res = quiet("project_self", o, budget())
    x = row_of(res, name)
    assert x["score"] == pytest.approx(10.0) and "target_in_name" in x["flags"]
    assert codes_at(res, 2) == [("target_in_name", "warning")]
    assert res.totals["total"].iat[0] == pytest.approx(10 + 40 + 10)


def test_a_name_without_a_target_and_empty_cells_is_still_missing_target():
    o = obs((*OUT, "培训人次", None, None, 10), (*OUT, "y", "≥10", "5", 80))
    with pytest.raises(InputError, match="missing_target"):
        quiet("project_self", o, budget())


@pytest.mark.parametrize(("target", "actual", "achievement"), [
    ("≧90%", "81%", 0.9), ("═0", "0", 1.0), ("＝100%", "95%", 0.95), (">=90%", "99%", 1.0), ("≥ 90 ％", "90％", 1.0),
    ("95%", "76%", 0.8), ("100", "80", 0.8), ("≦5天", "5天", 1.0),
])
def test_comparators_and_bare_values(target, actual, achievement):
    o = obs((*OUT, "x", target, actual, 10), (*OUT, "y", "≥1", "1", 80))
    res = quiet("project_self", o, budget())
    assert row_of(res, "x")["achievement"] == pytest.approx(achievement)


@pytest.mark.parametrize(("target", "actual", "achievement"), [
    ("75元", "60元", 1.0), ("75元", "90元", 0.8), ("20万元", "19.5万元", 1.0), ("20万元", "210000元", 0.95),
])
def test_bare_cost_values_in_yuan_and_wan_yuan_are_ceilings(target, actual, achievement):
    """Cost rows: a bare value is a ceiling (<=, PMKPI linear: 1 - (a - t) / t); 元 converted to 万元."""
    o = obs(("产出指标", "成本指标", "x", target, actual, 10), (*OUT, "y", "≥1", "1", 80))
    res = quiet("project_self", o, budget())
    x = row_of(res, "x")
    assert x["achievement"] == pytest.approx(achievement) and "bare_target" in x["flags"]


def _points_to_100() -> pd.DataFrame:
    return obs((*OUT, "a", "≥10", "10", 50), (*SOC, "b", "≥10", "5", 30), (*SAT, "c", "≥90%", "90%", 20))


def test_points_adding_to_100_are_rescaled_to_90():
    with pytest.warns(DataQualityWarning, match="points_rescaled"):
        res = pe.score("project_self", _points_to_100(), budget(95.0))
    # rows scaled by 90/100: a 45 (met), b 27 x 0.5, c 18 (met); execution 9.5
    assert res.totals["total"].iat[0] == pytest.approx(45 + 13.5 + 18 + 9.5)
    assert row_of(res, "b")["points"] == pytest.approx(27.0)
    p = next(p for p in res.problems if p.code == "points_rescaled")
    assert p.location == "f.csv:unit P1" and p.severity == "warning"
    assert p.message == ("unit 'P1': the indicator points sum to 100 (110 with the 10 fixed points), not 90: each "
                         "is scaled by 90/100 so the unit is scored out of 100 (points_policy='rescale'; 'as_given' "
                         "keeps the points)")
    assert "points_rescaled" in res.totals["flags"].iat[0] and res.policy["points_policy"] == "rescale"


def test_points_as_given():
    res = quiet("project_self", _points_to_100(), budget(95.0), points_policy="as_given")
    assert res.totals["total"].iat[0] == pytest.approx(50 + 15 + 20 + 9.5)
    assert "points_rescaled" not in {p.code for p in res.problems}
    assert "points_sum" in {p.code for p in res.problems}
    with pytest.raises(ValueError, match="`points_policy` must be one of rescale, as_given"):
        pe.score("project_self", _points_to_100(), budget(), points_policy="scale")


def test_points_policy_claims_carry_to_the_rescaled_points():
    o = _points_to_100().assign(score=[50.0, 15.0, 20.0])
    res = quiet("project_self", o, budget(95.0))
    assert row_of(res, "a")["claimed_score"] == 50.0  # a leaf shows its claim as written
    output = res.nodes[res.nodes["node_code"] == "output"].iloc[0]
    assert output["claimed_score"] == pytest.approx(45.0) and output["score"] == pytest.approx(45.0)


def test_write_selfeval_form_takes_a_plain_unit_id(tmp_path):
    o = obs((*OUT, "x", "≥1", "1", 90)).drop(columns=["unit_id", "source_file", "source_row"])
    path = write_selfeval_form(tmp_path / "w.xlsx", unit="2023001", observations=o)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        form = read_selfeval_form(path)
    assert form.unit["unit_id"] == "2023001" and form.observations[C.UNIT_ID].tolist() == ["2023001"]
    with pytest.raises(ValueError, match="`unit` must be a unit id"):
        write_selfeval_form(tmp_path / "x.xlsx", unit=["2023001"], observations=o)


def _three_column_form(path: Path) -> Path:
    """The layout that prints comparator, value and unit in three columns (指标性质 | 指标值 | 度量单位)."""
    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["A2"], ws["B2"] = "项目支出绩效自评表", "项目名称", "职业技能培训"
    ws["D3"], ws["E3"], ws["F3"] = "全年预算数", "全年执行数", "分值"
    ws["A4"], ws["D4"], ws["E4"], ws["F4"] = "年度资金总额", "1,000,000", "900,000", 10
    head = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "实际完成值", "分值", "得分"]
    for c, text in enumerate(head, start=1):
        ws.cell(6, c, text)
    rows = [("产出指标", "数量指标", "培训人次", "≧", "1,000", "人次", "1200", 30, 30),
            (None, "质量指标", "考核合格率", "＝", "100", "%", "95", 20, 19),
            (None, "成本指标", "人均培训成本", "≤", "1500", "元", "1650", 10, 10),
            (None, "时效指标", "按期开班", "定性", "按时完成", None, "按时完成", 10, 10),
            ("效益指标", "社会效益指标", "就业率", ">=", "80", "%", "60", 20, 20),
            ("满意度指标", "服务对象满意度指标", "学员满意度", "≥", "90", "%", "93", 10, 9)]
    for r, values in enumerate(rows, start=7):
        for c, v in enumerate(values, start=1):
            if v is not None:
                ws.cell(r, c, v)
    ws.merge_cells("A7:A10")
    ws["A13"] = "总分"
    wb.save(path)
    return path


def test_three_column_layout(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        form = read_selfeval_form(_three_column_form(tmp_path / "f.xlsx"))
        o = form.observations
        res = pe.score("project_self", o, form.budget)
    assert o[C.OP].tolist() == [">=", "=", "<=", "qualitative", ">=", ">="]
    assert o[C.UNIT].tolist()[:3] == ["人次", "%", "元"]
    # points 100 -> x0.9: 培训人次 27 (1200 >= 1000), 考核合格率 18 x 0.95, 人均培训成本 9 x (1 - 150/1500),
    # 按期开班 9 x 10/10 (level_from_text), 就业率 18 x 60/80, 学员满意度 9 (93 >= 90); execution 0.9 x 10
    expected = 27 + 18 * 0.95 + 9 * 0.9 + 9 + 18 * 0.75 + 9 + 9
    assert res.totals["total"].iat[0] == pytest.approx(expected)


# ---------------------------------------------------------------------------------------------------------------
# acceptance: a form modelled on the published ones
# ---------------------------------------------------------------------------------------------------------------
#: (一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分, expected achievement, expected flags on the row)
PUBLISHED_ROWS = [
    ("产出指标", "数量指标", "道路提升里程", "≧20公里", "21公里", 10, 10, 1.0, ""),
    (None, None, "培训人次", "100", "120", 5, 5, 1.0, "bare_target"),
    (None, None, "年度资金支付完成率100%", None, None, 10, 10, 1.0, "target_in_name"),
    (None, "质量指标", "工程质量合格", None, None, 10, 10, 1.0, "target_in_name"),
    (None, None, "验收合格率", "95%", "93%", 5, 4, 93 / 95, "bare_target"),
    (None, None, "路面平整度达标率", "＝100%", "100%", 5, 5, 1.0, ""),
    (None, "时效指标", "完工及时性", "按时完成", "按时完成", 5, 5, 1.0, "level_from_text"),
    (None, "成本指标", "每公里提升成本", "20万元", "19.5万元", 5, 5, 1.0, "bare_target"),
    (None, None, "单位宣传品成本", "75元", "80元", 5, 5, 1 - 5 / 75, "bare_target"),
    (None, None, "……", None, None, None, None, None, None),  # placeholder row left in the table
    ("效益指标", "社会效益指标", "群众出行条件", "显著提升", "显著提升", 10, 10, 1.0, "level_from_text"),
    (None, None, "道路通行安全", "有效", "有效", 10, 8, 0.8, "level_from_text"),
    (None, "可持续影响指标", "管护机制", "健全", "基本健全", 5, 3.5, 0.7, "level_from_score"),
    (None, "经济效益指标", "事故发生率", "═0", "0", 5, 5, 1.0, ""),
    ("满意度指标", "服务对象满意度指标", "沿线群众满意度", ">=90%", "96%", 10, 10, 1.0, ""),
]


def _published(path: Path) -> Path:
    """A form like the published ones: title with the year, amounts in 元, no 项目编码, no 完成等级, merged 一级 and
    二级 cells, indicator points adding up to 100 (110 with execution), a placeholder row, total and grade."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = "项目支出绩效自评表"
    ws.merge_cells("A1:I1")
    ws["A2"] = "（2022年度）"
    ws.merge_cells("A2:I2")
    ws["A3"], ws["B3"], ws["F3"], ws["G3"] = "项目名称", "农村道路提升工程", "主管部门", "某县交通运输局"
    ws.merge_cells("B3:E3")
    ws.merge_cells("G3:I3")
    ws["A4"], ws["B4"] = "实施单位", "某县公路事业发展中心"
    ws["A5"] = "项目资金（元）"
    ws.merge_cells("A5:A8")
    for col, head in zip("DEFGHI", ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")):
        ws[f"{col}5"] = head
    for r, (label, values) in enumerate((("年度资金总额", (1000000, 1200000, 1140000, 10, "95%", 9.5)),
                                         ("其中：当年财政拨款", (1000000, 1200000, 1140000, "—", "—", "—")),
                                         ("上年结转资金", ("/", "/", "/", "—", "—", "—")),
                                         ("其他资金", ("/", "/", "/", "—", "—", "—"))), start=6):
        ws[f"B{r}"] = label
        ws.merge_cells(f"B{r}:C{r}")
        for col, v in zip("DEFGHI", values):
            ws[f"{col}{r}"] = v
    ws["A9"], ws["B9"], ws["F9"] = "年度总体目标", "预期目标", "实际完成情况"
    ws["B10"], ws["F10"] = "提升农村道路20公里，改善群众出行条件", "提升21公里，群众出行条件显著改善"
    ws.merge_cells("A9:A10")
    ws.merge_cells("B10:E10")
    ws.merge_cells("F10:I10")
    head = ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
            "偏差原因分析及改进措施"]
    for c, text in enumerate(head, start=1):
        ws.cell(11, c, text)
    first = 12
    for i, (l1, l2, name, target, actual, pts, score, *_) in enumerate(PUBLISHED_ROWS):
        for col, v in zip("BCDEFGH", (l1, l2, name, target, actual, pts, score)):
            if v is not None:
                ws[f"{col}{first + i}"] = v
    last = first + len(PUBLISHED_ROWS) - 1
    ws.merge_cells(f"A11:A{last}")
    starts = [first + i for i, r in enumerate(PUBLISHED_ROWS) if r[0]] + [last + 1]
    for a, b in zip(starts, starts[1:]):
        if b - 1 > a:
            ws.merge_cells(f"B{a}:B{b - 1}")
    l2_starts = [first + i for i, r in enumerate(PUBLISHED_ROWS) if r[1]] + [last + 1]
    for a, b in zip(l2_starts, l2_starts[1:]):
        if b - 1 > a:
            ws.merge_cells(f"C{a}:C{b - 1}")
    ws[f"A{last + 1}"], ws[f"G{last + 1}"], ws[f"H{last + 1}"] = "总分", 110, 105
    ws.merge_cells(f"A{last + 1}:F{last + 1}")
    ws[f"A{last + 2}"], ws[f"G{last + 2}"] = "自评等级", "优"
    ws.merge_cells(f"A{last + 2}:F{last + 2}")
    ws[f"A{last + 3}"] = "填表说明：定性指标实际完成值填写完成情况。"
    wb.save(path)
    return path


def _published_total() -> float:
    """The total by hand: each row's achievement x its points x 90/100, plus execution 1140000/1200000 x 10."""
    rows = [r for r in PUBLISHED_ROWS if r[7] is not None]
    assert sum(r[5] for r in rows) == 100
    indicators = sum(r[7] * r[5] for r in rows) * 90 / 100
    # 10 + 5 + 10 + 10 + 5 x 93/95 + 5 + 5 + 5 + 5 x (1 - 5/75) + 10 + 8 + 3.5 + 5 + 10 = 96.0614... x 0.9
    assert indicators == pytest.approx(86.45526315789474)
    return indicators + 1140000 / 1200000 * 10


def test_acceptance_published_form_reads_and_scores(tmp_path):
    path = _published(tmp_path / "农村道路提升工程.xlsx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        form = read_selfeval_form(path)
    o = form.observations
    rows = [r for r in PUBLISHED_ROWS if r[7] is not None]
    assert o[C.INDICATOR].tolist() == [r[2] for r in rows]  # the placeholder row is dropped
    assert o[C.L1].tolist() == ["产出指标"] * 9 + ["效益指标"] * 4 + ["满意度指标"]
    assert o[C.L2].tolist()[:3] == ["数量指标"] * 3 and o[C.L2].tolist()[10] == "社会效益指标"
    assert form.unit["unit_id"] == "农村道路提升工程" and form.unit["year"] == 2022
    assert form.claimed_total == 105 and form.claimed_grade == "优"
    assert form.budget[C.BUDGET_FULL_YEAR].iat[0] == 1200000 and form.budget[C.EXECUTED].iat[0] == 1140000

    with pytest.warns(DataQualityWarning) as caught:
        res = pe.score("project_self", o, form.budget)
    summary = str(caught[-1].message)
    for code in ("target_in_name", "level_from_text", "level_from_score", "bare_target", "points_rescaled",
                 "points_sum"):
        assert code in summary
    total = _published_total()
    assert res.totals["total"].iat[0] == pytest.approx(total) and res.totals["grade"].iat[0] == "优"
    leaves = res.nodes[res.nodes["source_row"].notna()].set_index("name", drop=False)
    assert sorted(leaves["name"]) == sorted(r[2] for r in rows)
    for r in rows:
        row = leaves.loc[r[2]]
        assert row["achievement"] == pytest.approx(r[7]), r[2]
        assert row["points"] == pytest.approx(r[5] * 0.9), r[2]
        for flag in filter(None, r[8].split(";")):
            assert flag in row["flags"].split(";"), (r[2], row["flags"])
    # every doubtful row is flagged: those with an inferred level, a target in the name, a bare value
    doubtful = {r[2] for r in rows if r[8]}
    flagged_rows = {p.location.split(":")[1] for p in res.problems if p.code in (
        "target_in_name", "level_from_text", "level_from_score", "bare_target")}
    assert flagged_rows == {str(int(s)) for s, n in zip(leaves["source_row"], leaves["name"]) if n in doubtful}
    assert not [p for p in res.problems if p.severity == "error"]


def test_acceptance_published_form_through_the_cli(tmp_path, capsys):
    folder = tmp_path / "forms"
    folder.mkdir()
    _published(folder / "农村道路提升工程.xlsx")
    code = main(["score", "--framework", "project_self", "--data", str(folder), "--decimals", "-1"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    lines = captured.out.lstrip("\ufeff").splitlines()
    head, row = lines[0].split(","), lines[1].split(",")
    assert row[head.index("项目编码")] == "农村道路提升工程"  # the table a finance department reads: Chinese headers
    assert float(row[head.index("总分")]) == pytest.approx(_published_total())
    assert float(row[head.index("预算执行率")]) == pytest.approx(0.95)
    assert "points_rescaled" in captured.err and "target_in_name" in captured.err
    code = main(["score", "--framework", "project_self", "--data", str(folder), "--decimals", "-1",
                 "--points-policy", "as_given"])
    out = capsys.readouterr().out.lstrip("\ufeff").splitlines()
    as_given = float(out[1].split(",")[head.index("总分")])
    assert code == 0 and as_given == pytest.approx(86.45526315789474 / 0.9 + 9.5)


def test_a_result_word_in_a_score_sheet_name_is_no_target():
    """A score sheet's row (node_code, score) is judged by its score: a name ending in 规范 carries no target."""
    sheet = pd.DataFrame({"unit_id": ["K1"], "node_code": ["decision.approval.procedure"],
                          "indicator": ["立项程序规范"], "score": [1.5]})
    res = quiet("project_key", sheet)
    nodes = res.nodes.set_index("node_code")
    assert nodes.loc["decision.approval.procedure", "score"] == pytest.approx(1.5)
    assert not [p for p in res.problems if p.code == "target_in_name"]
    assert not res.nodes["flags"].fillna("").str.contains("target_in_name").any()


def test_na_word_on_a_row_marked_not_applicable_is_not_warned_twice():
    o = obs((*OUT, "x", "≥95%", "不适用", 10), (*OUT, "y", "≥10", "5", 80), applicable=["否", "是"])
    res = quiet("project_self", o, budget())
    x = row_of(res, "x")
    assert not x["applicable"] and x["flags"] == "not_applicable"
    assert codes_at(res, 2) == []


def test_placeholder_rows_are_dropped(tmp_path):
    """Lines of the printed table left unfilled: 指标2 with nothing else, / in every cell, …… ."""
    path = _block_form(tmp_path / "f.xlsx", None)
    wb = load_workbook(path)
    ws = wb.active
    ws.insert_rows(10, 3)
    for c, v in enumerate((None, None, "指标2"), start=1):
        if v:
            ws.cell(10, c, v)
    for c in range(3, 8):
        ws.cell(11, c, "/")
    ws.cell(12, 3, "…… ")
    wb.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        form = read_selfeval_form(path)
    assert form.observations[C.INDICATOR].tolist() == ["养护里程", "桥梁检查", "路况优良率", "群众满意度"]
