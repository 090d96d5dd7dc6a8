"""`perfeval weights ...`: output, diagnostics and located errors with exit status 1."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from perfeval.cli import main
from perfeval.framework import load_framework

SAATY2004_CSV = """,culture,family,housing,jobs,transportation
culture,1,1/5,3,1/2,5
family,5,1,7,1,7
housing,1/3,1/7,1,1/4,3
jobs,2,1,4,1,7
transportation,1/5,1/7,1/3,1/7,1
"""


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return str(path)


def test_weights_ahp_prints_weights_and_diagnostics(tmp_path, capsys):
    """Saaty (2004) Table 3 through the CLI: eigenvector weights and CR 0.0503 (Saaty 1980 RI)."""
    path = _write(tmp_path, "m.csv", SAATY2004_CSV)
    out_csv = tmp_path / "w.csv"
    assert main(["weights", "ahp", path, "--out", str(out_csv), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "family  0.4335     1" in out
    assert "CR 0.0503 (RI 1.1200, table saaty1980)" in out and "consistent: yes" in out
    assert pd.read_csv(out_csv)["weight"].round(4).tolist() == [0.1522, 0.4335, 0.0716, 0.305, 0.0378]
    assert main(["weights", "ahp", path, "--method", "rgm", "--ri", "donegan_dodd"]) == 0
    out = capsys.readouterr().out
    assert "family  0.4228" in out and "table donegan_dodd" in out


def test_weights_ahp_inconsistent_and_missing(tmp_path, capsys):
    wang_chin = ("x,a,b,c,d,e,f\na,1,4,3,1,3,4\nb,1/4,1,7,3,1/5,1\nc,1/3,1/7,1,1/5,1/5,1/6\nd,1,1/3,5,1,1,1/3\n"
                 "e,1/3,5,5,1,1,3\nf,1/4,1,6,3,1/3,1\n")
    assert main(["weights", "ahp", _write(tmp_path, "w.csv", wang_chin), "--suggest", "2"]) == 0
    captured = capsys.readouterr()
    assert "consistent: NO" in captured.out and "judgements to revisit" in captured.out
    assert "warning: InconsistentJudgementsWarning: the judgement matrix is inconsistent: CR = 0.2290" \
        in captured.err
    missing = "x,a,b,c,d\na,1,1,5,2\nb,1,1,3,4\nc,1/5,1/3,1,\nd,1/2,1/4,,1\n"
    assert main(["weights", "ahp", _write(tmp_path, "u.csv", missing), "--completion", "harker"]) == 0
    assert "completed comparisons (harker)" in capsys.readouterr().out


def test_weights_ahp_errors_are_located(tmp_path, capsys):
    bad = ",a,b,c\na,1,3,x\nb,3,1,2\nc,1/5,1/2,1\n"
    path = _write(tmp_path, "bad.csv", bad)
    assert main(["weights", "ahp", path]) == 1
    assert f"{path}:2:c: not_a_number" in capsys.readouterr().err
    nonrec = _write(tmp_path, "nr.csv", ",a,b,c\na,1,3,5\nb,3,1,2\nc,1/5,1/2,1\n")
    assert main(["weights", "ahp", nonrec]) == 1
    err = capsys.readouterr().err
    assert f"{nonrec}:2:b: not_reciprocal: a_ij = 3 but a_ji = 3" in err
    zero = _write(tmp_path, "z.csv", ",a,b\na,1,0\nb,2,1\n")
    assert main(["weights", "ahp", zero]) == 1
    assert f"{zero}:2:b: not_positive" in capsys.readouterr().err
    assert main(["weights", "ahp", str(tmp_path / "none.csv")]) == 1
    assert "file_not_found" in capsys.readouterr().err


def test_weights_objective_methods(tmp_path, capsys):
    """MEREC, Keshavarz-Ghorabaee et al. (2021), through the CLI with directions, 4 decimals."""
    data = "unit,c1,c2,c3,c4\nA1,450,8000,54,145\nA2,10,9100,2,160\nA3,100,8200,31,153\nA4,220,9300,1,162\n" \
           "A5,5,8400,23,158\n"
    path = _write(tmp_path, "d.csv", data)
    assert main(["weights", "merec", path, "--directions", "max,max,min,min"]) == 0
    out = capsys.readouterr().out
    assert "c1  0.5752" in out and "c3  0.4016" in out
    assert main(["weights", "merec", path, "--directions", "c3=min,c4=min,c1=max,c2=max"]) == 0
    assert "c3  0.4016" in capsys.readouterr().out
    assert main(["weights", "entropy", path, "--normalization", "minmax"]) == 0
    assert "normalization minmax" in capsys.readouterr().out
    for method in ("critic", "std_dev", "cv"):
        assert main(["weights", method, path]) == 0
        assert f"{method} weights" in capsys.readouterr().out
    gbk = _write(tmp_path, "g.csv", "单位,产出,效益\n甲,1,2\n乙,2,2\n丙,3,2\n", encoding="gb18030")
    assert main(["weights", "entropy", gbk]) == 0
    captured = capsys.readouterr()
    assert "产出  1.0000" in captured.out
    assert "ConstantIndicatorWarning" in captured.err and "['效益']" in captured.err


def test_weights_objective_errors(tmp_path, capsys):
    path = _write(tmp_path, "d.csv", "unit,a,b\nu1,1,x\nu2,2,3\n")
    assert main(["weights", "critic", path]) == 1
    assert f"{path}:2:b: not_a_number: got 'x'" in capsys.readouterr().err
    ok = _write(tmp_path, "ok.csv", "unit,a,b\nu1,1,0\nu2,2,3\n")
    assert main(["weights", "merec", ok]) == 1
    assert f"{ok}: unit u1, indicator b: not_positive" in capsys.readouterr().err
    assert main(["weights", "critic", ok, "--directions", "up,down"]) == 1
    assert "`directions` for indicator 'a' must be 'max'" in capsys.readouterr().err
    assert main(["weights", "critic", ok, "--index", "nope"]) == 1
    assert "missing_column: unit id column 'nope'" in capsys.readouterr().err



def test_weights_critic_directions_default_to_max_for_indicators_not_named(tmp_path, capsys):
    """`--directions 成本=min` names one indicator of three: the other two are benefit, as documented; the weights
    are those of the full list, and the output says which indicators took the default."""
    path = _write(tmp_path, "d.csv", "单位,覆盖率,成本,满意度\n甲,1,9,5\n乙,2,7,1\n丙,4,8,2\n丁,3,2,6\n")
    assert main(["weights", "critic", path, "--directions", "成本=min", "--out", str(tmp_path / "p.csv"),
                 "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "not named in --directions, benefit (max) by default: 覆盖率, 满意度" in out
    assert main(["weights", "critic", path, "--directions", "max,min,max", "--out", str(tmp_path / "f.csv"),
                 "--lang", "en"]) == 0
    partial, full = pd.read_csv(tmp_path / "p.csv"), pd.read_csv(tmp_path / "f.csv")
    pd.testing.assert_frame_equal(partial, full)
    assert partial["directions"].tolist() == [1, -1, 1]
    capsys.readouterr()
    assert main(["weights", "critic", path, "--directions", "成品=min"]) == 1
    assert "`directions` names ['成品'], which are not indicators" in capsys.readouterr().err


SURVEY = """expert_id,a,b,value
E1,execution,output,1/4
E1,execution,effect,1/3
E1,execution,satisfaction,1
E1,output,effect,2
E1,output,satisfaction,4
E1,effect,satisfaction,3
E2,execution,output,1/5
E2,execution,effect,1/3
E2,execution,satisfaction,2
E2,output,effect,1
E2,output,satisfaction,5
E2,effect,satisfaction,3
E3,execution,output,5
E3,execution,effect,1/5
E3,execution,satisfaction,1/4
E3,output,effect,4
E3,output,satisfaction,1/6
E3,effect,satisfaction,7
"""


def test_weights_survey_flags_inconsistent_expert_and_prints_points(tmp_path, capsys):
    """A survey built here on project_self's first-level codes (the sample province's ahp_survey.csv is built
    by another issue): expert E3 is inconsistent and flagged; group weights become points summing to 100."""
    path = _write(tmp_path, "survey.csv", SURVEY)
    out_csv = tmp_path / "group.csv"
    assert main(["weights", "survey", path, "--framework", "project_self", "--out", str(out_csv),
                 "--lang", "en"]) == 0
    captured = capsys.readouterr()
    assert "inconsistent experts: E3" in captured.out
    assert "1 of 3 experts gave inconsistent judgements (CR above threshold): E3" in captured.err
    table = pd.read_csv(out_csv)
    assert table.columns.tolist() == ["item", "weight", "rank", "name", "points_old", "points_new"]
    assert table["points_new"].sum() == load_framework("project_self").total
    assert table["item"].tolist() == ["execution", "output", "effect", "satisfaction"]
    assert main(["weights", "survey", path, "--exclude-inconsistent", "--method", "aip"]) == 0
    assert "AIP" in capsys.readouterr().out


def test_weights_survey_errors(tmp_path, capsys):
    path = _write(tmp_path, "s.csv", "expert_id,a,b,value\nE1,output,output,2\nE1,output,bogus,2\n")
    assert main(["weights", "survey", path, "--framework", "project_self"]) == 1
    err = capsys.readouterr().err
    assert f"{path}:2:b: self_comparison" in err
    assert f"{path}:3:b: unknown_item: 'bogus' is not one of the items [execution (预算执行率), output (产出指标), " \
           "effect (效益指标), satisfaction (满意度指标)]; it occurs on 1 row(s): 3" in err
    assert main(["weights", "survey", path, "--framework", "no_such_framework"]) == 1
    assert "unknown_framework" in capsys.readouterr().err


def test_weights_without_method_prints_help(capsys):
    assert main(["weights"]) == 2
    assert "ahp" in capsys.readouterr().out


def _province_survey() -> Path | None:
    from perfeval._resources import sample_data_dir
    from perfeval.framework import list_frameworks

    try:
        path = sample_data_dir() / "province" / "ahp_survey.csv"
    except FileNotFoundError:
        return None
    return path if path.is_file() and "project_key" in list_frameworks() else None


@pytest.mark.skipif(_province_survey() is None, reason="sample province ahp_survey.csv / project_key not built yet")
def test_weights_survey_on_the_sample_province(tmp_path, capsys):
    """Issue 6 acceptance: on the sample province's AHP survey the inconsistent expert is flagged and group
    weights (and new points) are printed for the key framework."""
    out_csv = tmp_path / "group.csv"
    code = main(["weights", "survey", str(_province_survey()), "--framework", "project_key", "--out", str(out_csv),
                 "--lang", "en"])
    captured = capsys.readouterr()
    assert code == 0
    assert "inconsistent experts: none" not in captured.out and "InconsistentJudgementsWarning" in captured.err
    fw = load_framework("project_key")
    table = pd.read_csv(out_csv)
    assert sorted(table["item"]) == sorted(n.code for n in fw.nodes)
    assert table["points_new"].sum() == fw.total


def test_weights_ahp_verdict_names_the_index_and_a_bad_csv_is_located(tmp_path, capsys):
    path = _write(tmp_path, "m.csv", SAATY2004_CSV)
    assert main(["weights", "ahp", path]) == 0
    assert "consistent: yes (CR 0.0503 <= 0.1)" in capsys.readouterr().out
    assert main(["weights", "ahp", path, "--criterion", "gci", "--threshold", "0.1"]) == 0
    assert "consistent: NO (GCI 0.1830 > 0.1)" in capsys.readouterr().out
    broken = _write(tmp_path, "broken.csv", "unit,a,b\nu1,1,2\nu2,1,2,3,4\n")
    assert main(["weights", "entropy", broken]) == 1
    assert f"{broken}: csv_syntax:" in capsys.readouterr().err


_CN = {"decision": "决策", "process": "过程", "output": "产出", "effect": "效益"}


def _chinese_survey(tmp_path, encoding):
    """The sample province's survey as a Chinese office writes it: 专家编号 / 因素A / 因素B / 标度 headers and the
    nodes' Chinese names (决策, 过程, 产出, 效益) instead of codes; one row names 项目产出 (an alias)."""
    data = pd.read_csv(_province_survey(), dtype=str).replace({"a": _CN, "b": _CN})
    first = data.index[data["a"] == "产出"][0]
    data.loc[first, "a"] = "项目产出"
    data = data.rename(columns={"expert_id": "专家编号", "a": "因素A", "b": "因素B", "value": "标度"})
    path = tmp_path / f"调查_{encoding}.csv"
    path.write_bytes(data.to_csv(index=False).encode(encoding))
    return str(path)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_weights_survey_in_chinese_gives_the_weights_of_the_codes(tmp_path, capsys, encoding):
    """Chinese headers and node names, in UTF-8 (with or without BOM) and GB18030: the group weights, by code,
    are those of the code survey."""
    by_code, by_name = tmp_path / "code.csv", tmp_path / "name.csv"
    assert main(["weights", "survey", str(_province_survey()), "--framework", "project_key",
                 "--out", str(by_code), "--lang", "en"]) == 0
    assert main(["weights", "survey", _chinese_survey(tmp_path, encoding), "--framework", "project_key",
                 "--out", str(by_name), "--lang", "en"]) == 0
    assert "inconsistent experts: X03" in capsys.readouterr().out
    a, b = pd.read_csv(by_code), pd.read_csv(by_name)
    pd.testing.assert_frame_equal(a, b)
    assert b["item"].tolist() == ["decision", "process", "output", "effect"]
    assert b["name"].tolist() == ["决策", "过程", "产出", "效益"]


def test_weights_survey_unknown_name_is_reported_once_with_its_rows(tmp_path, capsys):
    """效率 (not a first-level node of project_key) on seven rows: one problem, at its first cell, naming the
    first five rows and how many more, and the valid items with their Chinese names; 决策 and 过程 read."""
    lines = ["专家,指标A,指标B,判断值"]
    for k in range(7):
        lines += [f"E{k},决策,效率,2", f"E{k},决策,过程,3"]
    path = _write(tmp_path, "s.csv", "\n".join(lines) + "\n", encoding="gb18030")
    assert main(["weights", "survey", path, "--framework", "project_key", "--lang", "en"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{path}:2:指标B: unknown_item: '效率' is not one of the items [decision (决策), process (过程), "
                   "output (产出), effect (效益)]; it occurs on 7 row(s): 2, 4, 6, 8, 10 and 2 more"]
