"""``perfeval panel sheets|collect``: expert score sheets (专家评分表) out and back in.

- ``perfeval panel sheets --framework project_key --units units.csv --experts experts.csv --out DIR`` writes one
  XLSX per expert (``DIR/<expert_id>.xlsx``, one sheet per project; :mod:`perfeval.panel.sheets`).
- ``perfeval panel collect DIR --out ratings.csv`` reads the filled sheets back into the long panel table
  (``unit_id, node_code, rater_id, score, comment``) and prints every problem ``file:sheet!cell: code: message``
  (exit status 1); ``--allow-missing`` keeps going over empty cells and absent sheets and lists them.
"""
from __future__ import annotations

import argparse
import sys

from ._dataset import add_lang, print_problems, write_out

__all__ = ["register", "run_sheets", "run_collect"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``panel`` subcommand and its ``sheets`` and ``collect`` actions."""
    parser = subparsers.add_parser("panel", help="expert score sheets (专家评分表): write them, collect them back",
                                   description="Expert panels of key evaluations: score sheets out and back in.")
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sheets = sub.add_parser("sheets", help="write one XLSX score workbook per expert",
                            description="One workbook per expert (file named by expert code), one sheet per "
                                        "project, every framework node with points and guidance, protected.")
    sheets.add_argument("--framework", default="project_key", metavar="NAME|PATH",
                        help="framework with fixed leaves (default: project_key)")
    sheets.add_argument("--units", required=True, metavar="FILE", help="units.csv / .xlsx (unit_id, name)")
    sheets.add_argument("--category", metavar="WORD",
                        help="only the units whose `category` contains WORD (e.g. key)")
    sheets.add_argument("--experts", required=True, metavar="FILE", help="experts.csv / .xlsx (expert_id, name)")
    sheets.add_argument("--out", required=True, metavar="DIR", help="folder for the workbooks")
    sheets.add_argument("--decimals", type=int, default=2, metavar="N",
                        help="decimals a score may have (default 2; 0 = whole points)")
    sheets.add_argument("--lang", choices=("zh", "en"), default="zh", help="sheet language (default zh)")
    sheets.add_argument("--overwrite", action="store_true", help="replace workbooks that exist in DIR already")
    sheets.set_defaults(func=run_sheets)
    collect = sub.add_parser("collect", help="read filled score workbooks back into the long panel table",
                             description="Check every sheet and read the scores: unit_id, node_code, rater_id, "
                                         "score, comment.")
    collect.add_argument("directory", metavar="DIR", help="folder of <expert_id>.xlsx workbooks")
    collect.add_argument("--out", metavar="FILE", help="write the ratings (.csv or .xlsx)")
    collect.add_argument("--framework", metavar="NAME|PATH",
                         help="framework the sheets must be for (default: the one named in the sheets)")
    collect.add_argument("--experts", metavar="FILE", help="experts issued (a missing workbook is reported)")
    collect.add_argument("--allow-missing", action="store_true",
                         help="empty cells and absent sheets or workbooks are warnings, listed; keep going")
    add_lang(collect)
    collect.set_defaults(func=run_collect)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def run_sheets(args: argparse.Namespace) -> int:
    """Write the workbooks."""
    from ..io import read_units
    from ..panel.sheets import write_sheets

    units = read_units(args.units)
    if args.category:
        units = units[units["category"].fillna("").astype(str).str.split(";").map(
            lambda words: args.category in [w.strip() for w in words])] if "category" in units else units.iloc[:0]
    paths = write_sheets(args.framework, units, args.experts, args.out, decimals=args.decimals, lang=args.lang,
                         overwrite=args.overwrite)
    print(f"wrote {len(paths)} workbook(s) of {len(units)} project sheet(s) each to {args.out}", file=sys.stderr)
    return 0


def run_collect(args: argparse.Namespace) -> int:
    """Collect the workbooks and write the ratings."""
    from ..panel.sheets import collect_sheets

    result = collect_sheets(args.directory, framework=args.framework, experts=args.experts,
                            allow_missing=args.allow_missing)
    print_problems(result.problems, args.lang)
    if len(result.missing):
        counts = ", ".join(f"{k} {v}" for k, v in result.missing["what"].value_counts().items())
        print(f"missing: {len(result.missing)} ({counts})", file=sys.stderr)
    columns = ["unit_id", "node_code", "rater_id", "score", "comment"]
    write_out(result.ratings[columns], args.out, lang=args.lang, base=args.directory)
    if not args.out:
        from .._cells import neutralise_frame
        from .._present import present

        shown = present(result.ratings[columns], args.lang, base=args.directory)
        print(neutralise_frame(shown).to_csv(index=False), end="")
    print(f"{len(result.ratings)} rating(s) from {len(result.files)} workbook(s)", file=sys.stderr)
    return 0
