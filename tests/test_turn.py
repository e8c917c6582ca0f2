"""Games played side by side (sim.model.turn) come out exactly as each game alone: the
batch's speed costs nothing in faithfulness, and a run's result does not depend on which
runs share its batch."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.model.turn import play_turns
from sim.model.model import ArbiterModel
from sim.scenario import load_scenario

ARRAYS = ("control", "ground", "reserve", "treasury", "trust", "reputation", "leverage", "standing",
          "positions", "forecast")


def alone(loaded, seed: int, turns: int) -> ArbiterModel:
    m = ArbiterModel(scenario=loaded, seed=seed, turns=turns)
    m.run()
    return m


def side_by_side(loaded, seeds: list[int], turns: int, record: bool = True):
    models = [ArbiterModel(scenario=loaded, seed=s, turns=turns) for s in seeds]
    ws = [m.world for m in models]
    rngs = [np.random.default_rng(s) for s in seeds]
    records = [[] for _ in seeds]
    for _ in range(turns):
        for r, rec in zip(records, play_turns(ws, models[0].compiled, rngs, record=record)):
            r.append(rec)
    return ws, records


def same_world(a, b) -> bool:
    return all(np.asarray(getattr(a, f)).tobytes() == np.asarray(getattr(b, f)).tobytes() for f in ARRAYS) \
        and a.agreements == b.agreements and a.proposals == b.proposals and a.fired == b.fired


@pytest.mark.parametrize("scenario", ["astana_2017", "iran_for_ukraine_2018"])
def test_games_side_by_side_end_exactly_as_each_game_alone(scenario):
    loaded = load_scenario(scenario)
    seeds = [3, 11, 12, 40, 41]
    turns = 14
    ws, records = side_by_side(loaded, seeds, turns)
    for seed, w, recs in zip(seeds, ws, records):
        m = alone(loaded, seed, turns)
        assert same_world(w, m.world), f"seed {seed}"
        for mine, theirs in zip(recs, m.records):
            theirs = {k: v for k, v in theirs.items() if k != "objectives"}  # the model judges those
            assert json.dumps(mine, sort_keys=True) == json.dumps(theirs, sort_keys=True), f"seed {seed}"


def test_a_run_does_not_depend_on_the_runs_batched_with_it():
    loaded = load_scenario("iran_for_ukraine_2018")
    turns = 12
    big, _ = side_by_side(loaded, [5, 6, 7, 8, 9, 10], turns, record=False)
    small, _ = side_by_side(loaded, [9, 7], turns, record=False)
    assert same_world(big[4], small[0]) and same_world(big[2], small[1])


def _chunk(runs: int, turns: int, seed: int):
    from sim.analysis.batch import plan
    from sim.analysis.runner import run_chunk

    p = plan("iran_for_ukraine_2018", runs, seed=seed, turns=turns)
    return p, run_chunk(p.spec(), 0, runs, None)


def test_a_batch_chunk_plays_each_run_as_arbiter_model_with_its_seed():
    p, res = _chunk(6, 10, seed=21)
    months = res.turns.to_pandas()
    for run_id, seed in zip(res.runs.column("run_id").to_pylist(), res.runs.column("seed").to_pylist()):
        m = ArbiterModel(scenario=p.loaded, seed=seed, turns=10, record=False)
        mine = months[months.run_id == run_id].set_index("turn")
        for t in range(11):
            if t:
                m.step()
            row = mine.loc[t]
            assert [str(row[f"control.{z}"]) for z in m.world.s.zone_ids] == \
                [m.world.s.actor_ids[c] for c in m.world.control], (run_id, t)
            assert [row[f"leverage.{a}"] for a in m.world.s.actor_ids] == \
                m.world.leverage.astype(np.float32).tolist(), (run_id, t)


def test_a_run_that_crashes_mid_batch_costs_only_itself(monkeypatch):
    """A run raising in month 4 takes its side-by-side group down; the group is played again
    run by run, so the crash is reported with its seed and the others come out unchanged."""
    from sim.analysis import runner

    _, clean = _chunk(5, 6, seed=8)
    bad_seed = clean.runs.column("seed").to_pylist()[3]
    bad_state = np.random.default_rng(bad_seed).bit_generator.state
    marked: dict = {}  # id -> (generator, started as the bad run's); kept alive so ids stay unique
    real = runner.play_turns

    def flaky(ws, c, rngs, **kw):
        for r in rngs:
            marked.setdefault(id(r), (r, r.bit_generator.state == bad_state))
        if ws[0].turn >= 3 and any(marked[id(r)][1] for r in rngs):
            raise ZeroDivisionError("a broken month")
        return real(ws, c, rngs, **kw)

    monkeypatch.setattr(runner, "play_turns", flaky)
    _, res = _chunk(5, 6, seed=8)
    assert res.runs.column("run_id").to_pylist() == [0, 1, 2, 4]
    (f,) = res.failures
    assert f["run_id"] == 3 and f["seed"] == bad_seed and "a broken month" in f["error"]
    keep = clean.turns.filter(clean.turns.column("run_id").to_numpy() != 3)
    assert res.turns.equals(keep)


@pytest.mark.parametrize("scenario", ["astana_2017", "sochi_2017", "alliance_strain_2016"])
def test_influence_of_many_worlds_is_each_worlds_own(scenario):
    from sim.model.influence import compute_influence, compute_influences

    loaded = load_scenario(scenario)
    ws = []
    for seed in (1, 2, 3):
        m = ArbiterModel(scenario=loaded, seed=seed, record=False)
        for months in (0, 4, 5, 11):
            m.run(months - m.world.turn)
            w = m.world.copy()
            w.s = ws[0].s if ws else w.s
            w.support[:] = np.random.default_rng(seed + months).random(w.support.shape)  # aid given too
            ws.append(w)
    alone = [w.copy() for w in ws]
    for report in (False, True):
        compute_influences(ws, report=report)
        for w, a in zip(ws, alone):
            compute_influence(a, report=report)
            for f in ("dependence", "leverage", "standing", "territory", "zone_influence"):
                assert np.asarray(getattr(w, f)).tobytes() == np.asarray(getattr(a, f)).tobytes(), f


@pytest.mark.parametrize("limit", [1 << 14, 3])
def test_links_of_many_worlds_are_each_worlds_own(limit, monkeypatch):
    """The standing and zone influence that agreements and frameworks give, computed for many
    worlds at once, are each world's own, for links of every shape: zones named twice, an actor
    guarantor twice or party and guarantor, frameworks overlapping, links that lapse; and when
    the scenario's table of links starts afresh at every turn."""
    from sim.model import influence
    from sim.model.influence import compute_influence, compute_influences
    from sim.model.state import AgreementState, FrameworkState

    monkeypatch.setattr(influence._LinkTable, "LIMIT", limit)

    loaded = load_scenario("astana_us_guarantor")
    m = ArbiterModel(scenario=loaded, seed=2, record=False)
    m.run(5)
    rng = np.random.default_rng(9)
    s, ws = m.world.s, []
    for k in range(40):
        w = m.world.copy()
        w.ground *= rng.random(w.ground.shape)  # irregular figures, where the order of additions shows
        ags = []
        for i in range(rng.integers(0, 6)):
            zones = tuple(rng.integers(0, 4, rng.integers(1, 4)).tolist())  # a few zones, often guaranteed again
            parties = tuple(rng.choice(s.A, rng.integers(1, 4), replace=False).tolist())
            guarantors = tuple(rng.integers(0, 3, rng.integers(0, 4)).tolist())
            end = [None, w.turn, w.turn + 2][i % 3]
            ags.append(AgreementState(f"a{i}", "ceasefire", zones, parties, guarantors, 0, end, "t"))
        fws = [FrameworkState(f"f{i}", "f", int(rng.integers(0, s.A)),
                              tuple(rng.integers(0, s.A, rng.integers(0, 4)).tolist()), w.turn - i, "t")
               for i in range(rng.integers(0, 4))]
        w.agreements, w.frameworks = w.agreements + tuple(ags), w.frameworks + tuple(fws)
        ws.append(w)
    for turns in (0, 1, 3):  # as the months pass, some lapse
        alone = [w.copy() for w in ws]
        compute_influences(ws)
        for w, a in zip(ws, alone):
            compute_influence(a)
            for f in ("standing", "zone_influence"):
                assert np.asarray(getattr(w, f)).tobytes() == np.asarray(getattr(a, f)).tobytes(), f
            w.turn += turns
