"""Input handling shared by the agreement statistics: long frames, pivoting, category codes, ``to_long``.

The long format is one row per rating: (target, rater, rating), with the canonical column names ``unit_id``,
``rater_id`` and ``rating``. A wide matrix is turned into it only through :func:`to_long`, which must be told the
orientation (``rows="unit"`` or ``rows="rater"``): the units x raters versus raters x units mix-up of the peer
packages (pingouin and irrCAC take units x raters, the ``krippendorff`` package raters x units) cannot happen
silently here.
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..columns import RATER_ID, RATING, UNIT_ID
from ..errors import DegenerateDataWarning, InputError

__all__ = ["to_long", "require_frame", "factorize", "pivot", "numeric", "encode_categories", "check_choice",
           "warn_degenerate", "check_square_table", "square_table"]


def check_choice(name: str, value: Any, options: Sequence[Any]) -> Any:
    """Return ``value`` if it is one of ``options``, else raise the standard message."""
    if value not in options:
        raise InputError(f"`{name}` must be one of {', '.join(map(repr, options))}; got {value!r}.")
    return value


def warn_degenerate(message: str, stacklevel: int = 3) -> None:
    """Issue a :class:`~perfeval.errors.DegenerateDataWarning`."""
    warnings.warn(message, DegenerateDataWarning, stacklevel=stacklevel)


def to_long(matrix: Any, rows: str, *, units: str = UNIT_ID, raters: str = RATER_ID, ratings: str = RATING,
            dropna: bool = True) -> pd.DataFrame:
    """Turn a wide ratings matrix into the long (target, rater, rating) format, with an explicit orientation.

    Parameters
    ----------
    matrix : array-like or DataFrame, 2-D
        The wide matrix. A DataFrame's index and columns become the ids; for an array they are 0, 1, 2, ...
    rows : {"unit", "rater"}
        What a row of ``matrix`` is. ``"unit"``: units (targets) in rows and raters in columns (pingouin, irrCAC,
        R ``irr``); ``"rater"``: raters in rows and units in columns (the ``krippendorff`` package). Required:
        the orientation is never guessed.
    units, raters, ratings : str
        Column names of the result (defaults ``unit_id``, ``rater_id``, ``rating``).
    dropna : bool
        Drop missing cells (default). A missing rating is an absent row in the long format.

    Returns
    -------
    pandas.DataFrame
        Columns ``units`` (the unit id), ``raters`` (the rater id) and ``ratings`` (the value), one row per cell,
        ordered by unit and then rater.

    Examples
    --------
    >>> to_long([[1, 2], [3, None]], rows="unit")
       unit_id  rater_id  rating
    0        0         0     1.0
    1        0         1     2.0
    2        1         0     3.0
    """
    check_choice("rows", rows, ("unit", "rater"))
    if not isinstance(matrix, pd.DataFrame):
        arr = np.asarray(matrix, dtype=object)
        if arr.ndim != 2:
            raise InputError(f"`matrix` must be 2-D (one row per {rows}); got {arr.ndim} dimension(s) of shape "
                             f"{arr.shape}. Wrap a single row as [values].")
        matrix = pd.DataFrame(arr)
    frame = matrix
    if rows == "rater":
        frame = frame.T
    values = frame.to_numpy(dtype=object)
    n_units, n_raters = values.shape
    unit_ids = np.repeat(np.asarray(frame.index, dtype=object), n_raters)
    rater_ids = np.tile(np.asarray(frame.columns, dtype=object), n_units)
    flat = pd.Series(values.ravel(), dtype=object).infer_objects()
    out = pd.DataFrame({units: pd.Series(unit_ids).infer_objects(), raters: pd.Series(rater_ids).infer_objects(),
                        ratings: flat})
    if dropna:
        out = out[out[ratings].notna()].reset_index(drop=True)
    return out


def require_frame(data: Any, columns: Sequence[str], name: str = "data") -> pd.DataFrame:
    """Check that ``data`` is a DataFrame holding ``columns``; arrays are refused with the pointer to ``to_long``."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"`{name}` must be a long pandas DataFrame (one row per rating); got "
                         f"{type(data).__name__}. Convert a wide matrix with "
                         "perfeval.agreement.to_long(matrix, rows='unit'|'rater').")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise InputError(f"`{name}` must have the column(s) {', '.join(map(repr, missing))}; got columns "
                         f"{list(map(str, data.columns))}. Name them with the `targets=`/`units=`, `raters=` and "
                         "`ratings=` arguments.")
    return data


def factorize(values: Any, name: str = "id") -> tuple[np.ndarray, np.ndarray]:
    """Codes 0..n-1 of the ids and the labels (``labels[codes]`` gives the ids back); missing ids are refused.

    Small non-negative integer ids (the output of :func:`to_long`, row numbers, 1..n codes) take a fast path
    without hashing: their codes follow the sorted ids, and ids that are already 0..n-1 are their own codes.
    Other ids are hashed with :func:`pandas.factorize` (codes in order of first appearance); text ids (object or
    string dtype) as a plain object array.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iu" and len(series):
        ids = series.to_numpy()
        low, high = int(ids.min()), int(ids.max())
        if low >= 0 and high < 2 * len(ids) + 1024:       # dense enough: a presence table is cheaper than hashing
            present = np.zeros(high + 1, dtype=bool)
            present[ids] = True
            if present.all():                            # already 0..n-1
                return ids.astype(np.intp, copy=False), np.arange(high + 1)
            labels = np.flatnonzero(present)
            remap = np.cumsum(present) - 1
            return remap[ids], labels
    if isinstance(dtype, pd.StringDtype) or dtype == object:
        # text ids from the plain object array (no copy; NA as NaN): pandas' string-array path validates and
        # copies on top of the hashing (2x the time on 40,000 ids)
        text = series.to_numpy()
        keys = _fixed_width_keys(text)
        if keys is not None:   # codes as pandas.factorize gives them, hashed as integers
            codes, _ = pd.factorize(keys)
            seen = np.maximum.accumulate(codes)   # codes number the ids in order of first appearance
            first = np.flatnonzero(np.r_[True, codes[1:] > seen[:-1]])
            return codes, np.asarray(text[first], dtype=object)
        codes, labels = pd.factorize(text, use_na_sentinel=True)
    else:
        codes, labels = pd.factorize(series, use_na_sentinel=True)
    if (codes < 0).any():
        raise InputError(f"`{name}` must not have missing values; found {int((codes < 0).sum())} missing id(s). "
                         "Drop those rows or give them an id.")
    return codes, np.asarray(labels, dtype=object)


def _fixed_width_keys(text: np.ndarray) -> np.ndarray | None:
    """Integer keys of text ids that all have the same length of at most 8 bytes in UTF-8 (codes such as
    ``0010001`` or ``E01``): the bytes themselves, zero-padded into a ``uint64``, so that two ids have the same key
    exactly when they are the same text. None for anything else (other lengths, a non-text or missing id, a NUL
    character), which is then hashed as objects.

    Hashing 64-bit integers is several times faster than hashing Python strings, and one ``join`` and ``encode``
    turn every id into bytes in a single pass.
    """
    n = len(text)
    if n == 0 or not all(isinstance(text[i], str) for i in (0, n // 2, n - 1)):
        return None
    width = len(text[0])
    if not 0 < width <= 8 or len(text[n // 2]) != width or len(text[n - 1]) != width:
        return None   # a cheap first look: ids of different lengths are not for this path
    try:
        raw = "\x00".join(text.tolist()).encode("utf-8")
    except (TypeError, UnicodeEncodeError):   # a non-text id, or a lone surrogate
        return None
    width = len(text[0].encode("utf-8"))
    if width > 8 or len(raw) != n * (width + 1) - 1:
        return None
    cells = np.frombuffer(raw + b"\x00", dtype=np.uint8).reshape(n, width + 1)
    # exactly one NUL per id, at the end: every id has `width` bytes and none holds a NUL of its own
    if cells[:, width].any() or np.count_nonzero(cells == 0) != n:
        return None
    keys = np.zeros((n, 8), dtype=np.uint8)
    keys[:, :width] = cells[:, :width]
    return keys.view(np.uint64).ravel()


def _plain(value: Any) -> Any:
    """A NumPy scalar as the Python value (for messages)."""
    return value.item() if isinstance(value, np.generic) else value


def numeric(values: Any, name: str) -> np.ndarray:
    """Ratings as float64 (NaN for missing), or raise naming the first value that is not a number."""
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=float, na_value=np.nan)
    converted = pd.to_numeric(series, errors="coerce")
    bad = converted.isna() & series.notna()
    if bad.any():
        raise InputError(f"`{name}` must hold numbers; got {series[bad].iloc[0]!r} (and "
                         f"{int(bad.sum()) - 1} more). Use a categorical statistic (kappa, nominal or ordinal "
                         "alpha) for labels.")
    return converted.to_numpy(dtype=float)


def _grid(targets: pd.Series, raters: pd.Series) -> tuple[int, int] | None:
    """(n, k) when the ids are integer codes laid out as a complete grid: targets 0..n-1 in blocks of k rows,
    raters 0..k-1 in the same order inside every block (what :func:`to_long` returns for complete data);
    else None. Checking costs two vectorised comparisons, far less than hashing the ids."""
    if not all(isinstance(s.dtype, np.dtype) and s.dtype.kind in "iu" for s in (targets, raters)):
        return None
    t, r = targets.to_numpy(), raters.to_numpy()
    size = len(t)
    if size == 0:
        return None
    k = int(r.max()) + 1
    if k < 1 or size % k:
        return None
    # first block (0, 0), (0, 1), ..., (0, k-1); then every row repeats the row k above it with target + 1.
    # These two contiguous comparisons say that row i is (target i // k, rater i % k).
    if not (np.array_equal(r[:k], np.arange(k)) and not t[:k].any() and (r[k:] == r[:-k]).all()
            and (t[k:] - t[:-k] == 1).all()):
        return None
    n = size // k
    return n, k


def pivot(data: pd.DataFrame, targets: str, raters: str, ratings: str
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Targets x raters matrix of numeric ratings (NaN where a rating is missing), built without a Python loop.

    Returns ``(matrix, target_labels, rater_labels)``. The matrix is the transpose of a C-contiguous raters x
    targets array (Fortran order), so that the per-rater operations of the ANOVA run on contiguous memory. A
    (target, rater) pair that occurs twice is refused.
    """
    require_frame(data, (targets, raters, ratings))
    y = numeric(data[ratings], ratings)
    grid = _grid(data[targets], data[raters])
    if grid is not None:               # the layout of to_long(): no hashing, no scatter, no duplicates possible
        n, k = grid
        return np.array(y.reshape(n, k).T, order="C").T, np.arange(n), np.arange(k)   # a copy, always
    t_codes, t_labels = factorize(data[targets], targets)
    r_codes, r_labels = factorize(data[raters], raters)
    n, k = len(t_labels), len(r_labels)
    key = r_codes.astype(np.intp, copy=False) * n + t_codes
    matrix = np.full((k, n), np.nan)
    flat = matrix.ravel()
    flat[key] = y
    # duplicated pairs: fewer filled cells than ratings (or, with NaN ratings, fewer distinct keys than rows)
    filled = len(key) - int(np.isnan(y).sum()) == int(np.count_nonzero(~np.isnan(flat)))
    if not filled or (np.isnan(y).any() and len(np.unique(key)) < len(key)):
        counts = np.bincount(key, minlength=n * k)
        dup = int(np.flatnonzero(counts > 1)[0])
        t_label, r_label = (_plain(t_labels[dup % n]), _plain(r_labels[dup // n]))
        raise InputError(f"each (target, rater) pair must occur once; target {t_label!r} has "
                         f"{int(counts[dup])} ratings by rater {r_label!r} "
                         f"({int((counts > 1).sum())} duplicated pair(s)). Average or drop them first.")
    return matrix.T, t_labels, r_labels


def encode_categories(values: Any, categories: Sequence[Any] | None, name: str = "ratings"
                      ) -> tuple[np.ndarray, tuple[Any, ...]]:
    """Category codes of ``values`` (-1 where missing) and the category list.

    Without ``categories`` the scale is the sorted set of observed values (insertion order when they cannot be
    sorted). With ``categories`` it is that list, in that order, including categories nobody used; a value
    outside it is an error.
    """
    series = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values
    present = series.notna().to_numpy()
    if categories is None:
        observed = pd.unique(series[present].to_numpy())
        try:
            cats = tuple(sorted(observed.tolist()))
        except TypeError:
            cats = tuple(observed.tolist())
    else:
        cats = tuple(categories)
        if len(set(cats)) != len(cats):
            raise InputError(f"`categories` must not repeat a category; got {list(cats)}.")
    codes = np.asarray(pd.Index(list(cats)).get_indexer(series.to_numpy()), dtype=np.int64)
    codes[~present] = -1
    unknown = present & (codes < 0)
    if unknown.any():
        first = series[unknown].iloc[0]
        raise InputError(f"every value of `{name}` must be one of `categories` {list(cats)}; got {first!r} "
                         f"({int(unknown.sum())} value(s) outside the declared scale).")
    return codes, cats


def check_square_table(table: Any, name: str = "table") -> np.ndarray:
    """A k x k table of non-negative counts as float64, or raise."""
    arr = np.asarray(table, dtype=float)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] < 1:
        raise InputError(f"`{name}` must be a square k x k table of counts; got shape {arr.shape}.")
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        i, j = map(int, np.argwhere(bad)[0])
        raise InputError(f"`{name}` must hold finite non-negative counts; got {float(arr[i, j])!r} in row {i}, "
                         f"column {j}. Rows are the first rating, columns the second.")
    return arr


def square_table(table: Any, categories: Sequence[Any] | None = None,
                 name: str = "table") -> tuple[np.ndarray, tuple[Any, ...]]:
    """A k x k table of counts (:func:`check_square_table`) and its category names: ``categories``, else the
    index of a DataFrame table, else ``0..k-1``; raises when ``categories`` is not one name per row."""
    counts = check_square_table(table, name)
    k = counts.shape[0]
    if categories is not None and len(categories) != k:
        raise InputError(f"`categories` must have one entry per row of `{name}` ({k}); got {len(categories)}.")
    cats = tuple(categories) if categories is not None else (
        tuple(table.index) if isinstance(table, pd.DataFrame) else tuple(range(k)))
    return counts, cats
