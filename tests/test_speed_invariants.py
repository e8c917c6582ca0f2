"""The shortcuts that make a run fast give exactly what the plain computation gives: batches
of bargaining problems, batched forecasts and trade valuations, single-zone defence, the
scalar clip, and the caches (scoring plan, standing links) when what they depend on changes."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from sim.bargaining import bdm
from sim.model import decisions as dec
from sim.model import influence, trades
from sim.model.effects import _clip
from sim.model.issues import refresh_forecast, refresh_forecasts
from sim.model.model import ArbiterModel
from sim.model.state import AgreementState
from sim.scenario import load_scenario


def problems(rng, count, sizes):
    out = []
    for _ in range(count):
        n = int(rng.integers(*sizes))
        c, x, s = rng.random(n) * 10, rng.choice([0.0, 0.25, 0.5, 1.0], n), rng.random(n)
        if rng.random() < 0.5:
            x = rng.random(n)
        s[0] = max(s[0], 0.1)
        out.append((c, x, s))
    return out


def padded(batch):
    n = np.array([len(x) for _, x, _ in batch])
    cols = [np.zeros((len(batch), n.max())) for _ in range(3)]
    for b, arrays in enumerate(batch):
        for col, a in zip(cols, arrays):
            col[b, :n[b]] = a
    return (*cols, n)


@pytest.mark.parametrize("opts", [
    bdm.BdmOptions(position_range=1.0, tolerance=1e-6),
    bdm.BdmOptions(position_range=1.0, q=0.5, risk_reference="positions", offer_selection="largest_eu"),
    bdm.BdmOptions(position_range=1.0, success_normalisation="net", offer_selection="scholz_code",
                   kind_priority=False),
])
def test_a_batch_of_bargaining_problems_plays_each_as_it_would_alone(opts):
    rng = np.random.default_rng(7)
    for _ in range(30):
        batch = problems(rng, int(rng.integers(1, 5)), (2, 10))  # rows of 8+ are summed row by row
        c, x, s, n = padded(batch)
        rnd = bdm.play_rounds(c, x, s, 1.0, opts, n)
        med, mean = bdm.medians(c, x, s, opts, n)
        for b, (cb, xb, sb) in enumerate(batch):
            alone = bdm.play_rounds(cb[None], xb[None], sb[None], 1.0, opts)
            names = [str(i) for i in range(len(xb))]
            assert rnd.positions[b, :len(xb)].tobytes() == alone.positions[0].tobytes()
            assert json.dumps(rnd.offers(b, names)) == json.dumps(alone.offers(0, names))
            assert repr(float(med[b])) == repr(bdm.median_position(cb, xb, sb, opts))
            assert repr(float(mean[b])) == repr(bdm.weighted_mean(cb, xb, sb))


def test_forecasts_of_several_worlds_at_once_equal_one_by_one():
    m = ArbiterModel(scenario="iran_for_ukraine_2018", seed=2, record=False).run(5)
    worlds = [m.world.copy() for _ in range(3)]
    worlds[1].ground[:, :] *= 1.5
    k, outsider = 0, int(np.flatnonzero(~m.world.s.issues.part()[:, 0])[0])
    worlds[2].positions[outsider, k] = worlds[2].committed[outsider, k] = 0.3  # a committed outsider
    alone = [w.copy() for w in worlds]
    refresh_forecasts(worlds, m.world.s.issues)
    for w, a in zip(worlds, alone):
        refresh_forecast(a, a.s.issues)
        assert w.forecast.tobytes() == a.forecast.tobytes() and w.fc_mean.tobytes() == a.fc_mean.tobytes()


def test_trades_valued_together_equal_each_valued_alone():
    m = ArbiterModel(scenario="iran_for_ukraine_2018", seed=4, record=False).run(3)
    w, c = m.world, m.compiled
    both = trades.values(w, c.lay, c.G, list(range(len(w.s.trades))))
    for k, v in both.items():
        alone = trades.value(w, c.lay, c.G, k)
        assert repr(v) == repr(alone)
        M0 = trades.baseline(w, c.lay)
        assert v.dM_p[1].tobytes() == trades.delta(w, c.lay, k, 1.0, trades.kept_as_seen_by(w, k, v.keep, v.proposer),
                                                   M0).tobytes()


def test_defence_of_one_zone_equals_the_zone_in_all_zones():
    m = ArbiterModel(scenario="astana_2017", seed=3, record=False).run(8)
    w = m.world
    friend = dec.Context(w, m.compiled.lay).friend
    full = dec.defence(w, friend)
    for z in range(w.s.Z):
        assert repr(dec.defence_of(w, friend[:, w.control[z]], z)) == repr(float(full[z]))


def test_scalar_clip_equals_numpy_clip():
    for x in [-0.0, 0.0, 1.0, -1.0, 1.5, -1.5, 0.3, float("nan"), float("inf")]:
        for lo, hi in ((0.0, 1.0), (-1.0, 1.0)):
            assert repr(_clip(x, lo, hi)) == repr(float(np.clip(x, lo, hi)))


def test_standing_follows_new_agreements_and_frameworks_in_the_same_month():
    m = ArbiterModel(scenario="astana_2017", seed=1, record=False).run(2)
    w = m.world

    def fresh() -> np.ndarray:
        w.s.derived(influence.links_seen).clear()  # forget every answer kept
        w.links_memo = None
        return influence.standing(w)

    before = influence.standing(w).copy()
    ru, tr = w.s.actor("russia"), w.s.actor("turkey")
    w.agreements = w.agreements + (AgreementState("extra", "ceasefire", (0, 1, 2), (tr,), (ru,), w.turn, None, "t"),)
    after = influence.standing(w).copy()
    assert not np.array_equal(after, before) and np.array_equal(after, fresh())
    w.frameworks = tuple(replace(f, last_round=-100) for f in w.frameworks)  # all lapsed
    lapsed = influence.standing(w).copy()
    assert not np.array_equal(lapsed, after) and np.array_equal(lapsed, fresh())
    w.agreements = w.agreements[:-1]
    w.turn += 1
    assert np.array_equal(influence.standing(w), fresh())


def test_one_slot_layout_scores_two_scenarios_as_fresh_ones_do():
    a = ArbiterModel(scenario="astana_2017", seed=1, record=False).run(3)
    b = ArbiterModel(scenario="sochi_2017", seed=1, record=False).run(3)
    s = a.world.s
    shared = dec.SlotLayout(s.A, s.Z, 0)
    for m in (a, b, a):
        c = m.compiled
        got, _ = dec.score(m.world, c.lay, c.G, shared)
        fresh, _ = dec.score(m.world, c.lay, c.G, dec.SlotLayout(s.A, s.Z, 0))
        assert got.utility.tobytes() == fresh.utility.tobytes()


def test_a_scenario_loaded_once_runs_as_a_scenario_loaded_each_time():
    loaded = load_scenario("astana_2017")
    once = [ArbiterModel(scenario=loaded, seed=s, record=False).run().world for s in (1, 2)]
    each = [ArbiterModel(scenario="astana_2017", seed=s, record=False).run().world for s in (1, 2)]
    for x, y in zip(once, each):
        assert x.ground.tobytes() == y.ground.tobytes() and x.standing.tobytes() == y.standing.tobytes()


def test_sums_on_python_floats_equal_numpys():
    from sim.model.effects import _row_sums, _sum

    rng = np.random.default_rng(5)
    for n in list(range(0, 40)) + [127, 128, 129, 200, 300]:
        a = rng.random(n) * 10.0 ** rng.integers(-3, 4, n)
        assert repr(_sum(a.tolist())) == repr(float(a.sum())), n
        rows, cols = [0, 2, 3], np.flatnonzero(rng.random(n) < 0.7)
        x = rng.random((5, n))
        assert _row_sums([[x[r, c] for c in cols] for r in rows]) == x[rows][:, cols].sum(1).tolist()
        assert _row_sums([[x[1, c] for c in cols]]) == x[[1]][:, cols].sum(1).tolist()
