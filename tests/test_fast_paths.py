"""Fast paths give what the plain computation gives: choosing for several worlds at once
(decisions.choose_many) gives each world bitwise the choices, and leaves each generator in
the state, that choosing world by world gives; conditions compiled once per scenario hold
exactly when their clauses, tested one by one, hold."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import decisions as dec
from sim.model.effects import _sum
from tests.test_score_many import worlds


def choose_alone(sc: dec.Scored, slots: dec.SlotLayout, temperature, rng) -> np.ndarray:
    """The original one-world choice, kept here as the reference."""
    A, W = sc.utility.shape
    noisy = sc.utility + temperature[:, None] * rng.gumbel(size=(A, W))
    mil = noisy[:, : slots.n_military].argmax(1)
    dip = slots.n_military + noisy[:, slots.n_military:].argmax(1)
    return np.column_stack([mil, dip])


@pytest.fixture(scope="module", params=["astana_2017", "iran_for_ukraine_2018"])
def scored(request):
    ws, c = worlds(request.param)
    return ws, c, [sc for sc, _ in dec.score_many(ws, c.lay, c.G, c.slots)]


@pytest.mark.parametrize("scale", [1.0, 0.0, 5.0])
def test_choose_many_matches_world_by_world(scored, scale):
    ws, c, scs = scored
    temperature = ws[0].s.temperature * scale
    seeds = range(len(scs))
    ref_rngs = [np.random.default_rng(1000 + i) for i in seeds]
    rngs = [np.random.default_rng(1000 + i) for i in seeds]
    for _ in range(3):  # several months: the generators stay in step
        want = [choose_alone(sc, c.slots, temperature, r) for sc, r in zip(scs, ref_rngs)]
        got = dec.choose_many(scs, c.slots, temperature, rngs)
        assert len(got) == len(want)
        for g, x in zip(got, want):
            assert g.shape == x.shape and g.dtype == x.dtype and np.array_equal(g, x)
    for r, x in zip(rngs, ref_rngs):
        assert r.bit_generator.state == x.bit_generator.state


def test_choose_is_choose_many_of_one(scored):
    ws, c, scs = scored
    temperature = ws[0].s.temperature
    for i, sc in enumerate(scs):
        a, b = np.random.default_rng(i), np.random.default_rng(i)
        got = dec.choose(sc, c.slots, temperature, a)
        want = choose_alone(sc, c.slots, temperature, b)
        assert got.dtype == want.dtype and np.array_equal(got, want)
        assert a.bit_generator.state == b.bit_generator.state


def test_choose_many_of_none(scored):
    _, c, _ = scored
    assert dec.choose_many([], c.slots, np.zeros(1), []) == []


def test_compiled_conditions_match_the_reference(scored):
    """rules.condition_holds (compiled once per scenario and condition) agrees with the
    test-by-test reference on every outcome, event and promise condition of the scenario."""
    from sim.model import rules

    ws, _, _ = scored
    scn = ws[0].s.scenario
    conds = [o.holds for o in scn.outcomes] + [ev.when for ev in ws[0].s.events if ev.when is not None]
    conds += [o.holds for objs in scn.objectives.values() for o in objs]
    conds += [p.holds for t in scn.trades for p in t.promises]
    assert conds
    for w in ws:
        for c in conds:
            assert rules.condition_holds(w, c) == reference_condition(w, c)


def test_conditions_on_many_worlds_are_each_worlds_own(scored):
    """rules.compiled_condition_many (all worlds at once, as the batch reads its outcomes) tells
    for each world what rules.condition_holds tells for it alone: every kind of clause, alone and
    combined, with thresholds at the worlds' own values (where a sum added in another order
    would flip the answer)."""
    from sim.model import rules
    from sim.scenario.schema import ActorValue, Condition, ZoneIs

    ws, _, _ = scored
    s = ws[0].s
    rng = np.random.default_rng(5)
    varied = []
    for w in ws:
        v = w.copy()
        v.ground = v.ground * rng.random(v.ground.shape) * 2.0  # irregular sums
        v.standing, v.leverage = rng.random(s.A), rng.random(s.A)
        varied.append(v)
    ws = ws + varied
    w0 = ws[len(ws) // 2]
    conds = [Condition()] + [o.holds for o in s.scenario.outcomes] + [ev.when for ev in s.events if ev.when is not None]
    conds += [Condition(turn_at_least=w0.turn), Condition(turn_at_least=w0.turn + 1)]
    for z in (0, s.Z - 1):
        zone, actor = s.zone_ids[z], s.actor_ids[int(w0.control[z])]
        conds += [Condition(controlled_by=ZoneIs(zone=zone, actor=actor)),
                  Condition(not_controlled_by=ZoneIs(zone=zone, actor=actor))]
    for a in range(s.A):
        for zones in ([], [0], [1, 4, 6], list(range(9)), list(range(s.Z))[::-1]):
            pres = min(_sum([w0.ground[a][z] for z in zones] if zones else w0.ground[a].tolist()) / s.norm[a], 1.0)
            v = ActorValue(actor=s.actor_ids[a], value=pres, zones=[s.zone_ids[z] for z in zones])
            conds += [Condition(presence_below=v), Condition(presence_above=v)]
        for field, x in (("standing", w0.standing[a]), ("leverage", w0.leverage[a])):
            v = ActorValue(actor=s.actor_ids[a], value=float(x))
            conds += [Condition(**{f"{field}_below": v}), Condition(**{f"{field}_above": v})]
    for t in s.trades[:2]:
        conds += [Condition(trade_done=t.id), Condition(trade_not_done=t.id)]
    # ids of agreements made in play are not scenario ids: conditions built without validation
    ids = sorted({ag.id for w in ws for ag in w.active_agreements()})
    for ag in ids[:2] + ids[-2:]:
        conds += [Condition.model_construct(agreement_in_force=ag),
                  Condition.model_construct(agreement_not_in_force=ag)]
    both = ActorValue(actor=s.actor_ids[0], value=0.2)
    conds += [Condition.model_construct(turn_at_least=w0.turn, presence_above=both, standing_below=both,
                                        agreement_not_in_force=ids[0])]
    stacked = rules.Stacked(ws)
    for c in conds:
        got = rules.compiled_condition_many(s, c)(stacked)
        assert got.dtype == bool and got.tolist() == [rules.condition_holds(w, c) for w in ws], c
    assert rules.compiled_condition_many(s, conds[1])(rules.Stacked(ws[:1])).shape == (1,)


def reference_condition(w, c) -> bool:
    """Condition c tested clause by clause on the world, as the rules define it: the oracle
    for the conditions compiled once per scenario."""
    s = w.s
    if c.turn_at_least is not None and w.turn < c.turn_at_least:
        return False
    if c.controlled_by is not None and w.control[s.zone(c.controlled_by.zone)] != s.actor(c.controlled_by.actor):
        return False
    if c.not_controlled_by is not None and w.control[s.zone(c.not_controlled_by.zone)] == s.actor(c.not_controlled_by.actor):
        return False
    if c.trade_done is not None and f"trade:{c.trade_done}" not in w.fired:
        return False
    if c.trade_not_done is not None and f"trade:{c.trade_not_done}" in w.fired:
        return False
    for field, below in (("presence_below", True), ("presence_above", False)):
        v = getattr(c, field)
        if v is not None:
            a = s.actor(v.actor)
            row = w.ground[a].tolist()
            pres = _sum([row[s.zone(z)] for z in v.zones] if v.zones else row) / s.norm[a]
            if (pres >= v.value) if below else (pres <= v.value):
                return False
    for field, below, arr in (("standing_below", True, w.standing), ("standing_above", False, w.standing),
                              ("leverage_below", True, w.leverage), ("leverage_above", False, w.leverage)):
        v = getattr(c, field)
        if v is not None:
            x = arr[s.actor(v.actor)]
            if (x >= v.value) if below else (x <= v.value):
                return False
    if c.agreement_in_force is not None or c.agreement_not_in_force is not None:
        active = {ag.id for ag in w.active_agreements()}
        if c.agreement_in_force is not None and c.agreement_in_force not in active:
            return False
        if c.agreement_not_in_force is not None and c.agreement_not_in_force in active:
            return False
    return True
