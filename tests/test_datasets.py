"""Tests of perfeval.datasets: the synthetic sample province (issue 4).

The committed ``sample_data/province`` must be exactly what ``pe.synthesize(seed=2019)`` writes, validate, score
with no problems but the planted ones (each found), and show the features the demos rely on: a grade mix with all
four grades, inflated self-evaluations that the re-check downgrades, every monitoring light, the three ex-ante
conclusions, a severe / lenient / erratic expert and one inconsistent AHP expert.
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import perfeval as pe
from perfeval.cli import main
from perfeval.datasets import COLUMNS, FILES
from perfeval.datasets._distributions import DISTRIBUTIONS, Distribution, distribution_table

RANK = {"优": 0, "良": 1, "中": 2, "差": 3}
EXPECTED_SCORING_CODES = {"target_too_low", "actual_restates_target", "executed_above_budget"}


@pytest.fixture(scope="module")
def generated() -> pe.SampleData:
    return pe.synthesize(seed=2019)


@pytest.fixture(scope="module")
def sample() -> pe.SampleData:
    return pe.load_sample("province")


@pytest.fixture(scope="module")
def scored(sample: pe.SampleData) -> pe.ScoreResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pe.DataQualityWarning)
        return pe.score("project_self", sample.observations, sample.budget)


def _planted(sample: pe.SampleData) -> dict[str, dict]:
    return {p["code"]: p for p in sample.meta["planted"]}


# ---------------------------------------------------------------------------------------------------------------
# reproducibility
# ---------------------------------------------------------------------------------------------------------------
def test_synthesize_reproduces_committed_files_byte_for_byte(generated, sample_dir: Path):
    for file, text in generated.csv_texts().items():
        assert (sample_dir / file).read_bytes() == text.encode("utf-8"), file
    assert (sample_dir / "dataset.yaml").read_bytes() == generated.yaml_text().encode("utf-8")
    assert (sample_dir / "README.md").read_bytes() == generated.readme.encode("utf-8")
    committed = sorted(p.name for p in (sample_dir / "forms").glob("*.xlsx"))
    assert committed == sorted(f.file for f in generated.forms)
    for form in generated.forms:  # XLSX made byte-stable: fixed zip timestamps and workbook times
        assert (sample_dir / "forms" / form.file).read_bytes() == generated.form_bytes(form), form.file


def test_sample_folder_holds_nothing_else(sample_dir: Path):
    expected = {*FILES.values(), "dataset.yaml", "README.md", "forms", "sheets"}
    assert {p.name for p in sample_dir.iterdir()} == expected


def test_another_seed_gives_other_data(generated):
    other = pe.synthesize(seed=2020)
    assert other.csv_texts()["indicators.csv"] != generated.csv_texts()["indicators.csv"]
    assert other.csv_texts()["budget.csv"] != generated.csv_texts()["budget.csv"]
    assert other.meta["seed"] == 2020


def test_write_then_load_round_trip(tmp_path: Path, generated):
    out = generated.write(tmp_path / "prov")
    assert (out / "indicators.csv").read_text(encoding="utf-8").startswith("unit_id,l1,l2,indicator,")
    assert oct((out / "budget.csv").stat().st_mode & 0o777) == oct(0o644)
    assert not list(out.rglob("*.tmp"))


@pytest.mark.parametrize("seed, scale, message", [
    (-1, 1.0, "`seed` must be a non-negative integer; got -1"),
    (1.5, 1.0, "`seed` must be a non-negative integer; got 1.5"),
    (True, 1.0, "`seed` must be a non-negative integer; got True"),
    (1, 0.0, r"`scale` must be a number in \[0.2, 1000\]"),
    (1, float("nan"), r"`scale` must be a number in \[0.2, 1000\]"),
    (1, "2", r"`scale` must be a number in \[0.2, 1000\] \(1 = 150 projects\); got '2'"),
])
def test_synthesize_rejects_bad_arguments(seed, scale, message):
    with pytest.raises(ValueError, match=message):
        pe.synthesize(seed=seed, scale=scale)


def test_scale_multiplies_the_projects():
    small = pe.synthesize(seed=5, scale=0.2)
    projects = small.units[(small.units["kind"] == "project") & ~small.units["is_new"].astype(bool)]
    assert len(projects) == 30 and len(small.budget) == 30
    assert small.recheck["unit_id"].nunique() == 6
    assert small.panel["unit_id"].nunique() == 2
    assert len(small.units[small.units["kind"] == "department"]) == 12


# ---------------------------------------------------------------------------------------------------------------
# loading and listing
# ---------------------------------------------------------------------------------------------------------------
def test_list_samples():
    samples = pe.list_samples()
    assert samples["name"].tolist() == ["province"]
    assert bool(samples["synthetic"].iloc[0]) and samples["year"].iloc[0] == 2023


def test_load_sample_reads_every_file_through_the_readers(sample, generated):
    for name, frame in sample.frames().items():
        assert len(frame) == len(getattr(generated, name)), name
        assert {"source_file", "source_row"} <= set(frame.columns), name
        assert [c for c in COLUMNS[name] if c not in frame.columns] == [], name
    assert sample.units["unit_id"].str.startswith("00").any()  # leading zeros kept
    assert sample.meta["synthetic"] is True and sample.meta["money_unit"] == "万元"
    assert "synthetic" in sample._repr_html_() and "province" in repr(sample)
    assert len(sample.forms) == 10


def test_load_sample_errors():
    with pytest.raises(pe.InputError, match="must be one of the shipped samples \\(province\\); got 'nowhere'"):
        pe.load_sample("nowhere")
    with pytest.raises(TypeError, match="`name` must be a str; got int"):
        pe.load_sample(3)


def test_forms_read_back_as_written(sample):
    form = sample.forms[0]
    rows = sample.observations[sample.observations["unit_id"] == form.unit["unit_id"]]
    assert form.observations["indicator"].tolist() == rows["indicator"].tolist()
    assert form.observations["points"].sum() == pytest.approx(90.0)
    claimed = sample.budget.set_index("unit_id").loc[form.unit["unit_id"], "claimed_total"]
    assert form.claimed_total == pytest.approx(claimed)


# ---------------------------------------------------------------------------------------------------------------
# content
# ---------------------------------------------------------------------------------------------------------------
def test_units_and_shapes(sample):
    units = sample.units
    projects = units[(units["kind"] == "project") & (units["category"].str.contains("self"))]
    assert len(projects) == 150 and len(units[units["kind"] == "department"]) == 12
    assert len(units[units["kind"] == "region"]) == 14
    assert set(projects["project_type"]) == {"continuing", "phased", "one_off"}
    assert projects["category"].str.contains("recheck").sum() == 30
    assert projects["category"].str.contains("key").sum() == 8
    new = units[units["is_new"].astype(bool)]
    assert len(new) == 20 and set(new["unit_id"]) == set(sample.exante["unit_id"])
    counts = sample.observations.groupby("unit_id").size()
    assert counts.between(5, 12).all() and len(counts) == 150
    assert sample.observations.groupby("unit_id")["points"].sum().eq(90).all()
    assert (sample.observations["indicator_code"].isna()).mean() < 0.25  # mostly from the library
    execution = sample.budget["executed"] / sample.budget["budget_full_year"]
    assert execution.between(0.85, 1.0).mean() > 0.7 and (execution < 0.7).sum() >= 3


def test_every_indicator_code_is_an_approved_valid_library_entry(sample):
    findings = pe.load_library().check(sample.observations, on="2023-12-31")
    assert set(findings["finding"]) <= {"individual", "op_differs"}
    differs = findings[findings["finding"] == "op_differs"]
    assert differs["indicator"].tolist() == [_planted(sample)["cost_indicator_ge"]["indicator"]]


def test_dataset_validates(sample_dir: Path, capsys):
    assert main(["validate", str(sample_dir)]) == 0  # warnings are printed as located problems, not raised
    out = capsys.readouterr()
    assert "ok (dataset" in out.err
    assert re.search(r"budget\.csv:\d+: data_quality: warning: executed above the full-year budget", out.out)


def test_scoring_problems_are_only_the_planted_and_legitimate_ones(sample, scored):
    codes = {p.code for p in scored.problems}
    assert codes == EXPECTED_SCORING_CODES
    planted = _planted(sample)
    restated = [p for p in scored.problems if p.code == "actual_restates_target"]
    row = int(restated[0].location.split(":")[-2])
    assert sample.observations.set_index("source_row").loc[row, "unit_id"] == \
        planted["actual_restates_target"]["unit_id"]
    over_budget = [p for p in scored.problems if p.code == "executed_above_budget"]
    assert len(over_budget) == 1 and planted["executed_above_budget"]["unit_id"] in over_budget[0].message


def _claims(sample: pe.SampleData) -> pd.Series:
    """Claimed execution points plus claimed indicator points, N/A rows' points rescaled within their slot."""
    obs = sample.observations.assign(app=sample.observations["applicable"].astype(bool))
    slot = obs.groupby(["unit_id", "l2"])
    factor = slot["points"].transform("sum") / obs["points"].where(obs["app"], 0.0).groupby(
        [obs["unit_id"], obs["l2"]]).transform("sum")
    rows = (obs["score"].fillna(0.0) * factor).groupby(obs["unit_id"]).sum()
    return rows + sample.budget.set_index("unit_id")["score"]


def test_each_planted_problem_is_found(sample, scored):
    planted = _planted(sample)
    assert set(planted) == {"met_underscored", "unmet_full_score", "cost_indicator_ge", "actual_restates_target",
                            "unexplained_over_achievement", "all_full_marks", "execution_score_differs",
                            "total_not_sum_of_rows", "executed_above_budget"}
    assert set(planted) <= set(pe.recheck.FINDINGS)  # the audit's own codes
    assert len({p["unit_id"] for p in planted.values()}) == len(planted)
    obs = sample.observations.reset_index(drop=True)
    leaves = scored.nodes[scored.nodes["rule"].notna() & (scored.nodes["level"] == 3)]
    achieved = leaves.set_index(["unit_id", "name"])["achievement"]
    ach = pd.Series([achieved.get((u, i), np.nan) for u, i in zip(obs["unit_id"], obs["indicator"])])
    quant = obs["level"].isna() & obs["applicable"].astype(bool)
    low = obs[quant & (ach >= 1.0) & (obs["score"] < obs["points"] - 0.01)]
    assert set(low["unit_id"]) == {planted["met_underscored"]["unit_id"]}
    # claimed full although the rule gives less: the planted row, and the rows of three other planted problems
    full = obs[quant & (ach < 0.99) & (obs["score"] >= obs["points"])]
    all_full = planted["all_full_marks"]["unit_id"]
    assert set(full["unit_id"]) == {planted[c]["unit_id"] for c in (
        "unmet_full_score", "cost_indicator_ge", "actual_restates_target", "all_full_marks")}
    # a cost indicator written with >= (a minimum standard such as 基础养老金最低标准 is >= by the library)
    from perfeval.library._schema import cost_ge_allowed

    cost = obs[(obs["l2"] == "成本指标") & (obs["op"] == ">=") & ~obs["indicator"].map(cost_ge_allowed)]
    assert set(cost["unit_id"]) == {planted["cost_indicator_ge"]["unit_id"]}
    # a target exceeded by >= 130 % without a note
    flagged = [p for p in scored.problems if p.code == "target_too_low"]
    rows = [int(p.location.split(":")[-2]) for p in flagged]
    silent = obs.set_index("source_row").loc[rows]
    silent = silent[silent["note"].isna()]
    assert silent["unit_id"].tolist() == [planted["unexplained_over_achievement"]["unit_id"]]
    # totals
    totals = scored.totals.set_index("unit_id")
    budget = sample.budget.set_index("unit_id")
    hundred = budget.index[(budget["claimed_total"] == 100) & (totals["total"].reindex(budget.index) < 99)]
    assert list(hundred) == [all_full]
    exec_off = budget.index[(budget["score"] - totals["execution_score"].reindex(budget.index)).abs() > 0.011]
    assert set(exec_off) == {planted["execution_score_differs"]["unit_id"], all_full}
    not_sum = budget.index[(budget["claimed_total"] - _claims(sample).reindex(budget.index)).abs() > 0.011]
    assert list(not_sum) == [planted["total_not_sum_of_rows"]["unit_id"]]
    over = budget.index[budget["executed"] > budget["budget_full_year"]]
    assert list(over) == [planted["executed_above_budget"]["unit_id"]]


def test_audit_finds_exactly_the_planted_problems(sample):
    """perfeval's audit (recheck.audit) reports a finding for every planted problem and for nothing else."""
    result = pe.recheck.audit(sample.observations, sample.budget)
    planted = {p["unit_id"] for p in sample.meta["planted"]}
    assert set(result.findings["unit_id"]) == planted
    # each planted problem is listed under the code the audit reports it with
    found = set(zip(result.findings["code"], result.findings["unit_id"]))
    assert {(p["code"], p["unit_id"]) for p in sample.meta["planted"]} <= found


def test_claims_follow_the_rules_except_where_planted(sample, scored):
    """The engine's totals equal the claimed totals for every project without a planted problem, up to the
    units' rounding of each row's score to 0.01 (PMKPI rounds them, perfeval does not)."""
    planted_units = {p["unit_id"] for p in sample.meta["planted"]}
    merged = scored.totals.merge(sample.budget[["unit_id", "claimed_total"]], on="unit_id")
    clean = merged[~merged["unit_id"].isin(planted_units)]
    rows = sample.observations.groupby("unit_id").size().reindex(clean["unit_id"]).to_numpy()
    assert (np.abs(clean["total"] - clean["claimed_total"]).to_numpy() <= 0.005 * (rows + 1) + 1e-9).all()
    untouched = ("unexplained_over_achievement", "executed_above_budget")  # these do not touch the claims
    claim_slips = {p["unit_id"] for p in sample.meta["planted"] if p["code"] not in untouched}
    planted = merged[merged["unit_id"].isin(claim_slips)]
    assert (np.abs(planted["total"] - planted["claimed_total"]) > 0.1).all()


def test_grade_mix(scored):
    grades = scored.totals["grade"].value_counts()
    assert set(grades.index) == {"优", "良", "中", "差"}
    assert (grades.get("优", 0) + grades.get("良", 0)) / grades.sum() > 0.75
    assert grades.get("良", 0) >= 15 and grades.get("中", 0) >= 5


def test_recheck_shows_inflation_and_downgrades(sample, scored):
    rc = sample.recheck.merge(scored.totals[["unit_id", "total", "grade"]], on="unit_id")
    assert len(rc) == 30
    bias = rc["total"] - rc["recheck_total"]
    assert bias.mean() > 1.0 and (bias > 0).mean() > 0.7
    regrade = pd.Series(pe.grade(rc["recheck_total"].to_numpy()), index=rc.index)
    steps = regrade.map(RANK) - rc["grade"].map(RANK)
    assert (steps > 0).sum() >= 3 and (steps > 0).sum() > 3 * (steps < 0).sum()
    near_cut = np.min(np.abs(rc["total"].to_numpy()[:, None] - np.array([60.0, 80.0, 90.0])), axis=1) < 1.0
    assert near_cut.sum() >= 2
    departments = sample.units.set_index("unit_id").loc[rc["unit_id"], "department_id"]
    assert departments.nunique() == 12


def test_recheck_totals_are_the_rescored_recheck_rows(sample):
    rows = sample.recheck_indicators.assign(score=sample.recheck_indicators["recheck_score"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pe.DataQualityWarning)
        res = pe.score("project_self", rows, _true_budget(sample, rows["unit_id"].unique()))
    merged = res.totals.merge(sample.recheck, on="unit_id")
    assert np.allclose(merged["total"], merged["recheck_total"], atol=0.05)


def _true_budget(sample: pe.SampleData, units: np.ndarray) -> pd.DataFrame:
    return sample.budget[sample.budget["unit_id"].isin(units)].drop(columns=["score", "claimed_total"])


def test_panel_has_a_severe_a_lenient_and_an_erratic_expert(sample):
    panel = sample.panel
    key_fw = pe.load_framework("project_key")
    assert panel["node_code"].nunique() == len(key_fw.leaves()) and panel["rater_id"].nunique() == 7
    points = pd.Series({n.code: n.points for n in key_fw.leaves()})
    assert (panel["score"] >= 0).all() and (panel["score"] <= panel["node_code"].map(points)).all()
    rel = panel.assign(a=panel["score"] / panel["node_code"].map(points))
    dev = rel["a"] - rel.groupby(["unit_id", "node_code"])["a"].transform("median")
    by_rater = dev.groupby(rel["rater_id"])
    truth = sample.meta["truth"]["raters"]
    assert by_rater.mean().idxmin() == truth["severe"] and by_rater.mean().idxmax() == truth["lenient"]
    spread = (dev - by_rater.transform("mean")).groupby(rel["rater_id"]).std()
    assert spread.idxmax() == truth["erratic"]
    diagnostics = pe.panel.rater_diagnostics(panel, framework="project_key").to_frame().set_index("rater_id")
    for role, rater in truth.items():
        assert role in diagnostics.loc[rater, "flags"]


def test_ahp_survey_has_one_inconsistent_expert(sample):
    survey = sample.ahp_survey
    codes = [n.code for n in pe.load_framework("project_key").nodes]
    assert survey["expert_id"].nunique() == 10 and len(survey) == 10 * len(codes) * (len(codes) - 1) // 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pe.InconsistentJudgementsWarning)
        res = pe.weighting.ahp_survey(survey)
    experts = res.experts.set_index("expert_id")
    inconsistent = experts.index[experts["cr"] > 0.1].tolist()
    assert inconsistent == [sample.meta["truth"]["ahp_inconsistent"]]


def test_monitoring_lights_show_every_colour(sample):
    mon = sample.monitoring
    assert mon["month"].dtype == "Int64" and sorted(mon["month"].unique()) == list(range(1, 9))
    names = set(zip(sample.observations["unit_id"], sample.observations["indicator"]))
    lines = mon[mon["indicator"] != "budget"]
    assert all(pair in names for pair in zip(lines["unit_id"], lines["indicator"]))
    res = pe.monitoring.lights(mon, sample.observations, sample.budget, month=8)
    colours = res.lights.groupby("line")["colour"].agg(set)
    assert {"red", "yellow", "green"} <= colours["budget"]
    assert {"red", "yellow", "green", "blue"} <= colours["indicator"]


def test_exante_spans_the_three_conclusions(sample):
    totals = sample.exante.groupby("unit_id")["score"].sum()
    assert len(totals) == 20 and (totals >= 90).any() and totals.between(70, 90, inclusive="left").any()
    assert (totals < 70).any() and {90.0, 89.5, 70.0, 69.5} <= set(totals)
    res = pe.exante.assess(sample.exante, units=sample.units).to_frame()
    assert res["banded_conclusion"].nunique() == 3


def test_department_and_transfer_evaluations_score_cleanly(sample):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pe.DataQualityWarning)
        dept = pe.score("department", sample.department_observations, sample.department_budget)
        trf = pe.score("transfer", sample.transfer_observations, sample.transfer_budget)
    assert len(dept.totals) == 12 and len(trf.totals) == 14
    assert {p.code for p in dept.problems} <= {"target_too_low"}
    assert {p.code for p in trf.problems} <= {"target_too_low"}
    assert dept.totals["grade"].nunique() >= 2 and trf.totals["grade"].nunique() >= 2


def test_draws_of_every_family_and_an_unknown_family():
    rng = np.random.default_rng(0)
    families = {d.family for d in DISTRIBUTIONS.values()}
    assert families == {"beta", "uniform", "lognormal", "normal", "bernoulli", "integers", "choice", "dirichlet"}
    for d in DISTRIBUTIONS.values():
        assert len(d.draw(rng, 3)) == 3 and d.describe()
    odd = Distribution("test.gamma", "gamma", {"shape": 2.0}, "nothing")
    assert odd.describe() == "gamma"
    with pytest.raises(ValueError, match=r"^`family` must be a known distribution family; got 'gamma'\.$"):
        odd.draw(rng, 3)


def test_every_distribution_is_documented_in_the_readme(sample):
    table = distribution_table()
    assert len(table) == len(DISTRIBUTIONS) and table["used_for"].str.len().gt(0).all()
    for name in DISTRIBUTIONS:
        assert f"| {name} |" in sample.readme
    for word in ("synthetic", "pe.synthesize(seed=2019", "Planted problems", "示例省"):
        assert word in sample.readme


# ---------------------------------------------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------------------------------------------
def test_cli_samples_lists_and_exports(tmp_path: Path, sample_dir: Path, capsys):
    assert main(["samples"]) == 0
    assert capsys.readouterr().out.startswith("province\t2023\t")
    target = tmp_path / "out"
    assert main(["samples", "--export", str(target)]) == 0
    assert (target / "indicators.csv").read_bytes() == (sample_dir / "indicators.csv").read_bytes()
    assert sorted(p.name for p in (target / "forms").iterdir()) == sorted(
        p.name for p in (sample_dir / "forms").iterdir())
    assert main(["samples", "--export", str(target)]) == 1
    assert "use --force" in capsys.readouterr().err
    assert main(["samples", "--export", str(target), "--force"]) == 0
    assert main(["samples", "--export", str(target), "--name", "nowhere"]) == 1
    assert "unknown_sample" in capsys.readouterr().err


def test_dataset_files_are_read_by_one_reader_per_name(sample_dir: Path):
    """read_units lives with the readers in perfeval.io (perfeval.application re-exports it); load_sample and
    ``perfeval validate`` read every file through perfeval.io.read_dataset_file, which picks the reader by name."""
    from perfeval import application, io

    assert application.read_units is io.read_units
    units = io.read_dataset_file(sample_dir / "units.csv")
    assert units["is_new"].dtype == "boolean" and units["unit_id"].iloc[0] == "0010001"
    rechecked = io.read_dataset_file(sample_dir / "recheck_indicators.csv")
    assert rechecked["recheck_score"].dtype == float
    with pytest.warns(pe.DataQualityWarning, match="executed above"):
        assert list(io.read_dataset_file(sample_dir / "budget.csv").columns[:2]) == ["unit_id", "budget_initial"]
    assert io.read_dataset_meta(sample_dir)["name"] == "province"
    assert io.read_dataset_meta(sample_dir / "forms") == {}


def test_dataset_meta_with_bad_yaml_is_a_located_error(tmp_path: Path):
    (tmp_path / "dataset.yaml").write_text("name: x\nframeworks: [self\n", encoding="utf-8")
    with pytest.raises(pe.InputError, match=r"dataset\.yaml:3: yaml_syntax: "):
        pe.io.read_dataset_meta(tmp_path)


def test_month_is_read_as_a_nullable_integer(sample_dir: Path, tmp_path: Path):
    """``month`` comes back as Int64 (an empty cell is <NA>, not a float column); a fractional month is an error
    naming the cell."""
    from perfeval.datasets._load import _read

    lines = (sample_dir / "monitoring.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "monitoring.csv"
    path.write_text("\n".join([lines[0], lines[1], lines[2].replace(",1,", ",,", 1)]) + "\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pe.DataQualityWarning)
        month = _read("monitoring", path)["month"]
    assert month.dtype == "Int64" and month.iloc[0] == 1 and month.isna().iloc[1]
    path.write_text("\n".join([lines[0], lines[1].replace(",1,", ",1.5,", 1)]) + "\n", encoding="utf-8")
    with pytest.raises(pe.InputError, match=r"monitoring\.csv:2:month: not_integer: `month` must be a whole "
                                            r"number; got 1\.5"):
        _read("monitoring", path)


# credibility of the sample (issue 15)
def test_sample_cost_compliance_budgets_and_monitoring_are_credible(sample):
    """Project-cost ceilings come from the project's own budget and their actual is what was spent; compliance
    rates target 100 %; effects are library entries; some budgets carry last year's funds (adjusted < full-year);
    monitoring reports percentages."""
    from perfeval.targets import parse_observations

    obs, _ = parse_observations(sample.observations)
    b = sample.budget.set_index("unit_id")
    cost = obs[(obs["indicator"] == "项目总成本") & obs["target_value"].notna()]
    assert len(cost) >= 10
    full = cost["unit_id"].map(b["budget_full_year"])
    assert ((cost["target_value"] <= full + 1e-9) & (cost["target_value"] >= 0.9 * full)).all()
    planted_above = {str(p["unit_id"]) for p in sample.meta["planted"] if p["code"] == "executed_above_budget"}
    spent = cost["unit_id"].map(b["executed"])
    honest = ~cost["unit_id"].isin(planted_above)
    assert (cost.loc[honest, "actual_value"] - spent[honest]).abs().max() < 0.006
    compliance = obs[obs["indicator"].str.contains("合规率")]
    assert len(compliance) and (compliance["target_value"] == 100).all()
    effects = sample.observations[sample.observations["l1"] == "效益指标"]
    assert (effects["indicator_code"].fillna("").astype(str) != "").mean() > 0.98
    assert not effects["indicator"].str.contains("带动社会投资|生态环境改善情况").any()
    assert 10 <= int((sample.budget["budget_adjusted"] < sample.budget["budget_full_year"]).sum()) <= 60
    mon = sample.monitoring[sample.monitoring["indicator"] != "budget"]
    named = sample.observations.set_index(["unit_id", "indicator"])["unit"]
    units = [named.get((u, i)) for u, i in zip(mon["unit_id"], mon["indicator"])]
    assert sum(u == "%" for u in units) > 500
