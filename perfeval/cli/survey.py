"""``perfeval survey rate|plan``: satisfaction surveys (满意度调查).

- ``perfeval survey rate ANSWERS --method share|score [--mapping FILE] [--out FILE]`` computes the satisfaction
  per project and question (or 满意度 indicator, with ``--mapping``) by the convention named, with n and the
  interval; with ``--mapping`` and ``--out`` the file is the observations fragment (``unit_id, indicator, actual,
  n, interval``) that :func:`perfeval.survey.merge_observations` merges into a project's observations.
- ``perfeval survey plan --population N [--margin 0.05] [--confidence 0.95]`` prints the questionnaires needed.

Bad answers are printed ``file:row:column: code: message`` and exit with status 1.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ._dataset import add_lang, print_table, write_out

__all__ = ["register", "run_rate", "run_plan"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``survey`` subcommand and its ``rate`` and ``plan`` actions."""
    parser = subparsers.add_parser("survey", help="satisfaction surveys (满意度调查): rates, intervals, sample size",
                                   description="Questionnaire answers to 满意度 indicator values.")
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    rate = sub.add_parser("rate", help="satisfaction per project and question or indicator",
                          description="Share of satisfied answers or weighted score, with n and the interval.")
    rate.add_argument("answers", metavar="ANSWERS", help="answers (.csv/.xlsx; long or one column per question)")
    rate.add_argument("--method", required=True, choices=("share", "score"),
                      help="share: satisfied over valid answers (%%); score: mean level score (0-100)")
    rate.add_argument("--scale", default="labels", choices=("labels", "labels5", "1-5", "1-10"),
                      help="answer scale (default labels: 非常满意/满意/比较满意/一般/不满意/非常不满意)")
    rate.add_argument("--satisfied", metavar="A,B,...", help="answers counted as satisfied (comma separated)")
    rate.add_argument("--mapping", metavar="FILE", help="question -> indicator table (题目, 三级指标)")
    rate.add_argument("--group", metavar="COLUMN", help="respondent-group column")
    rate.add_argument("--weights", metavar="COLUMN", help="design-weight column")
    rate.add_argument("--units", metavar="FILE",
                      help="units.csv of the projects surveyed (a questionnaire for another project is an error)")
    rate.add_argument("--confidence", type=float, default=0.95, help="interval confidence (default 0.95)")
    rate.add_argument("--out", metavar="FILE", help="write the table (the observations fragment with --mapping)")
    add_lang(rate)
    rate.set_defaults(func=run_rate)
    plan = sub.add_parser("plan", help="questionnaires needed before fieldwork",
                          description="Sample size of a satisfaction rate with the finite population correction.")
    plan.add_argument("--population", type=float, help="service recipients N (omit for an infinite population)")
    plan.add_argument("--margin", type=float, default=0.05, help="half-width wanted (default 0.05)")
    plan.add_argument("--confidence", type=float, default=0.95, help="confidence (default 0.95)")
    plan.add_argument("--p", type=float, default=0.5, help="expected rate (default 0.5, the most demanding)")
    plan.add_argument("--method", default="cochran", choices=("cochran", "krejcie_morgan", "yamane"))
    plan.set_defaults(func=run_plan)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def run_rate(args: argparse.Namespace) -> int:
    """Compute and print (and write) the satisfaction table."""
    from ..errors import InputError
    from ..survey import satisfaction

    satisfied = [s.strip() for s in args.satisfied.split(",")] if args.satisfied else None
    units = None
    if args.units:
        from ..io import read_units

        units = read_units(args.units)["unit_id"].astype(str).tolist()
    try:
        res = satisfaction(args.answers, method=args.method, scale=args.scale, satisfied=satisfied,
                           mapping=args.mapping, group=args.group, weights=args.weights, units=units,
                           confidence=args.confidence)
    except ValueError as err:
        if isinstance(err, InputError):
            raise
        raise InputError.single(args.answers, "bad_argument", str(err)) from None
    print_table(f"satisfaction ({args.method}, by {res.by})", res.table)
    if args.out:
        fragment = args.mapping is not None and args.group is None
        names = None
        if args.units:
            from ..io import read_units

            names = read_units(args.units)
        write_out(res.to_observations() if fragment else res.table, args.out, lang=args.lang, units=names,
                  base=Path(args.answers).parent)
    return 0


def run_plan(args: argparse.Namespace) -> int:
    """Print the sample size."""
    from ..errors import InputError
    from ..survey import sample_size

    try:
        n = sample_size(args.population, margin=args.margin, confidence=args.confidence, p=args.p,
                        method=args.method)
    except ValueError as err:
        raise InputError.single("plan", "bad_argument", str(err)) from None
    print(f"questionnaires needed ({args.method}, ±{args.margin:g} at {args.confidence:.0%}"
          f"{'' if args.population is None else f', N = {args.population:g}'}): {n}")
    return 0
