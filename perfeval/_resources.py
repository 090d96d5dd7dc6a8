"""Locate the shipped data folders (templates/, notebooks/, sample_data/).

In a wheel they live inside the package as ``perfeval/_data/<name>`` (hatch force-include); in a source checkout
they are the top-level folders of the repository.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["resource_dir", "templates_dir", "notebooks_dir", "sample_data_dir"]

_NAMES = ("templates", "notebooks", "sample_data")


def resource_dir(name: str) -> Path:
    """Return the directory of a shipped resource folder (``templates``, ``notebooks`` or ``sample_data``)."""
    if name not in _NAMES:
        raise ValueError(f"`name` must be one of {', '.join(map(repr, _NAMES))}; got {name!r}.")
    packaged = Path(str(resources.files("perfeval"))) / "_data" / name
    if packaged.is_dir():
        return packaged
    source = Path(__file__).resolve().parent.parent / name
    if source.is_dir():
        return source
    raise FileNotFoundError(f"perfeval's {name}/ folder was found neither at {packaged} nor at {source}; "
                            "reinstall the package.")


def templates_dir() -> Path:
    return resource_dir("templates")


def notebooks_dir() -> Path:
    return resource_dir("notebooks")


def sample_data_dir() -> Path:
    return resource_dir("sample_data")
