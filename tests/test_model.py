"""The model: reproducibility, invariants, each action's effect, snapshots, "why?" records."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sim.model.model import ArbiterModel
from sim.report import reference_summary
from sim.scenario import list_scenario_ids, load_scenario

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def astana():
    return load_scenario("astana_2017")


@pytest.fixture(scope="module")
def ifu():
    return load_scenario("iran_for_ukraine_2018")


def play(loaded, seed=1, turns=None, **kw):
    return ArbiterModel(scenario=loaded, seed=seed, turns=turns, **kw).run()


# --- reproducibility ----------------------------------------------------------------------


def test_same_seed_gives_an_identical_record(astana):
    a = json.dumps(play(astana, seed=7, turns=12).to_json(), sort_keys=True)
    b = json.dumps(play(astana, seed=7, turns=12).to_json(), sort_keys=True)
    assert a == b


def test_different_seeds_give_different_games(astana):
    runs = {json.dumps(play(astana, seed=s, turns=12).to_json()["turns"], sort_keys=True) for s in range(4)}
    assert len(runs) == 4


def test_kept_reference_run_is_unchanged():
    """A change of behaviour must show as a deliberate diff of tests/reference (see
    tools/update_reference.py)."""
    kept = json.loads((ROOT / "tests" / "reference" / "astana_2017_seed1.json").read_text())
    now = reference_summary(ArbiterModel(scenario="astana_2017", seed=1).run().to_json())
    now = json.loads(json.dumps(now, sort_keys=True))
    for i, (k, n) in enumerate(zip(kept["turns"], now["turns"])):
        assert k == n, f"behaviour changed at turn {i + 1} ({k['date']}); rerun tools/update_reference.py if intended"
    assert kept == now


# --- invariants ---------------------------------------------------------------------------


@pytest.mark.parametrize("sid", ["astana_2017", "iran_for_ukraine_2018"])
def test_invariants_hold_every_turn_over_many_seeds(sid):
    loaded = load_scenario(sid)
    for seed in range(12):
        m = ArbiterModel(scenario=loaded, seed=seed, record=False)
        while m.running:
            m.step()
            w = m.world
            s = w.s
            assert w.control.shape == (s.Z,) and ((0 <= w.control) & (w.control < s.A)).all()
            assert (w.ground >= 0).all() and (w.reserve >= 0).all() and (w.treasury >= 0).all()
            assert np.isclose(w.territory.sum(), 1.0)
            assert ((0 <= w.leverage) & (w.leverage <= 1)).all() and w.leverage.sum() <= 1 + 1e-9
            assert ((0 <= w.standing) & (w.standing <= 1)).all()
            assert ((-1 <= w.trust) & (w.trust <= 1)).all()
            assert ((0 <= w.sanctions) & (w.sanctions <= 1)).all()
            assert np.allclose(w.zone_influence.sum(0), 1.0)
            assert 0 <= w.dependence <= 1
            for ag in w.active_agreements():
                assert ag.zones and set(ag.parties).isdisjoint(ag.guarantors)


@pytest.mark.parametrize("sid", sorted(list_scenario_ids()))
def test_every_scenario_validates_and_runs_to_its_end(sid):
    m = ArbiterModel(scenario=sid, seed=3).run()
    assert len(m.records) == m.scenario.turns
    assert m.records[-1]["date"] == m.world.s.date(m.scenario.turns).isoformat()[:7]
    assert not m.running


def test_turns_are_calendar_months(astana):
    m = play(astana, turns=9)
    assert [r["date"] for r in m.records][:3] == ["2017-06", "2017-07", "2017-08"]
    assert m.records[-1]["date"] == "2018-02"


# --- "why?" -------------------------------------------------------------------------------


def test_every_decision_breakdown_adds_up_and_cites_sources(astana):
    m = play(astana, seed=2, turns=6)
    valid = {"leverage-2017", "master-plan-2016", "alliance-2016", "iran-for-ukraine-2018", "sochi-2017"}
    for rec in m.records:
        assert len(rec["decisions"]) == 2 * len(m.actors)
        for d in rec["decisions"]:
            total = sum(b["value"] for b in d["breakdown"])
            assert total == pytest.approx(d["utility"], abs=1e-5)
            for b in d["breakdown"]:
                assert b["source"] in valid or b["source"].startswith("assumption")
                assert b["note"]
            for alt in d["alternatives"]:
                assert alt["utility"] <= d["utility"] + 0.2  # a logit choice, not arbitrary


def test_russia_never_bombs_its_own_guaranteed_zones_for_nothing(astana):
    """Russia guarantees the Astana zones: with standing weighted, it rarely violates them."""
    viol = 0
    for seed in range(5):
        m = play(astana, seed=seed, turns=12)
        viol += sum(1 for r in m.records for o in r["outcomes"]
                    if o["type"] == "violation" and o["actor"] == "russia")
    assert viol <= 2


# --- snapshots ----------------------------------------------------------------------------


def test_rewind_and_replay_gives_the_same_future(astana):
    m = play(astana, seed=5, turns=4)
    m.turns = 10
    snap = m.snapshot()
    m.run()
    first = json.dumps(m.records[4:], sort_keys=True)
    m.restore(snap)
    assert m.world.turn == 4 and len(m.records) == 4
    m.run()
    assert json.dumps(m.records[4:], sort_keys=True) == first


def test_a_branch_with_another_choice_diverges(astana):
    m = ArbiterModel(scenario=astana, seed=5, turns=6)
    snap = m.snapshot()
    m.run()
    base = m.records[-1]["influence"]
    m.restore(snap)
    m.choose("russia", "air_campaign", "idlib")
    m.run()
    assert m.records[0]["decisions"][0]["action"] == "air_campaign"
    assert m.records[-1]["influence"] != base


# --- each action's effect -----------------------------------------------------------------


def branch(loaded, actor, action, target=None, seed=11, warm=0, answers=()):
    """Play one month with the actor's choice forced, and the same month with it idle."""
    m = ArbiterModel(scenario=loaded, seed=seed)
    m.run(warm)
    snap = m.snapshot()
    m.choose(actor, action, target)
    for pid, who, ok in answers:
        m.answer(pid, who, ok)
    m.step()
    acted = m.world.copy()
    rec = m.records[-1]
    m.restore(snap)
    track_idle = "hold" if action in ("air_campaign", "ground_offensive", "reinforce", "withdraw", "hold") else "wait"
    m.choose(actor, track_idle)
    m.step()
    return acted, m.world, rec, m


def idx(w, actor=None, zone=None):
    s = w.s
    return (s.actor(actor) if actor else None), (s.zone(zone) if zone else None)


def test_reinforce_moves_reserve_into_the_zone(astana):
    acted, idle, rec, _ = branch(astana, "russia", "reinforce", "coast")
    a, z = idx(acted, "russia", "coast")
    assert acted.ground[a, z] - idle.ground[a, z] == pytest.approx(1.0)
    assert idle.reserve[a] - acted.reserve[a] == pytest.approx(1.0)


def test_withdraw_pulls_forces_back_into_reserve(astana):
    acted, idle, rec, _ = branch(astana, "russia", "withdraw", "hama")
    a, z = idx(acted, "russia", "hama")
    assert acted.ground[a, z] == pytest.approx(0.0)
    assert acted.reserve[a] - idle.reserve[a] == pytest.approx(0.3)


def test_air_campaign_wears_down_defenders_and_breaks_a_guarantee(astana):
    acted, idle, rec, _ = branch(astana, "russia", "air_campaign", "idlib")
    o, z = idx(acted, "opposition", "idlib")
    r, _ = idx(acted, "russia")
    assert acted.ground[o, z] < idle.ground[o, z]
    assert acted.violations[r] == idle.violations[r] + 1
    assert acted.reputation[r] < idle.reputation[r]
    assert any(x["type"] == "violation" and x["actor"] == "russia" for x in rec["outcomes"])


def test_ground_offensive_is_resolved_and_costs_the_attacker(astana):
    acted, idle, rec, _ = branch(astana, "assad", "ground_offensive", "eastern_ghouta")
    a, z = idx(acted, "assad", "eastern_ghouta")
    fights = [x for x in rec["outcomes"] if x["type"] == "offensive" and x["zone"] == "eastern_ghouta"]
    assert fights and "assad" in fights[0]["attackers"] and 0 < fights[0]["chance"] < 1
    assert acted.casualties[a] > idle.casualties[a]
    assert (acted.control[z] == a) == fights[0]["won"]


def test_hold_and_wait_change_nothing_for_the_actor(astana):
    m = ArbiterModel(scenario=astana, seed=4)
    a = m.world.s.actor("us")
    before = m.world.ground[a].copy(), m.world.reserve[a], m.world.sanctions.copy()
    m.choose("us", "hold")
    m.choose("us", "wait")
    m.step()
    held = m.world.s.pop[m.world.control == a].sum()
    assert m.world.reserve[a] == pytest.approx(before[1] + m.world.s.params["recruitment"] * held)
    assert np.array_equal(m.world.sanctions, before[2])
    assert not any(d["actor"] == "us" and d["action"] not in ("hold", "wait") for d in m.records[-1]["decisions"])


def first_legal(loaded, actor, action, seed=11, warm=0):
    m = ArbiterModel(scenario=loaded, seed=seed)
    m.run(warm)
    targets = [t for act, t, _ in m.agents_by_id(actor).legal_actions() if act == action]
    assert targets, f"{action} is never open to {actor} here"
    return targets[0]


@pytest.mark.parametrize("action,kind", [("propose_ceasefire", "ceasefire"), ("propose_deescalation", "de_escalation")])
def test_a_proposal_accepted_by_all_becomes_an_agreement(astana, action, kind):
    zone = first_legal(astana, "russia", action)
    m = ArbiterModel(scenario=astana, seed=11)
    m.choose("russia", action, zone)
    m.step()
    pr = next(p for p in m.world.proposals if p.kind == kind)
    for r in pr.addressees:
        m.answer(pr.id, m.world.s.actor_ids[r], True)
    m.step()
    ags = [ag for ag in m.world.active_agreements() if ag.id == pr.id]
    assert ags and m.world.s.zone_ids[ags[0].zones[0]] == zone
    if kind == "de_escalation":
        assert m.world.s.actor("russia") in ags[0].guarantors


def test_one_refusal_sinks_a_proposal_and_costs_standing(astana):
    zone = first_legal(astana, "russia", "propose_ceasefire")
    m = ArbiterModel(scenario=astana, seed=11)
    m.choose("russia", "propose_ceasefire", zone)
    m.step()
    pr = next(p for p in m.world.proposals if p.kind == "ceasefire")
    refuser = m.world.s.actor_ids[pr.addressees[0]]
    for r in pr.addressees:
        m.answer(pr.id, m.world.s.actor_ids[r], r != pr.addressees[0])
    rep_before = m.world.reputation[pr.addressees[0]]
    m.step()
    assert not any(ag.id == pr.id for ag in m.world.active_agreements())
    assert any(o["type"] == "refused" and refuser in o["refused_by"] for o in m.records[-1]["outcomes"])
    assert m.world.reputation[pr.addressees[0]] <= rep_before


def test_guarantee_joins_an_agreement_with_observers(astana):
    acted, idle, rec, _ = branch(astana, "us", "guarantee", "idlib")
    u, z = idx(acted, "us", "idlib")
    ag = next(a for a in acted.agreements if z in a.zones)
    assert u in ag.guarantors
    assert acted.ground[u, z] - idle.ground[u, z] == pytest.approx(0.5)


def test_convene_talks_builds_a_framework_of_those_who_join(astana):
    m = ArbiterModel(scenario=astana, seed=11)
    m.choose("turkey", "convene_talks")
    m.step()
    pr = next(p for p in m.world.proposals if p.kind == "talks")
    for r in pr.addressees:
        m.answer(pr.id, m.world.s.actor_ids[r], True)
    m.step()
    fw = next(f for f in m.world.active_frameworks() if f.convener == m.world.s.actor("turkey"))
    assert set(fw.members) == set(pr.addressees)


def test_pressure_restrains_a_client_and_costs_its_trust(astana):
    acted, idle, rec, _ = branch(astana, "russia", "pressure_client", "assad")
    r, _ = idx(acted, "russia")
    a, _ = idx(acted, "assad")
    assert acted.pressed_until[a] > acted.turn and acted.pressed_by[a] == r
    assert acted.trust[a, r] < idle.trust[a, r]


def test_sanctions_raise_the_level_and_cut_income(astana):
    acted, idle, rec, _ = branch(astana, "us", "sanctions", "iran")
    i, _ = idx(acted, "iran")
    assert acted.sanctions[i] == pytest.approx(idle.sanctions[i] + 0.1)


def test_aid_moves_money_and_arms_and_buys_leverage(astana):
    acted, idle, rec, _ = branch(astana, "iran", "aid", "assad")
    i, _ = idx(acted, "iran")
    a, _ = idx(acted, "assad")
    assert acted.support[i, a] > idle.support[i, a]
    assert acted.treasury[a] > idle.treasury[a]
    assert acted.ground[a].sum() + acted.reserve[a] > idle.ground[a].sum() + idle.reserve[a]


def test_a_refused_trade_changes_nothing_and_waits_before_it_returns(ifu):
    m = ArbiterModel(scenario=ifu, seed=2)
    m.choose("us", "offer_trade", "iran_for_ukraine")
    m.step()
    pr = next(p for p in m.world.proposals if p.kind == "trade")
    sanc = m.world.sanctions[m.world.s.actor("russia")]
    m.answer(pr.id, "russia", False)
    m.step()
    assert m.world.sanctions[m.world.s.actor("russia")] == sanc
    offers = [t for a, t, _ in m.agents_by_id("us").legal_actions() if a == "offer_trade"]
    assert "iran_for_ukraine" not in offers


def test_an_illegal_human_choice_is_refused(astana):
    m = ArbiterModel(scenario=astana, seed=1)
    with pytest.raises(ValueError, match="not open"):
        m.choose("opposition", "air_campaign", "damascus")  # no air force
