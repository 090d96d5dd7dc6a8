"""Delphi rounds: consensus statistics per round and item, Kendall's W, stability between rounds."""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..agreement import kendall_w as _agreement_kendall_w
from ..errors import DegenerateDataWarning, InputError, Problem
from ._common import frame_4f

__all__ = ["DelphiResult", "delphi", "kendall_w"]

_STAT_COLUMNS = ["round", "item", "n", "mean", "median", "sd", "cv", "q1", "q3", "iqr", "mean_change",
                 "converged"]
_ROUND_COLUMNS = ["round", "n_experts", "n_items", "kendall_w", "chi2", "df", "pvalue", "w_change",
                  "converged"]


@dataclass(frozen=True, slots=True, eq=False)
class DelphiResult:
    """Consensus statistics of a Delphi study.

    Attributes
    ----------
    stats : pandas.DataFrame
        One row per (round, item): ``round``, ``item``, ``n`` (experts), ``mean``, ``median``, ``sd`` (n - 1
        divisor), ``cv`` (sd / mean), ``q1``, ``q3``, ``iqr`` (linear-interpolation quartiles), ``mean_change``
        (relative change of the mean since the previous round; NaN in the first round or for a new item),
        ``converged`` (``cv <= cv_max`` and ``|mean_change| <= stability``).
    rounds : pandas.DataFrame
        One row per round: ``round``, ``n_experts``, ``n_items``, ``kendall_w``, ``chi2``, ``df``, ``pvalue``
        (Kendall's W and its chi-square test), ``w_change`` (W minus the previous round's W), ``converged`` (every
        item converged and ``pvalue < alpha``).
    converged : bool
        Whether the last round converged.
    weights : pandas.Series or None
        Item weights from the last round's means (mean / sum of means); None when a mean is not positive.
    cv_max, stability, alpha : float
        The thresholds used.

    Examples
    --------
    >>> import pandas as pd, perfeval as pe
    >>> r1 = pd.DataFrame({"output": [5, 4, 5], "effect": [4, 4, 3], "cost": [2, 3, 1]}, index=["E1", "E2", "E3"])
    >>> r2 = pd.DataFrame({"output": [5, 5, 5], "effect": [4, 4, 4], "cost": [2, 2, 2]}, index=["E1", "E2", "E3"])
    >>> res = pe.weighting.delphi([r1, r2])
    >>> res
    DelphiResult(rounds=2, items=3, converged=True, kendall_w=1)
    >>> res.rounds[["round", "kendall_w", "converged"]].round(3).values.tolist()
    [[1, 0.939, False], [2, 1.0, True]]
    """

    stats: pd.DataFrame
    rounds: pd.DataFrame
    converged: bool
    weights: pd.Series | None
    cv_max: float
    stability: float
    alpha: float

    def to_frame(self) -> pd.DataFrame:
        """The per-(round, item) statistics (:attr:`stats`)."""
        return self.stats.copy()

    def _repr_html_(self) -> str:
        head = (f"<p><b>Delphi</b>: {len(self.rounds)} round(s); converged = {self.converged} "
                f"(CV &le; {self.cv_max:g}, |change| &le; {self.stability:g}, Kendall W p &lt; {self.alpha:g})</p>")
        return (head + frame_4f(self.rounds, source=".rounds")
                + frame_4f(self.stats, caption="Items by round", source=".stats"))

    def __repr__(self) -> str:
        last = self.rounds.iloc[-1] if len(self.rounds) else None
        w = f", kendall_w={float(last['kendall_w']):.4g}" if last is not None else ""
        return (f"DelphiResult(rounds={len(self.rounds)}, items={self.stats['item'].nunique()}, "
                f"converged={self.converged}{w})")


def kendall_w(ratings: pd.DataFrame) -> tuple[float, float, int, float]:
    r"""Kendall's coefficient of concordance W with the tie correction, and its chi-square test.

    ``ratings`` has one row per expert and one column per item (complete). Returns ``(W, chi2, df, pvalue)``;
    W is NaN (with a :class:`~perfeval.errors.DegenerateDataWarning`) when every expert rated every item the same.

    A thin tuple-returning front end of :func:`perfeval.agreement.kendall_w` (``rows="rater"``,
    ``correct_ties=True``), which holds the one implementation and its documentation:

    .. math::

        W = \frac{12 S}{m^2 (n^3 - n) - m \sum_k T_k}, \quad S = \sum_i (R_i - \bar R)^2, \quad
        T_k = \sum (t^3 - t), \quad \chi^2 = m (n - 1) W, \ df = n - 1

    (Kendall & Babington Smith 1939), with m experts, n items, R_i the rank sum of item i and t the sizes of
    the tie groups in expert k's ranking.

    Examples
    --------
    >>> import pandas as pd
    >>> from perfeval.weighting import kendall_w
    >>> r = pd.DataFrame({"output": [5, 4, 5], "effect": [4, 4, 3], "cost": [2, 3, 1]}, index=["E1", "E2", "E3"])
    >>> w, chi2, df, p = kendall_w(r)
    >>> round(w, 4), round(chi2, 4), df, round(p, 4)
    (0.9394, 5.6364, 2, 0.0597)
    """
    res = _agreement_kendall_w(np.asarray(ratings, dtype=float), correct_ties=True, rows="rater")
    return res.statistic, res.chi2, res.df, res.pvalue


def _long(rounds: Any, round_id: str, expert: str, item: str, value: str) -> pd.DataFrame:
    """The ratings as a long frame with columns round, expert, item, value."""
    if isinstance(rounds, pd.DataFrame):
        missing = [c for c in (round_id, expert, item, value) if c not in rounds.columns]
        if missing:
            raise InputError.single("rounds", "missing_column", f"column(s) {missing} are required; the table "
                                    f"has {list(rounds.columns)}")
        return rounds[[round_id, expert, item, value]].set_axis(["round", "expert", "item", "value"], axis=1)
    if isinstance(rounds, Mapping):
        pairs = list(rounds.items())
    elif isinstance(rounds, Sequence) and not isinstance(rounds, str):
        pairs = list(enumerate(rounds, start=1))
    else:
        raise InputError(f"`rounds` must be a long DataFrame or a mapping/list of wide tables (experts x items); "
                         f"got {type(rounds).__name__}.")
    frames = []
    for key, wide in pairs:
        if not isinstance(wide, pd.DataFrame):
            raise InputError(f"round {key!r} must be a DataFrame (experts x items); got {type(wide).__name__}.")
        # a blank cell of a wide table is a rating not given (reported as a gap in that round)
        long = wide.rename_axis(index="expert", columns="item").stack(future_stack=True).dropna().rename("value")
        frames.append(long.reset_index().assign(round=key))
    if not frames:
        raise InputError("`rounds` must hold at least one round; got none.")
    return pd.concat(frames, ignore_index=True)[["round", "expert", "item", "value"]]


def delphi(rounds: Any, *, round_id: str = "round", expert: str = "expert_id", item: str = "item",
           value: str = "value", cv_max: float = 0.25, stability: float = 0.15, alpha: float = 0.05) -> DelphiResult:
    r"""Consensus statistics of Delphi rounds: per-item spread, Kendall's W and stability between rounds.

    Parameters
    ----------
    rounds : DataFrame, mapping or list
        Either a long table with one rating per row (columns ``round_id``, ``expert``, ``item``, ``value``) or
        wide tables (rows = experts, columns = items) as a mapping round -> table or a list (rounds 1, 2, ...).
        Mappings and lists give the rounds in order; in a long table numeric round ids are sorted (text ids keep
        the order in which they first appear), whatever the order of the rows.
        Ratings are importance scores (e.g. 1-5 or 1-9), higher = more important.
    round_id, expert, item, value : str
        Column names of the long table.
    cv_max : float, default 0.25
        An item's coefficient of variation must not exceed this to count as agreed.
    stability : float, default 0.15
        Maximum relative change of an item's mean from the previous round (Scheibe, Skutsch & Schofer 1975
        suggest 15 %).
    alpha : float, default 0.05
        Kendall's W must be significant at this level for a round to converge (Schmidt 1997).

    Returns
    -------
    DelphiResult
        ``stats`` (``round, item, n, mean, median, sd, cv, q1, q3, iqr, mean_change, converged``), ``rounds``
        (``round, n_experts, n_items, kendall_w, chi2, df, pvalue, w_change, converged``), ``converged``,
        ``weights`` (last-round means normalised).

    Raises
    ------
    InputError
        Missing columns, ratings that are not finite numbers, an expert rating an item twice in a round, an expert
        who skipped items in a round (W needs complete rankings), fewer than 2 experts or items in a round, or
        thresholds out of range.

    Warns
    -----
    DegenerateDataWarning
        When every expert gave every item the same rating in a round (W undefined, reported as NaN).

    Notes
    -----
    Per item and round: mean, median, sd (n - 1), CV = sd / mean, quartiles; mean_change_r = (mean_r -
    mean_{r-1}) / mean_{r-1}. The first round cannot be stable, so it never converges. See :func:`kendall_w`.

    References
    ----------
    .. [1] Kendall, M. G. & Babington Smith, B. (1939). The problem of m rankings. Ann. Math. Stat. 10, 275-287.
    .. [2] Scheibe, M., Skutsch, M. & Schofer, J. (1975). Experiments in Delphi methodology. In Linstone &
       Turoff (eds.), The Delphi Method: Techniques and Applications, 262-287.
    .. [3] Schmidt, R. C. (1997). Managing Delphi surveys using nonparametric statistical techniques. Decis. Sci.
       28, 763-774.

    Examples
    --------
    >>> import pandas as pd
    >>> import perfeval as pe
    >>> r1 = pd.DataFrame({"output": [5, 4, 5], "effect": [4, 4, 3], "cost": [2, 3, 1]}, index=["E1", "E2", "E3"])
    >>> r2 = pd.DataFrame({"output": [5, 5, 5], "effect": [4, 4, 4], "cost": [2, 2, 2]}, index=["E1", "E2", "E3"])
    >>> res = pe.weighting.delphi([r1, r2])
    >>> res.rounds["kendall_w"].round(3).tolist(), res.converged
    ([0.939, 1.0], True)
    """
    for name, v, hi in (("cv_max", cv_max, np.inf), ("stability", stability, np.inf), ("alpha", alpha, 1.0)):
        if not (isinstance(v, (int, float)) and 0 < v and (v < hi or np.isinf(hi)) and np.isfinite(v)):
            raise InputError(f"`{name}` must be a positive number{' below 1' if hi == 1.0 else ''}; got {v!r}.")
    data = _long(rounds, round_id, expert, item, value)
    problems = []
    data = data.assign(value=pd.to_numeric(data["value"], errors="coerce"))
    for _, row in data[~np.isfinite(data["value"].astype(float))].head(10).iterrows():
        problems.append(Problem(f"round {row['round']}, expert {row['expert']}, item {row['item']}", "bad_value",
                                "a rating must be a finite number"))
    dup = data[data.duplicated(["round", "expert", "item"], keep=False)]
    for (r, e, i), _ in list(dup.groupby(["round", "expert", "item"], sort=False))[:10]:
        problems.append(Problem(f"round {r}, expert {e}, item {i}", "duplicate", "the item is rated twice"))
    if problems:
        raise InputError(problems=problems)
    stat_rows, round_rows = [], []
    previous: dict[Any, float] = {}
    prev_w = float("nan")
    # a long table may list its rows in any order: numeric round ids are taken in increasing order (text ids in
    # order of first appearance); mappings and lists keep the order given
    numeric_rounds = isinstance(rounds, pd.DataFrame) and pd.api.types.is_numeric_dtype(data["round"])
    for r, block in data.groupby("round", sort=numeric_rounds):
        wide = block.pivot(index="expert", columns="item", values="value").reindex(
            index=pd.unique(block["expert"]), columns=pd.unique(block["item"]))
        holes = wide.isna().stack()
        if holes.any():
            gaps = [f"expert {e} / item {i}" for (e, i), v in holes.items() if v][:10]
            raise InputError(f"round {r}: every expert must rate every item (Kendall's W needs complete "
                             f"rankings); missing {gaps}.")
        if wide.shape[0] < 2 or wide.shape[1] < 2:
            raise InputError(f"round {r}: consensus needs at least 2 experts and 2 items; got {wide.shape[0]} "
                             f"expert(s) and {wide.shape[1]} item(s).")
        with warnings.catch_warnings():          # the round-specific warning below replaces the generic one
            warnings.simplefilter("ignore", DegenerateDataWarning)
            w, chi2, df, p = kendall_w(wide)
        if np.isnan(w):
            warnings.warn(f"round {r}: every expert rated every item the same; Kendall's W is undefined.",
                          DegenerateDataWarning, stacklevel=2)
        all_converged = True
        current = {}
        for it in wide.columns:
            x = wide[it].to_numpy(dtype=float)
            mean = float(x.mean())
            sd = float(x.std(ddof=1))
            q1, q3 = np.percentile(x, [25, 75])
            cv_value = sd / mean if mean != 0 else float("nan")
            prev = previous.get(it)
            change = (mean - prev) / prev if prev not in (None, 0.0) else float("nan")
            ok = bool(cv_value <= cv_max and abs(change) <= stability)  # NaN comparisons are False
            all_converged &= ok
            current[it] = mean
            stat_rows.append({"round": r, "item": it, "n": len(x), "mean": mean, "median": float(np.median(x)),
                              "sd": sd, "cv": cv_value, "q1": float(q1), "q3": float(q3), "iqr": float(q3 - q1),
                              "mean_change": change, "converged": ok})
        round_rows.append({"round": r, "n_experts": wide.shape[0], "n_items": wide.shape[1], "kendall_w": w,
                           "chi2": chi2, "df": df, "pvalue": p, "w_change": w - prev_w,
                           "converged": bool(all_converged and p < alpha)})
        previous, prev_w = current, w
    means = pd.Series(previous, name="weight", dtype=float)
    weights = means / means.sum() if (means > 0).all() else None
    rounds_frame = pd.DataFrame(round_rows, columns=_ROUND_COLUMNS)
    return DelphiResult(stats=pd.DataFrame(stat_rows, columns=_STAT_COLUMNS), rounds=rounds_frame,
                        converged=bool(rounds_frame["converged"].iloc[-1]), weights=weights, cv_max=cv_max,
                        stability=stability, alpha=alpha)
