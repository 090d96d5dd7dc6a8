"""The formats of one executed report: HTML (the page), Word (.docx) and PDF, all from the same execution.

One execution per report; every format is an export of that executed notebook, so the numbers are the same in all
three. The Word document is written from the notebook's blocks (:mod:`perfeval.reports.docx`); the PDF is the
HTML page printed with the print CSS of :mod:`perfeval.reports.pdf`.
"""
from __future__ import annotations

import time
from typing import Any, Iterable

from ..errors import InputError

__all__ = ["FORMATS", "check_formats", "export", "extra_formats"]

#: The output formats of a report, in the order they are produced.
FORMATS = ("html", "docx", "pdf")


def check_formats(formats: str | Iterable[str] | None) -> tuple[str, ...]:
    """The requested formats in :data:`FORMATS` order, HTML always included (the page and the batch index link).

    ``formats`` is an iterable of names or a comma-separated text (``"html,docx,pdf"``); None means HTML only.

    Raises
    ------
    InputError
        ``unknown_format`` naming every format that is not one of html, docx, pdf.

    Examples
    --------
    >>> check_formats("pdf, docx")
    ('html', 'docx', 'pdf')
    """
    if formats is None:
        return ("html",)
    names = [f.strip().lower() for f in (formats.split(",") if isinstance(formats, str) else formats)]
    names = [n for n in names if n]
    unknown = [n for n in names if n not in FORMATS]
    if unknown:
        raise InputError.single("formats", "unknown_format",
                                f"unknown format(s) {', '.join(map(repr, unknown))}; the formats are "
                                f"{', '.join(FORMATS)}")
    return tuple(f for f in FORMATS if f == "html" or f in names)


def extra_formats(nb: Any, html: str, prepared: Any, formats: Iterable[str], *, title: str | None = None,
                  pdf_engine: str = "auto", timings: dict[str, float] | None = None) -> dict[str, bytes]:
    """The Word document and the PDF of a cleaned, executed notebook whose HTML page is ``html``.

    Only ``"docx"`` and ``"pdf"`` of ``formats`` are made; ``timings`` gets their seconds.
    """
    from .docx import notebook_to_docx
    from .pdf import pdf_bytes

    timings = {} if timings is None else timings
    out: dict[str, bytes] = {}
    if "docx" in formats:
        started = time.perf_counter()
        meta: dict[str, Any] = {"lang": prepared.lang}
        if title:
            meta["title"] = title
        out["docx"] = notebook_to_docx(nb, meta=meta)
        timings["docx"] = time.perf_counter() - started
    if "pdf" in formats:
        started = time.perf_counter()
        out["pdf"] = pdf_bytes(html, engine=pdf_engine)
        timings["pdf"] = time.perf_counter() - started
    return out


def export(executed_nb: Any, prepared: Any, formats: str | Iterable[str] | None = ("html",), *,
           html: str | None = None, title: str | None = None, pdf_engine: str = "auto",
           timings: dict[str, float] | None = None) -> dict[str, bytes]:
    """Each requested format of an executed report notebook, as bytes (for a runner that writes files itself).

    Parameters
    ----------
    executed_nb : nbformat.NotebookNode
        The executed notebook (:func:`perfeval.reports._engine.execute`); stderr outputs are taken out first
        (they never reach a report). It is not changed.
    prepared : perfeval.reports.Prepared
        The prepared report it came from (language, parameters, provenance of the HTML page).
    formats : str or iterable of str
        Any of "html", "docx", "pdf" (see :func:`check_formats`; HTML is always produced).
    html : str, optional
        The page when the caller has already exported it (it is not exported again).
    title : str, optional
        The report's title (default: the notebook's first level-1 heading, then the category's title).
    pdf_engine : {"auto", "weasyprint", "chromium"}
        The PDF renderer (:func:`perfeval.reports.pdf.html_to_pdf`).
    timings : dict, optional
        Filled with the seconds each format took (``html``, ``docx``, ``pdf``).

    Returns
    -------
    dict
        Format -> file content (HTML as UTF-8), in :data:`FORMATS` order.
    """
    from ._engine import clean_outputs, export_html, provenance

    chosen = check_formats(formats)
    timings = {} if timings is None else timings
    nb, warnings, _facts, heading = clean_outputs(executed_nb)
    title = title or heading
    started = time.perf_counter()
    if html is None:
        html = export_html(nb, prepared, provenance=provenance(prepared, warnings), title=title)
    timings["html"] = time.perf_counter() - started
    out = {"html": html.encode("utf-8")}
    out.update(extra_formats(nb, html, prepared, chosen, title=title, pdf_engine=pdf_engine, timings=timings))
    return out
