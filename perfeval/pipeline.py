"""The year's analysis of a dataset: every evaluation category of the closed loop, run from the public API.

:func:`analyse` takes a :class:`~perfeval.datasets.SampleData` (``pe.load_sample()``) and runs, in the order of
the methodology (domain.md §1): ex-ante assessment, dual monitoring, self-evaluation scoring, the standardization
audit and re-evaluation of the self-evaluations, key evaluations by an expert panel, department-overall and
transfer-payment evaluations, the weights survey, the weight sensitivity of the grades, and the application of
results to next year's budget. It returns an :class:`Analysis` whose frames feed the report notebooks and whose
:meth:`Analysis.write` puts every table (CSV, UTF-8 with BOM so Excel on Chinese Windows opens it, or XLSX) and a few
charts in a folder, as a finance department reads them (:func:`perfeval._present.present`): Chinese headers by
default (``lang="en"`` for English), the project's name beside its code, numbers rounded for display (totals rounded
down, never across a grade edge), the meaning of every problem and finding code, paths relative to the data folder.
``perfeval demo`` is this on the shipped sample province.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from .errors import DataQualityWarning, InconsistentJudgementsWarning, PerfevalError

__all__ = ["Analysis", "analyse", "STEPS"]

#: The steps :func:`analyse` can run, in its order (``steps=`` picks some; the ones they need run too).
STEPS: tuple[str, ...] = ("exante", "monitoring", "self", "audit", "recheck", "sensitivity", "panel", "key",
                          "application", "department", "transfer", "weights")


@dataclass(frozen=True)
class Analysis:
    """Results of :func:`analyse`, one attribute per step (None when the dataset has no data for it).

    Attributes
    ----------
    meta : mapping
        The dataset's ``dataset.yaml``.
    self_evaluation, key_evaluation, department, transfer : ScoreResult or None
        Scoring of the self-evaluations (project_self), the key evaluations (panel consensus on project_key),
        the department-overall and the transfer-payment evaluations.
    audit : AuditResult or None
        Standardization audit (规范性审核) of the self-evaluations.
    recheck : RecheckResult or None
        Self-evaluation vs re-evaluation of the re-checked sample.
    panel, raters : PanelResult, DataFrame or None
        Panel consensus of the key evaluations and the rater diagnostics.
    exante : ExanteResult or None
    monitoring : MonitoringResult or None
        Dual-monitoring lights at the latest month reported.
    application : ApplicationResult or None
        Next year's budget actions from the most verified grade of each project (key evaluation, then
        re-check, then self-evaluation: ``units["grade_source"]``); ``units["changed_by_verification"]`` marks
        the actions that differ from the self-evaluation's.
    weights : GroupAHPResult or None
        Group AHP weights of the key framework's first-level criteria from the expert survey.
    sensitivity : UncertaintyResult or None
        Grade probabilities of the self-evaluations under uncertain first-level weights.
    units : DataFrame or None
        The dataset's units (``unit_id, name, kind`` ...): the names written beside the codes.
    folder : Path or None
        The dataset's folder: paths in written tables are relative to it.
    """

    meta: Mapping[str, Any]
    self_evaluation: Any = None
    audit: Any = None
    recheck: Any = None
    panel: Any = None
    raters: Any = None
    key_evaluation: Any = None
    department: Any = None
    transfer: Any = None
    exante: Any = None
    monitoring: Any = None
    application: Any = None
    weights: Any = None
    sensitivity: Any = None
    steps: tuple[str, ...] = field(default=())
    units: Any = field(default=None, repr=False)
    folder: Any = None

    def summary(self, lang: str | None = None) -> pd.DataFrame:
        """One row per step: ``step, what, figure`` (the headline figure of each step, as text).

        ``lang`` None (default) gives ``what`` in both languages and ``figure`` in English; ``"zh"`` or ``"en"``
        gives both in that language (what :meth:`write` writes).
        """
        rows: list[tuple[str, str, str, str, str]] = []   # step, what zh, what en, figure zh, figure en

        def grades(result: Any) -> str:
            counts = result.totals["grade"].value_counts()
            labels = result.framework.bands.labels
            return " ".join(f"{g} {int(counts.get(g, 0))}" for g in labels)

        if self.exante is not None:
            c = self.exante.units["conclusion"].value_counts()
            text = "; ".join(f"{k} {v}" for k, v in c.items())
            rows.append(("exante", "事前绩效评估", "ex-ante assessment", text.replace("; ", "；"), text))
        if self.monitoring is not None:
            c = self.monitoring.lights["colour"].value_counts()
            rows.append(("monitoring", "双监控亮灯", "dual monitoring lights",
                         " ".join(f"{z} {int(c.get(k, 0))}" for k, z in (("red", "红"), ("yellow", "黄"),
                                                                          ("green", "绿"), ("blue", "蓝"))),
                         " ".join(f"{k} {int(c.get(k, 0))}" for k in ("red", "yellow", "green", "blue"))))
        if self.self_evaluation is not None:
            n = len(self.self_evaluation.totals)
            rows.append(("self", f"绩效自评（{n}个项目）", f"self-evaluation ({n} projects)",
                         grades(self.self_evaluation), grades(self.self_evaluation)))
        if self.audit is not None:
            f = self.audit.findings
            k = f["unit_id"].nunique() if len(f) else 0
            rows.append(("audit", "规范性审核", "standardization audit", f"{k}个项目发现问题{len(f)}项",
                         f"{len(f)} findings in {k} units"))
        if self.recheck is not None:
            s = self.recheck.summary["estimate"]
            u = self.recheck.units
            down = int((u["grade_steps"] > 0).sum())
            rows.append(("recheck", f"再评价（{int(s['n'])}个项目）", f"re-evaluation ({int(s['n'])} projects)",
                         f"平均偏差 {s['mean_bias']:+.2f} 分；降级 {down} 个；加权 Kappa {s['kappa_weighted']:.3f}",
                         f"mean bias {s['mean_bias']:+.2f} points; downgraded {down}; "
                         f"weighted kappa {s['kappa_weighted']:.3f}"))
        if self.key_evaluation is not None:
            n = len(self.key_evaluation.totals)
            rows.append(("key", f"重点评价（{n}个项目）", f"key evaluation ({n} projects)",
                         grades(self.key_evaluation), grades(self.key_evaluation)))
        if self.raters is not None:
            flagged = self.raters.loc[self.raters["flags"].astype(str) != "", "rater_id"].astype(str).tolist()
            rows.append(("panel", "专家评分诊断", "rater diagnostics",
                         "需关注的专家：" + ("、".join(flagged) if flagged else "无"),
                         "flagged: " + (", ".join(flagged) if flagged else "none")))
        if self.department is not None:
            rows.append(("department", "部门整体绩效", "department-overall", grades(self.department),
                         grades(self.department)))
        if self.transfer is not None:
            rows.append(("transfer", "转移支付绩效", "transfer payments", grades(self.transfer), grades(self.transfer)))
        if self.weights is not None:
            w = self.weights.weights
            from .framework import load_framework
            from .summaries import node_names

            try:  # the AHP criteria are the key framework's first-level nodes
                names = node_names(load_framework(dict(self.meta.get("frameworks") or {}).get("key", "project_key")))
            except (PerfevalError, OSError, ValueError):
                names = {}
            text = " ".join(f"{k} {v:.3f}" for k, v in w.items())
            text_zh = " ".join(f"{names.get(k, k)} {v:.3f}" for k, v in w.items())
            rows.append(("weights", "AHP 专家赋权", "AHP group weights", text_zh, text))
        if self.sensitivity is not None:
            stab = self.sensitivity.grade_stability
            k = int((stab < 0.9).sum())
            rows.append(("sensitivity", "权重敏感性", "grade stability",
                         f"{k}个项目在不足90%的权重抽样中保持原等级",
                         f"{k} projects keep their grade in < 90 % of weight draws"))
        if self.application is not None:
            u = self.application.units
            c = u["action"].value_counts()
            verified = int((u["grade_source"] != "self_evaluation").sum()) if "grade_source" in u else 0
            changed = int(u["changed_by_verification"].sum()) if "changed_by_verification" in u else 0
            actions = "; ".join(f"{k} {v}" for k, v in c.items())
            rows.append(("application", "结果应用", "application of results",
                         actions.replace("; ", "；") + f"；按核验结果定级 {verified} 个，核验后措施改变 {changed} 个",
                         actions + f"; graded by verification {verified}, actions changed by verification {changed}"))
        if lang is None:
            out = [(step, f"{wz} {we}", fe) for step, wz, we, fz, fe in rows]
        else:
            from ._messages import check_lang

            check_lang(lang)
            out = [(step, wz, fz) if lang == "zh" else (step, we, fe) for step, wz, we, fz, fe in rows]
        return pd.DataFrame(out, columns=["step", "what", "figure"])

    def tables(self) -> dict[str, pd.DataFrame]:
        """File stem -> table of every result (what :meth:`write` writes)."""
        out: dict[str, pd.DataFrame] = {"summary": self.summary()}
        for name in ("self_evaluation", "key_evaluation", "department", "transfer"):
            result = getattr(self, name)
            if result is not None:
                out[f"{name}_totals"] = result.totals
                out[f"{name}_nodes"] = result.nodes
        pairs = {
            "audit_findings": (self.audit, "findings"), "recheck_units": (self.recheck, "units"),
            "exante_units": (self.exante, "units"), "monitoring_lights": (self.monitoring, "lights"),
            "application_units": (self.application, "units"),
        }
        for stem, (result, attr) in pairs.items():
            if result is not None:
                out[stem] = getattr(result, attr)
        if self.sensitivity is not None:  # unit_id as a column (the frame's index), then one column per grade
            probabilities = self.sensitivity.grade_probabilities
            out["grade_probabilities"] = probabilities.rename_axis(index="unit_id", columns=None).reset_index()
        if self.application is not None:
            out["application_verification"] = self.application.verification()
        if self.recheck is not None:
            out["recheck_summary"] = self.recheck.summary.reset_index()
        if self.raters is not None:
            out["rater_diagnostics"] = self.raters
        problems = self.problems()
        if len(problems):
            out["problems"] = problems
        return out

    def problems(self) -> pd.DataFrame:
        """Every data-quality problem the steps flagged (scored anyway): ``step, location, code, message,
        severity``, in step order (the audit's findings are in ``audit_findings``)."""
        names = {"exante": "exante", "monitoring": "monitoring", "self": "self_evaluation", "recheck": "recheck",
                 "panel": "panel", "key": "key_evaluation", "application": "application", "department": "department",
                 "transfer": "transfer", "weights": "weights", "sensitivity": "sensitivity"}
        rows = [{"step": step, **p.to_dict()} for step, attr in names.items()
                for p in (getattr(getattr(self, attr), "problems", None) or ())
                if getattr(self, attr) is not None and hasattr(p, "to_dict")]
        return pd.DataFrame(rows, columns=["step", "location", "code", "message", "severity"])

    def write(self, directory: str | Path, *, charts: bool = True, lang: str = "zh",
              format: str = "csv") -> list[Path]:
        """Write every table and, with ``charts``, PNG charts into ``directory``; returns the paths.

        Parameters
        ----------
        directory : str or Path
            Written atomically: the whole set goes in at once, or nothing does.
        charts : bool, default True
        lang : {"zh", "en"}, default "zh"
            Headers, code meanings (说明), severities and labels in Chinese or English
            (:func:`perfeval._present.present`); file names stay the same (``self_evaluation_totals.csv`` ...).
        format : {"csv", "xlsx"}, default "csv"
            CSV in UTF-8 with BOM (Excel on Chinese Windows opens it as it is), or one XLSX workbook per table.

        Notes
        -----
        Every per-unit table has the unit's name beside ``unit_id`` (项目编码, 项目名称; 单位 / 地区 for the
        department-overall and transfer-payment tables), ``grade_probabilities`` included. Numbers are rounded
        to 2 decimals (rates to 4), and a total is never rounded onto a grade edge it did not reach (89.996 shows
        89.99, not 90.00 = 优); no float noise is written. The tables are for people: perfeval's
        readers accept their Chinese headers where one is read back (:mod:`perfeval.columns`), and
        :meth:`tables` gives the canonical frames.
        """
        from ._io_util import atomic_dir
        from ._messages import check_lang
        from .io import write_table

        check_lang(lang)
        if format not in ("csv", "xlsx"):
            raise ValueError(f"`format` must be 'csv' or 'xlsx'; got {format!r}.")
        directory = Path(directory)
        with atomic_dir(directory) as tmp:  # the whole set is written before any file is moved in
            paths = [write_table(frame, tmp / f"{stem}.{format}", encoding="utf-8-sig")
                     for stem, frame in self.presented(lang).items()]
            if charts:
                paths.extend(self._charts(tmp))
        return [directory / p.relative_to(tmp) for p in paths]

    def presented(self, lang: str = "zh") -> dict[str, pd.DataFrame]:
        """File stem -> table as :meth:`write` writes it (:func:`perfeval._present.present` of :meth:`tables`)."""
        from ._present import present

        subjects = {"department_totals": "department", "department_nodes": "department",
                    "transfer_totals": "region", "transfer_nodes": "region"}
        bands = {f"{name}_{part}": getattr(self, name).framework.bands
                 for name in ("self_evaluation", "key_evaluation", "department", "transfer")
                 if getattr(self, name) is not None for part in ("totals", "nodes")}
        if self.self_evaluation is not None:  # graded on the self-evaluation's bands
            bands.update(recheck_units=self.self_evaluation.framework.bands,
                         application_units=self.self_evaluation.framework.bands)
        out = {}
        for stem, frame in self.tables().items():
            if stem == "summary":
                frame = self.summary(lang)
            elif stem == "problems" and lang == "zh" and len(frame):  # the step a problem came from, in words
                frame = frame.assign(step=frame["step"].map(lambda k: STEP_NAMES_ZH.get(k, k)))
            out[stem] = present(frame, lang, units=self.units, base=self.folder, subject=subjects.get(stem, "project"),
                                headers=self._headers(stem, lang), edges=bands.get(stem))
        return out

    def _headers(self, stem: str, lang: str) -> dict[str, str]:
        """Headers named by a framework: the ex-ante first-level node columns, the grade columns (label_en)."""
        heads: dict[str, str] = {}
        if stem == "exante_units" and self.exante is not None and getattr(self.exante, "framework", None) is not None:
            for node in self.exante.framework.nodes:
                heads[node.code] = (node.name if lang == "zh" else (getattr(node, "name_en", "") or node.code))
        if stem == "grade_probabilities" and self.self_evaluation is not None:
            for band in self.self_evaluation.framework.bands.bands:
                heads[band.label] = band.label if lang == "zh" else (band.label_en or band.label)
        return heads

    def _charts(self, directory: Path) -> list[Path]:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        from . import plotting
        from ._io_util import atomic_path

        jobs = []
        if self.sensitivity is not None:
            jobs.append(("grade_probabilities.png", plotting.grade_probability_plot, self.sensitivity))
        if self.recheck is not None and self.recheck.agreement.bland_altman is not None:
            jobs.append(("recheck_bland_altman.png", plotting.bland_altman_plot, self.recheck.agreement.bland_altman))
        if self.monitoring is not None:
            jobs.append(("monitoring_lights.png", plotting.lights_plot, self.monitoring))
        paths = []
        for name, function, result in jobs:
            ax = function(result)
            path = directory / name
            with atomic_path(path) as tmp:
                ax.figure.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
            plt.close(ax.figure)
            paths.append(path)
        return paths

    def _repr_html_(self) -> str:
        return "<p><b>perfeval analysis</b></p>" + self.summary().to_html(index=False)


#: The steps of the year in Chinese (the ``step`` column of the written problems table).
STEP_NAMES_ZH: Mapping[str, str] = {
    "exante": "事前绩效评估", "monitoring": "双监控", "self": "绩效自评", "audit": "规范性审核", "recheck": "再评价",
    "panel": "专家评分", "key": "重点评价", "application": "结果应用", "department": "部门整体绩效",
    "transfer": "转移支付绩效", "weights": "AHP 专家赋权", "sensitivity": "权重敏感性"}


def analyse(data: Any, *, rng: Any = 2019, draws: int = 2000, steps: Any = None) -> Analysis:
    """Run every evaluation step the dataset has data for.

    Parameters
    ----------
    data : SampleData, str or path
        A dataset as :func:`perfeval.load_dataset` or :func:`perfeval.load_sample` returns it, or the folder of a
        dataset (or the name of a shipped sample), read with :func:`perfeval.load_dataset`.
    rng : int or numpy.random.Generator
        Seed of the weight-sensitivity draws (the only random step).
    draws : int
        Number of weight draws of the sensitivity analysis.
    steps : list of str, optional
        Only these steps (:data:`STEPS`; a report needs a few): ``recheck``, ``application`` and ``sensitivity``
        also score the self-evaluations (``application`` the departments and regions too, whose grades it applies
        like `perfeval apply`), ``key`` also aggregates the panel. Default: every step.

    Returns
    -------
    Analysis

    Examples
    --------
    >>> import perfeval as pe
    >>> from perfeval.pipeline import analyse
    >>> result = analyse(pe.load_sample(), draws=200)
    >>> sorted(result.summary()["step"])[:3]
    ['application', 'audit', 'department']
    >>> analyse(pe.load_sample(), steps=["recheck"]).steps
    ('self', 'recheck')
    """
    from . import application, exante, monitoring, panel, recheck, sensitivity
    from .aggregate import score
    from .weighting import ahp_survey

    import os

    from .datasets import SampleData, load_dataset

    source = None
    if isinstance(data, (str, os.PathLike)):
        source = Path(data) if Path(data).is_dir() else None
        data = load_dataset(data)
    elif not isinstance(data, SampleData):
        raise TypeError(f"`data` must be a SampleData or a dataset folder; got {type(data).__name__}.")
    if steps is not None:
        wanted = {steps} if isinstance(steps, str) else set(steps)
        unknown = sorted(wanted - set(STEPS))
        if unknown:
            raise ValueError(f"`steps` must name steps of {STEPS}; got unknown {unknown}.")
    else:
        wanted = set(STEPS)
    if wanted & {"recheck", "application", "sensitivity"}:
        wanted.add("self")
    if "application" in wanted:
        wanted |= {"department", "transfer"}
    if "key" in wanted:
        wanted.add("panel")
    meta = dict(data.meta)
    frameworks = dict(meta.get("frameworks") or {})
    steps = []
    results: dict[str, Any] = {}

    with warnings.catch_warnings():
        # data-quality problems are collected in each result's .problems; the sample lists its planted ones
        warnings.simplefilter("ignore", DataQualityWarning)
        warnings.simplefilter("ignore", InconsistentJudgementsWarning)

        if len(data.exante) and "exante" in wanted:
            results["exante"] = exante.assess(data.exante, frameworks.get("exante", "exante"), units=data.units)
            steps.append("exante")
        if len(data.monitoring) and "monitoring" in wanted:
            results["monitoring"] = monitoring.lights(data.monitoring, data.observations, data.budget,
                                                      units=data.units)
            steps.append("monitoring")
        fw_self = frameworks.get("self", "project_self")
        if len(data.observations) and "self" in wanted:
            self_result = score(fw_self, data.observations, data.budget)
            results["self_evaluation"] = self_result
            steps.append("self")
        if len(data.observations) and "audit" in wanted:
            results["audit"] = recheck.audit(data.observations, data.budget, framework=fw_self)
            steps.append("audit")
        if len(data.observations) and "self" in wanted:
            if len(data.recheck) and "recheck" in wanted:
                results["recheck"] = recheck.compare(self_result, data.recheck, units=data.units,
                                                     indicators=data.recheck_indicators
                                                     if len(data.recheck_indicators) else None,
                                                     claimed_totals=data.budget)
                steps.append("recheck")
            if "sensitivity" in wanted:
                results["sensitivity"] = sensitivity.weight_uncertainty(self_result, n=draws, rng=rng)
                steps.append("sensitivity")
        if len(data.panel) and "panel" in wanted:
            fw_key = frameworks.get("key", "project_key")
            consensus = panel.aggregate(data.panel, framework=fw_key)
            results["panel"] = consensus
            results["raters"] = panel.rater_diagnostics(data.panel, framework=fw_key).raters
            steps.append("panel")
            if "key" in wanted:
                results["key_evaluation"] = score(fw_key, consensus.to_observations())
                steps.append("key")
        if len(data.department_observations) and "department" in wanted:
            results["department"] = score(frameworks.get("department", "department"), data.department_observations,
                                          data.department_budget)
            steps.append("department")
        if len(data.transfer_observations) and "transfer" in wanted:
            results["transfer"] = score(frameworks.get("transfer", "transfer"), data.transfer_observations,
                                        data.transfer_budget)
            steps.append("transfer")
        if "self_evaluation" in results and "application" in wanted:
            # next year's budget follows the most verified grade: key evaluation, re-check, self-evaluation; the
            # departments' and regions' own evaluations are self-evaluations too (as `perfeval apply` does)
            own = [results[k] for k in ("self_evaluation", "department", "transfer") if k in results]
            graded = {"key_evaluation": results.get("key_evaluation"), "recheck": results.get("recheck"),
                      "self_evaluation": pd.concat([r.totals[["unit_id", "total", "grade"]] for r in own],
                                                   ignore_index=True)}
            budgets = [b for b in (data.budget, data.department_budget, data.transfer_budget) if len(b)]
            results["application"] = application.apply_results(
                graded, data.units, budget=pd.concat(budgets, ignore_index=True) if budgets else None)
            steps.append("application")
        if len(data.ahp_survey) and "weights" in wanted:
            results["weights"] = ahp_survey(data.ahp_survey)
            steps.append("weights")
    return Analysis(meta=meta, steps=tuple(steps), units=data.units, folder=_folder(data, source), **results)


def _folder(data: Any, source: Any) -> Path | None:
    """The dataset's folder: the one given, else the folder of the files its tables were read from."""
    if source is not None:
        return Path(source)
    for frame in (data.units, data.observations):
        if "source_file" in frame and frame["source_file"].notna().any():
            return Path(str(frame["source_file"].dropna().iloc[0])).parent
    return None
