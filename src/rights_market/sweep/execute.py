"""Running a study's unfinished runs — on Dask distributed, or in this process — into its store.

* ``scheduler="tcp://host:8786"``: an existing Dask cluster (its workers need rights-market installed; they
  read no files: each task carries its resolved scenario);
* otherwise ``workers=N`` (default: the cores of this machine): a local Dask cluster of ``N`` single-threaded
  worker processes on 127.0.0.1, started and stopped here; ``workers=1`` runs in this process, no cluster.

Workers simulate and serialize; this process writes every finished run into the store as it arrives (one
atomic file per run), so results survive a crash of this process up to the last finished run, and a
re-run skips them. At most ``4 × workers`` runs are in flight. A run that raises is recorded in
``failed/`` and the others go on. The outcome never depends on the number of workers or the order in
which runs finish: each run depends only on its scenario and seed.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .store import Store
from .study import Study
from .task import RunPayload, RunTask, run_task

__all__ = ["Outcome", "default_workers", "execute"]


@dataclass(frozen=True)
class Outcome:
    """What :func:`execute` did: runs finished now, found finished already, failed now (id → reason)."""

    total: int
    done_before: int
    done_now: int
    failed: dict[str, str]

    @property
    def complete(self) -> bool:
        return self.done_before + self.done_now == self.total


def default_workers() -> int:
    """Cores available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def local_cluster(workers: int) -> Any:
    """A Dask LocalCluster of ``workers`` single-thread processes on 127.0.0.1, listening on free ports only.

    The scheduler always serves HTTP (health and metrics routes) and falls back to port 8787 when it has no
    dashboard address, warning when that port is taken; ``":0"`` picks a free port instead and ``dashboard``
    False keeps the dashboard off. The scheduler's own port is free (0) by default.
    """
    from distributed import LocalCluster

    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                        dashboard_address=":0", scheduler_kwargs={"dashboard": False})


@contextmanager
def _client(scheduler: str | None, workers: int) -> Iterator[Any]:
    from distributed import Client

    if scheduler:
        with Client(scheduler, timeout="30s") as client:
            yield client
        return
    with local_cluster(workers) as cluster, Client(cluster) as client:
        yield client


def _bar(study: Study, done: int, progress: bool | None):
    from tqdm import tqdm

    disable = (not progress) if progress is not None else not sys.stderr.isatty()
    return tqdm(total=len(study.tasks), initial=done, unit="run", desc=study.name, file=sys.stderr,
                disable=disable, dynamic_ncols=True)


def execute(
    study: Study,
    store: Store,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    overwrite: bool = False,
    option: str = "--store",
    runner: Callable[[RunTask], RunPayload] = run_task,
) -> Outcome:
    """Run every unfinished run of ``study`` and write it into ``store`` (opened and locked here).

    ``progress``: show a bar of runs done and left (None: when stderr is a terminal). ``overwrite``: replace
    a store of another study (:meth:`Store.open`); ``option`` is named in its error messages. ``runner``
    turns a task into its payload: the simulator (:func:`run_task`) unless a model stand-in is given (a
    module-level function, so that Dask can send it to the workers).
    """
    store.open(study.record(), overwrite=overwrite, option=option)
    try:
        done = store.done_ids()
        todo = [t for t in study.tasks if t.run_id not in done]
        done_before = len(study.tasks) - len(todo)
        failed: dict[str, str] = {}
        n = workers if workers is not None else default_workers()
        with _bar(study, done_before, progress) as bar:
            if not todo:
                pass
            elif scheduler is None and n <= 1:
                for task in todo:
                    _finish(store, task, failed, bar, lambda t=task: runner(t))
            else:
                _run_dask(study, todo, store, failed, bar, scheduler, max(1, n), runner)
        return Outcome(len(study.tasks), done_before, len(todo) - len(failed), failed)
    finally:
        store.close()


def _finish(store: Store, task: RunTask, failed: dict[str, str], bar: Any, get: Any) -> None:
    try:
        payload = get()
    except Exception as exc:  # noqa: BLE001 - a failed run is recorded, the study goes on
        text = "".join(traceback.format_exception(exc))
        failed[task.run_id] = f"{type(exc).__name__}: {exc}"
        store.write_failure(task.run_id, text)
    else:
        store.write(payload)
    bar.update(1)


def _run_dask(study: Study, todo: list[RunTask], store: Store, failed: dict[str, str], bar: Any,
              scheduler: str | None, workers: int, runner: Callable[[RunTask], RunPayload]) -> None:
    from distributed import as_completed

    tag = study.record()["design_hash"][:10]
    with _client(scheduler, workers) as client:
        n_workers = len(client.scheduler_info().get("workers", {})) if scheduler else workers
        window = 4 * max(1, n_workers)
        queue = iter(todo)
        by_key: dict[str, RunTask] = {}

        def submit(task: RunTask):
            fut = client.submit(runner, task, key=f"rights-market-{tag}-{task.run_id}", pure=False, retries=0)
            by_key[fut.key] = task
            return fut

        first = [submit(t) for _, t in zip(range(window), queue, strict=False)]
        pool = as_completed(first)
        for fut in pool:
            task = by_key.pop(fut.key)
            _finish(store, task, failed, bar, fut.result)
            fut.release()
            nxt = next(queue, None)
            if nxt is not None:
                pool.add(submit(nxt))
