"""``perfeval demo``: ``perfeval annual`` on the shipped sample province (示例省, synthetic), into ``demo_out/``.

Prints the year's headline (one line per step of :func:`perfeval.pipeline.analyse`), renders every report of the
sample year with the index (:func:`perfeval.reports.batch.render_annual`), writes the tables of the year (CSV)
and charts, and says where to open the index. Exit code 1 if any report failed.
"""
from __future__ import annotations

import argparse
import sys

from ._args import int_in
from .annual import _check, add_batch_options, only, report_batch

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``demo`` subcommand."""
    parser = subparsers.add_parser(
        "demo", help="every report of the shipped sample province's year (synthetic), with an index",
        description="Render every report of the shipped sample province (示例省, synthetic data), the tables of "
                    "the year and index.html into a folder (perfeval annual on the sample).")
    add_batch_options(parser, out_default="demo_out")
    parser.add_argument("--sample", default="province", help="shipped sample to run on (default: province)")
    parser.add_argument("--draws", type=int_in(1, 100_000), default=2000,
                        help="weight draws of the tables' sensitivity step, 1-100000 (default 2000)")
    parser.add_argument("--no-charts", action="store_true", help="tables of the year without charts")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..datasets import list_samples
    from ..datasets._load import resolve_dataset
    from ..errors import InputError
    from ..io import read_dataset_meta
    from ..reports.batch import render_annual

    from .._io_util import check_output_dir

    _check(args)
    check_output_dir(args.out)  # a bad --out fails before the work, not after it
    known = list_samples()["name"].tolist()
    if args.sample not in known:
        raise InputError.single(args.sample, "unknown_sample", f"`--sample` must be one of the shipped samples "
                                f"({', '.join(known) or 'none'}); got {args.sample!r}.")
    meta = read_dataset_meta(resolve_dataset(args.sample))
    print(f"{meta.get('title', args.sample)}  [synthetic: {bool(meta.get('synthetic'))}]", flush=True)
    result = render_annual(args.sample, args.out, jobs=args.jobs, lang=args.lang, executor=args.executor,
                           scheduler=args.scheduler, force=args.force, timeout=args.timeout,
                           progress=not args.no_progress, draws=args.draws, charts=not args.no_charts,
                           categories=only(args), formats=args.format)
    if result.extra is not None:
        with pd.option_context("display.max_colwidth", 120, "display.width", 160):
            print(result.extra.to_string(index=False))
        print()
    code = report_batch(result)
    sys.stdout.flush()
    return code
