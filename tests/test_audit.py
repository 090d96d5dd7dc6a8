"""The standardization audit: a test form for each finding code (worked by hand), clean forms without findings,
the sample province's planted problems found and nothing else, XLSX forms audited directly, errors."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import perfeval as pe
from perfeval.errors import InputError
from perfeval.recheck import FINDINGS, SEVERITIES, audit, findings_table


def rows(**changes):
    """A clean project (every target met, claims by the rules): 培训人次 30, 合格率 20, 就业率 30, 满意度 10 points;
    ``changes`` maps an indicator to the fields that differ."""
    base = {
        "培训人次": {"l1": "产出指标", "l2": "数量指标", "target": "≥1000人次", "actual": "1200人次", "points": 30.0,
                 "score": 30.0},
        "合格率": {"l1": "产出指标", "l2": "质量指标", "target": "≥95%", "actual": "96%", "points": 20.0, "score": 20.0},
        "就业率": {"l1": "效益指标", "l2": "社会效益指标", "target": "≥80%", "actual": "80%", "points": 30.0,
                "score": 30.0},
        "满意度": {"l1": "满意度指标", "l2": "服务对象满意度指标", "target": "≥90%", "actual": "92%", "points": 10.0,
                "score": 10.0},
    }
    for name, fields in changes.items():
        base[name] = {**base.get(name, {}), **fields}
    frame = pd.DataFrame([{"unit_id": "P1", "indicator": k, "note": "", **v} for k, v in base.items()])
    return frame[frame["points"].notna()].reset_index(drop=True)


def budget(executed=95.0, claimed=9.5, total=None, full=100.0, obs=None):
    claims = rows()["score"].sum() if obs is None else obs["score"].sum()
    return pd.DataFrame({"unit_id": ["P1"], "budget_full_year": [full], "executed": [executed], "score": [claimed],
                         "claimed_total": [claims + claimed if total is None else total]})


def run(obs, b=None, **kwargs):
    return audit(obs, budget(obs=obs) if b is None else b, **kwargs)


def only(res, code):
    """The single finding of ``code``; no finding of another code."""
    assert res.findings["code"].tolist() == [code], res.findings[["code", "message"]]
    return res.findings.iloc[0]


def test_clean_unit_has_no_findings():
    res = run(rows())
    assert res.findings.empty
    u = res.units.iloc[0]
    assert (u["claimed_total"], u["expected_total"], u["difference"]) == pytest.approx((99.5, 99.5, 0.0))
    assert (u["claimed_grade"], u["expected_grade"], u["n_findings"], u["worst"]) == ("优", "优", 0, "")


def test_met_underscored():
    f = only(run(rows(培训人次={"score": 25.0})), "met_underscored")
    assert (f["claimed"], f["expected"], f["row"], f["indicator"]) == (25.0, 30.0, 2, "培训人次")
    assert f["location"] == "observations:2:score" and f["severity"] == "medium"


def test_unmet_full_score():
    """就业率 72 % of ≥80 %: 0.9 x 30 = 27 points by the rule, 30 claimed."""
    f = only(run(rows(就业率={"actual": "72%"})), "unmet_full_score")
    assert (f["claimed"], f["expected"]) == pytest.approx((30.0, 27.0))


def test_score_differs_from_rule():
    f = only(run(rows(就业率={"actual": "72%", "score": 20.0})), "score_differs_from_rule")
    assert (f["claimed"], f["expected"]) == pytest.approx((20.0, 27.0))


def test_score_out_of_band_qualitative_and_above_points():
    """A 'partly' row (band [12, 16) of 20 points) claimed 18: the lower bound 12 is what the rule can defend; a
    quantitative claim of 35 on a 30-point row is outside [0, 30]."""
    qual = {"target": "按时完成", "actual": "部分完成", "op": "qualitative", "level": "partly", "score": 18.0}
    res = run(rows(合格率=qual))
    f = only(res, "score_out_of_band")
    assert (f["claimed"], f["expected"]) == (18.0, 12.0) and "[12, 16)" in f["message"]
    assert res.units["expected_total"].iat[0] == pytest.approx(99.5 - 20 + 12)
    g = only(run(rows(培训人次={"score": 35.0})), "score_out_of_band")
    assert (g["claimed"], g["expected"]) == (35.0, 30.0)


def test_qualitative_row_without_level_takes_the_band_of_its_score():
    res = run(rows(合格率={"target": "按时完成", "actual": "见说明", "op": "qualitative", "score": 14.0}))
    assert res.findings.empty and res.units["expected_total"].iat[0] == pytest.approx(99.5 - 20 + 14)


def test_actual_restates_target():
    f = only(run(rows(合格率={"actual": "≥95%"})), "actual_restates_target")
    assert (f["claimed"], f["expected"], f["severity"]) == (20.0, 0.0, "high")
    assert f["location"].endswith(":actual")


def test_an_empty_actual_is_not_reported_not_a_score_differing_from_the_rule():
    """Issue 14: a unit that leaves 实际完成值 empty and still claims points is told it did not report, not that
    its score differs from the rule or that it missed its target."""
    res = run(rows(合格率={"actual": None, "score": 12.0}))
    f = only(res, "not_reported")
    assert (f["claimed"], f["expected"], f["severity"]) == (12.0, 0.0, "high")
    assert f["location"].endswith(":actual") and "not reported, scored 0; 12 is claimed" in f["message"]
    assert res.units["expected_total"].iat[0] == pytest.approx(79.5)
    drafts = pe.narrative.draft_problems("P1", audit=res)
    assert any("“合格率”的实际完成值为空，按0分计" in d.zh and "Indicator not reported" in d.en for d in drafts)


def test_a_target_written_in_the_name_is_a_target_not_a_missing_one():
    """年度资金支付完成率100% with empty target and actual cells: scored full as `perfeval.score` does (domain.md
    §11), so a full claim is no finding; it is not `missing_target`."""
    obs = pd.concat([rows(合格率={"points": None}), pd.DataFrame([{
        "unit_id": "P1", "indicator": "年度资金支付完成率100%", "l1": "产出指标", "l2": "时效指标", "target": None,
        "actual": None, "points": 20.0, "score": 20.0, "note": ""}])], ignore_index=True)
    res = run(obs)
    assert res.findings.empty, res.findings[["code", "message"]]
    assert res.units["expected_total"].iat[0] == pytest.approx(99.5)


def test_a_qualitative_row_left_empty_is_not_reported_even_with_a_score():
    """No 完成等级, no actual, 8 of 10 claimed: the score does not stand in for the missing report."""
    obs = pd.concat([rows(满意度={"points": None}), pd.DataFrame([{
        "unit_id": "P1", "indicator": "长效管护机制", "l1": "满意度指标", "l2": "服务对象满意度指标", "op": "定性",
        "target": "有效", "actual": None, "points": 10.0, "score": 8.0, "note": ""}])], ignore_index=True)
    f = only(run(obs), "not_reported")
    assert (f["indicator"], f["claimed"], f["expected"]) == ("长效管护机制", 8.0, 0.0)


def test_missing_target():
    res = run(rows(合格率={"target": None}))
    f = only(res, "missing_target")
    assert (f["claimed"], f["expected"]) == (20.0, 0.0)
    assert res.units["expected_total"].iat[0] == pytest.approx(79.5)


def test_cost_indicator_ge_is_rescored_with_le():
    """A cost row written ≥50万元 with 45万元 spent: the rule it must follow (≤) gives full points, as claimed."""
    cost = {"l1": "产出指标", "l2": "成本指标", "target": "≥50万元", "actual": "45万元", "points": 10.0, "score": 10.0}
    res = run(rows(单位成本=cost, 培训人次={"points": 20.0, "score": 20.0}))
    f = only(res, "cost_indicator_ge")
    assert (f["claimed"], f["expected"]) == (10.0, 10.0) and f["location"].endswith(":target")


def test_unexplained_over_achievement():
    res = run(rows(培训人次={"actual": "1400人次"}))
    f = only(res, "unexplained_over_achievement")
    assert f["severity"] == "low"
    assert run(rows(培训人次={"actual": "1400人次", "note": "提前完成，新增报名"})).findings.empty


def test_double_counted_execution():
    """Execution 90 %: 9 of 10 execution points; an output row 预算执行进度 90 % of ≥100 % scored 0.9 x 20."""
    spend = {"indicator": "预算执行进度", "target": "≥100%", "actual": "90%", "score": 18.0}
    obs = rows(合格率=spend)
    res = run(obs, budget(executed=90.0, claimed=9.0, obs=obs))
    f = only(res, "double_counted_execution")
    assert (f["claimed"], f["expected"]) == pytest.approx((18.0, 18.0))
    full = rows(合格率={**spend, "actual": "100%", "score": 20.0})
    assert run(full, budget(executed=90.0, claimed=9.0, obs=full)).findings.empty


@pytest.mark.parametrize("executed, claimed, how", [(85.6, 9.0, "rounded"), (86.4, 8.0, "truncated"),
                                                    (95.0, 8.0, "")])
def test_execution_score_differs(executed, claimed, how):
    f = only(run(rows(), budget(executed=executed, claimed=claimed)), "execution_score_differs")
    assert (f["claimed"], f["expected"]) == pytest.approx((claimed, executed / 10))
    assert (f"({how} to a whole number)" in f["message"]) == bool(how)


def test_executed_above_budget():
    f = only(run(rows(), budget(executed=103.0, claimed=10.0)), "executed_above_budget")
    assert (f["claimed"], f["expected"]) == (103.0, 100.0)


def test_total_not_sum_of_rows():
    f = only(run(rows(), budget(total=101.5)), "total_not_sum_of_rows")
    assert (f["claimed"], f["expected"]) == pytest.approx((101.5, 99.5))


def test_total_with_a_not_applicable_row_as_the_unit_can_add_it_up():
    """满意度 (10 points) not applicable. The unit can write the plain sum of its claims (9.5 + 80 = 89.5) or that
    sum rescaled to 100 (domain.md §5.3 rule 6: 89.5 x 100/90); both stand. ``claimed_sum`` is the plain sum;
    anything else is a finding whose expected value is the plain sum, the message naming the rescaled one."""
    obs = rows(满意度={"applicable": False, "score": np.nan})
    for total in (89.5, (9.5 + 80) * 100 / 90):
        res = run(obs, budget(total=total))
        assert res.findings.empty, total
        assert res.units["claimed_sum"].iat[0] == pytest.approx(89.5)
        assert res.units["expected_total"].iat[0] == pytest.approx(89.5 * 100 / 90)
    f = only(run(obs, budget(total=90.5)), "total_not_sum_of_rows")
    assert (f["claimed"], f["expected"]) == pytest.approx((90.5, 89.5))
    assert "as written (89.5), nor that sum with the 10 points not applicable rescaled (99.44" in f["message"]


def _form_by_hand(path, total, inline=False):
    """A 项目支出绩效自评表 typed in Excel (openpyxl, not perfeval's writer): merged labels, the funds block, the
    indicator rows with their claims, and 总分 on a merged row whose printed value is ``total``, in the 得分
    column; 自评等级 below. Rows claim 30 + 20 + 27 + 10 = 87, execution 9.5 (95 of 100): the sum is 96.5."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    ws["A1"] = "项目支出绩效自评表（2024年度）"
    ws.merge_cells("A1:I1")
    ws["A2"], ws["C2"], ws["F2"], ws["G2"] = "项目名称", "职业技能培训", "项目编码", "P7"
    ws["A3"] = "项目资金（万元）"
    for col, head in zip("CDEFGH", ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]):
        ws[f"{col}3"] = head
    ws["B4"] = "年度资金总额"
    for col, value in zip("CDEFGH", [100, 100, 95, 10, "95%", 9.5]):
        ws[f"{col}4"] = value
    ws.merge_cells("A3:A4")
    for c, text in enumerate(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                              "偏差原因分析及改进措施"], start=1):
        ws.cell(6, c, text)
    body = [("产出指标", "数量指标", "培训人次", "≥1000人次", "1200人次", 30, 30),
            (None, "质量指标", "合格率", "≥95%", "96%", 20, 20),
            ("效益指标", "社会效益指标", "就业率", "≥80%", "72%", 30, 27),
            ("满意度指标", "服务对象满意度指标", "满意度", "≥90%", "92%", 10, 10)]
    for r, values in enumerate(body, start=7):
        for c, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(r, c, value)
    ws.merge_cells("A7:A8")
    if inline:  # 总分：97.5 in one merged cell
        ws["A11"] = f"总分：{total}"
        ws.merge_cells("A11:H11")
    else:
        ws["A11"], ws["G11"] = "总分", total
        ws.merge_cells("A11:F11")
    ws["A12"], ws["B12"] = "自评等级", "优"
    wb.save(path)
    return path


def test_printed_total_one_point_above_the_rows_is_found_at_the_total_cell(tmp_path, capsys):
    """domain.md §11: a printed total one point above the sum of the rows. The form's rows and execution add up
    to 96.5 as written; 97.5 is printed. The finding compares with 96.5 (what the unit itself could add up) and
    stands at the 总分 cell (row 11, the 得分 column), not at the funds row; the form summing right has none."""
    path = _form_by_hand(tmp_path / "P7.xlsx", 97.5)
    res = audit(path)
    f = res.findings.set_index("code").loc["total_not_sum_of_rows"]
    assert (f["claimed"], f["expected"]) == pytest.approx((97.5, 96.5))
    assert f["location"] == f"{path}:11:得分" and f["row"] == 11
    assert "as written (96.5)" in f["message"]
    assert res.units["claimed_sum"].iat[0] == pytest.approx(96.5)
    form = pe.read_selfeval_form(path)
    assert (form.budget["claimed_total_row"].iat[0], form.budget["claimed_total_column"].iat[0]) == (11, "得分")
    assert "total_not_sum_of_rows" not in set(audit(_form_by_hand(tmp_path / "ok.xlsx", 96.5)).findings["code"])
    inline = _form_by_hand(tmp_path / "inline.xlsx", 97.5, inline=True)
    f = audit(inline).findings.set_index("code").loc["total_not_sum_of_rows"]
    assert f["location"] == f"{inline}:11:总分" and f["claimed"] == 97.5
    from perfeval.cli import main

    assert main(["audit", "--data", str(path)]) == 0
    assert f"{path}:11:得分: total_not_sum_of_rows (high): unit P7: the claimed total 97.5 is not the sum of the " \
           "claimed rows and execution points as written (96.5)" in capsys.readouterr().out


def test_points_not_total():
    """The engine's points check (points_sum): same sums, same text, same location."""
    obs = rows(满意度={"points": 20.0, "score": 20.0})
    res = run(obs)
    f = only(res, "points_not_total")
    assert (f["claimed"], f["expected"]) == (100.0, 90.0)
    engine = next(p for p in res.problems if p.code == "points_sum")
    assert (f["location"], f["message"]) == (engine.location, engine.message) == (
        "observations:unit P1", "the indicator points of unit 'P1' sum to 100, not 90 (framework 'project_self')")


def test_points_not_total_counts_the_rows_left_out_of_the_recomputation():
    """A row with an empty target is left out of the recomputation (scored 0) but its points were written."""
    assert run(rows(合格率={"target": None})).findings["code"].tolist() == ["missing_target"]
    res = run(rows(合格率={"target": None, "points": 25.0}))
    assert sorted(res.findings["code"]) == ["missing_target", "points_not_total"]
    assert res.findings.set_index("code").at["points_not_total", "claimed"] == 95.0


def test_float_unit_ids_are_read_as_the_engine_reads_them():
    """Unit ids read as floats (1001.0, a sheet column of numbers) are unit '1001' in the audit as in the engine:
    one unit, no phantom unit without indicators (it used to get points_not_total)."""
    obs = rows(培训人次={"score": 25.0}).assign(unit_id=1001.0)
    b = budget(obs=obs).assign(unit_id=[1001.0])
    res = audit(obs, b)
    assert res.units["unit_id"].tolist() == ["1001"] == res.scores.totals["unit_id"].tolist()
    assert res.findings[["unit_id", "code"]].values.tolist() == [["1001", "met_underscored"]]
    assert res.units["claimed_total"].iat[0] == pytest.approx(94.5)
    assert audit(obs, b.drop(columns="claimed_total"), claimed_totals={1001.0: 94.5}).findings["code"].tolist() == [
        "met_underscored"]


def test_all_full_marks_only_when_the_values_do_not_support_it():
    """Full claims, execution claimed 10 at 95 % and a total of 100 while 就业率 is missed: all_full_marks (and
    the row and execution findings it consists of). A 100 the rules confirm is no finding."""
    obs = rows(就业率={"actual": "72%"})
    res = run(obs, budget(executed=95.0, claimed=10.0, obs=obs))
    assert sorted(res.findings["code"]) == ["all_full_marks", "execution_score_differs", "unmet_full_score"]
    f = res.findings.set_index("code").loc["all_full_marks"]
    assert (f["claimed"], f["expected"]) == pytest.approx((100.0, 96.5))
    assert res.units["worst"].iat[0] == "high"
    assert run(rows(), budget(executed=100.0, claimed=10.0)).findings.empty


def test_vocabulary_table():
    table = findings_table()
    assert table["code"].tolist() == list(FINDINGS)
    assert set(table["severity"]) <= set(SEVERITIES) and set(table["level"]) == {"row", "unit"}
    assert all(any(src in s for src in ("PMKPI", "Pidu", "MOF-10", "inference")) for s in table["source"])
    issue_codes = {"met_underscored", "unmet_full_score", "score_differs_from_rule", "execution_score_differs",
                   "total_not_sum_of_rows", "points_not_total", "actual_restates_target", "score_out_of_band",
                   "cost_indicator_ge", "missing_target", "all_full_marks", "double_counted_execution"}
    assert issue_codes <= set(FINDINGS)


def test_claimed_totals_argument_and_counts():
    res = audit(rows(), budget().drop(columns="claimed_total"), claimed_totals={"P1": 97.0})
    assert res.findings["code"].tolist() == ["total_not_sum_of_rows"]
    frame = pd.DataFrame({"unit_id": ["P1"], "claimed_total": [99.5]})
    assert audit(rows(), budget().drop(columns="claimed_total"), claimed_totals=frame).findings.empty
    assert res.counts().to_dict("records") == [{"code": "total_not_sum_of_rows", "severity": "high",
                                                "n_findings": 1, "n_units": 1}]
    assert "AuditResult" in res._repr_html_() and "findings=1" in repr(res)


def test_xlsx_forms_are_audited_directly(tmp_path):
    """A filled standard form: claimed total read from its 总分 cell, every finding located in the form."""
    obs = rows(培训人次={"score": 25.0})
    b = budget(obs=obs)
    path = pe.write_selfeval_form(tmp_path / "P1.xlsx", unit={"unit_id": "P1", "name": "培训项目"},
                                  observations=obs, budget=b, claimed_total=96.5)
    form = pe.read_selfeval_form(path)
    res = audit(path)
    assert sorted(res.findings["code"]) == ["met_underscored", "total_not_sum_of_rows"]
    f = res.findings.set_index("code")
    assert f.at["total_not_sum_of_rows", "claimed"] == 96.5 == form.claimed_total
    assert f.at["met_underscored", "location"].startswith(str(path))
    assert audit(form).findings.shape == res.findings.shape


def test_province_findings_are_exactly_the_planted_problems():
    """Each problem planted in the sample province is found, and nothing outside the planted units; the
    all-full-marks unit also shows the unmet rows and the execution points it consists of."""
    data = pe.load_sample()
    res = audit(data.observations, data.budget)
    planted = {(p["code"], p["unit_id"]) for p in data.meta["planted"]}
    found = set(zip(res.findings["code"], res.findings["unit_id"]))
    assert planted <= found
    full = {u for c, u in planted if c == "all_full_marks"}
    extra = {(c, u) for c, u in found - planted if not (u in full and c in ("unmet_full_score",
                                                                            "execution_score_differs"))}
    assert not extra


def test_sample_forms_have_no_findings_but_the_planted_ones(sample_dir):
    """The acceptance: the sample forms audited directly give no finding outside the planted problems, and their
    claimed totals agree with the rules where nothing is planted."""
    res = audit(sample_dir / "forms")
    data = pe.load_sample()
    planted = {(p["code"], p["unit_id"]) for p in data.meta["planted"]}
    assert len(res.units) == len(list((sample_dir / "forms").glob("*.xlsx")))
    assert set(zip(res.findings["code"], res.findings["unit_id"])) <= planted
    clean = ~res.units["unit_id"].isin({u for _, u in planted})
    assert clean.any() and (res.units.loc[clean, "difference"].abs() < 0.05).all()


def test_audit_errors():
    with pytest.raises(InputError, match="unparseable_target"):
        run(rows(培训人次={"target": "≥95%~"}))
    with pytest.raises(ValueError, match="`tolerance` must be a number >= 0"):
        run(rows(), tolerance=-1)
    with pytest.raises(ValueError, match="`over_achievement` must be a number > 1"):
        run(rows(), over_achievement=1)
    with pytest.raises(TypeError, match="`observations` must be a DataFrame, a SelfEvalForm"):
        audit(42)
    with pytest.raises(InputError, match="`claimed_totals` must have `unit_id` and `claimed_total`"):
        audit(rows(), budget(), claimed_totals=pd.DataFrame({"x": [1]}))
    with pytest.raises(TypeError, match="`claimed_totals` must be a DataFrame"):
        audit(rows(), budget(), claimed_totals=3.0)
    assert math.isnan(audit(rows()).units["claimed_total"].iat[0])      # no budget: no claimed total


def test_clean_rows_of_every_kind_have_no_findings():
    """No false positives on rows that follow the rules: a reverse cap met (≤), an `=0` count, a saving rate
    written ≥ in the cost dimension (成本节约率: higher is better, not cost_indicator_ge), a qualitative row in its
    band, a not-applicable row, a target missed and scored by the rule to 2 decimals."""
    rows_ = pd.DataFrame([
        {"l1": "产出指标", "l2": "数量指标", "indicator": "培训人次", "target": "≥1000人次", "actual": "870人次",
         "points": 20.0, "score": 17.4},
        {"l1": "产出指标", "l2": "质量指标", "indicator": "安全事故数", "target": "=0起", "actual": "0",
         "points": 10.0, "score": 10.0},
        {"l1": "产出指标", "l2": "成本指标", "indicator": "成本节约率", "target": "≥5%", "actual": "6.1%",
         "points": 10.0, "score": 10.0},
        {"l1": "产出指标", "l2": "成本指标", "indicator": "单位培训成本", "target": "≤800元", "actual": "760元",
         "points": 10.0, "score": 10.0},
        {"l1": "效益指标", "l2": "社会效益指标", "indicator": "就业率", "target": "≥80%", "actual": "",
         "points": 10.0, "score": np.nan, "applicable": False},
        {"l1": "效益指标", "l2": "社会效益指标", "indicator": "技能提升效果", "target": "明显提升",
         "actual": "部分达成年度指标并具有一定效果", "op": "qualitative", "points": 20.0, "score": 13.0},
        {"l1": "满意度指标", "l2": "服务对象满意度指标", "indicator": "学员满意度", "target": "≥90%", "actual": "93%",
         "points": 10.0, "score": 10.0}]).assign(unit_id="P1", note="")
    rows_["applicable"] = rows_["applicable"].fillna(True).astype(bool)
    # 就业率 N/A: the social-benefit slot's 30 points go to 技能提升效果 (13 of 20 -> 19.5 of 30); a total with the
    # claims carried as the rules carry them stands, like the plain sum
    total = 9.0 + 17.4 + 10 + 10 + 10 + 13.0 * 30 / 20 + 10
    b = pd.DataFrame({"unit_id": ["P1"], "budget_full_year": [100.0], "budget_adjusted": [120.0],
                      "executed": [108.0], "score": [9.0], "claimed_total": [total]})
    res = audit(rows_, b, denominator="adjusted")   # 108 of the adjusted 120: 9 points, not above that budget
    assert res.findings.empty, res.findings[["code", "message"]]
    assert res.units["expected_total"].iat[0] == pytest.approx(total)


def test_findings_name_the_columns_as_the_file_writes_them(tmp_path):
    """A GB18030 CSV with the form's Chinese headers: findings are located at 得分 / 实际完成值 / 总分, as written."""
    obs = rows(培训人次={"score": 25.0}, 合格率={"actual": "≥95%"})
    path = tmp_path / "indicators.csv"
    obs.rename(columns={"unit_id": "项目编码", "l1": "一级指标", "l2": "二级指标", "indicator": "三级指标",
                        "target": "年度指标值", "actual": "实际完成值", "points": "分值", "score": "得分",
                        "note": "偏差原因分析及改进措施"}).to_csv(path, index=False, encoding="gb18030")
    bpath = tmp_path / "budget.csv"
    budget(obs=obs, total=90.0).rename(columns={"unit_id": "项目编码", "budget_full_year": "全年预算数",
                                                "executed": "全年执行数", "score": "得分", "claimed_total": "总分"}
                                       ).to_csv(bpath, index=False, encoding="gb18030")
    f = audit(path, bpath).findings.set_index("code")["location"]
    assert f["met_underscored"] == f"{path}:2:得分"
    assert f["actual_restates_target"] == f"{path}:3:实际完成值"
    assert f["total_not_sum_of_rows"] == f"{bpath}:2:总分"


def test_executed_above_budget_is_judged_on_the_denominator():
    """105 executed of a full-year budget of 100 but an adjusted budget of 110: above the full-year budget only."""
    b = budget(executed=105.0, claimed=10.0).assign(budget_adjusted=110.0)
    assert only(run(rows(), b), "executed_above_budget")["expected"] == 100.0
    b = b.assign(score=105 / 110 * 10, claimed_total=rows()["score"].sum() + 105 / 110 * 10)
    assert run(rows(), b, denominator="adjusted").findings.empty
