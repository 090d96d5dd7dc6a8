"""Questionnaire answers as written (private to :mod:`perfeval.survey`): scales, reading and located problems."""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .._rows import attach_headers, located, row_locations, with_source
from ..columns import UNIT_ID, resolve_columns
from ..errors import InputError, Problem

__all__ = ["Scale", "SCALES", "UNKNOWN_ANSWERS", "ANSWER_ALIASES", "read_answers", "coded_answers"]

RESPONDENT = "respondent_id"
QUESTION = "question"
ANSWER = "answer"
GROUP = "group"
WEIGHT = "weight"

#: Accepted headers of an answers file.
ANSWER_ALIASES: Mapping[str, tuple[str, ...]] = {
    RESPONDENT: ("问卷编号", "受访者编号", "样本编号", "答卷编号", "序号", "respondent"),
    UNIT_ID: ("项目编码", "单位编码", "项目代码", "编码"),
    QUESTION: ("题目", "题号", "问题", "题目编号"),
    ANSWER: ("回答", "答案", "选项", "评价"),
    GROUP: ("受访者类别", "样本类别", "群体", "分组", "层"),
    WEIGHT: ("权重", "设计权重", "抽样权重"),
}

#: Answers that are not an opinion: counted, never in the base of a rate (不清楚 and the like).
UNKNOWN_ANSWERS: frozenset[str] = frozenset({"不清楚", "不了解", "不知道", "说不清", "说不清楚", "无法回答",
                                             "无法评价", "不适用"})

#: An option letter before the answer (``A.非常满意``, ``B、满意``, ``(E)不满意``), as questionnaires print them.
_OPTION_LETTER = re.compile(r"^(?:\([A-Ja-j]\)|[A-Ja-j][.、:)])(?=\S)")


@dataclass(frozen=True)
class Scale:
    """An answer scale of a questionnaire.

    Attributes
    ----------
    name : str
    levels : tuple of str
        The answers, best first (labels; for numeric scales the codes as text, highest first).
    satisfied : tuple of str or None
        Default satisfied answers of the share convention; None when the scale has no usual choice (then the
        caller must say).
    aliases : mapping
        Other spellings -> level (很满意 -> 非常满意 ...).
    numeric : bool
        Answers are integer codes ``low``..``high``.
    """

    name: str
    levels: tuple[str, ...]
    satisfied: tuple[str, ...] | None
    aliases: Mapping[str, str] = field(default_factory=dict)
    numeric: bool = False

    @property
    def default_scores(self) -> dict[str, float]:
        r"""Level scores of the weighted-score convention: :math:`100 (k - i) / k` for the i-th best of k levels
        (5 levels: 100 / 80 / 60 / 40 / 20; a 1-10 scale: 10 points per step)."""
        k = len(self.levels)
        return {level: 100.0 * (k - i) / k for i, level in enumerate(self.levels)}

    def code(self, text: str) -> str | None:
        """The level an answer (already normalised) stands for, else None."""
        if text in self.levels:
            return text
        if text in self.aliases:
            return self.aliases[text]
        if self.numeric:
            number = text[:-1] if text.endswith("分") else text
            try:
                value = float(number)
            except ValueError:
                return None
            if value.is_integer() and str(int(value)) in self.levels:
                return str(int(value))
        return None


_SIX = ("非常满意", "满意", "比较满意", "一般", "不满意", "非常不满意")
_FIVE = ("非常满意", "满意", "一般", "不满意", "非常不满意")
_ALIASES = {"很满意": "非常满意", "十分满意": "非常满意", "很不满意": "非常不满意", "十分不满意": "非常不满意"}

#: The scales known by name.
SCALES: Mapping[str, Scale] = {
    "labels": Scale("labels", _SIX, _SIX[:3], {**_ALIASES, "较满意": "比较满意"}),
    "labels5": Scale("labels5", _FIVE, _FIVE[:2], dict(_ALIASES)),
    "1-5": Scale("1-5", tuple(str(i) for i in range(5, 0, -1)), ("5", "4"), numeric=True),
    "1-10": Scale("1-10", tuple(str(i) for i in range(10, 0, -1)), None, numeric=True),
}


def _scale(scale: str | Scale) -> Scale:
    if isinstance(scale, Scale):
        return scale
    if scale not in SCALES:
        raise ValueError(f"`scale` must be one of {list(SCALES)} or a Scale; got {scale!r}.")
    return SCALES[scale]


def _normalise(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    text = unicodedata.normalize("NFKC", str(value))
    text = re.sub(r"\s+", "", text)
    return _OPTION_LETTER.sub("", text) if len(text) > 2 else text


def read_answers(answers: pd.DataFrame | str | Path, *, questions: Sequence[str] | None = None,
                 group: str | None = None, weights: str | None = None) -> pd.DataFrame:
    """Answers as a long table: one row per respondent and question.

    Parameters
    ----------
    answers : DataFrame or path
        Long (``respondent_id, unit_id, question, answer``, optional ``group``, ``weight``; Chinese headers 问卷编号,
        项目编码, 题目, 回答, 受访者类别, 权重 accepted) or wide (one column per question: every column that is not
        one of those, or the ``questions`` given). A CSV or XLSX file is read with :func:`perfeval.read_table`.
    questions : sequence of str, optional
        The question columns of a wide table (default: all other columns).
    group, weights : str, optional
        Headers of the respondent-group and design-weight columns when they are not among the accepted ones.

    Returns
    -------
    pandas.DataFrame
        ``respondent_id, unit_id, question, answer`` (as written), ``group`` and ``weight`` when given, then
        ``source_file``, ``source_row`` and ``source_column`` (the header an answer was read from).

    Raises
    ------
    InputError
        ``missing_column`` (no respondent or unit column, or a wide table without question columns).
    """
    if isinstance(answers, (str, Path)):
        from ..io import read_table

        frame = read_table(answers, ANSWER_ALIASES, [RESPONDENT, UNIT_ID], kind="answers")
    elif isinstance(answers, pd.DataFrame):
        renamed = resolve_columns(answers.columns, ANSWER_ALIASES)
        frame = with_source(answers.rename(columns=renamed), "answers")
        attach_headers(frame, "answers", {canonical: str(header) for header, canonical in renamed.items()})
    else:
        raise TypeError(f"`answers` must be a DataFrame or a file path; got {type(answers).__name__}.")
    for header, canonical in ((group, GROUP), (weights, WEIGHT)):
        if header is not None and header != canonical and not (header not in frame and canonical in frame):
            if header not in frame:
                raise InputError.single("answers", "missing_column",
                                        f"no column {header!r} in the answers; got {list(frame.columns)}")
            frame = frame.rename(columns={header: canonical})
    missing = [c for c in (RESPONDENT, UNIT_ID) if c not in frame]
    if missing:
        raise InputError.single(str(frame["source_file"].iat[0]) if len(frame) else "answers", "missing_column",
                                f"answers need the columns respondent_id and unit_id (or 问卷编号, 项目编码); "
                                f"missing {missing}; got {list(frame.columns[:-2])}.")
    keep = [c for c in (RESPONDENT, UNIT_ID, GROUP, WEIGHT) if c in frame]
    source = ["source_file", "source_row"]
    if ANSWER in frame and QUESTION in frame:
        out = frame[[*keep, QUESTION, ANSWER, *source]].copy()
        out["source_column"] = ANSWER
    else:
        cols = list(questions) if questions is not None else [
            c for c in frame.columns if c not in (*keep, *source, QUESTION, ANSWER)]
        absent = [c for c in cols if c not in frame]
        if not cols or absent:
            raise InputError.single("answers", "missing_column",
                                    "a wide answers table needs one column per question"
                                    + (f"; missing {absent}" if absent else "; found none"))
        out = frame.melt(id_vars=[*keep, *source], value_vars=cols, var_name=QUESTION, value_name=ANSWER)
        out["source_column"] = out[QUESTION]
        out = out.sort_values(["source_row", QUESTION], kind="stable",
                              key=lambda s: s.map({c: i for i, c in enumerate(cols)}) if s.name == QUESTION else s)
    for col in (RESPONDENT, UNIT_ID, QUESTION):
        out[col] = out[col].map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v))
                                else str(v).strip())
    if GROUP in out:
        out[GROUP] = out[GROUP].map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v))
                                    else str(v).strip())
    out = out.reset_index(drop=True)
    out.attrs = dict(frame.attrs)
    return out[[*keep, QUESTION, ANSWER, *source, "source_column"]]


def _where(frame: pd.DataFrame, i: int) -> str:
    from ..errors import format_location
    from .._rows import header_as_written

    file = frame["source_file"].iat[i]
    column = frame["source_column"].iat[i]
    return format_location(file, int(frame["source_row"].iat[i]), header_as_written(frame, file, column))


def coded_answers(long: pd.DataFrame, scales: Mapping[str, Scale], default: Scale, *,
                  units: Iterable[str] | None = None, weights: bool = False, group: bool = False) -> pd.DataFrame:
    """Code every answer (``status``: ``valid`` / ``unknown`` / ``blank``; ``level``) and raise every bad one.

    Problems: ``unknown_answer`` (not on the question's scale), ``out_of_scale`` (a number outside it or not a
    whole code), ``duplicate_answer`` (a respondent answering the same question twice), ``respondent_two_units``
    (one questionnaire number under two projects), ``unknown_unit`` (a questionnaire for a project not surveyed),
    ``missing_value`` (no respondent or project), ``bad_weight``, ``inconsistent_weight`` and
    ``inconsistent_group`` (a respondent's rows disagreeing).
    """
    problems: list[Problem] = []
    n = len(long)
    status = np.empty(n, dtype=object)
    level = np.empty(n, dtype=object)
    for i, (question, raw) in enumerate(zip(long[QUESTION], long[ANSWER])):
        scale = scales.get(question, default)
        text = _normalise(raw)
        level[i] = None
        if text == "":
            status[i] = "blank"
        elif text in UNKNOWN_ANSWERS:
            status[i] = "unknown"
        else:
            coded = scale.code(text)
            if coded is not None:
                status[i], level[i] = "valid", coded
            else:
                status[i] = "bad"
                number = text[:-1] if text.endswith("分") else text
                try:
                    float(number)
                    is_number = True
                except ValueError:
                    is_number = False
                if is_number and scale.numeric:
                    problems.append(Problem(_where(long, i), "out_of_scale",
                                            f"question {question!r}: {raw!r} is not a code of the {scale.name} scale "
                                            f"({scale.levels[-1]}-{scale.levels[0]})"))
                else:
                    problems.append(Problem(_where(long, i), "unknown_answer" if not is_number else "out_of_scale",
                                            f"question {question!r}: {raw!r} is not an answer of the {scale.name} "
                                            f"scale ({' / '.join(scale.levels)}; or blank, 不清楚)"))
    for col in (RESPONDENT, UNIT_ID, QUESTION):
        empty = np.flatnonzero(long[col].eq("").to_numpy())
        problems += located(long, empty, col, "missing_value", f"`{col}` is empty")
    key = long[RESPONDENT] + "\x1f" + long[QUESTION]
    first = {}
    for i, k in enumerate(key):
        if not long[RESPONDENT].iat[i]:
            continue
        if k in first:
            problems.append(Problem(_where(long, i), "duplicate_answer",
                                    f"respondent {long[RESPONDENT].iat[i]!r} answered question "
                                    f"{long[QUESTION].iat[i]!r} twice (also at {_where(long, first[k])})"))
        else:
            first[k] = i
    unit_of: dict[str, tuple[str, int]] = {}
    for i, (r, u) in enumerate(zip(long[RESPONDENT], long[UNIT_ID])):
        if not r:
            continue
        if r in unit_of and unit_of[r][0] != u:
            problems += located(long, [i], UNIT_ID, "respondent_two_units",
                                f"questionnaire {r!r} is filed under project {u!r} here and under "
                                f"{unit_of[r][0]!r} at {row_locations(long, [unit_of[r][1]], UNIT_ID)[0]}")
        unit_of.setdefault(r, (u, i))
    if units is not None:
        expected = {str(u) for u in units}
        bad = [i for i, u in enumerate(long[UNIT_ID]) if u and u not in expected]
        problems += located(long, bad, UNIT_ID, "unknown_unit",
                            lambda i: f"questionnaire for project {long[UNIT_ID].iat[i]!r}, which is not among the "
                                      f"projects surveyed ({', '.join(sorted(expected))})")
    w = np.ones(n)
    if weights:
        w = pd.to_numeric(long[WEIGHT], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(w) | (w <= 0))
        problems += located(long, bad, WEIGHT, "bad_weight",
                            lambda i: f"the design weight must be a positive number; got {long[WEIGHT].iat[i]!r}")
    for col, name in ((WEIGHT, "design weight"), (GROUP, "group")):
        if col not in long or not (weights if col == WEIGHT else group):
            continue
        first_value: dict[str, tuple[Any, int]] = {}
        for i, (r, v) in enumerate(zip(long[RESPONDENT], long[col])):
            v = w[i] if col == WEIGHT else v
            if col == WEIGHT and not (np.isfinite(v) and v > 0):
                continue  # bad_weight already
            if r and r in first_value and first_value[r][0] != v:
                problems += located(long, [i], col, f"inconsistent_{'weight' if col == WEIGHT else 'group'}",
                                    f"respondent {r!r} has {name} {long[col].iat[i]!r} here and "
                                    f"{long[col].iat[first_value[r][1]]!r} at "
                                    f"{row_locations(long, [first_value[r][1]], col)[0]}")
            elif r and r not in first_value:
                first_value[r] = (v, i)
    if problems:
        # one problem per cell, in file order
        seen: set[tuple[str, str]] = set()
        unique = [p for p in problems if not ((p.location, p.code) in seen or seen.add((p.location, p.code)))]
        raise InputError(problems=unique)
    out = long.copy()
    out["status"] = status
    out["level"] = level
    out["w"] = w
    return out
