"""Small file helpers shared by the readers and writers: input checks, the output guard, atomic writes.

Three promises of perfeval live here, so that every reader and writer keeps them the same way:

* **Only regular files are opened** (:func:`regular_file`, :func:`read_input_bytes`): a FIFO, a device, a directory
  or a symlink loop given where a file is expected is a located ``not_a_file`` error before anything is opened
  (opening a FIFO would block forever).
* **Inputs are never overwritten** (:func:`input_guard`, :func:`note_input`, :func:`check_output`): inside an
  ``input_guard()`` block (the command line opens one per command) every file read is recorded by identity
  (device and inode, so symlinks and hard links are seen through), and an output that resolves to one of them is
  refused with ``output_is_input`` before anything is written.
* **Outputs are written atomically** (:func:`atomic_path`, :func:`atomic_dir`): one file is written to a temporary
  file beside the target and renamed over it; a set of files is written to a temporary folder beside the target
  folder and moved in only when all of them are complete. Output paths that cannot be written (an existing
  directory, a parent that is a file, a folder without write permission) are located ``bad_output`` errors.
"""
from __future__ import annotations

import contextlib
import contextvars
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

__all__ = ["atomic_write_text", "atomic_write_bytes", "atomic_path", "atomic_dir", "input_guard", "note_input",
           "check_output", "check_output_dir", "regular_file", "read_input_bytes"]


@dataclass
class _Guard:
    """The inputs read inside one :func:`input_guard` block, and whether missing output folders are created."""

    inputs: dict[tuple[int, int], str] = field(default_factory=dict)
    mkdir: bool = False


_GUARD: contextvars.ContextVar[_Guard | None] = contextvars.ContextVar("perfeval_input_guard", default=None)


def _error(location: str, code: str, message: str) -> Exception:
    from .errors import InputError

    return InputError.single(location, code, message)


@contextlib.contextmanager
def input_guard(*paths: str | os.PathLike | None, mkdir: bool = False) -> Iterator[None]:
    """Record the inputs read in the block (and ``paths``); outputs resolving to any of them are refused.

    Parameters
    ----------
    *paths : path-like or None
        Inputs known up front (a command's file arguments); files among them are recorded, others ignored.
    mkdir : bool
        Create every missing folder of an output path (``--mkdir``). Without it only the last folder of the
        path is created when missing (``out/new/table.csv`` needs ``out/``).

    Outside such a block (library use) nothing is recorded and missing folders are created as needed.
    """
    guard = _Guard(mkdir=mkdir)
    token = _GUARD.set(guard)
    try:
        for p in paths:
            if p is not None:
                note_input(p)
        yield
    finally:
        _GUARD.reset(token)


def note_input(path: str | os.PathLike) -> None:
    """Record ``path`` as an input of the current :func:`input_guard` block (no-op outside one, or when the path
    is not an existing regular file)."""
    guard = _GUARD.get()
    if guard is None:
        return
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return
    if stat.S_ISREG(st.st_mode):
        guard.inputs.setdefault((st.st_dev, st.st_ino), str(path))


def check_output(path: str | os.PathLike) -> Path:
    """Refuse an output path that is an input, a directory, or whose folder cannot hold it; return it as a Path.

    Raises
    ------
    InputError
        ``output_is_input`` (the path, or the file a symlink at it points to, was read by this command),
        ``bad_output`` (an existing directory; a parent that is a file; missing folders without ``--mkdir``).
    """
    p = Path(path)
    where = str(path)
    guard = _GUARD.get()
    try:
        st = os.stat(p)
    except FileNotFoundError:
        st = None
    except OSError as err:  # a symlink loop, a path through a file, ...
        raise _error(where, "bad_output", f"cannot write here: {err.strerror or err}") from None
    if st is not None:
        if guard is not None and (st.st_dev, st.st_ino) in guard.inputs:
            source = guard.inputs[(st.st_dev, st.st_ino)]
            same = "" if os.path.abspath(source) == os.path.abspath(p) else f" ({source})"
            raise _error(where, "output_is_input", f"the output would overwrite an input file{same}; "
                                                   "write to another path")
        if stat.S_ISDIR(st.st_mode):
            raise _error(where, "bad_output", "the output path is an existing directory; give a file name")
        if not stat.S_ISREG(st.st_mode):
            raise _error(where, "bad_output", "the output path exists and is not a regular file")
    elif os.path.islink(p):
        raise _error(where, "bad_output", "the output path is a dangling symbolic link")
    _ensure_folder(p.parent, where, mkdir=guard.mkdir if guard is not None else True)
    return p


def _ensure_folder(folder: Path, where: str, *, mkdir: bool) -> None:
    """Make sure ``folder`` is a directory: create it (its parents only with ``mkdir``), else a located error."""
    folder = folder if str(folder) else Path(".")
    if folder.is_dir():
        return
    if folder.exists() or folder.is_symlink():
        raise _error(where, "bad_output", f"{folder} is not a folder")
    if not mkdir and not folder.parent.is_dir():
        raise _error(where, "bad_output", f"the folder {folder.parent} does not exist; create it first or give "
                                          "--mkdir (only the last missing folder is created by default)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _error(where, "bad_output", f"cannot create the folder {folder}: {err.strerror or err}") from None


def _writable_error(where: str, err: OSError) -> Exception:
    return _error(where, "bad_output", f"cannot write the output: {err.strerror or err}")


def _permissions(path: Path, directory: bool = False) -> None:
    """Give a mkstemp/mkdtemp result the permissions an ordinary new file (or folder) would have."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, (0o777 if directory else 0o666) & ~umask)


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces ``path`` in one rename.

    The target is checked first (:func:`check_output`). A failure leaves the old file (if any) untouched and
    removes the temporary file.

    Raises
    ------
    InputError
        ``output_is_input`` or ``bad_output`` (see :func:`check_output`), and ``bad_output`` when the folder is not
        writable.
    """
    path = check_output(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        raise _writable_error(str(path), err) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        _permissions(tmp_path)
        check_output(path)  # still not an input (nothing else may have put one there meanwhile)
        try:
            os.replace(tmp_path, path)
        except OSError as err:
            raise _writable_error(str(path), err) from None
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def check_output_dir(directory: str | Path) -> Path:
    """Refuse an output folder that exists as something else (a file), or whose parent cannot be made; call it
    before long work so a bad ``--out`` fails fast. Returns the folder as a Path."""
    target = Path(directory)
    if (target.exists() or target.is_symlink()) and not target.is_dir():
        raise _error(str(target), "bad_output", "the output folder exists and is not a folder")
    guard = _GUARD.get()
    _ensure_folder(target.parent, str(target), mkdir=guard.mkdir if guard is not None else True)
    return target


@contextlib.contextmanager
def atomic_dir(directory: str | Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``directory``; on success its files are moved into ``directory``.

    A multi-file output (the demo's tables and charts) is complete before any file of the target folder is
    replaced: a failure midway leaves the folder as it was (and removes the temporary folder). Files of the
    target that the new set does not contain are kept. Every target file is checked with :func:`check_output`
    before the first one is moved.
    """
    target = check_output_dir(directory)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    except OSError as err:
        raise _writable_error(str(target), err) from None
    try:
        yield tmp
        files = sorted(p for p in tmp.rglob("*") if p.is_file())
        if target.exists():
            for f in files:
                check_output(target / f.relative_to(tmp))
        else:
            _permissions(tmp, directory=True)
            for sub in (p for p in tmp.rglob("*") if p.is_dir()):
                _permissions(sub, directory=True)
            os.replace(tmp, target)
            return
        for f in files:  # every file is complete and checked: move them in
            dest = target / f.relative_to(tmp)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(f, dest)
    except OSError as err:
        raise _writable_error(str(target), err) from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(path)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


# --- inputs ------------------------------------------------------------------------------------------------------

def regular_file(path: str | os.PathLike, kind: str = "input") -> str | None:
    """Why ``path`` cannot be read as a ``kind`` file, or None when it is an existing regular file.

    Checked with ``stat`` (following symlinks) before anything is opened: a FIFO would block ``open`` forever.
    The reason names what was found: no such file, a directory, a FIFO, a device, a symlink loop, no permission.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "missing"
    except OSError as err:
        return f"cannot be opened as a {kind} file: {err.strerror or err}"
    mode = st.st_mode
    if stat.S_ISREG(mode):
        if not os.access(path, os.R_OK):
            return f"the {kind} file cannot be read: permission denied"
        return None
    what = ("a directory" if stat.S_ISDIR(mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "not a regular file")
    return f"expected a {kind} file, found {what}"


def read_input_bytes(path: str | os.PathLike, kind: str = "input", *, limit: int | None = None) -> bytes:
    """The bytes of a regular input file (recorded by the output guard); located errors otherwise.

    Parameters
    ----------
    limit : int, optional
        Largest size read, in bytes; a larger file is ``file_too_large`` (named with the limit).

    Raises
    ------
    InputError
        ``file_not_found``, ``not_a_file`` (directory, FIFO, device, symlink loop), ``unreadable_file``
        (permission), ``file_too_large``.
    """
    where = str(path)
    why = regular_file(path, kind)
    if why == "missing":
        raise _error(where, "file_not_found", f"{kind} file not found")
    if why is not None:
        raise _error(where, "unreadable_file" if "permission" in why else "not_a_file", why)
    note_input(path)
    try:
        size = os.stat(path).st_size
        if limit is not None and size > limit:
            raise _error(where, "file_too_large", f"the {kind} file has {size:,} bytes; perfeval reads at most "
                                                  f"{limit:,} bytes of a {kind} file")
        with open(path, "rb") as fh:
            return fh.read() if limit is None else fh.read(limit + 1)
    except OSError as err:
        raise _error(where, "unreadable_file", f"cannot read the {kind} file: {err.strerror or err}") from None
