"""The standardization audit of self-evaluation forms (规范性审核): recompute every row and total by the rules.

:func:`audit` scores the units' own reported values with :func:`perfeval.score` (the rules of
:mod:`perfeval.scoring`, never re-implemented here), compares the result with what the units claimed, row by row,
for the funds block and for the total, and lists every departure from the rules in the vocabulary of
:data:`FINDINGS` (``code, level, severity, meaning, source``; :func:`findings_table`).
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..aggregate import score
from ..aggregate._core import detect_framework
from ..aggregate._matching import points_off_total, unit_text
from ..library._schema import cost_ge_allowed
from ..columns import UNIT_ID
from .._rows import header_as_written, row_locations, with_source
from ..errors import InputError, PerfevalWarning, Problem, format_location
from ..framework import Framework, load_framework
from ..scoring import (DENOMINATORS, EDGE_TOL, QUALITATIVE_BANDS, band_level, band_message, band_violation,
                       out_of_range)
from ..targets import parse_observations
from ._findings import FINDINGS, SEVERITIES, findings_table
from ._inputs import claimed_totals as claimed_total_series

__all__ = ["audit", "AuditResult", "FINDINGS", "findings_table", "SPENDING_WORDS", "SAVING_WORDS"]

#: Indicator-name words that make an output indicator "about spending" (``double_counted_execution``).
SPENDING_WORDS: tuple[str, ...] = ("预算执行", "资金支出", "支出进度", "资金执行", "执行进度", "执行率", "资金拨付",
                                   "拨付进度", "支出率")
#: Indicator-name words of a cost *saving* (节约率, 降低率 ...): higher is better, so ≥ is the right operator and
#: such a row is not ``cost_indicator_ge``.
SAVING_WORDS: tuple[str, ...] = ("节约", "节省", "降低", "下降", "压减", "降幅")
_FINDING_COLUMNS = ["unit_id", "row", "indicator", "code", "severity", "claimed", "expected", "message", "location"]


@dataclass(frozen=True)
class AuditResult:
    """What the standardization audit found (returned by :func:`audit`).

    Attributes
    ----------
    findings : pandas.DataFrame
        One row per finding: ``unit_id``, ``row`` (Int64: the spreadsheet row of the indicator or funds line;
        ``<NA>`` for a unit-level finding without one), ``indicator`` ("" for unit-level findings), ``code`` (:data:`FINDINGS`),
        ``severity`` (``high`` / ``medium`` / ``low``), ``claimed`` (what the unit wrote), ``expected`` (what the
        rule gives), ``message``, ``location`` (``file:row:column``). Sorted by unit, then row.
    units : pandas.DataFrame
        One row per unit: ``unit_id, claimed_total`` (总分 as written, NaN when not given), ``claimed_sum``
        (claimed execution points + claimed indicator scores as written, not rescaled), ``expected_total`` (by
        the rules),
        ``difference`` (``claimed_total - expected_total``), ``claimed_grade``, ``expected_grade`` (on the
        framework's bands), ``n_findings``, ``worst`` (the most serious severity found, "" when none).
    scores : ScoreResult
        The recomputation (:func:`perfeval.score` of the audited rows, see :func:`audit` Notes).
    problems : tuple of Problem
        Problems :func:`perfeval.score` flagged while recomputing (warnings; not findings).
    framework : str
    tolerance : float
    """

    findings: pd.DataFrame
    units: pd.DataFrame
    scores: Any
    problems: tuple[Problem, ...]
    framework: str
    tolerance: float

    def to_frame(self) -> pd.DataFrame:
        """The findings (see :attr:`findings`)."""
        return self.findings

    def counts(self) -> pd.DataFrame:
        """Findings per code: ``code, severity, n_findings, n_units``, in vocabulary order (codes found only)."""
        f = self.findings
        order = {c: i for i, c in enumerate(FINDINGS)}
        out = f.groupby("code").agg(n_findings=("code", "size"), n_units=(UNIT_ID, "nunique")).reset_index()
        out.insert(1, "severity", out["code"].map(lambda c: FINDINGS[c].severity))
        return out.sort_values("code", key=lambda s: s.map(order)).reset_index(drop=True)

    def _repr_html_(self) -> str:
        head = (f"<p><b>AuditResult</b> ({self.framework}): {len(self.units)} units, {len(self.findings)} findings "
                f"in {int((self.units['n_findings'] > 0).sum())} units.</p>")
        return head + self.counts().to_html(index=False) + self.findings.head(30).to_html(index=False, na_rep="")

    def __repr__(self) -> str:
        return (f"AuditResult(framework={self.framework!r}, units={len(self.units)}, findings={len(self.findings)}, "
                f"units_with_findings={int((self.units['n_findings'] > 0).sum())})")


# ---------------------------------------------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------------------------------------------
def _inputs(observations: Any, budget: Any) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Observations and budget frames from frames, forms, a path (file or directory) or a list of forms."""
    from ..io import SelfEvalForm, is_selfeval_form, read_budget, read_observations

    if isinstance(observations, SelfEvalForm):
        observations = [observations]
    if isinstance(observations, (list, tuple)) and observations and all(
            isinstance(f, SelfEvalForm) for f in observations):
        obs = pd.concat([f.observations for f in observations], ignore_index=True)
        if budget is None:
            budget = pd.concat([f.budget for f in observations], ignore_index=True)
        return obs, budget
    if isinstance(observations, (str, Path)):
        path = Path(observations)
        obs = read_observations(path)
        if budget is None and (path.is_dir() or is_selfeval_form(path)):
            try:
                budget = read_budget(path)
            except InputError as err:
                if not (err.problems and all(p.code == "no_input_files" for p in err.problems)):
                    raise
        return obs, budget if budget is None or isinstance(budget, pd.DataFrame) else read_budget(budget)
    if not isinstance(observations, pd.DataFrame):
        raise TypeError("`observations` must be a DataFrame, a SelfEvalForm (or a list of them) or a path; got "
                        f"{type(observations).__name__}.")
    if budget is not None and not isinstance(budget, pd.DataFrame):
        budget = read_budget(budget)
    return observations, budget


def _claimed_totals(claimed_totals: Any, budget: pd.DataFrame | None) -> pd.Series:
    """Claimed totals by unit: the argument, else the budget table's ``claimed_total`` (总分 of the forms)."""
    if claimed_totals is None:
        if budget is not None and "claimed_total" in budget:
            return pd.Series(pd.to_numeric(budget["claimed_total"], errors="coerce").to_numpy(dtype=float),
                             index=budget[UNIT_ID].map(unit_text).to_numpy())
        return pd.Series(dtype=float)
    return claimed_total_series(claimed_totals)


def _prepare(obs: pd.DataFrame) -> pd.DataFrame:
    """A copy with unique (source_file, source_row) keys, which locate every finding and map rows back, and unit
    ids as the engine reads them (:func:`perfeval.aggregate._matching.unit_text`: 1001.0 is "1001")."""
    f = with_source(obs, "observations")
    f["source_file"] = f["source_file"].fillna("observations").astype(str)
    if f[["source_file", "source_row"]].duplicated().any() or f["source_row"].isna().any():
        f["source_file"] = "observations"
        f["source_row"] = np.arange(len(f), dtype=np.int64) + 2
    f["source_row"] = f["source_row"].astype(np.int64)
    f[UNIT_ID] = f[UNIT_ID].map(unit_text)
    for col, default in (("applicable", True), ("score", np.nan), ("note", None), ("l1", None), ("l2", None),
                         ("points", np.nan)):
        if col not in f:
            f[col] = default
    f["applicable"] = f["applicable"].fillna(True).astype(bool)
    return f


# ---------------------------------------------------------------------------------------------------------------
# audit
# ---------------------------------------------------------------------------------------------------------------
def audit(observations: Any, budget: pd.DataFrame | str | Path | None = None,
          framework: Framework | str = "project_self", claimed_totals: Any = None, *, tolerance: float = 0.01,
          over_achievement: float = 1.3, spending_words: Sequence[str] = SPENDING_WORDS,
          denominator: str | None = None, reverse: str | None = None) -> AuditResult:
    r"""Audit self-evaluations against the scoring rules: recompute every row and total and list what differs.

    Parameters
    ----------
    observations : DataFrame, SelfEvalForm, list of SelfEvalForm, or path
        The units' indicator rows with their claimed scores (``score``: 得分), as :func:`perfeval.read_observations`
        returns them; a filled standard form (:func:`perfeval.read_selfeval_form`) or a list of them; or a path
        to a table, a form (XLSX) or a directory of them, read with the :mod:`perfeval.io` readers.
    budget : DataFrame or path, optional
        The funds block (:func:`perfeval.read_budget`): ``budget_full_year``, ``executed``, ``score`` (claimed
        execution points) and ``claimed_total`` (总分). Forms carry their own; a directory is searched for
        ``budget*`` tables and forms.
    framework : Framework or str
        The self-evaluation framework (default ``project_self``: execution 10 + indicators 90).
    claimed_totals : DataFrame, Series or mapping, optional
        Claimed totals by unit (``unit_id, claimed_total``); default the budget table's ``claimed_total``.
    tolerance : float
        Largest difference between a claim and the rule's value that is not a finding (default 0.01 point:
        PMKPI rounds scores to 2 decimals).
    over_achievement : float
        Ratio actual / target (target / actual for ``<=``) from which a row needs an explanation (1.3).
    spending_words : sequence of str
        Words that make an output indicator "about spending" (:data:`SPENDING_WORDS`).
    denominator, reverse : str, optional
        Passed to :func:`perfeval.score` (execution-rate denominator, reverse-indicator formula).

    Returns
    -------
    AuditResult
        ``findings`` (unit_id, row, indicator, code, severity, claimed, expected, message, location), ``units``
        (claimed_total, expected_total, difference ...), ``scores`` (the recomputation), ``problems``.

    Raises
    ------
    InputError
        Input that cannot be scored at all (unparseable targets, unknown first-level indicators, a qualitative
        row with neither level nor score ...), every problem located, as :func:`perfeval.score` raises them.
    ValueError
        ``tolerance`` negative, ``over_achievement`` not above 1.

    Notes
    -----
    The recomputation is :func:`perfeval.score` on the units' rows after four documented adjustments, each of
    which is itself a finding: a row with an empty target (``missing_target``) is left out, so it scores 0; a cost
    row written with ≥ (``cost_indicator_ge``) is re-scored with ≤ (the operator the rule requires); a
    qualitative score outside its level's band (``score_out_of_band``) is replaced by the band's lower bound (as
    :func:`perfeval.score` reads a level without a valid score), or by the full points for a ``met`` row claimed
    above them; a qualitative row without a level gets the level whose band holds its score. An actual that
    restates the target scores 0 (``actual_restates_target``, PMKPI scores an empty actual 0), and so does an
    empty actual on a row with a target and no level (``not_reported``: nothing was reported, which is not a
    missed target, so it is named for what it is rather than as a score differing from the rule). Row claims are
    classified, when :math:`|c - e| > \text{tolerance}` with :math:`e = a w` the rule's achievement times the
    row's own points: ``met_underscored`` (:math:`a = 1`, :math:`c < w`), ``unmet_full_score`` (:math:`a < 1`,
    :math:`c = w`), else ``score_differs_from_rule``. Rows are compared on their own points: not-applicable rows
    rescale the applicable total to 100 (domain.md §5.3 rule 6), not the rows. Execution points:
    :math:`10 \min(e/b, 1)`, likewise on its own 10 points; a claim equal to the rounded or truncated value is named
    so in the message. Totals: ``total_not_sum_of_rows`` compares 总分 with what the unit itself can add up from
    its form, :math:`S = \sum_i c_i + c_e` (the claimed row scores as written, a blank not-applicable row counting
    0, plus the claimed execution points, not rescaled). When rows are not applicable, a total the unit can
    have reached by rescaling is accepted too: :math:`S \cdot T / (T - w_{NA})` (rule 6 applied to the total:
    :math:`T` the framework's total, :math:`w_{NA}` the points of the not-applicable rows) or the claims carried
    as the scoring rules carry them (the N/A points passed to the siblings); the finding stands at the 总分 cell
    of the form (``file:row:column``; the budget table's 总分 cell for tables) with ``expected`` :math:`S`.
    ``units.difference`` compares 总分 with the recomputed total.
    ``points_not_total`` and ``executed_above_budget`` are the engine's own checks (``points_sum`` on the unit's
    indicator rows as written, the rows left out included; the execution leaf's flag), and the qualitative bands
    and ranges are those of :func:`perfeval.scoring.band_level` / :func:`~perfeval.scoring.out_of_range`. Unit ids
    are read as the engine reads them (1001.0 is unit ``"1001"``).

    The vocabulary, with severities and sources (PMKPI, Pidu, MOF-10, inference), is :data:`FINDINGS`
    (:func:`findings_table`).

    References
    ----------
    .. [1] 财政部《项目支出绩效评价管理办法》(财预〔2020〕10号), arts. 14-15.
    .. [2] PMKPI: ``selfpositiveindex``, ``selfreverseindex``, ``selfqualscorecheck``, ``selfscoreproject``
       (domain.md §5.3, §5.6).
    .. [3] Chengdu Pidu 2025 self-evaluation re-check finding sheet, PIDU#58030075274 (domain.md §5.6).

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample()
    >>> res = audit(data.observations, data.budget)
    >>> "all_full_marks" in set(res.findings["code"])
    True
    """
    if not (isinstance(tolerance, (int, float)) and tolerance >= 0):
        raise ValueError(f"`tolerance` must be a number >= 0; got {tolerance!r}.")
    if not (isinstance(over_achievement, (int, float)) and over_achievement > 1):
        raise ValueError(f"`over_achievement` must be a number > 1 (1.3 = 130 %); got {over_achievement!r}.")
    obs, budget = _inputs(observations, budget)
    fw = load_framework(detect_framework(framework, obs))  # project_self -> project_self_2021 for 2021 forms
    totals_claimed = _claimed_totals(claimed_totals, budget)
    f = _prepare(obs)
    parsed, parse_problems = parse_observations(f)
    errors = [p for p in parse_problems if p.severity == "error"]
    if errors:
        raise InputError(problems=errors)
    findings: list[dict] = []
    sanitized, dropped, band_rows = _sanitize(f, parsed)
    with warnings.catch_warnings(record=True):  # score()'s problems are kept in AuditResult.problems
        warnings.simplefilter("always", PerfevalWarning)
        res = score(fw, sanitized, budget, denominator=denominator, reverse=reverse,
                    over_achievement=over_achievement, points_policy="as_given")  # claims are on the written points
    rows = _row_results(res, f)
    _row_findings(f, parsed, rows, dropped, band_rows, findings, tolerance, spending_words, res)
    units = _unit_findings(f, res, rows, budget, totals_claimed, fw, findings, tolerance)
    table = pd.DataFrame(findings, columns=_FINDING_COLUMNS)
    table["row"] = table["row"].astype("Int64")
    order = {c: i for i, c in enumerate(FINDINGS)}
    table = table.assign(_r=table["row"].fillna(-1), _c=table["code"].map(order)).sort_values(
        [UNIT_ID, "_r", "_c"], kind="stable").drop(columns=["_r", "_c"]).reset_index(drop=True)
    counts = table.groupby(UNIT_ID).size()
    units["n_findings"] = counts.reindex(units[UNIT_ID]).fillna(0).astype(np.int64).to_numpy()
    sev = table.assign(_s=table["severity"].map({s: i for i, s in enumerate(SEVERITIES)})).groupby(UNIT_ID)["_s"].min()
    units["worst"] = sev.reindex(units[UNIT_ID]).map(lambda i: "" if pd.isna(i) else SEVERITIES[int(i)]).to_numpy()
    return AuditResult(table, units, res, tuple(res.problems), fw.name, float(tolerance))


def _finding(findings: list[dict], f: pd.DataFrame | None, i: int | None, unit: str, code: str, claimed: float,
             expected: float, message: str, column: str = "score", location: str | None = None,
             row: float = np.nan) -> None:
    """Append one finding; a row finding (``f``, ``i``) is located by its row, a unit finding by ``location``."""
    indicator = ""
    if f is not None and i is not None:
        row = int(f["source_row"].iat[i])
        location = row_locations(f, [i], column)[0]
        indicator = str(f["indicator"].iat[i]) if "indicator" in f else ""
    findings.append({"unit_id": unit, "row": row, "indicator": indicator, "code": code,
                     "severity": FINDINGS[code].severity, "claimed": float(claimed), "expected": float(expected),
                     "message": message, "location": location or f"unit {unit}"})


def _cost_ge(f: pd.DataFrame, op: np.ndarray) -> np.ndarray:
    """Cost rows (first or second level 成本...) where the unit wrote ≥ (in the op column or the target text),
    except rates of a saving (成本节约率 ≥5 % is right). A bare cost target (``75元``) is read as ≤
    (:func:`perfeval.targets.parse_observations`, ``bare_cost_op``), so only comparators actually written count."""
    level = f["l2"].fillna("").astype(str) + "|" + (f["l1"].fillna("").astype(str) if "l1" in f else "")
    cost = level.str.contains("成本").to_numpy() & (op == ">=")
    saving = f["indicator"].fillna("").astype(str).str.contains("|".join(SAVING_WORDS)).to_numpy()
    minimum = f["indicator"].map(cost_ge_allowed).to_numpy(dtype=bool)  # 最低标准, 基准定额: >= is right
    return cost & ~saving & ~minimum


def _sanitize(f: pd.DataFrame, parsed: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, dict[int, float]]:
    """The rows :func:`perfeval.score` recomputes (see :func:`audit` Notes); returns the dropped rows and the
    expected score of out-of-band qualitative rows."""
    out = f.copy()
    n = len(f)
    app = f["applicable"].to_numpy(dtype=bool)
    op = parsed["op"].astype(object).to_numpy()
    target_text = f["target"] if "target" in f else pd.Series([None] * n)
    empty = target_text.isna().to_numpy() | (target_text.astype(str).str.strip() == "").to_numpy()
    flags = parsed["parse_flags"].astype(str) if "parse_flags" in parsed else pd.Series([""] * n)
    in_name = flags.str.split(";").apply(lambda parts: "target_in_name" in parts).to_numpy(dtype=bool)
    dropped = empty & app & (op != "qualitative") & ~in_name  # a target written in the name is a target
    cost = _cost_ge(f, op) & app
    tv = parsed["target_value"].to_numpy(dtype=float)
    unit = parsed["target_unit"].astype(object).fillna("").to_numpy()
    for i in np.flatnonzero(cost & ~np.isnan(tv)):
        out.iat[i, out.columns.get_loc("target")] = f"<={np.format_float_positional(tv[i], trim='-')}{unit[i]}"
        if "op" in out:
            out.iat[i, out.columns.get_loc("op")] = "<="
    qual = (op == "qualitative") & app
    pts = pd.to_numeric(f["points"], errors="coerce").to_numpy(dtype=float)
    sc = pd.to_numeric(f["score"], errors="coerce").to_numpy(dtype=float)
    level = parsed["level"].astype(object).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(pts > 0, sc / np.where(pts > 0, pts, 1.0), np.nan)
    # the checks perfeval.score makes (score_out_of_range, score_outside_band), so the recomputation never fails
    scored = qual & ~np.isnan(sc)
    outside = scored & (out_of_range(sc, pts) | band_violation(level, a))
    given = np.array([isinstance(v, str) for v in level], dtype=bool)
    levels = (out["level"] if "level" in out else pd.Series(None, index=out.index)).to_numpy(dtype=object).copy()
    actual = f["actual"] if "actual" in f else pd.Series([None] * n)
    unreported = actual.isna().to_numpy() | (actual.astype(str).str.strip() == "").to_numpy()
    # no level: the level whose band holds the score, unless nothing was reported (then not_reported, as score has it)
    held = scored & ~outside & ~given & ~unreported
    levels[held] = band_level(a[held])
    band_rows: dict[int, float] = {}
    for i in np.flatnonzero(outside):  # the band's lower bound, or the full points of a met row claimed above
        lv = level[i] if given[i] else ("met" if sc[i] > pts[i] else "not_met")
        band_rows[int(i)] = pts[i] if lv == "met" and sc[i] > pts[i] else QUALITATIVE_BANDS[lv][0] * pts[i]
        levels[i] = lv
    out["level"] = levels
    if band_rows:
        out.loc[out.index[list(band_rows)], "score"] = list(band_rows.values())
    return out[~dropped].reset_index(drop=True), dropped, band_rows


def _row_results(res: Any, f: pd.DataFrame) -> pd.DataFrame:
    """Per input row: the rule's ``expected`` score, ``achievement``, effective ``points``, ``flags``, ``node_code``
    (NaN for rows left out of the recomputation)."""
    nodes = res.nodes
    ind = nodes[nodes["source_row"].notna()] if "source_row" in nodes else nodes.iloc[0:0]
    key = ind["source_file"].astype(str) + "\x00" + ind["source_row"].astype(np.int64).astype(str)
    table = pd.DataFrame({"expected": ind["score"].to_numpy(dtype=float),
                          "achievement": ind["achievement"].to_numpy(dtype=float),
                          "points": ind["points"].to_numpy(dtype=float), "flags": ind["flags"].to_numpy(dtype=object),
                          "node_code": ind["node_code"].to_numpy(dtype=object)}, index=key.to_numpy())
    want = (f["source_file"].astype(str) + "\x00" + f["source_row"].astype(str)).to_numpy()
    return table.reindex(want).reset_index(drop=True)


def _add(findings: list[dict], f: pd.DataFrame, mask: np.ndarray, code: str, claimed: np.ndarray,
         expected: np.ndarray, message: Any, column: str = "score") -> None:
    """One finding per row of ``mask``; ``message`` is a text or a function of the row position."""
    for i in np.flatnonzero(mask):
        _finding(findings, f, int(i), str(f[UNIT_ID].iat[i]), code, claimed[i], expected[i],
                 message(i) if callable(message) else message, column)


def _row_findings(f: pd.DataFrame, parsed: pd.DataFrame, rows: pd.DataFrame, dropped: np.ndarray,
                  band_rows: dict[int, float], findings: list[dict], tol: float, words: Sequence[str],
                  res: Any) -> None:
    """Row-level findings, one boolean mask per code (codes marked exclusive stop the checks after them)."""
    n = len(f)
    app = f["applicable"].to_numpy(dtype=bool)
    claimed = pd.to_numeric(f["score"], errors="coerce").to_numpy(dtype=float)
    pts = pd.to_numeric(f["points"], errors="coerce").to_numpy(dtype=float)
    ach = rows["achievement"].to_numpy(dtype=float)
    exp = ach * pts  # on the row's own points: N/A siblings rescale the total, not the rows (domain.md §5.3 rule 6)
    op = parsed["op"].astype(object).to_numpy()
    flags = rows["flags"].fillna("").astype(str)
    note = f["note"].fillna("").astype(str).str.strip().to_numpy()
    band = np.zeros(n, dtype=bool)
    band[list(band_rows)] = True
    band_exp = np.array([band_rows.get(i, np.nan) for i in range(n)]) if band_rows else np.full(n, np.nan)
    zero = np.zeros(n)

    missing = app & dropped                                                         # exclusive
    _add(findings, f, missing, "missing_target", claimed, zero, "the target (年度指标值) is empty: the indicator "
         "is not assessable and scores 0", "target")
    live = app & ~dropped
    cost = live & _cost_ge(f, op)
    _add(findings, f, cost, "cost_indicator_ge", claimed, exp, "a cost indicator must not use ≥ (it rewards "
         "spending more); re-scored with ≤", "target")
    restated = live & parsed["actual_op"].notna().to_numpy()                        # exclusive
    _add(findings, f, restated, "actual_restates_target", claimed, exp,
         lambda i: f"the actual {f['actual'].iat[i]!r} restates the target: no measurement, scored 0", "actual")
    live &= ~restated
    unreported = live & flags.str.split(";").apply(lambda parts: "not_reported" in parts).to_numpy()  # exclusive
    _add(findings, f, unreported, "not_reported", claimed, zero,
         lambda i: "the actual value (实际完成值) is empty: not reported, scored 0"
                   + (f"; {claimed[i]:g} is claimed" if np.isfinite(claimed[i]) and claimed[i] > 0 else ""),
         "actual")
    live &= ~unreported
    _add(findings, f, live & band, "score_out_of_band", claimed, band_exp,           # exclusive
         lambda i: _band_text(parsed, i, claimed[i], pts[i]))
    live &= ~band
    over = live & flags.str.split(";").apply(lambda parts: "target_too_low" in parts).to_numpy() & (note == "")
    _add(findings, f, over, "unexplained_over_achievement", claimed, exp, "the target is exceeded by the "
         "over-achievement ratio or more and no deviation reason (偏差原因) is given", "note")
    live &= ~np.isnan(claimed) & ~np.isnan(exp)
    outside = live & out_of_range(claimed, pts, tol=tol)                             # exclusive
    _add(findings, f, outside, "score_out_of_band", claimed, exp, lambda i: band_message(claimed[i], pts[i]))
    live &= ~outside
    if words:
        about = f["indicator"].astype(str).str.contains("|".join(map(re.escape, words))).to_numpy()
        rate = res.totals.set_index(UNIT_ID)["execution_rate"].reindex(f[UNIT_ID]).to_numpy(dtype=float)
        double = (live & about & f["l1"].fillna("").astype(str).str.contains("产出").to_numpy()
                  & (claimed < pts - tol) & (rate < 1.0))
        _add(findings, f, double, "double_counted_execution", claimed, exp, "an output indicator about spending is "
             "scored below full for under-spending the execution row already penalises")
    differs = live & (np.abs(claimed - exp) > tol)
    met = differs & (ach >= 1.0 - EDGE_TOL) & (claimed < pts - tol)
    full = differs & ~met & (ach < 1.0 - EDGE_TOL) & (np.abs(claimed - pts) <= tol)
    _add(findings, f, met, "met_underscored", claimed, exp,
         lambda i: f"the target is met (full {pts[i]:g} points) but {claimed[i]:g} is claimed")
    _add(findings, f, full, "unmet_full_score", claimed, exp,
         lambda i: f"the target is not met (achievement {ach[i]:.4g}: {exp[i]:.4g} points by the rule) but the full "
                   f"{pts[i]:g} points are claimed")
    _add(findings, f, differs & ~met & ~full, "score_differs_from_rule", claimed, exp,
         lambda i: f"the rule gives {exp[i]:.4g} points, {claimed[i]:g} is claimed")


def _band_text(parsed: pd.DataFrame, i: int, claimed: float, points: float) -> str:
    """The engine's text of a score outside ``[0, points]`` or outside its level's band."""
    level = parsed["level"].astype(object).iat[i]
    return band_message(claimed, points, level if isinstance(level, str) else None)


def _l1_points(f: pd.DataFrame, pts: pd.Series, fw: Framework, skip: set, findings: list[dict]) -> None:
    """``l1_points_nondefault``: a first-level node whose indicator points as written (the unit's rows under it,
    matched by the ``l1`` name or an alias) depart from the framework's points, for units whose indicator points
    do add up (others are ``points_not_total``)."""
    declared = {n.code: n for n in fw.nodes
                if n.points is not None and n.children and any(c.slot for c in n.children)}
    if not declared or "l1" not in f:
        return

    def key(text: Any) -> str:
        t = "".join(str(text).split())
        return t[:-2] if t.endswith("指标") and len(t) > 2 else t

    names = {key(a): code for code, n in declared.items() for a in (n.name, *n.aliases)}
    home = f["l1"].map(lambda x: names.get(key(x)) if pd.notna(x) else None)
    sums = pts.fillna(0.0).groupby([f[UNIT_ID].astype(str), home], sort=False).sum()
    rank = {code: i for i, code in enumerate(declared)}
    for (unit, code), got in sorted(sums.items(), key=lambda kv: rank[kv[0][1]]):  # framework order (stable)
        want = float(declared[code].points)
        if unit not in skip and abs(got - want) > fw.tolerance:
            _finding(findings, None, None, unit, "l1_points_nondefault", got, want,
                     f"{declared[code].name} carries {got:g} points, not the framework's {want:g} (framework "
                     f"{fw.name!r}); allowed in special cases (MOF-10 art. 14): state the reason",
                     location=f"unit {unit}")


def _unit_findings(f: pd.DataFrame, res: Any, rows: pd.DataFrame, budget: pd.DataFrame | None,
                   claimed_totals: pd.Series, fw: Framework, findings: list[dict], tol: float) -> pd.DataFrame:
    totals = res.totals.set_index(UNIT_ID)
    units = totals.index.astype(str)
    pts = pd.to_numeric(f["points"], errors="coerce")
    claimed = pd.to_numeric(f["score"], errors="coerce")
    app = f["applicable"].astype(bool)
    # what the unit itself can add up from its form: the claimed row scores as written (a blank not-applicable row
    # counts 0), no rescaling of perfeval's; rule 6 (domain.md §5.3) lets it rescale the sum for the rows it drops
    claim_rows = claimed[app].groupby(f.loc[app, UNIT_ID]).agg(lambda s: s.sum() if s.notna().all() else np.nan)
    na_claims = claimed[~app].fillna(0.0).groupby(f.loc[~app, UNIT_ID]).sum()
    na_points = pts[~app].fillna(0.0).groupby(f.loc[~app, UNIT_ID]).sum()
    # or the claims carried to the total as the scoring rules carry them (N/A points passed to the siblings: a
    # unit filling its form by the rules, as the PMKPI platform does, writes that total)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(pts > 0, rows["points"].to_numpy(dtype=float) / np.where(pts > 0, pts, 1.0), 1.0)
    carried = pd.Series(np.where(np.isnan(factor), 1.0, factor) * claimed.to_numpy(dtype=float), index=f.index)
    carried_rows = carried[app].groupby(f.loc[app, UNIT_ID]).agg(lambda s: s.sum() if s.notna().all() else np.nan)
    full_rows = (claimed[app] >= pts[app] - tol).groupby(f.loc[app, UNIT_ID]).all()
    base = DENOMINATORS.get(res.policy.get("denominator") or "full_year", "budget_full_year")
    b = _budget_claims(budget, base)
    exe_claim = b["score"].reindex(units) if b is not None else pd.Series(np.nan, index=units)
    exe_points = sum(n.points or 0.0 for n in fw.leaves() if n.rule == "execution")
    # the execution row on its own points
    ex_rows = res.nodes[res.nodes["rule"] == "execution"].drop_duplicates(UNIT_ID).set_index(UNIT_ID)
    exe_expected = (ex_rows["achievement"] * exe_points).reindex(units)
    with np.errstate(divide="ignore", invalid="ignore"):
        exe_factor = (ex_rows["points"] / exe_points).reindex(units).fillna(1.0) if exe_points else \
            pd.Series(1.0, index=units)
    above = ex_rows["flags"].fillna("").astype(str).str.split(";").map(
        lambda parts: "executed_above_budget" in parts).reindex(units, fill_value=False)
    # the engine's points check (points_sum) on the unit's own indicator rows as written, those left out of the
    # recomputation included
    own = ~rows["node_code"].isin({n.code for n in fw.leaves() if not n.slot}).to_numpy()
    off = points_off_total(fw, f[UNIT_ID].to_numpy(dtype=object)[own], pts.to_numpy(dtype=float)[own],
                           f["source_file"].to_numpy(dtype=object)[own])
    for r in off.itertuples(index=False):
        _finding(findings, None, None, r.unit_id, "points_not_total", r.points_sum, r.expected, r.message,
                 location=r.location)
    _l1_points(f, pts, fw, set(off["unit_id"]), findings)
    for u in units:
        ce, ee = exe_claim.get(u, np.nan), exe_expected.get(u, np.nan)
        loc, row = _budget_location(b, u, "score")
        if np.isfinite(ce) and np.isfinite(ee) and abs(ce - ee) > tol:
            how = (" (rounded to a whole number)" if ce == np.floor(ee + 0.5) else
                   " (truncated to a whole number)" if ce == np.floor(ee) else "")
            _finding(findings, None, None, u, "execution_score_differs", ce, ee, f"executed / budget x "
                     f"{exe_points:g} gives {ee:.4g} points, {ce:g} is claimed{how}", location=loc, row=row)
        if bool(above.get(u, False)) and b is not None and u in b.index:  # flagged by the engine
            loc_e, row_e = _budget_location(b, u, "executed")
            _finding(findings, None, None, u, "executed_above_budget", b.at[u, "executed"], b.at[u, "base"],
                     f"executed {b.at[u, 'executed']:g} exceeds the budget the rate is taken on ({base} "
                     f"{b.at[u, 'base']:g}); the rate is capped at 100 %", location=loc_e, row=row_e)
        total = claimed_totals.get(u, np.nan)
        rows_sum = claim_rows.get(u, np.nan) + na_claims.get(u, 0.0) + (ce if np.isfinite(ce) else 0.0)
        dropped = float(na_points.get(u, 0.0))
        rescaled = [rows_sum * fw.total / (fw.total - dropped) if 0 < dropped < fw.total else np.nan,
                    carried_rows.get(u, np.nan) + (ce * exe_factor.get(u, 1.0) if np.isfinite(ce) else 0.0)]
        rescaled = [v for v in rescaled if np.isfinite(v) and dropped > 0]
        if (np.isfinite(total) and np.isfinite(rows_sum) and abs(total - rows_sum) > tol
                and not any(abs(total - v) <= tol for v in rescaled)):
            loc_t, row_t = _total_location(b, u)
            also = (f", nor that sum with the {dropped:g} points not applicable rescaled "
                    f"({' or '.join(f'{v:.4g}' for v in rescaled)})" if rescaled else "")
            _finding(findings, None, None, u, "total_not_sum_of_rows", total, rows_sum, f"the claimed total {total:g} "
                     f"is not the sum of the claimed rows and execution points as written ({rows_sum:.4g}){also}",
                     location=loc_t, row=row_t)
        exec_full = not np.isfinite(ce) or ce >= exe_points - tol
        recomputed = totals.at[u, "total"]
        if (bool(full_rows.get(u, False)) and exec_full and np.isfinite(total) and total >= fw.total - tol
                and recomputed < total - tol):
            _finding(findings, None, None, u, "all_full_marks", total, recomputed, "every row and the execution are "
                     f"claimed at full points and the total is {total:g}, but the reported values give "
                     f"{recomputed:.4g} (自评流于形式)", location=f"unit {u}")
    out = pd.DataFrame({UNIT_ID: units, "claimed_total": claimed_totals.reindex(units).to_numpy(dtype=float),
                        "claimed_sum": (claim_rows.reindex(units) + na_claims.reindex(units).fillna(0.0)
                                        + exe_claim.fillna(0.0)).to_numpy(dtype=float),
                        "expected_total": totals["total"].reindex(units).to_numpy(dtype=float)})
    out["difference"] = out["claimed_total"] - out["expected_total"]
    out["claimed_grade"] = fw.bands.grade(out["claimed_total"].to_numpy(dtype=float))
    out["expected_grade"] = fw.bands.grade(out["expected_total"].to_numpy(dtype=float))
    return out


def _budget_claims(budget: pd.DataFrame | None, base: str) -> pd.DataFrame | None:
    """Budget by unit: claimed execution ``score``, ``executed``, the rate's ``base`` (the denominator's column)
    and where each was read (``source_file``, ``source_row``; the header record kept for the locations)."""
    if budget is None or UNIT_ID not in budget:
        return None
    b = with_source(budget, "budget")
    b.index = pd.Index(b[UNIT_ID].map(unit_text), dtype=object)
    b = b[~b.index.duplicated()]
    num = {c: pd.to_numeric(b[c], errors="coerce") if c in b else pd.Series(np.nan, index=b.index)
           for c in ("score", "executed", base)}
    out = pd.DataFrame({"score": num["score"], "executed": num["executed"], "base": num[base],
                        "source_file": b["source_file"], "source_row": b["source_row"]}, index=b.index)
    for col in ("claimed_total_row", "claimed_total_column"):  # where a form's 总分 stands (perfeval.io forms)
        out[col] = b[col] if col in b else None
    out.attrs = dict(budget.attrs)
    return out


def _total_location(b: pd.DataFrame | None, unit: str) -> tuple[str, float]:
    """``file:row:column`` of a unit's claimed total: the 总分 cell of its form, else the budget table's cell."""
    if b is not None and unit in b.index and pd.notna(b.at[unit, "claimed_total_row"]):
        row = int(b.at[unit, "claimed_total_row"])
        column = b.at[unit, "claimed_total_column"]
        return format_location(b.at[unit, "source_file"], row, column if isinstance(column, str) else "总分"), \
            float(row)
    return _budget_location(b, unit, "claimed_total")


def _budget_location(b: pd.DataFrame | None, unit: str, column: str) -> tuple[str, float]:
    """``file:row:column`` of a unit's budget cell (the header as written), and the row."""
    if b is None or unit not in b.index or pd.isna(b.at[unit, "source_row"]):
        return f"unit {unit}:{column}", np.nan
    file, row = b.at[unit, "source_file"], int(b.at[unit, "source_row"])
    return format_location(file, row, header_as_written(b, file, column)), float(row)
