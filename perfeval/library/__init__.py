"""The budget performance indicator library (绩效指标库): load, validate, search, and check usage against it.

Indicators "must in principle be selected from the library" (domain.md §8): a project's targets, a framework's
fixed leaves and a unit's self-evaluation rows name library entries, and anything else is an individual
(个性) indicator that is allowed but flagged. The shipped library lives in ``templates/indicators/*.csv``
(common MOF reference indicators, the department-overall set, transfer payments and one file per sector); a user
library is any CSV, or folder of CSVs, with the same columns (:data:`FIELDS`).

Modules, each importing only the ones above it in this list (``tests/test_layering.py`` holds them to it):

* :mod:`._schema`: fields, vocabularies, the rules of one entry, the CSV reader, observation rows;
* :mod:`.check`: findings of the indicators a framework or observations use (:data:`FINDINGS`);
* :mod:`.search`: :class:`Indicator`, :class:`IndicatorLibrary` (look-ups, ``search``, ``match``, ``check``),
  :func:`load_library`, :func:`validate_library`, :func:`validate_library_file`.

The package imports nothing from :mod:`perfeval.framework` (whose checks import the library): a framework is
checked through what it offers (:class:`~perfeval.library.check.FrameworkLike`).
"""
from __future__ import annotations

from ._schema import APPLIES_TO, FIELDS, KINDS, LEVEL1_SEGMENTS, OPS, SCORING_RULES, SECTOR_PREFIXES, STATUSES
from .check import FINDINGS
from .search import Indicator, IndicatorLibrary, load_library, validate_library, validate_library_file

__all__ = [
    "FIELDS", "KINDS", "OPS", "SCORING_RULES", "STATUSES", "APPLIES_TO", "FINDINGS", "SECTOR_PREFIXES",
    "LEVEL1_SEGMENTS", "Indicator", "IndicatorLibrary", "load_library", "validate_library",
    "validate_library_file",
]
