"""Schema of indicator library files (fields, vocabularies, per-entry rules, CSV reader) and observation rows.

Private to :mod:`perfeval.library`, which re-exports the public constants. Every rule returns located problems so
that a file's problems are reported all at once (domain.md §8; PMKPI ``BAS_PERF_INDICATOR``). The bottom layer
of the package: it imports nothing from it.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping

import pandas as pd

from .. import columns as C
from ..errors import InputError, Problem


# ---------------------------------------------------------------------------------------------------------------
# vocabularies
# ---------------------------------------------------------------------------------------------------------------
#: CSV columns of a library file, in their documented order.
FIELDS: tuple[str, ...] = (
    "code", "name_zh", "name_en", "level1", "level2", "definition", "kind", "op", "unit", "scoring_rule",
    "formula", "data_source", "sector", "applies_to", "common", "status", "valid_from", "valid_to")
_OPTIONAL = ("definition", "unit", "formula", "data_source", "common", "valid_from", "valid_to")
KINDS: tuple[str, ...] = ("quantitative", "qualitative")
OPS: tuple[str, ...] = (">=", "<=", "=", "qualitative")
#: Scoring rule names an entry may reference (the rules themselves live in :mod:`perfeval.scoring`).
SCORING_RULES: tuple[str, ...] = (
    "positive", "reverse", "equality", "qualitative", "execution", "piecewise", "evaluator", "deduction")
STATUSES: tuple[str, ...] = ("approved", "draft")
APPLIES_TO: tuple[str, ...] = ("project", "department", "transfer", "policy")
#: Code prefix -> sector of the shipped library; a user library may add prefixes of its own.
SECTOR_PREFIXES: Mapping[str, str] = MappingProxyType({
    "GEN": "general", "DEP": "department", "TRF": "transfer", "EDU": "education", "HLT": "health",
    "TRA": "transport", "AGR": "agriculture", "ENV": "environment", "SOC": "social_security", "SCI": "science",
    "WAT": "water", "CUL": "culture", "HOU": "housing"})
#: Second code segment -> first-level names it stands for (project/policy sets, then the department set).
LEVEL1_SEGMENTS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "DEC": ("决策",), "PRC": ("过程",), "OUT": ("产出", "产出指标"), "EFF": ("效益", "效益指标"),
    "SAT": ("满意度指标", "满意度", "服务对象满意度"), "COS": ("成本指标", "运行成本"), "MGT": ("管理效率",),
    "PER": ("履职效能",), "SOC": ("社会效应",), "SUS": ("可持续发展能力",)})
# operators each scoring rule can score
_RULE_OPS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "positive": (">=",), "reverse": ("<=",), "equality": ("=",), "execution": (">=",),
    "piecewise": (">=", "<=", "="), "qualitative": ("qualitative",), "evaluator": ("qualitative",),
    "deduction": ("qualitative", "<=", "=")})
# cost dimensions: 成本指标 under 产出 (财预〔2015〕88号), as a first level with its three kinds (财预〔2021〕101号),
# and the department set's 运行成本 (中发〔2018〕34号)
_COST_LEVEL1 = ("成本指标", "运行成本")
_COST_LEVEL2 = ("成本指标", "经济成本指标", "社会成本指标", "生态环境成本指标")
_CODE_RE = re.compile(r"^([A-Z]{3})-([A-Z]{3})-(\d{3})$")
_DATE_RE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_SPACE_RE = re.compile(r"\s+")
_OP_ALIASES = {"≥": ">=", "≤": "<=", "==": "=", "定性": "qualitative"}
_KIND_ALIASES = {"定量": "quantitative", "定性": "qualitative"}
_TRUE = frozenset({"true", "1", "yes", "y", "是", "共性"})
_FALSE = frozenset({"false", "0", "no", "n", "否", "个性", ""})
#: Chinese headers accepted for the library columns (local libraries exported from Excel).
_HEADER_ALIASES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "code": ("指标编码", "指标代码"), "name_zh": ("指标名称", "三级指标"), "name_en": ("英文名称",),
    "level1": ("一级指标",), "level2": ("二级指标",), "definition": ("指标解释", "指标值说明"),
    "kind": ("指标类型",), "op": ("指标性质", "计算符号"), "unit": ("计量单位", "度量单位"),
    "scoring_rule": ("评分规则", "评分标准"), "formula": ("计算公式",), "data_source": ("数据来源",),
    "sector": ("行业", "适用行业"), "applies_to": ("适用范围",), "common": ("是否共性", "共性指标"),
    "status": ("状态",), "valid_from": ("生效日期", "启用日期"), "valid_to": ("失效日期", "停用日期")})
_BAD = object()  # a cell that could not be parsed (its problem is already reported)


def choices(values: Iterable[str]) -> str:
    """``'a', 'b', 'c'`` for messages."""
    return ", ".join(repr(v) for v in values)


def norm_name(text: object) -> str:
    """Name as compared: NFKC (full-width -> half-width), no whitespace, case-folded."""
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", str(text))).casefold()


def norm_op(text: object) -> str:
    """Operator in canonical form (``≥`` -> ``>=``, ``定性`` -> ``qualitative``); unknown text is returned as is."""
    s = _SPACE_RE.sub("", unicodedata.normalize("NFKC", str(text)))
    return _OP_ALIASES.get(s, s)


def strip_level(text: str) -> str:
    """Level name as compared by search: normalised, without a trailing 指标 (产出指标 -> 产出)."""
    s = norm_name(text)
    return s[:-2] if s.endswith("指标") and len(s) > 2 else s


#: Words of an indicator under a cost node for which ``>=`` is right: a rate of saving (成本节约率 = (计划成本 -
#: 实际成本) / 计划成本, domain.md §5.1) or a minimum standard that must be paid at least (基础养老金最低标准,
#: 生均公用经费基准定额: "不得低于标准"). Shared by the library check, the framework check, the audit's
#: ``cost_indicator_ge`` and the bare-target reading of cost rows.
COST_GE_WORDS: tuple[str, ...] = ("节约", "节省", "降低", "下降", "压减", "降幅", "saving", "reduction",
                                  "最低标准", "基准定额", "最低保障标准", "minimum")


def cost_ge_allowed(name: Any) -> bool:
    """True when a cost indicator's name says ``>=`` is right (:data:`COST_GE_WORDS`)."""
    text = str(name).lower()
    return any(word in text for word in COST_GE_WORDS)


def is_cost_level(level1: str, level2: str) -> bool:
    """True when the levels name a cost dimension (the sanity rule of domain.md §3 applies)."""
    return norm_name(level1) in _COST_LEVEL1 or norm_name(level2) in _COST_LEVEL2


# ---------------------------------------------------------------------------------------------------------------
# rules of one entry
# ---------------------------------------------------------------------------------------------------------------
def entry_problems(v: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """Problems of one entry's typed values as ``(column, code, message, severity)``; cells equal to _BAD are
    skipped (their parse problem is already reported)."""
    out: list[tuple[str, str, str, str]] = []

    def add(col: str, code: str, msg: str, severity: str = "error") -> None:
        out.append((col, code, msg, severity))

    for col in ("code", "name_zh", "name_en", "level1", "level2", "sector"):
        if not str(v[col]).strip():
            add(col, "missing_value", f"`{col}` must not be empty.")
    code = str(v["code"]).strip()
    match = _CODE_RE.match(code)
    if code and (match is None or match.group(2) not in LEVEL1_SEGMENTS):
        add("code", "bad_code", f"`code` must match <SECTOR>-<L1>-<NNN> with SECTOR three capital letters and "
                                f"L1 one of {', '.join(LEVEL1_SEGMENTS)} (e.g. 'GEN-PRC-002'); got {code!r}.")
    kind, op, rule = v["kind"], v["op"], v["scoring_rule"]
    if kind not in KINDS:
        add("kind", "unknown_kind", f"`kind` must be one of {choices(KINDS)}; got {kind!r}.")
    if op not in OPS:
        add("op", "unknown_op", f"`op` must be one of {choices(OPS)} (≥, ≤ and 定性 are read as such); got {op!r}.")
    if kind in KINDS and op in OPS and (kind == "qualitative") != (op == "qualitative"):
        add("op", "kind_op_mismatch", f"`op` must be 'qualitative' exactly when `kind` is 'qualitative'; got "
                                      f"kind {kind!r} with op {op!r}.")
    if rule not in SCORING_RULES:
        add("scoring_rule", "unknown_scoring_rule",
            f"`scoring_rule` must be one of {choices(SCORING_RULES)}; got {rule!r}.")
    elif op in OPS and op not in _RULE_OPS[rule]:
        add("scoring_rule", "rule_op_mismatch", f"scoring rule {rule!r} scores op {choices(_RULE_OPS[rule])}; "
                                                f"got op {op!r}.")
    if rule == "execution" and "预算执行率" not in norm_name(v["name_zh"]):
        add("scoring_rule", "execution_rule", f"scoring rule 'execution' is reserved for 预算执行率; got it on "
                                              f"{v['name_zh']!r}.")
    if (op == ">=" and is_cost_level(str(v["level1"]), str(v["level2"]))
            and not cost_ge_allowed(f"{v['name_zh']} {v['name_en']}")):
        add("op", "cost_op", f"a cost indicator ({v['level1']}/{v['level2']}) must use '<=' or '=' (a '>=' "
                             "target rewards spending more; saving rates and minimum standards excepted); got "
                             "'>='.")
    if kind == "quantitative" and not str(v["unit"]).strip():
        add("unit", "missing_unit", "`unit` must be given for a quantitative indicator (e.g. %, 人次, 万元).")
    if v["status"] not in STATUSES:
        add("status", "unknown_status", f"`status` must be one of {choices(STATUSES)}; got {v['status']!r}.")
    if v["applies_to"] is not _BAD:
        bad = [a for a in v["applies_to"] if a not in APPLIES_TO]
        if bad or not v["applies_to"]:
            add("applies_to", "unknown_applies_to", f"`applies_to` must be one or more of {choices(APPLIES_TO)} "
                                                    f"separated by '|'; got {'|'.join(v['applies_to'])!r}.")
    if v["common"] is not _BAD and not isinstance(v["common"], bool):
        add("common", "bad_bool", f"`common` must be a bool; got {v['common']!r}.")
    start, end = v["valid_from"], v["valid_to"]
    for col, value in (("valid_from", start), ("valid_to", end)):
        if value is not None and value is not _BAD and not isinstance(value, date):
            add(col, "bad_date", f"`{col}` must be a datetime.date or None; got {value!r}.")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        add("valid_to", "date_order", f"`valid_to` must not be before `valid_from` ({start}); got {end}.")
    # content checks (flagged, not refused)
    if not str(v["definition"]).strip():
        add("definition", "missing_definition", "`definition` (指标解释) is empty.", "warning")
    if kind == "qualitative" and str(v["unit"]).strip():
        add("unit", "unit_on_qualitative", f"a qualitative indicator has no unit; got {v['unit']!r}.", "warning")
    if match is not None:
        prefix, seg = match.group(1), match.group(2)
        sector = SECTOR_PREFIXES.get(prefix)
        if sector is not None and v["sector"] != sector:
            add("sector", "code_sector_mismatch", f"code prefix {prefix!r} is sector {sector!r}; got "
                                                  f"{v['sector']!r}.", "warning")
        names = LEVEL1_SEGMENTS.get(seg)
        if names is not None and norm_name(v["level1"]) not in names:
            add("level1", "code_level_mismatch", f"code segment {seg!r} stands for {'/'.join(names)}; got "
                                                 f"{v['level1']!r}.", "warning")
    return out


# ---------------------------------------------------------------------------------------------------------------
# reading library files
# ---------------------------------------------------------------------------------------------------------------
def parse_date(text: str) -> date | None:
    """``YYYY-MM-DD`` (or ``YYYY/M/D``, as Excel re-saves dates) as a date; None when it is not a valid date."""
    m = _DATE_RE.match(text.strip())
    if m is None:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _decode(path: Path) -> str | None:
    """The file's text, trying UTF-8 (with or without BOM) and then GB18030; None when both fail."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _parse_cells(cells: Mapping[str, str], loc: Mapping[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """Typed values of one row (``_BAD`` where a cell cannot be parsed) and the parse problems."""
    v: dict[str, Any] = {name: cells.get(name, "").strip() for name in FIELDS}
    problems: list[Problem] = []
    v["op"] = norm_op(v["op"])
    v["kind"] = _KIND_ALIASES.get(v["kind"], v["kind"])
    v["applies_to"] = tuple(s.strip() for s in v["applies_to"].split("|") if s.strip())
    common = v["common"].casefold()
    if common in _TRUE or common in _FALSE:
        v["common"] = common in _TRUE
    else:
        problems.append(Problem(loc["common"], "bad_bool", f"`common` must be true or false (是/否); got "
                                                            f"{v['common']!r}."))
        v["common"] = _BAD
    for col in ("valid_from", "valid_to"):
        text = v[col]
        v[col] = parse_date(text) if text else None
        if text and v[col] is None:
            problems.append(Problem(loc[col], "bad_date", f"`{col}` must be a date YYYY-MM-DD; got {text!r}."))
            v[col] = _BAD
    return v, problems


def read_file(path: Path, label: str) -> tuple[list[tuple[int, str, dict[str, Any] | None]], list[Problem]]:
    """Rows of one library CSV as ``(spreadsheet row, code, typed values or None when unusable)``, and problems."""
    text = _decode(path)
    if text is None:
        return [], [Problem(label, "encoding", "the file must be UTF-8 or GB18030 text; it is neither.")]
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return [], [Problem(label, "csv_syntax", f"the file is not valid CSV: {exc}.")]
    if not records or not any(c.strip() for c in records[0]):
        return [], [Problem(f"{label}:1", "empty_file", "the file must start with a header row; it is empty.")]
    header = [h.strip() for h in records[0]]
    mapping = C.resolve_columns(dict.fromkeys(header), _HEADER_ALIASES)
    canon = {C.normalize_header(k): k for k in FIELDS}
    for name, aliases in _HEADER_ALIASES.items():
        canon.update({C.normalize_header(a): name for a in aliases})
    problems: list[Problem] = []
    columns: list[str | None] = []  # canonical field of each column (None: ignored)
    for h in header:
        field = mapping.get(h)
        if field is not None and field not in columns:
            columns.append(field)
            continue
        columns.append(None)
        known = canon.get(C.normalize_header(h)) if h else None
        if known:
            problems.append(Problem(f"{label}:1:{h}", "duplicate_column", f"column {h!r} repeats {known!r}."))
        elif h:
            problems.append(Problem(f"{label}:1:{h}", "unknown_column", f"column {h!r} is not a library field "
                                    f"and is ignored; fields: {', '.join(FIELDS)}.", "warning"))
    missing = [f for f in FIELDS if f not in columns and f not in _OPTIONAL]
    for f in missing:
        problems.append(Problem(f"{label}:1", "missing_column",
                                f"required column {f!r} is missing; accepted headers: "
                                f"{', '.join([f, *_HEADER_ALIASES.get(f, ())])}."))
    if missing:
        return [], problems
    written = {f: h for f, h in zip(columns, header) if f is not None}
    rows: list[tuple[int, str, dict[str, Any] | None]] = []
    for n, record in enumerate(records[1:], start=2):
        if not any(c.strip() for c in record):
            continue
        loc = {f: f"{label}:{n}:{written.get(f, f)}" for f in FIELDS}
        if len(record) > len(header) and any(c.strip() for c in record[len(header):]):
            problems.append(Problem(f"{label}:{n}", "too_many_cells",
                                    f"the row has {len(record)} cells but the header has {len(header)}."))
        cells = {f: record[i] if i < len(record) else "" for i, f in enumerate(columns) if f is not None}
        values, row_problems = _parse_cells(cells, loc)
        row_problems += [Problem(loc[col], code, msg, sev) for col, code, msg, sev in entry_problems(values)
                         if sev == "error"]
        problems.extend(row_problems)
        rows.append((n, values["code"], None if row_problems else values))
    return rows, problems


# ---------------------------------------------------------------------------------------------------------------
# observation rows checked against the library
# ---------------------------------------------------------------------------------------------------------------
def filled(value: Any) -> bool:
    """False for None, NaN, NA and blank text."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return False
    return bool(str(value).strip())


def _row_number(value: Any) -> Any:
    """A spreadsheet row as written (5, not 5.0, when a column with gaps turned it into floats)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def observation_items(obs: pd.DataFrame) -> list[tuple[str, str, str | None, Any, str, str]]:
    """``(name location, name, code, op, code location, op location)`` per observation row."""
    has_code, has_name = C.INDICATOR_CODE in obs.columns, C.INDICATOR in obs.columns
    if not (has_code or has_name):
        raise InputError.single("framework_or_observations", "missing_column",
                                f"observations must have a {C.INDICATOR_CODE!r} or {C.INDICATOR!r} column; got "
                                f"columns {choices(map(str, obs.columns))}.")
    located = "source_file" in obs.columns and "source_row" in obs.columns
    items = []
    for idx, rec in zip(obs.index, obs.to_dict("records")):
        code = str(rec[C.INDICATOR_CODE]).strip() if has_code and filled(rec[C.INDICATOR_CODE]) else None
        name = str(rec[C.INDICATOR]) if has_name and filled(rec[C.INDICATOR]) else (code or "")
        if not name:
            continue  # an empty row: nothing to look up (perfeval.io reports missing indicators)
        where = (f"{rec['source_file']}:{_row_number(rec['source_row'])}" if located and filled(rec["source_file"])
                 else f"observations[{idx}]")
        code_col = C.INDICATOR_CODE if code else C.INDICATOR
        items.append((f"{where}:{C.INDICATOR}", name, code, rec.get(C.OP), f"{where}:{code_col}",
                      f"{where}:{C.OP}"))
    return items
