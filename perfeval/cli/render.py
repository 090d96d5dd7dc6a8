"""``perfeval render CATEGORY [--data DIR] [--params FILE | -p NAME VALUE ...] --out DIR [--lang zh|en]
[--format html,docx,pdf]``.

Renders one report to offline HTML (and the executed notebook, a run log and a JSON record beside it; with
``--format`` also a Word document and a PDF of the same run). With no
parameters the category's defaults render on the shipped sample province. ``perfeval render --list`` lists the
categories and their parameters with their help text.

Examples::

    perfeval render self_evaluation --out reports/
    perfeval render key_evaluation -p unit_id 0040001 --lang en --out reports/
    perfeval render department --data my_province/ -p department_id 004 --out reports/
    perfeval render key_evaluation --format html,docx,pdf --out reports/
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import InputError, ReportError

__all__ = ["register", "run", "read_params_file"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``render`` subcommand."""
    parser = subparsers.add_parser(
        "render", help="render one report (HTML) from a report notebook",
        description="Render one standardized report to offline HTML. With no parameters the category's "
                    "defaults render on the shipped sample province.",
        epilog="example: perfeval render self_evaluation -p unit_id 0010001 --out reports/",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("category", nargs="?", help="report category (see --list)")
    parser.add_argument("--list", action="store_true", help="list the categories and their parameters")
    parser.add_argument("--data", metavar="DIR", help="dataset folder (default: the shipped sample province)")
    parser.add_argument("--params", metavar="FILE", help="parameters as a YAML or JSON mapping")
    parser.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"), default=[],
                        help="one parameter (repeatable); text stays text (leading zeros are kept)")
    parser.add_argument("--out", metavar="DIR", help="output folder")
    parser.add_argument("--lang", choices=("zh", "en"), help="language of the report (default zh)")
    parser.add_argument("--timeout", type=float, default=600, help="time limit per cell in seconds (default 600)")
    parser.add_argument("--format", default="html", metavar="LIST",
                        help="formats to write, comma-separated: html, docx (Word), pdf (default html; html is "
                             "always written)")
    parser.set_defaults(func=run)


def read_params_file(path: str | Path) -> dict[str, Any]:
    """A parameters file: a YAML (or JSON) mapping; dates are turned into ISO text."""
    import datetime

    from .._yaml import read_yaml

    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise InputError.single(str(path), "file_not_found", "the parameters file does not exist")
    values, _ = read_yaml(path, "parameters")  # regular file, encodings, depth and alias limits, located
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise InputError.single(str(path), "not_a_mapping", "the parameters file must hold a mapping "
                                                            "(name: value per line)")
    return {k: (v.isoformat() if isinstance(v, (datetime.date, datetime.datetime)) else v)
            for k, v in values.items()}


def _list(lang: str) -> int:
    from ..reports import list_reports, report_parameters

    reports = list_reports(lang)
    for row in reports.itertuples():
        print(f"{row.category}: {row.title}")
        for parameter in report_parameters(row.category).values():
            print(f"    {parameter.describe()}")
    return 0


def run(args: argparse.Namespace) -> int:
    """Render one report, or list the categories (``--list``)."""
    from ..reports import render, report_parameters
    from ..reports._params import parse_cli_value

    if args.list:
        return _list(args.lang or "zh")
    if not args.category:
        print("perfeval render: error: give a CATEGORY (see `perfeval render --list`)", file=sys.stderr)
        return 2
    if not args.out:
        print("perfeval render: error: --out DIR is required", file=sys.stderr)
        return 2
    declared = report_parameters(args.category)
    params: dict[str, Any] = read_params_file(args.params) if args.params else {}
    for name, text in args.param:
        if name in declared:
            params[name] = parse_cli_value(args.category, declared[name], text)
        else:
            params[name] = text  # reported as unknown by the check, with the declared names
    if args.data is not None:
        params["data"] = args.data
    try:
        result = render(args.category, params, args.out, lang=args.lang, timeout=args.timeout,
                        formats=args.format)
    except ReportError as err:
        where = f" (cell {err.cell})" if err.cell is not None else ""
        print(f"{args.category}: {err.status}{where}: {err.ename or ''}: {err.evalue or err}", file=sys.stderr)
        return 1
    print(f"{result.title}: {result.paths['html']}  ({result.timings['total']:.1f} s, "
          f"{len(result.warnings)} warning(s) in {result.paths['log']})")
    for name in ("docx", "pdf"):
        if name in result.paths:
            print(f"    {name}: {result.paths[name]}  ({result.timings[name]:.1f} s)")
    return 0
