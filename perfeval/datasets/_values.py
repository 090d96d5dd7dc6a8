"""Targets, true and reported values of indicator rows, and their text as a form writes it (vectorised).

Every function works on whole columns (NumPy arrays, one element per indicator row). Values are generated at
the precision a form shows: counts and durations as integers, percentages to 0.1, money to 0.01 万元.
"""
from __future__ import annotations

import numpy as np

from ..scoring import auto
from ..targets import MONEY_UNITS
from . import _names as N
from ._distributions import RATE_SCALE, UNIT_SCALE, draw, draw_by_class

__all__ = ["value_kind", "nice", "draw_targets", "true_values", "reported_values", "achievement", "render_target",
           "render_actual", "pick_text", "round_values", "decimals", "comparison_text", "LEVELS"]

LEVELS: tuple[str, ...] = ("met", "partly", "not_met")
_DURATION_UNITS = frozenset({"天", "日", "工作日", "个月", "月", "小时", "年"})
_RATIO_UNITS = frozenset({"倍"})
_DECIMALS = {"count": 0, "duration": 0, "zero": 0, "pct": 1, "pct_eq": 1, "money": 2, "rate": 1, "standard": 0,
             "qual": 0}
_SYMBOL = {">=": "≥", "<=": "≤", "=": "="}


def value_kind(op: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """Kind of each row's value.

    ``qual`` (定性), ``pct`` (a percentage), ``pct_eq`` (``=100%``), ``zero`` (``=0`` events: 起, 件, 户),
    ``standard`` (``=`` a subsidy standard, 元/人), ``money`` (万元, 亿元: amounts scaled by the budget),
    ``rate`` (a per-unit value such as 元/人, 元 or a multiple 倍, not scaled by the budget), ``duration`` (天,
    个月), ``count`` (人次, 个, 万亩 ...).
    """
    op = np.asarray(op, dtype=object)
    unit = np.asarray(unit, dtype=object)
    is_pct = unit == "%"
    small_money = [u for u, size in MONEY_UNITS.items() if size < MONEY_UNITS["万元"]]
    is_rate = np.array(["/" in str(u) or str(u) in _RATIO_UNITS for u in unit], dtype=bool) | np.isin(
        unit, small_money)  # 元 on a cost row is a per-unit cost or a standard, not the project's total
    is_money = np.isin(unit, list(MONEY_UNITS)) & ~is_rate
    kind = np.full(len(op), "count", dtype=object)
    kind[np.isin(unit, list(_DURATION_UNITS))] = "duration"
    kind[is_money] = "money"
    kind[is_rate] = "rate"
    kind[is_pct] = "pct"
    kind[(op == "=") & is_pct] = "pct_eq"
    kind[(op == "=") & (is_rate | is_money)] = "standard"
    kind[(op == "=") & ~is_pct & ~is_rate & ~is_money] = "zero"
    kind[op == "qualitative"] = "qual"
    return kind


def decimals(kind: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """Digits a form shows: by kind, and 2 for counts in 万/亿 units or kilometres (0.35万亩, 12.6km)."""
    d = np.array([_DECIMALS[k] for k in kind], dtype=int)
    fine = np.array([str(u).startswith(("万", "亿")) or str(u) in ("km", "公里", "千米", "平方公里")
                     for u in unit], dtype=bool)
    return np.where((kind == "count") & fine, 2, d)


def nice(x: np.ndarray, digits: int = 2) -> np.ndarray:
    """Round to ``digits`` significant digits (targets are round numbers on real forms)."""
    x = np.asarray(x, dtype=float)
    safe = np.where(x > 0, x, 1.0)
    scale = 10.0 ** (np.floor(np.log10(safe)) - (digits - 1))
    return np.where(x > 0, np.round(safe / scale) * scale, 0.0)


def round_values(values: np.ndarray, kind: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """Values at the precision a form shows (integers, 0.1 %, 0.01 万元 ...; see :func:`decimals`)."""
    digits = decimals(kind, unit)
    out = np.asarray(values, dtype=float).copy()
    for d in np.unique(digits):
        m = digits == d
        out[m] = np.round(out[m], int(d))
    return out


_GROWTH_WORDS = ("增长率", "下降率", "变动率", "提高率", "增幅")
_SHARE_WORDS = ("占比", "分担率", "强度", "比例", "利用率")
_FULL_WORDS = ("覆盖", "达标", "合格", "完成", "及时", "到位", "满意", "知晓", "兑付", "准确", "执行")
_OUTCOME_WORDS = ("就业率", "入园率", "入学率", "巩固率", "升学率", "存活率", "成活率", "治愈率", "回收率", "知晓率")


def _pct_family(names: np.ndarray) -> np.ndarray:
    """``compliance`` (资金使用合规率: 100 %, compliance is not partial), ``growth`` (增长率 ...), ``share`` (占比,
    分担率 ...), ``satisfaction`` (满意度), ``outcome`` (就业率, 入园率 ...: a rate no programme promises at 100 %) or
    ``full`` (a rate that should be near 100 %)."""
    out = np.full(len(names), "full", dtype=object)
    for i, name in enumerate(names):
        text = str(name)
        if "合规" in text:
            out[i] = "compliance"
        elif any(w in text for w in _GROWTH_WORDS):
            out[i] = "growth"
        elif "满意" in text:
            out[i] = "satisfaction"
        elif any(w in text for w in _OUTCOME_WORDS):
            out[i] = "outcome"
        elif any(w in text for w in _SHARE_WORDS) and not any(w in text for w in _FULL_WORDS):
            out[i] = "share"
    return out


def draw_targets(rng: np.random.Generator, kind: np.ndarray, op: np.ndarray, unit: np.ndarray,
                 budget: np.ndarray, names: np.ndarray | None = None) -> np.ndarray:
    """Annual target value of every row (NaN for qualitative rows).

    Percentage targets depend on what the indicator's name says it measures (:func:`_pct_family`): growth rates
    get small targets, shares middling ones, satisfaction and outcome rates 80-95 %, completion-type rates
    targets near 100 %.
    """
    n = len(kind)
    t = np.full(n, np.nan)
    family = _pct_family(names if names is not None else np.full(n, "", dtype=object))
    pct_up = (kind == "pct") & (op == ">=")
    t[pct_up] = draw(rng, "ind.percent_target", int(pct_up.sum())).astype(float)
    growth = pct_up & (family == "growth")
    t[growth] = draw(rng, "ind.growth_target", int(growth.sum())).astype(float)
    share = pct_up & (family == "share")
    t[share] = draw(rng, "ind.share_target", int(share.sum())).astype(float)
    for fam, name in (("satisfaction", "ind.satisfaction_target"), ("outcome", "ind.outcome_target")):
        m = pct_up & (family == fam)
        t[m] = draw(rng, name, int(m.sum())).astype(float)
    t[pct_up & (family == "compliance")] = 100.0
    pct_cap = (kind == "pct") & (op == "<=")
    t[pct_cap] = draw(rng, "ind.cap_target", int(pct_cap.sum())).astype(float)
    t[kind == "pct_eq"] = 100.0
    t[kind == "zero"] = 0.0
    count = kind == "count"
    scale = np.array([UNIT_SCALE.get(str(u), 1.0) for u in unit[count]])
    up = op[count] == ">="
    base = budget[count] / 100.0 * scale * draw(rng, "ind.count_target", int(count.sum()))
    small = draw(rng, "ind.cap_target", int(count.sum())).astype(float)
    whole = decimals(kind[count], unit[count]) == 0
    t[count] = np.where(up, np.maximum(np.where(whole, 1.0, 0.01), nice(base)), small)
    t[count] = np.where(whole, np.round(t[count]), np.round(t[count], 2))
    money = kind == "money"
    share = draw(rng, "ind.money_target", int(money.sum()))
    factor = np.where(op[money] == "<=", 1.0, 3.0) / np.array([MONEY_UNITS[str(u)] / 1e4 for u in unit[money]])
    t[money] = nice(budget[money] * share * factor)
    rate = np.isin(kind, ["rate", "standard"])
    base_rate = np.array([RATE_SCALE.get(str(u), RATE_SCALE.get(str(u).split("/")[0], 100.0))
                          for u in unit[rate]])
    t[rate] = nice(base_rate * draw(rng, "ind.rate_target", int(rate.sum())))
    dur = kind == "duration"
    days = draw(rng, "ind.duration_target", int(dur.sum())).astype(float)
    months = np.isin(unit[dur], ["个月", "月"])
    t[dur] = np.where(months, np.maximum(1.0, np.round(days / 10.0)), days)
    return np.where(np.isnan(t), t, round_values(t, kind, unit))


def true_values(rng: np.random.Generator, kind: np.ndarray, op: np.ndarray, unit: np.ndarray, target: np.ndarray,
                classes: np.ndarray, satisfaction: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """True actual values, true qualitative levels and the 'missed' flag of every row.

    Percentages and standards miss by less than counts (``ind.pct_miss_depth``), satisfaction rates by less still
    (``ind.satisfaction_miss_depth``; ``satisfaction`` marks those rows)."""
    n = len(kind)
    miss = draw_by_class(rng, "ind.miss", classes).astype(bool)
    r_miss = draw_by_class(rng, "ind.miss_ratio", classes)
    shallow = np.isin(kind, ["pct", "pct_eq", "standard"])
    depth = draw(rng, "ind.pct_miss_depth", n)
    if satisfaction is not None:
        depth = np.where(satisfaction, draw(rng, "ind.satisfaction_miss_depth", n), depth)
    r_miss = np.where(shallow, 1.0 - depth * (1.0 - r_miss), r_miss)
    exact = draw(rng, "ind.exact", n)
    over = draw(rng, "ind.over", n) & np.isin(kind, ["count", "money", "rate"]) & (op == ">=")
    r_met = np.where(exact, 1.0, draw(rng, "ind.met_ratio", n))
    r_met = np.where(over, draw(rng, "ind.over_ratio", n), r_met)
    slack = draw(rng, "ind.percent_slack", n)
    saving = draw(rng, "ind.cost_saving", n)
    events = draw(rng, "ind.zero_events", n).astype(float)
    level = draw_by_class(rng, "ind.qual_level", classes).astype(object)
    qual = kind == "qual"
    miss &= ~qual
    actual = _value_at(kind, op, unit, target, np.where(miss, r_miss, r_met), miss, slack, saving, events)
    level = np.where(qual, level, None)
    return actual, level, miss


def _value_at(kind: np.ndarray, op: np.ndarray, unit: np.ndarray, target: np.ndarray, ratio: np.ndarray,
              miss: np.ndarray, slack: np.ndarray, saving: np.ndarray, events: np.ndarray) -> np.ndarray:
    """Actual value achieving ``ratio`` of the target (missed rows strictly worse than the target)."""
    t = target
    up = op == ">="
    down = op == "<="
    step = 10.0 ** -decimals(kind, unit).astype(float)
    x = np.full(len(kind), np.nan)
    # higher is better
    pct = kind == "pct"
    met_pct = t + slack * np.minimum(100.0 - t, 0.25 * t)  # a met rate lands between the target and 100 %
    x = np.where(up, np.where(pct & ~miss, met_pct, t * ratio), x)
    # lower is better: met = a saving, missed = overrun (linear reverse rule: a = 2 - x / t)
    x = np.where(down, np.where(miss, t * (2.0 - ratio), t * saving), x)
    x = np.where(np.isin(kind, ["pct_eq", "standard"]), np.where(miss, t * ratio, t), x)
    x = np.where(kind == "zero", np.where(miss, events, 0.0), x)
    x = round_values(np.where(kind == "qual", 0.0, x), kind, unit)
    # keep a missed row missed and a met row met after rounding
    eq = np.isin(kind, ["pct_eq", "standard"])
    x = np.where(eq & miss, np.minimum(x, t - step), x)
    x = np.where(up & miss, np.minimum(x, t - step), x)
    x = np.where(up & ~miss, np.maximum(x, t), x)
    x = np.where(down & miss, np.maximum(x, t + step), x)
    x = np.where(down & ~miss, np.minimum(x, t), x)
    x = np.where(pct, np.minimum(x, 100.0), x)
    x = np.maximum(x, 0.0)
    return np.where(kind == "qual", np.nan, x)


def reported_values(rng: np.random.Generator, kind: np.ndarray, op: np.ndarray, unit: np.ndarray,
                    target: np.ndarray, true_actual: np.ndarray, true_level: np.ndarray, miss: np.ndarray,
                    classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What the unit reports: missed targets partly hidden, qualitative levels upgraded (self-evaluation bias)."""
    n = len(kind)
    inflate = draw_by_class(rng, "self.inflate", classes).astype(bool) & miss
    share = draw(rng, "self.inflate_share", n)
    restate = draw(rng, "self.restate", n)
    upgrade = draw(rng, "self.qual_upgrade", n)
    zero = np.zeros(n)
    ratio_true = _ratio(kind, op, target, true_actual)
    ratio_rep = np.where(restate, 1.0, ratio_true + (1.0 - ratio_true) * share)
    still_missed = ratio_rep < 1.0
    inflated = _value_at(kind, op, unit, target, ratio_rep, still_missed, zero, np.ones(n), zero)
    actual = np.where(inflate, inflated, true_actual)
    better = {"not_met": "partly", "partly": "met", "met": "met"}
    up_level = np.array([better.get(lv, lv) for lv in true_level], dtype=object)
    level = np.where((kind == "qual") & upgrade, up_level, true_level)
    return actual, level


def _ratio(kind: np.ndarray, op: np.ndarray, target: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """Achievement ratio in the units of :func:`_value_at` (inverse of it for missed rows)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        up = np.where(target > 0, actual / np.where(target > 0, target, 1.0), 0.0)
        down = np.where(target > 0, 2.0 - actual / np.where(target > 0, target, 1.0), 0.0)
    r = np.where(op == "<=", down, up)
    r = np.where(kind == "zero", np.where(actual <= 0, 1.0, 0.0), r)
    return np.clip(np.nan_to_num(r), 0.0, None)


def achievement(op: np.ndarray, target: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """Achievement of quantitative rows by the engine's own rules (:func:`perfeval.scoring.auto`); NaN else."""
    quant = op != "qualitative"
    out = np.full(len(op), np.nan)
    out[quant] = auto(actual[quant], target[quant], op[quant])
    return out


def pick_text(options: tuple[str, ...] | list[str], u: np.ndarray) -> np.ndarray:
    """One of ``options`` per uniform draw ``u``."""
    idx = np.minimum((np.asarray(u) * len(options)).astype(int), len(options) - 1)
    return np.asarray(options, dtype=object)[idx]


def _number(values: np.ndarray, kind: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """Numbers as written: at the kind's precision, trailing zeros dropped (``96.50`` -> ``96.5``)."""
    out = np.empty(len(values), dtype=object)
    for i, (v, d) in enumerate(zip(values, decimals(kind, unit))):
        if np.isnan(v):
            out[i] = ""
            continue
        text = f"{v:.{d}f}"
        out[i] = text.rstrip("0").rstrip(".") if "." in text else text
    return out


def comparison_text(op: np.ndarray, target: np.ndarray, kind: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """Target text in the plain symbol style (``≤650万元``), e.g. for a corrected operator."""
    symbol = np.array([_SYMBOL.get(o, "") for o in op], dtype=object)
    return symbol + _number(target, kind, unit) + np.where(_writable(unit), unit, "").astype(object)


def _writable(unit: np.ndarray) -> np.ndarray:
    """Units that can follow a number in a cell (``1/10万`` cannot: it would read as a fraction)."""
    return np.array([not str(u)[:1].isdigit() for u in unit], dtype=bool)


def render_target(rng: np.random.Generator, kind: np.ndarray, op: np.ndarray, target: np.ndarray,
                  unit: np.ndarray, role: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Target text as written (``≥95%``, ``不少于1200人次``, ``=0``, ``按时完成``, a few bare values) and whether
    the row's 指标性质 (op) column must stay filled (bare targets carry no comparator)."""
    n = len(kind)
    style = draw(rng, "ind.target_style", n)
    with_unit = draw(rng, "ind.unit_in_text", n)
    variant = draw(rng, "ind.text_variant", n)
    num = _number(target, kind, unit)
    fine = decimals(kind, unit) > _DECIMALS["count"]
    always_unit = np.isin(kind, ["pct", "pct_eq", "money", "rate", "standard", "duration"]) | (
        (kind == "count") & fine)
    unit_text = np.where(always_unit | (with_unit & np.isin(kind, ["count", "zero"])), unit, "")
    unit_text = np.where(kind == "zero", np.where(with_unit, unit, ""), unit_text)
    symbol = np.array([_SYMBOL.get(o, "") for o in op], dtype=object)
    words = np.where(op == ">=", np.where(np.isin(kind, ["count"]), "不少于", "不低于"),
                     np.where(op == "<=", np.where(kind == "pct", "不高于", "不超过"), "等于"))
    prefix = np.where(style == "symbol", symbol, np.where(style == "chinese", words, ""))
    unit_text = np.where(_writable(unit), unit_text, "")
    text = prefix + num + unit_text.astype(object)
    qual = kind == "qual"
    qual_text = np.array([pick_text(N.QUALITATIVE_TARGETS[r], np.array([u]))[0] for r, u in
                          zip(role[qual], variant[qual])], dtype=object)
    text[qual] = qual_text
    needs_op = (style == "bare") & ~qual
    return text, needs_op


def render_actual(rng: np.random.Generator, kind: np.ndarray, actual: np.ndarray, level: np.ndarray,
                  unit: np.ndarray, role: np.ndarray) -> np.ndarray:
    """Actual text as written (``98.5%``, ``1260``, ``1.26万人次``, ``265.3万元``; ``已完成`` for a task,
    ``效果明显`` for an effect, by the row's slot ``role``)."""
    n = len(kind)
    with_unit = draw(rng, "ind.unit_in_text", n)
    wan = draw(rng, "ind.wan_actual", n) & (kind == "count") & (actual >= 10000)
    variant = draw(rng, "ind.text_variant", n)
    num = _number(actual, kind, unit)
    fine = (kind == "count") & (decimals(kind, unit) > _DECIMALS["count"])
    wan &= ~fine
    unit_text = np.where(np.isin(kind, ["pct", "pct_eq"]), "%",
                         np.where((with_unit | fine) & ~np.isin(kind, ["pct", "pct_eq", "qual"]), unit, ""))
    unit_text = np.where(_writable(unit), unit_text, "")
    text = num + unit_text.astype(object)
    if wan.any():
        wan_num = np.array([f"{v / 1e4:.4f}".rstrip("0").rstrip(".") for v in actual[wan]], dtype=object)
        text[wan] = wan_num + "万" + unit[wan].astype(object)
    qual = kind == "qual"
    group = np.where(role == "cost", "cost", np.where(np.isin(role, N.OUTPUT_ROLES), "output",
                                                     np.where(role == "criterion", "criterion", "effect")))
    text[qual] = [pick_text(N.QUALITATIVE_ACTUALS[g][lv], np.array([u]))[0]
                  for g, lv, u in zip(group[qual], level[qual], variant[qual])]
    return text
