"""``perfeval recheck``: compare self-evaluations with their re-evaluation (再评价 / 复核).

``perfeval recheck --self FILE --recheck FILE [--by COLUMN] [--framework NAME] [--budget FILE] [--units FILE]
[--indicators FILE] [--self-total claimed|scored] [--out FILE]``

* ``--self`` is either a totals table (``unit_id`` with ``self_total``, ``claimed_total``/总分 or ``total``; a budget
  table with the claimed totals works as it is) or the units' observations (a table, a standard form or a
  directory of them), then scored with ``--framework`` (default ``project_self``) and ``--budget``.
* ``--recheck`` is a totals table (``unit_id, recheck_total``/复核得分) or indicator rows with ``recheck_score``
  (``recheck_indicators.csv``): those are scored with the framework, their ``recheck_score`` as the row scores,
  and also give the indicator-level comparison.
* ``--units`` adds attributes (``department_id`` ...) and the budget amounts of the weighted statistics; ``--by``
  breaks the summary down by one of them.
* With observations as ``--self`` and ``--self-total claimed`` (the default), a unit's self total is the 总分 it
  wrote (its form's, or ``claimed_total`` of the budget table) where it wrote one, else perfeval's sum of its
  claimed rows; the output says how many units had which (``self_total_source`` of the unit table).
* The summary and the units flagged or not 准确 are printed, with a note when fewer than 10 units are compared
  (statistics on so few units are indicative only); ``--out`` writes the unit table (``.csv``) or a
  workbook with the units, summary, grade transitions, the breakdown and the problems (``.xlsx``).

Problems (units in one scoring only ...) go to standard error. Exit status: 0 compared, 1 invalid input, 2 usage.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ._dataset import add_lang

__all__ = ["register", "run"]

_TOTALS = ("self_total", "claimed_total", "total", "recheck_total")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``recheck`` subcommand."""
    parser = subparsers.add_parser(
        "recheck", help="compare self-evaluations with their re-evaluation (再评价)",
        description="Deviation, grade change and accuracy (准确 / 基本准确 / 不准确) of every re-checked unit, and "
                    "the portfolio statistics (bias, agreement, disconnect rates), overall and by group.")
    parser.add_argument("--self", dest="self_file", required=True, metavar="FILE",
                        help="self-evaluation: a totals table, or observations (table, form or directory)")
    parser.add_argument("--recheck", required=True, metavar="FILE",
                        help="re-evaluation: totals (recheck_total) or indicator rows with recheck_score")
    parser.add_argument("--by", metavar="COLUMN", help="break the summary down by this unit attribute")
    parser.add_argument("--framework", default="project_self", metavar="NAME|PATH",
                        help="framework scoring observations (default project_self)")
    parser.add_argument("--budget", metavar="FILE", help="budget table for scoring observations")
    parser.add_argument("--units", metavar="FILE", help="unit attributes (department_id, budget_full_year ...)")
    parser.add_argument("--indicators", metavar="FILE", help="indicator-level re-check (score, recheck_score)")
    parser.add_argument("--self-total", choices=("claimed", "scored"), default="claimed",
                        help="scored observations: compare the claimed scores (default) or the rules' scores")
    parser.add_argument("--out", metavar="FILE", help="write the unit table (.csv) or a workbook (.xlsx)")
    add_lang(parser)
    parser.set_defaults(func=run)


def _is_observations(path: Path) -> bool:
    """A directory, a standard form, or a table with indicator and target columns."""
    from .. import columns as C
    from ..io import is_selfeval_form, read_table

    if path.is_dir() or is_selfeval_form(path):
        return True
    head = read_table(path, {**C.OBSERVATION_ALIASES, **C.RECHECK_ALIASES}, kind="table")
    return C.INDICATOR in head and C.TARGET in head


def _totals(path: Path) -> pd.DataFrame:
    from ..io import read_table
    from ..recheck._inputs import TOTAL_ALIASES

    return read_table(path, TOTAL_ALIASES, ["unit_id"], kind="totals",
                      numeric=[*_TOTALS, "score", "budget_full_year"])


def _sides(args: argparse.Namespace) -> tuple[object, object, pd.DataFrame | None, pd.DataFrame | None]:
    """The self side, the re-check side, the indicator-level table and the budget table (if any).

    Without ``--budget`` the budget comes from the self side when it has one: the forms' funds blocks, or a
    budget table given as the self totals (its amounts and claimed totals). Indicator rows of the re-check are
    scored on that budget; none at all is an error (the execution leaf would silently score 0).
    """
    from ..aggregate import score
    from ..io import read_budget, read_observations, read_recheck_indicators

    budget = read_budget(args.budget) if args.budget else None
    self_path, recheck_path = Path(args.self_file), Path(args.recheck)
    for p in (self_path, recheck_path):
        if not p.exists():
            raise InputError.single(str(p), "file_not_found", "no such file or directory")
    if _is_observations(self_path):
        if budget is None and (self_path.is_dir() or self_path.suffix.lower() == ".xlsx"):
            budget = read_budget(self_path)
        self_side = score(args.framework, read_observations(self_path), budget)
    else:
        self_side = _totals(self_path)
        if budget is None and {"budget_full_year", "executed"} <= set(self_side.columns):
            budget = read_budget(self_path)
    indicators = None
    if _is_observations(recheck_path):
        indicators = read_recheck_indicators(recheck_path)
        own_budget = None if budget is None else budget[budget["unit_id"].isin(set(indicators["unit_id"]))]
        recheck = score(args.framework, indicators.assign(score=indicators["recheck_score"]), own_budget)
        if any(p.code == "no_budget" for p in recheck.problems):
            raise InputError.single(str(recheck_path), "missing_budget", "the re-check's indicator rows are scored "
                                    f"on {args.framework}, whose budget-execution leaf needs the budget: give "
                                    "--budget (or a budget table as --self)")
    else:
        recheck = _totals(recheck_path)
    if args.indicators:
        indicators = read_recheck_indicators(args.indicators)
    return self_side, recheck, indicators, budget


def _attributes(path: str | None, budget: pd.DataFrame | None) -> pd.DataFrame | None:
    """Unit attributes from ``--units``, with the budget amounts of the budget table when it has them."""
    from .. import columns as C
    from ..io import read_table

    units = None
    if path:
        units = read_table(path, {**C.UNITS_ALIASES, **C.BUDGET_ALIASES}, [C.UNIT_ID], kind="units",
                           numeric=[C.BUDGET_FULL_YEAR])
    if budget is None or C.BUDGET_FULL_YEAR not in budget:
        return units
    amounts = budget[[C.UNIT_ID, C.BUDGET_FULL_YEAR]].drop_duplicates(C.UNIT_ID)
    if units is None:
        return amounts
    if C.BUDGET_FULL_YEAR in units:
        return units
    return units.merge(amounts, on=C.UNIT_ID, how="left")


def _sources_line(res) -> str:
    """``self totals: 28 claimed (...), 2 computed (...)``."""
    from ..recheck._inputs import SELF_TOTAL_SOURCE_NAMES

    parts = [f"{n} {k} ({SELF_TOTAL_SOURCE_NAMES[k][1]})" if k in SELF_TOTAL_SOURCE_NAMES else f"{n} {k}"
             for k, n in res.self_total_sources().items()]
    return "self totals: " + "; ".join(parts)


def _names(units: pd.DataFrame | None) -> dict[str, str]:
    from .._present import unit_names

    return unit_names(units) if units is not None else {}


def run(args: argparse.Namespace) -> int:
    """Read both sides, compare, print the summary and the units to look at, write ``--out``."""
    from ..recheck import compare
    from ._dataset import names_near, print_problems, print_table, warnings_to_stderr, write_out

    with warnings_to_stderr():
        self_side, recheck, indicators, budget = _sides(args)
        units = _attributes(args.units, budget)
        claimed = None
        if args.self_total == "claimed" and budget is not None and "claimed_total" in budget:
            claimed = budget[["unit_id", "claimed_total"]]
        res = compare(self_side, recheck, indicators=indicators, units=units, self_total=args.self_total,
                      claimed_totals=claimed)
    print_problems(tuple(p for p in res.problems if p.code != "not_rechecked"), args.lang)
    skipped = sum(p.code == "not_rechecked" for p in res.problems)
    if skipped:
        print(f"warning: {skipped} self-evaluated unit(s) have no re-evaluation and are not compared",
              file=sys.stderr)
    print(_sources_line(res))
    for note in res.notes:
        print(f"note: {note}")
    print_table("summary (estimate, interval, p-value, budget-weighted)", res.summary.reset_index())
    print_table("grade transitions (rows: self, columns: re-check)", res.transitions.reset_index())
    look = res.units[(res.units["accuracy"] != "准确") | (res.units["flags"] != "")]
    print_table("units not rated 准确 or flagged", look, ["unit_id", "self_total", "recheck_total", "deviation",
                                                       "self_grade", "recheck_grade", "accuracy", "flags",
                                                       "drivers"])
    by = None
    if args.by:
        try:
            by = res.by(args.by)
        except ValueError as err:
            raise InputError.single("--by", "unknown_column", str(err)) from None
        wide = by.pivot(index=args.by, columns="statistic", values="estimate")
        print_table(f"by {args.by}", wide.reset_index(), [args.by, "n", "mean_bias", "mae", "share_inflated",
                                                           "disconnect_rate", "downgrade_rate", "net_disconnect"])
    sheets = {"units": res.units, "summary": res.summary.reset_index(), "transitions": res.transitions.reset_index(),
              **({"by": by} if by is not None else {}),
              **({"population": res.population} if res.population is not None else {}),
              "problems": pd.DataFrame([p.to_dict() for p in res.problems],
                                       columns=["location", "code", "message", "severity"])}
    names = {**names_near(args.self_file, args.recheck, out=args.out), **_names(units)}
    base = Path(args.self_file) if Path(args.self_file).is_dir() else Path(args.self_file).parent
    write_out(res.units, args.out, encoding="utf-8-sig", sheets=sheets, lang=args.lang, units=names, base=base)
    return 0
