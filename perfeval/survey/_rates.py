"""Satisfaction rates and scores (private to :mod:`perfeval.survey`): :func:`satisfaction`, :class:`SurveyResult`,
the observations fragment and :func:`merge_observations`."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .._rows import located, with_source
from ..columns import ACTUAL, INDICATOR, UNIT_ID, resolve_columns
from ..errors import InputError, Problem
from ._answers import GROUP, QUESTION, RESPONDENT, WEIGHT, Scale, _scale, coded_answers, read_answers
from ._precision import _confidence, effective_sample_size, t_interval, wilson_interval

__all__ = ["METHODS", "SurveyResult", "satisfaction", "merge_observations"]

#: The two conventions of a satisfaction figure.
METHODS: tuple[str, ...] = ("share", "score")

_COLUMNS = ["n_respondents", "n_valid", "n_unknown", "n_blank", "value", "low", "high", "n_eff", "interval"]


@dataclass(frozen=True)
class SurveyResult:
    """Satisfaction per project and question or indicator (returned by :func:`satisfaction`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per ``unit_id`` (and ``group`` when grouped) and ``question`` or ``indicator``:
        ``n_respondents`` (questionnaires with any answer to it), ``n_valid`` (respondents with an opinion),
        ``n_unknown`` (不清楚 ...), ``n_blank``, ``value`` (satisfaction rate in percent for ``share``; mean
        score on 0-100 for ``score``), ``low``, ``high`` (the interval, same unit), ``n_eff`` (Kish's effective
        sample size; ``n_valid`` without weights), ``interval`` (``wilson`` or ``t``).
    method : str
    by : str
        ``question`` or ``indicator``.
    policy : mapping
        Every choice made: method, scale(s), satisfied answers, level scores, confidence, weights column, groups.
    """

    table: pd.DataFrame
    method: str
    by: str
    policy: Mapping[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The table (see :attr:`table`)."""
        return self.table

    def to_observations(self) -> pd.DataFrame:
        """The observations fragment: ``unit_id, indicator, actual, unit, n, interval, interval_low,
        interval_high, survey_method``.

        ``actual`` is the rate in percent (``share``; ``unit`` = ``%``) or the mean score (``score``; ``unit`` =
        ``分``); ``n`` the valid respondents; ``interval`` the bounds as text (``"[78.12, 88.30]"``, two
        decimals, for display) next to their exact values. Merge it into a project's observations with
        :func:`merge_observations`, so that the 满意度 rows are scored from the survey.

        Raises
        ------
        ValueError
            When the result is per question (map questions to indicators first) or per group.
        """
        if self.by != "indicator":
            raise ValueError("the observations fragment needs indicator values: call satisfaction(..., "
                             "mapping=...) so that questions are mapped to 满意度 indicators.")
        if GROUP in self.table:
            raise ValueError("the observations fragment takes one value per project and indicator: call "
                             "satisfaction() without `group`.")
        t = self.table
        return pd.DataFrame({
            UNIT_ID: t[UNIT_ID], INDICATOR: t[INDICATOR], ACTUAL: t["value"],
            "unit": "%" if self.method == "share" else "分", "n": t["n_valid"],
            "interval": [f"[{lo:.2f}, {hi:.2f}]" if not math.isnan(lo) else "" for lo, hi in zip(t["low"], t["high"])],
            "interval_low": t["low"], "interval_high": t["high"], "survey_method": self.method})

    def _repr_html_(self) -> str:
        from .._html import frame_html

        head = (f"<p><b>SurveyResult</b>: {self.method} by {self.by}, {len(self.table)} row(s); confidence "
                f"{self.policy.get('confidence')}</p>")
        return head + frame_html(self.table, source=".table")

    def __repr__(self) -> str:
        return f"SurveyResult(method={self.method!r}, by={self.by!r}, rows={len(self.table)})"


def _mapping_table(mapping: pd.DataFrame | Mapping[str, str] | str | Path) -> pd.DataFrame:
    aliases = {QUESTION: ("题目", "题号", "问题"), INDICATOR: ("三级指标", "指标名称", "满意度指标"),
               UNIT_ID: ("项目编码", "单位编码")}
    if isinstance(mapping, (str, Path)):
        from ..io import read_table

        frame = read_table(mapping, aliases, [QUESTION, INDICATOR], kind="question mapping")
    elif isinstance(mapping, pd.DataFrame):
        frame = with_source(mapping.rename(columns=resolve_columns(mapping.columns, aliases)), "mapping")
    elif isinstance(mapping, Mapping):
        frame = with_source(pd.DataFrame({QUESTION: list(mapping), INDICATOR: list(mapping.values())}), "mapping")
    else:
        raise TypeError(f"`mapping` must be a DataFrame, a dict question -> indicator or a file path; got "
                        f"{type(mapping).__name__}.")
    missing = [c for c in (QUESTION, INDICATOR) if c not in frame]
    if missing:
        raise InputError.single("mapping", "missing_column",
                                f"`mapping` needs the columns question and indicator (题目, 三级指标); missing "
                                f"{missing}.")
    for col in [QUESTION, INDICATOR, *([UNIT_ID] if UNIT_ID in frame else [])]:
        frame[col] = frame[col].map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v))
                                    else str(v).strip())
    keys = [UNIT_ID, QUESTION] if UNIT_ID in frame else [QUESTION]
    dup = np.flatnonzero(frame.duplicated(keys).to_numpy())
    problems = located(frame, dup, QUESTION, "duplicate_question",
                       lambda i: f"question {frame[QUESTION].iat[i]!r} is mapped twice")
    if problems:
        raise InputError(problems=problems)
    return frame


def satisfaction(answers: pd.DataFrame | str | Path, *, method: str, scale: str | Scale = "labels",
                 scales: Mapping[str, str | Scale] | None = None, satisfied: Iterable[Any] | None = None,
                 level_scores: Mapping[Any, float] | None = None,
                 mapping: pd.DataFrame | Mapping[str, str] | str | Path | None = None, group: str | None = None,
                 weights: str | None = None, units: Iterable[str] | None = None, confidence: float = 0.95,
                 questions: Sequence[str] | None = None) -> SurveyResult:
    r"""Satisfaction per project and question (or 满意度 indicator), by an explicitly chosen convention.

    Parameters
    ----------
    answers : DataFrame or path
        See :func:`read_answers` (long or wide; answers as written: 非常满意 … 非常不满意, 1-5 or 1-10 codes,
        blanks, 不清楚; option letters such as ``A.非常满意`` and full-width characters accepted).
    method : {"share", "score"}
        Required, no default: the two conventions give different numbers for the same answers.
        ``share``: satisfied answers over valid answers, in percent (满意人数 / 有效样本数 × 100 %);
        ``score``: mean of the level scores (e.g. 100 / 80 / 60 / 40 / 20), on 0-100.
    scale : str or Scale, default "labels"
        The scale of every question (``labels``: 非常满意 / 满意 / 比较满意 / 一般 / 不满意 / 非常不满意;
        ``labels5``: without 比较满意; ``1-5``; ``1-10``), see :data:`SCALES`.
    scales : mapping, optional
        question -> scale, for questionnaires that mix scales.
    satisfied : iterable, optional
        Answers counted as satisfied (``share``). Default: the scale's (``labels``: 非常满意, 满意, 比较满意;
        ``labels5``: 非常满意, 满意; ``1-5``: 5, 4); the ``1-10`` scale has no usual choice and needs it.
    level_scores : mapping, optional
        Level -> score (``score``). Default :math:`100 (k - i) / k` for the i-th best of k levels.
    mapping : DataFrame, dict or path, optional
        question -> indicator (columns ``question, indicator`` and optionally ``unit_id`` for project-specific
        questions): then one row per 满意度 indicator instead of per question. Every question answered must be
        mapped (an unmapped one is a located ``unmapped_question``).
    group : str, optional
        A respondent-group column (e.g. 受访者类别): one row per group as well.
    weights : str, optional
        A design-weight column (e.g. :math:`N_h / n_h` of a stratified sample). Estimates are weighted means
        (Hájek); intervals use Kish's effective sample size.
    units : iterable of str, optional
        The projects surveyed: a questionnaire for another one is a located ``unknown_unit``.
    confidence : float, default 0.95
    questions : sequence of str, optional
        The question columns of a wide table.

    Returns
    -------
    SurveyResult

    Raises
    ------
    InputError
        Every bad answer at once, located ``file:row:column`` (never dropped silently): ``unknown_answer``,
        ``out_of_scale``, ``duplicate_answer``, ``respondent_two_units``, ``unknown_unit``, ``missing_value``,
        ``bad_weight``, ``inconsistent_weight``, ``inconsistent_group``, ``unmapped_question``.
    ValueError
        An unknown method or scale, ``satisfied`` or ``level_scores`` naming answers not on the scale, a
        ``1-10`` share without ``satisfied``.

    Notes
    -----
    Each respondent contributes one value per row of the table: per question, 1 (satisfied) or 0, or the level
    score; per indicator, the mean of those over the indicator's questions the respondent answered with an
    opinion. Blank and 不清楚 answers are counted (``n_blank``, ``n_unknown``) and left out of the base.
    With weights :math:`w_r`, the value is :math:`\sum_r w_r x_r / \sum_r w_r` and
    :math:`n_{eff} = (\sum w_r)^2 / \sum w_r^2`.

    Intervals: for a rate whose respondent values are all 0 or 1, the Wilson interval with :math:`n_{eff}`
    (:func:`wilson_interval`); otherwise (scores, or an indicator pooling several questions) the t interval of
    :func:`t_interval`, so respondents, not answers, are the sampling units.

    Examples
    --------
    >>> import pandas as pd
    >>> from perfeval.survey import satisfaction
    >>> answers = pd.DataFrame({"问卷编号": range(1, 11), "项目编码": "0010003",
    ...                         "Q1": ["非常满意"] * 4 + ["满意"] * 3 + ["一般", "不满意", "不清楚"]})
    >>> res = satisfaction(answers, method="share")
    >>> res.table[["question", "n_valid", "n_unknown", "value"]].round(2).to_dict("records")
    [{'question': 'Q1', 'n_valid': 9, 'n_unknown': 1, 'value': 77.78}]
    """
    if method not in METHODS:
        raise ValueError(f"`method` must be one of {METHODS} (share of satisfied answers, or weighted score); "
                         f"got {method!r}.")
    _confidence(confidence)
    default = _scale(scale)
    per_question = {str(q): _scale(s) for q, s in (scales or {}).items()}
    used = {default.name: default, **{s.name: s for s in per_question.values()}}
    sat_sets, score_maps = _conventions(method, used, satisfied, level_scores)   # argument errors before reading
    long = read_answers(answers, questions=questions, group=group, weights=weights)
    if weights is not None and WEIGHT not in long:
        raise InputError.single("answers", "missing_column", "`weights` was given but the answers have no weight "
                                                             "column (weight / 权重)")
    if group is not None and GROUP not in long:
        raise InputError.single("answers", "missing_column", "`group` was given but the answers have no group "
                                                             "column (group / 受访者类别)")
    coded = coded_answers(long, per_question, default, units=units, weights=weights is not None,
                          group=group is not None)
    scale_of = coded[QUESTION].map(lambda q: per_question.get(q, default).name)
    valid = coded["status"].eq("valid").to_numpy()
    x = np.full(len(coded), np.nan)
    for name in used:
        rows = valid & scale_of.eq(name).to_numpy()
        if method == "share":
            x[rows] = coded.loc[rows, "level"].isin(sat_sets[name]).to_numpy(dtype=float)
        else:
            x[rows] = coded.loc[rows, "level"].map(score_maps[name]).to_numpy(dtype=float)
    coded["x"] = x
    by = QUESTION
    if mapping is not None:
        coded = _map_questions(coded, _mapping_table(mapping))
        by = INDICATOR
    keys = [UNIT_ID, *([GROUP] if group is not None else []), by]
    rows = []
    for key, part in coded.groupby(keys, sort=False):
        resp = part.groupby(RESPONDENT, sort=False).agg(x=("x", "mean"), w=("w", "first"),
                                                        valid=("status", lambda s: (s == "valid").any()),
                                                        unknown=("status", lambda s: (s == "unknown").any()),
                                                        blank=("status", lambda s: (s == "blank").all()))
        ok = resp[resp["valid"]]
        n_unknown = int((~resp["valid"] & resp["unknown"]).sum())
        n_blank = int((~resp["valid"] & ~resp["unknown"]).sum())
        values, w = ok["x"].to_numpy(dtype=float), ok["w"].to_numpy(dtype=float)
        n_eff = effective_sample_size(w)
        binary = method == "share" and bool(np.all((values == 0) | (values == 1)))
        if len(values) == 0:
            value, low, high, kind = math.nan, math.nan, math.nan, ""
        elif binary:
            p = float(np.sum(w * values) / np.sum(w))
            low, high = wilson_interval(p * n_eff, n_eff, confidence)
            value, low, high, kind = 100 * p, 100 * low, 100 * high, "wilson"
        else:
            value, low, high = t_interval(values, w, confidence)
            scale_by = 100.0 if method == "share" else 1.0
            value, low, high, kind = value * scale_by, low * scale_by, high * scale_by, "t"
        rows.append({**dict(zip(keys, key if isinstance(key, tuple) else (key,))), "n_respondents": len(resp),
                     "n_valid": len(ok), "n_unknown": n_unknown, "n_blank": n_blank, "value": value, "low": low,
                     "high": high, "n_eff": n_eff, "interval": kind})
    table = pd.DataFrame(rows, columns=[*keys, *_COLUMNS])
    policy = {"method": method, "scale": default.name, "scales": {q: s.name for q, s in per_question.items()},
              "satisfied": {k: sorted(v) for k, v in sat_sets.items()} if method == "share" else None,
              "level_scores": score_maps if method == "score" else None, "confidence": confidence,
              "weights": weights, "group": group, "by": by}
    return SurveyResult(table=table, method=method, by=by, policy=MappingProxyType(policy))


def _conventions(method: str, used: Mapping[str, Scale], satisfied: Iterable[Any] | None,
                 level_scores: Mapping[Any, float] | None) -> tuple[dict[str, frozenset], dict[str, dict]]:
    """Satisfied sets and level scores per scale, checked against the scale's levels."""
    sat_sets: dict[str, frozenset] = {}
    score_maps: dict[str, dict[str, float]] = {}
    for name, sc in used.items():
        if method == "share":
            if satisfied is None:
                if sc.satisfied is None:
                    raise ValueError(f"the {name} scale has no usual 'satisfied' set: pass `satisfied=` (e.g. "
                                     "satisfied=range(7, 11) for 7-10).")
                sat_sets[name] = frozenset(sc.satisfied)
            else:
                chosen = {sc.code(_norm_level(a)) for a in satisfied}
                unknown = [a for a in satisfied if sc.code(_norm_level(a)) is None]
                if unknown:
                    raise ValueError(f"`satisfied` must name answers of the {name} scale ({', '.join(sc.levels)}); "
                                     f"got {unknown!r}.")
                sat_sets[name] = frozenset(chosen)
        else:
            if level_scores is None:
                score_maps[name] = sc.default_scores
            else:
                scores = {sc.code(_norm_level(k)): float(v) for k, v in level_scores.items()}
                if None in scores or set(scores) != set(sc.levels):
                    raise ValueError(f"`level_scores` must give a score to every level of the {name} scale "
                                     f"({', '.join(sc.levels)}) and nothing else; got {list(level_scores)!r}.")
                score_maps[name] = {lv: scores[lv] for lv in sc.levels}
    return sat_sets, score_maps


def _norm_level(value: Any) -> str:
    from ._answers import _normalise

    return _normalise(value)


def _map_questions(coded: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    if UNIT_ID in table and table[UNIT_ID].ne("").any():
        specific = {(u, q): ind for u, q, ind in zip(table[UNIT_ID], table[QUESTION], table[INDICATOR]) if u}
        general = {q: ind for u, q, ind in zip(table[UNIT_ID], table[QUESTION], table[INDICATOR]) if not u}
    else:
        specific, general = {}, dict(zip(table[QUESTION], table[INDICATOR]))
    indicator = [specific.get((u, q), general.get(q)) for u, q in zip(coded[UNIT_ID], coded[QUESTION])]
    bad = [i for i, ind in enumerate(indicator) if ind is None]
    if bad:
        from ._answers import _where

        raise InputError(problems=[Problem(_where(coded, i), "unmapped_question",
                                           f"question {coded[QUESTION].iat[i]!r} of project "
                                           f"{coded[UNIT_ID].iat[i]!r} is not mapped to an indicator")
                                   for i in bad])
    out = coded.copy()
    out[INDICATOR] = indicator
    return out


def merge_observations(observations: pd.DataFrame, fragment: pd.DataFrame) -> pd.DataFrame:
    """Observations with the 满意度 rows' ``actual`` taken from a survey fragment (:meth:`SurveyResult.to_observations`).

    Each fragment row replaces ``actual`` (and ``unit``) of the one observation row with the same ``unit_id``
    and ``indicator`` (name or ``indicator_code``), and adds ``survey_n`` and ``survey_interval`` to it. The
    actual is written as text at full precision (``"83.870967742%"``) so that :func:`perfeval.score` parses it
    like a typed value. The input frames are not modified.

    Raises
    ------
    InputError
        ``no_matching_row`` (a fragment row without its observation) and ``ambiguous_row`` (several),
        located at the fragment's row.
    """
    for name, frame in (("observations", observations), ("fragment", fragment)):
        missing = [c for c in (UNIT_ID, INDICATOR) if c not in frame]
        if missing or (name == "fragment" and ACTUAL not in frame):
            raise InputError.single(name, "missing_column", f"`{name}` needs unit_id, indicator"
                                                            f"{', actual' if name == 'fragment' else ''}; missing "
                                                            f"{missing or [ACTUAL]}.")
    frag = with_source(fragment, "fragment")
    out = observations.copy()
    units = out[UNIT_ID].astype(str).to_numpy()
    names = out[INDICATOR].astype(str).to_numpy()
    codes = out["indicator_code"].astype(str).to_numpy() if "indicator_code" in out else np.full(len(out), "")
    problems: list[Problem] = []
    for col in ("survey_n", "survey_interval"):
        if col not in out:
            out[col] = pd.Series([pd.NA] * len(out), dtype="object", index=out.index)
    for i in range(len(frag)):
        u, ind = str(frag[UNIT_ID].iat[i]), str(frag[INDICATOR].iat[i])
        hits = np.flatnonzero((units == u) & ((names == ind) | (codes == ind)))
        if len(hits) != 1:
            problems += located(frag, [i], INDICATOR, "no_matching_row" if not len(hits) else "ambiguous_row",
                                f"project {u!r} has {'no' if not len(hits) else len(hits)} observation row(s) for "
                                f"indicator {ind!r}")
            continue
        value = float(frag[ACTUAL].iat[i])
        unit = str(frag["unit"].iat[i]) if "unit" in frag else "%"
        label = out.index[hits[0]]
        text = "" if math.isnan(value) else np.format_float_positional(round(value, 9), trim="-")
        out.at[label, ACTUAL] = text + ("%" if unit == "%" and text else "")
        if "unit" in out:
            out.at[label, "unit"] = unit
        out.at[label, "survey_n"] = frag["n"].iat[i] if "n" in frag else pd.NA
        out.at[label, "survey_interval"] = frag["interval"].iat[i] if "interval" in frag else pd.NA
    if problems:
        raise InputError(problems=problems)
    return out
