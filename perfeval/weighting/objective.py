"""Objective (data-driven) indicator weights from a units x indicators table.

Each function takes ``data`` (rows = units, columns = indicators; a DataFrame or a 2-D array whose columns are
labelled 1..m) and the indicators' ``directions`` and returns a :class:`~perfeval.weighting.WeightResult`. Each
documents its normalisation, whether the direction matters, and what happens with zeros and constant columns:
an indicator with no spread carries no information, so it gets weight 0 and a
:class:`~perfeval.errors.ConstantIndicatorWarning` (never NaN); when every indicator is constant no objective
weights exist and :class:`~perfeval.errors.InputError` is raised.
"""
from __future__ import annotations

import warnings
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import ConstantIndicatorWarning, InputError, Problem
from ._common import WeightResult, check_choice

__all__ = ["entropy", "critic", "std_dev", "cv", "merec", "parse_directions"]

_BENEFIT = {"max", "benefit", "higher", "+", "+1", "1", "positive", ">=", "≥", "正向"}
_COST = {"min", "cost", "lower", "-", "-1", "negative", "<=", "≤", "反向"}


def parse_directions(directions: Any, columns: Sequence[Any]) -> np.ndarray:
    """Directions as +1 (benefit: higher is better) / -1 (cost: lower is better), one per column.

    ``directions`` may be None (every indicator benefit), one value for all, a sequence aligned with the columns,
    or a mapping indicator -> direction. A mapping may name only some indicators: the others take the default,
    benefit (``max``); a name that is not an indicator is an error (a misspelt cost indicator would otherwise
    silently count as benefit). Accepted values: ``max``/``benefit``/``+``/``1``/``>=``/``正向`` and
    ``min``/``cost``/``-``/``-1``/``<=``/``反向`` (case-insensitive).

    Examples
    --------
    >>> from perfeval.weighting import parse_directions
    >>> parse_directions({"cost": "min", "coverage": "max"}, ["coverage", "cost"]).tolist()
    [1.0, -1.0]
    >>> parse_directions("cost", ["a", "b"]).tolist()
    [-1.0, -1.0]
    >>> parse_directions({"cost": "min"}, ["coverage", "cost", "reach"]).tolist()   # unnamed: max
    [1.0, -1.0, 1.0]
    """
    labels = [str(c) for c in columns]
    if directions is None:
        return np.ones(len(labels))
    if isinstance(directions, (str, int, np.integer)) and not isinstance(directions, bool):
        directions = [directions] * len(labels)
    if isinstance(directions, Mapping):
        given = {str(k): v for k, v in directions.items()}
        unknown = sorted(set(given) - set(labels))
        if unknown:
            raise InputError(f"`directions` names {unknown}, which are not indicators; the indicators are "
                             f"{labels} (those not named are benefit, max).")
        values = [given.get(c, "max") for c in labels]
    else:
        values = list(directions)
        if len(values) != len(labels):
            raise InputError(f"`directions` must give one direction per indicator ({len(labels)}: {labels}); "
                             f"got {len(values)}.")
    out = []
    for label, v in zip(labels, values):
        key = str(v).strip().lower()
        if key in _BENEFIT:
            out.append(1.0)
        elif key in _COST:
            out.append(-1.0)
        else:
            raise InputError(f"`directions` for indicator {label!r} must be 'max' (benefit) or 'min' (cost); "
                             f"got {v!r}.")
    return np.array(out)


def _table(data: Any) -> pd.DataFrame:
    """The data as a float DataFrame with complete numeric values; located errors otherwise."""
    if isinstance(data, pd.DataFrame):
        frame = data
    else:
        arr = np.asarray(data)
        if arr.ndim != 2:
            raise InputError(f"`data` must be a 2-D table (units x indicators); got shape {arr.shape}.")
        frame = pd.DataFrame(arr, columns=list(range(1, arr.shape[1] + 1)))
    if frame.shape[0] < 2 or frame.shape[1] < 1:
        raise InputError(f"`data` must have at least 2 units (rows) and 1 indicator (column); got shape "
                         f"{frame.shape}.")
    if frame.columns.has_duplicates:
        raise InputError(f"indicator names must be unique; got duplicates "
                         f"{frame.columns[frame.columns.duplicated()].unique().tolist()}.")
    problems = []
    out = {}
    for col in frame.columns:
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = values.isna() | ~np.isfinite(values.astype(float))
        for idx in frame.index[bad.to_numpy()][:5]:
            raw = frame.at[idx, col]
            raw = raw.item() if isinstance(raw, np.generic) else raw
            problems.append(Problem(f"unit {idx}, indicator {col}", "not_a_number",
                                    f"objective weights need a finite number in every cell; got {raw!r} "
                                    "(impute or drop the unit first)"))
        out[col] = values.astype(float)
    if problems:
        raise InputError(problems=problems)
    return pd.DataFrame(out, index=frame.index)


def _constant(frame: pd.DataFrame) -> np.ndarray:
    """True for columns whose values are all equal."""
    x = frame.to_numpy()
    return np.isclose(x.max(axis=0), x.min(axis=0), rtol=0.0, atol=0.0)


def _warn_constant(frame: pd.DataFrame, constant: np.ndarray, method: str) -> None:
    """Warn about constant indicators; refuse when every indicator is constant."""
    if constant.all():
        raise InputError(f"every indicator is constant across units ({list(frame.columns)}): {method} weights "
                         "are undefined. Objective weighting needs indicators that vary.")
    if constant.any():
        names = [str(c) for c, k in zip(frame.columns, constant) if k]
        warnings.warn(f"indicator(s) {names} are constant across units and get {method} weight 0.",
                      ConstantIndicatorWarning, stacklevel=3)


def _minmax(x: np.ndarray, directions: np.ndarray) -> np.ndarray:
    """(x - min)/(max - min) for benefit, (max - x)/(max - min) for cost; constant columns give 0."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    r = (x - lo) / span
    r = np.where(directions > 0, r, 1.0 - r)
    return np.where(hi > lo, r, 0.0)


def _result(frame: pd.DataFrame, score: np.ndarray, method: str, details: dict[str, Any]) -> WeightResult:
    """Normalise the per-indicator scores to weights and wrap them."""
    weights = pd.Series(score / score.sum(), index=frame.columns, name="weight")
    return WeightResult(weights=weights, method=method, details=details)


def _series(values: np.ndarray, frame: pd.DataFrame, name: str) -> pd.Series:
    """A per-indicator Series."""
    return pd.Series(values, index=frame.columns, name=name)


def entropy(data: Any, directions: Any = None, *, normalization: str = "sum") -> WeightResult:
    r"""Shannon-entropy weights: indicators whose values are more unequal across units weigh more.

    Parameters
    ----------
    data : pandas.DataFrame or array-like
        Units x indicators.
    directions : optional
        See :func:`parse_directions`. Used only by ``normalization="minmax"``: the entropy of shares of the raw
        values (``"sum"``) measures their contrast, which does not depend on the indicator's direction.
    normalization : {"sum", "minmax"}, default "sum"
        ``sum``: p_ij = x_ij / sum_i x_ij (Hwang & Yoon 1981; needs x >= 0). ``minmax``: r_ij = (x_ij - min) /
        (max - min), or (max - x_ij) / (max - min) for cost indicators, then p_ij = r_ij / sum_i r_ij (the usual
        form of the Chinese 熵权法 literature; works with negative values).

    Returns
    -------
    WeightResult
        ``method="entropy"``; details: ``entropy`` (E_j), ``divergence`` (d_j = 1 - E_j), ``normalization``,
        ``directions`` (+1/-1 Series).

    Raises
    ------
    InputError
        Non-numeric or missing cells (named), negative values with ``normalization="sum"``, every indicator
        constant, or an unknown option.

    Warns
    -----
    ConstantIndicatorWarning
        For constant indicators (E_j = 1 or all r_ij = 0), which get weight 0.

    Notes
    -----
    .. math::

        E_j = -\frac{1}{\ln m}\sum_{i=1}^m p_{ij} \ln p_{ij}, \qquad
        w_j = \frac{1 - E_j}{\sum_k (1 - E_k)}

    with m units and 0 ln 0 = 0, so zeros are allowed (unlike implementations that give a column with a zero the
    maximal weight). Under ``minmax`` each indicator's best and worst unit get 1 and 0, which gives every
    indicator at least one zero share.

    References
    ----------
    .. [1] Shannon, C. E. (1948). A mathematical theory of communication. Bell Syst. Tech. J. 27, 379-423.
    .. [2] Hwang, C.-L. & Yoon, K. (1981). Multiple Attribute Decision Making. Springer, pp. 52-54.
    .. [3] Xu, X. (2004). A note on the subjective and objective integrated approach to determine attribute
       weights. Eur. J. Oper. Res. 156, 530-532.

    Examples
    --------
    >>> import perfeval as pe
    >>> x = [[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]]   # Xu (2004)
    >>> pe.weighting.entropy(x).weights.round(4).tolist()
    [0.463, 0.3992, 0.1378, 0.0]
    """
    check_choice("normalization", normalization, ("sum", "minmax"))
    frame = _table(data)
    d = parse_directions(directions, frame.columns)
    x = frame.to_numpy()
    m = x.shape[0]
    if normalization == "sum":
        neg = [str(c) for c, v in zip(frame.columns, x.min(axis=0)) if v < 0]
        if neg:
            raise InputError(f"`normalization='sum'` needs non-negative values; indicator(s) {neg} have "
                             "negative values. Use normalization='minmax'.")
        r = x
    else:
        r = _minmax(x, d)
    totals = r.sum(axis=0)
    constant = totals <= 0 if normalization == "minmax" else (_constant(frame) | (totals <= 0))
    _warn_constant(frame, constant, "entropy")
    p = r / np.where(totals > 0, totals, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    e = -plogp.sum(axis=0) / np.log(m)  # Hwang & Yoon 1981: E_j = -k sum_i p_ij ln p_ij, k = 1 / ln m
    e = np.where(constant, 1.0, e)
    div = 1.0 - e
    return _result(frame, div, "entropy", {
        "entropy": _series(e, frame, "entropy"), "divergence": _series(div, frame, "divergence"),
        "normalization": normalization, "directions": _series(d, frame, "direction")})


def critic(data: Any, directions: Any = None, *, correlation: str = "pearson") -> WeightResult:
    r"""CRITIC weights (CRiteria Importance Through Intercriteria Correlation): contrast times conflict.

    Parameters
    ----------
    data : pandas.DataFrame or array-like
        Units x indicators.
    directions : optional
        See :func:`parse_directions`. They matter: turning a cost indicator round changes the sign of its
        correlations with the others, hence its conflict.
    correlation : {"pearson", "spearman", "kendall"}, default "pearson"
        Correlation between the normalised indicators (Diakoulaki et al. use Pearson's r).

    Returns
    -------
    WeightResult
        ``method="critic"``; details: ``std`` (sigma_j, sample SD of the normalised values), ``conflict``
        (sum_k (1 - r_jk)), ``information`` (C_j), ``correlation`` (DataFrame r_jk), ``directions``.

    Raises
    ------
    InputError
        Non-numeric or missing cells, every indicator constant, or an unknown option.

    Warns
    -----
    ConstantIndicatorWarning
        Constant indicators get weight 0 and are left out of the other indicators' conflict sums (their
        correlation is undefined).

    Notes
    -----
    Min-max normalisation by direction (r_ij in [0, 1], 1 = best), then

    .. math::

        C_j = \sigma_j \sum_{k=1}^{n} (1 - r_{jk}), \qquad w_j = \frac{C_j}{\sum_k C_k}

    The SD divisor (m or m - 1) cancels in w.

    References
    ----------
    .. [1] Diakoulaki, D., Mavrotas, G. & Papayannakis, L. (1995). Determining objective weights in multiple
       criteria problems: the CRITIC method. Comput. Oper. Res. 22, 763-770.
    .. [2] Tus, A. & Adali, E. A. (2019). The new combination with CRITIC and WASPAS methods for the time and
       attendance software selection problem. OPSEARCH 56, 528-538.

    Examples
    --------
    >>> import perfeval as pe
    >>> x = [[5000, 3, 3, 4, 3, 2], [680, 5, 3, 2, 2, 1], [2000, 3, 2, 3, 4, 3],
    ...      [600, 4, 3, 1, 2, 2], [800, 2, 4, 3, 3, 4]]                       # Tus & Adali (2019)
    >>> pe.weighting.critic(x).weights.round(3).tolist()
    [0.157, 0.249, 0.168, 0.121, 0.154, 0.151]
    """
    check_choice("correlation", correlation, ("pearson", "spearman", "kendall"))
    frame = _table(data)
    d = parse_directions(directions, frame.columns)
    constant = _constant(frame)
    _warn_constant(frame, constant, "CRITIC")
    r = pd.DataFrame(_minmax(frame.to_numpy(), d), index=frame.index, columns=frame.columns)
    sd = r.std(axis=0, ddof=1).to_numpy()  # sigma_j of the normalised values (Diakoulaki et al. 1995, sec. 3)
    varying = r.loc[:, ~constant]
    corr = varying.corr(method=correlation).reindex(index=frame.columns, columns=frame.columns)
    conflict = np.where(constant, 0.0, (1.0 - corr.fillna(1.0)).sum(axis=1).to_numpy())
    info = sd * conflict  # Diakoulaki et al. 1995, sec. 3: C_j = sigma_j * sum_k (1 - r_jk)
    if not info.sum() > 0:
        raise InputError(f"CRITIC weights are undefined for {list(frame.columns)}: it needs at least two varying "
                         "indicators that are not perfectly correlated (every conflict sum is 0).")
    return _result(frame, info, "critic", {
        "std": _series(sd, frame, "std"), "conflict": _series(conflict, frame, "conflict"),
        "information": _series(info, frame, "information"), "correlation": corr, "correlation_method":
        correlation, "directions": _series(d, frame, "direction")})


def std_dev(data: Any, directions: Any = None, *, normalization: str = "minmax") -> WeightResult:
    r"""Standard-deviation weights: w_j proportional to the SD of the (normalised) indicator.

    Parameters
    ----------
    data : pandas.DataFrame or array-like
        Units x indicators.
    directions : optional
        Accepted for a uniform signature and recorded; the SD of (1 - r) equals that of r, so they do not change
        the weights.
    normalization : {"minmax", "none"}, default "minmax"
        ``minmax`` rescales each indicator to [0, 1] first, which makes indicators in different units comparable
        (raw SDs are not). ``none`` uses the values as given, for data already on a common scale (this is what
        pymcdm and pyrepo-mcda compute).

    Returns
    -------
    WeightResult
        ``method="std_dev"``; details: ``std`` (sample SD of the values used), ``normalization``, ``directions``.

    Raises
    ------
    InputError
        Non-numeric or missing cells, every indicator constant, or an unknown option.

    Warns
    -----
    ConstantIndicatorWarning
        Constant indicators (SD 0) get weight 0.

    Notes
    -----
    .. math:: r_{ij} = \frac{x_{ij} - \min_i x_{ij}}{\max_i x_{ij} - \min_i x_{ij}}, \qquad
              w_j = \frac{\sigma_j(r)}{\sum_k \sigma_k(r)}

    Zeros are ordinary values. The SD divisor (m or m - 1) cancels in w.

    References
    ----------
    .. [1] Diakoulaki, D., Mavrotas, G. & Papayannakis, L. (1995). Comput. Oper. Res. 22, 763-770 (the SD
       method as the contrast part of CRITIC).
    .. [2] Jahan, A. & Edwards, K. L. (2013). Weighting of dependent and target-based criteria for optimal
       decision-making in materials selection process: biomedical applications. Mater. Des. 49, 1000-1008.

    Examples
    --------
    >>> import perfeval as pe
    >>> x = [[0, 0, 0], [0.39, 0.3, 0.77], [0.17, 0.36, 0.8], [0.35, 0.29, 0.93], [0.3, 0.4, 0.94],
    ...      [0.84, 0.71, 1], [1, 1, 0.99]]                                      # Jahan & Edwards (2013)
    >>> pe.weighting.std_dev(x).weights.round(2).tolist()
    [0.35, 0.31, 0.34]
    """
    check_choice("normalization", normalization, ("minmax", "none"))
    frame = _table(data)
    d = parse_directions(directions, frame.columns)
    constant = _constant(frame)
    _warn_constant(frame, constant, "std_dev")
    x = frame.to_numpy()
    values = _minmax(x, np.ones(len(d))) if normalization == "minmax" else x
    sd = np.where(constant, 0.0, values.std(axis=0, ddof=1))
    return _result(frame, sd, "std_dev", {"std": _series(sd, frame, "std"), "normalization": normalization,
                                          "directions": _series(d, frame, "direction")})


def cv(data: Any, directions: Any = None) -> WeightResult:
    r"""Coefficient-of-variation weights: w_j proportional to sd_j / mean_j of the raw values.

    Parameters
    ----------
    data : pandas.DataFrame or array-like
        Units x indicators on ratio scales (non-negative, positive mean).
    directions : optional
        Accepted and recorded; the CV measures relative dispersion, which has no direction.

    Returns
    -------
    WeightResult
        ``method="cv"``; details: ``mean``, ``std`` (sample SD), ``cv``, ``directions``.

    Raises
    ------
    InputError
        Non-numeric or missing cells, negative values or a zero mean (the CV needs a ratio scale), or every
        indicator constant.

    Warns
    -----
    ConstantIndicatorWarning
        Constant indicators (CV 0) get weight 0.

    Notes
    -----
    .. math:: v_j = \frac{s_j}{\bar x_j}, \qquad w_j = \frac{v_j}{\sum_k v_k}

    The CV is scale-free, so no normalisation is applied; zeros are ordinary values. The SD divisor cancels in w.

    References
    ----------
    .. [1] Shuai, D., Zongzhun, Z., Yongji, W. & Lei, L. (2012). A new angular method to determine the objective
       weights. 24th Chinese Control and Decision Conference (CCDC), 3889-3892 (coefficient of variation method
       as comparison).

    Examples
    --------
    >>> import perfeval as pe
    >>> x = [[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]]
    >>> pe.weighting.cv(x).weights.round(4).tolist()
    [0.4258, 0.361, 0.2121, 0.0011]
    """
    frame = _table(data)
    d = parse_directions(directions, frame.columns)
    x = frame.to_numpy()
    mean = x.mean(axis=0)
    bad = [str(c) for c, lo, mu in zip(frame.columns, x.min(axis=0), mean) if lo < 0 or mu <= 0]
    if bad:
        raise InputError(f"the coefficient of variation needs non-negative values with a positive mean; "
                         f"indicator(s) {bad} do not qualify. Use std_dev() or critic() instead.")
    constant = _constant(frame)
    _warn_constant(frame, constant, "cv")
    sd = x.std(axis=0, ddof=1)
    v = np.where(constant, 0.0, sd / mean)
    return _result(frame, v, "cv", {"mean": _series(mean, frame, "mean"), "std": _series(sd, frame, "std"),
                                    "cv": _series(v, frame, "cv"), "directions": _series(d, frame, "direction")})


def merec(data: Any, directions: Any = None) -> WeightResult:
    r"""MEREC weights (MEthod based on the Removal Effects of Criteria).

    Parameters
    ----------
    data : pandas.DataFrame or array-like
        Units x indicators, strictly positive.
    directions : optional
        See :func:`parse_directions`; they decide the normalisation below.

    Returns
    -------
    WeightResult
        ``method="merec"``; details: ``removal_effect`` (E_j), ``performance`` (S_i, a Series indexed by unit),
        ``directions``.

    Raises
    ------
    InputError
        Non-numeric or missing cells, zero or negative values (named; the logarithms need x > 0, so shift the
        indicator first), or every indicator constant.

    Warns
    -----
    ConstantIndicatorWarning
        Constant indicators (n_ij = 1, no removal effect) get weight 0.

    Notes
    -----
    With m units and n indicators (Keshavarz-Ghorabaee et al. 2021, eqs. 2-6):

    .. math::

        n_{ij} = \frac{\min_k x_{kj}}{x_{ij}} \text{ (benefit)}, \quad \frac{x_{ij}}{\max_k x_{kj}}
        \text{ (cost)}; \qquad
        S_i = \ln\Big(1 + \frac1n \sum_j |\ln n_{ij}|\Big), \quad
        S'_{ij} = \ln\Big(1 + \frac1n \sum_{k \ne j} |\ln n_{ik}|\Big)

        E_j = \sum_i |S'_{ij} - S_i|, \qquad w_j = \frac{E_j}{\sum_k E_k}

    References
    ----------
    .. [1] Keshavarz-Ghorabaee, M., Amiri, M., Zavadskas, E. K., Turskis, Z. & Antucheviciene, J. (2021).
       Determination of objective weights using a new method based on the removal effects of criteria (MEREC).
       Symmetry 13, 525. doi:10.3390/sym13040525

    Examples
    --------
    >>> import perfeval as pe
    >>> x = [[450, 8000, 54, 145], [10, 9100, 2, 160], [100, 8200, 31, 153], [220, 9300, 1, 162],
    ...      [5, 8400, 23, 158]]
    >>> pe.weighting.merec(x, ["max", "max", "min", "min"]).weights.round(4).tolist()
    [0.5752, 0.0141, 0.4016, 0.0091]
    """
    frame = _table(data)
    d = parse_directions(directions, frame.columns)
    x = frame.to_numpy()
    problems = [Problem(f"unit {idx}, indicator {col}", "not_positive",
                        f"MEREC needs values > 0; got {x[i, j]:g}")
                for j, col in enumerate(frame.columns) for i, idx in enumerate(frame.index) if x[i, j] <= 0]
    if problems:
        raise InputError(problems=problems[:10])
    constant = _constant(frame)
    _warn_constant(frame, constant, "MEREC")
    nrm = np.where(d > 0, x.min(axis=0) / x, x / x.max(axis=0))  # eq. (2)
    logs = np.abs(np.log(nrm))
    n = x.shape[1]
    s = np.log1p(logs.sum(axis=1) / n)  # eq. (3): overall performance S_i
    s_removed = np.log1p((logs.sum(axis=1)[:, None] - logs) / n)  # eq. (4): S'_ij without indicator j
    effect = np.abs(s_removed - s[:, None]).sum(axis=0)  # eq. (5): removal effect E_j
    return _result(frame, effect, "merec", {
        "removal_effect": _series(effect, frame, "removal_effect"),
        "performance": pd.Series(s, index=frame.index, name="performance"),
        "directions": _series(d, frame, "direction")})
