"""The re-check sample (抽样复核) and design-based estimates from it.

:func:`sample_units` draws the projects the finance department re-checks: stratified (by department, region,
claimed grade ...), by simple random sampling or with probability proportional to a size such as the budget
(πps), and records each unit's inclusion probability. :func:`design_estimate` turns values measured on the
sample into population means and shares with design weights, a finite-population correction and a confidence
interval; :func:`perfeval.recheck.compare` uses it for the population bias and grade distribution.
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..columns import UNIT_ID
from .._rows import located, with_source
from ..errors import DataQualityWarning, InputError, Problem

__all__ = ["sample_units", "design_estimate", "DESIGN_COLUMNS", "ESTIMATORS"]

#: Columns :func:`sample_units` adds to the sampled units.
DESIGN_COLUMNS: tuple[str, ...] = ("stratum", "stratum_size", "stratum_sample_size", "inclusion_probability",
                                   "design_weight", "certainty")
#: Estimators of :func:`design_estimate`.
ESTIMATORS: tuple[str, ...] = ("hajek", "ht")
_ALL = "all"


def _strata_labels(units: pd.DataFrame, strata: str | Sequence[str] | None, problems: list[Problem]) -> np.ndarray:
    if strata is None:
        return np.full(len(units), _ALL, dtype=object)
    cols = [strata] if isinstance(strata, str) else list(strata)
    missing = [c for c in cols if c not in units]
    if missing:
        raise InputError.single("units", "missing_column", f"`strata` must name columns of `units`; missing "
                                f"{missing}; got columns {list(units.columns)}.")
    blank = np.flatnonzero(units[cols].isna().any(axis=1).to_numpy())
    problems += located(units, blank, cols[0], "missing_value",
                        lambda i: f"unit {units[UNIT_ID].iat[i]!r} has no stratum ({', '.join(cols)} empty)")
    return units[cols].fillna("").astype(str).agg("|".join, axis=1).to_numpy(dtype=object)


def _allocate(sizes: pd.Series, n: Any, frac: Any) -> pd.Series:
    """Sample size per stratum: a mapping as given, proportional with at least 1 each, or a fraction."""
    if isinstance(n, Mapping):
        unknown = sorted(set(map(str, n)) - set(sizes.index))
        if unknown:
            raise InputError.single("n", "unknown_stratum", f"`n` names strata that do not exist: {unknown}; "
                                    f"strata: {list(sizes.index)}.")
        alloc = pd.Series({str(k): v for k, v in n.items()}).reindex(sizes.index, fill_value=0)
        if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 0 for v in alloc):
            raise ValueError(f"`n` must map strata to non-negative integers; got {dict(n)!r}.")
        return alloc.astype(np.int64)
    total = int(sizes.sum())
    if frac is not None:
        quota = sizes.to_numpy(dtype=float) * float(frac)
        return pd.Series(np.maximum(1, np.floor(quota + 0.5)).astype(np.int64), index=sizes.index)
    if n > total:
        raise InputError.single("n", "sample_larger_than_population",
                                f"`n` must be <= the number of units ({total}); got {n}.")
    if n < len(sizes):
        raise ValueError(f"`n` must be at least the number of strata ({len(sizes)}) so that every stratum is "
                         f"sampled; got {n}.")
    # proportional allocation, at least one unit per stratum, largest remainders (Hamilton) for the rest
    quota = sizes.to_numpy(dtype=float) * n / total
    alloc = np.maximum(1, np.floor(quota)).astype(np.int64)
    alloc = np.minimum(alloc, sizes.to_numpy())
    rest = n - int(alloc.sum())
    while rest < 0:  # the minimum of one pushed the total above n: take back where most above the quota
        j = int(np.argmax(np.where(alloc > 1, alloc - quota, -np.inf)))
        alloc[j] -= 1
        rest += 1
    order = np.lexsort((np.arange(len(quota)), -(quota - np.floor(quota))))
    while rest > 0:
        room = alloc < sizes.to_numpy()
        for j in order:
            if rest == 0:
                break
            if room[j]:
                alloc[j] += 1
                rest -= 1
    return pd.Series(alloc, index=sizes.index)


def _pps_probabilities(size: np.ndarray, n: int) -> np.ndarray:
    """pi_i = n x_i / X, the units with pi >= 1 set to 1 and the rest recomputed until none exceeds 1."""
    pi = np.zeros(len(size))
    certain = np.zeros(len(size), dtype=bool)
    while True:
        m = n - int(certain.sum())
        rest = ~certain
        pi[rest] = m * size[rest] / size[rest].sum() if m > 0 else 0.0
        over = rest & (pi >= 1.0)
        if not over.any():
            break
        certain |= over
    pi[certain] = 1.0
    return pi


def _systematic(pi: np.ndarray, n: int, gen: np.random.Generator) -> np.ndarray:
    """Randomised systematic πps selection (Goodman & Kish 1950): random order, one random start, n points."""
    order = gen.permutation(len(pi))
    cum = np.cumsum(pi[order])
    points = gen.uniform() + np.arange(n)
    hit = np.searchsorted(cum, np.minimum(points, cum[-1]), side="left")
    return order[np.unique(hit)]


def sample_units(units: pd.DataFrame, n: int | Mapping[str, int] | None = None, frac: float | None = None,
                 strata: str | Sequence[str] | None = None, pps: str | None = None, rng: Any = None
                 ) -> pd.DataFrame:
    r"""Draw the re-check sample: stratified, simple random or proportional to size, with inclusion probabilities.

    Parameters
    ----------
    units : pandas.DataFrame
        One row per unit (``unit_id`` unique), e.g. ``units.csv`` merged with the budget.
    n : int or mapping, optional
        Sample size. An int is allocated to the strata proportionally to their sizes (at least one unit per
        stratum, largest remainders for the rest); a mapping gives each stratum's size (0 skips it).
    frac : float, optional
        Instead of ``n``: the fraction of every stratum, ``n_h = max(1, round(frac * N_h))``, in (0, 1].
    strata : str or sequence of str, optional
        Column(s) of ``units`` defining the strata (labels are the values joined by ``|``). None: one stratum
        (labelled ``all``).
    pps : str, optional
        Column of a positive size measure (e.g. ``budget_full_year``): sample within each stratum with probability
        proportional to it (πps, randomised systematic selection). None: simple random sampling without
        replacement within each stratum.
    rng : None, int or numpy.random.Generator
        Seed or generator; the only source of randomness.

    Returns
    -------
    pandas.DataFrame
        The sampled rows of ``units`` (every column kept, input order) plus ``stratum`` (label),
        ``stratum_size`` (N_h), ``stratum_sample_size`` (n_h), ``inclusion_probability`` (pi_i),
        ``design_weight`` (1 / pi_i) and ``certainty`` (bool: pi_i = 1, a take-all unit of a πps design).

    Raises
    ------
    InputError
        Located: ``missing_column`` (``unit_id``, a stratum or size column), ``duplicate_unit``, ``missing_value``
        (an empty stratum), ``invalid_size`` (a size that is missing, zero or negative), ``unknown_stratum``,
        ``sample_larger_than_stratum`` (naming the stratum, its size and the sample asked for),
        ``sample_larger_than_population``.
    ValueError
        Neither or both of ``n`` and ``frac``; ``frac`` outside (0, 1]; ``n`` below the number of strata.

    Notes
    -----
    Simple random sampling: :math:`\pi_i = n_h / N_h`. πps: :math:`\pi_i = n_h x_i / X_h`; units whose
    :math:`\pi_i` would reach 1 are taken with certainty and the rest recomputed on the remaining size
    (repeated until no :math:`\pi_i` exceeds 1), then :math:`n_h` units are selected by randomised systematic
    sampling (random order, one random start; Goodman & Kish 1950), which realises exactly these
    :math:`\pi_i`. Its joint inclusion probabilities are not tractable: :func:`design_estimate` uses the
    with-replacement variance approximation with a finite-population correction.

    References
    ----------
    .. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., ch. 5 (stratified sampling) and 9A (PPS). Wiley.
    .. [2] Goodman, R., & Kish, L. (1950). Controlled selection: a technique in probability sampling. JASA 45,
       350-372.
    .. [3] Särndal, C.-E., Swensson, B., & Wretman, J. (1992). *Model Assisted Survey Sampling*. Springer.

    Examples
    --------
    >>> import pandas as pd
    >>> units = pd.DataFrame({"unit_id": [f"P{i}" for i in range(10)], "dept": list("AAAAAABBBB")})
    >>> s = sample_units(units, n=5, strata="dept", rng=1)
    >>> s.groupby("stratum")["inclusion_probability"].first().to_dict()
    {'A': 0.5, 'B': 0.5}
    """
    if not isinstance(units, pd.DataFrame):
        raise TypeError(f"`units` must be a pandas DataFrame; got {type(units).__name__}.")
    if (n is None) == (frac is None):
        raise ValueError("pass exactly one of `n` (sample size) and `frac` (sampling fraction).")
    if frac is not None and not (isinstance(frac, (int, float)) and 0 < frac <= 1):
        raise ValueError(f"`frac` must be a number in (0, 1]; got {frac!r}.")
    if n is not None and not isinstance(n, Mapping) and (
            isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1):
        raise ValueError(f"`n` must be a positive integer or a mapping stratum -> size; got {n!r}.")
    if UNIT_ID not in units:
        raise InputError.single("units", "missing_column", f"`units` must have a `unit_id` column; got "
                                f"{list(units.columns)}.")
    source = units.reset_index(drop=True)
    units = with_source(source, "units")
    ids = units[UNIT_ID].astype(str)
    problems = located(units, np.flatnonzero(ids.duplicated().to_numpy()), UNIT_ID, "duplicate_unit",
                       lambda i: f"unit {ids.iat[i]!r} appears more than once")
    label = _strata_labels(units, strata, problems)
    size = None
    if pps is not None:
        if pps not in units:
            raise InputError.single("units", "missing_column", f"`pps` must name a column of `units`; got {pps!r}; "
                                    f"columns: {list(units.columns)}.")
        size = pd.to_numeric(units[pps], errors="coerce").to_numpy(dtype=float)
        bad = ~(size > 0)
        problems += located(units, np.flatnonzero(bad), pps, "invalid_size",
                            lambda i: f"`{pps}` must be a positive number for PPS sampling; got {units[pps].iat[i]!r}")
    if problems:
        raise InputError(problems=problems)
    sizes = pd.Series(label).value_counts(sort=False)
    sizes = sizes.reindex(pd.unique(label))
    alloc = _allocate(sizes, n, frac)
    too_big = alloc > sizes
    if too_big.any():
        raise InputError(problems=[Problem(f"stratum {s}", "sample_larger_than_stratum",
                                           f"the sample asked for ({int(alloc[s])}) is larger than the stratum "
                                           f"({int(sizes[s])} units)") for s in sizes.index[too_big.to_numpy()]])
    gen = np.random.default_rng(rng)
    pi = np.zeros(len(units))
    chosen: list[np.ndarray] = []
    for s in sizes.index:
        members = np.flatnonzero(label == s)
        k = int(alloc[s])
        if k == 0:
            continue
        if size is None:
            pi[members] = k / len(members)
            chosen.append(members[gen.choice(len(members), size=k, replace=False)])
        else:
            p = _pps_probabilities(size[members], k)
            pi[members] = p
            chosen.append(members[_systematic(p, k, gen)])
    picked = np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)
    out = source.iloc[picked].copy()
    out["stratum"] = label[picked]
    out["stratum_size"] = sizes.reindex(label[picked]).to_numpy(dtype=np.int64)
    out["stratum_sample_size"] = alloc.reindex(label[picked]).to_numpy(dtype=np.int64)
    out["inclusion_probability"] = pi[picked]
    out["design_weight"] = 1.0 / pi[picked]
    out["certainty"] = pi[picked] >= 1.0
    return out.reset_index(drop=True)


def design_estimate(values: Any, sample: pd.DataFrame, *, estimator: str = "hajek",
                    confidence_level: float = 0.95) -> dict[str, float]:
    r"""Population mean (or share) of values measured on a probability sample, with its SE and interval.

    Parameters
    ----------
    values : array-like of float
        One value per row of ``sample`` (a share: 0/1 values). NaN rows are left out (non-response).
    sample : pandas.DataFrame
        The design, row-aligned with ``values``: ``inclusion_probability`` (required), optional ``stratum``,
        ``stratum_size`` (N_h), ``stratum_sample_size`` (n_h, the designed size) as :func:`sample_units` returns.
    estimator : {"hajek", "ht"}
        ``ht``: Horvitz-Thompson mean :math:`\hat Y / N` with the known population size ``N = sum_h N_h`` (the
        estimated :math:`\hat N = \sum_i w_i` without ``stratum_size``). ``hajek`` (default): the ratio
        :math:`\sum w_i y_i / \sum w_i`, better when the weights vary (πps) and when units did not respond.
    confidence_level : float

    Returns
    -------
    dict
        ``estimate, se, ci_low, ci_high, df, n`` (values used), ``population_size`` (N or N-hat).

    Notes
    -----
    With design weights :math:`w_i = 1/\pi_i` and the linearised values :math:`z_i = w_i y_i / N` (HT) or
    :math:`z_i = w_i (y_i - \hat{\bar y}) / \hat N` (Hájek), the variance is

    .. math:: v = \sum_h (1 - f_h) \frac{n_h}{n_h - 1} \sum_{i \in h} (z_i - \bar z_h)^2, \qquad
              f_h = \frac{n_h - c_h}{N_h - c_h},

    the stratified with-replacement approximation with a finite-population correction (Särndal et al. 1992,
    §2.9 and §5.7), summed over the units not taken with certainty (:math:`c_h` of them in stratum h, which add
    no variance; no correction without ``stratum_size``). For stratified simple random sampling it is exactly
    :math:`\sum_h (N_h/N)^2 (1 - f_h) s_h^2 / n_h`. A stratum
    with a single responding unit is centred on the overall mean instead of its own (R survey's
    ``lonely.psu = "adjust"``). The interval is :math:`\hat{\bar y} \pm t_{df}\,\sqrt v` with df = units used
    minus strata (certainty units excluded), clipped to [0, 1] for 0/1 values.

    References
    ----------
    .. [1] Särndal, C.-E., Swensson, B., & Wretman, J. (1992). *Model Assisted Survey Sampling*. Springer.
    .. [2] Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley (``lonely.psu``).

    Examples
    --------
    Two strata of 4 and 6 units, half of each sampled:

    >>> import pandas as pd
    >>> s = pd.DataFrame({"stratum": list("AABBB"), "stratum_size": [4, 4, 6, 6, 6],
    ...                   "stratum_sample_size": [2, 2, 3, 3, 3], "inclusion_probability": 0.5})
    >>> est = design_estimate([2.0, 4.0, 1.0, 1.0, 4.0], s, estimator="ht")
    >>> round(est["estimate"], 4), round(est["se"] ** 2, 4)
    (2.4, 0.26)
    """
    if estimator not in ESTIMATORS:
        raise ValueError(f"`estimator` must be one of {', '.join(map(repr, ESTIMATORS))}; got {estimator!r}.")
    if not (isinstance(confidence_level, (int, float)) and 0 < confidence_level < 1):
        raise ValueError(f"`confidence_level` must be strictly between 0 and 1; got {confidence_level!r}.")
    if "inclusion_probability" not in sample:
        raise InputError.single("sample", "missing_column", "`sample` must have an `inclusion_probability` column "
                                "(as sample_units returns).")
    y = np.asarray(values, dtype=float)
    pi = pd.to_numeric(sample["inclusion_probability"], errors="coerce").to_numpy(dtype=float)
    if len(y) != len(pi):
        raise ValueError(f"`values` must have one value per row of `sample` ({len(pi)}); got {len(y)}.")
    bad = ~((pi > 0) & (pi <= 1))
    if bad.any():
        raise InputError(problems=located(with_source(sample, "sample"), np.flatnonzero(bad), "inclusion_probability",
                                          "invalid_probability",
                                          lambda i: f"`inclusion_probability` must be in (0, 1]; got {pi[i]!r}"))
    stratum = sample["stratum"].astype(str).to_numpy(dtype=object) if "stratum" in sample else \
        np.full(len(pi), _ALL, dtype=object)
    w = 1.0 / pi
    has_n = "stratum_size" in sample
    use = ~np.isnan(y)
    nan = math.nan
    if not use.any():
        return {"estimate": nan, "se": nan, "ci_low": nan, "ci_high": nan, "df": nan, "n": 0,
                "population_size": nan}
    if has_n:
        first = pd.Series(pd.to_numeric(sample["stratum_size"], errors="coerce").to_numpy(dtype=float)).groupby(
            stratum).first()
        big_n = float(first.sum())
    else:
        big_n = float(w[use].sum())
    yu, wu, su, certain = y[use], w[use], stratum[use], pi[use] >= 1.0
    if estimator == "ht":
        est = float((wu * yu).sum() / big_n)
        z = wu * yu / big_n
    else:
        n_hat = float(wu.sum())
        est = float((wu * yu).sum() / n_hat)
        z = wu * (yu - est) / n_hat
    var, df = _variance(z, su, certain, sample, stratum, pi)
    se = math.sqrt(var) if var >= 0 else nan
    t = stats.t.ppf(0.5 + confidence_level / 2, df) if df > 0 else nan
    low, high = est - t * se, est + t * se
    if np.isin(yu, (0.0, 1.0)).all():
        low, high = max(low, 0.0), min(high, 1.0)
    return {"estimate": est, "se": se, "ci_low": float(low), "ci_high": float(high), "df": float(df),
            "n": int(use.sum()), "population_size": big_n}


def _variance(z: np.ndarray, su: np.ndarray, certain: np.ndarray, sample: pd.DataFrame, stratum: np.ndarray,
              pi: np.ndarray) -> tuple[float, int]:
    """Stratified with-replacement variance of sum z with FPC; df = units - strata (certainty units excluded).

    The FPC of stratum h is ``f_h = (n_h - c_h) / (N_h - c_h)`` with ``c_h`` its certainty units (all sampled),
    ``n_h`` the designed sample size (``stratum_sample_size``, else the sample rows) and ``N_h`` the stratum size
    (``stratum_size``; without it no correction, f_h = 0).
    """
    keep = ~certain
    if not keep.any():
        return 0.0, 0
    zk, sk = z[keep], su[keep]
    g = pd.Series(zk).groupby(sk)
    n_resp = g.transform("size").to_numpy(dtype=float)
    mean_h = g.transform("mean").to_numpy(dtype=float)
    lonely = n_resp < 2
    if lonely.any():
        warnings.warn("design_estimate: a stratum has a single responding unit; its variance is centred on the "
                      "overall mean (lonely.psu = 'adjust')", DataQualityWarning, stacklevel=4)
        mean_h = np.where(lonely, zk.mean(), mean_h)
    design = pd.DataFrame({"s": stratum, "c": pi >= 1.0,
                           "N": pd.to_numeric(sample["stratum_size"], errors="coerce").to_numpy(dtype=float)
                           if "stratum_size" in sample else np.nan,
                           "n": pd.to_numeric(sample["stratum_sample_size"], errors="coerce").to_numpy(dtype=float)
                           if "stratum_sample_size" in sample else np.nan})
    per = design.groupby("s").agg(N=("N", "first"), n=("n", "first"), rows=("c", "size"), c=("c", "sum"))
    n_design = per["n"].fillna(per["rows"])
    with np.errstate(divide="ignore", invalid="ignore"):
        f = ((n_design - per["c"]) / (per["N"] - per["c"])).where(per["N"] > per["c"], 0.0).fillna(0.0)
    fk = f.reindex(sk).to_numpy(dtype=float)
    factor = np.where(lonely, 1.0, n_resp / np.maximum(n_resp - 1.0, 1.0))
    var = float(((1.0 - np.clip(fk, 0.0, 1.0)) * factor * (zk - mean_h) ** 2).sum())
    return var, int(keep.sum() - len(set(sk.tolist())))
