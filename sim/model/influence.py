"""Influence (leverage over Damascus, standing, territory, zone influence) and the metric vector
that every preference term reads. The formulas are documented in docs/model.md."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.state import Static, World

# standing increments (docs/model.md, "Standing")
GUARANTEE_BONUS = 0.04
CONVENER_BONUS = 0.08
MEMBER_BONUS = 0.03
BROKER_BONUS = 0.15


def support(w: World) -> np.ndarray:
    """(A,) each actor's support to the regime: air power, ground in regime-held zones, aid."""
    s = w.s
    regime_side = s.fights_for[w.control] == s.regime  # (Z,) zones held by the regime's side
    out = np.zeros(s.A)
    p = list(s.patrons)
    if p:
        out[p] = (s.params["air_weight"] * w.air[p] + w.ground[p][:, regime_side].sum(1)
                  + w.support[p, s.regime])
    return out


def dependence(w: World) -> float:
    """How much Damascus needs outside help: hostile ground strength against its own."""
    s = w.s
    threat = w.ground[s.hostile[s.regime]].sum()
    own = w.ground[s.regime].sum() + w.reserve[s.regime]
    return float(threat / (threat + own)) if threat + own > 0 else 0.0


def compute_influence(w: World, report: bool = True) -> None:
    """Recompute the influence figures in place (called at the end of every turn); without
    report, only those that decisions read (territory and zone influence are left as they were)."""
    s = w.s
    sup = support(w)
    total = sup.sum()
    w.dependence = dependence(w)
    w.leverage = w.dependence * sup / total if total > 0 else np.zeros(s.A)
    w.standing = standing(w)
    if report:
        share = np.bincount(w.control, weights=s.pop, minlength=s.A)
        w.territory = share / s.pop.sum()
        w.zone_influence = zone_influence(w, sup)


def standing(w: World) -> np.ndarray:
    guar, conv, memb, broker = _links(w)
    raw = (w.reputation + GUARANTEE_BONUS * guar + CONVENER_BONUS * conv + MEMBER_BONUS * memb
           + BROKER_BONUS * broker)
    return np.clip(raw, 0.0, 1.0)


def _links(w: World) -> tuple[np.ndarray, ...]:
    """(A,) each: zones guaranteed, frameworks convened, frameworks joined, and the share of
    the others linked to the actor by an agreement or a framework. The last answer is kept
    while the agreements and frameworks in force are the same (they rarely change)."""
    global _last_links
    s = w.s
    ags = tuple((ag.zones, ag.parties, ag.guarantors) for ag in w.active_agreements())
    fws = tuple((f.convener, f.members) for f in w.active_frameworks())
    key = (ags, fws)
    memo = _last_links  # one read: another thread may replace it
    if memo[0] is s and memo[1] == key:
        return memo[2]
    A = s.A
    guar, conv, memb = [0] * A, [0] * A, [0] * A
    linked = [0] * A  # bit b of linked[a]: a and b share an agreement or a framework
    for zones, parties, guarantors in ags:
        members = parties + guarantors
        mask = sum(1 << x for x in set(members))
        for g in guarantors:
            guar[g] += len(zones)
        for x in members:
            linked[x] |= mask
    for convener, fmembers in fws:
        members = fmembers + (convener,)
        mask = sum(1 << x for x in set(members))
        conv[convener] += 1
        for x in fmembers:
            memb[x] += 1
        for x in members:
            linked[x] |= mask
    eligible = sum(1 << x for x in range(A) if not s.excluded[x])
    others = max(bin(eligible).count("1") - 1, 1)
    broker = np.array([bin(linked[a] & eligible & ~(1 << a)).count("1") for a in range(A)]) / others
    links = (np.array(guar), np.array(conv), np.array(memb), broker)
    _last_links = (s, key, links)
    return links


_last_links: tuple = (None, None, None)


def zone_influence(w: World, sup: np.ndarray | None = None) -> np.ndarray:
    """(A, Z) each actor's share of influence in each zone (columns sum to 1); sup: support(w)
    if at hand."""
    s = w.s
    raw = w.ground.copy()
    raw[w.control, np.arange(s.Z)] += 2.0
    for ag in w.active_agreements():
        for g in ag.guarantors:
            raw[g, list(ag.zones)] += 2.0
    regime_zones = w.control == s.regime
    if sup is None:
        sup = support(w)
    if sup.sum() > 0:
        raw[:, regime_zones] += 2.0 * (sup / sup.sum())[:, None]
    return raw / raw.sum(0, keepdims=True)


# --- the metric vector --------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Positions of each metric in the flat metric vector M."""

    A: int
    Z: int
    K: int = 0  # bargaining issues

    def X(self, z, f):  # 1 if zone z is controlled by f
        return z * self.A + f

    def P(self, a, z):  # a's ground in z, as a share of its full strength
        return self.Z * self.A + a * self.Z + z

    def _tail(self, block: int, a):
        return 2 * self.Z * self.A + block * self.A + a

    def LEV(self, a):
        return self._tail(0, a)

    def STAND(self, a):
        return self._tail(1, a)

    def SANC(self, a):
        return self._tail(2, a)

    def SPEND(self, a):  # money spent this turn, as a share of a year's income
        return self._tail(3, a)

    def CAS(self, a):  # ground lost this turn, as a share of full strength
        return self._tail(4, a)

    def FIT(self, a, k):  # 1 - distance of issue k's forecast settlement from a's ideal point
        return 2 * self.Z * self.A + 5 * self.A + a * self.K + k

    @property
    def size(self) -> int:
        return 2 * self.Z * self.A + 5 * self.A + self.A * self.K

    def describe(self, m: int, s: Static) -> str:
        """A metric in words, with the actors' and zones' names (for previews and accounts)."""
        A, Z = self.A, self.Z
        if m < Z * A:
            return f"chance {s.names[m % A]} holds {s.zone_names[m // A]}"
        if m < 2 * Z * A:
            k = m - Z * A
            return f"{s.names[k // Z]}'s forces in {s.zone_names[k % Z]}"
        if m >= 2 * Z * A + 5 * A:
            a, k = divmod(m - 2 * Z * A - 5 * A, self.K)
            return f"settlement on {s.issues.ids[k].replace('_', ' ')} near {s.names[a]}'s position"
        block, a = divmod(m - 2 * Z * A, A)
        what = ("leverage over Damascus", "standing", "sanctions on it", "spending", "losses")[block]
        return f"{s.names[a]}'s {what}"


def metric_vector(w: World, lay: Layout) -> np.ndarray:
    s = w.s
    M = np.zeros(lay.size)
    M[lay.X(np.arange(s.Z), w.control)] = 1.0
    M[s.Z * s.A: 2 * s.Z * s.A] = (w.ground / s.norm[:, None]).ravel()
    a = np.arange(s.A)
    M[lay.LEV(a)] = w.leverage
    M[lay.STAND(a)] = w.standing
    M[lay.SANC(a)] = w.sanctions
    M[lay.SPEND(a)] = w.spent / (12 * np.maximum(w.income, 0.5))
    M[lay.CAS(a)] = w.lost / s.norm
    if lay.K:
        t = s.issues
        fit = 1.0 - np.abs(w.forecast[None, :] - t.ideal)
        M[2 * s.Z * s.A + 5 * s.A:] = np.where(t.part(), fit, 0.0).ravel()
    return M


@dataclass(frozen=True)
class Term:
    """One preference term, compiled: its actor, name, signed weight and row over M."""

    actor: int
    name: str
    kind: str
    weight: float  # signed: negative where the actor wants less of it
    row: np.ndarray  # (M,) linear map from the metric vector to the term's value
    source: str
    note: str
    contested: bool


def _row(s: Static, lay: Layout, kind: str, of: list[int], zones: list[int], weight_by: str) -> np.ndarray:
    """The linear row over M of a territory, presence, leverage, standing, sanctions or cost
    reading: shared by preference terms and issue measures, so both read the world alike."""
    row = np.zeros(lay.size)
    if kind == "territory":
        wz = {"population": s.pop, "value": s.value, "equal": np.ones(s.Z)}[weight_by][zones]
        wz = wz / wz.sum() if wz.sum() > 0 else np.full(len(zones), 1 / len(zones))
        for f in of:
            row[lay.X(np.array(zones), f)] = wz
    elif kind == "presence":
        for f in of:
            row[lay.P(f, np.array(zones))] = 1.0 / len(of)
    elif kind in ("leverage", "standing", "sanctions"):
        get = {"leverage": lay.LEV, "standing": lay.STAND, "sanctions": lay.SANC}[kind]
        for f in of:
            row[get(f)] = 1.0 / len(of)
    elif kind == "cost":
        for f in of:
            row[lay.SPEND(f)] = row[lay.CAS(f)] = 1.0 / len(of)
    return row


def measure_rows(s: Static, lay: Layout) -> np.ndarray:
    """(K, M) each issue's status quo as a row over the metric vector (its measure)."""
    rows = [_row(s, lay, m.kind, [s.actor(o) for o in m.of], [s.zone(z) for z in m.zones] or list(range(s.Z)),
                 m.weight_by) for m in (spec.measure for spec in s.scenario.issues.values())]
    return np.array(rows) if rows else np.zeros((0, lay.size))


def compile_terms(s: Static, lay: Layout) -> tuple[list[Term], np.ndarray]:
    """Each actor's preference terms as linear rows over M, and G = sum of weighted rows (A, M)."""
    terms: list[Term] = []
    G = np.zeros((s.A, lay.size))
    for i, aid in enumerate(s.actor_ids):
        for name, t in s.scenario.actors[aid].preferences.items():
            of = [s.actor(o) for o in t.of] or [i]
            zones = [s.zone(z) for z in t.zones] or list(range(s.Z))
            row = _row(s, lay, t.kind, of, zones, t.weight_by)
            if t.kind == "settlement":
                table = s.issues
                ks = [table.ids.index(k) for k in t.issues] or [
                    k for k in range(table.K) if table.part()[i, k]]
                for k in ks:
                    row[lay.FIT(i, k)] = 1.0 / len(ks)
            sign = -1.0 if (t.sense == "min" or t.kind == "cost") else 1.0
            term = Term(i, name, t.kind, sign * t.weight, row, t.source, t.note, t.contested)
            terms.append(term)
            G[i] += term.weight * row
    return terms, G
