"""Projects of the sample province: units, budgets and the self-evaluation indicator rows (vectorised).

The generator knows each project's *true* performance and writes what the unit *reports*: missed targets partly
hidden, qualitative levels upgraded, claimed scores computed from the reported values (domain.md §5.6: self-
evaluations are inflated). Indicator names, codes, operators, units and the first/second-level names come from
the indicator library and the ``project_self`` framework at generation time, never from copies.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ..framework import Framework
from ..scoring import over_achievement
from ..targets import MONEY_UNITS
from . import _names as N
from . import _values as V
from ._distributions import CLASS_SHARES, draw, draw_by_class, fixed_counts

__all__ = ["SlotInfo", "Projects", "slot_roles", "library_candidates", "affinity", "pick_indicators", "topic_kind",
           "make_projects",
           "indicator_total", "notes", "deviation_notes", "render", "band_scores", "split_points",
           "OVER_ACHIEVEMENT"]

#: Second-level names of the self-evaluation form -> slot role (the vocabulary of 财预〔2015〕88号).
_ROLE_NAMES: dict[str, str] = {
    "数量": "quantity", "质量": "quality", "时效": "timeliness", "成本": "cost", "经济成本": "cost",
    "社会成本": "cost", "生态环境成本": "cost", "经济效益": "economic", "社会效益": "social",
    "生态效益": "ecological", "可持续影响": "sustainable", "服务对象满意度": "satisfaction", "满意度": "satisfaction"}
_OUTPUT_ROLES = ("quantity", "quality", "timeliness", "cost")
_EFFECT_ROLES = ("economic", "social", "ecological", "sustainable")
# order in which a project's output / effect indicators fill the slots (two variants each)
_OUTPUT_PATTERNS = (("quantity", "quality", "timeliness", "cost", "quantity", "quality", "quantity", "timeliness"),
                    ("quantity", "quality", "cost", "timeliness", "quantity", "quantity", "quality", "cost"))
_EFFECT_FOCUS = {"economic": ("social", "economic", "sustainable", "social"),
                 "ecological": ("social", "ecological", "sustainable", "ecological"),
                 "social": ("social", "sustainable", "social", "economic")}
#: Ratio at which the scoring flags a target as set too easily (PMKPI's configurable 130 %, domain.md §5.3).
OVER_ACHIEVEMENT = 1.3
_SECTOR_FOCUS = {"agriculture": "economic", "science": "economic", "transport": "economic",
                 "environment": "ecological", "water": "ecological"}


@dataclass(frozen=True, slots=True)
class SlotInfo:
    """Where a slot role sits in the self-evaluation framework."""

    role: str
    code: str
    name: str
    l1_code: str
    l1_name: str
    l1_points: float


def _strip(name: str) -> str:
    """A level name without its trailing 指标 / 指标等 (数量指标 -> 数量)."""
    return re.sub(r"(指标等?|指标)$", "", str(name).strip())


def slot_roles(fw: Framework, required: tuple[str, ...] = (*_OUTPUT_ROLES, *_EFFECT_ROLES, "satisfaction")
               ) -> dict[str, SlotInfo]:
    """Slot role -> :class:`SlotInfo`, read from the framework's slots and their names (数量指标 ...); the
    ``required`` roles must all be present."""
    out: dict[str, SlotInfo] = {}
    for node in fw.slots():
        role = _ROLE_NAMES.get(_strip(node.name))
        if role is None:
            for alias in node.aliases:
                role = role or _ROLE_NAMES.get(_strip(alias))
        if role is None:
            continue
        parent = fw.find(fw.parent_of(node.code) or node.code)
        out[role] = SlotInfo(role, node.code, node.name, parent.code, parent.name, float(parent.points or 0.0))
    missing = [r for r in required if r not in out]
    if missing:
        raise ValueError(f"`framework` {fw.name!r} must declare the self-evaluation slots; missing {missing}.")
    return out


def library_candidates(library: pd.DataFrame, applies_to: str = "project", year: int | None = None
                       ) -> pd.DataFrame:
    """Approved indicators of the library for ``applies_to``, valid during ``year`` when given, with their slot
    role (``role`` column added; entries that fit no slot are dropped)."""
    valid = pd.Series(True, index=library.index)
    if year is not None:
        start, end = date(year, 1, 1), date(year, 12, 31)
        valid = library["valid_from"].map(lambda d: d is None or pd.isna(d) or d <= end) & library["valid_to"].map(
            lambda d: d is None or pd.isna(d) or d >= start)
    lib = library[(library["status"] == "approved") & valid.astype(bool)
                  & library["applies_to"].astype(str).str.split("|").apply(lambda a: applies_to in a)
                  & (library["scoring_rule"] != "execution")].copy()
    role = lib["level2"].map(lambda s: _ROLE_NAMES.get(_strip(s)))
    role = role.where(role.notna(), lib["level1"].map(lambda s: "cost" if _strip(s) == "成本" else None))
    lib["role"] = role
    lib = lib[lib["role"].notna()].sort_values("code", kind="stable").reset_index(drop=True)
    return lib


@dataclass(frozen=True)
class Projects:
    """Internal result of :func:`make_projects`: public frames plus what the generator knows.

    ``units`` and ``budget`` follow the file contracts; ``rows`` holds one row per indicator with the public
    observation columns and the hidden ones (``project``, ``cls``, ``role``, ``kind``, ``target_value``,
    ``true_value``, ``true_level``, ``true_achievement``, ``true_op``, ``rep_value``, ``rep_level``,
    ``rep_achievement``, ``claimed``, ``restated``, ``silent_over``); ``truth`` one row per project
    (``unit_id, cls, true_execution``).
    """

    units: pd.DataFrame
    budget: pd.DataFrame
    rows: pd.DataFrame
    truth: pd.DataFrame


def _topics(rng: np.random.Generator, dept: np.ndarray, seq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The programme title of every project and the city (or round) that tells repeats of a title apart."""
    topic = np.empty(len(dept), dtype=object)
    suffix = np.full(len(dept), "", dtype=object)
    for d in N.DEPARTMENTS:
        m = dept == d.code
        topics = np.asarray(d.topics, dtype=object)[rng.permutation(len(d.topics))]
        k = seq[m] - 1
        topic[m] = topics[k % len(topics)]
        rnd = k // len(topics)
        cities = np.array([""] + [c for _, c in N.CITIES], dtype=object)
        suffix[m] = np.where(rnd > 0, "（" + cities[(rnd - 1) % len(N.CITIES) + 1] + "）", "")
        extra = (rnd - 1) // len(N.CITIES)
        suffix[m] = np.where(extra > 0, suffix[m] + np.char.mod("%d", extra + 1).astype(object), suffix[m])
    return topic, suffix


def topic_kind(topic: str) -> str:
    """What a programme title says the project is: ``subsidy`` (a recurring fund: 补助, 补贴, 资金, 经费 ...),
    ``construction`` (建设, 改造, 治理 ...: built in phases or once) or ``other``."""
    if str(topic).endswith(N.SUBSIDY_ENDINGS):
        return "subsidy"
    if any(w in str(topic) for w in N.CONSTRUCTION_WORDS):
        return "construction"
    return "other"


def _project_types(rng: np.random.Generator, topic: np.ndarray) -> np.ndarray:
    """Project type by what the title says (``unit.project_type.<kind>``): subsidies mostly continue, works are
    mostly phased or one-off."""
    kinds = np.array([topic_kind(t) for t in topic], dtype=object)
    ptype = np.empty(len(topic), dtype=object)
    for kind in ("subsidy", "construction", "other"):
        m = kinds == kind
        ptype[m] = draw(rng, f"unit.project_type.{kind}", int(m.sum()))
    return ptype


def _units_and_budget(rng: np.random.Generator, n: int, year: int) -> tuple[pd.DataFrame, pd.DataFrame,
                                                                          np.ndarray, np.ndarray]:
    """Project units, their budgets (true execution), performance classes and topics."""
    counts = fixed_counts(n, {d.code: d.weight for d in N.DEPARTMENTS})
    dept = np.repeat(np.array(list(counts), dtype=object), list(counts.values()))
    seq = np.concatenate([np.arange(1, c + 1) for c in counts.values()])
    width = max(4, len(str(int(max(counts.values())))))
    unit_id = dept + np.char.zfill(seq.astype(str), width).astype(object)
    cls = np.repeat(np.array(list(CLASS_SHARES), dtype=object), list(fixed_counts(n, CLASS_SHARES).values()))
    cls = cls[rng.permutation(n)]
    dept_topic, city = _topics(rng, dept, seq)
    ptype = _project_types(rng, dept_topic)
    # designed cases: the troubled projects cover the three project types (the first three, in random order)
    # and the first troubled continuing project is rigid expenditure, so that every result-application action
    # (by grade, project type and rigidity) occurs in the sample
    troubled = np.flatnonzero(cls == "troubled")
    ptype[troubled] = draw(rng, "unit.project_type_troubled", len(troubled))
    types = np.array(["continuing", "phased", "one_off"], dtype=object)[rng.permutation(3)]
    ptype[troubled[:3]] = types[: len(troubled[:3])]
    rigid = (ptype == "continuing") & draw(rng, "unit.rigid", n)
    rigid[troubled[ptype[troubled] == "continuing"][:1]] = True
    name = dept_topic + city + np.where(ptype == "phased", f"（{year - 1}—{year + 1}年）", "")
    units = pd.DataFrame({"unit_id": unit_id, "name": name, "kind": "project", "department_id": dept,
                          "year": year, "project_type": ptype, "is_new": False, "rigid": rigid,
                          "category": "self"})
    median = np.array([{d.code: d.budget_median for d in N.DEPARTMENTS}[c] for c in dept])
    initial = median * draw(rng, "budget.full_year", n)
    initial = np.where(initial >= 100, np.round(initial), np.round(initial, 1))
    adjust = draw(rng, "budget.adjusted_any", n) * draw(rng, "budget.adjustment", n)
    full = np.round(initial * (1.0 + adjust), 2)
    short = draw(rng, "budget.in_place_short", n)
    in_place = np.round(full * np.where(short, draw(rng, "budget.in_place_ratio", n), 1.0), 2)
    rate = draw_by_class(rng, "budget.execution", cls)
    executed = np.round(np.minimum(full * rate, in_place), 2)
    # 全年预算数 includes last year's carry-over (上年结转) for some projects; 调整后预算数 is then the current
    # year's appropriation after adjustment, below it (the denominator choice of domain.md §10.4 matters)
    carry = draw(rng, "budget.carry_over_any", n) * draw(rng, "budget.carry_over_share", n)
    adjusted = np.round(full * (1.0 - carry), 2)
    budget = pd.DataFrame({"unit_id": unit_id, "budget_initial": initial, "budget_full_year": full,
                           "budget_adjusted": adjusted, "funds_in_place": in_place, "executed": executed})
    return units, budget, cls, dept_topic


def _layout(rng: np.random.Generator, dept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row -> project index and slot role, for every project's 5-12 indicators."""
    n = len(dept)
    count = draw(rng, "ind.count", n).astype(int)
    sat = np.where(count >= 11, 2, 1)
    eff = np.maximum(1, np.round((count - sat) * 0.35).astype(int))
    out = count - sat - eff
    variant = draw(rng, "ind.output_pattern", n)
    sector = {d.code: d.sectors[0] for d in N.DEPARTMENTS}
    focus = np.array([_SECTOR_FOCUS.get(sector[c], "social") for c in dept], dtype=object)
    project = np.repeat(np.arange(n), count)
    pos = np.arange(len(project)) - np.repeat(np.cumsum(count) - count, count)
    o, e = out[project], eff[project]
    role = np.empty(len(project), dtype=object)
    out_tab = np.array(_OUTPUT_PATTERNS, dtype=object)
    is_out = pos < o
    role[is_out] = out_tab[variant[project][is_out], pos[is_out]]
    is_eff = (pos >= o) & (pos < o + e)
    eff_tab = {k: np.array(v, dtype=object) for k, v in _EFFECT_FOCUS.items()}
    for k, tab in eff_tab.items():
        m = is_eff & (focus[project] == k)
        role[m] = tab[(pos - o)[m] % len(tab)]
    role[~is_out & ~is_eff] = "satisfaction"
    return project, role


def _bigrams(text: str) -> frozenset[str]:
    """The two-character words of ``text`` that can tie an indicator to a programme (generic ones left out)."""
    t = str(text)
    return frozenset(t[i:i + 2] for i in range(len(t) - 1)) - N.GENERIC_BIGRAMS


def affinity(topics: np.ndarray, names: np.ndarray, common: np.ndarray) -> np.ndarray:
    """Topic x library entry: the two-character words they share (at most 3), plus 0.5 for a common entry, so
    that an indicator about the programme comes first, a common one (按时完成率, 服务对象满意度) next, and an
    unrelated entry of the department's sector last."""
    name_words = [_bigrams(n) for n in names]
    out = np.zeros((len(topics), len(names)))
    for i, topic in enumerate(topics):
        words = _bigrams(topic)
        out[i] = [min(len(words & w), 3) for w in name_words]
    return out + 0.5 * np.asarray(common, dtype=float)


def pick_indicators(rng: np.random.Generator, lib: pd.DataFrame, pool_of: np.ndarray,
                    pools: dict[str, np.ndarray], topic: np.ndarray, project: np.ndarray, role: np.ndarray,
                    generic_effects: bool = False) -> pd.DataFrame:
    """Library entries (mostly) or individual indicators for every row; names unique within a project.

    ``pool_of[p]`` names the pool of project ``p`` and ``pools[name]`` is a boolean mask over ``lib``'s rows
    (a department's sectors plus the common entries, or the transfer entries). Within a slot the candidates are
    ranked by :func:`affinity` with the project's title, ties broken at random (``ind.pick``); an individual
    indicator (``ind.individual``) is named after the title from the slot's templates. Effects (经济/社会/生态效益,
    可持续影响) are never templated while the pool has an entry left; with ``generic_effects`` an effect entry that
    shares nothing with the title (地表水劣Ⅴ类水体比例 on a land-registry platform) gives way to the best common
    effect entry the project does not use yet (受益对象覆盖率, 长效运行管护机制健全性), whose slot it takes (column
    ``role`` of the result: the slot role of every row, changed only there)."""
    n_rows = len(project)
    key = pd.Series(project).astype(str) + "|" + pd.Series(role, dtype=object)
    rank = key.groupby(key).cumcount().to_numpy()
    n_projects = int(project.max()) + 1 if n_rows else 0
    jitter = draw(rng, "ind.pick", (n_projects, len(lib)))
    individual = draw(rng, "ind.individual", n_rows)
    out = {c: np.full(n_rows, "", dtype=object) for c in ("indicator", "indicator_code", "op", "unit")}
    score = affinity(np.asarray(topic, dtype=object)[:n_projects], lib["name_zh"].to_numpy(dtype=object),
                     lib["common"].to_numpy(dtype=bool)) + 0.49 * jitter
    chosen = np.full(n_rows, -1)
    related = np.zeros(n_rows, dtype=bool)
    for code in np.unique(pool_of):
        mask_dept = pool_of[project] == code
        pool = lib[pools[code]]
        for r in np.unique(role[mask_dept]):
            cand = pool.index[pool["role"] == r].to_numpy()
            rows = np.flatnonzero(mask_dept & (role == r))
            ok = rank[rows] < len(cand)
            rows = rows[ok]
            if len(cand) == 0 or len(rows) == 0:
                continue
            ranked = score[np.ix_(project[rows], cand)]
            order = np.argsort(-ranked, axis=1, kind="stable")
            pick = order[np.arange(len(rows)), rank[rows]]
            chosen[rows] = cand[pick]
            related[rows] = ranked[np.arange(len(rows)), pick] >= 0.5
    # an entry of the sector that shares nothing with the title gives way to an individual indicator (while the
    # slot's templates last): a teachers' allowance reports 教师 indicators or its own, not kindergarten places
    templates = rank < np.array([len(N.INDIVIDUAL_TEMPLATES[r]) for r in role])
    individual &= templates
    use_lib = (chosen >= 0) & ~individual & (related | ~templates)
    # effects (经济/社会/生态效益, 可持续影响) are not templated from the title ("救助带动社会投资" makes no sense):
    # they come from the sector's and the common library entries whenever one is left
    effect = np.isin(role, _EFFECT_ROLES)
    use_lib |= effect & (chosen >= 0)
    role_out = np.asarray(role, dtype=object).copy()
    if generic_effects:
        _generic_effects(lib, pools, pool_of, project, score, effect & use_lib & ~related, chosen, use_lib,
                         role_out)
    picked = lib.loc[chosen[use_lib]]
    for col, src in (("indicator", "name_zh"), ("indicator_code", "code"), ("op", "op"), ("unit", "unit")):
        out[col][use_lib] = picked[src].astype(str).to_numpy()
    ind = np.flatnonzero(~use_lib)
    for i in ind:
        templates = N.INDIVIDUAL_TEMPLATES[role[i]]
        name, unit, op = templates[rank[i] % len(templates)]
        suffix = "" if rank[i] < len(templates) else f"（{rank[i] // len(templates) + 1}）"
        out["indicator"][i] = name.format(topic=topic[project[i]]) + suffix
        out["unit"][i], out["op"][i] = unit, op
    frame = pd.DataFrame(out)
    frame["individual"] = ~use_lib
    frame["role"] = role_out
    return frame


def _generic_effects(lib: pd.DataFrame, pools: dict[str, np.ndarray], pool_of: np.ndarray, project: np.ndarray,
                     score: np.ndarray, off: np.ndarray, chosen: np.ndarray, use_lib: np.ndarray,
                     role_out: np.ndarray) -> None:
    """Replace the unrelated effect entries ``off`` by the project's best unused common effect entry (in place)."""
    lib_role = lib["role"].to_numpy(dtype=object)
    generic = np.flatnonzero(lib["common"].to_numpy(dtype=bool) & np.isin(lib_role, _EFFECT_ROLES))
    if not off.any() or not len(generic):
        return
    used = {(int(project[i]), int(chosen[i])) for i in np.flatnonzero(use_lib)}
    for i in np.flatnonzero(off):
        p = int(project[i])
        allowed = generic[pools[pool_of[p]][generic]]
        for g in allowed[np.argsort(-score[p, allowed], kind="stable")]:
            if (p, int(g)) not in used:
                used.discard((p, int(chosen[i])))
                used.add((p, int(g)))
                chosen[i], role_out[i] = g, lib_role[g]
                break


def split_points(rng: np.random.Generator, group: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Whole points per row summing to ``total`` within each group (weights drawn, largest remainder)."""
    w = draw(rng, "ind.points_weight", len(group))
    g = pd.Series(w).groupby(group)
    raw = total * w / g.transform("sum").to_numpy()
    base = np.floor(raw)
    deficit = (total - pd.Series(base).groupby(group).transform("sum").to_numpy()).round().astype(int)
    order = np.lexsort((-(raw - base), group))
    rank = np.empty(len(group), dtype=int)
    rank[order] = pd.Series(group[order]).groupby(group[order]).cumcount().to_numpy()
    return base + (rank < deficit)


def band_scores(level: np.ndarray, position: np.ndarray, points: np.ndarray) -> np.ndarray:
    """A score inside the level's band (met [0.8w, w], partly [0.6w, 0.8w), not met [0, 0.6w)) on a 0.1 grid."""
    low = np.select([level == "met", level == "partly"], [0.8, 0.6], 0.0) * points
    high = np.select([level == "met", level == "partly"], [1.0, 0.8], 0.6) * points
    tenths = np.floor((low + position * (high - low)) * 10 + 1e-9)
    lo_t = np.ceil(low * 10 - 1e-9)
    hi_t = np.where(level == "met", np.floor(high * 10 + 1e-9), np.ceil(high * 10 - 1e-9) - 1)
    return np.clip(tenths, lo_t, hi_t) / 10.0


def make_projects(rng: np.random.Generator, n: int, year: int, library: pd.DataFrame, fw: Framework
                  ) -> Projects:
    """Units, budgets and indicator rows of ``n`` projects (targets, truth, reports, points, claims)."""
    slots = slot_roles(fw)
    lib = library_candidates(library, "project", year)
    units, budget, cls, topic = _units_and_budget(rng, n, year)
    dept = units["department_id"].to_numpy(dtype=object)
    project, role = _layout(rng, dept)
    pools = {d.code: (lib["common"] | lib["sector"].isin(d.sectors)).to_numpy(dtype=bool) for d in N.DEPARTMENTS}
    rows = pick_indicators(rng, lib, dept, pools, topic, project, role, generic_effects=True)
    role = rows.pop("role").to_numpy(dtype=object)  # an unrelated effect entry may have changed slot
    rows.insert(0, "unit_id", units["unit_id"].to_numpy(dtype=object)[project])
    rows["l1"] = [slots[r].l1_name for r in role]
    rows["l2"] = [slots[r].name for r in role]
    rows["role"], rows["cls"], rows["project"] = role, cls[project], project
    op, unit = rows["op"].to_numpy(dtype=object), rows["unit"].to_numpy(dtype=object)
    kind = V.value_kind(op, unit)
    full = budget["budget_full_year"].to_numpy(dtype=float)
    target = V.draw_targets(rng, kind, op, unit, full[project], rows["indicator"].to_numpy(dtype=object))
    classes = rows["cls"].to_numpy(dtype=object)
    true_value, true_level, miss = V.true_values(rng, kind, op, unit, target, classes, role == "satisfaction")
    rep_value, rep_level = V.reported_values(rng, kind, op, unit, target, true_value, true_level, miss, classes)
    # a project-cost ceiling (项目总成本 ≤ ... 万元) is drawn from the project's own budget and its actual is what
    # the project spent: cost and execution tell one story
    total_cost = (role == "cost") & (kind == "money") & (op == "<=")
    if total_cost.any():
        per = np.array([MONEY_UNITS[str(u)] / 1e4 for u in unit[total_cost]])  # 万元 per unit of the row
        share = draw(rng, "ind.cost_budget_share", int(total_cost.sum()))
        target[total_cost] = V.round_values(V.nice(full[project[total_cost]] * share / per), kind[total_cost],
                                            unit[total_cost])
        spent = budget["executed"].to_numpy(dtype=float)[project[total_cost]] / per
        true_value[total_cost] = rep_value[total_cost] = V.round_values(spent, kind[total_cost], unit[total_cost])
        miss[total_cost] = true_value[total_cost] > target[total_cost]
    l1_points = np.array([slots[r].l1_points for r in role])
    l1_index = {code: i for i, code in enumerate(dict.fromkeys(s.l1_code for s in slots.values()))}
    group = project * len(l1_index) + np.array([l1_index[slots[r].l1_code] for r in role])
    points = split_points(rng, group, l1_points)
    # not applicable: at most one output/effect row per project, in a slot with other rows (its points go to them)
    slot_key = pd.factorize(pd.Series(project).astype(str) + "|" + pd.Series(role, dtype=object))[0]
    size = np.bincount(slot_key)[slot_key]
    na = draw(rng, "ind.not_applicable", len(rows)) & (size >= 2) & (role != "satisfaction")
    na &= pd.Series(na).groupby(project).cumsum().to_numpy() == 1
    position_true = draw(rng, "ind.qual_position", len(rows))
    position_self = draw(rng, "self.qual_position", len(rows))
    qual = kind == "qual"
    true_ach = V.achievement(op, target, true_value)
    true_ach[qual] = band_scores(true_level[qual], position_true[qual], points[qual]) / points[qual]
    rep_ach = V.achievement(op, target, rep_value)
    claimed = np.round(rep_ach * points, 2)
    claimed[qual] = band_scores(rep_level[qual], position_self[qual], points[qual])
    claimed[na] = np.nan
    rows = rows.assign(kind=kind, target_value=target, true_value=true_value, true_level=true_level,
                       rep_value=rep_value, rep_level=rep_level, points=points, applicable=~na,
                       true_achievement=true_ach, rep_achievement=rep_ach, claimed=claimed,
                       true_op=op.copy(), restated=False, silent_over=False, note="")
    exec_true = np.minimum(budget["executed"].to_numpy() / full, 1.0) * 10.0
    truth = pd.DataFrame({"unit_id": units["unit_id"], "cls": cls, "true_execution": exec_true})
    return Projects(units, budget, rows, truth)


def indicator_total(rows: pd.DataFrame, scores: np.ndarray, n: int) -> np.ndarray:
    """Per project: the sum of ``scores`` over applicable rows, each slot rescaled to its declared points.

    Mirrors :func:`perfeval.score`'s ``na_policy="rescale"``: a not-applicable row's points go to its applicable
    siblings in the same slot (the generator only marks rows N/A in slots with other rows).
    """
    app = rows["applicable"].to_numpy(dtype=bool)
    proj = rows["project"].to_numpy()
    slot = pd.factorize(pd.Series(proj).astype(str) + "|" + rows["role"].astype(str).to_numpy())[0]
    pts = rows["points"].to_numpy(dtype=float)
    declared = np.bincount(slot, weights=pts)
    applicable = np.bincount(slot, weights=pts * app)
    factor = declared / np.where(applicable > 0, applicable, 1.0)
    value = np.where(app, np.nan_to_num(scores), 0.0) * factor[slot]
    return np.bincount(proj, weights=value, minlength=n)


def deviation_notes(rng: np.random.Generator, op: np.ndarray, kind: np.ndarray, target: np.ndarray,
                    actual: np.ndarray, missed: np.ndarray, silent: np.ndarray | None = None,
                    role: np.ndarray | None = None) -> np.ndarray:
    """偏差原因分析及改进措施 as units write them: a cause for a missed target (a survey's for a satisfaction rate,
    a lagging effect for an effect indicator, when the slot ``role`` is given), an explanation for a target beaten
    by 130 % or more (the ratio the scoring flags), nothing otherwise (nor where ``silent``)."""
    u = draw(rng, "ind.text_variant", len(op))
    ratio = over_achievement(actual, target, op)  # the engine's measure (x / t, or t / x for <=)
    over = ~np.isnan(ratio) & (ratio >= OVER_ACHIEVEMENT) & (kind != "qual")
    if silent is not None:
        over &= ~silent
    out = np.full(len(op), "", dtype=object)
    out[missed] = V.pick_text(N.NOTES_MISSED, u[missed])
    if role is not None:
        for roles, texts in (((("satisfaction",)), N.NOTES_MISSED_SATISFACTION), (_EFFECT_ROLES, N.NOTES_MISSED_EFFECT)):
            m = missed & np.isin(role, roles)
            out[m] = V.pick_text(texts, u[m])
    out[over] = np.where(op[over] == "<=", N.NOTE_UNDER, V.pick_text(N.NOTES_OVER, u[over]))
    return out


def notes(rng: np.random.Generator, rows: pd.DataFrame) -> np.ndarray:
    """The notes of the self-evaluation rows (:func:`deviation_notes` on the reported values; N/A stated)."""
    kind = rows["kind"].to_numpy(dtype=object)
    missed = rows["rep_achievement"].to_numpy(dtype=float) < 1.0
    missed |= (kind == "qual") & (rows["rep_level"].to_numpy(dtype=object) != "met")
    out = deviation_notes(rng, rows["op"].to_numpy(dtype=object), kind, rows["target_value"].to_numpy(dtype=float),
                          rows["rep_value"].to_numpy(dtype=float), missed, rows["silent_over"].to_numpy(dtype=bool),
                          rows["role"].to_numpy(dtype=object))
    out[~rows["applicable"].to_numpy(dtype=bool)] = N.NOTE_NOT_APPLICABLE
    return out


def render(rng: np.random.Generator, rows: pd.DataFrame) -> pd.DataFrame:
    """The public observation columns of ``rows`` (target and actual text, op column, level, score)."""
    kind, op = rows["kind"].to_numpy(dtype=object), rows["op"].to_numpy(dtype=object)
    unit, role = rows["unit"].to_numpy(dtype=object), rows["role"].to_numpy(dtype=object)
    target_text, needs_op = V.render_target(rng, kind, op, rows["target_value"].to_numpy(dtype=float), unit, role)
    actual_text = V.render_actual(rng, kind, rows["rep_value"].to_numpy(dtype=float),
                                  rows["rep_level"].to_numpy(dtype=object), unit, role)
    restated = rows["restated"].to_numpy(dtype=bool)
    symbol_text = np.array([{">=": "≥", "<=": "≤", "=": "="}.get(o, "") for o in op], dtype=object)
    if restated.any():
        bare = np.array([not t.startswith(("≥", "≤", "=", "不")) for t in target_text[restated]], dtype=bool)
        target_text[restated] = np.where(bare, symbol_text[restated] + target_text[restated],
                                         target_text[restated])
        actual_text[restated] = target_text[restated]
    applicable = rows["applicable"].to_numpy(dtype=bool)
    actual_text[~applicable] = ""
    blank = draw(rng, "ind.op_blank", len(rows)) & ~needs_op & (kind != "qual")
    op_col = np.where(blank, "", op)
    qual = kind == "qual"
    return pd.DataFrame({
        "unit_id": rows["unit_id"], "l1": rows["l1"], "l2": rows["l2"], "indicator": rows["indicator"],
        "indicator_code": rows["indicator_code"], "op": op_col, "target": target_text, "actual": actual_text,
        "unit": unit, "points": rows["points"].to_numpy(dtype=float),
        "level": np.where(qual, rows["rep_level"].to_numpy(dtype=object), ""),
        "score": rows["claimed"].to_numpy(dtype=float), "applicable": applicable,
        "note": rows["note"].to_numpy(dtype=object)})
