"""The budget performance indicator library (绩效指标库): load, validate, search, and check usage against it.

Indicators "must in principle be selected from the library" (domain.md §8): a project's targets, a framework's
fixed leaves and a unit's self-evaluation rows name library entries, and anything else is an individual
(个性) indicator that is allowed but flagged. The shipped library lives in ``templates/indicators/*.csv``
(common MOF reference indicators, the department-overall set, transfer payments and one file per sector); a user
library is any CSV, or folder of CSVs, with the same columns (:data:`FIELDS`).

The entry schema follows the PMKPI tables ``BAS_PERF_INDICATOR`` / ``GD_PERF_INDICATOR`` (code, name, L1/L2
parents, ``VALUE_DESC`` definition, ``COMPUTESIGN`` operator, ``UNIT``, ``IS_COMMON_IND``, ``START_DATE`` /
``END_DATE``, ``WFSTATUS``) plus the fields local library documents add: scoring rule, formula and data source.

Here: the entries (:class:`Indicator`), the library with its look-ups and search (:class:`IndicatorLibrary`), and
reading and validating library files. It builds on :mod:`._schema` (fields, vocabularies, per-entry rules, the CSV
reader) and :mod:`.check` (usage findings); :mod:`perfeval.library` re-exports the public names.
"""
from __future__ import annotations

import difflib
import html
import unicodedata
import warnings
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Iterator, Mapping

import pandas as pd

from .._resources import templates_dir
from ..errors import DataQualityWarning, InputError, Problem
from ._schema import (APPLIES_TO, FIELDS, OPS, SECTOR_PREFIXES, STATUSES, choices, entry_problems, is_cost_level,
                      norm_name, norm_op, read_file, strip_level)
from .check import FrameworkLike, as_date, usage_findings, usage_items

__all__ = ["Indicator", "IndicatorLibrary", "load_library", "validate_library", "validate_library_file"]


# ---------------------------------------------------------------------------------------------------------------
# one indicator
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class Indicator:
    """One library entry (绩效指标库条目).

    Attributes
    ----------
    code : str
        ``<SECTOR>-<L1>-<NNN>``, e.g. ``GEN-PRC-002``; the L1 segments are listed in :data:`LEVEL1_SEGMENTS`.
    name_zh, name_en : str
        Chinese name (三级指标名称) and English name.
    level1, level2 : str
        First- and second-level indicator names as the standard forms write them (产出指标 / 数量指标 ...).
    definition : str
        指标解释: what is measured and why.
    kind : str
        ``quantitative`` (定量) or ``qualitative`` (定性).
    op : str
        Comparison operator (指标性质): ``>=`` positive, ``<=`` reverse, ``=`` equality, ``qualitative``.
    unit : str
        计量单位; required for quantitative indicators, empty for qualitative ones.
    scoring_rule : str
        One of :data:`SCORING_RULES`; it must be able to score ``op``.
    formula, data_source : str
        计算公式 and 数据来源 (free text, may be empty).
    sector : str
        ``general``, ``department``, ``transfer`` or a sector such as ``education``.
    applies_to : tuple of str
        Evaluation objects among :data:`APPLIES_TO`.
    common : bool
        True for 共性 (common) indicators, False for 个性 (sector- or object-specific) ones.
    status : str
        ``approved`` (usable) or ``draft``.
    valid_from, valid_to : datetime.date or None
        Validity, both ends inclusive; None leaves the end open.

    Raises
    ------
    InputError
        When a field breaks a rule of :func:`validate_library` of severity "error"; every such problem is listed.
    """

    code: str
    name_zh: str
    name_en: str
    level1: str
    level2: str
    definition: str = ""
    kind: str
    op: str
    unit: str = ""
    scoring_rule: str
    formula: str = ""
    data_source: str = ""
    sector: str
    applies_to: tuple[str, ...]
    common: bool = False
    status: str = "approved"
    valid_from: date | None = None
    valid_to: date | None = None

    def __post_init__(self) -> None:
        if isinstance(self.applies_to, str):
            object.__setattr__(self, "applies_to", tuple(s.strip() for s in self.applies_to.split("|")))
        else:
            object.__setattr__(self, "applies_to", tuple(self.applies_to))
        errors = [Problem(f"{self.code or '<indicator>'}:{col}", code, msg)
                  for col, code, msg, severity in entry_problems(self.to_dict()) if severity == "error"]
        if errors:
            raise InputError(f"Indicator {self.code!r} is invalid:", problems=errors)

    @property
    def is_cost(self) -> bool:
        """True for cost indicators (成本指标, 经济/社会/生态环境成本指标, 运行成本), which must not use ``>=``."""
        return is_cost_level(self.level1, self.level2)

    def is_valid_on(self, on: date) -> bool:
        """True when ``on`` lies in ``[valid_from, valid_to]`` (open ends allowed); status is not considered."""
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)

    def to_dict(self) -> dict[str, Any]:
        """The fields in :data:`FIELDS` order; ``applies_to`` stays a tuple, dates stay dates."""
        return {name: getattr(self, name) for name in FIELDS}


# ---------------------------------------------------------------------------------------------------------------
# the library
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, repr=False)
class IndicatorLibrary:
    """An immutable collection of :class:`Indicator` entries with unique codes.

    Attributes
    ----------
    indicators : tuple of Indicator
        The entries, in file order.
    source : str or None
        Where the library was read from.
    origins : mapping
        ``code -> "file:row"`` of each entry read from a file (used to locate problems).

    Examples
    --------
    >>> import perfeval as pe
    >>> lib = pe.load_library()
    >>> lib.get("GEN-PRC-002").name_zh
    '预算执行率'
    >>> len(lib.search("满意度", sector="general")) >= 1
    True
    """

    indicators: tuple[Indicator, ...] = ()
    source: str | None = None
    origins: Mapping[str, str] = field(default_factory=dict, compare=False)
    _by_code: Mapping[str, Indicator] = field(init=False, compare=False)
    _by_name: Mapping[str, str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        items = tuple(self.indicators)
        wrong = [type(i).__name__ for i in items if not isinstance(i, Indicator)]
        if wrong:
            raise InputError.single("indicators", "bad_type",
                                    f"`indicators` must hold Indicator objects; got {', '.join(sorted(set(wrong)))}.")
        by_code: dict[str, Indicator] = {}
        dups: set[str] = set()
        for ind in items:
            if ind.code in by_code:
                dups.add(ind.code)
            by_code.setdefault(ind.code, ind)
        if dups:
            raise InputError.single("indicators", "duplicate_code",
                                    f"indicator codes must be unique; got duplicates {', '.join(sorted(dups))}.")
        # name lookup: approved entries win over drafts, then file order
        by_name: dict[str, str] = {}
        for ind in sorted(items, key=lambda i: i.status != "approved"):
            by_name.setdefault(ind.name_zh, ind.code)
            by_name.setdefault(norm_name(ind.name_zh), ind.code)
        object.__setattr__(self, "indicators", items)
        object.__setattr__(self, "origins", MappingProxyType(dict(self.origins)))
        object.__setattr__(self, "_by_code", MappingProxyType(by_code))
        object.__setattr__(self, "_by_name", MappingProxyType(by_name))

    # -- container protocol ----------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.indicators)

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    @property
    def codes(self) -> tuple[str, ...]:
        """Indicator codes, in library order."""
        return tuple(i.code for i in self.indicators)

    @property
    def sectors(self) -> tuple[str, ...]:
        """Sectors present, sorted."""
        return tuple(sorted({i.sector for i in self.indicators}))

    def get(self, code: str) -> Indicator:
        """The entry with this code.

        Raises
        ------
        InputError
            When no entry has the code (the message suggests close codes).
        """
        try:
            return self._by_code[code]
        except (KeyError, TypeError):
            close = difflib.get_close_matches(str(code), list(self._by_code), n=3)
            hint = f" Did you mean {choices(close)}?" if close else ""
            raise InputError.single("code", "unknown_code",
                                    f"`code` must be an indicator code of the library; got {code!r}.{hint}") from None

    # -- views -----------------------------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """One row per indicator.

        Returns
        -------
        pandas.DataFrame
            Columns :data:`FIELDS`: ``code, name_zh, name_en, level1, level2, definition, kind, op, unit,
            scoring_rule, formula, data_source, sector`` (str), ``applies_to`` (str, values joined by ``|`` as
            in the CSV), ``common`` (bool), ``status`` (str), ``valid_from, valid_to`` (datetime.date or None).
        """
        rows = [{**i.to_dict(), "applies_to": "|".join(i.applies_to)} for i in self.indicators]
        frame = pd.DataFrame(rows, columns=list(FIELDS))
        return frame.astype({"common": bool})

    def __repr__(self) -> str:
        return (f"IndicatorLibrary({len(self)} indicators, sectors: {', '.join(self.sectors) or '-'}"
                f"{', source: ' + self.source if self.source else ''})")

    def _repr_html_(self) -> str:
        counts = pd.Series([i.status for i in self.indicators], dtype=object).value_counts()
        head = (f"<p><b>IndicatorLibrary</b>: {len(self)} indicators in {len(self.sectors)} sectors "
                f"({html.escape(', '.join(self.sectors))}); "
                + ", ".join(f"{html.escape(str(k))} {v}" for k, v in counts.items()) + "</p>")
        cols = ["code", "name_zh", "name_en", "level1", "level2", "op", "unit", "scoring_rule", "status"]
        return head + self.to_frame()[cols].to_html(index=False, max_rows=40, escape=True)

    # -- search ----------------------------------------------------------------------------------------------
    def search(self, text: str | None = None, *, sector: str | Iterable[str] | None = None,
               level: str | Iterable[str] | None = None, level1: str | Iterable[str] | None = None,
               level2: str | Iterable[str] | None = None, applies_to: str | Iterable[str] | None = None,
               status: str | Iterable[str] | None = None,
               op: str | Iterable[str] | None = None) -> "IndicatorLibrary":
        """Entries matching every given criterion, as a new library.

        Parameters
        ----------
        text : str, optional
            Case-insensitive substring of ``code``, ``name_zh``, ``name_en`` or ``definition`` (full-width
            characters are folded to half-width first, so ``ＰＭ２．５`` finds ``PM2.5``).
        sector, status, op : str or iterable of str, optional
            Exact values; several values mean "any of them". ``op`` also accepts ≥, ≤ and 定性.
        level : str or iterable of str, optional
            A level name matched against either level: keeps entries whose ``level1`` or ``level2`` is one of
            these (``level="效益"`` finds the 效益 group, ``level="数量"`` the 数量指标 entries of every group).
        level1, level2 : str or iterable of str, optional
            Level names of that level only. All level names are compared without a trailing 指标 (``产出``
            finds both 产出 and 产出指标).
        applies_to : str or iterable of str, optional
            Keeps entries that apply to any of these objects.

        Returns
        -------
        IndicatorLibrary
            The matching entries in library order (possibly none), with the same ``source``.

        Raises
        ------
        InputError
            An unknown ``sector``, ``applies_to``, ``status`` or ``op`` value (the message lists the known ones).

        Examples
        --------
        >>> import perfeval as pe
        >>> lib = pe.load_library()
        >>> lib.search("死亡率", sector="health", op="<=").codes
        ('HLT-EFF-001', 'HLT-EFF-002', 'HLT-EFF-003')

        ``level`` matches either level: 成本 is a first-level group (成本指标) and, for GEN-OUT-006, a second-level
        one under 产出指标.

        >>> len(lib.search(level1="成本")), len(lib.search(level2="成本")), len(lib.search(level="成本"))
        (23, 1, 24)
        >>> lib.search(level="成本", sector="general").codes[:3]
        ('GEN-OUT-006', 'GEN-COS-001', 'GEN-COS-002')
        """
        sectors = self._choice("sector", sector, sorted(set(self.sectors) | set(SECTOR_PREFIXES.values())))
        objects = self._choice("applies_to", applies_to, APPLIES_TO)
        statuses = self._choice("status", status, STATUSES)
        ops = self._choice("op", None if op is None else [norm_op(o) for o in _as_list(op)], OPS)
        l1 = None if level1 is None else {strip_level(x) for x in _as_list(level1)}
        l2 = None if level2 is None else {strip_level(x) for x in _as_list(level2)}
        either = None if level is None else {strip_level(x) for x in _as_list(level)}
        needle = None if text is None else unicodedata.normalize("NFKC", str(text)).casefold()

        def keep(i: Indicator) -> bool:
            if sectors is not None and i.sector not in sectors:
                return False
            if objects is not None and not objects.intersection(i.applies_to):
                return False
            if statuses is not None and i.status not in statuses:
                return False
            if ops is not None and i.op not in ops:
                return False
            if l1 is not None and strip_level(i.level1) not in l1:
                return False
            if l2 is not None and strip_level(i.level2) not in l2:
                return False
            if either is not None and not either.intersection((strip_level(i.level1), strip_level(i.level2))):
                return False
            if needle is not None:
                hay = " ".join((i.code, i.name_zh, i.name_en, i.definition))
                return needle in unicodedata.normalize("NFKC", hay).casefold()
            return True

        kept = tuple(i for i in self.indicators if keep(i))
        return IndicatorLibrary(kept, source=self.source,
                                origins={i.code: self.origins[i.code] for i in kept if i.code in self.origins})

    @staticmethod
    def _choice(param: str, value: Any, allowed: Iterable[str]) -> set[str] | None:
        """The accepted values of a filter argument (None: no filter); fails fast on an unknown value."""
        if value is None:
            return None
        values, allowed = _as_list(value), tuple(allowed)
        bad = [v for v in values if v not in allowed]
        if bad:
            raise InputError.single(param, "bad_argument",
                                    f"`{param}` must be one of {choices(allowed)}; got {choices(bad)}.")
        return set(values)

    # -- lookup and checks -----------------------------------------------------------------------------------
    def match(self, names: Iterable[str] | pd.Series) -> pd.Series:
        """Library code of each indicator name.

        A name matches an entry's ``name_zh`` exactly, or after full-width characters are folded to half-width
        (NFKC), whitespace is removed and Latin letters are case-folded. When several entries share a name, the
        approved one wins, then the first in file order.

        Parameters
        ----------
        names : iterable of str or pandas.Series
            Indicator names (三级指标) as written.

        Returns
        -------
        pandas.Series
            Named ``code`` (object dtype): the code, or None when nothing matches. Indexed like ``names`` when it
            is a Series, else by the names themselves.
        """
        series = names if isinstance(names, pd.Series) else pd.Series(list(names), dtype=object)
        codes = [self._lookup_name(n) for n in series]
        index = series.index if isinstance(names, pd.Series) else pd.Index(series, dtype=object)
        return pd.Series(codes, index=index, name="code", dtype=object)

    def _lookup_name(self, name: Any) -> str | None:
        """Code of the entry named ``name`` (exactly, then normalised), or None."""
        if name is None or (isinstance(name, float) and pd.isna(name)) or name is pd.NA:
            return None
        text = str(name)
        return self._by_name.get(text.strip()) or self._by_name.get(norm_name(text))

    def check(self, framework_or_observations: FrameworkLike | pd.DataFrame, *,
              on: date | str | None = None) -> pd.DataFrame:
        """List the indicators of a framework or of observations that the library does not cover or approve.

        Framework leaves are checked when they carry an ``indicator_code`` (slots and framework-defined leaves
        are not library entries). Observation rows are checked by ``indicator_code`` when the column exists and
        the cell is filled, else by matching ``indicator`` to ``name_zh`` (see :meth:`match`).

        Parameters
        ----------
        framework_or_observations : Framework or pandas.DataFrame
            A framework, or an observations frame with canonical columns (``indicator_code`` and/or
            ``indicator``; ``op``, ``source_file`` and ``source_row`` are used when present). Rows with neither
            a code nor a name are skipped.
        on : datetime.date or str, optional
            Reference date for validity (ISO ``YYYY-MM-DD``); today when omitted.

        Returns
        -------
        pandas.DataFrame
            One row per finding, columns ``location`` (node code, ``file:row:column``, or
            ``observations[<index>]:<column>``), ``indicator`` (the name as written), ``code`` (library code, or
            the code as given), ``finding`` (one of :data:`FINDINGS`), ``severity`` and ``message``. Severities:
            ``not_in_library`` (a code that is not in the library), ``draft``, ``expired`` and
            ``not_yet_valid`` are errors (only approved, valid entries may be used); ``op_differs`` (the operator
            differs from the library's) is a warning; ``individual`` (a 个性 indicator matching no entry: allowed)
            is a note.

        Raises
        ------
        InputError
            ``framework_or_observations`` is neither a Framework nor a DataFrame, the frame has neither
            ``indicator_code`` nor ``indicator``, or ``on`` is not a date.
        """
        day = as_date(on)
        items = usage_items(framework_or_observations)
        return usage_findings(items, self._by_code, self._lookup_name, day)


def _as_list(value: str | Iterable[str]) -> list[str]:
    """One value or several, as a list of str."""
    return [value] if isinstance(value, str) else [str(v) for v in value]


# ---------------------------------------------------------------------------------------------------------------
# reading and validating files
# ---------------------------------------------------------------------------------------------------------------
def _library_files(path: str | Path | None) -> tuple[list[Path], str]:
    if path is None:
        folder = templates_dir() / "indicators"
        return sorted(folder.glob("*.csv")), str(folder)
    p = Path(path)
    if p.is_dir():
        files = sorted(p.glob("*.csv"))
        if not files:
            raise InputError.single(str(p), "no_csv", f"`path` must be a CSV file or a folder of CSV files; "
                                                      f"{str(p)!r} holds no *.csv file.")
        return files, str(p)
    if p.is_file():
        return [p], str(p)
    raise InputError.single(str(p), "not_found", f"`path` must be an existing CSV file or folder; got {str(p)!r}.")


def _load(path: str | Path | None) -> tuple[IndicatorLibrary, list[Problem]]:
    files, source = _library_files(path)
    problems: list[Problem] = []
    indicators: list[Indicator] = []
    origins: dict[str, str] = {}
    first_seen: dict[str, str] = {}
    for file in files:
        label = str(file)
        rows, file_problems = read_file(file, label)
        problems.extend(file_problems)
        for n, code, values in rows:
            if code in first_seen:
                problems.append(Problem(f"{label}:{n}:code", "duplicate_code",
                                        f"code {code!r} is also used at {first_seen[code]}; codes must be unique."))
                continue
            if code:
                first_seen[code] = f"{label}:{n}"
            if values is not None:
                indicators.append(Indicator(**values))
                origins[code] = f"{label}:{n}"
    library = IndicatorLibrary(tuple(indicators), source=source, origins=origins)
    return library, problems + [p for p in validate_library(library) if p.severity != "error"]


def validate_library(library: IndicatorLibrary) -> list[Problem]:
    """Content problems of a library, located ``file:row:column`` (or ``code:column`` for entries built in code).

    Every entry is checked against the rules of a library file (code pattern, kind/op agreement, known scoring
    rule that can score the op, ``execution`` reserved for 预算执行率, no ``>=`` on cost indicators, unit on
    quantitative entries, known status, dates in order) and the content rules, which are warnings: empty
    definition, unit on a qualitative entry, code prefix or L1 segment that disagrees with ``sector`` or
    ``level1``, and two entries with the same Chinese name (name matching becomes ambiguous).

    Returns
    -------
    list of Problem
        Empty when the library is clean.
    """
    out: list[Problem] = []
    seen_names: dict[str, str] = {}
    for ind in library:
        origin = library.origins.get(ind.code)
        for col, code, msg, severity in entry_problems(ind.to_dict()):
            out.append(Problem(f"{origin or ind.code}:{col}", code, msg, severity))
        key = norm_name(ind.name_zh)
        if key in seen_names:
            out.append(Problem(f"{origin or ind.code}:name_zh", "duplicate_name",
                               f"{ind.name_zh!r} is also the name of {seen_names[key]}; name lookups pick one.",
                               "warning"))
        else:
            seen_names[key] = ind.code
    return out


def validate_library_file(path: str | Path) -> list[Problem]:
    """Every problem of a library CSV (or folder of CSVs), errors and warnings, without raising.

    Used by ``perfeval validate``. Rows are spreadsheet rows (header = row 1).

    Returns
    -------
    list of Problem
        Located ``file:row:column``; empty when the file is clean.
    """
    try:
        return _load(path)[1]
    except InputError as err:
        return list(err.problems)


def load_library(path: str | Path | None = None) -> IndicatorLibrary:
    """Load the shipped indicator library, or a library CSV file or folder of CSVs.

    Parameters
    ----------
    path : str or Path, optional
        A CSV file (UTF-8, UTF-8 with BOM or GB18030) or a folder whose ``*.csv`` files are read in name order.
        Omitted: the shipped library, ``templates/indicators/*.csv``.

    Returns
    -------
    IndicatorLibrary

    Raises
    ------
    InputError
        Listing every problem at once, each located ``file:row:column``: missing columns, duplicate codes
        (naming both rows), empty names, unknown kind/op/scoring rule/status/applies_to, kind and op that
        disagree, a rule that cannot score the op, bad dates or ``valid_to`` before ``valid_from``, a cost
        indicator with ``>=``, a bad code pattern, undecodable text.

    Warns
    -----
    DataQualityWarning
        When the library loads but has content warnings (see :func:`validate_library`).

    Examples
    --------
    >>> import perfeval as pe
    >>> lib = pe.load_library()
    >>> len(lib) >= 150
    True
    """
    library, problems = _load(path)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(f"indicator library {library.source} has {len(errors)} problem(s):", problems=errors)
    if problems:
        listed = "; ".join(str(p) for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        warnings.warn(f"indicator library {library.source}: {listed}{more}", DataQualityWarning, stacklevel=2)
    return library
