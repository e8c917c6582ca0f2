"""Where chunks of runs are played: in this process, in a pool of processes, or on Dask.

Every executor has the same small surface: ``submit(start, stop, values)`` returns a
future-like object (``done()``, ``result()``, ``cancel()``), ``wait(pending)`` returns
``(done, not_done)`` as soon as one is done, and ``close()``. The batch loop on top keeps a
bounded number of chunks in flight, so memory does not grow with the number of runs.

The scenario goes to each worker once: as the pool's initializer argument, or scattered to
every Dask worker; a task carries only its run range and factor values.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing

from sim.analysis.errors import AnalysisError
from sim.analysis.runner import RunSpec, init_worker, prime, run_chunk
from sim.scenario import LoadedScenario


class InProcess:
    """Run each chunk when submitted, here (one worker: no process start-up, easy to debug)."""

    workers = 1
    inflight = 1  # a chunk runs as it is submitted: nothing to queue

    def __init__(self, spec: RunSpec, loaded: LoadedScenario | None = None):
        self.spec = spec
        prime(spec, loaded)

    def submit(self, start: int, stop: int, values) -> cf.Future:
        fut: cf.Future = cf.Future()
        fut.set_result(run_chunk(self.spec, start, stop, values))
        return fut

    def wait(self, pending):
        return set(pending), set()

    def cancel(self, fut) -> bool:
        return False  # every chunk is done when submitted: keep it

    def close(self, cancel: bool = False, abandon: bool = False) -> None:
        pass


class ProcessPool:
    """A pool of worker processes (spawn-safe: workers import the package afresh and receive
    the scenario through the initializer)."""

    def __init__(self, spec: RunSpec, workers: int):
        self.spec = spec
        self.workers = workers
        # mesa sets the global start method to "spawn" when imported; pick one explicitly
        # (forkserver where there is one: workers fork from a server that has imported the
        # model once, instead of each importing it afresh)
        if "forkserver" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["sim.analysis.runner"])
        else:
            ctx = multiprocessing.get_context("spawn")
        self.pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                           initializer=init_worker, initargs=(spec,))

    @property
    def inflight(self) -> int:
        return 2 * self.workers  # one running and one queued per worker

    def submit(self, start: int, stop: int, values):
        return self.pool.submit(run_chunk, self.spec.key, start, stop, values)

    def wait(self, pending):
        done, not_done = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
        return done, not_done

    def cancel(self, fut) -> bool:
        """Drop a chunk not started yet; False if it is running or done (then it is kept)."""
        return fut.cancel()

    def close(self, cancel: bool = False, abandon: bool = False) -> None:
        if abandon:  # a second Ctrl-C: do not wait for the running chunks
            for proc in list(getattr(self.pool, "_processes", {}).values()):
                proc.terminate()
            self.pool.shutdown(wait=False, cancel_futures=True)
            return
        self.pool.shutdown(wait=True, cancel_futures=cancel)


class DaskCluster:
    """A Dask distributed cluster: an existing scheduler (``--scheduler ADDRESS``) or a local
    one on the loopback interface with ``workers`` single-threaded worker processes."""

    def __init__(self, spec: RunSpec, workers: int, scheduler: str | None = None, cluster=None):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise AnalysisError("--executor dask needs Dask distributed, an optional extra: "
                                "pip install 'arbiter-syria[cluster]'") from None
        self.spec = spec
        self._own_cluster = None
        try:
            if cluster is not None:
                self.client = Client(cluster)
            elif scheduler:
                self.client = Client(scheduler, timeout="10s")
            else:
                self._own_cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                 host="127.0.0.1", dashboard_address=None,
                                                 silence_logs=logging.ERROR)
                self.client = Client(self._own_cluster)
        except (OSError, TimeoutError) as exc:
            if self._own_cluster is not None:
                self._own_cluster.close()
            raise AnalysisError(f"--scheduler {scheduler}: cannot reach a Dask scheduler there ({exc}); "
                                "expected an address such as tcp://127.0.0.1:8786") from None
        info = self.client.scheduler_info()
        self.workers = max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))
        # one copy of the spec on every worker; tasks refer to it
        self._spec = self.client.scatter(spec, broadcast=True, hash=False)

    @property
    def inflight(self) -> int:
        return 2 * self.workers

    def submit(self, start: int, stop: int, values):
        return self.client.submit(run_chunk, self._spec, start, stop, values, pure=False,
                                  key=f"arbiter-{self.spec.key[:8]}-{start}-{stop}")

    def wait(self, pending):
        from distributed import wait

        res = wait(list(pending), return_when="FIRST_COMPLETED")
        return set(res.done), set(res.not_done)

    def cancel(self, fut) -> bool:
        if fut.done():
            return False  # finished: keep it
        fut.cancel()  # Dask drops queued and running tasks alike
        return True

    def close(self, cancel: bool = False, abandon: bool = False) -> None:
        try:
            self.client.close()
        finally:
            if self._own_cluster is not None:
                self._own_cluster.close()


def make_executor(kind: str, spec: RunSpec, workers: int, *, scheduler: str | None = None,
                  loaded: LoadedScenario | None = None, cluster=None):
    if kind == "dask":
        return DaskCluster(spec, workers, scheduler, cluster)
    if kind != "local":
        raise AnalysisError(f"--executor {kind}: expected local or dask")
    if workers <= 1:
        return InProcess(spec, loaded)
    return ProcessPool(spec, workers)
