"""The rules: plain functions of (world, choices, random generator) that advance one month.

Turn order: upkeep of last month's state -> scheduled and triggered events -> decisions (all
actors on the same state) -> answers to last month's proposals -> diplomacy -> combat ->
economy -> influence. They are put in that order by sim.model.turn, which the mesa model,
the batch workers and the forecasts all call, so a game, a batch and a forecast cannot
disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from sim.model import decisions as dec
from sim.model import trades
from sim.model.catalogue import CATALOGUE
from sim.model.effects import _row_sums, _sum, apply_effects
from sim.model.influence import (
    BROKER_BONUS, GUARANTEE_BONUS, MEMBER_BONUS, Layout, Term, compile_terms, measure_rows,
)
from sim.model.issues import refresh_forecast
from sim.model.state import AgreementState, FrameworkState, PromiseState, Proposal, Static, World


@dataclass(frozen=True)
class Compiled:
    """Everything derived once per scenario that every turn needs."""

    lay: Layout
    terms: list[Term]
    G: np.ndarray
    slots: dec.SlotLayout
    measures: np.ndarray  # (K, M) each bargaining issue's status quo over the metric vector
    by_actor: tuple[dec.ActorTerms, ...]  # each actor's terms, for the breakdowns of the record
    g_rows: list[list[float]]  # G as Python lists, for the rules that read a few entries of it

    @staticmethod
    def of(w: World) -> "Compiled":
        s = w.s
        lay = Layout(s.A, s.Z, s.issues.K)
        terms, G = compile_terms(s, lay)
        return Compiled(lay, terms, G, dec.SlotLayout(s.A, s.Z, len(s.trades)), measure_rows(s, lay),
                        tuple(dec.ActorTerms(terms, a) for a in range(s.A)), G.tolist())


# --- events -------------------------------------------------------------------------------


def condition_holds(w: World, c) -> bool:
    """Whether condition c holds in world w (by the test compiled_condition makes, once per
    scenario and condition)."""
    return compiled_condition(w.s, c)(w)


def compiled_condition(s: Static, c):
    """A function of a world of scenario s telling whether condition c holds in it, with the
    scenario's names looked up once (a validated scenario names only what it has)."""
    return _compiled(s, c, s.derived(conditions_seen), _compile_condition)


def compiled_condition_many(s: Static, c):
    """compiled_condition for many worlds at once: a function of Stacked worlds of scenario s
    giving (W,) whether condition c holds in each, as compiled_condition tells world by world
    (tests/test_fast_paths.py)."""
    return _compiled(s, c, s.derived(conditions_seen_many), _compile_condition_many)


def _compiled(s: Static, c, seen: dict, compile):
    hit = seen.get(id(c))
    if hit is not None and hit[0] is c:
        return hit[1]
    fn = compile(s, c)
    if len(seen) > 4096:  # bounded: conditions made on the fly are not kept for ever
        seen.clear()
    seen[id(c)] = (c, fn)
    return fn


def conditions_seen(s: Static) -> dict:
    """The scenario's memo of compiled_condition: id(condition) -> (condition, test)."""
    return {}


def conditions_seen_many(s: Static) -> dict:
    """The scenario's memo of compiled_condition_many: id(condition) -> (condition, test)."""
    return {}


class Stacked:
    """Several worlds of one scenario, for testing conditions on all of them at once: the
    worlds' arrays, each stacked on first use."""

    def __init__(self, ws: list[World]):
        self.ws = ws

    @cached_property
    def turn(self) -> np.ndarray:  # (W,)
        return np.array([w.turn for w in self.ws])

    @cached_property
    def control(self) -> np.ndarray:  # (W, Z)
        return np.array([w.control for w in self.ws])

    @cached_property
    def ground(self) -> np.ndarray:  # (W, A, Z)
        return np.array([w.ground for w in self.ws])

    @cached_property
    def standing(self) -> np.ndarray:  # (W, A)
        return np.array([w.standing for w in self.ws])

    @cached_property
    def leverage(self) -> np.ndarray:  # (W, A)
        return np.array([w.leverage for w in self.ws])

    @cached_property
    def agreements(self) -> list[list[str]]:  # the ids of each world's agreements in force
        return [[ag.id for ag in w.active_agreements()] for w in self.ws]


def _compile_condition(s: Static, c):
    tests = []
    if c.turn_at_least is not None:
        t0 = c.turn_at_least
        tests.append(lambda w: w.turn >= t0)
    if c.controlled_by is not None:
        zc, ac = s.zone(c.controlled_by.zone), s.actor(c.controlled_by.actor)
        tests.append(lambda w: w.control.item(zc) == ac)
    if c.not_controlled_by is not None:
        zn, an = s.zone(c.not_controlled_by.zone), s.actor(c.not_controlled_by.actor)
        tests.append(lambda w: w.control.item(zn) != an)
    if c.trade_done is not None:
        done = f"trade:{c.trade_done}"
        tests.append(lambda w: done in w.fired)
    if c.trade_not_done is not None:
        not_done = f"trade:{c.trade_not_done}"
        tests.append(lambda w: not_done not in w.fired)
    for field, below in (("presence_below", True), ("presence_above", False)):
        v = getattr(c, field)
        if v is not None:
            a = s.actor(v.actor)
            zones = [s.zone(z) for z in v.zones] if v.zones else None
            norm, value = s.norm.item(a), v.value

            def presence(w: World, a=a, zones=zones, norm=norm, value=value, below=below) -> bool:
                row = w.ground[a].tolist()
                pres = _sum([row[z] for z in zones] if zones is not None else row) / norm
                return not ((pres >= value) if below else (pres <= value))
            tests.append(presence)
    for field, below, attr in (("standing_below", True, "standing"), ("standing_above", False, "standing"),
                               ("leverage_below", True, "leverage"), ("leverage_above", False, "leverage")):
        v = getattr(c, field)
        if v is not None:
            a, value = s.actor(v.actor), v.value

            def level(w: World, a=a, value=value, below=below, attr=attr) -> bool:
                x = getattr(w, attr)[a]
                return not ((x >= value) if below else (x <= value))
            tests.append(level)
    if c.agreement_in_force is not None or c.agreement_not_in_force is not None:
        in_force, not_in_force = c.agreement_in_force, c.agreement_not_in_force
        tests.append(lambda w: _agreements_hold([ag.id for ag in w.active_agreements()], in_force, not_in_force))
    if not tests:
        return lambda w: True
    if len(tests) == 1:
        return tests[0]
    tests = tuple(tests)
    return lambda w: all(t(w) for t in tests)


def _agreements_hold(active: list[str], in_force: str | None, not_in_force: str | None) -> bool:
    """The agreement clauses, given the ids of the agreements in force."""
    if in_force is not None and in_force not in active:
        return False
    return not (not_in_force is not None and not_in_force in active)


def _compile_condition_many(s: Static, c):
    """_compile_condition on Stacked worlds: the same clauses, each on all worlds at once
    (those on the records, world by world)."""
    tests = []
    if c.turn_at_least is not None:
        t0 = c.turn_at_least
        tests.append(lambda st: st.turn >= t0)
    if c.controlled_by is not None:
        zc, ac = s.zone(c.controlled_by.zone), s.actor(c.controlled_by.actor)
        tests.append(lambda st: st.control[:, zc] == ac)
    if c.not_controlled_by is not None:
        zn, an = s.zone(c.not_controlled_by.zone), s.actor(c.not_controlled_by.actor)
        tests.append(lambda st: st.control[:, zn] != an)
    for field, below in (("presence_below", True), ("presence_above", False)):
        v = getattr(c, field)
        if v is not None:
            a = s.actor(v.actor)
            zones = [s.zone(z) for z in v.zones] if v.zones else None
            norm, value = s.norm.item(a), v.value

            def presence(st: Stacked, a=a, zones=zones, norm=norm, value=value, below=below) -> np.ndarray:
                # rows contiguous (take, not fancy indexing, which lays the zones out first), so
                # each is summed as numpy sums one world's row (what _sum reproduces)
                row = st.ground[:, a]
                pres = (row if zones is None else np.take(row, zones, axis=1)).sum(1) / norm
                return ~((pres >= value) if below else (pres <= value))
            tests.append(presence)
    for field, below, attr in (("standing_below", True, "standing"), ("standing_above", False, "standing"),
                               ("leverage_below", True, "leverage"), ("leverage_above", False, "leverage")):
        v = getattr(c, field)
        if v is not None:
            a, value = s.actor(v.actor), v.value

            def level(st: Stacked, a=a, value=value, below=below, attr=attr) -> np.ndarray:
                x = getattr(st, attr)[:, a]
                return ~((x >= value) if below else (x <= value))
            tests.append(level)
    if c.trade_done is not None:
        done = f"trade:{c.trade_done}"
        tests.append(lambda st: np.array([done in w.fired for w in st.ws], bool))
    if c.trade_not_done is not None:
        not_done = f"trade:{c.trade_not_done}"
        tests.append(lambda st: np.array([not_done not in w.fired for w in st.ws], bool))
    if c.agreement_in_force is not None or c.agreement_not_in_force is not None:
        in_force, not_in_force = c.agreement_in_force, c.agreement_not_in_force
        tests.append(lambda st: np.array([_agreements_hold(ids, in_force, not_in_force)
                                          for ids in st.agreements], bool))
    if not tests:
        return lambda st: np.ones(len(st.ws), bool)
    if len(tests) == 1:
        return tests[0]
    tests = tuple(tests)

    def every(st: Stacked) -> np.ndarray:
        out = tests[0](st)
        for t in tests[1:]:
            out &= t(st)
        return out
    return every


def fire_events(w: World, out: list | None) -> None:
    s = w.s
    month = w.date
    now = (month.year, month.month)
    for ev in s.events:
        if ev.once and ev.id in w.fired:
            continue
        if ev.date is not None:
            # a dated event fires in the first month played from its date (the start month is
            # the opening state, so its events land in the first turn)
            when = (ev.date.year, ev.date.month)
            due = when == now or (ev.once and when < now)
            if ev.when is not None:
                due = due and condition_holds(w, ev.when)
        else:
            due = condition_holds(w, ev.when)
        if not due:
            continue
        log: list[str] | None = [] if out is not None else None
        apply_effects(w, ev.effects, log)
        w.fired = w.fired | {ev.id}
        if out is not None:
            out.append({"id": ev.id, "text": ev.text, "source": ev.source, "effects": log})


# --- the turn -----------------------------------------------------------------------------


def _upkeep_start(w: World) -> None:
    p = w.s.params
    w.spent.fill(0.0)
    w.lost.fill(0.0)
    w.support *= p["support_decay"]
    w.grievance *= 0.5
    # agreements past their end are dropped from the state (they are in the record)
    turn = w.turn
    w.agreements = tuple([a for a in w.agreements if a.active(turn)])


# --- answers to proposals -----------------------------------------------------------------


def _answer_proposals(w: World, c: Compiled, cx: dec.Context, rng, answers, outcomes) -> list:
    """Each addressee of last month's proposals accepts or rejects; agreements form."""
    s = w.s
    lay = c.lay
    reject = s.params["reject_standing"]
    recs = []
    still_pending = []
    counters: list[Proposal] = []
    for pr in w.proposals:
        if pr.turn >= w.turn:
            still_pending.append(pr)
            continue
        if pr.kind == "trade":
            _answer_trade(w, c, pr, rng, answers, outcomes, recs, counters)
            continue
        verdicts = []
        for r, (acc_idx, acc_val) in zip(pr.addressees, _acceptance_effects(w, c, cx, pr)):
            # G[r, idx] @ val: numpy adds a few products in order
            g = c.g_rows[r]
            u_acc = 0.0
            for i, v in zip(acc_idx, acc_val):
                u_acc += g[i] * v
            u_rej = 0.0 + g[lay.STAND(r)] * -reject
            t = s.temperature.item(r)
            shock0, shock1 = rng.gumbel(size=2).tolist()
            human = answers.get((pr.id, r)) if answers else None
            ok = human if human is not None else bool(u_acc + t * shock0 > u_rej + t * shock1)
            verdicts.append(ok)
            if not ok:
                w.reputation[r] = max(0.0, w.reputation.item(r) - reject)
            if outcomes is not None:
                recs.append({
                    "proposal": pr.id, "kind": pr.kind, "actor": s.actor_ids[r],
                    "proposer": s.actor_ids[pr.proposer], "answer": "accept" if ok else "reject",
                    "human": human is not None,
                    "utility_accept": round(u_acc, 5), "utility_reject": round(u_rej, 5),
                    "breakdown": _terms_json(c, r, acc_idx, acc_val),
                })
        _conclude(w, c, pr, verdicts, outcomes)
    w.proposals = tuple(still_pending) + tuple(counters)
    return recs


def _acceptance_effects(w: World, c: Compiled, cx: dec.Context, pr: Proposal) -> list[tuple[list, list]]:
    """Each addressee's (metric indices, values) of what accepting the proposal does to it."""
    lay = c.lay
    s = w.s
    if pr.kind in ("ceasefire", "de_escalation"):
        z = pr.zone
        side = cx.threat_side.item(z)
        idx, val = [], []
        if side >= 0:  # the zone's risk is frozen for as long as it holds
            thr = cx.threat.item(z)
            horizon = s.params["horizon"]
            idx = [lay.X(z, w.control.item(z)), lay.X(z, side)]
            val = [horizon * thr, -horizon * thr]
        return [([lay.STAND(r)] + idx, [GUARANTEE_BONUS if r in pr.guarantors else MEMBER_BONUS] + val)
                for r in pr.addressees]
    excluded = dec._lists(s).excluded
    others = max(len(excluded) - sum(excluded) - 1, 1)
    return [([lay.STAND(r)], [MEMBER_BONUS + BROKER_BONUS / others]) for r in pr.addressees]


# --- trades -------------------------------------------------------------------------------


def _answer_trade(w: World, c: Compiled, pr: Proposal, rng, answers, outcomes, recs: list,
                  counters: list) -> None:
    """The addressee of a trade offer accepts it, counters it (once) or refuses it, on its
    valuation against no deal (sim.model.trades)."""
    s = w.s
    names = s.names
    t = s.trades[pr.trade]
    v = trades.value(w, c.lay, c.G, pr.trade)
    r = pr.addressees[0]
    first = not pr.counter_of  # the template's recipient answers an offer; its proposer a counter
    mine = v.ur if first else v.up
    theirs = v.up if first else v.ur
    u = mine(pr.terms)
    shock = s.temperature[r] * rng.gumbel(size=2)
    human = answers.get((pr.id, r)) if answers else None
    counter: float | None = None
    if human is not None:
        ok = human is True
        if not isinstance(human, bool):  # a human's counter-offer: the terms they ask for
            counter = float(np.clip(human, 0.0, 1.0))
    else:
        ok = bool(u + shock[0] > shock[1])
        if not ok and first and v.zone is not None and v.ur(v.offer_r) > 0 and v.up(v.offer_r) >= 0:
            counter = v.offer_r
    if not first:
        counter = None  # one counter-offer, then it is taken or left
    answer = "accept" if ok else "counter" if counter is not None else "refuse"
    reason = _trade_reason(w, v, pr, r, answer, u, counter, first)
    if outcomes is not None:
        recs.append({
            "proposal": pr.id, "kind": "trade", "trade": t.id, "actor": s.actor_ids[r],
            "proposer": s.actor_ids[pr.proposer], "answer": answer, "human": human is not None,
            "terms": round(pr.terms, 4), "counter_terms": None if counter is None else round(counter, 4),
            "utility_accept": round(u, 5), "utility_reject": 0.0,
            "utility_proposer": round(theirs(pr.terms), 5),
            "valuation": v.to_json(s.actor_ids), "reason": reason,
            "breakdown": _terms_json(c, r, *_dense(trades.delta(
                w, c.lay, pr.trade, pr.terms, trades.kept_as_seen_by(w, pr.trade, v.keep, r), trades.baseline(w, c.lay)))),
        })
    if ok:
        _conclude_trade(w, c, pr, v, outcomes)
    elif counter is not None:
        counters.append(Proposal(f"{pr.id}-counter", "trade", r, (pr.proposer,), trade=pr.trade,
                                 turn=w.turn, terms=counter, counter_of=pr.id))
        _note(outcomes, "counter", f"{names[r]} counters {names[pr.proposer]}'s offer '{t.name}' "
                                   f"(terms {pr.terms:.2f} -> {counter:.2f})", trade=t.id, reason=reason)
    else:
        w.trade_open[pr.trade] = w.turn + int(s.params["trade_cooldown"])
        _note(outcomes, "refused", f"'{t.name}' proposed by {names[pr.proposer]} refused by {names[r]}",
              proposal=pr.id, trade=t.id, refused_by=[s.actor_ids[r]], reason=reason)


def _dense(dM: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    nz = np.flatnonzero(np.abs(dM) > 1e-12)
    return nz, dM[nz]


def _trade_reason(w: World, v: trades.Valuation, pr: Proposal, r: int, answer: str, u: float,
                  counter: float | None, first: bool) -> str:
    s = w.s
    n = s.names
    other = pr.proposer
    t = s.trades[pr.trade]
    giver = n[v.proposer]
    terms = f"terms {pr.terms:.2f} (the share of {giver}'s concessions on the table)"
    if answer == "accept":
        return f"{n[r]} accepts: on {terms} the deal is worth {u:+.4f} to it, more than no deal (0)."
    if v.zone is None:
        best = max((0.0, 1.0), key=(v.ur if first else v.up))
        return (f"{n[r]} refuses: no terms suit both sides. On {terms} the deal is worth {u:+.4f} to it; "
                f"even on the terms best for it ({best:.2f}) {n[other]} would be worse off than with no deal.")
    lo, hi = v.zone
    d_self = v.delta_r if r == v.to else v.delta_p
    d_other = v.delta_p if r == v.to else v.delta_r
    mood = "less patient" if d_self < d_other else "more patient" if d_self > d_other else "as patient"
    if answer == "counter":
        return (f"{n[r]} counters: on {terms} the deal is worth {u:+.4f} to it, less than no deal; terms "
                f"from {lo:.2f} to {hi:.2f} suit both sides, and as the {mood} side (discount {d_self:.3f} "
                f"against {d_other:.3f}) it asks for {counter:.2f} (Rubinstein).")
    why = " (a close call: choices carry a random taste shock)" if u > 0 else ""
    return (f"{n[r]} refuses: on {terms} the deal is worth {u:+.4f} to it{why}; terms from {lo:.2f} to "
            f"{hi:.2f} would suit both, but '{t.name}' is off the table for now.")


def _conclude_trade(w: World, c: Compiled, pr: Proposal, v: trades.Valuation, outcomes) -> None:
    s = w.s
    p = s.params
    t = s.trades[pr.trade]
    P, R = v.proposer, v.to
    expected = trades.delta(w, c.lay, pr.trade, pr.terms, list(v.keep), trades.baseline(w, c.lay))
    apply_effects(w, t.asks, None)
    apply_effects(w, t.gives, None, scale=pr.terms)
    w.fired = w.fired | {f"trade:{t.id}"}
    w.trust[P, R] = min(1.0, w.trust[P, R] + 0.1)
    w.trust[R, P] = min(1.0, w.trust[R, P] + 0.1)
    owner = {t.proposer: P, t.to: R}
    w.promises = w.promises + tuple(
        PromiseState(f"{t.id}:{prm.id}", pr.trade, owner[prm.actor], R if owner[prm.actor] == P else P,
                     w.turn + prm.within, prm) for prm in t.promises)
    # third parties weigh what the deal does to them, and their trust in the dealers follows
    responses = []
    for x in range(s.A):
        if x in (P, R) or s.excluded[x]:
            continue
        du = float(c.G[x] @ expected)
        if abs(du) < 0.002:
            continue
        hurt = du < 0
        change = -p["third_party_trust"] if hurt else p["third_party_trust"] / 3
        for y in (P, R):
            w.trust[x, y] = float(np.clip(w.trust[x, y] + change, -1, 1))
        responses.append({"actor": s.actor_ids[x], "utility": round(du, 5),
                          "text": f"{s.names[x]} {'loses' if hurt else 'gains'} by the deal ({du:+.4f}): "
                                  f"its trust in {s.names[P]} and {s.names[R]} {'falls' if hurt else 'rises'}"})
    refresh_forecast(w, s.issues)
    if outcomes is not None:
        outcomes.append({"type": "trade", "trade": t.id, "terms": round(pr.terms, 4),
                         "text": f"trade agreed: {t.name} ({s.names[P]} and {s.names[R]}, terms {pr.terms:.2f})",
                         "third_parties": responses,
                         "promises": [f"{s.names[owner[x.actor]]}: {x.text} within {x.within} months"
                                      for x in t.promises]})
        for resp in responses:
            outcomes.append({"type": "third_party", "text": resp["text"], "actor": resp["actor"]})


def _keep_promises(w: World, c: Compiled, humans: frozenset, outcomes) -> None:
    """Promises are checked on the ground: kept, broken at the deadline, or worked on (the
    promiser presses a third party to pull back, or pulls its own forces back)."""
    s = w.s
    p = s.params
    still = []
    for ps in w.promises:
        spec = ps.spec
        a, partner = ps.actor, ps.partner
        if condition_holds(w, spec.holds):
            w.trust[partner, a] = min(1.0, w.trust[partner, a] + 0.1)
            w.fired = w.fired | {f"promise:{ps.id}:kept"}
            _note(outcomes, "promise_kept", f"{s.names[a]} keeps its promise: {spec.text}", promise=ps.id)
            continue
        if w.turn >= ps.deadline:
            w.reputation[a] = max(0.0, w.reputation[a] - p["promise_standing"])
            w.trust[partner, a] = max(-1.0, w.trust[partner, a] - p["promise_trust"])
            apply_effects(w, spec.on_break, None)
            if spec.issue is not None:
                w.committed[a, s.issues.ids.index(spec.issue)] = np.nan
            w.fired = w.fired | {f"promise:{ps.id}:broken"}
            _note(outcomes, "promise_broken", f"{s.names[a]} breaks its promise: {spec.text}; it loses standing "
                                              f"and {s.names[partner]}'s trust", promise=ps.id)
            continue
        still.append(ps)
        pb = trades.pullback_share(w, spec)
        if pb is None or pb[2] <= 0:
            continue
        subj, zones, _ = pb
        if subj in humans:
            continue  # a human decides for themself whether to pull back
        rate = 1.0 if subj == a else trades.compliance(w, subj, a, spec.issue)
        there = w.ground[subj, zones]
        need = there.sum() - spec.holds.presence_below.value * s.norm[subj]
        n = min(p["redeploy"] * rate, max(need, 0.0))
        if n <= 0 or there.sum() <= 0:
            continue
        moved = there * (n / there.sum())
        w.ground[subj, zones] -= moved
        w.reserve[subj] += n
        if subj == a:
            _note(outcomes, "promise_work", f"{s.names[a]} pulls {n:.2f} units back to keep its promise")
        else:
            _note(outcomes, "promise_work", f"{s.names[a]} presses {s.names[subj]} to pull back "
                                            f"({s.names[subj]} goes along {rate:.0%}: {n:.2f} units)")
    w.promises = tuple(still)


def _conclude(w: World, c: Compiled, pr: Proposal, verdicts: list[bool], outcomes) -> None:
    s = w.s
    p = s.params
    name = s.actor_ids
    if pr.kind == "talks":
        members = tuple(r for r, ok in zip(pr.addressees, verdicts) if ok)
        if members:
            fw = FrameworkState(pr.framework, f"talks convened by {s.names[pr.proposer]}",
                                pr.proposer, members, w.turn, "model")
            w.frameworks = tuple(f for f in w.frameworks if f.id != fw.id) + (fw,)
        if outcomes is not None:
            joined = ", ".join(name[m] for m in members) or "nobody"
            outcomes.append({"type": "talks", "text": f"{s.names[pr.proposer]}'s talks: joined by {joined}",
                             "convener": name[pr.proposer], "members": [name[m] for m in members]})
        return
    if not all(verdicts):
        if outcomes is not None:
            refused = [name[r] for r, ok in zip(pr.addressees, verdicts) if not ok]
            outcomes.append({"type": "refused", "proposal": pr.id, "kind": pr.kind,
                             "text": f"{pr.kind.replace('_', ' ')} proposed by {s.names[pr.proposer]} "
                                     f"refused by {', '.join(refused)}", "refused_by": refused})
        return
    z = pr.zone
    everyone = set(pr.addressees) | {pr.proposer}
    guarantors = tuple(sorted(pr.guarantors))
    parties = tuple(sorted(everyone - set(guarantors)))
    ag = AgreementState(pr.id, pr.kind, (z,), parties, guarantors, w.turn,
                        w.turn + int(p["agreement_duration"]), "model")
    w.agreements = w.agreements + (ag,)
    for g in guarantors:  # guarantors put observers on the ground
        obs = min(0.5, w.reserve[g])
        w.reserve[g] -= obs
        w.ground[g, z] += obs
    if outcomes is not None:
        g = f", guaranteed by {', '.join(s.names[x] for x in guarantors)}" if guarantors else ""
        outcomes.append({"type": "agreement", "id": ag.id, "kind": ag.kind, "zone": s.zone_ids[z],
                         "text": f"{ag.kind.replace('_', '-')} agreed in {s.zone_names[z]}{g}"})


# --- diplomacy ----------------------------------------------------------------------------


def _diplomacy(w: World, c: Compiled, cx: dec.Context, sc: dec.Scored, chosen: np.ndarray, outcomes) -> None:
    s = w.s
    p = s.params
    decode = c.slots.decode
    new: list[Proposal] = []
    for a, slot in enumerate(chosen[:, 1].tolist()):
        action, target = decode(slot)
        if action == "wait":
            continue
        _pay(w, a, CATALOGUE[action].cost)
        if action in ("propose_ceasefire", "propose_deescalation"):
            parties = dec._ceasefire_parties(w, cx, target)
            kind = "ceasefire" if action == "propose_ceasefire" else "de_escalation"
            guarantors = dec.proposal_guarantors(w, a, kind, parties)
            addressees = tuple(sorted([x for x in (*parties, *guarantors) if x != a]))  # the two never share anyone
            if addressees:
                new.append(Proposal(f"{kind}-{w.turn}-{s.actor_ids[a]}-{s.zone_ids[target]}", kind, a,
                                    addressees, zone=target, guarantors=guarantors, turn=w.turn))
        elif action == "guarantee":
            i = cx.zag.item(target)
            ag = w.agreements[i]
            w.agreements = w.agreements[:i] + (replace(ag, guarantors=ag.guarantors + (a,)),) + w.agreements[i + 1:]
            obs = min(0.5, w.reserve.item(a))
            w.reserve[a] -= obs
            w.ground[a, target] += obs
            _note(outcomes, "guarantee", f"{s.names[a]} becomes a guarantor in {s.zone_names[target]}")
        elif action == "convene_talks":
            fw = next((f for f in w.active_frameworks() if f.convener == a), None)
            if fw is not None:
                w.frameworks = tuple([FrameworkState(f.id, f.name, f.convener, f.members, w.turn, f.source)
                                      if f.id == fw.id else f for f in w.frameworks])  # its round held now
                if outcomes is not None:
                    _note(outcomes, "talks", f"{s.names[a]} holds a round of {fw.name}")
            else:
                invitees = tuple(dec._talks_invitees(w, a))
                new.append(Proposal(f"talks-{w.turn}-{s.actor_ids[a]}", "talks", a, invitees,
                                    framework=f"talks_{s.actor_ids[a]}", turn=w.turn))
        elif action == "pressure_client":
            w.pressed_until[target] = w.turn + int(p["pressure_duration"]) - 1
            w.pressed_by[target] = a
            w.trust[target, a] = max(-1.0, w.trust[target, a] - 0.05)
            if outcomes is not None:
                _note(outcomes, "pressure", f"{s.names[a]} presses {s.names[target]} to respect the agreements")
        elif action == "sanctions":
            w.sanctions[target] = min(1.0, w.sanctions[target] + p["sanctions_step"])
            w.trust[target, a] = max(-1.0, w.trust[target, a] - 0.05)
        elif action == "aid":
            amount = min(p["aid_amount"], w.treasury[a])
            _pay(w, a, amount)
            w.treasury[target] += amount
            z = dec._most_threatened_of(w, cx, target)
            if z >= 0:
                w.ground[target, z] += p["aid_arms"]
            else:
                w.reserve[target] += p["aid_arms"]
            w.support[a, target] += amount
            w.trust[target, a] = min(1.0, w.trust[target, a] + 0.05)
        elif action == "offer_trade":
            t = s.trades[target]
            v = sc.trade_values.get(target)
            new.append(Proposal(f"trade-{w.turn}-{t.id}", "trade", a, (s.actor(t.to),), trade=target, turn=w.turn,
                                terms=v.offer_p if v is not None else 1.0))
        if outcomes is not None and action in ("propose_ceasefire", "propose_deescalation", "offer_trade", "convene_talks"):
            if new and new[-1].proposer == a and new[-1].turn == w.turn:
                pr = new[-1]
                _note(outcomes, "proposal", f"{s.names[a]} puts a {pr.kind.replace('_', ' ')} proposal to "
                                            f"{', '.join(s.names[x] for x in pr.addressees)}")
    w.proposals = w.proposals + tuple(new)


def _pay(w: World, a: int, amount: float) -> None:
    w.treasury[a] -= amount
    w.spent[a] += amount


def _note(outcomes, kind: str, text: str, **extra) -> None:
    if outcomes is not None:
        outcomes.append({"type": kind, "text": text, **extra})


# --- combat -------------------------------------------------------------------------------


def _combat(w: World, c: Compiled, cx: dec.Context, chosen: np.ndarray, rng, outcomes) -> None:
    s = w.s
    p = s.params
    decode = c.slots.decode
    fights_for = dec._lists(s).fights_for
    air_on: dict[tuple[int, int], float] = {}  # (zone, side) -> air committed
    attacks: dict[tuple[int, int], list[int]] = {}  # (zone, side) -> attackers
    for a, slot in enumerate(chosen[:, 0].tolist()):
        action, z = decode(slot)
        if action == "hold":
            continue
        _pay(w, a, CATALOGUE[action].cost)
        if action == "reinforce":
            n = min(p["redeploy"], w.reserve.item(a))
            w.reserve[a] -= n
            w.ground[a, z] += n
        elif action == "withdraw":
            n = min(p["redeploy"], w.ground.item(a, z))
            w.ground[a, z] -= n
            w.reserve[a] += n
        elif action == "air_campaign":
            side = fights_for[a]
            air = w.air.item(a)
            air_on[(z, side)] = air_on.get((z, side), 0.0) + air
            _check_violation(w, cx, a, z, outcomes)
            # air strikes wear the defenders down whether or not anyone attacks on the ground
            wear = min(p["air_attrition"] * air, 0.5)
            for x in cx.friends_of[w.control.item(z)]:
                loss = w.ground.item(x, z) * wear
                w.ground[x, z] -= loss
                w.lost[x] += loss
                w.casualties[x] += loss
            if outcomes is not None:
                _note(outcomes, "air", f"{s.names[a]} strikes {s.zone_names[z]}", actor=s.actor_ids[a],
                      zone=s.zone_ids[z])
        elif action == "ground_offensive":
            attacks.setdefault((z, fights_for[a]), []).append(a)
            _check_violation(w, cx, a, z, outcomes)
    order = list(attacks)
    if len(order) > 1:
        order = [order[i] for i in rng.permutation(len(order)).tolist()]
    for (z, side) in order:
        _offensive(w, cx, z, side, attacks[(z, side)], air_on.get((z, side), 0.0), rng, outcomes)


def _check_violation(w: World, cx: dec.Context, a: int, z: int, outcomes) -> None:
    i = cx.zag.item(z)
    if i < 0:
        return
    s = w.s
    ag = w.agreements[i]
    bound = set(ag.parties) | set(ag.guarantors)
    if a not in bound and s.fights_for.item(a) not in bound:
        return
    p = s.params
    w.violations[a] += 1
    w.reputation[a] = max(0.0, w.reputation.item(a) - p["violation_standing"])
    trust = w.trust
    for x in bound:
        if x != a:
            t = trust.item(x, a) - p["violation_trust"]
            trust[x, a] = -1.0 if t <= -1.0 else t  # as np.maximum(-1.0, t)
    for g in ag.guarantors:
        if g != a:
            w.reputation[g] = max(0.0, w.reputation.item(g) - p["guarantor_embarrassment"])
            w.grievance[a, g] += 1
    if outcomes is not None:
        _note(outcomes, "violation", f"{s.names[a]} violates the {ag.kind.replace('_', '-')} in {s.zone_names[z]}",
              actor=s.actor_ids[a], zone=s.zone_ids[z], agreement=ag.id)


def _offensive(w: World, cx: dec.Context, z: int, side: int, attackers: list[int], air: float,
               rng, outcomes) -> None:
    s = w.s
    p = s.params
    holder = w.control.item(z)
    if not s.hostile.item(side, holder) or s.fights_for.item(holder) == side:
        return  # the zone changed hands to a friend earlier this month
    # on Python floats, summed in numpy's order (effects._sum, _row_sums): bitwise the array formulas
    ground = w.ground
    near = dec._lists(s).neighbours[z]
    rows = [ground[x].tolist() for x in attackers]
    own = [row[z] for row in rows]
    adj = [[row[y] * 0.5 for y in near] for row in rows]  # half of the forces next door join
    # the joining forces in the order numpy sums ground[attackers][:, near]: neighbour by neighbour
    joined = adj[0] if len(adj) == 1 else [row[k] for k in range(len(near)) for row in adj]
    strength = _sum(own) + _sum(joined) + p["air_weight"] * air
    dfn = dec.defence_of(w, cx.friend[:, holder], z)
    i = cx.zag.item(z)  # the agreement over the zone, -1 if none
    if i >= 0:
        turn, pressed = w.turn, w.pressed_until
        restrained = [x for x in attackers if pressed.item(x) >= turn]
        if restrained:
            strength *= 1 - p["pressure_restraint"] * len(restrained) / len(attackers)
        ag = w.agreements[i]
        bound = set(ag.parties) | set(ag.guarantors)
        if side in bound or bound.intersection(attackers):
            # guarantors who are neither attacking nor already among the defenders
            defenders = cx.friends_of[holder]
            shield = [g for g in ag.guarantors if g not in attackers and s.fights_for.item(g) != side
                      and g not in defenders]
            dfn += p["guarantor_shield"] * _sum([ground.item(g, z) for g in shield])
    chance = _chance(strength, dfn, p["decisiveness"])
    won = rng.random() < chance
    loss_rate = p["attack_loss"] + (0 if won else p["fail_extra_loss"])
    # proportionally from the attackers' own forces and the neighbouring forces that joined
    adj_loss = [[g * loss_rate for g in row] for row in adj]
    for x, g, row, row_lost in zip(attackers, own, adj_loss, _row_sums(adj_loss)):
        own_loss = g * loss_rate
        ground[x, z] -= own_loss
        for y, loss in zip(near, row):
            ground[x, y] -= loss
        lost = own_loss + row_lost
        w.lost[x] += lost
        w.casualties[x] += lost
    if won:
        for x in cx.friends_of[holder]:
            dl = ground[x, z] * p["win_loss"]
            w.lost[x] += dl
            w.casualties[x] += dl
            # survivors fall back into reserve
            w.reserve[x] += ground[x, z] - dl
            ground[x, z] = 0.0
        # the attackers' joining forces move in
        moved = [[row[y] * 0.5 for y in near] for row in (ground[x].tolist() for x in attackers)]
        for x, row, total in zip(attackers, moved, _row_sums(moved)):
            for y, g in zip(near, row):
                ground[x, y] -= g
            ground[x, z] += total
        w.control[z] = side
        # a zone taken by force leaves any agreement over it: the agreement failed there
        if any([z in ag.zones for ag in w.agreements]):
            w.agreements = tuple([_drop_zone(ag, z, w.turn) for ag in w.agreements])
    np.maximum(ground, 0.0, out=ground)
    if outcomes is not None:
        verb = "takes" if won else "fails to take"
        who = " and ".join(s.names[x] for x in attackers)
        outcomes.append({"type": "offensive", "zone": s.zone_ids[z], "attackers": [s.actor_ids[x] for x in attackers],
                         "side": s.actor_ids[side], "holder": s.actor_ids[holder], "chance": round(chance, 3),
                         "won": bool(won),
                         "text": f"{who} {verb} {s.zone_names[z]} from {s.names[holder]} (chance {chance:.0%})"})


def _chance(att: float, dfn: float, m: float) -> float:
    """float(dec.csf(att, dfn, m)) for one contest: numpy's power (which differs from libm's
    in the last bit) for both sides in one call, the rest in Python floats (the floors as
    np.maximum has them: nan passes, -0.0 becomes 0.0)."""
    lo_att, lo_dfn = dec.CSF_FLOORS
    a, d = np.power(np.array([lo_att if att <= lo_att else att, lo_dfn if dfn <= lo_dfn else dfn]), m).tolist()
    return a / (a + d)


def _drop_zone(ag: AgreementState, z: int, turn: int) -> AgreementState:
    if z not in ag.zones or not ag.active(turn):
        return ag
    rest = tuple(x for x in ag.zones if x != z)
    return replace(ag, zones=rest) if rest else replace(ag, end_turn=turn)


# --- economy ------------------------------------------------------------------------------


def _economy(w: World, outcomes) -> None:
    s = w.s
    p = s.params
    upkeep = p["ground_upkeep"] * w.ground.sum(1) + p["air_upkeep"] * w.air
    w.treasury += w.income * (1 - p["sanctions_bite"] * w.sanctions) - upkeep
    # those who hold people can raise fighters
    w.reserve += p["recruitment"] * np.bincount(w.control, weights=s.pop, minlength=s.A)
    w.spent += upkeep
    broke = [a for a, money in enumerate(w.treasury.tolist()) if money < 0]
    for a in broke:
        # an actor that cannot pay brings a fifth of its deployed forces home
        back = w.ground[a] * 0.2
        w.ground[a] -= back
        w.reserve[a] += back.sum()
        w.treasury[a] = 0.0
        _note(outcomes, "overstretch", f"{s.names[a]} cannot pay for its deployment and pulls a fifth of it back")


# --- records ------------------------------------------------------------------------------


def _terms_json(c: Compiled, actor: int, idx: np.ndarray, val: np.ndarray) -> list[dict]:
    return [{"term": t.name, "kind": t.kind, "weight": t.weight, "source": t.source,
             "note": t.note, "value": round(v, 6)}
            for t, v in c.by_actor[actor].breakdown(np.asarray(idx), np.asarray(val), c.lay)]


def _label(w: World, c: Compiled, action: str, target: int) -> tuple[str, str | None]:
    s = w.s
    spec = CATALOGUE[action]
    if spec.target == "zone":
        return spec.label.format(zone=s.zone_names[target]), s.zone_ids[target]
    if spec.target == "actor":
        return spec.label.format(actor=s.names[target]), s.actor_ids[target]
    if spec.target == "trade":
        return spec.label.format(trade=s.trades[target].name), s.trades[target].id
    return spec.label, None


def _decision_records(w: World, c: Compiled, sc: dec.Scored, chosen: np.ndarray) -> list[dict]:
    s = w.s
    slots = c.slots
    out = []
    for a in range(s.A):
        for track, (lo, hi) in enumerate(((0, slots.n_military), (slots.n_military, slots.width))):
            slot = int(chosen[a, track])
            u = sc.utility[a, lo:hi]
            legal = np.flatnonzero(np.isfinite(u)) + lo
            best = legal[np.argsort(-sc.utility[a, legal], kind="stable")][:4]
            action, target = slots.decode(slot)
            text, tid = _label(w, c, action, target)
            alts = []
            for k in best:
                if k == slot:
                    continue
                act2, tgt2 = slots.decode(int(k))
                text2, tid2 = _label(w, c, act2, tgt2)
                alts.append({"action": act2, "target": tid2, "text": text2,
                             "utility": round(float(sc.utility[a, k]), 6),
                             "breakdown": _terms_json(c, a, sc.idx[a, k], sc.val[a, k])})
            out.append({
                "actor": s.actor_ids[a], "track": ("military", "diplomatic")[track],
                "action": action, "target": tid, "text": f"{s.names[a]} {text}",
                "utility": round(float(sc.utility[a, slot]), 6), "candidates": int(len(legal)),
                "breakdown": _terms_json(c, a, sc.idx[a, slot], sc.val[a, slot]),
                "alternatives": alts[:3],
            })
    return out


def zone_status(w: World) -> dict:
    """Each zone's holder and status: under an agreement (with its guarantors), contested
    (hostile forces in it or next to it), or quiet."""
    s = w.s
    ids = s.actor_ids
    covering = w.zone_agreement().tolist()
    near = w.ground + w.ground @ s.adjacent  # (A, Z) forces in or next to each zone
    contested = ((near > 0.2) & s.hostile[:, w.control]).any(0).tolist()
    out = {}
    for z, holder in enumerate(w.control.tolist()):
        i = covering[z]
        if i >= 0:
            ag = w.agreements[i]
            status, guarantors = ag.kind, [ids[g] for g in ag.guarantors]
        else:
            status, guarantors = ("contested" if contested[z] else "quiet"), []
        out[s.zone_ids[z]] = {"controller": ids[holder], "status": status, "guarantors": guarantors}
    return out


def snapshot_figures(w: World) -> dict:
    """The figures recorded every turn: control, influence, agreements in force."""
    s = w.s
    ids = s.actor_ids

    def per_actor(x: np.ndarray) -> dict:  # Python floats round as the numpy ones
        return {a: round(v, 4) for a, v in zip(ids, x.tolist())}

    zi = w.zone_influence.T.tolist()
    return {
        "control": {s.zone_ids[z]: ids[h] for z, h in enumerate(w.control.tolist())},
        "zones": zone_status(w),
        "influence": {
            "leverage": per_actor(w.leverage),
            "standing": per_actor(w.standing),
            "territory": per_actor(w.territory),
            "presence": per_actor(w.ground.sum(1) / s.norm),
            "dependence": round(float(w.dependence), 4),
        },
        "zone_influence": {zid: {a: round(v, 4) for a, v in zip(ids, zi[z]) if v >= 0.005}
                           for z, zid in enumerate(s.zone_ids)},
        "agreements": [{"id": ag.id, "kind": ag.kind, "zones": [s.zone_ids[z] for z in ag.zones],
                        "parties": [ids[x] for x in ag.parties], "guarantors": [ids[x] for x in ag.guarantors],
                        "until": None if ag.end_turn is None else s.date(ag.end_turn).isoformat()[:7]}
                       for ag in w.active_agreements()],
        "frameworks": [{"id": f.id, "name": f.name, "convener": ids[f.convener],
                        "members": [ids[m] for m in f.members]} for f in w.active_frameworks()],
    }
