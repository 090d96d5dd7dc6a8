"""Domain fidelity (issue 15): one test per numbered item, each against a hand-worked example.

1 verified grades drive the budget; 2 rates are not pro-rated; 3 the 2021 indicator structure scores; 4 transfer
release deadlines; 5 red light severity; 6 a bare cost target is a ceiling; 7 the library's satisfaction rule;
8 minimum standards are >=; 9 regional factors neutral for 良; 10 non-default first-level points are a notice.
"""
from __future__ import annotations

import warnings

import pandas as pd
import pytest

import perfeval as pe
from perfeval.application import apply_results, transfer_factors
from perfeval.errors import InputError
from perfeval.monitoring import lights
from perfeval.recheck import audit


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


# --- 1. the most verified grade decides next year's budget ---------------------------------------------------------
def test_1_verified_grade_order_key_recheck_self():
    """P1: self 优 92, re-check 良 85, key 差 57 -> the key evaluation's 差 (取消或暂停, cut 100 %); P2: self 优 95,
    re-check 中 70 -> 中 (一定比例核减, cut 10 %); P3: self only, 良 -> 据实合理保障."""
    units = pd.DataFrame({"unit_id": ["P1", "P2", "P3"], "project_type": "continuing", "budget": [100.0, 200.0, 50.0]})
    graded = pd.DataFrame({"unit_id": ["P1", "P2", "P3", "P1", "P2", "P1"],
                           "total": [92.0, 95.0, 85.0, 85.0, 70.0, 57.0],
                           "grade_source": ["self_evaluation"] * 3 + ["recheck"] * 2 + ["key_evaluation"]})
    u = apply_results(graded, units).units.set_index("unit_id")
    assert u["grade_source"].to_dict() == {"P1": "key_evaluation", "P2": "recheck", "P3": "self_evaluation"}
    assert u["grade"].to_dict() == {"P1": "差", "P2": "中", "P3": "良"}
    assert u["self_grade"].to_dict() == {"P1": "优", "P2": "优", "P3": "良"}
    assert u["action"].to_dict() == {"P1": "取消或暂停", "P2": "一定比例核减", "P3": "据实合理保障"}
    assert u["proposed_budget"].to_dict() == {"P1": 0.0, "P2": 180.0, "P3": 50.0}
    assert u["changed_by_verification"].to_dict() == {"P1": True, "P2": True, "P3": False}
    assert u.at["P1", "reason"].startswith("重点评价等级差（57分）") and "自评等级优（92分）" in u.at["P1", "reason"]
    # the same through several result objects: a mapping source -> totals frame
    by_source = {"self_evaluation": graded[graded["grade_source"] == "self_evaluation"].drop(columns="grade_source"),
                 "key_evaluation": graded[graded["grade_source"] == "key_evaluation"].drop(columns="grade_source")}
    assert apply_results(by_source, units).units.set_index("unit_id").at["P1", "action"] == "取消或暂停"
    # a different order is a policy choice; an unknown source is refused
    own_first = apply_results(graded, units, {"verification_order": ["self_evaluation", "recheck", "key_evaluation"]})
    assert set(own_first.units["grade_source"]) == {"self_evaluation"}
    with pytest.raises(InputError, match="unknown grade source"):
        apply_results(graded.assign(grade_source="audit"), units)


@pytest.fixture(scope="module")
def result():
    from perfeval.pipeline import analyse

    return analyse(pe.load_sample(), draws=50)


def test_1_pipeline_applies_the_verified_grades_and_counts_the_changes(result):
    u = result.application.units
    key = set(result.key_evaluation.totals["unit_id"])
    assert set(u.loc[u["grade_source"] == "key_evaluation", "unit_id"]) == key
    rechecked = set(result.recheck.units["unit_id"]) - key
    assert set(u.loc[u["grade_source"] == "recheck", "unit_id"]) == rechecked
    key_grades = result.key_evaluation.totals.set_index("unit_id")["grade"]
    assert (u.set_index("unit_id").loc[list(key), "grade"] == key_grades.loc[list(key)]).all()
    changed = int(u["changed_by_verification"].sum())
    assert changed > 0
    assert f"actions changed by verification {changed}" in result.summary().set_index("step").at["application",
                                                                                                    "figure"]


# --- 2. rates are not pro-rated ------------------------------------------------------------------------------------
def test_2_a_rate_is_compared_as_it_stands_and_a_count_is_pro_rated():
    """Month 8: a pass rate 96 % against >= 95 % is 101.05 % of its target (green), not 151.6 % of a pro-rated
    63.33 % (blue, 复核绩效目标); 640 of >= 1200 trainees is 80 % of the pro-rated 800 (green)."""
    obs = pd.DataFrame({"unit_id": ["P1", "P1"], "indicator": ["合格率", "培训人次"], "target": ["≥95%", "≥1200人次"]})
    mon = pd.DataFrame({"unit_id": "P1", "month": 8, "indicator": ["合格率", "培训人次"], "value": ["96%", 640]})
    r = lights(mon, obs).lights.set_index("indicator")
    assert r.at["合格率", "ratio"] == pytest.approx(96 / 95 * 100) and r.at["合格率", "colour"] == "green"
    assert r.at["合格率", "action_code"] == "none"
    assert r.at["培训人次", "ratio"] == pytest.approx(80.0) and r.at["培训人次", "colour"] == "green"
    pmkpi = lights(mon, obs, rules={"indicators": {"prorate_percent": True}}).lights.set_index("indicator")
    assert pmkpi.at["合格率", "ratio"] == pytest.approx(96 / (95 * 8 / 12) * 100)  # 151.58
    assert (pmkpi.at["合格率", "colour"], pmkpi.at["合格率", "action"]) == ("blue", "复核绩效目标")


# --- 3. the 2021 structure ----------------------------------------------------------------------------------------
def _form(l1_cost: bool) -> pd.DataFrame:
    cost_l1, cost_l2 = ("成本指标", "经济成本指标") if l1_cost else ("产出指标", "成本指标")
    return pd.DataFrame({
        "unit_id": "P1",
        "l1": ["产出指标", "产出指标", cost_l1, "效益指标", "满意度指标"],
        "l2": ["数量指标", "质量指标", cost_l2, "社会效益指标", "服务对象满意度指标"],
        "indicator": ["培训人次", "合格率", "人均培训成本", "就业率", "满意度"],
        "target": ["≥1000人次", "≥95%", "≤200元", "≥80%", "≥90%"],
        "actual": ["900人次", "96%", "250元", "80%", "92%"],
        "points": [20.0, 20.0, 10.0, 30.0, 10.0]})


def test_3_a_form_of_each_structure_scores():
    """Same rows, both structures: 90 % of 20 + 20 + 75 % of 10 (250 against <= 200, linear reverse) + 30 + 10 +
    execution 10 = 95.5. project_self detects the 2021 form (first-level 成本指标) and scores it on
    project_self_2021 (产出 40 + 成本 10)."""
    budget = pd.DataFrame({"unit_id": ["P1"], "budget_full_year": [100.0], "executed": [100.0]})
    old = _quiet(pe.score, "project_self", _form(False), budget)
    new = _quiet(pe.score, "project_self", _form(True), budget)
    assert old.framework.name == "project_self" and new.framework.name == "project_self_2021"
    assert old.totals.at[0, "total"] == pytest.approx(95.5) == new.totals.at[0, "total"]
    cost = new.nodes.set_index("node_code").loc["cost"]
    assert (cost["points"], cost["score"]) == pytest.approx((10.0, 7.5))
    explicit = _quiet(pe.score, "project_self_2021", _form(True), budget)
    assert explicit.totals.at[0, "total"] == pytest.approx(95.5)
    with pytest.raises(InputError, match="unknown_l1|first-level"):
        _quiet(pe.score, pe.load_framework("project_self"), _form(True), budget)  # explicit 2015 framework


# --- 4. transfer release deadlines ---------------------------------------------------------------------------------
def test_4_release_deadline_parameter():
    """预算法 art. 52: a province's special transfers to lower levels within 60 days (the default), central special
    transfers within 90. A region's target of <= 90 days is scored against 60: 75 days is 75/60 - 1 = 25 % over
    the deadline, achievement 0.75 (linear reverse), 3.75 of 5 points; against the central 90 it would be full."""
    from perfeval.scoring import release_deadline

    assert (release_deadline(), release_deadline("local", "general"), release_deadline("central", "special"),
            release_deadline("forward", "special")) == (60, 30, 90, 30)
    fw = pe.load_framework("transfer")
    assert dict(fw.find("funds.release.timeliness").params["deadline"]) == {"rule": "local", "transfer": "special"}
    obs = pd.DataFrame({"unit_id": ["R1"], "node_code": ["funds.release.timeliness"], "target": ["≤90天"],
                        "actual": ["75天"], "points": [5.0]})
    res = _quiet(pe.score, fw, obs)
    assert res.nodes.set_index("node_code").at["funds.release.timeliness", "score"] == pytest.approx(3.75)
    assert any(p.code == "target_above_deadline" for p in res.problems)
    d = fw.to_dict()
    leaf = next(n for n in _walk(d["nodes"]) if n["code"] == "funds.release.timeliness")
    leaf["params"] = {"deadline": {"rule": "central", "transfer": "special"}}
    central = _quiet(pe.score, pe.Framework.from_dict(d), obs)
    assert central.nodes.set_index("node_code").at["funds.release.timeliness", "score"] == pytest.approx(5.0)
    assert not any(p.code == "target_above_deadline" for p in central.problems)


def _walk(nodes):
    for n in nodes:
        yield n
        yield from _walk(n.get("children") or [])


# --- 5. suspension only for serious deviations ----------------------------------------------------------------------
def test_5_red_light_severity():
    """Month 8, 300 of >= 1200 trainees: 37.5 % of the pro-rated 800, red. Forecast 450 < 1200 (to miss). Without a
    note it is serious: 削减或取消 after the checkpoint, 暂缓或停止拨款 before it; with a corrective note, or
    reported likely to be met, it is moderate: 纠偏."""
    obs = pd.DataFrame({"unit_id": ["P1"], "indicator": ["培训人次"], "target": ["≥1200人次"]})

    def line(month, value, **extra):
        mon = pd.DataFrame({"unit_id": ["P1"], "month": [month], "indicator": ["培训人次"], "value": [value],
                            **{k: [v] for k, v in extra.items()}})
        return lights(mon, obs).lights.iloc[0]

    assert (line(6, 225)["severity"], line(6, 225)["action_code"]) == ("serious", "suspend")
    assert (line(8, 300)["severity"], line(8, 300)["action_code"]) == ("serious", "cut")
    noted = line(6, 225, note="已调整实施方案，增加培训班次")
    assert (noted["colour"], noted["severity"], noted["action_code"]) == ("red", "moderate", "correct")
    likely = line(6, 225, forecast="likely")
    assert (likely["severity"], likely["action_code"]) == ("moderate", "correct")
    assert line(6, 400)["severity"] == "minor" and line(6, 600)["severity"] == "none"
    # the old behaviour, every red line suspended, is a policy choice
    strict = {"actions": {"serious": {"forecast_miss": False, "no_corrective_note": False}}}
    mon = pd.DataFrame({"unit_id": ["P1"], "month": [6], "indicator": ["培训人次"], "value": [225],
                        "note": ["已调整实施方案"], "forecast": ["likely"]})
    assert lights(mon, obs, rules=strict).lights.at[0, "action_code"] == "suspend"


# --- 6. a bare target under 成本 is a ceiling --------------------------------------------------------------------
def test_6_bare_cost_target_is_read_as_ceiling():
    """人均培训成本 written 75元, actual 60元: read as <= 75 (full points), not >= 75 (0.8); the audit reports no
    cost_indicator_ge, which it still reports when the unit wrote ≥."""
    rows = _form(False).assign(target=["≥1000人次", "≥95%", "75元", "≥80%", "≥90%"],
                               actual=["1000人次", "96%", "60元", "80%", "92%"], score=[20.0, 20.0, 10.0, 30.0, 10.0])
    budget = pd.DataFrame({"unit_id": ["P1"], "budget_full_year": [100.0], "executed": [100.0], "score": [10.0]})
    res = _quiet(pe.score, "project_self", rows, budget)
    leaf = res.nodes[res.nodes["name"] == "人均培训成本"].iloc[0]
    assert leaf["achievement"] == 1.0 and res.totals.at[0, "total"] == 100.0
    assert _quiet(pe.score, "project_self", rows, budget, bare_cost_op=None).nodes.query(
        "name == '人均培训成本'")["achievement"].iloc[0] == pytest.approx(0.8)  # 60 / 75 as >=
    assert "cost_indicator_ge" not in set(_quiet(audit, rows, budget).findings["code"])
    written = rows.assign(target=["≥1000人次", "≥95%", "≥75元", "≥80%", "≥90%"])
    assert "cost_indicator_ge" in set(_quiet(audit, written, budget).findings["code"])


# --- 7. the library's satisfaction rule ----------------------------------------------------------------------------
def test_7_library_satisfaction_rule_is_what_score_uses():
    """Every satisfaction rate of the library is scored actual / target (MOF: positive), as score() does: 84.1 %
    against >= 85 % gives 84.1 / 85 of the points, not a band."""
    lib = pe.load_library()
    rates = [i for i in lib if "满意度" in i.name_zh and i.unit == "%"]
    assert len(rates) >= 17
    assert {i.scoring_rule for i in rates} == {"positive"} and {i.op for i in rates} == {">="}
    obs = pd.DataFrame({"unit_id": "P1", "l1": "满意度指标", "l2": "服务对象满意度指标", "indicator": "服务对象满意度",
                        "indicator_code": "GEN-SAT-001", "target": "≥85%", "actual": "84.1%", "points": 90.0},
                       index=[0])
    res = _quiet(pe.score, "project_self", obs)
    assert res.nodes.query("name == '服务对象满意度'")["achievement"].iloc[0] == pytest.approx(84.1 / 85)


# --- 8. minimum standards --------------------------------------------------------------------------------------
def test_8_minimum_standards_are_at_least_and_formulas_read_right():
    lib = pe.load_library()
    for code in ("EDU-COS-001", "SOC-COS-001"):  # 生均公用经费基准定额, 基础养老金最低标准: 不得低于
        entry = lib.get(code)
        assert (entry.op, entry.scoring_rule) == (">=", "positive"), code
        assert "不得低于" in entry.definition
    # the remaining = entries are quotas paid exactly (与标准一致) or events held at 0
    for entry in lib:
        if entry.op == "=":
            assert "一致" in entry.definition or "0" in entry.definition, entry.code
    mmr = lib.get("HLT-EFF-001")
    assert mmr.formula.startswith("孕产妇死亡率=年内孕产妇死亡数/年内活产数×100000") and "/10万" not in mmr.formula[:30]
    # a minimum standard under 成本 is not a cost_indicator_ge finding, and its bare target is read as >=
    rows = _form(False).assign(indicator=["培训人次", "合格率", "生均公用经费基准定额", "就业率", "满意度"],
                               target=["≥1000人次", "≥95%", "≥690元/生", "≥80%", "≥90%"],
                               actual=["1000人次", "96%", "720元/生", "80%", "92%"], score=[20.0, 20.0, 10.0, 30.0, 10.0])
    budget = pd.DataFrame({"unit_id": ["P1"], "budget_full_year": [100.0], "executed": [100.0], "score": [10.0]})
    assert _quiet(audit, rows, budget).findings.empty


# --- 9. regional factors -------------------------------------------------------------------------------------------
def test_9_transfer_factor_is_neutral_for_good():
    """Regions 95 (优), 82 (良), 70 (中), equal allocations: mean 82.33; 良 keeps 1 although below the mean; 优 and
    中 share the budget-neutral shift: 1 + 0.5 x 12.67 / 82.33 - 0.00101 = 1.0759 and 0.9241 (hand-worked)."""
    units = pd.DataFrame({"unit_id": ["R1", "R2", "R3"], "kind": "region", "budget": [100.0, 100.0, 100.0]})
    totals = pd.DataFrame({"unit_id": ["R1", "R2", "R3"], "total": [95.0, 82.0, 70.0]})
    r = apply_results(totals, units)
    f = r.transfers.set_index("unit_id")["factor"]
    assert f["R2"] == 1.0
    assert f["R1"] == pytest.approx(1.0759, abs=1e-4) and f["R3"] == pytest.approx(0.9241, abs=1e-4)
    assert r.units["proposed_budget"].sum() == pytest.approx(300.0)
    old = apply_results(totals, units, {"transfer": {"neutral_grades": []}}).transfers.set_index("unit_id")["factor"]
    assert old["R2"] < 1.0  # the relative factor alone cut a region graded 良
    # every region 优 or 良: no one can gain without another losing, so all stay at 1
    t = transfer_factors(pd.Series({"A": 95.0, "B": 85.0}), grades=pd.Series({"A": "优", "B": "良"}),
                         neutral_grades=["良"])
    assert t["factor"].tolist() == [1.0, 1.0]


# --- 10. non-default first-level points ----------------------------------------------------------------------------
def test_10_departure_from_50_30_10_is_a_notice():
    """产出 60 / 效益 20 / 满意度 10 adds up to 90 (no points_not_total) but departs from MOF-10's 50/30/10: two
    low-severity l1_points_nondefault findings (产出 60 vs 50, 效益 20 vs 30), scored as given."""
    rows = _form(False).assign(points=[25.0, 25.0, 10.0, 20.0, 10.0], actual=["1000人次", "96%", "180元", "80%", "92%"])
    rows = rows.assign(score=rows["points"])
    budget = pd.DataFrame({"unit_id": ["P1"], "budget_full_year": [100.0], "executed": [100.0], "score": [10.0]})
    res = _quiet(audit, rows, budget)
    f = res.findings[res.findings["code"] == "l1_points_nondefault"]
    assert f[["claimed", "expected"]].values.tolist() == [[60.0, 50.0], [20.0, 30.0]]
    assert set(f["severity"]) == {"low"} and set(res.findings["code"]) == {"l1_points_nondefault"}
    assert res.units.at[0, "expected_total"] == pytest.approx(100.0)


def test_1_verification_table_counts_what_verification_changed(result):
    v = result.application.verification().set_index("grade_source")
    u = result.application.units
    assert v["n_units"].sum() == len(u)
    assert v.at["key_evaluation", "n_units"] == len(result.key_evaluation.totals)
    assert v["n_action_changed"].sum() == int(u["changed_by_verification"].sum())
    assert v.at["self_evaluation", "n_grade_changed"] == 0 and v.at["self_evaluation", "n_action_changed"] == 0
    assert "application_verification" in result.tables()
