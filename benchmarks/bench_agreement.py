"""Benchmark: perfeval.agreement against its peers, each pair measured in this run on the same data.

Prints
------
1. ICC on 2 raters x 20,000 targets: median time of ``perfeval.agreement.icc(...).to_frame()`` (the same
   six-row table that ``pingouin.intraclass_corr`` returns) and of pingouin on the same long frame, and the
   speed-up (goal: at least 50x). The frame comes from ``to_long`` (integer ids in unit-then-rater order, which
   ``icc`` recognises without hashing); a second line times text ids in shuffled rows, the general path.
2. Interval alpha on continuous data, 2 raters x 100,000 units: median time (goal < 2 s) and the peak of the
   Python/NumPy allocations traced during one call (``tracemalloc``; goal < 1 GB). The ``krippendorff`` package
   builds a values x values matrix (2 x 1,500 continuous units asks for ~48 GiB), so it is compared on a size it
   can do (2 x 400 units; ``--peer-units``) and its peak memory there is printed too.
3. Nominal alpha on 5 raters x 20,000 units with 5 categories: median time of ours (long frame in) and of
   ``krippendorff.alpha`` (raters x units matrix in, its native input), and the ratio (goal: ours no slower).

Run: ``.venv/bin/python benchmarks/bench_agreement.py [--repeat 5] [--peer-units 400]``.
"""
from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
import warnings
from typing import Any, Callable

import numpy as np

from perfeval.agreement import icc, krippendorff_alpha, to_long


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time over ``repeat`` runs (after one warm-up) and the last result."""
    out = fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def peak_bytes(fn: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def bench_icc(repeat: int) -> None:
    import pingouin as pg

    rng = np.random.default_rng(20)
    n = 20_000
    truth = rng.normal(70, 10, n)
    wide = np.c_[truth + rng.normal(0, 4, n), truth + rng.normal(2, 4, n)]
    long = to_long(np.round(wide, 1), rows="unit")
    # like for like: pingouin returns the six-row table with F, df, p and CIs, so ours is timed to to_frame()
    ours_t, ours = timed(lambda: icc(long).to_frame(), repeat * 20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer_t, peer = timed(lambda: pg.intraclass_corr(long, "unit_id", "rater_id", "rating"), repeat)
    diff = float(np.max(np.abs(ours["icc"].to_numpy() - peer["ICC"].to_numpy())))
    print(f"ICC 2 raters x {n:,} targets (integer ids in to_long order): perfeval icc().to_frame() "
          f"{ours_t * 1e3:.2f} ms, pingouin {peer_t * 1e3:.1f} ms -> {peer_t / ours_t:.0f}x faster (goal >= 50x); "
          f"max |ICC difference| {diff:.1e}")
    # the general path: text ids in shuffled order must be hashed (pandas.factorize), as pingouin's pivot does;
    # ids written as project codes are (7 digits with leading zeros, 0010001), read as text
    shuffled = long.sample(frac=1.0, random_state=1).assign(
        unit_id=lambda d: d["unit_id"].map("{:07d}".format).astype(object),
        rater_id=lambda d: "R" + d["rater_id"].astype(str))
    ours_g, mine = timed(lambda: icc(shuffled).to_frame(), repeat * 8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer_g, ref = timed(lambda: pg.intraclass_corr(shuffled, "unit_id", "rater_id", "rating"), repeat)
    diff_g = float(np.max(np.abs(mine["icc"].to_numpy() - ref["ICC"].to_numpy())))
    print(f"  same data, text ids (project codes such as 0010001) in shuffled rows: perfeval {ours_g * 1e3:.2f} ms, "
          f"pingouin {peer_g * 1e3:.1f} ms -> {peer_g / ours_g:.0f}x faster (goal >= 20x); max |ICC difference| "
          f"{diff_g:.1e} (goal <= 1e-12)")


def bench_interval_alpha(repeat: int, peer_units: int) -> None:
    import krippendorff

    rng = np.random.default_rng(21)
    n = 100_000
    truth = rng.normal(70, 10, n)
    wide = np.c_[truth + rng.normal(0, 4, n), truth + rng.normal(0, 4, n)]
    long = to_long(wide, rows="unit")
    ours_t, res = timed(lambda: krippendorff_alpha(long, level="interval"), repeat)
    peak = peak_bytes(lambda: krippendorff_alpha(long, level="interval"))
    print(f"interval alpha, continuous, 2 raters x {n:,} units ({len(np.unique(wide)):,} distinct values): "
          f"{ours_t:.3f} s (goal < 2 s), peak traced memory {peak / 2**20:.1f} MiB (goal < 1 GiB), "
          f"alpha = {res.statistic:.6f}")
    small = wide[:peer_units]
    small_long = to_long(small, rows="unit")
    ours_s, mine = timed(lambda: krippendorff_alpha(small_long, level="interval"), repeat)
    peer_s, ref = timed(lambda: krippendorff.alpha(small.T, level_of_measurement="interval"), 1)
    peer_peak = peak_bytes(lambda: krippendorff.alpha(small.T, level_of_measurement="interval"))
    print(f"  same data cut to 2 x {peer_units} units ({len(np.unique(small)):,} distinct values): perfeval "
          f"{ours_s * 1e3:.1f} ms vs krippendorff {peer_s:.2f} s -> {peer_s / ours_s:.0f}x; krippendorff peak "
          f"{peer_peak / 2**20:.0f} MiB; |alpha difference| {abs(mine.statistic - ref):.1e}. The package's "
          "values x values matrix grows with the square of the distinct values (2 x 1,500 units: ~48 GiB).")


def bench_nominal_alpha(repeat: int) -> None:
    import krippendorff

    rng = np.random.default_rng(22)
    units, raters = 20_000, 5
    truth = rng.integers(1, 6, units)
    wide = np.where(rng.random((units, raters)) < 0.7, truth[:, None], rng.integers(1, 6, (units, raters)))
    wide = wide.astype(float)
    long = to_long(wide, rows="unit")
    matrix = wide.T.copy()
    ours_t, res = timed(lambda: krippendorff_alpha(long, level="nominal"), repeat * 4)
    peer_t, ref = timed(lambda: krippendorff.alpha(matrix, level_of_measurement="nominal"), repeat * 4)
    print(f"nominal alpha {raters} raters x {units:,} units: perfeval {ours_t * 1e3:.1f} ms (long frame in), "
          f"krippendorff {peer_t * 1e3:.1f} ms (matrix in) -> ratio {peer_t / ours_t:.2f} (goal >= 1); "
          f"|alpha difference| {abs(res.statistic - ref):.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--peer-units", type=int, default=400)
    args = parser.parse_args()
    bench_icc(args.repeat)
    bench_interval_alpha(args.repeat, args.peer_units)
    bench_nominal_alpha(args.repeat)


if __name__ == "__main__":
    main()
