"""Analytic hierarchy process (AHP): priorities, consistency and missing comparisons for one judgement matrix.

Convention used everywhere in perfeval: element (i, j) of a pairwise comparison matrix is **how much more
important item i is than item j** (Saaty's "row element over column element"), so a_ij = 5 says that i is
strongly more important than j, and a_ji = 1/5. A matrix entered the other way round (column over row) inverts the
priorities; when only part of it is turned round the reciprocal check below names the cells.

Every choice that peers make silently is a named parameter and is reported with the result: the priority method
(``eigen``, ``rgm``, ``colmean``), the random-index table (``saaty1980``, ``saaty2005``, ``donegan_dodd``,
``tummala_ling``), the consistency criterion (CR or GCI) and its threshold, and how missing comparisons were
completed (``optimal`` or ``harker``).
"""
from __future__ import annotations

import html
import itertools
import warnings
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import optimize

from ..errors import InconsistentJudgementsWarning, InputError, Problem
from ._common import check_choice, frame_4f, parse_judgement, rank_desc, weights_text

__all__ = ["AHPResult", "ahp", "RI_TABLES", "RI_SOURCES", "GCI_THRESHOLDS", "SAATY_SCALE", "gci_threshold"]

_N = range(3, 16)
RI_TABLES: Mapping[str, Mapping[int, float]] = MappingProxyType({
    name: MappingProxyType({1: 0.0, 2: 0.0, **dict(zip(_N, values))})
    for name, values in {
        "saaty1980": (0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59),
        "saaty2005": (0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59),
        "donegan_dodd": (0.4914, 0.8286, 1.0591, 1.1797, 1.2519, 1.3171, 1.3733, 1.4055, 1.4213, 1.4497,
                         1.4643, 1.4822, 1.4969),
        "tummala_ling": (0.5799, 0.8921, 1.1159, 1.2358, 1.3322, 1.3952, 1.4537, 1.4882, 1.5117, 1.5356,
                         1.5571, 1.5714, 1.5831),
    }.items()
})
"""Random consistency indices by table name and matrix order n (RI = 0 for n <= 2)."""

RI_SOURCES: Mapping[str, str] = MappingProxyType({
    "saaty1980": "Saaty, T. L. (1980). The Analytic Hierarchy Process. McGraw-Hill (classic table).",
    "saaty2005": "Saaty, T. L. (2005). Theory and Applications of the Analytic Network Process. RWS.",
    "donegan_dodd": "Donegan, H. A. & Dodd, F. J. (1991). A note on Saaty's random indexes. "
                    "Math. Comput. Modelling 15(10), 135-137.",
    "tummala_ling": "Tummala, V. M. R. & Ling, H. (1998). A note on the computation of the mean random "
                    "consistency index of the analytic hierarchy process. Theory Decis. 44, 221-230.",
})

GCI_THRESHOLDS: Mapping[int, float] = MappingProxyType({3: 0.31, 4: 0.35})
"""GCI thresholds of Aguaron & Moreno-Jimenez (2003): 0.31 (n = 3), 0.35 (n = 4), 0.37 (n > 4)."""

SAATY_SCALE: tuple[float, ...] = tuple(sorted({float(k) for k in range(1, 10)} | {1.0 / k for k in range(2, 10)}))
"""Saaty's fundamental scale 1/9, 1/8, ..., 1, ..., 9: the values :meth:`AHPResult.suggestions` proposes."""

METHODS = ("eigen", "rgm", "colmean")
COMPLETIONS = ("optimal", "harker")
CRITERIA = ("cr", "gci")
_COMPLETED_COLUMNS = ["i", "j", "value"]
_SUGGESTION_COLUMNS = ["i", "j", "current", "suggested", "cr_after"]


def gci_threshold(n: int) -> float:
    """GCI threshold for order ``n``: 0.31 for n = 3, 0.35 for n = 4, 0.37 for n > 4 (0 below 3).

    Examples
    --------
    >>> from perfeval.weighting import gci_threshold
    >>> gci_threshold(3), gci_threshold(4), gci_threshold(9)
    (0.31, 0.35, 0.37)
    """
    if n < 3:
        return 0.0
    return GCI_THRESHOLDS.get(n, 0.37)


# ---------------------------------------------------------------------------------------------------------------
# numerics
# ---------------------------------------------------------------------------------------------------------------
def _perron(a: np.ndarray) -> tuple[float, np.ndarray]:
    """Perron root and positive right eigenvector (summing to 1) of a non-negative irreducible matrix."""
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    vec = np.abs(vectors[:, k].real)
    return float(values[k].real), vec / vec.sum()


def _priorities(a: np.ndarray, method: str) -> np.ndarray:
    """Priority vector of a complete positive reciprocal matrix by ``method``."""
    if method == "eigen":  # A w = lambda_max w (Saaty 1977, eq. 1)
        return _perron(a)[1]
    if method == "rgm":  # w_i proportional to (prod_j a_ij)^(1/n) (Crawford & Williams 1985)
        g = np.exp(np.log(a).mean(axis=1))
        return g / g.sum()
    # colmean: normalise each column to sum 1, then average across each row (Saaty 1980, approximate method)
    return (a / a.sum(axis=0)).mean(axis=1)


def _gci(a: np.ndarray) -> float:
    """Geometric consistency index (Crawford & Williams 1985; Aguaron & Moreno-Jimenez 2003)."""
    n = a.shape[0]
    if n < 3:
        return 0.0
    lw = np.log(_priorities(a, "rgm"))
    e = np.log(a) - lw[:, None] + lw[None, :]  # e_ij = ln(a_ij w_j / w_i)
    return float(2.0 / ((n - 1) * (n - 2)) * np.sum(np.triu(e, 1) ** 2))


def _lambda_ci(a: np.ndarray) -> tuple[float, float]:
    """lambda_max and CI = (lambda_max - n) / (n - 1) of a complete matrix (Saaty 1977)."""
    n = a.shape[0]
    lam = _perron(a)[0]
    # lambda_max >= n for every positive reciprocal matrix (Saaty 1977); round-off below n is clipped to CI = 0
    ci = max((lam - n) / (n - 1), 0.0) if n > 1 else 0.0
    return lam, ci


def _complete_harker(a: np.ndarray) -> np.ndarray:
    """Fill NaN pairs with w_i / w_j from Harker's (1987) eigenvector of the modified matrix."""
    missing = np.isnan(a)
    c = np.where(missing, 0.0, a)
    # Harker (1987): missing a_ij -> 0 and a_ii -> 1 + (number of missing entries in row i)
    c[np.diag_indices_from(c)] = 1.0 + missing.sum(axis=1)
    w = _perron(c)[1]
    return np.where(missing, w[:, None] / w[None, :], a)


def _complete_optimal(a: np.ndarray) -> np.ndarray:
    """Fill NaN pairs with the values that minimise lambda_max (Bozoki, Fulop & Ronyai 2010).

    The Perron root is a convex function of the log-entries x_ij = ln a_ij (Kingman 1961), with a unique minimiser
    when the graph of known comparisons is connected (Bozoki et al. 2010), so a quasi-Newton search with the
    analytic gradient finds the optimum.
    """
    pairs = [(i, j) for i, j in zip(*np.nonzero(np.triu(np.isnan(a), 1)))]
    start = _complete_harker(a)
    x0 = np.log([start[i, j] for i, j in pairs])
    rows = np.array([p[0] for p in pairs])
    cols = np.array([p[1] for p in pairs])

    def fill(x: np.ndarray) -> np.ndarray:
        m = a.copy()
        m[rows, cols] = np.exp(x)
        m[cols, rows] = np.exp(-x)
        return m

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        m = fill(x)
        lam, w = _perron(m)
        v = _perron(m.T)[1]
        # d lambda / d a_kl = v_k w_l / (v . w) (Perron eigenvalue derivative); chain rule through a_ij = e^x,
        # a_ji = e^-x
        scale = float(v @ w)
        grad = (m[rows, cols] * v[rows] * w[cols] - m[cols, rows] * v[cols] * w[rows]) / scale
        return lam, grad

    res = optimize.minimize(objective, x0, jac=True, method="BFGS", options={"gtol": 1e-11, "maxiter": 2000})
    return fill(res.x)


def _complete(a: np.ndarray, completion: str) -> np.ndarray:
    """The matrix with its NaN pairs filled by ``completion`` (unchanged when nothing is missing)."""
    if not np.isnan(a).any():
        return a
    return _complete_optimal(a) if completion == "optimal" else _complete_harker(a)


def _components(known: np.ndarray) -> list[list[int]]:
    """Connected components of the graph whose edges are the known comparisons."""
    n = known.shape[0]
    seen: set[int] = set()
    out = []
    for start in range(n):
        if start in seen:
            continue
        stack, comp = [start], []
        seen.add(start)
        while stack:
            i = stack.pop()
            comp.append(i)
            for j in np.nonzero(known[i])[0]:
                if int(j) not in seen:
                    seen.add(int(j))
                    stack.append(int(j))
        out.append(sorted(comp))
    return out


# ---------------------------------------------------------------------------------------------------------------
# input checks
# ---------------------------------------------------------------------------------------------------------------
def _cell(labels: Sequence[Any], i: int, j: int) -> str:
    """Location text of element (i, j)."""
    return f"cell ({labels[i]}, {labels[j]})"


def _labelled_values(matrix: Any, labels: Sequence[Any] | None
                     ) -> tuple[np.ndarray, list[Any], list[Problem], np.ndarray]:
    """The matrix as floats (NaN = missing or unreadable), its labels, the unreadable cells and their mask.

    Raises at once on shape and label problems; cells that are not numbers are returned as problems (and marked
    in the mask), so that the caller reports them together with every other cell problem."""
    if isinstance(matrix, pd.DataFrame):
        if labels is not None:
            raise InputError("`labels` applies to arrays only; a DataFrame's labels come from its index.")
        rows, cols = list(matrix.index), list(matrix.columns)
        if matrix.shape[0] != matrix.shape[1]:
            raise InputError.single("matrix", "not_square", f"a judgement matrix must be square; got "
                                    f"{matrix.shape[0]} rows x {matrix.shape[1]} columns")
        if [str(r) for r in rows] != [str(c) for c in cols]:
            raise InputError.single("matrix", "labels_differ", f"row labels {rows} and column labels {cols} "
                                    "must name the same items in the same order")
        raw, out_labels = matrix.to_numpy(dtype=object), rows
    else:
        raw = np.asarray(matrix, dtype=object)
        if raw.ndim != 2 or raw.shape[0] != raw.shape[1]:
            raise InputError.single("matrix", "not_square",
                                    f"a judgement matrix must be square; got shape {raw.shape}")
        n = raw.shape[0]
        out_labels = list(range(1, n + 1)) if labels is None else list(labels)
        if len(out_labels) != n:
            raise InputError(f"`labels` must name the {n} items; got {len(out_labels)} labels.")
    if len(set(map(str, out_labels))) != len(out_labels):
        raise InputError.single("matrix", "duplicate_label", f"item labels must be unique; got {out_labels}")
    if raw.shape[0] < 2:
        raise InputError.single("matrix", "too_small", f"AHP needs at least 2 items; got {raw.shape[0]}")
    values = np.empty(raw.shape, dtype=float)
    bad = np.zeros(raw.shape, dtype=bool)
    problems = []
    for i, j in itertools.product(range(raw.shape[0]), repeat=2):
        try:
            values[i, j] = parse_judgement(raw[i, j])
        except (TypeError, ValueError, ZeroDivisionError):
            values[i, j] = np.nan
            bad[i, j] = True
            problems.append(Problem(_cell(out_labels, i, j), "not_a_number",
                                    f"must be a number or a fraction such as 1/5; got {raw[i, j]!r}"))
    return values, out_labels, problems, bad


_JUDGEMENT_MIN = 1e-6  # ratios beyond 1e6 are typing errors and overflow the eigenvector (1e300 squared is inf)


def _prepare(matrix: Any, labels: Sequence[Any] | None = None, rtol: float = 0.05) -> tuple[np.ndarray, list]:
    """Validate a judgement matrix; return it exactly reciprocal (NaN on missing pairs) with its labels.

    Of each pair given on both sides, the entry >= 1 is kept and its mirror set to the exact reciprocal, so that
    0.33 or 0.14 typed for 1/3 or 1/7 do not perturb the result. A pair given on one side only is completed by the
    reciprocal; a pair missing on both sides is a missing comparison.
    """
    a, labels, problems, bad = _labelled_values(matrix, labels)
    n = a.shape[0]
    for i, j in itertools.product(range(n), repeat=2):
        x = a[i, j]
        if np.isnan(x):
            continue
        if not np.isfinite(x):
            problems.append(Problem(_cell(labels, i, j), "not_finite", f"must be a finite number; got {x}"))
        elif x <= 0:
            problems.append(Problem(_cell(labels, i, j), "not_positive",
                                    f"judgements must be positive (a_ij > 0); got {x:g}"))
        elif not _JUDGEMENT_MIN <= x <= 1 / _JUDGEMENT_MIN:
            problems.append(Problem(_cell(labels, i, j), "out_of_range",
                                    f"judgements must lie in [1e-6, 1e6] (Saaty's scale is 1/9 to 9); got {x:g}"))
        elif i == j and abs(x - 1.0) > 1e-9:
            problems.append(Problem(_cell(labels, i, j), "diagonal",
                                    f"an item compared with itself must be 1; got {x:g}"))
        else:
            continue
        bad[i, j] = True
    np.fill_diagonal(a, 1.0)
    # every problem of the file is reported at once: pairs with a cell reported above are not checked again
    for i, j in itertools.combinations(range(n), 2):
        x, y = a[i, j], a[j, i]
        if bad[i, j] or bad[j, i] or (np.isnan(x) and np.isnan(y)):
            continue
        if np.isnan(x) or np.isnan(y):
            given = y if np.isnan(x) else x
            a[i, j], a[j, i] = (given, 1.0 / given) if np.isnan(y) else (1.0 / given, given)
            continue
        if abs(x * y - 1.0) > rtol:
            problems.append(Problem(
                _cell(labels, i, j), "not_reciprocal",
                f"a_ij = {x:g} but a_ji = {y:g} at ({labels[j]}, {labels[i]}); a judgement matrix must be "
                f"reciprocal, a_ji = 1/a_ij = {1.0 / x:.4g}. Element (i, j) is how much more important i is "
                "than j: check that this pair was not entered the other way round."))
        elif x >= 1.0:
            a[j, i] = 1.0 / x
        else:
            a[i, j] = 1.0 / y
    if problems:
        raise InputError(problems=problems)
    known = ~np.isnan(a)
    comps = _components(known)
    if len(comps) > 1:
        groups = "; ".join("{" + ", ".join(str(labels[k]) for k in c) + "}" for c in comps)
        raise InputError.single("matrix", "disconnected",
                                f"the known comparisons split the items into unconnected groups {groups}: "
                                "compare at least one item of each group with another group")
    return a, labels


# ---------------------------------------------------------------------------------------------------------------
# result
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, eq=False)
class AHPResult:
    """Priorities and consistency of one pairwise comparison matrix.

    Element (i, j) of ``matrix`` is how much more important item i is than item j.

    Attributes
    ----------
    weights : pandas.Series
        Priorities by item label, positive, summing to 1; named ``weight``.
    lambda_max : float
        Principal (Perron) eigenvalue of the completed matrix, whatever the priority method.
    ci : float
        Consistency index (lambda_max - n) / (n - 1).
    cr : float
        Consistency ratio CI / RI (0 for n <= 2).
    gci : float
        Geometric consistency index (computed with row-geometric-mean priorities).
    consistent : bool
        ``cr <= threshold`` (criterion ``"cr"``) or ``gci <= threshold`` (criterion ``"gci"``).
    ri_table : str
        Name of the random-index table used (see :data:`RI_TABLES`).
    ri : float
        The random index used for this n.
    method : str
        Priority method: ``eigen``, ``rgm`` or ``colmean``.
    matrix : pandas.DataFrame
        The validated, exactly reciprocal and completed matrix (labels on both axes).
    completed : pandas.DataFrame
        The filled comparisons, one row per missing pair: ``i``, ``j`` (item labels, i before j in label order)
        and ``value`` (the completed a_ij). Empty when nothing was missing.
    criterion : str
        ``"cr"`` or ``"gci"``: which index decides ``consistent``.
    threshold : float
        The threshold applied to that index.
    completion : str
        ``"optimal"`` or ``"harker"``: how missing comparisons are (and, in :meth:`suggestions`, would be) filled.

    Examples
    --------
    >>> import perfeval as pe
    >>> res = pe.weighting.ahp([[1, 3, 5], [1/3, 1, 2], [1/5, 1/2, 1]], labels=["output", "effect", "cost"])
    >>> res
    AHPResult(method='eigen', cr=0.0032 [saaty1980], consistent=True, weights={output: 0.6483, effect: 0.2297, cost: 0.1220})
    >>> res.summary()[["lambda_max", "cr", "consistent"]].round(4).values.tolist()
    [[3.0037, 0.0032, True]]
    """

    weights: pd.Series
    lambda_max: float
    ci: float
    cr: float
    gci: float
    consistent: bool
    ri_table: str
    ri: float
    method: str
    matrix: pd.DataFrame
    completed: pd.DataFrame
    criterion: str = "cr"
    threshold: float = 0.10
    completion: str = "optimal"

    @property
    def n(self) -> int:
        """Number of items compared."""
        return int(self.matrix.shape[0])

    def to_frame(self) -> pd.DataFrame:
        """One row per item: ``item``, ``weight``, ``rank`` (1 = most important)."""
        return pd.DataFrame({"item": list(self.weights.index), "weight": self.weights.to_numpy(),
                             "rank": rank_desc(self.weights).to_numpy()})

    def summary(self) -> pd.DataFrame:
        """One row of diagnostics: ``n, method, lambda_max, ci, ri_table, ri, cr, gci, criterion, threshold,
        consistent, n_completed``."""
        return pd.DataFrame([{
            "n": self.n, "method": self.method, "lambda_max": self.lambda_max, "ci": self.ci,
            "ri_table": self.ri_table, "ri": self.ri, "cr": self.cr, "gci": self.gci, "criterion": self.criterion,
            "threshold": self.threshold, "consistent": self.consistent, "n_completed": len(self.completed)}])

    def suggestions(self, k: int = 3) -> pd.DataFrame:
        """The ``k`` judgements whose revision would most reduce the inconsistency, and the value that fixes each.

        For every comparison the respondent gave (completed cells are not candidates), the value of a_ij that
        minimises lambda_max with all other judgements held fixed is found (the optimal completion of the matrix
        with that cell treated as missing, Bozoki, Fulop & Ronyai 2010) and moved to the nearest value of Saaty's
        1-9 scale (:data:`SAATY_SCALE`, nearest in log distance). ``cr_after`` is the consistency ratio with that
        single change (missing cells completed again). Judgements already at their best scale value, and
        judgements on no cycle of comparisons (their removal disconnects the items), are not listed.

        Parameters
        ----------
        k : int, default 3
            Number of suggestions (at most).

        Returns
        -------
        pandas.DataFrame
            Columns ``i``, ``j`` (item labels; element (i, j) is how much more important i is than j),
            ``current`` (a_ij as given), ``suggested`` (the scale value), ``cr_after``; sorted by ``cr_after``.
        """
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
            raise InputError(f"`k` must be a positive integer; got {k!r}.")
        labels = list(self.matrix.index)
        given = self.matrix.to_numpy(dtype=float).copy()
        pos = {str(label): p for p, label in enumerate(labels)}
        # zip the label columns (iterrows would turn integer labels into floats next to the float values)
        for a, b in zip(self.completed["i"], self.completed["j"]):
            i, j = pos[str(a)], pos[str(b)]
            given[i, j] = given[j, i] = np.nan
        ri = self.ri
        rows = []
        for i, j in itertools.combinations(range(self.n), 2):
            if np.isnan(given[i, j]):
                continue
            trial = given.copy()
            trial[i, j] = trial[j, i] = np.nan
            if len(_components(~np.isnan(trial))) > 1:
                continue
            best = _complete_optimal(trial)[i, j]
            suggested = min(SAATY_SCALE, key=lambda s: abs(np.log(s) - np.log(best)))
            if abs(np.log(suggested) - np.log(given[i, j])) < 1e-9:
                continue
            trial[i, j], trial[j, i] = suggested, 1.0 / suggested
            ci = _lambda_ci(_complete(trial, self.completion))[1]
            rows.append({"i": labels[i], "j": labels[j], "current": given[i, j], "suggested": suggested,
                         "cr_after": ci / ri if ri > 0 else 0.0})
        frame = pd.DataFrame(rows, columns=_SUGGESTION_COLUMNS)
        return frame.sort_values("cr_after", kind="stable").head(int(k)).reset_index(drop=True)

    def _repr_html_(self) -> str:
        verdict = "consistent" if self.consistent else "<b>inconsistent</b>"
        head = (f"<p><b>AHP</b> ({html.escape(self.method)}, n = {self.n}): &lambda;<sub>max</sub> = "
                f"{self.lambda_max:.4f}, CI = {self.ci:.4f}, CR = {self.cr:.4f} (RI {self.ri:.4f}, "
                f"{html.escape(self.ri_table)}), GCI = {self.gci:.4f}; {verdict} "
                f"({html.escape(self.criterion.upper())} &le; {self.threshold:g})</p>")
        filled = ""
        if len(self.completed):
            filled = frame_4f(self.completed, caption=f"Completed comparisons ({self.completion}):",
                              source=".completed")
        return head + frame_4f(self.to_frame()) + filled

    def __repr__(self) -> str:
        return (f"AHPResult(method={self.method!r}, cr={self.cr:.4f} [{self.ri_table}], "
                f"consistent={self.consistent}, weights={weights_text(self.weights)})")


def _check_ri(ri: str, n: int) -> float:
    """RI of table ``ri`` for order ``n``; InputError naming the table and its range when n is beyond it."""
    check_choice("ri", ri, tuple(RI_TABLES))
    table = RI_TABLES[ri]
    if n not in table:
        raise InputError.single("matrix", "ri_range",
                                f"the random-index table {ri!r} covers n = {min(table)}..{max(table)}; got "
                                f"n = {n} items. Split the items into clusters of at most {max(table)}.")
    return table[n]


def _evaluate(a: np.ndarray, labels: list, method: str, ri: str, completion: str, criterion: str,
              threshold: float | None) -> AHPResult:
    """AHP on a validated matrix (output of :func:`_prepare`), without warnings."""
    n = a.shape[0]
    ri_value = _check_ri(ri, n)
    missing = np.triu(np.isnan(a), 1)
    full = _complete(a, completion)
    w = _priorities(full, method)
    lam, ci = _lambda_ci(full)
    cr = ci / ri_value if ri_value > 0 else 0.0
    g = _gci(full)
    if threshold is None:
        threshold = 0.10 if criterion == "cr" else gci_threshold(n)
    consistent = bool((cr if criterion == "cr" else g) <= threshold)
    completed = pd.DataFrame([{"i": labels[i], "j": labels[j], "value": full[i, j]}
                              for i, j in zip(*np.nonzero(missing))], columns=_COMPLETED_COLUMNS)
    return AHPResult(
        weights=pd.Series(w, index=labels, name="weight"), lambda_max=lam, ci=ci, cr=cr, gci=g,
        consistent=consistent, ri_table=ri, ri=ri_value, method=method,
        matrix=pd.DataFrame(full, index=labels, columns=labels), completed=completed, criterion=criterion,
        threshold=float(threshold), completion=completion)


def _check_options(method: str, ri: str, completion: str, criterion: str, threshold: float | None) -> None:
    """Validate the option arguments shared by :func:`ahp` and the group functions."""
    check_choice("method", method, METHODS)
    check_choice("ri", ri, tuple(RI_TABLES))
    check_choice("completion", completion, COMPLETIONS)
    check_choice("criterion", criterion, CRITERIA)
    if threshold is not None and not (isinstance(threshold, (int, float, np.floating)) and not isinstance(
            threshold, bool) and np.isfinite(threshold) and threshold >= 0):
        raise InputError(f"`threshold` must be a non-negative number; got {threshold!r}.")


def _inconsistency_message(result: AHPResult, what: str = "the judgement matrix") -> str:
    """The text of the :class:`InconsistentJudgementsWarning` for ``result``."""
    value = result.cr if result.criterion == "cr" else result.gci
    return (f"{what} is inconsistent: {result.criterion.upper()} = {value:.4f} > {result.threshold:g} "
            f"(n = {result.n}, RI table {result.ri_table!r}, CR = {result.cr:.4f}). "
            "See AHPResult.suggestions() for the judgements to revisit.")


def ahp(matrix: Any, method: str = "eigen", ri: str = "saaty1980", labels: Sequence[Any] | None = None, *,
        completion: str = "optimal", criterion: str = "cr", threshold: float | None = None,
        rtol: float = 0.05) -> AHPResult:
    r"""Priorities and consistency of a pairwise comparison (judgement) matrix.

    Element (i, j) is **how much more important item i is than item j** (row over column), on Saaty's 1-9 scale
    or any positive ratio; a_ji must be 1 / a_ij and the diagonal 1.

    Parameters
    ----------
    matrix : pandas.DataFrame or array-like, shape (n, n)
        The judgements. A DataFrame's index gives the item labels (its columns must repeat them in the same
        order). Cells may be numbers or text such as ``"1/5"``. NaN (or blank) on both (i, j) and (j, i) is a
        missing comparison; NaN on one side only is filled with the reciprocal of the other side.
    method : {"eigen", "rgm", "colmean"}, default "eigen"
        Priority method: principal right eigenvector (Saaty 1977), row geometric mean (Crawford & Williams 1985;
        logarithmic least squares), or the mean of the column-normalised rows (Saaty's approximation).
    ri : {"saaty1980", "saaty2005", "donegan_dodd", "tummala_ling"}, default "saaty1980"
        Random-index table for CR = CI / RI (:data:`RI_TABLES`, sources in :data:`RI_SOURCES`); all cover
        n <= 15.
    labels : sequence, optional
        Item labels for an array (default 1..n). Not allowed with a DataFrame.
    completion : {"optimal", "harker"}, default "optimal"
        How missing comparisons are filled: the values minimising lambda_max (Bozoki, Fulop & Ronyai 2010), or
        w_i / w_j from Harker's (1987) eigenvector. The filled values are reported in ``completed``.
    criterion : {"cr", "gci"}, default "cr"
        Which index decides ``consistent``.
    threshold : float, optional
        Default 0.10 for CR (Saaty 1980); for GCI 0.31 (n = 3), 0.35 (n = 4), 0.37 (n > 4) (Aguaron &
        Moreno-Jimenez 2003).
    rtol : float, default 0.05
        Accepted relative error of a_ij * a_ji = 1, so that rounded reciprocals (0.33, 0.14) pass; the entry >= 1
        of each pair is then kept exactly and its mirror set to the reciprocal.

    Returns
    -------
    AHPResult
        ``weights``, ``lambda_max``, ``ci``, ``cr``, ``gci``, ``consistent``, ``ri_table``, ``ri``, ``method``,
        ``matrix`` (completed), ``completed`` (``i, j, value``), ``criterion``, ``threshold``, ``completion``;
        ``to_frame()`` gives ``item, weight, rank`` and ``suggestions(k)`` the judgements to revisit.

    Raises
    ------
    InputError
        Not square, fewer than 2 items, labels that differ between rows and columns, cells that are not numbers,
        zero, negative or infinite judgements, a diagonal other than 1, non-reciprocal pairs (each named by its
        cell), missing comparisons that leave the items in unconnected groups, n beyond the RI table (named with
        its range), or an unknown option.

    Warns
    -----
    InconsistentJudgementsWarning
        When the matrix fails the consistency criterion.

    Notes
    -----
    With w the priorities and lambda_max the Perron eigenvalue of the (completed) matrix A:

    .. math::

        CI = \frac{\lambda_{max} - n}{n - 1}, \qquad CR = \frac{CI}{RI_n}, \qquad
        GCI = \frac{2}{(n-1)(n-2)} \sum_{i<j} \ln^2\!\left(a_{ij} \frac{w_j}{w_i}\right)

    lambda_max, CI and CR are properties of the matrix, so they do not depend on ``method`` (peers that report
    mean((Aw)_i / w_i) for the approximate methods get slightly different values); GCI always uses the row
    geometric mean w, as defined. A consistent matrix (a_ij = w_i / w_j) returns w by every method with CR = 0.

    Optimal completion minimises lambda_max(A(x)) over the log-entries x of the missing pairs; the function is
    convex in x, with a unique minimiser when the known comparisons connect all items (Bozoki et al. 2010), and is
    minimised by BFGS with the analytic gradient d lambda / d a_kl = v_k w_l / (v . w) (v the left Perron vector).
    Harker (1987) sets missing a_ij to 0 and a_ii to 1 + (number missing in row i); its Perron vector w is also the
    eigenvector of the matrix completed with w_i / w_j.

    References
    ----------
    .. [1] Saaty, T. L. (1977). A scaling method for priorities in hierarchical structures. J. Math. Psychol.
       15, 234-281.
    .. [2] Crawford, G. & Williams, C. (1985). A note on the analysis of subjective judgment matrices. J. Math.
       Psychol. 29, 387-405.
    .. [3] Aguaron, J. & Moreno-Jimenez, J. M. (2003). The geometric consistency index: approximated thresholds.
       Eur. J. Oper. Res. 147, 137-145.
    .. [4] Harker, P. T. (1987). Incomplete pairwise comparisons in the analytic hierarchy process. Math. Model.
       9, 837-848.
    .. [5] Bozoki, S., Fulop, J. & Ronyai, L. (2010). On optimal completion of incomplete pairwise comparison
       matrices. Math. Comput. Modelling 52, 318-333. doi:10.1016/j.mcm.2010.02.047
    .. [6] Saaty, T. L. (2004). Decision making - the analytic hierarchy and network processes (AHP/ANP).
       J. Syst. Sci. Syst. Eng. 13, 1-35.
    .. [7] Kingman, J. F. C. (1961). A convexity property of positive matrices. Q. J. Math. 12, 283-284.

    Examples
    --------
    Saaty (2004), Table 3: the criteria for choosing a city to live in.

    >>> import pandas as pd
    >>> import perfeval as pe
    >>> items = ["culture", "family", "housing", "jobs", "transportation"]
    >>> m = pd.DataFrame([[1, 1/5, 3, 1/2, 5], [5, 1, 7, 1, 7], [1/3, 1/7, 1, 1/4, 3],
    ...                   [2, 1, 4, 1, 7], [1/5, 1/7, 1/3, 1/7, 1]], index=items, columns=items)
    >>> res = pe.weighting.ahp(m)
    >>> res.weights.round(4).tolist()
    [0.1522, 0.4335, 0.0716, 0.305, 0.0378]
    >>> round(res.cr, 4), res.consistent
    (0.0503, True)
    """
    _check_options(method, ri, completion, criterion, threshold)
    if not (isinstance(rtol, (int, float, np.floating)) and np.isfinite(rtol) and 0 <= rtol < 1):
        raise InputError(f"`rtol` must be in [0, 1); got {rtol!r}.")
    a, item_labels = _prepare(matrix, labels, rtol)
    result = _evaluate(a, item_labels, method, ri, completion, criterion, threshold)
    if not result.consistent:
        warnings.warn(_inconsistency_message(result), InconsistentJudgementsWarning, stacklevel=2)
    return result
