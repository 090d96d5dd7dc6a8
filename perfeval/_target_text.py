"""The words and signs of target and actual cells, and the reading of one cell (private to :mod:`perfeval.targets`).

The tables here are the lexical knowledge: look-alike signs, operator words, suffixes, multipliers, money units,
level wordings. :func:`read_cell` reads one normalised cell into a :class:`Cell` or raises :class:`Unparseable`
with the reason and what to write instead; :mod:`perfeval.targets` turns that into located problems.
"""
from __future__ import annotations

import math
import re
import unicodedata
from typing import Any, NamedTuple

import pandas as pd

__all__ = ["MONEY_UNITS", "TARGET_FLAGS", "ROW_FLAGS", "Cell", "Unparseable", "AmbiguousNumber", "normalize",
           "is_missing", "read_cell", "is_free_text", "OP_LOOKUP", "OP_UNSPECIFIED", "LEVEL_LOOKUP",
           "OFFICIAL_LEVEL_PHRASES", "level_from_words", "is_not_applicable", "NOT_APPLICABLE_WORDS", "target_in_name"]

#: Money units and their value in 元.
MONEY_UNITS: dict[str, float] = {"元": 1.0, "千元": 1e3, "万元": 1e4, "百万元": 1e6, "千万元": 1e7, "亿元": 1e8}

#: Flags a parsed target or actual may carry.
TARGET_FLAGS: tuple[str, ...] = ("bare_target", "strict_op", "deadline", "multiplied", "approximate",
                                 "actual_restates_target", "missing", "qualitative_level")

#: Flags :func:`perfeval.targets.parse_observations` adds to a row (``parse_flags``) when it reads what the unit
#: left implicit: the level of a qualitative row (from the actual restating the target, from level words, from
#: the claimed score), a row marked not applicable by its actual (``不适用``, ``/``), a target written in the
#: indicator's name.
ROW_FLAGS: tuple[str, ...] = ("level_from_text", "level_from_words", "level_from_score", "applicable_from_actual",
                              "target_in_name")

_SIGNS = str.maketrans({"≧": ">=", "⩾": ">=", "≥": ">=", "≦": "<=", "⩽": "<=", "≤": "<=", "═": "=",
                        "＝": "=", "﹦": "=", "﹪": "%", "－": "-", "—": "-", "–": "-", "～": "~", "×": "*"})
_OP_WORDS: tuple[tuple[str, str, bool], ...] = tuple(sorted((
    *((w, ">=", False) for w in ("不低于", "不少于", "不小于", "不得低于", "不得少于", "大于等于", "大于或等于",
                                 "高于等于", "高于或等于", "至少", "达到", ">=", "=>")),
    *((w, "<=", False) for w in ("不高于", "不超过", "不多于", "不大于", "不得高于", "不得超过", "小于等于",
                                 "小于或等于", "低于等于", "低于或等于", "最多", "控制在", "<=", "=<")),
    *((w, "=", False) for w in ("等于", "==", "=")),
    *((w, ">=", True) for w in ("大于", "高于", "超过", "多于", ">")),
    *((w, "<=", True) for w in ("小于", "低于", "少于", "<")),
), key=lambda t: -len(t[0])))
_OP_WORD_SET = frozenset(w for w, _, _ in _OP_WORDS)
# the first word of _OP_WORDS (longest first) that starts a cell: a regex alternation tries them in that order
_OP_PREFIX = re.compile("|".join(re.escape(w) for w, _, _ in _OP_WORDS))
_OP_OF_WORD = {w: (sign, strict) for w, sign, strict in reversed(_OP_WORDS)}  # the first entry of a word wins
_SUFFIX_OPS: tuple[tuple[str, str], ...] = (("及以上", ">="), ("以上", ">="), ("及以下", "<="), ("以下", "<="),
                                            ("以内", "<="))
# "(含)" (inclusive) restates what >= and <= already say; "左右" (about) makes the value approximate
_INCLUSIVE = ("(含)", "(含本数)")
_ABOUT = ("左右",)
_NUMBER = re.compile(r"([+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?)")
_UNIT = re.compile(r"(?:[^\d.,+\-~]|(?<=[A-Za-z])[23](?![\d.]))*")
_RANGE = re.compile(r"^%?(?:-|~|至|到)[+-]?\d")
_DEADLINE = re.compile(r"\d{4}年(?:\d{1,2}月)?(?:\d{1,2}[日号])?(?:底|末|年底|年末)?(?:前|之前|以前)?")
_MULTIPLIERS: tuple[tuple[str, float], ...] = (("千万", 1e7), ("百万", 1e6), ("亿", 1e8), ("万", 1e4))
_APPROX = ("约为", "大约", "约", "近")
# digits separated by whitespace (checked before normalize() drops the spaces); the one accepted grouping is the
# thousands form 1 000 / 12 345 678.9 (groups of three after the first, one space each)
_SPACED = re.compile(r"\d[\d.,]*(?:\s+[.,]?\d[\d.,]*)+")
_THOUSANDS_SPACED = re.compile(r"\d{1,3}(?: \d{3})+(?:\.\d+)?")

_LEVELS = {
    "met": ("met", "达成", "已达成", "达成年度指标", "完成", "已完成", "全部完成", "达标", "已达标", "实现", "已实现"),
    "partly": ("partly", "partly_met", "部分达成", "部分达成年度指标并具有一定效果", "部分完成", "基本完成",
               "基本达成", "部分实现", "基本实现"),
    "not_met": ("not_met", "notmet", "未达成", "未达成年度指标且效果较差", "未完成", "未达标", "未实现"),
}
#: Level wordings (normalised, lower case) -> ``met`` / ``partly`` / ``not_met``.
LEVEL_LOOKUP: dict[str, str] = {name: level for level, names in _LEVELS.items() for name in names}

#: The official wordings of the three levels (MOF 财预〔2020〕10号 art. 15 and their short forms): written as the
#: actual of a qualitative row they *state* its level (the form's own convention, no inference).
OFFICIAL_LEVEL_PHRASES: frozenset[str] = frozenset({
    "达成年度指标", "部分达成年度指标并具有一定效果", "未达成年度指标且效果较差", "达成", "部分达成", "未达成",
    "met", "partly", "not_met"})

# The usual words units write as the actual of a qualitative row, by level. Sources: the three levels of MOF
# 财预〔2020〕10号 art. 15 (达成 / 部分达成 / 未达成); the grade words of the self-evaluation (优 >= 90, 良 80-<90,
# 中 60-<80, 差 < 60 of 100, domain.md §5.4) laid over the level bands (met >= 80 %, partly 60-<80 %, not met
# < 60 %, §5.3 rule 4), so 优 / 良 / 好 / 较好 read met, 中 / 一般 partly, 差 / 较差 not met; the satisfaction
# scale of surveys (非常满意 / 满意 / 较满意 counted as satisfied in a 满意率, 基本满意 / 一般, 不满意).
_LEVEL_WORDS = {
    "met": ("达成", "已达成", "全部达成", "完全达成", "完成", "已完成", "全部完成", "全面完成", "按时完成",
            "按期完成", "如期完成", "达标", "已达标", "全部达标", "实现", "已实现", "达到", "已达到", "达到预期",
            "达到预期目标", "达到目标", "符合预期", "符合要求", "合格", "全部合格", "优", "优秀", "良", "良好",
            "好", "很好", "较好", "满意", "很满意", "非常满意", "较满意", "比较满意", "显著", "效果显著", "明显",
            "效果明显", "有效", "成效显著", "是"),
    "partly": ("基本达成", "部分达成", "部分完成", "基本完成", "大部分完成", "基本实现", "部分实现", "基本达到",
               "部分达到", "部分达到预期", "基本达到预期", "基本达标", "基本合格", "中", "一般", "基本满意",
               "效果一般", "有一定效果", "基本有效"),
    "not_met": ("未达成", "未完成", "未达标", "未实现", "未达到", "未达到预期", "不合格", "差", "较差", "很差",
                "不满意", "很不满意", "非常不满意", "无效", "效果较差", "效果差", "否"),
}
_WORD_LEVEL: dict[str, str] = {w: lv for lv, words in _LEVEL_WORDS.items() for w in words}
# longer statements beginning with a level verb: 部分达到预期 ..., 未完成年度任务 ..., 完成年度目标 ...
_WORD_PREFIXES: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"^(?:未能?|没有|尚未|不)(?:按时|按期)?(?:达成|完成|实现|达到|达标|合格)"), "not_met"),
    (re.compile(r"^(?:部分|基本|大部分|大体|大部)(?:达成|完成|实现|达到|达标|合格|满意)"), "partly"),
    (re.compile(r"^(?:已经?|全部|完全|全面|均已?|已全部|按时|按期|如期)?(?:达成|完成|实现|达到|达标)"), "met"),
)
_TRAILING_PUNCT = "。.，,；;！!"


def level_from_words(text: str) -> str | None:
    """The level the usual words of an actual state (``较满意`` -> ``met``, ``一般`` -> ``partly``, ``未完成年度任务``
    -> ``not_met``), None for other text; see ``_LEVEL_WORDS`` for the words and their sources.

    Examples
    --------
    >>> level_from_words("较满意"), level_from_words("基本达成"), level_from_words("部分达到预期"), level_from_words("延期1个月")
    ('met', 'partly', 'partly', None)
    """
    s = normalize(str(text)).rstrip(_TRAILING_PUNCT).lower()
    if not s:
        return None
    if s in _WORD_LEVEL:
        return _WORD_LEVEL[s]
    if s in LEVEL_LOOKUP:
        return LEVEL_LOOKUP[s]
    for pattern, level in _WORD_PREFIXES:
        if pattern.match(s):
            return level
    return None


#: What units write in 实际完成值 for an indicator that does not apply (not a measurement, not a level).
NOT_APPLICABLE_WORDS: frozenset[str] = frozenset({
    "不适用", "/", "//", "\\", "-", "--", "---", "n/a", "na", "无", "不涉及", "本年不涉及", "不考核"})


def is_not_applicable(text: object) -> bool:
    """True for an actual that marks the row not applicable: ``不适用``, ``/``, ``—``, ``-``, ``N/A``, ``无`` (a dash
    of any width, full-width forms included) and nothing else (no digit anywhere).

    Examples
    --------
    >>> [is_not_applicable(x) for x in ("不适用", "／", "——", "N/A", "无", "无延期", "0", "-5%")]
    [True, True, True, True, True, False, False, False]
    """
    if not isinstance(text, str):
        return False
    s = normalize(text).lower().replace("\u2014", "-").replace("\u2015", "-").replace("\u2500", "-")
    if not s or any(ch.isdigit() for ch in s):
        return False
    return s in NOT_APPLICABLE_WORDS or bool(re.fullmatch(r"-+|/+", s))


# a target written at the end of the indicator's name: [comparator] number [short unit] (年度资金支付完成率100%,
# 培训人数≥200人), or a result word (工程质量合格, 资金拨付及时)
_NAME_NUMBER = re.compile(r"((?:>=|<=|=|>|<)?[+-]?\d+(?:\.\d+)?(?:%|[^\d.%]{1,4})?)$")
_NAME_WORDS = ("按时完成", "按期完成", "全部完成", "合格", "达标", "完成", "到位", "有效", "及时", "满意", "提升",
               "提高", "改善", "规范", "健全", "良好", "显著", "明显")


def target_in_name(name: object) -> str | None:
    """The target a unit wrote at the end of an indicator's name (``年度资金支付完成率100%`` -> ``100%``,
    ``培训人数≥200人`` -> ``>=200人``, ``工程质量合格`` -> ``合格``), None when the name carries none.

    Examples
    --------
    >>> target_in_name("年度资金支付完成率100%"), target_in_name("工程质量合格"), target_in_name("培训人次")
    ('100%', '合格', None)
    """
    if not isinstance(name, str):
        return None
    s = normalize(name)
    m = _NAME_NUMBER.search(s)
    if m and m.start() > 0 and not s[m.start() - 1].isdigit():
        text = m.group(1)
        if not _DEADLINE.search(s):
            try:
                cell = read_cell(text, kind="target")
            except Unparseable:
                cell = None
            if cell is not None and not math.isnan(cell.value):
                return text
    for word in _NAME_WORDS:
        if s.endswith(word) and len(s) > len(word):
            return word
    return None
#: Operator-column spellings -> ``>=``, ``<=``, ``=``, ``qualitative`` (strict ``>`` / ``<`` read as non-strict).
OP_LOOKUP: dict[str, str] = {
    **{k: ">=" for k in (">=", "≥", "≧", "正向", "正向指标", "positive", "大于等于", "不低于")},
    **{k: "<=" for k in ("<=", "≤", "≦", "反向", "反向指标", "reverse", "小于等于", "不高于")},
    **{k: "=" for k in ("=", "＝", "═", "等于", "equality", "==")},
    **{k: "qualitative" for k in ("qualitative", "定性", "定性指标")},
    **{k: ">=" for k in (">", "大于", "高于", "=>")},
    **{k: "<=" for k in ("<", "小于", "低于", "=<")},
}
#: Operator-column spellings that say "quantitative" without naming the comparator (read it from the target).
OP_UNSPECIFIED = frozenset({"定量", "定量指标", "quantitative"})

_WRITE = "write one comparison per cell, e.g. ≥95% or 不少于20个"


class Cell(NamedTuple):
    """One cell as read: operator (None when no comparator is written), value, unit, flags, stated level."""

    op: str | None
    value: float
    unit: str = ""
    flags: tuple[str, ...] = ()
    level: str | None = None


class Unparseable(ValueError):
    """A cell that cannot be read; the message says why and what to write instead.

    ``code`` is the problem code when it is more specific than ``unparseable_target`` / ``unparseable_actual``
    (None otherwise).
    """

    code: str | None = None


class AmbiguousNumber(Unparseable):
    """Digits separated by a space (``9 5``: 95, or 9 and 5?), other than the thousands grouping ``1 000``."""

    code = "ambiguous_number"


def normalize(text: str) -> str:
    """NFKC, look-alike signs mapped to ASCII, all whitespace removed."""
    s = unicodedata.normalize("NFKC", text).translate(_SIGNS)
    return re.sub(r"\s+", "", s)


def is_missing(value: Any) -> bool:
    """True for None, NA, NaN and blank text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _split_unit(unit: str, value: float, flags: list[str]) -> tuple[float, str]:
    """Apply count multipliers (万人次 -> x1e4, 人次); money units stay."""
    if unit in MONEY_UNITS:
        return value, unit
    for prefix, factor in _MULTIPLIERS:
        if unit.startswith(prefix) and not unit[len(prefix):].startswith("元"):
            flags.append("multiplied")
            return value * factor, unit[len(prefix):]
    return value, unit


def _strip_suffixes(s: str, flags: list[str]) -> str:
    """Drop ``(含)`` and ``左右`` at the end (the latter flagged ``approximate``)."""
    for word in _INCLUSIVE:
        if s.endswith(word):
            s = s[: -len(word)]
    for word in _ABOUT:
        if s.endswith(word):
            s = s[: -len(word)]
            flags.append("approximate")
    return s


def _no_number(s: str, kind: str) -> Cell:
    """A cell without digits: qualitative text, unless it is a comparator with its number missing."""
    if s in _OP_WORD_SET or s[:1] in "<>=":
        raise Unparseable(f"a comparator without a number; {_WRITE} (or words such as 按时完成 for a "
                          "qualitative indicator)")
    level = LEVEL_LOOKUP.get(s.lower()) if kind == "actual" else None
    return Cell("qualitative", math.nan, "", ("qualitative_level",) if level else (), level)


def _check_spaces(text: str) -> None:
    """Raise :class:`AmbiguousNumber` for digits split by whitespace, except the thousands grouping ``1 000``."""
    spaced = unicodedata.normalize("NFKC", text).translate(_SIGNS)
    for m in _SPACED.finditer(spaced):
        if not _THOUSANDS_SPACED.fullmatch(m.group(0)):
            raise AmbiguousNumber(f"a space inside the number {m.group(0)!r} is ambiguous (one number or two?); "
                                  "write the number without spaces (thousands may be grouped as 1 000 or 1,000)")


def is_free_text(text: str) -> bool:
    """True for text read as qualitative without a recognised level (``很多``, ``效果良好``, a deadline): on a
    quantitative row such an actual is an error, while a level phrase (``已完成``) is not."""
    try:
        cell = read_cell(text, kind="actual")
    except Unparseable:
        return False
    return cell.op == "qualitative" and cell.level is None


def read_cell(text: str, *, kind: str) -> Cell:
    """Read one cell (``kind`` ``"target"`` or ``"actual"``); raise :class:`Unparseable` with the reason."""
    _check_spaces(text)
    s = normalize(text)
    flags: list[str] = []
    if not s:
        return Cell(None, math.nan, "", ("missing",))
    if not any(ch.isdigit() for ch in s):
        return _no_number(s, kind)
    if _DEADLINE.search(s) and not any(ch.isdigit() for ch in _DEADLINE.sub("", s)):
        return Cell("qualitative", math.nan, "", ("deadline",))
    op: str | None = None
    word = _OP_PREFIX.match(s)
    if word:
        op, strict = _OP_OF_WORD[word.group(0)]
        s = s[word.end():]
        if strict:
            flags.append("strict_op")
    if op is None:
        for word in _APPROX:
            if s.startswith(word):
                s = s[len(word):]
                flags.append("approximate")
                break
    s = _strip_suffixes(s, flags)
    for word, sign in _SUFFIX_OPS:
        if s.endswith(word):
            if op is not None and op != sign:
                raise Unparseable(f"comparator {op!r} contradicts the suffix {word!r}; keep one of them")
            op, s = sign, _strip_suffixes(s[: -len(word)], flags)
            break
    m = _NUMBER.match(s)
    if not m:
        raise Unparseable(f"expected [comparator] number [unit]; {_WRITE}")
    value = float(m.group(1).replace(",", ""))
    rest = s[m.end():]
    if _RANGE.match(rest):
        if kind == "target":
            raise Unparseable("a range is not a target: write the comparison the indicator is scored on (e.g. "
                              "≥90% for 90%-95%) and keep the range in the note")
        raise Unparseable("a range is not a measurement: write the value reached (e.g. 93%)")
    if _UNIT.fullmatch(rest) is None:
        raise Unparseable(f"cannot read {rest!r} after the number; {_WRITE}")
    value, unit = _split_unit(rest, value, flags)
    return Cell(op, value, unit, tuple(flags))
