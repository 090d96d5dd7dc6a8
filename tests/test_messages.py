"""Every problem, finding and flag code perfeval emits has a Chinese and an English meaning (perfeval._messages)."""
from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import pytest

import perfeval
from perfeval._messages import MESSAGES, describe, has_message, message, problem_line
from perfeval.errors import Problem

sys.path.insert(0, str(Path(__file__).parent))
from _code_scan import scan  # noqa: E402

PACKAGE = Path(perfeval.__file__).parent
_CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def codes() -> dict[str, list[str]]:
    return scan(PACKAGE)


def test_every_code_has_a_zh_and_an_en_message(codes):
    missing = {c: where[:3] for c, where in codes.items()
               if c not in MESSAGES or not MESSAGES[c][0].strip() or not MESSAGES[c][1].strip()}
    assert not missing, (
        f"{len(missing)} code(s) emitted by perfeval have no (zh, en) meaning in perfeval/_messages.py; add a line "
        "for each to _M:\n" + "\n".join(f"  {c!r}: created at {', '.join(w)}" for c, w in sorted(missing.items())))


def test_meanings_are_in_their_language():
    not_zh = [c for c, (zh, _) in MESSAGES.items() if not _CJK.search(zh)]
    zh_in_en = [c for c, (_, en) in MESSAGES.items() if _CJK.search(en) and not re.search(r"[a-z]{3}", en)]
    assert not not_zh and not zh_in_en, (not_zh, zh_in_en)


@pytest.mark.parametrize("code", [
    "missing_target",            # _problems(obs, mask, column, "code", ...) in aggregate/_rows.py
    "duplicate_column",          # log.add("code", ..., file=...)
    "bad_output",                # raise _error(where, "code", ...)
    "unknown_status",            # a nested add(col, "code", msg) storing tuples (indicator library)
    "empty_score",               # a nested helper miss("code", ...) passed on as a callback
    "bad_choice",                # the default of a code parameter: def choice(..., code="bad_choice")
    "bad_cap",                   # doc.number(..., code="bad_cap")
    "unknown_answer",            # "unknown_answer" if not is_number else "out_of_scale"
    "ambiguous_number",          # class AmbiguousNumber(Unparseable): code = "ambiguous_number"
    "data_quality",              # DataQualityWarning caught by perfeval validate
    "near_cut", "severe",        # flags of functions named *_flags
    "stale", "not_reported",     # strings put in a flags column
    "strict_op",                 # flags.append("strict_op")
    "scored_by_evaluator",       # FLAG_BITS
    "unmet_full_score",          # Finding("code", ...) of the audit vocabulary
    "red_light", "ahp",          # Draft(section, unit, "code", ...) and the pair(...) helper of the narrative
    "exists",                    # InputError.single(loc, "code", ...)
    "qualitative_level",         # a vocabulary constant: TARGET_FLAGS = (...)
    "not_in_library",            # the indicator library's FINDINGS = (...)
    "outside_loa",               # UNIT_FLAGS = MappingProxyType({...})
])
def test_the_scan_finds_each_way_a_code_is_made(codes, code):
    assert code in codes


@pytest.mark.parametrize("word", ["stream", "display_data", "execute_result", "panel", "self", "annual_summary",
                                  "flags", "kind", "sector"])
def test_the_scan_takes_no_other_strings_for_codes(codes, word):
    assert word not in codes


def test_a_new_code_is_found_and_named_in_the_failure(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "mod.py").write_text(textwrap.dedent('''
        from perfeval.errors import InputError, Problem

        class Log:
            def add(self, code, message, *, file, row=None):
                self.items.append(Problem(file, code, message))

        def check(log, seen):
            seen.add("not_a_code")
            log.add("brand_new_code", "something is wrong", file="x.csv")
            what = "another_new_code"
            problems = [Problem("x.csv:2", what, "also wrong")]
            raise InputError.single("x", "third_new_code", "no")
    '''), encoding="utf-8")
    found = scan(PACKAGE, pkg)            # perfeval's own helpers (InputError.single ...) are known
    assert {"brand_new_code", "another_new_code", "third_new_code"} <= set(found)
    assert "not_a_code" not in found
    assert found["brand_new_code"] == ["pkg/mod.py:10"]


def test_message_in_both_languages_and_composite_codes():
    assert message("missing_target") == "未填写年度指标值"
    assert message("missing_target", "en") == "the target is empty"
    assert message("audit.unmet_full_score") == "目标未完成却按满分自评"
    assert message("near_cut;two_grade_jump") == "总分接近等级分界；自评与复核等级相差两级及以上"
    assert message("veto:safety", "en") == "veto safety applied"
    assert message("") == "" and message(None) == "" and message(float("nan")) == ""
    assert message("no_such_code_xyz") == "no_such_code_xyz"     # shown as it is, never an error
    assert has_message("near_cut;stale") and not has_message("no_such_code_xyz") and not has_message("")
    with pytest.raises(ValueError, match="lang"):
        message("missing_target", "fr")


def test_describe_keeps_the_located_detail():
    p = Problem("indicators.csv:7:target", "missing_target", "the target is empty: the row cannot be scored")
    assert describe(p) == "未填写年度指标值（the target is empty: the row cannot be scored）"
    assert describe(p, "en") == "the target is empty: the row cannot be scored"
    assert describe({"code": "zero_budget", "message": ""}) == "预算数为0，执行率无法计算"
    assert problem_line(p) == "indicators.csv:7:target: missing_target: the target is empty: the row cannot be " \
                              "scored（未填写年度指标值）"
    assert problem_line(p, "en") == str(p)
