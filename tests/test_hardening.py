"""The shared layers of issue 17: the output guard and atomic outputs (``_io_util``), formula neutralisation
(``_cells``), YAML limits and encodings (``_yaml``), streaming sheet limits (``io._layout``), and the API's
documented errors for bad data."""
from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
import pytest
import yaml

import perfeval as pe
from perfeval import _cells
from perfeval._io_util import atomic_dir, atomic_path, atomic_write_text, check_output, input_guard, note_input
from perfeval._yaml import MAX_DEPTH, load_marked, read_yaml
from perfeval.errors import InputError

from hostile_corpus import CYCLE, DEEP, anchor_bomb, wide_xlsx


# --- output guard --------------------------------------------------------------------------------------------------

def test_an_output_resolving_to_an_input_is_refused(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("a\n1\n", encoding="utf-8")
    os.symlink(src, tmp_path / "link.csv")
    os.link(src, tmp_path / "hard.csv")
    with input_guard():
        note_input(src)
        for target in (src, tmp_path / "link.csv", tmp_path / "hard.csv", tmp_path / "." / "in.csv"):
            with pytest.raises(InputError, match="output_is_input"):
                atomic_write_text(target, "x")
        atomic_write_text(tmp_path / "other.csv", "x")  # any other path is fine
    assert src.read_text(encoding="utf-8") == "a\n1\n"
    atomic_write_text(tmp_path / "link.csv", "replaced")  # outside a guard (library use) nothing is recorded
    assert os.path.islink(tmp_path / "link.csv") is False and src.read_text(encoding="utf-8") == "a\n1\n"


def test_output_paths_that_cannot_be_written_are_located(tmp_path):
    (tmp_path / "adir").mkdir()
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    os.symlink(tmp_path / "missing" / "x", tmp_path / "dangling")
    cases = {tmp_path / "adir": "existing directory", tmp_path / "afile" / "x.csv": "Not a directory",
             tmp_path / "dangling": "dangling symbolic link"}
    for path, message in cases.items():
        with pytest.raises(InputError, match=f"{path}: bad_output: .*{message}"):
            check_output(path)
    with input_guard():
        with pytest.raises(InputError, match="does not exist; create it first or give --mkdir"):
            check_output(tmp_path / "a" / "b" / "c.csv")
        assert check_output(tmp_path / "a" / "c.csv") == tmp_path / "a" / "c.csv"  # the last folder is created
    with input_guard(mkdir=True):
        check_output(tmp_path / "x" / "y" / "z.csv")
    assert (tmp_path / "x" / "y").is_dir()


def test_a_failed_atomic_write_leaves_nothing(tmp_path):
    target = tmp_path / "t.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


def test_atomic_dir_moves_a_complete_set_in_and_keeps_other_files(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(RuntimeError):
        with atomic_dir(out) as tmp:
            (tmp / "a.csv").write_text("1", encoding="utf-8")
            raise RuntimeError("midway")
    assert list(tmp_path.iterdir()) == []
    with atomic_dir(out) as tmp:
        (tmp / "a.csv").write_text("1", encoding="utf-8")
    (out / "mine.txt").write_text("keep", encoding="utf-8")
    with atomic_dir(out) as tmp:
        (tmp / "a.csv").write_text("2", encoding="utf-8")
        (tmp / "sub").mkdir()
        (tmp / "sub" / "b.png").write_bytes(b"png")
    assert (out / "a.csv").read_text(encoding="utf-8") == "2" and (out / "mine.txt").is_file()
    assert (out / "sub" / "b.png").is_file() and sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_fifo_is_never_opened(tmp_path):
    os.mkfifo(tmp_path / "p.csv")
    with pytest.raises(InputError, match="not_a_file: expected a units file, found a FIFO"):
        pe.read_units(tmp_path / "p.csv")
    os.mkfifo(tmp_path / "p.yaml")
    with pytest.raises(InputError, match="not_a_file"):
        pe.load_framework(tmp_path / "p.yaml")


def test_an_unreadable_file_is_located(tmp_path, monkeypatch):
    """Permission problems (simulated: the suite may run as root, whom permissions do not bind)."""
    import perfeval._io_util as U

    (tmp_path / "u.csv").write_text("unit_id\nA\n", encoding="utf-8")
    (tmp_path / "p.yaml").write_text("kind: monitoring\n", encoding="utf-8")
    monkeypatch.setattr(U.os, "access", lambda path, mode: False)
    with pytest.raises(InputError, match=r"u.csv: unreadable_file: the units file cannot be read: permission denied"):
        pe.read_units(tmp_path / "u.csv")
    with pytest.raises(InputError, match=r"p.yaml: unreadable_file: the framework file cannot be read"):
        pe.load_framework(tmp_path / "p.yaml")


def test_dataset_yaml_framework_paths_are_resolved_against_the_folder(tmp_path, monkeypatch):
    (tmp_path / "ds").mkdir()
    (tmp_path / "ds" / "dataset.yaml").write_text("frameworks: {self: fw/m.yaml, key: project_key}\n"
                                                  "categories: {x: {framework: x.yml}}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    meta = pe.io.read_dataset_meta("ds")
    assert meta["frameworks"] == {"self": str(tmp_path / "ds" / "fw" / "m.yaml"), "key": "project_key"}
    assert meta["categories"]["x"]["framework"] == str(tmp_path / "ds" / "x.yml")


# --- formula neutralisation ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ['=cmd|" /C calc"!A0', "+1+1", "-2+3", "@SUM(1)", "=HYPERLINK(\"x\")", "\tx", "\rx",
                                  "-5%"])
def test_formula_like_text_is_quoted_and_unquoted(text):
    quoted = _cells.neutralise_text(text)
    assert quoted == "'" + text
    assert _cells.unquote_text(pd.Series([quoted], dtype=object)).iloc[0] == text


def test_numbers_and_plain_text_are_left_alone():
    frame = pd.DataFrame({"n": [-2.5, 3.0], "i": [-1, 2], "t": ["a=b", "项目"]})
    assert _cells.neutralise_frame(frame) is frame
    assert [_cells.neutralise_text(v) for v in (-2.5, None, "a-b")] == [-2.5, None, "a-b"]
    assert not _cells.is_formula_like("-2.5") and _cells.is_formula_like("-2+3")


# --- YAML limits ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    (anchor_bomb(), "the aliases (*name) expand to more than 100,000 values"),
    (CYCLE, "refers to a value that contains it (a cycle)"),
    (DEEP, f"nesting deeper than {MAX_DEPTH} levels"),
])
def test_yaml_bombs_cycles_and_depth_are_refused_fast(text, message):
    with pytest.raises(yaml.YAMLError, match=message.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*")):
        load_marked(text)


def test_ordinary_aliases_still_load():
    data, _ = load_marked("base: &b {min: 0, max: 60}\nbands:\n  - *b\n  - *b\n")
    assert data["bands"] == [{"min": 0, "max": 60}] * 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030"])
def test_yaml_files_are_decoded_like_tables(tmp_path, encoding):
    path = tmp_path / "p.yaml"
    path.write_bytes("kind: monitoring\nname: 示例\n".encode(encoding))
    assert read_yaml(path, "policy")[0] == {"kind": "monitoring", "name": "示例"}


def test_yaml_errors_are_located(tmp_path):
    (tmp_path / "b.yaml").write_text(anchor_bomb(), encoding="utf-8")
    with pytest.raises(InputError) as err:
        pe.policies.read_policy("monitoring", tmp_path / "b.yaml")
    [p] = err.value.problems
    assert p.location == f"{tmp_path / 'b.yaml'}:8" and p.code == "yaml_syntax"  # a6: 9 ** 7 values
    (tmp_path / "bin.yaml").write_bytes(b"\x00\x01binary")
    with pytest.raises(InputError, match="wrong_encoding: the dataset.yaml file is not text"):
        read_yaml(tmp_path / "bin.yaml", "dataset.yaml")


def test_render_parameter_files_go_through_the_yaml_limits(tmp_path):
    from perfeval.cli.render import read_params_file

    (tmp_path / "p.yaml").write_text(anchor_bomb(), encoding="utf-8")
    with pytest.raises(InputError, match="yaml_syntax: the aliases"):
        read_params_file(tmp_path / "p.yaml")
    os.mkfifo(tmp_path / "fifo.yaml")
    with pytest.raises(InputError, match="not_a_file"):
        read_params_file(tmp_path / "fifo.yaml")
    (tmp_path / "ok.yaml").write_bytes("unit_id: '0010001'\nnotes: 说明\n".encode("gb18030"))
    assert read_params_file(tmp_path / "ok.yaml") == {"unit_id": "0010001", "notes": "说明"}


# --- sheets --------------------------------------------------------------------------------------------------------

def test_a_wide_sheet_is_refused_without_trusting_its_dimension(tmp_path):
    book = wide_xlsx(tmp_path / "w.xlsx", rows=1000)
    with pytest.raises(InputError, match=r"w.xlsx: sheet_too_large: sheet 'Sheet1' has a cell in column 16,384 "
                                         r"\(row 2\); perfeval reads at most 1,000 columns"):
        pe.read_table(book, {"unit_id": ()})
    ok = wide_xlsx(tmp_path / "ok.xlsx", rows=3, column="B", dimension="A1:XFD1048576")
    assert pe.read_table(ok, {"unit_id": (), "total": ()}, numeric=["total"])["total"].tolist() == [1.0] * 3


# --- the API's documented errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("missing", [None, np.nan, pd.NA, " "])
def test_score_refuses_rows_without_a_unit(missing):
    obs = pd.DataFrame({"unit_id": ["P1", missing], "indicator": ["培训人次", "就业率"], "l1": "产出指标",
                        "l2": "数量指标", "target": ["≥1000人次", "≥80%"], "actual": ["1200人次", "85%"],
                        "points": [50, 40]}, dtype=object)
    with pytest.raises(InputError, match="observations:3:unit_id: missing_unit"):
        pe.score("project_self", obs)


def test_score_refuses_a_framework_with_inverted_bands():
    d = pe.load_framework("project_self").to_dict()
    for band in d["bands"]:
        band["min"], band["max"] = band["max"], band["min"]
    with pytest.raises(InputError):
        fw = pe.Framework.from_dict(d)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pe.score(fw, pd.DataFrame({"unit_id": ["P1"], "node_code": ["x"], "score": [1.0]}))


def test_read_selfeval_form_refuses_a_plain_table(tmp_path, sample_dir):
    pd.read_csv(sample_dir / "indicators.csv", dtype=str).head(20).to_excel(tmp_path / "t.xlsx", index=False)
    with pytest.raises(InputError, match=r"t.xlsx:1: not_a_form: sheet 'Sheet1' is a plain indicators table"):
        pe.read_selfeval_form(tmp_path / "t.xlsx")


def test_duplicated_units_are_refused_with_both_rows(tmp_path):
    (tmp_path / "units.csv").write_text("unit_id,name\nA,x\nB,y\nA,z\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"units.csv:4:unit_id: duplicate_unit: unit 'A' appears twice in the units "
                                         r"table: rows 2 and 4"):
        pe.read_units(tmp_path / "units.csv")


def test_ids_with_control_characters_are_refused(tmp_path):
    (tmp_path / "units.csv").write_text("unit_id,name\n\u202eA,x\nB\x1b,y\nC,ok\u202e\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        pe.read_units(tmp_path / "units.csv")
    assert [p.location.split("/")[-1] for p in err.value.problems] == ["units.csv:2:unit_id", "units.csv:3:unit_id"]
