"""The batch's ``index.html``: every report of the year in one offline page, sortable and filterable.

One self-contained file (inline CSS and script, no CDN, no external URL), readable from ``file://`` or a zip, in
Chinese and English (a button switches; ``#lang=en`` opens in English). One row per report: category, id, name,
department, key figures (total, grade, light, conclusion, from the report's ``pe.reports.facts``), status and a
link; the failures listed with their error and log; the tables of the year (``tables/*.csv``) linked.

Rows are written in the HTML (the page works without script); the script only sorts, filters and switches the
language. Its state lives in the URL fragment, so a link (or a test) can open the page already filtered:
``index.html#grade=良&category=self_evaluation&sort=total&dir=desc&q=教育`` (keys ``lang``, ``q`` (text search),
``category``, ``grade``, ``light``, ``status``, ``sort`` (a column key), ``dir`` (``asc``/``desc``)).
"""
from __future__ import annotations

import math
from html import escape
from pathlib import Path
from typing import Any, Iterable, Mapping

from .._io_util import atomic_write_text

__all__ = ["write_index", "CATEGORY_LABELS", "STATUS_LABELS"]

#: category -> (zh, en)
CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    "self_evaluation": ("项目支出绩效自评", "Project self-evaluation"),
    "key_evaluation": ("重点绩效评价", "Key evaluation"),
    "recheck": ("自评复核", "Re-check of self-evaluations"),
    "department": ("部门整体支出绩效评价", "Department evaluation"),
    "transfer": ("转移支付绩效评价", "Transfer-payment evaluation"),
    "exante": ("事前绩效评估", "Ex-ante assessment"),
    "monitoring": ("绩效运行监控", "Performance monitoring"),
    "annual_summary": ("年度汇总", "Annual summary"),
    "weight_study": ("权重研究", "Weight study"),
}
#: status -> (zh, en)
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "ok": ("完成", "ok"), "skipped": ("未变（沿用）", "unchanged (kept)"), "error": ("出错", "error"),
    "timeout": ("超时", "timeout"), "crashed": ("崩溃", "crashed"),
}
_TEXT: dict[str, tuple[str, str]] = {
    "title": ("年度绩效评价报告", "Performance evaluation reports of the year"),
    "reports": ("报告", "Reports"), "failures": ("失败的报告", "Failed reports"),
    "tables": ("年度数据表（CSV，UTF-8）", "Tables of the year (CSV, UTF-8)"),
    "search": ("搜索", "Search"), "all": ("全部", "all"), "shown": ("显示", "shown"),
    "category": ("类别", "Category"), "id": ("编号", "ID"), "name": ("名称", "Name"),
    "department": ("部门", "Department"), "total": ("总分", "Total"), "grade": ("等级", "Grade"),
    "light": ("信号灯", "Light"), "conclusion": ("结论", "Conclusion"), "status": ("状态", "Status"),
    "report": ("报告", "Report"), "open": ("打开", "open"), "log": ("日志", "log"), "error": ("错误", "Error"),
    "cell": ("单元格", "cell"), "none": ("无", "none"), "lang": ("English", "中文"),
    "counts": ("统计", "Counts"),
}
_COLUMNS = ("category", "id", "name", "department", "total", "grade", "light", "conclusion", "status", "report")


def _t(key: str) -> str:
    zh, en = _TEXT[key]
    return f'<span class="zh">{escape(zh)}</span><span class="en">{escape(en)}</span>'


def _pair(pair: tuple[str, str]) -> str:
    return f'<span class="zh">{escape(pair[0])}</span><span class="en">{escape(pair[1])}</span>'


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _total_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return _text(value)
    from .._display import floor_display

    return f"{floor_display(float(value), 2):.2f}"  # a shown total never crosses a grade edge it did not reach


def _ident(params: Mapping[str, Any], facts: Mapping[str, Any]) -> str:
    for key in ("unit_id", "department_id", "region_id"):
        if facts.get(key) is not None:
            return _text(facts[key])
        if params.get(key) is not None:
            return _text(params[key])
    return ""


#: link text of the other formats of a report
_FORMAT_LABELS = {"docx": "Word", "pdf": "PDF"}


def write_index(out: Path, runs: Iterable[Any], *, lang: str = "zh", title: str | None = None,
                units: Mapping[str, Mapping[str, str]] | None = None) -> Path:
    """Write ``out/index.html`` for ``runs`` (:class:`~perfeval.reports.batch.ReportRun`); returns its path.

    ``units`` maps a unit id to ``{"name": ..., "department": ...}`` for reports whose facts do not say.
    """
    runs = list(runs)
    units = dict(units or {})
    rows, failures = [], []
    values: dict[str, set[str]] = {"category": set(), "grade": set(), "light": set(), "status": set()}
    for run in runs:
        facts, params = dict(run.facts or {}), dict(run.params or {})
        ident = _ident(params, facts)
        unit = units.get(ident, {})
        name = _text(facts.get("name") or unit.get("name") or "")
        department = _text(facts.get("department") or unit.get("department") or params.get("department_id") or "")
        total = facts.get("total")
        grade, light, conclusion = (_text(facts.get(k)) for k in ("grade", "light", "conclusion"))
        category = run.category or "notebook"
        values["category"].add(category)
        values["status"].add(run.status)
        if grade:
            values["grade"].add(grade)
        if light:
            values["light"].add(light)
        cat_label = CATEGORY_LABELS.get(category, (category, category))
        status_label = STATUS_LABELS.get(run.status, (run.status, run.status))
        link = (f'<a href="{escape(run.html)}">{_t("open")}</a>' if run.html and run.status in ("ok", "skipped")
                else (f'<a href="{escape(run.log)}">{_t("log")}</a>' if run.log else ""))
        if run.status in ("ok", "skipped"):
            link += "".join(f' · <a href="{escape(path)}">{escape(_FORMAT_LABELS.get(fmt, fmt))}</a>'
                            for fmt, path in sorted(getattr(run, "extra", {}).items()))
        sort_total = "" if not isinstance(total, (int, float)) or isinstance(total, bool) else repr(float(total))
        attrs = {"category": category, "id": ident, "name": name, "department": department, "total": sort_total,
                 "grade": grade, "light": light, "conclusion": conclusion, "status": run.status,
                 "report": run.name}
        data_attrs = " ".join(f'data-{k}="{escape(v)}"' for k, v in attrs.items())
        rows.append(
            f'<tr {data_attrs} class="st-{escape(run.status)}">'
            f"<td>{_pair(cat_label)}</td><td>{escape(ident)}</td><td>{escape(name)}</td>"
            f"<td>{escape(department)}</td><td class=\"num\">{escape(_total_text(total))}</td>"
            f"<td>{escape(grade)}</td><td>{escape(light)}</td><td>{escape(conclusion)}</td>"
            f'<td class="status">{_pair(status_label)}</td><td>{link}</td></tr>')
        if run.failed:
            cell = f' ({_t("cell")} {int(run.cell)})' if run.cell is not None else ""
            log = f' — <a href="{escape(run.log)}">{_t("log")}</a>' if run.log else ""
            failures.append(f'<li data-report="{escape(run.name)}"><b>{escape(run.name)}</b> '
                            f"{_pair(status_label)}: <code>{escape(_text(run.ename))}</code> "
                            f"{escape(_text(run.evalue))}{cell}{log}</li>")
    tables = sorted((out / "tables").glob("*.csv")) if (out / "tables").is_dir() else []
    table_links = "".join(f'<li><a href="tables/{escape(p.name)}">{escape(p.name)}</a></li>' for p in tables)

    def options(key: str) -> str:
        items = sorted(values[key])
        labels = {"category": CATEGORY_LABELS, "status": STATUS_LABELS}.get(key, {})
        opts = [f'<option value="">{escape(_TEXT["all"][0])} / {escape(_TEXT["all"][1])}</option>']
        for v in items:
            zh, en = labels.get(v, (v, v))
            opts.append(f'<option value="{escape(v)}">{escape(zh if zh == en else f"{zh} / {en}")}</option>')
        return f'<select id="f-{key}" data-key="{key}">{"".join(opts)}</select>'

    counts: dict[str, int] = {}
    for run in runs:
        counts[run.status] = counts.get(run.status, 0) + 1
    count_text = " · ".join(f"{_pair(STATUS_LABELS[s])} {n}" for s, n in counts.items())
    heading = escape(title) if title else _t("title")
    head_cells = "".join(f'<th data-col="{c}" tabindex="0">{_t(c)}</th>' for c in _COLUMNS)
    html = _PAGE.format(
        lang=escape(lang), title=escape(title or _TEXT["title"][0 if lang == "zh" else 1]), heading=heading,
        search=_t("search"), toggle=_t("lang"), category=_t("category"), grade=_t("grade"), light=_t("light"),
        status=_t("status"), f_category=options("category"), f_grade=options("grade"), f_light=options("light"),
        f_status=options("status"), shown=_t("shown"), total=len(runs), counts=count_text,
        head=head_cells, rows="\n".join(rows), reports=_t("reports"),
        failures_title=_t("failures"),
        failures=(f'<ul class="failures">{"".join(failures)}</ul>' if failures else f"<p>{_t('none')}</p>"),
        tables_title=_t("tables"),
        tables=(f"<ul>{table_links}</ul>" if table_links else f"<p>{_t('none')}</p>"),
        css=_CSS, script=_SCRIPT)
    path = out / "index.html"
    atomic_write_text(path, html)
    return path


_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",system-ui,sans-serif;
margin:1.5rem;color:#222}
html[lang=zh] .en,html[lang=en] .zh{display:none}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}
.controls{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center;margin:.8rem 0}
.controls label{display:flex;gap:.3rem;align-items:center}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{cursor:pointer;background:#f4f4f4;position:sticky;top:0;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.st-error td.status,tr.st-timeout td.status,tr.st-crashed td.status{color:#b00020;font-weight:bold}
tr[hidden]{display:none}
.failures li{margin:.3rem 0}
@media print{.controls,button{display:none}th{position:static}}
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var body = document.getElementById("reports-body");
  var rows = Array.prototype.slice.call(body.querySelectorAll("tr"));
  var filters = ["category", "grade", "light", "status"];
  var state = {lang: document.documentElement.lang, q: "", sort: "", dir: "asc"};
  filters.forEach(function (k) { state[k] = ""; });

  function readHash() {
    var h = window.location.hash.replace(/^#/, "");
    if (!h) { return; }
    h.split("&").forEach(function (part) {
      var i = part.indexOf("=");
      if (i < 0) { return; }
      var k = decodeURIComponent(part.slice(0, i)), v = decodeURIComponent(part.slice(i + 1).replace(/\+/g, " "));
      if (Object.prototype.hasOwnProperty.call(state, k)) { state[k] = v; }
    });
  }
  function writeHash() {
    var parts = [];
    Object.keys(state).forEach(function (k) {
      if (state[k]) { parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(state[k])); }
    });
    if (window.history && window.history.replaceState) {
      try { window.history.replaceState(null, "", "#" + parts.join("&")); } catch (e) { /* file:// in some browsers */ }
    }
  }
  function compare(a, b) {
    var key = state.sort, x = a.getAttribute("data-" + key) || "", y = b.getAttribute("data-" + key) || "";
    var r;
    if (key === "total") {
      var fx = x === "" ? NaN : parseFloat(x), fy = y === "" ? NaN : parseFloat(y);
      if (isNaN(fx) && isNaN(fy)) { r = 0; } else if (isNaN(fx)) { return 1; } else if (isNaN(fy)) { return -1; }
      else { r = fx - fy; }
    } else {
      r = x.localeCompare(y, state.lang === "zh" ? "zh-CN" : "en");
    }
    if (r === 0) { r = rows.indexOf(a) - rows.indexOf(b); return r; }
    return state.dir === "desc" ? -r : r;
  }
  function apply() {
    document.documentElement.lang = state.lang === "en" ? "en" : "zh";
    var q = state.q.toLowerCase(), shown = 0;
    var ordered = rows.slice();
    if (state.sort) { ordered.sort(compare); }
    ordered.forEach(function (tr) {
      var ok = filters.every(function (k) { return !state[k] || tr.getAttribute("data-" + k) === state[k]; });
      if (ok && q) { ok = tr.textContent.toLowerCase().indexOf(q) >= 0; }
      if (ok) { tr.removeAttribute("hidden"); shown += 1; } else { tr.setAttribute("hidden", ""); }
      body.appendChild(tr);
    });
    document.getElementById("shown").textContent = String(shown);
    filters.forEach(function (k) { document.getElementById("f-" + k).value = state[k]; });
    document.getElementById("q").value = state.q;
    Array.prototype.forEach.call(document.querySelectorAll("th[data-col]"), function (th) {
      var col = th.getAttribute("data-col");
      if (col === state.sort) { th.setAttribute("aria-sort", state.dir === "desc" ? "descending" : "ascending"); }
      else { th.removeAttribute("aria-sort"); }
    });
    writeHash();
  }
  filters.forEach(function (k) {
    document.getElementById("f-" + k).addEventListener("change", function (e) { state[k] = e.target.value; apply(); });
  });
  document.getElementById("q").addEventListener("input", function (e) { state.q = e.target.value; apply(); });
  document.getElementById("toggle-lang").addEventListener("click", function () {
    state.lang = state.lang === "en" ? "zh" : "en"; apply();
  });
  Array.prototype.forEach.call(document.querySelectorAll("th[data-col]"), function (th) {
    function sortBy() {
      var col = th.getAttribute("data-col");
      if (state.sort === col) { state.dir = state.dir === "asc" ? "desc" : "asc"; }
      else { state.sort = col; state.dir = col === "total" ? "desc" : "asc"; }
      apply();
    }
    th.addEventListener("click", sortBy);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sortBy(); } });
  });
  readHash();
  apply();
  document.body.setAttribute("data-ready", "1");
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<script>window.onerror=function(m){{document.body&&document.body.setAttribute("data-js-error",String(m));}};</script>
<h1>{heading}</h1>
<p class="counts">{counts}</p>
<div class="controls">
<label>{search} <input id="q" type="search" autocomplete="off"></label>
<label>{category} {f_category}</label>
<label>{grade} {f_grade}</label>
<label>{light} {f_light}</label>
<label>{status} {f_status}</label>
<span>{shown}: <b id="shown">{total}</b> / {total}</span>
<button id="toggle-lang" type="button">{toggle}</button>
</div>
<h2>{reports}</h2>
<table id="reports">
<thead><tr>{head}</tr></thead>
<tbody id="reports-body">
{rows}
</tbody>
</table>
<h2>{failures_title}</h2>
{failures}
<h2>{tables_title}</h2>
{tables}
<script>{script}</script>
</body>
</html>
"""
