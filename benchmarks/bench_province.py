"""Benchmark: a province, not a sample -- ``pe.synthesize(seed=2019, scale=20)`` as a dataset folder, read, analysed
and (once the annual batch exists) rendered.

Prints
------
1. The province: units, projects, indicator rows, panel ratings and monitoring rows; the time to synthesize it and
   to write it as a dataset folder (CSV files, ``dataset.yaml``, the filled forms).
2. ``pe.load_dataset(folder)``: median wall time over ``--repeat`` fresh processes (goal < 10 s) and their peak
   resident memory; the peer is ``pandas.read_csv`` of the same CSV files in the same processes (reading alone,
   without the readers' checks, located problems and forms), and the ratio says what the checks cost.
3. ``analyse(data)`` (every step of the year, :func:`perfeval.pipeline.analyse`): median wall time (goal < 10 s;
   issue 18 measured about 4 s on a quiet 2-core machine) and peak memory of the process (goal < 2 GiB); the peer is
   ``analyse`` of the shipped sample (scale 1) in the same processes, and the ratio of the time per unit (scale 20
   / scale 1) says how it scales: 1.0 is linear.
4. ``perfeval annual FOLDER --out DIR --jobs N``, when :func:`perfeval.reports.render_batch` is importable (else
   it says that the batch is not available): wall time, reports per minute (goal >= 60), the peak resident memory
   of the command's process tree (goal < 2 GiB), and that memory at each quarter of the reports done: flat in the
   number of reports means the last quarter is close to the first (ratio ~1).

Wall times grow when other processes share the cores; every figure is a median of fresh processes, and the load
average is printed beside them: on a busy machine they are noisy.

Run: ``.venv/bin/python benchmarks/bench_province.py [--scale 20] [--repeat 3] [--jobs 2] [--keep DIR]``.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

GOAL_LOAD_S = 10.0
GOAL_ANALYSE_S = 10.0
GOAL_REPORTS_PER_MIN = 60.0
GOAL_MIB = 2048.0


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def stage(name: str, folder: str) -> dict:
    """One measurement in this (fresh) process; returns its figures."""
    import pandas as pd

    import perfeval as pe
    from perfeval.pipeline import analyse

    warnings.simplefilter("ignore")
    out: dict = {}
    if name == "load":
        csvs = sorted(Path(folder).glob("*.csv"))
        t0 = time.perf_counter()
        for path in csvs:   # the peer: the same files read as plain text tables
            pd.read_csv(path, dtype=str, keep_default_na=False)
        out["peer_s"] = time.perf_counter() - t0
        t0, c0 = time.perf_counter(), time.process_time()
        pe.load_dataset(folder)
        out["seconds"], out["cpu_s"] = time.perf_counter() - t0, time.process_time() - c0
    elif name == "analyse":
        sample = pe.load_sample()
        analyse(sample, draws=2000)   # imports and caches warm, and the peer measured below
        t0, c0 = time.perf_counter(), time.process_time()
        analyse(sample, draws=2000)
        out["peer_s"], out["peer_cpu_s"] = time.perf_counter() - t0, time.process_time() - c0
        out["peer_units"] = len(sample.units)
        data = pe.load_dataset(folder)
        t0, c0 = time.perf_counter(), time.process_time()
        analyse(data, draws=2000)
        out["seconds"], out["cpu_s"] = time.perf_counter() - t0, time.process_time() - c0
        out["units"] = len(data.units)
    out["maxrss_mib"] = _maxrss_mib()
    return out


def _run_stage(name: str, folder: str) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--stage", name, folder]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _tree_rss_mib(proc) -> float:
    """Resident memory of a process and all its children (MiB)."""
    import psutil

    total = 0
    try:
        tree = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:   # ended between two samples
        return float("nan")
    for p in tree:
        try:
            total += p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total / 2**20


def _reports_done(out_dir: Path) -> int:
    return sum(1 for p in out_dir.rglob("*.html") if p.name != "index.html")


def bench_annual(folder: str, jobs: int, timeout: float | None, command: list[str] | None = None) -> None:
    """Time ``perfeval annual`` (or ``command``, with ``{out}`` for the output folder) and sample its memory."""
    if command is None:
        try:
            from perfeval.reports import render_batch  # noqa: F401  (the batch's entry point)
        except ImportError:
            print("perfeval annual: not available in this build (perfeval.reports.render_batch cannot be imported); "
                  "not timed")
            return
    try:
        import psutil
    except ImportError:
        psutil = None
    out_dir = Path(tempfile.mkdtemp(prefix="bench_annual_"))
    cmd = ([part.replace("{out}", str(out_dir)) for part in command] if command else
           [sys.executable, "-m", "perfeval", "annual", folder, "--out", str(out_dir), "--jobs", str(jobs)])
    log = out_dir.with_name(out_dir.name + ".log")   # a file, not a pipe: a progress bar would fill a pipe and block
    t0 = time.perf_counter()
    with open(log, "w", encoding="utf-8") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.STDOUT, text=True)
    samples: list[tuple[int, float]] = []   # (reports done, resident memory of the process tree)
    try:
        try:
            watched = psutil.Process(proc.pid) if psutil else None
        except psutil.NoSuchProcess:
            watched = None
        while proc.poll() is None:
            if watched is not None:
                samples.append((_reports_done(out_dir), _tree_rss_mib(watched)))
            if timeout and time.perf_counter() - t0 > timeout:
                for child in (watched.children(recursive=True) if watched is not None else []):
                    child.kill()   # the kernels too, not only the command
                proc.kill()
                print(f"perfeval annual: stopped after the --annual-timeout of {timeout:g} s")
                break
            time.sleep(1.0)
        proc.wait()
        wall = time.perf_counter() - t0
        n = _reports_done(out_dir)
        err = log.read_text(encoding="utf-8", errors="replace")
        rate = n / (wall / 60) if wall > 0 else float("nan")
        print(f"perfeval annual --jobs {jobs}: {n:,} reports in {wall:.0f} s -> {rate:.0f} reports/min (goal >= "
              f"{GOAL_REPORTS_PER_MIN:g}); exit code {proc.returncode}"
              + (f"; output tail: {err.strip().splitlines()[-1]}" if proc.returncode and err.strip() else ""))
        samples = [(done, r) for done, r in samples if r == r]
        if samples:
            peak = max(r for _, r in samples)
            quarters = []
            for q in (0.25, 0.5, 0.75):
                at = [r for done, r in samples if done >= q * max(n, 1)]
                quarters.append(at[0] if at else float("nan"))
            quarters.append(samples[-1][1])   # the last sample, just before the command ended
            flat = quarters[-1] / quarters[0] if quarters[0] == quarters[0] and quarters[0] > 0 else float("nan")
            print(f"  peak resident memory of the process tree {peak:,.0f} MiB (goal < {GOAL_MIB:,.0f}); at 25/50/75/"
                  f"100 % of the reports: {' / '.join(f'{r:,.0f}' for r in quarters)} MiB -> last/first quarter "
                  f"{flat:.2f} (flat in the number of reports: ~1)")
        else:
            own = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"  largest child process peak {own:,.0f} MiB (install psutil to sample the whole process tree)")
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
        log.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=20.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2, help="workers of perfeval annual")
    ap.add_argument("--annual-timeout", type=float, default=None, help="stop perfeval annual after this many s")
    ap.add_argument("--keep", default=None, help="write the province here and keep it (default: a temporary folder)")
    ap.add_argument("--stage", nargs=2, metavar=("NAME", "FOLDER"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.stage:
        print(json.dumps(stage(*args.stage)))
        return 0

    import perfeval as pe

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_province_"))
    try:
        t0 = time.perf_counter()
        data = pe.synthesize(seed=2019, scale=args.scale)
        t_syn = time.perf_counter() - t0
        t0 = time.perf_counter()
        data.write(folder)
        t_write = time.perf_counter() - t0
        projects = int((data.units["kind"] == "project").sum())
        print(f"province: pe.synthesize(seed=2019, scale={args.scale:g}): {len(data.units):,} units ({projects:,} "
              f"projects), {len(data.observations):,} indicator rows, {len(data.panel):,} panel ratings, "
              f"{len(data.monitoring):,} monitoring rows; synthesized in {t_syn:.1f} s, written as a dataset folder "
              f"in {t_write:.1f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (noisy)")
        del data
        runs = [_run_stage("load", str(folder)) for _ in range(args.repeat)]
        load_s = statistics.median(r["seconds"] for r in runs)
        peer_s = statistics.median(r["peer_s"] for r in runs)
        load_cpu = statistics.median(r["cpu_s"] for r in runs)
        print(f"pe.load_dataset: median {load_s:.2f} s over {args.repeat} fresh processes (goal < {GOAL_LOAD_S:g} s; "
              f"CPU time {load_cpu:.2f} s), "
              f"peak RSS {max(r['maxrss_mib'] for r in runs):,.0f} MiB; peer pandas.read_csv of the same CSV files "
              f"{peer_s:.2f} s -> the readers take {load_s / peer_s:.1f}x the bare reading (checks, located "
              "problems, forms)")
        runs = [_run_stage("analyse", str(folder)) for _ in range(args.repeat)]
        an_s = statistics.median(r["seconds"] for r in runs)
        peer = statistics.median(r["peer_s"] for r in runs)
        units, peer_units = runs[0]["units"], runs[0]["peer_units"]
        per_unit = (an_s / units) / (peer / peer_units)
        an_cpu = statistics.median(r["cpu_s"] for r in runs)
        print(f"analyse: median {an_s:.2f} s over {args.repeat} fresh processes (goal < {GOAL_ANALYSE_S:g} s; CPU "
              f"time {an_cpu:.2f} s), peak "
              f"RSS {max(r['maxrss_mib'] for r in runs):,.0f} MiB (goal < {GOAL_MIB:,.0f}); peer analyse of the "
              f"shipped sample ({peer_units:,} units) {peer:.2f} s -> time per unit x{per_unit:.2f} at "
              f"{units / peer_units:.0f}x the units (1.0 = linear; below 1, fixed costs spread)")
        bench_annual(str(folder), args.jobs, args.annual_timeout)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
