"""The mesa model: owns the world, the seeded generator and the actors, and steps months."""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

import sim
from sim.model import decisions as dec
from sim.model import objectives
from sim.model.agents import ActorAgent
from sim.model.rules import snapshot_figures
from sim.model.turn import opening_world, play_turn
from sim.model.state import World
from sim.scenario import LoadedScenario, load_scenario


@dataclass(frozen=True)
class Snapshot:
    """Everything needed to continue a game exactly from a turn: state, generator, records."""

    world: World
    rng_state: dict
    n_records: int
    turn: int


@dataclass(frozen=True)
class Preview:
    """What the AI expects of one legal action (see ArbiterModel.preview)."""

    action: str
    target: str | None
    text: str
    track: str
    utility: float
    cost: float  # money, before upkeep
    effects: list[tuple[str, float]]  # (the change in words, its expected size)
    terms: list[tuple[str, float, str]]  # (preference term, contribution, source)


class ArbiterModel(mesa.Model):
    """One game of a scenario.

    >>> m = ArbiterModel(scenario="astana_2017", seed=1)
    >>> m.run()            # AI plays every side to the scenario's end
    >>> m.records[-1]["control"]["idlib"]
    """

    def __init__(self, *, scenario: str | LoadedScenario = "astana_2017", seed: int | None = None,
                 overrides: list[str] | None = None, turns: int | None = None, record: bool = True,
                 humans: tuple[str, ...] = ()):
        super().__init__(seed=seed)
        self.loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario, overrides)
        self.scenario = self.loaded.scenario
        self.seed = seed
        self.overrides = list(overrides or [])
        self.turns = turns if turns is not None else self.scenario.turns
        self.record = record
        self.world, self.compiled = opening_world(self.scenario)
        self.actors = [ActorAgent(self, index=i, actor_id=a) for i, a in enumerate(self.world.s.actor_ids)]
        # mesa numbers agents in a class-level dict keyed by the model, which would keep every
        # model ever made (and its world) alive; all our agents exist now, so drop the entry
        ids = getattr(mesa.Agent, "_ids", None)
        if isinstance(ids, dict):
            ids.pop(self, None)
        self.humans = set(humans)
        self.initial = snapshot_figures(self.world)
        self.records: list[dict] = []
        # every human choice and answer, per turn: with the seed, enough to replay the game
        self.inputs: list[dict] = []
        self.running = self.turns > 0
        self._choices: dict[int, tuple[int | None, int | None]] = {}
        self._answers: dict[tuple[str, int], bool] = {}
        self._pending: list[list] = []  # this month's human inputs, as given

    # --- stepping -------------------------------------------------------------------------

    def step(self) -> None:
        """Play one month: AI for every actor without a human choice queued."""
        if self.world.turn >= self.turns:
            self.running = False
            return
        rec = play_turn(self.world, self.compiled, self.rng, record=self.record,
                        overrides=self._choices or None, answers=self._answers or None,
                        humans=frozenset(self.world.s.actor(h) for h in self.humans))
        if self._pending:
            self.inputs.append({"turn": self.world.turn - 1, "given": self._pending})
        self._choices, self._answers, self._pending = {}, {}, []
        if rec is not None:
            judged = objectives.judged_now(self.world, self.turns)
            if judged:
                rec["objectives"] = judged
            self.records.append(rec)
        if self.world.turn >= self.turns:
            self.running = False

    def run(self, turns: int | None = None) -> "ArbiterModel":
        end = self.turns if turns is None else min(self.turns, self.world.turn + turns)
        while self.world.turn < end:
            self.step()
        return self

    def replay(self, inputs: list[dict], until: int | None = None) -> "ArbiterModel":
        """Play from the current turn giving the recorded human inputs in their months: with
        the same scenario and seed this reproduces a game exactly."""
        by_turn = {x["turn"]: x["given"] for x in inputs}
        end = self.turns if until is None else min(self.turns, until)
        while self.world.turn < end:
            for g in by_turn.get(self.world.turn, []):
                if g[0] == "choose":
                    self.choose(g[1], g[2], g[3])
                else:
                    self.answer(g[1], g[2], accept=g[3] if isinstance(g[3], bool) else False,
                                counter=None if isinstance(g[3], bool) else g[3])
            self.step()
        return self

    def scorecard(self) -> list:
        return objectives.scorecard(self.world, self.records)

    def agents_by_id(self, actor_id: str) -> ActorAgent:
        return self.actors[self.world.s.actor(actor_id)]

    # --- human choices --------------------------------------------------------------------

    def choose(self, actor: str, action: str, target: str | None = None) -> None:
        """Queue a human's choice for this month (one per track; the last one given wins)."""
        s = self.world.s
        a = s.actor(actor)
        slots = self.compiled.slots
        spec_track = dec.CATALOGUE[action].track
        kind = dec.CATALOGUE[action].target
        t = -1
        if kind == "zone":
            t = s.zone(target)
        elif kind == "actor":
            t = s.actor(target)
        elif kind == "trade":
            t = next(i for i, tr in enumerate(s.trades) if tr.id == target)
        slot = slots.encode(action, t)
        sc, _ = dec.score(self.world, self.compiled.lay, self.compiled.G, slots)
        if not sc.legal[a, slot]:
            raise ValueError(f"{action} {target or ''} is not open to {actor} this month".strip())
        self._pending.append(["choose", actor, action, target])
        mil, dip = self._choices.get(a, (None, None))
        self._choices[a] = (slot, dip) if spec_track == "military" else (mil, slot)

    def answer(self, proposal_id: str, actor: str, accept: bool, counter: float | None = None) -> None:
        """A human's answer to a proposal; for a trade, ``counter`` (0..1) refuses the offer
        and puts back the terms the human asks for instead."""
        if counter is not None:
            if not 0.0 <= counter <= 1.0:
                raise ValueError(f"counter terms must lie in 0..1, got {counter}")
            self._answers[(proposal_id, self.world.s.actor(actor))] = float(counter)
            self._pending.append(["answer", proposal_id, actor, float(counter)])
        else:
            self._pending.append(["answer", proposal_id, actor, bool(accept)])
            self._answers[(proposal_id, self.world.s.actor(actor))] = bool(accept)

    def legal_actions(self, a: int) -> list[tuple[str, str | None, float]]:
        s = self.world.s
        slots = self.compiled.slots
        sc, _ = dec.score(self.world, self.compiled.lay, self.compiled.G, slots)
        out = []
        for slot in np.flatnonzero(sc.legal[a]):
            action, t = slots.decode(int(slot))
            kind = dec.CATALOGUE[action].target
            tid = (s.zone_ids[t] if kind == "zone" else s.actor_ids[t] if kind == "actor"
                   else s.trades[t].id if kind == "trade" else None)
            out.append((action, tid, float(sc.utility[a, slot])))
        return out

    def preview(self, actor: str) -> list["Preview"]:
        """Every legal action of `actor` this month, best first, with what the AI expects of
        it: the utility, its money cost, the largest expected changes in the state, and the
        utility broken down by preference term with each term's source."""
        from sim.model.catalogue import CATALOGUE
        from sim.model.rules import _label, _terms_json

        s = self.world.s
        a = s.actor(actor)
        slots, lay = self.compiled.slots, self.compiled.lay
        sc, _ = dec.score(self.world, lay, self.compiled.G, slots)
        out = []
        for slot in np.flatnonzero(sc.legal[a]):
            action, t = slots.decode(int(slot))
            text, tid = _label(self.world, self.compiled, action, t)
            idx, val = np.asarray(sc.idx[a, slot]), np.asarray(sc.val[a, slot])
            order = np.argsort(-np.abs(val), kind="stable")[:4]
            effects = [(lay.describe(int(idx[i]), s), float(val[i])) for i in order if abs(val[i]) > 1e-4]
            terms = [(d["term"], d["value"], d["source"]) for d in _terms_json(self.compiled, a, idx, val)]
            out.append(Preview(action, tid, text, CATALOGUE[action].track, float(sc.utility[a, slot]),
                               CATALOGUE[action].cost, effects, terms))
        return sorted(out, key=lambda p: -p.utility)

    # --- snapshots ------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        return Snapshot(self.world.copy(), self.rng.bit_generator.state, len(self.records), self.world.turn)

    def restore(self, snap: Snapshot) -> None:
        """Rewind (or jump) to a snapshot; later records are dropped."""
        self.world = snap.world.copy()
        self.rng.bit_generator.state = snap.rng_state
        del self.records[snap.n_records:]
        self.inputs = [x for x in self.inputs if x["turn"] < snap.turn]
        self.running = self.world.turn < self.turns
        self._choices, self._answers, self._pending = {}, {}, []

    # --- output ---------------------------------------------------------------------------

    def to_json(self) -> dict:
        scn = self.scenario
        return {
            "format": "arbiter-run/1",
            "version": sim.__version__,
            "scenario": scn.id,
            "title": scn.title,
            "scenario_hash": self.loaded.digest,
            "seed": self.seed,
            "overrides": self.overrides,
            "start": self.world.s.start.isoformat()[:7],
            "turns_played": self.world.turn,
            "actors": {a.actor_id: {"name": a.name, "preferences": [
                {"term": t.name, "kind": t.kind, "weight": t.weight, "source": t.source,
                 "note": t.note, "contested": t.contested} for t in a.terms]} for a in self.actors},
            "initial": self.initial,
            "turns": self.records,
        }
