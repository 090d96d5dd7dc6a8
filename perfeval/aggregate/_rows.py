"""Row scoring for :mod:`perfeval.aggregate` (private): each row's rule, its achievement and its problems.

Rows are grouped by (home node, effective rule) with one stable sort; each group calls its rule from
:data:`perfeval.scoring.RULES` once on arrays. The execution leaf is scored from the budget table.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..errors import Problem
from ..scoring import OPS as AUTO_RULES
from ..scoring import (DENOMINATORS, band_message, band_violation, deduction, equality, evaluator, execution,
                       moderate_reduction, ordinal, out_of_range, over_achievement, piecewise, positive,
                       qualitative, reverse)
from ..targets import (LEVEL_CATEGORIES, OP_CATEGORIES, _factorize, _is_missing, _locations, _problems, _small_unique,
                       _stable_order, free_text_message, in_name_problems, is_free_text, level_problems)
from ._matching import FLAG_BITS, Rows, Tree, _numbers, unit_texts

__all__ = ["Scored", "Execution", "score_rows", "score_execution", "flag_strings", "flag_labels"]

# rule ids (the first three are the numeric comparisons); auto resolves through the op codes of the parsed frame
_RULE_IDS = ("positive", "reverse", "equality", "qualitative", "execution", "evaluator", "deduction", "piecewise",
             "ordinal")
_AUTO_ID = len(_RULE_IDS)
# op code + 1 (-1 = no operator) -> rule id (OP_CATEGORIES: >=, <=, =, qualitative)
_AUTO_BY_OP = np.array([-1, *(_RULE_IDS.index(AUTO_RULES[o]) for o in OP_CATEGORIES)], dtype=np.int64)
_OP_OF = {"positive": ">=", "reverse": "<=", "equality": "="}
_LEVEL_NAMES = np.array([None, *LEVEL_CATEGORIES], dtype=object)
_FILL_TARGET = "write the target (年度指标值, e.g. ≥95% or 按时完成) or mark the row not applicable (是否适用: 否)"


@dataclass
class Scored:
    """Per-row results aligned with :class:`Rows`."""

    achievement: np.ndarray
    rule: np.ndarray
    bits: np.ndarray
    extra_flags: pd.Categorical | None
    claimed: np.ndarray
    problems: list[Problem]
    resolved: dict[str, Any] = field(default_factory=dict)
    given: np.ndarray = field(default_factory=lambda: np.zeros(0))  # evaluator's points within [0, points], else NaN


@dataclass
class Execution:
    """Execution-leaf results, one column per execution leaf (usually one)."""

    leaves: list[int]
    achievement: np.ndarray
    rate: np.ndarray
    bits: np.ndarray
    claimed: np.ndarray
    denominator: str | None
    problems: list[Problem]


def flag_strings(bits: np.ndarray, extra: pd.Categorical | None = None) -> np.ndarray:
    """``;``-joined flag codes: one label per distinct (bit mask, extra flags) pair, mapped back to the rows."""
    labels, inv = flag_labels(bits, extra)
    return labels[inv] if len(labels) else np.zeros(0, dtype=object)


def flag_labels(bits: np.ndarray, extra: pd.Categorical | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The labels of :func:`flag_strings` (object array) and each row's position among them."""
    if extra is None:
        key, names = bits.astype(np.int64), [""]
    else:
        names = list(extra.categories)
        key = bits.astype(np.int64) * (len(names) + 1) + (np.asarray(extra.codes, dtype=np.int64) + 1)
    uniq, inv = _small_unique(key)
    width = len(names) + 1 if extra is not None else 1
    labels = []
    for k in uniq:
        b, e = divmod(int(k), width)
        parts = [name for name, bit in FLAG_BITS.items() if b & bit]
        if extra is not None and e > 0 and names[e - 1]:
            parts.append(names[e - 1])
        labels.append(";".join(parts))
    return np.array(labels, dtype=object), inv.ravel()


def _effective_rules(tree: Tree, rows: Rows, op: np.ndarray, problems: list[Problem]) -> np.ndarray:
    """Rule id per row: the home's rule, ``auto`` resolved by the row's operator code (-1: unresolved)."""
    node_rule = np.array([_RULE_IDS.index(r) if r in _RULE_IDS else _AUTO_ID for r in tree.rules], np.int64)
    rule = node_rule[rows.home]
    auto = rule == _AUTO_ID
    eff = np.where(auto, _AUTO_BY_OP[op.astype(np.int64) + 1], rule)
    eff = np.where(rows.judged, _RULE_IDS.index("evaluator"), eff)  # score sheets: the evaluator's judgement
    unresolved = (eff < 0) & rows.applicable
    if unresolved.any():
        empty = unresolved & _target_empty(rows.frame)
        problems += _problems(rows.frame, empty, "target", "missing_target",
                              "the target is empty and no op (指标性质) is given, so the row cannot be scored; "
                              f"{_FILL_TARGET}")
    return eff


def _target_empty(f: pd.DataFrame) -> np.ndarray:
    """True where the row has no target text."""
    if "target" not in f:
        return np.ones(len(f), dtype=bool)
    return f["target"].isna().to_numpy()


def _codes(f: pd.DataFrame, name: str) -> np.ndarray:
    """Codes of a categorical column of the parsed frame (-1 where empty)."""
    if name in f and isinstance(f[name].dtype, pd.CategoricalDtype):
        return np.asarray(f[name].cat.codes, dtype=np.int8)
    return np.full(len(f), -1, dtype=np.int8)


def score_rows(tree: Tree, rows: Rows, policy: dict) -> Scored:
    """Achievement of every row by its rule; problems located at the row's cell."""
    f = rows.frame
    n = len(f)
    problems: list[Problem] = []
    op = _codes(f, "op")
    eff = _effective_rules(tree, rows, op, problems)
    tval = f["target_value"].to_numpy(dtype=float) if "target_value" in f else np.full(n, np.nan)
    aval = f["actual_value"].to_numpy(dtype=float) if "actual_value" in f else np.full(n, np.nan)
    sc = _numbers(f, "score", problems)
    level = _codes(f, "level")
    pts = np.where(rows.is_indicator, rows.points, tree.points[rows.home])
    ach = np.full(n, np.nan)
    ratio = np.full(n, np.nan)
    app = rows.applicable
    resolved: dict[str, Any] = {}
    combo = rows.home * (len(_RULE_IDS) + 1) + (eff + 1)
    order = _stable_order(combo)
    bounds = np.flatnonzero(np.diff(combo[order])) + 1
    for idx in np.split(order, bounds) if n else []:
        home, rid = int(rows.home[idx[0]]), int(eff[idx[0]])
        if rid < 0:
            continue  # unresolved operator: reported above
        name = _RULE_IDS[rid]
        if name == "reverse" and tree.params[home].get("deadline"):
            tval = _cap_at_deadline(tree.params[home]["deadline"], idx, tval, f, problems)
        ach[idx] = _apply(name, tree.params[home], policy, resolved, idx, tval, aval, sc, pts, level, f)
        if name in _OP_OF:
            ratio[idx] = over_achievement(aval[idx], tval[idx], _OP_OF[name])
    names = np.array([*_RULE_IDS, None], dtype=object)[np.where(eff < 0, len(_RULE_IDS), eff)]
    restated = _codes(f, "actual_op") >= 0
    in_name = _parse_flag(f, "target_in_name")
    named = in_name & np.isin(eff, _REPORTED)  # where the rule scores a target (not an evaluator's score)
    in_name &= named
    ach = np.where(in_name & app, 1.0, ach)  # the name states the target as reached: full points
    numeric = eff <= _RULE_IDS.index("equality")
    numeric &= eff >= 0
    unreported = _not_reported(f, eff, app & ~in_name, level)
    ach = np.where(unreported, 0.0, ach)
    problems += _problems(f, unreported, "actual", "not_reported", "the actual value (实际完成值) is empty: the "
                          "indicator was not reported; scored 0 (write the value reached, or mark the indicator not "
                          "applicable: 是否适用 否 / 不适用)", "warning")
    missing = np.isnan(ach) & app
    free = _free_text(f, eff, app & missing & ~restated, problems)
    problems += _check_numeric(f, numeric & app & ~free, tval, missing, restated)
    inferred = _parse_flag(f, "level_from_text") | _parse_flag(f, "level_from_words")
    problems += _check_points_rules(f, eff, app & ~unreported & ~in_name, sc, pts, level, ach, aval, inferred)
    bits = rows.bits | np.where(missing, FLAG_BITS["missing_actual"], 0)
    bits |= np.where(unreported, FLAG_BITS["not_reported"], 0)
    own_evaluator = np.array([r == "evaluator" for r in tree.rules], dtype=bool)[rows.home]
    bits |= np.where(rows.judged & ~own_evaluator, FLAG_BITS["scored_by_evaluator"], 0)
    from_level = (eff == _RULE_IDS.index("qualitative")) & app & (level >= 0) & np.isnan(sc) & ~in_name
    bits |= np.where(from_level, FLAG_BITS["score_from_level"], 0)
    other = missing & np.isin(eff, [_RULE_IDS.index(r) for r in ("deduction", "piecewise", "ordinal")])
    other &= ~_bad_rating(f, eff, ach) & ~free
    problems += _problems(f, other, "actual", "missing_actual", "no value to score; achievement 0", "warning")

    # over-achievement: target met at >= threshold (PMKPI "130%可配置")
    thr = policy["over_achievement"]
    over = app & ~np.isnan(ratio) & (ratio >= thr)
    bits |= np.where(over, FLAG_BITS["target_too_low"], 0)
    problems += _problems(f, over, "actual", "target_too_low", lambda r: [
        f"achievement ratio {ratio[i]:.0%} (actual / target; target / actual for <=) is at least {thr:.0%}: "
        "the target looks set too easy; explain the deviation (偏差原因)" for i in r], "warning")
    if policy["over_policy"] == "reduce" and over.any():
        ach = np.where(over, moderate_reduction(ach, ratio, threshold=thr), ach)
        bits |= np.where(over, FLAG_BITS["reduced_over_achievement"], 0)
    ach = np.where(missing, 0.0, ach)
    extra = f["parse_flags"].array if "parse_flags" in f and isinstance(
        f["parse_flags"].dtype, pd.CategoricalDtype) else None
    if extra is not None:  # a level read from the text or the score matters (and is reported) on qualitative rows
        read = _parse_flag(f, "level_from_text") | inferred | _parse_flag(f, "level_from_score")
        qual = eff == _RULE_IDS.index("qualitative")
        extra = _drop_flags(extra, read & ~qual, _LEVEL_READ)
        extra = _drop_flags(extra, _parse_flag(f, "target_in_name") & ~in_name, ("target_in_name",))
        how = np.select([_parse_flag(f, name) for name in _LEVEL_READ], [1, 2, 3], 0).astype(np.int8)
        problems += level_problems(f, level, np.where(qual & app & ~in_name, how, 0))
        if (in_name & app).any():  # parse_observations filled the target column from the names
            problems += in_name_problems(f, in_name & app, f["target"])
    on_points = np.isin(eff, [_RULE_IDS.index("qualitative"), _RULE_IDS.index("evaluator")])
    given = np.where(on_points & (sc >= 0) & (sc <= pts) & ~unreported & ~in_name, sc, np.nan)
    return Scored(ach, names, bits, extra, sc, problems, resolved, given)


def _parse_flag(f: pd.DataFrame, name: str) -> np.ndarray:
    """Rows whose ``parse_flags`` (:func:`perfeval.targets.parse_observations`) carry ``name``."""
    if "parse_flags" not in f or not isinstance(f["parse_flags"].dtype, pd.CategoricalDtype):
        return np.zeros(len(f), dtype=bool)
    cats = f["parse_flags"].cat.categories
    has = np.array([name in str(c).split(";") for c in cats], dtype=bool)
    codes = np.asarray(f["parse_flags"].cat.codes, dtype=np.int64)
    return (codes >= 0) & (has[np.maximum(codes, 0)] if len(has) else False)


#: Parse flags of a level read from the actual's text, its words or the claimed score.
_LEVEL_READ = ("level_from_text", "level_from_words", "level_from_score")


def _drop_flags(cat: pd.Categorical, rows: np.ndarray, names: tuple[str, ...]) -> pd.Categorical:
    """``cat`` (``;``-joined flag labels) with ``names`` removed from the labels of ``rows``."""
    cats = [str(c) for c in cat.categories]
    stripped = [";".join(x for x in c.split(";") if x not in names) for c in cats]
    labels = list(dict.fromkeys(cats + stripped))
    at = {label: i for i, label in enumerate(labels)}
    keep = np.array([at[c] for c in cats], dtype=np.int64)
    drop = np.array([at[c] for c in stripped], dtype=np.int64)
    codes = np.asarray(cat.codes, dtype=np.int64)
    safe = np.maximum(codes, 0)
    new = np.where(codes < 0, -1, np.where(rows, drop[safe] if len(cats) else -1, keep[safe] if len(cats) else -1))
    return pd.Categorical.from_codes(new, categories=labels)


#: Rules whose row reports a value in 实际完成值 (an empty cell there, with no level given, is ``not_reported``).
_REPORTED = np.array([_RULE_IDS.index(r) for r in ("positive", "reverse", "equality", "qualitative")])


def _not_reported(f: pd.DataFrame, eff: np.ndarray, candidates: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Rows that report nothing: a target written, 实际完成值 empty and no level given (``not_reported``: scored 0
    and reported as not reported, not as a missed target)."""
    mask = candidates & np.isin(eff, _REPORTED) & (level < 0) & ~_target_empty(f)
    if not mask.any():
        return mask
    if "actual" not in f:
        return mask
    rows = np.flatnonzero(mask)
    codes, uniq = _factorize(f["actual"].iloc[rows])
    blank = np.array([_is_missing(u) for u in uniq], dtype=bool)
    out = np.zeros(len(f), dtype=bool)
    out[rows] = (codes < 0) | (blank[np.maximum(codes, 0)] if len(uniq) else False)
    return out


#: Rules scored on a measured actual: free text there is an error (a level phrase such as 已完成 scores 0).
_MEASURED = np.array([_RULE_IDS.index(r) for r in ("positive", "reverse", "equality", "piecewise", "deduction")])


def _free_text(f: pd.DataFrame, eff: np.ndarray, candidates: np.ndarray, problems: list[Problem]) -> np.ndarray:
    """Rows of a measured rule whose actual is text that is neither a number, a level phrase nor empty (``很多``):
    ``unparseable_actual`` errors naming the cell (each distinct text is read once)."""
    mask = candidates & np.isin(eff, _MEASURED)
    if "actual" not in f or not mask.any():
        return np.zeros(len(f), dtype=bool)
    rows = np.flatnonzero(mask)
    codes, uniques = _factorize(f["actual"].iloc[rows])
    is_free = np.array([isinstance(u, str) and not _is_missing(u) and is_free_text(u) for u in uniques], bool)
    out = np.zeros(len(f), dtype=bool)
    out[rows] = (codes >= 0) & is_free[np.maximum(codes, 0)] if len(uniques) else False
    op = f["op"].astype(object).to_numpy() if "op" in f else np.full(len(f), None, dtype=object)

    def what(i: int) -> str:
        rule = _RULE_IDS[eff[i]]
        return f"a {op[i]} target" if rule in _OP_OF else f"the `{rule}` rule"
    problems += _problems(f, out, "actual", "unparseable_actual",
                          lambda r: [free_text_message(str(f["actual"].iat[i]), what(i)) for i in r])
    return out


def _ratings(f: pd.DataFrame) -> np.ndarray:
    """Ordinal ratings as written: the ``rating`` column where given, else ``actual``."""
    out = f["actual"].to_numpy(dtype=object) if "actual" in f else np.full(len(f), None, dtype=object)
    if "rating" in f:
        rating = f["rating"].to_numpy(dtype=object)
        out = np.where(pd.isna(rating), out, rating)
    return out


def _bad_rating(f: pd.DataFrame, eff: np.ndarray, ach: np.ndarray) -> np.ndarray:
    """Ordinal rows whose rating is written but not on the scale (reported as errors, not as missing)."""
    ordinal_rows = eff == _RULE_IDS.index("ordinal")
    if not ordinal_rows.any():
        return np.zeros(len(f), dtype=bool)
    return ordinal_rows & np.isnan(ach) & ~pd.isna(_ratings(f))


def _apply(name: str, params: dict, policy: dict, resolved: dict, idx: np.ndarray, tval, aval, sc, pts,
           level, f: pd.DataFrame) -> np.ndarray:
    """Call one rule on the rows ``idx`` with the node's parameters and the call's policy."""
    if name == "positive":
        return positive(aval[idx], tval[idx])
    if name == "equality":
        return equality(aval[idx], tval[idx])
    if name == "reverse":
        formula = policy["reverse"] or params.get("formula", "linear")
        resolved["reverse"] = formula
        return reverse(aval[idx], tval[idx], formula=formula, zero_at=float(params.get("zero_at", 2.0)))
    if name == "qualitative":
        return qualitative(sc[idx], pts[idx], _LEVEL_NAMES[level[idx].astype(np.int64) + 1])
    if name == "evaluator":
        return evaluator(sc[idx], pts[idx])
    if name == "deduction":
        return deduction(aval[idx], pts[idx], per_finding=float(params.get("per_finding", 1.0)))
    if name == "piecewise":
        return piecewise(aval[idx], **{k: params[k] for k in ("bands", "below") if k in params})
    if name == "ordinal":
        return ordinal(_ratings(f)[idx], scale=params.get("scale", "kfw"), levels=params.get("levels"))
    return np.full(len(idx), np.nan)  # "execution" rows were dropped while mapping


def _cap_at_deadline(deadline: Mapping[str, Any], idx: np.ndarray, tval: np.ndarray, f: pd.DataFrame,
                     problems: list[Problem]) -> np.ndarray:
    """Targets of a release-timeliness leaf capped at the statutory deadline (预算法 art. 52,
    :func:`perfeval.scoring.release_deadline`): a target laxer than the law is scored against the law, with a
    ``target_above_deadline`` warning."""
    from ..scoring import release_deadline

    days = float(release_deadline(deadline.get("rule", "local"), deadline.get("transfer", "special")))
    over = np.zeros(len(tval), dtype=bool)
    over[idx] = tval[idx] > days
    if over.any():
        problems += _problems(f, over, "target", "target_above_deadline", lambda rows: [
            f"the target {tval[r]:g} days is above the statutory release deadline of {days:g} days (预算法 art. 52, "
            f"{deadline.get('rule', 'local')}/{deadline.get('transfer', 'special')}); scored against {days:g}"
            for r in rows], "warning")
        tval = np.where(over, days, tval)
    return tval


def _check_numeric(f: pd.DataFrame, numeric: np.ndarray, tval, missing, restated) -> list[Problem]:
    """Missing targets (errors) and missing or non-numeric actuals (warnings)."""
    out: list[Problem] = []
    empty_target = numeric & _target_empty(f)
    out += _problems(f, empty_target, "target", "missing_target",
                     f"the target is empty: the row cannot be scored; {_FILL_TARGET}")
    miss = numeric & missing & ~empty_target & ~np.isnan(tval) & ~restated
    written = np.zeros(len(f), dtype=bool)
    if "actual" in f and miss.any():
        rows = np.flatnonzero(miss)
        written[rows] = [not _is_missing(v) for v in f["actual"].iloc[rows]]
    out += _problems(f, miss & ~written, "actual", "missing_actual", "the actual value is missing; achievement 0",
                     "warning")
    out += _problems(f, miss & written, "actual", "missing_actual", lambda r: [
        f"the actual {f['actual'].iat[i]!r} is not a number for a {f['op'].iat[i]} target; achievement 0"
        for i in r], "warning")
    return out


def _check_points_rules(f: pd.DataFrame, eff, app, sc, pts, level, ach, aval,
                        inferred: np.ndarray | None = None) -> list[Problem]:
    """Qualitative bands, evaluator ranges, deductions and ordinal ratings. A score outside the band of a level
    read from the actual's text (``inferred``) is a warning: the words and the score disagree, the unit's score
    stands (the audit judges it)."""
    out: list[Problem] = []
    qual = (eff == _RULE_IDS.index("qualitative")) & app
    evaluated = (eff == _RULE_IDS.index("evaluator")) & app
    if qual.any():
        lv_missing = qual & (level < 0)
        out += _problems(f, lv_missing, "level", "missing_level", "a qualitative row needs its level (完成等级: "
                                                                  "met / partly / not_met, 达成 / 部分达成 / 未达成)")
    else:
        lv_missing = qual
    scored = (qual | evaluated) & ~np.isnan(sc)
    outside = scored & out_of_range(sc, pts)
    out += _problems(f, outside, "score", "score_out_of_range", lambda r: [band_message(sc[i], pts[i]) for i in r])
    check = np.flatnonzero(qual & ~lv_missing & ~outside & ~np.isnan(sc))
    if len(check):
        names = _LEVEL_NAMES[level[check].astype(np.int64) + 1]
        a = np.where(pts[check] > 0, sc[check] / np.where(pts[check] > 0, pts[check], 1.0), np.nan)
        band = np.zeros(len(f), dtype=bool)
        band[check] = band_violation(names, a)
        soft = band & (inferred if inferred is not None else False)
        out += _problems(f, band & ~soft, "score", "score_outside_band",
                         lambda r: [band_message(sc[i], pts[i], LEVEL_CATEGORIES[level[i]]) for i in r])
        out += _problems(f, soft, "score", "score_outside_band", lambda r: [
            band_message(sc[i], pts[i], LEVEL_CATEGORIES[level[i]]) + " (the level was read from the actual's "
            "words; the score is kept)" for i in r], "warning")
    from_level = qual & ~lv_missing & np.isnan(sc)
    out += _problems(f, from_level, "score", "score_from_level",
                     "no evaluator score: the lower bound of the level's band is used", "warning")
    out += _problems(f, evaluated & np.isnan(sc), "score", "missing_actual", "no score given; achievement 0",
                     "warning")
    neg = (eff == _RULE_IDS.index("deduction")) & app & (aval < 0)
    out += _problems(f, neg, "actual", "negative_findings",
                     lambda r: [f"findings must be >= 0; got {aval[i]:g}" for i in r])
    bad = _bad_rating(f, eff, ach) & app
    out += _problems(f, bad, "actual", "unknown_rating",
                     lambda r: [f"rating {_ratings(f)[i]!r} is not on the node's ordinal scale" for i in r])
    return out


# ---------------------------------------------------------------------------------------------------------------
# execution leaf
# ---------------------------------------------------------------------------------------------------------------
def score_execution(tree: Tree, units: pd.Index, budget: pd.DataFrame | None, denominator: str | None,
                    rows: Rows | None = None) -> Execution:
    """Execution achievement per unit: ``min(executed / denominator, 1)`` (:func:`perfeval.scoring.execution`).

    A unit's execution leaf comes from its budget row. A unit without a budget row (or without a budget table)
    whose observations carry an evaluator's ``node_code, score`` row for the leaf (``rows.judged``) is scored
    from that row instead (``score / points``, flagged ``scored_by_evaluator``) and not reported as
    ``missing_budget``. When both exist the budget decides (the rule on the amounts beats a judgement of them, as
    on every quantitative row): the row's score is kept as ``claimed_score`` and reported
    (``execution_score_ignored``).
    """
    leaves = [int(i) for i in np.flatnonzero(tree.fixed_leaf) if tree.rules[i] == "execution"]
    n = len(units)
    shape = (n, len(leaves))
    if not leaves:
        return Execution([], np.zeros(shape), np.zeros(shape), np.zeros(shape, np.int64), np.full(n, np.nan), None,
                         [])
    den = denominator or tree.params[leaves[0]].get("denominator", "full_year")
    judged = _judged_leaves(rows, leaves, n)
    if budget is None:
        nothing = np.full(shape, np.nan)
        problems = [] if judged.all() else [Problem(
            "budget", "no_budget", "the framework has a budget-execution leaf but no budget table was given: "
            "execution scored 0 (give --budget / `budget`, or a `node_code, score` row for the leaf)", "warning")]
        return Execution(leaves, nothing, nothing.copy(), np.where(judged, 0, FLAG_BITS["missing_budget"]),
                         np.full(n, np.nan), den, problems)
    problems: list[Problem] = []
    column = DENOMINATORS[den]
    where = _budget_file(budget)
    for col in ("unit_id", "executed", column):
        if col not in budget or (len(budget) and budget[col].isna().all()):
            problems.append(Problem(where or "budget", "missing_column",
                                    f"required column `{col}` is missing (or empty) for denominator {den!r}"))
    if problems:
        return Execution(leaves, np.full(shape, np.nan), np.full(shape, np.nan), np.zeros(shape, np.int64),
                         np.full(n, np.nan), den, problems)
    E, D, CL, rows_of = _budget_amounts(budget, units, column, problems)
    has_row = rows_of >= 0
    missing = ~has_row | np.isnan(E) | np.isnan(D)
    zero = ~missing & (D == 0)
    above = ~missing & (D > 0) & (E > D)
    bits = (np.where(zero, FLAG_BITS["zero_budget"], 0) | np.where(above, FLAG_BITS["executed_above_budget"], 0))
    bits = np.where(missing[:, None] & ~judged, FLAG_BITS["missing_budget"], bits[:, None]).astype(np.int64)
    problems += _unit_problems(budget, units, rows_of, missing & ~judged.all(axis=1), "missing_budget", column,
                               "no budget row (or an empty amount) for the unit: execution scored 0")
    if rows is not None and judged.any():
        at_leaf = rows.judged & np.isin(rows.home, leaves) & ~missing[rows.unit]
        problems += _problems(rows.frame, at_leaf, "score", "execution_score_ignored", lambda r: [
            f"unit {units[rows.unit[i]]!r} has a budget row: the execution leaf is scored from the amounts "
            f"(executed / {column}); this score is kept as claimed_score only" for i in r], "warning")
    problems += _unit_problems(budget, units, rows_of, zero, "zero_budget", column,
                               f"`{column}` is 0: execution rate undefined, scored 0")
    problems += _unit_problems(budget, units, rows_of, above, "executed_above_budget", "executed",
                               f"executed exceeds `{column}`: rate capped at 100 %")
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(D > 0, E / np.where(D > 0, D, 1.0), np.nan)
    ach = np.where(missing, np.nan, execution(np.nan_to_num(E), np.nan_to_num(D)))
    return Execution(leaves, np.repeat(ach[:, None], len(leaves), 1), np.repeat(rate[:, None], len(leaves), 1),
                     bits, CL, den, problems)


def _budget_amounts(budget: pd.DataFrame, units: pd.Index, column: str, problems: list[Problem]) -> tuple:
    """Executed, denominator and claimed points per unit (NaN without a row) and each unit's budget row (-1);
    duplicate units, non-numeric and negative amounts are located problems."""
    n = len(units)
    uid = unit_texts(budget["unit_id"])
    dup = uid.duplicated(keep="first").to_numpy()
    problems += _problems(budget, dup, "unit_id", "duplicate_unit",
                          lambda r: [f"unit {uid.iat[i]!r} has more than one budget row; keep one" for i in r])
    e = _numbers(budget, "executed", problems)
    d = _numbers(budget, column, problems)
    for name, vals in (("executed", e), (column, d)):
        problems += _problems(budget, vals < 0, name, "negative_value",
                              lambda r, v=vals, c=name: [f"`{c}` must be >= 0; got {v[i]:g}" for i in r])
    claimed = _numbers(budget, "score", problems) if "score" in budget else np.full(len(budget), np.nan)
    pos = units.get_indexer(uid.to_numpy(dtype=object))
    ok = (pos >= 0) & ~dup
    E, D, CL = (np.full(n, np.nan) for _ in range(3))
    E[pos[ok]], D[pos[ok]], CL[pos[ok]] = e[ok], d[ok], claimed[ok]
    rows_of = np.full(n, -1)
    rows_of[pos[ok]] = np.flatnonzero(ok)
    return E, D, CL, rows_of


def _judged_leaves(rows: Rows | None, leaves: list[int], n_units: int) -> np.ndarray:
    """(unit x execution leaf): True where the unit has an evaluator's ``node_code, score`` row for the leaf."""
    out = np.zeros((n_units, len(leaves)), dtype=bool)
    if rows is None or not rows.judged.any():
        return out
    for j, leaf in enumerate(leaves):
        out[rows.unit[rows.judged & (rows.home == leaf)], j] = True
    return out


def _budget_file(budget: pd.DataFrame) -> str | None:
    """The budget's source file, if it says."""
    if "source_file" in budget and len(budget) and not _is_missing(budget["source_file"].iat[0]):
        return str(budget["source_file"].iat[0])
    return None


def _unit_problems(budget: pd.DataFrame, units: pd.Index, rows_of: np.ndarray, mask: np.ndarray, code: str,
                   column: str, message: str) -> list[Problem]:
    """One located warning per flagged unit: its budget row's cell (``file:row:column`` with the header as
    written), else the unit."""
    flagged = np.flatnonzero(mask)
    if not len(flagged):
        return []
    rows = rows_of[flagged]
    located = iter(_locations(budget, rows[rows >= 0], column))  # one look-up for every flagged unit with a row
    elsewhere = f"{_budget_file(budget) or 'budget'}:unit "
    return [Problem(next(located) if r >= 0 else elsewhere + str(units[u]), code, f"unit {units[u]!r}: {message}",
                    "warning") for u, r in zip(flagged, rows)]
