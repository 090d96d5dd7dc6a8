"""The ``perfeval`` command line: a thin layer over the public functions.

Each subcommand lives in its own module of this package, with ``register(subparsers)`` adding its parser and
setting ``func`` (a callable taking the parsed arguments and returning an exit code), and one example line in
:data:`perfeval.cli._examples.EXAMPLES` (shown at the end of its ``--help``; a test fails for a command without).
Exit codes: 0 ok, 1 invalid input or a failed job, 2 usage. Errors print one line per problem (``file:row:column: message``) on
standard error, never a traceback unless ``--debug``.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from .._io_util import input_guard
from ._examples import apply_examples
from ..errors import InputError, PerfevalError

__all__ = ["main", "build_parser"]

# subcommand modules, in the order `perfeval --help` lists them
_COMMANDS = (
    "demo", "render", "validate", "score", "samples", "weights", "recheck", "audit", "monitor", "exante", "apply",
    "panel", "survey",
    "annual", "batch",
)


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="perfeval",
        description="Budget performance evaluation (预算绩效管理): scoring, weighting, agreement, reports.")
    parser.add_argument("--version", action="version", version=f"perfeval {__version__}")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMANDS:
        try:
            module = importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.endswith(f"cli.{name}"):
                continue  # subcommand not built yet
            raise
        module.register(sub)
    _add_mkdir(sub)
    apply_examples(parser)  # one example per command in its --help (perfeval/cli/_examples.py)
    return parser


def _add_mkdir(sub: argparse._SubParsersAction) -> None:
    """Give every (sub)command with an ``--out`` option a ``--mkdir`` flag (create missing output folders)."""
    for command in set(sub.choices.values()):
        options = {o for a in command._actions for o in a.option_strings}
        if "--out" in options and "--mkdir" not in options:
            command.add_argument("--mkdir", action="store_true",
                                 help="create every missing folder of --out (default: only the last one)")
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                _add_mkdir(action)


# arguments naming outputs; every other argument that names an existing file is an input (never overwritten)
_OUTPUTS = frozenset({"out", "export"})


def _inputs(args: argparse.Namespace) -> list[str]:
    """The command's arguments that name files (inputs the outputs must not overwrite)."""
    found: list[str] = []
    for key, value in vars(args).items():
        if key in _OUTPUTS or key.startswith("_"):
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item:
                found.append(item)
    return found


def report_problems(err: InputError, stream=None, lang: str | None = None) -> None:
    """Print an InputError's problems one per line (``location: code: message``); with ``lang="zh"`` (the default
    of the commands that write tables) the meaning of the code follows the message in brackets
    (:func:`perfeval._messages.problem_text`)."""
    from .._messages import problem_text

    stream = stream or sys.stderr
    if err.problems:
        for p in err.problems:
            print(f"{p.location}: {p.code}: {problem_text(p, lang) if lang in ('zh', 'en') else p.message}",
                  file=stream)
    else:
        print(f"perfeval: error: {err}", file=stream)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        with input_guard(*_inputs(args), mkdir=bool(getattr(args, "mkdir", False))):
            return int(args.func(args) or 0)
    except InputError as err:
        if args.debug:
            raise
        report_problems(err, lang=getattr(args, "lang", None))
        return 1
    except FileNotFoundError as err:
        if args.debug:
            raise
        print(f"{err.filename or err}: file_not_found: no such file or directory", file=sys.stderr)
        return 1
    except PerfevalError as err:
        if args.debug:
            raise
        print(f"perfeval: error: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `perfeval score ... | head`
        return 0
    except OSError as err:  # permission, read-only folder, disk full ...: one located line
        if args.debug:
            raise
        print(f"{err.filename or 'perfeval'}: os_error: {err.strerror or err}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
