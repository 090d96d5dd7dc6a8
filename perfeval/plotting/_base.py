"""Shared plotting helpers: an Axes to draw on, fonts that can show Chinese labels, and the argument checks of
every plot function.

Public plot functions are ``f(result, *, ax=None, lang="zh", ...) -> Axes`` decorated with :func:`plot_function`:
the decorator checks ``lang``, runs the body in :func:`plot_context` (a ``matplotlib.rc_context`` whose font list
ends with an installed CJK font) and, for ``lang="zh"``, gives the CJK font as a fallback to every text of the
returned Axes, so Chinese shows in titles, tick labels, legends and annotations even on an Axes the caller created
before. No global matplotlib setting is changed.
"""
from __future__ import annotations

import contextlib
import functools
import numbers
import warnings
from functools import lru_cache
from typing import Any, Callable, Iterator, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["get_ax", "cjk_font_family", "label", "plot_context", "plot_function", "check_lang",
           "check_max_units", "unit_labels"]

LANGS = ("zh", "en")

# Fonts with CJK glyphs, best first; the Makefile installs Debian's fonts-noto-cjk when none is present.
_CJK_CANDIDATES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
    "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN", "Droid Sans Fallback",
)


@lru_cache(maxsize=1)
def cjk_font_family() -> str | None:
    """The name of an installed font that has Chinese glyphs, or None when there is none.

    Examples
    --------
    >>> from perfeval.plotting import cjk_font_family
    >>> family = cjk_font_family()          # e.g. 'Noto Sans CJK SC' with Debian's fonts-noto-cjk
    >>> family is None or isinstance(family, str)
    True
    """
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


def check_lang(lang: Any) -> None:
    """Raise ``ValueError`` unless ``lang`` is ``"zh"`` or ``"en"``.

    Examples
    --------
    >>> from perfeval.plotting._base import check_lang
    >>> check_lang("en")
    >>> check_lang("fr")
    Traceback (most recent call last):
    ...
    ValueError: `lang` must be 'zh' or 'en'; got 'fr'.
    """
    if not isinstance(lang, str) or lang not in LANGS:
        raise ValueError(f"`lang` must be 'zh' or 'en'; got {lang!r}.")


def check_max_units(max_units: Any) -> None:
    """Raise ``ValueError`` unless ``max_units`` is a positive integer (not a bool).

    Examples
    --------
    >>> from perfeval.plotting._base import check_max_units
    >>> check_max_units(30)
    >>> check_max_units(0)
    Traceback (most recent call last):
    ...
    ValueError: `max_units` must be a positive integer; got 0.
    """
    if isinstance(max_units, bool) or not isinstance(max_units, numbers.Integral) or max_units < 1:
        raise ValueError(f"`max_units` must be a positive integer; got {max_units!r}.")


def get_ax(ax: Any = None, *, figsize: tuple[float, float] = (7.0, 4.0), lang: str = "zh") -> Any:
    """Return ``ax``, or a new Axes on a new figure of size ``figsize`` (created with the fonts of ``lang``).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from perfeval.plotting import get_ax
    >>> ax = get_ax(figsize=(3, 2), lang="en")
    >>> ax.figure.get_size_inches().tolist()
    [3.0, 2.0]
    >>> get_ax(ax) is ax
    True
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    check_lang(lang)
    if ax is not None:
        return ax
    with plt.rc_context(_rc(lang)):
        fig, ax = plt.subplots(figsize=figsize)
    return ax


def label(zh: str, en: str, lang: str) -> str:
    """Pick the label of the report language.

    Examples
    --------
    >>> from perfeval.plotting._base import label
    >>> label("等级", "grade", "en")
    'grade'
    """
    return zh if lang == "zh" else en


def unit_labels(ids: Any, names: Any = None, *, width: int = 22) -> list[str]:
    """Labels "name (id)" of unit ids for ticks and titles; the id alone when ``names`` does not know it.

    Parameters
    ----------
    ids : iterable
        Unit ids.
    names : DataFrame, mapping or None
        A units table (columns ``unit_id`` and ``name``, as ``data.units``) or a mapping id -> name.
    width : int
        Names longer than this many characters are cut and end with "…" (the id is always shown whole).

    Examples
    --------
    >>> from perfeval.plotting import unit_labels
    >>> unit_labels(["001", "002"], {"001": "示例省教育厅"})
    ['示例省教育厅（001）', '002']
    >>> unit_labels(["P1"], {"P1": "Rural roads maintenance programme"}, width=10)
    ['Rural roa… (P1)']
    """
    import pandas as pd

    if names is None:
        lookup: dict[str, str] = {}
    elif isinstance(names, pd.DataFrame):
        if not {"unit_id", "name"} <= set(names.columns):
            raise ValueError(f"`names` must have columns unit_id and name; got {list(names.columns)}.")
        known = names[names["name"].notna()]
        lookup = dict(zip(known["unit_id"].astype(str), known["name"].astype(str)))
    else:
        lookup = {str(k): str(v) for k, v in dict(names).items() if v is not None}
    out = []
    for unit in ids:
        name = lookup.get(str(unit), "").strip()
        if not name:
            out.append(str(unit))
            continue
        if len(name) > width:
            name = name[: width - 1] + "…"
        wide = any(ord(ch) > 0x2E7F for ch in name)
        out.append(f"{name}（{unit}）" if wide else f"{name} ({unit})")
    return out


def _rc(lang: str) -> dict[str, Any]:
    import matplotlib

    rc: dict[str, Any] = {"axes.unicode_minus": False}
    family = cjk_font_family() if lang == "zh" else None
    if family:
        # per-glyph fallback (matplotlib >= 3.6): Latin text in the caller's font, Chinese in the CJK font
        current = list(matplotlib.rcParams["font.family"])
        rc["font.family"] = current + ([family] if family not in current else [])
    return rc


@contextlib.contextmanager
def plot_context(lang: str = "zh") -> Iterator[None]:
    """Temporarily set fonts able to show Chinese (``lang="zh"``); every text created inside keeps them.

    Only ``matplotlib.rc_context`` is used, so the caller's settings are restored on exit. With ``lang="zh"`` and
    no CJK font installed, a ``UserWarning`` says how to get one.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from perfeval.plotting import plot_context
    >>> with plot_context("en"):
    ...     fig, ax = plt.subplots()
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    check_lang(lang)
    if lang == "zh" and cjk_font_family() is None:
        warnings.warn("no CJK font is installed: Chinese labels may show as boxes (install fonts-noto-cjk, "
                      "or pass lang='en')", stacklevel=4)
    with plt.rc_context(_rc(lang)):
        yield


def _cjk_fallback(ax: Any) -> None:
    """Add the CJK font as the last fallback of every text of ``ax`` that lacks it (texts of an Axes created
    before the plot function ran keep the fonts they were created with)."""
    from matplotlib.text import Text

    family = cjk_font_family()
    if family is None or ax is None or not hasattr(ax, "findobj"):
        return
    for text in ax.findobj(Text):
        current = list(text.get_fontfamily())
        if family not in current:
            text.set_fontfamily([*current, family])


def plot_function(func: F) -> F:
    """Decorator of public plot functions ``f(result, *, ax=None, lang="zh", ...) -> Axes``.

    Checks ``lang``, runs the body in :func:`plot_context` and, for ``lang="zh"``, gives every text of the
    returned Axes (title, axis labels, tick labels, legend, annotations) the CJK font as a fallback, also on an
    ``ax`` the caller made before.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from perfeval.plotting import get_ax, plot_function
    >>> @plot_function
    ... def titled(text, *, ax=None, lang="zh"):
    ...     ax = get_ax(ax, lang=lang)
    ...     ax.set_title(text)
    ...     return ax
    >>> ax = titled("等级概率", lang="en")
    >>> ax.get_title()
    '等级概率'
    >>> titled("x", lang="fr")
    Traceback (most recent call last):
    ...
    ValueError: `lang` must be 'zh' or 'en'; got 'fr'.
    >>> plt.close(ax.figure)
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        lang = kwargs.get("lang", "zh")
        check_lang(lang)
        with plot_context(lang):
            ax = func(*args, **kwargs)
        if lang == "zh":
            _cjk_fallback(ax)
        return ax

    return wrapper  # type: ignore[return-value]
