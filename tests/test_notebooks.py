"""The report notebooks, executed with papermill on the shipped sample, and what they show.

Each notebook is executed once per language tested (one test per execution, every check inside it, so that
pytest-xdist never runs a notebook twice); the checks read the structured block outputs
(``application/vnd.perfeval.block+json``): the title names the unit, the key figures equal what the API gives, the
section headings are the category's outline in order, a problem the sample plants is drafted, and no cell writes a
stream, an error or an output that is not a report block.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path
from unittest import mock

import nbformat
import pytest

import perfeval as pe
from perfeval import narrative
from perfeval._display import fmt_number

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
BLOCK = "application/vnd.perfeval.block+json"
FACTS = "application/vnd.perfeval.facts+json"

CATEGORIES = ["self_evaluation", "key_evaluation", "recheck", "annual_summary", "weight_study", "department",
              "transfer", "exante", "monitoring"]
BUILT = [c for c in CATEGORIES if (NOTEBOOKS / f"{c}.ipynb").exists()]


# ------------------------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------------------------
def execute(category: str, tmp_path: Path, **parameters) -> nbformat.NotebookNode:
    import papermill as pm

    out = tmp_path / f"{category}.out.ipynb"
    pm.execute_notebook(str(NOTEBOOKS / f"{category}.ipynb"), str(out), parameters=parameters or None,
                        kernel_name="python3", progress_bar=False, log_output=False, cwd=str(tmp_path))
    return nbformat.read(out, as_version=4)


def blocks(nb: nbformat.NotebookNode) -> list[dict]:
    """Every block shown, in order; fails on a stream, an error, or an output without a block."""
    shown = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            assert output.output_type in ("display_data", "execute_result"), (cell.id, output.output_type,
                                                                              output.get("text", ""))
            data = output.get("data", {})
            if FACTS in data and BLOCK not in data:
                continue                                   # the key facts for the batch index, not shown
            assert BLOCK in data, (cell.id, list(data))
            block = data[BLOCK]
            shown.append(json.loads(block) if isinstance(block, str) else block)
    return shown


def of_kind(shown: list[dict], kind: str) -> list[dict]:
    return [b for b in shown if b["kind"] == kind]


def figures(shown: list[dict]) -> dict[str, str]:
    items = of_kind(shown, "figures")
    assert len(items) == 1
    return dict(items[0]["items"])


def check_outline(shown: list[dict], category: str, lang: str) -> None:
    got = [b["text"] for b in of_kind(shown, "heading") if b["level"] == 2]
    assert got == list(narrative.headings(category, lang).values())
    assert shown[0]["kind"] == "heading" and shown[0]["level"] == 1


def check_notebook_file(category: str) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{category}.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    ids = [c.id for c in nb.cells]
    assert len(set(ids)) == len(ids) and all(not i.startswith("cell-") for i in ids)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")  # committed without outputs
    params = pe_params(category)
    assert {"data", "lang", "notes"} <= set(params)
    assert params["data"]["default"] == '"province"' and params["lang"]["default"] == '"zh"'


def pe_params(category: str) -> dict:
    import papermill as pm

    return pm.inspect_notebook(str(NOTEBOOKS / f"{category}.ipynb"))


@pytest.fixture(scope="module")
def sample():
    data = pe.load_sample()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analysis = pe.pipeline.analyse(data, steps=["self", "audit", "key", "recheck", "department", "transfer",
                                                    "exante", "monitoring"])
    return data, analysis


def planted_unit(data) -> str:
    """The unit the sample plants an unmet target claimed at full points in (the self-evaluation's default)."""
    return [str(p["unit_id"]) for p in data.meta["planted"] if p["code"] == "unmet_full_score"][0]


def total_text(result, unit_id: str) -> tuple[str, str]:
    row = result.totals.set_index(result.totals["unit_id"].astype(str)).loc[str(unit_id)]
    return fmt_number(float(row["total"]), 2, floor=True), str(row["grade"])


# ------------------------------------------------------------------------------------------------------------------
# the notebook files (fast)
# ------------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("category", BUILT)
def test_notebook_has_one_parameters_cell_and_stable_ids(category):
    check_notebook_file(category)


def test_the_first_notebooks_exist():
    assert {"self_evaluation", "key_evaluation", "recheck", "annual_summary", "weight_study"} <= set(BUILT)


# ------------------------------------------------------------------------------------------------------------------
# executions (slow)
# ------------------------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_self_evaluation_on_defaults(tmp_path, sample):
    data, an = sample
    unit = planted_unit(data)
    params = pe_params("self_evaluation")
    assert params["unit_id"]["default"] == f'"{unit}"'
    shown = blocks(execute("self_evaluation", tmp_path))
    check_outline(shown, "self_evaluation", "zh")
    name = narrative.unit_name(data.units, unit)
    assert name and name in shown[0]["text"]
    direct = pe.score("project_self", data.observations, data.budget)
    total, grade = total_text(direct, unit)
    kf = figures(shown)
    assert kf["综合得分"] == total and kf["评价等级"] == grade
    assert kf["同类排名"] == pe.peers.rank_among_peers(direct, unit, units=data.units, by="department_id").text()
    # the sample plants an unmet target claimed at full points in this unit: drafted, with its source
    planted = [p for p in data.meta["planted"] if str(p["unit_id"]) == unit]
    assert planted and planted[0]["code"] == "unmet_full_score"
    problems = [b for b in of_kind(shown, "paragraph") if b.get("source", "").startswith("audit:unmet_full_score")]
    assert problems and all(b["drafted"] for b in problems)
    assert planted[0]["indicator"] in problems[0]["text"]
    # the scoring table carries the project's indicators with Chinese headers
    tables = {b["caption"]: b for b in of_kind(shown, "table")}
    scores = tables[narrative.caption("scores", 3)]
    assert scores["columns"][:3] == ["一级指标", "二级指标", "三级指标"]
    assert len(of_kind(shown, "figure")) == 3
    assert of_kind(shown, "notice")


@pytest.mark.slow
def test_self_evaluation_in_english_with_notes(tmp_path, sample):
    data, an = sample
    unit = planted_unit(data)
    notes = tmp_path / "notes.md"
    notes.write_text(f"# {unit}\n\n## problems\n\nOn-site checks confirmed the coverage count.\n\n"
                     "## recommendations (replace)\n\nAlign the coverage statistics with the plan.\n",
                     encoding="utf-8")
    shown = blocks(execute("self_evaluation", tmp_path, lang="en", notes=str(notes)))
    check_outline(shown, "self_evaluation", "en")
    total, grade = total_text(an.self_evaluation, unit)
    kf = figures(shown)
    assert kf["total"] == total and kf["grade"] == pe.summaries.grade_text(an.self_evaluation, grade, "en")
    paragraphs = of_kind(shown, "paragraph")
    assert any(p["text"] == "On-site checks confirmed the coverage count." and not p["drafted"] for p in paragraphs)
    heads = [b["text"] for b in shown if b["kind"] == "heading"]
    recs = shown[[b.get("text") for b in shown].index(narrative.headings("self_evaluation", "en")["recommendations"])
                 + 1]
    assert recs == {"kind": "paragraph", "text": "Align the coverage statistics with the plan.", "drafted": False,
                    "source": "notes:notes.md:9"}
    assert any(p["drafted"] and p["text"].startswith("Self-evaluation inaccurate") for p in paragraphs)
    assert heads


@pytest.mark.slow
def test_key_evaluation_on_defaults(tmp_path, sample):
    data, an = sample
    unit = "0020002"
    shown = blocks(execute("key_evaluation", tmp_path))
    check_outline(shown, "key_evaluation", "zh")
    assert narrative.unit_name(data.units, unit) in shown[0]["text"]
    consensus = pe.panel.aggregate(data.panel, framework="project_key")
    direct = pe.score("project_key", consensus.to_observations())
    total, grade = total_text(direct, unit)
    kf = figures(shown)
    assert kf["综合得分"] == total and kf["评价等级"] == grade
    # the annex: the experts' scores of this unit and the flagged raters the sample plants
    tables = {b["caption"]: b for b in of_kind(shown, "table")}
    matrix = tables[narrative.caption("panel_matrix", 1)]
    assert {"E01", "E07"} <= set(matrix["columns"])
    raters = tables[narrative.caption("raters", 2)]
    flags = {row[0]: row[-1] for row in raters["rows"]}
    truth = data.meta["truth"]["raters"]
    assert flags[truth["severe"]] == "偏严" and flags[truth["lenient"]] == "偏松" and flags[truth["erratic"]] == "不稳定"
    assert any(p.get("source", "").startswith("panel:") and p["drafted"] for p in of_kind(shown, "paragraph"))


@pytest.mark.slow
def test_recheck_on_defaults(tmp_path, sample):
    data, an = sample
    shown = blocks(execute("recheck", tmp_path))
    check_outline(shown, "recheck", "zh")
    kf = figures(shown)
    assert kf["复核项目数"] == str(len(data.recheck))
    bias = float(an.recheck.summary.loc["mean_bias", "estimate"])
    assert kf["平均偏差（分）"] == "+" + fmt_number(bias, 2)
    tables = {b["caption"]: b for b in of_kind(shown, "table")}
    findings = tables[narrative.caption("findings", 4)]
    assert len(findings["rows"]) == len(an.audit.findings)
    # every planted problem of the self-evaluation files is in the findings table, in Chinese
    units = {row[0] for row in findings["rows"]}
    for p in data.meta["planted"]:
        assert any(str(p["unit_id"]) in u for u in units), p
    assert all("/" not in row[-1] for row in findings["rows"])          # file:row, never a folder
    assert any(p.get("source") == "recheck:summary" for p in of_kind(shown, "paragraph"))
    notices = [b["text"] for b in of_kind(shown, "notice")]
    assert f"自评总分：{len(data.recheck)} 个项目取单位填报的总分。" in notices
    assert not any("仅供参考" in t for t in notices)  # 30 projects: not a small sample


@pytest.mark.slow
def test_recheck_of_one_department_warns_of_its_small_sample(tmp_path, sample):
    data, _ = sample
    units = data.units.set_index("unit_id")["department_id"]
    counts = data.recheck["unit_id"].map(units).value_counts()
    department = str(counts.index[-1])
    shown = blocks(execute("recheck", tmp_path, department_id=department))
    notices = [b["text"] for b in of_kind(shown, "notice")]
    assert any(t.startswith(f"仅复核 {counts.iloc[-1]} 个项目（少于 10 个）") for t in notices), notices


# ------------------------------------------------------------------------------------------------------------------
# no warning text and no Glyph-missing warnings while the report cells compute (in-process, fast enough)
# ------------------------------------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("category", [c for c in ("self_evaluation", "annual_summary") if c in BUILT])
def test_no_glyph_missing_while_computing(category, monkeypatch, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    nb = nbformat.read(NOTEBOOKS / f"{category}.ipynb", as_version=4)
    namespace: dict = {}
    with mock.patch("IPython.display.display", lambda *a, **k: None):
        for cell in nb.cells:
            if cell.cell_type == "code":
                exec(compile(cell.source, f"{category}:{cell.id}", "exec"), namespace)
    log = namespace["log"]
    log.stop()
    texts = [str(r.message) for r in log.records]
    assert not [t for t in texts if "Glyph" in t or "missing from font" in t], texts


@pytest.mark.slow
def test_annual_summary_in_english(tmp_path, sample):
    data, an = sample
    shown = blocks(execute("annual_summary", tmp_path, lang="en"))
    check_outline(shown, "annual_summary", "en")
    kf = figures(shown)
    assert kf["projects self-evaluated"] == str(len(an.self_evaluation.totals))
    best = float((an.self_evaluation.totals["grade"] == "优").mean()) * 100
    assert kf["graded best"] == fmt_number(best, 1) + "%"
    tables = {b["caption"]: b for b in of_kind(shown, "table")}
    by_dept = tables[narrative.caption("grades_dept", 2, "en")]
    assert by_dept["columns"][:5] == ["group", "Excellent", "Good", "Fair", "Poor"]
    assert sum(int(r[5]) for r in by_dept["rows"]) == len(an.self_evaluation.totals)
    assert by_dept["rows"][0][0] == "示例省教育厅 (001)"
    ex = tables[narrative.caption("exante", 8, "en")]
    assert len(ex["rows"]) == len(an.exante.units)
    problems = [p for p in of_kind(shown, "paragraph") if p.get("source") == "audit:findings"]
    assert problems and problems[0]["drafted"] and problems[0]["text"].startswith("The audit found")
    assert len(of_kind(shown, "figure")) == 2


@pytest.mark.slow
def test_weight_study_on_defaults(tmp_path, sample):
    data, an = sample
    shown = blocks(execute("weight_study", tmp_path, draws=500))
    check_outline(shown, "weight_study", "zh")
    survey = pe.weighting.ahp_survey(data.ahp_survey)
    kf = figures(shown)
    assert kf["专家人数"] == str(len(survey.individual)) and kf["一致性未通过"] == "1"
    assert data.meta["truth"]["ahp_inconsistent"] in [p for p in of_kind(shown, "paragraph")
                                                      if p.get("source") == "weights:ahp_survey"][0]["text"]
    tables = {b["caption"]: b for b in of_kind(shown, "table")}
    weights = tables[narrative.caption("weights", 2)]
    assert weights["columns"][:3] == ["指标", "现行分值(%)", "AHP(%)"]
    ahp = {row[0]: row[2] for row in weights["rows"]}
    assert ahp["效益"] == fmt_number(float(survey.weights["effect"]) * 100, 2)
    assert len(of_kind(shown, "figure")) == 4


@pytest.mark.slow
def test_department_on_defaults(tmp_path, sample):
    data, an = sample
    shown = blocks(execute("department", tmp_path))
    check_outline(shown, "department", "zh")
    assert "示例省教育厅" in shown[0]["text"]
    direct = pe.score("department", data.department_observations, data.department_budget)
    total, grade = total_text(direct, "001")
    kf = figures(shown)
    assert kf["综合得分"] == total and kf["评价等级"] == grade
    tables = {b["caption"]: b for b in of_kind(shown, "table")}
    projects = tables[narrative.caption("totals", 4)]
    dept = data.units[(data.units["department_id"] == "001") & (data.units["kind"] == "project")]
    evaluated = set(dept["unit_id"]) & set(data.budget["unit_id"])        # proposals for next year have no budget
    assert len(projects["rows"]) == len(evaluated) > 0
    assert any(p["drafted"] and p.get("source", "").startswith("score:") for p in of_kind(shown, "paragraph"))


@pytest.mark.slow
def test_transfer_on_defaults(tmp_path, sample):
    data, an = sample
    shown = blocks(execute("transfer", tmp_path))
    check_outline(shown, "transfer", "zh")
    assert narrative.unit_name(data.units, "R01") in shown[0]["text"]
    direct = pe.score("transfer", data.transfer_observations, data.transfer_budget)
    total, grade = total_text(direct, "R01")
    kf = figures(shown)
    assert kf["综合得分"] == total and kf["评价等级"] == grade
    factors = [b for b in of_kind(shown, "table") if "调整系数" in b["columns"]][0]
    assert len(factors["rows"]) == len(direct.totals)


@pytest.mark.slow
def test_exante_on_defaults(tmp_path, sample):
    data, an = sample
    shown = blocks(execute("exante", tmp_path))
    check_outline(shown, "exante", "zh")
    row = an.exante.units.set_index("unit_id").loc["0012024001"]
    kf = figures(shown)
    assert kf["评估总分"] == fmt_number(float(row["total"]), 2, floor=True)
    assert kf["评估结论"] == row["conclusion"]
    assert narrative.unit_name(data.units, "0012024001") in shown[0]["text"]
    assert any(p.get("source", "").startswith("exante:") and p["drafted"] for p in of_kind(shown, "paragraph"))


@pytest.mark.slow
def test_monitoring_on_defaults(tmp_path, sample):
    data, an = sample
    shown = blocks(execute("monitoring", tmp_path))
    check_outline(shown, "monitoring", "zh")
    assert "示例省教育厅" in shown[0]["text"] and "8月" in shown[0]["text"]
    units = an.monitoring.units
    dept = units[units["department_id"] == "001"]
    kf = figures(shown)
    assert kf["监控项目数"] == str(len(dept))
    assert kf["红灯"] == str(int((dept["combined_colour"] == "red").sum()))
    red = [p for p in of_kind(shown, "paragraph") if p.get("source", "").startswith("monitoring:8:")]
    assert red and all(p["drafted"] for p in red)
    assert any("单位说明的偏差原因" in p["text"] for p in red)


@pytest.mark.slow
def test_self_evaluation_on_a_dataset_folder_written_by_hand(tmp_path):
    folder = ROOT / "tests" / "data" / "handmade"
    if not folder.is_dir():
        pytest.skip("no hand-made dataset in this tree")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = pe.load_dataset(folder)
        unit = str(data.budget["unit_id"].iloc[0])
        direct = pe.score(data.meta.get("frameworks", {}).get("self", "project_self"), data.observations, data.budget)
    shown = blocks(execute("self_evaluation", tmp_path, data=str(folder), unit_id=unit))
    check_outline(shown, "self_evaluation", "zh")
    assert narrative.unit_name(data.units, unit) in shown[0]["text"]
    total, grade = total_text(direct, unit)
    kf = figures(shown)
    assert kf["综合得分"] == total and kf["评价等级"] == grade
    assert str(folder) not in json.dumps(shown, ensure_ascii=False)       # no path of this machine in the report
