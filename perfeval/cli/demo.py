"""``perfeval demo``: the year's analysis of the shipped sample province (示例省, synthetic), written to a folder.

Runs :func:`perfeval.pipeline.analyse` on ``pe.load_sample("province")`` (ex-ante assessment, dual monitoring,
self-evaluation, audit and re-evaluation, key evaluation by an expert panel, department and transfer-payment
evaluations, AHP weights, weight sensitivity, application of results), prints one line per step and writes every
table (CSV) and a few charts (PNG) to ``--out``.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``demo`` subcommand."""
    parser = subparsers.add_parser(
        "demo", help="the year's analysis of the shipped sample province (synthetic)",
        description="Score and analyse the shipped sample province (示例省, synthetic data) and write every table "
                    "and chart to a folder.")
    parser.add_argument("--out", metavar="DIR", default="demo_out", help="output folder (default: demo_out)")
    parser.add_argument("--sample", default="province", help="shipped sample to run on (default: province)")
    parser.add_argument("--draws", type=int, default=2000, help="weight draws of the sensitivity step")
    parser.add_argument("--no-charts", action="store_true", help="write tables only")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..datasets import load_sample
    from ..pipeline import analyse

    start = time.perf_counter()
    data = load_sample(args.sample)
    print(f"{data.meta.get('title', args.sample)}  [synthetic: {bool(data.meta.get('synthetic'))}]")
    analysis = analyse(data, draws=args.draws)
    out = Path(args.out)
    paths = analysis.write(out, charts=not args.no_charts)
    summary = analysis.summary()
    with pd.option_context("display.max_colwidth", 120, "display.width", 160):
        print(summary.to_string(index=False))
    print(f"\nwrote {len(paths)} files to {out}/ in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0
