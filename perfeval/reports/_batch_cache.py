"""The batch's incremental cache: a key per report from what can change its HTML.

``key = sha256(canonical JSON of {notebook, params, inputs, versions})`` where

- ``notebook``: sha256 of the notebook with its parameters injected (code, markdown and metadata);
- ``params``: the validated parameters, as canonical JSON (sorted keys, no spaces, UTF-8);
- ``inputs``: one digest per input file. A report about one unit (parameter ``unit_id``, ``department_id`` or
  ``region_id``) reads a table keyed by ``unit_id`` in two parts: the rows of the units it is about (all columns),
  and every row without the free-text ``note`` column (what peers' totals, ranks and profiles are computed from).
  Editing a project's deviation note therefore re-renders only the reports about that project (and its
  department's), while editing anything that can move a score re-renders every report reading that table.
  Other files (``dataset.yaml``, forms, workbooks) and every file of a report about the whole dataset count by
  their full sha256;
- ``versions``: Python, perfeval, pandas, numpy, matplotlib, IPython, papermill, nbconvert, nbformat, and the
  sha256 of perfeval's own code and templates (a change to the library re-renders everything).

A cached report is reused only when its key matches, it rendered ``ok`` and its HTML file still has the sha256
recorded when it was written.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import platform
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

__all__ = ["canonical_json", "sha256_file", "InputDigests", "versions", "cache_key", "SCOPE_PARAMS",
           "PRIVATE_COLUMNS"]

#: parameters that make a report about some units only
SCOPE_PARAMS = ("unit_id", "department_id", "region_id")
#: columns of unit-keyed tables whose text appears only in the reports about that unit
PRIVATE_COLUMNS = ("note",)


def canonical_json(value: Any) -> str:
    """``value`` as canonical JSON: sorted keys, no whitespace, non-ASCII kept, NaN refused."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False,
                      default=str)


def _sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def sha256_file(path: str | Path) -> str:
    """sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class _Table:
    """A unit-keyed CSV table split for digests: per-unit row digests and the digest without private columns."""

    by_unit: dict[str, str]
    shared: str


@dataclass
class InputDigests:
    """Digests of input files, each file read once per batch (shared by all reports)."""

    files: dict[Path, str] = field(default_factory=dict)
    tables: dict[Path, _Table | None] = field(default_factory=dict)

    def full(self, path: Path) -> str:
        path = Path(path).resolve()
        if path not in self.files:
            self.files[path] = sha256_file(path)
        return self.files[path]

    def table(self, path: Path) -> _Table | None:
        path = Path(path).resolve()
        if path not in self.tables:
            self.tables[path] = _split_table(path)
        return self.tables[path]

    def digest(self, path: Path, scope: frozenset[str] | None) -> str:
        """The digest of ``path`` for a report about the units ``scope`` (None: the whole dataset)."""
        if scope is None:
            return self.full(path)
        table = self.table(path)
        if table is None:
            return self.full(path)
        own = canonical_json(sorted((u, table.by_unit[u]) for u in scope if u in table.by_unit))
        return _sha(f"rows:{own}|shared:{table.shared}")


def _split_table(path: Path) -> _Table | None:
    """Split a CSV with a ``unit_id`` column; None for anything else (hashed whole)."""
    if path.suffix.lower() != ".csv":
        return None
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or "unit_id" not in rows[0]:
        return None
    header = rows[0]
    key = header.index("unit_id")
    keep = [i for i, name in enumerate(header) if name.strip() not in PRIVATE_COLUMNS]
    per_unit: dict[str, list[list[str]]] = {}
    shared = hashlib.sha256(canonical_json([header[i] for i in keep]).encode())
    for row in rows[1:]:
        unit = row[key].strip() if key < len(row) else ""
        per_unit.setdefault(unit, []).append(row)
        shared.update(canonical_json([row[i] if i < len(row) else "" for i in keep]).encode())
    by_unit = {u: _sha(canonical_json([header, *r])) for u, r in per_unit.items()}
    return _Table(by_unit, shared.hexdigest())


def report_scope(params: Mapping[str, Any], units_csv: Path | None) -> frozenset[str] | None:
    """The units a report is about: its ``unit_id`` / ``region_id``, or a department and its projects; None for a
    report about the whole dataset."""
    scope: set[str] = set()
    for name in SCOPE_PARAMS:
        value = params.get(name)
        if value is None or value == "":  # "" is how notebooks declare "all of them"
            continue
        scope.add(str(value))
        if name == "department_id" and units_csv is not None and units_csv.is_file():
            scope.update(_department_members(units_csv.resolve()).get(str(value), ()))
    return frozenset(scope) if scope else None


@lru_cache(maxsize=8)
def _department_members(units_csv: Path) -> dict[str, tuple[str, ...]]:
    import pandas as pd

    try:
        frame = pd.read_csv(units_csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except Exception:  # noqa: BLE001  (an unreadable units file: no members, so only the department's own rows)
        return {}
    if not {"unit_id", "department_id"} <= set(frame.columns):
        return {}
    return {d: tuple(g["unit_id"]) for d, g in frame.groupby("department_id")}


def _code_digest() -> str:
    """sha256 over perfeval's own source files and shipped templates (path and bytes)."""
    from .. import __file__ as init_file
    from .._resources import templates_dir

    h = hashlib.sha256()
    roots = [Path(init_file).parent]
    try:
        roots.append(templates_dir())
    except Exception:  # noqa: BLE001  (no templates folder: hash the code only)
        pass
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix not in (".pyc",) and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(root)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def versions() -> dict[str, str]:
    """The versions a report's HTML depends on (package versions plus a digest of perfeval's code)."""
    from importlib import metadata

    from .. import __version__

    out = {"python": platform.python_version(), "perfeval": __version__}
    for dist in ("pandas", "numpy", "matplotlib", "ipython", "papermill", "nbconvert", "nbformat", "nbclient"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "absent"
    out["perfeval_code"] = _code_digest()
    return out


def cache_key(notebook_json: str, params: Mapping[str, Any], inputs: Mapping[str, str],
              versions_: Mapping[str, str]) -> str:
    """The cache key of one report (see the module docstring)."""
    return _sha(canonical_json({"notebook": _sha(notebook_json), "params": dict(params), "inputs": dict(inputs),
                                "versions": dict(versions_)}))


def relative_names(paths: Iterable[Path], base: Path | None) -> dict[Path, str]:
    """Display names of input files: relative to the dataset folder when inside it, else the file name."""
    out = {}
    for path in paths:
        p = Path(path)
        try:
            out[p] = str(p.resolve().relative_to(base.resolve())) if base is not None else p.name
        except ValueError:
            out[p] = p.name
    return out
