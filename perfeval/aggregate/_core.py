"""The scoring pipeline behind :func:`perfeval.score` (see :mod:`perfeval.aggregate`)."""
from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..errors import DataQualityWarning, FrameworkError, InputError, Problem
from ..framework import Framework, load_framework, validate_framework
from ..scoring import DENOMINATORS
from ..targets import _factorize, _small_unique, _stable_order, parse_observations
from ._matching import FLAG_BITS, Tree, map_rows, name_key, unit_texts
from ._result import ScoreResult
from ._rows import flag_labels, flag_strings, score_execution, score_rows

__all__ = ["score", "ScoreResult", "NA_POLICIES", "OVER_POLICIES", "POINTS_POLICIES"]

#: How not-applicable rows are handled: ``rescale`` (drop and rescale the siblings to the parent's points;
#: domain.md §5.3 rule 6) or ``zero`` (keep the points, score 0).
NA_POLICIES = ("rescale", "zero")
#: What happens to over-achieved rows: ``flag`` only (default; Chengdu re-check practice, domain.md §5.3 rule 7)
#: or ``reduce`` (MOF-10's "moderate reduction", :func:`perfeval.scoring.moderate_reduction`).
OVER_POLICIES = ("flag", "reduce")
#: What happens to a unit whose indicator points do not add up to the framework's open points (90 in
#: ``project_self``; published forms give 100, i.e. 110 with the execution points): ``rescale`` (default) scales
#: them proportionally to the framework's points, ``as_given`` scores them as written (both flagged).
POINTS_POLICIES = ("rescale", "as_given")


# ---------------------------------------------------------------------------------------------------------------
# score
# ---------------------------------------------------------------------------------------------------------------
def _check_args(reverse: str | None, denominator: str | None, na_policy: str, over_achievement: float,
                over_policy: str, bare_target_op: str, bare_cost_op: str | None = "<=",
                points_policy: str = "rescale") -> None:
    """Fail fast on policy arguments outside their choices."""
    if points_policy not in POINTS_POLICIES:
        raise ValueError(f"`points_policy` must be one of {', '.join(POINTS_POLICIES)}; got {points_policy!r}.")
    if reverse is not None and reverse not in ("linear", "ratio"):
        raise ValueError(f"`reverse` must be 'linear' or 'ratio'; got {reverse!r}.")
    if denominator is not None and denominator not in DENOMINATORS:
        raise ValueError(f"`denominator` must be one of {', '.join(DENOMINATORS)}; got {denominator!r}.")
    if na_policy not in NA_POLICIES:
        raise ValueError(f"`na_policy` must be one of {', '.join(NA_POLICIES)}; got {na_policy!r}.")
    if not (isinstance(over_achievement, (int, float)) and over_achievement > 1):
        raise ValueError(f"`over_achievement` must be a number > 1 (1.3 = 130 %); got {over_achievement!r}.")
    if over_policy not in OVER_POLICIES:
        raise ValueError(f"`over_policy` must be one of {', '.join(OVER_POLICIES)}; got {over_policy!r}.")
    if bare_target_op not in (">=", "<=", "="):
        raise ValueError(f"`bare_target_op` must be '>=', '<=' or '='; got {bare_target_op!r}.")
    if bare_cost_op is not None and bare_cost_op not in (">=", "<=", "="):
        raise ValueError(f"`bare_cost_op` must be '<=', '=', '>=' or None; got {bare_cost_op!r}.")


#: Shipped frameworks with a 2021-structure variant (成本指标 as a first-level indicator, 财预〔2021〕101号).
STRUCTURE_2021: dict[str, str] = {"project_self": "project_self_2021"}


def detect_framework(fw: Framework | str | Path, observations: pd.DataFrame) -> Framework | str | Path:
    """The framework to score ``observations`` on: ``fw``, or its 2021-structure variant
    (:data:`STRUCTURE_2021`) when ``fw`` is given by the name of a shipped framework that has one and the rows
    are written in the 2021 structure: some ``l1`` is 成本指标 (cost as a first-level indicator) and no row puts
    成本 under 产出 (the 2015 structure). A Framework object or a path is used as given (the explicit choice).

    Examples
    --------
    >>> import pandas as pd
    >>> from perfeval.aggregate import detect_framework
    >>> rows = pd.DataFrame({"l1": ["产出指标", "成本指标"], "l2": ["数量指标", "经济成本指标"]})
    >>> detect_framework("project_self", rows), detect_framework("project_self", rows.iloc[:1])
    ('project_self_2021', 'project_self')
    """
    if not isinstance(fw, str) or fw not in STRUCTURE_2021 or not isinstance(observations, pd.DataFrame) \
            or "l1" not in observations:
        return fw
    # each distinct name keyed once (a million rows carry a few dozen); an empty cell matches nothing
    c1, l1 = _distinct_keys(observations["l1"])
    if not _rows_where(c1, l1 == name_key("成本指标")).any():
        return fw
    if "l2" in observations:
        c2, l2 = _distinct_keys(observations["l2"])
        under_output = _rows_where(c1, l1 == name_key("产出指标"))
        if (under_output & _rows_where(c2, np.array(["成本" in k for k in l2], dtype=bool))).any():
            return fw  # mixed: 2015 rows (产出 > 成本) too; unknown_l1 names the rows that do not fit
    return STRUCTURE_2021[fw]


def _distinct_keys(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Row codes (-1 where empty) and the :func:`name_key` of each distinct value."""
    codes, uniq = _factorize(values)
    return codes, np.array([name_key(u) for u in uniq], dtype=object)


def _rows_where(codes: np.ndarray, distinct: np.ndarray) -> np.ndarray:
    """Per row, the boolean of its distinct value (False where empty)."""
    return (codes >= 0) & (distinct[np.maximum(codes, 0)] if len(distinct) else False)


def score(fw: Framework | str | Path, observations: pd.DataFrame, budget: pd.DataFrame | None = None, *,
          reverse: str | None = None, denominator: str | None = None, na_policy: str = "rescale",
          over_achievement: float = 1.3, over_policy: str = "flag", bare_target_op: str = ">=",
          bare_cost_op: str | None = "<=", points_policy: str = "rescale", strict: bool = False,
          on_error: str = "raise") -> ScoreResult:
    r"""Score units on a framework: achievement x points, rolled up and graded.

    Parameters
    ----------
    fw : Framework, str or path
        A framework, or the name of a shipped one / a YAML path (:func:`perfeval.load_framework`). The name
        ``project_self`` scores rows written in the 2021 structure (first-level 成本指标) on
        ``project_self_2021`` (:func:`detect_framework`); pass that name (or a Framework) to choose explicitly.
    observations : DataFrame
        Observations (``docs/architecture.md`` §3.1), e.g. from :func:`perfeval.read_observations`. Rows map to
        the framework by ``node_code`` (panel-aggregated and ex-ante scores: ``unit_id, node_code, score``), else
        by ``indicator_code`` of a fixed leaf, else by the ``l1`` / ``l2`` names (matched leniently: spaces,
        full-width forms, 指标 and a trailing 等 are ignored, aliases and codes accepted) into the slots, or by
        ``indicator`` name to fixed leaves. An unknown ``l1`` is an error. An unmatched ``l2`` is flagged
        ``unmatched_l2`` and the row goes to the first-level node's only slot; when that node has several
        slots, the ``indicator`` name is looked up among its fixed leaves and, failing that, the row hangs
        directly under the first-level node (``node_code = "<l1 code>.<k>"``, scored by ``auto``) so its points
        still count where the unit put them. Ordinal leaves read their rating from ``rating`` (else ``actual``).

        Score sheets: a row located by ``node_code`` on a fixed leaf that carries a ``score`` and no ``target``,
        ``actual``, ``level`` or ``rating`` is an evaluator's judgement (panel consensus, ex-ante and key
        evaluation sheets, :meth:`perfeval.panel.PanelResult.to_observations`): it is scored ``score / points``
        (the ``evaluator`` rule) whatever the leaf's own rule, and flagged ``scored_by_evaluator`` where that rule
        is another. On the ``execution`` leaf such a row is used for units the budget table does not cover (or
        when no budget is given); where the unit has a budget row the amounts decide, as on every quantitative
        row, and the row's score is kept as ``claimed_score`` (warning ``execution_score_ignored``). A row with
        values, or located by names or ``indicator_code``, is scored by the leaf's rule: its ``score`` is a
        claim.
    budget : DataFrame, optional
        Budget table (§3.2), one row per unit, for the ``execution`` leaf; units that only have a budget row are
        scored too (flagged ``no_indicators``).
    reverse : {"linear", "ratio"}, optional
        Reverse-indicator formula (:func:`perfeval.scoring.reverse`); None: each node's ``params.formula``,
        else ``linear`` (PMKPI).
    denominator : {"full_year", "adjusted", "in_place"}, optional
        Execution-rate denominator; None: the execution leaf's ``params.denominator``, else ``full_year``.
    na_policy : {"rescale", "zero"}
        Not-applicable rows (``applicable`` False): ``rescale`` drops them and rescales their siblings so the
        parent keeps its points (recursively: a node whose rows are all N/A is itself N/A); ``zero`` keeps the
        points and scores 0.
    over_achievement : float
        Ratio (actual / target; target / actual for ``<=``) at which a row is flagged ``target_too_low``
        (default 1.3, PMKPI's configurable 130 %).
    over_policy : {"flag", "reduce"}
        ``reduce`` applies :func:`perfeval.scoring.moderate_reduction` to flagged rows; default only flags.
    bare_target_op : {">=", "<=", "="}
        Operator of a target written without a comparator (``8755``), flagged ``bare_target``.
    bare_cost_op : {"<=", "=", ">="} or None
        Operator of a bare target under a cost node (``l1``/``l2`` names 成本; saving rates excepted): default
        ``<=`` (a cost target is a ceiling: ``75元``, ``20万元``), ``=`` for fixed quotas, None = ``bare_target_op``
        (:func:`perfeval.targets.parse_observations`).
    points_policy : {"rescale", "as_given"}
        A unit whose indicator points do not add up to the framework's open points (:func:`open_points`: 90 in
        ``project_self``; published forms often give 100, i.e. 110 with the execution points): ``rescale``
        (default) multiplies each of its indicator points by :math:`P / \sum_i w_i` (:math:`P` the open points),
        so the unit is scored on the framework's total, with a ``points_rescaled`` warning naming the unit and
        both sums; ``as_given`` scores the points as written. Both keep the ``points_sum`` warning.
    strict : bool
        Raise on warnings too (points not summing to the framework's total, unmatched L2 names ...).
    on_error : {"raise", "skip"}
        ``raise`` (default): any error refuses the whole batch. ``skip``: the units an error is located on (by
        ``unit_id``, or by the ``source_file:source_row`` of their observation or budget rows) are left out and
        the rest are scored; ``result.rejected`` lists them with their problems. Still raises when an error
        belongs to no unit (a missing column, the framework) or when no unit is left
        (:func:`perfeval.aggregate._skip.score_skipping`).

    Returns
    -------
    ScoreResult

    Raises
    ------
    InputError
        Every error at once, located ``file:row:column``: unknown L1, unparseable target, ambiguous percentage,
        negative or missing points, duplicate (unit, indicator), qualitative row without a level, a score outside
        its level's band or outside ``[0, points]``, negative budget, missing columns ...
    ValueError
        A policy argument out of its choices.

    Warns
    -----
    DataQualityWarning
        When problems were flagged (one warning summarising them; the list is ``result.problems``: at most
        :data:`perfeval.targets.MAX_LISTED` located rows per kind of problem, then a summary problem; every
        flagged row carries its codes in ``nodes.flags``).

    Notes
    -----
    Leaf score :math:`s = a \cdot w'` with achievement :math:`a \in [0, 1]` from the rule and :math:`w'` the
    points after N/A rescaling (an evaluator's score on unrescaled points is used as given); a node's score is
    the sum over its children, ``total`` the sum over first-level nodes, both summed with compensated summation
    (Neumaier 1974), so a total is the correctly rounded sum of its leaf scores in any row order. The grade comes
    from ``fw.bands`` on half-open intervals of the unrounded total (89.995 is 良; float noise within
    :data:`perfeval.grades.EDGE_RTOL` below an edge is on the edge); a firing veto (first in the framework's
    order) then overrides it. Missing actuals score 0 and are flagged
    ``missing_actual`` (PMKPI scores an empty actual as 0). A unit's indicator points that do not add up to the
    framework's open points (``total`` minus the fixed leaves: 90 in ``project_self``, PMKPI #54504033813) are
    flagged ``points_sum`` and, by ``points_policy``, rescaled proportionally (default) or scored as given.

    Examples
    --------
    >>> import pandas as pd, perfeval as pe
    >>> obs = pd.DataFrame({"unit_id": "P1", "l1": ["产出指标", "效益指标", "满意度指标"],
    ...                     "l2": ["数量指标", "社会效益指标", "服务对象满意度指标等"],
    ...                     "indicator": ["培训人次", "就业率", "满意度"], "target": ["≥1000人次", "≥80%", "≥90%"],
    ...                     "actual": ["1200人次", "76%", "95%"], "points": [50, 30, 10]})
    >>> budget = pd.DataFrame({"unit_id": ["P1"], "budget_full_year": [100.0], "executed": [95.0]})
    >>> res = pe.score("project_self", obs, budget)
    >>> float(res.totals["total"].iloc[0]), res.totals["grade"].iloc[0]
    (98.0, '优')
    """
    _check_args(reverse, denominator, na_policy, over_achievement, over_policy, bare_target_op, bare_cost_op,
                points_policy)
    if on_error != "raise":
        from ._skip import ON_ERROR, score_skipping

        if on_error not in ON_ERROR:
            raise ValueError(f"`on_error` must be one of {', '.join(ON_ERROR)}; got {on_error!r}.")
        return score_skipping(score, fw, observations, budget, reverse=reverse, denominator=denominator,
                              na_policy=na_policy, over_achievement=over_achievement, over_policy=over_policy,
                              bare_target_op=bare_target_op, bare_cost_op=bare_cost_op,
                              points_policy=points_policy, strict=strict)
    fw = load_framework(detect_framework(fw, observations))
    _refuse_invalid_framework(fw)
    if not isinstance(observations, pd.DataFrame):
        raise TypeError(f"`observations` must be a pandas DataFrame; got {type(observations).__name__}.")
    _refuse_missing_units(observations)
    tree = Tree.from_framework(fw)
    problems: list[Problem] = []

    frame, parse_problems = parse_observations(observations, bare_op=bare_target_op,
                                                 bare_cost_op=bare_cost_op, report_levels=False)
    problems += parse_problems
    if "source_row" not in frame:  # locate rows as a sheet with one header row would, before any row is dropped
        frame["source_row"] = np.arange(2, len(frame) + 2)
    rows = map_rows(tree, frame)
    problems += rows.problems
    policy = {"reverse": reverse, "denominator": denominator, "na_policy": na_policy,
              "over_achievement": float(over_achievement), "over_policy": over_policy}
    scored = score_rows(tree, rows, policy)
    problems += scored.problems
    units = rows.units
    budget_units = None
    if budget is not None:
        if not isinstance(budget, pd.DataFrame):
            raise TypeError(f"`budget` must be a pandas DataFrame or None; got {type(budget).__name__}.")
        if "unit_id" in budget:
            budget_units = pd.Index(unit_texts(budget["unit_id"]).unique(), dtype=object).difference(
                units, sort=False)
            units = units.append(budget_units)
    execution = score_execution(tree, units, budget, denominator, rows)
    problems += execution.problems
    _raise_errors(problems)
    scale = np.ones(len(units))
    if points_policy == "rescale":
        problems += _rescale_points(tree, units, rows, scale)

    result = _rollup(tree, units, rows, scored, execution, na_policy, scale)
    problems += result.pop("problems")
    problems += _ungraded(fw, result["totals"], frame)
    problems += [Problem(f"budget:unit {u}", "no_indicators", f"unit {u!r} has a budget row but no indicators",
                         "warning") for u in (budget_units if budget_units is not None else ())]
    problems.sort(key=_location_key)
    if strict and problems:
        raise InputError("strict=True: flagged problems are refused", problems=problems)
    full_policy = {
        "framework": fw.name, "framework_version": fw.version,
        "reverse": scored.resolved.get("reverse", reverse or "linear"),
        "denominator": execution.denominator, "na_policy": na_policy,
        "over_achievement": float(over_achievement), "over_policy": over_policy,
        "bare_target_op": bare_target_op, "bare_cost_op": bare_cost_op, "points_policy": points_policy,
        "strict": strict,
        "missing_actual": "achievement 0, flagged",
        "qualitative_bands": "met [0.8, 1], partly [0.6, 0.8), not_met [0, 0.6)",
        "bands": fw.bands.to_list(), "vetoes": [v.code for v in fw.vetoes],
        "perfeval_version": __version__,
    }
    if problems:
        counts = Counter(p.code for p in problems)
        summary = ", ".join(f"{code} x{n}" for code, n in counts.most_common())
        warnings.warn(f"score(): {len(problems)} data-quality problems flagged ({summary}); "
                      "see result.problems", DataQualityWarning, stacklevel=2)
    return ScoreResult(fw, result["totals"], result["nodes"], tuple(problems), MappingProxyType(full_policy))


#: Errors of ``validate_framework`` that make grading silently wrong or blank (inverted, overlapping or missing
#: bands, a bad total, vetoes that cannot work): ``score`` refuses such a framework. Point problems are not among
#: them: re-weighting (sensitivity analysis) legitimately sets points to 0, and a unit's points that do not add up
#: are flagged per unit (``points_sum``).
GRADING_ERRORS = frozenset({"total_invalid", "bands_empty", "band_duplicate", "band_empty", "band_gap", "band_overlap",
                            "band_range", "veto_unknown_node", "veto_grade", "veto_op", "veto_measure", "veto_value"})


def _refuse_invalid_framework(fw: Framework) -> None:
    """Refuse a framework whose grading ``validate`` rejects (:data:`GRADING_ERRORS`): scoring on it would grade
    silently wrong or leave grades blank."""
    errors = [p for p in validate_framework(fw) if p.severity == "error" and p.code in GRADING_ERRORS]
    if errors:
        raise FrameworkError(problems=errors)


def _refuse_missing_units(observations: pd.DataFrame) -> None:
    """Refuse rows without a unit id (None, NaN, pd.NA, blank) with their rows located: ``missing_unit``."""
    if "unit_id" not in observations or observations.empty:
        return
    codes, uniques = pd.factorize(observations["unit_id"])  # each distinct id checked once; NaN/None/NA -> -1
    blank = np.fromiter((isinstance(v, str) and not v.strip() for v in uniques), dtype=bool, count=len(uniques))
    missing = (codes < 0) | (blank[np.maximum(codes, 0)] if len(uniques) else False)
    if not missing.any():
        return
    rows = (observations["source_row"] if "source_row" in observations
            else pd.Series(np.arange(2, len(observations) + 2), index=observations.index))
    files = observations["source_file"] if "source_file" in observations else pd.Series("observations",
                                                                                         index=observations.index)
    raise InputError(problems=[Problem(f"{f}:{r}:unit_id", "missing_unit", "the row has no unit id")
                               for f, r in zip(files[missing][:50], rows[missing][:50])])


def _ungraded(fw: Framework, totals: pd.DataFrame, frame: pd.DataFrame) -> list[Problem]:
    """A located ``no_grade`` warning for every unit whose total falls outside the framework's bands (its
    points add up above the framework's total, say): a blank grade is never silent."""
    blank = totals["grade"].isna() & totals["total"].notna()
    if not blank.any():
        return []
    low, high = min(b.low for b in fw.bands.bands), max(b.high for b in fw.bands.bands)
    first: dict[str, str] = {}
    if {"unit_id", "source_row"} <= set(frame.columns):
        files = frame["source_file"] if "source_file" in frame else pd.Series("observations", index=frame.index)
        for u, f, r in zip(frame["unit_id"].astype(str), files, frame["source_row"]):
            first.setdefault(u, f"{f}:{r}")
    out = []
    for u, total, points in zip(totals["unit_id"][blank], totals["total"][blank], totals["points_total"][blank]):
        out.append(Problem(first.get(str(u), f"unit {u}"), "no_grade",
                           f"unit {u!r}: total {total:g} is outside the grade bands [{low:g}, {high:g}] of "
                           f"{fw.name} (its points add up to {points:g}; the framework's total is {fw.total:g}): "
                           "no grade given", "warning"))
    return out


def _raise_errors(problems: list[Problem]) -> None:
    """Raise one InputError listing every error (in file order); warnings pass."""
    errors = sorted((p for p in problems if p.severity == "error"), key=_location_key)
    if errors:
        raise InputError(problems=errors)


def _location_key(problem: Problem) -> tuple:
    """Sort key of ``file:row:column`` locations with rows compared as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in problem.location.split(":"))


# ---------------------------------------------------------------------------------------------------------------
# roll-up
# ---------------------------------------------------------------------------------------------------------------
def _rescale_points(tree: Tree, units: pd.Index, rows: Any, scale: np.ndarray) -> list[Problem]:
    r"""``points_policy="rescale"``: fill ``scale`` (per unit, in place) with :math:`P / \sum_i w_i` for the units
    whose indicator points are off the framework's open points :math:`P` (:func:`points_off_total`), flag them
    (``points_rescaled``) and return one located warning per unit naming both sums."""
    from ._matching import open_points, points_off_total

    ind = rows.is_indicator
    if not ind.any():
        return []
    files = rows.frame["source_file"].to_numpy(dtype=object)[ind] if "source_file" in rows.frame else None
    off = points_off_total(tree.framework, rows.units.to_numpy(dtype=object)[rows.unit[ind]], rows.points[ind],
                           files)
    off = off[off["points_sum"] > 0]
    if off.empty:
        return []
    expected = open_points(tree.framework)
    fixed = float(tree.framework.total) - expected
    at = units.get_indexer(off["unit_id"])
    scale[at] = expected / off["points_sum"].to_numpy(dtype=float)
    rows.unit_bits[rows.units.get_indexer(off["unit_id"])] |= FLAG_BITS["points_rescaled"]
    with_fixed = f" ({{s:g}} with the {fixed:g} fixed points)" if fixed else ""
    return [Problem(loc, "points_rescaled",
                    f"unit {u!r}: the indicator points sum to {s:g}{with_fixed.format(s=s + fixed)}, not "
                    f"{expected:g}: each is scaled by {expected:g}/{s:g} so the unit is scored out of "
                    f"{tree.framework.total:g} (points_policy='rescale'; 'as_given' keeps the points)", "warning")
            for u, s, loc in zip(off["unit_id"], off["points_sum"], off["location"])]


def _rollup(tree: Tree, units: pd.Index, rows: Any, scored: Any, execution: Any, na_policy: str,
            scale: np.ndarray | None = None) -> dict:
    """N/A rescaling, points, scores and the roll-up to every node and to the totals.

    Matrices are (unit x framework node). A row's *home* is its fixed leaf, or the slot / inner node a
    unit-specific indicator hangs under; rows are summed into their homes and the tree is rolled up with one
    vectorised step per node, both with compensated summation (:func:`_compensated_cells`, :func:`_roll_up`).
    """
    n_units, n_nodes = len(units), len(tree.codes)
    ind, fx, app = rows.is_indicator, ~rows.is_indicator, rows.applicable
    cell = rows.unit * n_nodes + rows.home
    W, WA, M, eff_row = _points(tree, rows, n_units, na_policy, scale)
    ach_row = np.where(app, scored.achievement, np.nan if na_policy == "rescale" else 0.0)
    s_row = np.where(app | (na_policy == "zero"), np.nan_to_num(ach_row) * eff_row, 0.0)
    # points an evaluator gave, on rows whose points were not rescaled, are the score itself: (s / w) x w is not
    # always s in binary floating point (1.8 / 3 x 3 = 1.7999999999999998)
    own = np.where(ind, rows.points, tree.points[rows.home])
    given = ~np.isnan(scored.given) & app & (eff_row == own)
    s_row = np.where(given, scored.given, s_row)
    claimed = scored.claimed
    # claims roll up carried to the effective points like the scores (N/A rescaling; N/A rows add nothing), so a
    # node's claimed_score compares with its score; a leaf shows its claim as written
    with np.errstate(divide="ignore", invalid="ignore"):
        carry = np.where(own > 0, eff_row / np.where(own > 0, own, 1.0), 1.0)
    (S, ES), (P, EP), (C, EC) = _compensated_cells(cell[ind], rows.k[ind], n_units, n_nodes, s_row[ind],
                                                   eff_row[ind], np.nan_to_num(claimed[ind]) * carry[ind])
    CN = _cell_sums(cell[ind], (~np.isnan(claimed[ind])).astype(float), n_units, n_nodes)
    # fixed leaves: one cell per (unit, leaf), from its row or the budget; a missing row scores 0
    FA = np.full((n_units, n_nodes), np.nan)
    FF = np.zeros((n_units, n_nodes), dtype=np.int64)
    FA[rows.unit[fx], rows.home[fx]] = ach_row[fx]
    FF[rows.unit[fx], rows.home[fx]] = scored.bits[fx]
    C[rows.unit[fx], rows.home[fx]] = np.nan_to_num(claimed[fx])
    CN[rows.unit[fx], rows.home[fx]] = ~np.isnan(claimed[fx])
    has = np.zeros((n_units, n_nodes), dtype=bool)  # any applicable data (for `missing` vetoes)
    has.ravel()[cell[app]] = True
    rule = np.tile(tree.rules_arr, (n_units, 1))  # the rule each (unit, node) cell was scored by
    rule[rows.unit[fx], rows.home[fx]] = scored.rule[fx]
    _merge_execution(execution, FA, FF, C, CN, has, rule)
    problems = _missing_fixed(tree, units, FA, WA, execution)
    fixed = tree.fixed_leaf
    reported = np.isin(np.arange(n_nodes), execution.leaves)[fixed]
    FF[:, fixed] |= np.where(np.isnan(FA[:, fixed]) & (WA[:, fixed] > 0) & ~reported, FLAG_BITS["missing_actual"], 0)
    FA[:, fixed] = np.where(WA[:, fixed] > 0, np.nan_to_num(FA[:, fixed]), np.nan if na_policy == "rescale" else 0.0)
    P[:, fixed] = tree.points[fixed] * M[:, fixed]
    S[:, fixed] = np.nan_to_num(FA[:, fixed]) * P[:, fixed]
    exact = fx & given
    exact[exact] = rule[rows.unit[exact], rows.home[exact]] != "execution"  # not where the budget decided
    S[rows.unit[exact], rows.home[exact]] = s_row[exact]
    written = C[:, fixed].copy()
    C[:, fixed] *= M[:, fixed]
    total, points_total, _ = _roll_up(tree, [(S, ES), (P, EP), (C, EC)])
    C[:, fixed] = written
    for n in tree.bottom_up:
        p = tree.parents[n]
        if p >= 0:
            CN[:, p] += CN[:, n]
            has[:, p] |= has[:, n]
    nodes = _nodes_frame(tree, units, rows, scored, S, P, C, CN, FA, FF, WA, ach_row, eff_row, s_row, rule)
    totals = _totals_frame(tree, units, rows, scored, S, P, FF, has, execution, total, points_total)
    return {"nodes": nodes, "totals": totals, "problems": problems}


def _merge_execution(execution: Any, FA, FF, C, CN, has, rule) -> None:
    """Execution leaves into the cell matrices, in place: the budget decides; a unit's evaluator row (already in
    the matrices) only where the budget has nothing for the unit (:func:`._rows.score_execution`)."""
    for j, leaf in enumerate(execution.leaves):
        budget_ach = execution.achievement[:, j]
        from_row = ~np.isnan(FA[:, leaf]) & np.isnan(budget_ach)
        FA[:, leaf] = np.where(from_row, FA[:, leaf], budget_ach)
        FF[:, leaf] = np.where(from_row, FF[:, leaf], FF[:, leaf] & ~FLAG_BITS["scored_by_evaluator"]) \
            | execution.bits[:, j]
        claim = ~np.isnan(execution.claimed) & ~from_row
        C[:, leaf] = np.where(claim, np.nan_to_num(execution.claimed), C[:, leaf])
        CN[:, leaf] = np.where(claim, 1.0, CN[:, leaf])
        has[:, leaf] = np.where(from_row, has[:, leaf], ~np.isnan(budget_ach))
        rule[:, leaf] = np.where(from_row, rule[:, leaf], "execution")


# Totals are sums of many decimal scores. Plain floating-point sums drift by a few units in the last place, and
# the drift depends on the order and on the tree's shape: ten leaves that add up to 90 in decimals give
# 89.99999999999999 with NumPy's pairwise sum. perfeval sums every cell and every node with Neumaier's compensated
# summation [1], vectorised over units, so a total is the correctly rounded sum of its leaf scores whatever the
# order (rounding the totals instead would be rounding in computation, which perfeval does not do). It costs a
# few vector operations per framework node and per position within a slot (about 0.1 s for a million rows). Leaf
# scores themselves are products (achievement x points) and keep their own last-place noise; grading absorbs
# that (perfeval.grades.EDGE_RTOL). [1] A. Neumaier, ZAMM 54 (1974) 39-51, doi:10.1002/zamm.19740540106.
def _add_compensated(s: np.ndarray, c: np.ndarray, x: np.ndarray) -> None:
    """``s += x`` in place, accumulating the rounding error of each addition in ``c`` (Neumaier 1974)."""
    t = s + x
    c += np.where(np.abs(s) >= np.abs(x), (s - t) + x, (x - t) + s)
    s[...] = t


def _compensated_cells(cell: np.ndarray, k: np.ndarray, n_units: int, n_nodes: int,
                       *values: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Sums and compensations of each ``values`` array per flat (unit, node) cell, as (unit x node) matrices.

    Rows are added position by position within their cell (``k``: 1, 2, ... within each (unit, home)), so each
    vectorised step touches every cell at most once.
    """
    out = [(np.zeros(n_units * n_nodes), np.zeros(n_units * n_nodes)) for _ in values]
    if len(cell):
        order = _stable_order(k)
        for group in np.split(order, np.flatnonzero(np.diff(k[order])) + 1):
            at = cell[group]
            for (s, c), v in zip(out, values):
                a = s[at]
                t = a + v[group]
                c[at] += np.where(np.abs(a) >= np.abs(v[group]), (a - t) + v[group], (v[group] - t) + a)
                s[at] = t
    return [(s.reshape(n_units, n_nodes), c.reshape(n_units, n_nodes)) for s, c in out]


def _roll_up(tree: Tree, pairs: list[tuple[np.ndarray, np.ndarray]]) -> list[np.ndarray]:
    """Children into parents, compensated, in place (each matrix ends as sum + compensation); returns each
    matrix's first-level total per unit."""
    n_units = pairs[0][0].shape[0]
    totals = [(np.zeros(n_units), np.zeros(n_units)) for _ in pairs]
    for n in tree.bottom_up:
        p = tree.parents[n]
        for (mat, err), (ts, tc) in zip(pairs, totals):
            if p >= 0:
                _add_compensated(mat[:, p], err[:, p], mat[:, n])
                err[:, p] += err[:, n]
            else:
                _add_compensated(ts, tc, mat[:, n])
                tc += err[:, n]
    for mat, err in pairs:
        mat += err
    return [ts + tc for ts, tc in totals]


def _cell_sums(cell: np.ndarray, weights: np.ndarray, n_units: int, n_nodes: int) -> np.ndarray:
    """Sums of ``weights`` per flat (unit, node) cell as a float matrix (``bincount`` of nothing is int)."""
    sums = np.bincount(cell, weights=weights, minlength=n_units * n_nodes).astype(float, copy=False)
    return sums.reshape(n_units, n_nodes)


def _points(tree: Tree, rows: Any, n_units: int, na_policy: str,
            scale: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    r"""Declared (W) and applicable (WA) points per (unit, node), the N/A multipliers M and each row's points.

    ``rescale``: a node's applicable children share its points, :math:`F_n = W_n / WA_n` with
    :math:`WA_n = \sum_{c} W_c [WA_c > 0]` (a child with nothing applicable drops out), and a row's points are
    its declared points times the product of the factors above it (:math:`M`, top-down; the first level is
    rescaled to the framework's total). ``zero``: every multiplier is 1. ``scale`` (per unit) multiplies the
    indicator points first (``points_policy="rescale"``).
    """
    n_nodes = len(tree.codes)
    ind, app = rows.is_indicator, rows.applicable
    points = rows.points if scale is None else rows.points * scale[rows.unit]
    w_row = np.where(ind, points, tree.points[rows.home])
    cell = rows.unit[ind] * n_nodes + rows.home[ind]
    W = _cell_sums(cell, w_row[ind], n_units, n_nodes)
    WA = _cell_sums(cell, (w_row * app)[ind], n_units, n_nodes)
    fixed = tree.fixed_leaf
    W[:, fixed] = WA[:, fixed] = tree.points[fixed]
    na_fixed = ~ind & ~app
    WA[rows.unit[na_fixed], rows.home[na_fixed]] = 0.0
    for n in tree.bottom_up:  # children before parents
        p = tree.parents[n]
        if p >= 0:
            W[:, p] += W[:, n]
            WA[:, p] += W[:, n] * (WA[:, n] > 0)
    if na_policy != "rescale":
        return W, WA, np.ones((n_units, n_nodes)), w_row.copy()
    top = tree.parents < 0
    with np.errstate(divide="ignore", invalid="ignore"):
        F = np.where(WA > 0, W / np.where(WA > 0, WA, 1.0), 0.0)
        w_root, wa_root = W[:, top].sum(axis=1), (W[:, top] * (WA[:, top] > 0)).sum(axis=1)
        f_root = np.where(wa_root > 0, w_root / np.where(wa_root > 0, wa_root, 1.0), 0.0)
    M = np.zeros_like(F)
    for n in tree.top_down:
        p = tree.parents[n]
        M[:, n] = F[:, n] * (f_root if p < 0 else M[:, p])
    return W, WA, M, w_row * app * M[rows.unit, rows.home]


def _missing_fixed(tree: Tree, units: pd.Index, FA: np.ndarray, WA: np.ndarray, execution: Any) -> list[Problem]:
    """A ``missing_actual`` warning for each applicable fixed leaf a unit did not report."""
    out: list[Problem] = []
    skip = set(execution.leaves)
    for n in np.flatnonzero(tree.fixed_leaf):
        if n in skip:
            continue
        miss = np.flatnonzero(np.isnan(FA[:, n]) & (WA[:, n] > 0))
        out += [Problem(f"unit {units[u]}:{tree.codes[n]}", "missing_actual",
                        f"no observation for fixed leaf {tree.codes[n]!r} ({tree.names[n]}); scored 0", "warning")
                for u in miss]
    return out


def _nodes_frame(tree: Tree, units: pd.Index, rows: Any, scored: Any, S, P, C, CN, FA, FF, WA, ach_row, eff_row,
                 s_row, rule) -> pd.DataFrame:
    """The long node table: U x N framework cells and one row per observation, ordered by unit and framework
    pre-order with each home's indicators right after it (built by scattering both parts into place)."""
    n_units, n_nodes = S.shape
    with np.errstate(divide="ignore", invalid="ignore"):
        ach = np.where(P > 0, S / np.where(P > 0, P, 1.0), np.nan)
    ach = np.where(np.broadcast_to(tree.fixed_leaf, ach.shape), FA, ach)
    idx = np.flatnonzero(rows.is_indicator)
    home = rows.home[idx]
    n_tree, n_rows = n_units * n_nodes, len(idx)
    stride = 2 * n_nodes + 1
    key_tree = np.repeat(np.arange(n_units, dtype=np.int64) * stride, n_nodes) + np.tile(tree.preorder * 2, n_units)
    key_rows = rows.unit[idx] * stride + tree.preorder[home] * 2 + 1
    # both parts sorted, then merged: forms list indicators in framework order, so the sort is usually a no-op
    row_order = (np.arange(n_rows) if n_rows < 2 or (np.diff(key_rows) >= 0).all()
                 else np.argsort(key_rows, kind="stable"))
    sorted_rows = key_rows[row_order]
    at_tree = np.arange(n_tree) + np.searchsorted(sorted_rows, key_tree, side="left")
    at_rows = np.empty(n_rows, dtype=np.int64)
    at_rows[row_order] = np.arange(n_rows) + np.searchsorted(key_tree, sorted_rows, side="right")

    def place(tree_values: Any, row_values: Any, dtype: Any) -> Any:
        """One column of the node table: framework cells and rows scattered into order."""
        out = np.empty(n_tree + n_rows, dtype=dtype)
        out[at_tree] = tree_values
        out[at_rows] = row_values
        return pd.Series(out, dtype=dtype, copy=False) if dtype is object else out

    def place_labels(labels: np.ndarray, tree_codes: Any, row_codes: Any) -> pd.Series:
        """An object column given as positions into ``labels``: the integers are scattered into order and the
        labels taken once (scattering Python objects costs a reference count per cell and per pass)."""
        return pd.Series(labels.take(place(tree_codes, row_codes, np.int64)), dtype=object, copy=False)

    unit_ids = units.to_numpy(dtype=object)
    codes = tree.codes_arr
    src = rows.frame
    fx = np.flatnonzero(~rows.is_indicator)
    fixed_cells = rows.unit[fx] * n_nodes + rows.home[fx]
    each_node = np.tile(np.arange(n_nodes, dtype=np.int64), n_units)
    child_labels, child_of = _child_code_labels(rows.k[idx], home, tree)
    cell_flags, cell_flag_of = flag_labels(FF.ravel())
    row_flags, row_flag_of = flag_labels(
        scored.bits[idx], None if scored.extra_flags is None else scored.extra_flags.take(idx))
    columns = {
        "unit_id": place_labels(unit_ids, np.repeat(np.arange(n_units, dtype=np.int64), n_nodes), rows.unit[idx]),
        "node_code": place_labels(np.concatenate([codes, child_labels]), each_node, n_nodes + child_of),
        "parent_code": place_labels(np.concatenate([tree.parent_codes, codes]), each_node, n_nodes + home),
        "level": place(np.tile(tree.levels, n_units), tree.levels[home] + 1, np.int64),
        "name": place_labels(np.concatenate([tree.names_arr, rows.names[idx].astype(object, copy=False)]), each_node,
                             n_nodes + np.arange(n_rows, dtype=np.int64)),
        "points": place(P.ravel(), eff_row[idx], float),
        "achievement": place(ach.ravel(), ach_row[idx], float),
        "score": place(S.ravel(), s_row[idx], float),
        "claimed_score": place(np.where(CN > 0, C, np.nan).ravel(), scored.claimed[idx], float),
        "rule": place(rule.ravel(), scored.rule[idx], object),
        "applicable": place((WA > 0).ravel(), rows.applicable[idx], bool),
        "flags": place_labels(np.concatenate([cell_flags, row_flags]), cell_flag_of, len(cell_flags) + row_flag_of),
    }
    for name in ("indicator_code", "target", "actual", "source_file", "source_row"):
        if name in src:
            values = np.append(src[name].to_numpy(dtype=object), None)  # the last slot: cells without a row
            at_tree_cells = np.full(n_tree, len(values) - 1, dtype=np.int64)
            at_tree_cells[fixed_cells] = fx  # fixed leaves show the row they were scored from
            columns[name] = place_labels(values, at_tree_cells, idx)
    return pd.DataFrame(columns, index=pd.RangeIndex(n_tree + n_rows), copy=False)


def _child_code_labels(k: np.ndarray, home: np.ndarray, tree: Tree) -> tuple[np.ndarray, np.ndarray]:
    """The ``"<slot>.<k>"`` codes of the indicator rows, built once per distinct (home, k): the labels (object
    array) and each row's position among them."""
    width = int(k.max(initial=0)) + 1
    uniq, inv = _small_unique(home.astype(np.int64) * width + k)
    labels = np.array([f"{tree.codes[h]}.{c}" for h, c in zip(uniq // width, uniq % width)], dtype=object)
    return labels, inv


def _totals_frame(tree: Tree, units: pd.Index, rows: Any, scored: Any, S, P, FF, HAS, execution, total,
                  points_total) -> pd.DataFrame:
    """One row per unit: total, grade (bands, then vetoes), execution, flags.

    The grade is that of the unrounded total on the framework's half-open bands; float noise just below an edge
    is absorbed by :meth:`perfeval.GradeBands.grade` (:data:`perfeval.grades.EDGE_RTOL`), nowhere else.
    """
    n_units = len(units)
    banded = np.asarray(tree.framework.bands.grade(total), dtype=object)
    grade = np.asarray(banded, dtype=object).copy()
    bits = np.zeros(n_units, dtype=np.int64)
    # unit flags: union of its rows' and fixed leaves' flags
    np.bitwise_or.at(bits, rows.unit, scored.bits.astype(np.int64, copy=False))
    bits |= np.bitwise_or.reduce(FF, axis=1)
    bits &= sum(FLAG_BITS.values())
    bits[: len(rows.unit_bits)] |= rows.unit_bits
    flags = flag_strings(bits)
    veto_hit = np.zeros(n_units, dtype=bool)
    for veto in tree.framework.vetoes:
        fires = _veto_fires(tree, veto, S, P, HAS) & ~veto_hit
        grade[fires] = veto.grade
        flags = np.where(fires, np.where(flags == "", f"veto:{veto.code}",
                                         flags + f";veto:{veto.code}"), flags)
        veto_hit |= fires
    n_ind = np.bincount(rows.unit, weights=rows.applicable.astype(float), minlength=n_units).astype(int)
    if execution.leaves:
        leaf = execution.leaves[0]
        ex_rate, ex_score = execution.rate[:, 0], S[:, leaf]
    else:
        ex_rate = ex_score = np.full(n_units, np.nan)
    return pd.DataFrame({"unit_id": units.to_numpy(dtype=object), "total": total, "grade": grade,
                         "execution_rate": ex_rate, "execution_score": ex_score, "n_indicators": n_ind,
                         "points_total": points_total, "flags": flags, "banded_grade": banded})


def _veto_fires(tree: Tree, veto: Any, S, P, HAS) -> np.ndarray:
    """Units for which ``veto`` fires: ``missing`` = no applicable data under the node; else ``measure op value``
    on the node's achievement (score / points) or score."""
    n = tree.index[veto.node]
    if veto.op == "missing":
        return ~HAS[:, n]
    with np.errstate(divide="ignore", invalid="ignore"):
        value = S[:, n] if veto.measure == "score" else np.where(P[:, n] > 0, S[:, n] / P[:, n], np.nan)
    ops = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
    return ops[veto.op](value, float(veto.value)) & ~np.isnan(value)
