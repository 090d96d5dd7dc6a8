"""Objective weights: published cases, normalisation conventions, zeros and constant indicators, errors."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from perfeval.errors import ConstantIndicatorWarning, InputError
from perfeval.weighting import WeightResult, critic, cv, entropy, merec, parse_directions, std_dev

XU_2004 = [[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]]
TUS_ADALI = [[5000, 3, 3, 4, 3, 2], [680, 5, 3, 2, 2, 1], [2000, 3, 2, 3, 4, 3], [600, 4, 3, 1, 2, 2],
             [800, 2, 4, 3, 3, 4]]
MEREC_2021 = [[450, 8000, 54, 145], [10, 9100, 2, 160], [100, 8200, 31, 153], [220, 9300, 1, 162],
              [5, 8400, 23, 158]]


def test_entropy_xu_2004():
    """Xu (2004), Eur. J. Oper. Res. 156:530, entropy weights (0.4630, 0.3992, 0.1378, 0.0000), 4 decimals; the
    near-constant 4th attribute gets ~0 (it is not exactly constant, so no warning)."""
    res = entropy(XU_2004)
    np.testing.assert_allclose(res.weights, [0.4630, 0.3992, 0.1378, 0.0000], atol=5e-5)
    assert res.method == "entropy" and res.details["normalization"] == "sum"
    np.testing.assert_allclose(res.details["divergence"] / res.details["divergence"].sum(), res.weights)


def test_entropy_zavadskas_podvezko_2016():
    """Zavadskas & Podvezko (2016), Int. J. Inf. Technol. Decis. Mak. 15:267, entropy weights (0.1146, 0.1981,
    0.4185, 0.2689) (4 decimals) with shares of the raw values: the published numbers do not depend on the
    criteria's directions, so the cost directions given do not change them."""
    x = [[3.0, 100, 10, 7], [2.5, 80, 8, 5], [1.8, 50, 20, 11], [2.2, 70, 12, 9]]
    res = entropy(x, ["min", "max", "min", "max"])
    np.testing.assert_allclose(res.weights, [0.1146, 0.1981, 0.4185, 0.2689], atol=5e-5)
    assert res.details["directions"].tolist() == [-1, 1, -1, 1]


def test_entropy_elsayed_2017():
    """Elsayed, Dawood & Karthikeyan (2017), Int. J. Eng. Trends Technol. 46:60, as tested in pymcdm: weights
    (0.104991, 0.069124, 0.071373, 0.449937, 0.304575), 6 decimals."""
    x = [[7, 312, 1891, 6613, 163], [72, 88, 728, 941804, 1078], [10, 252, 2594, 3466, 117471],
         [10, 145, 980, 2371, 86329], [65, 54, 350, 501, 29897], [29, 48, 380, 912, 34051],
         [7, 476, 3300, 78470, 2212], [70, 87, 650, 733, 819000], [4, 86, 591, 3015, 103],
         [12, 79, 579, 3240, 96098], [21, 45, 261, 1253, 453], [1, 72, 530, 4333, 0.104800]]
    np.testing.assert_allclose(entropy(x).weights, [0.104991, 0.069124, 0.071373, 0.449937, 0.304575], atol=5e-7)


def test_entropy_zeros_and_minmax_directions():
    """0 ln 0 = 0: a zero share lowers entropy (no 'maximal weight on any zero' quirk); under min-max the
    direction changes the weights, under shares it does not."""
    x = pd.DataFrame({"a": [0.0, 1.0, 1.0, 2.0], "b": [1.0, 2.0, 3.0, 4.0], "c": [5.0, 1.0, 2.0, 2.0]})
    by_sum = entropy(x)
    p = np.array([0, 1, 1, 2]) / 4
    e_a = -(p[p > 0] * np.log(p[p > 0])).sum() / np.log(4)
    assert by_sum.details["entropy"]["a"] == pytest.approx(e_a)
    assert entropy(x, ["max", "min", "max"]).weights.equals(by_sum.weights)
    benefit = entropy(x, normalization="minmax")
    cost_c = entropy(x, ["max", "max", "min"], normalization="minmax")
    assert not np.allclose(benefit.weights, cost_c.weights)
    r = (np.array([5.0, 1, 2, 2]) - 1) / 4
    q = r / r.sum()
    assert benefit.details["entropy"]["c"] == pytest.approx(-(q[q > 0] * np.log(q[q > 0])).sum() / np.log(4))


def test_critic_tus_adali_2019():
    """Tus & Adali (2019), OPSEARCH 56:528: CRITIC w = (0.157, 0.249, 0.168, 0.121, 0.154, 0.151), min-max
    normalised, sample SD, 3 decimals. The published weights normalise every criterion as a benefit (with the
    price column turned round they are (0.184, 0.213, 0.142, 0.158, 0.168, 0.134))."""
    res = critic(TUS_ADALI)
    np.testing.assert_allclose(res.weights, [0.157, 0.249, 0.168, 0.121, 0.154, 0.151], atol=5e-4)
    as_cost = critic(TUS_ADALI, ["min", "max", "max", "max", "max", "max"])
    np.testing.assert_allclose(as_cost.weights, [0.184, 0.213, 0.142, 0.158, 0.168, 0.134], atol=5e-4)
    assert res.details["correlation"].shape == (6, 6)
    assert res.details["information"].tolist() == pytest.approx(
        (res.details["std"] * res.details["conflict"]).tolist())


def test_merec_keshavarz_ghorabaee_2021():
    """Keshavarz-Ghorabaee et al. (2021), Symmetry 13:525, section 4: w = (0.5752, 0.0141, 0.4016, 0.0091) with
    criterion types (benefit, benefit, cost, cost), 4 decimals."""
    res = merec(MEREC_2021, ["max", "max", "min", "min"])
    np.testing.assert_allclose(res.weights, [0.5752, 0.0141, 0.4016, 0.0091], atol=5e-5)
    assert res.details["performance"].shape == (5,)


def test_std_dev_published_cases():
    """Jahan & Edwards (2013), Mater. Des. 49:1000: SD weights (0.35, 0.31, 0.34), 2 decimals (data already in
    [0, 1] with min 0 and max 1, so min-max changes nothing). Salabun, Watrobski & Shekhovtsov (2020), Symmetry
    12:1549: (0.217, 0.294, 0.488), 3 decimals, computed on the values as given (normalization='none')."""
    jahan = [[0, 0, 0], [0.39, 0.3, 0.77], [0.17, 0.36, 0.8], [0.35, 0.29, 0.93], [0.3, 0.4, 0.94],
             [0.84, 0.71, 1], [1, 1, 0.99]]
    np.testing.assert_allclose(std_dev(jahan).weights, [0.35, 0.31, 0.34], atol=5e-3)
    np.testing.assert_allclose(std_dev(jahan, normalization="none").weights, [0.35, 0.31, 0.34], atol=5e-3)
    salabun = [[0.619, 0.449, 0.447], [0.862, 0.466, 0.006], [0.458, 0.698, 0.771], [0.777, 0.631, 0.491],
               [0.567, 0.992, 0.968]]
    np.testing.assert_allclose(std_dev(salabun, normalization="none").weights, [0.217, 0.294, 0.488], atol=5e-4)
    assert not np.allclose(std_dev(salabun).weights, [0.217, 0.294, 0.488], atol=5e-4)


def test_cv_shuai_2012():
    """Shuai et al. (2012), CCDC 2012:3889, coefficient-of-variation weights (0.4258, 0.3610, 0.2121, 0.0011) on
    Xu's data, 4 decimals."""
    res = cv(XU_2004)
    np.testing.assert_allclose(res.weights, [0.4258, 0.3610, 0.2121, 0.0011], atol=5e-5)
    assert set(res.details) == {"mean", "std", "cv", "directions"}


@pytest.mark.parametrize("func", [entropy, critic, std_dev, cv, merec])
def test_constant_indicator_gets_zero_and_a_warning(func):
    x = pd.DataFrame({"a": [1.0, 2.0, 3.0, 5.0], "flat": [2.0, 2.0, 2.0, 2.0], "c": [4.0, 1.0, 3.0, 2.0]})
    with pytest.warns(ConstantIndicatorWarning, match=r"\['flat'\] are constant"):
        res = func(x)
    assert res.weights["flat"] == 0.0
    assert np.isfinite(res.weights).all() and res.weights.sum() == pytest.approx(1.0)
    with pytest.raises(InputError, match=r"every indicator is constant"):
        func(pd.DataFrame({"a": [1.0, 1.0], "b": [3.0, 3.0]}))


def test_critic_needs_conflict():
    with pytest.raises(InputError, match=r"CRITIC weights are undefined"):
        critic(pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 4.0, 6.0]}))


def test_result_object_and_to_frame():
    res = critic(pd.DataFrame(TUS_ADALI, columns=list("ABCDEF"), index=[f"u{k}" for k in range(5)]))
    assert isinstance(res, WeightResult)
    frame = res.to_frame()
    assert frame.columns.tolist() == ["item", "weight", "rank", "std", "conflict", "information", "directions"]
    assert frame["item"].tolist() == list("ABCDEF") and frame.loc[frame["rank"] == 1, "item"].item() == "B"
    assert "critic" in res._repr_html_() and "correlation_method = pearson" in res._repr_html_()
    with pytest.raises(TypeError):
        res.details["std"] = None  # read-only mapping


def test_directions_parsing():
    cols = ["a", "b", "c"]
    assert parse_directions(None, cols).tolist() == [1, 1, 1]
    assert parse_directions("min", cols).tolist() == [-1, -1, -1]
    assert parse_directions(["max", "cost", "-1"], cols).tolist() == [1, -1, -1]
    assert parse_directions({"a": "min", "b": "benefit", "c": "≤"}, cols).tolist() == [-1, 1, -1]
    with pytest.raises(InputError, match=r"`directions` names \['z'\], which are not indicators; the indicators are "
                                         r"\['a', 'b', 'c'\] \(those not named are benefit, max\)"):
        parse_directions({"a": "min", "b": "max", "z": "max"}, cols)
    with pytest.raises(InputError, match=r"one direction per indicator \(3"):
        parse_directions(["max", "min"], cols)
    with pytest.raises(InputError, match=r"`directions` for indicator 'b' must be 'max' \(benefit\) or 'min'"):
        parse_directions(["max", "up", "min"], cols)


def test_directions_not_named_default_to_benefit():
    """A mapping naming only the cost indicators: the others are benefit (max), the documented default; CRITIC with
    {"b": "min"} equals CRITIC with every direction spelt out."""
    cols = ["a", "b", "c"]
    assert parse_directions({"b": "min"}, cols).tolist() == [1, -1, 1]
    assert parse_directions({"b": "反向"}, cols).tolist() == [1, -1, 1]
    assert parse_directions({}, cols).tolist() == [1, 1, 1]
    data = pd.DataFrame({"a": [1.0, 2.0, 4.0, 3.0], "b": [9.0, 7.0, 8.0, 2.0], "c": [5.0, 1.0, 2.0, 6.0]})
    partial = critic(data, {"b": "min"})
    full = critic(data, ["max", "min", "max"])
    pd.testing.assert_series_equal(partial.weights, full.weights)
    assert partial.details["directions"].tolist() == [1, -1, 1]
    assert not np.allclose(partial.weights, critic(data).weights)  # the direction of b matters in CRITIC


def test_bad_data_is_located():
    frame = pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": ["x", "2", "3"]}, index=["u1", "u2", "u3"])
    with pytest.raises(InputError) as info:
        entropy(frame)
    assert [p.location for p in info.value.problems] == ["unit u2, indicator a", "unit u1, indicator b"]
    with pytest.raises(InputError, match=r"at least 2 units"):
        critic([[1, 2, 3]])
    with pytest.raises(InputError, match=r"must be a 2-D table"):
        entropy([1, 2, 3])
    with pytest.raises(InputError, match=r"indicator names must be unique"):
        cv(pd.DataFrame([[1, 2], [3, 4]], columns=["a", "a"]))


def test_method_specific_domain_errors():
    with pytest.raises(InputError, match=r"needs non-negative values; indicator\(s\) \['2'\].*normalization='minmax'"):
        entropy([[1, -1], [2, 3]])
    np.testing.assert_allclose(entropy([[1, -1], [2, 3], [3, 0]], normalization="minmax").weights.sum(), 1.0)
    with pytest.raises(InputError, match=r"unit 1, indicator 2: not_positive: MEREC needs values > 0; got 0"):
        merec([[1, 2], [2, 0], [3, 1]])
    with pytest.raises(InputError, match=r"coefficient of variation needs non-negative values .*\['2'\]"):
        cv([[1, -2], [2, 1]])
    with pytest.raises(InputError, match=r"`normalization` must be one of 'sum', 'minmax'; got 'zscore'"):
        entropy(XU_2004, normalization="zscore")
    with pytest.raises(InputError, match=r"`correlation` must be one of 'pearson', 'spearman', 'kendall'"):
        critic(TUS_ADALI, correlation="distance")
    with pytest.raises(InputError, match=r"`normalization` must be one of 'minmax', 'none'"):
        std_dev(XU_2004, normalization="sum")


def test_invariances():
    """Entropy of shares ignores a column's scale; CRITIC and SD ignore affine rescaling (min-max first)."""
    x = np.array(TUS_ADALI, dtype=float)
    y = x.copy()
    y[:, 0] = y[:, 0] / 1000.0
    np.testing.assert_allclose(entropy(x).weights, entropy(y).weights, rtol=1e-12)
    y[:, 1] = 3 * y[:, 1] + 7
    np.testing.assert_allclose(critic(x).weights, critic(y).weights, rtol=1e-12)
    np.testing.assert_allclose(std_dev(x).weights, std_dev(y).weights, rtol=1e-12)
    np.testing.assert_allclose(critic(x, correlation="spearman").weights.sum(), 1.0)


def test_missing_cell_message_shows_the_value_plainly():
    with pytest.raises(InputError, match=r"unit 0, indicator 2: not_a_number: .*got nan \(impute or drop"):
        entropy([[1, np.nan], [2, 3]])
