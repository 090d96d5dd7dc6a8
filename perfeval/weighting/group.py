"""Group AHP: expert panels by aggregation of individual judgements (AIJ) or of individual priorities (AIP).

Element (i, j) of every expert's matrix is how much more important item i is than item j. :func:`ahp_survey`
builds those matrices from the long survey table experts fill in (``expert_id, a, b, value``: "a is ``value``
times as important as b"; Chinese headers such as 专家 / 因素A / 因素B / 标度 are accepted, :data:`SURVEY_HEADERS`).
"""
from __future__ import annotations

import html
import re
import unicodedata
import warnings
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import InconsistentJudgementsWarning, InputError, Problem, format_location
from .ahp import AHPResult, _check_options, _evaluate, _prepare, _inconsistency_message
from ._common import as_weights, check_choice, frame_4f, parse_judgement, rank_desc, weights_text

__all__ = ["GroupAHPResult", "ahp_group", "ahp_survey", "SURVEY_HEADERS"]

#: Headers accepted for the survey's four columns (besides the canonical one), compared after Unicode NFKC
#: normalisation (full-width letters and digits are ASCII), without spaces and case-insensitive.
SURVEY_HEADERS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "expert_id": ("expert", "专家", "专家编号", "专家代码", "专家代号", "专家序号", "专家id", "专家姓名", "评审专家",
                  "评价专家", "专家名称"),
    "a": ("item_a", "因素A", "指标A", "要素A", "元素A", "比较项A", "准则A", "因素1", "指标1", "因素i", "指标i",
          "比较因素A", "比较指标A"),
    "b": ("item_b", "因素B", "指标B", "要素B", "元素B", "比较项B", "准则B", "因素2", "指标2", "因素j", "指标j",
          "比较因素B", "比较指标B"),
    "value": ("比较值", "标度", "标度值", "判断值", "判断", "判断矩阵值", "重要性", "相对重要性", "重要程度", "比值",
              "打分", "评分"),
})
_SHOWN_ROWS = 5   # rows listed for an unknown item name (then "and k more")

_EXPERT_COLUMNS = ["expert_id", "expert_weight", "n_missing", "lambda_max", "ci", "cr", "gci", "consistent",
                   "included"]


@dataclass(frozen=True, slots=True, eq=False)
class GroupAHPResult:
    """Group priorities from several experts' pairwise comparison matrices.

    Element (i, j) of each matrix is how much more important item i is than item j.

    Attributes
    ----------
    weights : pandas.Series
        Group priorities by item, positive, summing to 1.
    method : str
        ``"aij"`` (aggregation of individual judgements) or ``"aip"`` (of individual priorities).
    priority : str
        Priority method used for every matrix: ``eigen``, ``rgm`` or ``colmean``.
    individual : mapping of str to AHPResult
        Each expert's own result (priorities, lambda_max, CR, GCI, completed cells), excluded experts included.
    experts : pandas.DataFrame
        One row per expert: ``expert_id``, ``expert_weight`` (weight in the aggregation, renormalised over the
        included experts; 0 when excluded), ``n_missing`` (comparisons the expert did not give), ``lambda_max``,
        ``ci``, ``cr``, ``gci``, ``consistent``, ``included``.
    aggregate : AHPResult or None
        AIJ: the result on the aggregated (weighted geometric mean) matrix, with its own CR. AIP: None.
    matrices : mapping of str to pandas.DataFrame
        The experts' matrices as given (NaN = comparison not made).
    ri_table, criterion : str
        Random-index table and consistency criterion applied to every matrix.
    threshold : float or None
        The explicit threshold, or None for the criterion's default (see :func:`perfeval.weighting.ahp`).

    Examples
    --------
    >>> import perfeval as pe
    >>> res = pe.weighting.ahp_survey(pe.load_sample().ahp_survey)
    >>> res.inconsistent_experts
    ['X03']
    >>> x03 = res.experts.set_index("expert_id").loc["X03"]
    >>> round(float(x03["cr"]), 3), bool(x03["consistent"])
    (0.441, False)
    """

    weights: pd.Series
    method: str
    priority: str
    individual: Mapping[str, AHPResult]
    experts: pd.DataFrame
    aggregate: AHPResult | None
    matrices: Mapping[str, pd.DataFrame]
    ri_table: str
    criterion: str
    threshold: float | None

    @property
    def inconsistent_experts(self) -> list[str]:
        """Experts whose matrices fail the consistency criterion."""
        return self.experts.loc[~self.experts["consistent"], "expert_id"].tolist()

    def to_frame(self) -> pd.DataFrame:
        """One row per item: ``item``, ``weight`` (group), ``rank`` (1 = most important)."""
        return pd.DataFrame({"item": list(self.weights.index), "weight": self.weights.to_numpy(),
                             "rank": rank_desc(self.weights).to_numpy()})

    def individual_weights(self) -> pd.DataFrame:
        """Each expert's priorities: rows are items, columns expert ids."""
        return pd.DataFrame({e: r.weights for e, r in self.individual.items()})

    def _repr_html_(self) -> str:
        agg = ""
        if self.aggregate is not None:
            agg = f"; aggregated matrix CR = {self.aggregate.cr:.4f}, GCI = {self.aggregate.gci:.4f}"
        head = (f"<p><b>Group AHP</b> ({html.escape(self.method.upper())}, {html.escape(self.priority)}, "
                f"RI table {html.escape(self.ri_table)}; {int(self.experts['included'].sum())} of "
                f"{len(self.experts)} experts included{agg})</p>")
        return (head + frame_4f(self.to_frame())
                + frame_4f(self.experts, caption="Experts", source=".experts"))

    def __repr__(self) -> str:
        inconsistent = self.inconsistent_experts
        shown = inconsistent[:6] + ([f"... +{len(inconsistent) - 6} more"] if len(inconsistent) > 6 else [])
        return (f"GroupAHPResult(method={self.method!r}, experts={len(self.experts)}, "
                f"inconsistent={shown}, weights={weights_text(self.weights)})")


def _relocate(err: InputError, where: str) -> InputError:
    """The same error with ``where`` prefixed to every location (or to the message when it has no problems)."""
    if not err.problems:
        return InputError(f"{where}: {err}")
    return InputError(problems=[Problem(f"{where}: {p.location}", p.code, p.message) for p in err.problems])


def _expert_matrices(matrices: Any, labels: Sequence[Any] | None,
                     rtol: float) -> tuple[dict[str, np.ndarray], list, dict[str, pd.DataFrame]]:
    """Validate every expert's matrix; align them on the first matrix's item order."""
    if isinstance(matrices, Mapping):
        items = [(str(k), v) for k, v in matrices.items()]
    elif isinstance(matrices, Sequence) and not isinstance(matrices, (str, pd.DataFrame)):
        items = [(str(k + 1), v) for k, v in enumerate(matrices)]
    else:
        raise InputError(f"`matrices` must be a mapping of expert id to matrix or a list of matrices; "
                         f"got {type(matrices).__name__}.")
    if not items:
        raise InputError("`matrices` must hold at least one expert's matrix; got none.")
    prepared: dict[str, np.ndarray] = {}
    given: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    order: list | None = None
    for expert, m in items:
        try:
            a, lab = _prepare(m, None if isinstance(m, pd.DataFrame) else labels, rtol)
        except InputError as err:
            problems.extend(_relocate(err, f"expert {expert}").problems)
            continue
        if order is None:
            order = lab
        elif sorted(map(str, lab)) != sorted(map(str, order)):
            problems.append(Problem(f"expert {expert}", "items_differ",
                                    f"compares {lab} but the first expert compares {order}"))
            continue
        pos = [list(map(str, lab)).index(str(x)) for x in order]
        a = a[np.ix_(pos, pos)]
        prepared[expert] = a
        raw = m.loc[[lab[p] for p in pos], [lab[p] for p in pos]] if isinstance(m, pd.DataFrame) else \
            pd.DataFrame(np.asarray(m, dtype=object)[np.ix_(pos, pos)], index=order, columns=order)
        given[expert] = pd.DataFrame(raw.to_numpy(dtype=object), index=order, columns=order).map(
            parse_judgement)
    if problems:
        raise InputError(problems=problems)
    return prepared, list(order or []), given


def _expert_weights(expert_weights: Any, experts: list[str]) -> pd.Series:
    """Positive expert weights, one per expert, normalised to sum 1 (equal by default)."""
    if expert_weights is None:
        return pd.Series(1.0 / len(experts), index=experts)
    w = as_weights(expert_weights, "expert_weights", index=experts, str_labels=True)
    unknown = sorted(set(w.index) - set(experts))
    missing = [e for e in experts if e not in w.index]
    if unknown or missing:
        raise InputError(f"`expert_weights` must give one weight per expert {experts}; "
                         f"unknown {unknown}, missing {missing}.")
    if (w.loc[experts] <= 0).any():
        raise InputError(f"`expert_weights` must be positive; got {w.to_dict()}.")
    return w.loc[experts] / w.loc[experts].sum()


def ahp_group(matrices: Mapping[Any, Any] | Sequence[Any], method: str = "aij", expert_weights: Any = None,
              exclude_inconsistent: bool = False, *, priority: str = "eigen", ri: str = "saaty1980",
              completion: str = "optimal", criterion: str = "cr", threshold: float | None = None,
              labels: Sequence[Any] | None = None, rtol: float = 0.05) -> GroupAHPResult:
    r"""Group priorities from several experts' judgement matrices (AIJ or AIP).

    Element (i, j) of each matrix is how much more important item i is than item j.

    Parameters
    ----------
    matrices : mapping of expert id to matrix, or a list of matrices
        Each a DataFrame (labels from its index) or an array (labels from ``labels``); all must compare the same
        items (DataFrames may list them in any order). NaN marks comparisons an expert did not make.
    method : {"aij", "aip"}, default "aij"
        ``aij``: aggregate the judgements cell by cell with the weighted geometric mean, then derive priorities
        from the group matrix (Aczel & Saaty 1983). ``aip``: derive each expert's priorities, then take their
        weighted geometric mean, renormalised (Forman & Peniwati 1998).
    expert_weights : mapping, Series or sequence, optional
        Positive weight per expert (normalised to sum 1 over the included experts); equal by default.
    exclude_inconsistent : bool, default False
        Leave out experts whose matrices fail the consistency criterion (they stay in ``individual`` and
        ``experts`` with ``included = False``).
    priority : {"eigen", "rgm", "colmean"}, default "eigen"
        Priority method for each matrix. With ``"rgm"`` AIJ and AIP give identical priorities (Barzilai &
        Golany 1994).
    ri, completion, criterion, threshold, rtol
        As in :func:`perfeval.weighting.ahp`, applied to every matrix.
    labels : sequence, optional
        Item labels for array matrices.

    Returns
    -------
    GroupAHPResult
        ``weights``, ``method``, ``priority``, ``individual``, ``experts`` (``expert_id, expert_weight,
        n_missing, lambda_max, ci, cr, gci, consistent, included``), ``aggregate`` (AIJ), ``matrices``.

    Raises
    ------
    InputError
        Any expert's matrix invalid (located as ``expert <id>: cell (i, j)``), experts comparing different items,
        bad expert weights, every expert excluded, or an unknown option.

    Warns
    -----
    InconsistentJudgementsWarning
        Once, naming every inconsistent expert; and when the AIJ group matrix itself is inconsistent.

    Notes
    -----
    With expert weights lambda_k (summing to 1 over the experts who gave the cell):

    .. math::

        \text{AIJ: } a^{(c)}_{ij} = \prod_k \left(a^{(k)}_{ij}\right)^{\lambda_k}, \qquad
        \text{AIP: } w^{(c)}_i = \frac{\prod_k \left(w^{(k)}_i\right)^{\lambda_k}}
                                       {\sum_l \prod_k \left(w^{(k)}_l\right)^{\lambda_k}}

    The geometric mean is the only aggregation of judgements that keeps the group matrix reciprocal (Aczel &
    Saaty 1983). In AIJ a cell no expert gave stays missing and is completed in the group matrix; in AIP each
    expert's missing cells are completed first.

    References
    ----------
    .. [1] Aczel, J. & Saaty, T. L. (1983). Procedures for synthesizing ratio judgements. J. Math. Psychol. 27,
       93-102.
    .. [2] Forman, E. & Peniwati, K. (1998). Aggregating individual judgments and priorities with the analytic
       hierarchy process. Eur. J. Oper. Res. 108, 165-169.
    .. [3] Barzilai, J. & Golany, B. (1994). AHP rank reversal, normalization and aggregation rules. INFOR 32,
       57-64.
    .. [4] Dong, Y., Zhang, G., Hong, W.-C. & Xu, Y. (2010). Consensus models for AHP group decision making under
       row geometric mean prioritization method. Decis. Support Syst. 49, 281-289.

    Examples
    --------
    >>> import perfeval as pe
    >>> a1 = [[1, 3], [1/3, 1]]
    >>> a2 = [[1, 5], [1/5, 1]]
    >>> res = pe.weighting.ahp_group({"E1": a1, "E2": a2}, labels=["x", "y"])
    >>> float(round(res.aggregate.matrix.loc["x", "y"], 4))   # sqrt(3 * 5)
    3.873
    """
    check_choice("method", method, ("aij", "aip"))
    _check_options(priority, ri, completion, criterion, threshold)
    prepared, order, given = _expert_matrices(matrices, labels, rtol)
    experts = list(prepared)
    base_weights = _expert_weights(expert_weights, experts)
    individual = {e: _evaluate(a, order, priority, ri, completion, criterion, threshold)
                  for e, a in prepared.items()}
    inconsistent = [e for e, r in individual.items() if not r.consistent]
    included = [e for e in experts if not (exclude_inconsistent and e in inconsistent)]
    if inconsistent:
        action = "excluded" if exclude_inconsistent else "kept (pass exclude_inconsistent=True to drop them)"
        warnings.warn(f"{len(inconsistent)} of {len(experts)} experts gave inconsistent judgements "
                      f"({criterion.upper()} above threshold): {', '.join(inconsistent)}; {action}.",
                      InconsistentJudgementsWarning, stacklevel=2)
    if not included:
        raise InputError(f"every expert's matrix is inconsistent ({', '.join(experts)}); "
                         "with `exclude_inconsistent=True` no judgements remain. Revise the judgements (see each "
                         "result's suggestions()), raise `threshold`, or keep them with exclude_inconsistent=False.")
    lam = base_weights.loc[included] / base_weights.loc[included].sum()
    aggregate = None
    if method == "aij":
        logs = np.stack([np.log(prepared[e]) for e in included])
        wts = np.broadcast_to(lam.to_numpy()[:, None, None], logs.shape)
        present = ~np.isnan(logs)
        # weighted geometric mean over the experts who gave the cell (weights renormalised per cell)
        num = np.where(present, wts * np.nan_to_num(logs), 0.0).sum(axis=0)
        den = np.where(present, wts, 0.0).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            group = np.where(den > 0, np.exp(num / np.where(den > 0, den, 1.0)), np.nan)
        try:
            a_c, _ = _prepare(group, order, rtol)
        except InputError as err:
            raise _relocate(err, "group matrix") from None
        aggregate = _evaluate(a_c, order, priority, ri, completion, criterion, threshold)
        if not aggregate.consistent:
            warnings.warn(_inconsistency_message(aggregate, "the aggregated (AIJ) group matrix"),
                          InconsistentJudgementsWarning, stacklevel=2)
        weights = aggregate.weights.copy()
    else:
        logw = np.stack([np.log(individual[e].weights.to_numpy()) for e in included])
        g = np.exp(lam.to_numpy() @ logw)  # weighted geometric mean of priorities (Forman & Peniwati 1998)
        weights = pd.Series(g / g.sum(), index=order, name="weight")
    rows = []
    for e in experts:
        r = individual[e]
        rows.append({"expert_id": e, "expert_weight": float(lam.get(e, 0.0)), "n_missing": len(r.completed),
                     "lambda_max": r.lambda_max, "ci": r.ci, "cr": r.cr, "gci": r.gci,
                     "consistent": r.consistent, "included": e in included})
    return GroupAHPResult(
        weights=weights.rename("weight"), method=method, priority=priority,
        individual=MappingProxyType(individual), experts=pd.DataFrame(rows, columns=_EXPERT_COLUMNS),
        aggregate=aggregate, matrices=MappingProxyType(given), ri_table=ri, criterion=criterion,
        threshold=threshold)


def _norm(text: Any) -> str:
    """Text as compared: NFKC (full-width to ASCII), no whitespace, case-folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).casefold()


def _survey_columns(data: pd.DataFrame, wanted: dict[str, str]) -> dict[str, str]:
    """The header of ``data`` holding each survey column: the name asked for when present, else (for the default
    names only) the first header that is one of :data:`SURVEY_HEADERS`."""
    lookup = {}
    for role, names in SURVEY_HEADERS.items():
        for name in (role, *names):
            lookup.setdefault(_norm(name), role)
    found: dict[str, str] = {}
    for header in data.columns:
        role = lookup.get(_norm(header))
        if role is not None and role not in found:
            found[role] = header
    return {role: (name if name in data.columns or name != role else found.get(role, name))
            for role, name in wanted.items()}


def _item_lookup(items: list[str] | None, names: Mapping[Any, Any] | None) -> tuple[dict[str, str], str]:
    """Normalised text -> item code (codes and every name), and the valid items as a message shows them."""
    if items is None:
        return {}, ""
    lookup = {_norm(code): code for code in items}
    shown = []
    for code in items:
        given = (names or {}).get(code, ())
        alts = [given] if isinstance(given, str) else [str(x) for x in given if x]
        for alt in alts:
            lookup.setdefault(_norm(alt), code)
        shown.append(f"{code} ({alts[0]})" if alts else code)
    return lookup, (f"{items}" if not names else "[" + ", ".join(shown) + "]")


def _framework_items(framework: Any, node: str | None) -> tuple[list[str], dict[str, tuple[str, ...]]]:
    """The children of ``node`` (the first level by default): codes and their names (Chinese name, English name,
    aliases)."""
    from ..framework import load_framework

    fw = load_framework(framework)
    children = fw.children_of(node)
    return [c.code for c in children], {c.code: tuple(x for x in (c.name, c.name_en, *c.aliases) if x)
                                        for c in children}


def ahp_survey(data: pd.DataFrame, *, expert: str = "expert_id", a: str = "a", b: str = "b",
               value: str = "value", items: Sequence[Any] | None = None, method: str = "aij",
               priority: str = "eigen", ri: str = "saaty1980", expert_weights: Any = None,
               exclude_inconsistent: bool = False, completion: str = "optimal", criterion: str = "cr",
               threshold: float | None = None, source: str | None = None, names: Mapping[Any, Any] | None = None,
               framework: Any = None, node: str | None = None) -> GroupAHPResult:
    """Group AHP from a long survey table: one row per judgement, ``expert_id, a, b, value``.

    Each row says that item ``a`` is ``value`` times as important as item ``b`` (``value`` < 1: b is the more
    important), so it fills element (a, b) = value and (b, a) = 1/value of that expert's matrix: element (i, j) is
    how much more important i is than j. Pairs an expert did not compare are missing comparisons.

    Parameters
    ----------
    data : pandas.DataFrame
        The survey; other columns are ignored. ``value`` may be a number or text such as ``"1/3"``. A
        ``source_row`` column (spreadsheet row number) is used to locate problems; otherwise row = position + 2
        (header on row 1).
    expert, a, b, value : str
        Column names. With the defaults, a table without them may use the Chinese (or other) headers of
        :data:`SURVEY_HEADERS`: 专家 / 专家编号, 因素A / 指标A, 因素B / 指标B, 比较值 / 标度 / 判断值 ...
    items : sequence, optional
        The items that may be compared, in output order (e.g. a framework's node codes); other codes in ``a`` or
        ``b`` are errors. By default the items in order of first appearance.
    names : mapping, optional
        Other names of the items: item code -> a name or a list of names (e.g. the node's Chinese name, English
        name and aliases). A cell holding a name counts as that item (matched after NFKC normalisation, without
        spaces, case-insensitive); the result is indexed by the codes. Without ``items`` its keys are the items.
    framework : Framework or str, optional
        Compare the children of ``node`` (default: the first-level nodes) of this framework: ``items`` are their
        codes and ``names`` their Chinese names (``name``), English names and aliases, so a survey written with
        决策 / 过程 / 产出 / 效益 reads as well as one with the codes.
    node : str, optional
        Parent node whose children are compared (with ``framework``).
    method, priority, ri, expert_weights, exclude_inconsistent, completion, criterion, threshold
        As in :func:`ahp_group`.
    source : str, optional
        File name used in error locations (``file:row:column``).

    Returns
    -------
    GroupAHPResult
        Per-expert matrices (``matrices``), results and CRs (``individual``, ``experts``) and the group result.

    Raises
    ------
    InputError
        All problems at once, each located as ``source:row:column``: missing columns (with the accepted
        headers), blank expert ids, an item compared with itself, unknown items (``unknown_item``: once per
        unknown name, at its first cell, with the rows where it occurs, the first five, and the valid items and
        their names), values that are not positive numbers, a pair compared twice by one expert; then any expert
        whose comparisons leave items unconnected.

    Warns
    -----
    InconsistentJudgementsWarning
        Naming the inconsistent experts (see :func:`ahp_group`).

    Examples
    --------
    >>> import pandas as pd
    >>> import perfeval as pe
    >>> survey = pd.DataFrame({"expert_id": ["E1", "E1", "E1"], "a": ["x", "x", "y"],
    ...                        "b": ["y", "z", "z"], "value": [2, 4, 2]})
    >>> pe.weighting.ahp_survey(survey).weights.round(4).tolist()
    [0.5714, 0.2857, 0.1429]

    The sample province's survey: 10 experts on the key framework's first-level criteria, one inconsistent.

    >>> res = pe.weighting.ahp_survey(pe.load_sample().ahp_survey)
    >>> res.weights.round(3).to_dict(), res.inconsistent_experts
    ({'decision': 0.163, 'process': 0.179, 'output': 0.284, 'effect': 0.374}, ['X03'])

    The same survey written in Chinese (headers and the nodes' Chinese names) gives the same weights, by code:

    >>> cn = {"decision": "决策", "process": "过程", "output": "产出", "effect": "效益"}
    >>> zh = pe.load_sample().ahp_survey.replace({"a": cn, "b": cn}).rename(
    ...     columns={"expert_id": "专家编号", "a": "因素A", "b": "因素B", "value": "标度"})
    >>> pe.weighting.ahp_survey(zh, framework="project_key").weights.round(3).to_dict()
    {'decision': 0.163, 'process': 0.179, 'output': 0.284, 'effect': 0.374}
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"`data` must be a DataFrame with columns {expert}, {a}, {b}, {value}; "
                         f"got {type(data).__name__}.")
    where = source or "<survey>"
    cols = _survey_columns(data, {"expert_id": expert, "a": a, "b": b, "value": value})
    expert, a, b, value = cols["expert_id"], cols["a"], cols["b"], cols["value"]
    missing_cols = [c for c in (expert, a, b, value) if c not in data.columns]
    if missing_cols:
        accepted = "; ".join(f"{role}: {', '.join((role, *SURVEY_HEADERS[role]))}" for role, c in cols.items()
                             if c in missing_cols and role in SURVEY_HEADERS and c == role)
        raise InputError.single(where, "missing_column", f"column(s) {missing_cols} are required; the table has "
                                f"{list(data.columns)}" + (f" (accepted headers: {accepted})" if accepted else ""))
    if framework is not None:
        fw_items, fw_names = _framework_items(framework, node)
        items = fw_items if items is None else items
        names = {**fw_names, **dict(names or {})}
    if items is None and names:
        items = list(names)
    rows = data["source_row"].tolist() if "source_row" in data.columns else list(range(2, len(data) + 2))
    known = None if items is None else [str(x) for x in items]
    lookup, valid = _item_lookup(known, None if names is None else {str(k): v for k, v in names.items()})
    problems: list[Problem] = []
    unknown: dict[str, tuple[int, str, list]] = {}   # text -> (its problem's position, column, rows)
    judgements: dict[str, dict[tuple[str, str], tuple[float, Any]]] = {}
    order: list[str] = list(known or [])
    for pos, (e, x, y, v) in enumerate(zip(data[expert], data[a], data[b], data[value])):
        row = rows[pos]
        loc = lambda col: format_location(where, row, col)  # noqa: E731
        if pd.isna(e) or str(e).strip() == "":
            problems.append(Problem(loc(expert), "missing_value", "the expert id is blank"))
            continue
        e = str(e).strip()
        bad_item = False
        codes = []
        for col, item in ((a, x), (b, y)):
            text = "" if pd.isna(item) else str(item).strip()
            if not text:
                problems.append(Problem(loc(col), "missing_value", "the item code is blank"))
                bad_item = True
            elif known is not None and _norm(text) not in lookup:
                if text not in unknown:
                    unknown[text] = (len(problems), col, [])
                    problems.append(Problem(loc(col), "unknown_item", ""))
                unknown[text][2].append(row)
                bad_item = True
            else:
                codes.append(lookup.get(_norm(text), text))
        if bad_item:
            continue
        x, y = codes
        if x == y:        x, y = str(x).strip(), str(y).strip()
        if x == y:
            problems.append(Problem(loc(b), "self_comparison", f"item {x!r} is compared with itself"))
            continue
        try:
            num = parse_judgement(v)
        except (TypeError, ValueError, ZeroDivisionError):
            num = float("nan")
        if not (np.isfinite(num) and num > 0):
            problems.append(Problem(loc(value), "bad_value",
                                    f"a judgement must be a positive number (how much more important {x!r} is "
                                    f"than {y!r}); got {v!r}"))
            continue
        key = (x, y) if x < y else (y, x)
        seen = judgements.setdefault(e, {})
        if key in seen:
            problems.append(Problem(loc(a), "duplicate_pair", f"expert {e!r} compares {x!r} and {y!r} again "
                                    f"(first on row {seen[key][1]})"))
            continue
        seen[key] = ((num if key == (x, y) else 1.0 / num), row)
        for item in (x, y):
            if item not in order:
                order.append(item)
    for text, (at, col, where_rows) in unknown.items():  # one problem per unknown name, at its first cell
        shown = ", ".join(map(str, where_rows[:_SHOWN_ROWS]))
        more = f" and {len(where_rows) - _SHOWN_ROWS} more" if len(where_rows) > _SHOWN_ROWS else ""
        problems[at] = Problem(problems[at].location, "unknown_item",
                               f"{text!r} is not one of the items {valid}; it occurs on {len(where_rows)} row(s): "
                               f"{shown}{more}")
    if problems:
        raise InputError(problems=problems)
    if not judgements:
        raise InputError.single(where, "empty", "the survey holds no judgements")
    matrices = {}
    for e, pairs in judgements.items():
        m = pd.DataFrame(np.nan, index=order, columns=order, dtype=float)
        for (x, y), (num, _) in pairs.items():
            m.loc[x, y] = num
        for item in order:
            m.loc[item, item] = 1.0
        matrices[e] = m
    try:
        return ahp_group(matrices, method, expert_weights, exclude_inconsistent, priority=priority, ri=ri,
                         completion=completion, criterion=criterion, threshold=threshold)
    except InputError as err:
        raise _relocate(err, where) from None
