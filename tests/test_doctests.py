"""The Examples sections of every module of the package run and print what they say (doctest)."""
from __future__ import annotations

import copy
import doctest
import functools
import importlib
import pkgutil
import warnings

import matplotlib
import pytest

import perfeval
import perfeval.datasets

matplotlib.use("Agg")

_LOAD_SAMPLE = perfeval.datasets.load_sample

# ``perfeval.__main__`` is left out: importing it runs the command line (``sys.exit(main())``)
MODULES = sorted(["perfeval"] + [info.name for info in pkgutil.walk_packages(perfeval.__path__, "perfeval.")
                                 if not info.name.endswith(".__main__")])


@functools.lru_cache(maxsize=None)
def _read_sample(*args, **kwargs):
    return _LOAD_SAMPLE(*args, **kwargs)


def _cached_load_sample(*args, **kwargs):
    """``load_sample`` reading each shipped sample once per test process (it parses the sample's Excel forms,
    about 0.5 s, and many examples start from it); every call still gets its own deep copy."""
    return copy.deepcopy(_read_sample(*args, **kwargs))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, monkeypatch):
    import matplotlib.pyplot as plt

    if name != "perfeval.datasets":           # there, load_sample's own examples run on the real function
        monkeypatch.setattr(perfeval, "load_sample", _cached_load_sample)
        monkeypatch.setattr(perfeval.datasets, "load_sample", _cached_load_sample)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = importlib.import_module(name)
        try:
            result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                                     report=True, verbose=False)
        finally:
            plt.close("all")
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctest examples of {name} failed (see output)"
