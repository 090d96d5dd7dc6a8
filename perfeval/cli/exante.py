"""``perfeval exante DIR``: ex-ante assessment (事前绩效评估) conclusions and the budget gate of a dataset.

Reads ``DIR/exante.csv`` (:func:`perfeval.exante.read_exante`) and, when present, ``DIR/units.csv`` (``is_new``:
new projects without an assessment are flagged 不得安排预算); prints one row per unit with its dimension totals,
conclusion, vetoes and gate. ``--out FILE`` writes the table. Input problems are printed
``file:row:column: code: message`` and exit with status 1.
"""
from __future__ import annotations

import argparse

from ._dataset import (add_lang, dataset_file, print_problems, print_table, read_optional, warnings_to_stderr,
                       write_out)

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``exante`` subcommand."""
    parser = subparsers.add_parser(
        "exante", help="ex-ante assessment (事前绩效评估) conclusions and budget gate of a dataset directory",
        description="Totals, five dimensions, conclusion (予以支持 / 调整完善后予以支持 / 不予支持), vetoes and the "
                    "budget gate of new projects.")
    parser.add_argument("directory", metavar="DIR", help="dataset directory (exante.csv, units.csv)")
    parser.add_argument("--framework", default="exante", metavar="NAME|PATH",
                        help="assessment framework (default: the shipped exante)")
    parser.add_argument("--policy", metavar="FILE", help="ex-ante policy YAML (changes to the shipped one)")
    parser.add_argument("--out", metavar="FILE", help="write the unit table (.csv or .xlsx)")
    add_lang(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Assess and print the units of ``args.directory``."""
    from ..io import read_units
    from ..exante import ExantePolicy, assess, read_exante

    # a bad framework or policy fails before any file is read
    policy = ExantePolicy.load(args.policy, framework=args.framework)
    with warnings_to_stderr():
        scores = read_exante(dataset_file(args.directory, "exante.csv"))
        units = read_optional(args.directory, "units.csv", read_units)
        result = assess(scores, args.framework, units=units, policy=policy)
    print_problems(result.problems, args.lang)
    dims = [n.code for n in result.framework.nodes]
    print_table("ex-ante assessment", result.units,
                ["unit_id", "total", *dims, "conclusion", "vetoes", "is_new", "budget_flag"])
    heads = {n.code: (n.name if args.lang == "zh" else n.name_en or n.code) for n in result.framework.nodes}
    write_out(result.units, args.out, lang=args.lang, units=units, base=args.directory, headers=heads)
    return 0
