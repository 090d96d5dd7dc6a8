"""Outputs a finance department can use as they are (issue 14): headers in the chosen language, names beside codes,
numbers rounded for display without float noise or crossed grade edges, meanings of codes, relative paths."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import perfeval as pe
from perfeval._present import COLUMNS, present, relative_path, untranslated
from perfeval.pipeline import analyse

_CJK = re.compile(r"[\u4e00-\u9fff]")
# float noise as pandas writes it: 12.90000000000001, 0.30000000000000004, 89.99999999999997
_NOISE = re.compile(r"\d\.\d*(?:0{6,}[1-9]|9{6,}\d)")
# an absolute path: /home/..., C:\..., C:/...
_ABSOLUTE = re.compile(r"(?:^|[\s,:;\"'(])(?:/[^\s,/]+/|[A-Za-z]:[\\/])")


@pytest.fixture(scope="module")
def analysis():
    return analyse(pe.load_sample(), draws=100)


@pytest.fixture(scope="module")
def written(analysis, tmp_path_factory):
    out = {}
    for lang in ("zh", "en"):
        folder = tmp_path_factory.mktemp(lang)
        paths = analysis.write(folder, lang=lang, charts=False)
        out[lang] = {p.stem: p for p in paths}
    return out


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _framework_headers(analysis) -> tuple[set[str], set[str]]:
    """Headers named by the frameworks (ex-ante first-level nodes, grade labels) in zh and en."""
    zh = {n.name for n in analysis.exante.framework.nodes} | set(analysis.self_evaluation.framework.bands.labels)
    en = {n.name_en or n.code for n in analysis.exante.framework.nodes}
    en |= {b.label_en or b.label for b in analysis.self_evaluation.framework.bands.bands}
    return zh, en


def test_every_column_a_writer_emits_has_a_header(analysis):
    zh, _ = _framework_headers(analysis)
    codes = {n.code for n in analysis.exante.framework.nodes} | set(analysis.self_evaluation.framework.bands.labels)
    missing = {stem: [c for c in untranslated(frame.columns) if c not in codes]
               for stem, frame in analysis.tables().items()}
    assert not {k: v for k, v in missing.items() if v}


def test_chinese_headers_by_default(analysis, written):
    zh_framework, _ = _framework_headers(analysis)
    for stem, path in written["zh"].items():
        headers = list(_read(path).columns)
        english = [h for h in headers if not _CJK.search(h) and h not in zh_framework]
        assert not english, (stem, english)


def test_english_headers_on_request(analysis, written):
    _, en_framework = _framework_headers(analysis)
    allowed = {en for _, en in COLUMNS.values()} | en_framework
    for stem, path in written["en"].items():
        headers = list(_read(path).columns)
        assert not [h for h in headers if _CJK.search(h)], stem
        assert set(headers) <= allowed, (stem, set(headers) - allowed)
    totals = _read(written["en"]["self_evaluation_totals"])
    assert list(totals.columns[:4]) == ["unit_id", "name", "total", "grade"]


def test_no_float_noise_and_no_absolute_path_in_any_written_file(analysis, written):
    folder = str(analysis.folder)
    assert folder and Path(folder).is_absolute()
    for lang in ("zh", "en"):
        for stem, path in written[lang].items():
            text = path.read_text(encoding="utf-8-sig")
            assert not _NOISE.search(text), (stem, _NOISE.search(text).group(0))
            assert folder not in text and not _ABSOLUTE.search(text), (stem, _ABSOLUTE.search(text))
    nodes = _read(written["zh"]["self_evaluation_nodes"])
    assert set(nodes["来源文件"]) <= {"", "indicators.csv"} and "indicators.csv" in set(nodes["来源文件"])


def test_every_per_unit_table_carries_the_unit_name(analysis, written):
    names = dict(zip(pe.load_sample().units["unit_id"], pe.load_sample().units["name"]))
    for stem, path in written["zh"].items():
        frame = _read(path)
        code = next((c for c in ("项目编码", "单位编码", "地区编码") if c in frame), None)
        if code is None:
            continue
        name = {"项目编码": "项目名称", "单位编码": "单位名称", "地区编码": "地区名称"}[code]
        assert list(frame.columns).index(name) == list(frame.columns).index(code) + 1, stem
        assert (frame[name] == frame[code].map(names)).all(), stem


def test_grade_probabilities_have_unit_id_and_name(analysis, written):
    zh = _read(written["zh"]["grade_probabilities"])
    assert list(zh.columns) == ["项目编码", "项目名称", "优", "良", "中", "差"]
    assert zh["项目编码"].tolist() == analysis.sensitivity.grade_probabilities.index.astype(str).tolist()
    assert zh.iloc[:, 2:].astype(float).sum(axis=1).round(6).eq(1).all()
    en = _read(written["en"]["grade_probabilities"])
    assert list(en.columns) == ["unit_id", "name", "Excellent", "Good", "Fair", "Poor"]


def test_totals_are_rounded_down_and_never_cross_a_grade_edge(analysis, written):
    totals = _read(written["zh"]["self_evaluation_totals"]).set_index("项目编码")
    exact = analysis.self_evaluation.totals.set_index("unit_id")["total"]
    shown = totals["总分"].astype(float)
    assert ((shown - exact).abs() < 0.01).all()
    # the shown total has the grade of the exact one: no total is rounded onto an edge it did not reach
    bands = analysis.self_evaluation.framework.bands
    assert (pd.Series(bands.grade(shown.to_numpy()), index=shown.index) == totals["等级"]).all()
    assert (totals["总分"].str.split(".").str[-1].str.len() <= 2).all()
    t = pd.DataFrame({"unit_id": ["A", "B", "C"], "total": [89.996, 89.99999999999997, 12.90000000000001],
                      "execution_rate": [0.926251, 1 / 3, float("nan")], "grade": ["良", "优", "差"]})
    shown = present(t)                                            # no edges known: totals rounded down
    assert shown["总分"].tolist() == [89.99, 90.0, 12.9]          # 89.996 is 良, not 90.00 (优)
    edged = present(t.assign(total=[89.996, 89.2777, 79.995]), edges=analysis.self_evaluation.framework.bands)
    assert edged["总分"].tolist() == [89.99, 89.28, 79.99]        # half up (89.28) unless that reaches an edge
    assert shown["预算执行率"].iloc[:2].tolist() == [0.9263, 0.3333]


def test_audit_findings_carry_the_meaning_in_the_language(written):
    zh = _read(written["zh"]["audit_findings"])
    assert list(zh.columns[:2]) == ["项目编码", "项目名称"] and "说明" in zh and "代码" in zh
    assert list(zh.columns).index("说明") == list(zh.columns).index("详情") + 1
    row = zh[zh["代码"] == "unmet_full_score"].iloc[0]
    assert row["说明"] == "目标未完成却按满分自评" and row["严重程度"] == "高"
    en = _read(written["en"]["audit_findings"])
    assert en.loc[en["code"] == "unmet_full_score", "meaning"].iloc[0] == "missed but claimed in full"
    assert set(en["severity"]) <= {"high", "medium", "low"}


def test_flags_and_paired_columns_in_the_language(written):
    zh = _read(written["zh"]["recheck_units"])
    flagged = zh[zh["标记"] != ""].iloc[0]
    assert _CJK.search(flagged["标记说明"]) and "_" not in flagged["标记说明"]
    lights = _read(written["zh"]["monitoring_lights"])
    assert set(lights["预警颜色"]) <= {"红", "黄", "绿", "蓝", ""} and "colour_zh" not in lights
    assert set(lights["预计能否完成"]) <= {"是", "否", ""}
    en = _read(written["en"]["application_units"])
    assert "action_en" not in en and not en["action"].str.contains(_CJK).any()


def test_xlsx_output_has_the_same_tables(analysis, tmp_path):
    paths = analysis.write(tmp_path / "x", charts=False, format="xlsx")
    assert {p.suffix for p in paths} == {".xlsx"}
    ws = load_workbook(tmp_path / "x" / "grade_probabilities.xlsx").active
    assert [c.value for c in next(ws.iter_rows(max_row=1))][:2] == ["项目编码", "项目名称"]
    with pytest.raises(ValueError, match="format"):
        analysis.write(tmp_path / "y", format="pdf")
    with pytest.raises(ValueError, match="lang"):
        analysis.write(tmp_path / "y", lang="fr")


def test_present_on_a_problems_table_and_paths():
    problems = pd.DataFrame({"location": ["/data/2024/indicators.csv:7:target", "unit 003"],
                             "code": ["missing_target", "zero_budget"], "message": ["the target is empty", ""],
                             "severity": ["error", "warning"]})
    zh = present(problems, base="/data/2024")
    assert list(zh.columns) == ["位置", "代码", "详情", "说明", "严重程度"]
    assert zh["位置"].tolist() == ["indicators.csv:7:target", "unit 003"]
    assert zh["说明"].tolist() == ["未填写年度指标值", "预算数为0，执行率无法计算"]
    assert zh["严重程度"].tolist() == ["错误", "警告"]
    en = present(problems, "en")
    assert en["location"].tolist() == ["indicators.csv:7:target", "unit 003"]  # outside any base: the file name
    assert relative_path(r"C:\Users\li\forms\a.xlsx:3") == "a.xlsx:3"
    assert relative_path("≥95%/年 and 1/2") == "≥95%/年 and 1/2"


# --- the command line: Chinese tables by default, and perfeval reads its own tables back -------------------------
def _cli(capsys, *argv):
    from perfeval.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out, err


def test_score_writes_chinese_tables_that_apply_and_recheck_read_back(sample_dir, tmp_path, capsys):
    totals = tmp_path / "totals.csv"
    _, err = _cli(capsys, "score", "--framework", "project_self", "--data", sample_dir / "indicators.csv",
                  "--budget", sample_dir / "budget.csv", "--out", totals)
    frame = _read(totals)
    assert list(frame.columns[:4]) == ["项目编码", "项目名称", "总分", "等级"]      # names from units.csv beside the data
    assert frame.set_index("项目编码").at["0010001", "项目名称"] == "高校科研创新平台建设"
    assert not _NOISE.search(totals.read_text(encoding="utf-8-sig"))
    assert "（" in err and "target_too_low" in err                               # problem lines: meaning appended
    # apply --totals and recheck --self / --recheck read the Chinese headers (项目编码, 总分, 等级)
    _cli(capsys, "apply", sample_dir, "--totals", totals, "--out", tmp_path / "apply.csv")
    applied = _read(tmp_path / "apply.csv")
    assert {"项目编码", "项目名称", "处理措施", "总分"} <= set(applied.columns) and len(applied) == len(frame)
    _cli(capsys, "recheck", "--self", totals, "--recheck", sample_dir / "recheck.csv", "--out", tmp_path / "r.csv")
    _cli(capsys, "recheck", "--self", sample_dir / "budget.csv", "--recheck", totals, "--out", tmp_path / "r2.csv")
    r = _read(tmp_path / "r.csv")
    assert list(r.columns[:3]) == ["项目编码", "项目名称", "自评得分"] and "标记说明" in r
    assert {"复核得分", "自评得分来源"} <= set(r.columns) and set(r["自评得分来源"]) <= {"单位填报的总分", "各行自评得分汇总"}


def test_audit_workbook_in_chinese_with_meanings(sample_dir, tmp_path, capsys):
    out = tmp_path / "audit.xlsx"
    printed, _ = _cli(capsys, "audit", "--data", sample_dir / "indicators.csv", "--budget",
                      sample_dir / "budget.csv", "--out", out)
    assert "（目标未完成却按满分自评）" in printed
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames == ["审核发现", "项目", "问题代码表"]
    head = [c.value for c in next(wb["审核发现"].iter_rows(max_row=1))]
    assert head[:2] == ["项目编码", "项目名称"] and "说明" in head and "代码" in head
    vocab = [c.value for c in next(wb["问题代码表"].iter_rows(max_row=1))]
    assert "说明" in vocab and "详情" in vocab                                       # the vocabulary's own meaning kept


def test_collected_ratings_in_chinese_read_back_as_a_panel(sample_dir, tmp_path, capsys):
    from perfeval.io import read_dataset_file
    from perfeval.panel import aggregate

    sheets = tmp_path / "sheets"
    experts = tmp_path / "experts.csv"
    experts.write_text("expert_id,name\nE01,甲\nE02,乙\nE03,丙\n", encoding="utf-8")
    _cli(capsys, "panel", "sheets", "--units", sample_dir / "units.csv", "--category", "key", "--experts", experts,
         "--out", sheets)
    panel = tmp_path / "panel.csv"
    _, err = _cli(capsys, "panel", "collect", sheets, "--out", panel, "--allow-missing")
    assert _read(panel).columns[0] == "项目编码"
    ratings = read_dataset_file(panel)
    assert {"unit_id", "node_code", "rater_id", "score"} <= set(ratings.columns)
    if ratings["score"].notna().any():
        assert len(aggregate(ratings, framework="project_key").scores)


def test_monitor_and_exante_tables_in_both_languages(sample_dir, tmp_path, capsys):
    _cli(capsys, "monitor", sample_dir, "--out", tmp_path / "m.csv")
    _cli(capsys, "exante", sample_dir, "--out", tmp_path / "e.csv", "--lang", "en")
    lights = _read(tmp_path / "m.csv")
    assert list(lights.columns[:2]) == ["项目编码", "项目名称"] and "预警颜色" in lights
    exante = _read(tmp_path / "e.csv")
    assert list(exante.columns[:3]) == ["unit_id", "name", "total"] and "conclusion_en" not in exante
    assert not any(_CJK.search(c) for c in exante.columns)


def test_summary_and_problems_tables_in_the_language(written):
    summary = _read(written["zh"]["summary"])
    assert list(summary.columns) == ["步骤", "内容", "结果"]
    row = summary.set_index("步骤").loc["recheck"]
    assert row["内容"].startswith("再评价（") and "平均偏差" in row["结果"] and "points" not in row["结果"]
    en = _read(written["en"]["summary"]).set_index("step")
    assert en.at["recheck", "what"].startswith("re-evaluation (") and "mean bias" in en.at["recheck", "figure"]
    problems = _read(written["zh"]["problems"])
    assert list(problems.columns) == ["步骤", "位置", "代码", "详情", "说明", "严重程度"]
    assert problems["说明"].str.contains(_CJK).all() and set(problems["严重程度"]) <= {"警告", "错误"}
    assert not problems["位置"].str.startswith("/").any()
    assert set(problems["步骤"]) <= set(pe.pipeline.STEP_NAMES_ZH.values()) and "绩效自评" in set(problems["步骤"])
    assert set(_read(written["en"]["problems"])["step"]) <= set(pe.pipeline.STEP_NAMES_ZH)
