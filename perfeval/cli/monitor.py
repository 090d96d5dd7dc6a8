"""``perfeval monitor DIR [--month N]``: dual-monitoring traffic lights (双监控) of a dataset directory.

Reads ``DIR/monitoring.csv`` (:func:`perfeval.monitoring.read_monitoring`), ``DIR/indicators.csv`` (targets),
and, when present, ``DIR/budget.csv`` and ``DIR/units.csv``; prints the per-unit lights and the colour counts per
department (``--lines`` adds every line's light). ``--out FILE`` writes the lights table (CSV or XLSX). Input
problems are printed ``file:row:column: code: message`` and exit with status 1.
"""
from __future__ import annotations

import argparse

from ..errors import InputError
from ._args import int_in
from ._dataset import (add_lang, dataset_file, print_problems, print_table, read_optional, warnings_to_stderr,
                       write_out)

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``monitor`` subcommand."""
    parser = subparsers.add_parser(
        "monitor", help="dual-monitoring traffic lights (双监控) of a dataset directory",
        description="Budget-execution and target-progress lights per unit and department, at a month.")
    parser.add_argument("directory", metavar="DIR", help="dataset directory (monitoring.csv, indicators.csv, ...)")
    parser.add_argument("--month", type=int_in(1, 12),
                        help="month monitored, 1-12 (default: the latest in monitoring.csv)")
    parser.add_argument("--rules", metavar="FILE", help="monitoring policy YAML (changes to the shipped one)")
    parser.add_argument("--lines", action="store_true", help="also print the light of every line")
    parser.add_argument("--out", metavar="FILE", help="write the lights table (.csv or .xlsx)")
    add_lang(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compute and print the lights of ``args.directory``."""
    from ..io import read_units
    from ..io import read_budget, read_observations
    from ..monitoring import MonitoringPolicy, lights, read_monitoring

    if args.month is not None and not 1 <= args.month <= 12:
        raise InputError.single("--month", "bad_month", f"`--month` must be 1-12; got {args.month}")
    rules = MonitoringPolicy.load(args.rules)  # a bad policy fails before any file is read
    with warnings_to_stderr():
        monitoring = read_monitoring(dataset_file(args.directory, "monitoring.csv"))
        observations = read_observations(dataset_file(args.directory, "indicators.csv"))
        budget = read_optional(args.directory, "budget.csv", read_budget)
        units = read_optional(args.directory, "units.csv", read_units)
        result = lights(monitoring, observations, budget, month=args.month, rules=rules, units=units)
    print_problems(result.problems, args.lang)
    if args.lines:
        print_table(f"lights, month {result.month}", result.lights,
                    ["unit_id", "indicator", "month", "ratio", "colour_zh", "colour", "forecast_met", "action",
                     "flags"])
    print_table(f"units, month {result.month}", result.units,
                ["unit_id", "department_id", "budget_ratio", "budget_colour_zh", "goal_colour_zh", "n_red",
                 "n_yellow", "n_green", "n_blue", "targets_attainable", "combined_colour_zh", "action"])
    print_table("departments", result.departments)
    write_out(result.lights, args.out, lang=args.lang, units=units, base=args.directory)
    return 0
