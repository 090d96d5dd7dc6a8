"""``perfeval audit``: the standardization audit (规范性审核) of self-evaluation forms.

``perfeval audit --data FILE|DIR [--budget FILE] [--totals FILE] [--framework NAME] [--tolerance POINTS]
[--out FILE]``

* ``--data`` is an observations table with the units' claimed scores, a filled standard form (XLSX) or a
  directory of them; forms carry their funds block and 总分, tables take ``--budget`` (claimed execution points in
  得分, claimed totals in 总分) and ``--totals`` (``unit_id, claimed_total``).
* The claimed total is checked against the claimed rows and execution points as written on the form (what the unit
  itself adds up), and a ``total_not_sum_of_rows`` finding is located at the form's 总分 cell.
* Prints the findings per code and every finding (``location: code (severity): message``); ``--out`` writes the
  findings (``.csv``) or a workbook with the findings, the unit totals and the vocabulary (``.xlsx``).

Findings are results, not errors: exit status 0 after an audit, 1 on input that cannot be scored (every problem
listed), 2 on usage errors.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import InputError
from ._args import float_in
from ._dataset import add_lang

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``audit`` subcommand."""
    parser = subparsers.add_parser(
        "audit", help="audit self-evaluation forms against the scoring rules (规范性审核)",
        description="Recompute every row, the execution points and the total of the self-evaluations by the rules "
                    "and list every departure (met targets scored low, unmet targets scored full, totals that are "
                    "not the sum of their rows, points that do not add up to 90, ...).")
    parser.add_argument("--data", required=True, metavar="FILE|DIR", help="observations table, form or directory")
    parser.add_argument("--budget", metavar="FILE", help="budget table (default: the forms' funds block)")
    parser.add_argument("--totals", metavar="FILE", help="claimed totals (unit_id, claimed_total / 总分)")
    parser.add_argument("--framework", default="project_self", metavar="NAME|PATH",
                        help="self-evaluation framework (default project_self)")
    parser.add_argument("--tolerance", type=float_in(0, 100), default=0.01, metavar="POINTS",
                        help="largest difference that is not a finding, 0-100 (default 0.01)")
    parser.add_argument("--out", metavar="FILE", help="write the findings (.csv) or a workbook (.xlsx)")
    add_lang(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Audit, print the findings, write ``--out``."""
    from .. import columns as C
    from ..io import read_budget, read_table
    from ..recheck import audit, findings_table
    from .._messages import problem_text
    from ._dataset import names_near, print_table, warnings_to_stderr, write_out

    data = Path(args.data)
    if not data.exists():
        raise InputError.single(str(data), "file_not_found", "no such file or directory")
    with warnings_to_stderr():
        budget = read_budget(args.budget) if args.budget else None
        totals = None
        if args.totals:
            totals = read_table(args.totals, C.BUDGET_ALIASES, [C.UNIT_ID, C.CLAIMED_TOTAL], kind="totals",
                                numeric=[C.CLAIMED_TOTAL])
        res = audit(data, budget, framework=args.framework, claimed_totals=totals, tolerance=args.tolerance)
    units_with = int((res.units["n_findings"] > 0).sum())
    print(f"audited {len(res.units)} unit(s) on {res.framework}: {len(res.findings)} finding(s) in {units_with} "
          "unit(s)")
    if len(res.findings):
        print_table("findings per code", res.counts())
        for f in res.findings.itertuples(index=False):
            print(f"{f.location}: {f.code} ({f.severity}): unit {f.unit_id}{' ' + f.indicator if f.indicator else ''}"
                  f": {problem_text(f, args.lang)}")
    write_out(res.findings, args.out, encoding="utf-8-sig",
              sheets={"findings": res.findings, "units": res.units, "vocabulary": findings_table()},
              lang=args.lang, units=names_near(args.data, out=args.out), base=data if data.is_dir() else data.parent)
    return 0
