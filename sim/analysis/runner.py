"""The worker side of a batch: play a chunk of runs and return their columns.

A worker receives the :class:`RunSpec` once (a process pool's initializer, or a Dask
scatter) and keeps the validated scenario, its variants and the column layout for every
later chunk: a task is only ``(start, stop, factor values)``. The runs of a chunk that share
a scenario variant are played side by side (:mod:`sim.model.turn`), each from a copy of
the variant's opening world with its own generator, exactly as an ``ArbiterModel`` with its
seed would play it; every month each world is read into numpy buffers. A run that raises is
recorded with its seed and the chunk goes on.

Nothing here depends on which worker runs a chunk or when: run ``i`` always gets the same
seed (:mod:`sim.analysis.seeds`) and the same factor values.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import time
import traceback
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pyarrow as pa

from sim.analysis.outcomes import Layout
from sim.analysis.seeds import run_seed
from sim.analysis.variation import Variants
from sim.model.turn import opening_world, play_turns
from sim.model.rules import Compiled
from sim.model.state import World, build_world
from sim.scenario import LoadedScenario
from sim.scenario.loader import validate

# A test hook (never set in normal use): comma-separated run ids whose run raises, to check
# that a crash is reported with its seed and the other runs are kept. Read by the parent and
# sent in the RunSpec, so it reaches workers however they were started.
FAIL_ENV = "ARBITER_TEST_FAIL_RUNS"


@dataclass(frozen=True)
class RunSpec:
    """Everything a worker needs, sent once per worker (plain data, picklable)."""

    scenario_id: str
    name: str  # the scenario file, for messages
    resolved: dict  # the scenario data with the fixed --set overrides applied, validated
    turns: int
    factors: tuple[tuple[str, bool], ...] = ()  # (path, integer) of the varied paths
    root_seed: int = 0
    seed_cycle: int = 0  # 0: run i uses seed index i; k > 0: index i % k (common seeds)
    facts: tuple[tuple[str, dict], ...] = ()  # (column, clause data) probes of a backtest
    fail: tuple[int, ...] = ()  # the test hook's run ids
    key: str = field(default="", compare=False)

    def with_key(self) -> "RunSpec":
        text = json.dumps([self.scenario_id, self.resolved, self.turns, self.factors, self.root_seed,
                           self.seed_cycle, self.facts, self.fail], sort_keys=True, default=str)
        key = hashlib.sha256(text.encode()).hexdigest()[:20]
        return replace(self, key=key)

    def seed_of(self, run_id: int) -> int:
        return run_seed(self.root_seed, run_id % self.seed_cycle if self.seed_cycle else run_id)


@dataclass
class ChunkResult:
    start: int
    stop: int
    runs: pa.Table
    turns: pa.Table
    failures: list[dict]
    seconds: float

    @property
    def n_ok(self) -> int:
        return self.runs.num_rows


@dataclass
class WorkerState:
    spec: RunSpec
    variants: Variants
    layout: Layout
    fail: frozenset
    # each variant's opening world and compiled rules (no draw is made before the first
    # month, so every run of a variant starts from a copy of the same world)
    openings: OrderedDict = field(default_factory=OrderedDict)

    def opening(self, key, loaded: LoadedScenario) -> tuple[World, Compiled]:
        hit = self.openings.get(key)
        if hit is None:
            hit = self.openings[key] = opening_world(loaded.scenario)
            while len(self.openings) > 64:
                self.openings.popitem(last=False)
        return hit


_STATES: "OrderedDict[str, WorkerState]" = OrderedDict()


def prime(spec: RunSpec, loaded: LoadedScenario | None = None) -> WorkerState:
    """Build (once) this worker's state for ``spec``; ``loaded`` skips validating again."""
    st = _STATES.get(spec.key)
    if st is not None:
        return st
    if loaded is None:
        loaded = validate(spec.resolved, {}, spec.name, Path(spec.name))
    probes = []
    if spec.facts:
        from sim.analysis.facts import compile_probe  # only backtests need it

        probes = [(col, compile_probe(clause)) for col, clause in spec.facts]
    layout = Layout(build_world(loaded.scenario).s, spec.turns, probes)
    st = WorkerState(spec, Variants(loaded, [p for p, _ in spec.factors]), layout, frozenset(spec.fail))
    _STATES[spec.key] = st
    while len(_STATES) > 4:
        _STATES.popitem(last=False)
    return st


def hook_failures() -> tuple[int, ...]:
    return tuple(sorted(int(x) for x in os.environ.get(FAIL_ENV, "").split(",") if x.strip()))


def init_worker(spec: RunSpec) -> None:
    """Process-pool initializer: Ctrl-C is the parent's to handle; load the scenario once."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    prime(spec)
    # what is alive now (modules, the scenario, the worker's state) lives as long as the
    # worker: spare it from every later full collection, which otherwise costs a chunk ~8%
    gc.freeze()


def run_chunk(spec: RunSpec | str, start: int, stop: int, values: np.ndarray | None) -> ChunkResult:
    """Play runs ``start..stop-1``; ``values`` holds their factor values, one row per run."""
    t0 = time.perf_counter()
    st = _STATES[spec] if isinstance(spec, str) else prime(spec)
    spec, layout = st.spec, st.layout
    n = stop - start
    T = spec.turns
    buf = layout.buffer(n * (T + 1))  # run k's months are rows k * (T + 1) ...
    ok = np.zeros(n, bool)
    seeds = np.array([spec.seed_of(start + k) for k in range(n)], np.int64)
    failures: list[dict] = []

    def failed(k: int, exc: Exception) -> None:
        failures.append({
            "run_id": start + k, "seed": int(seeds[k]),
            "values": {p: float(v) for (p, _), v in zip(spec.factors, values[k])} if values is not None else {},
            "error": f"{type(exc).__name__}: {exc}",
            "traceback": "".join(traceback.format_exception(exc, limit=-6)),
        })

    groups: dict = {}  # variant -> the runs (positions in the chunk) that play it
    for k in range(n):
        if start + k in st.fail:
            failed(k, RuntimeError("injected failure (test hook)"))
            continue
        key = tuple(values[k].tolist()) if values is not None and spec.factors else None
        groups.setdefault(key, []).append(k)
    for key, ks in groups.items():
        loaded = st.variants.get(values[ks[0]]) if key is not None else st.variants.base
        world, compiled = st.opening(key, loaded)
        for k, exc in play_side_by_side(layout, world, compiled, ks, start, seeds, layout.new_run(), buf, T):
            if exc is None:
                ok[k] = True
            else:
                failed(k, exc)
    done = np.flatnonzero(ok)
    rows = (done[:, None] * (T + 1) + np.arange(T + 1)[None, :]).ravel()
    vals = values[ok] if values is not None else None
    runs = layout.runs_table(buf, done * (T + 1) + T, start + done, seeds[ok], list(spec.factors), vals)
    turns = layout.turns_table(buf, rows)
    failures.sort(key=lambda f: f["run_id"])
    return ChunkResult(start, stop, runs, turns, failures, time.perf_counter() - t0)


def play_side_by_side(layout: Layout, opening: World, compiled: Compiled, ks: list[int], start: int,
                      seeds: np.ndarray, judged: np.ndarray, buf, end: int) -> list[tuple[int, Exception | None]]:
    """Play the runs ``ks`` (positions in a chunk whose first run is ``start``) side by side
    from copies of ``opening`` to turn ``end``, run k with generator ``seeds[k]`` (as
    the game's model seeds it) and the objective verdicts ``judged`` so far. Run k's
    months go to rows ``k * span ...`` of ``buf`` (span: the months from the opening's to
    ``end``). Returns each run with the exception it raised, or None.

    A run that raises is not allowed to cost the others: the group is then played again
    one run at a time (a run's result does not depend on the runs played beside it)."""
    span = end - opening.turn + 1
    try:
        ws = [opening.copy() for _ in ks]
        rngs = [np.random.default_rng(int(seeds[k])) for k in ks]
        verdicts = [judged.copy() for _ in ks]
        rows = np.array(ks) * span  # each run's first row
        run_ids = [start + k for k in ks]
        for t in range(span):
            if t:
                play_turns(ws, compiled, rngs)
            layout.read_many(ws, buf, rows + t, run_ids, verdicts)
        return [(k, None) for k in ks]
    except Exception as exc:
        if len(ks) == 1:
            return [(ks[0], exc)]
        return [got for k in ks for got in play_side_by_side(layout, opening, compiled, [k], start, seeds,
                                                              judged, buf, end)]
