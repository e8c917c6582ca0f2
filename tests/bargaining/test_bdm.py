"""Tests for the Bueno de Mesquita bargaining engine (sim/bargaining).

Reference source. The published numbers come from the open Python replication of Scholz,
Calbert and Smith (2011):

* jmckib/bdm-scholz-expected-utility-model, file bdm_scholz_model.py (Jeremy
  McKibben-Sanders), with its input ExampleActors.csv (the EU car-emissions case, Table 1 of
  Scholz et al. / Bueno de Mesquita 1994), and the Python 3 fork
  dmasad/bdm-scholz-expected-utility-model, whose Example.log is the published run used
  below: initial median 7.0, weighted mean 7.389955686853767, and ten rounds of moves, e.g.
  round 1: "Belgium compromises with France  -0.11483050347300794 vs 0.2432965945234421
  new_pos = 8.415932315426764", "Luxembourg loses confrontation to Belgium
  0.24550922248250817 vs 0.542246100211495 new_pos = 7.0", "Ireland loses confrontation to
  Luxembourg 0.5382377664333493 vs 0.6824778252511178 new_pos = 4.0", mean after round 1
  7.461314378277189.
* dmasad/BDM_DecisionModel_Replication (David Masad), notebook "Comparison with
  Original.ipynb" (commit aa3899a), for the first-pass risk exponents under the "net"
  success normalisation (Netherlands 1.1271980463, ..., Greece 1.14047944802), and
  Testing.ipynb for the same initial weighted mean.

Independent scalar re-implementations of the formulas (plain loops, below) check the
vectorised code on small made-up cases for every option.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]

from sim.bargaining import (  # noqa: E402
    Actor,
    BargainInputError,
    BdmOptions,
    format_rounds,
    load_actor_table,
    median_position,
    run,
    weighted_mean,
)
from sim.bargaining import bdm  # noqa: E402

EU_CSV = ROOT / "scenarios" / "bargaining" / "eu_emissions.csv"

# (mean after the round, [(receiver, proposer, kind, new position, eu_to, eu_from), ...])
# transcribed from dmasad/bdm-scholz-expected-utility-model/Example.log; "X vs Y" there is
# (receiver's own EU of challenging, proposer's EU as the receiver estimates it).
PUBLISHED_LOG = [
    (7.461314378277189, [
        ("Belgium", "France", "compromise", 8.415932315426764, -0.11483050347300794, 0.2432965945234421),
        ("Luxembourg", "Belgium", "conflict", 7.0, 0.24550922248250817, 0.542246100211495),
        ("Ireland", "Luxembourg", "conflict", 4.0, 0.5382377664333493, 0.6824778252511178)]),
    (7.552500865855845, [
        ("Belgium", "France", "compromise", 9.610859134120188, -0.08372298010499579, 0.11098827573851458),
        ("Luxembourg", "Belgium", "conflict", 8.415932315426764, 0.09587865812504826, 0.25279815776071274),
        ("Ireland", "Luxembourg", "conflict", 7.0, 0.5364745002601532, 0.6832740271828603)]),
    (7.590144997451547, [
        ("Belgium", "France", "compromise", 9.961979590401311, -0.021363682612244528, 0.023677008278475686),
        ("Luxembourg", "Belgium", "conflict", 9.610859134120188, 0.0752415037116283, 0.1973924602995426),
        ("Ireland", "Luxembourg", "conflict", 8.415932315426764, 0.2220966141779851, 0.28914350869001226)]),
    (7.358130531334201, [
        ("Belgium", "Netherlands", "compromise", 4.800881140632622, -0.7153336335609584, 0.826336595809209),
        ("Luxembourg", "Belgium", "conflict", 9.961979590401311, 0.019067005856757135, 0.05475982048848671),
        ("Ireland", "Luxembourg", "conflict", 9.610859134120188, 0.18434889721531578, 0.2408011690248525)]),
    (7.3491739896752115, [
        ("Belgium", "France", "compromise", 5.524237694197356, -0.07892886598556514, 0.5673005292780673),
        ("Luxembourg", "Belgium", "conflict", 4.800881140632622, 0.6442818640814262, 1.2296306388963438),
        ("Ireland", "Luxembourg", "conflict", 9.961979590401311, 0.05091916804909058, 0.06745697684475738)]),
    (7.414877545372958, [
        ("Belgium", "France", "compromise", 7.47204636191629, -0.17147772090669489, 0.3940292145932064),
        ("Luxembourg", "Belgium", "conflict", 5.524237694197356, 0.04393570966631333, 0.12294346298815284),
        ("Ireland", "Belgium", "conflict", 5.524237694197356, 0.477289288589615, 1.1583814184029237)]),
    (7.510457183677219, [
        ("Belgium", "France", "compromise", 8.824593855262423, -0.10459286362216708, 0.19548733882691532),
        ("Luxembourg", "Belgium", "conflict", 7.47204636191629, 0.1382777829509383, 0.3410544636307657),
        ("Ireland", "Belgium", "conflict", 7.47204636191629, 0.13272892587624174, 0.41138879294371355)]),
    (7.5724470975503, [
        ("Belgium", "France", "compromise", 9.671129769802048, -0.056369286263043605, 0.07826815650708174),
        ("Luxembourg", "Belgium", "conflict", 8.824593855262423, 0.0872009778054279, 0.22517742605780633),
        ("Ireland", "Belgium", "conflict", 8.824593855262423, 0.08321562348731826, 0.2751461345009193)]),
    (7.324989065683666, [
        ("Belgium", "Netherlands", "compromise", 4.144849062500606, -0.6974248364399851, 0.7157050033503447),
        ("Luxembourg", "Belgium", "conflict", 9.671129769802048, 0.05008299023987961, 0.13597909894595128),
        ("Ireland", "Belgium", "conflict", 9.671129769802048, 0.0474210361526437, 0.1671827021753982)]),
    (7.242130958473938, [
        ("Belgium", "France", "compromise", 4.291541224979646, -0.01852838755780717, 0.7395521611111853),
        ("Luxembourg", "Belgium", "conflict", 4.144849062500606, 0.760038324818827, 1.4093388112170677),
        ("Ireland", "Belgium", "conflict", 4.144849062500606, 0.796832348725107, 1.7236993574505728)]),
]

# First-pass risk exponents printed in dmasad/BDM_DecisionModel_Replication,
# "Comparison with Original.ipynb" (net success probability, Q = 1).
MASAD_NET_R = {"Netherlands": 1.1271980463, "Belgium": 0.780917839132, "Luxembourg": 0.5,
               "Germany": 1.1271980463, "France": 1.07789229892, "Italy": 1.07789229892,
               "UK": 2.0, "Ireland": 0.524782172174, "Denmark": 1.47169654498,
               "Greece": 1.14047944802}

TOL = 1e-9  # the log prints full float reprs; summation order changes the last few bits


@pytest.fixture(scope="module")
def eu_actors() -> list[Actor]:
    return load_actor_table(EU_CSV)


def accepted(record) -> list[tuple]:
    return sorted((o["to"], o["from"], o["kind"], o["position"], o["eu_to"], o["eu_from"])
                  for o in record.offers if o["accepted"])


def assert_moves(record, expected, before: dict[str, float]):
    got = accepted(record)
    assert [g[:3] for g in got] == sorted(e[:3] for e in expected)
    for g, e in zip(got, sorted(expected)):
        assert g[3:] == pytest.approx(e[3:], abs=TOL)
    movers = {e[0] for e in expected}
    for name, pos in record.positions.items():  # everyone else stays put
        if name not in movers:
            assert pos == before[name]


# ---------------------------------------------------------------------------------------
# Reproducing the published EU car-emissions run
# ---------------------------------------------------------------------------------------

def test_scenario_file_is_table_1(eu_actors):
    assert [(a.name, a.capability, a.position, a.salience) for a in eu_actors] == [
        ("Netherlands", 0.08, 4.0, 0.8), ("Belgium", 0.08, 7.0, 0.4), ("Luxembourg", 0.03, 4.0, 0.2),
        ("Germany", 0.16, 4.0, 0.8), ("France", 0.16, 10.0, 0.6), ("Italy", 0.16, 10.0, 0.6),
        ("UK", 0.16, 10.0, 0.9), ("Ireland", 0.05, 7.0, 0.1), ("Denmark", 0.05, 4.0, 1.0),
        ("Greece", 0.08, 7.0, 0.7)]
    assert EU_CSV.read_text().splitlines()[0] == "actor,capability,position,salience"


def test_initial_median_and_weighted_mean(eu_actors):
    c, x, s = ([getattr(a, f) for a in eu_actors] for f in ("capability", "position", "salience"))
    assert median_position(c, x, s) == 7.0
    assert weighted_mean(c, x, s) == pytest.approx(7.389955686853767, abs=1e-12)
    result = run(eu_actors, rounds=1)
    assert result.initial["median"] == 7.0
    assert result.initial["mean"] == pytest.approx(7.389955686853767, abs=1e-12)


def test_first_round_moves_match_published_run(eu_actors):
    result = run(eu_actors, rounds=1)
    mean, moves = PUBLISHED_LOG[0]
    assert_moves(result.rounds[0], moves, result.initial["positions"])
    assert result.rounds[0].mean == pytest.approx(mean, abs=TOL)
    assert result.rounds[0].positions["Belgium"] == pytest.approx(8.415932315426764, abs=TOL)


def test_default_matches_published_rounds_1_to_3_then_takes_smallest_move(eu_actors):
    result = run(eu_actors, rounds=4)
    before = result.initial["positions"]
    for record, (mean, moves) in zip(result.rounds[:3], PUBLISHED_LOG[:3]):
        assert_moves(record, moves, before)
        assert record.mean == pytest.approx(mean, abs=TOL)
        before = record.positions
    # Round 4: the stated rule (least change) keeps Belgium with France; the published
    # run's compromise key sends it back to the Netherlands.
    belgium = [o for o in result.rounds[3].offers if o["to"] == "Belgium" and o["accepted"]]
    assert [(o["from"], o["kind"]) for o in belgium] == [("France", "compromise")]
    assert result.rounds[3].positions["Belgium"] > 9.96


def test_scholz_code_selection_reproduces_all_ten_published_rounds(eu_actors):
    result = run(eu_actors, rounds=10, options=BdmOptions(offer_selection="scholz_code"))
    assert len(result.rounds) == 10 and result.status == "max_rounds"
    before = result.initial["positions"]
    for record, (mean, moves) in zip(result.rounds, PUBLISHED_LOG):
        assert_moves(record, moves, before)
        assert record.mean == pytest.approx(mean, abs=TOL)
        before = record.positions


# ---------------------------------------------------------------------------------------
# Independent scalar formulas (loops) for small made-up cases
# ---------------------------------------------------------------------------------------

TOY = [Actor("A", 0.5, 0.0, 0.8), Actor("B", 0.3, 3.0, 0.5), Actor("C", 0.2, 10.0, 1.0),
       Actor("D", 0.4, 6.0, 0.3), Actor("E", 0.1, 3.0, 0.9)]


def toy_arrays(actors=TOY):
    return (np.array([a.capability for a in actors]), np.array([a.position for a in actors]),
            np.array([a.salience for a in actors]))


def scalar_p(x, w, r, scale, norm, a, b):
    if x[a] == x[b]:
        return 0.0

    def vote(k, i, j):
        return w[k] * ((abs(x[k] - x[j]) / scale) ** r[k] - (abs(x[k] - x[i]) / scale) ** r[k])

    n = len(x)
    votes = [vote(k, a, b) for k in range(n)]
    if norm == "net":
        top = max(0.0, sum(votes))
    else:
        top = sum(v for v in votes if v > 0)
    if norm == "global":
        bottom = sum(abs(vote(k, i, j)) for k in range(n) for i in range(n) for j in range(n))
    else:
        bottom = sum(abs(v) for v in votes)
    return top / bottom


def scalar_eu(x, s, p, r, mu, scale, q, t, a, b):
    d = abs(x[a] - x[b]) / scale
    m = (abs(x[a] - mu) + abs(x[a] - x[b])) / scale
    u_s = 2 - 4 * (0.5 - 0.5 * d) ** r
    u_f = 2 - 4 * (0.5 + 0.5 * d) ** r
    u_b = 2 - 4 * (0.5 - 0.25 * m) ** r
    u_w = 2 - 4 * (0.5 + 0.25 * m) ** r
    u_sq = 2 - 4 * 0.5 ** r
    return (s[b] * (p * u_s + (1 - p) * u_f) + (1 - s[b]) * u_s
            - (q * u_sq + (1 - q) * (t * u_b + (1 - t) * u_w)))


def scalar_security(x, s, w, scale, mu, norm, q, t, i):
    n = len(x)
    ones = [1.0] * n
    return sum(scalar_eu(x, s, scalar_p(x, w, ones, scale, norm, j, i), 1.0, mu, scale, q, t, j, i)
               for j in range(n) if j != i)


@pytest.mark.parametrize("norm", ["global", "pairwise", "net"])
def test_success_probability_matches_scalar_formula(norm):
    c, x, s = toy_arrays()
    w = c * s
    r = np.array([0.5, 1.3, 2.0, 0.8, 1.0])
    p = bdm.success_probability(x, w, r, 10.0, norm)
    for a, b in itertools.product(range(5), repeat=2):
        assert p[a, b] == pytest.approx(scalar_p(x, w, r, 10.0, norm, a, b), abs=1e-14)


def test_success_normalisations_behave_differently():
    c, x, s = toy_arrays()
    w, r = c * s, np.ones(5)
    glob, pair, net = (bdm.success_probability(x, w, r, 10.0, n) for n in ("global", "pairwise", "net"))
    differ = x[:, None] != x[None, :]
    # pairwise: the two sides' chances add to one
    assert np.allclose((pair + pair.T)[differ], 1.0)
    # net: only the side the net vote favours has any chance
    assert np.all(np.minimum(net, net.T)[differ] == 0) and np.all(np.maximum(net, net.T)[differ] > 0)
    # global: every pair shares one denominator, so chances are small and sum well below one
    assert np.all((glob + glob.T)[differ] < 0.5)
    assert not np.allclose(glob, pair) and not np.allclose(pair, net)


def test_net_normalisation_reproduces_masad_risk_exponents(eu_actors):
    result = run(eu_actors, rounds=1, options=BdmOptions(success_normalisation="net"))
    got = result.rounds[0].risk_exponents
    for name, r in MASAD_NET_R.items():
        assert got[name] == pytest.approx(r, abs=1e-9), name


@pytest.mark.parametrize("q,t", [(1.0, 1.0), (0.5, 1.0), (0.5, 0.0), (0.2, 0.7)])
def test_expected_utility_matches_scalar_formula(q, t):
    c, x, s = toy_arrays()
    w = c * s
    r = np.array([0.5, 1.3, 2.0, 0.8, 1.0])
    p = bdm.success_probability(x, w, r, 10.0, "global")
    mu = 3.0
    own = bdm.expected_utility(x, s, p, np.broadcast_to(r[:, None], (5, 5)), mu, 10.0, q, t)
    seen = bdm.expected_utility(x, s, p, np.broadcast_to(r[None, :], (5, 5)), mu, 10.0, q, t)
    for a, b in itertools.product(range(5), repeat=2):
        assert own[a, b] == pytest.approx(scalar_eu(x, s, p[a, b], r[a], mu, 10.0, q, t, a, b), abs=1e-13)
        assert seen[a, b] == pytest.approx(scalar_eu(x, s, p[a, b], r[b], mu, 10.0, q, t, a, b), abs=1e-13)
    assert not np.allclose(own, seen)  # the two perspectives really differ


def test_q_and_t_options(eu_actors):
    base = run(eu_actors, rounds=3).to_json()
    # With Q = 1 the status-quo-changes branch vanishes, so T cannot matter.
    assert run(eu_actors, rounds=3, options=BdmOptions(t=0.0)).to_json() == base
    half = run(eu_actors, rounds=3, options=BdmOptions(q=0.5))
    assert half.to_json() != base
    assert run(eu_actors, rounds=3, options=BdmOptions(q=0.5, t=0.0)).to_json() != half.to_json()
    # Q = 0.5 changes round 1: Belgium is no longer moved (its best counter-offer disappears).
    assert "Belgium" not in {o["to"] for o in half.rounds[0].offers if o["accepted"]}


def test_risk_exponents_follow_security_levels(eu_actors):
    record = run(eu_actors, rounds=1).rounds[0]
    r, sec = record.risk_exponents, record.security
    most, least = max(sec, key=sec.get), min(sec, key=sec.get)
    assert r[most] == pytest.approx(0.5) and r[least] == pytest.approx(2.0)
    assert all(0.5 - 1e-12 <= v <= 2.0 + 1e-12 for v in r.values())
    # monotone: more threatened, more risk averse
    order = sorted(sec, key=sec.get)
    assert all(r[a] >= r[b] - 1e-12 for a, b in zip(order, order[1:]))


def test_security_levels_match_scalar_formula():
    c, x, s = toy_arrays()
    w = c * s
    for norm, q in (("global", 1.0), ("pairwise", 0.5)):
        opts = BdmOptions(success_normalisation=norm, q=q, t=0.6)
        sec = bdm.security_levels(x, s, w, 10.0, 3.0, opts)
        for i in range(5):
            assert sec[i] == pytest.approx(scalar_security(x, s, w, 10.0, 3.0, norm, q, 0.6, i), abs=1e-13)


def test_risk_reference_positions_matches_brute_force():
    c, x, s = toy_arrays()
    w = c * s
    opts = BdmOptions(risk_reference="positions", q=0.5)
    r, _ = bdm.risk_exponents(x, s, w, 10.0, 3.0, opts)
    for i in range(5):
        dangers = []
        for y in sorted(set(x)):
            moved = x.copy()
            moved[i] = y
            dangers.append(scalar_security(moved, s, w, 10.0, 3.0, "global", 0.5, 1.0, i))
        here = scalar_security(x, s, w, 10.0, 3.0, "global", 0.5, 1.0, i)
        big_r = (2 * here - max(dangers) - min(dangers)) / (max(dangers) - min(dangers))
        assert r[i] == pytest.approx((1 - big_r / 3) / (1 + big_r / 3), abs=1e-12)
    r_actors, _ = bdm.risk_exponents(x, s, w, 10.0, 3.0, BdmOptions(q=0.5))
    assert not np.allclose(r, r_actors)


# ---------------------------------------------------------------------------------------
# Offers and their selection
# ---------------------------------------------------------------------------------------

def test_offer_classification_octants():
    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    # receiver 0 against proposers 1..4: (a = E^0(U_0j), b = E^0(U_j0))
    a = np.array([[0, 0.2, -0.2, -0.5, 0.3]] + [[0] * 5] * 4, dtype=float)
    b = np.array([[0, 0.4, 0.5, 0.4, 0.1]] + [[0] * 5] * 4, dtype=float)
    kind, target = bdm.classify_offers(x, a, b, 1e-12)
    assert kind[0].tolist() == [0, 1, 2, 3, 0]  # conflict lost, compromise, capitulation, i wins
    assert target[0, 1] == 1.0 and target[0, 3] == 3.0
    assert target[0, 2] == pytest.approx(2.0 * 0.2 / 0.5)  # moves |a|/b of the way


def test_largest_eu_selection_differs(eu_actors):
    result = run(eu_actors, rounds=1, options=BdmOptions(offer_selection="largest_eu"))
    lux = [o for o in result.rounds[0].offers if o["to"] == "Luxembourg"]
    taken = [o for o in lux if o["accepted"]]
    assert len(taken) == 1 and taken[0]["from"] in ("France", "Italy")  # equal EU; lower index
    assert taken[0]["from"] == "France"
    assert taken[0]["eu_from"] == max(o["eu_from"] for o in lux if o["kind"] == "conflict")
    assert result.rounds[0].positions["Luxembourg"] == 10.0  # not Belgium's 7.0


def test_kind_priority_off_lets_smaller_compromises_win(eu_actors):
    result = run(eu_actors, rounds=1, options=BdmOptions(kind_priority=False))
    pos = result.rounds[0].positions
    taken = {o["to"]: (o["from"], o["kind"]) for o in result.rounds[0].offers if o["accepted"]}
    assert taken["Luxembourg"] == ("Greece", "compromise")
    assert taken["Ireland"] == ("France", "compromise")
    assert pos["Luxembourg"] == pytest.approx(5.089938181759442, abs=TOL)
    assert pos["Ireland"] == pytest.approx(7.191634680325238, abs=TOL)


def test_at_most_one_offer_accepted_and_moves_are_simultaneous(eu_actors):
    result = run(eu_actors, rounds=3)
    before = result.initial["positions"]
    for record in result.rounds:
        per_receiver = {}
        for o in record.offers:
            assert o["kind"] in ("conflict", "compromise", "capitulation")
            per_receiver[o["to"]] = per_receiver.get(o["to"], 0) + o["accepted"]
            if o["accepted"]:
                assert record.positions[o["to"]] == o["position"]
        assert all(v == 1 for v in per_receiver.values())  # everyone with offers takes exactly one
        # Luxembourg takes Belgium's position from the start of the round, not its new one
        lux = next(o for o in record.offers if o["to"] == "Luxembourg" and o["accepted"])
        assert lux["position"] == before[lux["from"]]
        before = record.positions


# ---------------------------------------------------------------------------------------
# Median
# ---------------------------------------------------------------------------------------

def test_median_is_condorcet_winner_and_weighted_median():
    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(2, 12))
        c, x, s = rng.uniform(0, 1, n), rng.integers(0, 20, n).astype(float), rng.uniform(0.05, 1, n)
        med = median_position(c, x, s)
        assert med in x
        votes = bdm.vote_matrix(c, x, s)
        j = int(np.flatnonzero(x == med)[0])
        assert votes[j].min() >= -1e-12  # nothing beats it
        w = c * s  # ...and it is a weighted median: at most half the weight on either side
        assert w[x < med].sum() <= w.sum() / 2 + 1e-12 and w[x > med].sum() <= w.sum() / 2 + 1e-12
        perm = rng.permutation(n)
        assert median_position(c[perm], x[perm], s[perm]) == med  # order does not matter


def test_median_ties_are_broken_deterministically():
    # Equal weight at 0 and 10, a weightless actor at 4: 0 and 10 tie; the mean is 5, equidistant.
    assert median_position([1, 1], [10, 0], [1, 1]) == 0.0
    # a third, light actor moves the mean: the tie goes to the side nearer it
    assert median_position([1, 1, 0.01], [0, 10, 9], [1, 1, 1]) == 9.0


# ---------------------------------------------------------------------------------------
# Stopping: converged, oscillating, max_rounds
# ---------------------------------------------------------------------------------------

def test_converges_when_nobody_moves():
    result = run([Actor("A", 1, 0, 0.5), Actor("B", 1, 1, 0.5)], rounds=50)
    assert result.status == "converged" and len(result.rounds) == 1
    assert result.rounds[0].offers == []
    assert result.final_positions == {"A": 0.0, "B": 1.0}


def test_oscillation_is_detected_and_stops(eu_actors):
    result = run(eu_actors, rounds=100_000, options=BdmOptions(q=0.5))
    assert result.status == "oscillating"
    last = result.rounds[-1].positions
    earlier = [result.initial["positions"]] + [r.positions for r in result.rounds[:-2]]
    assert last in earlier  # a genuine cycle: back to an earlier state...
    assert last != result.rounds[-2].positions  # ...that is not the previous one
    assert len(result.rounds) == 3


def test_default_run_of_eu_case_ends_in_a_cycle(eu_actors):
    result = run(eu_actors, rounds=500)
    assert result.status == "oscillating" and len(result.rounds) < 500


def test_max_rounds_status(eu_actors):
    result = run(eu_actors, rounds=5)
    assert result.status == "max_rounds" and len(result.rounds) == 5
    assert run(eu_actors, rounds=0).status == "max_rounds"


# ---------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------

def test_json_shape_is_exact(eu_actors):
    data = json.loads(run(eu_actors, rounds=2).to_json())
    assert list(data) == ["initial", "rounds", "status"]
    assert list(data["initial"]) == ["median", "mean", "positions"]
    assert list(data["initial"]["positions"]) == [a.name for a in eu_actors]
    for rnd in data["rounds"]:
        assert list(rnd) == ["positions", "median", "mean", "offers"]
        for offer in rnd["offers"]:
            assert {"from", "to", "kind", "position"} <= set(offer)
            assert offer["kind"] in ("conflict", "compromise", "capitulation")
    assert data["status"] == "max_rounds"


def test_output_is_deterministic(eu_actors):
    opts = BdmOptions(offer_selection="largest_eu", q=0.5)
    texts = {run(eu_actors, rounds=10, options=opts).to_json() for _ in range(3)}
    assert len(texts) == 1
    assert format_rounds(run(eu_actors, 4)) == format_rounds(run(list(eu_actors), 4))


def test_format_rounds_tells_the_story(eu_actors):
    text = format_rounds(run(eu_actors, rounds=2))
    assert text.startswith("Start: median 7.000, weighted mean 7.390")
    assert "Round 1" in text and "Round 2" in text
    assert "France challenged Belgium: Belgium compromises with France, 7.000 -> 8.416" in text
    assert "Belgium challenged Luxembourg: Luxembourg loses a conflict to Belgium, 4.000 -> 7.000" in text
    assert "median 8.416, weighted mean 7.461" in text
    assert text.rstrip().endswith("stopped at the round limit after 2 rounds")


# ---------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------

def test_invalid_options_and_actors_are_refused():
    with pytest.raises(ValueError, match="success_normalisation"):
        BdmOptions(success_normalisation="sum")
    with pytest.raises(ValueError, match="offer_selection"):
        BdmOptions(offer_selection="best")
    with pytest.raises(ValueError, match="q"):
        BdmOptions(q=1.5)
    with pytest.raises(ValueError, match="unique"):
        run([Actor("A", 1, 0, 1), Actor("A", 1, 1, 1)])
    with pytest.raises(ValueError, match="two actors"):
        run([Actor("A", 1, 0, 1)])


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


GOOD_CSV = "actor,capability,position,salience\nA,1,0,0.5\nB,2,10,1\n"


def test_load_csv_and_yaml(tmp_path):
    expected = [Actor("A", 1.0, 0.0, 0.5), Actor("B", 2.0, 10.0, 1.0)]
    assert load_actor_table(write(tmp_path, "t.csv", GOOD_CSV)) == expected
    yml = "- {actor: A, capability: 1, position: 0, salience: 0.5}\n" \
          "- actor: B\n  capability: 2\n  position: 10\n  salience: 1\n"
    assert load_actor_table(write(tmp_path, "t.yaml", yml)) == expected
    # header case, spaces and extra columns are tolerated
    loose = " Actor , CAPABILITY,position,salience,note\nA,1,0,0.5,x\nB, 2 ,10,1,\n"
    assert load_actor_table(write(tmp_path, "l.csv", loose)) == expected


def check(exc: BargainInputError, path: Path, where: str | None, field: str | None, *words: str):
    msg = str(exc)
    assert isinstance(exc, ValueError)
    assert str(path) in msg
    if where:
        assert where in msg
    if field:
        assert f"field '{field}'" in msg
    assert "expected" in msg
    for w in words:
        assert w in msg


def test_missing_column(tmp_path):
    path = write(tmp_path, "m.csv", "actor,capability,position\nA,1,0\nB,1,1\n")
    with pytest.raises(BargainInputError) as err:
        load_actor_table(path)
    check(err.value, path, "line 1", "salience", "missing column")
    ypath = write(tmp_path, "m.yaml", "- {actor: A, capability: 1, position: 0}\n")
    with pytest.raises(BargainInputError) as err:
        load_actor_table(ypath)
    check(err.value, ypath, "entry 1", "salience", "missing")


def test_non_numeric_value(tmp_path):
    path = write(tmp_path, "n.csv", GOOD_CSV + "C,lots,3,0.5\n")
    with pytest.raises(BargainInputError) as err:
        load_actor_table(path)
    check(err.value, path, "line 4", "capability", "a number", "'lots'")
    ypath = write(tmp_path, "n.yaml", "- {actor: A, capability: 1, position: left, salience: 1}\n")
    with pytest.raises(BargainInputError) as err:
        load_actor_table(ypath)
    check(err.value, ypath, "entry 1", "position", "a number")


def test_missing_value(tmp_path):
    path = write(tmp_path, "e.csv", "actor,capability,position,salience\nA,1,0,0.5\nB,2,,1\n")
    with pytest.raises(BargainInputError) as err:
        load_actor_table(path)
    check(err.value, path, "line 3", "position", "missing value")


def test_negative_capability(tmp_path):
    path = write(tmp_path, "c.csv", GOOD_CSV + "C,-0.5,3,0.5\n")
    with pytest.raises(BargainInputError) as err:
        load_actor_table(path)
    check(err.value, path, "line 4", "capability", ">= 0", "-0.5")


@pytest.mark.parametrize("value,hint", [("80", "0.8"), ("-0.1", None), ("1.01", None)])
def test_salience_outside_unit_interval(tmp_path, value, hint):
    path = write(tmp_path, "s.csv", f"actor,capability,position,salience\nA,1,0,{value}\nB,1,1,1\n")
    with pytest.raises(BargainInputError) as err:
        load_actor_table(path)
    check(err.value, path, "line 2", "salience", "between 0 and 1")
    if hint:
        assert hint in str(err.value)


def test_fewer_than_two_actors(tmp_path):
    path = write(tmp_path, "one.csv", "actor,capability,position,salience\nA,1,0,0.5\n")
    with pytest.raises(BargainInputError) as err:
        load_actor_table(path)
    check(err.value, path, None, None, "at least two actors", "found 1")


def test_duplicate_actor_names(tmp_path):
    path = write(tmp_path, "d.csv", GOOD_CSV + "A,3,5,0.2\n")
    with pytest.raises(BargainInputError) as err:
        load_actor_table(path)
    check(err.value, path, "line 4", "actor", "duplicate", "line 2")


def test_malformed_and_unsafe_yaml(tmp_path):
    bad = write(tmp_path, "b.yaml", "- {actor: A, capability: 1\n")
    with pytest.raises(BargainInputError) as err:
        load_actor_table(bad)
    assert str(bad) in str(err.value) and "line" in str(err.value)
    # safe_load refuses Python object tags: nothing is executed or built
    evil = write(tmp_path, "x.yaml", "- !!python/object/apply:os.getcwd []\n")
    with pytest.raises(BargainInputError):
        load_actor_table(evil)
    notalist = write(tmp_path, "d.yaml", "actor: A\n")
    with pytest.raises(BargainInputError) as err:
        load_actor_table(notalist)
    assert "expected a list" in str(err.value)


def test_unknown_file_type_and_missing_file(tmp_path):
    with pytest.raises(BargainInputError, match="expected .csv, .yaml or .yml"):
        load_actor_table(write(tmp_path, "t.txt", GOOD_CSV))
    with pytest.raises(BargainInputError, match="cannot read file"):
        load_actor_table(tmp_path / "absent.csv")
