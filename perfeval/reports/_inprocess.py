"""Run a notebook's cells inside this process, recording outputs the way a Jupyter kernel would.

The batch runner (:mod:`perfeval.reports._forkserver`) forks one child per report from a warm worker and runs the
report here, in the child: no kernel start, no ZMQ, no second import of pandas. What the child records must be what
``papermill`` + ``nbclient`` + ``ipykernel`` record, so that the exported HTML is the same bytes:

- the cell source runs through an IPython ``InteractiveShell`` (the shell ipykernel itself subclasses): magics,
  ``display()``, the last expression's ``execute_result``, ``%matplotlib inline`` and its figure flushing at the end
  of each cell (ipykernel's default backend, set through ``MPLBACKEND`` exactly as ``ipykernel.kernelapp`` does);
- every display message goes through the same JSON round trip as on the wire (``jupyter_client.session
  .json_packer``/``json_unpacker``: bytes become base64, tuples lists) and is turned into an output with
  :func:`nbformat.v4.output_from_msg`, as nbclient does; consecutive stream outputs of the same name are merged
  (nbclient's ``coalesce_streams``);
- errors become ``error`` outputs with ``ename``, ``evalue`` and the coloured traceback lines, as
  ``ZMQInteractiveShell._showtraceback`` sends them; execution stops at the first failing cell.

The shell is made once per worker by :func:`make_shell` (before the fork) and used by exactly one report in each
child, which then exits: nothing a report does (globals, monkeypatches, rc settings) reaches the next one.
"""
from __future__ import annotations

import io
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["CellOutcome", "make_shell", "run_notebook"]

#: the matplotlib backend ipykernel registers as the default (``ipykernel.kernelapp.IPKernelApp.init_gui_pylab``)
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


@dataclass(frozen=True, slots=True)
class CellOutcome:
    """How a notebook run ended: ``ok``, or ``error`` with the failing cell's index, exception name and message.

    ``exited_early`` is True when a cell called ``sys.exit`` (``SystemExit``): the cells after it did not run, so the
    report is incomplete and counts as an error, whatever the exit code (papermill would record it as success).
    """

    status: str
    cell: int | None = None
    ename: str | None = None
    evalue: str | None = None
    traceback: tuple[str, ...] = ()
    exited_early: bool = False
    cells_run: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def _wire(content: dict[str, Any]) -> dict[str, Any]:
    """``content`` after the JSON round trip a kernel message takes (bytes to base64, tuples to lists)."""
    from jupyter_client.session import json_packer, json_unpacker

    return json_unpacker(json_packer(content))


class _Recorder:
    """The outputs of the cell being run, appended in the order a kernel would publish them."""

    def __init__(self) -> None:
        self.outputs: list[Any] = []
        self.clear_pending = False

    def add(self, msg_type: str, content: dict[str, Any]) -> None:
        from nbformat.v4 import output_from_msg

        if self.clear_pending:
            self.outputs.clear()
            self.clear_pending = False
        out = output_from_msg({"msg_type": msg_type, "header": {"msg_type": msg_type}, "content": _wire(content)})
        if (out.output_type == "stream" and self.outputs and self.outputs[-1].output_type == "stream"
                and self.outputs[-1].name == out.name):
            self.outputs[-1].text += out.text  # nbclient's coalesce_streams
            return
        self.outputs.append(out)


class _Stream(io.TextIOBase):
    """``sys.stdout`` / ``sys.stderr`` of a running cell: text becomes ``stream`` outputs (merged per name)."""

    def __init__(self, recorder: _Recorder, name: str) -> None:
        self._recorder = recorder
        self.name = name

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text:
            self._recorder.add("stream", {"name": self.name, "text": text})
        return len(text)


def make_shell() -> Any:
    """The IPython shell a child runs its report in: display, results and errors recorded as kernel outputs.

    Call once per worker process, before forking; it also imports matplotlib with ipykernel's inline backend so
    the children start with figures flushed at the end of each cell, as in a kernel.
    """
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    recorder = _Recorder()

    class _DisplayPublisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):  # noqa: ANN
            msg_type = "update_display_data" if update else "display_data"
            if update:
                return  # display updates change outputs of earlier cells in a live frontend; nothing to record
            recorder.add(msg_type, {"data": data, "metadata": metadata or {}, "transient": transient or {}})

        def clear_output(self, wait=False):  # noqa: ANN
            if wait:
                recorder.clear_pending = True
            else:
                recorder.outputs.clear()

    class _DisplayHook(DisplayHook):
        def write_output_prompt(self) -> None:
            pass

        def write_format_data(self, format_dict, md_dict=None) -> None:  # noqa: ANN
            recorder.add("execute_result", {"data": format_dict, "metadata": md_dict or {},
                                            "execution_count": self.prompt_count})

        def finish_displayhook(self) -> None:
            pass

    class _Shell(InteractiveShell):
        def _showtraceback(self, etype, evalue, stb):  # noqa: ANN
            recorder.add("error", {"ename": str(etype.__name__), "evalue": str(evalue), "traceback": stb})

    _Shell.displayhook_class = _DisplayHook  # type: ignore[assignment]
    _Shell.display_pub_class = _DisplayPublisher  # type: ignore[assignment]
    from traitlets.config import Config

    config = Config()
    # history in memory, as nbclient configures kernels (``ipython_hist_file=':memory:'``): no SQLite file shared
    # between children, no history-saving thread in the worker that forks
    config.HistoryManager.hist_file = ":memory:"
    shell = _Shell.instance(config=config)
    shell._perfeval_recorder = recorder
    import matplotlib  # noqa: F401  (the backend is chosen from MPLBACKEND on first use)
    return shell


def run_notebook(nb: Any, shell: Any, *, on_cell: Callable[[int], None] | None = None) -> CellOutcome:
    """Run the code cells of ``nb`` (a ``NotebookNode``, changed in place) in ``shell``; stop at the first error.

    Mirrors ``nbclient.NotebookClient``: cells with an empty source or tagged ``skip-execution`` are not run; each
    run cell gets its outputs and ``execution_count``. ``on_cell(index)`` is called before each cell runs (the
    runner records progress through it, so a crash or timeout can name the cell).
    """
    recorder: _Recorder = shell._perfeval_recorder
    started = time.perf_counter()
    cells_run = 0
    real_out, real_err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Stream(recorder, "stdout"), _Stream(recorder, "stderr")
    try:
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            cell.outputs = []
            cell.execution_count = None
            if not cell.source.strip() or "skip-execution" in cell.get("metadata", {}).get("tags", []):
                continue
            if on_cell is not None:
                on_cell(index)
            recorder.outputs = cell.outputs
            recorder.clear_pending = False
            result = shell.run_cell(cell.source, store_history=True, silent=False, cell_id=cell.get("id"))
            cell.execution_count = shell.execution_count - 1
            cells_run += 1
            error = result.error_before_exec or result.error_in_exec
            if error is not None:
                if isinstance(error, SystemExit):
                    return CellOutcome("error", index, "SystemExit", _exit_message(error, nb, index),
                                       exited_early=True, cells_run=cells_run,
                                       timings={"execute": time.perf_counter() - started})
                tb = next((tuple(o.traceback) for o in cell.outputs if o.output_type == "error"), ())
                return CellOutcome("error", index, type(error).__name__, str(error), tb, cells_run=cells_run,
                                   timings={"execute": time.perf_counter() - started})
    finally:
        sys.stdout, sys.stderr = real_out, real_err
    return CellOutcome("ok", cells_run=cells_run, timings={"execute": time.perf_counter() - started})


def _exit_message(error: SystemExit, nb: Any, index: int) -> str:
    """What an early ``sys.exit`` left undone, e.g. ``sys.exit(0); 2 later code cell(s) did not run``."""
    left = sum(1 for c in nb.cells[index + 1:] if c.cell_type == "code" and c.source.strip())
    code = "" if error.code is None else repr(error.code)
    return f"sys.exit({code}); {left} later code cell(s) did not run"
