"""Shared plotting helpers: an Axes to draw on, and fonts that can show Chinese labels."""
from __future__ import annotations

import contextlib
import functools
import warnings
from functools import lru_cache
from typing import Any, Callable, Iterator, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["get_ax", "cjk_font_family", "label", "plot_context", "plot_function"]

# Fonts with CJK glyphs, best first; the Makefile installs Debian's fonts-noto-cjk when none is present.
_CJK_CANDIDATES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
    "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN", "Droid Sans Fallback",
)


@lru_cache(maxsize=1)
def cjk_font_family() -> str | None:
    """The name of an installed font that has Chinese glyphs, or None when there is none."""
    from matplotlib import font_manager

    def pick() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((c for c in _CJK_CANDIDATES if c in names), None)

    found = pick()
    if found is None:
        # matplotlib's font cache predates a font installed later (e.g. by `make fonts`): register the system's
        # CJK font files with this process's font manager (no global rcParams are changed).
        for path in font_manager.findSystemFonts():
            lowered = path.lower()
            if any(key in lowered for key in ("cjk", "wqy", "wenquanyi", "droidsansfallback", "sourcehan")):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = pick()
    return found


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
    if lang == "zh" and cjk_font_family() is None:
        warnings.warn("no CJK font is installed: Chinese labels may show as boxes (install fonts-noto-cjk, "
                      "or pass lang='en')", stacklevel=3)
    with plt.rc_context(_rc(lang)):
        fig, ax = plt.subplots(figsize=figsize)
    return ax


def label(zh: str, en: str, lang: str) -> str:
    """Pick the label of the report language."""
    return zh if lang == "zh" else en


def _rc(lang: str) -> dict[str, Any]:
    rc: dict[str, Any] = {"axes.unicode_minus": False}
    family = cjk_font_family() if lang == "zh" else None
    if family:
        # per-glyph fallback (matplotlib >= 3.6): Latin text in DejaVu Sans, Chinese in the CJK font
        rc["font.family"] = ["DejaVu Sans", family]
    return rc


@contextlib.contextmanager
def plot_context(lang: str = "zh") -> Iterator[None]:
    """Temporarily set fonts able to show Chinese (``lang="zh"``); every text created inside keeps them.

    Only ``matplotlib.rc_context`` is used, so the caller's settings are restored on exit.
    """
    import matplotlib.pyplot as plt

    if lang not in ("zh", "en"):
        raise ValueError(f"`lang` must be 'zh' or 'en'; got {lang!r}.")
    if lang == "zh" and cjk_font_family() is None:
        warnings.warn("no CJK font is installed: Chinese labels may show as boxes (install fonts-noto-cjk, "
                      "or pass lang='en')", stacklevel=4)
    with plt.rc_context(_rc(lang)):
        yield


def plot_function(func: F) -> F:
    """Decorator of public plot functions ``f(result, *, ax=None, lang="zh", ...)``: runs the body in
    :func:`plot_context`, so titles, tick labels, legends and annotations all get a CJK-capable font."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with plot_context(kwargs.get("lang", "zh")):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
