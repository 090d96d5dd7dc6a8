"""Hypothesis properties of the weighting workbench (modest example counts: the file runs in seconds)."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfeval.errors import InputError
from perfeval.weighting import SAATY_SCALE, ahp, ahp_group, critic, entropy, merec, to_points

pytestmark = pytest.mark.filterwarnings("ignore::perfeval.errors.PerfevalWarning")
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
METHODS = ("eigen", "rgm", "colmean")


@st.composite
def reciprocal_matrices(draw, min_n=2, max_n=7):
    """Random positive reciprocal matrices with entries on Saaty's 1-9 scale."""
    n = draw(st.integers(min_n, max_n))
    a = np.ones((n, n))
    for i, j in itertools.combinations(range(n), 2):
        a[i, j] = draw(st.sampled_from(SAATY_SCALE))
        a[j, i] = 1.0 / a[i, j]
    return a


weight_vectors = st.integers(2, 9).flatmap(
    lambda n: st.lists(st.floats(0.01, 100.0), min_size=n, max_size=n)).map(lambda v: np.array(v) / np.sum(v))


@SETTINGS
@given(reciprocal_matrices(), st.sampled_from(METHODS))
def test_weights_positive_and_sum_to_one(a, method):
    res = ahp(a, method=method)
    assert (res.weights > 0).all()
    assert res.weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert res.lambda_max >= a.shape[0] - 1e-9 and res.cr >= 0 and res.gci >= 0


@SETTINGS
@given(weight_vectors)
def test_consistent_matrix_returns_its_vector_by_every_method(w):
    """a_ij = w_i / w_j is consistent: every method returns w with CR = GCI = 0 (Saaty 1977)."""
    a = w[:, None] / w[None, :]
    for method in METHODS:
        res = ahp(a, method=method)
        np.testing.assert_allclose(res.weights.to_numpy(), w, rtol=1e-8, atol=1e-12)
        assert res.cr == pytest.approx(0.0, abs=1e-9) and res.gci == pytest.approx(0.0, abs=1e-12)
        assert res.consistent


@SETTINGS
@given(st.lists(reciprocal_matrices(min_n=4, max_n=4), min_size=2, max_size=4),
       st.lists(st.floats(0.1, 10.0), min_size=4, max_size=4))
def test_aij_equals_aip_under_rgm(matrices, raw_weights):
    """Barzilai & Golany (1994): with the row geometric mean and weighted geometric means, AIJ and AIP coincide."""
    lam = raw_weights[:len(matrices)]
    aij = ahp_group(matrices, "aij", lam, priority="rgm")
    aip = ahp_group(matrices, "aip", lam, priority="rgm")
    np.testing.assert_allclose(aij.weights.to_numpy(), aip.weights.to_numpy(), rtol=1e-10)


@SETTINGS
@given(reciprocal_matrices(min_n=3), st.data())
def test_transposing_a_pair_breaks_reciprocity_and_is_named(a, data):
    """Entering one pair 'column over row' on one side only (a_ij replaced by a_ji) makes the pair equal; unless
    it was 1 the reciprocal check names that exact cell."""
    n = a.shape[0]
    pairs = [(i, j) for i, j in itertools.combinations(range(n), 2) if a[i, j] != 1.0]
    if not pairs:
        return
    i, j = data.draw(st.sampled_from(pairs))
    bad = a.copy()
    bad[i, j] = a[j, i]
    with pytest.raises(InputError, match=rf"cell \({i + 1}, {j + 1}\): not_reciprocal") as info:
        ahp(bad)
    assert [p.location for p in info.value.problems] == [f"cell ({i + 1}, {j + 1})"]


@SETTINGS
@given(weight_vectors)
def test_whole_transpose_inverts_a_consistent_ranking(w):
    """A matrix transposed as a whole is still reciprocal (undetectable); for a consistent one it yields weights
    proportional to 1/w, i.e. the reversed ranking, which is why the orientation is stated everywhere."""
    a = w[:, None] / w[None, :]
    inv = (1 / w) / np.sum(1 / w)
    np.testing.assert_allclose(ahp(a.T).weights.to_numpy(), inv, rtol=1e-8)


@SETTINGS
@given(reciprocal_matrices(min_n=3), st.sampled_from(METHODS), st.randoms(use_true_random=False))
def test_permutation_equivariance(a, method, rnd):
    n = a.shape[0]
    labels = [f"c{k}" for k in range(n)]
    perm = list(range(n))
    rnd.shuffle(perm)
    base = ahp(pd.DataFrame(a, index=labels, columns=labels), method=method)
    shuffled_labels = [labels[p] for p in perm]
    moved = ahp(pd.DataFrame(a[np.ix_(perm, perm)], index=shuffled_labels, columns=shuffled_labels),
                method=method)
    np.testing.assert_allclose(moved.weights[labels].to_numpy(), base.weights.to_numpy(), rtol=1e-9)
    assert moved.cr == pytest.approx(base.cr, abs=1e-10)


@settings(max_examples=25, deadline=None)
@given(reciprocal_matrices(min_n=4, max_n=6), st.data())
def test_optimal_completion_is_never_worse_than_harker(a, data):
    """Bozoki et al. (2010): the optimal completion minimises lambda_max, so it is <= Harker's fill; the filled
    matrix stays reciprocal and the completion is permutation-equivariant."""
    n = a.shape[0]
    i, j = data.draw(st.sampled_from(list(itertools.combinations(range(n), 2))))
    m = a.copy()
    m[i, j] = m[j, i] = np.nan
    opt, har = ahp(m, completion="optimal"), ahp(m, completion="harker")
    assert opt.lambda_max <= har.lambda_max + 1e-9
    full = opt.matrix.to_numpy()
    np.testing.assert_allclose(full * full.T, np.ones((n, n)), rtol=1e-12)
    perm = list(reversed(range(n)))
    moved = ahp(m[np.ix_(perm, perm)], completion="optimal")
    np.testing.assert_allclose(moved.weights.to_numpy()[np.argsort(perm)], opt.weights.to_numpy(), rtol=1e-6)


positive_tables = st.integers(3, 8).flatmap(lambda m: st.integers(2, 5).flatmap(
    lambda n: st.lists(st.lists(st.floats(0.5, 1000.0), min_size=n, max_size=n), min_size=m, max_size=m)))


@SETTINGS
@given(positive_tables)
def test_objective_weights_nonnegative_sum_to_one_and_permute(rows):
    x = pd.DataFrame(rows, columns=[f"i{k}" for k in range(len(rows[0]))])
    reordered = x[list(reversed(x.columns))]
    for func in (entropy, critic, merec):
        try:
            res = func(x)
        except InputError:  # all indicators constant, or CRITIC without conflict: documented refusals
            continue
        assert (res.weights >= 0).all() and res.weights.sum() == pytest.approx(1.0)
        np.testing.assert_allclose(func(reordered).weights[x.columns].to_numpy(), res.weights.to_numpy(),
                                   rtol=1e-9, atol=1e-12)


@SETTINGS
@given(st.lists(st.floats(0.0, 50.0), min_size=1, max_size=12).filter(lambda v: sum(v) > 0),
       st.integers(0, 2), st.integers(1, 200))
def test_to_points_sums_exactly_and_stays_within_one_unit(raw, decimals, total):
    w = pd.Series(raw, index=[f"n{k}" for k in range(len(raw))])
    pts = to_points(w, total=total, decimals=decimals)
    units = np.round(pts.to_numpy() * 10 ** decimals).astype(int)
    assert units.sum() == total * 10 ** decimals
    quota = w.to_numpy() / w.sum() * total * 10 ** decimals
    assert (np.abs(units - quota) < 1 + 1e-9).all()
