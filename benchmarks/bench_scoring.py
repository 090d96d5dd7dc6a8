"""Benchmark: score and aggregate 1,000,000 observation rows with ``project_self``.

About 33,334 units x 30 indicators with the text real forms carry (``≥95%``, ``≤100万元``, ``不少于20个``,
``≥1.2万人次``, ``=0``, a few qualitative rows with a level and an evaluator's score), plus one budget row per unit.

Prints
------
* the median wall time of ``pe.score`` over several runs (goal: < 1.5 s on 2 cores);
* the peak memory: the Python/NumPy allocations traced during one ``pe.score`` call (``tracemalloc``), and the
  maximum resident set size of a fresh process that builds the data and scores it once (goal: < 2 GB);
* the ratio against a straightforward row-by-row implementation written below (``row_by_row``): it is timed on
  a subsample of units and scaled linearly to the full row count (stated in the output), alternately with
  ``pe.score`` so that both see the same load; wall and CPU-time ratios are printed.

``--check`` is the guard against the next regression: it exits 1 when the CPU-time ratio falls below
:data:`CHECK_RATIO` (a ratio measured in one run, not a time, so it holds on a slower or busier machine; CI does not
run it and the test suite has no timed tests).

Run: ``.venv/bin/python benchmarks/bench_scoring.py [--units 33334] [--repeat 5] [--sample-units 1000] [--check]``.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import perfeval as pe
from perfeval.errors import DataQualityWarning

# (l1, l2, indicator, target text, kind of actual, points); 30 rows per unit, points sum to 90
TEMPLATE = [
    *[("产出指标", "数量指标", f"完成数量{i}", "不少于20个", "count20", 3.0) for i in range(6)],
    ("产出指标", "数量指标", "培训人次", "≥1.2万人次", "wan", 3.0),
    ("产出指标", "数量指标", "覆盖户数", "8755", "bare", 3.0),
    *[("产出指标", "质量指标", f"合格率{i}", "≥95%", "pct95", 3.0) for i in range(4)],
    ("产出指标", "质量指标", "验收质量", "达到国家标准", "qual", 3.0),
    *[("产出指标", "时效指标", f"完成时限{i}", "≤3个月", "months", 3.0) for i in range(2)],
    ("产出指标", "时效指标", "按时完成", "按时完成", "qual", 3.0),
    *[("产出指标", "成本指标", f"成本控制{i}", "≤100万元", "cost", 3.0) for i in range(3)],
    *[("效益指标", "经济效益指标", f"带动收入{i}", "≥5%", "pct5", 3.0) for i in range(2)],
    *[("效益指标", "社会效益指标", f"社会效益{i}", "≥90%", "pct90", 3.0) for i in range(3)],
    ("效益指标", "社会效益指标", "安全事故", "=0", "zero", 3.0),
    ("效益指标", "生态效益指标", "生态改善", "有效提升", "qual", 3.0),
    *[("效益指标", "可持续影响指标", f"长效机制{i}", "≥95%", "pct95", 3.0) for i in range(2)],
    *[("满意度指标", "服务对象满意度指标等", f"满意度{i}", "≥90%", "pct90", 3.0) for i in range(2)],
]
if len(TEMPLATE) != 30 or not math.isclose(sum(t[5] for t in TEMPLATE), 90.0):
    raise RuntimeError("the benchmark template must have 30 indicators worth 90 points")


def make_data(n_units: int, seed: int = 20240601) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Observations (n_units x 30 rows) and budget (n_units rows) with realistic text cells."""
    rng = np.random.default_rng(seed)
    k = len(TEMPLATE)
    n = n_units * k
    units = np.array([f"P{u:06d}" for u in range(n_units)], dtype=object)
    kinds = np.tile(np.array([t[4] for t in TEMPLATE], dtype=object), n_units)
    x = rng.random(n)
    actual = np.empty(n, dtype=object)
    level = np.full(n, None, dtype=object)
    score = np.full(n, np.nan)

    def fmt(mask: np.ndarray, values: np.ndarray, pattern: str) -> None:
        actual[mask] = [pattern.format(v) for v in values[mask]]

    fmt(kinds == "count20", np.floor(15 + 10 * x), "{:.0f}个")
    fmt(kinds == "wan", 0.9 + 0.5 * x, "{:.2f}万人次")
    fmt(kinds == "bare", np.floor(8000 + 1500 * x), "{:.0f}")
    fmt(kinds == "pct95", 88 + 12 * x, "{:.1f}%")
    fmt(kinds == "pct90", 80 + 20 * x, "{:.1f}%")
    fmt(kinds == "pct5", 3 + 6 * x, "{:.1f}%")
    fmt(kinds == "months", 2 + 2 * x, "{:.1f}个月")
    fmt(kinds == "cost", 80 + 40 * x, "{:.2f}万元")
    fmt(kinds == "zero", np.floor(x * 1.05), "{:.0f}")
    qual = kinds == "qual"
    lv = np.where(x < 0.7, "met", np.where(x < 0.9, "partly", "not_met"))
    level[qual] = lv[qual]
    low = np.select([lv == "met", lv == "partly"], [2.4, 1.8], 0.0)
    width = np.select([lv == "met", lv == "partly"], [0.6, 0.5], 1.7)
    score[qual] = np.round(low + width * rng.random(n), 1)[qual]
    actual[qual] = np.where(lv == "met", "已完成", np.where(lv == "partly", "部分完成", "未完成"))[qual]
    obs = pd.DataFrame({
        "unit_id": np.repeat(units, k),
        "l1": np.tile(np.array([t[0] for t in TEMPLATE], dtype=object), n_units),
        "l2": np.tile(np.array([t[1] for t in TEMPLATE], dtype=object), n_units),
        "indicator": np.tile(np.array([t[2] for t in TEMPLATE], dtype=object), n_units),
        "target": np.tile(np.array([t[3] for t in TEMPLATE], dtype=object), n_units),
        "actual": actual,
        "points": np.tile(np.array([t[5] for t in TEMPLATE]), n_units),
        "level": level,
        "score": score,
        "source_file": "indicators.csv",
        "source_row": np.arange(2, n + 2),
    })
    full = np.round(50 + 500 * rng.random(n_units), 2)
    budget = pd.DataFrame({"unit_id": units, "budget_full_year": full,
                           "executed": np.round(full * (0.7 + 0.35 * rng.random(n_units)), 2),
                           "source_file": "budget.csv", "source_row": np.arange(2, n_units + 2)})
    return obs, budget


# ---------------------------------------------------------------------------------------------------------------
# the straightforward peer: one row at a time
# ---------------------------------------------------------------------------------------------------------------
def row_by_row(obs: pd.DataFrame, budget: pd.DataFrame) -> dict[str, float]:
    """Score row by row with plain Python: parse each cell, pick the rule, accumulate per unit (no problems,
    no N/A, no node table: strictly less work than ``pe.score``)."""
    totals: dict[str, float] = {}
    for row in obs.itertuples(index=False):
        t = pe.parse_target(row.target)
        w = float(row.points)
        if t.op == "qualitative":
            a = float(row.score) / w
        else:
            x = pe.parse_actual(row.actual).value
            if t.op == ">=":
                a = 1.0 if x >= t.value else (x / t.value if t.value > 0 else 0.0)
            elif t.op == "<=":
                a = 1.0 if x <= t.value else max(0.0, 1.0 - (x - t.value) / t.value) if t.value > 0 else 0.0
            else:
                a = (1.0 if x <= 0 else 0.0) if t.value == 0 else min(1.0, x / t.value)
        totals[row.unit_id] = totals.get(row.unit_id, 0.0) + max(0.0, min(1.0, a)) * w
    for row in budget.itertuples(index=False):
        rate = row.executed / row.budget_full_year if row.budget_full_year > 0 else 0.0
        totals[row.unit_id] = totals.get(row.unit_id, 0.0) + min(rate, 1.0) * 10.0
    return {u: totals[u] for u in totals}


def _score(obs: pd.DataFrame, budget: pd.DataFrame, fw: pe.Framework) -> pe.ScoreResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return pe.score(fw, obs, budget)


def child_maxrss(n_units: int) -> float:
    """Peak RSS (MiB) of a fresh process that builds the data and scores it once."""
    here = str(Path(__file__).resolve().parent)
    code = (f"import resource, sys; sys.path.insert(0, {here!r}); import bench_scoring as b; "
            "import perfeval as pe; fw = pe.load_framework('project_self'); "
            f"obs, bud = b.make_data({n_units}); "
            "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; b._score(obs, bud, fw); "
            "print(base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    _before, after = (int(v) / 1024 for v in out.stdout.split())  # ru_maxrss is in KiB on Linux
    return after


#: Goals of the figures (issue 18): the median wall time of pe.score on the million rows, and peak memory.
GOAL_SECONDS = 1.5
GOAL_MIB = 2048
#: ``--check`` fails when pe.score is less than this many times faster than the row-by-row peer (CPU time, both
#: measured in the same run, interleaved). Set from the figures of 2026-12-07 on the 2-core machine with a load
#: average of 16 (other sessions sharing the cores): the engine before this work (b3424d3) measured 10.3x and 10.9x,
#: the current one 13.9x and 15.1x; 12x fails a regression back to the old engine and leaves ~15 % for noise.
CHECK_RATIO = 12.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=33_334)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--sample-units", type=int, default=1_000)
    ap.add_argument("--check", action="store_true",
                    help=f"exit 1 when pe.score is less than {CHECK_RATIO:g}x faster than the row-by-row peer")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args(argv)

    fw = pe.load_framework("project_self")
    t0 = time.perf_counter()
    obs, budget = make_data(args.units)
    print(f"data: {len(obs):,} observation rows, {len(budget):,} units "
          f"(built in {time.perf_counter() - t0:.1f} s)")
    sample = obs["unit_id"].isin(budget["unit_id"].iloc[: args.sample_units])
    sub_obs, sub_budget = obs[sample], budget.iloc[: args.sample_units]
    scale = len(obs) / len(sub_obs)
    _score(obs.head(3000), budget.head(100), fw)  # warm-up (imports, caches)
    # ours and the peer alternately, so that both see the same load on shared cores
    times, cpu, peer_times, peer_cpu = [], [], [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        res = _score(obs, budget, fw)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        t0, c0 = time.perf_counter(), time.process_time()
        peer = row_by_row(sub_obs, sub_budget)
        peer_times.append((time.perf_counter() - t0) * scale)
        peer_cpu.append((time.process_time() - c0) * scale)
    median, median_cpu = statistics.median(times), statistics.median(cpu)
    t_peer, t_peer_cpu = statistics.median(peer_times), statistics.median(peer_cpu)
    ratio, ratio_cpu = t_peer / median, t_peer_cpu / median_cpu
    print(f"pe.score: median {median:.3f} s wall over {args.repeat} runs (goal < {GOAL_SECONDS:g} s; min "
          f"{min(times):.3f}, max {max(times):.3f}); median CPU time {median_cpu:.3f} s; {len(res.nodes):,} node "
          f"rows, {len(res.problems):,} problems flagged; load average {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} cores (wall time grows when other processes share the cores: the figures are noisy)")

    tracemalloc.start()
    _score(obs, budget, fw)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = child_maxrss(args.units)
    print(f"peak memory: {peak / 2**20:,.0f} MiB allocated during pe.score (tracemalloc); "
          f"{rss:,.0f} MiB max RSS of a fresh process building the data and scoring it (goal < {GOAL_MIB:,} MiB)")

    check = res.totals.set_index("unit_id")["total"].reindex(list(peer))
    diff = float(np.max(np.abs(check.to_numpy() - np.array(list(peer.values())))))
    print(f"row-by-row peer: median {t_peer / scale:.3f} s on {len(sub_obs):,} rows ({args.sample_units:,} units), "
          f"scaled linearly to {len(obs):,} rows: {t_peer:.1f} s wall, {t_peer_cpu:.1f} s CPU; pe.score is "
          f"{ratio:,.1f}x faster (wall), {ratio_cpu:,.1f}x (CPU time; --check floor {CHECK_RATIO:g}x) "
          f"(max |total difference| on the sample {diff:.2e})")
    if args.json:
        print(json.dumps({"rows": len(obs), "median_s": median, "median_cpu_s": median_cpu,
                          "tracemalloc_peak_mib": peak / 2**20, "max_rss_mib": rss, "peer_scaled_s": t_peer,
                          "peer_scaled_cpu_s": t_peer_cpu, "ratio": ratio, "ratio_cpu": ratio_cpu}))
    if args.check:
        if ratio_cpu < CHECK_RATIO:
            print(f"CHECK FAILED: pe.score is {ratio_cpu:.1f}x faster than the row-by-row peer (CPU time), below "
                  f"the floor of {CHECK_RATIO:g}x: a regression in the scoring engine")
            return 1
        print(f"check passed: {ratio_cpu:.1f}x >= {CHECK_RATIO:g}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
