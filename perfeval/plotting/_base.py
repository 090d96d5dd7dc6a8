"""Shared plotting helpers: an Axes to draw on, and fonts that can show Chinese labels."""
from __future__ import annotations

import warnings
from functools import lru_cache
from typing import Any

__all__ = ["get_ax", "cjk_font_family", "label"]

# Fonts with CJK glyphs, best first; the Makefile installs Debian's fonts-noto-cjk when none is present.
_CJK_CANDIDATES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
    "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN", "Droid Sans Fallback",
)


@lru_cache(maxsize=1)
def cjk_font_family() -> str | None:
    """The name of an installed font that has Chinese glyphs, or None when there is none."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for candidate in _CJK_CANDIDATES:
        if candidate in names:
            return candidate
    return None


def get_ax(ax: Any = None, *, figsize: tuple[float, float] = (7.0, 4.0), lang: str = "zh") -> Any:
    """Return ``ax``, or a new Axes on a new figure; with ``lang="zh"`` Chinese text is given a CJK font.

    The font is set on the figure's text through ``rcParams`` in a context of this call only: no global state
    is changed for the caller.
    """
    import matplotlib.pyplot as plt

    if lang not in ("zh", "en"):
        raise ValueError(f"`lang` must be 'zh' or 'en'; got {lang!r}.")
    if ax is not None:
        return ax
    family = cjk_font_family() if lang == "zh" else None
    if lang == "zh" and family is None:
        warnings.warn("no CJK font is installed: Chinese labels may show as boxes (install fonts-noto-cjk, "
                      "or pass lang='en')", stacklevel=3)
    rc = {"font.family": "sans-serif", "axes.unicode_minus": False}
    if family:
        rc["font.sans-serif"] = [family, "DejaVu Sans"]
    with plt.rc_context(rc):
        fig, ax = plt.subplots(figsize=figsize)
    if family:
        for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
            text.set_fontfamily([family, "DejaVu Sans"])
    return ax


def label(zh: str, en: str, lang: str) -> str:
    """Pick the label of the report language."""
    return zh if lang == "zh" else en
