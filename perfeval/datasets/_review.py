"""Reviews of the sample province: re-evaluation (再评价), expert panels, ex-ante assessments and the AHP survey.

* Re-evaluation: a sample stratified by department and self-claimed grade; the re-checker measures close to the
  truth the generator knows, so the sample shows the self-evaluations' inflation.
* Key evaluations: the largest projects, scored on every leaf of ``project_key`` by seven experts, one of whom is
  severe, one lenient and one erratic.
* Ex-ante assessments of new projects proposed for the next year on the ``exante`` framework, with totals that
  span the three conclusions and sit on both sides of the 90 and 70 cut-offs.
* An AHP survey of the key framework's first-level criteria: nine consistent experts and one whose judgements are
  intransitive (CR > 0.1 by the eigenvector method, Saaty's 1980 random index).
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from ..framework import Framework
from . import _names as N
from . import _values as V
from ._distributions import draw, draw_by_class, fixed_counts
from ._projects import indicator_total

__all__ = ["recheck_sample", "recheck_rows", "key_units", "panel_scores", "exante_scores", "ahp_survey",
           "consistency_ratio", "SAATY_RI"]

#: Saaty's (1980) random consistency index by matrix order (n <= 10).
SAATY_RI: dict[int, float] = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45,
                              10: 1.49}
_GRADE_RANK = {"优": 0, "良": 1, "中": 2, "差": 3}
# ex-ante totals are drawn in [cut-off, 98] (support), [70, 89.5] (adjust) and [52, 69.5] (reject)
_SUPPORT_CEILING, _REJECT_FLOOR = 98.0, 52.0


def recheck_sample(rng: np.random.Generator, units: pd.DataFrame, grade: np.ndarray, size: int,
                   claimed: np.ndarray | None = None, cuts: tuple[float, ...] = (60.0, 80.0, 90.0),
                   near: int = 3) -> np.ndarray:
    """Indices of a sample of ``size`` projects stratified by department (proportional allocation) and, within a
    department, by claimed grade (systematic selection from the list ordered by grade).

    Re-checkers also look at the borderline cases on purpose: with the ``claimed`` totals, up to ``near``
    departments (in random order) whose sample holds no claim within 1 point of a grade cut-off but who have such
    a project swap it in for their sampled project with the closest claimed total.
    """
    dept = units["department_id"].to_numpy(dtype=object)
    codes, counts = np.unique(dept, return_counts=True)
    alloc = fixed_counts(size, dict(zip(codes.tolist(), counts.tolist())))
    start = draw(rng, "recheck.pick", len(codes))
    key = draw(rng, "recheck.pick", len(dept))
    picked: list[np.ndarray] = []
    for (code, k), u in zip(alloc.items(), start):
        members = np.flatnonzero(dept == code)
        if k == 0:
            continue
        order = members[np.lexsort((key[members], [_GRADE_RANK.get(g, 4) for g in grade[members]]))]
        step = len(order) / k
        picked.append(order[np.floor(u * step + step * np.arange(k)).astype(int)])
    sample = np.sort(np.concatenate(picked)) if picked else np.array([], dtype=int)
    if claimed is None or near <= 0 or not len(sample):
        return sample
    is_near = np.min(np.abs(np.asarray(claimed, dtype=float)[:, None] - np.asarray(cuts)[None, :]), axis=1) < 1.0
    chosen = set(sample.tolist())
    swaps = 0
    for code in codes[np.argsort(draw(rng, "recheck.pick", len(codes)), kind="stable")]:
        mine = [i for i in sample if dept[i] == code]
        spare = [i for i in np.flatnonzero((dept == code) & is_near) if i not in chosen]
        if swaps >= near or not mine or any(is_near[i] for i in mine) or not spare:
            continue
        new = spare[0]
        old = min(mine, key=lambda i: abs(claimed[i] - claimed[new]))
        chosen.discard(old)
        chosen.add(new)
        swaps += 1
    return np.array(sorted(chosen), dtype=int)


def recheck_rows(rng: np.random.Generator, rows: pd.DataFrame, observations: pd.DataFrame, sample: np.ndarray,
                 exec_true: np.ndarray, n_projects: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indicator-level re-checks of the sampled projects and their totals.

    The re-checked actual is the true value with a small measurement error (none on rows met within 3 %), the
    qualitative level is the true one; ``recheck_score`` follows the library's operator (a cost row written
    with ≥ is re-scored with ≤) and ``recheck_total`` = true execution points + the re-checked indicator points.
    """
    in_sample = np.isin(rows["project"].to_numpy(), sample)
    r = rows[in_sample]
    kind, op = r["kind"].to_numpy(dtype=object), r["true_op"].to_numpy(dtype=object)
    target, true = r["target_value"].to_numpy(dtype=float), r["true_value"].to_numpy(dtype=float)
    noise = draw(rng, "recheck.noise", len(r))
    with np.errstate(divide="ignore", invalid="ignore"):
        close = np.abs(true / np.where(target > 0, target, 1.0) - 1.0) <= 0.03
    measured = np.where(close | np.isin(kind, ["zero", "qual"]), true, true * (1.0 + noise))
    measured = V.round_values(measured, kind, r["unit"].to_numpy(dtype=object))
    measured = np.where(kind == "pct", np.minimum(measured, 100.0), measured)
    level = r["true_level"].to_numpy(dtype=object)
    ach = V.achievement(op, target, measured)
    qual = kind == "qual"
    ach[qual] = r["true_achievement"].to_numpy(dtype=float)[qual]
    pts = r["points"].to_numpy(dtype=float)
    score = np.round(ach * pts, 2)
    app = r["applicable"].to_numpy(dtype=bool)
    score[~app] = np.nan
    text = V.render_actual(rng, kind, measured, level, r["unit"].to_numpy(dtype=object),
                           r["role"].to_numpy(dtype=object))
    text[~app] = ""
    out = observations[in_sample].copy()
    corrected = r["op"].to_numpy(dtype=object) != op  # the re-checker restores the library's operator
    if corrected.any():
        out.loc[corrected, "op"] = op[corrected]
        out.loc[corrected, "target"] = V.comparison_text(op[corrected], target[corrected], kind[corrected],
                                                         r["unit"].to_numpy(dtype=object)[corrected])
    out["actual"] = text
    out["level"] = np.where(qual, level, "")
    out["recheck_score"] = score
    totals = indicator_total(r, score, n_projects)[sample] + exec_true[sample]
    recheck = pd.DataFrame({"unit_id": rows.drop_duplicates("project").set_index("project").loc[sample, "unit_id"]
                            .to_numpy(dtype=object), "recheck_total": np.round(totals, 2)})
    return recheck, out.reset_index(drop=True)


def key_units(rng: np.random.Generator, units: pd.DataFrame, budget: pd.DataFrame, size: int) -> np.ndarray:
    """Indices of the key-evaluation projects: large budgets (top 40 %), departments as distinct as possible."""
    full = budget["budget_full_year"].to_numpy(dtype=float)
    large = np.flatnonzero(full >= np.quantile(full, 0.6))
    key = draw(rng, "panel.pick", len(large))
    order = large[np.argsort(key, kind="stable")]
    dept = units["department_id"].to_numpy(dtype=object)[order]
    first = ~pd.Series(dept).duplicated().to_numpy()
    ranked = np.concatenate([order[first], order[~first]])
    return np.sort(ranked[:size])


def panel_scores(rng: np.random.Generator, unit_ids: np.ndarray, classes: np.ndarray, fw: Framework,
                 n_raters: int = 7) -> tuple[pd.DataFrame, dict[str, str]]:
    """Expert ratings of every leaf of ``fw`` for each unit, and which rater is severe, lenient and erratic.

    A rating is ``points x clip(truth + bias + noise, 0, 1)`` rounded to 0.5 points.
    """
    leaves = fw.leaves()
    codes = np.array([n.code for n in leaves], dtype=object)
    points = np.array([float(n.points or 0.0) for n in leaves])
    raters = np.array([f"E{i + 1:02d}" for i in range(n_raters)], dtype=object)
    roles = rng.permutation(n_raters)[:3]
    bias = draw(rng, "panel.bias", n_raters)
    bias[roles[0]] = draw(rng, "panel.severe_bias", 1)[0]
    bias[roles[1]] = draw(rng, "panel.lenient_bias", 1)[0]
    n_u, n_l = len(unit_ids), len(leaves)
    truth = draw_by_class(rng, "panel.truth", np.repeat(classes, n_l)).reshape(n_u, n_l)
    noise = draw(rng, "panel.noise", (n_u, n_l, n_raters))
    noise[:, :, roles[2]] = draw(rng, "panel.erratic_noise", (n_u, n_l))
    a = np.clip(truth[:, :, None] + bias[None, None, :] + noise, 0.0, 1.0)
    score = np.clip(np.round(a * points[None, :, None] * 2.0) / 2.0, 0.0, points[None, :, None])
    frame = pd.DataFrame({"unit_id": np.repeat(unit_ids, n_l * n_raters),
                          "node_code": np.tile(np.repeat(codes, n_raters), n_u),
                          "rater_id": np.tile(raters, n_u * n_l), "score": score.ravel()})
    truth_roles = {"severe": str(raters[roles[0]]), "lenient": str(raters[roles[1]]),
                   "erratic": str(raters[roles[2]])}
    return frame, truth_roles


def _conclusion_totals(rng: np.random.Generator, n: int, fw: Framework) -> np.ndarray:
    """Totals spanning the conclusions: the near-edge ones first, then drawn within a drawn conclusion."""
    cut_high, cut_low = fw.bands.bands[-1].low, fw.bands.bands[1].low
    edge = np.array([cut_high, cut_high - 0.5, cut_low, cut_low - 0.5])
    conclusion = draw(rng, "exante.conclusion", n)
    pos = draw(rng, "exante.position", n)
    low = np.select([conclusion == "support", conclusion == "adjust"], [cut_high, cut_low], _REJECT_FLOOR)
    high = np.select([conclusion == "support", conclusion == "adjust"], [_SUPPORT_CEILING, cut_high - 0.5],
                     cut_low - 0.5)
    totals = np.round((low + pos * (high - low)) * 2.0) / 2.0
    totals[: min(len(edge), n)] = edge[: min(len(edge), n)]
    return totals


def exante_scores(rng: np.random.Generator, n: int, year: int, fw: Framework) -> tuple[pd.DataFrame,
                                                                                       pd.DataFrame]:
    """Proposed projects (units) and their ex-ante score sheets (``unit_id, node_code, score``)."""
    leaves = fw.leaves()
    codes = np.array([lf.code for lf in leaves], dtype=object)
    cap = np.array([float(lf.points or 0.0) for lf in leaves])
    totals = _conclusion_totals(rng, n, fw)
    order = rng.permutation(n)
    totals = totals[order]
    lost = cap.sum() - totals
    share = draw(rng, "exante.deficit_split", n)
    loss = np.zeros((n, len(cap)))
    remaining = lost.copy()
    for _ in range(len(cap)):  # water-filling: never take more than a leaf's points
        room = cap[None, :] - loss
        w = share * (room > 1e-9)
        w = w / np.where(w.sum(axis=1, keepdims=True) > 0, w.sum(axis=1, keepdims=True), 1.0)
        loss = np.minimum(cap[None, :], loss + w * remaining[:, None])
        remaining = lost - loss.sum(axis=1)
    halves = np.floor(loss * 2.0)
    short = (lost * 2.0 - halves.sum(axis=1)).round().astype(int)
    frac = loss * 2.0 - halves + (halves >= cap[None, :] * 2.0) * -9.0
    rank = np.argsort(np.argsort(-frac, axis=1, kind="stable"), axis=1, kind="stable")
    halves = halves + (rank < short[:, None])
    score = cap[None, :] - halves / 2.0
    dept = draw(rng, "exante.department", n)
    seq = pd.Series(dept).groupby(dept).cumcount().to_numpy() + 1
    unit_id = np.array([f"{d}{year + 1}{s:03d}" for d, s in zip(dept, seq)], dtype=object)
    topics = np.array([N.EXANTE_TOPICS[d][(s - 1) % len(N.EXANTE_TOPICS[d])] for d, s in zip(dept, seq)],
                      dtype=object)
    rounds = (seq - 1) // 2
    city = np.array([N.CITIES[(r - 1) % len(N.CITIES)][1] if r else "" for r in rounds], dtype=object)
    name = topics + np.where(rounds > 0, "（" + city + "）", "")
    units = pd.DataFrame({"unit_id": unit_id, "name": name, "kind": "project", "department_id": dept,
                          "year": year + 1, "project_type": draw(rng, "unit.project_type", n), "is_new": True,
                          "rigid": False, "category": "exante"})
    frame = pd.DataFrame({"unit_id": np.repeat(unit_id, len(codes)), "node_code": np.tile(codes, n),
                          "score": score.ravel()})
    return units, frame


def consistency_ratio(matrix: np.ndarray) -> float:
    r"""Saaty's consistency ratio of a reciprocal matrix by the principal eigenvalue.

    .. math:: CI = (\lambda_{max} - n) / (n - 1), \quad CR = CI / RI_n

    with Saaty's (1980) random index :data:`SAATY_RI`. Saaty, T. L. (1980). *The Analytic Hierarchy Process*.
    McGraw-Hill.
    """
    n = matrix.shape[0]
    lam = float(np.max(np.linalg.eigvals(matrix).real))
    return (lam - n) / (n - 1) / SAATY_RI[n] if SAATY_RI.get(n, 0.0) > 0 else 0.0


def _saaty(ratio: np.ndarray) -> np.ndarray:
    """Nearest judgement on Saaty's 1-9 scale and its reciprocals."""
    up = np.clip(np.round(ratio), 1, 9)
    down = 1.0 / np.clip(np.round(1.0 / ratio), 1, 9)
    return np.where(ratio >= 1.0, up, down)


def _text(value: float) -> str:
    """A judgement as a surveyed expert writes it: ``3``, ``1/5``."""
    frac = Fraction(value).limit_denominator(9)
    return str(frac.numerator) if frac.denominator == 1 else f"{frac.numerator}/{frac.denominator}"


def ahp_survey(rng: np.random.Generator, fw: Framework, n_experts: int = 10) -> tuple[pd.DataFrame, str]:
    """Pairwise comparisons of ``fw``'s first-level nodes (``expert_id, a, b, value``) and the inconsistent one.

    Consistent experts judge ``w_a / w_b`` of their own weights (drawn around a consensus proportional to the
    framework's points) rounded to Saaty's scale, redrawn until CR <= 0.1; the inconsistent expert reverses the
    strongest of their judgements and strengthens it, which makes the matrix intransitive (CR > 0.1).
    """
    codes = [n.code for n in fw.nodes]
    pts = np.array([float(n.points or 1.0) for n in fw.nodes])
    k = len(codes)
    iu, ju = np.triu_indices(k, 1)
    consensus = draw(rng, "ahp.consensus", 1, alpha=tuple(pts / pts.sum()))[0]
    bad = int(rng.integers(n_experts))
    rows = []
    for e in range(n_experts):
        for _ in range(100):
            w = draw(rng, "ahp.expert", 1, alpha=tuple(consensus))[0]
            upper = _saaty(w[iu] / w[ju])
            if e == bad:
                strongest = int(np.argmax(np.abs(np.log(upper))))
                factor = float(draw(rng, "ahp.inconsistent_flip", 1)[0])
                upper[strongest] = factor if upper[strongest] < 1.0 else 1.0 / factor
            m = np.ones((k, k))
            m[iu, ju], m[ju, iu] = upper, 1.0 / upper
            cr = consistency_ratio(m)
            if (cr > 0.1) == (e == bad) and (e != bad or cr > 0.15):
                break
        rows += [(f"X{e + 1:02d}", codes[i], codes[j], _text(v)) for i, j, v in zip(iu, ju, upper)]
    frame = pd.DataFrame(rows, columns=["expert_id", "a", "b", "value"])
    return frame, f"X{bad + 1:02d}"
