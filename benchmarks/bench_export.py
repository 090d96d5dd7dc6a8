"""Benchmark: the extra formats of one report (Word, PDF), and the two PDF engines against each other.

Prints
------
1. For the sample key-evaluation report (``notebooks/key_evaluation.ipynb`` through ``pe.reports``' engine and
   HTML template; the test report notebook ``tests/data/deliver/deliver_report.ipynb`` when that category is not
   there): the median wall and CPU seconds of the Word export and of the PDF of each installed engine
   (WeasyPrint in-process, Debian's headless Chromium as one process per document), each after one warm-up.
2. Per PDF engine: the pages, whether the report's title comes back as text (``pdftotext``), and the fonts
   embedded (``pdffonts``: name and type; a CJK font by name, or Chromium's Type 3 glyph sets).
3. Which engine ``engine="auto"`` takes, and the ratio of the two.

The machine is shared while this runs: the figures are noisy, compare ratios measured in one run.

Run: ``.venv/bin/python benchmarks/bench_export.py [--repeat 3]``.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent


def _cpu() -> float:
    """CPU seconds of this process and of its waited-for children (Chromium's processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Median wall time and median CPU time over ``repeat`` runs (after one warm-up), and the last result.

    On a loaded machine the CPU time is the steadier figure of the two.
    """
    out = fn()
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), _cpu()
        out = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus), out


def sample_report() -> tuple[Any, str, str]:
    """(executed and cleaned notebook, HTML page, title) of the sample key-evaluation report."""
    from perfeval import reports
    from perfeval.reports import _engine

    category = "key_evaluation"
    if category not in set(reports.list_reports()["category"]):
        # before the report notebooks exist: the test report notebook, through the same engine and template
        _engine.notebooks_dir = lambda: ROOT / "tests" / "data" / "deliver"
        category = "deliver_report"
    print(f"report: {category}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prepared = _engine.prepare(category)
        nb, stderr, _facts, title = _engine.clean_outputs(_engine.execute(prepared))
        html = _engine.export_html(nb, prepared, provenance=_engine.provenance(prepared, stderr), title=title)
    return nb, html, title or category


def pdf_facts(path: Path, title: str) -> str:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    pages = next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout.splitlines()[2:]
    named = sorted({line.split()[0] for line in fonts if not line.startswith("[none]")})
    type3 = sum(1 for line in fonts if " Type 3 " in line)
    shown = ", ".join(named[:4]) + (f" (+{len(named) - 4})" if len(named) > 4 else "")
    return (f"{pages} pages; title as text: {'yes' if title[:6] in text else 'NO'}; fonts: {shown or '-'}"
            + (f"; {type3} Type 3 glyph sets (no font by name)" if type3 else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from perfeval.reports.docx import notebook_to_docx
    from perfeval.reports.pdf import available_engines, html_to_pdf

    start = time.perf_counter()
    nb, html, title = sample_report()
    print(f"report executed in {time.perf_counter() - start:.2f} s (not part of the export times below)")
    wall, cpu, data = timed(lambda: notebook_to_docx(nb, meta={"title": title}), args.repeat)
    print(f"docx export: {wall:.3f} s wall, {cpu:.3f} s CPU (medians), {len(data) / 1024:.0f} KiB")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for engine in available_engines():
            target = Path(tmp) / f"{engine}.pdf"
            wall, cpu, _ = timed(lambda e=engine, t=target: html_to_pdf(html, t, engine=e), args.repeat)
            results[engine] = (wall, cpu)
            print(f"pdf {engine:<10}: {wall:.3f} s wall, {cpu:.3f} s CPU (medians), "
                  f"{target.stat().st_size / 1024:.0f} KiB; {pdf_facts(target, title)}")
    if not results:
        print("no PDF engine installed (make sysdeps)")
        return 1
    print(f"engine='auto' takes: {available_engines()[0]}")
    if len(results) == 2:
        print(f"chromium / weasyprint: {results['chromium'][0] / results['weasyprint'][0]:.1f}x wall, "
              f"{results['chromium'][1] / results['weasyprint'][1]:.1f}x CPU")
    print("(2 shared cores: figures are noisy)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
