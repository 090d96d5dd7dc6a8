"""One example per command of ``perfeval``, shown at the end of its ``--help`` (示例).

:data:`EXAMPLES` maps a command path (``""`` for ``perfeval`` itself, ``"weights survey"`` for a sub-subcommand)
to a Chinese note and one command line that runs on the shipped sample data (``sample_data/province/...``, paths
relative to the repository; ``perfeval samples --export DIR`` copies them anywhere) or, where the sample has no
such file, on a file the note describes. :func:`apply_examples` sets them as the parsers' epilogs once every
subcommand is registered (:func:`perfeval.cli.build_parser`). ``tests/test_cli_help.py`` walks every registered
parser and fails when one has no example here, when an example names a command that does not exist, or when an
example does not parse: a new command adds its line here.
"""
from __future__ import annotations

import argparse
from types import MappingProxyType
from typing import Iterator, Mapping

__all__ = ["EXAMPLES", "HEADING", "apply_examples", "walk_parsers", "example_text"]

#: First line of every example epilog.
HEADING = "示例 (example):"

_S = "sample_data/province"

#: Command path -> (Chinese note, command line).
EXAMPLES: Mapping[str, tuple[str, str]] = MappingProxyType({
    "": ("检查示例省的数据文件（自评表、预算表、复核表等）能否读取与评分",
         f"perfeval validate {_S}"),
    "demo": ("在内置示例省上演示一个预算年度的全部流程（不画图）",
             "perfeval demo --no-charts"),
    "render": ("生成示例省 0010001 号项目的支出绩效自评报告（HTML）",
               "perfeval render self_evaluation -p unit_id 0010001 --out reports/"),
    "validate": ("检查项目自评指标表与预算表，问题逐条定位到 文件:行:列",
                 f"perfeval validate {_S}/indicators.csv {_S}/budget.csv"),
    "score": ("按 project_self 框架（预算执行 10 分 + 指标 90 分）为项目自评打分",
              f"perfeval score --framework project_self --data {_S}/indicators.csv --budget {_S}/budget.csv "
              "--out totals.csv"),
    "samples": ("把内置示例省的数据文件复制到 my_province 文件夹，作为自己数据的样板",
                "perfeval samples --export my_province"),
    "weights": ("专家两两比较问卷（专家编号、因素A、因素B、标度）汇总为重点评价框架一级指标的组合权重",
                f"perfeval weights survey {_S}/ahp_survey.csv --framework project_key"),
    "weights ahp": ("一个判断矩阵的权重与一致性检验：matrix.csv 首行首列为指标名，元素(i,j)为 i 比 j 重要的倍数"
                    "（可写 1/5）",
                    "perfeval weights ahp matrix.csv --method eigen --suggest 3"),
    "weights survey": ("专家问卷（可用中文表头与指标中文名）→ 各专家一致性比率、组合权重与新分值",
                       f"perfeval weights survey {_S}/ahp_survey.csv --framework project_key --out ahp_weights.csv"),
    "weights entropy": ("熵权法：data.csv 每行一个单位（首列为单位编码），每列一个指标",
                        "perfeval weights entropy data.csv --out entropy_weights.csv"),
    "weights critic": ("CRITIC 权重：成本类指标（此处为 unit_cost 列）写 =min，未列出的指标按效益型（max）处理",
                       "perfeval weights critic data.csv --directions unit_cost=min"),
    "weights merec": ("MEREC 权重（各指标方向依次列出）",
                      "perfeval weights merec data.csv --directions max,max,min"),
    "weights std_dev": ("标准差法权重（先做极差标准化）",
                        "perfeval weights std_dev data.csv --normalization minmax"),
    "weights cv": ("变异系数法权重",
                   "perfeval weights cv data.csv --index unit_id"),
    "recheck": ("自评与再评价（复核）对比：偏差、准确性评定与按部门的组合统计",
                f"perfeval recheck --self {_S}/budget.csv --recheck {_S}/recheck.csv --units {_S}/units.csv "
                "--by department_id"),
    "audit": ("规范性审核：按评分规则重算示例省自评表的每一行与总分，列出不符之处",
              f"perfeval audit --data {_S}/forms --out audit.xlsx"),
    "monitor": ("绩效运行监控（双监控）：第 8 个月的红黄绿灯",
                f"perfeval monitor {_S} --month 8"),
    "exante": ("事前绩效评估：新增项目的评估结论",
               f"perfeval exante {_S} --out exante.xlsx"),
    "apply": ("评价结果应用：按得分与等级给出预算安排建议",
              f"perfeval apply {_S} --out application.xlsx"),
    "panel": ("收回专家评分表，汇总为长表（专家、项目、指标、得分）",
              f"perfeval panel collect {_S}/sheets --framework project_key --out ratings.csv"),
    "panel sheets": ("为重点评价项目的每位专家生成一份评分表（experts.csv：专家编号、姓名）",
                     f"perfeval panel sheets --units {_S}/units.csv --experts experts.csv --category key "
                     "--out sheets/"),
    "panel collect": ("读取专家填好的评分表，问题定位到 文件:工作表!单元格",
                      f"perfeval panel collect {_S}/sheets --framework project_key --out ratings.csv"),
    "survey": ("满意度调查：总体 5000 人、误差 ±5% 时需要回收的问卷数",
               "perfeval survey plan --population 5000 --margin 0.05"),
    "survey rate": ("由问卷答案计算各项目满意率及其置信区间（answers.csv：项目、题目、答案）",
                    "perfeval survey rate answers.csv --method share --out satisfaction.csv"),
    "survey plan": ("总体 5000 人、误差 ±5%、置信度 95% 所需样本量",
                    "perfeval survey plan --population 5000 --margin 0.05 --confidence 0.95"),
    "annual": ("生成示例省全年的全部报告及索引页",
               f"perfeval annual {_S} --out annual_reports/"),
    "batch": ("按自己的计划表（plan.csv：每行一份报告的类别与参数）批量生成报告",
              "perfeval batch plan.csv --out reports/"),
})


def walk_parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
                 ) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every parser under ``parser`` (itself first) with its command path, each parser once (aliases skipped)."""
    seen: set[int] = set()

    def walk(p: argparse.ArgumentParser, where: tuple[str, ...]):
        if id(p) in seen:
            return
        seen.add(id(p))
        yield where, p
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    yield from walk(child, (*where, name))

    yield from walk(parser, path)


def example_text(path: str) -> str | None:
    """The epilog of the command ``path``: the heading, the note as a comment, the command; None without one."""
    if path not in EXAMPLES:
        return None
    note, command = EXAMPLES[path]
    return f"{HEADING}\n  # {note}\n  {command}"


class _KeepExamples:
    """A help-formatter mixin printing the example epilog as written (line breaks kept, not re-wrapped)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith(HEADING):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)  # type: ignore[misc]


def apply_examples(parser: argparse.ArgumentParser) -> None:
    """Set every parser's epilog to its example (a parser without one keeps what it has)."""
    for path, p in walk_parsers(parser):
        text = example_text(" ".join(path))
        if text is None:
            continue
        p.epilog = text
        if not issubclass(p.formatter_class, _KeepExamples):
            p.formatter_class = type(f"Examples{p.formatter_class.__name__}", (_KeepExamples, p.formatter_class), {})
