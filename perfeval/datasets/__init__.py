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
from ..errors import DataQualityWarning, InputError
from ._generate import FRAMEWORKS, GENERATOR_VERSION, synthesize
from ._load import INTEGER_COLUMNS, dataset_files, load_dataset, resolve_dataset
from ._sample import COLUMNS, FILES, FormData, SampleData

__all__ = ["synthesize", "load_sample", "load_dataset", "resolve_dataset", "dataset_files", "list_samples", "SampleData", "FormData", "FILES", "COLUMNS",
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
    if name not in known:
        raise InputError.single(name, "unknown_sample",
                                f"`name` must be one of the shipped samples ({', '.join(known) or 'none'}); "
                                f"got {name!r}.")
    with warnings.catch_warnings():  # the planted data-quality problems are listed in meta["planted"]
        warnings.simplefilter("ignore", DataQualityWarning)
        return load_dataset(sample_data_dir() / name)
