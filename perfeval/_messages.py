"""What every problem, finding and flag code of perfeval means, in Chinese and in English.

Codes are machine words (``missing_target``, ``unmet_full_score``, ``near_cut``); a finance department reads
tables whose 说明 (meaning) column says what each one is, in the language of the output. :data:`MESSAGES` holds one
``(zh, en)`` pair per code the package can emit:

* **problems** (:class:`perfeval.errors.Problem` codes of input checks, located ``file:row:column``);
* **findings** of the standardization audit (:data:`perfeval.recheck.FINDINGS`), of the narrative drafts
  (:class:`perfeval.narrative.Draft` codes, ``audit.<finding>`` included) and of the report paragraphs;
* **flags** put in ``flags`` columns (scoring, monitoring, re-check, rater diagnostics, ex-ante).

``tests/test_messages.py`` scans the source for every code created (``Problem(loc, "code", ...)``,
``log.add("code", ...)``, ``InputError.single(loc, "code", ...)``, findings, drafts, flags ...) and fails, listing
them, when one has no pair here: a new code needs its line in this table.

The meaning is the generic sense of the code; the problem's own message (English, with the values involved) stays
as it is. :func:`describe` puts the two together for a terminal line or a table cell.

Examples
--------
>>> from perfeval._messages import message, describe
>>> message("missing_target"), message("missing_target", "en")
('未填写年度指标值', 'the target is empty')
>>> message("audit.unmet_full_score")        # a narrative draft about an audit finding
'目标未完成却按满分自评'
>>> message("near_cut;two_grade_jump", "en")  # a flags cell
'total near a grade cut-point; grades two or more steps apart'
>>> from perfeval.errors import Problem
>>> describe(Problem("indicators.csv:7:target", "missing_target", "the target is empty"))
'未填写年度指标值（the target is empty）'
"""
from __future__ import annotations

import re
from types import MappingProxyType
from typing import Any, Mapping

__all__ = ["MESSAGES", "message", "describe", "has_message", "problem_text", "problem_line", "check_lang", "LANGS",
           "SEVERITY_NAMES"]

#: Output languages.
LANGS: tuple[str, ...] = ("zh", "en")
#: Severities of problems (error, warning) and of audit findings (high, medium, low) as tables show them.
SEVERITY_NAMES: dict[str, tuple[str, str]] = {
    "high": ("高", "high"), "medium": ("中", "medium"), "low": ("低", "low"), "error": ("错误", "error"),
    "warning": ("警告", "warning")}

_M: dict[str, tuple[str, str]] = {
    # --- real forms: what was read loosely, and the budget rule (issue 14) ---------------------------------------
    "level_from_text": ("实际完成值与定性指标值相同，按“达成”认定", "the actual restates the qualitative target: read as met"),
    "level_from_words": ("按实际完成值的文字认定完成等级", "completion level read from the words of the actual"),
    "level_from_score": ("按自评得分所在区间认定完成等级", "completion level read from the band of the claimed score"),
    "applicable_from_actual": ("实际完成值填“不适用”等，按不适用处理",
                               "the actual marks the indicator not applicable"),
    "target_in_name": ("指标值写在指标名称中，按完成计满分", "target taken from the indicator's name; scored full"),
    "points_rescaled": ("指标分值合计不等于规定分值，已按比例折算",
                        "indicator points off the framework's total; scaled proportionally"),
    "budget_required": ("指标体系按预算计算资金执行率，但未提供预算（用 --budget、带资金情况的自评表，或 --no-budget）",
                        "the framework scores budget execution and no budget was given (--budget, a form's funds "
                        "block, or --no-budget)"),
    "nothing_scored": ("没有可评分的单位", "no unit could be scored"),
    "small_sample": ("复核比较的单位少于10个，统计结果仅供参考",
                     "fewer than 10 units compared: the statistics are indicative only"),
    # --- files, encodings, formats ---------------------------------------------------------------------------
    "file_not_found": ("文件不存在", "the file does not exist"),
    "not_found": ("路径不存在", "the path does not exist"),
    "not_a_file": ("不是文件（可能是文件夹或失效链接）", "not a file (a folder or a broken link)"),
    "not_a_directory": ("不是文件夹", "not a folder"),
    "unreadable_file": ("文件无法读取（权限或格式问题）", "the file cannot be read (permissions or format)"),
    "file_too_large": ("文件过大，超过读取上限", "the file is larger than perfeval reads"),
    "sheet_too_large": ("工作表过大，超过读取上限", "the sheet is larger than perfeval reads"),
    "empty_file": ("文件为空", "the file is empty"),
    "unsupported_format": ("不支持的文件格式", "unsupported file format"),
    "unsupported_file": ("无法校验此类文件", "this kind of file cannot be validated"),
    "unknown_format": ("未知的输出格式", "unknown output format"),
    "wrong_encoding": ("文件编码无法识别（应为 UTF-8 或 GB18030 文本）", "unknown text encoding (UTF-8 or GB18030 expected)"),
    "encoding": ("文件编码无法识别（应为 UTF-8 或 GB18030 文本）", "unknown text encoding (UTF-8 or GB18030 expected)"),
    "csv_syntax": ("CSV 格式错误", "the file is not valid CSV"),
    "malformed_row": ("行的列数与表头不一致", "a row does not fit the header (number of cells)"),
    "too_many_cells": ("行的单元格多于表头", "a row has more cells than the header"),
    "no_header": ("找不到表头行", "no header row found"),
    "no_sheet": ("工作簿中没有指定的工作表", "the workbook has no such sheet"),
    "missing_column": ("缺少必需的列", "a required column is missing"),
    "duplicate_column": ("列重复", "a column is given twice"),
    "unknown_column": ("未知的列（已忽略或无法使用）", "unknown column (ignored or not usable)"),
    "bad_output": ("无法写入该输出路径", "the output path cannot be written"),
    "output_is_input": ("输出会覆盖输入文件", "the output would overwrite an input file"),
    "exists": ("目标文件夹已有数据集", "the folder already holds a dataset"),
    "file_exists": ("文件已存在（可能已填写）", "the file exists already (perhaps filled in)"),
    "ambiguous_file": ("同名文件有多个格式，无法确定读取哪个", "two files of the same name and different formats"),
    "missing_file": ("文件缺失", "a file is missing"),
    "no_csv": ("文件夹中没有 CSV 文件", "no CSV file in the folder"),
    "no_input_files": ("文件夹中没有可读取的输入文件", "no input file in the folder"),
    "no_dataset_files": ("文件夹中没有数据集文件", "the folder holds none of the files of a dataset"),
    "not_a_dataset": ("不是数据集", "not a dataset"),
    "no_data_for_report": ("报告所需的数据文件缺失", "a data file the report needs is missing"),
    "yaml_syntax": ("YAML 格式错误", "YAML syntax error"),
    "duplicate_key": ("同一层级中键名重复", "a key appears twice in the same mapping"),
    "not_a_mapping": ("应为键值映射", "a mapping is expected"),
    "not_a_list": ("应为列表", "a list is expected"),
    "not_json": ("不是 JSON 值", "not a JSON value"),
    "missing_dependency": ("缺少所需的软件包", "a required package is not installed"),
    "bad_argument": ("命令参数无效", "invalid command-line argument"),
    "bad_type": ("参数类型不正确", "an argument of the wrong type"),
    # --- cells and values --------------------------------------------------------------------------------------
    "not_numeric": ("应为数字", "a number is expected"),
    "not_a_number": ("应为数字", "a number is expected"),
    "not_integer": ("应为整数", "a whole number is expected"),
    "not_finite": ("应为有限数值", "a finite number is expected"),
    "not_positive": ("应为正数", "a positive number is expected"),
    "not_boolean": ("应为是/否", "yes/no (是/否) is expected"),
    "bad_bool": ("应为是/否", "yes/no (是/否) is expected"),
    "bad_number": ("数值无效", "invalid number"),
    "bad_text": ("应为文本", "text is expected"),
    "bad_choice": ("取值不在允许范围内", "a value outside the allowed choices"),
    "bad_date": ("日期格式无效（应为 YYYY-MM-DD）", "invalid date (YYYY-MM-DD expected)"),
    "date_order": ("失效日期早于生效日期", "the end date is before the start date"),
    "bad_id": ("编码无效", "invalid id"),
    "missing_value": ("必填项为空", "a required value is empty"),
    "negative_value": ("数值不能为负", "the value must not be negative"),
    "out_of_range": ("数值超出允许范围", "the value is out of range"),
    "bad_value": ("数值无效", "invalid value"),
    "empty": ("没有数据", "nothing to work on"),
    "not_allowed": ("取值不在允许范围内", "a value outside the allowed choices or range"),
    "wrong_type": ("取值类型不正确", "a value of the wrong type"),
    "duplicate": ("重复评分", "rated twice"),
    # --- observations: units, indicators, targets ---------------------------------------------------------------
    "missing_unit": ("缺少项目编码或计量单位", "no unit id (or no measurement unit)"),
    "duplicate_unit": ("项目重复出现", "a unit appears more than once"),
    "duplicate_row": ("同一项目的同一指标重复填报", "the same line is given twice"),
    "duplicate_indicator": ("同一项目有重名指标", "two indicators of a unit have the same name"),
    "missing_target": ("未填写年度指标值", "the target is empty"),
    "missing_actual": ("未填写实际完成值（按0分计）", "no actual value (scored 0)"),
    "missing_level": ("定性指标未填写完成等级", "a qualitative indicator has no level"),
    "unparseable_target": ("无法识别年度指标值", "the target cannot be read"),
    "unparseable_actual": ("无法识别实际完成值", "the actual value cannot be read"),
    "ambiguous_number": ("数字中间有空格，含义不明", "digits separated by a space: ambiguous number"),
    "ambiguous_percentage": ("指标值与完成值的百分号用法不一致", "target and actual mix percent and plain numbers"),
    "bare_target": ("指标值未写比较符号（≥/≤），已按默认方向计分", "the target has no comparator; read with the default"),
    "op_conflict": ("指标性质与指标值中的符号矛盾", "the op column contradicts the target's comparator"),
    "unit_mismatch": ("完成值与指标值的计量单位不一致", "actual and target are in different units"),
    "unknown_op": ("指标性质（计算符号）无法识别", "unknown op (comparator)"),
    "unknown_level": ("完成等级无法识别（应为达成/部分达成/未达成）", "unknown level (met / partly / not met expected)"),
    "unknown_rating": ("评级不在该指标的等级范围内", "a rating not on the indicator's scale"),
    "negative_findings": ("问题数不能为负", "a count of findings must not be negative"),
    "target_above_deadline": ("时限类指标值超过法定期限", "a time target beyond the statutory deadline"),
    "target_too_low": ("超额完成幅度过大，目标可能设定偏低", "over-achievement this large suggests a target set too low"),
    "reduced_over_achievement": ("超额完成部分按规则折减计分", "over-achievement scored with the reduction rule"),
    "not_applicable": ("不适用，不计分", "not applicable, not scored"),
    "score_from_level": ("按完成等级计分（无评价人打分）", "scored from the level (no evaluator's score)"),
    "scored_by_evaluator": ("由评价人打分", "scored by the evaluator"),
    "unknown_l1": ("一级指标名称与框架不符", "the first-level indicator is not in the framework"),
    "unmatched_l2": ("二级指标名称与框架不符（已挂靠）", "the second-level indicator is not in the framework (attached)"),
    "unmatched_indicator": ("三级指标无法匹配到框架", "the indicator matches no node of the framework"),
    "unknown_node": ("指标编码不在框架中", "the node code is not in the framework"),
    "not_a_leaf": ("该指标有下级指标，应对末级指标评分", "the node has children; scores go on its leaves"),
    "zero_points": ("指标分值为0", "an indicator with 0 points"),
    "points_sum": ("指标分值合计与规定不符", "the points do not add up as required"),
    "no_indicators": ("有预算数据但没有绩效指标", "a unit with a budget row but no indicators"),
    "no_units": ("没有可评分的项目", "no project to score"),
    "no_grade": ("总分不在任何等级区间内", "the total is outside every grade band"),
    "score_out_of_range": ("得分超出0至分值的范围", "a score outside [0, points]"),
    "score_outside_band": ("定性得分与完成等级的得分区间不符", "a qualitative score outside its level's band"),
    "score_above_points": ("得分超过该指标分值", "the score exceeds the node's points"),
    "strict_op": ("指标值使用严格比较符（>、<），按 ≥、≤ 计分", "a strict comparator (> or <) scored as ≥ or ≤"),
    "approximate": ("指标值为约数（约、左右）", "an approximate value (about, around)"),
    "multiplied": ("数值带数量单位（万、亿等），已换算", "a value with a magnitude word (万, 亿 ...), converted"),
    "deadline": ("时限类指标值（如“12月底前”），按期限读取", "a deadline target (such as 12月底前), read as a date"),
    "missing": ("未填写", "not given"),
    "qualitative_level": ("按完成等级读取的定性值", "a qualitative value read as a level"),
    "execution_row_ignored": ("预算执行率按预算表计分，该指标行已忽略", "budget execution is scored from the budget table; row ignored"),
    "execution_score_ignored": ("预算执行得分按金额重算，填报得分仅作参考",
                                "execution points recomputed from the amounts; claimed kept for reference"),
    # --- budget ---------------------------------------------------------------------------------------------------
    "no_budget": ("没有预算数据", "no budget data"),
    "missing_budget": ("缺少该项目的预算数（执行率按0分计）", "no budget amount for the unit (execution scored 0)"),
    "zero_budget": ("预算数为0，执行率无法计算", "the budget is 0: execution rate undefined"),
    "invalid_amount": ("金额不是正数，已排除在按预算加权的统计之外",
                       "an amount that is not positive; left out of budget-weighted statistics"),
    # --- frameworks (indicator systems) -----------------------------------------------------------------------------
    "malformed": ("框架定义格式错误", "malformed framework definition"),
    "missing_key": ("缺少必需的键", "a required key is missing"),
    "unknown_key": ("未知的键", "unknown key"),
    "unknown_framework": ("未知的评价框架", "unknown framework"),
    "nodes_empty": ("框架没有指标节点", "the framework has no nodes"),
    "code_invalid": ("指标编码格式无效", "invalid node code"),
    "duplicate_code": ("指标编码重复", "a node code is used twice"),
    "name_missing": ("缺少指标中文名称", "the Chinese name is missing"),
    "name_en_missing": ("缺少指标英文名称", "the English name is missing"),
    "points_missing": ("缺少分值", "points are missing"),
    "points_invalid": ("分值无效", "invalid points"),
    "points_nonpositive": ("分值应大于0", "points must be greater than 0"),
    "slot_children": ("占位节点不能有下级指标", "a slot cannot have children"),
    "inner_leaf_field": ("非末级指标上的计分字段被忽略", "scoring fields on a node with children are ignored"),
    "rule_missing": ("末级指标缺少计分规则", "a leaf has no scoring rule"),
    "op_invalid": ("指标性质无效", "invalid op"),
    "op_rule_mismatch": ("指标性质与计分规则矛盾", "the op contradicts the scoring rule"),
    "cost_op": ("成本指标不应使用“≥”", "a cost indicator must not use ≥"),
    "total_invalid": ("总分设置无效", "invalid total"),
    "total_sum": ("一级指标分值之和不等于总分", "first-level points do not add up to the total"),
    "tolerance_invalid": ("容差设置无效", "invalid tolerance"),
    "band_range": ("等级区间未覆盖0至总分", "the grade bands do not cover 0 to the total"),
    "bands_empty": ("没有等级区间", "no grade band"),
    "band_duplicate": ("等级名称重复", "a grade label is used twice"),
    "band_empty": ("等级区间上限不大于下限", "a band whose max is not above its min"),
    "band_gap": ("等级区间之间有空档", "a gap between grade bands"),
    "band_overlap": ("等级区间重叠", "grade bands overlap"),
    "band_coverage": ("等级区间未覆盖整个范围", "the bands do not cover the whole scale"),
    "constraint_unknown_node": ("分值约束引用了不存在的指标", "a points constraint names an unknown node"),
    "constraint_op": ("分值约束的比较符无效", "invalid comparator of a points constraint"),
    "constraint_share": ("分值约束的比例应在0至1之间", "a constraint share must be in [0, 1]"),
    "constraint_violated": ("分值不满足约束", "the points break a constraint"),
    "veto_unknown_node": ("否决规则引用了不存在的指标", "a veto names an unknown node"),
    "veto_grade": ("否决规则的等级无效", "invalid grade of a veto"),
    "veto_op": ("否决规则的比较符无效", "invalid comparator of a veto"),
    "veto_measure": ("否决规则的度量无效（应为完成率或得分）", "invalid veto measure (achievement or score)"),
    "veto_value": ("否决规则的阈值无效", "invalid veto value"),
    "library_missing": ("指标编码不在指标库中", "the indicator code is not in the library"),
    "library_draft": ("指标库条目尚未审定", "the library entry is not approved"),
    "library_expired": ("指标库条目不在有效期内", "the library entry is not valid at this date"),
    "library_name_mismatch": ("指标名称与指标库不一致", "the name differs from the library's"),
    "library_op_mismatch": ("指标性质与指标库不一致", "the op differs from the library's"),
    "params_invalid": ("计分参数应为 YAML 映射", "scoring parameters must be a YAML mapping"),
    "parent_cycle": ("上下级指标关系形成循环", "nodes are their own ancestors"),
    "unknown_parent": ("上级指标不存在", "the parent node does not exist"),
    "unknown_rule": ("未知的计分规则", "unknown scoring rule"),
    "unknown_param": ("计分规则的参数无效", "unknown parameter of a scoring rule"),
    "bad_param": ("计分规则的参数值无效", "invalid value of a scoring-rule parameter"),
    "leaf_node": ("末级指标无法再分配权重", "a leaf cannot be re-weighted"),
    "no_points": ("节点没有可分配的分值", "the node has no points to share"),
    "no_nodes": ("该层级没有指标", "no node at this level"),
    "slots_not_supported": ("该功能不支持含占位节点的框架", "frameworks with slots are not supported here"),
    "no_framework": ("dataset.yaml 未指定评价框架", "dataset.yaml names no framework"),
    # --- indicator library -----------------------------------------------------------------------------------------
    "not_in_library": ("指标编码不在指标库中", "the code is not in the indicator library"),
    "individual": ("个性指标（指标库中没有，允许使用）", "an individual indicator (not in the library: allowed)"),
    "draft": ("指标库条目尚未审定", "the library entry is a draft"),
    "expired": ("指标库条目已失效", "the library entry has expired"),
    "not_yet_valid": ("指标库条目尚未生效", "the library entry is not valid yet"),
    "op_differs": ("指标性质与指标库不一致", "the op differs from the library's"),
    "bad_code": ("指标库编码格式无效", "invalid library code"),
    "unknown_code": ("指标库中没有该编码", "no such code in the library"),
    "unknown_kind": ("类型无效", "unknown kind"),
    "wrong_kind": ("策略类型与用途不符", "the policy is of the wrong kind"),
    "kind_op_mismatch": ("指标类型与指标性质不一致", "kind and op disagree"),
    "unknown_scoring_rule": ("未知的计分规则", "unknown scoring rule"),
    "rule_op_mismatch": ("计分规则与指标性质不一致", "the scoring rule does not score this op"),
    "execution_rule": ("“预算执行”计分规则仅用于预算执行率", "the execution rule is reserved for 预算执行率"),
    "unknown_status": ("状态无效", "unknown status"),
    "unknown_applies_to": ("适用范围无效", "unknown applies_to"),
    "code_level_mismatch": ("编码与一级指标不一致", "the code's segment disagrees with the first level"),
    "code_sector_mismatch": ("编码与行业不一致", "the code's prefix disagrees with the sector"),
    "missing_definition": ("缺少指标解释", "no definition (指标解释)"),
    "unit_on_qualitative": ("定性指标不应有计量单位", "a qualitative indicator has no unit"),
    "duplicate_name": ("指标名称重复", "a name is used twice"),
    # --- policies -----------------------------------------------------------------------------------------------------
    "bad_share": ("比例应在0至1之间", "a share must be in [0, 1]"),
    "bad_month": ("月份应为1至12", "the month must be 1 to 12"),
    "bad_cap": ("上限设置无效", "invalid cap"),
    "bad_floor": ("下限设置无效", "invalid floor"),
    "negative_k": ("调节系数不能为负", "k must not be negative"),
    "negative_cut": ("压减比例不能为负", "a cut share must not be negative"),
    "negative_tolerance": ("容差不能为负", "the tolerance must not be negative"),
    "curve_decreasing": ("计划执行进度曲线不应下降", "the planned curve must not fall"),
    "curve_end": ("计划执行进度曲线须给出12月", "the planned curve must give month 12"),
    "unknown_action": ("未知的处理措施", "unknown action"),
    "unknown_colour": ("未知的预警颜色", "unknown colour"),
    "unknown_conclusion": ("未知的评估结论", "unknown conclusion"),
    "unknown_grade": ("未知的评价等级", "unknown grade"),
    "grade_mismatch": ("填报等级与总分对应的等级不符", "the grade given is not the grade of the total"),
    "unknown_source": ("未知的等级来源", "unknown grade source"),
    "duplicate_source": ("等级来源重复", "a grade source is given twice"),
    "unordered_source": ("等级来源不在核验顺序中", "a grade source missing from the verification order"),
    "unknown_project_type": ("未知的项目类型", "unknown project type"),
    "unknown_unit": ("项目不在项目清单中", "the unit is not in the units list"),
    "no_results": ("没有可应用的评价结果", "no results to apply"),
    "transfer_factor": ("转移支付调节系数", "transfer-payment adjustment factor"),
    # --- monitoring ---------------------------------------------------------------------------------------------------
    "bad_forecast": ("完成目标可能性应为能/不能", "the forecast must be likely or unlikely (能/不能)"),
    "bad_level": ("完成等级无效", "invalid level"),
    "unknown_indicator": ("监控表中的指标在指标表中不存在", "the indicator is not in the observations"),
    "no_rows": ("没有监控数据", "no monitoring rows"),
    "no_target": ("没有年度指标值，无法亮灯", "no target: no light"),
    "not_reported": ("未填报实际完成值", "actual value not reported"),  # a form's empty actual; a month's report
    "stale": ("数据已过期（早于本月）", "the figure is older than the month"),
    # --- ex-ante ------------------------------------------------------------------------------------------------------
    "bad_score": ("得分应为数字", "the score must be a number"),
    "missing_leaf": ("缺少末级指标的得分", "no score for a leaf"),
    "missing_leaves": ("部分末级指标没有得分", "some leaves have no score"),
    # --- panel (expert scoring) ---------------------------------------------------------------------------------------
    "duplicate_rating": ("同一专家对同一指标重复评分", "an expert rates a node twice"),
    "too_few_raters": ("评分专家人数不足，无法形成一致意见", "too few raters for a consensus score"),
    "bad_expert_id": ("专家编码不能作文件名", "the expert id cannot name a file"),
    "duplicate_expert": ("专家重复", "an expert is listed twice"),
    "bad_unit_id": ("项目编码不能作工作表名", "the unit id cannot name a worksheet"),
    "missing_workbook": ("缺少专家评分工作簿", "an expert's workbook is missing"),
    "missing_sheet": ("缺少项目的评分工作表", "a project's sheet is missing"),
    "not_a_score_sheet": ("不是 perfeval 生成的评分表", "not a score sheet made by perfeval"),
    "duplicate_sheet": ("评分工作表重复", "a score sheet appears twice"),
    "wrong_expert": ("评分表不属于该专家", "the sheet was issued to another expert"),
    "wrong_unit": ("评分表与项目不符", "the sheet was issued for another project"),
    "wrong_framework": ("评分表与评价框架不符", "the sheet was issued for another framework"),
    "wrong_framework_version": ("评分表的框架版本不符", "the sheet was issued for another framework version"),
    "edited_structure": ("评分表结构被修改", "the sheet's structure was edited"),
    "formula_in_score": ("得分是公式，应填写数字", "the score is a formula; type a number"),
    "score_as_text": ("得分是文本，应填写数字", "the score is text, not a number"),
    "too_many_decimals": ("得分小数位过多", "too many decimals in the score"),
    "empty_score": ("得分为空", "the score is empty"),
    "not_a_form": ("不是自评表（是普通指标表）", "not a self-evaluation form (a plain table)"),
    # --- re-check and sampling ----------------------------------------------------------------------------------------
    "no_common_units": ("自评与复核没有共同的项目", "no unit is in both the self-evaluation and the re-check"),
    "not_rechecked": ("有自评但未复核，未纳入比较", "self-evaluated but not re-checked; left out"),
    "not_in_self": ("有复核但无自评，未纳入比较", "re-checked but not self-evaluated; left out"),
    "missing_total": ("缺少一方的总分，未纳入比较", "no total on one side; left out"),
    "sample_unit_not_compared": ("抽中的项目未能比较，按无应答处理", "a sampled unit not compared; treated as non-response"),
    "sample_larger_than_population": ("样本量大于总体", "the sample is larger than the population"),
    "sample_larger_than_stratum": ("样本量大于该层项目数", "the sample is larger than the stratum"),
    "unknown_stratum": ("分层不存在", "unknown stratum"),
    "invalid_probability": ("入样概率无效", "invalid inclusion probability"),
    "invalid_size": ("规模变量应为正数", "the size measure must be positive"),
    "near_cut": ("总分接近等级分界", "total near a grade cut-point"),
    "two_grade_jump": ("自评与复核等级相差两级及以上", "grades two or more steps apart"),
    "self_full_marks": ("自评满分", "self-evaluation at full marks"),
    "completion_above_execution": ("指标完成率明显高于预算执行率", "completion well above budget execution"),
    "outside_loa": ("偏差超出一致性界限", "deviation outside the limits of agreement"),
    # --- audit findings (规范性审核) ------------------------------------------------------------------------------------
    "met_underscored": ("目标已完成却未得满分", "met but under-scored"),
    "unmet_full_score": ("目标未完成却按满分自评", "missed but claimed in full"),
    "score_differs_from_rule": ("自评得分与规则不符", "score differs from the rule"),
    "score_out_of_band": ("定性评分超出等级区间", "score outside its level's band"),
    "actual_restates_target": ("实际值照抄指标值", "actual restates the target"),
    "cost_indicator_ge": ("成本指标使用“≥”", "cost indicator with ≥"),
    "unexplained_over_achievement": ("超额完成未说明原因", "over-achievement unexplained"),
    "double_counted_execution": ("资金执行重复考核", "execution counted twice"),
    "execution_score_differs": ("预算执行得分填报不准", "execution points misreported"),
    "executed_above_budget": ("执行数超过预算数", "executed above the budget"),
    "total_not_sum_of_rows": ("总分不等于各项之和", "total is not the sum of the rows"),
    "points_not_total": ("指标分值合计不符", "points do not add up"),
    "l1_points_nondefault": ("一级指标分值与规定不一致", "first-level points not as prescribed"),
    "all_full_marks": ("全部满分，自评流于形式", "all full marks"),
    # --- narrative drafts and report paragraphs ----------------------------------------------------------------------
    "conclusion": ("评价结论", "conclusion"),
    "exante_conclusion": ("事前评估结论", "ex-ante conclusion"),
    "indicator_analysis": ("指标完成情况分析", "indicator analysis"),
    "missed_target": ("指标未完成", "target missed"),
    "points_deducted": ("指标扣分", "points deducted"),
    "low_node": ("指标得分偏低", "low-scoring indicator"),
    "low_execution": ("预算执行率偏低", "low budget execution"),
    "red_light": ("监控亮红灯", "red monitoring light"),
    "expert_disagreement": ("专家评分分歧较大", "experts disagree"),
    "recheck_deviation": ("自评与复核结果偏差", "self-evaluation deviates from the re-check"),
    "exante_low": ("事前评估得分偏低", "low ex-ante score"),
    "audit": ("规范性审核", "standardization audit"),
    "recheck": ("复核（再评价）", "re-check (re-evaluation)"),
    "monitoring": ("绩效运行监控", "performance monitoring"),
    "exante": ("事前绩效评估", "ex-ante assessment"),
    "poor": ("评价等级为差的项目", "projects graded Poor"),
    "method": ("评价方法", "method"),
    "money_unit": ("金额单位", "money unit"),
    "synthetic": ("示例数据说明", "synthetic data note"),
    "study_data": ("研究数据", "study data"),
    "ahp": ("专家赋权（层次分析法）", "expert weights (AHP)"),
    "objective": ("客观赋权（熵权法、CRITIC法）", "objective weights (entropy, CRITIC)"),
    "blend": ("赋权方法比较", "comparison of weighting methods"),
    "sensitivity": ("权重敏感性", "weight sensitivity"),
    "weight_conclusion": ("赋权结论", "weighting conclusion"),
    "unknown_section": ("未知的报告章节", "unknown report section"),
    "bad_notes": ("补充说明文件格式错误", "malformed notes file"),
    "bad_mode": ("补充说明的方式无效（应为增加或替换）", "invalid notes mode (add or replace)"),
    "bad_format": ("文件格式无效", "invalid file format"),
    # --- reports and batches ----------------------------------------------------------------------------------------
    "unknown_report": ("未知的报告类别", "unknown report category"),
    "unknown_subject": ("报告对象不在项目清单中", "the report's subject is not in units.csv"),
    "unknown_department": ("没有项目属于该部门", "no unit belongs to the department"),
    "unknown_parameter": ("报告没有该参数", "not a parameter of the report"),
    "bad_parameter_name": ("参数名无效", "invalid parameter name"),
    "bad_default": ("参数默认值无效", "invalid parameter default"),
    "no_parameters_cell": ("报告模板缺少参数单元格", "the notebook has no parameters cell"),
    "conflicting_lang": ("语言参数相互矛盾", "conflicting languages"),
    "bad_plan": ("批量计划无效", "invalid batch plan"),
    "bad_plan_row": ("批量计划的行无效", "invalid row of the batch plan"),
    "bad_params": ("报告参数无效", "invalid report parameters"),
    "duplicate_report": ("报告重复", "the same report twice"),
    "unknown_sample": ("未知的示例数据集", "unknown sample"),
    # --- weighting and surveys ----------------------------------------------------------------------------------------
    "not_square": ("判断矩阵不是方阵", "the judgement matrix is not square"),
    "labels_differ": ("判断矩阵的行列标签不一致", "row and column labels differ"),
    "duplicate_label": ("判断矩阵的标签重复", "an item label is used twice"),
    "too_small": ("比较项目少于2个", "fewer than 2 items"),
    "diagonal": ("判断矩阵对角线应为1", "the diagonal must be 1"),
    "not_reciprocal": ("判断矩阵不互反", "the matrix is not reciprocal"),
    "disconnected": ("已知比较无法连通全部项目", "the known comparisons leave items unconnected"),
    "ri_range": ("随机一致性指标表不覆盖该阶数", "the random-index table does not cover n"),
    "items_differ": ("专家比较的项目不一致", "experts compare different items"),
    "unknown_item": ("未知的比较项目", "unknown item"),
    "self_comparison": ("项目与自身比较", "an item compared with itself"),
    "duplicate_pair": ("同一对项目重复比较", "a pair compared twice"),
    "bad_weights": ("权重无效", "invalid weights"),
    "bad_weight": ("设计权重应为正数", "the design weight must be positive"),
    "out_of_scale": ("答案不在量表范围内", "an answer outside the scale"),
    "unknown_answer": ("无法识别的答案", "an answer not on the scale"),
    "duplicate_answer": ("同一问题重复作答", "a question answered twice"),
    "duplicate_question": ("问题重复映射", "a question mapped twice"),
    "unmapped_question": ("问题未映射到指标", "a question mapped to no indicator"),
    "no_matching_row": ("问卷找不到对应的指标行", "no observation row for the questionnaire"),
    "ambiguous_row": ("问卷对应多个指标行", "several observation rows for the questionnaire"),
    "respondent_two_units": ("同一问卷归属多个项目", "a questionnaire filed under two projects"),
    # --- rater diagnostics --------------------------------------------------------------------------------------------
    "severe": ("评分偏严", "severe"),
    "lenient": ("评分偏松", "lenient"),
    "erratic": ("评分不稳定", "erratic"),
    # --- warnings caught by `perfeval validate` -----------------------------------------------------------------------
    "data_quality": ("数据质量提示（可疑但可用）", "data-quality notice (suspicious but used)"),
    "inconsistent_judgements": ("判断矩阵一致性不足", "inconsistent judgements"),
    "constant_indicator": ("指标在各项目间没有差异", "an indicator with no spread"),
    "degenerate_data": ("数据退化，统计量不可靠", "degenerate data; the statistic is unreliable"),
    "perfeval": ("perfeval 提示", "perfeval notice"),
    "warning": ("提示", "warning"),
}

#: Code -> ``(zh, en)`` meaning, for every problem, finding and flag code perfeval emits.
MESSAGES: Mapping[str, tuple[str, str]] = MappingProxyType(_M)

_SPLIT = re.compile(r"[;；]")


def check_lang(lang: Any) -> str:
    """``lang`` when it is ``"zh"`` or ``"en"``; a ValueError otherwise."""
    if lang not in LANGS:
        raise ValueError(f"`lang` must be 'zh' or 'en'; got {lang!r}.")
    return lang


def _one(code: str, lang: str) -> str | None:
    code = code.strip()
    for prefix in ("audit.", "audit:"):
        if code.startswith(prefix):
            code = code[len(prefix):]
    if code.startswith("veto:"):
        return (f"触发否决规则 {code[5:]}" if lang == "zh" else f"veto {code[5:]} applied")
    pair = _M.get(code)
    return None if pair is None else pair[0 if lang == "zh" else 1]


def has_message(code: str) -> bool:
    """True when ``code`` (or each part of a ``;``-joined flags cell) has a meaning."""
    parts = [p for p in _SPLIT.split(str(code)) if p.strip()]
    return bool(parts) and all(_one(p, "zh") is not None for p in parts)


def message(code: Any, lang: str = "zh") -> str:
    """The meaning of ``code`` in ``lang``.

    Parameters
    ----------
    code : str
        A problem, finding or flag code; ``audit.<finding>`` (a narrative draft), ``veto:<code>`` and a
        ``;``-joined flags cell (``near_cut;two_grade_jump``) are understood. Empty or missing gives ``""``.
    lang : {"zh", "en"}

    Returns
    -------
    str
        The meaning; the code itself when it has none (never an error: an unknown code is shown as it is).
    """
    check_lang(lang)
    if code is None or (isinstance(code, float) and code != code):
        return ""
    parts = [p.strip() for p in _SPLIT.split(str(code)) if p.strip()]
    sep = "；" if lang == "zh" else "; "
    return sep.join(_one(p, lang) or p for p in parts)


def describe(problem: Any, lang: str = "zh") -> str:
    """A problem's meaning and its own message: ``meaning（message）`` in Chinese, the message in English.

    Parameters
    ----------
    problem : Problem or mapping
        Anything with ``code`` and ``message`` (a :class:`~perfeval.errors.Problem`, a row of a problems table).
    lang : {"zh", "en"}

    Notes
    -----
    perfeval's problem messages are written in English with the values involved (``got '≥95%'``). In Chinese the
    generic meaning comes first and the English detail follows in brackets, so nothing located is lost; in
    English the message says it all and the meaning is only added when the message is empty.
    """
    check_lang(lang)
    get = problem.get if isinstance(problem, Mapping) else (lambda k, d=None: getattr(problem, k, d))
    code, text = str(get("code", "") or ""), str(get("message", "") or "").strip()
    meaning = message(code, lang)
    if lang == "en":
        return text or meaning
    if not text:
        return meaning
    return f"{meaning}（{text}）" if meaning and meaning != code else text


def problem_text(problem: Any, lang: str = "zh") -> str:
    """A problem's message as a terminal line shows it: the message itself, then, in Chinese, its code's meaning in
    full-width brackets (``the target is empty（未填写年度指标值）``); in English the message alone.

    The message stays first and unchanged so that a line keeps its ``location: code: message`` form (scripts that
    grep the English message keep working) and the Chinese reader gets the meaning of every code.
    """
    check_lang(lang)
    get = problem.get if isinstance(problem, Mapping) else (lambda k, d=None: getattr(problem, k, d))
    code, text = str(get("code", "") or ""), str(get("message", "") or "")
    if lang != "zh":
        return text
    meaning = message(code, "zh")
    if not meaning or meaning == code:
        return text
    return f"{text}（{meaning}）" if text else meaning


def problem_line(problem: Any, lang: str = "zh") -> str:
    """``location: code: message`` as the command line prints a problem (:func:`problem_text`)."""
    get = problem.get if isinstance(problem, Mapping) else (lambda k, d=None: getattr(problem, k, d))
    return f"{get('location', '')}: {get('code', '')}: {problem_text(problem, lang)}"
