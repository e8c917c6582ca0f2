"""Expected-utility decisions for every actor at once.

Each actor has a fixed row of candidate slots (military track, then diplomatic track). For
every slot we compute, with numpy over all actors and targets together, the expected change
of a few entries of the metric vector M (see sim.model.influence.Layout): at most K
(metric index, change) pairs. A candidate's utility is then G[actor] . dM, and its
breakdown by preference term is term.weight * term.row . dM: the same numbers, so the
"why?" always adds up to what was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model import trades
from sim.model.catalogue import CATALOGUE
from sim.model.effects import _sum
from sim.model.influence import (
    CONVENER_BONUS, GUARANTEE_BONUS, MEMBER_BONUS, Layout, Term, strengths, supports,
)
from sim.model.issues import capabilities, fit_directions, gradients
from sim.model.state import ACTIONS, Static, World

K = 10  # effect entries per candidate, plus one per bargaining issue (E_FIT + k)
N_PATRONS = 3  # leverage entries per candidate (the regime's three main patrons)
# entry positions
E_GAIN, E_LOSS, E_SPEND, E_CAS, E_STAND, E_PRES, E_LEV, E_MISC, E_FIT = 0, 1, 2, 3, 4, 5, 6, 9, 10


CSF_FLOORS = (0.0, 1e-9)  # the least attack and defence a contest counts (no defence still resists)


def csf(att: np.ndarray, dfn: np.ndarray, m: float) -> np.ndarray:
    """Contest success function: the chance that attacker strength att beats dfn."""
    a = np.power(np.maximum(att, CSF_FLOORS[0]), m)
    d = np.power(np.maximum(dfn, CSF_FLOORS[1]), m)
    return a / (a + d)


def defence(w: World, friend: np.ndarray) -> np.ndarray:
    """(Z,) each zone's defensive strength: its defenders' ground, and the air power of the
    holder and of friends with troops there, which flies close support."""
    return _defence(w.s, friend[:, w.control], w.control, w.ground, w.air)[1]


def _defence(s: Static, defenders: np.ndarray, ctrl: np.ndarray, ground: np.ndarray,
             air: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """defence() of one world or of stacked worlds (leading axes): the defenders' ground
    (..., Z) and the defence (..., Z), given the (..., A, Z) defenders."""
    p = s.params
    def_ground = (defenders * ground).sum(-2)
    flying = defenders & ((ground > 0) | (ctrl[..., None, :] == np.arange(s.A)[:, None]))
    close_air = 0.5 * p["air_weight"] * (flying * air[..., None]).sum(-2)
    return def_ground, p["defender_bonus"] * (def_ground + 0.3) + close_air


def defence_of(w: World, defenders: np.ndarray, z: int) -> float:
    """defence(w, friend)[z] for zone z alone, given its (A,) defenders: the same sums, term
    by term in actor order as numpy adds a column."""
    p = w.s.params
    holder = w.control.item(z)
    col, flying = w.ground[:, z].tolist(), w.air.tolist()
    ground = air = 0.0
    for a, d in enumerate(defenders.tolist()):
        g, f = col[a], flying[a]
        if d:  # a non-defender's terms are 0.0 * x (nan for an infinite x)
            ground += g
            air += f if g > 0 or a == holder else 0.0 * f
        else:
            ground += 0.0 * g
            air += 0.0 * f
    return p["defender_bonus"] * (ground + 0.3) + 0.5 * p["air_weight"] * air


_SLOT_ORDER = (("hold", 0), ("air_campaign", "Z"), ("ground_offensive", "Z"), ("reinforce", "Z"),
               ("withdraw", "Z"), ("wait", 0), ("propose_ceasefire", "Z"), ("propose_deescalation", "Z"),
               ("guarantee", "Z"), ("convene_talks", 0), ("pressure_client", "A"), ("sanctions", "A"),
               ("aid", "A"), ("offer_trade", "T"))


class SlotLayout:
    """Where each (action, target) candidate sits in an actor's row of slots: the military
    track first, then the diplomatic one. Tables are built once; lookups are O(1)."""

    def __init__(self, A: int, Z: int, T: int):
        self.A, self.Z, self.T = A, Z, T
        self.start: dict[str, int] = {}
        actions, targets = [], []
        pos = 0
        for name, n in _SLOT_ORDER:
            count = {"Z": Z, "A": A, "T": T, 0: 1}[n]
            self.start[name] = pos
            actions += [name] * count
            targets += list(range(count)) if n else [-1]
            pos += count
            if name == "withdraw":
                self.n_military = pos
        self.width = pos
        self._decode = list(zip(actions, targets))
        self.plan = None  # scoring's fixed part for the last scenario scored (decisions._Plan)
        for name, start in self.start.items():
            setattr(self, _ATTR.get(name, name), start)

    def decode(self, slot: int) -> tuple[str, int]:
        """(action id, target index or -1) of a slot."""
        return self._decode[slot]

    def encode(self, action: str, target: int = -1) -> int:
        return self.start[action] + max(target, 0)


_ATTR = {"air_campaign": "air", "ground_offensive": "ground", "propose_ceasefire": "ceasefire",
         "propose_deescalation": "deesc", "convene_talks": "convene", "pressure_client": "pressure",
         "offer_trade": "trade"}


@dataclass
class Scored:
    """All candidates of one turn: utilities, legality and their effect entries."""

    utility: np.ndarray  # (A, W), -inf where illegal
    legal: np.ndarray  # (A, W) bool
    idx: np.ndarray  # (A, W, K) metric indices (the dummy index M where unused)
    val: np.ndarray  # (A, W, K)
    threat: np.ndarray  # (Z,) chance the controller loses the zone this month if attacked
    threat_side: np.ndarray  # (Z,) the most dangerous attacking side, -1 if none
    trade_values: dict  # trade index -> sim.model.trades.Valuation, for the trades open now


class _Row:
    """A Context's row of the _Batch quantity of the same name, taken on first use and then
    kept by the Context (in its __dict__, which comes before this descriptor)."""

    __slots__ = ("name",)

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, cx: "Context | None", owner=None):
        if cx is None:
            return self
        row = cx.__dict__[self.name] = getattr(cx._batch, self.name)[cx._i]
        return row


class Context:
    """Per-turn quantities shared by scoring, responses and explanations: one world's rows of
    a _Batch, each made on first use (Context(w, lay) makes a batch of one)."""

    att, side_air, exp_air, defends, def_ground, dfn = _Row(), _Row(), _Row(), _Row(), _Row(), _Row()
    zag, n_zones, guar_force, in_agreement, party, guarantor = _Row(), _Row(), _Row(), _Row(), _Row(), _Row()
    p_att, threat_side, threat, support, S, patrons = _Row(), _Row(), _Row(), _Row(), _Row(), _Row()
    share, is_patron, inc, restraint = _Row(), _Row(), _Row(), _Row()

    def __init__(self, w: World, lay: Layout, plan: "_Plan | None" = None, batch: "_Batch | None" = None,
                 i: int = 0):
        if batch is None:
            s = w.s
            batch = _Batch([w], plan or _Plan.of(s, lay, SlotLayout(s.A, s.Z, len(s.trades))))
        self.w, self.s, self.lay = w, w.s, lay
        self.member = batch.plan.member  # (B, A): x fights for b
        # friend[x, c]: x counts among the defenders of zones that c holds
        self.friend = batch.plan.friend
        self.friends_of = batch.plan.friends_of
        self._batch, self._i = batch, i


def _stack(arrays: list) -> np.ndarray:
    """(W, ...) the worlds' arrays (a batch of one is a view: the batch never writes to them)."""
    return arrays[0][None] if len(arrays) == 1 else np.array(arrays)


class _Batch:
    """The state of W worlds of one scenario stacked along a leading axis, and the per-turn
    quantities of Context for all of them: (W, ...) arrays, each world's row computed by the
    same operations in the same order as for that world alone."""

    def __init__(self, ws: list[World], plan: "_Plan"):
        s = plan.s
        p = s.params
        self.ws, self.plan = ws, plan
        W, A = len(ws), s.A
        self.wi = np.arange(W)[:, None]  # (W, 1) to pick each world's own entries
        self.control = ctrl = _stack([w.control for w in ws])  # (W, Z)
        self.ground = ground = _stack([w.ground for w in ws])  # (W, A, Z)
        self.air = air = _stack([w.air for w in ws])  # (W, A), and so on
        self.reserve = _stack([w.reserve for w in ws])
        self.treasury = _stack([w.treasury for w in ws])
        self.trust = _stack([w.trust for w in ws])
        self.sanctions = _stack([w.sanctions for w in ws])
        self.grievance = _stack([w.grievance for w in ws])
        self.pressed_until = _stack([w.pressed_until for w in ws])
        self.turn = np.array([w.turn for w in ws])
        self.dependence = np.array([w.dependence for w in ws])
        side_ground = plan.member_f @ ground  # (W, B, Z)
        self.att = side_ground + 0.5 * side_ground @ s.adjacent  # (W, B, Z)
        self.side_air = (plan.member_f @ air[:, :, None])[:, :, 0]  # (W, B), one matrix-vector product each
        self.exp_air = 0.5 * p["air_weight"] * self.side_air
        self.defends = plan.cols(plan.friend, ctrl)  # (W, A, Z)
        self.def_ground, self.dfn = _defence(s, self.defends, ctrl, ground, air)  # (W, Z)
        self._agreements(ws)
        # a zone's threat: the best hostile side's chance if it attacked with expected air
        self.hostile_ctrl = plan.cols(s.hostile, ctrl)  # (W, B, Z) b is hostile to the holder
        hostile_z = self.hostile_ctrl & (self.att > 0.2) & plan.a_side
        self.p_att = np.where(hostile_z, csf(self.att + self.exp_air[:, :, None], self.dfn[:, None, :],
                                             p["decisiveness"]), 0.0)
        self.threat_side = np.where(hostile_z.any(1), self.p_att.argmax(1), -1)  # (W, Z)
        self.threat = 0.5 * self.p_att.max(1)
        # leverage bookkeeping for entries
        self.support = supports(ws, self.ground, self.control)  # (W, A)
        self.S = self.support.sum(1)
        # (W, N_PATRONS) the main ones first (a stable sort, as sorted() by -support), -1 for none
        order = np.argsort(-self.support[:, plan.patrons], axis=1, kind="stable")[:, :N_PATRONS]
        self.patrons = np.full((W, N_PATRONS), -1)
        self.patrons[:, :plan.n_patrons] = plan.patrons[order]
        self.share = np.divide(self.support, self.S[:, None], out=np.zeros((W, A)), where=self.S[:, None] > 0)
        self.is_patron = np.zeros((W, A), bool)
        self.is_patron[self.wi, self.patrons[:, :plan.n_patrons]] = True
        threat_total, own = strengths(s, ground, self.reserve)
        # dDependence per unit of hostile and of own strength (on Python floats: the bits of numpy's scalars)
        dd = [(R / (T + R)**2, -T / (T + R)**2) if T + R > 0 else (0.0, 0.0)
              for T, R in zip(threat_total.tolist(), own.tolist())]
        self.dD_threat, self.dD_own = np.array(dd).T[:, :, None, None, None]  # (W, 1, 1, 1) each
        self.inc = 12 * np.maximum(_stack([w.income for w in ws]), 0.5)  # spending against a year's income
        self.restraint = np.where(self.pressed_until >= self.turn[:, None], p["pressure_restraint"], 0.0)

    def _agreements(self, ws: list[World]) -> None:
        """The agreements in force, zone by zone, in every world."""
        s = ws[0].s
        W, A, Z = len(ws), s.A, s.Z
        known = self.plan.agreement_cells
        zag, n_zones = [-1] * (W * Z), [0] * (W * Z)  # flat (world, zone)
        # (actor, zone) cells world after world, the guarantors' in order, and each world's number
        bound, guaranteed, n_bound, n_guaranteed = [], [], [], []
        for i, w in enumerate(ws):
            nb, ng = len(bound), len(guaranteed)
            for k, ag in enumerate(w.agreements):
                if ag.active(w.turn):
                    zs = ag.zones
                    for z in zs:
                        zag[i * Z + z], n_zones[i * Z + z] = k, len(zs)
                    key = (zs, ag.parties, ag.guarantors)
                    cells = known.get(key)
                    if cells is None:
                        cells = known[key] = ([x * Z + z for x in ag.parties for z in zs],
                                              [g * Z + z for g in ag.guarantors for z in set(zs)])
                    bound += cells[0]
                    guaranteed += cells[1]
            n_bound.append(len(bound) - nb)
            n_guaranteed.append(len(guaranteed) - ng)
        self.zag = np.array(zag).reshape(W, Z)  # index of the agreement covering each zone, -1 if none
        self.n_zones = np.array(n_zones).reshape(W, Z)  # zones of the agreement covering each zone
        self.in_agreement = self.zag >= 0
        first = np.arange(0, W * A * Z, A * Z)  # each world's first cell
        g = np.repeat(first, n_guaranteed) + np.array(guaranteed, int)
        self.guarantor = np.zeros((W, A, Z), bool)
        self.guarantor.ravel()[g] = True
        self.party = self.guarantor.copy()  # bound by the agreement over the zone
        self.party.ravel()[np.repeat(first, n_bound) + np.array(bound, int)] = True
        # the guarantors' ground in each zone, added up agreement by agreement as one world adds it
        self.guar_force = np.zeros((W, Z))
        np.add.at(self.guar_force.ravel(), g // (A * Z) * Z + g % Z, self.ground.ravel()[g])


class _Plan:
    """What scoring reads that the scenario fixes, built once per scenario and layout (kept
    by the SlotLayout): the sides and friends, the effect indices that never change, as a
    template, and the fixed halves of the legality tests."""

    def __init__(self, s: Static, lay: Layout, slots: SlotLayout):
        A, Z = s.A, s.Z
        self.s, self.lay = s, lay
        self.ar, self.az = ar, az = np.arange(A), np.arange(Z)
        self.ar_col = ar[:, None]
        self.member = s.fights_for[None, :] == ar[:, None]  # member[b, x]: x fights for b
        self.member_f = self.member.astype(float)
        self.a_side = self.member.any(1)[:, None]  # (B, 1) b is a side: someone fights for it
        self.friend = (s.fights_for[:, None] == ar[None, :]) | (s.alignment > 0.3) | np.eye(A, dtype=bool)
        # for each actor c, those who count among the defenders of the zones c holds
        self.friends_of = [np.flatnonzero(col).tolist() for col in self.friend.T]
        self.patrons = np.array(s.patrons, int)
        self.n_patrons = min(len(s.patrons), N_PATRONS)
        idx = np.full((A, slots.width, K + lay.K), lay.size, dtype=np.int64)

        def put(action: str, n: int, entry: int, value) -> None:
            idx[:, slots.start[action]:slots.start[action] + n, entry] = value

        spend, stand, pres = lay.SPEND(ar)[:, None], lay.STAND(ar)[:, None], lay.P(ar[:, None], az[None, :])
        fit = lay.FIT(ar[:, None], np.arange(lay.K)[None, :])[:, None, :]  # the actor's own settlement fit
        for action in ("ground_offensive", "air_campaign"):
            put(action, Z, E_GAIN, lay.X(az[None, :], s.fights_for[:, None]))
            put(action, Z, E_SPEND, spend)
            put(action, Z, E_STAND, stand)
        put("ground_offensive", Z, E_CAS, lay.CAS(ar)[:, None])
        for action in ("reinforce", "withdraw"):
            put(action, Z, E_SPEND, spend)
            put(action, Z, E_PRES, pres)
            idx[:, slots.start[action]:slots.start[action] + Z, E_FIT:] = fit
        for action in ("propose_ceasefire", "propose_deescalation", "guarantee"):
            put(action, Z, E_SPEND, spend)
            put(action, Z, E_STAND, stand)
        put("guarantee", Z, E_PRES, pres)
        put("pressure_client", A, E_STAND, stand)
        put("sanctions", A, E_SPEND, spend)
        put("sanctions", A, E_MISC, lay.SANC(ar)[None, :])
        put("aid", A, E_SPEND, spend)
        idx[:, slots.aid:slots.aid + A, E_FIT:] = fit
        self.idx = idx

        def allowed(action: str) -> np.ndarray:
            return s.allowed[:, ACTIONS.index(action)][:, None]

        others = ~np.eye(A, dtype=bool)
        eligible = ~s.excluded[:, None]
        self.ok = {a: allowed(a) for a in ("ground_offensive", "air_campaign", "reinforce", "withdraw")}
        for a in ("propose_ceasefire", "propose_deescalation"):
            self.ok[a] = allowed(a) & eligible & (s.caps[:, 3] >= 3)[:, None]
        self.ok["guarantee"] = allowed("guarantee") & eligible & (s.caps[:, 3] >= 4)[:, None]
        self.ok["pressure_client"] = allowed("pressure_client") & s.clients
        # sanctions bite on states, not militias
        self.ok["sanctions"] = (allowed("sanctions") & (s.alignment < -0.2) & (s.caps[:, 2] >= 4)[:, None] & others
                                & np.isin(ar, s.powers)[None, :])
        self.ok["aid"] = allowed("aid") & (s.clients | (s.alignment >= 0.4)) & others
        self.conveners = [a for a in range(A) if allowed("convene_talks")[a, 0] and not s.excluded[a]
                          and s.caps[a, 3] >= 4]
        self.hostile_b = s.hostile[s.fights_for]  # hostile[b[a], c]
        # reinforce, then withdraw: the sign of the move and the cost
        self.sign = np.array([1.0, -1.0])[None, :, None]
        self.redeploy_cost = np.array([CATALOGUE["reinforce"].cost, CATALOGUE["withdraw"].cost])[None, :, None]
        self.regime_side = (s.fights_for == s.regime)[:, None]  # whose captures go to the regime
        self._G: np.ndarray | None = None
        # the (actor, zone) cells of an agreement's parties and guarantors, by its zones, parties, guarantors
        self.agreement_cells: dict[tuple, tuple[list, list]] = {}

    def cols(self, m: np.ndarray, j: np.ndarray) -> np.ndarray:
        """(W, A, Z) m[:, j[w]] of an (A, A) m for every world w of j (W, Z)."""
        return m[self.ar_col, j[:, None, :]]

    def flat_g(self, G: np.ndarray) -> np.ndarray:
        """G with a zero column for the dummy index, flattened (kept while G is the same)."""
        if self._G is not G:
            self._G, self._gx = G, np.concatenate([G, np.zeros((G.shape[0], 1))], axis=1).ravel()
        return self._gx

    @staticmethod
    def of(s: Static, lay: Layout, slots: SlotLayout) -> "_Plan":
        plan = slots.plan
        if plan is None or plan.s is not s or plan.lay != lay:
            plan = slots.plan = _Plan(s, lay, slots)
        return plan


def score(w: World, lay: Layout, G: np.ndarray, slots: SlotLayout) -> tuple[Scored, Context]:
    """Score every slot of every actor; returns the scores and the shared context."""
    return score_many([w], lay, G, slots)[0]


def score_many(ws: list[World], lay: Layout, G: np.ndarray, slots: SlotLayout) -> list[tuple[Scored, Context]]:
    """score() of several worlds of one scenario (sharing its Static) at once: numpy over
    (world, actor, target) together. Each world's result is bitwise what it gets alone (its
    rows go through the same operations in the same order), whatever the other worlds; its
    arrays are views of the batch's."""
    if not ws:
        return []
    s = ws[0].s
    p = s.params
    A, Z = s.A, s.Z
    W = len(ws)
    plan = _Plan.of(s, lay, slots)
    bx = _Batch(ws, plan)
    ok_static = plan.ok
    # idx and val in one block: freed together, the allocator keeps it for the next batch
    # instead of handing big blocks back to the system and faulting them in again
    buf = np.empty((2, W) + plan.idx.shape)
    idx = buf[0].view(np.int64)
    idx[:] = plan.idx
    val = buf[1]
    val[:] = 0.0
    legal = np.zeros((W, A, slots.width), bool)
    ar, az = plan.ar, plan.az
    wi = bx.wi
    ff = s.fights_for
    ctrl, ground, air, reserve, treasury = bx.control, bx.ground, bx.air, bx.reserve, bx.treasury
    m = p["decisiveness"]
    b = ff  # each actor's beneficiary
    # an actor attacks zones held by those it is hostile to, on its own side's behalf
    hostile_bz = bx.hostile_ctrl & plan.cols(plan.hostile_b, ctrl)  # (W, A, Z)
    own_near = ground + 0.5 * ground @ s.adjacent  # (W, A, Z)
    violating = bx.party | bx.party[:, b]  # attacking here breaks an agreement the actor is bound by
    inc = bx.inc[:, :, None]
    held_wz = lay.X(az, ctrl)  # (W, Z) metric "z held by its holder"
    ts = np.maximum(bx.threat_side, 0)
    taken_wz = lay.X(az, ts)  # (W, Z) metric "z held by the side threatening it"
    held, taken = held_wz[:, None, :], taken_wz[:, None, :]
    held_twice = np.concatenate([held, held], axis=2)  # over the slots of two actions side by side
    D_now = bx.dependence[:, None, None]
    n_pats = plan.n_patrons
    pats = bx.patrons[:, :n_pats]
    lev = lay.LEV(pats).T[:, :, None, None]  # (patron, W, 1, 1)
    share = bx.share[wi, pats].T[:, :, None, None]
    # bargaining: how a change of clout moves each issue's forecast, and which way suits whom
    table = s.issues
    if lay.K:
        fc_grad = gradients(ws, table, capabilities(ws, ground, air, bx.sanctions))  # (W, A, K)
        fc_dir = fit_directions(ws, table)  # (W, A, K)

    def span(start: int, n: int = Z) -> slice:
        return slice(start, start + n)

    def put_leverage(sl: slice, dD, dshare: np.ndarray | None = None):
        """Leverage entries for the regime's main patrons: dLEV_x = dD*share_x + D*dshare_x
        (dD an array or 0.0, dshare by patron first)."""
        v = dD * share
        if dshare is not None:
            v = v + D_now * dshare
        for j in range(n_pats):  # the entries one by one: the patron axis is short
            idx[:, :, sl, E_LEV + j] = lev[j]
            val[:, :, sl, E_LEV + j] = v[j]

    def put_control(sl: slice, dp: np.ndarray, gain, loss):
        if gain is not None:
            idx[:, :, sl, E_GAIN] = gain
        idx[:, :, sl, E_LOSS] = loss
        val[:, :, sl, E_GAIN] = dp
        val[:, :, sl, E_LOSS] = -dp

    def put_fit(sl: slice, v: np.ndarray):
        """Settlement-fit entries, given by issue first (the issue axis is short)."""
        for k in range(lay.K):
            val[:, :, sl, E_FIT + k] = v[k]

    # --- air campaign and ground offensive (adjacent slots: both tracks as (W, A, 2, Z)) --
    sl = span(slots.air, 2 * Z)
    ok_air = ok_static["air_campaign"] & (air > 0)[:, :, None] & hostile_bz
    ok_air &= treasury[:, :, None] >= CATALOGUE["air_campaign"].cost
    ok_ground = ok_static["ground_offensive"] & hostile_bz & (own_near > 0.2)
    ok_ground &= treasury[:, :, None] >= CATALOGUE["ground_offensive"].cost
    legal[:, :, sl] = np.concatenate([ok_air, ok_ground], axis=2)
    att_b = bx.att[:, b]  # (W, A, Z) the actor's side's strength
    base = att_b + bx.exp_air[:, b][:, :, None]
    # a pressed client's offensives inside agreement zones go without its patron's support
    attack = base * (1 - bx.restraint[:, :, None] * bx.in_agreement[:, None, :])
    shield = p["guarantor_shield"] * bx.guar_force[:, None, :] * violating
    dfn = bx.dfn[:, None, :] + shield
    wear = 1 - np.minimum(p["air_attrition"] * air, 0.5)[:, :, None]
    # the air's edge (with it, without it) for a side attack, and the offensive's chance
    with_air, without, pwin = csf(np.array([base + p["air_weight"] * air[:, :, None], base, attack]),
                                  np.array([dfn * wear, dfn, dfn]), m)
    side_attacks = np.where(att_b > 0.2, 0.5, 0.0)  # chance the side attacks there this month
    dp = np.empty((W, A, 2, Z))
    dp[:, :, 0], dp[:, :, 1] = side_attacks * np.maximum(with_air - without, 0.0), pwin
    put_control(sl, dp.reshape(W, A, 2 * Z), None, held_twice)
    breach = -p["violation_standing"] * violating
    for action, part in (("air_campaign", span(slots.air)), ("ground_offensive", span(slots.ground))):
        val[:, :, part, E_SPEND] = CATALOGUE[action].cost / inc
        val[:, :, part, E_STAND] = breach
    committed = own_near
    val[:, :, span(slots.ground), E_CAS] = ((p["attack_loss"] + (1 - pwin) * p["fail_extra_loss"]) * committed
                                            / s.norm[:, None])
    # dD when zones change hands with chance dp: hostile or regime strength falls there
    lost = -dp * p["win_loss"] * bx.def_ground[:, None, None, :]
    regime_gains = (plan.regime_side & s.hostile[s.regime][ctrl][:, None, :])[:, :, None, :]
    regime_loses = (~plan.regime_side & (ctrl == s.regime)[:, None, :])[:, :, None, :]
    dD = bx.dD_threat * np.where(regime_gains, lost, 0.0) + bx.dD_own * np.where(regime_loses, lost, 0.0)
    put_leverage(sl, dD.reshape(W, A, 2 * Z))

    # --- reinforce and withdraw (adjacent slots, as (W, A, 2, Z)) ------------------------
    sl = span(slots.reinforce, 2 * Z)
    has_threat = bx.threat_side >= 0
    defends = bx.defends  # (W, A, Z): actor counts among the zone's defenders
    ok_in = defends & (reserve >= 0.25)[:, :, None] & ok_static["reinforce"]
    ok_in &= treasury[:, :, None] >= CATALOGUE["reinforce"].cost
    ok_out = (ground > 0.05) & ok_static["withdraw"]
    ok_out &= treasury[:, :, None] >= CATALOGUE["withdraw"].cost
    legal[:, :, sl] = np.concatenate([ok_in, ok_out], axis=2)
    sign, cost = plan.sign, plan.redeploy_cost
    delta = np.empty((W, A, 2, Z))  # units moved
    delta[:, :, 0] = np.minimum(p["redeploy"], reserve)[:, :, None]
    delta[:, :, 1] = np.minimum(p["redeploy"], ground)
    moved = sign * delta
    new_dfn = bx.dfn[:, None, None, :] + sign * p["defender_bonus"] * delta * defends[:, :, None, :]
    # the threatening side's strength, with its expected air, in each zone
    side_att = bx.att[wi, ts, az] + bx.exp_air[wi, ts]
    p_new = 0.5 * csf(side_att[:, None, None, :], np.maximum(new_dfn, 1e-6), m)
    dthreat = p["horizon"] * np.where((has_threat[:, None, :] & defends)[:, :, None, :],
                                      bx.threat[:, None, None, :] - p_new, 0.0)
    put_control(sl, dthreat.reshape(W, A, 2 * Z), held_twice, np.concatenate([taken, taken], axis=2))
    val[:, :, sl, E_SPEND] = ((cost + sign * p["ground_upkeep"] * delta) / inc[..., None]).reshape(W, A, 2 * Z)
    val[:, :, sl, E_PRES] = (moved / s.norm[:, None, None]).reshape(W, A, 2 * Z)
    # a patron's troops in regime zones are support that buys leverage
    dsup = moved * (ff[ctrl] == s.regime)[:, None, None, :] * bx.is_patron[:, :, None, None]
    put_leverage(sl, 0.0, _share_change(bx, dsup).reshape(n_pats, W, A, 2 * Z))
    if lay.K:  # forces in Syria are clout at the bargaining table
        put_fit(sl, (fc_dir * fc_grad).transpose(2, 0, 1)[..., None] * moved.reshape(W, A, 2 * Z))

    legal[:, :, slots.hold] = True
    legal[:, :, slots.wait] = True

    # --- proposals: ceasefire and de-escalation -------------------------------------------
    pending_zone = np.zeros((W, Z), bool)
    pending_zone.ravel()[[i * Z + pr.zone for i, w in enumerate(ws) for pr in w.proposals if pr.zone >= 0]] = True
    trust_in = (1 + bx.trust) / 2  # (W, A, A) chance row goes along with column
    trust_in[:, ar, ar] = 1.0
    threatened = (bx.threat > 0.05) & ~bx.in_agreement & ~pending_zone
    q = np.ones((W, A, Z))
    tw, tz = np.nonzero(threatened)
    if tz.size:  # the parties to a ceasefire in each such zone, as _ceasefire_parties finds them
        near = ground + ground @ s.adjacent  # (W, A, Z) forces in or next to each zone
        side = bx.threat_side[tw, tz]
        sided = side >= 0
        parties = plan.member[side] & (near[tw, :, tz] > 0) & sided[:, None]  # (zones, A)
        parties[np.flatnonzero(sided), side[sided]] = True
        parties[np.arange(tz.size), ctrl[tw, tz]] = True
        parties &= ~s.excluded
        # the least willing of them decides: lowest (1 + trust) / 2 in the proposer
        least = np.where(parties[:, :, None], trust_in[tw], np.inf).min(1)
        q[tw, :, tz] = np.where(parties.any(1)[:, None], least, 1.0)
    # only an actor with a stake proposes: a friend of the holder or of the side threatening it
    stake = defends | plan.cols(plan.friend, ts) | plan.cols(s.clients, ctrl) | plan.cols(s.clients, ts)
    protection = p["horizon"] * q * bx.threat[:, None, :]
    for action, bonus in (("propose_ceasefire", MEMBER_BONUS), ("propose_deescalation", GUARANTEE_BONUS)):
        sl = span(slots.start[action])
        legal[:, :, sl] = ok_static[action] & threatened[:, None, :] & stake
        put_control(sl, protection, held, taken)
        val[:, :, sl, E_SPEND] = CATALOGUE[action].cost / inc
        val[:, :, sl, E_STAND] = q * bonus

    # --- guarantee ------------------------------------------------------------------------
    sl = span(slots.guarantee)
    ok = ok_static["guarantee"] & bx.in_agreement[:, None, :] & ~bx.guarantor
    ok &= (reserve >= 0.5)[:, :, None] & ~bx.hostile_ctrl & ~bx.party
    ok &= ctrl[:, None, :] != ar[:, None]
    legal[:, :, sl] = ok
    val[:, :, sl, E_SPEND] = (CATALOGUE["guarantee"].cost + p["ground_upkeep"] * 0.5) / inc
    # a guarantor stands behind every zone of the agreement
    val[:, :, sl, E_STAND] = GUARANTEE_BONUS * bx.n_zones[:, None, :]
    val[:, :, sl, E_PRES] = 0.5 / s.norm[:, None]

    # --- convene talks --------------------------------------------------------------------
    _convene(ws, bx, slots.convene, trust_in, legal, idx, val)

    # --- pressure a client ----------------------------------------------------------------
    sl = span(slots.pressure, A)
    legal[:, :, sl] = ok_static["pressure_client"] & (bx.pressed_until < bx.turn[:, None])[:, None, :]
    # expected: the embarrassment of the client's next violations of its guarantees avoided
    val[:, :, sl, E_STAND] = p["guarantor_embarrassment"] * bx.grievance.transpose(0, 2, 1)

    # --- sanctions ------------------------------------------------------------------------
    sl = span(slots.sanctions, A)
    legal[:, :, sl] = ok_static["sanctions"] & (bx.sanctions < 1)[:, None, :]
    val[:, :, sl, E_SPEND] = CATALOGUE["sanctions"].cost / inc
    val[:, :, sl, E_MISC] = np.minimum(p["sanctions_step"], 1 - bx.sanctions)[:, None, :]

    # --- aid ------------------------------------------------------------------------------
    sl = span(slots.aid, A)
    legal[:, :, sl] = ok_static["aid"] & (treasury >= p["aid_amount"] + 0.5)[:, :, None]
    zstar = _riskiest(defends, bx.threat, s.value)  # (W, A) where each recipient would put the arms
    has_z = zstar >= 0
    zs = np.maximum(zstar, 0)
    arms = p["aid_arms"]
    side = ts[wi, zs]  # (W, A) the side threatening each recipient's zone
    new_p = 0.5 * csf(bx.att[wi, side, zs] + bx.exp_air[wi, side], bx.dfn[wi, zs] + p["defender_bonus"] * arms, m)
    dthr = p["horizon"] * np.where(has_z, bx.threat[wi, zs] - new_p, 0.0)
    put_control(sl, dthr[:, None, :], held_wz[wi, zs][:, None, :], taken_wz[wi, zs][:, None, :])
    idx[:, :, sl, E_PRES] = lay.P(ar, zs)[:, None, :]
    val[:, :, sl, E_PRES] = np.where(has_z, arms / s.norm, 0.0)[:, None, :]
    val[:, :, sl, E_SPEND] = (p["aid_amount"] + CATALOGUE["aid"].cost) / inc
    to_regime = np.zeros((W, A, A))
    to_regime[:, :, s.regime] = p["aid_amount"] * bx.is_patron
    put_leverage(sl, 0.0, _share_change(bx, to_regime))
    if lay.K:  # the recipient's arms are its clout at the table
        put_fit(sl, (fc_dir.transpose(2, 0, 1)[..., None] * fc_grad.transpose(2, 0, 1)[:, :, None, :]
                     * np.where(has_z, arms, 0.0)[:, None, :]))

    # --- trades ---------------------------------------------------------------------------
    trade_values = [_trades(w, lay, G, slots, trust_in[i], bx.inc[i], idx[i], val[i], legal[i])
                    for i, w in enumerate(ws)] if s.trades else [{} for _ in ws]  # none in the scenario

    # utility G[actor] . dM of the legal candidates (the rest stay -inf)
    cand = np.flatnonzero(legal)
    E = idx.shape[3]
    at = idx.reshape(-1, E).take(cand, 0)  # take: faster than fancy indexing for rows
    at += (cand // slots.width % A * (lay.size + 1))[:, None]  # into the candidate's actor's row of G
    g = plan.flat_g(G).take(at)
    g *= val.reshape(-1, E).take(cand, 0)
    util = np.full((W, A, slots.width), -np.inf)
    # g.sum(-1) bitwise: numpy's order for each row, column after column (fast for short rows)
    util.ravel()[cand] = _sum(list(g.T))
    return [(Scored(*rows), Context(w, lay, plan, bx, i))
            for i, (w, rows) in enumerate(zip(ws, zip(util, legal, idx, val, bx.threat, bx.threat_side, trade_values)))]


def _convene(ws: list[World], bx: _Batch, c: int, trust_in: np.ndarray, legal, idx, val) -> None:
    """The convene-talks slot c of every convener in every world: worth the convener bonus,
    by the urgency of a round of its own talks, or else by the invitees' mean trust in it."""
    lay = bx.plan.lay
    lapse = ws[0].s.params["talks_lapse"]
    conveners = bx.plan.conveners
    cells, framework, urgency = [], [], []  # (world, convener) of the legal slots; of those with a framework
    invited: dict[int, list] = {}  # number of invitees -> [[world, convener, *invitees]]
    for i, w in enumerate(ws):
        own_fw = {f.convener: f for f in w.active_frameworks()}
        pending_talks = {pr.proposer for pr in w.proposals if pr.kind == "talks"}
        for a in conveners:
            if a in pending_talks:
                continue
            f = own_fw.get(a)
            if f is not None:
                framework.append((i, a))
                urgency.append(1.0 if w.turn - f.last_round >= lapse - 1 else 0.1)
            else:
                invitees = _talks_invitees(w, a)
                if not invitees:
                    continue
                invited.setdefault(len(invitees), []).append([i, a] + invitees)
            cells.append((i, a))
    if not cells:
        return
    iw, a = np.array(cells).T
    legal[iw, a, c] = True
    idx[iw, a, c, E_STAND] = lay.STAND(a)
    idx[iw, a, c, E_SPEND] = lay.SPEND(a)
    val[iw, a, c, E_SPEND] = CATALOGUE["convene_talks"].cost / bx.inc[iw, a]
    if framework:
        iw, a = np.array(framework).T
        val[iw, a, c, E_STAND] = CONVENER_BONUS * np.array(urgency)
    for n, cases in invited.items():  # their mean trust, summed row by row as one world sums it
        case = np.array(cases)
        iw, a = case[:, 0], case[:, 1]
        trust = np.add.reduce(trust_in[iw[:, None], case[:, 2:], a[:, None]], axis=1)
        val[iw, a, c, E_STAND] = trust / n * (CONVENER_BONUS + 0.05)


def _trades(w: World, lay: Layout, G: np.ndarray, slots: SlotLayout, trust_in, inc, idx, val, legal) -> dict:
    """The offer-trade slots of one world (its rows of the batch): the trades open now, valued."""
    s = w.s
    pending_trades = {pr.trade for pr in w.proposals if pr.kind == "trade"}
    open_trades = [k for k, t in enumerate(s.trades)
                   if s.allowed[s.actor(t.proposer), ACTIONS.index("offer_trade")] and k not in pending_trades
                   and f"trade:{t.id}" not in w.fired and w.turn >= w.trade_open[k]]
    trade_values = trades.values(w, lay, G, open_trades) if open_trades else {}
    for k, v in trade_values.items():
        a, to = v.proposer, v.to
        slot = slots.trade + k
        legal[a, slot] = True
        # worth offering only if some terms suit both; then it lands as far as the other trusts us
        q_acc = trust_in[to, a] if v.zone is not None else 0.0
        d0, d1 = v.dM_p
        _put_dense(idx, val, a, slot, q_acc * (d0 + v.offer_p * (d1 - d0)))
        idx[a, slot, E_SPEND] = lay.SPEND(a)
        val[a, slot, E_SPEND] = CATALOGUE["offer_trade"].cost / inc[a]
    return trade_values


def _share_change(bx: _Batch, dsup: np.ndarray) -> np.ndarray:
    """(patron, W, A, ...) change of each main patron's support share when actor a adds dsup
    (W, A, ...) in each world; none in a world without support."""
    W = dsup.shape[0]
    ones = (1,) * (dsup.ndim - 2)
    pats = bx.patrons[:, :bx.plan.n_patrons].T  # (patron, W)
    has = bx.S > 0
    S = np.where(has, bx.S, 1.0).reshape((W, 1) + ones)
    newS = np.maximum(S + dsup, 1e-9)
    own = (bx.plan.ar == pats[:, :, None]).reshape(pats.shape + (-1,) + ones)  # the patron itself adds
    sup = bx.support[bx.wi[:, 0], pats].reshape(pats.shape + (1,) + ones)
    out = (sup + dsup * own) / newS - sup / S
    if not has.all():
        out[:, ~has] = 0.0
    return out


def _put_dense(idx, val, a: int, slot: int, dM: np.ndarray) -> None:
    """Store the largest entries of a dense metric change in a slot's K entries (all but the
    spending entry, which the caller fills with the offer's own cost)."""
    free = [k for k in range(idx.shape[2]) if k != E_SPEND]
    nz = np.flatnonzero(np.abs(dM) > 1e-12)
    top = nz[np.argsort(-np.abs(dM[nz]))][: len(free)]
    for k, m in zip(free, top):
        idx[a, slot, k] = m
        val[a, slot, k] = dM[m]


class _Lists:
    """What the per-world helpers read of a scenario, as Python lists (made once per Static)."""

    def __init__(self, s: Static):
        self.excluded = s.excluded.tolist()
        self.neighbours = [np.flatnonzero(row).tolist() for row in s.adjacent]
        self.around = [[z] + near for z, near in enumerate(self.neighbours)]  # a zone and those next to it
        self.fights_for = ff = s.fights_for.tolist()
        self.members = [[x for x in range(s.A) if ff[x] == b] for b in range(s.A)]  # member[b] listed
        self.can_guarantee = (s.caps[:, 3] >= 4).tolist()
        self.powers = list(s.powers)
        self.value = s.value.tolist()


def _lists(s: Static) -> _Lists:
    return s.derived(_Lists)


def _ceasefire_parties(w: World, cx: Context, z: int) -> list[int]:
    """Who must agree to stop fighting over zone z: its holder and the side threatening it."""
    s = w.s
    ls = _lists(s)
    out = {w.control.item(z)}
    side = cx.threat_side.item(z)
    if side >= 0:
        cells = ls.around[z]
        ground = w.ground
        for x in ls.members[side]:
            row = ground[x].tolist()
            terms = [row[y] for y in cells]
            total = sum(terms)
            if total == total and min(terms) >= 0:  # no nan, no negatives: some force there or next door
                there = total > 0
            else:  # as numpy has it
                there = ground[x, z] + ground[x] @ s.adjacent[z] > 0
            if there:
                out.add(x)
        out.add(side)
    excluded = ls.excluded
    return sorted([x for x in out if not excluded[x]])


def proposal_guarantors(w: World, proposer: int, kind: str, parties: list[int]) -> tuple[int, ...]:
    """Who guarantees a proposed agreement: for a de-escalation zone, the proposer and its
    framework partners; for a ceasefire, the proposer as broker. Never a warring party."""
    ls = _lists(w.s)
    cands = {proposer}
    if kind == "de_escalation":
        fw = next((f for f in w.active_frameworks() if f.convener == proposer), None)
        cands |= set(fw.members if fw else ())
    excluded, able = ls.excluded, ls.can_guarantee
    return tuple(sorted(g for g in cands if g not in parties and not excluded[g] and able[g]))


def _talks_invitees(w: World, convener: int) -> list[int]:
    ls = _lists(w.s)
    trust = w.trust[:, convener].tolist()
    excluded = ls.excluded
    return [x for x in ls.powers if x != convener and not excluded[x] and trust[x] > -0.3]


def _most_threatened(w: World, cx: Context) -> np.ndarray:
    """(A,) for each actor, the zone it defends that is most at risk (by threat x value)."""
    return _riskiest(cx.defends, cx.threat, w.s.value)


def _most_threatened_of(w: World, cx: Context, a: int) -> int:
    """_most_threatened(w, cx)[a], on Python floats: the first zone of the largest positive
    threat x value among those a defends, -1 if none."""
    best, out = 0.0, -1
    for z, (d, t, v) in enumerate(zip(cx.defends[a].tolist(), cx.threat.tolist(), _lists(w.s).value)):
        r = t * v
        if r != r:  # a nan: as numpy has it
            return int(_most_threatened(w, cx)[a])
        if d and r > best:
            best, out = r, z
    return out


def _riskiest(defends: np.ndarray, threat: np.ndarray, value: np.ndarray) -> np.ndarray:
    """(..., A) _most_threatened of one world or of stacked worlds (leading axes), -1 if none."""
    risk = defends * (threat * value)[..., None, :]  # (..., A, Z)
    return np.where(risk.max(-1) > 0, risk.argmax(-1), -1)


def choose(sc: Scored, slots: SlotLayout, temperature: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(A, 2) chosen slot per actor on the military and the diplomatic track.

    A logit choice: argmax of utility plus Gumbel taste shocks scaled by each actor's
    temperature (softmax choice with that temperature)."""
    return choose_many([sc], slots, temperature, [rng])[0]


def choose_many(scored: list[Scored], slots: SlotLayout, temperature: np.ndarray,
                rngs: list[np.random.Generator]) -> list[np.ndarray]:
    """choose() of several worlds of one scenario: each world's shocks drawn from its own
    generator by the same call, the sums and argmaxes done on the stacked (worlds, A, W)."""
    if not scored:
        return []
    A, W = scored[0].utility.shape
    noisy = np.array([rng.gumbel(size=(A, W)) for rng in rngs])  # (n, A, W) the shocks
    noisy *= temperature[:, None]
    noisy += _stack([sc.utility for sc in scored])  # utility + temperature * shock
    nm = slots.n_military
    out = np.empty((len(scored), A, 2), dtype=np.intp)
    out[:, :, 0] = noisy[:, :, :nm].argmax(2)
    out[:, :, 1] = noisy[:, :, nm:].argmax(2)
    out[:, :, 1] += nm
    return list(out)


class ActorTerms:
    """One actor's compiled terms as a matrix, to break a candidate's utility down by term."""

    def __init__(self, terms: list[Term], actor: int):
        self.terms = [t for t in terms if t.actor == actor]
        self.rows = np.array([t.row for t in self.terms])  # (terms, M)
        self.weights = np.array([t.weight for t in self.terms])

    def breakdown(self, idx: np.ndarray, val: np.ndarray, lay: Layout) -> list[tuple[Term, float]]:
        if not self.terms:
            return []
        ok = idx < lay.size
        shares = self.weights * (self.rows[:, idx[ok]] * val[ok]).sum(1)
        return list(zip(self.terms, shares.tolist()))


def breakdown(terms: list[Term], actor: int, idx: np.ndarray, val: np.ndarray, lay: Layout) -> list[tuple[Term, float]]:
    """Each of the actor's terms' share of a candidate's utility."""
    return ActorTerms(terms, actor).breakdown(idx, val, lay)
