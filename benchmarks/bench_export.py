"""Benchmark: the extra formats of one report (Word, PDF), and the two PDF engines against each other.

Prints
------
1. For the sample key-evaluation report (``notebooks/key_evaluation.ipynb`` through ``pe.reports``; the test
   report notebook ``tests/data/deliver/deliver_report.ipynb`` when that category is not there): the median seconds of
   the HTML export, the Word export and the PDF of each installed engine (WeasyPrint in-process, Debian's
   headless Chromium as one process per document), each after one warm-up.
2. Per PDF engine: the pages, whether the report's title comes back as text (``pdftotext``), and the fonts
   embedded (``pdffonts``: name and type; a CJK font by name, or Chromium's Type 3 glyph sets).
3. Which engine ``engine="auto"`` takes, and the ratio of the two.

The machine is shared while this runs: the figures are noisy, compare ratios measured in one run.

Run: ``.venv/bin/python benchmarks/bench_export.py [--repeat 3]``.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time over ``repeat`` runs (after one warm-up) and the last result."""
    out = fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def sample_report() -> tuple[Any, str, str]:
    """(executed and cleaned notebook, HTML page, title) of the sample key-evaluation report."""
    from perfeval import reports

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if hasattr(reports, "prepare") and "key_evaluation" in set(reports.list_reports()["category"]):
            from perfeval.reports._engine import clean_outputs, execute, export_html, provenance

            prepared = reports.prepare("key_evaluation")
            nb, stderr, _facts, title = clean_outputs(execute(prepared))
            html = export_html(nb, prepared, provenance=provenance(prepared, stderr), title=title)
            return nb, html, title or "key_evaluation"
        import nbformat
        import papermill as pm

        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "report.ipynb"
            pm.execute_notebook(str(ROOT / "tests" / "data" / "deliver" / "deliver_report.ipynb"), str(out), progress_bar=False)
            nb = nbformat.read(out, as_version=4)
    parts = [o["data"]["text/html"] for c in nb.cells for o in c.get("outputs", [])
             if "text/html" in o.get("data", {})]
    html = f'<html lang="zh"><head><meta charset="utf-8"></head><body>{"".join(parts)}</body></html>'
    return nb, html, "test report"


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
    seconds, data = timed(lambda: notebook_to_docx(nb, meta={"title": title}), args.repeat)
    print(f"docx export: {seconds:.3f} s median, {len(data) / 1024:.0f} KiB")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for engine in available_engines():
            target = Path(tmp) / f"{engine}.pdf"
            seconds, _ = timed(lambda e=engine, t=target: html_to_pdf(html, t, engine=e), args.repeat)
            results[engine] = seconds
            print(f"pdf {engine:<10}: {seconds:.3f} s median, {target.stat().st_size / 1024:.0f} KiB; "
                  f"{pdf_facts(target, title)}")
    if not results:
        print("no PDF engine installed (make sysdeps)")
        return 1
    print(f"engine='auto' takes: {available_engines()[0]}")
    if len(results) == 2:
        print(f"chromium / weasyprint time ratio: {results['chromium'] / results['weasyprint']:.1f}x")
    print("(2 shared cores: figures are noisy)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
