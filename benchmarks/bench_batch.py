"""Benchmark: the same 40 sample self-evaluation reports rendered three ways, in one run.

1. ``perfeval batch`` (:func:`perfeval.reports.batch.render_batch`, ``--force``): warm fork-server workers, one
   forked child per report, cells run in-process, the engine's HTML export; ``jobs`` = the cores available.
2. A serial loop of the command lines people write: ``papermill notebooks/self_evaluation.ipynb out.ipynb -p ...``
   then ``jupyter nbconvert --to html --no-input out.ipynb`` (goal: the batch at least 6x faster).
3. ``papermill.execute_notebook`` + nbconvert's ``HTMLExporter`` (``exclude_input``) in a 2-process pool
   (``ProcessPoolExecutor(2)``) (goal: the batch at least 2x faster).

The three ways render the same notebook with the same parameters (the first 40 projects of the sample's
self-evaluations, by unit id); papermill's way gets the parameters as papermill takes them (``-r`` keeps the
unit ids' leading zeros). The ways differ in what they produce only in the page template (the batch's pages are
the engine's offline template with provenance; nbconvert's are its ``lab`` template).

Prints, for each way, the wall time and reports per minute, and the CPU seconds it used (this process and every
process it started and waited for: workers, kernels, report processes; ``getrusage``), with the reports per minute
two idle cores would give at that CPU cost; then the ratios of both. Wall figures from a shared machine are noisy
(the load average is printed beside them); the CPU figures much less so.

Run: ``.venv/bin/python benchmarks/bench_batch.py [--reports 40] [--jobs N] [--skip-cli]``.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

BIN = Path(sys.executable).parent


def _units(n: int) -> list[str]:
    import pandas as pd

    from perfeval._resources import sample_data_dir

    units = pd.read_csv(sample_data_dir() / "province" / "indicators.csv", dtype=str, usecols=["unit_id"])
    return sorted(units["unit_id"].unique())[:n]


def _notebook() -> Path:
    from perfeval._resources import notebooks_dir

    path = notebooks_dir() / "self_evaluation.ipynb"
    if not path.is_file():
        raise SystemExit(f"{path} does not exist yet: the benchmark renders the self_evaluation report notebook")
    return path


def way_batch(units: list[str], out: Path, jobs: int | None) -> float:
    import pandas as pd

    from perfeval.reports.batch import render_batch

    plan = pd.DataFrame({"category": "self_evaluation", "unit_id": units, "data": "province"})
    started = time.perf_counter()
    result = render_batch(plan, out, jobs=jobs, force=True, progress=False)
    elapsed = time.perf_counter() - started
    if not result.ok:
        raise SystemExit(f"the batch failed: {[(r.name, r.ename, r.evalue) for r in result.failed]}")
    return elapsed


def way_formats(units: list[str], out: Path, jobs: int | None) -> tuple[float, dict[str, float]]:
    """The batch again with ``formats=("html", "docx", "pdf")``: wall time and the mean seconds per report of
    each extra format (each report's own ``timings``, measured in its process)."""
    import pandas as pd

    from perfeval.reports.batch import render_batch

    plan = pd.DataFrame({"category": "self_evaluation", "unit_id": units, "data": "province"})
    started = time.perf_counter()
    result = render_batch(plan, out, jobs=jobs, force=True, progress=False, formats=("html", "docx", "pdf"))
    elapsed = time.perf_counter() - started
    if not result.ok:
        raise SystemExit(f"the batch failed: {[(r.name, r.ename, r.evalue) for r in result.failed]}")
    per = {fmt: sum(r.timings.get(fmt, 0.0) for r in result.reports) / len(result.reports)
           for fmt in ("export", "docx", "pdf")}
    return elapsed, per


def way_cli(units: list[str], out: Path) -> float:
    notebook = _notebook()
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for unit in units:
        executed = out / f"self_evaluation-{unit}.ipynb"
        subprocess.run([str(BIN / "papermill"), str(notebook), str(executed), "-r", "unit_id", unit,
                        "-p", "data", "province", "--no-progress-bar", "--log-level", "ERROR"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _render_one(args: tuple[str, str, str]) -> str:
    import papermill as pm
    from nbconvert import HTMLExporter

    notebook, unit, out = args
    nb = pm.execute_notebook(notebook, None, parameters={"unit_id": unit, "data": "province"}, progress_bar=False,
                             log_output=False)
    html, _ = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
                           ).from_notebook_node(nb)
    path = Path(out) / f"self_evaluation-{unit}.html"
    path.write_text(html, encoding="utf-8")
    return str(path)


def way_pool(units: list[str], out: Path) -> float:
    notebook = str(_notebook())
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_render_one, [(notebook, u, str(out)) for u in units]))
    return time.perf_counter() - started


def _cpu() -> float:
    """CPU seconds of this process and of its waited-for descendants so far."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _measure(way, *args) -> tuple[float, float]:
    cpu = _cpu()
    wall = way(*args)
    return wall, _cpu() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=None, help="workers of the batch (default: cores)")
    parser.add_argument("--skip-cli", action="store_true", help="leave out the (slow) command-line loop")
    parser.add_argument("--skip-formats", action="store_true", help="leave out the Word/PDF pass of the batch")
    args = parser.parse_args()
    _notebook()
    units = _units(args.reports)
    n = len(units)
    tmp = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        print(f"{n} self-evaluation reports of the sample province; {os.cpu_count()} cores; "
              f"load average before: {os.getloadavg()[0]:.2f} (a shared machine makes these figures noisy)")
        rows = []
        t_batch, c_batch = _measure(way_batch, units, tmp / "batch", args.jobs)
        rows.append(("perfeval batch", t_batch, c_batch))
        t_pool, c_pool = _measure(way_pool, units, tmp / "pool")
        rows.append(("execute_notebook + nbconvert, 2 procs", t_pool, c_pool))
        t_cli = c_cli = None
        if not args.skip_cli:
            t_cli, c_cli = _measure(way_cli, units, tmp / "cli")
            rows.append(("papermill + jupyter nbconvert CLI loop", t_cli, c_cli))
        print(f"{'way':40s} {'wall s':>8s} {'reports/min':>12s} {'CPU s':>8s} {'CPU s/report':>13s} "
              f"{'/min on 2 idle cores':>21s}")
        for name, wall, cpu in rows:
            print(f"{name:40s} {wall:8.1f} {60 * n / wall:12.1f} {cpu:8.1f} {cpu / n:13.2f} {2 * 60 * n / cpu:21.1f}")
        print(f"batch vs 2-process pool: {t_pool / t_batch:.1f}x wall, {c_pool / c_batch:.1f}x CPU (goal >= 2x)")
        if t_cli is not None:
            print(f"batch vs CLI loop:       {t_cli / t_batch:.1f}x wall, {c_cli / c_batch:.1f}x CPU (goal >= 6x)")
        if not args.skip_formats:
            wall, per = way_formats(units, tmp / "formats", args.jobs)
            print(f"perfeval batch with --format html,docx,pdf: {wall:.1f} s wall ({60 * n / wall:.1f} reports/min); "
                  f"per report: HTML export {per['export']:.2f} s, Word {per['docx']:.2f} s, PDF {per['pdf']:.2f} s")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
