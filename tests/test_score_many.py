"""Scoring several worlds at once (decisions.score_many) gives each world bitwise what scoring
it alone gives, whatever the other worlds in the batch and their order."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sim.model import decisions as dec
from sim.model.influence import support
from sim.model.issues import capabilities, capability, fit_direction, fit_directions, gradient, gradients
from sim.model.model import ArbiterModel
from sim.scenario import load_scenario

SCORED = ("utility", "legal", "idx", "val", "threat", "threat_side")
CONTEXT = ("att", "side_air", "exp_air", "friend", "member", "defends", "def_ground", "dfn", "zag", "n_zones",
           "guar_force", "in_agreement", "party", "guarantor", "p_att", "threat_side", "threat", "support", "S",
           "patrons", "share", "is_patron", "inc", "restraint")
# (seed, months at which a world is taken): worlds of several games and months
GAMES = ((1, (0, 3, 7)), (2, (2, 5)), (5, (1, 4, 9)))


def worlds(scenario: str):
    """Worlds of one scenario sharing one Static, as a batch's worlds do, and the compiled scenario."""
    loaded = load_scenario(scenario)
    out, s, compiled = [], None, None
    for seed, months in GAMES:
        m = ArbiterModel(scenario=loaded, seed=seed, record=False)
        s, compiled = s or m.world.s, compiled or m.compiled
        for k in months:
            m.run(k - m.world.turn)
            w = m.world.copy()
            w.s = s
            out.append(w)
    return out, compiled


@pytest.fixture(scope="module", params=["astana_2017", "iran_for_ukraine_2018"])
def batch(request):
    return worlds(request.param)


def fingerprint(sc: dec.Scored, cx: dec.Context) -> dict:
    """Every array of a world's scores and context as (dtype, shape, bytes); the trades' valuations."""
    out = {k: getattr(sc, k) for k in SCORED} | {f"cx.{k}": getattr(cx, k) for k in CONTEXT}
    out = {k: (np.asarray(v).dtype.str, np.shape(v), np.asarray(v).tobytes()) for k, v in out.items()}
    out["trades"] = repr(sc.trade_values)
    return out


def test_each_world_of_a_batch_is_scored_as_alone(batch):
    ws, c = batch
    together = dec.score_many(ws, c.lay, c.G, c.slots)
    assert len(together) == len(ws) and dec.score_many([], c.lay, c.G, c.slots) == []
    for w, got in zip(ws, together):
        alone = dec.score(w, c.lay, c.G, dec.SlotLayout(c.slots.A, c.slots.Z, c.slots.T))
        assert fingerprint(*got) == fingerprint(*alone)
        assert got[1].w is w


def test_a_world_scores_the_same_whatever_its_company(batch):
    ws, c = batch
    full = [fingerprint(*x) for x in dec.score_many(ws, c.lay, c.G, c.slots)]
    order = np.random.default_rng(3).permutation(len(ws))
    shuffled = dec.score_many([ws[i] for i in order], c.lay, c.G, c.slots)
    for i, x in zip(order, shuffled):
        assert fingerprint(*x) == full[i]
    for part in (ws[1::3], ws[-2:], ws[:1]):
        for w, x in zip(part, dec.score_many(part, c.lay, c.G, c.slots)):
            assert fingerprint(*x) == full[ws.index(w)]


def test_a_context_alone_is_the_context_of_scoring(batch):
    ws, c = batch
    for w, (_, cx) in zip(ws, dec.score_many(ws, c.lay, c.G, c.slots)):
        alone = dec.Context(w, c.lay)
        for k in CONTEXT:
            assert np.asarray(getattr(alone, k)).tobytes() == np.asarray(getattr(cx, k)).tobytes(), k


def test_the_batch_reads_support_and_bargaining_clout_as_their_modules_do(batch):
    ws, c = batch
    bx = dec._Batch(ws, dec._Plan.of(ws[0].s, c.lay, c.slots))
    table = ws[0].s.issues
    caps, grad, direction = capabilities(ws), gradients(ws, table), fit_directions(ws, table)
    for i, w in enumerate(ws):
        assert bx.support[i].tobytes() == support(w).tobytes()
        assert caps[i].tobytes() == capability(w).tobytes()
        assert grad[i].tobytes() == gradient(w, table).tobytes()
        assert direction[i].tobytes() == fit_direction(w, table).tobytes()


def test_scores_do_not_follow_later_changes_of_the_world(batch):
    ws, c = batch
    w = ws[-1].copy()
    sc, cx = dec.score(w, c.lay, c.G, c.slots)  # the context's rows are read after the changes
    w.ground *= 2.0
    w.control[:] = w.control[::-1]
    w.trust[:] = 0.0
    assert fingerprint(sc, cx) == fingerprint(*dec.score(ws[-1], c.lay, c.G, c.slots))


def test_support_of_a_single_patron_is_summed_as_alone():
    """With one patron the zones are one row, which numpy sums pairwise: the batch must too."""
    ws, c = worlds("astana_2017")
    s = ws[0].s
    one = replace(s, patrons=s.patrons[:1])
    for i, w in enumerate(ws):
        w.s = one
        # the regime's side holds 8 zones or more, not all: a row of 8+ among other sides' zones
        w.control[:] = s.regime
        w.control[[1, 4, 6]] = int(np.flatnonzero(s.hostile[s.regime])[0])
        rng = np.random.default_rng(i)  # spread magnitudes: the order of the sum shows
        w.ground[s.patrons[0]] = rng.random(s.Z) * 10.0 ** rng.integers(-3, 4, s.Z)
    bx = dec._Batch(ws, dec._Plan.of(one, c.lay, c.slots))
    for i, w in enumerate(ws):
        assert bx.support[i].tobytes() == support(w).tobytes()
