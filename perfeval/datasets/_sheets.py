"""The sample province's filled expert score sheets (``sheets/<expert>.xlsx``), made from ``panel.csv``.

The key evaluations of the sample are scored by seven experts (``panel.csv``). Their workbooks are what
:func:`perfeval.panel.sheets.write_sheets` issues, filled with exactly those ratings, so that
``perfeval panel collect sample_data/province/sheets`` gives back ``panel.csv`` (tested). Nothing here draws a
random number: the sheets are a deterministic function of ``panel``, ``units`` and the key framework, and are
written byte-stably (:func:`perfeval.datasets._sample.stable_xlsx`).
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ._sample import stable_xlsx, write_file

if TYPE_CHECKING:
    from ._sample import SampleData

__all__ = ["SHEETS_DIR", "sample_sheets", "write_sample_sheets"]

#: Folder of the filled score sheets inside a dataset directory.
SHEETS_DIR = "sheets"


def sample_sheets(data: "SampleData") -> dict[str, bytes]:
    """File name -> XLSX bytes of every expert's filled workbook (empty when the sample has no panel)."""
    from ..panel.sheets import write_sheets

    panel = data.panel
    if panel is None or len(panel) == 0:
        return {}
    framework = (data.meta.get("frameworks") or {}).get("key", "project_key")
    keyed = data.units[data.units["unit_id"].isin(set(panel["unit_id"]))]
    experts = {e: f"专家{e}" for e in sorted(panel["rater_id"].astype(str).unique())}
    stamp = f"{int(data.meta.get('year', 2023))}-12-31T00:00:00Z"
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_sheets(framework, keyed[["unit_id", "name"]], experts, tmp, scores=panel)
        return {p.name: stable_xlsx(p.read_bytes(), stamp) for p in paths}


def write_sample_sheets(data: "SampleData", directory: str | Path) -> list[Path]:
    """Write :func:`sample_sheets` into ``directory/sheets/``; returns the paths."""
    folder = Path(directory) / SHEETS_DIR
    return [write_file(folder / name, content) for name, content in sample_sheets(data).items()]
