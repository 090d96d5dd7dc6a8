"""Variance-based (Sobol') sensitivity of totals, ranks and grades to the weights, via scipy."""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from .._html import html_table
from ..errors import InputError
from ._model import Engine, Units, design_for_level, rank_desc
from ._sampling import check_chunk, concentrations, rng_and_description
from .uncertainty import check_nominal, effective_spread, group_names

__all__ = ["SobolResult", "sobol", "sobol_indices", "TARGETS"]

#: Outputs :func:`sobol` can explain.
TARGETS = ("mean_abs_rank_change", "score", "grade_change")


@dataclass(frozen=True, eq=False)
class SobolResult:
    """First-order and total Sobol' indices of each input group, for one or several outputs.

    Attributes
    ----------
    first_order, total_order : DataFrame
        Outputs (rows: index ``output``, the target name or the unit ids) x input groups (columns ``group``).
        Estimators of Saltelli et al. (2010) (first order, Table 2 (b)) and Jansen (1999) (total, Table 2 (f)),
        as :func:`scipy.stats.sobol_indices` computes them. Small negative values are Monte Carlo noise.
    variance : Series
        Variance of each output over the base samples A and B. Outputs constant up to float noise (variance
        below ``(1e-9 max|y|)^2``) get indices 0, as scipy gives an exactly constant output.
    groups : mapping
        Group name -> the input names it holds.
    params : mapping
        ``n`` (base sample size), ``evaluations`` (``n (groups + 2)``), ``rng`` description and, from
        :func:`sobol`, the target, the weight model and its Dirichlet concentrations.

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> res = pe.score("project_self", data.observations, data.budget)
    >>> s = pe.sensitivity.sobol(res, n=256, rng=0)
    >>> s.to_frame()[["group", "first_order", "total_order"]].round(1).values.tolist()
    [['execution', 0.1, 0.1], ['output', 0.1, 0.4], ['effect', 0.2, 0.4], ['satisfaction', 0.3, 0.3]]
    """

    first_order: pd.DataFrame
    total_order: pd.DataFrame
    variance: pd.Series
    groups: Mapping[str, tuple[str, ...]]
    params: Mapping[str, Any] = field(default_factory=dict)
    _samples: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", MappingProxyType(dict(self.groups)))
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def to_frame(self) -> pd.DataFrame:
        """Long: one row per (output, group): ``output, group, first_order, total_order, interaction``
        (``total_order - first_order``: the group's share of variance through interactions)."""
        first = self.first_order.stack().rename("first_order")
        total = self.total_order.stack().rename("total_order")
        frame = pd.concat([first, total], axis=1).reset_index()
        frame.columns = ["output", "group", "first_order", "total_order"]
        frame["interaction"] = frame["total_order"] - frame["first_order"]
        return frame

    def bootstrap(self, confidence_level: float = 0.95, n_resamples: int = 999, *, method: str = "BCa",
                  rng: Any = None) -> pd.DataFrame:
        r"""Bootstrap confidence intervals of the indices (:func:`scipy.stats.bootstrap` over the base rows).

        Parameters
        ----------
        confidence_level : float, default 0.95
        n_resamples : int, default 999
        method : {"BCa", "percentile", "basic"}
            Interval method of :func:`scipy.stats.bootstrap` (BCa, as ``SobolResult.bootstrap`` of scipy).
        rng : None, int or Generator
            Resampling randomness (reproducible with a seed).

        Returns
        -------
        DataFrame
            ``output, group, first_order, first_order_low, first_order_high, first_order_se, total_order,
            total_order_low, total_order_high, total_order_se``.

        Raises
        ------
        InputError
            ``confidence_level`` outside (0, 1), ``n_resamples`` < 2, unknown ``method``.

        Notes
        -----
        The rows of A, B and AB are resampled together (the estimators are means over rows). Cost grows as
        ``n_resamples x groups x outputs x n``: per-unit indices of many units are expensive; use ``percentile``
        and fewer resamples there.
        """
        level = float(confidence_level) if isinstance(confidence_level, numbers.Real) else np.nan
        if not 0 < level < 1:
            raise InputError(f"`confidence_level` must be strictly between 0 and 1; got {confidence_level!r}.")
        if isinstance(n_resamples, bool) or not isinstance(n_resamples, numbers.Integral) or n_resamples < 2:
            raise InputError(f"`n_resamples` must be an integer >= 2; got {n_resamples!r}.")
        if method not in ("BCa", "percentile", "basic"):
            raise InputError(f"`method` must be 'BCa', 'percentile' or 'basic'; got {method!r}.")
        f_a, f_b, f_ab = self._samples
        n = f_a.shape[-1]

        def statistic(idx: np.ndarray, axis: int = -1) -> np.ndarray:
            idx = idx.astype(np.int64)
            return np.stack(_estimate(f_a[:, idx], f_b[:, idx], f_ab[:, :, idx]))

        batch = max(1, 2 ** 25 // max(1, f_ab.size))
        res = stats.bootstrap((np.arange(n),), statistic, n_resamples=int(n_resamples), batch=batch,
                              vectorized=True, confidence_level=level, method=method,
                              rng=np.random.default_rng(rng))
        low, high, se = res.confidence_interval.low, res.confidence_interval.high, res.standard_error
        frame = self.to_frame().drop(columns="interaction")
        # statistic layout (2, groups, outputs); the frame runs output-major, group-minor
        for k, name in enumerate(("first_order", "total_order")):
            frame[f"{name}_low"] = low[k].T.ravel()
            frame[f"{name}_high"] = high[k].T.ravel()
            frame[f"{name}_se"] = se[k].T.ravel()
        return frame[["output", "group", "first_order", "first_order_low", "first_order_high", "first_order_se",
                      "total_order", "total_order_low", "total_order_high", "total_order_se"]]

    def _repr_html_(self) -> str:
        note = f"n = {self.params.get('n')}, {self.params.get('evaluations')} model evaluations"
        if "target" in self.params:
            note = f"target {self.params['target']}; " + note
        frame = self.to_frame()
        if len(self.first_order) > 1:  # per-unit indices: the mean over the outputs first
            means = frame.groupby("group", sort=False)[["first_order", "total_order", "interaction"]].mean()
            note += f"; mean over the {len(self.first_order)} outputs"
            return (html_table("Sobol' indices", means.reset_index(), note)
                    + html_table("By output", frame, source=".to_frame()"))
        return html_table("Sobol' indices", frame, note)

    def __repr__(self) -> str:
        return (f"SobolResult(outputs={len(self.first_order)}, groups={list(self.groups)}, "
                f"n={self.params.get('n')})")


def _estimate(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Saltelli 2010 first order (Table 2 (b)) and Jansen total order (Table 2 (f)) along the last axis.

    ``f_a``, ``f_b``: (outputs, ..., n); ``f_ab``: (groups, outputs, ..., n); centred by the mean of A and B.
    """
    var = np.var(np.concatenate([f_a, f_b], axis=-1), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.mean(f_b * (f_ab - f_a), axis=-1) / var  # Saltelli et al. 2010, Table 2 (b)
        total = 0.5 * np.mean((f_a - f_ab) ** 2, axis=-1) / var  # Jansen 1999, Table 2 (f)
    return np.where(np.isfinite(first), first, 0.0), np.where(np.isfinite(total), total, 0.0)


def _groups(groups: Any, names: Sequence[str]) -> dict[str, tuple[int, ...]]:
    """Group name -> input positions; a partition of the inputs."""
    if groups is None:
        return {name: (i,) for i, name in enumerate(names)}
    items = groups.items() if isinstance(groups, Mapping) else ((f"group_{k}", g) for k, g in enumerate(groups))
    position = {name: i for i, name in enumerate(names)}
    out: dict[str, tuple[int, ...]] = {}
    for name, members in items:
        if isinstance(members, (str, bytes)) or not isinstance(members, Sequence) or not members:
            raise InputError(f"`groups[{name!r}]` must be a non-empty list of inputs; got {members!r}.")
        cols = []
        for m in members:
            if m in position:
                cols.append(position[m])
            elif isinstance(m, numbers.Integral) and not isinstance(m, bool) and 0 <= m < len(names):
                cols.append(int(m))
            else:
                raise InputError(f"`groups[{name!r}]` names unknown input {m!r}; inputs: {list(names)}.")
        out[str(name)] = tuple(cols)
    used = [c for cols in out.values() for c in cols]
    twice = sorted({names[c] for c in used if used.count(c) > 1})
    missing = [names[i] for i in range(len(names)) if i not in used]
    if twice or missing:
        raise InputError(f"`groups` must put every input in exactly one group; "
                         f"{'in several: ' + str(twice) if twice else ''}"
                         f"{'; ' if twice and missing else ''}{'in none: ' + str(missing) if missing else ''}.")
    return out


def _check_power_of_two(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 2 or n & (n - 1):
        raise InputError(f"`n` must be a power of 2 and >= 2 (Sobol' sequences keep their balance properties "
                         f"only then); got {n!r}.")
    return int(n)


def sobol_indices(func: Callable[[np.ndarray], np.ndarray], dists: Sequence[Any], n: int = 4096, *,
                  groups: Any = None, names: Sequence[str] | None = None,
                  outputs: Sequence[Any] | None = None, rng: Any = None) -> SobolResult:
    r"""Sobol' indices of groups of independent inputs: :func:`scipy.stats.sobol_indices` with groups.

    Parameters
    ----------
    func : callable
        ``func(x)`` with ``x`` of shape ``(d, m)`` returns ``(m,)`` or ``(s, m)`` (``s`` outputs), as in scipy.
    dists : sequence of frozen distributions
        One per input, each with a ``ppf`` (e.g. ``scipy.stats.uniform()``); inputs are independent.
    n : int, default 4096
        Base sample size, a power of 2; ``func`` is evaluated on ``n (G + 2)`` points for ``G`` groups.
    groups : mapping or sequence, optional
        Input groups (a partition): ``{name: [input names or positions]}`` or a list of lists; default one
        group per input.
    names : sequence of str, optional
        Input names (default ``x1, x2, ...``).
    outputs : sequence, optional
        Output labels (default the output positions, or ``"y"`` for one output).
    rng : None, int, SeedSequence or Generator
        Seeds the scrambled Sobol' sequence.

    Returns
    -------
    SobolResult
        ``first_order``, ``total_order`` (outputs x groups), ``variance``, ``groups``, ``params``;
        ``bootstrap()`` for confidence intervals.

    Raises
    ------
    InputError
        ``n`` not a power of 2 or < 2, groups that are not a partition of the inputs, dists without ``ppf``,
        ``func`` returning the wrong shape.

    Notes
    -----
    Saltelli's design: a scrambled Sobol' sequence of dimension ``2d`` gives the base matrices A and B
    (their columns mapped through the inputs' inverse CDFs); for group :math:`g`, :math:`A_B^{(g)}` is A with the
    columns of :math:`g` taken from B. With outputs centred on the mean of A and B,

    .. math:: S_g = \frac{\overline{f_B (f_{A_B^{(g)}} - f_A)}}{V}, \qquad
              S_{T,g} = \frac{\overline{(f_A - f_{A_B^{(g)}})^2}}{2V},

    the estimators of Saltelli et al. (2010, Table 2 (b)) and Jansen (1999, Table 2 (f)), computed by
    :func:`scipy.stats.sobol_indices` from these evaluations. For a group, :math:`S_g` is the closed index of
    the group's inputs together (Sobol' 2001).

    References
    ----------
    .. [1] Sobol', I. M. (2001). Global sensitivity indices for nonlinear mathematical models and their Monte
       Carlo estimates. *Math. Comput. Simul.* 55(1-3):271-280. doi:10.1016/S0378-4754(00)00270-6
    .. [2] Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output. Design and estimator
       for the total sensitivity index. *Comput. Phys. Commun.* 181(2):259-270. doi:10.1016/j.cpc.2009.09.018
    .. [3] Saltelli, A. et al. (2008). *Global Sensitivity Analysis: The Primer*. Wiley.
    .. [4] Jansen, M. J. W. (1999). Analysis of variance designs for model output. *Comput. Phys. Commun.*
       117(1-2):35-43.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import stats
    >>> from perfeval.sensitivity import sobol_indices
    >>> res = sobol_indices(lambda x: x[0] + 2 * x[1] + 3 * x[2], [stats.uniform()] * 3, n=4096, rng=0)
    >>> (res.first_order.to_numpy()[0] * 14).round(1).tolist()
    [1.0, 4.0, 9.0]
    """
    n = _check_power_of_two(n)
    d = len(dists)
    if d < 1:
        raise InputError("`dists` must hold at least one distribution; got none.")
    names = [f"x{i + 1}" for i in range(d)] if names is None else [str(x) for x in names]
    if len(names) != d:
        raise InputError(f"`names` must name each of the {d} inputs; got {len(names)} names.")
    parts = _groups(groups, names)
    gen, rng_info = rng_and_description(rng)
    u = qmc.Sobol(d=2 * d, scramble=True, bits=64, rng=gen).random(n)  # scipy.stats.sobol_indices' design
    try:
        a = np.column_stack([dist.ppf(u[:, i]) for i, dist in enumerate(dists)])
        b = np.column_stack([dist.ppf(u[:, d + i]) for i, dist in enumerate(dists)])
    except AttributeError:
        raise InputError("`dists` must hold distributions with a `ppf` method (e.g. scipy.stats.uniform()).") \
            from None
    blocks = [a, b]
    for cols in parts.values():
        ab = a.copy()
        ab[:, cols] = b[:, cols]
        blocks.append(ab)
    y = np.asarray(func(np.concatenate(blocks, axis=0).T), dtype=float)
    y = y[None, :] if y.ndim == 1 else y
    if y.ndim != 2 or y.shape[1] != n * len(blocks):
        raise InputError(f"`func` must return shape (m,) or (s, m) for inputs of shape (d, m); got {y.shape} "
                         f"for m = {n * len(blocks)}.")
    f_a, f_b = y[:, :n], y[:, n:2 * n]
    f_ab = y[:, 2 * n:].reshape(y.shape[0], len(parts), n).transpose(1, 0, 2)
    variance = np.var(np.concatenate([f_a, f_b], axis=1), axis=1)
    scale = np.maximum(1.0, np.abs(y).max(axis=1))
    constant = variance <= (1e-9 * scale) ** 2  # constant up to float noise: indices 0, as scipy gives for 0
    if constant.any():
        f_a, f_b, f_ab = f_a.copy(), f_b.copy(), f_ab.copy()
        f_a[constant], f_b[constant], f_ab[:, constant] = 0.0, 0.0, 0.0
    pages = f_ab if f_ab.shape[:2] != (1, 1) else np.concatenate([f_ab, f_ab])  # scipy squeezes 1 x 1 to 0-d
    res = stats.sobol_indices(func={"f_A": f_a, "f_B": f_b, "f_AB": pages}, n=n)
    shape = (y.shape[0], len(parts))  # scipy returns outputs x inputs (squeezed for one output)
    first, total = (np.ravel(v)[: shape[0] * shape[1]] for v in (res.first_order, res.total_order))
    labels = (["y"] if y.shape[0] == 1 else list(range(y.shape[0]))) if outputs is None else list(outputs)
    index = pd.Index(labels, name="output")
    columns = pd.Index(list(parts), name="group")
    mean = np.mean([f_a, f_b], axis=(0, 2))[:, None]
    return SobolResult(
        first_order=pd.DataFrame(first.reshape(shape), index=index, columns=columns),
        total_order=pd.DataFrame(total.reshape(shape), index=index, columns=columns),
        variance=pd.Series(variance, index=index, name="variance"),
        groups={g: tuple(names[c] for c in cols) for g, cols in parts.items()},
        params={"n": n, "evaluations": n * len(blocks), "design": "scrambled Sobol' sequence (Saltelli 2010)",
                **rng_info},
        _samples=(f_a - mean, f_b - mean, f_ab - mean[None]),
    )


def sobol(result: Any, groups: Any = None, n: int = 4096, target: str = "mean_abs_rank_change", rng: Any = None,
          *, level: int = 1, hierarchical: bool = False, spread: float | None = None,
          concentration: float | None = None, method: str = "dirichlet", chunk: int | None = None) -> SobolResult:
    r"""Sobol' indices of the weights: which weight's uncertainty drives the totals, the ranks or the grades.

    Parameters
    ----------
    result : ScoreResult
        Scored units (:func:`perfeval.score`).
    groups : None, "parent" or mapping, optional
        Input groups: None gives one group per re-weighted node; ``"parent"`` one per sibling group (named by
        the parent's code, ``"<root>"`` for the first level); a mapping ``{name: [node codes]}`` any partition.
    n : int, default 4096
        Base sample size (a power of 2); the model runs ``n (groups + 2)`` times.
    target : {"mean_abs_rank_change", "score", "grade_change"}
        ``mean_abs_rank_change``: COINr's scalar, the mean over units of ``|rank - nominal rank|``;
        ``score``: every unit's total (per-unit indices, one output row per unit);
        ``grade_change``: the share of units whose grade differs from the reported one.
    rng : None, int, SeedSequence or Generator
        Seeds the scrambled Sobol' sequence.
    level, hierarchical, spread, concentration, method
        The weight distribution, as in :func:`weight_uncertainty` (no bounds or orders: those would make the
        inputs dependent).
    chunk : int, optional
        Model evaluations per block (memory bound).

    Returns
    -------
    SobolResult
        ``first_order`` and ``total_order`` (outputs x groups; outputs = ``[target]``, or the unit ids for
        ``score``), ``variance``, ``groups``, ``params``; ``bootstrap()`` for confidence intervals.

    Raises
    ------
    TypeError
        ``result`` is not a ScoreResult.
    InputError
        Unknown ``target``; ``n`` not a power of 2; a zero spread (no variance to apportion); bad groups or weight
        arguments (see :func:`weight_uncertainty`).

    Notes
    -----
    Weights on a simplex are dependent (they sum to their parent's points), which variance decompositions do
    not allow (SALib issues #193, #588). The Dirichlet is therefore reparameterised by independent inputs:
    :math:`X_j \sim \mathrm{Gamma}(\kappa m_j, 1)` and :math:`w_j = P X_j / \sum_{k \in g} X_k` has exactly the
    Dirichlet law of :func:`weight_uncertainty` (Devroye 1986, ch. XI.4); ``uniform`` uses
    :math:`\mathrm{Gamma}(1, 1)`. The index of node :math:`j` is the share of output variance due to its
    unnormalised weight :math:`X_j` (which moves its siblings through the normalisation); ``groups="parent"``
    gives each sibling group's joint share. The model re-aggregates the scored achievements as
    :func:`weight_uncertainty` does.

    References
    ----------
    .. [1] Saltelli, A. et al. (2010). *Comput. Phys. Commun.* 181(2):259-270.
    .. [2] Sobol', I. M. (2001). *Math. Comput. Simul.* 55(1-3):271-280.
    .. [3] OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, ch. 7 (variance-based SA of
       composite indicators).
    .. [4] Becker, W. et al. (2022). COINr. *JOSS* 7(78):4567 (``get_sensitivity``: mean absolute rank change).
    .. [5] Devroye, L. (1986). *Non-Uniform Random Variate Generation*. Springer (Dirichlet from gammas).

    Examples
    --------
    Which first-level weight moves the sample province's ranking most?

    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> res = pe.score("project_self", data.observations, data.budget)
    >>> s = pe.sensitivity.sobol(res, n=512, rng=0)
    >>> s.total_order.loc["mean_abs_rank_change"].round(1).to_dict()
    {'execution': 0.2, 'output': 0.4, 'effect': 0.4, 'satisfaction': 0.3}
    >>> per_unit = pe.sensitivity.sobol(res, target="score", n=64, rng=0)     # one row per unit
    >>> per_unit.first_order.shape
    (150, 4)
    """
    if target not in TARGETS:
        raise InputError(f"`target` must be one of {', '.join(map(repr, TARGETS))}; got {target!r}.")
    units = Units.from_result(result)
    design = design_for_level(units.framework, level, hierarchical)
    kappa = concentrations(design, method, spread, concentration)
    if np.any(np.isinf(kappa)):
        raise InputError("`spread` must be positive for Sobol' indices: with no weight variance there is nothing "
                         "to apportion.")
    engine = Engine(units, design)
    check_nominal(engine)
    n = _check_power_of_two(n)
    alpha = kappa[design.edge_group] * design.edge_share if method == "dirichlet" else np.ones(design.n_edges)
    dists = [stats.gamma(a) for a in alpha]
    names = list(design.edge_codes)
    if isinstance(groups, str) and groups == "parent":
        groups = {name: list(g.children) for name, g in zip(group_names(design), design.groups)}
    elif isinstance(groups, str):
        raise InputError(f"`groups` must be None, 'parent' or a mapping {{name: [node codes]}}; got {groups!r}.")
    block = check_chunk(chunk, len(units.ids), n)
    model = _model(engine, target, block)
    outputs = list(units.ids) if target == "score" else [target]
    res = sobol_indices(model, dists, n, groups=groups, names=names, outputs=outputs, rng=rng)
    params = {**res.params, "target": target, "method": method, "level": design.level,
              "hierarchical": design.hierarchical, "spread": effective_spread(method, spread, concentration),
              "concentration": dict(zip(group_names(design), map(float, kappa))) if method == "dirichlet" else None,
              "reparameterisation": "independent Gamma(kappa m_j, 1) normalised within each sibling group"}
    return SobolResult(res.first_order, res.total_order, res.variance, res.groups, params, res._samples)


def _model(engine: Engine, target: str, block: int) -> Callable[[np.ndarray], np.ndarray]:
    """``f(x)``: gamma inputs (E, m) -> target values, evaluated in blocks."""
    design = engine.design
    nominal_rank = rank_desc(engine.units.total)
    nominal_code = engine.nominal().codes[0]

    def f(x: np.ndarray) -> np.ndarray:
        m = x.shape[1]
        out = np.empty((len(engine.units.ids), m)) if target == "score" else np.empty(m)
        for start in range(0, m, block):
            xs = x[:, start:start + block].T
            r_edge = np.empty_like(xs)
            for g, group in enumerate(design.groups):
                cols = np.flatnonzero(design.edge_group == g)
                r_edge[:, cols] = xs[:, cols] / xs[:, cols].sum(axis=1, keepdims=True) / group.shares
            part = engine.evaluate(r_edge)
            if target == "score":
                out[:, start:start + block] = part.totals.T
            elif target == "mean_abs_rank_change":
                out[start:start + block] = np.abs(rank_desc(part.totals) - nominal_rank).mean(axis=1)
            else:
                out[start:start + block] = (part.codes != nominal_code).mean(axis=1)
        return out

    return f
