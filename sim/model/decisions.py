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
from sim.model.influence import (
    CONVENER_BONUS, GUARANTEE_BONUS, MEMBER_BONUS, Layout, Term, support,
)
from sim.model.issues import capability, fit_direction, gradient
from sim.model.state import ACTIONS, Static, World

K = 10  # effect entries per candidate, plus one per bargaining issue (E_FIT + k)
N_PATRONS = 3  # leverage entries per candidate (the regime's three main patrons)
# entry positions
E_GAIN, E_LOSS, E_SPEND, E_CAS, E_STAND, E_PRES, E_LEV, E_MISC, E_FIT = 0, 1, 2, 3, 4, 5, 6, 9, 10


def csf(att: np.ndarray, dfn: np.ndarray, m: float) -> np.ndarray:
    """Contest success function: the chance that attacker strength att beats dfn."""
    a = np.power(np.maximum(att, 0.0), m)
    d = np.power(np.maximum(dfn, 1e-9), m)
    return a / (a + d)


def defence(w: World, friend: np.ndarray) -> np.ndarray:
    """(Z,) each zone's defensive strength: its defenders' ground, and the air power of the
    holder and of friends with troops there, which flies close support."""
    s = w.s
    p = s.params
    defenders = friend[:, w.control]  # (A, Z)
    ground = (defenders * w.ground).sum(0)
    flying = defenders & ((w.ground > 0) | (w.control[None, :] == np.arange(s.A)[:, None]))
    air = 0.5 * p["air_weight"] * (flying * w.air[:, None]).sum(0)
    return p["defender_bonus"] * (ground + 0.3) + air


def defence_of(w: World, defenders: np.ndarray, z: int) -> float:
    """defence(w, friend)[z] for zone z alone, given its (A,) defenders: the same sums, term
    by term in actor order as numpy adds a column."""
    p = w.s.params
    holder = int(w.control[z])
    ground = air = 0.0
    for a, (d, g, f) in enumerate(zip(defenders.tolist(), w.ground[:, z].tolist(), w.air.tolist())):
        ground += float(d) * g
        air += float(d and (g > 0 or a == holder)) * f
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


class Context:
    """Per-turn quantities shared by scoring, responses and explanations."""

    def __init__(self, w: World, lay: Layout, plan: "_Plan | None" = None):
        s = w.s
        p = s.params
        self.w, self.s, self.lay = w, s, lay
        plan = plan or _Plan.of(s, lay, SlotLayout(s.A, s.Z, len(s.trades)))
        A, Z = s.A, s.Z
        ctrl = w.control
        member = plan.member  # (B, A): x fights for b
        self.member = member
        side_ground = plan.member_f @ w.ground  # (B, Z)
        self.att = side_ground + 0.5 * side_ground @ s.adjacent  # (B, Z)
        self.side_air = plan.member_f @ w.air  # (B,)
        self.exp_air = 0.5 * p["air_weight"] * self.side_air
        # friend[x, c]: x counts among the defenders of zones that c holds
        self.friend = plan.friend
        self.defends = self.friend[:, ctrl]  # (A, Z)
        self.def_ground = (self.defends * w.ground).sum(0)  # (Z,)
        self.dfn = defence(w, self.friend)
        # the agreements in force, zone by zone
        zag = np.full(Z, -1)
        n_zones = np.zeros(Z, int)
        guar_force = [0.0] * Z
        bound, guaranteeing = [], []  # flat (actor, zone) cells
        for i, ag in enumerate(w.agreements):
            if ag.active(w.turn):
                zs = list(ag.zones)
                zag[zs] = i
                n_zones[zs] = len(zs)
                bound += [x * Z + z for x in ag.parties + ag.guarantors for z in zs]
                guaranteeing += [g * Z + z for g in ag.guarantors for z in zs]
                for g in ag.guarantors:
                    for z in set(zs):
                        guar_force[z] += w.ground[g, z]
        self.zag = zag
        self.n_zones = n_zones  # zones of the agreement covering each zone
        self.guar_force = np.array(guar_force)
        self.in_agreement = zag >= 0
        self.party = np.zeros((A, Z), bool)  # bound by the agreement over the zone
        self.party.ravel()[bound] = True
        self.guarantor = np.zeros((A, Z), bool)
        self.guarantor.ravel()[guaranteeing] = True
        # a zone's threat: the best hostile side's chance if it attacked with expected air
        hostile_z = s.hostile[:, ctrl] & (self.att > 0.2) & plan.a_side  # (B, Z)
        self.p_att = np.where(hostile_z, csf(self.att + self.exp_air[:, None], self.dfn[None, :],
                                             p["decisiveness"]), 0.0)
        self.threat_side = np.where(hostile_z.any(0), self.p_att.argmax(0), -1)
        self.threat = 0.5 * self.p_att.max(0)
        # leverage bookkeeping for entries
        self.support = support(w)
        self.S = self.support.sum()
        pats = sorted(s.patrons, key=lambda x: -self.support[x])[:N_PATRONS]
        self.patrons = np.array(pats + [-1] * (N_PATRONS - len(pats)))
        self.share = self.support / self.S if self.S > 0 else np.zeros(A)
        self.is_patron = np.zeros(A, bool)
        self.is_patron[pats] = True
        threat_total = w.ground[s.hostile[s.regime]].sum()
        own = w.ground[s.regime].sum() + w.reserve[s.regime]
        self.T, self.R = threat_total, own
        self.inc = 12 * np.maximum(w.income, 0.5)  # spending is counted against a year's income
        self.restraint = np.where(w.pressed_until >= w.turn, p["pressure_restraint"], 0.0)

    def dD_from_threat(self, dT):
        """Change of Damascus' dependence for a change dT of hostile strength."""
        tot = self.T + self.R
        return self.R / tot**2 * dT if tot > 0 else 0.0 * dT

    def dD_from_own(self, dR):
        tot = self.T + self.R
        return -self.T / tot**2 * dR if tot > 0 else 0.0 * dR


class _Plan:
    """What scoring reads that the scenario fixes, built once per scenario and layout (kept
    by the SlotLayout): the sides and friends, the effect indices that never change, as a
    template, and the fixed halves of the legality tests."""

    def __init__(self, s: Static, lay: Layout, slots: SlotLayout):
        A, Z = s.A, s.Z
        self.s, self.lay = s, lay
        self.ar, self.az = ar, az = np.arange(A), np.arange(Z)
        self.member = s.fights_for[None, :] == ar[:, None]  # member[b, x]: x fights for b
        self.member_f = self.member.astype(float)
        self.a_side = self.member.any(1)[:, None]  # (B, 1) b is a side: someone fights for it
        self.friend = (s.fights_for[:, None] == ar[None, :]) | (s.alignment > 0.3) | np.eye(A, dtype=bool)
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
    s = w.s
    p = s.params
    A, Z = s.A, s.Z
    plan = _Plan.of(s, lay, slots)
    cx = Context(w, lay, plan)
    ok_static = plan.ok
    idx = plan.idx.copy()
    val = np.zeros(idx.shape)
    legal = np.zeros((A, slots.width), bool)
    ar, az = plan.ar, plan.az
    ff = s.fights_for
    ctrl = w.control
    m = p["decisiveness"]
    b = ff  # each actor's beneficiary
    # an actor attacks zones held by those it is hostile to, on its own side's behalf
    hostile_bz = s.hostile[:, ctrl] & plan.hostile_b[:, ctrl]  # (A, Z)
    own_near = w.ground + 0.5 * w.ground @ s.adjacent  # (A, Z)
    violating = cx.party | cx.party[b]  # attacking here breaks an agreement the actor is bound by
    inc = cx.inc[:, None]
    held = lay.X(az, ctrl)  # (Z,) metric "z held by its holder"
    ts = np.maximum(cx.threat_side, 0)
    taken = lay.X(az, ts)  # (Z,) metric "z held by the side threatening it"
    D_now = w.dependence
    pats = cx.patrons[:plan.n_patrons]
    lev, share = lay.LEV(pats), cx.share[pats]
    # bargaining: how a change of clout moves each issue's forecast, and which way suits whom
    table = s.issues
    if lay.K:
        fc_grad = gradient(w, table, capability(w))  # (A, K)
        fc_dir = fit_direction(w, table)  # (A, K)

    def span(start: int, n: int = Z) -> slice:
        return slice(start, start + n)

    def put_leverage(sl: slice, dD: np.ndarray, dshare: np.ndarray | None = None):
        """Leverage entries for the regime's main patrons: dLEV_x = dD*share_x + D*dshare_x."""
        v = dD[..., None] * share
        if dshare is not None:
            v = v + D_now * dshare[..., :len(pats)]
        idx[:, sl, E_LEV:E_LEV + len(pats)] = lev
        val[:, sl, E_LEV:E_LEV + len(pats)] = v

    def put_control(sl: slice, dp: np.ndarray, gain=None, loss=held):
        if gain is not None:
            idx[:, sl, E_GAIN] = gain
        idx[:, sl, E_LOSS] = loss
        val[:, sl, E_GAIN] = dp
        val[:, sl, E_LOSS] = -dp

    # --- air campaign and ground offensive (adjacent slots: both tracks as (A, 2, Z)) -----
    sl = span(slots.air, 2 * Z)
    ok_air = ok_static["air_campaign"] & (w.air > 0)[:, None] & hostile_bz
    ok_air &= w.treasury[:, None] >= CATALOGUE["air_campaign"].cost
    ok_ground = ok_static["ground_offensive"] & hostile_bz & (own_near > 0.2)
    ok_ground &= w.treasury[:, None] >= CATALOGUE["ground_offensive"].cost
    legal[:, sl] = np.concatenate([ok_air, ok_ground], axis=1)
    base = cx.att[b] + cx.exp_air[b][:, None]
    # a pressed client's offensives inside agreement zones go without its patron's support
    attack = base * (1 - cx.restraint[:, None] * cx.in_agreement[None, :])
    shield = p["guarantor_shield"] * cx.guar_force[None, :] * violating
    dfn = cx.dfn[None, :] + shield
    wear = 1 - np.minimum(p["air_attrition"] * w.air, 0.5)[:, None]
    # the air's edge (with it, without it) for a side attack, and the offensive's chance
    with_air, without, pwin = csf(np.array([base + p["air_weight"] * w.air[:, None], base, attack]),
                                  np.array([dfn * wear, dfn, dfn]), m)
    side_attacks = np.where(cx.att[b] > 0.2, 0.5, 0.0)  # chance the side attacks there this month
    dp = np.empty((A, 2, Z))
    dp[:, 0], dp[:, 1] = side_attacks * np.maximum(with_air - without, 0.0), pwin
    put_control(sl, dp.reshape(A, 2 * Z), loss=np.concatenate([held, held]))
    breach = -p["violation_standing"] * violating
    for action, part in (("air_campaign", span(slots.air)), ("ground_offensive", span(slots.ground))):
        val[:, part, E_SPEND] = CATALOGUE[action].cost / inc
        val[:, part, E_STAND] = breach
    committed = own_near
    val[:, span(slots.ground), E_CAS] = ((p["attack_loss"] + (1 - pwin) * p["fail_extra_loss"]) * committed
                                         / s.norm[:, None])
    # dD when zones change hands with chance dp: hostile or regime strength falls there
    lost = -dp * p["win_loss"] * cx.def_ground[None, None, :]
    regime_gains = (plan.regime_side & s.hostile[s.regime][ctrl][None, :])[:, None, :]
    regime_loses = (~plan.regime_side & (ctrl == s.regime)[None, :])[:, None, :]
    dD = cx.dD_from_threat(np.where(regime_gains, lost, 0.0)) + cx.dD_from_own(np.where(regime_loses, lost, 0.0))
    put_leverage(sl, dD.reshape(A, 2 * Z))

    # --- reinforce and withdraw (adjacent slots, as (A, 2, Z)) ---------------------------
    sl = span(slots.reinforce, 2 * Z)
    has_threat = cx.threat_side >= 0
    defends = cx.defends  # (A, Z): actor counts among the zone's defenders
    ok_in = defends & (w.reserve >= 0.25)[:, None] & ok_static["reinforce"]
    ok_in &= w.treasury[:, None] >= CATALOGUE["reinforce"].cost
    ok_out = (w.ground > 0.05) & ok_static["withdraw"]
    ok_out &= w.treasury[:, None] >= CATALOGUE["withdraw"].cost
    legal[:, sl] = np.concatenate([ok_in, ok_out], axis=1)
    sign, cost = plan.sign, plan.redeploy_cost
    delta = np.empty((A, 2, Z))  # units moved
    delta[:, 0] = np.minimum(p["redeploy"], w.reserve)[:, None] * np.ones((1, Z))
    delta[:, 1] = np.minimum(p["redeploy"], w.ground)
    moved = sign * delta
    new_dfn = cx.dfn + sign * p["defender_bonus"] * delta * defends[:, None, :]
    p_new = 0.5 * csf(cx.att[ts, az] + cx.exp_air[ts], np.maximum(new_dfn, 1e-6), m)
    dthreat = p["horizon"] * np.where(has_threat & defends[:, None, :], cx.threat - p_new, 0.0)
    put_control(sl, dthreat.reshape(A, 2 * Z), np.concatenate([held, held]), np.concatenate([taken, taken]))
    val[:, sl, E_SPEND] = ((cost + sign * p["ground_upkeep"] * delta) / inc[:, :, None]).reshape(A, 2 * Z)
    val[:, sl, E_PRES] = (moved / s.norm[:, None, None]).reshape(A, 2 * Z)
    # a patron's troops in regime zones are support that buys leverage
    dsup = moved * (ff[ctrl] == s.regime) * cx.is_patron[:, None, None]
    put_leverage(sl, np.zeros((A, 2 * Z)), _share_change(cx, dsup).reshape(A, 2 * Z, N_PATRONS))
    if lay.K:  # forces in Syria are clout at the bargaining table
        val[:, sl, E_FIT:] = (fc_dir * fc_grad)[:, None, :] * moved.reshape(A, 2 * Z)[:, :, None]

    legal[:, slots.hold] = True
    legal[:, slots.wait] = True

    # --- proposals: ceasefire and de-escalation -------------------------------------------
    pending_zone = np.zeros(Z, bool)
    pending_zone[[pr.zone for pr in w.proposals if pr.zone >= 0]] = True
    trust_in = (1 + w.trust) / 2  # (A, A) chance row goes along with column
    np.fill_diagonal(trust_in, 1.0)
    threatened = (cx.threat > 0.05) & ~cx.in_agreement & ~pending_zone
    q = np.ones((A, Z))
    zs = np.flatnonzero(threatened)
    if zs.size:  # the parties to a ceasefire in each such zone, as _ceasefire_parties finds them
        near = w.ground + w.ground @ s.adjacent  # (A, Z) forces in or next to each zone
        side = cx.threat_side[zs]
        parties = plan.member[side] & (near[:, zs].T > 0) & (side >= 0)[:, None]  # (zones, A)
        parties[np.flatnonzero(side >= 0), side[side >= 0]] = True
        parties[np.arange(zs.size), ctrl[zs]] = True
        parties &= ~s.excluded
        # the least willing of them decides: lowest (1 + trust) / 2 in the proposer
        least = np.where(parties[:, :, None], trust_in[None, :, :], np.inf).min(1)
        q[:, zs] = np.where(parties.any(1)[:, None], least, 1.0).T
    # only an actor with a stake proposes: a friend of the holder or of the side threatening it
    stake = defends | cx.friend[:, ts] | s.clients[:, ctrl] | s.clients[:, ts]
    protection = p["horizon"] * q * cx.threat[None, :]
    for action, bonus in (("propose_ceasefire", MEMBER_BONUS), ("propose_deescalation", GUARANTEE_BONUS)):
        sl = span(slots.start[action])
        legal[:, sl] = ok_static[action] & threatened[None, :] & stake
        put_control(sl, protection, held, taken)
        val[:, sl, E_SPEND] = CATALOGUE[action].cost / inc
        val[:, sl, E_STAND] = q * bonus

    # --- guarantee ------------------------------------------------------------------------
    sl = span(slots.guarantee)
    ok = ok_static["guarantee"] & cx.in_agreement[None, :] & ~cx.guarantor
    ok &= (w.reserve >= 0.5)[:, None] & ~s.hostile[:, ctrl] & ~cx.party
    ok &= ctrl[None, :] != ar[:, None]
    legal[:, sl] = ok
    val[:, sl, E_SPEND] = (CATALOGUE["guarantee"].cost + p["ground_upkeep"] * 0.5) / inc
    # a guarantor stands behind every zone of the agreement
    val[:, sl, E_STAND] = GUARANTEE_BONUS * cx.n_zones[None, :]
    val[:, sl, E_PRES] = 0.5 / s.norm[:, None]

    # --- convene talks --------------------------------------------------------------------
    c = slots.convene
    own_fw = {f.convener: f for f in w.active_frameworks()}
    pending_talks = {pr.proposer for pr in w.proposals if pr.kind == "talks"}
    lapse = p["talks_lapse"]
    for a in plan.conveners:
        if a in pending_talks:
            continue
        f = own_fw.get(a)
        if f is not None:
            urgency = 1.0 if w.turn - f.last_round >= lapse - 1 else 0.1
            gain = CONVENER_BONUS * urgency
        else:
            invitees = _talks_invitees(w, a)
            if not invitees:
                continue
            gain = np.add.reduce(trust_in[invitees, a]) / len(invitees) * (CONVENER_BONUS + 0.05)  # their mean
        legal[a, c] = True
        idx[a, c, E_STAND] = lay.STAND(a)
        val[a, c, E_STAND] = gain
        idx[a, c, E_SPEND] = lay.SPEND(a)
        val[a, c, E_SPEND] = CATALOGUE["convene_talks"].cost / cx.inc[a]

    # --- pressure a client ----------------------------------------------------------------
    sl = span(slots.pressure, A)
    legal[:, sl] = ok_static["pressure_client"] & (w.pressed_until < w.turn)[None, :]
    # expected: the embarrassment of the client's next violations of its guarantees avoided
    val[:, sl, E_STAND] = p["guarantor_embarrassment"] * w.grievance.T

    # --- sanctions ------------------------------------------------------------------------
    sl = span(slots.sanctions, A)
    legal[:, sl] = ok_static["sanctions"] & (w.sanctions < 1)[None, :]
    val[:, sl, E_SPEND] = CATALOGUE["sanctions"].cost / inc
    val[:, sl, E_MISC] = np.minimum(p["sanctions_step"], 1 - w.sanctions)[None, :]

    # --- aid ------------------------------------------------------------------------------
    sl = span(slots.aid, A)
    legal[:, sl] = ok_static["aid"] & (w.treasury >= p["aid_amount"] + 0.5)[:, None]
    zstar = _most_threatened(w, cx)  # (A,) where each recipient would put the arms, -1 if nowhere
    has_z = zstar >= 0
    zs = np.maximum(zstar, 0)
    arms = p["aid_arms"]
    new_p = 0.5 * csf(cx.att[ts[zs], zs] + cx.exp_air[ts[zs]], cx.dfn[zs] + p["defender_bonus"] * arms, m)
    dthr = p["horizon"] * np.where(has_z, cx.threat[zs] - new_p, 0.0)
    put_control(sl, dthr[None, :], held[zs], taken[zs])
    idx[:, sl, E_PRES] = lay.P(ar, zs)[None, :]
    val[:, sl, E_PRES] = np.where(has_z, arms / s.norm, 0.0)[None, :]
    val[:, sl, E_SPEND] = (p["aid_amount"] + CATALOGUE["aid"].cost) / inc
    to_regime = np.zeros((A, A))
    to_regime[:, s.regime] = p["aid_amount"] * cx.is_patron
    put_leverage(sl, np.zeros((A, A)), _share_change(cx, to_regime))
    if lay.K:  # the recipient's arms are its clout at the table
        val[:, sl, E_FIT:] = fc_dir[:, None, :] * fc_grad[None, :, :] * np.where(has_z, arms, 0.0)[None, :, None]

    # --- trades ---------------------------------------------------------------------------
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
        val[a, slot, E_SPEND] = CATALOGUE["offer_trade"].cost / cx.inc[a]

    # utility G[actor] . dM of the legal candidates (the rest stay -inf)
    cand = np.flatnonzero(legal)
    E = idx.shape[2]
    g = plan.flat_g(G)[idx.reshape(-1, E)[cand] + (cand // slots.width * (lay.size + 1))[:, None]]
    util = np.full((A, slots.width), -np.inf)
    util.ravel()[cand] = (g * val.reshape(-1, E)[cand]).sum(-1)
    return Scored(util, legal, idx, val, cx.threat, cx.threat_side, trade_values), cx


def _share_change(cx: Context, dsup: np.ndarray) -> np.ndarray:
    """(..., N_PATRONS) change of each main patron's support share when actor a adds dsup.

    dsup has shape (A, ...); the adding actor is the first index."""
    S = cx.S
    out = np.zeros(dsup.shape + (N_PATRONS,))
    if S <= 0:
        return out
    pats = cx.patrons[cx.patrons >= 0]
    newS = np.maximum(S + dsup, 1e-9)[..., None]
    own = (np.arange(dsup.shape[0])[:, None] == pats[None, :])  # (A, patrons)
    own = own.reshape(own.shape[:1] + (1,) * (dsup.ndim - 1) + own.shape[1:])
    sup = cx.support[pats]
    out[..., :len(pats)] = (sup + dsup[..., None] * own) / newS - sup / S
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


def _ceasefire_parties(w: World, cx: Context, z: int) -> list[int]:
    """Who must agree to stop fighting over zone z: its holder and the side threatening it."""
    s = w.s
    out = {int(w.control[z])}
    side = int(cx.threat_side[z])
    if side >= 0:
        out |= {int(x) for x in np.flatnonzero(cx.member[side]) if w.ground[x, z] + w.ground[x] @ s.adjacent[z] > 0}
        out.add(side)
    return sorted(x for x in out if not s.excluded[x])


def proposal_guarantors(w: World, proposer: int, kind: str, parties: list[int]) -> tuple[int, ...]:
    """Who guarantees a proposed agreement: for a de-escalation zone, the proposer and its
    framework partners; for a ceasefire, the proposer as broker. Never a warring party."""
    s = w.s
    cands = {proposer}
    if kind == "de_escalation":
        fw = next((f for f in w.active_frameworks() if f.convener == proposer), None)
        cands |= set(fw.members if fw else ())
    return tuple(sorted(g for g in cands if g not in parties and not s.excluded[g]
                        and s.caps[g, 3] >= 4))


def _talks_invitees(w: World, convener: int) -> list[int]:
    s = w.s
    return [x for x in s.powers if x != convener and not s.excluded[x] and w.trust[x, convener] > -0.3]


def _most_threatened(w: World, cx: Context) -> np.ndarray:
    """(A,) for each actor, the zone it defends that is most at risk (by threat x value)."""
    risk = cx.defends * (cx.threat * w.s.value)[None, :]  # (A, Z)
    best = risk.argmax(1)
    return np.where(risk.max(1) > 0, best, -1)


def choose(sc: Scored, slots: SlotLayout, temperature: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(A, 2) chosen slot per actor on the military and the diplomatic track.

    A logit choice: argmax of utility plus Gumbel taste shocks scaled by each actor's
    temperature (softmax choice with that temperature)."""
    A, W = sc.utility.shape
    noisy = sc.utility + temperature[:, None] * rng.gumbel(size=(A, W))
    mil = noisy[:, : slots.n_military].argmax(1)
    dip = slots.n_military + noisy[:, slots.n_military:].argmax(1)
    return np.column_stack([mil, dip])


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
