"""Every command's ``--help`` ends with one example (perfeval/cli/_examples.py): the registry covers every
registered parser (a new command must add its line), names only commands that exist, and each example parses with
the real parser and, where it names sample data, names files that exist."""
from __future__ import annotations

import argparse
import shlex
from pathlib import Path

import pytest

from perfeval.cli import build_parser, main
from perfeval.cli._examples import EXAMPLES, HEADING, apply_examples, example_text, walk_parsers

ROOT = Path(__file__).resolve().parent.parent
PARSERS = {" ".join(path): p for path, p in walk_parsers(build_parser())}


def _argv(path: str) -> list[str]:
    words = shlex.split(EXAMPLES[path][1])
    assert words[0] == "perfeval", EXAMPLES[path]
    return words[1:]


def test_every_command_has_an_example():
    missing = sorted(p or "(perfeval)" for p in PARSERS if p not in EXAMPLES)
    assert not missing, f"add an example to perfeval/cli/_examples.py for: {', '.join(missing)}"


def test_every_example_names_a_command_that_exists():
    stale = sorted(p for p in EXAMPLES if p not in PARSERS)
    assert not stale, f"examples of commands that do not exist: {stale}"


@pytest.mark.parametrize("path", sorted(EXAMPLES))
def test_example_matches_its_command_and_parses(path):
    """The example starts with the command's own words (a group's example runs one of its subcommands), parses
    with the real parser, and reaches the command's function; sample paths exist; commands are ASCII."""
    note, command = EXAMPLES[path]
    assert note and command.isascii(), command
    argv = _argv(path)
    words = path.split()
    assert argv[:len(words)] == words, f"the example of {path!r} runs {' '.join(argv)!r}"
    if path:
        assert len(argv) > len(words) or PARSERS[path].get_default("func") is not None
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse refused it (exit 2)
        pytest.fail(f"the example of {path!r} does not parse (exit {exc.code}): {command}")
    leaf = PARSERS[" ".join(argv[:len(words)])]
    if not any(isinstance(a, argparse._SubParsersAction) for a in leaf._actions):
        assert args.func is leaf.get_default("func")
    for word in argv:
        if word.startswith("sample_data/"):
            assert (ROOT / word).exists(), f"{word} (example of {path!r}) is not in the repository"


@pytest.mark.parametrize("argv", [["--help"], ["weights", "survey", "--help"], ["panel", "sheets", "--help"],
                                  ["recheck", "--help"]])
def test_help_prints_the_example(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    path = " ".join(a for a in argv if a != "--help")
    note, command = EXAMPLES[path]
    assert f"{HEADING}\n  # {note}\n  {command}\n" in out  # kept on its lines, not re-wrapped


def test_a_parser_added_later_without_an_example_is_left_alone_and_detected():
    """apply_examples tolerates a command it has no example for (no epilog), and the walk finds it, so the
    coverage test above fails for it."""
    parser = argparse.ArgumentParser(prog="perfeval")
    sub = parser.add_subparsers()
    weights = sub.add_parser("weights")
    weights.add_subparsers().add_parser("new_method")
    sub.add_parser("brand_new", epilog="kept")
    apply_examples(parser)
    found = {" ".join(path): p for path, p in walk_parsers(parser)}
    assert set(found) == {"", "weights", "weights new_method", "brand_new"}
    assert found["brand_new"].epilog == "kept" and found["weights new_method"].epilog is None
    assert found["weights"].epilog == example_text("weights")
    assert sorted(p for p in found if p not in EXAMPLES) == ["brand_new", "weights new_method"]
