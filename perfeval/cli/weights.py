"""``perfeval weights``: AHP on a matrix, group AHP on a survey, objective weights on a data table.

::

    perfeval weights ahp MATRIX.csv [--method eigen|rgm|colmean] [--ri TABLE] [--completion optimal|harker]
                                     [--criterion cr|gci] [--threshold X] [--suggest K] [--out FILE]
    perfeval weights survey SURVEY.csv [--framework NAME|PATH] [--node CODE] [--method aij|aip] [--priority ...]
                                        [--ri TABLE] [--exclude-inconsistent] [--decimals N] [--out FILE]
    perfeval weights entropy|critic|merec|std_dev|cv DATA.csv [--directions ...] [--index COLUMN] [--out FILE]

A matrix file has the item labels in its header row and first column; element (i, j) (row i, column j) is how
much more important item i is than item j; cells may be fractions such as 1/5, blank = missing comparison.
A survey file has columns ``expert_id, a, b, value`` (a is ``value`` times as important as b), or Chinese headers
such as 专家编号, 因素A, 因素B, 标度 (:data:`perfeval.weighting.SURVEY_HEADERS`); with ``--framework`` its items may
be the nodes' codes or their Chinese names (决策, 过程 ...), and an unknown name is reported once, with its rows.
A data file has one row per unit (its id in the first column) and one column per indicator. Problems are printed as
``file:row:column: code: message`` and exit with status 1.
"""
from __future__ import annotations

import argparse
import re
import sys
import warnings
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from ..errors import InputError, Problem
from ._args import float_in, int_in
from ._dataset import add_lang

__all__ = ["register"]

_OBJECTIVE = ("entropy", "critic", "merec", "std_dev", "cv")


def _read_csv(path: str, **kwargs: Any) -> pd.DataFrame:
    """Read a CSV in UTF-8 (with or without BOM) or GB18030, all cells as text."""
    import io

    from .._io_util import read_input_bytes

    p = Path(path)
    data = read_input_bytes(p, "CSV")  # a regular file only (never a FIFO), recorded as an input
    last: Exception | None = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding=encoding, **kwargs)
        except UnicodeDecodeError as exc:
            last = exc
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InputError.single(str(p), "csv_syntax", str(exc).strip().splitlines()[0]) from None
    raise InputError.single(str(p), "encoding", f"not UTF-8 or GB18030 text ({last})")


def _emit_warnings(caught: list[warnings.WarningMessage]) -> None:
    """Print caught warnings on standard error, one line each."""
    for w in caught:
        print(f"warning: {w.category.__name__}: {w.message}", file=sys.stderr)


def _run(func: Callable[[], Any]) -> tuple[Any, list[warnings.WarningMessage]]:
    """Call ``func`` recording its warnings (printed after the results)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = func()
    return result, list(caught)


def _table(frame: pd.DataFrame) -> str:
    """A frame as text with 4 decimals (presentation only)."""
    return frame.to_string(index=False, float_format=lambda x: f"{x:.4f}")


def _write(frame: pd.DataFrame, out: str | None, lang: str = "zh") -> None:
    """Write ``frame`` as CSV (UTF-8 with BOM) to ``out`` (atomically) when given, as people read it
    (:func:`perfeval._present.present`: headers in ``lang``, numbers rounded for display)."""
    if out:
        from .._io_util import atomic_write_text
        from .._cells import neutralise_frame
        from .._present import present

        shown = present(frame, lang, decimals=4)
        atomic_write_text(Path(out), neutralise_frame(shown).to_csv(index=False), encoding="utf-8-sig")
        print(f"wrote {out}")


def _locate_cells(err: InputError, path: str, labels: list[str]) -> InputError:
    """Turn ``cell (i, j)`` locations into ``file:row:column`` of the matrix file (header = row 1)."""
    rows = {label: k + 2 for k, label in enumerate(labels)}
    out = []
    for p in err.problems:
        m = re.fullmatch(r"cell \((.+), (.+)\)", p.location)
        if m and m.group(1) in rows and m.group(2) in rows:
            loc = f"{path}:{rows[m.group(1)]}:{m.group(2)}"
        else:
            loc = f"{path}: {p.location}"
        out.append(Problem(loc, p.code, p.message, p.severity))
    return InputError(problems=out) if out else InputError(f"{path}: {err}")


# ---------------------------------------------------------------------------------------------------------------
def _cmd_ahp(args: argparse.Namespace) -> int:
    """``perfeval weights ahp``."""
    from ..weighting import ahp

    raw = _read_csv(args.matrix, index_col=0)
    raw.index = [str(i).strip() for i in raw.index]
    raw.columns = [str(c).strip() for c in raw.columns]
    labels = list(raw.index)
    try:
        res, caught = _run(lambda: ahp(raw, method=args.method, ri=args.ri, completion=args.completion,
                                       criterion=args.criterion, threshold=args.threshold))
    except InputError as err:
        raise _locate_cells(err, args.matrix, labels) from None
    print(f"AHP {args.matrix}: method {res.method}, n = {res.n}, element (i, j) = how much more important i is "
          "than j")
    print(_table(res.to_frame()))
    print()
    print(f"lambda_max {res.lambda_max:.4f}  CI {res.ci:.4f}  CR {res.cr:.4f} (RI {res.ri:.4f}, table "
          f"{res.ri_table})  GCI {res.gci:.4f}")
    index = res.cr if res.criterion == "cr" else res.gci
    verdict = f"yes ({res.criterion.upper()} {index:.4f} <= {res.threshold:g})" if res.consistent else \
        f"NO ({res.criterion.upper()} {index:.4f} > {res.threshold:g})"
    print(f"consistent: {verdict}")
    if len(res.completed):
        print(f"\ncompleted comparisons ({res.completion}):")
        print(_table(res.completed))
    if not res.consistent and args.suggest > 0:
        sugg = res.suggestions(args.suggest)
        if len(sugg):
            print("\njudgements to revisit (one change at a time):")
            print(_table(sugg))
    _emit_warnings(caught)
    _write(res.to_frame(), args.out, args.lang)
    return 0


def _cmd_survey(args: argparse.Namespace) -> int:
    """``perfeval weights survey``."""
    from ..framework import load_framework
    from ..weighting import ahp_survey, apply_weights

    data = _read_csv(args.survey)
    fw = load_framework(args.framework) if args.framework else None
    res, caught = _run(lambda: ahp_survey(data, framework=fw, node=args.node, method=args.method,
                                          priority=args.priority, ri=args.ri,
                                          exclude_inconsistent=args.exclude_inconsistent,
                                          criterion=args.criterion, threshold=args.threshold,
                                          source=args.survey))
    print(f"AHP survey {args.survey}: {len(res.experts)} experts, {len(res.weights)} items, "
          f"{res.method.upper()} with {res.priority} priorities, RI table {res.ri_table}")
    print(_table(res.experts))
    flagged = res.inconsistent_experts
    print(f"inconsistent experts: {', '.join(flagged) if flagged else 'none'}")
    print("\ngroup weights:")
    frame = res.to_frame()
    if fw is not None:
        new = apply_weights(fw, res.weights, args.node, decimals=args.decimals)
        old_pts, new_pts = fw.points(), new.points()
        names = {n.code: n.name for n in fw.all_nodes()}
        frame = frame.assign(name=[names[c] for c in frame["item"]],
                             points_old=[old_pts[c] for c in frame["item"]],
                             points_new=[new_pts[c] for c in frame["item"]])
    print(_table(frame))
    if res.aggregate is not None:
        print(f"\naggregated matrix: CR {res.aggregate.cr:.4f}  GCI {res.aggregate.gci:.4f}")
    _emit_warnings(caught)
    _write(frame, args.out, args.lang)
    return 0


def _parse_directions(text: str | None) -> Any:
    """``max,min`` -> list, ``a=max,b=min`` -> mapping, ``min`` -> one value for all."""
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if parts and all("=" in p for p in parts):
        return dict(p.split("=", 1) for p in parts)
    return parts[0] if len(parts) == 1 else parts


def _cmd_objective(args: argparse.Namespace) -> int:
    """``perfeval weights entropy|critic|merec|std_dev|cv``."""
    from .. import weighting

    raw = _read_csv(args.data)
    index_col = args.index if args.index else raw.columns[0]
    if index_col not in raw.columns:
        raise InputError.single(args.data, "missing_column", f"unit id column {index_col!r} is not in the header "
                                f"{list(raw.columns)}")
    frame = raw.set_index(index_col)
    problems = []
    for col in frame.columns:
        numeric = pd.to_numeric(frame[col].str.strip(), errors="coerce")
        for pos in [k for k, ok in enumerate(numeric.notna()) if not ok][:5]:
            problems.append(Problem(f"{args.data}:{pos + 2}:{col}", "not_a_number",
                                    f"got {frame[col].iloc[pos]!r}; every cell must be a number"))
        frame[col] = numeric
    if problems:
        raise InputError(problems=problems)
    func = getattr(weighting, args.method)
    kwargs = {} if args.normalization is None else {"normalization": args.normalization}
    directions = _parse_directions(args.directions)
    try:
        res, caught = _run(lambda: func(frame, directions, **kwargs))
    except InputError as err:
        raise InputError(problems=[Problem(f"{args.data}: {p.location}", p.code, p.message)
                                   for p in err.problems]) if err.problems else InputError(
            f"{args.data}: {err}") from None
    scalars = {k: v for k, v in res.details.items() if isinstance(v, str)}
    extra = "".join(f", {k} {v}" for k, v in scalars.items())
    print(f"{args.method} weights {args.data}: {frame.shape[0]} units x {frame.shape[1]} indicators{extra}")
    print(_table(res.to_frame()))
    if isinstance(directions, dict):
        default = [str(c) for c in frame.columns if str(c) not in directions]
        if default:
            print(f"not named in --directions, benefit (max) by default: {', '.join(default)}")
    _emit_warnings(caught)
    _write(res.to_frame(), args.out, args.lang)
    return 0


# ---------------------------------------------------------------------------------------------------------------
def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``perfeval weights`` and its methods."""
    from ..weighting import RI_TABLES

    parser = subparsers.add_parser("weights", help="expert (AHP) and data-driven weights",
                                   description="Expert (AHP, group AHP) and data-driven (entropy, CRITIC, MEREC, "
                                               "SD, CV) weights.")
    sub = parser.add_subparsers(dest="weights_method", metavar="METHOD")
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])

    def consistency(p: argparse.ArgumentParser) -> None:
        p.add_argument("--ri", default="saaty1980", choices=sorted(RI_TABLES), help="random-index table")
        p.add_argument("--criterion", default="cr", choices=("cr", "gci"), help="consistency index to judge by")
        p.add_argument("--threshold", type=float_in(0, 1, low_open=True), default=None,
                       help="consistency threshold (default CR 0.10; GCI 0.31/0.35/0.37 by n)")
        p.add_argument("--out", metavar="FILE", help="also write the weights table as CSV")
        add_lang(p)

    p = sub.add_parser("ahp", help="priorities and consistency of one pairwise comparison matrix")
    p.add_argument("matrix", metavar="MATRIX.csv")
    p.add_argument("--method", default="eigen", choices=("eigen", "rgm", "colmean"))
    p.add_argument("--completion", default="optimal", choices=("optimal", "harker"),
                   help="how blank (missing) comparisons are filled")
    p.add_argument("--suggest", type=int_in(0, 100), default=3, metavar="K",
                   help="list K judgements to revisit when inconsistent (0 = none)")
    consistency(p)
    p.set_defaults(func=_cmd_ahp)

    p = sub.add_parser("survey", help="group AHP from a long survey table (expert_id, a, b, value / 专家, 因素A, "
                       "因素B, 标度)")
    p.add_argument("survey", metavar="SURVEY.csv")
    p.add_argument("--framework", metavar="NAME|PATH", help="check items against this framework (node codes or "
                   "Chinese names) and print points")
    p.add_argument("--node", default=None, metavar="CODE", help="parent node whose children are compared "
                   "(default: the first-level nodes)")
    p.add_argument("--method", default="aij", choices=("aij", "aip"))
    p.add_argument("--priority", default="eigen", choices=("eigen", "rgm", "colmean"))
    p.add_argument("--exclude-inconsistent", action="store_true", help="drop experts above the threshold")
    p.add_argument("--decimals", type=int_in(0, 6), default=0,
                   help="decimals of the new points, 0-6 (largest remainder)")
    consistency(p)
    p.set_defaults(func=_cmd_survey)

    for name in _OBJECTIVE:
        p = sub.add_parser(name, help=f"{name} weights from a units x indicators table")
        p.add_argument("data", metavar="DATA.csv")
        p.add_argument("--directions", metavar="DIRS",
                       help="max/min per indicator: 'max,min,max', 'ind1=max,ind2=min' (indicators not named are "
                            "max) or one value for all (default: all max)")
        p.add_argument("--index", metavar="COLUMN", help="unit id column (default: the first column)")
        p.add_argument("--out", metavar="FILE", help="also write the weights table as CSV")
        add_lang(p)
        norms = {"entropy": ("sum", "minmax"), "std_dev": ("minmax", "none")}.get(name)
        if norms:
            p.add_argument("--normalization", choices=norms, default=None, help=f"default {norms[0]}")
        p.set_defaults(func=_cmd_objective, method=name, normalization=None)
