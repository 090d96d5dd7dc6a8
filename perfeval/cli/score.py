"""``perfeval score``: score observations on a framework and print or write the totals.

``perfeval score --framework NAME|PATH --data FILE|DIR [--budget FILE | --no-budget] [--keep-going] [--out FILE]
[--format csv|json|xlsx] [--decimals N]``

* ``--data`` is an observations table (CSV in UTF-8 / UTF-8 with BOM / GB18030, or XLSX; Chinese or English
  headers), a score sheet (``unit_id,node_code,score``: panel consensus, ex-ante scores), a filled standard
  self-evaluation form (XLSX), or a directory of them (scored as one batch), read with
  :func:`perfeval.read_observations`.
* ``--budget`` is the budget table (:func:`perfeval.read_budget`). Without it, the budget comes from the forms
  (their funds block, 年度资金总额) when ``--data`` is a form, or from the ``budget*`` tables and forms of a
  ``--data`` directory. When there is still no budget and the framework scores 资金执行率 from one (an
  ``execution`` leaf, e.g. ``project_self``) the run is refused with ``budget_required`` (exit 1, like any invalid
  input): give ``--budget FILE``, or pass ``--no-budget`` to score the execution leaf 0 for every unit. With
  ``--no-budget`` every output says so: a ``note:`` line on standard error, ``missing_budget`` in the ``flags``
  column of the written totals, ``budget: none`` in the JSON.
* ``--keep-going``: a batch with some unusable units (rows, forms or budget rows that cannot be read or scored)
  scores the others and lists each rejected unit's problems (``location: code: rejected unit 'X': message``) on
  standard output when ``--out`` is given, else on standard error (standard output then holds only the table);
  the JSON has them under ``rejected``. Exit 1 only when no unit could be scored or a problem belongs to no unit
  (a missing column, the framework, ``budget_required``). Without it any error refuses the batch.
* Without ``--out`` the totals table (the unit's code, its name when a ``units.csv`` beside the data or the forms
  give it, total and grade first) goes to standard output as CSV (or JSON with ``--format json``). With ``--out``
  the output is written atomically: CSV (UTF-8 with BOM, so Excel shows the Chinese grades) or JSON of the totals,
  or an XLSX workbook with the totals, a sheet per level, the problems and the parameters
  (:func:`perfeval._present.score_sheets`). The format defaults to the extension of ``--out``.
* Tables are for people (:func:`perfeval._present.present`): Chinese headers (项目编码, 项目名称, 总分, 等级 ...) by
  default, ``--lang en`` for the canonical English ones (``unit_id,name,total,grade``); JSON keeps the canonical
  keys. Numbers are shown with ``--decimals N`` decimals (default 2; rates and achievements with N + 2), on standard
  output and in the files; ``--decimals -1`` shows full precision. Only the presentation is rounded, and a total
  is never rounded onto a grade edge it did not reach: 89.996 shows as 89.99 (never 90.00, which a reader takes
  for 优) and keeps the grade of 89.996; 89.2777 shows as 89.28.
* Problems go to standard error, one per line, ``file:row:column: code: message`` (warnings too, with
  ``warning:`` before the message; with ``--lang zh``, the default, the code's Chinese meaning follows the message
  in brackets); every problem of the reading and the scoring at once. Exit status: 0 scored,
  1 invalid input (every error listed, no traceback), 2 usage. ``perfeval validate`` runs the same reading and
  scoring without writing anything (:mod:`perfeval.cli._dryrun`).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import PerfevalWarning, Problem
from ._dataset import add_lang, names_near

_DECIMALS = 2
_MAX_DECIMALS = 10  # beyond, the digits shown are float noise

__all__ = ["register", "run"]

_FORMATS = ("csv", "json", "xlsx")
# warnings already reported as located problems of the result (score's summary; the budget reader's notes on
# spending above the budget and zero budgets, which score flags per unit)
_REPORTED = ("score():", "executed above the full-year budget", "zero full-year budget")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``score`` subcommand."""
    from ..aggregate import NA_POLICIES, OVER_POLICIES, POINTS_POLICIES
    from ..scoring import DENOMINATORS

    parser = subparsers.add_parser(
        "score", help="score units on a framework (totals, grades)",
        description="Score observations (tables, score sheets `unit_id,node_code,score`, standard forms or a "
                    "directory of them) on a framework; print the totals (unit_id,total,grade first, with --decimals "
                    "decimals) or write them. A framework that scores 资金执行率 needs the budget: --budget FILE, "
                    "the forms' funds block or a budget* table in a --data folder, else the run is refused "
                    "(budget_required) unless --no-budget. Problems go to standard error as "
                    "`file:row:column: code: message`, the column named as the file writes it; exit 1 on invalid "
                    "input (with --keep-going only when no unit could be scored). `perfeval validate` is the same "
                    "reading and scoring without output.")
    parser.add_argument("--framework", required=True, metavar="NAME|PATH",
                        help="shipped framework name (e.g. project_self) or a framework YAML")
    parser.add_argument("--data", required=True, metavar="FILE|DIR",
                        help="observations table, score sheet, form or directory")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--budget", metavar="FILE",
                        help="budget table (default: the funds block of the forms, or the budget* tables of a --data "
                             "directory); required when the framework scores 资金执行率 and the data carries no budget")
    source.add_argument("--no-budget", action="store_true",
                        help="score without a budget: 资金执行率 scores 0 for every unit, flagged missing_budget")
    parser.add_argument("--keep-going", action="store_true",
                        help="score the units that can be scored and list the rejected ones with their problems "
                             "(exit 1 only when none could be scored)")
    parser.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    parser.add_argument("--format", choices=_FORMATS, help="csv, json or xlsx (default: from --out, else csv)")
    parser.add_argument("--reverse", choices=("linear", "ratio"), help="reverse-indicator formula")
    parser.add_argument("--denominator", choices=tuple(DENOMINATORS), help="execution-rate denominator")
    parser.add_argument("--na-policy", choices=NA_POLICIES, default="rescale", help="not-applicable rows")
    parser.add_argument("--points-policy", choices=POINTS_POLICIES, default="rescale",
                        help="a unit's indicator points off the framework's (90): scale them (default) or keep them")
    parser.add_argument("--over-achievement", type=_ratio, default=1.3, metavar="RATIO",
                        help="flag targets met at this ratio or more (default 1.3)")
    parser.add_argument("--over-policy", choices=OVER_POLICIES, default="flag",
                        help="flag over-achievement only, or reduce it (MOF moderate reduction)")
    parser.add_argument("--decimals", type=_decimals, default=_DECIMALS, metavar="N",
                        help=f"decimals of the points shown on standard output and in --out files (total, "
                             f"execution_score, points_total; execution_rate with N+2); default {_DECIMALS}, -1 for "
                             "full precision. Grades always come from the unrounded totals")
    parser.add_argument("--strict", action="store_true", help="refuse flagged problems too (exit 1)")
    add_lang(parser)
    parser.set_defaults(func=run, _parser=parser)


def run(args: argparse.Namespace) -> int:
    """Read, score, report problems on standard error and write the totals; return the exit code."""
    from ._dryrun import score_inputs

    fmt = args.format or _format_of(args.out)
    if fmt == "xlsx" and not args.out:
        args._parser.error("--format xlsx needs --out FILE")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PerfevalWarning)
        result = score_inputs(args.framework, args.data, budget=args.budget, no_budget=args.no_budget,
                              keep_going=args.keep_going, reverse=args.reverse, denominator=args.denominator,
                              na_policy=args.na_policy, over_achievement=args.over_achievement,
                              over_policy=args.over_policy, points_policy=args.points_policy, strict=args.strict)
    _report(result.problems, [w for w in caught if not str(w.message).startswith(_REPORTED)], args.lang)
    if args.no_budget:
        print("perfeval: note: --no-budget: 资金执行率 (the execution leaf) is scored 0 for every unit; the totals' "
              "flags say missing_budget", file=sys.stderr)
    _report_rejected(result.rejected, sys.stdout if args.out else sys.stderr)
    decimals = None if args.decimals < 0 else args.decimals
    shown = {"lang": args.lang, "units": names_near(args.data, out=args.out), "decimals": decimals,
             "edges": result.framework.bands, "base": Path(args.data) if Path(args.data).is_dir() else Path(args.data).parent}
    if fmt == "xlsx":
        from .._present import score_sheets
        from .._cells import write_xlsx
        from .._io_util import atomic_path

        with atomic_path(Path(args.out)) as tmp:
            write_xlsx(tmp, score_sheets(result, **shown))
    else:
        text = (_csv(result.totals, **shown) if fmt == "csv" else
                _json(result, **{**shown, "lang": "en"}, no_budget=args.no_budget))
        if args.out:
            from .._io_util import atomic_write_text
            atomic_write_text(Path(args.out), text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
        else:
            sys.stdout.write(text)
    if args.out:
        print(f"perfeval: scored {len(result.totals)} units on {result.framework.name}; wrote {args.out}",
              file=sys.stderr)
    return 0


def _report_rejected(rejected: pd.DataFrame, stream: Any) -> None:
    """One located line per problem of each unit ``--keep-going`` left out, then a count."""
    if rejected is None or not len(rejected):
        return
    for row in rejected.itertuples(index=False):
        who = f"rejected unit {row.unit_id!r}" if isinstance(row.unit_id, str) else "rejected"
        print(f"{row.location}: {row.code}: {who}: {row.message}", file=stream)
    units = sorted({u for u in rejected["unit_id"] if isinstance(u, str)})
    files = sorted({str(loc).split(":")[0] for u, loc in zip(rejected["unit_id"], rejected["location"])
                    if not isinstance(u, str)})
    shown = ", ".join(units + files)
    print(f"perfeval: --keep-going: rejected {len(units) + len(files)} unit(s) or file(s): {shown}", file=stream)


def _ratio(text: str) -> float:
    """``--over-achievement``: a number above 1 (argparse reports anything else as a usage error)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number > 1 (1.3 = 130 %); got {text!r}") from None
    if not 1 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be a finite number > 1 (1.3 = 130 %); got {text!r}")
    return value


def _decimals(text: str) -> int:
    """``--decimals``: an integer >= -1 (argparse reports anything else as a usage error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer from 0 to {_MAX_DECIMALS}, or -1 for full precision; "
                                         f"got {text!r}") from None
    if not -1 <= value <= _MAX_DECIMALS:
        raise argparse.ArgumentTypeError(f"must be an integer from 0 to {_MAX_DECIMALS}, or -1 for full precision; "
                                         f"got {text!r}")
    return value


def _format_of(out: str | None) -> str:
    """Output format from the extension of ``--out`` (csv by default)."""
    suffix = Path(out).suffix.lower().lstrip(".") if out else ""
    return suffix if suffix in _FORMATS else "csv"


def _report(problems: tuple[Problem, ...], caught: list[warnings.WarningMessage], lang: str = "zh") -> None:
    """Print the result's problems (the meaning of their code after the message in Chinese) and other warnings on
    standard error."""
    from .._messages import problem_text

    for p in problems:
        prefix = "warning: " if p.severity == "warning" else ""
        print(f"{p.location}: {p.code}: {prefix}{problem_text(p, lang)}", file=sys.stderr)
    for w in caught:
        print(f"perfeval: warning: {w.message}", file=sys.stderr)


def _csv(totals: pd.DataFrame, decimals: int | None, **shown: Any) -> str:
    """The totals as CSV, the unit's code (and name, when the units table or the forms give it), total and grade
    first, as people read them (:func:`perfeval._present.present`: headers in ``lang``, totals rounded to
    ``decimals`` but never onto a grade edge they did not reach; None: full precision); each float as the shortest
    text that reads back as the same number (100, 58.59)."""
    from .._cells import neutralise_frame
    from .._present import present

    return neutralise_frame(present(totals, decimals=decimals, **shown)).to_csv(index=False, lineterminator="\n",
                                                                                float_format=_shortest)


def _shortest(value: float) -> str:
    """The shortest positional text of a float that reads back as it (no exponent, no trailing ``.0``)."""
    return np.format_float_positional(value, trim="-")


def _plain(value: Any) -> Any:
    """JSON-ready value: NaN -> None, NumPy scalars -> Python."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return _plain(value.item())
    return value


def _json(result: Any, decimals: int | None, *, no_budget: bool = False, **shown: Any) -> str:
    """The totals (canonical keys, rounded for display as in the CSV), policy, problems and rejected units as JSON
    text; ``budget: none`` with ``--no-budget``."""
    from .._present import present

    totals = [{k: _plain(v) for k, v in row.items()}
              for row in present(result.totals, decimals=decimals, **shown).to_dict(orient="records")]
    doc = {"framework": result.framework.name, "policy": {k: _plain(v) if not isinstance(v, (list, dict)) else v
                                                          for k, v in result.policy.items()},
           "totals": totals, "problems": [p.to_dict() for p in result.problems],
           "rejected": [{k: _plain(v) for k, v in row.items()} for row in result.rejected.to_dict(orient="records")]}
    if no_budget:
        doc["budget"] = "none (--no-budget): 资金执行率 scored 0 for every unit"
    return json.dumps(doc, ensure_ascii=False, indent=1, allow_nan=False) + "\n"
