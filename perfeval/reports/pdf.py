"""A report's HTML as a print-ready PDF: A4, page numbers, tables not split mid-row, a CJK font embedded.

Two renderers, both installed from package registries (no browser download at run time):

- ``"weasyprint"``: WeasyPrint (PyPI) in this process, with Debian's Pango; it embeds a subset of the CJK font
  that fontconfig finds (Debian's ``fonts-noto-cjk``, SIL Open Font License);
- ``"chromium"``: Debian's ``chromium --headless --print-to-pdf``, one browser process per document, with a fresh
  profile, no network (every host resolves to nothing; reports embed their images), no header or footer of its own.

``engine="auto"`` takes WeasyPrint when it can be loaded and Chromium otherwise: on the sample key-evaluation
report WeasyPrint was the faster of the two and both rendered Chinese correctly (figures in
``docs/architecture.md``).

The report template already holds the print CSS of the page itself (A4, page breaks before sections); this module
adds what only a PDF needs (:data:`PRINT_CSS`): the page number in the bottom margin ("— n —", CSS paged-media
margin boxes, which both engines support), table headers repeated on each page, rows, figures and key figures
never split across pages, headings kept with what follows, and the CJK font families (serif body, sans headings).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from .._io_util import atomic_path
from ..errors import ReportError

__all__ = ["ENGINES", "PRINT_CSS", "available_engines", "html_to_pdf", "pdf_bytes", "print_html"]

#: The renderers, in the order ``engine="auto"`` tries them.
ENGINES = ("weasyprint", "chromium")

_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

#: CSS added to a report's HTML for printing (after the template's own styles, so it wins where both speak).
PRINT_CSS = """
@page {
  size: A4;
  margin: 25mm 20mm 22mm 22mm;
  @bottom-center {
    content: "— " counter(page) " —";
    font-family: "Noto Serif CJK SC", "Source Han Serif SC", "Noto Serif", serif;
    font-size: 10.5pt;
    color: #333;
  }
}
html { -webkit-print-color-adjust: exact; }
body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "Noto Sans CJK SC", serif; }
h1, h2, h3, h4, th, caption, figcaption, .pe-kf-v, .pe-kf-l {
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", sans-serif;
}
/* monospace text (the provenance) with Chinese in it: the Simplified Chinese CJK face, never a JP/KR fallback */
code, pre, kbd, samp { font-family: "DejaVu Sans Mono", "Noto Sans Mono CJK SC", "Noto Sans CJK SC", monospace; }
h1, h2, h3, h4, caption { break-after: avoid; page-break-after: avoid; }
thead { display: table-header-group; }
tr, td, th, figure, img, .pe-kf, .pe-kfs, .pe-notice { break-inside: avoid; page-break-inside: avoid; }
table, img, figure { max-width: 100%; }
img { height: auto; }
/* a sha256 fits the line; breaking it anywhere makes WeasyPrint measure every character (half its time) */
.pe-provenance code { word-break: normal; }
/* the provenance rows are long lists: let them run on to the next page rather than leave a blank one */
.pe-prov-table tr, .pe-prov-table th, .pe-prov-table td { break-inside: auto; page-break-inside: auto; }
"""

_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)


def print_html(html: str) -> str:
    """The report's HTML with :data:`PRINT_CSS` added at the end of its head (or at its start when it has none)."""
    style = f'<style id="perfeval-print">{PRINT_CSS}</style>'
    match = _HEAD_END.search(html)
    if match:
        return html[:match.start()] + style + html[match.start():]
    return style + html


def _chromium() -> str | None:
    for name in _CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _weasyprint_ok() -> bool:
    try:
        import weasyprint  # noqa: F401  (OSError when Pango is missing)
    except (ImportError, OSError):
        return False
    return True


def available_engines() -> tuple[str, ...]:
    """The renderers that work on this machine, in the order ``engine="auto"`` tries them."""
    found = []
    if _weasyprint_ok():
        found.append("weasyprint")
    if _chromium():
        found.append("chromium")
    return tuple(found)


def _offline_fetcher() -> Any:
    """A WeasyPrint URL fetcher for embedded ``data:`` URLs only: a report never loads anything from elsewhere."""
    from weasyprint import urls

    if hasattr(urls, "URLFetcher"):            # WeasyPrint >= 68
        return urls.URLFetcher(allowed_protocols={"data"})

    def fetch(url: str, *args: Any, **kwargs: Any) -> Any:   # older releases: a function
        if not url.startswith("data:"):
            raise ValueError(f"reports embed every resource; not fetching {url[:80]!r}")
        return urls.default_url_fetcher(url, *args, **kwargs)

    return fetch


def _weasyprint(html: str, target: Path) -> None:
    from weasyprint import HTML

    HTML(string=html, base_url=None, url_fetcher=_offline_fetcher()).write_pdf(target)


def _chromium_pdf(html: str, target: Path, timeout: float) -> None:
    binary = _chromium()
    if binary is None:
        raise ReportError("PDF engine 'chromium' is not installed (Debian: apt-get install chromium; "
                          "`make sysdeps` does it as root).")
    with tempfile.TemporaryDirectory(prefix="perfeval-pdf-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        out = Path(tmp) / "report.pdf"
        command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
                   "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={Path(tmp) / 'profile'}",
                   "--no-pdf-header-footer", f"--print-to-pdf={out}", page.as_uri()]
        env = dict(os.environ, HOME=tmp)
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, env=env, cwd=tmp, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ReportError(f"chromium did not print the PDF within {timeout:g} s.") from exc
        if not out.exists() or out.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise ReportError(f"chromium could not print the PDF (exit {done.returncode}): " + " | ".join(tail))
        shutil.copyfile(out, target)


def _choose(engine: str) -> str:
    if engine not in ("auto", *ENGINES):
        raise ValueError(f"`engine` must be one of 'auto', 'weasyprint', 'chromium'; got {engine!r}.")
    if engine != "auto":
        if engine == "weasyprint" and not _weasyprint_ok():
            raise ReportError("PDF engine 'weasyprint' cannot be loaded: install it (pip install weasyprint) and "
                              "Debian's Pango (apt-get install libpango-1.0-0 libpangoft2-1.0-0; `make sysdeps`).")
        return engine
    found = available_engines()
    if not found:
        raise ReportError("no PDF engine: install WeasyPrint with Debian's Pango, or Debian's chromium "
                          "(`make sysdeps` as root installs them).")
    return found[0]


def html_to_pdf(html: str, out_path: str | Path, *, engine: str = "auto", timeout: float = 120.0) -> Path:
    """Print a report's HTML to a PDF file (written atomically) and return its path.

    Parameters
    ----------
    html : str
        A complete, self-contained HTML document (images embedded as ``data:`` URLs); :data:`PRINT_CSS` is
        added to it.
    out_path : str or Path
        The PDF to write; its folder is created. An existing file is replaced only when printing succeeded.
    engine : {"auto", "weasyprint", "chromium"}
        The renderer; ``"auto"`` takes the first of :func:`available_engines`.
    timeout : float, default 120
        Seconds Chromium may take (WeasyPrint runs in this process).

    Returns
    -------
    Path
        ``out_path``.

    Raises
    ------
    ValueError
        For an unknown engine.
    perfeval.errors.ReportError
        When the engine is missing or fails; the message says how to install it.
    """
    chosen = _choose(engine)
    document = print_html(html)
    out_path = Path(out_path)
    with atomic_path(out_path) as tmp:
        if chosen == "weasyprint":
            _weasyprint(document, tmp)
        else:
            _chromium_pdf(document, tmp, timeout)
    return out_path


def pdf_bytes(html: str, *, engine: str = "auto", timeout: float = 120.0) -> bytes:
    """Like :func:`html_to_pdf`, returning the PDF's bytes."""
    with tempfile.TemporaryDirectory(prefix="perfeval-pdf-") as tmp:
        target = Path(tmp) / "report.pdf"
        html_to_pdf(html, target, engine=engine, timeout=timeout)
        return target.read_bytes()


def _time_engines(html: str, repeat: int = 3) -> dict[str, list[float]]:
    """Seconds per PDF of each available engine on ``html`` (used by the PDF benchmark)."""
    times: dict[str, list[float]] = {}
    for name in available_engines():
        times[name] = []
        for _ in range(repeat):
            start = time.perf_counter()
            pdf_bytes(html, engine=name)
            times[name].append(time.perf_counter() - start)
    return times
