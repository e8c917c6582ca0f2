"""Many seeded runs of one scenario, streamed to Parquet: plan, run, resume, load.

:func:`plan` checks everything (scenario, ``--set``, ``--vary``, the design, the sizes)
before any run starts; :func:`execute` plays the plan's runs on an executor, chunk by
chunk, writing each finished chunk at once, and handles Ctrl-C (stop submitting, keep what
finished, write the manifest); :class:`Batch` reads the results as pandas DataFrames.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

import sim
from sim.analysis import sampling
from sim.analysis.errors import AnalysisError
from sim.analysis.executors import make_executor
from sim.analysis.outcomes import Layout
from sim.analysis.progress import Progress
from sim.analysis.runner import RunSpec, hook_failures
from sim.analysis.seeds import SEED_SCHEME
from sim.analysis.store import Store, remaining
from sim.analysis.variation import Factor, as_factors, check_factors
from sim.model.state import build_world
from sim.scenario import LoadedScenario, ScenarioError, load_scenario
from sim.scenario.loader import alternative_overrides

FORMAT = "arbiter-batch/1"
MAX_TURNS = 240
# A test hook (never set in normal use): behave as if Ctrl-C came after this many chunks.
INTERRUPT_ENV = "ARBITER_TEST_INTERRUPT_AFTER"


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a batch, after the finished runs were kept; ``.batch`` reads them."""

    def __init__(self, batch: "Batch"):
        super().__init__("batch interrupted")
        self.batch = batch


class BatchFailed(RuntimeError):
    """A worker died (not a run raising: those are recorded and the batch goes on)."""


@dataclass
class Plan:
    """A checked batch: everything needed to run it, and to tell whether a folder holds it."""

    scenario_ref: str
    loaded: LoadedScenario
    fixed: list[str]
    factors: list[Factor]
    sample: str | None
    runs: int
    turns: int
    root_seed: int
    design: np.ndarray | None
    seed_cycle: int = 0
    facts: tuple = ()
    command: str = "batch"
    arguments: dict = field(default_factory=dict)

    @property
    def scenario_id(self) -> str:
        return self.loaded.scenario.id

    def spec(self) -> RunSpec:
        return RunSpec(self.scenario_id, str(self.loaded.path), self.loaded.resolved, self.turns,
                       tuple((f.path, f.integer) for f in self.factors), self.root_seed,
                       self.seed_cycle, tuple(self.facts), hook_failures()).with_key()

    def identity(self) -> dict:
        """What must match for --resume to continue a batch."""
        dh = hashlib.sha256(self.design.tobytes()).hexdigest()[:16] if self.design is not None else None
        return {"scenario_hash": self.loaded.digest, "runs": self.runs, "turns": self.turns,
                "root_seed": self.root_seed, "factors": [f.to_json() for f in self.factors],
                "sample": self.sample, "seed_cycle": self.seed_cycle, "design_hash": dh,
                "facts": [c for c, _ in self.facts]}

    def layout(self) -> Layout:
        probes = [(c, lambda w: False) for c, _ in self.facts]  # names only
        return Layout(build_world(self.loaded.scenario).s, self.turns, probes)

    def describe_design(self) -> str:
        if not self.factors:
            return f"{self.runs} seeded runs of the scenario as it is"
        if self.command == "sensitivity":
            return f"{self.runs} runs of a sensitivity design"
        if self.sample == "grid":
            g = len(sampling.grid_points(self.factors))
            return f"a grid of {g} points, {self.runs // g} seeded runs each"
        return f"{self.runs} points of a {self.sample} sample, one seeded run each"


def plan(scenario: str, runs: int, *, seed: int = 0, turns: int | None = None, set: list[str] = (),
         vary=(), sample: str | None = None, alternatives: list[str] = (), design: np.ndarray | None = None,
         factors: list[Factor] | None = None, seed_cycle: int = 0, facts: tuple = (),
         command: str = "batch", arguments: dict | None = None) -> Plan:
    """Check a batch before anything runs. Raises AnalysisError (or ScenarioError) with a
    message naming what was expected."""
    if not isinstance(runs, (int, np.integer)) or runs < 1:
        raise AnalysisError(f"--runs {runs}: expected a whole number of at least 1")
    if turns is not None and not 1 <= turns <= MAX_TURNS:
        raise AnalysisError(f"--turns {turns}: expected a number of months from 1 to {MAX_TURNS}")
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise AnalysisError(f"--seed {seed}: expected a whole number of 0 or more")
    fixed = list(set)
    base = load_scenario(scenario, fixed or None)
    if alternatives:
        fixed += alternative_overrides(base, list(alternatives))
        base = load_scenario(scenario, fixed)
    fs = check_factors(base, factors if factors is not None else as_factors(vary), fixed)
    if design is None:
        sample = sample or sampling.default_sample(fs)
        sampling.check_sample(sample, fs, runs)
        design = sampling.design(fs, runs, sample, seed)
    elif design.shape != (runs, len(fs)):
        raise AnalysisError(f"internal: a design of shape {design.shape} for {runs} runs of {len(fs)} factors")
    T = turns if turns is not None else base.scenario.turns
    args = dict(arguments or {}, scenario=scenario, runs=runs, seed=seed, turns=turns, set=list(set),
                vary=[f.path + "=" + f.describe() for f in fs] if command == "batch" else [],
                sample=sample, alternatives=list(alternatives))
    return Plan(scenario, base, fixed, fs, sample, int(runs), T, int(seed), design, seed_cycle,
                tuple(facts), command, args)


# --- running ------------------------------------------------------------------------------


def default_chunk(todo: int, workers: int) -> int:
    """Chunks small enough to balance the workers and show progress, big enough that the
    per-chunk cost (a task, two small files) is nothing next to the runs."""
    return max(1, min(100, math.ceil(todo / (max(workers, 1) * 8))))


def execute(p: Plan, out: str | Path | None = None, *, workers: int = 1, executor: str = "local",
            scheduler: str | None = None, resume: bool = False, overwrite: bool = False,
            chunk: int | None = None, progress: bool | None = None, report: bool = True,
            echo: Callable[[str], None] | None = None, cluster=None) -> "Batch":
    """Play the plan's runs into ``out`` (a temporary folder if None). Raises
    :class:`Interrupted` after keeping the finished runs if Ctrl-C comes."""
    if not isinstance(workers, (int, np.integer)) or workers < 1:
        raise AnalysisError(f"--workers {workers}: expected a whole number of at least 1")
    if chunk is not None and chunk < 1:
        raise AnalysisError(f"--chunk {chunk}: expected a whole number of at least 1")
    if scheduler and executor != "dask":
        raise AnalysisError("--scheduler is for the Dask executor; add --executor dask")
    if executor not in ("local", "dask"):
        raise AnalysisError(f"--executor {executor}: expected local or dask")
    echo = echo or (lambda msg: print(msg, file=sys.stderr))
    tmp = None
    if out is None:
        tmp = tempfile.TemporaryDirectory(prefix="arbiter-batch-")
        out = tmp.name
    store = Store(Path(out))
    store.prepare(resume=resume, overwrite=overwrite)
    manifest = _manifest(p, workers, executor, scheduler)
    if resume:
        old = store.read_manifest()
        _check_same(old.get("plan", {}), manifest["plan"], store.root)
        if old.get("complete"):
            store.drop_empty_parts()
            echo(f"{store.root}: this batch is already complete; nothing to resume")
            return Batch(store.root, _tmp=tmp)
        manifest["started"] = old.get("started", manifest["started"])
    done = store.done_ranges()
    n_done = sum(b - a for a, b in done)
    size = chunk or default_chunk(p.runs - n_done, workers)
    tasks = remaining(p.runs, done, size)
    manifest.update(_counts(store, p.runs))
    manifest["arguments"]["chunk"] = size
    store.write_manifest(manifest)

    bar = Progress(p.runs, n_done, enabled=progress if progress is not None else None)
    interrupted = False
    t0 = time.perf_counter()
    ran = 0
    stop_after = int(os.environ.get(INTERRUPT_ENV, "0") or 0)
    committed = 0
    abandon = False
    failure: BatchFailed | None = None
    if tasks:
        spec = p.spec()
        ex = make_executor(executor, spec, workers, scheduler=scheduler, loaded=p.loaded, cluster=cluster)
        pending: set = set()
        queue = iter(tasks)
        limit = ex.inflight

        def commit(res) -> None:
            nonlocal ran, committed
            store.write_chunk(res.start, res.stop, res.runs, res.turns, res.failures)
            for f in res.failures:
                echo(_failure_line(p, f))
            ran += res.stop - res.start
            committed += 1
            bar.update(res.stop - res.start)

        def refill() -> None:
            while len(pending) < limit:
                nxt = next(queue, None)
                if nxt is None:
                    return
                a, b = nxt
                vals = p.design[a:b] if p.design is not None else None
                pending.add(ex.submit(a, b, vals))

        try:
            try:
                refill()
                while pending:
                    finished, rest = ex.wait(pending)
                    pending.clear()
                    pending.update(rest)
                    for fut in finished:
                        commit(_result(fut, p))
                    if stop_after and committed >= stop_after:
                        raise KeyboardInterrupt  # the test hook: as if Ctrl-C came now
                    refill()
            except KeyboardInterrupt:
                interrupted = True
                # chunks not started are dropped; those running are waited for and kept
                running = [fut for fut in pending if not ex.cancel(fut)]
                try:
                    if running:
                        echo(f"\nstopping: keeping the {len(running)} chunk(s) already running "
                             "(Ctrl-C again to drop them)")
                    for fut in running:
                        try:
                            commit(_result(fut, p))
                        except BatchFailed:
                            pass
                except KeyboardInterrupt:
                    abandon = True
            except BatchFailed as exc:  # a worker died: keep what finished, then say so
                failure = exc
                for fut in pending:
                    ex.cancel(fut)
                abandon = True
        finally:
            bar.close()
            ex.close(cancel=True, abandon=abandon)
    else:
        bar.close()
    elapsed = time.perf_counter() - t0
    counts = _counts(store, p.runs)
    complete = counts["runs_done"] >= p.runs
    store.merge(complete=complete)
    manifest.update(counts)
    manifest["complete"] = complete
    manifest["finished"] = _now()
    manifest["timing"] = {"seconds_this_session": round(elapsed, 3), "runs_this_session": ran,
                          "runs_per_second": round(ran / elapsed, 2) if elapsed > 0 and ran else None}
    store.write_manifest(manifest)
    batch = Batch(store.root, _tmp=tmp)
    if complete and report and p.command == "batch":
        from sim.analysis.report import write_report

        write_report(batch)
    if failure is not None:
        raise failure
    if interrupted:
        raise Interrupted(batch)
    return batch


def _result(fut, p: Plan):
    try:
        return fut.result()
    except KeyboardInterrupt:
        raise
    except Exception as exc:
        raise BatchFailed(f"a worker failed while playing runs of {p.scenario_id}: "
                          f"{type(exc).__name__}: {exc}; the finished runs are kept, "
                          "run again with --resume to finish the batch") from exc


def _failure_line(p: Plan, f: dict) -> str:
    sets = list(p.fixed) + [f"{k}={v!r}" for k, v in f.get("values", {}).items()]
    replay = f"arbiter run {p.scenario_ref} --seed {f['seed']} --turns {p.turns}" + "".join(
        f" --set {s}" for s in sets)
    return f"run {f['run_id']} (seed {f['seed']}) failed: {f['error']}\n  replay it with: {replay}"


def _counts(store: Store, total: int) -> dict:
    done = store.done_ranges()
    failed = store.failures()
    n = sum(b - a for a, b in done)
    return {"runs_total": total, "runs_done": n, "runs_ok": n - len(failed), "runs_failed": len(failed),
            "failed": [{k: f[k] for k in ("run_id", "seed", "error")} for f in failed[:100]]}


def _manifest(p: Plan, workers: int, executor: str, scheduler: str | None) -> dict:
    lay = p.layout()
    factor_cols = [f.path for f in p.factors]
    return {
        "format": FORMAT,
        "command": p.command,
        "scenario": p.scenario_id,
        "scenario_ref": p.scenario_ref,
        "scenario_title": p.loaded.scenario.title,
        "scenario_hash": p.loaded.digest,
        "version": sim.__version__,
        "arguments": dict(p.arguments, workers=workers, executor=executor, scheduler=scheduler),
        "overrides": p.fixed,
        "root_seed": p.root_seed,
        "seeding": {"scheme": SEED_SCHEME, "root_seed": p.root_seed, "seed_cycle": p.seed_cycle},
        "turns": p.turns,
        "start": p.loaded.scenario.start.isoformat()[:7],
        "design": p.describe_design(),
        "factors": [f.to_json() for f in p.factors],
        "plan": p.identity(),
        "columns": {"runs": ["run_id", "seed"] + factor_cols + lay.state_columns,
                    "turns": ["run_id", "turn", "date"] + lay.state_columns},
        "actors": {a: {"name": x.name, "role": x.role} for a, x in p.loaded.scenario.actors.items()},
        "initial_control": {z: x.controller for z, x in p.loaded.scenario.zones.items()},
        "complete": False,
        "started": _now(),
    }


def _check_same(old: dict, new: dict, root: Path) -> None:
    diff = [k for k in new if old.get(k) != new[k]]
    if diff:
        names = {"scenario_hash": "the scenario (or its --set values)", "runs": "--runs", "turns": "--turns",
                 "root_seed": "--seed", "factors": "--vary", "sample": "--sample", "design_hash": "the design",
                 "seed_cycle": "--replicates", "facts": "the facts"}
        raise AnalysisError(f"--resume: {root} holds a different batch ({', '.join(names.get(k, k) for k in diff)} "
                            "differ); expected the same scenario and arguments as the interrupted batch "
                            "(only --workers, --executor and --chunk may change)")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


# --- reading ------------------------------------------------------------------------------


class Batch:
    """The results of a batch folder, as pandas DataFrames (read on first use)."""

    def __init__(self, root: str | Path, _tmp=None):
        self.dir = Path(root)
        self._tmp = _tmp  # keeps a temporary folder alive as long as this object
        self.manifest = Store(self.dir).read_manifest()
        self._runs: pd.DataFrame | None = None
        self._turns: pd.DataFrame | None = None

    def __repr__(self) -> str:
        m = self.manifest
        return (f"<Batch {m['scenario']}: {m['runs_ok']} runs ok, {m['runs_failed']} failed, of "
                f"{m['runs_total']}{'' if m['complete'] else ' (incomplete)'} in {self.dir}>")

    @property
    def scenario(self) -> str:
        return self.manifest["scenario"]

    @property
    def complete(self) -> bool:
        return bool(self.manifest.get("complete"))

    @property
    def runs_path(self) -> Path:
        return self.dir / "runs.parquet"

    @property
    def turns_path(self) -> Path:
        return self.dir / "turns.parquet"

    @property
    def runs(self) -> pd.DataFrame:
        """One row per finished run, sorted by run_id."""
        if self._runs is None:
            self._runs = read_parquet(self.runs_path)
        return self._runs

    @property
    def turns(self) -> pd.DataFrame:
        """One row per run and month (turn 0 is the start), sorted by run_id and turn."""
        if self._turns is None:
            self._turns = read_parquet(self.turns_path)
        return self._turns

    @property
    def failures(self) -> list[dict]:
        p = self.dir / "failures.json"
        return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else []

    @property
    def report_path(self) -> Path | None:
        p = self.dir / "report.md"
        return p if p.is_file() else None

    def fans(self, metric: str = "standing", quantiles=(0.1, 0.5, 0.9)) -> pd.DataFrame:
        from sim.analysis.report import fan_table

        return fan_table(self, metric, quantiles)

    def zone_control(self) -> pd.DataFrame:
        from sim.analysis.report import zone_control

        return zone_control(self.runs, self.manifest)

    def shares(self) -> pd.DataFrame:
        from sim.analysis.report import shares

        return shares(self.runs)


def read_parquet(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    if not Path(path).is_file():
        raise AnalysisError(f"{path}: no such results file (has the batch finished any run?)")
    table = pq.read_table(path, columns=columns)
    df = table.to_pandas(date_as_object=False)
    for name in df.columns:  # yes/no columns with gaps (objectives not judged yet): nullable booleans
        if df[name].dtype == object and name.startswith("objective."):
            df[name] = df[name].astype("boolean")
    if "run_id" in df.columns and not df["run_id"].is_monotonic_increasing:
        keys = [k for k in ("run_id", "turn") if k in df.columns]
        df = df.sort_values(keys, kind="stable").reset_index(drop=True)
    return df


def load(root: str | Path) -> Batch:
    """Open the results of an earlier batch (its --out folder)."""
    root = Path(root)
    if not (root / "manifest.json").is_file():
        raise AnalysisError(f"{root}: not a batch folder (no manifest.json)")
    return Batch(root)


def run_batch(scenario: str, runs: int, **kw) -> Batch:
    """plan + execute in one call (the notebook API's ``batch``)."""
    plan_keys = {"seed", "turns", "set", "vary", "sample", "alternatives"}
    p = plan(scenario, runs, **{k: v for k, v in kw.items() if k in plan_keys})
    return execute(p, **{k: v for k, v in kw.items() if k not in plan_keys})


__all__ = ["Batch", "BatchFailed", "Interrupted", "Plan", "ScenarioError", "execute", "load", "plan", "run_batch"]
