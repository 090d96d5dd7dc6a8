"""The foundation: errors, canonical columns, resource lookup, atomic writes, the lazy public API, the CLI shell."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import perfeval as pe
from perfeval import columns
from perfeval._io_util import atomic_path, atomic_write_text
from perfeval._resources import resource_dir, templates_dir
from perfeval.cli import main
from perfeval.errors import FrameworkError, InputError, Problem, format_location


def test_problem_str_and_dict():
    p = Problem("a.csv:3:target", "not_numeric", "`target` must be a number; got 'abc'.")
    assert str(p) == "a.csv:3:target: not_numeric: `target` must be a number; got 'abc'."
    assert p.to_dict()["severity"] == "error"


def test_input_error_lists_every_problem_and_is_a_value_error():
    problems = [Problem("f.csv:2:points", "negative_points", "points must be >= 0; got -1."),
                Problem("f.csv:5:unit_id", "empty_unit_id", "unit_id is empty.")]
    err = InputError(problems=problems)
    assert isinstance(err, ValueError)
    assert err.problems == tuple(problems)
    with pytest.raises(ValueError, match=r"f\.csv:2:points: negative_points(.|\n)*f\.csv:5:unit_id"):
        raise err


def test_input_error_with_message_and_single():
    err = InputError.single("x.yaml:4", "yaml_syntax", "bad indentation")
    assert len(err.problems) == 1
    with pytest.raises(InputError, match="x.yaml:4: yaml_syntax: bad indentation"):
        raise err
    with pytest.raises(InputError, match=r"^cannot read\nx\.yaml:4"):
        raise InputError("cannot read", err.problems)
    assert issubclass(FrameworkError, InputError)


@pytest.mark.parametrize(("args", "expected"), [
    (dict(file="a.csv", row=3, column="target"), "a.csv:3:target"),
    (dict(node="output.quantity"), "output.quantity"),
    (dict(file="fw.yaml", row=12), "fw.yaml:12"),
    (dict(), "<input>"),
])
def test_format_location(args, expected):
    assert format_location(**args) == expected


def test_resolve_columns_maps_chinese_headers_and_keeps_unknown():
    headers = ["项目编码", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值（分）", "备 注", "自定义列"]
    mapping = columns.resolve_columns(headers, columns.OBSERVATION_ALIASES)
    assert mapping["项目编码"] == "unit_id"
    assert mapping["三级指标"] == "indicator"
    assert mapping["分值（分）"] == "points"  # trailing unit note ignored
    assert mapping["备 注"] == "note"  # spaces folded
    assert "自定义列" not in mapping


def test_resolve_columns_first_header_wins():
    mapping = columns.resolve_columns(["分值", "权重"], columns.OBSERVATION_ALIASES)
    assert mapping == {"分值": "points"}


def test_resource_dirs_exist_and_unknown_name_is_refused():
    assert (templates_dir() / "frameworks").is_dir()
    with pytest.raises(ValueError, match="`name` must be one of 'templates', 'notebooks', 'sample_data'"):
        resource_dir("nope")


def test_atomic_write_replaces_and_cleans_up(tmp_path: Path):
    target = tmp_path / "out" / "a.txt"
    atomic_write_text(target, "one")
    assert target.read_text() == "one"
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_path(target) as tmp:
            tmp.write_text("half written")
            raise RuntimeError("boom")
    assert target.read_text() == "one"  # old content kept
    assert os.listdir(target.parent) == ["a.txt"]  # no temporary left behind


def test_atomic_write_gives_ordinary_permissions(tmp_path: Path):
    umask = os.umask(0o022)
    try:
        target = atomic_write_text(tmp_path / "b.txt", "x")
    finally:
        os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o644


def test_lazy_api_resolves_and_unknown_name_raises():
    assert pe.grade(90) == "优"
    assert "load_framework" in dir(pe)
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        pe.nope  # noqa: B018


def test_cli_without_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "usage: perfeval" in capsys.readouterr().out


def test_cli_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert pe.__version__ in capsys.readouterr().out


def test_get_ax_rejects_unknown_language():
    from perfeval.plotting import get_ax

    with pytest.raises(ValueError, match="`lang` must be 'zh' or 'en'; got 'fr'"):
        get_ax(lang="fr")
