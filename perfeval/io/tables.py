"""Generic reading and writing of users' tables: CSV in any of the encodings Excel writes, and XLSX.

:func:`read_table` is the one door every table goes through: it detects the encoding, finds the header row, maps
the headers to canonical names (:func:`perfeval.columns.resolve_columns`), keeps every other column, reads every
cell as text first (so codes keep their leading zeros) and parses only the declared numeric and boolean columns.
All problems of a file are collected and raised together as one :class:`~perfeval.errors.InputError`.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from .._cells import neutralise_frame, unquote_text, write_xlsx, xlsx_cell
from .._io_util import atomic_path, note_input, read_input_bytes, regular_file
from .._rows import attach_headers
from ..columns import accepted_names, resolve_columns
from ..errors import InputError
from ._layout import SheetTooLarge, sheet_grid
from ._log import ProblemLog
from ._text import TEXT, as_text, parse_booleans, parse_numbers, strip_text

__all__ = ["read_table", "write_table", "CSV_SUFFIXES", "XLSX_SUFFIXES", "UNREADABLE"]

CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_SCAN_ROWS = 30  # rows searched for the header (title lines above it are common)
# what openpyxl raises on a file that is not a workbook (zip, XML parse errors are SyntaxError subclasses, ...)
UNREADABLE = (zipfile.BadZipFile, InvalidFileException, OSError, KeyError, ValueError, TypeError, SyntaxError)


@dataclass(frozen=True, slots=True)
class RawTable:
    """A file's cells as text, its header located and mapped (private to :mod:`perfeval.io`).

    ``frame`` has the canonical names for recognised headers, the header text for others, text cells (NaN when
    empty) and ``source_row``; ``headers`` maps each column of ``frame`` to its header as written.
    """

    frame: pd.DataFrame
    headers: Mapping[str, str]
    file: str
    header_row: int


def read_table(path: str | Path, aliases: Mapping[str, Sequence[str]], required: Sequence[str] = (), *,
               kind: str = "table", numeric: Sequence[str] = (), booleans: Sequence[str] = (),
               sheet: str | int | None = None) -> pd.DataFrame:
    """Read a CSV or XLSX table with canonical column names.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` (also ``.txt``, ``.tsv``) or ``.xlsx``/``.xlsm`` file. CSV encodings are detected, not assumed:
        UTF-8, UTF-8 with BOM and GB18030 (a superset of GBK, what Excel writes on Chinese Windows).
    aliases : mapping
        ``{canonical: (accepted header, ...)}``, e.g. :data:`perfeval.columns.OBSERVATION_ALIASES`. The
        canonical name itself is always accepted; comparison ignores spaces, case and a trailing ``(万元)``.
    required : sequence of str
        Canonical columns that must be present.
    kind : str
        What the file is, for messages (``"observations"``, ``"budget"``, ...).
    numeric : sequence of str
        Canonical columns parsed as float (``1,234.5``, full-width digits, spaces and a trailing ``%`` or ``分``
        accepted; ``95%`` reads 95.0). Other columns stay text, so codes keep leading zeros.
    booleans : sequence of str
        Canonical columns parsed as nullable booleans (是/否, true/false, 1/0, Y/N; empty is ``<NA>``).
    sheet : str or int, optional
        XLSX sheet by name or 0-based position; the first sheet by default.

    Returns
    -------
    pandas.DataFrame
        One row per non-empty data row, in file order: the recognised columns under their canonical names (in
        file order), every other column under its header as written (an unnamed column with data is called
        ``column_<letter>``), then ``source_file`` (str, the path as given) and ``source_row`` (int, the
        spreadsheet row: the header is row 1 of a plain file). Text columns hold ``str`` or NaN.

    Raises
    ------
    InputError
        With every problem of the file, each located ``file:row:column``: ``file_not_found``, ``not_a_file``,
        ``unsupported_format``, ``unreadable_file``, ``empty_file``, ``wrong_encoding``, ``no_header``,
        ``no_sheet``, ``malformed_row``, ``missing_column`` (listing the accepted headers), ``duplicate_column``,
        ``not_numeric``, ``not_boolean``.

    Notes
    -----
    The header is the row, among the first 30, that names the most known columns (title lines above it are
    skipped); in a CSV where no row names any, row 1 is taken as the header, and an XLSX sheet without one is
    ``no_header``. Completely empty rows are dropped (their row numbers are skipped, not reused). The file is
    only read, never written.
    """
    log = ProblemLog()
    raw = load_raw(path, aliases, required, kind=kind, sheet=sheet, log=log)
    log.raise_if_errors()
    frame = convert(raw, numeric=numeric, booleans=booleans, log=log)  # raw is set: no file-level problem
    log.raise_if_errors()
    return finish(frame, raw)


def write_table(frame: pd.DataFrame, path: str | Path, *, encoding: str = "utf-8") -> Path:
    """Write a table atomically as CSV or XLSX (by the file suffix) and return the path.

    Parameters
    ----------
    frame : pandas.DataFrame
        Written without its index.
    path : str or Path
        ``.csv`` / ``.txt`` (comma separated; ``.tsv`` tab separated) or ``.xlsx``.
    encoding : str
        CSV encoding: ``"utf-8"`` (default), ``"utf-8-sig"`` (what Excel opens without garbling) or
        ``"gb18030"`` (for Excel on Chinese Windows). Ignored for XLSX.

    Raises
    ------
    ValueError
        For an unknown encoding or an unsupported suffix. The target is replaced in one rename, so a failure
        leaves an existing file untouched.
    InputError
        ``bad_output`` / ``output_is_input`` for a path that cannot or must not be written
        (:func:`perfeval._io_util.check_output`).

    Notes
    -----
    Text cells that a spreadsheet would evaluate as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
    carriage return) are neutralised (:mod:`perfeval._cells`): prefixed with ``'`` in CSV (``read_table`` removes
    it again), stored as text with Excel's quote prefix in XLSX. Numbers stay numbers. XLSX is written in
    streaming (write-only) mode.
    """
    path = Path(path)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ValueError(f"`encoding` must be a codec name such as 'utf-8', 'utf-8-sig' or 'gb18030'; "
                         f"got {encoding!r}.") from None
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES | {".xlsx"}:
        raise ValueError(f"`path` must end in .csv, .txt, .tsv or .xlsx; got {str(path)!r}.")
    with atomic_path(path) as tmp:
        if suffix == ".xlsx":
            write_xlsx(tmp, {"Sheet1": frame})
        else:
            neutralise_frame(frame).to_csv(tmp, index=False, encoding=encoding, sep="\t" if suffix == ".tsv" else ",")
    return path


def xlsx_value(ws, value: object) -> object:
    """A value openpyxl writes as the user wrote it (:func:`perfeval._cells.xlsx_cell`): ``=0`` stays text."""
    return xlsx_cell(ws, value)


# --- loading -----------------------------------------------------------------------------------------------------

def load_raw(path: str | Path, aliases: Mapping[str, Sequence[str]], required: Sequence[str], *, kind: str,
             sheet: str | int | None, log: ProblemLog) -> RawTable | None:
    """Locate the header, map the columns and return the cells as text (None after a file-level problem)."""
    file = str(path)
    p = check_file(path, kind, CSV_SUFFIXES | XLSX_SUFFIXES, log)
    if p is None:
        return None
    if p.suffix.lower() in CSV_SUFFIXES:
        loaded = _load_csv(p, file, aliases, kind, log)
    else:
        loaded = _load_xlsx(p, file, aliases, required, kind, sheet, log)
    if loaded is None:
        return None
    headers, data, header_row = loaded
    raw = _map_columns(headers, data, header_row, file, aliases, required, kind, log)
    if raw.frame.empty:
        log.add("empty_file", f"{kind} file has a header row (row {header_row}) but no data rows", file=file,
                row=header_row)
        return None
    return raw


def check_file(path: str | Path, kind: str, suffixes: frozenset[str], log: ProblemLog) -> Path | None:
    """The path when it is an existing, non-empty file with an accepted suffix; else log why and return None."""
    file, p = str(path), Path(path)
    why = regular_file(p, kind)  # stat only: a FIFO is never opened
    if why == "missing":
        log.add("file_not_found", f"{kind} file not found: {file}", file=file)
        return None
    if why is not None:
        log.add("unreadable_file" if "permission" in why else "not_a_file", f"{why}: {file}", file=file)
        return None
    suffix = p.suffix.lower()
    if suffix not in suffixes:
        hint = "; save it from Excel as .xlsx" if suffix == ".xls" else ""
        accepted = "/".join(sorted(suffixes))
        log.add("unsupported_format", f"{kind} file must be {accepted}; got {suffix or 'no suffix'}{hint}",
                file=file)
        return None
    if p.stat().st_size == 0:
        log.add("empty_file", f"{kind} file is empty", file=file)
        return None
    note_input(p)  # outputs must never overwrite it
    return p


def decode_csv(data: bytes, file: str, log: ProblemLog) -> str | None:
    """Decode CSV bytes as UTF-8 (with or without BOM) or GB18030; None and ``wrong_encoding`` otherwise."""
    def fail(message: str, row: int | None = None) -> None:
        log.add("wrong_encoding", message + "; save it from Excel as 'CSV UTF-8' or 'CSV (逗号分隔)'",
                file=file, row=row)

    if data[:4] == b"PK\x03\x04":
        fail("this is an Excel workbook (.xlsx) with a .csv name, not CSV text; rename it to .xlsx")
        return None
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        fail("the file is UTF-16 text (Excel's 'Unicode text'), not UTF-8 or GB18030")
        return None
    if b"\x00" in data:
        fail("the file contains NUL bytes: UTF-16 text or a binary file, not UTF-8 or GB18030 CSV",
             row=data.count(b"\n", 0, data.index(b"\x00")) + 1)
        return None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8")
        except UnicodeDecodeError as err:
            at = err.start + len(codecs.BOM_UTF8)
            line = data.count(b"\n", 0, at) + 1
            fail(f"the file starts with a UTF-8 BOM but byte 0x{data[at]:02X} at line {line} is not UTF-8",
                 row=line)
            return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err8:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as err:
            line = data.count(b"\n", 0, err.start) + 1
            line8 = data.count(b"\n", 0, err8.start) + 1
            fail(f"the file is neither UTF-8 (byte 0x{data[err8.start]:02X} at line {line8}) nor GB18030 "
                 f"(byte 0x{data[err.start]:02X} at line {line})", row=line)
            return None


def _sniff_delimiter(text: str, suffix: str) -> str:
    """Comma, tab or semicolon: whichever the first non-empty line has most of (tab for .tsv)."""
    if suffix == ".tsv":
        return "\t"
    first = next((line for line in io.StringIO(text) if line.strip()), "")
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def pick_header(records: Sequence[Sequence[object]], aliases: Mapping[str, Sequence[str]]) -> int | None:
    """Index of the record naming the most known columns (first on ties); None when none names any."""
    best, best_i = 0, None
    for i, record in enumerate(records):
        texts = [str(x).strip() for x in record if isinstance(x, str) and x.strip()]
        found = len(set(resolve_columns(texts, aliases).values())) if texts else 0
        if found > best:
            best, best_i = found, i
    return best_i


def _load_csv(p: Path, file: str, aliases: Mapping[str, Sequence[str]], kind: str,
              log: ProblemLog) -> tuple[list[str], pd.DataFrame, int] | None:
    """Decode, find the header among the first rows, and let pandas' C parser read the rest as text."""
    try:
        data = read_input_bytes(p, kind)
    except InputError as err:
        log.extend(err.problems)
        return None
    text = decode_csv(data, file, log)
    if text is None:
        return None
    if not text.strip():
        log.add("empty_file", f"{kind} file has no content", file=file)
        return None
    delimiter = _sniff_delimiter(text, p.suffix.lower())
    buffer = io.StringIO(text)
    reader = csv.reader(buffer, delimiter=delimiter)
    records: list[list[str]] = []
    ends: list[int] = []
    try:
        for record in reader:
            records.append(record)
            ends.append(buffer.tell())
            if len(records) >= _SCAN_ROWS:
                break
    except csv.Error as err:
        log.add("malformed_row", f"cannot read the CSV: {err}", file=file, row=len(records) + 1)
        return None
    k = pick_header(records, aliases)
    if k is None:
        k = next((i for i, r in enumerate(records) if any(c.strip() for c in r)), None)
    if k is None:
        log.add("empty_file", f"{kind} file has no content in its first {_SCAN_ROWS} rows", file=file)
        return None
    headers = [c.strip() for c in records[k]]
    buffer.seek(ends[k])
    try:
        data = pd.read_csv(buffer, sep=delimiter, header=None, names=list(range(len(headers))), dtype=str,
                           keep_default_na=False, na_values=[""], skip_blank_lines=False, index_col=False,
                           engine="c")
    except pd.errors.EmptyDataError:
        data = pd.DataFrame({i: pd.Series(dtype=object) for i in range(len(headers))})
    except pd.errors.ParserError as err:
        _report_bad_rows(buffer, ends[k], delimiter, len(headers), k + 1, file, log, str(err))
        return None
    for column in data.columns:  # the quote perfeval's writers put before formula-like text (perfeval._cells)
        data[column] = unquote_text(data[column])
    return headers, data, k + 1


def _report_bad_rows(buffer: io.StringIO, start: int, delimiter: str, width: int, header_row: int, file: str,
                     log: ProblemLog, reason: str) -> None:
    """Locate the rows the fast parser refused (more fields than the header, an unclosed quote ...)."""
    buffer.seek(start)
    found = 0
    reader = csv.reader(buffer, delimiter=delimiter)
    try:
        for i, record in enumerate(reader):
            if len(record) > width:
                found += 1
                log.add("malformed_row", f"row has {len(record)} fields but the header has {width}; quote text "
                        "that contains the delimiter", file=file, row=header_row + 1 + i)
    except csv.Error as err:
        found += 1
        log.add("malformed_row", f"cannot read the CSV here: {err}", file=file, row=header_row + 1 + reader.line_num)
    if not found:  # e.g. an unclosed quote: pandas counts rows from 0 after the header
        at = re.search(r"starting at row (\d+)", reason)
        row = header_row + 1 + int(at.group(1)) if at else None
        log.add("malformed_row", f"cannot read the CSV from here on: {reason.split('C error: ')[-1]}; check for "
                "an unclosed quote", file=file, row=row)


def _load_xlsx(p: Path, file: str, aliases: Mapping[str, Sequence[str]], required: Sequence[str], kind: str,
               sheet: str | int | None, log: ProblemLog) -> tuple[list[str], pd.DataFrame, int] | None:
    """Read the sheet's cells as the text Excel shows (read-only mode, cached formula values)."""
    sheets = read_sheets(p, file, kind, sheet, log, first=True)
    if sheets is None:
        return None
    name, rows = sheets[0]
    if not any(isinstance(v, str) for row in rows for v in row):
        log.add("empty_file", f"sheet {name!r} of the {kind} workbook is empty", file=file)
        return None
    k = pick_header(rows[:_SCAN_ROWS], aliases)
    if k is None:
        expected = ", ".join(f"{c} ({aliases[c][0]})" if aliases.get(c) else c for c in (required or aliases))
        log.add("no_header", f"sheet {name!r} has no header row naming any {kind} column in its first "
                f"{_SCAN_ROWS} rows; expected headers such as {expected}", file=file)
        return None
    width = max(len(r) for r in rows)
    headers = [(rows[k][j] if j < len(rows[k]) and isinstance(rows[k][j], str) else "").strip()
               for j in range(width)]
    body = [row + [np.nan] * (width - len(row)) for row in rows[k + 1:]]
    data = pd.DataFrame(body, columns=range(width), dtype=object)
    return headers, data.where(data.notna(), np.nan), k + 1


def read_sheets(p: Path, file: str, kind: str, sheet: str | int | None, log: ProblemLog, *,
                first: bool = False) -> list[tuple[str, list[list[object]]]] | None:
    """``(name, cells as text)`` of the sheet asked for, or of every sheet (only the first with ``first``); None
    after ``unreadable_file`` or ``no_sheet``."""
    why = workbook_too_large(p)
    if why:
        log.add("file_too_large", why, file=file)
        return None
    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except UNREADABLE as err:
        log.add("unreadable_file", f"cannot open the {kind} workbook: {err}", file=file)
        return None
    try:
        names = select_sheets(wb.sheetnames, sheet, file, log)
        if names is None:
            return None
        return [(name, sheet_grid(wb[name])) for name in (names[:1] if first else names)]
    except SheetTooLarge as err:
        log.add("sheet_too_large", str(err), file=file)
        return None
    except UNREADABLE as err:  # a sheet's XML that openpyxl cannot parse
        log.add("unreadable_file", f"cannot read the {kind} workbook: {err}", file=file)
        return None
    finally:
        wb.close()


#: Largest uncompressed size of a workbook's parts perfeval opens (a 1 MB zip can hold gigabytes of XML).
MAX_XLSX_BYTES = 500_000_000


def workbook_too_large(p: Path) -> str | None:
    """Why the workbook is too large to open (its parts' uncompressed size above :data:`MAX_XLSX_BYTES`), else
    None; a file that is not a zip is left to openpyxl to report."""
    try:
        with zipfile.ZipFile(p) as z:
            size = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if size > MAX_XLSX_BYTES:
        return (f"the workbook unpacks to {size:,} bytes; perfeval opens workbooks of at most {MAX_XLSX_BYTES:,} "
                "bytes unpacked")
    return None


def select_sheets(names: Sequence[str], sheet: str | int | None, file: str, log: ProblemLog) -> list[str] | None:
    """The sheet asked for (by name or 0-based position) as a one-element list, every sheet when ``sheet`` is
    None; None (and ``no_sheet`` logged) when the workbook has no such sheet."""
    if sheet is None:
        return list(names)
    chosen = names[sheet] if isinstance(sheet, int) and 0 <= sheet < len(names) else sheet
    if chosen not in names:
        log.add("no_sheet", f"no sheet {sheet!r}; the workbook has {', '.join(names)}", file=file)
        return None
    return [str(chosen)]


def _map_columns(headers: list[str], data: pd.DataFrame, header_row: int, file: str,
                 aliases: Mapping[str, Sequence[str]], required: Sequence[str], kind: str,
                 log: ProblemLog) -> RawTable:
    """Rename recognised headers to canonical names, name the others, report missing and duplicate columns."""
    names: list[str] = []
    written: dict[str, str] = {}
    first_seen: dict[str, int] = {}
    keep: list[int] = []
    for j, header in enumerate(headers):
        letter = get_column_letter(j + 1)
        canonical = resolve_columns([header], aliases).get(header) if header else None
        if canonical is not None and canonical in first_seen:
            other = first_seen[canonical]
            log.add("duplicate_column", f"columns {headers[other]!r} ({get_column_letter(other + 1)}) and "
                    f"{header!r} ({letter}) both give {canonical}; keep one", file=file, row=header_row,
                    column=header)
            continue
        if canonical is not None:
            first_seen[canonical] = j
            name = canonical
        else:
            if not header and data[j].isna().all():
                continue  # an unnamed empty column (Excel's trailing columns)
            name = header or f"column_{letter}"
            while name in written or name in aliases or name in ("source_file", "source_row"):
                name += "_2"
        names.append(name)
        written[name] = header or name
        keep.append(j)
    frame = data[keep].copy()
    frame.columns = names
    missing = [c for c in required if c not in first_seen]
    for canonical in missing:
        accepted = accepted_names(canonical, aliases)
        log.add("missing_column", f"{kind} file has no {canonical} column; accepted headers: {accepted[0]} "
                f"({', '.join(accepted[1:])}); headers found: {', '.join(h for h in headers if h)}", file=file,
                row=header_row, column=canonical)
    for column in first_seen:
        frame[column] = strip_text(frame[column])
    frame["source_row"] = np.arange(header_row + 1, header_row + 1 + len(frame), dtype=np.int64)
    frame = frame[frame.drop(columns="source_row").notna().any(axis=1)].reset_index(drop=True)
    return RawTable(frame=frame, headers=written, file=file, header_row=header_row)


# --- conversion --------------------------------------------------------------------------------------------------

_PARSERS = {
    "not_numeric": (parse_numbers, "must be a number"),
    "not_boolean": (parse_booleans, "must be 是/否, true/false, 1/0 or Y/N"),
}


def convert(raw: RawTable, *, numeric: Sequence[str] = (), booleans: Sequence[str] = (),
            log: ProblemLog) -> pd.DataFrame:
    """Parse the declared numeric and boolean columns that are present; report every bad cell."""
    frame = raw.frame.copy()
    for code, columns in (("not_numeric", numeric), ("not_boolean", booleans)):
        parse, rule = _PARSERS[code]
        for column in columns:
            if column not in frame:
                continue
            values, bad = parse(frame[column])
            if bad.any():
                head = raw.headers[column]
                log.add_cells(code, file=raw.file, column=head, rows=frame["source_row"][bad],
                              values=frame[column][bad],
                              message=lambda row, v, h=head, rule=rule: f"{h} in row {row} {rule}; got {v!r}")
            frame[column] = values
    for column in frame.columns:
        if column != "source_row" and column not in numeric and column not in booleans:
            frame[column] = as_text(frame[column])
    for column in ID_COLUMNS:
        if column in frame and column not in numeric:
            bad = frame[column].str.contains(_CONTROL, na=False).astype(bool)
            if bad.any():
                head = raw.headers[column]
                log.add_cells("bad_id", file=raw.file, column=head, rows=frame["source_row"][bad],
                              values=frame[column][bad],
                              message=lambda row, v, h=head: f"{h} in row {row} holds a control or text-direction "
                                                              f"character (invisible, or it reorders the text); got "
                                                              f"{v!r}")
    return frame


#: Identifier columns: a control character (ESC, NUL ...) or a text-direction override (U+202E) in an id is refused
#: (``bad_id``): it would show one id as another, and XML (XLSX) cannot hold most of them.
ID_COLUMNS = ("unit_id", "node_code", "rater_id", "department_id", "expert_id", "indicator_code", "region_id")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def finish(frame: pd.DataFrame, raw: RawTable) -> pd.DataFrame:
    """Add ``source_file`` before ``source_row`` as the last two columns and record the headers as written
    (:func:`perfeval._rows.attach_headers`)."""
    rows = frame.pop("source_row")
    frame["source_file"] = pd.Series(raw.file, index=frame.index, dtype=TEXT)
    frame["source_row"] = rows.astype(np.int64)
    return attach_headers(frame, raw.file, raw.headers)
