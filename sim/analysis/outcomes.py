"""What a batch records of a world, month by month, and how it becomes Arrow columns.

The state is read straight from the world's arrays into preallocated numpy buffers (one
row per run and month), and turned into Arrow columns once per chunk of runs: no dicts per
month, no per-run DataFrames. The columns (documented in docs/analysis.md):

- ``control.<zone>``: the id of the actor holding the zone (a dictionary column: pandas
  reads it as a categorical of actor ids);
- ``assad_in_power``: the regime (actor ``assad``, else the scenario's regime) holds its
  capital (zone ``damascus``, else the highest-value zone it holds at the start);
- ``leverage.<actor>``, ``standing.<actor>``, ``territory.<actor>``, ``presence.<actor>``:
  the influence figures of docs/model.md section 5 (presence: ground deployed as a share of
  full strength), as float32;
- ``agreement.<id>``: whether each agreement the scenario can make (its own, its events' and
  its trades') is in force; ``agreements.in_force``: how many agreements are in force,
  including those the actors conclude during the run;
- ``trade.<id>``: whether each of the scenario's linkage trades has been concluded;
- ``outcome.<id>``: the scenario's declared outcomes;
- ``objective.<actor>.<id>``: whether an objective was met, once judged (null before);
  ``score.<actor>``: the points won so far;
- ``fact.<id>``: a backtest's facts (only in backtest batches).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pyarrow as pa

from sim.model import objectives
from sim.model.rules import Stacked, compiled_condition_many
from sim.model.state import Static, World

INFLUENCE = ("leverage", "standing", "territory", "presence")
Probe = tuple[str, Callable[[World], bool]]


def capital_of(s: Static) -> int | None:
    """The zone whose holder counts as 'in power': ``damascus``, else the most valuable zone
    the regime holds at the start (None if it holds none)."""
    if "damascus" in s.zone_ids:
        return s.zone_ids.index("damascus")
    held = [z for z, c in enumerate(s.scenario.zones.values()) if c.controller == s.actor_ids[s.regime]]
    return max(held, key=lambda z: s.value[z]) if held else None


def declared_agreements(scn) -> list[str]:
    """Ids of the agreements a scenario can put in force: its own, its events' and trades'."""
    ids: list[str] = [a.id for a in scn.agreements]
    effects = [e for ev in scn.events for e in ev.effects]
    effects += [e for t in scn.trades for side in (t.gives, t.asks) for e in side]
    effects += [e for t in scn.trades for p in t.promises for e in p.on_break]
    ids += [e.agreement.id for e in effects if e.type == "agreement"]
    return list(dict.fromkeys(ids))


@dataclass
class Buffer:
    """Preallocated columns for ``rows`` (run, month) rows."""

    run: np.ndarray
    turn: np.ndarray
    control: np.ndarray  # (rows, Z) int8 actor index
    influence: np.ndarray  # (rows, 4A) float32
    in_power: np.ndarray
    agreement: np.ndarray  # (rows, n declared) bool
    in_force: np.ndarray  # (rows,) int16
    trade: np.ndarray
    outcome: np.ndarray
    objective: np.ndarray  # (rows, n objectives) int8: -1 not judged, 0 missed, 1 met
    fact: np.ndarray


class Layout:
    """The columns of one scenario's batch and the reading of a world into them."""

    def __init__(self, s: Static, turns: int, probes: list[Probe] = ()):
        scn = s.scenario
        self.turns = turns
        self.actor_ids = list(s.actor_ids)
        self.zone_ids = list(s.zone_ids)
        self.A, self.Z = s.A, s.Z
        self.regime = s.regime
        self.capital = capital_of(s)
        self.agreement_ids = declared_agreements(scn)
        self._ag_index = {a: i for i, a in enumerate(self.agreement_ids)}
        self.trade_ids = [t.id for t in scn.trades]
        self._trade_keys = [f"trade:{t}" for t in self.trade_ids]
        self.outcomes = list(scn.outcomes)
        self.objectives = [(a, o) for a, objs in scn.objectives.items() for o in objs]
        self._obj_index = {(a, o.id): i for i, (a, o) in enumerate(self.objectives)}
        self.score_actors = list(dict.fromkeys(a for a, _ in self.objectives))
        self.points = np.zeros((len(self.objectives), len(self.score_actors)), np.int16)
        for i, (a, o) in enumerate(self.objectives):
            self.points[i, self.score_actors.index(a)] = o.points
        # the turns at which some objective is judged (its month, or the end for later ones)
        dues = [objectives.due_turn(s, o) for _, o in self.objectives]
        self._judge_turns = frozenset(min(d, turns) for d in dues)
        self.probes = list(probes)
        self.dates = np.array([s.date(t) for t in range(turns + 1)], dtype="datetime64[D]")

    # --- columns --------------------------------------------------------------------------

    @property
    def state_columns(self) -> list[str]:
        """The end-state columns, in order (runs.parquet and turns.parquet share them)."""
        cols = [f"control.{z}" for z in self.zone_ids] + ["assad_in_power"]
        cols += [f"{m}.{a}" for m in INFLUENCE for a in self.actor_ids]
        cols += [f"agreement.{a}" for a in self.agreement_ids] + ["agreements.in_force"]
        cols += [f"trade.{t}" for t in self.trade_ids]
        cols += [f"outcome.{o.id}" for o in self.outcomes]
        cols += [f"objective.{a}.{o.id}" for a, o in self.objectives]
        cols += [f"score.{a}" for a in self.score_actors]
        cols += [name for name, _ in self.probes]
        return cols

    # --- reading --------------------------------------------------------------------------

    def buffer(self, rows: int) -> Buffer:
        A = self.A
        return Buffer(
            run=np.zeros(rows, np.int64), turn=np.zeros(rows, np.int16),
            control=np.zeros((rows, self.Z), np.int8), influence=np.zeros((rows, 4 * A), np.float32),
            in_power=np.zeros(rows, bool), agreement=np.zeros((rows, len(self.agreement_ids)), bool),
            in_force=np.zeros(rows, np.int16), trade=np.zeros((rows, len(self.trade_ids)), bool),
            outcome=np.zeros((rows, len(self.outcomes)), bool),
            objective=np.full((rows, len(self.objectives)), -1, np.int8),
            fact=np.zeros((rows, len(self.probes)), bool))

    def read(self, w: World, b: Buffer, row: int, run_id: int, judged: np.ndarray) -> None:
        """Write the world's state into row ``row``. ``judged`` carries the run's objective
        verdicts from month to month (updated in place)."""
        self.read_many([w], b, np.array([row]), [run_id], [judged])

    def read_many(self, ws: list[World], b: Buffer, rows: np.ndarray, run_ids: list[int],
                  judged: list[np.ndarray]) -> None:
        """read for several worlds of the scenario at once: world i into row ``rows[i]``."""
        s = ws[0].s
        A = self.A
        st = Stacked(ws)
        b.run[rows] = run_ids
        b.turn[rows] = st.turn
        control = st.control
        b.control[rows] = control
        inf = np.empty((len(ws), 4 * A), np.float32)
        inf[:, :A] = st.leverage
        inf[:, A:2 * A] = st.standing
        inf[:, 2 * A:3 * A] = [w.territory for w in ws]
        inf[:, 3 * A:] = st.ground.sum(2) / s.norm
        b.influence[rows] = inf
        b.in_power[rows] = control[:, self.capital] == self.regime if self.capital is not None else False
        b.agreement[rows] = False  # a row may be reused after a failed run
        for k, o in enumerate(self.outcomes):  # as condition_holds tells, on all worlds at once
            b.outcome[rows, k] = compiled_condition_many(s, o.holds)(st)
        in_force, held = [], []  # agreements in force per world; (row, column) of the declared ones
        index = self._ag_index
        for ids, row in zip(st.agreements, rows.tolist()):
            in_force.append(len(ids))
            held += [(row, j) for j in map(index.get, ids) if j is not None]
        b.in_force[rows] = in_force
        if held:
            b.agreement[tuple(zip(*held))] = True
        if self._trade_keys:
            b.trade[rows] = [[key in w.fired for key in self._trade_keys] for w in ws]
        if self.probes:
            b.fact[rows] = [[probe(w) for _, probe in self.probes] for w in ws]
        if self.objectives:
            for w, j in zip(ws, judged):
                if w.turn > 0 and w.turn in self._judge_turns:
                    # the model judges objectives only when it keeps records; a batch does it here
                    for actor, got in objectives.judged_now(w, self.turns).items():
                        for oid, met in got.items():
                            j[self._obj_index[(actor, oid)]] = 1 if met else 0
            b.objective[rows] = judged

    def new_run(self) -> np.ndarray:
        return np.full(len(self.objectives), -1, np.int8)

    # --- Arrow ----------------------------------------------------------------------------

    def state_arrays(self, b: Buffer, idx: np.ndarray) -> list[pa.Array]:
        """The state columns of the rows ``idx``, in :attr:`state_columns` order."""
        A = self.A
        out: list[pa.Array] = []
        names = pa.array(self.actor_ids, pa.string())
        ctl = b.control[idx]
        for z in range(self.Z):
            out.append(pa.DictionaryArray.from_arrays(pa.array(ctl[:, z], pa.int8()), names))
        out.append(pa.array(b.in_power[idx]))
        inf = b.influence[idx]
        for k in range(4 * A):
            out.append(pa.array(inf[:, k]))
        ag = b.agreement[idx]
        out += [pa.array(ag[:, j]) for j in range(ag.shape[1])]
        out.append(pa.array(b.in_force[idx]))
        tr = b.trade[idx]
        out += [pa.array(tr[:, j]) for j in range(tr.shape[1])]
        oc = b.outcome[idx]
        out += [pa.array(oc[:, j]) for j in range(oc.shape[1])]
        ob = b.objective[idx]
        out += [pa.array(ob[:, j] == 1, mask=ob[:, j] < 0) for j in range(ob.shape[1])]
        if self.score_actors:
            score = (ob == 1).astype(np.int16) @ self.points
            out += [pa.array(score[:, j].astype(np.int16)) for j in range(score.shape[1])]
        fc = b.fact[idx]
        out += [pa.array(fc[:, j]) for j in range(fc.shape[1])]
        return out

    def turns_table(self, b: Buffer, idx: np.ndarray) -> pa.Table:
        turn = b.turn[idx]
        cols = [pa.array(b.run[idx]), pa.array(turn), pa.array(self.dates[turn.astype(np.int64)], pa.date32())]
        return pa.Table.from_arrays(cols + self.state_arrays(b, idx),
                                    names=["run_id", "turn", "date"] + self.state_columns)

    def runs_table(self, b: Buffer, last: np.ndarray, run_ids: np.ndarray, seeds: np.ndarray,
                   factors: list[tuple[str, bool]], values: np.ndarray | None) -> pa.Table:
        """One row per run: id, seed, the factor values, the state at its last month."""
        cols = [pa.array(run_ids, pa.int64()), pa.array(seeds, pa.int64())]
        names = ["run_id", "seed"]
        for j, (path, integer) in enumerate(factors):
            v = values[:, j]
            cols.append(pa.array(v.astype(np.int64)) if integer else pa.array(v, pa.float64()))
            names.append(path)
        return pa.Table.from_arrays(cols + self.state_arrays(b, last), names=names + self.state_columns)


def month_turn(start: dt.date, when: dt.date) -> int:
    """The turn of a month: 0 is the start month."""
    return (when.year - start.year) * 12 + when.month - start.month
