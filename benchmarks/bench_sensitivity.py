"""Benchmark: weight uncertainty for 1,000 units x 20 indicators x 10,000 weight draws.

Target (issue 7): grade probabilities and rank intervals in under 3 s and under 2 GB on 2 cores, chunked.
Peer, measured in the same run: the naive approach COINr's ``get_sensitivity`` takes (regenerate the index once
per draw: re-aggregate, grade and rank every unit with pandas), timed on a subset of draws and scaled up.

Run: ``.venv/bin/python benchmarks/bench_sensitivity.py`` (prints the figures; no assertions).
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "2")  # the target machine has 2 cores

import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from perfeval.aggregate import ScoreResult  # noqa: E402
from perfeval.framework import DEFAULT_BANDS, Framework, Node  # noqa: E402
from perfeval.sensitivity import weight_uncertainty  # noqa: E402

N_UNITS, N_INDICATORS, N_DRAWS, N_PEER = 1_000, 20, 10_000, 200


def make_result(seed: int = 7) -> ScoreResult:
    """1,000 scored units on a framework of 20 first-level indicators (5 points each)."""
    rng = np.random.default_rng(seed)
    codes = [f"i{k:02d}" for k in range(N_INDICATORS)]
    fw = Framework("bench", "benchmark", tuple(Node(c, c, 100 / N_INDICATORS, rule="evaluator") for c in codes))
    ach = np.clip(rng.beta(8, 1.5, size=(N_UNITS, N_INDICATORS)), 0, 1)
    ids = [f"U{u:04d}" for u in range(N_UNITS)]
    points = np.full(N_INDICATORS, 100 / N_INDICATORS)
    score = ach * points
    nodes = pd.DataFrame({
        "unit_id": np.repeat(ids, N_INDICATORS), "node_code": np.tile(codes, N_UNITS), "parent_code": None,
        "level": 1, "name": np.tile(codes, N_UNITS), "points": np.tile(points, N_UNITS),
        "achievement": ach.ravel(), "score": score.ravel(), "applicable": True})
    total = score.sum(axis=1)
    totals = pd.DataFrame({"unit_id": ids, "total": total, "grade": DEFAULT_BANDS.grade(total + 1e-9)})
    return ScoreResult(fw, totals, nodes)


def peer_seconds_per_draw(result: ScoreResult, weights: np.ndarray) -> float:
    """Per-draw regeneration with pandas (COINr's Regen loop): aggregate, grade, rank."""
    wide = result.nodes.pivot(index="unit_id", columns="node_code", values="achievement")
    start = time.perf_counter()
    for w in weights[:N_PEER]:
        total = (wide * w).sum(axis=1)
        DEFAULT_BANDS.grade(total)
        total.rank(ascending=False, method="min")
    return (time.perf_counter() - start) / N_PEER


def main() -> int:
    result = make_result()
    weight_uncertainty(result, n=200, rng=0)  # warm-up (imports, BLAS threads)
    tracemalloc.start()
    start = time.perf_counter()
    res = weight_uncertainty(result, spread=0.2, n=N_DRAWS, rng=2024)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    per_draw = peer_seconds_per_draw(result, res.weights.to_numpy())
    unstable = int((res.grade_stability < 1).sum())
    print(f"weight_uncertainty: {N_UNITS} units x {N_INDICATORS} indicators x {N_DRAWS} draws "
          f"(chunk {res.params['chunk']}, {os.environ['OPENBLAS_NUM_THREADS']} BLAS threads)")
    print(f"  time            {seconds:.2f} s   (target < 3 s)")
    print(f"  peak memory     {peak / 2 ** 20:.0f} MB traced by tracemalloc; process max RSS {rss:.0f} MB "
          "(target < 2048 MB)")
    print(f"  units whose grade moves in some draw: {unstable} of {N_UNITS}")
    print(f"  peer (pandas loop per draw, COINr style): {per_draw * 1e3:.2f} ms/draw -> "
          f"{per_draw * N_DRAWS:.1f} s for {N_DRAWS} draws (measured on {N_PEER}); "
          f"ratio {per_draw * N_DRAWS / seconds:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
