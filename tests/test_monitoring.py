"""Dual monitoring traffic lights (perfeval.monitoring): rules of PMKPI PERF_T_WARNSET (domain.md §4)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfeval.errors import InputError
from perfeval.monitoring import ACTIONS, MonitoringResult, lights, read_monitoring

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "province"

OBS = pd.DataFrame({
    "unit_id": ["P1"] * 6,
    "indicator": ["人次", "成本", "事故", "合格率", "质量", "无目标"],
    "target": ["≥1200人次", "≤100万元", "=0", "=100%", "按时完成", None],
})


def _mon(month, **values):
    """Monitoring rows of unit P1 at ``month`` (keyword = line, value = cumulative value)."""
    return pd.DataFrame({"unit_id": "P1", "month": month, "indicator": list(values), "value": list(values.values())})


def _light(result: MonitoringResult, line: str) -> pd.Series:
    return result.lights.set_index("indicator").loc[line]


def _budget(amount=100.0, column="budget_full_year"):
    return pd.DataFrame({"unit_id": ["P1"], column: [amount]})


# --- budget-execution light (bgttracewarn) ----------------------------------------------------------------------
@pytest.mark.parametrize("executed, colour", [(59.99, "red"), (60, "yellow"), (79.99, "yellow"), (80, "green"),
                                              (150, "green"), (0, "red")])
def test_budget_light_boundaries_month_12(executed, colour):
    """red v < 60, yellow [60, 80), green >= 80 (PMKPI bgttracewarn); month 12: v = executed / budget x 100."""
    r = lights(_mon(12, budget=executed), OBS, _budget())
    row = _light(r, "budget")
    assert row["colour"] == colour
    assert row["ratio"] == pytest.approx(executed)
    assert row["time_progress"] == 1.0


@pytest.mark.parametrize("month, executed, colour", [(1, 5.99, "red"), (1, 6, "yellow"), (1, 8, "green"),
                                                     (6, 30, "yellow"), (6, 40, "green"), (9, 44.99, "red")])
def test_budget_light_pro_rated_by_month(month, executed, colour):
    """v = (executed / budget) / (month / 12) x 100: month 1 of a 120 budget expects 10; exactly 60 % is yellow."""
    r = lights(_mon(month, budget=executed), OBS, _budget(120.0 if month == 1 else 100.0))
    assert _light(r, "budget")["colour"] == colour


def test_budget_light_exactly_on_an_edge_in_decimals():
    """(59.5 / 170) / (7 / 12) x 100 is exactly 60 but about 59.99999999999999 in binary: still yellow. Over every
    budget 1..399 and month whose 60 / 80 / 120 % amount has two decimals, no edge is lost to float noise."""
    r = lights(_mon(7, budget=59.5), OBS, _budget(170.0))
    assert _light(r, "budget")["colour"] == "yellow"
    cases = [(a, m, share) for a in range(1, 400) for m in range(1, 13) for share in (60, 80, 120)
             if Decimal(share * a * m) / 1200 == (Decimal(share * a * m) / 1200).quantize(Decimal("0.01"))]
    ids = [f"U{i}" for i in range(len(cases))]
    obs = pd.DataFrame({"unit_id": ids, "indicator": "人次", "target": [f"≥{a}" for a, _, _ in cases]})
    mon = pd.DataFrame({"unit_id": ids, "month": [m for _, m, _ in cases], "indicator": "人次",
                        "value": [float(Decimal(share * a * m) / 1200) for a, m, share in cases]})
    lit = lights(mon, obs, month=12).lights.set_index("unit_id").loc[ids]
    assert len(cases) > 10_000
    assert lit["colour"].tolist() == [{60: "yellow", 80: "green", 120: "blue"}[share] for _, _, share in cases]


def test_budget_denominator_is_a_policy_choice():
    bud = pd.DataFrame({"unit_id": ["P1"], "budget_full_year": [100.0], "budget_adjusted": [200.0]})
    r = lights(_mon(12, budget=100), OBS, bud, rules={"budget": {"denominator": "budget_adjusted"}})
    assert _light(r, "budget")["ratio"] == 50.0 and r.policy["denominator"] == "budget_adjusted"
    with pytest.raises(InputError, match="`budget` needs columns unit_id and budget_initial"):
        lights(_mon(12, budget=100), OBS, bud, rules={"budget": {"denominator": "budget_initial"}})


def test_zero_and_missing_budget():
    """PMKPI: executed / budget is 0 when the budget is 0 or null, hence red; the `none` policy gives no light."""
    r = lights(_mon(6, budget=0), OBS, _budget(0.0))
    row = _light(r, "budget")
    assert (row["colour"], row["ratio"], row["flags"]) == ("red", 0.0, "zero_budget")
    r = lights(_mon(6, budget=10), OBS, None)
    assert (_light(r, "budget")["colour"], _light(r, "budget")["flags"]) == ("red", "no_budget")
    r = lights(_mon(6, budget=0), OBS, _budget(0.0), rules={"budget": {"zero_budget": "none"}})
    assert _light(r, "budget")["colour"] is None
    assert r.units.loc[0, "budget_normal"] is None and r.units.loc[0, "combined_colour"] is None


# --- indicator lights ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("actual, colour", [(599.99, "red"), (600, "yellow"), (799.99, "yellow"), (800, "green"),
                                            (1199.99, "green"), (1200, "blue"), (5000, "blue")])
def test_positive_indicator_boundaries_month_12(actual, colour):
    """positiveindex: red < 60, yellow [60, 80), green [80, 120), blue >= 120 of the pro-rated target (1000)."""
    obs = pd.DataFrame({"unit_id": ["P1"], "indicator": ["人次"], "target": ["≥1000"]})
    r = lights(_mon(12, 人次=actual), obs)
    assert _light(r, "人次")["colour"] == colour


@pytest.mark.parametrize("actual, colour", [(59.99, "red"), (60, "yellow"), (80, "green"), (120, "blue")])
def test_positive_indicator_month_1(actual, colour):
    """Month 1 pro-rates a 1200 target to 100."""
    r = lights(_mon(1, 人次=actual), OBS)
    row = _light(r, "人次")
    assert row["expected"] == 100.0 and row["colour"] == colour


def test_reverse_indicator_is_not_pro_rated():
    """reverseindex: green when actual <= target, else red; `reverse_strict` uses <."""
    assert _light(lights(_mon(3, 成本=100), OBS), "成本")["colour"] == "green"
    assert _light(lights(_mon(3, 成本=100.01), OBS), "成本")["colour"] == "red"
    strict = lights(_mon(3, 成本=100), OBS, rules={"indicators": {"reverse_strict": True}})
    assert _light(strict, "成本")["colour"] == "red"


def test_equality_indicators():
    """traceindexequalzero: green when actual == 0; non-zero targets exact (default) or pro-rated."""
    assert _light(lights(_mon(6, 事故=0), OBS), "事故")["colour"] == "green"
    assert _light(lights(_mon(6, 事故=1), OBS), "事故")["colour"] == "red"
    tol = lights(_mon(6, 事故=0.5), OBS, rules={"indicators": {"equality_tolerance": 0.5}})
    assert _light(tol, "事故")["colour"] == "green"
    row = _light(lights(_mon(6, 合格率=50), OBS), "合格率")
    assert (row["expected"], row["colour"], row["forecast_value"]) == (100.0, "red", 50.0)
    assert _light(lights(_mon(6, 合格率=100), OBS), "合格率")["colour"] == "green"
    prorated = lights(_mon(6, 合格率=50), OBS, rules={"indicators": {"equality_nonzero": "positive",
                                                                      "prorate_percent": True}})
    row = _light(prorated, "合格率")
    assert (row["expected"], row["colour"], row["forecast_value"]) == (50.0, "green", 100.0)


def test_a_standard_is_not_pro_rated():
    """补助标准 = 690 元/生 paid at 690 in August is on target, not blue (over-achieved) against a pro-rated 460."""
    obs = pd.DataFrame({"unit_id": ["P1"], "indicator": ["生均公用经费基准定额"], "target": ["=690元/生"]})
    row = _light(lights(_mon(8, 生均公用经费基准定额=690), obs), "生均公用经费基准定额")
    assert (row["colour"], row["action_code"], row["forecast_colour"]) == ("green", "none", "green")


@pytest.mark.parametrize("level, colour", [("met", "green"), ("部分达成", "yellow"), ("未达成年度指标且效果较差", "red")])
def test_qualitative_indicator_by_level(level, colour):
    assert _light(lights(_mon(6, 质量=level), OBS), "质量")["colour"] == colour


def test_indicator_without_a_target_gets_no_light():
    r = lights(_mon(6, 人次=600, 无目标=5), OBS)
    row = _light(r, "无目标")
    assert row["colour"] is None and row["flags"] == "no_target" and row["action_code"] == "none"
    assert r.units.loc[0, "goal_colour"] == "green" and r.units.loc[0, "n_unlit"] >= 1


def test_unreadable_target_is_a_warning_and_no_light():
    obs = pd.DataFrame({"unit_id": ["P1", "P1"], "indicator": ["甲", "乙"], "target": ["≥10", "10-20个"]})
    r = lights(_mon(6, 甲=5, 乙=5), obs)
    assert _light(r, "乙")["colour"] is None
    assert [p.code for p in r.problems] == ["unparseable_target"]
    assert r.problems[0].severity == "warning" and r.problems[0].location == "observations:3:target"


def test_indicator_not_reported():
    r = lights(_mon(6, 人次=600), OBS)
    row = _light(r, "成本")
    assert row["colour"] is None and row["flags"] == "not_reported" and pd.isna(row["month"])


def test_planned_progress_row_and_curve():
    """A planned share replaces month / 12 (quarterly milestones; domain.md §4)."""
    mon = _mon(6, 人次=240).assign(planned=0.25)
    row = _light(lights(mon, OBS), "人次")
    assert (row["progress_basis"], row["expected"], row["ratio"], row["colour"]) == ("planned", 300.0, 80.0, "green")
    curve = {"time_progress": {"planned_curve": {3: 0.1, 6: 0.25, 9: 0.6, 12: 1.0}}}
    row = _light(lights(_mon(6, 人次=240), OBS, rules=curve), "人次")
    assert (row["progress_basis"], row["time_progress"], row["colour"]) == ("curve", 0.25, "green")
    row = _light(lights(_mon(6, 人次=240).assign(planned=0.0), OBS), "人次")
    assert row["colour"] == "green"  # nothing due yet


def test_percent_indicators_pro_rated_or_not():
    obs = pd.DataFrame({"unit_id": ["P1"], "indicator": ["满意度"], "target": ["≥95%"]})
    pmkpi = lights(_mon(6, 满意度="90%"), obs, rules={"indicators": {"prorate_percent": True}})
    assert _light(pmkpi, "满意度")["colour"] == "blue"  # PMKPI pro-rates everything
    r = lights(_mon(6, 满意度=90), obs)  # the default: a rate is compared as it stands
    row = _light(r, "满意度")
    assert (row["expected"], row["colour"], row["forecast_value"]) == (95.0, "green", 90.0)


# --- roll-ups -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("values, goal", [
    ({"人次": 1500, "成本": 10}, "green"),              # blue + green -> green
    ({"人次": 1500}, "blue"),
    ({"人次": 900, "成本": 10, "质量": "met"}, "yellow"),
    ({"人次": 100, "成本": 10, "质量": "部分达成"}, "red"),
])
def test_goal_light_is_the_worst_colour(values, goal):
    """goalwarn priority red > yellow > green > blue."""
    assert lights(_mon(12, budget=90, **values), OBS, _budget()).units.loc[0, "goal_colour"] == goal


@pytest.mark.parametrize("executed, forecast, combined", [
    (90, None, "green"), (70, None, "green"), (90, "unlikely", "yellow"), (50, None, "red"), (50, "likely", "red")])
def test_two_flag_light(executed, forecast, combined):
    """Hefei depttracewarn: normal + attainable green, normal + not attainable yellow, not normal red."""
    mon = _mon(12, budget=executed, 人次=1000).assign(forecast=[None, forecast])
    u = lights(mon, OBS, _budget()).units.iloc[0]
    assert u["combined_colour"] == combined
    assert u["attainable_basis"] == ("reported" if forecast else "forecast")


def test_forecast_pace_and_last():
    r = lights(_mon(6, budget=30, 人次=500, 成本=60), OBS, _budget())
    assert _light(r, "人次")["forecast_value"] == 1000.0 and _light(r, "人次")["forecast_met"] is True
    u = r.units.iloc[0]
    assert (u["forecast_execution_share"], u["expected_balance"]) == (0.6, 40.0)
    r = lights(_mon(6, 人次=400), OBS)
    assert _light(r, "人次")["forecast_value"] == 800.0 and _light(r, "人次")["forecast_colour"] == "yellow"
    assert r.units.iloc[0]["targets_attainable"] is False


def test_reverse_and_exact_lines_are_forecast_as_they_stand():
    """A <= line is lit on its value (reverseindex, not pro-rated), so the forecast does not extrapolate it: a
    unit cost or a rate such as 失业率 at 4 % in June is not heading for 8 %."""
    obs = pd.DataFrame({"unit_id": ["P1"] * 3, "indicator": ["失业率", "单位成本", "事故"],
                        "target": ["≤5%", "≤1200元", "=0"]})
    r = lights(_mon(6, 失业率="4%", 单位成本=1114.9, 事故=0), obs)
    assert [_light(r, k)["forecast_value"] for k in ("失业率", "单位成本", "事故")] == [4.0, 1114.9, 0.0]
    assert {_light(r, k)["forecast_colour"] for k in ("失业率", "单位成本", "事故")} == {"green"}
    assert r.units.iloc[0]["targets_attainable"] is True and r.units.iloc[0]["goal_colour"] == "green"
    last = lights(_mon(6, 人次=500), OBS, rules={"forecast": {"method": "last"}})
    assert _light(last, "人次")["forecast_value"] == 500.0
    qual = lights(_mon(6, 质量="部分达成"), OBS)
    assert _light(qual, "质量")["forecast_met"] is True


def test_month_12_forecast_is_the_value():
    r = lights(_mon(12, budget=85, 人次=1100), OBS, _budget())
    assert _light(r, "人次")["forecast_value"] == 1100.0 and _light(r, "budget")["forecast_share"] == 0.85


# --- corrective actions -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("month, values, forecast, line, action", [
    (8, {"budget": 20}, None, "budget", "recover"),          # red, idle after the checkpoint -> 收回
    (8, {"budget": 39.99}, None, "budget", "suspend"),       # red, not idle -> 暂缓或停止拨款
    (8, {"budget": 40}, None, "budget", "correct"),          # exactly 60 % of 8/12: yellow, not red
    (5, {"budget": 10}, None, "budget", "suspend"),          # red before the checkpoint
    (8, {"人次": 200}, None, "人次", "cut"),                  # red, forecast to miss -> 削减或取消
    (8, {"人次": 200}, "likely", "人次", "correct"),          # red but forecast to be met: moderate -> 纠偏
    (6, {"人次": 200}, None, "人次", "suspend"),
    (6, {"人次": 400}, None, "人次", "correct"),              # yellow -> 纠偏
    (6, {"人次": 900}, None, "人次", "review_target"),        # blue
    (6, {"人次": 600}, None, "人次", "none"),
])
def test_corrective_actions(month, values, forecast, line, action):
    mon = _mon(month, **values).assign(forecast=forecast)
    r = lights(mon, OBS, _budget())
    row = _light(r, line)
    assert row["action_code"] == action and row["action"] == ACTIONS[action][0]
    assert r.units.loc[0, "action_code"] == action


def test_month_argument_and_stale_rows():
    mon = pd.concat([_mon(6, budget=50, 人次=600), _mon(9, budget=60)], ignore_index=True)
    r = lights(mon, OBS, _budget(), month=8)
    assert r.month == 8 and _light(r, "budget")["value"] == 50.0
    assert _light(r, "budget")["flags"] == "stale" and _light(r, "budget")["month"] == 6
    assert lights(mon, OBS, _budget()).month == 9
    with pytest.raises(ValueError, match=r"`month` must be an integer in 1..12; got 13"):
        lights(mon, OBS, month=13)
    with pytest.raises(ValueError, match=r"`month` must be an integer in 1..12; got 6.5"):
        lights(mon, OBS, month=6.5)


def test_department_table_counts():
    mon = pd.concat([_mon(12, budget=90, 人次=1000),
                     _mon(12, budget=10).assign(unit_id="P2")], ignore_index=True)
    obs = pd.concat([OBS, OBS.assign(unit_id="P2")], ignore_index=True)
    bud = pd.DataFrame({"unit_id": ["P1", "P2"], "budget_full_year": [100.0, 100.0]})
    units = pd.DataFrame({"unit_id": ["P1", "P2"], "department_id": ["D1", "D1"]})
    r = lights(mon, obs, bud, units=units)
    d = r.departments.set_index("light")
    assert list(r.departments.columns) == ["department_id", "light", "red", "yellow", "green", "blue", "unlit",
                                           "total"]
    assert (d.loc["budget", "green"], d.loc["budget", "red"], d.loc["budget", "total"]) == (1, 1, 2)
    assert d.loc["indicator", "total"] == 12 and d.loc["indicator", "green"] == 1
    assert r.units["department_id"].tolist() == ["D1", "D1"]
    assert "双监控" in r._repr_html_() and "MonitoringResult(month=12" in repr(r)
    assert r.to_frame().equals(r.lights)


def test_department_table_without_units_is_one_explicit_group():
    """The issue's call form lights(monitoring, observations, budget): no department is known, so every unit is
    counted in one group labelled "(no units table)", one row per light kind; a unit missing from `units` is
    counted under "(unknown department)", after the real departments."""
    from perfeval.monitoring import NO_UNITS_TABLE, NOT_IN_UNITS

    mon = pd.concat([_mon(12, budget=90, 人次=1000), _mon(12, budget=10).assign(unit_id="P2")], ignore_index=True)
    obs = pd.concat([OBS, OBS.assign(unit_id="P2")], ignore_index=True)
    bud = pd.DataFrame({"unit_id": ["P1", "P2"], "budget_full_year": [100.0, 100.0]})
    r = lights(mon, obs, bud)
    assert NO_UNITS_TABLE == "(no units table)"
    assert r.departments["department_id"].tolist() == [NO_UNITS_TABLE] * 4
    assert r.departments["light"].tolist() == ["budget", "indicator", "goal", "combined"]
    assert r.departments.set_index("light").loc["budget", "total"] == 2
    assert r.units["department_id"].isna().all()
    no_column = lights(mon, obs, bud, units=pd.DataFrame({"unit_id": ["P1", "P2"]}))
    assert no_column.departments["department_id"].unique().tolist() == [NO_UNITS_TABLE]
    partial = lights(mon, obs, bud, units=pd.DataFrame({"unit_id": ["P2"], "department_id": ["D9"]}))
    assert partial.departments["department_id"].tolist() == ["D9"] * 4 + [NOT_IN_UNITS] * 4
    assert partial.departments.groupby("department_id")["total"].first().to_dict() == {"D9": 1, NOT_IN_UNITS: 1}


# --- errors -------------------------------------------------------------------------------------------------------
def test_monitoring_problems_are_all_located():
    mon = pd.DataFrame({
        "unit_id": ["P1"] * 7,
        "month": [6, 13, 6, 6, 6, 6, 6],
        "indicator": ["budget", "人次", "不存在", "人次", "质量", "成本", "成本"],
        "value": ["abc", 1, 1, 2, "maybe", "12", 3],
        "forecast": [None, None, None, "perhaps", None, None, None],
        "planned": [None, None, None, None, None, 1.5, None],
    })
    with pytest.raises(InputError, match=r"monitoring:3:month: bad_month: month must be an integer 1-12") as err:
        lights(mon, OBS, _budget())
    found = {(p.location, p.code) for p in err.value.problems}
    assert found == {("monitoring:3:month", "bad_month"), ("monitoring:5:forecast", "bad_forecast"),
                     ("monitoring:7:planned", "bad_share"), ("monitoring:8:indicator", "duplicate_row"),
                     ("monitoring:2:value", "bad_value"), ("monitoring:4:indicator", "unknown_indicator"),
                     ("monitoring:6:value", "bad_level")}


def test_bad_indicator_value_and_duplicate_observation():
    with pytest.raises(InputError, match=r"monitoring:2:value: bad_value: expected a number"):
        lights(_mon(6, 人次="many"), OBS)
    obs = pd.concat([OBS, OBS.head(1)], ignore_index=True)
    with pytest.raises(InputError, match=r"observations:8:indicator: duplicate_indicator"):
        lights(_mon(6, 人次=1), obs)


def test_missing_columns_and_empty_input():
    with pytest.raises(InputError, match=r"`monitoring` lacks column\(s\) \['value'\]"):
        lights(_mon(6, 人次=1).drop(columns="value"), OBS)
    with pytest.raises(InputError, match=r"`observations` lacks column\(s\) \['target'\]"):
        lights(_mon(6, 人次=1), OBS.drop(columns="target"))
    with pytest.raises(InputError, match="no_rows: no monitoring rows"):
        lights(_mon(6, 人次=1).iloc[:0], OBS)


def test_invalid_rules_are_reported():
    with pytest.raises(InputError, match=r"<policy>:budget.bands.0: band_gap: gap between 'red' \(max 60\)"):
        lights(_mon(6, 人次=1), OBS, rules={"budget": {"bands": [
            {"label": "green", "min": 80, "max": float("inf")}, {"label": "red", "min": float("-inf"), "max": 60}]}})


# --- files, CLI, plot ---------------------------------------------------------------------------------------------
def _dataset(tmp_path: Path) -> Path:
    d = tmp_path / "ds"
    d.mkdir()
    (d / "indicators.csv").write_text(
        "项目编码,一级指标,三级指标,年度指标值,实际完成值,分值\nP1,产出指标,人次,≥1200人次,,20\nP2,产出指标,人次,≥1200人次,,20\n",
        encoding="utf-8")
    (d / "budget.csv").write_text("unit_id,budget_full_year,executed\nP1,100,90\nP2,100,95\n", encoding="utf-8")
    (d / "units.csv").write_text("unit_id,department_id\nP1,D1\nP2,D2\n", encoding="utf-8")
    (d / "monitoring.csv").write_text(
        "项目编码,月份,三级指标,累计完成值,完成目标可能性\nP1,6,budget,45,\nP1,6,人次,700,能\nP2,6,budget,10,\n"
        "P2,6,人次,100,不能\n", encoding="utf-8")
    return d


def test_read_monitoring_with_chinese_headers(tmp_path):
    mon = read_monitoring(_dataset(tmp_path) / "monitoring.csv")
    assert {"unit_id", "month", "indicator", "value", "forecast", "source_row"} <= set(mon.columns)
    assert mon["month"].tolist() == [6.0] * 4


def test_cli_monitor(tmp_path, capsys):
    from perfeval.cli import main

    d = _dataset(tmp_path)
    out = tmp_path / "lights.csv"
    assert main(["monitor", str(d), "--month", "6", "--lines", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "== units, month 6" in text and "== departments" in text and "纠偏" in text
    assert len(pd.read_csv(out)) == 4


def test_cli_monitor_errors_are_located(tmp_path, capsys):
    from perfeval.cli import main

    d = _dataset(tmp_path)
    (d / "monitoring.csv").write_text("unit_id,month,indicator,value\nP1,6,不存在,1\n", encoding="utf-8")
    assert main(["monitor", str(d)]) == 1
    assert f"{d / 'monitoring.csv'}:2:indicator: unknown_indicator" in capsys.readouterr().err
    assert main(["monitor", str(tmp_path / "none")]) == 1
    assert "file_not_found: no such dataset directory" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:  # a month outside 1-12 is a usage error, like every range
        main(["monitor", str(d), "--month", "0"])
    assert usage.value.code == 2
    assert "argument --month: must be an integer from 1 to 12; got '0'" in capsys.readouterr().err
    rules = tmp_path / "rules.yaml"
    rules.write_text("kind: monitoring\nactions:\n  checkpoint_month: 13\n", encoding="utf-8")
    assert main(["monitor", str(d), "--rules", str(rules)]) == 1
    assert f"{rules}:3: bad_month" in capsys.readouterr().err


def test_cli_monitor_missing_file_and_bad_output(tmp_path, capsys):
    from perfeval.cli import main

    d = _dataset(tmp_path)
    (d / "monitoring.csv").unlink()
    assert main(["monitor", str(d)]) == 1
    assert f"{d / 'monitoring.csv'}: file_not_found: the dataset has no monitoring.csv" in capsys.readouterr().err
    (tmp_path / "second").mkdir()
    d2 = _dataset(tmp_path / "second")
    assert main(["monitor", str(d2), "--out", str(tmp_path / "lights.json")]) == 1
    assert "lights.json: bad_output: `path` must end in .csv, .txt, .tsv or .xlsx" in capsys.readouterr().err


def test_cli_prints_input_warnings_once(tmp_path, capsys):
    from perfeval.cli import main

    d = _dataset(tmp_path)
    (d / "budget.csv").write_text("unit_id,budget_full_year,executed\nP1,100,190\nP2,100,95\n", encoding="utf-8")
    (d / "indicators.csv").write_text((d / "indicators.csv").read_text(encoding="utf-8")
                                      .replace("P2,产出指标,人次,≥1200人次", "P2,产出指标,人次,10-20个"), encoding="utf-8")
    assert main(["monitor", str(d)]) == 0
    err = capsys.readouterr().err
    assert err.count("warning: DataQualityWarning: executed above the full-year budget") == 1
    assert f"{d / 'indicators.csv'}:3:年度指标值: unparseable_target: warning:" in err


def test_lights_plot():
    import matplotlib

    matplotlib.use("Agg")
    from perfeval.plotting.monitoring import LIGHT_COLOURS, lights_plot

    r = lights(_mon(12, budget=50, 人次=1000), OBS, _budget())
    ax = lights_plot(r, lang="en")
    colours = [matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches]
    assert colours == [LIGHT_COLOURS["red"], LIGHT_COLOURS["green"], LIGHT_COLOURS["red"]]
    assert "month 12" in ax.get_title()
    with pytest.raises(ValueError, match="`max_units` must be a positive integer; got 0"):
        lights_plot(r, max_units=0)
    matplotlib.pyplot.close("all")


# --- the sample province ------------------------------------------------------------------------------------------
@pytest.mark.skipif(not SAMPLE.is_dir(), reason="sample_data/province has not been generated")
def test_sample_province_shows_every_light_colour():
    """`perfeval monitor sample_data/province` lights every colour and severity, and every corrective action at
    month 8 or, for 暂缓或停止拨款 (a serious deviation before the checkpoint: after it, 削减或取消), at month 6;
    percentages are reported and compared as they stand."""
    from perfeval.application import read_units
    from perfeval.io import read_budget, read_observations

    args = (read_monitoring(SAMPLE / "monitoring.csv"), read_observations(SAMPLE / "indicators.csv"),
            read_budget(SAMPLE / "budget.csv"))
    r = lights(*args, units=read_units(SAMPLE / "units.csv"))
    assert set(r.lights["colour"].dropna()) == {"red", "yellow", "green", "blue"}
    assert set(r.units["combined_colour"].dropna()) == {"red", "yellow", "green"}
    assert set(r.lights["severity"]) == {"none", "minor", "moderate", "serious"}
    june = lights(*args, month=6)
    assert set(r.lights["action_code"]) | {"suspend"} == set(ACTIONS)
    assert "suspend" in set(june.lights["action_code"]) and "cut" not in set(june.lights["action_code"])
    rates = r.lights[r.lights["unit"] == "%"]
    assert len(rates) > 100 and (rates["expected"] == rates["target"]).all()  # not pro-rated
    assert len(r.departments) > 0 and np.isfinite(r.lights["ratio"].dropna()).all()
