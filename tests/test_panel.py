"""Expert panels: trimming by counts (the k = 49 trap), ties and missing ratings, rater diagnostics worked by hand,
reliability per node, the sample province's planted experts, and every error path."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import perfeval as pe
from perfeval.agreement import icc, krippendorff_alpha
from perfeval.errors import DataQualityWarning, DegenerateDataWarning, InputError
from perfeval.panel import METHODS, aggregate, rater_diagnostics, reliability
from perfeval.panel._diagnostics import _robust_z


def one_cell(scores, raters=None, node="n1", unit="P1"):
    raters = raters or [f"E{i + 1:02d}" for i in range(len(scores))]
    return pd.DataFrame({"unit_id": unit, "node_code": node, "rater_id": raters, "score": scores})


@pytest.fixture(scope="module")
def province():
    return pe.load_sample()


# ---------------------------------------------------------------------------------------------------------------
# aggregate
# ---------------------------------------------------------------------------------------------------------------
def test_panel_of_49_drops_exactly_the_two_extremes():
    """49 experts, one extreme score at each end: the trimmed mean drops exactly those two.

    scipy.stats.trim_mean(x, 1/49) drops nothing (int(49 * (1/49)) == 0 in floating point; agreement-notes §1):
    the trap this module avoids by trimming counts.
    """
    middle = [6 + (i % 5) * 0.5 for i in range(47)]          # 6, 6.5, 7, 7.5, 8, 6, ...
    scores = middle[:20] + [0.0] + middle[20:40] + [10.0] + middle[40:]
    raters = [f"E{i + 1:02d}" for i in range(49)]
    res = aggregate(one_cell(scores, raters), trim=1, points={"n1": 10})
    row = res.scores.iloc[0]
    expected = 327.5 / 47                                    # 9 cycles of 35 + 6 + 6.5
    assert sum(middle) == 327.5
    assert row["score"] == pytest.approx(expected, abs=1e-12)
    assert row["n_ratings"] == 49 and row["n_used"] == 47
    assert row["dropped_low"] == "E21" and row["dropped_high"] == "E42"
    assert row["mean"] == pytest.approx((327.5 + 10.0) / 49, abs=1e-12)
    assert row["shift"] == pytest.approx(expected - (337.5 / 49), abs=1e-12)
    assert int(49 * (1 / 49)) == 0
    assert stats.trim_mean(scores, 1 / 49) == pytest.approx(np.mean(scores), abs=1e-12)  # the trap: nothing dropped


def test_trimmed_mean_of_five_and_other_methods_by_hand():
    """[9, 2, 5, 8, 7]: trimmed (1 each end) = mean(5, 7, 8) = 20/3 (= scipy trim_mean(x, 0.2)); winsorized
    = mean(5, 5, 7, 8, 8) = 6.6; median 7; mean 6.2."""
    r = one_cell([9.0, 2.0, 5.0, 8.0, 7.0], list("ABCDE"))
    assert aggregate(r).scores["score"].iat[0] == pytest.approx(20 / 3, abs=1e-12)
    assert stats.trim_mean([9, 2, 5, 8, 7], 0.2) == pytest.approx(20 / 3)
    assert aggregate(r, method="winsorized").scores["score"].iat[0] == pytest.approx(6.6, abs=1e-12)
    assert aggregate(r, method="median").scores["score"].iat[0] == 7.0
    mean = aggregate(r, method="mean").scores
    assert mean["score"].iat[0] == pytest.approx(6.2, abs=1e-12)
    assert mean["n_used"].iat[0] == 5 and mean["dropped_low"].iat[0] == ""
    assert aggregate(r, trim=2, min_raters=5).scores["score"].iat[0] == 7.0   # only the middle rating left


def test_ties_drop_one_rating_and_name_the_documented_rater():
    """[5, 5, 5, 9, 9]: one 5 and one 9 go, mean(5, 5, 9) = 19/3; the low end names the first tied rater, the
    high end the last."""
    res = aggregate(one_cell([5.0, 9.0, 5.0, 9.0, 5.0], list("ABCDE")))
    row = res.scores.iloc[0]
    assert row["score"] == pytest.approx(19 / 3, abs=1e-12)
    assert row["dropped_low"] == "A" and row["dropped_high"] == "D"


def test_missing_ratings_reduce_k_and_too_few_raters_are_reported():
    """A NaN rating is a missing rating; cells below min_raters get NaN and a located warning, none is dropped."""
    r = pd.concat([one_cell([4.0, np.nan, 6.0, 8.0], list("ABCD"), node="n1"),
                   one_cell([3.0, np.nan, np.nan, 5.0], list("ABCD"), node="n2"),
                   one_cell([np.nan] * 4, list("ABCD"), node="n3")], ignore_index=True)
    with pytest.warns(DataQualityWarning, match="2 unit-node cell"):
        res = aggregate(r)
    s = res.scores.set_index("node_code")
    assert s.at["n1", "n_ratings"] == 3 and s.at["n1", "score"] == 6.0      # trimmed: drops 4 and 8
    assert s.at["n2", "n_ratings"] == 2 and math.isnan(s.at["n2", "score"])
    assert s.at["n3", "n_ratings"] == 0 and math.isnan(s.at["n3", "score"])
    assert [p.code for p in res.problems] == ["too_few_raters", "too_few_raters"]
    assert res.problems[0].location == "unit P1:n2"
    assert res.to_observations()["node_code"].tolist() == ["n1"]
    assert math.isnan(res.totals["total"].iat[0])                            # a cell without consensus


def test_totals_report_how_trimming_moved_the_grade():
    """Two nodes of 50 points; a lenient outlier lifts the plain mean to 良 while the trimmed total is 中."""
    r = pd.concat([one_cell([40.0, 39.0, 40.0, 50.0], list("ABCD"), node="a"),
                   one_cell([39.0, 40.0, 39.0, 50.0], list("ABCD"), node="b")], ignore_index=True)
    res = aggregate(r, points={"a": 50, "b": 50})
    t = res.totals.iloc[0]
    assert t["total"] == pytest.approx(40.0 + 39.5)                         # a: mean(40, 40); b: mean(39, 40)
    assert t["mean_total"] == pytest.approx(169 / 4 + 168 / 4)              # 84.25: 良
    assert (t["grade"], t["mean_grade"], bool(t["grade_changed"])) == ("中", "良", True)
    assert t["shift"] == pytest.approx(79.5 - 84.25)
    assert "PanelResult" in res._repr_html_() and "trim=1" in repr(res)


def test_chinese_headers_are_accepted():
    r = one_cell([1.0, 2.0, 3.0]).rename(columns={"unit_id": "项目编码", "node_code": "指标编码", "rater_id": "专家编码",
                                                  "score": "得分"})
    assert aggregate(r).scores["score"].iat[0] == 2.0


def test_consensus_feeds_score_for_the_key_framework(province):
    """The aggregated panel scores (unit_id, node_code, score) are observations of pe.score on project_key."""
    res = aggregate(province.panel, framework="project_key")
    scored = pe.score("project_key", res.to_observations())
    totals = scored.totals.set_index("unit_id")["total"]
    assert totals.reindex(res.totals["unit_id"]).to_numpy() == pytest.approx(res.totals["total"].to_numpy())


@pytest.mark.parametrize("kwargs, match", [
    ({"method": "trim"}, "`method` must be one of"),
    ({"trim": -1}, "`trim` must be an integer >= 0"),
    ({"trim": 1.5}, "`trim` must be an integer >= 0"),
    ({"min_raters": 0}, "`min_raters` must be an integer >= 1"),
    ({"trim": 2, "min_raters": 4}, r"`min_raters` must be >= 2 \* trim \+ 1 = 5"),
])
def test_aggregate_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        aggregate(one_cell([1.0, 2.0, 3.0, 4.0, 5.0]), **kwargs)


def test_bad_ratings_are_located_errors_all_at_once():
    r = pd.DataFrame({"unit_id": ["P1", "P1", "P1", "P2", "P2"], "node_code": ["decision.approval.basis"] * 2
                      + ["nowhere", "decision.approval.basis", "decision.approval.basis"],
                      "rater_id": ["E1", "E1", "E2", "E1", "E2"], "score": [2.0, 2.5, 1.0, 3.5, -1.0],
                      "source_file": "panel.csv", "source_row": [2, 3, 4, 5, 6]})
    with pytest.raises(InputError) as err:
        aggregate(r, framework="project_key")
    codes = {(p.code, p.location) for p in err.value.problems}
    assert ("duplicate_rating", "panel.csv:3:rater_id") in codes
    assert ("unknown_node", "panel.csv:4:node_code") in codes
    assert ("score_above_points", "panel.csv:5:score") in codes            # 3.5 > the node's 3 points
    assert ("score_out_of_range", "panel.csv:6:score") in codes
    assert "also at panel.csv:2:rater_id" in str(err.value)


@pytest.mark.parametrize("frame, match", [
    (one_cell([1.0, "x", 3.0]), "not_numeric"),
    (one_cell([1.0, 2.0]).drop(columns="rater_id"), "missing_column"),
    (one_cell([1.0, 2.0]).assign(unit_id=["P1", None]), "missing_value"),
])
def test_more_rating_errors(frame, match):
    with pytest.raises(InputError, match=match):
        aggregate(frame)


def test_type_errors():
    with pytest.raises(TypeError, match="`ratings` must be a pandas DataFrame"):
        aggregate([1, 2, 3])
    with pytest.raises(TypeError, match="`points` must be a mapping"):
        aggregate(one_cell([1.0, 2.0, 3.0]), points=[10])
    assert METHODS == ("trimmed", "mean", "median", "winsorized")


# ---------------------------------------------------------------------------------------------------------------
# rater diagnostics
# ---------------------------------------------------------------------------------------------------------------
def three_raters():
    """C rates every cell 2 above B and 3 above A (a 10-point node)."""
    a = [6.0, 5.0, 7.0, 4.0]
    rows = []
    for c, x in enumerate(a):
        rows += [(f"U{c}", "n1", "A", x), (f"U{c}", "n1", "B", x + 1), (f"U{c}", "n1", "C", x + 3)]
    return pd.DataFrame(rows, columns=["unit_id", "node_code", "rater_id", "score"])


def test_severity_by_hand():
    """Leave-one-out means: for C (A + B)/2 = A + 0.5, so C deviates +2.5 points = +0.25 of the 10 points; A
    -2 (-0.2), B -0.5 (-0.05). Deviations are constant: SE 0, residual SD 0, rater-rest correlation 1."""
    diag = rater_diagnostics(three_raters(), points={"n1": 10})
    t = diag.raters.set_index("rater_id")
    assert t["severity"].to_dict() == pytest.approx({"A": -0.2, "B": -0.05, "C": 0.25}, abs=1e-12)
    assert t["severity_se"].to_numpy() == pytest.approx([0, 0, 0], abs=1e-12)
    assert t["consistency"].to_numpy() == pytest.approx([1, 1, 1], abs=1e-12)
    # robust z of the severities: median -0.05, MAD 0.15 -> scale 1.4826 x 0.15
    scale = 1.482602218505602 * 0.15
    assert t.at["C", "severity_z"] == pytest.approx(0.30 / scale, abs=1e-9)
    assert t.at["A", "severity_z"] == pytest.approx(-0.15 / scale, abs=1e-9)
    assert diag.scale == "share_of_points" and t["flags"].tolist() == ["", "", ""]
    # leave C out: the ICC(A,1) and alpha of A and B alone
    ab = three_raters().query("rater_id != 'C'").assign(rating=lambda f: f["score"] / 10)
    ab["unit_id"] = ab["unit_id"] + "/n1"
    assert t.at["C", "icc_without"] == pytest.approx(icc(ab).statistic["ICC(A,1)"], abs=1e-12)
    assert t.at["C", "alpha_without"] == pytest.approx(krippendorff_alpha(ab, level="interval").statistic,
                                                       abs=1e-12)


def test_severity_se_and_interval_by_hand():
    """Rater D's deviations from the others' mean on four cells are 1, 3, 1, 3 points: severity 2, SE
    sd/sqrt(4) = 1.1547/2, t interval with 3 df (raw points: no node points known)."""
    rows = []
    base = [5.0, 6.0, 7.0, 8.0]
    extra = [1.0, 3.0, 1.0, 3.0]
    for c, (x, e) in enumerate(zip(base, extra)):
        rows += [(f"U{c}", "n", r, x) for r in "ABC"] + [(f"U{c}", "n", "D", x + e)]
    diag = rater_diagnostics(pd.DataFrame(rows, columns=["unit_id", "node_code", "rater_id", "score"]))
    d = diag.raters.set_index("rater_id").loc["D"]
    se = np.std(extra, ddof=1) / 2
    half = stats.t.ppf(0.975, 3) * se
    assert (d["severity"], d["severity_se"]) == pytest.approx((2.0, se), abs=1e-12)
    assert (d["severity_ci_low"], d["severity_ci_high"]) == pytest.approx((2 - half, 2 + half), abs=1e-12)
    assert d["residual_sd"] == pytest.approx(np.std(extra, ddof=1), abs=1e-12)
    assert diag.scale == "points"


def test_robust_z_falls_back_to_mean_absolute_deviation():
    """Iglewicz & Hoaglin: when the MAD is 0 the scale is 1.2533 x the mean absolute deviation."""
    v = np.array([0.0, 0.0, 0.0, 0.0, 1.0])
    assert _robust_z(v)[-1] == pytest.approx(1.0 / (1.2533141373155001 * 0.2), abs=1e-12)
    assert np.isnan(_robust_z(np.array([1.0, 2.0]))).all()


def test_province_panel_names_the_severe_lenient_and_erratic_experts(province):
    """dataset.yaml truth: one severe, one lenient and one erratic expert among seven."""
    truth = province.meta["truth"]["raters"]
    diag = rater_diagnostics(province.panel, framework="project_key")
    assert diag.flagged("severe") == [truth["severe"]]
    assert diag.flagged("lenient") == [truth["lenient"]]
    assert diag.flagged("erratic") == [truth["erratic"]]
    t = diag.raters.set_index("rater_id")
    assert t.at[truth["erratic"], "consistency"] == t["consistency"].min()
    assert t.at[truth["severe"], "severity"] == t["severity"].min() < 0
    assert 0 < diag.icc < 1 and "RaterDiagnostics" in diag._repr_html_()


def test_diagnostics_errors():
    with pytest.raises(ValueError, match="`threshold` must be a positive number"):
        rater_diagnostics(three_raters(), threshold=0)
    with pytest.raises(ValueError, match="`confidence_level` must be strictly between 0 and 1"):
        rater_diagnostics(three_raters(), confidence_level=1.5)
    with pytest.raises(ValueError, match="`flag` must be 'severe', 'lenient' or 'erratic'"):
        rater_diagnostics(three_raters()).flagged("harsh")


# ---------------------------------------------------------------------------------------------------------------
# reliability
# ---------------------------------------------------------------------------------------------------------------
def test_reliability_per_node_matches_the_agreement_functions(province):
    rel = reliability(province.panel, framework="project_key")
    assert rel["node_code"].iloc[-1] == "overall"
    fw = pe.load_framework("project_key")
    assert rel["node_code"].iloc[:-1].tolist() == [n.code for n, _, _ in fw.walk()]
    leaf = "effect.benefit.social"
    part = province.panel[province.panel["node_code"] == leaf].rename(columns={"score": "rating"})
    row = rel.set_index("node_code").loc[leaf]
    assert row["icc_a1"] == pytest.approx(icc(part).statistic["ICC(A,1)"], abs=1e-12)
    assert row["icc_ak"] == pytest.approx(icc(part).statistic["ICC(A,k)"], abs=1e-12)
    assert row["alpha"] == pytest.approx(krippendorff_alpha(part, level="interval").statistic, abs=1e-12)
    # an inner node: each rater's score is the sum of their leaf ratings
    leaves = [n.code for n, _, _ in fw.find("decision").walk(1, None) if n.is_leaf]
    sums = (province.panel[province.panel["node_code"].isin(leaves)].groupby(["unit_id", "rater_id"])["score"]
            .sum().rename("rating").reset_index())
    assert rel.set_index("node_code").at["decision", "icc_a1"] == pytest.approx(
        icc(sums).statistic["ICC(A,1)"], abs=1e-12)
    overall = rel.iloc[-1]
    assert overall["n_ratings"] == len(province.panel) and overall["n_raters"] == 7


def test_reliability_without_framework_and_too_small_nodes():
    rel = reliability(pd.concat([three_raters(), one_cell([1.0, 2.0], ["A", "B"], node="solo")]))
    assert rel["node_code"].tolist() == ["n1", "solo", "overall"]
    assert math.isnan(rel.set_index("node_code").at["solo", "icc_a1"])      # one unit only
    assert math.isnan(rel["level"].iat[0])


@pytest.mark.parametrize("module", ["perfeval.panel._consensus", "perfeval.panel._diagnostics"])
def test_docstring_examples(module):
    """The Examples sections run (the sample-based ones on the shipped province)."""
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_incomplete_panel_reports_a_variance_components_icc():
    """Each project rated by a different subset of 3 of 5 experts: no cell is complete, so the listwise ICC would
    be NaN; the panel reports the variance-components ICC instead, and says so."""
    rng = np.random.default_rng(11)
    subsets = [("A", "B", "C"), ("B", "C", "D"), ("C", "D", "E"), ("A", "D", "E"), ("A", "B", "E"),
               ("A", "C", "E"), ("B", "D", "E"), ("A", "B", "D")]
    severity = {"A": -0.5, "B": 0.0, "C": 0.3, "D": 0.1, "E": -0.2}
    rows = []
    for u, raters in enumerate(subsets):
        for node in ("n1", "n2"):
            true = rng.uniform(2, 8)
            rows += [(f"P{u}", node, r, float(np.clip(true + severity[r] + rng.normal(0, 0.4), 0, 10)))
                     for r in raters]
    panel = pd.DataFrame(rows, columns=["unit_id", "node_code", "rater_id", "score"])
    part = panel[panel["node_code"] == "n1"].rename(columns={"score": "rating"})
    with pytest.warns(DegenerateDataWarning):
        assert math.isnan(icc(part, nan_policy="omit").statistic["ICC(A,1)"])       # listwise: nothing left
    rel = reliability(panel, points={"n1": 10, "n2": 10}).set_index("node_code")
    assert rel["icc_method"].tolist() == ["variance_components"] * 3
    assert np.isfinite(rel["icc_a1"]).all() and np.isfinite(rel["icc_ak"]).all() and (rel["icc_a1"] > 0.5).all()
    assert rel["icc_a1_ci_low"].isna().all()                                      # no interval on this path
    expected = icc(part, nan_policy="omit", incomplete="variance_components").statistic
    assert rel.at["n1", "icc_a1"] == pytest.approx(expected["ICC(A,1)"], abs=1e-12)
    diag = rater_diagnostics(panel, points={"n1": 10, "n2": 10})
    assert diag.icc_method == "variance_components" and 0.5 < diag.icc < 1
    assert np.isfinite(diag.raters["icc_without"]).all()
    complete = rater_diagnostics(three_raters())
    assert complete.icc_method == "anova"
    assert reliability(three_raters())["icc_method"].tolist() == ["anova", "anova"]
