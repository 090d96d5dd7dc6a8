"""Agreement statistics against published values, the traps of shared/docs/reference-values.md, degenerate data
and error paths. Tolerances follow the printed digits of each source."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from perfeval.agreement import (ICC_FORMS, bhapkar, bland_altman, cohen_kappa, fleiss_kappa, gwet_ac, icc,
                                kendall_w, krippendorff_alpha, lin_ccc, stuart_maxwell, to_long)
from perfeval.errors import DegenerateDataWarning, InputError

nan = np.nan

# Shrout & Fleiss (1979), Table 2: 6 targets (rows) x 4 judges
SF = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
# Krippendorff (2011) example C: 4 observers (rows) x 12 units; Gwet (2014) p. 120 ("cac.raw4raters")
KRIPP_C = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
           [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
           [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
           [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
# Gwet (2014), 5 observers x 15 units ("cac.raw5observers"), units in rows
RAW5 = np.array([[1, 1, 2, nan, 2], [1, 1, 0, 1, nan], [2, 3, 3, 3, nan], [nan, 0, 0, nan, 0], [0, 0, 0, nan, 0],
                 [0, 0, 0, nan, 0], [1, 0, 2, nan, 1], [1, nan, 2, 0, nan], [2, 2, 2, nan, 2], [2, 1, 1, 1, nan],
                 [nan, 1, 0, 0, nan], [0, 0, 0, 0, nan], [1, 2, 2, 2, nan], [3, 3, 2, 2, 3], [1, 1, 1, nan, 1]])
# Gwet's irrCAC "cac.raw.gender": 4 raters x 15 subjects, categories a b c (units in rows)
GENDER = np.array([list("aaaaabbbcaaaaab"), list("aaaabab ccaaaaba".replace(" ", "")),
                   list("abbcaabbcabbcaa"), list("ccccaabbccccca a".replace(" ", ""))], dtype=object).T
# Bland & Altman (1986), peak expiratory flow, 17 subjects
WRIGHT = [494, 395, 516, 434, 476, 557, 413, 442, 650, 433, 417, 656, 267, 478, 178, 423, 427]
MINI = [512, 430, 520, 428, 500, 600, 364, 380, 658, 445, 432, 626, 260, 477, 259, 350, 451]
# Fleiss' kappa, Wikipedia worked example: 10 subjects x 5 categories, 14 raters
WIKI = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1], [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
SAS = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]


def kripp_long():
    return to_long(KRIPP_C, rows="rater")


# --- ICC ------------------------------------------------------------------------------------------------------
def test_icc_shrout_fleiss_published_table():
    """Shrout & Fleiss (1979) Table 2/4; R psych ICC help page; pingouin tests (reference-values.md)."""
    res = icc(to_long(SF, rows="unit"))
    assert res.ms_targets == pytest.approx(11.241667, abs=1e-6)
    assert res.ms_within == pytest.approx(6.263889, abs=1e-6)
    assert res.ms_raters == pytest.approx(32.486111, abs=1e-6)
    assert res.ms_error == pytest.approx(1.019444, abs=1e-6)
    expected = {
        "ICC(1,1)": (0.165742, 1.794678, 5, 18, 0.164769, -0.132932, 0.722560),
        "ICC(A,1)": (0.289764, 11.027248, 5, 15, 0.000135, 0.018787, 0.761084),
        "ICC(C,1)": (0.714841, 11.027248, 5, 15, 0.000135, 0.342465, 0.945858),
        "ICC(1,k)": (0.442797, 1.794678, 5, 18, 0.164769, -0.884442, 0.912415),
        "ICC(A,k)": (0.620051, 11.027248, 5, 15, 0.000135, 0.071137, 0.927232),
        "ICC(C,k)": (0.909316, 11.027248, 5, 15, 0.000135, 0.675675, 0.985892),
    }
    frame = res.to_frame().set_index("type")
    assert list(frame.index) == list(ICC_FORMS)
    for form, (value, f, df1, df2, p, low, high) in expected.items():
        row = frame.loc[form]
        assert row["icc"] == pytest.approx(value, abs=1e-6)
        assert row["f"] == pytest.approx(f, abs=1e-6)
        assert (row["df1"], row["df2"]) == (df1, df2)
        assert row["pvalue"] == pytest.approx(p, abs=1e-6)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), abs=1e-6)
    assert res.statistic["ICC(A,1)"] == pytest.approx(0.289764, abs=1e-6)
    assert res.confidence_interval(form="ICC(A,1)") == pytest.approx((0.018787, 0.761084), abs=1e-6)


def test_icc_pvalue_df_convention_is_psych_not_irr():
    """Trap: ICC(A,1)'s F test uses df2 = (n-1)(k-1) (psych/pingouin), not irr's Satterthwaite df."""
    row = icc(to_long(SF, rows="unit")).to_frame().set_index("type").loc["ICC(A,1)"]
    assert row["df2"] == (6 - 1) * (4 - 1)


def test_icc_confidence_level_changes_interval_only():
    res = icc(to_long(SF, rows="unit"), confidence_level=0.90)
    lo90, hi90 = res.confidence_interval(form="ICC(C,1)")
    lo95, hi95 = res.confidence_interval(0.95, form="ICC(C,1)")
    assert lo95 < lo90 < 0.714841 < hi90 < hi95
    assert res.to_frame()["ci_low"].iloc[2] == pytest.approx(lo90)


def test_icc_column_names_and_order_of_long_rows_do_not_matter():
    long = to_long(SF, rows="unit", units="project", raters="expert", ratings="score").sample(frac=1, random_state=3)
    res = icc(long, targets="project", raters="expert", ratings="score")
    assert res.statistic["ICC(C,k)"] == pytest.approx(0.909316, abs=1e-6)


def test_icc_orientation_is_explicit():
    """Trap: the transposed matrix (raters x targets) is a different design; to_long must be told rows=."""
    a = icc(to_long(SF, rows="unit")).statistic["ICC(A,1)"]
    b = icc(to_long(np.array(SF).T, rows="rater")).statistic["ICC(A,1)"]
    c = icc(to_long(np.array(SF).T, rows="unit")).statistic["ICC(A,1)"]
    assert a == pytest.approx(b) and abs(a - c) > 0.05


def test_icc_unbalanced_omit_two_way_uses_complete_targets_one_way_uses_all():
    long = to_long(SF, rows="unit")
    with_gap = long.drop(index=[1, 6]).reset_index(drop=True)        # target 0 rater 1, target 1 rater 2
    with pytest.raises(InputError, match="nan_policy='omit'"):
        icc(with_gap)
    res = icc(with_gap, nan_policy="omit")
    complete = icc(to_long(np.array(SF)[2:], rows="unit"))
    assert res.n_targets == 4 and res.n_dropped_targets == 2
    assert res.statistic["ICC(A,1)"] == pytest.approx(complete.statistic["ICC(A,1)"])
    # one-way forms: unbalanced one-way ANOVA on all 22 ratings (F equals scipy's f_oneway)
    from scipy.stats import f_oneway
    groups = [g["rating"].to_numpy() for _, g in with_gap.groupby("unit_id")]
    frame = res.to_frame().set_index("type")
    assert frame.loc["ICC(1,1)", "f"] == pytest.approx(f_oneway(*groups).statistic, rel=1e-12)
    assert (frame.loc["ICC(1,1)", "df1"], frame.loc["ICC(1,1)", "df2"]) == (5, 16)
    n_i = np.array([len(g) for g in groups])
    k0 = (n_i.sum() - (n_i ** 2).sum() / n_i.sum()) / (len(n_i) - 1)
    assert res.k_oneway == pytest.approx(k0)
    msb, msw = res.ms_targets_oneway, res.ms_within_oneway
    assert frame.loc["ICC(1,1)", "icc"] == pytest.approx((msb - msw) / (msb + (k0 - 1) * msw))


def test_icc_propagate_gives_nan():
    long = to_long(SF, rows="unit").drop(index=[1]).reset_index(drop=True)
    assert icc(long, nan_policy="propagate").statistic.isna().all()


def test_icc_errors():
    long = to_long(SF, rows="unit")
    with pytest.raises(InputError, match="nan_policy"):
        icc(long, nan_policy="drop")
    with pytest.raises(InputError, match="confidence_level"):
        icc(long, confidence_level=95)
    with pytest.raises(InputError, match="must have the column"):
        icc(long, targets="project")
    with pytest.raises(InputError, match="to_long"):
        icc(np.array(SF))
    with pytest.raises(InputError, match="occur once"):
        icc(pd.concat([long, long.iloc[[0]]]))
    bad = long.astype({"rating": object})
    bad.loc[0, "rating"] = "good"
    with pytest.raises(InputError, match="must hold numbers"):
        icc(bad)
    with pytest.raises(InputError, match="form"):
        icc(long).confidence_interval(form="ICC2")


def test_icc_degenerate_data_warn_and_give_nan():
    same = to_long(np.full((5, 3), 7.0), rows="unit")
    with pytest.warns(DegenerateDataWarning, match="identical"):
        assert icc(same).statistic.isna().all()
    with pytest.warns(DegenerateDataWarning, match="single complete target"):
        res = icc(to_long([[1, 2, 3]], rows="unit"))
    assert np.isnan(res.statistic["ICC(A,1)"])
    no_overlap = pd.DataFrame({"unit_id": [1, 1, 2, 2], "rater_id": ["a", "b", "c", "d"], "rating": [1, 2, 3, 4]})
    with pytest.warns(DegenerateDataWarning, match="no overlap"):
        res = icc(no_overlap, nan_policy="omit")
    assert np.isnan(res.statistic["ICC(C,1)"]) and np.isfinite(res.statistic["ICC(1,1)"])
    all_missing = pd.DataFrame({"unit_id": [1, 2], "rater_id": ["a", "b"], "rating": [nan, nan]})
    with pytest.warns(DegenerateDataWarning, match="all ratings are missing"):
        assert icc(all_missing, nan_policy="omit").statistic.isna().all()


# --- Cohen's kappa ----------------------------------------------------------------------------------------------
def test_cohen_kappa_sas_proc_freq_example():
    """SAS PROC FREQ agreement example, as printed in statsmodels' tests: kappa .4842, ASE .1380,
    95 % CI .2137-.7547, ASE under H0 .1484, Z 3.2626, one-sided p .0006, two-sided .0011."""
    res = cohen_kappa(table=SAS)
    assert res.statistic == pytest.approx(0.4842, abs=5e-5)
    assert res.se == pytest.approx(0.1380, abs=5e-5)
    assert res.confidence_interval() == pytest.approx((0.2137, 0.7547), abs=5e-5)
    assert res.se0 == pytest.approx(0.1484, abs=5e-5)
    assert res.zstatistic == pytest.approx(3.2626, abs=5e-5)
    assert res.pvalue == pytest.approx(0.0011, abs=5e-5)
    assert cohen_kappa(table=SAS, alternative="greater").pvalue == pytest.approx(0.0006, abs=5e-5)


def test_cohen_weighted_kappa_sas_example():
    """SAS/statsmodels: linear (Cicchetti-Allison) 0.4701, ASE 0.1457, ASE0 0.1426, Z 3.2971; quadratic 0.450161."""
    lin = cohen_kappa(table=SAS, weights="linear")
    assert (lin.statistic, lin.se, lin.se0) == pytest.approx((0.4701, 0.1457, 0.1426), abs=5e-5)
    assert lin.zstatistic == pytest.approx(3.2971, abs=5e-5)
    assert cohen_kappa(table=SAS, weights="quadratic").statistic == pytest.approx(0.450161, abs=5e-7)


def test_kappa_interval_is_normal_and_pvalue_two_sided_by_default():
    """Trap: normal (not t) quantile; two-sided p unless asked."""
    res = cohen_kappa(table=SAS)
    from scipy import stats
    z = stats.norm.ppf(0.975)
    assert res.confidence_interval() == pytest.approx((res.statistic - z * res.se, res.statistic + z * res.se))
    assert res.pvalue == pytest.approx(2 * cohen_kappa(table=SAS, alternative="greater").pvalue)
    assert cohen_kappa(table=SAS, alternative="less").pvalue > 0.99


def test_weighted_kappa_depends_on_declared_scale():
    """Trap: weighted kappa depends on the declared scale. Nobody used grade 良, so the scale inferred from the
    data puts 优 and 中 next to each other; the declared four-grade scale keeps them two steps apart."""
    r1 = ["优", "优", "中", "中", "差", "优", "中", "差"]
    r2 = ["中", "优", "中", "差", "差", "优", "优", "中"]
    grades = ["优", "良", "中", "差"]
    inferred = cohen_kappa(r1, r2, weights="linear", categories=["优", "中", "差"])
    declared = cohen_kappa(r1, r2, weights="linear", categories=grades)
    assert declared.statistic != pytest.approx(inferred.statistic, abs=1e-3)
    table = np.array([[2, 0, 1, 0], [0, 0, 0, 0], [1, 0, 1, 1], [0, 0, 1, 1]])
    assert declared.statistic == pytest.approx(cohen_kappa(table=table, weights="linear").statistic)
    # unweighted kappa ignores an unused category; Gwet's AC1 does not (q enters its chance agreement)
    assert cohen_kappa(r1, r2, categories=grades).statistic == pytest.approx(
        cohen_kappa(r1, r2, categories=["优", "中", "差"]).statistic)
    assert gwet_ac(table=table).statistic != pytest.approx(gwet_ac(table=table[np.ix_([0, 2, 3], [0, 2, 3])]).statistic)


def test_cohen_kappa_labels_equal_table_and_missing_pairs_dropped():
    a = [1, 1, 2, 2, 3, 3, 1, None]
    b = [1, 2, 2, 2, 3, 1, 1, 2]
    res = cohen_kappa(a, b, weights="quadratic")
    table = np.array([[2, 1, 0], [0, 2, 0], [1, 0, 1]])
    assert res.statistic == pytest.approx(cohen_kappa(table=table, weights="quadratic").statistic)
    assert res.n == 7 and res.n_dropped == 1
    custom = cohen_kappa(table=table, weights=np.abs(np.subtract.outer(range(3), range(3))) / 2)
    assert custom.statistic == pytest.approx(cohen_kappa(table=table, weights="linear").statistic)


def test_cohen_kappa_errors_and_degenerate():
    with pytest.raises(InputError, match="not both"):
        cohen_kappa([1], [1], table=SAS)
    with pytest.raises(InputError, match="both be given"):
        cohen_kappa([1, 2])
    with pytest.raises(InputError, match="same length"):
        cohen_kappa([1, 2], [1])
    with pytest.raises(InputError, match="square"):
        cohen_kappa(table=[[1, 2, 3]])
    with pytest.raises(InputError, match="weights"):
        cohen_kappa(table=SAS, weights="cubic")
    with pytest.raises(InputError, match="disagreement"):
        cohen_kappa(table=SAS, weights=np.eye(3))
    with pytest.raises(InputError, match="3 x 3"):
        cohen_kappa(table=SAS, weights=np.ones((2, 2)))
    with pytest.raises(InputError, match="outside the declared scale"):
        cohen_kappa(["A", "B"], ["A", "C"], categories=["A", "B"])
    with pytest.raises(InputError, match="one entry per row"):
        cohen_kappa(table=SAS, categories=["a", "b"])
    with pytest.raises(InputError, match="alternative"):
        cohen_kappa(table=SAS, alternative="bigger")
    with pytest.warns(DegenerateDataWarning, match="one category"):
        assert np.isnan(cohen_kappa(["A"] * 5, ["A"] * 5).statistic)     # statsmodels #4387
    with pytest.warns(DegenerateDataWarning, match="no overlap"):
        assert np.isnan(cohen_kappa([None, 1], [2, None]).statistic)


# --- Fleiss' kappa ----------------------------------------------------------------------------------------------
def test_fleiss_kappa_wikipedia_example():
    """Wikipedia "Fleiss' kappa" worked example: P-bar .378022, Pe-bar .212755, kappa .209931 (.210);
    Randolph's free-marginal kappa .222527."""
    res = fleiss_kappa(WIKI)
    assert (res.p_observed, res.p_expected, res.statistic) == pytest.approx((0.378022, 0.212755, 0.209931),
                                                                            abs=5e-7)
    assert fleiss_kappa(WIKI, method="randolph").statistic == pytest.approx(0.222527, abs=5e-7)
    assert res.test == "z" and res.se0 > 0


def test_fleiss_randolph_online_calculator():
    """Randolph's online kappa calculator, as quoted in statsmodels' tests: fixed-marginal .161905 and free
    .214286 for [[7,1],[3,5]]; .708333 and .785714 for [[6,1,0],[0,7,0]] (3 declared categories)."""
    assert fleiss_kappa([[7, 1], [3, 5]]).statistic == pytest.approx(0.161905, abs=6e-7)
    assert fleiss_kappa([[7, 1], [3, 5]], method="randolph").statistic == pytest.approx(0.214286, abs=6e-7)
    assert fleiss_kappa([[6, 1, 0], [0, 7, 0]]).statistic == pytest.approx(0.708333, abs=6e-7)
    assert fleiss_kappa([[6, 1, 0], [0, 7, 0]], method="randolph").statistic == pytest.approx(0.785714, abs=6e-7)


def test_fleiss_kappa_missing_ratings_follow_gwet_irrcac():
    """irrCAC fleiss.kappa.raw on cac.raw4raters (Gwet 2014, p. 120): pa .818, pe .239, kappa .761,
    CI (.424, 1), p .00042 (two-sided t, n-1 df, as the Python port prints)."""
    res = fleiss_kappa(data=kripp_long())
    assert (res.p_observed, res.p_expected, res.statistic) == pytest.approx((0.818, 0.239, 0.761), abs=5e-4)
    assert res.confidence_interval() == pytest.approx((0.424, 1.0), abs=5e-4)
    assert res.test == "t" and res.pvalue == pytest.approx(0.00042, abs=5e-6)
    five = fleiss_kappa(data=to_long(RAW5, rows="unit"))
    assert (five.statistic, five.se) == pytest.approx((0.458, 0.120), abs=5e-4)
    assert five.confidence_interval() == pytest.approx((0.199, 0.716), abs=5e-4)
    gender = fleiss_kappa(data=to_long(GENDER, rows="unit"))
    assert (gender.statistic, gender.se) == pytest.approx((0.129, 0.141), abs=5e-4)
    assert gender.confidence_interval() == pytest.approx((-0.172, 0.430), abs=5e-4)


def test_fleiss_per_category_is_binary_collapse():
    """Fleiss (1971) category kappa equals the Fleiss kappa of that category against the rest."""
    res = fleiss_kappa(WIKI)
    arr = np.array(WIKI)
    for j in range(5):
        binary = np.c_[arr[:, j], arr.sum(axis=1) - arr[:, j]]
        assert res.per_category["kappa"].iloc[j] == pytest.approx(fleiss_kappa(binary).statistic)
    assert res.per_category["se0"].iloc[0] == pytest.approx(np.sqrt(2 / (10 * 14 * 13)))


def test_fleiss_errors_and_degenerate():
    with pytest.raises(InputError, match="exactly one"):
        fleiss_kappa()
    with pytest.raises(InputError, match="whole numbers"):
        fleiss_kappa([[6.99, 0.01], [6.99, 0.01]])
    with pytest.raises(InputError, match="method"):
        fleiss_kappa(WIKI, method="unif")
    with pytest.raises(InputError, match="one entry per column"):
        fleiss_kappa(WIKI, categories=["a"])
    with pytest.warns(DegenerateDataWarning, match="one category"):
        assert np.isnan(fleiss_kappa([[3, 0], [3, 0]]).statistic)       # statsmodels #7657 gives -0.5
    assert fleiss_kappa([[3, 0], [3, 0]], method="randolph").statistic == 1.0
    with pytest.warns(DegenerateDataWarning, match="no subject has two ratings"):
        assert np.isnan(fleiss_kappa([[1, 0], [0, 1]]).statistic)


# --- Gwet's AC1/AC2 ---------------------------------------------------------------------------------------------
def test_gwet_ac1_raw4raters_irrcac():
    """irrCAC gwet.ac1.raw(cac.raw4raters): pa .818, pe .190, AC1 .775, se .143, CI (.461, 1),
    p = 0.0001043605 (R, one-sided) = .00021 (Python port, two-sided); AC2 linear .859 se .117 CI .600,
    quadratic .914 se .104 CI .685."""
    res = gwet_ac(kripp_long())
    assert (res.p_observed, res.p_expected, res.statistic, res.se) == pytest.approx((0.818, 0.190, 0.775, 0.143),
                                                                                    abs=5e-4)
    assert res.confidence_interval() == pytest.approx((0.461, 1.0), abs=5e-4)
    assert res.pvalue == pytest.approx(0.00021, abs=5e-6)
    assert gwet_ac(kripp_long(), alternative="greater").pvalue == pytest.approx(0.0001043605, abs=5e-11)
    lin = gwet_ac(kripp_long(), weights="linear")
    assert lin.coefficient == "AC2" and (lin.statistic, lin.se) == pytest.approx((0.859, 0.117), abs=5e-4)
    assert lin.confidence_interval()[0] == pytest.approx(0.600, abs=5e-4)
    quad = gwet_ac(kripp_long(), weights="quadratic")
    assert (quad.statistic, quad.se, quad.confidence_interval()[0]) == pytest.approx((0.914, 0.104, 0.685),
                                                                                     abs=5e-4)


def test_gwet_ac1_other_irrcac_datasets():
    """irrCAC: raw5observers AC1 .497 se .122 CI (.235, .758) p .00114; raw.gender .208 se .091 CI (.014,
    .403); 4x4 diagnosis table .456 se .043 CI (.371, .542); 3x3 abstractors table .849 CI (.764, .935),
    quadratic .940 CI (.905, .976)."""
    five = gwet_ac(to_long(RAW5, rows="unit"))
    assert (five.statistic, five.se) == pytest.approx((0.497, 0.122), abs=5e-4)
    assert five.confidence_interval() == pytest.approx((0.235, 0.758), abs=5e-4)
    assert five.pvalue == pytest.approx(0.00114, abs=5e-6)
    gender = gwet_ac(to_long(GENDER, rows="unit"))
    assert (gender.statistic, gender.se) == pytest.approx((0.208, 0.091), abs=5e-4)
    assert gender.confidence_interval() == pytest.approx((0.014, 0.403), abs=5e-4)
    diag = gwet_ac(table=[[40, 4, 4, 17], [6, 25, 2, 13], [4, 1, 21, 12], [15, 5, 9, 45]])
    assert (diag.statistic, diag.se) == pytest.approx((0.456, 0.043), abs=5e-4)
    assert diag.confidence_interval() == pytest.approx((0.371, 0.542), abs=5e-4)
    abstr = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]
    assert gwet_ac(table=abstr).confidence_interval() == pytest.approx((0.764, 0.935), abs=5e-4)
    quad = gwet_ac(table=abstr, weights="quadratic")
    assert (quad.statistic, *quad.confidence_interval()) == pytest.approx((0.940, 0.905, 0.976), abs=5e-4)


def test_gwet_counts_equal_long_data_and_hand_worked_case():
    counts = np.array([[2, 0], [1, 1], [0, 2], [2, 0]])
    res = gwet_ac(counts=counts)
    # by hand: pa = (1 + 0 + 1 + 1)/4 = .75; pi = (.625, .375);
    # pe = sum(w)/(q(q-1)) * sum pi(1-pi) = 2/2 * 2 * .625 * .375 = .46875
    assert (res.p_observed, res.p_expected) == pytest.approx((0.75, 0.46875))
    assert res.statistic == pytest.approx((0.75 - 0.46875) / (1 - 0.46875))
    long = to_long([[0, 0], [0, 1], [1, 1], [0, 0]], rows="unit")
    assert gwet_ac(long).statistic == pytest.approx(res.statistic)
    assert gwet_ac(long).se == pytest.approx(res.se)


def test_gwet_errors_and_single_category():
    with pytest.raises(InputError, match="exactly one"):
        gwet_ac()
    with pytest.raises(InputError, match="between 0 and 1"):
        gwet_ac(table=SAS, weights=2 * (1 - np.eye(3)))
    with pytest.warns(DegenerateDataWarning, match="single category"):
        res = gwet_ac(counts=[[3], [3]])
    assert res.statistic == 1.0
    # all ratings in one of two declared categories: AC1 is defined (= 1), kappa is not
    assert gwet_ac(table=[[5, 0], [0, 0]]).statistic == pytest.approx(1.0)


# --- Krippendorff's alpha ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("level, value", [("nominal", 0.743421), ("ordinal", 0.815388), ("interval", 0.849107),
                                          ("ratio", 0.797403)])
def test_krippendorff_example_c(level, value):
    """Krippendorff (2011) example C: .743 / .815 / .849 / .797 (reference-values.md, 6 digits)."""
    res = krippendorff_alpha(kripp_long(), level=level)
    assert res.statistic == pytest.approx(value, abs=5e-7)
    assert res.n_units == 11 and res.n_values == 40 and res.n_units_rated == 12   # unit 12 not pairable


def test_krippendorff_nominal_coincidence_values():
    """Krippendorff (2011) example C, nominal: D_o = 10/50 ... as printed, alpha .743; Gwet's SE 0.14548 and
    CI lower .423 from irrCAC (R) krippen.alpha.raw."""
    res = krippendorff_alpha(kripp_long())
    assert res.d_observed == pytest.approx(0.2)
    assert res.se == pytest.approx(0.14548, abs=5e-6)
    assert res.confidence_interval()[0] == pytest.approx(0.423, abs=5e-4)


def test_ordinal_alpha_invariant_to_unused_category():
    """Trap: declaring an unused category (1-6 instead of 1-5) leaves ordinal alpha at .815388."""
    a = krippendorff_alpha(kripp_long(), level="ordinal", categories=[1, 2, 3, 4, 5]).statistic
    b = krippendorff_alpha(kripp_long(), level="ordinal", categories=[1, 2, 3, 4, 5, 6]).statistic
    c = krippendorff_alpha(kripp_long(), level="ordinal", categories=[0, 1, 2, 3, 4, 5, 6]).statistic
    assert a == pytest.approx(0.815388, abs=5e-7) and b == pytest.approx(a) and c == pytest.approx(a)


def test_ordinal_alpha_uses_declared_order_of_labels():
    mapping = {1: "差", 2: "中", 3: "良", 4: "优", 5: "特优"}
    long = kripp_long()
    long["rating"] = long["rating"].map(mapping)
    res = krippendorff_alpha(long, level="ordinal", categories=["差", "中", "良", "优", "特优"])
    assert res.statistic == pytest.approx(0.815388, abs=5e-7)
    with pytest.raises(InputError, match="categories"):
        krippendorff_alpha(long.assign(rating=long["rating"].astype(object).where(long.index != 0, 3)),
                           level="ordinal")


def test_alpha_bootstrap_is_reproducible_and_brackets_estimate():
    a = krippendorff_alpha(kripp_long(), level="interval", n_resamples=300, rng=7)
    b = krippendorff_alpha(kripp_long(), level="interval", n_resamples=300, rng=7)
    assert np.array_equal(a.bootstrap_distribution, b.bootstrap_distribution)
    low, high = a.confidence_interval()
    assert low < a.statistic <= high
    assert a.confidence_interval(method="gwet") != (low, high)
    with pytest.raises(InputError, match="needs a bootstrap"):
        krippendorff_alpha(kripp_long()).confidence_interval(method="bootstrap")


def test_alpha_rejects_bad_input():
    with pytest.raises(InputError, match="level"):
        krippendorff_alpha(kripp_long(), level="metric")
    with pytest.raises(InputError, match="to_long"):
        krippendorff_alpha(np.array(KRIPP_C))
    neg = kripp_long().assign(rating=lambda d: d["rating"] - 3)
    with pytest.raises(InputError, match="non-negative"):
        krippendorff_alpha(neg, level="ratio")
    with pytest.raises(InputError, match="n_resamples"):
        krippendorff_alpha(kripp_long(), n_resamples=-1)
    with pytest.raises(InputError, match="outside the declared scale"):
        krippendorff_alpha(kripp_long(), level="interval", categories=[1, 2, 3])
    with pytest.raises(InputError, match="occur once"):
        krippendorff_alpha(pd.concat([kripp_long(), kripp_long().iloc[[0]]]))


def test_alpha_degenerate():
    with pytest.warns(DegenerateDataWarning, match="identical"):
        assert np.isnan(krippendorff_alpha(to_long(np.ones((4, 3)), rows="unit")).statistic)
    no_overlap = pd.DataFrame({"unit_id": [1, 2], "rater_id": ["a", "b"], "rating": [1, 2]})
    with pytest.warns(DegenerateDataWarning, match="no unit has two ratings"):
        assert np.isnan(krippendorff_alpha(no_overlap).statistic)
    with pytest.warns(DegenerateDataWarning, match="single pairable unit"):
        res = krippendorff_alpha(to_long([[1, 2]], rows="unit"), level="interval")
    assert res.statistic == pytest.approx(0.0)      # one unit: D_e = D_o


def test_alpha_memory_is_linear_for_continuous_interval_and_ratio():
    import tracemalloc
    rng = np.random.default_rng(1)
    truth = rng.normal(50, 10, 3000)
    long = to_long(np.c_[truth + rng.normal(0, 3, 3000), truth + rng.normal(0, 3, 3000)], rows="unit")
    tracemalloc.start()
    krippendorff_alpha(long, level="interval")
    krippendorff_alpha(long, level="ratio")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 30e6      # a 6000 x 6000 float matrix alone would be 288 MB


# --- CCC and Bland-Altman ---------------------------------------------------------------------------------------
def test_lin_ccc_bland_altman_1986_data():
    """Bland & Altman (1986) PEF data: CCC .942742 (n divisor), r .943279, C_b .999431, z-transform CI
    .850492-.978726 (reference-values.md; DescTools::CCC)."""
    res = lin_ccc(WRIGHT, MINI)
    assert (res.statistic, res.pearson_r, res.bias_correction) == pytest.approx((0.942742, 0.943279, 0.999431),
                                                                                abs=5e-7)
    assert res.confidence_interval() == pytest.approx((0.850492, 0.978726), abs=5e-7)


def test_ccc_uses_n_divisor():
    """Trap: n, not n-1, in the variances (Lin 1989)."""
    x, y = np.array(WRIGHT, float), np.array(MINI, float)
    n_minus_1 = 2 * np.cov(x, y)[0, 1] / (x.var(ddof=1) + y.var(ddof=1) + (x.mean() - y.mean()) ** 2)
    assert lin_ccc(x, y).statistic != pytest.approx(n_minus_1, abs=1e-5)


def test_bland_altman_1986_values():
    """Bland & Altman (1986): bias -2.1176, SD 38.7651, limits -78.10/73.86 (1.96 SD) and -79.65/75.41 (2 SD as
    printed in the paper); bias CI -22.05 to 17.81 (t, 16 df); approximate SE sqrt(3 s^2/n) = 16.285, lower
    limit CI -114.17 to -45.13 (2 SD limits)."""
    res = bland_altman(WRIGHT, MINI)
    assert (res.bias, res.sd) == pytest.approx((-2.1176, 38.7651), abs=5e-5)
    assert (res.lower, res.upper) == pytest.approx((-78.10, 73.86), abs=5e-3)
    assert res.confidence_interval() == pytest.approx((-22.05, 17.81), abs=5e-3)
    paper = bland_altman(WRIGHT, MINI, multiplier=2, ci="approximate")
    assert (paper.lower, paper.upper) == pytest.approx((-79.65, 75.41), abs=5e-3)
    assert paper.confidence_interval(which="lower") == pytest.approx((-114.17, -45.13), abs=5e-3)
    assert res.differences == pytest.approx(np.array(WRIGHT) - np.array(MINI))


def test_bland_altman_exact_interval_properties():
    """Carkeet (2015): exact intervals are asymmetric, wider than the approximation at small n, and converge
    to it for large n; coverage checked by simulation."""
    res = bland_altman(WRIGHT, MINI)
    low, high = res.confidence_interval(which="upper")
    assert (high - res.upper) > (res.upper - low)                     # skewed upwards
    alo, ahi = res.confidence_interval(which="upper", method="approximate")
    assert high - low > ahi - alo
    rng = np.random.default_rng(11)
    covered = 0
    trials = 2000
    n = 8
    for _ in range(trials):
        d = rng.normal(0, 1, n)
        lo, hi = bland_altman(d, np.zeros(n)).confidence_interval(which="upper")
        covered += lo <= 1.96 <= hi
    assert abs(covered / trials - 0.95) < 0.015
    big = rng.normal(0, 1, 20000)
    exact = bland_altman(big, np.zeros_like(big)).confidence_interval(which="lower")
    approx = bland_altman(big, np.zeros_like(big), ci="approximate").confidence_interval(which="lower")
    assert exact == pytest.approx(approx, abs=2e-3)


def test_bland_altman_multiplier_trap_and_proportional_bias():
    """Trap: 1.96 vs 2 SD. Proportional bias: d growing with the mean is detected."""
    assert bland_altman(WRIGHT, MINI).upper != pytest.approx(bland_altman(WRIGHT, MINI, multiplier=2).upper)
    x = np.linspace(10, 100, 40)
    y = x * 0.8 + np.sin(np.arange(40))
    res = bland_altman(x, y)
    assert res.slope > 0 and res.slope_pvalue < 1e-6
    assert list(res.to_frame()["quantity"]) == ["bias", "lower", "upper", "sd", "proportional_bias_slope"]


def test_continuous_errors_and_degenerate():
    with pytest.raises(InputError, match="same length"):
        lin_ccc([1, 2, 3], [1, 2])
    with pytest.raises(InputError, match="nan_policy='omit'"):
        bland_altman([1, 2, nan], [1, 2, 3])
    assert bland_altman([1, 2, nan, 4], [1, 3, 3, 5], nan_policy="omit").n == 3
    with pytest.raises(InputError, match="multiplier"):
        bland_altman([1, 2], [1, 2], multiplier=-2)
    with pytest.raises(InputError, match="ci"):
        bland_altman([1, 2], [1, 2], ci="bootstrap")
    with pytest.warns(DegenerateDataWarning, match="constant"):
        assert np.isnan(lin_ccc([1, 1, 1], [1, 2, 3]).statistic)
    with pytest.warns(DegenerateDataWarning, match="identical"):
        res = bland_altman([1, 2, 3], [0, 1, 2])
    assert res.lower == res.upper == 1.0
    with pytest.warns(DegenerateDataWarning, match="fewer than 2"):
        assert np.isnan(bland_altman([1], [2]).sd)


# --- Kendall's W, Stuart-Maxwell, Bhapkar -----------------------------------------------------------------------
def test_kendall_w_hand_case_and_friedman_equivalence():
    """W = 12 S / (m^2 (n^3 - n)): ranks (1,2,3), (1,3,2), (2,1,3) give R = (4, 6, 8), S = 8, W = 96/216."""
    res = kendall_w([[1, 2, 3], [1, 3, 2], [2, 1, 3]], rows="rater")
    assert res.statistic == pytest.approx(96 / 216)
    assert (res.chi2, res.df) == (pytest.approx(3 * 2 * 96 / 216), 2)
    from scipy.stats import friedmanchisquare
    scores = np.array([[1, 2, 2, 4, 5], [2, 1, 3, 3, 5], [1, 1, 2, 3, 4], [4, 3, 2, 1, 1.0]])
    tied = kendall_w(scores, rows="rater")
    assert tied.chi2 == pytest.approx(friedmanchisquare(*scores.T).statistic)   # tie-corrected Friedman
    assert kendall_w(scores, rows="rater", correct_ties=False).statistic < tied.statistic
    long = to_long(scores, rows="rater")
    assert kendall_w(long).statistic == pytest.approx(tied.statistic)
    assert kendall_w(scores.T, rows="unit").statistic == pytest.approx(tied.statistic)


def test_kendall_w_errors_and_degenerate():
    with pytest.raises(InputError, match=r"`rows` must be given for a wide matrix: 'unit' \(targets in rows\) or "
                                         r"'rater' \(raters in rows\); the orientation is never guessed"):
        kendall_w([[1, 2], [2, 1]])
    with pytest.raises(InputError, match=r"`rows` must be given for a wide matrix"):
        kendall_w(np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]))
    with pytest.raises(InputError, match="nan_policy='omit'"):
        kendall_w([[1, 2, nan], [2, 1, 3]], rows="rater")
    assert kendall_w([[1, 2, nan], [2, 1, 3]], rows="rater", nan_policy="omit").n_objects == 2
    with pytest.warns(DegenerateDataWarning, match="same value"):
        assert np.isnan(kendall_w([[1, 1, 1], [2, 2, 2]], rows="rater").statistic)
    with pytest.warns(DegenerateDataWarning, match="fewer than 2"):
        kendall_w([[1, 2, 3]], rows="rater")


VISION = [[1520, 266, 124, 66], [234, 1512, 432, 78], [117, 362, 1772, 205], [36, 82, 179, 492]]


def test_stuart_maxwell_and_bhapkar_vision_data():
    """Stuart (1955) unaided distance vision of 7,477 women: Stuart-Maxwell 11.96 (df 3); Bhapkar 11.98;
    Bhapkar = SM / (1 - SM/n) (statsmodels' test relation)."""
    sm = stuart_maxwell(VISION)
    bh = bhapkar(VISION)
    assert (round(sm.statistic, 2), sm.df) == (11.96, 3)
    assert round(bh.statistic, 2) == 11.98
    assert bh.statistic == pytest.approx(sm.statistic / (1 - sm.statistic / 7477))
    assert list(sm.margins["difference"]) == list(np.sum(VISION, 1) - np.sum(VISION, 0))


def test_marginal_homogeneity_mcnemar_and_degenerate():
    mc = stuart_maxwell([[10, 5], [15, 20]])
    assert mc.statistic == pytest.approx((15 - 5) ** 2 / 20)       # McNemar without continuity correction
    with pytest.warns(DegenerateDataWarning, match="no disagreement"):
        res = stuart_maxwell(np.diag([3, 4, 5]))
    assert (res.statistic, res.df, res.pvalue) == (0.0, 0, 1.0)
    # an all-agreement category is left out rather than making the covariance singular
    part = stuart_maxwell([[5, 0, 0], [0, 3, 4], [0, 1, 6]], categories=["优", "良", "中"])
    assert part.df == 1 and part.statistic == pytest.approx(9 / 5)
    with pytest.raises(InputError, match="square"):
        stuart_maxwell([[1, 2]])
    with pytest.raises(InputError, match="one entry per row"):
        bhapkar(VISION, categories=["a"])


# --- results and to_long ----------------------------------------------------------------------------------------
def test_results_are_frozen_with_frames_and_html():
    import dataclasses
    results = [icc(to_long(SF, rows="unit")), cohen_kappa(table=SAS), fleiss_kappa(WIKI), gwet_ac(kripp_long()),
               krippendorff_alpha(kripp_long()), lin_ccc(WRIGHT, MINI), bland_altman(WRIGHT, MINI),
               kendall_w(SF, rows="unit"), stuart_maxwell(VISION)]
    for res in results:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(res, dataclasses.fields(res)[0].name, 0.5)
        frame = res.to_frame()
        assert isinstance(frame, pd.DataFrame) and len(frame) >= 1
        assert all(c == c.lower() and " " not in c for c in frame.columns)
        assert "<table" in res._repr_html_()
        assert repr(res).startswith(type(res).__name__ + "(") and len(repr(res)) < 200


def test_to_long_orientation_and_errors():
    wide = pd.DataFrame({"A": [1, nan], "B": [3, 4]}, index=["u1", "u2"])
    long = to_long(wide, rows="unit")
    assert list(long.itertuples(index=False, name=None)) == [("u1", "A", 1.0), ("u1", "B", 3.0), ("u2", "B", 4.0)]
    by_rater = to_long(wide.T, rows="rater")
    assert by_rater.equals(long)
    assert len(to_long(wide, rows="unit", dropna=False)) == 4
    with pytest.raises(InputError, match="rows"):
        to_long(wide, rows="units")


# --- review fixes (issue 5): fast paths, degenerate data, error paths ------------------------------------------
def test_icc_fast_grid_path_equals_general_path_and_leaves_data_alone():
    """icc() skips hashing when the ids are the integer grid that to_long() returns; text ids, 1..n ids, gaps in
    the ids and shuffled rows take the general path. All give the same table, and the caller's frame is not
    modified by the in-place ANOVA."""
    rng = np.random.default_rng(5)
    wide = rng.normal(size=(40, 1)) + rng.normal(size=(40, 3)) + rng.normal(size=3)
    grid = to_long(wide, rows="unit")
    before = grid.copy()
    ref = icc(grid).to_frame()
    pd.testing.assert_frame_equal(grid, before)
    variants = [grid.sample(frac=1.0, random_state=2),
                grid.assign(unit_id=grid["unit_id"] + 1),
                grid.assign(unit_id=grid["unit_id"] * 3, rater_id=grid["rater_id"] + 7),
                grid.assign(unit_id="P" + grid["unit_id"].astype(str), rater_id="R" + grid["rater_id"].astype(str))]
    for long in variants:
        kept = long.copy()
        got = icc(long).to_frame()
        pd.testing.assert_frame_equal(long, kept)
        np.testing.assert_allclose(got[["icc", "f", "pvalue", "ci_low", "ci_high"]],
                                   ref[["icc", "f", "pvalue", "ci_low", "ci_high"]], rtol=1e-12, atol=1e-14)
    one_rater = to_long(wide[:, :1], rows="unit")
    kept = one_rater.copy()
    with pytest.warns(DegenerateDataWarning, match="single rater"):
        icc(one_rater)
    pd.testing.assert_frame_equal(one_rater, kept)


@pytest.mark.parametrize("ids", [
    ["0010002", "0010001", "0010002", "0010003", "0010001"],        # project codes: the fixed-width integer keys
    ["E01", "E02", "E01"], ["专家A", "专家B", "专家A"], ["7", "5", "7"],  # rater codes, UTF-8, one character
    ["a", "bb", "a"], ["é", "e", "é"],                                # lengths differ (in characters or bytes)
    ["ab", "c\x00", "ab"], ["abcdefghi", "abcdefghj", "abcdefghi"],   # a NUL inside; longer than 8 bytes
    ["ab", "cd", 12], ["\ud800x", "ab", "\ud800x"],                    # a number among text; a lone surrogate
])
def test_factorize_text_ids_equals_pandas_factorize(ids):
    """Text ids take integer keys when they all have the same length of at most 8 bytes (any other text is
    hashed as objects): codes and labels are those of pandas.factorize, labels in order of first appearance."""
    from perfeval.agreement._util import factorize

    for series in (pd.Series(ids, dtype=object), pd.Series(ids).astype(str)):
        codes, labels = factorize(series)
        ref_codes, ref_labels = pd.factorize(series.astype(object).to_numpy())
        np.testing.assert_array_equal(codes, ref_codes)
        assert list(labels) == list(ref_labels) and labels.dtype == object


def test_factorize_keys_tell_ids_apart_that_share_a_prefix_or_bytes():
    """Trap: keys are the ids' bytes, so ids differing only in their last byte, or ids whose characters reorder
    the same bytes, stay apart; a missing id is refused as before."""
    from perfeval.agreement._util import factorize

    rng = np.random.default_rng(8)
    ids = np.array([f"{i:07d}" for i in rng.integers(0, 300, 5000)], dtype=object)
    codes, labels = factorize(pd.Series(ids))
    assert (labels[codes] == ids).all() and len(labels) == len(set(ids))
    codes, labels = factorize(pd.Series(["ab", "ba", "ab", "b\u0101"]))
    np.testing.assert_array_equal(codes, [0, 1, 0, 2])
    with pytest.raises(InputError, match="missing"):
        factorize(pd.Series(["0010001", None, "0010002"]))


def test_icc_on_project_code_ids_in_shuffled_rows_equals_the_grid():
    """The text-id path (codes such as 0010001, shuffled rows) gives the grid path's table."""
    rng = np.random.default_rng(6)
    wide = rng.normal(size=(300, 1)) * 3 + rng.normal(size=(300, 4)) + rng.normal(size=4)
    grid = to_long(wide, rows="unit")
    ref = icc(grid).to_frame()
    coded = grid.sample(frac=1.0, random_state=4).assign(
        unit_id=lambda d: d["unit_id"].map("{:07d}".format), rater_id=lambda d: "E0" + d["rater_id"].astype(str))
    got = icc(coded).to_frame()
    np.testing.assert_allclose(got[["icc", "f", "pvalue", "ci_low", "ci_high"]],
                               ref[["icc", "f", "pvalue", "ci_low", "ci_high"]], rtol=1e-12, atol=1e-14)


def test_icc_single_target_warning_says_every_form_is_nan():
    with pytest.warns(DegenerateDataWarning, match="single complete target.*one-way forms too|one-way forms"):
        res = icc(to_long([[1, 2, 3]], rows="unit"))
    assert res.statistic.isna().all()


def test_lin_ccc_uncorrelated_data_has_finite_se_and_bias_correction():
    """With r = 0 Lin's (1989) C_b = 2 / (v + 1/v + u^2) is still defined (rho_c = r C_b = 0) and the variance
    has a finite limit; it used to divide by r (RuntimeWarning, NaN SE and interval)."""
    import warnings
    x, y = [1, 2, 3, 4], [1, 2, 2, 1]               # s_xy = 0: r = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = lin_ccc(x, y)
    v, u = np.sqrt(0.25 / 1.25), (1.5 - 2.5) / (1.25 * 0.25) ** 0.25
    assert (res.statistic, res.pearson_r) == (0.0, 0.0)
    assert res.bias_correction == pytest.approx(2 / (v + 1 / v + u ** 2))
    assert res.se == pytest.approx(np.sqrt(res.bias_correction ** 2 / (4 - 2)))   # the r -> 0 limit
    near = lin_ccc(x, np.array(y) + 1e-7 * np.array(x))                            # r = O(1e-7)
    assert near.se == pytest.approx(res.se, rel=1e-5)
    assert all(np.isfinite(res.confidence_interval()))


def test_single_subject_warns_for_fleiss_and_gwet_and_table_labels_are_kept():
    with pytest.warns(DegenerateDataWarning, match="single subject"):
        assert np.isnan(fleiss_kappa([[2, 1]]).se)
    with pytest.warns(DegenerateDataWarning, match="single subject"):
        assert np.isnan(gwet_ac(counts=[[2, 1]]).se)
    with pytest.warns(DegenerateDataWarning, match="single rated pair"):
        assert cohen_kappa([1], [2], categories=[1, 2]).statistic == 0.0
    with pytest.warns(DegenerateDataWarning, match="single rated pair"):
        assert np.isnan(gwet_ac(table=[[0, 1], [0, 0]]).pvalue)
    table = pd.DataFrame([[3, 1], [1, 3]], index=["pass", "fail"], columns=["pass", "fail"])
    assert gwet_ac(table=table).categories == cohen_kappa(table=table).categories == ("pass", "fail")


def test_gwet_and_fleiss_degenerate_inputs_warn():
    no_overlap = pd.DataFrame({"unit_id": [1, 2], "rater_id": ["a", "b"], "rating": [1, 2]})
    with pytest.warns(DegenerateDataWarning, match="no subject has two ratings"):
        assert np.isnan(gwet_ac(no_overlap).statistic)
    with pytest.warns(DegenerateDataWarning, match="table is empty"):
        assert np.isnan(gwet_ac(table=np.zeros((2, 2))).statistic)
    with pytest.warns(DegenerateDataWarning, match="single category"):
        assert gwet_ac(table=[[4]]).statistic == 1.0


def test_agreement_error_paths_say_what_to_do():
    long = kripp_long()
    with pytest.raises(InputError, match=r"`matrix` must be 2-D .*got 1 dimension"):
        to_long([1, 2, 3], rows="unit")
    with pytest.raises(InputError, match=r"`matrix` must be 2-D .*got 3 dimension"):
        to_long(np.ones((2, 2, 2)), rows="rater")
    with pytest.raises(InputError, match=r"`unit_id` must not have missing values; found 1 .*Drop those rows"):
        krippendorff_alpha(long.assign(unit_id=long["unit_id"].astype(object).where(long.index != 0, None)))
    with pytest.raises(InputError, match=r"`categories` must not repeat a category"):
        cohen_kappa([1, 2], [2, 1], categories=[1, 2, 2])
    with pytest.raises(InputError, match=r"`table` must hold finite non-negative counts; got -1\.0 in row 0, column 1"):
        stuart_maxwell([[1, -1], [2, 3]])
    with pytest.raises(InputError, match=r"one entry per row of `table` \(3\); got 2"):
        gwet_ac(table=SAS, categories=["a", "b"])
    with pytest.raises(InputError, match=r"pair must occur once in `data`; 1 rating\(s\) repeat a pair\. Average"):
        fleiss_kappa(data=pd.concat([long, long.iloc[[0]]]))
    with pytest.raises(InputError, match=r"pair must occur once in `data`; 1 pair\(s\) occur more than once"):
        krippendorff_alpha(pd.concat([long, long.iloc[[0]]]))
    with pytest.raises(InputError, match=r"`counts` must be a 2-D subjects x categories array; got 1"):
        fleiss_kappa([1, 2, 3])
    with pytest.raises(InputError, match=r"whole numbers .*got 6\.99 in row 0, column 0 .*aggregate_raters"):
        gwet_ac(counts=[[6.99, 0.01], [7, 0]])
    with pytest.raises(InputError, match=r"`data` must be 2-D; got 3"):
        kendall_w(np.ones((2, 2, 2)), rows="rater")
    with pytest.raises(InputError, match=r"target 0 has 2 ratings by rater 1 .*Average or drop"):
        icc(pd.concat([to_long(SF, rows="unit"), to_long(SF, rows="unit").iloc[[1]]]))


def test_stuart_maxwell_declared_but_unused_grade_drops_out_of_the_df():
    """Trap: a grade nobody used (zero row and column) makes V singular; it carries no information, so the test
    equals the one on the used grades, with df = 2 rather than 3 (statsmodels on the 3 x 3 table, which raises
    or returns NaN on the 4 x 4 one)."""
    from statsmodels.stats.contingency_tables import SquareTable
    used = np.array([[12, 5, 1], [2, 20, 6], [0, 3, 9]])
    declared = np.zeros((4, 4))
    declared[np.ix_([0, 2, 3], [0, 2, 3])] = used          # grade 1 (良) declared, never given
    for func, method in ((stuart_maxwell, "stuart_maxwell"), (bhapkar, "bhapkar")):
        res = func(declared, categories=["优", "良", "中", "差"])
        ref = SquareTable(used, shift_zeros=False).homogeneity(method)
        assert res.df == ref.df == 2
        assert res.statistic == pytest.approx(ref.statistic, rel=1e-12)
        assert res.pvalue == pytest.approx(ref.pvalue, rel=1e-12)
        assert res.margins["row_total"].tolist()[1] == 0
