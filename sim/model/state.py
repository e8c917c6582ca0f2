"""The world: static facts of a scenario (shared, never mutated) and the dynamic state (numpy
arrays and small frozen records), cheap to copy for snapshots, rewind and branching."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np

from sim.model.params import defaults
from sim.scenario.schema import Scenario

MILITARY = ("hold", "air_campaign", "ground_offensive", "reinforce", "withdraw")
DIPLOMATIC = ("wait", "propose_ceasefire", "propose_deescalation", "guarantee", "convene_talks",
              "pressure_client", "sanctions", "aid", "offer_trade")
ACTIONS = MILITARY + DIPLOMATIC
MINOR_ACTIONS = ("hold", "ground_offensive", "reinforce", "withdraw", "wait")


@dataclass(frozen=True)
class AgreementState:
    id: str
    kind: str  # ceasefire | de_escalation
    zones: tuple[int, ...]
    parties: tuple[int, ...]
    guarantors: tuple[int, ...]
    start_turn: int
    end_turn: int | None  # exclusive; None = open-ended
    source: str

    def active(self, turn: int) -> bool:
        return self.end_turn is None or turn < self.end_turn


@dataclass(frozen=True)
class FrameworkState:
    id: str
    name: str
    convener: int
    members: tuple[int, ...]
    last_round: int
    source: str


@dataclass(frozen=True)
class Proposal:
    """Something one actor put to others; answered by each addressee in the next turn."""

    id: str
    kind: str  # ceasefire | de_escalation | talks | trade
    proposer: int
    addressees: tuple[int, ...]
    zone: int = -1  # for ceasefire and de-escalation
    guarantors: tuple[int, ...] = ()
    trade: int = -1  # index into Static.trades
    framework: str = ""
    turn: int = 0
    answers: tuple[tuple[int, bool], ...] = ()
    terms: float = 1.0  # a trade: how much of its 'gives' the proposer concedes (0..1)
    counter_of: str = ""  # a trade: the proposal this one counters


@dataclass(frozen=True)
class PromiseState:
    """A promise made in a concluded trade, to be carried out on the ground by a deadline."""

    id: str
    trade: int
    actor: int  # who promised
    partner: int  # to whom
    deadline: int  # the turn by which it must hold
    spec: object  # the scenario's Promise


@dataclass(frozen=True)
class Static:
    scenario: Scenario
    actor_ids: tuple[str, ...]
    zone_ids: tuple[str, ...]
    names: tuple[str, ...]
    zone_names: tuple[str, ...]
    start: dt.date
    turns: int
    params: dict
    pop: np.ndarray  # (Z,)
    value: np.ndarray  # (Z,)
    adjacent: np.ndarray  # (Z, Z) bool
    caps: np.ndarray  # (A, 4) air, ground, economic, diplomatic
    fights_for: np.ndarray  # (A,) int
    clients: np.ndarray  # (A, A) bool: patron -> client
    alignment: np.ndarray  # (A, A)
    hostile: np.ndarray  # (A, A) bool
    allowed: np.ndarray  # (A, len(ACTIONS)) bool
    excluded: np.ndarray  # (A,) bool
    temperature: np.ndarray  # (A,)
    norm: np.ndarray  # (A,) ground units that count as 'full presence'
    regime: int  # the government in Damascus (leverage is over it)
    patrons: tuple[int, ...]  # actors with the regime as client
    powers: tuple[int, ...]
    trades: tuple  # TradeTemplate
    events: tuple  # Event
    issues: object = None  # sim.model.issues.IssueTable
    # values derived from these facts, built once (see derived); not copied by replace()
    _derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def derived(self, build):
        """build(self), made on first use and kept with the scenario: fixed facts that hot
        code reads in another form (Python lists, lookups)."""
        got = self._derived.get(build)
        if got is None:
            got = self._derived[build] = build(self)
        return got

    @property
    def A(self) -> int:
        return len(self.actor_ids)

    @property
    def Z(self) -> int:
        return len(self.zone_ids)

    def actor(self, aid: str) -> int:
        return self.actor_ids.index(aid)

    def zone(self, zid: str) -> int:
        return self.zone_ids.index(zid)

    def date(self, turn: int) -> dt.date:
        """Turn 0 is the start month; each turn is one calendar month."""
        m = self.start.month - 1 + turn
        return dt.date(self.start.year + m // 12, m % 12 + 1, 1)


@dataclass
class World:
    s: Static
    turn: int
    control: np.ndarray  # (Z,) int actor index
    ground: np.ndarray  # (A, Z)
    reserve: np.ndarray  # (A,)
    air: np.ndarray  # (A,)
    treasury: np.ndarray  # (A,)
    income: np.ndarray  # (A,)
    trust: np.ndarray  # (A, A): how far row trusts column
    reputation: np.ndarray  # (A,) the part of standing that deeds earn or lose
    sanctions: np.ndarray  # (A,)
    support: np.ndarray  # (A, A) aid given, decaying: giver -> receiver
    pressed_until: np.ndarray  # (A,) turn until which the actor is pressed by its patron
    pressed_by: np.ndarray  # (A,) int, -1 if none
    spent: np.ndarray  # (A,) money spent this turn
    lost: np.ndarray  # (A,) ground lost this turn
    casualties: np.ndarray  # (A,) ground lost in all
    violations: np.ndarray  # (A,) violations committed in all
    grievance: np.ndarray  # (A, A) recent violations by row of zones guaranteed by column (decaying)
    trade_open: np.ndarray  # (T,) first turn each trade may be offered (again)
    agreements: tuple[AgreementState, ...] = ()
    frameworks: tuple[FrameworkState, ...] = ()
    proposals: tuple[Proposal, ...] = ()
    promises: tuple[PromiseState, ...] = ()
    fired: frozenset = frozenset()
    # influence, recomputed at the end of every turn (sim.model.influence)
    leverage: np.ndarray = field(default_factory=lambda: np.zeros(0))
    standing: np.ndarray = field(default_factory=lambda: np.zeros(0))
    territory: np.ndarray = field(default_factory=lambda: np.zeros(0))
    zone_influence: np.ndarray = field(default_factory=lambda: np.zeros(0))
    dependence: float = 0.0
    # bargaining over the scenario's issues (sim.model.issues)
    positions: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (A, K) nan: no part
    committed: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (A, K) nan: free
    forecast: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (K,) Condorcet median
    fc_mean: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (K,) weighted mean
    # what the agreements and frameworks in force are worth, kept while they stay in force
    # (a memo of sim.model.influence._links; it names the records it was made from)
    links_memo: tuple | None = field(default=None, repr=False, compare=False)

    _ARRAYS = ("control", "ground", "reserve", "air", "treasury", "income", "trust", "reputation",
               "sanctions", "support", "pressed_until", "pressed_by", "spent", "lost", "casualties",
               "violations", "grievance", "trade_open", "leverage", "standing", "territory", "zone_influence",
               "positions", "committed", "forecast", "fc_mean")

    def copy(self) -> "World":
        """A deep copy of the dynamic state; the static part is shared."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)  # records are frozen and the static part is shared
        for k in self._ARRAYS:
            new.__dict__[k] = self.__dict__[k].copy()
        return new

    @property
    def date(self) -> dt.date:
        return self.s.date(self.turn)

    def active_agreements(self) -> list[AgreementState]:
        return [a for a in self.agreements if a.active(self.turn)]

    def zone_agreement(self) -> np.ndarray:
        """(Z,) index into agreements of the active agreement covering each zone, -1 if none."""
        out = np.full(self.s.Z, -1)
        for i, a in enumerate(self.agreements):
            if a.active(self.turn):
                out[list(a.zones)] = i
        return out

    def active_frameworks(self) -> list[FrameworkState]:
        lapse = self.s.params["talks_lapse"]
        return [f for f in self.frameworks if self.turn - f.last_round <= lapse]


def build_world(scn: Scenario, params: dict | None = None) -> World:
    """The world at turn 0 of a validated scenario."""
    p = defaults()
    p.update(scn.parameters)
    if params:
        p.update(params)
    actor_ids = tuple(scn.actors)
    zone_ids = tuple(scn.zones)
    ai = {a: i for i, a in enumerate(actor_ids)}
    zi = {z: i for i, z in enumerate(zone_ids)}
    A, Z = len(actor_ids), len(zone_ids)
    acts = list(scn.actors.values())

    adjacent = np.zeros((Z, Z), bool)
    for z, zone in scn.zones.items():
        for n in zone.neighbors:
            adjacent[zi[z], zi[n]] = adjacent[zi[n], zi[z]] = True

    alignment = np.zeros((A, A))
    trust = np.zeros((A, A))
    for i, a in enumerate(acts):
        for other, rel in a.relations.items():
            j = ai[other]
            alignment[i, j] = rel.alignment
            trust[i, j] = rel.trust
    # alignment is mutual: where only one side states it, use it both ways
    stated = alignment != 0
    alignment = np.where(stated, alignment, alignment.T)
    clients = np.zeros((A, A), bool)
    for i, a in enumerate(acts):
        for c in a.clients:
            clients[i, ai[c]] = True
    fights_for = np.array([ai[a.fights_for] if a.fights_for else i for i, a in enumerate(acts)])
    # hostile: an actor is opposed to another, and they do not fight for the same side
    hostile = (alignment < -0.2) & (fights_for[:, None] != fights_for[None, :])
    hostile |= hostile.T  # enmity runs both ways
    np.fill_diagonal(hostile, False)

    allowed = np.zeros((A, len(ACTIONS)), bool)
    for i, a in enumerate(acts):
        names = a.actions if a.actions is not None else (ACTIONS if a.role == "power" else MINOR_ACTIONS)
        allowed[i, [ACTIONS.index(n) for n in names]] = True
        allowed[i, ACTIONS.index("hold")] = allowed[i, ACTIONS.index("wait")] = True

    ground = np.zeros((A, Z))
    for i, a in enumerate(acts):
        for z, n in a.forces.items():
            ground[i, zi[z]] = n
    reserve = np.array([a.reserve for a in acts], float)
    norm = np.maximum(ground.sum(1) + reserve, 1.0)
    regime_id = "assad" if "assad" in ai else scn.zones[zone_ids[0]].controller
    regime = ai[regime_id]
    s = Static(
        scenario=scn, actor_ids=actor_ids, zone_ids=zone_ids,
        names=tuple(a.name for a in acts), zone_names=tuple(z.name for z in scn.zones.values()),
        start=scn.start.replace(day=1), turns=scn.turns, params=p,
        pop=np.array([z.population for z in scn.zones.values()]),
        value=np.array([z.value for z in scn.zones.values()]),
        adjacent=adjacent,
        caps=np.array([[a.capabilities.air, a.capabilities.ground, a.capabilities.economic,
                        a.capabilities.diplomatic] for a in acts]),
        fights_for=fights_for, clients=clients, alignment=alignment, hostile=hostile,
        allowed=allowed, excluded=np.array([a.excluded_from_agreements for a in acts]),
        temperature=np.array([a.temperature or p["temperature"] for a in acts]),
        norm=norm, regime=regime, patrons=tuple(int(i) for i in np.flatnonzero(clients[:, regime])),
        powers=tuple(i for i, a in enumerate(acts) if a.role == "power"),
        trades=tuple(scn.trades), events=tuple(scn.events),
    )
    from sim.model.issues import issue_table  # issues builds on this module
    s = replace(s, issues=issue_table(s))
    w = World(
        s=s, turn=0,
        control=np.array([ai[z.controller] for z in scn.zones.values()]),
        ground=ground, reserve=reserve,
        air=np.array([a.capabilities.air for a in acts], float),
        treasury=np.array([a.treasury for a in acts], float),
        income=np.array([a.income for a in acts], float),
        trust=trust, reputation=0.1 + 0.03 * s.caps[:, 3], sanctions=np.array([a.sanctions for a in acts], float),
        support=np.zeros((A, A)), pressed_until=np.full(A, -1), pressed_by=np.full(A, -1),
        spent=np.zeros(A), lost=np.zeros(A), casualties=np.zeros(A), violations=np.zeros(A), grievance=np.zeros((A, A)),
        trade_open=np.zeros(len(scn.trades), int),
    )
    w.agreements = tuple(_agreement_state(ag, ai, zi, 0, None) for ag in scn.agreements)
    w.frameworks = tuple(
        FrameworkState(f.id, f.name, ai[f.convener], tuple(ai[m] for m in f.members), 0, f.source)
        for f in scn.frameworks)
    return w


def _agreement_state(ag, ai: dict, zi: dict, turn: int, default_duration) -> AgreementState:
    duration = ag.duration if ag.duration is not None else default_duration
    return AgreementState(
        id=ag.id, kind=ag.kind, zones=tuple(zi[z] for z in ag.zones),
        parties=tuple(ai[a] for a in ag.parties), guarantors=tuple(ai[a] for a in ag.guarantors),
        start_turn=turn, end_turn=None if duration is None else turn + int(duration), source=ag.source)
