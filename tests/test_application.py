"""Application of results (perfeval.application): Dazhou grade map, project types, rigid expenditure, transfers."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import perfeval as pe
from perfeval.errors import InputError
from perfeval.application import ApplicationResult, apply_results, read_units, transfer_factors

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "province"


def _units(n: int, **columns) -> pd.DataFrame:
    base = {"unit_id": [f"P{i}" for i in range(n)], "project_type": "continuing", "rigid": False,
            "department_id": "D1", "kind": "project", "budget": 100.0}
    base.update(columns)
    return pd.DataFrame(base)


def _totals(*scores: float) -> pd.DataFrame:
    return pd.DataFrame({"unit_id": [f"P{i}" for i in range(len(scores))], "total": list(scores)})


@pytest.mark.parametrize("total, grade, action, cut", [
    (100, "优", "优先保障", 0.0), (90, "优", "优先保障", 0.0), (89.99, "良", "据实合理保障", 0.0),
    (80, "良", "据实合理保障", 0.0), (79.99, "中", "一定比例核减", 0.1), (60, "中", "一定比例核减", 0.1),
    (59.99, "差", "取消或暂停", 1.0), (0, "差", "取消或暂停", 1.0)])
def test_grade_edges_and_the_dazhou_map(total, grade, action, cut):
    """优 [90, 100], 良 [80, 90), 中 [60, 80), 差 [0, 60); 达州: 优先保障 / 据实合理保障 / 一定比例核减 / 取消或暂停."""
    row = apply_results(_totals(total), _units(1)).units.iloc[0]
    assert (row["grade"], row["action"], row["cut_share"]) == (grade, action, cut)
    assert row["proposed_budget"] == pytest.approx(100 * (1 - cut))
    assert row["budget_change"] == pytest.approx(-100 * cut)
    assert row["rectification_required"] == (grade in ("中", "差"))


def test_grades_given_are_used_and_checked():
    totals = _totals(95, 95).assign(grade=["中", None])
    u = apply_results(totals, _units(2)).units
    assert u["grade"].tolist() == ["中", "优"]
    with pytest.raises(InputError, match=r"totals:2:grade: unknown_grade: grade 'A' of unit 'P0' is not one of"):
        apply_results(_totals(95).assign(grade="A"), _units(1))
    with pytest.raises(InputError, match=r"totals:2:total: no_grade: unit 'P0' has total 120, outside"):
        apply_results(_totals(120), _units(1))


@pytest.mark.parametrize("ptype, total, code, proposed", [
    ("continuing", 95, "priority", 100.0), ("continuing", 40, "cancel_or_suspend", 0.0),
    ("phased", 95, "guarantee_follow_up", 100.0), ("phased", 85, "guarantee_follow_up", 100.0),
    ("phased", 70, "cut", 90.0), ("phased", 40, "suspend_disbursement", 0.0),
    ("one_off", 95, "tilt_similar", np.nan), ("one_off", 70, "stricter_review", np.nan),
    ("one_off", 40, "stricter_review", np.nan)])
def test_differentiated_by_project_type(ptype, total, code, proposed):
    """chinavalue.com.cn: continuing / phased / one-off projects."""
    row = apply_results(_totals(total), _units(1, project_type=ptype)).units.iloc[0]
    assert row["action_code"] == code
    if np.isnan(proposed):
        assert np.isnan(row["proposed_budget"]) and np.isnan(row["cut_share"]) and "无下年预算" in row["reason"]
    else:
        assert row["proposed_budget"] == proposed


def test_rigid_expenditure_is_not_cut():
    """Liaoning 2017: rigid expenditure (刚性支出) exempt from cuts; rectification still required."""
    u = apply_results(_totals(70, 40, 95), _units(3, rigid=["是", "true", "1"])).units
    assert u["action_code"].tolist() == ["rigid_exempt", "rigid_exempt", "priority"]
    assert u["cut_share"].tolist() == [0.0, 0.0, 0.0] and u["proposed_budget"].tolist() == [100.0] * 3
    assert u["rectification_required"].tolist() == [True, True, False]
    not_exempt = apply_results(_totals(70), _units(1, rigid=True), {"rigid": {"exempt": False}}).units
    assert not_exempt.loc[0, "proposed_budget"] == 90.0


def test_policy_changes_the_cut_and_defaults():
    u = apply_results(_totals(70), _units(1, project_type=None), {"grades": {"中": {"cut_share": 0.2}}}).units
    assert (u.loc[0, "project_type"], u.loc[0, "proposed_budget"]) == ("continuing", 80.0)
    assert "核减20%" in u.loc[0, "reason"] and "cut 20%" in u.loc[0, "reason_en"]
    with pytest.raises(InputError, match=r"negative_cut"):
        apply_results(_totals(70), _units(1), {"grades": {"中": {"cut_share": -0.2}}})


def test_budget_frame_and_summary():
    units = _units(4, department_id=["D1", "D1", "D2", None], budget=np.nan).assign(
        project_type=["continuing", "continuing", "continuing", "one_off"])
    budget = pd.DataFrame({"unit_id": ["P0", "P1", "P2", "P3"], "budget_full_year": [100.0, 200.0, 50.0, 30.0]})
    r = apply_results(_totals(95, 70, 75, 85), units, budget=budget)
    assert r.units["current_budget"].tolist() == [100.0, 200.0, 50.0, 30.0]
    s = r.summary
    assert list(s.columns) == ["department_id", "grade", "n_units", "n_rectification", "current_budget",
                               "proposed_budget", "budget_change"]
    assert s[["department_id", "grade"]].values.tolist() == [["", "良"], ["D1", "优"], ["D1", "中"], ["D2", "中"]]
    assert s["budget_change"].tolist()[1:] == [0.0, -20.0, -5.0] and np.isnan(s["budget_change"].iloc[0])
    assert s["n_rectification"].tolist() == [0, 0, 1, 1]
    with pytest.raises(InputError, match="`budget` needs columns unit_id and budget_full_year"):
        apply_results(_totals(95), _units(1), budget=pd.DataFrame({"unit_id": ["P0"]}))


def test_current_budget_from_units_or_a_clear_warning():
    """units.csv without a budget column and no `budget=`: a DataQualityWarning naming `budget=` (not silent NaN);
    a budget_full_year column of `units` is used (preferred to `budget`); the frame wins, units fill its gaps;
    a listed unit left without a budget is reported (missing_budget)."""
    from perfeval.errors import DataQualityWarning

    bare = _units(2).drop(columns="budget")
    with pytest.warns(DataQualityWarning, match=r"no current budget: pass `budget=`"):
        r = apply_results(_totals(95, 70), bare)
    assert r.units["current_budget"].isna().all() and r.units["proposed_budget"].isna().all()
    assert [p.code for p in r.problems] == ["no_budget"]
    both = bare.assign(budget_full_year=[300.0, 200.0], budget=[1.0, 1.0])
    r = apply_results(_totals(95, 70), both)
    assert r.units["current_budget"].tolist() == [300.0, 200.0] and r.units["proposed_budget"].tolist() == [300.0,
                                                                                                           180.0]
    assert r.problems == ()
    frame = pd.DataFrame({"unit_id": ["P0"], "budget_full_year": [50.0]})
    r = apply_results(_totals(95, 70), both, budget=frame)
    assert r.units["current_budget"].tolist() == [50.0, 200.0]
    with pytest.warns(DataQualityWarning, match=r"1 unit\(s\) without a current budget \(missing_budget: 'P1'\)"):
        r = apply_results(_totals(95, 70), bare, budget=frame)
    assert [(p.location, p.code) for p in r.problems] == [("budget:P1", "missing_budget")]
    assert r.units["current_budget"].iloc[0] == 50.0 and np.isnan(r.units["proposed_budget"].iloc[1])


def test_score_result_input():
    obs = pd.DataFrame({"unit_id": ["P0", "P0"], "l1": ["产出指标", "效益指标"], "l2": ["数量指标", "社会效益指标"],
                        "indicator": ["人次", "覆盖率"], "target": ["≥100", "≥90%"], "actual": ["80", "95%"],
                        "points": [50, 40]})
    bud = pd.DataFrame({"unit_id": ["P0"], "budget_full_year": [100.0], "executed": [90.0]})
    result = pe.score("project_self", obs, bud)
    r = apply_results(result, _units(1), budget=bud)
    assert r.units.loc[0, "grade"] == result.totals.loc[0, "grade"]
    assert isinstance(r, ApplicationResult) and r.to_frame().equals(r.units)
    assert "评价结果应用" in r._repr_html_() and "ApplicationResult(units=1" in repr(r)


def test_unit_problems_are_located():
    units = _units(3, project_type=["continuing", "pilot", "phased"], rigid=["否", "否", "sometimes"])
    with pytest.raises(InputError, match=r"units:3:project_type: unknown_project_type: project_type must be one "
                                         r"of continuing, phased, one_off; got 'pilot'") as err:
        apply_results(_totals(90, 90, 90), units)
    assert {(p.location, p.code) for p in err.value.problems} == {("units:3:project_type", "unknown_project_type"),
                                                                  ("units:4:rigid", "not_boolean")}
    with pytest.raises(InputError, match="`units` needs a unit_id column"):
        apply_results(_totals(90), pd.DataFrame({"id": ["P0"]}))
    with pytest.raises(InputError, match="`score_result` must be a ScoreResult or a DataFrame"):
        apply_results(pd.DataFrame({"unit_id": ["P0"]}), _units(1))
    r = apply_results(_totals(90, 70), _units(1))
    assert [p.code for p in r.problems] == ["unknown_unit"]
    assert r.units.loc[1, "action_code"] == "cut" and np.isnan(r.units.loc[1, "current_budget"])


# --- transfer payments ------------------------------------------------------------------------------------------
def test_transfer_factor_formula():
    """factor = 1 + k (s - mean) / mean; symmetric scores keep the total without a shift."""
    t = transfer_factors(pd.Series({"R1": 90.0, "R2": 70.0}), pd.Series({"R1": 100.0, "R2": 100.0}))
    assert t["deviation"].tolist() == [0.125, -0.125] and t["factor"].tolist() == [1.0625, 0.9375]
    assert t["shift"].iloc[0] == 0.0 and t["adjusted_allocation"].sum() == pytest.approx(200.0)


def test_transfer_factor_caps_and_budget_neutrality():
    scores = pd.Series({"R1": 100.0, "R2": 50.0, "R3": 75.0, "R4": 75.0})
    alloc = pd.Series({"R1": 300.0, "R2": 100.0, "R3": 100.0, "R4": 100.0})
    free = transfer_factors(scores, alloc, k=1.0, budget_neutral=False)
    assert free["factor"].tolist() == [1.1, 0.9, 1.0, 1.0] and free["capped"].tolist() == [True, True, False, False]
    neutral = transfer_factors(scores, alloc, k=1.0)
    assert neutral["adjusted_allocation"].sum() == pytest.approx(alloc.sum(), rel=1e-12)
    assert neutral["factor"].between(0.9, 1.1).all()
    assert neutral["factor"].iloc[0] == pytest.approx(1.1) and neutral["shift"].iloc[0] < 0
    no_alloc = transfer_factors(scores, None, k=1.0)
    assert no_alloc["factor"].mean() == pytest.approx(1.0) and no_alloc["adjusted_allocation"].isna().all()


def test_transfer_factor_degenerate_cases():
    same = transfer_factors(pd.Series({"R1": 80.0, "R2": 80.0}))
    assert same["factor"].tolist() == [1.0, 1.0]
    assert transfer_factors(pd.Series({"R1": 0.0, "R2": 0.0}))["factor"].tolist() == [1.0, 1.0]
    assert transfer_factors(pd.Series({"R1": 90.0, "R2": 60.0}), k=0)["factor"].tolist() == [1.0, 1.0]
    assert len(transfer_factors(pd.Series(dtype=float))) == 0


@pytest.mark.parametrize("kwargs, message", [
    ({"k": -1}, r"`k` must be >= 0; got -1"),
    ({"floor": 1.1}, r"0 < floor <= 1 <= cap; got floor=1.1"),
    ({"cap": 0.9}, r"0 < floor <= 1 <= cap; got floor=0.9, cap=0.9"),
    ({"floor": 0}, r"0 < floor <= 1 <= cap; got floor=0")])
def test_transfer_factor_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        transfer_factors(pd.Series({"R1": 90.0}), **kwargs)


def test_transfer_factor_missing_total():
    with pytest.raises(ValueError, match=r"`totals` must not be missing; got NaN for \['R2'\]"):
        transfer_factors(pd.Series({"R1": 90.0, "R2": np.nan}))


def test_regions_get_the_transfer_factor():
    units = _units(3, kind=["region", "region", "project"], budget=[1000.0, 3000.0, 100.0])
    r = apply_results(_totals(90, 70, 70), units)
    u = r.units.set_index("unit_id")
    assert u.loc["P0", "action_code"] == "transfer_factor" and u.loc["P2", "action_code"] == "cut"
    assert u.loc[["P0", "P1"], "proposed_budget"].sum() == pytest.approx(4000.0)  # budget neutral
    assert u.loc["P0", "transfer_factor"] > 1 > u.loc["P1", "transfer_factor"]
    assert u.loc["P0", "cut_share"] == pytest.approx(1 - u.loc["P0", "transfer_factor"])
    assert u.loc["P1", "rectification_required"] and len(r.transfers) == 2 and np.isnan(u.loc["P2", "transfer_factor"])


# --- files and CLI ------------------------------------------------------------------------------------------------
def test_read_units_and_cli_apply(tmp_path, capsys):
    from perfeval.cli import main

    d = tmp_path / "ds"
    d.mkdir()
    (d / "units.csv").write_text("项目编码,项目类型,刚性支出,部门编码,类型\nP0,continuing,否,D1,project\n"
                                 "P1,phased,否,D1,project\nP2,one_off,是,D2,project\nR1,,否,T,region\n"
                                 "R2,,否,T,region\n", encoding="utf-8")
    (d / "budget.csv").write_text("unit_id,budget_full_year,executed\nP0,100,90\nP1,200,150\nP2,50,50\n"
                                  "R1,1000,900\nR2,1000,900\n", encoding="utf-8")
    (d / "totals.csv").write_text("unit_id,total\nP0,92\nP1,55\nP2,75\nR1,88\nR2,72\n", encoding="utf-8")
    units = read_units(d / "units.csv")
    assert units["rigid"].tolist() == [False, False, True, False, False]
    out = tmp_path / "apply.csv"
    assert main(["apply", str(d), "--totals", str(d / "totals.csv"), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "暂停拨付" in text and "budget impact by department and grade" in text and "transfer-payment" in text
    assert len(pd.read_csv(out)) == 5
    (d / "totals.csv").write_text("unit_id,total,grade\nP0,92,A+\n", encoding="utf-8")
    assert main(["apply", str(d), "--totals", str(d / "totals.csv")]) == 1
    assert f"{d / 'totals.csv'}:2:grade: unknown_grade" in capsys.readouterr().err
    assert main(["apply", str(d)]) == 1  # nothing to score
    assert "give --totals FILE" in capsys.readouterr().err
    policy = tmp_path / "policy.yaml"
    policy.write_text("kind: application\ngrades:\n  中: {cut_share: -0.2}\n", encoding="utf-8")
    assert main(["apply", str(d), "--policy", str(policy)]) == 1
    assert f"{policy}:3: negative_cut" in capsys.readouterr().err


def test_cli_apply_scores_the_dataset_with_the_frameworks_dataset_yaml_names(tmp_path, capsys):
    from perfeval.cli import main
    from perfeval.cli.apply import score_dataset

    d = tmp_path / "ds"
    d.mkdir()
    (d / "units.csv").write_text("unit_id,project_type\nP0,continuing\n", encoding="utf-8")
    (d / "indicators.csv").write_text(
        "unit_id,l1,l2,indicator,target,actual,points\nP0,产出指标,数量指标,人次,≥100,80,50\n"
        "P0,效益指标,社会效益指标,覆盖率,≥90%,95%,40\n", encoding="utf-8")
    (d / "budget.csv").write_text("unit_id,budget_full_year,executed\nP0,100,90\n", encoding="utf-8")
    (d / "dataset.yaml").write_text("categories: {self: {framework: project_self, files: [indicators.csv]}}\n",
                                    encoding="utf-8")
    totals, count = score_dataset(d)
    assert totals["unit_id"].tolist() == ["P0"] and count == 0
    assert main(["apply", str(d)]) == 0 and "== actions (1 rows)" in capsys.readouterr().out
    (d / "indicators.csv").write_text((d / "indicators.csv").read_text(encoding="utf-8").replace(",80,", ",1000,"),
                                      encoding="utf-8")
    assert main(["apply", str(d)]) == 0
    assert "scoring left 1 warning(s); `perfeval validate" in capsys.readouterr().err
    (d / "dataset.yaml").write_text("categories: [\n", encoding="utf-8")
    assert main(["apply", str(d)]) == 1
    assert f"{d / 'dataset.yaml'}:2: yaml_syntax" in capsys.readouterr().err


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="sample_data/province has not been generated")
def test_sample_province_shows_every_application_action(capsys):
    """Every action of the shipped policy occurs on the sample province, scored as `perfeval apply` does."""
    from perfeval.cli import main
    from perfeval.cli.apply import read_budgets, score_dataset
    from perfeval.policies import ApplicationPolicy

    pol = ApplicationPolicy.load()
    totals, _ = score_dataset(SAMPLE)
    r = apply_results(totals, read_units(SAMPLE / "units.csv"), budget=read_budgets(SAMPLE))
    expected = {a.code for table in pol.actions.values() for a in table.values()} | {pol.rigid.code,
                                                                                    pol.transfer.code}
    assert set(r.units["action_code"]) == expected
    assert r.transfers["adjusted_allocation"].sum() == pytest.approx(r.transfers["allocation"].sum())
    assert main(["apply", str(SAMPLE)]) == 0 and "== actions" in capsys.readouterr().out


def test_the_years_analysis_applies_the_same_grades_as_perfeval_apply():
    """`pipeline.analyse` feeds the departments' and regions' own evaluations to the application step, as
    `perfeval apply` does: the regions get their transfer factors, and every unit's action is the same."""
    from perfeval.cli.apply import read_budgets, score_dataset
    from perfeval.datasets import resolve_dataset
    from perfeval.pipeline import analyse

    folder = resolve_dataset("province")
    data = pe.load_sample()
    ours = analyse(data, draws=20, steps=["application", "recheck", "key"]).application.units
    totals, _ = score_dataset(folder)
    cli = pe.application.apply_results(totals, data.units, budget=read_budgets(folder)).units
    regions = ours["kind"] == "region"
    assert regions.sum() > 0 and ours.loc[regions, "transfer_factor"].notna().all()
    assert set(ours.loc[ours["kind"] == "department", "grade"].dropna()) and not ours["grade"].isna().any()
    both = ours.merge(cli, on="unit_id", suffixes=("", "_cli"))
    assert len(both) == len(ours) == len(cli)
    assert (both["action_code"] == both["action_code_cli"]).all()
    assert (both["grade_source"] == both["grade_source_cli"]).all()
    pd.testing.assert_series_equal(both["proposed_budget"], both["proposed_budget_cli"], check_names=False)
