"""``perfeval apply DIR``: application of evaluation results (评价结果应用) to next year's budget.

Scores the dataset's evaluations, each with its budget table: ``indicators.csv`` (with ``budget.csv``) on the
self-evaluation framework, ``department_indicators.csv`` (``department_budget.csv``) and
``transfer_indicators.csv`` (``transfer_budget.csv``) on the department and transfer frameworks (the frameworks
``dataset.yaml`` names under ``frameworks`` or ``categories``, else ``project_self``, ``department``,
``transfer``); the re-check totals (``recheck.csv``) and key evaluations (``panel.csv``) are added so that each
unit's action follows its most verified grade (key evaluation, then re-check, then self-evaluation; the
``grade_source`` column says which). Or it takes the totals of ``--totals FILE`` (``unit_id, total`` and optionally
``grade``, ``grade_source``). Then it applies the policy with ``DIR/units.csv`` and this year's budgets from the three budget tables, and prints the
action per unit, the budget impact per department and grade, and the regions' transfer factors. ``--out FILE``
writes the unit table. Input problems are printed ``file:row:column: code: message`` and exit with status 1.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ..io import read_dataset_meta
from ._dataset import (SCORED, add_lang, dataset_file, dataset_framework, present, print_problems, print_table,
                       read_optional, warnings_to_stderr, write_out)

__all__ = ["register", "run", "score_dataset", "read_budgets"]

_TOTALS_ALIASES = {"unit_id": ("项目编码", "单位编码", "编码"), "total": ("总分", "得分", "评价得分"),
                   "grade": ("等级", "评级", "评价等级")}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``apply`` subcommand."""
    parser = subparsers.add_parser(
        "apply", help="application of results (评价结果应用): grade -> next year's budget action",
        description="Action, cut, rectification and proposed budget per unit; budget impact by department and "
                    "grade; transfer-payment factors of regions.")
    parser.add_argument("directory", metavar="DIR", help="dataset directory (units.csv, indicators.csv, ...)")
    parser.add_argument("--totals", metavar="FILE", help="totals to apply (unit_id, total[, grade]) instead of "
                                                         "scoring the dataset")
    parser.add_argument("--framework", metavar="NAME|PATH", help="framework of indicators.csv (default: the one "
                                                                 "dataset.yaml names, else project_self)")
    parser.add_argument("--policy", metavar="FILE", help="application policy YAML (changes to the shipped one)")
    parser.add_argument("--out", metavar="FILE", help="write the unit table (.csv or .xlsx)")
    add_lang(parser)
    parser.set_defaults(func=run)


def read_budgets(directory: str | Path) -> pd.DataFrame | None:
    """The dataset's budget tables (``budget.csv``, ``department_budget.csv``, ``transfer_budget.csv``) stacked;
    None when there is none."""
    from ..io import read_budget

    frames = [read_optional(directory, name, read_budget) for *_, name in SCORED]
    frames = [f for f in frames if f is not None]
    return pd.concat(frames, ignore_index=True) if frames else None


def score_dataset(directory: str | Path, framework: str | None = None, *, verified: bool = True
                  ) -> tuple[pd.DataFrame, int]:
    """Totals (``unit_id, total, grade, grade_source``) of every scored evaluation file of a dataset, and the
    warning count.

    The dataset's own evaluations (indicators.csv, department_indicators.csv, transfer_indicators.csv) are
    ``self_evaluation``; with ``verified`` the re-check totals of ``recheck.csv`` (graded on the self-evaluation
    framework's bands) are ``recheck`` and the key evaluations of ``panel.csv`` (panel consensus scored on the
    key framework) ``key_evaluation``, so that :func:`perfeval.application.apply_results` uses the most verified
    grade of each unit.
    """
    from .. import score
    from ..io import read_budget, read_observations

    folder = Path(directory)
    meta = read_dataset_meta(folder)
    frames, warnings = [], 0
    self_bands = None
    for file, keys, default, budget_file in SCORED:
        path = folder / file
        if not present(path):
            continue
        obs = read_observations(path)  # extra columns such as node_code are kept
        name = (framework if file == "indicators.csv" and framework else
                dataset_framework(meta, file, keys, default, directory=folder))
        result = score(name, obs, read_optional(folder, budget_file, read_budget))
        warnings += len(result.problems)
        frames.append(result.totals[["unit_id", "total", "grade"]].assign(grade_source="self_evaluation"))
        if file == "indicators.csv":
            self_bands = result.framework.bands
    if not frames:
        raise InputError.single(str(folder), "file_not_found",
                                "the dataset has no indicators.csv, department_indicators.csv or "
                                "transfer_indicators.csv to score; give --totals FILE")
    if verified:
        frames += _verified(folder, meta, self_bands)
    return pd.concat(frames, ignore_index=True), warnings


def _verified(folder: Path, meta: dict, bands: Any) -> list[pd.DataFrame]:
    """The re-check (``recheck.csv``) and key-evaluation (``panel.csv``) totals of a dataset, with their source."""
    from .. import score
    from ..io import read_dataset_file
    from ..panel import aggregate

    out = []
    path = folder / "recheck.csv"
    if present(path) and bands is not None:  # a FIFO or folder is read (and refused), never skipped
        r = read_dataset_file(path)
        if "recheck_total" in r:
            total = pd.to_numeric(r["recheck_total"], errors="coerce").astype(float)
            out.append(pd.DataFrame({"unit_id": r["unit_id"].astype(str), "total": total,
                                     "grade": bands.grade(total.to_numpy()),
                                     "grade_source": "recheck"}).dropna(subset=["total"]))
    path = folder / "panel.csv"
    if present(path):
        fw_key = dataset_framework(meta, "panel.csv", ("key", "project_key"), "project_key", directory=folder)
        consensus = aggregate(read_dataset_file(path), framework=fw_key)
        key = score(fw_key, consensus.to_observations())
        out.append(key.totals[["unit_id", "total", "grade"]].assign(grade_source="key_evaluation"))
    return out


def _framework_of(directory: str | Path, framework: str | None) -> object:
    """The framework of the dataset's project evaluations (``--framework``, else dataset.yaml's, else
    ``project_self``), loaded."""
    from ..framework import load_framework

    name = framework or dataset_framework(read_dataset_meta(directory), SCORED[0][0], SCORED[0][1], SCORED[0][2],
                                          directory=directory)
    return load_framework(name)


def check_totals(totals: pd.DataFrame, policy: object, framework: object) -> None:
    """Refuse a totals file that would apply silently wrong: a unit twice (both rows named), a total outside
    ``[0, framework total]``, a grade that is not the grade of its total on the policy's bands."""
    from ..errors import Problem
    from ..io.dataset import check_unique_units
    from .._rows import row_locations

    try:
        check_unique_units(totals, "totals")
        problems: list = []
    except InputError as err:  # reported with the other problems of the file
        problems = list(err.problems)
    high = float(framework.total)
    total = totals["total"]
    problems += [Problem(loc, "out_of_range", f"unit {u!r}: total {t:g} is outside [0, {high:g}] (the total of "
                                             f"{framework.name})")
                for loc, u, t in zip(row_locations(totals, totals.index[(total < 0) | (total > high)], "total"),
                                     totals["unit_id"][(total < 0) | (total > high)],
                                     total[(total < 0) | (total > high)])]
    if "grade" in totals:
        banded = pd.Series(policy.bands.grade(total.to_numpy(dtype=float)), index=totals.index, dtype=object)
        given = totals["grade"].astype(object)
        known = given.isin(list(policy.bands.labels))  # an unknown grade is apply_results' unknown_grade
        wrong = known & banded.notna() & (given.astype(str) != banded.astype(str))
        problems += [Problem(loc, "grade_mismatch", f"unit {u!r}: grade {g!r} is not the grade of total {t:g} "
                                                    f"({b} on the policy's bands); correct it or leave the grade empty")
                     for loc, u, g, t, b in zip(row_locations(totals, totals.index[wrong], "grade"),
                                                totals["unit_id"][wrong], given[wrong], total[wrong], banded[wrong])]
    if problems:
        raise InputError(problems=problems)


def run(args: argparse.Namespace) -> int:
    """Apply the results of ``args.directory`` and print the tables."""
    from ..application import ApplicationPolicy, apply_results, read_units
    from ..io import read_table

    policy = ApplicationPolicy.load(args.policy)  # a bad policy fails before any scoring
    with warnings_to_stderr():
        units = read_units(dataset_file(args.directory, "units.csv"))
        budget = read_budgets(args.directory)
        if args.totals:
            totals = read_table(args.totals, _TOTALS_ALIASES, required=("unit_id", "total"), kind="totals",
                                numeric=("total",))
            check_totals(totals, policy, _framework_of(args.directory, args.framework))
        else:
            totals, count = score_dataset(args.directory, args.framework)
            if count:
                print(f"{args.directory}: scoring left {count} warning(s); `perfeval validate {args.directory}` "
                      "lists them", file=sys.stderr)
        result = apply_results(totals, units, policy, budget=budget)
    print_problems(result.problems, args.lang)
    print_table("actions", result.units,
                ["unit_id", "department_id", "project_type", "rigid", "total", "grade", "grade_source", "action",
                 "cut_share", "current_budget", "proposed_budget", "rectification_required",
                 "changed_by_verification"])
    print_table("budget impact by department and grade", result.summary)
    if len(result.transfers):
        print_table("transfer-payment factors", result.transfers,
                    ["unit_id", "total", "deviation", "factor", "capped", "allocation", "adjusted_allocation"])
    write_out(result.units, args.out, lang=args.lang, units=units, base=args.directory)
    return 0
