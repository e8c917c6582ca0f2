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
from sim.model.state import ACTIONS, World

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

    def __init__(self, w: World, lay: Layout):
        s = w.s
        p = s.params
        self.w, self.s, self.lay = w, s, lay
        A, Z = s.A, s.Z
        ff = s.fights_for
        ctrl = w.control
        member = ff[None, :] == np.arange(A)[:, None]  # (B, A): x fights for b
        self.member = member
        side_ground = member.astype(float) @ w.ground  # (B, Z)
        self.att = side_ground + 0.5 * side_ground @ s.adjacent  # (B, Z)
        self.side_air = member.astype(float) @ w.air  # (B,)
        self.exp_air = 0.5 * p["air_weight"] * self.side_air
        # friend[x, c]: x counts among the defenders of zones that c holds
        self.friend = (ff[:, None] == np.arange(A)[None, :]) | (s.alignment > 0.3) | np.eye(A, dtype=bool)
        defenders = self.friend[:, ctrl]  # (A, Z)
        self.def_ground = (defenders * w.ground).sum(0)  # (Z,)
        self.dfn = defence(w, self.friend)
        zag = w.zone_agreement()
        self.zag = zag
        self.guar_force = np.zeros(Z)
        self.in_agreement = zag >= 0
        self.party = np.zeros((A, Z), bool)  # bound by the agreement over the zone
        self.guarantor = np.zeros((A, Z), bool)
        for i, ag in enumerate(w.agreements):
            if ag.active(w.turn):
                zs = list(ag.zones)
                for x in ag.parties:
                    self.party[x, zs] = True
                for g in ag.guarantors:
                    self.party[g, zs] = True
                    self.guarantor[g, zs] = True
                    self.guar_force[zs] += w.ground[g, zs]
        # a zone's threat: the best hostile side's chance if it attacked with expected air
        hostile_z = s.hostile[:, ctrl] & (self.att > 0.2) & member.any(1)[:, None]  # (B, Z)
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
        self.is_patron = np.isin(np.arange(A), self.patrons)
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


def score(w: World, lay: Layout, G: np.ndarray, slots: SlotLayout) -> tuple[Scored, Context]:
    """Score every slot of every actor; returns the scores and the shared context."""
    s = w.s
    p = s.params
    A, Z = s.A, s.Z
    cx = Context(w, lay)
    W = slots.width
    dummy = lay.size
    idx = np.full((A, W, K + lay.K), dummy, dtype=np.int64)
    val = np.zeros((A, W, K + lay.K))
    legal = np.zeros((A, W), bool)
    allowed = s.allowed
    ar = np.arange(A)
    az = np.arange(Z)
    ff = s.fights_for
    ctrl = w.control
    m = p["decisiveness"]
    b = ff  # each actor's beneficiary
    # an actor attacks zones held by those it is hostile to, on its own side's behalf
    hostile_bz = s.hostile[:, ctrl] & s.hostile[b][:, ctrl]  # (A, Z)
    own_near = w.ground + 0.5 * w.ground @ s.adjacent  # (A, Z)
    violating = cx.party | cx.party[b]  # attacking here breaks an agreement the actor is bound by
    D_now = w.dependence
    # bargaining: how a change of clout moves each issue's forecast, and which way suits whom
    table = s.issues
    if lay.K:
        fc_grad = gradient(w, table, capability(w))  # (A, K)
        fc_dir = fit_direction(w, table)  # (A, K)

    def put_fit(sl, who: np.ndarray, dcap: np.ndarray):
        """Settlement-fit entries when actor(s) `who` gain dcap of clout: dFIT = dir * grad * dcap."""
        for k in range(lay.K):
            idx[:, sl, E_FIT + k] = lay.FIT(ar, k)[:, None]
            val[:, sl, E_FIT + k] = fc_dir[:, k, None] * fc_grad[who, k] * dcap

    def put_leverage(sl: slice, dD: np.ndarray, dshare: np.ndarray | None = None):
        """Leverage entries for the regime's main patrons: dLEV_x = dD*share_x + D*dshare_x."""
        for j, x in enumerate(cx.patrons):
            if x < 0:
                continue
            v = dD * cx.share[x]
            if dshare is not None:
                v = v + D_now * dshare[..., j]
            idx[:, sl, E_LEV + j] = lay.LEV(x)
            val[:, sl, E_LEV + j] = v

    def put_control(sl: slice, gain_f: np.ndarray, loss_f: np.ndarray, dp: np.ndarray):
        idx[:, sl, E_GAIN] = lay.X(az[None, :], gain_f)
        idx[:, sl, E_LOSS] = lay.X(az[None, :], loss_f)
        val[:, sl, E_GAIN] = dp
        val[:, sl, E_LOSS] = -dp

    def put_spend(sl: slice, money):
        idx[:, sl, E_SPEND] = lay.SPEND(ar)[:, None]
        val[:, sl, E_SPEND] = money / cx.inc[:, None]

    def regime_effect(captor_side: np.ndarray, dp: np.ndarray) -> np.ndarray:
        """dD when zones change hands with chance dp: hostile or regime strength falls there."""
        def_g = cx.def_ground[None, :]
        regime_wins = captor_side == s.regime
        dT = np.where(regime_wins & s.hostile[s.regime][ctrl][None, :], -dp * p["win_loss"] * def_g, 0.0)
        dR = np.where(~regime_wins & (ctrl == s.regime)[None, :], -dp * p["win_loss"] * def_g, 0.0)
        return cx.dD_from_threat(dT) + cx.dD_from_own(dR)

    # --- ground offensive -----------------------------------------------------------------
    sl = slice(slots.ground, slots.ground + Z)
    ok = allowed[:, ACTIONS.index("ground_offensive")][:, None] & hostile_bz & (own_near > 0.2)
    ok &= w.treasury[:, None] >= CATALOGUE["ground_offensive"].cost
    # a pressed client's offensives inside agreement zones go without its patron's support
    attack = (cx.att[b] + cx.exp_air[b][:, None]) * (1 - cx.restraint[:, None] * cx.in_agreement[None, :])
    shield = p["guarantor_shield"] * cx.guar_force[None, :] * violating
    pwin = csf(attack, cx.dfn[None, :] + shield, m)
    legal[:, sl] = ok
    put_control(sl, b[:, None], ctrl[None, :], pwin)
    put_spend(sl, CATALOGUE["ground_offensive"].cost)
    committed = own_near
    idx[:, sl, E_CAS] = lay.CAS(ar)[:, None]
    val[:, sl, E_CAS] = (p["attack_loss"] + (1 - pwin) * p["fail_extra_loss"]) * committed / s.norm[:, None]
    idx[:, sl, E_STAND] = lay.STAND(ar)[:, None]
    val[:, sl, E_STAND] = -p["violation_standing"] * violating
    put_leverage(sl, regime_effect(b[:, None], pwin))

    # --- air campaign ---------------------------------------------------------------------
    sl = slice(slots.air, slots.air + Z)
    ok = allowed[:, ACTIONS.index("air_campaign")][:, None] & (w.air > 0)[:, None] & hostile_bz
    ok &= w.treasury[:, None] >= CATALOGUE["air_campaign"].cost
    side_attacks = np.where(cx.att[b] > 0.2, 0.5, 0.0)  # chance the side attacks there this month
    base = cx.att[b] + cx.exp_air[b][:, None]
    wear = 1 - np.minimum(p["air_attrition"] * w.air, 0.5)[:, None]
    with_air = csf(base + p["air_weight"] * w.air[:, None], (cx.dfn[None, :] + shield) * wear, m)
    without = csf(base, cx.dfn[None, :] + shield, m)
    dp = side_attacks * np.maximum(with_air - without, 0.0)
    legal[:, sl] = ok
    put_control(sl, b[:, None], ctrl[None, :], dp)
    put_spend(sl, CATALOGUE["air_campaign"].cost)
    idx[:, sl, E_STAND] = lay.STAND(ar)[:, None]
    val[:, sl, E_STAND] = -p["violation_standing"] * violating
    put_leverage(sl, regime_effect(b[:, None], dp))

    # --- reinforce and withdraw -----------------------------------------------------------
    ts = np.maximum(cx.threat_side, 0)
    has_threat = cx.threat_side >= 0
    defends = cx.friend[:, ctrl]  # (A, Z): actor counts among the zone's defenders
    regime_zone = (ff[ctrl] == s.regime)[None, :]
    for name, sign in (("reinforce", 1.0), ("withdraw", -1.0)):
        start = getattr(slots, name)
        sl = slice(start, start + Z)
        if sign > 0:
            delta = np.minimum(p["redeploy"], w.reserve)[:, None] * np.ones((1, Z))
            ok = defends & (w.reserve >= 0.25)[:, None]
        else:
            delta = np.minimum(p["redeploy"], w.ground)
            ok = w.ground > 0.05
        ok &= allowed[:, ACTIONS.index(name)][:, None]
        ok &= w.treasury[:, None] >= CATALOGUE[name].cost
        new_dfn = cx.dfn[None, :] + sign * p["defender_bonus"] * delta * defends
        p_new = 0.5 * csf((cx.att[ts, az] + cx.exp_air[ts])[None, :], np.maximum(new_dfn, 1e-6), m)
        dthreat = p["horizon"] * np.where(has_threat[None, :] & defends, cx.threat[None, :] - p_new, 0.0)
        legal[:, sl] = ok
        put_control(sl, ctrl[None, :], ts[None, :], dthreat)
        put_spend(sl, CATALOGUE[name].cost + sign * p["ground_upkeep"] * delta)
        idx[:, sl, E_PRES] = lay.P(ar[:, None], az[None, :])
        val[:, sl, E_PRES] = sign * delta / s.norm[:, None]
        # a patron's troops in regime zones are support that buys leverage
        dsup = sign * delta * regime_zone * cx.is_patron[:, None]
        dshare = _share_change(cx, dsup)
        put_leverage(sl, np.zeros((A, Z)), dshare)
        if lay.K:  # forces in Syria are clout at the bargaining table
            put_fit(sl, ar[:, None], sign * delta)

    legal[:, slots.hold] = True
    legal[:, slots.wait] = True

    # --- proposals: ceasefire and de-escalation -------------------------------------------
    pending_zone = np.zeros(Z, bool)
    for pr in w.proposals:
        if pr.zone >= 0:
            pending_zone[pr.zone] = True
    trust_in = (1 + w.trust) / 2  # (A, A) chance row goes along with column
    np.fill_diagonal(trust_in, 1.0)
    threatened = (cx.threat > 0.05) & ~cx.in_agreement & ~pending_zone
    q = np.ones((A, Z))
    for z in np.flatnonzero(threatened):
        addressees = _ceasefire_parties(w, cx, int(z))
        if addressees:
            q[:, z] = trust_in[addressees][:, :].min(0)
    # only an actor with a stake proposes: a friend of the holder or of the side threatening it
    stake = cx.friend[:, ctrl] | cx.friend[:, ts] | s.clients[:, ctrl] | s.clients[:, ts]
    for name, bonus in (("ceasefire", MEMBER_BONUS), ("deesc", GUARANTEE_BONUS)):
        start = getattr(slots, name)
        sl = slice(start, start + Z)
        action = "propose_ceasefire" if name == "ceasefire" else "propose_deescalation"
        ok = allowed[:, ACTIONS.index(action)][:, None] & threatened[None, :] & ~s.excluded[:, None]
        ok &= (s.caps[:, 3][:, None] >= 3) & stake
        legal[:, sl] = ok
        put_control(sl, ctrl[None, :], ts[None, :], p["horizon"] * q * cx.threat[None, :])
        put_spend(sl, CATALOGUE[action].cost)
        idx[:, sl, E_STAND] = lay.STAND(ar)[:, None]
        val[:, sl, E_STAND] = q * bonus

    # --- guarantee ------------------------------------------------------------------------
    sl = slice(slots.guarantee, slots.guarantee + Z)
    ok = allowed[:, ACTIONS.index("guarantee")][:, None] & cx.in_agreement[None, :] & ~cx.guarantor
    ok &= ~s.excluded[:, None] & (w.reserve >= 0.5)[:, None] & ~s.hostile[:, ctrl] & ~cx.party
    ok &= (s.caps[:, 3] >= 4)[:, None] & (ctrl[None, :] != ar[:, None])
    legal[:, sl] = ok
    put_spend(sl, CATALOGUE["guarantee"].cost + p["ground_upkeep"] * 0.5)
    # a guarantor stands behind every zone of the agreement
    n_zones = np.array([len(w.agreements[i].zones) if i >= 0 else 0 for i in cx.zag])
    idx[:, sl, E_STAND] = lay.STAND(ar)[:, None]
    val[:, sl, E_STAND] = GUARANTEE_BONUS * n_zones[None, :]
    idx[:, sl, E_PRES] = lay.P(ar[:, None], az[None, :])
    val[:, sl, E_PRES] = 0.5 / s.norm[:, None]

    # --- convene talks --------------------------------------------------------------------
    c = slots.convene
    own_fw = {f.convener: f for f in w.active_frameworks()}
    pending_talks = {pr.proposer for pr in w.proposals if pr.kind == "talks"}
    lapse = p["talks_lapse"]
    for a in range(A):
        if not allowed[a, ACTIONS.index("convene_talks")] or s.excluded[a] or s.caps[a, 3] < 4:
            continue
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
            gain = trust_in[invitees, a].mean() * (CONVENER_BONUS + 0.05)
        legal[a, c] = True
        idx[a, c, E_STAND] = lay.STAND(a)
        val[a, c, E_STAND] = gain
        idx[a, c, E_SPEND] = lay.SPEND(a)
        val[a, c, E_SPEND] = CATALOGUE["convene_talks"].cost / cx.inc[a]

    # --- pressure a client ----------------------------------------------------------------
    sl = slice(slots.pressure, slots.pressure + A)
    ok = allowed[:, ACTIONS.index("pressure_client")][:, None] & s.clients & (w.pressed_until < w.turn)[None, :]
    legal[:, sl] = ok
    # expected: the embarrassment of the client's next violations of its guarantees avoided
    idx[:, sl, E_STAND] = lay.STAND(ar)[:, None]
    val[:, sl, E_STAND] = p["guarantor_embarrassment"] * w.grievance.T

    # --- sanctions ------------------------------------------------------------------------
    sl = slice(slots.sanctions, slots.sanctions + A)
    ok = allowed[:, ACTIONS.index("sanctions")][:, None] & (s.alignment < -0.2) & (w.sanctions < 1)[None, :]
    ok &= (s.caps[:, 2] >= 4)[:, None] & ~np.eye(A, dtype=bool)
    ok &= np.isin(ar, s.powers)[None, :]  # sanctions bite on states, not militias
    legal[:, sl] = ok
    put_spend(sl, CATALOGUE["sanctions"].cost)
    idx[:, sl, E_MISC] = lay.SANC(ar)[None, :]
    val[:, sl, E_MISC] = np.minimum(p["sanctions_step"], 1 - w.sanctions)[None, :]

    # --- aid ------------------------------------------------------------------------------
    sl = slice(slots.aid, slots.aid + A)
    ok = allowed[:, ACTIONS.index("aid")][:, None] & (s.clients | (s.alignment >= 0.4)) & ~np.eye(A, dtype=bool)
    ok &= (w.treasury >= p["aid_amount"] + 0.5)[:, None]
    legal[:, sl] = ok
    zstar = _most_threatened(w, cx)  # (A,) where each recipient would put the arms, -1 if nowhere
    has_z = zstar >= 0
    zs = np.maximum(zstar, 0)
    arms = p["aid_arms"]
    new_p = 0.5 * csf(cx.att[ts[zs], zs] + cx.exp_air[ts[zs]], cx.dfn[zs] + p["defender_bonus"] * arms, m)
    dthr = p["horizon"] * np.where(has_z, cx.threat[zs] - new_p, 0.0)
    idx[:, sl, E_GAIN] = lay.X(zs, ctrl[zs])[None, :]
    val[:, sl, E_GAIN] = dthr[None, :]
    idx[:, sl, E_LOSS] = lay.X(zs, ts[zs])[None, :]
    val[:, sl, E_LOSS] = -dthr[None, :]
    idx[:, sl, E_PRES] = lay.P(ar, zs)[None, :]
    val[:, sl, E_PRES] = np.where(has_z, arms / s.norm, 0.0)[None, :]
    put_spend(sl, p["aid_amount"] + CATALOGUE["aid"].cost)
    to_regime = np.zeros((A, A))
    to_regime[:, s.regime] = p["aid_amount"] * cx.is_patron
    dshare = _share_change(cx, to_regime)
    put_leverage(sl, np.zeros((A, A)), dshare)
    if lay.K:  # the recipient's arms are its clout at the table
        put_fit(sl, ar[None, :], np.where(has_z, arms, 0.0)[None, :])

    # --- trades ---------------------------------------------------------------------------
    trade_values = {}
    if slots.T:
        M0 = trades.baseline(w, lay)
        pending_trades = {pr.trade for pr in w.proposals if pr.kind == "trade"}
        for k, t in enumerate(s.trades):
            a = s.actor(t.proposer)
            to = s.actor(t.to)
            if (not allowed[a, ACTIONS.index("offer_trade")] or k in pending_trades
                    or f"trade:{t.id}" in w.fired or w.turn < w.trade_open[k]):
                continue
            v = trades.value(w, lay, G, k, M0)
            trade_values[k] = v
            slot = slots.trade + k
            legal[a, slot] = True
            # worth offering only if some terms suit both; then it lands as far as the other trusts us
            q_acc = trust_in[to, a] if v.zone is not None else 0.0
            d0, d1 = v.dM_p
            _put_dense(idx, val, a, slot, q_acc * (d0 + v.offer_p * (d1 - d0)))
            idx[a, slot, E_SPEND] = lay.SPEND(a)
            val[a, slot, E_SPEND] = CATALOGUE["offer_trade"].cost / cx.inc[a]

    Gx = np.concatenate([G, np.zeros((A, 1))], axis=1)
    util = (Gx[ar[:, None, None], idx] * val).sum(-1)
    util = np.where(legal, util, -np.inf)
    return Scored(util, legal, idx, val, cx.threat, cx.threat_side, trade_values), cx


def _share_change(cx: Context, dsup: np.ndarray) -> np.ndarray:
    """(..., N_PATRONS) change of each main patron's support share when actor a adds dsup.

    dsup has shape (A, X); the adding actor is the row."""
    S = cx.S
    out = np.zeros(dsup.shape + (N_PATRONS,))
    if S <= 0:
        return out
    newS = np.maximum(S + dsup, 1e-9)
    for j, x in enumerate(cx.patrons):
        if x < 0:
            continue
        own = (np.arange(dsup.shape[0]) == x)[:, None]
        out[..., j] = (cx.support[x] + dsup * own) / newS - cx.support[x] / S
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
    s = w.s
    risk = cx.friend[:, w.control] * (cx.threat * s.value)[None, :]  # (A, Z)
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
    return np.stack([mil, dip], axis=1)


def breakdown(terms: list[Term], actor: int, idx: np.ndarray, val: np.ndarray, lay: Layout) -> list[tuple[Term, float]]:
    """Each of the actor's terms' share of a candidate's utility."""
    out = []
    ok = idx < lay.size
    for t in terms:
        if t.actor == actor:
            out.append((t, float(t.weight * (t.row[idx[ok]] * val[ok]).sum())))
    return out
