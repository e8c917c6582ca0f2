"""The worker side of a batch: play a chunk of runs and return their columns.

A worker receives the :class:`RunSpec` once (a process pool's initializer, or a Dask
scatter) and keeps the validated scenario, its variants and the column layout for every
later chunk: a task is only ``(start, stop, factor values)``. Per run it builds an
``ArbiterModel`` on the shared scenario, steps it, and reads the world into numpy buffers;
a run that raises is recorded with its seed and the chunk goes on.

Nothing here depends on which worker runs a chunk or when: run ``i`` always gets the same
seed (:mod:`sim.analysis.seeds`) and the same factor values.
"""

from __future__ import annotations

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
from sim.model.model import ArbiterModel
from sim.model.state import build_world
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


def run_chunk(spec: RunSpec | str, start: int, stop: int, values: np.ndarray | None) -> ChunkResult:
    """Play runs ``start..stop-1``; ``values`` holds their factor values, one row per run."""
    t0 = time.perf_counter()
    st = _STATES[spec] if isinstance(spec, str) else prime(spec)
    spec, layout = st.spec, st.layout
    n = stop - start
    T = spec.turns
    buf = layout.buffer(n * (T + 1))
    last = np.zeros(n, np.int64)
    ok = np.zeros(n, bool)
    seeds = np.zeros(n, np.int64)
    failures: list[dict] = []
    row = 0
    for k in range(n):
        i = start + k
        seed = seeds[k] = spec.seed_of(i)
        row0 = row
        try:
            if i in st.fail:
                raise RuntimeError("injected failure (test hook)")
            loaded = st.variants.get(values[k]) if values is not None else st.variants.base
            model = ArbiterModel(scenario=loaded, seed=int(seed), turns=T, record=False)
            judged = layout.new_run()
            layout.read(model.world, buf, row, i, judged)
            row += 1
            while model.running:
                before = model.world.turn
                model.step()
                if model.world.turn != before:
                    layout.read(model.world, buf, row, i, judged)
                    row += 1
            last[k] = row - 1
            ok[k] = True
        except Exception as exc:  # one run's crash must not cost the others
            row = row0
            failures.append({
                "run_id": i, "seed": int(seed),
                "values": {p: float(v) for (p, _), v in zip(spec.factors, values[k])} if values is not None else {},
                "error": f"{type(exc).__name__}: {exc}",
                "traceback": "".join(traceback.format_exception(exc, limit=-6)),
            })
    rows = np.arange(row)
    run_ids = np.arange(start, stop)[ok]
    vals = values[ok] if values is not None else None
    runs = layout.runs_table(buf, last[ok], run_ids, seeds[ok], list(spec.factors), vals)
    turns = layout.turns_table(buf, rows)
    return ChunkResult(start, stop, runs, turns, failures, time.perf_counter() - t0)
