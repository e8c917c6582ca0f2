"""Objectives and outcomes: the scenario's yes/no questions about the state of play.

An objective is judged once, in the month of its ``by`` date or else at the end of the game,
and scores its points if its condition holds then. Between now and then the game shows
whether it would hold if the game stopped now.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.rules import condition_holds
from sim.model.state import Static, World


@dataclass(frozen=True)
class Verdict:
    actor: str
    id: str
    text: str
    points: int
    due: int  # the turn it is judged at
    met: bool | None  # None: not judged yet
    holds_now: bool
    source: str


def due_turn(s: Static, obj) -> int:
    """The turn at which an objective is judged: its date's month, or the end."""
    if obj.by is None:
        return s.turns
    months = (obj.by.year - s.start.year) * 12 + obj.by.month - s.start.month
    return max(0, min(s.turns, months))


def judged_now(w: World, last_turn: int | None = None) -> dict[str, dict[str, bool]]:
    """The objectives whose month has come this turn (or, at ``last_turn``, every one not
    judged before), with whether each was met."""
    out: dict[str, dict[str, bool]] = {}
    end = w.s.turns if last_turn is None else last_turn
    for actor, o, due in _due_turns(w):
        if due == w.turn or (w.turn == end and due > end):
            out.setdefault(actor, {})[o.id] = condition_holds(w, o.holds)
    return out


def _due_turns(w: World) -> list[tuple[str, object, int]]:
    """(actor, objective, due turn) of every objective: the scenario fixes them, so they are
    listed once per scenario."""
    return w.s.derived(_list_due_turns)


def _list_due_turns(s) -> list[tuple[str, object, int]]:
    return [(actor, o, due_turn(s, o)) for actor, objs in s.scenario.objectives.items() for o in objs]


def scorecard(w: World, records: list[dict]) -> list[Verdict]:
    """Every objective with its verdict so far (from the turn records) and whether it holds now."""
    verdicts: dict[tuple[str, str], bool] = {}
    for rec in records:
        for actor, got in rec.get("objectives", {}).items():
            for oid, met in got.items():
                verdicts[(actor, oid)] = met
    out = []
    for actor, objs in w.s.scenario.objectives.items():
        for o in objs:
            out.append(Verdict(actor, o.id, o.text, o.points, due_turn(w.s, o), verdicts.get((actor, o.id)),
                               condition_holds(w, o.holds), o.source))
    return out


def scores(card: list[Verdict]) -> dict[str, tuple[int, int]]:
    """Per actor: points won so far, and the points there were to win."""
    out: dict[str, tuple[int, int]] = {}
    for v in card:
        won, total = out.get(v.actor, (0, 0))
        out[v.actor] = (won + (v.points if v.met else 0), total + v.points)
    return out


def outcomes(w: World) -> dict[str, bool]:
    """The scenario's declared outcomes, as they stand."""
    return {o.id: condition_holds(w, o.holds) for o in w.s.scenario.outcomes}
