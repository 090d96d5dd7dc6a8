"""The batch on a Dask cluster: the same tasks, one warm report worker per Dask worker.

Each Dask worker gets a :class:`~perfeval.reports._forkserver.WorkerProcess` through a worker plugin (started when
the plugin is registered, stopped with the worker), so a report runs exactly as with the local executor — forked
from a warm worker, isolated, with the same statuses and the same HTML bytes — and its result (status, HTML,
executed notebook, log) travels back to the client, which writes every file. Only the dataset must be at the same
path on every machine (a shared folder); the output folder is the client's.

``threads_per_worker=1`` matters: a task blocks its Dask thread while the report's process works, so one thread
per worker and one worker per core is the right size. Cluster set-up (``dask scheduler`` / ``dask worker``) is
described in the README.
"""
from __future__ import annotations

from typing import Any, Callable

__all__ = ["run_on_dask", "ForkServerPlugin", "PLUGIN_NAME"]

PLUGIN_NAME = "perfeval-report-worker"


try:
    import distributed as _dist
except ImportError:  # the `dask` extra is not installed: run_on_dask says how to get it
    _dist = None


def _distributed() -> Any:
    if _dist is None:
        from ..errors import InputError

        raise InputError.single("executor", "missing_dependency",
                                "the Dask executor needs the `distributed` package: pip install 'perfeval[dask]'")
    return _dist


if _dist is not None:
    class ForkServerPlugin(_dist.WorkerPlugin):
        """Keeps one warm report worker process next to each Dask worker."""

        name = PLUGIN_NAME

        def setup(self, worker: Any) -> None:
            from ._forkserver import WorkerProcess

            self.process = WorkerProcess()
            self.process.start()

        def teardown(self, worker: Any) -> None:
            process = getattr(self, "process", None)
            if process is not None:
                process.close()


def _run_task(task: dict[str, Any]) -> dict[str, Any]:
    """Run one report task on this Dask worker's warm report worker."""
    from distributed import get_worker

    worker = get_worker()
    plugin = worker.plugins.get(PLUGIN_NAME)
    if plugin is None or getattr(plugin, "process", None) is None:  # pragma: no cover  (registered by the client)
        from ._forkserver import WorkerProcess

        process = WorkerProcess()
        process.start()
        try:
            return process.run(task)
        finally:
            process.close()
    return plugin.process.run(task)


def run_on_dask(tasks: list[dict[str, Any]], scheduler: str | None, jobs: int,
                on_result: Callable[[int, dict[str, Any]], None]) -> None:
    """Run ``tasks`` on the cluster at ``scheduler`` (a ``LocalCluster`` of ``jobs`` workers when None), calling
    ``on_result(i, result)`` in the caller's thread as each finishes."""
    distributed = _distributed()
    cluster = None
    if scheduler is None:
        cluster = distributed.LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                           dashboard_address=None, silence_logs=40)
    client = distributed.Client(cluster if cluster is not None else scheduler)
    try:
        client.register_plugin(ForkServerPlugin(), name=PLUGIN_NAME)
        futures = client.map(_run_task, tasks, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        for future in distributed.as_completed(futures):
            i = index[future.key]
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001  (a lost Dask worker is this report's crash)
                result = {"status": "crashed", "ename": type(exc).__name__,
                          "evalue": f"the Dask task failed: {exc}", "cell": None, "traceback": [], "html": None,
                          "notebook": None, "log": "", "timings": {}, "attempts": 1}
            on_result(i, result)
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
