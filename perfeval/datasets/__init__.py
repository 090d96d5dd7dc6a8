"""Sample datasets: the synthetic sample province and the functions that make and read it.

- :func:`synthesize` generates 示例省 (Example Province, fictional): one budget year across the whole closed loop
  (ex-ante assessment, targets, monitoring, self-evaluation, re-evaluation, key evaluation, department and
  transfer-payment evaluations) as a :class:`SampleData`.
- :func:`load_sample` reads a shipped sample (``sample_data/<name>/``) through the :mod:`perfeval.io` readers.
- :func:`list_samples` lists the shipped samples.

``pe.synthesize(seed=2019)`` reproduces the committed ``sample_data/province`` byte for byte. The generative model
(every distribution drawn from) is :mod:`perfeval.datasets._distributions`.

Examples
--------
>>> import perfeval as pe
>>> data = pe.load_sample()
>>> data.meta["synthetic"], data.meta["year"]
(True, 2023)
>>> int((data.units["kind"] == "project").sum()) >= 150
True
"""
from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from .._resources import sample_data_dir
from .._rows import header_as_written
from ..errors import DataQualityWarning, InputError, format_location
from ._generate import FRAMEWORKS, GENERATOR_VERSION, synthesize
from ._sample import COLUMNS, FILES, FormData, SampleData

__all__ = ["synthesize", "load_sample", "list_samples", "SampleData", "FormData", "FILES", "COLUMNS",
           "FRAMEWORKS", "GENERATOR_VERSION"]

def list_samples() -> pd.DataFrame:
    """The shipped samples: one row per ``sample_data/<name>/dataset.yaml``.

    Returns
    -------
    pandas.DataFrame
        ``name`` (what :func:`load_sample` takes), ``title``, ``year``, ``synthetic`` (bool), ``path``.

    Examples
    --------
    >>> import perfeval as pe
    >>> pe.list_samples()["name"].tolist()
    ['province']
    """
    rows = []
    from ..io import read_dataset_meta

    for meta_path in sorted(sample_data_dir().glob("*/dataset.yaml")):
        meta = read_dataset_meta(meta_path.parent)
        rows.append({"name": meta_path.parent.name, "title": meta.get("title", ""), "year": meta.get("year"),
                     "synthetic": bool(meta.get("synthetic", False)), "path": str(meta_path.parent)})
    return pd.DataFrame(rows, columns=["name", "title", "year", "synthetic", "path"])


#: Columns the samples hold as whole numbers, by :class:`SampleData` attribute: read as nullable integers
#: (``Int64``; an empty cell is ``<NA>``), where the generic readers give floats.
INTEGER_COLUMNS: dict[str, tuple[str, ...]] = {"monitoring": ("month",), "units": ("year",)}


def _read(name: str, path: Path) -> pd.DataFrame:
    """Read one sample file with the :mod:`perfeval.io` reader its name calls for; :data:`INTEGER_COLUMNS` as
    ``Int64``."""
    from ..io import read_dataset_file

    frame = read_dataset_file(path)
    for column in INTEGER_COLUMNS.get(name, ()):
        if isinstance(frame, pd.DataFrame) and column in frame:
            frame[column] = _whole_numbers(frame, column)
    return frame


def _whole_numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    """``frame[column]`` as ``Int64``; a value with a fractional part is an ``not_integer`` error naming the cell."""
    values = pd.to_numeric(frame[column], errors="raise").astype("float64")
    bad = values.notna() & (values != values.round())
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        file = frame["source_file"].iat[i] if "source_file" in frame else None
        row = int(frame["source_row"].iat[i]) if "source_row" in frame else i + 2
        raise InputError.single(format_location(file, row, header_as_written(frame, file, column)), "not_integer",
                                f"`{column}` must be a whole number; got {values.iat[i]:g}")
    return values.astype("Int64")


def load_sample(name: str = "province") -> SampleData:
    """Read a shipped sample dataset (``sample_data/<name>/``) through the :mod:`perfeval.io` readers.

    Parameters
    ----------
    name : str, default "province"
        A name from :func:`list_samples`.

    Returns
    -------
    SampleData
        One frame per file, in the readers' contracts (canonical columns plus ``source_file`` and
        ``source_row``; the whole-number columns of :data:`INTEGER_COLUMNS`, such as ``monitoring["month"]``,
        as ``Int64``), ``meta`` (dataset.yaml), ``forms`` (the XLSX forms read back) and ``readme``. The
        readers' :class:`~perfeval.DataQualityWarning` about the planted problems (an amount executed above its
        budget) is not repeated: ``meta["planted"]`` lists them, and scoring reports them.

    Raises
    ------
    InputError
        ``unknown_sample`` (the message lists the shipped samples), or the problems of a file that cannot be read.

    Examples
    --------
    >>> import perfeval as pe
    >>> data = pe.load_sample("province")
    >>> sorted(data.meta["frameworks"])[:3]
    ['department', 'exante', 'key']
    """
    if not isinstance(name, str):
        raise TypeError(f"`name` must be a str; got {type(name).__name__}.")
    known = list_samples()["name"].tolist()
    directory = sample_data_dir() / name
    if name not in known:
        raise InputError.single(name, "unknown_sample",
                                f"`name` must be one of the shipped samples ({', '.join(known) or 'none'}); "
                                f"got {name!r}.")
    from .. import io as pio

    meta = pio.read_dataset_meta(directory)
    with warnings.catch_warnings():  # the planted data-quality problems are listed in meta["planted"]
        warnings.simplefilter("ignore", DataQualityWarning)
        frames = {attr: _read(attr, directory / file) for attr, file in FILES.items()}
    forms = []
    for path in sorted((directory / "forms").glob("*.xlsx")):
        form = pio.read_selfeval_form(path)
        budget = form.budget.iloc[0].to_dict() if len(form.budget) else {}
        forms.append(FormData(file=path.name, unit=dict(form.unit), observations=form.observations,
                              budget=budget, claimed_total=float(budget.get("claimed_total", float("nan"))),
                              claimed_grade=str(getattr(form, "claimed_grade", "") or ""),
                              goals=dict(getattr(form, "goals", {}) or {})))
    readme = directory / "README.md"
    return SampleData(**frames, meta=meta, forms=tuple(forms),
                      readme=readme.read_text(encoding="utf-8") if readme.is_file() else "")
