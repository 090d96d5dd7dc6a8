"""``perfeval recheck`` and ``perfeval audit`` on the sample province: exit codes, printed tables, written files."""
from __future__ import annotations

import pandas as pd
import yaml
import pytest
from openpyxl import load_workbook

from perfeval.cli import main


def test_recheck_totals_with_units_by_department(sample_dir, tmp_path, capsys):
    out = tmp_path / "recheck.csv"
    code = main(["recheck", "--self", str(sample_dir / "budget.csv"), "--recheck", str(sample_dir / "recheck.csv"),
                 "--units", str(sample_dir / "units.csv"), "--indicators", str(sample_dir / "recheck_indicators.csv"),
                 "--by", "department_id", "--out", str(out), "--lang", "en"])
    captured = capsys.readouterr()
    assert code == 0
    assert "mean_bias" in captured.out and "by department_id" in captured.out
    assert "units not rated 准确 or flagged" in captured.out and "基本准确" in captured.out
    assert "have no re-evaluation and are not compared" in captured.err
    table = pd.read_csv(out, dtype={"unit_id": str})
    recheck = pd.read_csv(sample_dir / "recheck.csv", dtype={"unit_id": str})
    assert sorted(table["unit_id"]) == sorted(recheck["unit_id"])
    assert {"deviation", "accuracy", "flags", "drivers", "department_id"} <= set(table.columns)


def test_recheck_scores_observations_and_indicator_rows(sample_dir, tmp_path, capsys):
    """--self observations are scored with the framework; --recheck indicator rows are scored with their
    recheck_score; the workbook holds every table."""
    out = tmp_path / "recheck.xlsx"
    code = main(["recheck", "--self", str(sample_dir / "indicators.csv"), "--budget", str(sample_dir / "budget.csv"),
                 "--recheck", str(sample_dir / "recheck_indicators.csv"), "--out", str(out), "--lang", "en"])
    assert code == 0, capsys.readouterr().err
    sheets = load_workbook(out, read_only=True).sheetnames
    assert sheets == ["units", "summary", "transitions", "problems"]
    units = pd.read_excel(out, sheet_name="units", dtype={"unit_id": str})
    assert len(units) == len(pd.read_csv(sample_dir / "recheck.csv"))
    assert units["amount"].notna().all()                  # budget amounts from --budget
    summary = pd.read_excel(out, sheet_name="summary").set_index("statistic")
    assert summary.at["mean_bias", "budget_weighted"] > 0


def test_recheck_errors(sample_dir, tmp_path, capsys):
    assert main(["recheck", "--self", str(tmp_path / "none.csv"), "--recheck", str(sample_dir / "recheck.csv")]) == 1
    assert "file_not_found" in capsys.readouterr().err
    assert main(["recheck", "--self", str(sample_dir / "budget.csv"), "--recheck", str(sample_dir / "recheck.csv"),
                 "--by", "region"]) == 1
    assert "unknown_column" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["recheck", "--self", str(sample_dir / "budget.csv")])
    assert exit_.value.code == 2


def test_audit_prints_and_writes_findings(sample_dir, tmp_path, capsys):
    out = tmp_path / "audit.xlsx"
    code = main(["audit", "--data", str(sample_dir / "indicators.csv"), "--budget", str(sample_dir / "budget.csv"),
                 "--out", str(out), "--lang", "en"])
    captured = capsys.readouterr()
    assert code == 0
    assert "findings per code" in captured.out and "all_full_marks (medium)" in captured.out
    assert "indicators.csv:" in captured.out
    assert load_workbook(out, read_only=True).sheetnames == ["findings", "units", "vocabulary"]
    csv = tmp_path / "audit.csv"
    assert main(["audit", "--data", str(sample_dir / "forms"), "--out", str(csv), "--lang", "en"]) == 0
    # the forms carry no problem but the planted ones of their units
    meta = yaml.safe_load((sample_dir / "dataset.yaml").read_text(encoding="utf-8"))
    forms = {p.stem for p in (sample_dir / "forms").glob("*.xlsx")}
    planted = {(p["code"], str(p["unit_id"])) for p in meta["planted"] if str(p["unit_id"]) in forms}
    found = pd.read_csv(csv, dtype={"unit_id": str})
    assert f"{len(planted)} finding(s)" in capsys.readouterr().out
    assert set(zip(found["code"], found["unit_id"])) == planted


def test_audit_errors(sample_dir, tmp_path, capsys):
    assert main(["audit", "--data", str(tmp_path / "missing")]) == 1
    assert "file_not_found" in capsys.readouterr().err
    bad = tmp_path / "indicators.csv"
    bad.write_text("unit_id,l1,l2,indicator,target,actual,points,score\nP1,产出指标,数量指标,培训,≥95%~,96%,90,90\n",
                   encoding="utf-8")
    assert main(["audit", "--data", str(bad)]) == 1
    assert "unparseable_target" in capsys.readouterr().err


def test_recheck_indicator_rows_are_scored_on_the_self_budget_table(sample_dir, tmp_path, capsys):
    """--self budget.csv (claimed totals) and --recheck indicator rows: the rows are scored on that budget's
    amounts, so the re-check totals are those of recheck.csv (not 10 execution points short), and a re-check
    file with Chinese headers (复核指标得分) reads the same."""
    out = tmp_path / "units.csv"
    rows = pd.read_csv(sample_dir / "recheck_indicators.csv", dtype=str, keep_default_na=False)
    zh = tmp_path / "recheck_indicators.csv"
    rows.rename(columns={"unit_id": "项目编码", "l1": "一级指标", "l2": "二级指标", "indicator": "三级指标",
                         "target": "年度指标值", "actual": "实际完成值", "points": "分值", "score": "得分",
                         "recheck_score": "复核指标得分"}).to_csv(zh, index=False, encoding="gb18030")
    for recheck in (sample_dir / "recheck_indicators.csv", zh):
        code = main(["recheck", "--self", str(sample_dir / "budget.csv"), "--recheck", str(recheck), "--out",
                     str(out), "--lang", "en"])
        assert code == 0, capsys.readouterr().err
        got = pd.read_csv(out, dtype={"unit_id": str}).set_index("unit_id")["recheck_total"]
        want = pd.read_csv(sample_dir / "recheck.csv", dtype={"unit_id": str}).set_index("unit_id")["recheck_total"]
        assert got.reindex(want.index).to_numpy() == pytest.approx(want.to_numpy(), abs=0.05)


def test_recheck_indicator_rows_without_any_budget_are_an_error(sample_dir, tmp_path, capsys):
    totals = tmp_path / "self.csv"
    totals.write_text("unit_id,self_total\n0010002,86.89\n", encoding="utf-8")
    code = main(["recheck", "--self", str(totals), "--recheck", str(sample_dir / "recheck_indicators.csv")])
    err = capsys.readouterr().err
    assert code == 1 and "missing_budget: the re-check's indicator rows are scored on project_self" in err


def test_recheck_of_forms_uses_their_written_totals_and_notes_the_small_sample(sample_dir, capsys):
    """The sample's forms: three of them are re-checked. Their 总分 is the self total (said on a line of its own),
    and three units are too few for the statistics: the note is printed above the summary."""
    code = main(["recheck", "--self", str(sample_dir / "forms"), "--recheck", str(sample_dir / "recheck.csv")])
    out = capsys.readouterr().out
    assert code == 0
    assert "self totals: 3 claimed (the total the unit wrote, 总分)" in out
    assert "note: small_sample: only 3 unit(s) compared (fewer than 10)" in out
    assert out.index("note: small_sample") < out.index("summary (estimate")


def test_recheck_of_observations_says_which_self_total_it_used(sample_dir, tmp_path, capsys):
    out = tmp_path / "units.csv"
    args = ["recheck", "--self", str(sample_dir / "indicators.csv"), "--budget", str(sample_dir / "budget.csv"),
            "--recheck", str(sample_dir / "recheck.csv"), "--lang", "en"]
    assert main([*args, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "self totals: 30 claimed" in printed and "note: small_sample" not in printed
    table = pd.read_csv(out, dtype={"unit_id": str})
    budget = pd.read_csv(sample_dir / "budget.csv", dtype={"unit_id": str}).set_index("unit_id")
    assert (table["self_total_source"] == "claimed").all()
    assert table["self_total"].tolist() == budget.loc[table["unit_id"], "claimed_total"].tolist()
    assert main([*args, "--self-total", "scored"]) == 0
    assert "self totals: 30 scored (perfeval's rules on the reported values)" in capsys.readouterr().out
