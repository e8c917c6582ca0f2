"""Linkage trades: how each side values a bundle of concessions against no deal, the terms
they can agree on, offers and counter-offers, and the promises a deal leaves to keep.

A trade's 'gives' (the proposer's concessions) scale with its *terms* t in [0, 1]; its
'asks' and 'promises' are the other side's part. Each side values the deal as the change of
its preference terms (G . dM) between the world with the deal and without it (no deal is
the disagreement point, worth 0). dM is linear in t, so each side's utility is too:
u_P(t) = a0 + a1 t, u_R(t) = b0 + b1 t.

- Promises count as far as they will be kept: the promiser knows how far it can deliver
  (deliverability: 1 for its own forces; for a third party, how far that party complies
  when pressed); its partner discounts them further by its trust in the promiser. A
  promise expected to be broken costs the promiser its standing and the on_break effects.
- Terms both sides prefer to no deal form an interval [lo, hi] (the zone of agreement).
- Offers follow Rubinstein's alternating-offers game: the side that offers keeps the share
  (1 - d_other) / (1 - d_self d_other) of the surplus, with discount factors d from time
  pressure (sanctions, an overstretched treasury). The asymmetric Nash bargaining solution
  with the same discount rates is computed beside it, as a benchmark.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np

from sim.model.effects import _clip, _sum, apply_effects
from sim.model.influence import Layout, compute_influence, metric_vector
from sim.model.issues import refresh_forecast, refresh_forecasts
from sim.model.state import World


@dataclass(frozen=True)
class Valuation:
    trade: int
    proposer: int
    to: int
    u_p: tuple[float, float]  # proposer's utility at terms 0 and 1 (vs no deal), its own view
    u_r: tuple[float, float]  # recipient's, its own view
    delta_p: float  # discount factors
    delta_r: float
    zone: tuple[float, float] | None  # terms both prefer to no deal
    offer_p: float  # what the proposer offers (Rubinstein, proposer first)
    offer_r: float  # what the recipient would counter with (Rubinstein, recipient first)
    nash: float | None  # asymmetric Nash bargaining solution
    keep: tuple[float, ...]  # deliverability of each promise
    dM_p: tuple = ()  # the proposer's expected metric change at terms 0 and 1 (its breakdown)

    def up(self, t: float) -> float:
        return self.u_p[0] + (self.u_p[1] - self.u_p[0]) * t

    def ur(self, t: float) -> float:
        return self.u_r[0] + (self.u_r[1] - self.u_r[0]) * t

    def to_json(self, names) -> dict:
        r = lambda v: None if v is None else round(float(v), 5)  # noqa: E731
        return {
            "proposer_value": [r(v) for v in self.u_p], "recipient_value": [r(v) for v in self.u_r],
            "discount": {names[self.proposer]: r(self.delta_p), names[self.to]: r(self.delta_r)},
            "zone_of_agreement": None if self.zone is None else [r(self.zone[0]), r(self.zone[1])],
            "rubinstein_offer": r(self.offer_p), "rubinstein_counter": r(self.offer_r),
            "nash": r(self.nash), "deliverability": [r(k) for k in self.keep],
        }


def subject(w: World, promise, promiser: int) -> int:
    """Whose forces a promise is about (the promiser's own unless it names another)."""
    v = promise.holds.presence_below
    return w.s.actor(v.actor) if v is not None else promiser


def compliance(w: World, who: int, presser: int, issue: str | None) -> float:
    """How far an actor pressed by another to pull back goes along: its trust in the presser,
    less the salience it gives the issue at stake (docs/model.md, "Trades")."""
    t = w.s.issues
    sal = float(t.salience[who, t.ids.index(issue)]) if issue in (t.ids if t else ()) else 0.5
    return _clip((1 + w.trust[who, presser]) / 2 * (1 - sal), 0.0, 1.0)


def deliverability(w: World, promise, promiser: int) -> float:
    subj = subject(w, promise, promiser)
    return 1.0 if subj == promiser else compliance(w, subj, promiser, promise.issue)


def pullback_share(w: World, promise) -> tuple[int, list[int], float] | None:
    """(actor, zones, share of its forces there to pull back) for a presence promise to hold."""
    v = promise.holds.presence_below
    if v is None:
        return None
    s = w.s
    a = s.actor(v.actor)
    zones = [s.zone(z) for z in v.zones] or list(range(s.Z))
    row = w.ground[a].tolist()
    there = _sum([row[z] for z in zones])
    need = there - v.value * s.norm[a]
    if there <= 1e-9 or need <= 0:
        return a, zones, 0.0
    return a, zones, float(min(1.0, need / there))


def _deal_world(w: World, k: int, terms: float, keep: list[float]) -> World:
    """The world if trade k were concluded now on these terms, each promise kept with the
    given probability; influence recomputed, the forecast not yet."""
    s = w.s
    t = s.trades[k]
    w2 = w.copy()
    apply_effects(w2, t.asks, None)
    apply_effects(w2, t.gives, None, scale=terms)
    promiser_of = {t.proposer: s.actor(t.proposer), t.to: s.actor(t.to)}
    for pr, q in zip(t.promises, keep):
        pb = pullback_share(w2, pr)
        if pb is not None and pb[2] > 0:
            a, zones, share = pb
            moved = w2.ground[a, zones] * share * q
            w2.ground[a, zones] -= moved
            w2.reserve[a] += moved.sum()
        if q < 1:
            who = promiser_of[pr.actor]
            w2.reputation[who] = max(0.0, w2.reputation[who] - (1 - q) * s.params["promise_standing"])
            apply_effects(w2, pr.on_break, None, scale=1 - q)
    compute_influence(w2, report=False)
    return w2


def _no_deal_world(w: World) -> World:
    """The world as it is, its influence recomputed as a deal's world is (the forecast not yet).
    Recomputing only reassigns figures, so the arrays can be shared."""
    w2 = copy.copy(w)
    compute_influence(w2, report=False)
    return w2


def delta(w: World, lay: Layout, k: int, terms: float, keep: list[float], M0: np.ndarray) -> np.ndarray:
    """Expected metric change if trade k were concluded now on these terms, each promise
    kept with the given probability."""
    w2 = _deal_world(w, k, terms, keep)
    refresh_forecast(w2, w.s.issues)
    return metric_vector(w2, lay) - M0


def kept_as_seen_by(w: World, k: int, deliverable, x: int) -> list[float]:
    """Each promise of trade k's chance of being kept as actor x sees it: its deliverability,
    further discounted by x's trust in the promiser unless x made the promise."""
    s = w.s
    t = s.trades[k]
    owner = {t.proposer: s.actor(t.proposer), t.to: s.actor(t.to)}
    return [q if owner[pr.actor] == x else q * (1 + w.trust[x, owner[pr.actor]]) / 2
            for pr, q in zip(t.promises, deliverable)]


def baseline(w: World, lay: Layout) -> np.ndarray:
    """The metric vector of no deal, recomputed the way delta() recomputes a deal's world,
    so that recomputation alone (a forecast on a knife edge) never counts as the deal's effect."""
    w2 = _no_deal_world(w)
    refresh_forecast(w2, w.s.issues)
    return metric_vector(w2, lay)


def time_pressure(w: World) -> np.ndarray:
    """(A,) 0..1: sanctions biting and a treasury running out make an actor impatient."""
    p = w.s.params
    upkeep = p["ground_upkeep"] * w.ground.sum(1) + p["air_upkeep"] * w.air
    months_left = w.treasury / np.maximum(upkeep, 1e-9)
    overstretch = np.clip(1 - months_left / 6, 0, 1)
    return np.clip(p["sanctions_bite"] * w.sanctions + overstretch, 0, 1)


def discount(w: World) -> np.ndarray:
    return w.s.params["trade_patience"] * (1 - 0.5 * time_pressure(w))


def _zone(a0, a1, b0, b1) -> tuple[float, float] | None:
    lo, hi = 0.0, 1.0
    for c0, c1 in ((a0, a1), (b0, b1)):
        if abs(c1) < 1e-12:
            if c0 < 0:
                return None
            continue
        root = -c0 / c1
        if c1 > 0:
            lo = max(lo, root)
        else:
            hi = min(hi, root)
    return (lo, hi) if lo <= hi + 1e-12 else None


def rubinstein(e_self: float, e_other: float, d_self: float, d_other: float) -> float:
    """Terms offered by a side that moves first: it keeps its Rubinstein share of the way
    from the other side's best terms (e_other) to its own best (e_self)."""
    share = (1 - d_other) / (1 - d_self * d_other)
    return e_other + share * (e_self - e_other)


def nash(a0, a1, b0, b1, d_p, d_r, zone) -> float | None:
    if zone is None:
        return None
    rp, rr = -math.log(d_p), -math.log(d_r)
    alpha = rr / (rp + rr)  # the more patient side has more bargaining power
    lo, hi = zone
    if abs(a1 * b1) < 1e-15:
        cands = [lo, hi]
    else:
        cands = [lo, hi, float(np.clip(-(alpha * a1 * b0 + (1 - alpha) * b1 * a0) / (a1 * b1), lo, hi))]

    def obj(x):
        up, ur = a0 + a1 * x, b0 + b1 * x
        if up <= 0 or ur <= 0:
            return -np.inf
        return alpha * math.log(up) + (1 - alpha) * math.log(ur)
    return max(cands, key=obj)


def value(w: World, lay: Layout, G: np.ndarray, k: int, M0: np.ndarray | None = None) -> Valuation:
    """Both sides' view of trade k now."""
    return values(w, lay, G, [k], M0)[k]


def values(w: World, lay: Layout, G: np.ndarray, ks: list[int], M0: np.ndarray | None = None) -> dict[int, Valuation]:
    """Both sides' view of each trade in ks now (M0: the metric vector of no deal, if at hand);
    every world's forecast in one batch."""
    s = w.s
    d = discount(w)
    cases = []  # per trade: its parties, each promise's deliverability, the worlds of both views
    for k in ks:
        t = s.trades[k]
        P, R = s.actor(t.proposer), s.actor(t.to)
        owner = {t.proposer: P, t.to: R}
        base = [deliverability(w, pr, owner[pr.actor]) for pr in t.promises]
        cases.append((k, P, R, base, [_deal_world(w, k, terms, kept_as_seen_by(w, k, base, x))
                                      for x in (P, R) for terms in (0.0, 1.0)]))
    worlds = [x for case in cases for x in case[4]]
    if M0 is None:
        worlds.append(_no_deal_world(w))
    refresh_forecasts(worlds, s.issues)
    if M0 is None:
        M0 = metric_vector(worlds[-1], lay)
    out = {}
    for k, P, R, base, deals in cases:
        dM = [metric_vector(x, lay) - M0 for x in deals]
        dM_p, dM_r = tuple(dM[:2]), tuple(dM[2:])
        up = tuple(float(G[P] @ x) for x in dM_p)
        ur = tuple(float(G[R] @ x) for x in dM_r)
        dp, dr = float(d[P]), float(d[R])
        a0, a1, b0, b1 = up[0], up[1] - up[0], ur[0], ur[1] - ur[0]
        zone = _zone(a0, a1, b0, b1)
        if zone is None:
            offer_p, offer_r = (0.0 if a1 < 0 else 1.0), (1.0 if b1 > 0 else 0.0)
        else:
            best_p = zone[0] if a1 <= 0 else zone[1]
            best_r = zone[1] if b1 >= 0 else zone[0]
            offer_p = rubinstein(best_p, best_r, dp, dr)
            offer_r = rubinstein(best_r, best_p, dr, dp)
        out[k] = Valuation(k, P, R, up, ur, dp, dr, zone, float(offer_p), float(offer_r),
                           nash(a0, a1, b0, b1, dp, dr, zone), tuple(base), dM_p)
    return out
