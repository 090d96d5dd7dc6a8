"""``perfeval batch PLAN --out DIR``: render a plan of reports (CSV or YAML, one row per report).

A plan row gives a ``category`` (``perfeval render --list``) and its parameters, one column each (or a
``params`` mapping), or a ``notebook`` path of one's own parameterized notebook. Same options, index, cache and
exit code as ``perfeval annual``.
"""
from __future__ import annotations

import argparse

from .annual import _check, add_batch_options, report_batch

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``batch`` subcommand."""
    parser = subparsers.add_parser(
        "batch", help="render a plan of reports (CSV/YAML), with an index",
        description="Render every report of a plan file (CSV or YAML: one row per report, a `category` column "
                    "and one column per parameter) in parallel, each isolated, into a folder with index.html and "
                    "manifest.json. A re-run renders only what changed.")
    parser.add_argument("plan", metavar="PLAN", help="plan file (.csv, .yaml)")
    add_batch_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..reports.batch import render_batch

    _check(args)
    if args.only:
        from ..errors import InputError

        raise InputError.single("--only", "bad_argument", "--only selects categories of `annual` and `demo`; "
                                "edit the plan instead")
    result = render_batch(args.plan, args.out, jobs=args.jobs, executor=args.executor, scheduler=args.scheduler,
                          force=args.force, timeout=args.timeout, progress=not args.no_progress, lang=args.lang,
                          formats=args.format)
    return report_batch(result)
