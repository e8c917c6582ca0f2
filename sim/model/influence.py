"""Influence (leverage over Damascus, standing, territory, zone influence) and the metric vector
that every preference term reads. The formulas are documented in docs/model.md."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from sim.model.effects import _clip, _row_sums, _sum
from sim.model.state import Static, World

# standing increments (docs/model.md, "Standing")
GUARANTEE_BONUS = 0.04
CONVENER_BONUS = 0.08
MEMBER_BONUS = 0.03
BROKER_BONUS = 0.15
_BONUSES = np.array([GUARANTEE_BONUS, CONVENER_BONUS, MEMBER_BONUS])


class _Fixed:
    """What the influence figures read that the scenario fixes (built once per scenario)."""

    def __init__(self, s: Static):
        self.side = s.fights_for.tolist()
        self.zones = np.arange(s.Z)
        self.hostile = np.flatnonzero(s.hostile[s.regime]).tolist()  # those hostile to the regime
        self.eligible = sum(1 << x for x in range(s.A) if not s.excluded[x])  # bit x: x may join agreements
        self.others = max(self.eligible.bit_count() - 1, 1)  # how many others one can be linked to
        # [a, b]: b is one of the others a can be linked to (b may join agreements, b is not a)
        self.may_link = np.array([[a != b and not s.excluded[b] for b in range(s.A)] for a in range(s.A)])
        self.pop_total = s.pop.sum()


def _fixed(s: Static) -> _Fixed:
    return s.derived(_Fixed)


# The figures are computed on Python floats (a few numbers each, where numpy's cost per call
# would dominate), summed in the order numpy sums them (sim.model.effects), so they are
# bitwise what the array formulas give.


def support(w: World) -> np.ndarray:
    """(A,) each actor's support to the regime: air power, ground in regime-held zones, aid."""
    return np.array(_support(w, w.ground.tolist()))


def _support(w: World, ground: list[list[float]]) -> list[float]:
    s = w.s
    out = [0.0] * s.A
    if s.patrons:
        side, regime = _fixed(s).side, s.regime
        held = [z for z, h in enumerate(w.control.tolist()) if side[h] == regime]
        in_held = _row_sums([[ground[x][z] for z in held] for x in s.patrons])  # as ground[p][:, held].sum(1)
        aw = s.params["air_weight"]
        for x, g in zip(s.patrons, in_held):
            out[x] = aw * w.air.item(x) + g + w.support.item(x, regime)
    return out


def dependence(w: World) -> float:
    """How much Damascus needs outside help: hostile ground strength against its own."""
    return _dependence(w, w.ground.tolist())


def _dependence(w: World, ground: list[list[float]]) -> float:
    s = w.s
    threat = _sum([g for x in _fixed(s).hostile for g in ground[x]])
    own = _sum(ground[s.regime]) + w.reserve.item(s.regime)
    return threat / (threat + own) if threat + own > 0 else 0.0


def compute_influence(w: World, report: bool = True) -> None:
    """Recompute the influence figures in place (called at the end of every turn); without
    report, only those that decisions read (territory and zone influence are left as they were)."""
    s = w.s
    ground = w.ground.tolist()
    sup = _support(w, ground)
    total = _sum(sup)
    w.dependence = _dependence(w, ground)
    w.leverage = np.array([w.dependence * x / total for x in sup]) if total > 0 else np.zeros(s.A)
    links = _links_alone(w)
    w.standing = _standing(w, links)
    if report:
        share = np.bincount(w.control, weights=s.pop, minlength=s.A)
        w.territory = share / _fixed(s).pop_total
        w.zone_influence = _zone_influence(w, sup, total, links)


def compute_influences(ws: list[World], report: bool = True) -> None:
    """compute_influence for several worlds of one scenario, on stacked arrays: each world's
    figures are bitwise those compute_influence gives it alone (tests/test_turn.py)."""
    if len(ws) == 1:
        compute_influence(ws[0], report)
        return
    s = ws[0].s
    fixed = _fixed(s)
    W, A, Z = len(ws), s.A, s.Z
    ground = np.array([w.ground for w in ws])
    control = np.array([w.control for w in ws])
    sup = supports(ws, ground, control)
    total = sup.sum(1)
    threat, own = strengths(s, ground, np.array([w.reserve for w in ws]))
    both = threat + own
    dep = np.divide(threat, both, out=np.zeros(W), where=both > 0)
    lev = np.divide(dep[:, None] * sup, total[:, None], out=np.zeros((W, A)), where=total[:, None] > 0)
    table = _link_table(s)  # of ws[0]'s scenario: the worlds may not share one Static
    bonus, guarded = _links_many(s, table, [_links(w, table) for w in ws], report)  # (W, A, 4), (W, A * Z)
    raw = np.array([w.reputation for w in ws])
    for k in range(4):  # each link's worth added in turn, as _standing adds them
        raw += bonus[:, :, k]
    standing = raw.clip(0.0, 1.0, out=raw)
    # each world gets its row of the stacked figures (a view: rows are not shared)
    for w, d, x, st in zip(ws, dep.tolist(), lev, standing):
        w.dependence, w.leverage, w.standing = d, x, st
    if not report:
        return
    cells = (control + np.arange(W)[:, None] * A).ravel()  # (world, holder) bins, zone by zone
    share = np.bincount(cells, weights=np.tile(s.pop, W), minlength=W * A).reshape(W, A)
    territory = share / fixed.pop_total
    zi = ground.copy()
    zi[np.arange(W)[:, None], control, fixed.zones[None, :]] += 2.0
    flat = zi.reshape(W, A * Z)
    for k in range(1, guarded.max(initial=0) + 1):  # 2.0 for each guarantee too, added one by one
        np.add(flat, 2.0, out=flat, where=guarded >= k)
    weight = np.divide(sup, total[:, None], out=np.zeros((W, A)), where=total[:, None] > 0)
    regime_zones = (control == s.regime)[:, None, :] & (total > 0)[:, None, None]
    np.add(zi, (2.0 * weight)[:, :, None], out=zi, where=regime_zones)
    zi /= zi.sum(1, keepdims=True)
    for w, te, z in zip(ws, territory, zi):
        w.territory, w.zone_influence = te, z


def strengths(s: Static, ground: np.ndarray, reserve: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(W,) each: the ground hostile to the regime and the regime's own strength (ground and
    reserve) of stacked worlds, as dependence sums them alone (the hostile ground as one flat
    sum, the regime's row)."""
    threat = ground[:, _fixed(s).hostile].reshape(len(ground), -1).sum(1)
    return threat, ground[:, s.regime].sum(1) + reserve[:, s.regime]


def supports(ws: list[World], ground: np.ndarray | None = None, control: np.ndarray | None = None) -> np.ndarray:
    """(W, A) support of several worlds of one scenario, each row bitwise as support gives
    it; ground and control: the worlds' stacked arrays, if at hand."""
    s = ws[0].s
    out = np.zeros((len(ws), s.A))
    pats = list(s.patrons)
    if not pats:
        return out
    if len(pats) == 1:  # one row: numpy sums it pairwise, not zone after zone
        return np.array([support(w) for w in ws])
    ground = np.array([w.ground for w in ws]) if ground is None else ground
    control = np.array([w.control for w in ws]) if control is None else control
    regime_side = s.fights_for[control] == s.regime  # (W, Z)
    # support() sums a boolean selection, (P, zones) laid out zone-major, so numpy adds zone
    # after zone; the same here, with zones an outer axis of (W, Z, P), and the other sides'
    # zones adding exact zeros (along a contiguous last axis numpy would sum pairwise)
    there = np.where(regime_side[:, :, None], ground[:, pats].transpose(0, 2, 1).copy(), 0.0).sum(1)
    aid = np.array([w.support for w in ws])[:, pats, s.regime]
    out[:, pats] = s.params["air_weight"] * np.array([w.air for w in ws])[:, pats] + there + aid
    return out


class _Links(NamedTuple):
    """What the agreements and frameworks in force give: per actor, the standing its links
    are worth (zones guaranteed, frameworks convened, frameworks joined, and the share of
    the others linked to it by an agreement or a framework, each times its bonus); and the
    (actor, zone) cells, flat, of each guarantee of a zone."""

    standing: list[tuple[float, float, float, float]]
    guarded: list[int]


def standing(w: World) -> np.ndarray:
    return _standing(w, _links_alone(w))


def _standing(w: World, links: _Links) -> np.ndarray:
    # reputation, then each link's worth added in turn, clipped as numpy clips
    return np.array([_clip((((r + g) + c) + m) + b, 0.0, 1.0)
                     for r, (g, c, m, b) in zip(w.reputation.tolist(), links.standing)])


class _LinkTable:
    """Each agreement (zones, parties, guarantors) and framework (convener, members) that the
    scenario's worlds have had in force, as a row (a run goes through a few dozen, a batch of
    runs of a scenario through the same ones). What a row gives, as arrays for many worlds
    at once: joins[row, a] 1 if it links a; counts[row, a] (zones a guarantees, times a
    convenes it, times a is a member); cells[row, a * Z + z] how often it has a guarantee
    zone z. Row 0 gives nothing (to pad). links: _links_of's answers, by rows of a world."""

    LIMIT = 1 << 14  # rows, after which _link_table starts it afresh (the worlds' memos name their rows dict)

    def __init__(self, s: Static):
        self.A, self.Z = s.A, s.Z
        self.clear()

    def clear(self) -> None:
        self.rows: dict[tuple, int] = {(): 0}
        self.sources: list[tuple] = [()]
        self.joins = np.zeros((64, self.A))
        self.counts = np.zeros((64, self.A, 3))
        self.cells = np.zeros((64, self.A * self.Z), np.int16)
        self.links: dict[tuple[int, ...], _Links] = {}

    def row(self, source: tuple) -> int:
        """The row of an agreement ("ag", zones, parties, guarantors) or a framework ("fw",
        convener, members), added on first sight."""
        r = self.rows.get(source)
        if r is not None:
            return r
        r = len(self.sources)
        if r == len(self.joins):
            self.joins, self.counts, self.cells = (np.concatenate([x, np.zeros_like(x)])
                                                   for x in (self.joins, self.counts, self.cells))
        counts, cells = self.counts[r], self.cells[r]
        if source[0] == "ag":
            _, zones, parties, guarantors = source
            self.joins[r, list(parties + guarantors)] = 1.0
            for g in guarantors:
                counts[g, 0] += len(zones)
                cells[[g * self.Z + z for z in set(zones)]] += 1
        else:
            _, convener, members = source
            self.joins[r, list(members + (convener,))] = 1.0
            counts[convener, 1] += 1.0
            for x in members:
                counts[x, 2] += 1.0
        self.rows[source] = r
        self.sources.append(source)
        return r


def links_seen(s: Static) -> _LinkTable:
    """The scenario's memo of the agreements and frameworks in force and what they give."""
    return _LinkTable(s)


def _link_table(s: Static) -> _LinkTable:
    """The scenario's links_seen, started afresh if full (bounded: a long batch can wander
    through many), before rows are read from it."""
    table = s.derived(links_seen)
    if len(table.sources) >= table.LIMIT:
        table.clear()
    return table


def _links_alone(w: World) -> _Links:
    table = _link_table(w.s)
    return _links_of(w.s, table, _links(w, table))


def _links(w: World, table: _LinkTable) -> tuple[int, ...]:
    """The rows in table (the scenario's links_seen) of the agreements and frameworks in force. The
    world keeps its last answer with the records it came from and the turns it holds for
    (w.links_memo): the rules replace the tuples of agreements and frameworks rather than
    change them, and what is in force only lapses as turns pass."""
    memo, turn = w.links_memo, w.turn
    if memo is not None:
        ags, fws, first, last, seen, rows = memo
        if first <= turn <= last and seen is table.rows and (ags is w.agreements or ags == w.agreements) \
                and (fws is w.frameworks or fws == w.frameworks):
            return rows
    active, held = w.active_agreements(), w.active_frameworks()
    sources = [("ag", ag.zones, ag.parties, ag.guarantors) for ag in active]
    sources += [("fw", f.convener, f.members) for f in held]
    rows = tuple([table.row(x) for x in sources])
    # the last turn all of them are still in force (see AgreementState.active, World.active_frameworks)
    lapse = math.floor(w.s.params["talks_lapse"])
    last = min([ag.end_turn - 1 for ag in active if ag.end_turn is not None] + [f.last_round + lapse for f in held],
               default=math.inf)
    w.links_memo = (w.agreements, w.frameworks, turn, last, table.rows, rows)
    return rows


def _links_of(s: Static, table: _LinkTable, rows: tuple[int, ...]) -> _Links:
    """_Links of one world's rows of the table."""
    links = table.links.get(rows)
    if links is not None:
        return links
    A, Z = s.A, s.Z
    guar, conv, memb = [0] * A, [0] * A, [0] * A
    linked = [0] * A  # bit b of linked[a]: a and b share an agreement or a framework
    guarded = []
    for r in rows:
        source = table.sources[r]
        if source[0] == "ag":
            _, zones, parties, guarantors = source
            _link(linked, parties + guarantors)
            if guarantors:
                held = set(zones)
                for g in guarantors:
                    guar[g] += len(zones)
                    guarded += [g * Z + z for z in held]
        else:
            _, convener, fmembers = source
            _link(linked, fmembers + (convener,))
            conv[convener] += 1
            for x in fmembers:
                memb[x] += 1
    fixed = _fixed(s)
    eligible, others = fixed.eligible, fixed.others
    worth = [(GUARANTEE_BONUS * g, CONVENER_BONUS * c, MEMBER_BONUS * m,
              BROKER_BONUS * ((ln & eligible & ~(1 << a)).bit_count() / others))
             for a, (g, c, m, ln) in enumerate(zip(guar, conv, memb, linked))]
    links = _Links(worth, guarded)
    if len(table.links) >= 4096:  # bounded: a long run can wander through many
        table.links.clear()
    table.links[rows] = links
    return links


def _links_many(s: Static, table: _LinkTable, rows: list[tuple[int, ...]],
                cells: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """_links_of of many worlds on arrays: (W, A, 4) the standing each link is worth, as
    _Links.standing; with cells, (W, A * Z) how often each cell is guaranteed."""
    n = max(map(len, rows))
    pad = (0,) * n
    idx = np.array([r + pad[len(r):] for r in rows], np.intp).reshape(len(rows), n)
    joins = table.joins[idx]  # (W, n, A)
    # a and b are linked if some row links both; each counts the others it may join
    linked = (joins.transpose(0, 2, 1) @ joins) > 0  # (W, A, A)
    fixed = _fixed(s)
    worth = np.empty((len(rows), s.A, 4))
    # whole numbers, so their sums are exact, then times the bonus as _links_of does
    np.multiply(table.counts[idx].sum(1), _BONUSES, out=worth[:, :, :3])
    worth[:, :, 3] = BROKER_BONUS * ((linked & fixed.may_link).sum(2) / fixed.others)
    return worth, (table.cells[idx].sum(1) if cells else None)


def _link(linked: list[int], members: tuple[int, ...]) -> None:
    mask = 0
    for x in members:
        mask |= 1 << x
    for x in members:
        linked[x] |= mask


def zone_influence(w: World) -> np.ndarray:
    """(A, Z) each actor's share of influence in each zone (columns sum to 1)."""
    sup = _support(w, w.ground.tolist())
    return _zone_influence(w, sup, _sum(sup), _links_alone(w))


def _zone_influence(w: World, sup: list[float], total: float, links: _Links) -> np.ndarray:
    s = w.s
    raw = w.ground.copy()
    raw[w.control, _fixed(s).zones] += 2.0
    if links.guarded:  # 2.0 for each guarantee too (add.at adds as often as a cell is named)
        np.add.at(raw.reshape(-1), links.guarded, 2.0)
    if total > 0:
        share = np.array([2.0 * (x / total) for x in sup])[:, None]
        np.add(raw, share, out=raw, where=w.control == s.regime)
    raw /= raw.sum(0)
    return raw


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
