"""The month: the rules of sim.model.rules in their order, for one world (play_turn: the
game, the command line) or for many worlds of one scenario side by side (play_turns).

A batch plays its runs in lockstep: every world goes through the same phase of the month
before any goes on to the next, and the numpy phases (influence, the bargaining rounds,
scoring every candidate, the choices, the forecasts) take all the worlds in one call, so numpy's cost per call is
paid once per batch instead of once per world. Each world keeps its own generator and draws
from it in the same order as when it is played alone, and each batched phase gives a world
exactly what it gives that world alone, so a run's result does not depend on the runs it is
batched with (tests/test_turn.py).
"""

from __future__ import annotations

import numpy as np

from sim.model import decisions as dec
from sim.model import rules
from sim.model.influence import compute_influence, compute_influences, metric_vector
from sim.model.issues import bargaining_months, init_positions, issues_record, refresh_forecasts
from sim.model.state import World, build_world
from sim.scenario.schema import Scenario


def opening_world(scn: Scenario) -> tuple[World, rules.Compiled]:
    """A scenario's world before its first month, and its compiled rules (no draw is made
    before the first month). The game's model and the batch workers both start here; the
    workers so without importing mesa."""
    w = build_world(scn)
    compute_influence(w)
    init_positions(w, w.s.issues)
    return w, rules.Compiled.of(w)


def play_turn(w: World, c: rules.Compiled, rng: np.random.Generator, *, record: bool = True,
              overrides: dict[int, tuple[int | None, int | None]] | None = None,
              answers: dict[tuple[str, int], bool] | None = None,
              humans: frozenset[int] = frozenset()) -> dict | None:
    """Advance the world one month in place and return the month's record (or None).

    ``overrides`` maps an actor index to its (military, diplomatic) slot choices (a human
    player's; None leaves that track to the AI); ``answers`` maps (proposal id, actor) to a
    human's accept (True), reject (False) or counter terms (a number)."""
    return play_turns([w], c, [rng], record=record, overrides=[overrides], answers=[answers], humans=[humans])[0]


def play_turns(ws: list[World], c: rules.Compiled, rngs: list[np.random.Generator], *, record: bool = False,
               overrides: list[dict | None] | None = None, answers: list[dict | None] | None = None,
               humans: list[frozenset[int]] | None = None) -> list[dict | None]:
    """Advance every world one month in place, as play_turn does one, and return their
    records (None each without ``record``); overrides, answers and humans are per world."""
    s = ws[0].s
    n = len(ws)
    overrides = overrides or [None] * n
    answers = answers or [None] * n
    humans = humans or [frozenset()] * n
    recs: list[dict | None] = []
    made: list[tuple] = []  # each world's scores, choices and answers, for its record
    events: list[list | None] = []
    outcomes: list[list | None] = []
    for w in ws:
        rec = {"turn": w.turn + 1, "date": None} if record else None
        w.turn += 1
        if rec is not None:
            rec["date"] = w.date.isoformat()[:7]
        rules._upkeep_start(w)
        ev: list | None = [] if record else None
        rules.fire_events(w, ev)
        recs.append(rec)
        events.append(ev)
    compute_influences(ws, report=False)  # the report figures are redone at the end of the month
    for w, hum in zip(ws, humans):
        out: list | None = [] if record else None
        rules._keep_promises(w, c, hum, out)
        outcomes.append(out)
    moves = bargaining_months(ws, s.issues, record)
    scored = dec.score_many(ws, c.lay, c.G, c.slots)
    choices = dec.choose_many([sc for sc, _ in scored], c.slots, s.temperature, rngs)
    for k, (w, rng, (sc, cx), chosen) in enumerate(zip(ws, rngs, scored, choices)):
        for a, (mil, dip) in (overrides[k] or {}).items():
            if mil is not None:
                chosen[a, 0] = mil
            if dip is not None:
                chosen[a, 1] = dip
        out = outcomes[k]
        answered = rules._answer_proposals(w, c, cx, rng, answers[k], out)
        rules._diplomacy(w, c, cx, sc, chosen, out)
        rules._combat(w, c, cx, chosen, rng, out)
        rules._economy(w, out)
        made.append((sc, chosen, answered))
    compute_influences(ws)
    refresh_forecasts(ws, s.issues)
    if not record:
        return recs
    for k, (w, rec, (sc, chosen, answered)) in enumerate(zip(ws, recs, made)):
        if c.lay.K:
            rec["issues"] = issues_record(w, s.issues, c.measures, metric_vector(w, c.lay), moves[k])
        rec["events"] = events[k]
        rec["decisions"] = rules._decision_records(w, c, sc, chosen)
        rec["responses"] = answered
        rec["outcomes"] = outcomes[k]
        rec.update(rules.snapshot_figures(w))
    return recs
