"""``perfeval annual DATASET --out DIR``: every report of a dataset's year, the tables of the year and the index.

A thin layer over :func:`perfeval.reports.batch.render_annual`; ``perfeval batch PLAN`` renders a plan of one's
own (:mod:`perfeval.cli.batch`). Exit code 1 when any report failed (its error is listed, the others render).
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["register", "run", "add_batch_options", "report_batch"]


def add_batch_options(parser: argparse.ArgumentParser, *, out_default: str | None = None) -> None:
    """The options ``annual``, ``batch`` and ``demo`` share."""
    if out_default is None:
        parser.add_argument("--out", metavar="DIR", required=True, help="output folder (index.html, reports/ ...)")
    else:
        parser.add_argument("--out", metavar="DIR", default=out_default, help=f"output folder (default: {out_default})")
    parser.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                        help="reports rendered at once (default: the number of cores)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the reports (default: zh)")
    parser.add_argument("--executor", choices=("local", "dask"), default="local",
                        help="local worker processes (default) or a Dask cluster (pip install 'perfeval[dask]')")
    parser.add_argument("--scheduler", metavar="ADDRESS", default=None,
                        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster)")
    parser.add_argument("--force", action="store_true", help="render every report, ignoring the cache")
    parser.add_argument("--timeout", type=float, default=600, metavar="SECONDS",
                        help="wall-clock limit of one report (default: 600)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar or per-report lines")
    parser.add_argument("--format", default="html", metavar="html[,docx,pdf]",
                        help="formats of each report (default html; the index links every format)")
    parser.add_argument("--only", metavar="CATEGORY[,CATEGORY]", default=None,
                        help="annual/demo: render only these report categories (default: all)")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``annual`` subcommand."""
    parser = subparsers.add_parser(
        "annual", help="every report of a dataset's year, with an index",
        description="Render every report whose data exist in a dataset folder (each project's self-evaluation, "
                    "each key evaluation, department, region and proposal, the re-check, monitoring per "
                    "department, the annual summary and the weight study), the tables of the year (CSV) and "
                    "index.html. A re-run renders only what changed.")
    parser.add_argument("dataset", metavar="DATASET", help="dataset folder (see docs/data-format.md) or a shipped "
                                                           "sample's name")
    add_batch_options(parser)
    parser.set_defaults(func=run)


def _check(args: argparse.Namespace) -> None:
    from ..errors import InputError

    if args.scheduler and args.executor != "dask":
        raise InputError.single("--scheduler", "bad_argument", "--scheduler needs --executor dask")
    if args.jobs is not None and args.jobs < 1:
        raise InputError.single("--jobs", "bad_argument", f"--jobs must be >= 1; got {args.jobs}")


def only(args: argparse.Namespace) -> list[str] | None:
    """The categories of ``--only`` (checked against the report catalogue), or None for all."""
    if not getattr(args, "only", None):
        return None
    from ..errors import InputError
    from ..reports import list_reports

    wanted = [c.strip() for c in args.only.split(",") if c.strip()]
    known = list_reports()["category"].tolist()
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise InputError.single("--only", "unknown_report", f"no report category {', '.join(map(repr, unknown))}; "
                                f"the categories are: {', '.join(known) or 'none'}")
    return wanted


def report_batch(result: Any, stream: Any = None) -> int:
    """Print a batch's counts, its failures and where to open the index; return the exit code."""
    stream = stream or sys.stdout
    counts = ", ".join(f"{status} {n}" for status, n in result.counts().items() if n)
    print(f"{len(result.reports)} reports ({counts}) in {result.elapsed:.1f} s", file=stream)
    for run in result.failed:
        cell = f" (cell {run.cell})" if run.cell is not None else ""
        print(f"  {run.status}: {run.name}: {run.ename}: {run.evalue}{cell} [{run.log}]", file=stream)
    print(f"open {result.index}", file=stream)
    return result.exit_code


def run(args: argparse.Namespace) -> int:
    from ..reports.batch import render_annual

    _check(args)
    result = render_annual(args.dataset, args.out, jobs=args.jobs, lang=args.lang, executor=args.executor,
                           scheduler=args.scheduler, force=args.force, timeout=args.timeout,
                           progress=not args.no_progress, categories=only(args), formats=args.format)
    return report_batch(result)
