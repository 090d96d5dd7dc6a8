"""Drafted report text, the evaluator's notes, report tables and the numbers behind them (peers, execution by
month, weight comparison), checked on hand-worked cases and on the problems the sample plants."""
from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import perfeval as pe
from perfeval import narrative, peers, summaries
from perfeval.errors import InputError
from perfeval.narrative import Draft, Note, Notes


@pytest.fixture(scope="module")
def sample():
    data = pe.load_sample()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        an = pe.pipeline.analyse(data, steps=["self", "audit", "recheck", "monitoring", "key", "exante"])
    return data, an


def _result(totals, nodes=None):
    return SimpleNamespace(totals=pd.DataFrame(totals), nodes=pd.DataFrame(nodes) if nodes is not None else None)


# --- peers ---------------------------------------------------------------------------------------------------------
def test_competition_rank_with_ties_and_float_noise():
    res = _result({"unit_id": list("ABCDE"), "total": [90.0, 95.0, 89.99999999999999, 80.0, 95.0]})
    assert (peers.rank_among_peers(res, "B").rank, peers.rank_among_peers(res, "B").ties) == (1, 1)
    a = peers.rank_among_peers(res, "A")
    assert (a.rank, a.n, a.ties) == (3, 5, 1)                    # 89.99999999999999 ties with 90
    assert peers.rank_among_peers(res, "D").text("en") == "5/5"
    units = pd.DataFrame({"unit_id": list("ABCDE"), "department_id": ["1", "1", "2", "2", "2"]})
    r = peers.rank_among_peers(res, "D", units=units, by="department_id")
    assert (r.rank, r.n, r.group, r.peers) == (3, 3, "department_id=2", ("C", "D", "E"))
    with pytest.raises(InputError, match="not in the result"):
        peers.rank_among_peers(res, "Z")
    with pytest.raises(InputError, match="needs a units table"):
        peers.rank_among_peers(res, "A", by="department_id")
    with pytest.raises(ValueError, match="either"):
        peers.rank_among_peers(res, "A", by="x", peers=["B"])


def test_peer_profile_quartiles_by_hand():
    nodes = {"unit_id": ["A", "B", "C", "D"] * 1, "node_code": ["output"] * 4, "parent_code": [None] * 4,
             "level": [1] * 4, "name": ["产出"] * 4, "points": [50.0] * 4, "score": [40.0, 30.0, 50.0, 20.0],
             "achievement": [0.8, 0.6, 1.0, 0.4], "applicable": [True, True, True, False]}
    res = _result({"unit_id": list("ABCD"), "total": [1.0, 2.0, 3.0, 4.0]}, nodes)
    p = peers.peer_profile(res, "A")
    # D is not applicable: peers are 0.6, 0.8, 1.0 -> quartiles 0.7, 0.8, 0.9 (linear interpolation)
    assert p[["peer_q1", "peer_median", "peer_q3", "n_peers"]].values.tolist() == [[0.7, 0.8, 0.9, 3]]
    assert p["gap"].iloc[0] == pytest.approx(0.0)


# --- monitoring and weights ----------------------------------------------------------------------------------------
def test_execution_by_month_by_hand():
    mon = pd.DataFrame({"unit_id": ["P1"] * 2 + ["P2"], "month": [4, 8, 6], "indicator": "budget",
                        "value": [20.0, 50.0, 0.0], "planned": [None, 0.5, None]})
    bud = pd.DataFrame({"unit_id": ["P1", "P2"], "budget_full_year": [120.0, 0.0]})
    t = pe.monitoring.execution_by_month(mon, bud)
    p1 = t[t["unit_id"] == "P1"]
    # month 4: 20/120 = 1/6 executed, 4/12 due -> ratio 50 (red); month 8 with a planned share 0.5: 50/120 / 0.5
    np.testing.assert_allclose(p1["ratio"], [50.0, 50 / 120 / 0.5 * 100])
    assert p1["colour"].tolist() == ["red", "green"] and p1["colour_zh"].tolist() == ["红", "绿"]   # 50, 83.3
    assert t.loc[t["unit_id"] == "P2", "colour"].tolist() == ["red"]        # a zero budget is red
    with pytest.raises(InputError, match="no budget line"):
        pe.monitoring.execution_by_month(mon, bud, units=["P9"])
    bad = pd.concat([mon, mon.iloc[[0]]], ignore_index=True)
    with pytest.raises(InputError, match="second budget row"):
        pe.monitoring.execution_by_month(bad, bud)


def test_compare_weights_normalises_and_aligns():
    t = pe.weighting.compare_weights({"pts": pd.Series({"a": 20.0, "b": 30.0}), "x": {"b": 1.0}})
    assert t.index.tolist() == ["a", "b"]
    assert t["pts"].tolist() == [0.4, 0.6] and t["x"].tolist() == [0.0, 1.0]
    assert t["spread"].tolist() == pytest.approx([0.4, 0.4])
    with pytest.raises(InputError, match="non-negative"):
        pe.weighting.compare_weights({"bad": {"a": -1.0, "b": 2.0}})
    with pytest.raises(InputError, match="no weights"):
        pe.weighting.compare_weights({})


# --- drafts --------------------------------------------------------------------------------------------------------
def test_every_planted_audit_problem_is_drafted_in_both_languages(sample):
    data, an = sample
    for planted in data.meta["planted"]:
        unit = str(planted["unit_id"])
        drafts = narrative.draft_problems(unit, audit=an.audit)
        codes = [d.code for d in drafts]
        assert f"audit.{planted['code']}" in codes, (unit, codes)
        for d in drafts:
            assert d.drafted and d.section == "problems" and d.zh and d.en and d.zh != d.en
            assert d.source.startswith("audit:") and "/" not in d.source
        if planted["indicator"]:
            assert any(planted["indicator"] in d.zh for d in drafts)
    assert set(narrative.FINDING_TEXTS) == set(pe.recheck.FINDINGS)     # a text for every finding code


def test_missed_target_with_its_deviation_by_hand():
    nodes = pd.DataFrame({
        "unit_id": "P1", "node_code": ["output", "output.q", "output.q.1", "execution"],
        "parent_code": [None, "output", "output.q", None], "level": [1, 2, 3, 1],
        "name": ["产出指标", "数量指标", "培训人次", "预算执行率"], "points": [20.0, 20.0, 20.0, 10.0],
        "score": [16.0, 16.0, 16.0, 5.0], "achievement": [0.8, 0.8, 0.8, 0.5], "applicable": True,
        "rule": [None, "auto", "positive", "execution"], "target": [None, None, "≥1000人次", None],
        "actual": [None, None, "800人次", None], "source_file": [None, None, "/x/y/indicators.csv", None],
        "source_row": [None, None, 7, None]})
    res = SimpleNamespace(nodes=nodes, totals=pd.DataFrame({"unit_id": ["P1"], "total": [21.0], "grade": ["差"],
                                                            "execution_rate": [0.5]}))
    drafts = narrative.draft_problems("P1", score=res)
    assert [d.code for d in drafts] == ["missed_target", "low_execution"]
    assert drafts[0].zh == "“培训人次”未完成年度指标值：指标值≥1000人次，实际完成800人次，偏差-20.00%，得16.00分（分值20分）。"
    assert drafts[0].en.endswith("a deviation of -20.00%; 16.00 of 20 points.")
    assert drafts[0].source == "score:output.q.1 indicators.csv:7"
    assert drafts[1].zh == "预算执行率偏低：全年执行率50.00%，预算执行率指标失5.00分。"
    recs = narrative.draft_recommendations(drafts)
    assert [r.code for r in recs] == ["missed_target", "low_execution"] and "“培训人次”" in recs[0].zh


def test_expert_disagreement_and_recheck_and_red_light(sample):
    data, an = sample
    drafts = narrative.draft_problems("0020002", score=an.key_evaluation, panel=an.panel)
    spread = [d for d in drafts if d.code == "expert_disagreement"]
    scores = an.panel.scores
    row = scores[(scores["unit_id"] == "0020002") & (scores["node_code"] == "decision.approval.procedure")].iloc[0]
    assert (row["max"] - row["min"]) / row["points"] >= 0.5
    assert spread[0].zh.startswith("专家对“立项程序规范性”评分分歧较大：最低1.50分、最高3分")
    u = an.recheck.units
    moved = u[u["grade_steps"] > 0].iloc[0]
    rc = narrative.draft_problems(moved["unit_id"], recheck=an.recheck)
    assert rc[0].code == "recheck_deviation"
    assert f"等级由“{moved['self_grade']}”调整为“{moved['recheck_grade']}”" in rc[0].zh
    steady = u[(u["grade_steps"] == 0) & (u["deviation"].abs() < 5)]
    assert narrative.draft_problems(steady["unit_id"].iloc[0], recheck=an.recheck) == []
    red = narrative.draft_problems("0010001", monitoring=an.monitoring, money_unit="万元")
    assert red[0].zh.startswith("截至8月预算执行进度亮红灯：累计执行408.82万元")
    assert [d.code for d in narrative.draft_problems("0010001", monitoring=an.monitoring)] == ["red_light"] * 3
    with pytest.raises(TypeError, match="unknown limit"):
        narrative.draft_problems("0010001", score=an.self_evaluation, low=0.5)


def test_conclusion_rounds_totals_down(sample):
    res = _result({"unit_id": ["P1"], "total": [89.99999999999997], "grade": ["优"], "execution_rate": [1.0]},
                  {"unit_id": ["P1"], "node_code": ["output"], "parent_code": [None], "level": [1],
                   "name": ["产出"], "points": [100.0], "score": [90.0], "achievement": [0.9], "applicable": [True]})
    assert "综合得分90.00分" in narrative.draft_conclusion(res, "P1").zh
    res.totals.loc[0, "total"] = 89.996
    d = narrative.draft_conclusion(res, "P1")
    assert "综合得分89.99分" in d.zh and "a total of 89.99 points" in d.en


def test_portfolio_drafts(sample):
    data, an = sample
    drafts = narrative.draft_portfolio(self_evaluation=an.self_evaluation, audit=an.audit, recheck=an.recheck,
                                       monitoring=an.monitoring, exante=an.exante)
    codes = [(d.section, d.code) for d in drafts]
    for code in ("audit", "recheck", "monitoring", "exante", "poor"):
        assert ("problems", code) in codes and ("recommendations", code) in codes
    recheck = [d for d in drafts if d.code == "recheck" and d.section == "problems"][0]
    down = int((an.recheck.units["grade_steps"] > 0).sum())
    assert f"复核{len(data.recheck)}个项目" in recheck.zh and f"{down}个项目等级下调" in recheck.zh
    bias = float(an.recheck.summary.loc["mean_bias", "estimate"])
    assert f"平均高出{pe._display.fmt_number(bias, 2)}分" in recheck.zh           # a statistic: rounded, not floored


# --- notes ---------------------------------------------------------------------------------------------------------
def test_notes_yaml_and_markdown(tmp_path):
    y = tmp_path / "notes.yaml"
    y.write_text('"0070010":\n  问题: 现场核查属实。\n  recommendations:\n    replace:\n      - 统一口径。\n'
                 '      - 按季度更新台账。\n"*":\n  other: 数据由单位提供。\n', encoding="utf-8")
    notes = narrative.read_notes(y)
    assert [(n.unit, n.section, n.mode, n.text) for n in notes.items] == [
        ("0070010", "problems", "add", "现场核查属实。"), ("0070010", "recommendations", "replace", "统一口径。"),
        ("0070010", "recommendations", "replace", "按季度更新台账。"), ("*", "other", "add", "数据由单位提供。")]
    assert notes.items[0].source == "notes.yaml:2"
    drafts = [Draft("recommendations", "0070010", "x", "草稿建议。", "draft."), Draft("other", "*", "y", "示例。", "s.")]
    recs = narrative.section_blocks(drafts, "recommendations", unit_id="0070010", notes=notes)
    assert [(p.text, p.drafted) for p in recs] == [("统一口径。", False), ("按季度更新台账。", False)]
    other = narrative.section_blocks(drafts, "other", unit_id="0070010", notes=notes, lang="en")
    assert [(p.text, p.drafted) for p in other] == [("s.", True), ("数据由单位提供。", False)]
    assert narrative.section_blocks([], "problems", unit_id="X", lang="en")[0].text == \
        "No problem was found that needs a separate note."
    assert narrative.read_notes("") == Notes() and len(narrative.read_notes(None)) == 0


@pytest.mark.parametrize("text, suffix, match", [
    ("0070010:\n  nonsense: x\n", ".yaml", r"notes.yaml:2.*unknown section 'nonsense'"),
    ("0070010: [\n", ".yaml", "notes.yaml"),
    ("0070010:\n  problems:\n    sometimes: x\n", ".yaml", "use add: or replace:"),
    ("text first\n", ".md", r"notes.md:1.*before a"),
    ("# 001\n\n## 建议（稍后）\n\nx\n", ".md", r"notes.md:3.*unknown mode"),
    ("# 001\n\n## 其它东西\n", ".md", r"notes.md:3.*unknown section"),
])
def test_bad_notes_are_located(tmp_path, text, suffix, match):
    p = tmp_path / f"notes{suffix}"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=match):
        narrative.read_notes(p)
    with pytest.raises(InputError, match="does not exist"):
        narrative.read_notes(tmp_path / "missing.md")


# --- report tables -------------------------------------------------------------------------------------------------
def test_key_figures_and_tables_speak_both_languages(sample):
    data, an = sample
    res = an.self_evaluation
    zh = summaries.key_figures(res, "0070010", audit=an.audit)
    en = summaries.key_figures(res, "0070010", audit=an.audit, lang="en")
    assert [k for k, _ in zh] == ["自评得分", "综合得分", "评价等级", "预算执行率"]
    assert [k for k, _ in en] == ["claimed total", "total", "grade", "execution rate"]
    claimed = float(an.audit.units.set_index("unit_id").loc["0070010", "claimed_total"])
    assert dict(zh)["自评得分"] == pe._display.fmt_number(claimed, 2, floor=True)
    assert dict(en)["grade"] == summaries.grade_text(res, dict(zh)["评价等级"], "en") != dict(zh)["评价等级"]
    t = summaries.score_table(res, "0070010")
    assert t.attrs["floor_columns"] == ["得分"]
    block = summaries.block(t)
    assert block.block["columns"][0] == "一级指标" and block.block["align"][6] == "right"
    g = summaries.grade_counts(res, units=data.units, by="department_id", lang="en")
    assert g.columns.tolist() == ["group", "Excellent", "Good", "Fair", "Poor", "total", "best grade (%)"]
    assert int(g["total"].sum()) == len(res.totals)
    f = summaries.findings_frame(an.audit, lang="en")
    assert len(f) == len(an.audit.findings) and not f["where"].str.contains("/").any()
    assert set(f["finding"]) <= {pe._messages.message(code, "en") for code in pe.recheck.FINDINGS}
    assert not set(f["finding"]) & set(pe.recheck.FINDINGS)  # named, never a bare code
    red = an.monitoring.units[an.monitoring.units["combined_colour"] == "red"]["unit_id"].iloc[0]
    m = summaries.monitoring_frame(an.monitoring, unit_ids=[red], units=data.units)
    assert m.iloc[0].tolist()[0] == summaries.unit_label(data.units, red) and m.iloc[0].tolist()[3] == "红"
    e = summaries.exante_frame(an.exante, units=data.units)
    assert (e["预算安排"] == "不得安排预算").sum() == int((~an.exante.units["budget_gate"].astype(bool)).sum())
    with pytest.raises(InputError, match="not in the result"):
        summaries.key_figures(res, "nope")


def test_headings_and_titles_exist_in_both_languages():
    for category, outline in narrative.OUTLINES.items():
        zh, en = narrative.headings(category), narrative.headings(category, "en")
        assert list(zh) == list(en) and len(set(zh.values())) == len(zh)
        assert all(v.startswith(("一", "二", "三", "四", "五", "六", "七", "附")) for v in zh.values())
        assert narrative.title(category, "X", year=2023, month=8) != narrative.title(category, "X", year=2023,
                                                                                    month=8, lang="en")
    with pytest.raises(ValueError, match="category"):
        narrative.headings("nope")


def test_warning_log_counts_and_restores():
    import warnings as w

    before = list(w.filters)
    log = narrative.WarningLog.start()
    w.warn("a", UserWarning)
    w.warn("b", DeprecationWarning)
    log.stop()
    assert log.count == 2 and log.summary() == {"UserWarning": 1, "DeprecationWarning": 1}
    assert log.notice().text == "计算过程中出现2条警告（详见运行日志）。"
    assert list(w.filters) == before
