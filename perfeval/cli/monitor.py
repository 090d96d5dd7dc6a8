"""``perfeval monitor DIR [--month N]``: dual-monitoring traffic lights (双监控) of a dataset directory.

Reads ``DIR/monitoring.csv`` (:func:`perfeval.monitoring.read_monitoring`), ``DIR/indicators.csv`` (targets),
and, when present, ``DIR/budget.csv`` and ``DIR/units.csv``; prints the per-unit lights and the colour counts per
department (``--lines`` adds every line's light). ``--out FILE`` writes the lights table (CSV or XLSX). Input
problems are printed ``file:row:column: code: message`` and exit with status 1.

This module also holds the small helpers the ``exante`` and ``apply`` subcommands share.
"""
from __future__ import annotations

import argparse
import contextlib
import sys
import warnings
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

from ..errors import InputError, Problem

__all__ = ["register", "run", "dataset_file", "read_optional", "print_table", "print_problems", "write_out",
           "warnings_to_stderr"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``monitor`` subcommand."""
    parser = subparsers.add_parser(
        "monitor", help="dual-monitoring traffic lights (双监控) of a dataset directory",
        description="Budget-execution and target-progress lights per unit and department, at a month.")
    parser.add_argument("directory", metavar="DIR", help="dataset directory (monitoring.csv, indicators.csv, ...)")
    parser.add_argument("--month", type=int, help="month monitored, 1-12 (default: the latest in monitoring.csv)")
    parser.add_argument("--rules", metavar="FILE", help="monitoring policy YAML (changes to the shipped one)")
    parser.add_argument("--lines", action="store_true", help="also print the light of every line")
    parser.add_argument("--out", metavar="FILE", help="write the lights table (.csv or .xlsx)")
    parser.set_defaults(func=run)


def dataset_file(directory: str | Path, name: str) -> Path:
    """``directory/name``; a missing directory or file is a located ``file_not_found`` error."""
    folder = Path(directory)
    if not folder.is_dir():
        raise InputError.single(str(folder), "file_not_found", "no such dataset directory")
    path = folder / name
    if not path.is_file():
        raise InputError.single(str(path), "file_not_found", f"the dataset has no {name}")
    return path


def read_optional(directory: str | Path, name: str, reader: Callable[[Path], pd.DataFrame]) -> pd.DataFrame | None:
    """Read ``directory/name`` with ``reader`` when the file exists, else None."""
    path = Path(directory) / name
    return reader(path) if path.is_file() else None


def print_table(title: str, frame: pd.DataFrame, columns: list[str] | None = None) -> None:
    """Print a titled table on standard output (floats to 2 decimals: presentation only)."""
    shown = frame if columns is None else frame[[c for c in columns if c in frame.columns]]
    print(f"== {title} ({len(shown)} rows)")
    if len(shown):
        print(shown.to_string(index=False, na_rep="", float_format=lambda x: f"{x:.2f}"))
    print()


def write_out(frame: pd.DataFrame, path: str | None) -> None:
    """Write ``frame`` to ``path`` (CSV or XLSX, atomically) when a path is given."""
    if path:
        from ..io import write_table

        try:
            write_table(frame, path)
        except ValueError as err:
            raise InputError.single(str(path), "bad_output", str(err)) from None
        print(f"wrote {path}", file=sys.stderr)


@contextlib.contextmanager
def warnings_to_stderr() -> Iterator[None]:
    """Print the warnings raised inside the block as one ``warning: Class: message`` line each (no repeats)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            seen: set[str] = set()
            for w in caught:
                line = f"warning: {w.category.__name__}: {w.message}"
                if line not in seen:
                    seen.add(line)
                    print(line, file=sys.stderr)


def print_problems(problems: tuple[Problem, ...]) -> None:
    """Warnings kept in a result, one per line on standard error."""
    for p in problems:
        print(f"{p.location}: {p.code}: warning: {p.message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Compute and print the lights of ``args.directory``."""
    from ..application import read_units
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
    print_problems(result.problems)
    if args.lines:
        print_table(f"lights, month {result.month}", result.lights,
                    ["unit_id", "indicator", "month", "ratio", "colour_zh", "colour", "forecast_met", "action",
                     "flags"])
    print_table(f"units, month {result.month}", result.units,
                ["unit_id", "department_id", "budget_ratio", "budget_colour_zh", "goal_colour_zh", "n_red",
                 "n_yellow", "n_green", "n_blue", "targets_attainable", "combined_colour_zh", "action"])
    print_table("departments", result.departments)
    write_out(result.lights, args.out)
    return 0
