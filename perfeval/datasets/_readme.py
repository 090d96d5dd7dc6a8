"""``dataset.yaml`` and ``README.md`` of a synthesized sample, written from the data themselves.

Both are generated with the data so they can never disagree with them: the file list, the row counts, the planted
problems and the table of distributions (:func:`perfeval.datasets._distributions.distribution_table`) are read from
what was generated.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from . import _names as N
from ._distributions import CLASS_SHARES, RATE_SCALE, UNIT_SCALE, distribution_table
from ._planted import PLANTED
from ._sample import FILES

__all__ = ["dataset_meta", "readme_text", "CATEGORY_FILES", "COLUMN_DOCS"]

#: Files of each evaluation category (``forms/*.xlsx`` is added to ``self``).
CATEGORY_FILES: dict[str, list[str]] = {
    "self": ["units.csv", "indicators.csv", "budget.csv"],
    "recheck": ["recheck.csv", "recheck_indicators.csv"],
    "key": ["panel.csv", "ahp_survey.csv"],
    "department": ["department_indicators.csv", "department_budget.csv"],
    "transfer": ["transfer_indicators.csv", "transfer_budget.csv"],
    "exante": ["exante.csv"],
    "monitoring": ["monitoring.csv"],
    "policy": [],
}

#: One line per file: what a row is and what its columns mean.
COLUMN_DOCS: dict[str, str] = {
    "units.csv": "one row per evaluated unit: `unit_id` (text, leading zeros), `name`, `kind` (project, department, "
                 "region), `department_id`, `year`, `project_type` (continuing 持续性 / phased 阶段性 / one_off "
                 "一次性), `is_new` (new proposal, ex-ante applies), `rigid` (刚性支出), `category` (`;`-joined: "
                 "self, recheck, key, exante, department, transfer).",
    "indicators.csv": "self-evaluation rows of the projects (项目支出绩效自评表): `l1`/`l2` (一级/二级指标 of "
                      "`project_self`), `indicator` (三级指标), `indicator_code` (library code; empty for 个性 "
                      "indicators), `op` (指标性质; blank on some rows: read from the target text), `target` "
                      "(年度指标值 as written: ≥95%, 不少于1200人次, ≤280万元, =0, 按时完成, a few bare values), "
                      "`actual` (实际完成值 as written: 98.5%, 1.26万人次, 已完成), `unit` (计量单位), `points` "
                      "(分值; 90 per project), `level` (qualitative rows: met / partly / not_met), `score` (得分 "
                      "the unit claimed), `applicable` (是否适用), `note` (偏差原因分析及改进措施).",
    "budget.csv": "one row per project, 万元: `budget_initial` 年初预算数, `budget_full_year` 全年预算数, "
                  "`budget_adjusted` 调整后预算数 (the current year's appropriation after adjustment; below the "
                  "full-year budget where that includes last year's carry-over, 上年结转), `funds_in_place` 到位资金, "
                  "`executed` 全年执行数, `score` (the execution points claimed, of 10), `claimed_total` (总分 "
                  "claimed).",
    "recheck.csv": "the re-evaluation (再评价) totals of the stratified sample: `unit_id`, `recheck_total`.",
    "recheck_indicators.csv": "the re-checked rows of the sample in the observations format: `actual` and `level` "
                              "are the re-checker's findings, `score` is the unit's own claim (as on the "
                              "form), `recheck_score` the re-checker's score; `recheck_total` = true execution "
                              "points + the re-checked indicator points (rescaled like the self-evaluation).",
    "panel.csv": "key evaluations (重点评价) on `project_key`: `unit_id`, `node_code` (every leaf), `rater_id` "
                 "(E01-E07), `score` (points given, 0..leaf points, in 0.5 steps).",
    "ahp_survey.csv": "pairwise comparisons of `project_key`'s first-level nodes: `expert_id` (X01-X10), `a`, `b` "
                      "(node codes, each pair once), `value` (how much more important `a` is than `b`, Saaty "
                      "1-9 scale, reciprocals written 1/3).",
    "department_indicators.csv": "department-overall evaluations (部门整体绩效) on `department`: one row per fixed "
                                 "leaf (`node_code`) per department, in the observations format; deduction "
                                 "leaves (资金使用合规性) carry the number of problems found as `actual`.",
    "department_budget.csv": "the departments' budgets (万元), for the execution leaf (denominator: adjusted).",
    "transfer_indicators.csv": "transfer-payment evaluations (转移支付) of one fund in the 14 cities on "
                               "`transfer`: fixed leaves by `node_code`, and regional indicators under the "
                               "产出/效益 slots (their points split the slot's first level).",
    "transfer_budget.csv": "the cities' allocations of the fund (万元), for the execution leaf (denominator: in "
                           "place).",
    "exante.csv": "ex-ante assessments (事前绩效评估) of new projects proposed for the next year: `unit_id`, "
                  "`node_code` (every leaf of `exante`), `score` (0-10 in 0.5 steps).",
    "monitoring.csv": "dual monitoring (双监控), months 1-8: `unit_id`, `month`, `indicator` (the indicator name as "
                      "in indicators.csv, or `budget` for the budget line), `value` (cumulative: executed 万元 on "
                      "the budget line, cumulative actual; a percentage as measured that month; or the level "
                      "met/partly/not_met), `forecast` (完成目标可能性: likely/unlikely), `note` (偏差原因; empty "
                      "on some lagging lines: no corrective action stated).",
}


def dataset_meta(*, seed: int, scale: float, year: int, version: str, frameworks: Mapping[str, str],
                 files: Mapping[str, str], planted: Sequence[Mapping[str, Any]], truth: Mapping[str, Any],
                 forms: Sequence[str], transfer_fund: str) -> dict[str, Any]:
    """The content of ``dataset.yaml``."""
    by_code = {p["code"]: p for p in planted}
    planted_out = [{"code": p.code, "unit_id": by_code[p.code]["unit_id"],
                    "indicator": by_code[p.code]["indicator"], "file": p.file, "description": p.description,
                    "detail": by_code[p.code]["detail"]} for p in PLANTED if p.code in by_code]
    category_files = {k: list(v) for k, v in CATEGORY_FILES.items()}
    category_files["self"] += [f"forms/{f}" for f in forms]
    missing = sorted(set(files.values()) - {f for v in CATEGORY_FILES.values() for f in v})
    if missing:
        raise ValueError(f"`files` must all belong to a category of CATEGORY_FILES; not placed: {missing}.")
    return {
        "name": "province",
        "title": f"{N.PROVINCE} {year} 年度预算绩效管理示例数据（虚构）",
        "title_en": f"{N.PROVINCE_EN}: budget performance data for {year} (synthetic)",
        "synthetic": True,
        "description": "Synthetic data of a fictional province for demonstrations, notebooks and tests. No real "
                       "department, city or number is represented.",
        "year": year,
        "region": f"{N.PROVINCE}（虚构 / fictional）",
        "language": "zh",
        "money_unit": "万元",
        "seed": seed,
        "scale": scale,
        "generator": {"function": "perfeval.synthesize", "version": version,
                      "call": f"pe.synthesize(seed={seed}, scale={scale:g})"},
        "frameworks": dict(frameworks),
        "transfer_fund": transfer_fund,
        "files": category_files,
        "planted": planted_out,
        "truth": dict(truth),
    }


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _generation(data: Any) -> list[str]:
    """Sections: synthetic, how generated, the latent classes and the inflation."""
    meta, truth = data.meta, data.meta["truth"]
    per_dept = data.budget["unit_id"].str[:3].value_counts().sort_index()
    return [
        f"# {meta['title']}",
        f"**These data are synthetic.** {N.PROVINCE} ({N.PROVINCE_EN}), its cities, departments' figures, projects "
        "and experts are invented; any resemblance to a real unit is accidental. The data exist so that every demo, "
        "notebook, doctest and report test of perfeval runs on something that looks like a real provincial budget "
        "year.",
        "## How they were generated",
        f"```python\nimport perfeval as pe\ndata = pe.synthesize(seed={meta['seed']}, scale={meta['scale']:g})\n"
        "data.write(\"sample_data/province\")\n```\n"
        f"Generator version {meta['generator']['version']}. The same seed reproduces every CSV, YAML and XLSX file "
        "byte for byte (`tests/test_datasets.py` checks it). Indicator names, codes, operators and units come from "
        "the indicator library (`templates/indicators/`) and node codes from the frameworks (`templates/"
        "frameworks/`) at generation time. `scale` multiplies the projects (150 at 1), re-checks (30), key "
        "evaluations (8) and ex-ante proposals (20).",
        "Projects per department (fixed, in proportion to the departments' weights): "
        + ", ".join(f"{code} {count}" for code, count in per_dept.items()) + ".",
        "Each project has a latent performance class with fixed shares ("
        + ", ".join(f"{k} {v:.0%}" for k, v in CLASS_SHARES.items()) + "). The class drives its budget execution "
        "and how often and how badly its targets are missed. The generator knows the true values. The units "
        "*report* missed targets partly hidden and qualitative levels upgraded, and claim scores computed from "
        "what they report, so self-evaluation is inflated against the truth. The re-checker measures close to "
        "the truth (see `truth` in dataset.yaml: mean true total "
        f"{truth['mean_true_total']}, mean claimed total {truth['mean_claimed_total']}).",
        "Project types follow the titles (recurring funds such as 补助, 补贴, 资金 mostly continue; works such as "
        "建设, 改造, 治理 are mostly phased or one-off), and indicators are taken from the library by the words they "
        "share with the title, then from the common entries; where no library entry relates to the programme the "
        "unit writes an individual (个性) output indicator named after it, while effects always come from the "
        "common or the sector's entries. A project-cost ceiling (项目总成本) is drawn from the project's own "
        "budget and its actual is the amount executed; compliance rates (资金使用合规率) target 100 %. "
        "The re-check sample is stratified by "
        "department and claimed grade, and up to three departments swap in a project whose claim lies within one "
        "point of a grade cut-off (re-checkers look at borderline cases on purpose).",
    ]


def _files(data: Any) -> list[str]:
    """Section: every file, its row count and its columns."""
    counts = [(FILES[name], len(frame), COLUMN_DOCS[FILES[name]]) for name, frame in data.frames().items()]
    counts.append(("forms/*.xlsx", len(data.forms), "filled standard self-evaluation forms (项目支出绩效自评表) of "
                   "projects, written with `perfeval.write_selfeval_form`; byte-stable (fixed zip timestamps and "
                   "workbook created/modified times)."))
    return ["## Files", _table(["file", "rows", "content and columns"], counts),
            "Frameworks per category: " + ", ".join(f"{k}: `{v}`" for k, v in data.meta["frameworks"].items())
            + " (`policy` has no data in this sample)."]


def _problems_and_truths(meta: Mapping[str, Any]) -> list[str]:
    """Sections: the planted problems and the known truths."""
    truth = meta["truth"]
    planted = [(p["code"], p["unit_id"], p["indicator"] or "-", p["file"], p["description"], p["detail"])
               for p in meta["planted"]]
    return [
        "## Planted problems (for the audit)",
        "Real self-evaluations carry recurring mistakes. One of each kind is planted, each in a different project. "
        "None of them makes a file unusable: the dataset validates and scores, and these are what an audit "
        "should report. Each `code` is the finding code `perfeval recheck audit` (`pe.recheck.audit`) reports "
        "the problem with:",
        _table(["code", "unit_id", "indicator", "file", "problem", "detail"], planted),
        "Besides these, the data contain what real forms legitimately contain and the scoring flags: targets "
        "exceeded by 130 % or more (`target_too_low`, explained in the note), bare targets with the operator in "
        "the 指标性质 column, a few rows not applicable, low budget execution.",
        "## Known truths (for testing the diagnostics)",
        "\n".join([
            f"- Expert panel (`panel.csv`): {truth['raters']['severe']} is severe, {truth['raters']['lenient']} "
            f"lenient and {truth['raters']['erratic']} erratic; the others are ordinary.",
            f"- AHP survey (`ahp_survey.csv`): {truth['ahp_inconsistent']} is inconsistent (CR > 0.1, eigenvector "
            "method, Saaty 1980 RI); the other experts have CR <= 0.1.",
            "- Ex-ante (`exante.csv`): totals span the three conclusions, with totals of exactly 90, 89.5, 70 and "
            "69.5."]),
    ]


def _model_and_names(meta: Mapping[str, Any]) -> list[str]:
    """Sections: the distributions drawn from, and the fictional names."""
    dist = distribution_table()
    return [
        "## Distributions (the generative model)",
        "Every random draw comes from one of these named distributions (`perfeval/datasets/_distributions.py`), "
        "through independent streams spawned from `numpy.random.default_rng(seed)`:",
        _table(["name", "distribution", "used for"], dist[["name", "distribution", "used_for"]].to_numpy().tolist()),
        "Count targets scale with the budget: target = budget / 100 万元 x typical count per 100 万元 by unit "
        f"({', '.join(f'{k} {v:g}' for k, v in list(UNIT_SCALE.items())[:8])}, ...) x `ind.count_target`; per-unit "
        f"costs start from {', '.join(f'{k} {v:g}' for k, v in RATE_SCALE.items())}.",
        "## Fictional names",
        "\n".join([
            f"- Province: {N.PROVINCE} ({N.PROVINCE_EN}).",
            "- Cities: " + "、".join(f"{name} ({code})" for code, name in N.CITIES) + ".",
            "- Departments: " + "、".join(f"{d.name} ({d.code})" for d in N.DEPARTMENTS) + ". The names are "
            "generic provincial functions; their budgets and projects are invented.",
            "- Project titles are generic programme names; phased projects carry their period, repeated titles a "
            "city.",
            f"- The transfer fund evaluated in the cities: {meta['transfer_fund']} (fictional allocations)."]),
    ]


def readme_text(data: Any) -> str:
    """README.md of the dataset (synthetic, how generated, files and columns, planted problems, names)."""
    sections = [*_generation(data), *_files(data), *_problems_and_truths(data.meta), *_model_and_names(data.meta)]
    return "\n\n".join(sections) + "\n"
