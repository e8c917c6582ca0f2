"""Turning points: the decisions that changed how a game ended.

For every month t and every power, the game is re-run from the state before month t with that
power's decision on one track (military or diplomatic) replaced by one of the next-best
candidates it had that month (the record's ``alternatives``, best first). Everything else is
as in the game: the other powers' human orders for every month are given again, the AI plays
the rest, and each month of the re-run starts from the same random state as that month of the
game (common random numbers), so a difference comes from the decision, not from dice rolled
in another order. A replaced choice that is the one actually made reproduces the game exactly.

**Distance** between two end states (0 = the same ending):

    share of Syria's population living in zones whose holder differs at the end (0..1)
    + sum over the powers of |leverage difference| + |standing difference|

Leverage and standing are the 0..1 influence figures of docs/model.md, section 5; a zone
changing hands weighs as much as the people in it. A month's decision is a turning point when
its alternative moves the ending far.

Cost: one re-run per (month, power, track, alternative), each from month t to the end with no
record kept. For astana_2017 (36 months, 5 powers, 2 tracks, 2 alternatives: about 700 re-runs)
that is some 350 full games' worth of months, about 16 s of processor time when measured
(`TurningPoints.seconds` has the wall time of a call). `max_runs` samples months evenly
(deterministically) when a budget is needed, and says so in `note`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from sim.model import objectives
from sim.model.catalogue import CATALOGUE
from sim.model.state import World
from sim.teach.replay import by_turn, fresh, give


def distance(a: World, b: World) -> float:
    """How far apart two end states are: see the module docstring."""
    s = a.s
    pop = s.pop / max(float(s.pop.sum()), 1e-9)
    zones = float(pop[a.control != b.control].sum())
    p = list(s.powers)
    influence = float(np.abs(a.leverage[p] - b.leverage[p]).sum() + np.abs(a.standing[p] - b.standing[p]).sum())
    return zones + influence


@dataclass(frozen=True)
class TurningPoint:
    turn: int
    date: str  # the month, "2017-06"
    actor: str
    track: str  # military | diplomatic
    did: str  # what the power did, in words
    action: str
    target: str | None
    instead: str  # what it could have done, in words
    alt_action: str
    alt_target: str | None
    utility_gap: float  # how much less the AI valued the alternative (>= 0 unless a human chose)
    distance: float
    zones: tuple = ()  # (zone, holder at the end of the game, holder at the end of the re-run)
    moves: tuple = ()  # (actor, "leverage" | "standing", re-run minus game), largest first
    scores: tuple = ()  # (actor, points in the game, points in the re-run) where they differ
    dropped_inputs: int = 0  # later human orders no longer open in the re-run (the AI played them)


@dataclass
class TurningPoints:
    points: list[TurningPoint]  # every re-run, the most consequential first
    runs: int
    seconds: float
    turns: tuple[int, ...]  # the months examined
    skipped: int = 0  # alternatives not open at the start of their month (events changed the options)
    note: str = ""
    end_scores: dict = field(default_factory=dict)  # actor -> points won in the game

    def top(self, n: int = 5, distinct: bool = True) -> list[TurningPoint]:
        """The n largest; with `distinct`, one per (month, power): its most consequential."""
        out, seen = [], set()
        for tp in self.points:
            key = (tp.turn, tp.actor)
            if distinct and key in seen:
                continue
            seen.add(key)
            out.append(tp)
            if len(out) == n:
                break
        return out


class Rerunner:
    """A game replayed once with a snapshot before every month, ready to be re-run from any
    month with one decision replaced."""

    def __init__(self, model):
        base = fresh(model, record=True)
        self.inputs = by_turn(model.inputs)
        self.snaps = []
        while base.world.turn < base.turns:
            self.snaps.append(base.snapshot())
            give(base, self.inputs.get(base.world.turn, []))
            base.step()
        self.base = base
        self.end = base.world
        self.turns = base.turns
        self.scratch = fresh(model, record=False)
        self.card = {(v.actor, v.id): v.met for v in base.scorecard()}

    def record(self, turn: int) -> dict:
        return self.base.records[turn - 1]

    def rerun(self, turn: int, actor: str, action: str, target: str | None) -> tuple[World, int, dict]:
        """The end state when `actor` orders `action` on `target` in month `turn` (1-based, as in
        the records) instead of what it did; with how many later human orders had to be left to
        the AI, and each objective's verdict. Raises ValueError if the order was not open."""
        m = self.scratch
        m.restore(self.snaps[turn - 1])
        track = CATALOGUE[action].track
        dropped = give(m, self.inputs.get(turn - 1, []), skip_track=(actor, track))
        m.choose(actor, action, target)
        verdicts = {(a, oid): met for rec in self.base.records[:turn - 1]  # judged before the change
                    for a, got in rec.get("objectives", {}).items() for oid, met in got.items()}
        while True:
            m.step()
            for a, got in objectives.judged_now(m.world, self.turns).items():
                for oid, met in got.items():
                    verdicts[(a, oid)] = met
            if m.world.turn >= self.turns:
                break
            # the same dice as the game's month: common random numbers
            m.rng.bit_generator.state = self.snaps[m.world.turn].rng_state
            dropped += give(m, self.inputs.get(m.world.turn, []))
        return m.world, dropped, verdicts

    def points(self, verdicts: dict) -> dict[str, int]:
        out: dict[str, int] = {}
        for actor, objs in self.base.scenario.objectives.items():
            out[actor] = sum(o.points for o in objs if verdicts.get((actor, o.id)))
        return out


def turning_points(game, *, alternatives: int = 2, powers: list[str] | None = None,
                   turns: list[int] | None = None, max_runs: int | None = None) -> TurningPoints:
    """Rank a game's decisions by how far their best alternatives move its ending.

    `game`: a model (a game not yet at its end is played on by the AI to its end, after its
    last human order) or a SavedGame from sim.saves.read. `alternatives`: how many next-best
    candidates per decision (default 2); `powers`: which actors (default the scenario's
    powers); `turns`: which months (default all); `max_runs`: sample months evenly to stay
    within this many re-runs."""
    t0 = time.perf_counter()
    if not hasattr(game, "world"):  # a SavedGame
        from sim import saves

        game = saves.restore(game, record=False)
    rr = Rerunner(game)
    s = rr.end.s
    who = [s.actor_ids[i] for i in s.powers] if powers is None else list(powers)
    months = list(range(1, rr.turns + 1)) if turns is None else [t for t in turns if 1 <= t <= rr.turns]

    def jobs_for(ts: list[int]) -> list[tuple]:
        out = []
        for t in ts:
            for d in rr.record(t)["decisions"]:
                if d["actor"] in who:
                    out += [(t, d, alt) for alt in d["alternatives"][:alternatives]]
        return out

    jobs = jobs_for(months)
    note = ""
    if max_runs is not None and len(jobs) > max_runs and months:
        per_month = max(1, len(jobs) // len(months))
        k = max(1, max_runs // per_month)
        picked = sorted({months[round(i * (len(months) - 1) / max(k - 1, 1))] for i in range(k)})
        note = (f"sampled {len(picked)} of {len(months)} months evenly to stay within {max_runs} re-runs; "
                f"the months in between were not examined")
        months = picked
        jobs = jobs_for(months)
    game_points = rr.points(rr.card)
    names = dict(zip(s.actor_ids, s.names))
    out, skipped = [], 0
    for t, d, alt in jobs:
        try:
            end, dropped, verdicts = rr.rerun(t, d["actor"], alt["action"], alt["target"])
        except ValueError:
            skipped += 1  # not open before the month's events: a player could not have ordered it
            continue
        alt_points = rr.points(verdicts)
        out.append(TurningPoint(
            turn=t, date=rr.record(t)["date"], actor=d["actor"], track=d["track"], did=d["text"],
            action=d["action"], target=d["target"], instead=f"{names[d['actor']]} {alt['text']}",
            alt_action=alt["action"], alt_target=alt["target"],
            utility_gap=round(d["utility"] - alt["utility"], 6), distance=round(distance(rr.end, end), 6),
            zones=_zones(rr.end, end), moves=_moves(rr.end, end, who),
            scores=tuple((a, game_points[a], alt_points[a]) for a in game_points if alt_points[a] != game_points[a]),
            dropped_inputs=dropped))
    out.sort(key=lambda tp: (-tp.distance, tp.turn, tp.actor, tp.track, tp.utility_gap))
    return TurningPoints(out, len(out) + skipped, round(time.perf_counter() - t0, 3), tuple(months), skipped,
                         note, game_points)


def _zones(a: World, b: World) -> tuple:
    s = a.s
    return tuple((s.zone_ids[z], s.actor_ids[int(a.control[z])], s.actor_ids[int(b.control[z])])
                 for z in np.flatnonzero(a.control != b.control))


def _moves(a: World, b: World, who: list[str], most: int = 3) -> tuple:
    s = a.s
    moves = []
    for actor in who:
        i = s.actor(actor)
        for metric, arr_a, arr_b in (("leverage", a.leverage, b.leverage), ("standing", a.standing, b.standing)):
            d = float(arr_b[i] - arr_a[i])
            if abs(d) >= 0.0005:
                moves.append((actor, metric, round(d, 4)))
    moves.sort(key=lambda m: -abs(m[2]))
    return tuple(moves[:most])
