"""Bargaining inside the game: issues, forecasts used in utilities, linkage trades valued
against no deal, offers, counter-offers and refusals with reasons, promises kept or broken."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sim.explain import explain
from sim.model import decisions as dec
from sim.model import trades
from sim.model.issues import capability, issue_table, refresh_forecast
from sim.model.model import ArbiterModel
from sim.scenario import load_scenario


@pytest.fixture(scope="module")
def ifu():
    return load_scenario("iran_for_ukraine_2018")


@pytest.fixture(scope="module")
def astana():
    return load_scenario("astana_2017")


def ix(m, actor):
    return m.world.s.actor(actor)


def issue(m, kid):
    return m.world.s.issues.ids.index(kid)


# --- issues: positions, salience, capability ----------------------------------------------


def test_declared_positions_and_saliences_are_used(ifu):
    m = ArbiterModel(scenario=ifu, seed=1)
    t = m.world.s.issues
    k = issue(m, "iran_presence")
    assert t.ideal[ix(m, "iran"), k] == 1.0 and t.ideal[ix(m, "us"), k] == 0.0
    assert t.salience[ix(m, "iran"), k] == pytest.approx(0.85)
    assert np.isnan(t.ideal[ix(m, "isis"), k])  # takes no part


def test_an_undeclared_actor_takes_its_position_from_its_preferences(ifu):
    spec = ifu.scenario.issues["iran_presence"]
    positions = {a: p for a, p in spec.positions.items() if a != "us"}
    issues = dict(ifu.scenario.issues, iran_presence=spec.model_copy(update={"positions": positions}))
    m = ArbiterModel(scenario=ifu, seed=1)
    s = m.world.s
    t = issue_table(replace(s, scenario=ifu.scenario.model_copy(update={"issues": issues})))
    k, us = t.ids.index("iran_presence"), s.actor("us")
    # the US has a 'contain_iran' presence term (sense min) of weight 0.35 out of 1.15
    assert t.ideal[us, k] == 0.0
    assert t.salience[us, k] == pytest.approx(2 * 0.35 / 1.15)


def test_capability_follows_the_state(ifu):
    m = ArbiterModel(scenario=ifu, seed=1)
    w = m.world
    ru = ix(m, "russia")
    before = capability(w)[ru]
    w.sanctions[ru] = 1.0
    sanctioned = capability(w)[ru]
    assert sanctioned < before
    w.ground[ru, 0] += 2.0  # two more units in Syria: two more units of clout
    assert capability(w)[ru] == pytest.approx(sanctioned + 2.0)


def test_every_turn_records_each_issue_with_a_forecast_in_range(astana):
    m = ArbiterModel(scenario=astana, seed=3, turns=6).run()
    for rec in m.records:
        assert set(rec["issues"]) == {"assad_future", "iran_presence", "northern_foothold", "sanctions_linkage"}
        for kid, row in rec["issues"].items():
            assert 0.0 <= row["forecast"] <= 1.0 and 0.0 <= row["mean"] <= 1.0
            assert 0.0 <= row["status_quo"] <= 1.0
            assert row["positions"] and all(0 <= x <= 1 for x in row["positions"].values())


def test_bargaining_moves_positions_away_from_the_ideal_points(astana):
    m = ArbiterModel(scenario=astana, seed=3, turns=4).run()
    t = m.world.s.issues
    k = t.ids.index("assad_future")
    first = m.records[0]["issues"]["assad_future"]
    moved = {a: x for a, x in first["positions"].items() if abs(x - t.ideal[m.world.s.actor(a), k]) > 1e-6}
    assert moved  # somebody accepted an offer in the first month
    assert {mv["to"] for mv in first["moves"]} >= set(moved)


# --- the forecast in expected utilities ---------------------------------------------------


def test_iran_values_its_clout_more_when_the_forecast_on_its_presence_moves_against_it(ifu):
    m = ArbiterModel(scenario=ifu, seed=1)
    w, c = m.world, m.compiled
    ir, k = ix(m, "iran"), issue(m, "iran_presence")
    slot = c.slots.encode("reinforce", w.s.zone("homs_palmyra"))

    def settlement_share():
        sc, _ = dec.score(w, c.lay, c.G, c.slots)
        parts = dict((t.name, v) for t, v in dec.breakdown(c.terms, ir, sc.idx[ir, slot], sc.val[ir, slot], c.lay))
        return parts["settlement"]

    before = settlement_share()
    # Russia and Assad come round to rolling Iran back: the forecast falls away from Iran
    for a in ("russia", "assad", "turkey"):
        w.positions[ix(m, a), k] = w.committed[ix(m, a), k] = 0.0
    refresh_forecast(w, w.s.issues)
    assert w.forecast[k] < 0.5
    assert settlement_share() > before > 0


# --- trades: valuation --------------------------------------------------------------------


def test_rubinstein_split_favours_the_patient_side():
    assert trades.rubinstein(1.0, 0.0, 0.9, 0.9) == pytest.approx(1 / 1.9)
    patient = trades.rubinstein(1.0, 0.0, 0.99, 0.8)
    impatient = trades.rubinstein(1.0, 0.0, 0.8, 0.99)
    assert patient > 0.9 and impatient < 0.1


def test_nash_solution_lies_in_the_zone_of_agreement():
    zone = trades._zone(1.0, -1.0, -0.2, 1.0)  # u_P = 1 - t, u_R = -0.2 + t
    assert zone == pytest.approx((0.2, 1.0))
    x = trades.nash(1.0, -1.0, -0.2, 1.0, 0.9, 0.9, zone)
    assert x == pytest.approx(0.6)  # symmetric patience: split the surplus
    assert trades._zone(-0.5, 0.2, -0.1, 0.05) is None  # nothing both prefer to no deal


def test_sanctions_pressure_makes_russia_settle_for_less(ifu):
    m = ArbiterModel(scenario=ifu, seed=1)
    w, c = m.world, m.compiled
    calm = trades.value(w, c.lay, c.G, 0)
    w.treasury[ix(m, "russia")] = 0.2  # a treasury running out: time pressure
    pressed = trades.value(w, c.lay, c.G, 0)
    assert pressed.delta_r < calm.delta_r
    assert calm.zone is not None and pressed.zone is not None
    # terms are the share of US concessions: an impatient Russia gets offered less
    assert pressed.offer_p < calm.offer_p


# --- trades: accepted, countered, refused, promises ---------------------------------------


def offered(ifu, seed=2):
    m = ArbiterModel(scenario=ifu, seed=seed, humans=("iran",))
    m.choose("us", "offer_trade", "iran_for_ukraine")
    m.step()
    pr = next(p for p in m.world.proposals if p.kind == "trade")
    return m, pr


def test_an_accepted_trade_binds_russia_and_leaves_a_promise(ifu):
    m, pr = offered(ifu)
    w = m.world
    ru, ir, us = ix(m, "russia"), ix(m, "iran"), ix(m, "us")
    sanc, trust_ir, trust_us = w.sanctions[ru], w.trust[ir, ru], w.trust[us, ru]
    m.answer(pr.id, "russia", True)
    m.step()
    assert w.sanctions[ru] == pytest.approx(sanc - 0.4 * pr.terms)
    k = issue(m, "iran_presence")
    assert w.committed[ru, k] == pytest.approx(0.1) and w.positions[ru, k] == pytest.approx(0.1)
    assert [p.id for p in w.promises] == ["iran_for_ukraine:curb_iran"]
    assert w.trust[ir, ru] < trust_ir  # Iran feels sold out
    rec = m.records[-1]
    deal = next(o for o in rec["outcomes"] if o["type"] == "trade")
    assert any(t["actor"] == "iran" and t["utility"] < 0 for t in deal["third_parties"])
    answer = next(r for r in rec["responses"] if r["kind"] == "trade")
    assert answer["answer"] == "accept" and answer["human"]
    assert w.trust[us, ru] >= trust_us + 0.1 - 1e-9  # the dealers trust each other more


def test_a_promise_not_carried_out_is_broken_with_a_cost(ifu):
    m, pr = offered(ifu)
    m.answer(pr.id, "russia", True)
    m.step()
    w = m.world
    ru, us = ix(m, "russia"), ix(m, "us")
    ir = ix(m, "iran")
    dz = [w.s.zone("damascus"), w.s.zone("daraa")]
    w.ground[ir, dz] += 3.0  # Iran (played by a human) digs in near the border
    rep, trust, sanc = w.reputation[ru], w.trust[us, ru], w.sanctions[ru]
    m.run(6)
    texts = [o["type"] for r in m.records[-7:] for o in r["outcomes"]]
    assert "promise_broken" in texts
    assert w.reputation[ru] < rep and w.trust[us, ru] < trust - 0.2
    assert w.sanctions[ru] > sanc  # the relief is taken back
    assert np.isnan(w.committed[ru, issue(m, "iran_presence")])  # Moscow is free again


def test_a_promise_that_holds_on_the_ground_is_kept(ifu):
    m, pr = offered(ifu)
    m.answer(pr.id, "russia", True)
    m.step()
    w = m.world
    ir = ix(m, "iran")
    for z in ("damascus", "daraa"):
        w.reserve[ir] += w.ground[ir, w.s.zone(z)]
        w.ground[ir, w.s.zone(z)] = 0.0
    m.step()
    assert any(o["type"] == "promise_kept" for o in m.records[-1]["outcomes"])
    assert not m.world.promises
    # Israel strikes only while Iran stays near its border
    assert not any(e["id"] == "israeli_strikes" for e in m.records[-1]["events"])


def test_a_human_counter_offer_is_answered_by_the_ai_with_reasons(ifu):
    m, pr = offered(ifu)
    m.answer(pr.id, "russia", False, counter=1.0)
    m.step()
    ans = next(r for r in m.records[-1]["responses"] if r["kind"] == "trade")
    assert ans["answer"] == "counter" and ans["counter_terms"] == 1.0
    counter = next(p for p in m.world.proposals if p.kind == "trade")
    assert counter.proposer == ix(m, "russia") and counter.addressees == (ix(m, "us"),)
    m.step()
    reply = next(r for r in m.records[-1]["responses"] if r["kind"] == "trade")
    assert reply["actor"] == "us" and reply["answer"] in ("accept", "refuse")
    assert reply["reason"].startswith("United States")
    assert "counter" not in {r["answer"] for r in m.records[-1]["responses"] if r["kind"] == "trade"}


def test_ai_answers_vary_and_each_comes_with_a_reason(ifu):
    answers = set()
    for seed in range(10):
        m = ArbiterModel(scenario=ifu, seed=seed).run()
        for rec in m.records:
            for r in rec["responses"]:
                if r["kind"] == "trade":
                    answers.add(r["answer"])
                    assert r["reason"] and r["valuation"]["discount"]
    assert {"accept", "refuse"} <= answers


def test_explain_shows_why_a_trade_was_accepted_or_refused(ifu):
    m, pr = offered(ifu)
    m.step()  # Russia (AI) answers
    rec = m.to_json()
    text = explain(rec, turn=2, actor="russia")
    assert "Iran for Ukraine" in text or "trade" in text
    assert "zone of agreement" in text or "no terms suit both" in text
