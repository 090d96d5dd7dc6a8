"""``perfeval apply DIR``: application of evaluation results (评价结果应用) to next year's budget.

Scores the dataset's evaluations, each with its budget table: ``indicators.csv`` (with ``budget.csv``) on the
self-evaluation framework, ``department_indicators.csv`` (``department_budget.csv``) and
``transfer_indicators.csv`` (``transfer_budget.csv``) on the department and transfer frameworks (the frameworks
``dataset.yaml`` names under ``frameworks`` or ``categories``, else ``project_self``, ``department``,
``transfer``); or takes the totals of ``--totals FILE`` (``unit_id, total`` and optionally ``grade``). Then it
applies the policy with ``DIR/units.csv`` and this year's budgets from the three budget tables, and prints the
action per unit, the budget impact per department and grade, and the regions' transfer factors. ``--out FILE``
writes the unit table. Input problems are printed ``file:row:column: code: message`` and exit with status 1.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..errors import InputError
from .monitor import dataset_file, print_problems, print_table, read_optional, warnings_to_stderr, write_out

__all__ = ["register", "run", "score_dataset", "read_budgets"]

# observations file -> (category keys dataset.yaml may use, default framework, budget file)
_SCORED = (("indicators.csv", ("self", "project_self", "project", "indicators"), "project_self", "budget.csv"),
           ("department_indicators.csv", ("department", "dept"), "department", "department_budget.csv"),
           ("transfer_indicators.csv", ("transfer", "region"), "transfer", "transfer_budget.csv"))
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
    parser.set_defaults(func=run)


def _meta(directory: Path) -> dict[str, Any]:
    path = directory / "dataset.yaml"
    if not path.is_file():
        return {}
    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise InputError.single(where, "yaml_syntax", str(exc).splitlines()[0]) from None
    return meta if isinstance(meta, dict) else {}


def _framework_for(meta: dict[str, Any], file: str, keys: tuple[str, ...], default: str) -> str:
    """The framework dataset.yaml names for ``file`` (by category files, then ``frameworks``), else ``default``."""
    categories = meta.get("categories")
    if isinstance(categories, dict):
        for spec in categories.values():
            if isinstance(spec, dict) and file in (spec.get("files") or ()) and spec.get("framework"):
                return str(spec["framework"])
    frameworks = meta.get("frameworks")
    if isinstance(frameworks, dict):
        for key in keys:
            if frameworks.get(key):
                return str(frameworks[key])
    return default


def read_budgets(directory: str | Path) -> pd.DataFrame | None:
    """The dataset's budget tables (``budget.csv``, ``department_budget.csv``, ``transfer_budget.csv``) stacked;
    None when there is none."""
    from ..io import read_budget

    frames = [read_optional(directory, name, read_budget) for *_, name in _SCORED]
    frames = [f for f in frames if f is not None]
    return pd.concat(frames, ignore_index=True) if frames else None


def score_dataset(directory: str | Path, framework: str | None = None) -> tuple[pd.DataFrame, int]:
    """Totals (``unit_id, total, grade``) of every scored evaluation file of a dataset, and the warning count."""
    from .. import score
    from ..io import read_budget, read_observations

    folder = Path(directory)
    meta = _meta(folder)
    frames, warnings = [], 0
    for file, keys, default, budget_file in _SCORED:
        path = folder / file
        if not path.is_file():
            continue
        obs = read_observations(path)  # extra columns such as node_code are kept
        name = (framework if file == "indicators.csv" and framework else _framework_for(meta, file, keys, default))
        result = score(name, obs, read_optional(folder, budget_file, read_budget))
        warnings += len(result.problems)
        frames.append(result.totals[["unit_id", "total", "grade"]])
    if not frames:
        raise InputError.single(str(folder), "file_not_found",
                                "the dataset has no indicators.csv, department_indicators.csv or "
                                "transfer_indicators.csv to score; give --totals FILE")
    return pd.concat(frames, ignore_index=True), warnings


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
        else:
            totals, count = score_dataset(args.directory, args.framework)
            if count:
                print(f"{args.directory}: scoring left {count} warning(s); `perfeval validate {args.directory}` "
                      "lists them", file=sys.stderr)
        result = apply_results(totals, units, policy, budget=budget)
    print_problems(result.problems)
    print_table("actions", result.units,
                ["unit_id", "department_id", "project_type", "rigid", "total", "grade", "action", "cut_share",
                 "current_budget", "proposed_budget", "rectification_required"])
    print_table("budget impact by department and grade", result.summary)
    if len(result.transfers):
        print_table("transfer-payment factors", result.transfers,
                    ["unit_id", "total", "deviation", "factor", "capped", "allocation", "adjusted_allocation"])
    write_out(result.units, args.out)
    return 0
