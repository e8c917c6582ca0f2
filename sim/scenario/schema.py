"""The scenario format, as pydantic models: the single source of truth for validation and
for the JSON Schema that editors use (``run_sim.py schema``).

Cross-references (a controller that is not an actor, a neighbour that is not a zone) are
checked after parsing by :func:`sim.scenario.references.check_references`, so that every
error can carry its own field path and line.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from sim.sources import ARTICLES, is_valid_source

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]


def _check_source(ref: str) -> str:
    if not is_valid_source(ref):
        raise ValueError(
            f"unknown source {ref!r}: expected an article id ({', '.join(ARTICLES)}) "
            "or 'assumption' (optionally 'assumption: why')"
        )
    return ref


SourceRef = Annotated[str, AfterValidator(_check_source)]
Unit = Annotated[float, Field(ge=-1.0, le=1.0)]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNeg = Annotated[float, Field(ge=0.0, le=1000.0)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- actors -------------------------------------------------------------------------------


class Capabilities(Strict):
    """Scores 0-10. Air is the air power deployed in Syria; ground the units it can commit."""

    air: Annotated[float, Field(ge=0, le=10)]
    ground: Annotated[float, Field(ge=0, le=10)]
    economic: Annotated[float, Field(ge=0, le=10)]
    diplomatic: Annotated[float, Field(ge=0, le=10)]
    source: SourceRef


class Relation(Strict):
    trust: Unit = 0.0
    alignment: Unit = 0.0
    source: SourceRef


class Alternative(Strict):
    weight: Annotated[float, Field(ge=0, le=1)]
    source: SourceRef
    note: str = ""


TermKind = Literal["territory", "presence", "leverage", "standing", "sanctions", "cost", "settlement"]


class PreferenceTerm(Strict):
    """One weighted thing an actor cares about; see docs/model.md for each kind's formula."""

    kind: TermKind
    weight: Annotated[float, Field(ge=0, le=1)]
    sense: Literal["max", "min"] = "max"
    of: list[Id] = Field(default_factory=list, description="actors the term is about (default: self)")
    zones: list[Id] = Field(default_factory=list, description="restrict to these zones (default: all)")
    weight_by: Literal["population", "value", "equal"] = "value"
    issues: list[Id] = Field(default_factory=list, description=(
        "settlement terms: the bargaining issues whose forecast settlement should land near "
        "the actor's own position (default: every issue it takes part in)"))
    note: str = Field(min_length=3, description="one-line paraphrase of why, in our words")
    source: SourceRef
    contested: bool = False
    alternatives: list[Alternative] = Field(default_factory=list)

    @model_validator(mode="after")
    def _contested_needs_alternatives(self) -> "PreferenceTerm":
        if self.contested and not self.alternatives:
            raise ValueError("a contested term needs at least one alternative weight with its source")
        return self


ActionId = Literal[
    "hold", "air_campaign", "ground_offensive", "reinforce", "withdraw",
    "wait", "propose_ceasefire", "propose_deescalation", "guarantee", "convene_talks",
    "pressure_client", "offer_trade", "sanctions", "aid",
]


class Actor(Strict):
    name: str
    short: Annotated[str, Field(max_length=12)] | None = None
    role: Literal["power", "minor"] = "power"
    playable: bool = True
    fights_for: Id | None = Field(None, description="whose control an offensive of this actor extends (default: itself)")
    clients: list[Id] = Field(default_factory=list)
    capabilities: Capabilities
    treasury: NonNeg
    income: NonNeg
    reserve: NonNeg = Field(description="ground units available to deploy, not yet in any zone")
    sanctions: Share = Field(0.0, description="sanctions on this actor at the start, 0-1")
    forces: dict[Id, NonNeg] = Field(default_factory=dict, description="ground units per zone")
    relations: dict[Id, Relation] = Field(default_factory=dict)
    preferences: dict[Id, PreferenceTerm]
    actions: list[ActionId] | None = Field(None, description="allowed actions (default: all for powers)")
    excluded_from_agreements: bool = False
    temperature: Annotated[float, Field(gt=0, le=1)] | None = None
    source: SourceRef


# --- zones and agreements -----------------------------------------------------------------


class Zone(Strict):
    name: str
    controller: Id
    population: Annotated[float, Field(ge=0, le=30)] = Field(description="millions")
    value: Share = Field(description="strategic value 0-1")
    neighbors: list[Id]
    bases: list[str] = Field(default_factory=list)
    map_zone: Id | None = Field(None, description="the map asset's zone id (default: this id)")
    source: SourceRef


class Agreement(Strict):
    id: Id
    kind: Literal["ceasefire", "de_escalation"]
    zones: Annotated[list[Id], Field(min_length=1)]
    parties: list[Id]
    guarantors: list[Id] = Field(default_factory=list)
    duration: Annotated[int, Field(ge=1, le=240)] | None = None
    note: str = ""
    source: SourceRef


class Framework(Strict):
    id: Id
    name: str
    convener: Id
    members: list[Id]
    source: SourceRef


# --- events and effects -------------------------------------------------------------------


class SetControl(Strict):
    type: Literal["set_control"]
    zone: Id
    to: Id


class MoveForces(Strict):
    type: Literal["move_forces"]
    actor: Id
    zone: Id
    ground: Annotated[float, Field(ge=-100, le=100)]


class SetAir(Strict):
    type: Literal["set_air"]
    actor: Id
    air: Annotated[float, Field(ge=0, le=10)]


class WithdrawShare(Strict):
    type: Literal["withdraw_share"]
    actor: Id
    share: Share
    zones: list[Id] = Field(default_factory=list)


class ChangeSanctions(Strict):
    type: Literal["sanctions"]
    target: Id  # not "on": YAML 1.1 reads a bare `on` key as true
    delta: Unit


class ChangeStanding(Strict):
    type: Literal["standing"]
    actor: Id
    delta: Unit


class ChangeTrust(Strict):
    type: Literal["trust"]
    source_actor: Id = Field(alias="from")
    to: Id
    delta: Annotated[float, Field(ge=-2, le=2)]
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ChangeIncome(Strict):
    type: Literal["income"]
    actor: Id
    delta: Annotated[float, Field(ge=-100, le=100)]


class MakeAgreement(Strict):
    type: Literal["agreement"]
    agreement: Agreement


class EndAgreement(Strict):
    type: Literal["end_agreement"]
    id: Id


class Commit(Strict):
    """An actor publicly binds its bargaining position on an issue (see 'Bargaining' in
    docs/model.md); it stays there until a promise it backs is broken."""
    type: Literal["commit"]
    actor: Id
    issue: Id
    position: Share


Effect = Annotated[
    Union[SetControl, MoveForces, SetAir, WithdrawShare, ChangeSanctions, ChangeStanding,
          ChangeTrust, ChangeIncome, MakeAgreement, EndAgreement, Commit],
    Field(discriminator="type"),
]


class ActorValue(Strict):
    actor: Id
    value: Annotated[float, Field(ge=0, le=1)]
    zones: list[Id] = Field(default_factory=list, description=(
        "presence clauses only: count the actor's forces in these zones (default: all)"))


class ZoneIs(Strict):
    zone: Id
    actor: Id


class Condition(Strict):
    """All the given clauses must hold (an empty condition always holds)."""

    turn_at_least: Annotated[int, Field(ge=0)] | None = None
    controlled_by: ZoneIs | None = None
    not_controlled_by: ZoneIs | None = None
    presence_below: ActorValue | None = None
    presence_above: ActorValue | None = None
    standing_below: ActorValue | None = None
    standing_above: ActorValue | None = None
    leverage_below: ActorValue | None = None
    leverage_above: ActorValue | None = None
    trade_done: Id | None = Field(None, description="this trade has been concluded")
    trade_not_done: Id | None = Field(None, description="this trade has not been concluded")
    agreement_in_force: Id | None = Field(None, description="an agreement with this id is in force")
    agreement_not_in_force: Id | None = Field(None, description="no agreement with this id is in force")


class Event(Strict):
    id: Id
    text: str = Field(min_length=3)
    date: dt.date | None = Field(None, description="fires in the turn of this month")
    when: Condition | None = Field(None, description="fires in the first turn this holds")
    once: bool = True
    effects: Annotated[list[Effect], Field(min_length=1)]
    source: SourceRef

    @model_validator(mode="after")
    def _date_or_condition(self) -> "Event":
        if self.date is None and self.when is None:
            raise ValueError("an event needs a 'date' or a 'when' condition")
        return self


class Promise(Strict):
    """Something a side of a trade must then bring about on the ground within some months,
    or the promise is broken: the promiser loses standing and its partner's trust, and the
    on_break effects (concessions taken back) apply."""

    id: Id
    actor: Id = Field(description="who promises")
    text: str = Field(min_length=3)
    holds: Condition = Field(description="what must hold on the ground for the promise to be kept")
    within: Annotated[int, Field(ge=1, le=60)] = Field(description="months to deliver")
    issue: Id | None = Field(None, description=(
        "the bargaining issue it delivers on: a third party's salience there sets how far it "
        "complies when pressed"))
    on_break: list[Effect] = Field(default_factory=list)
    source: SourceRef


class TradeTemplate(Strict):
    """A linkage trade one actor may offer another. 'gives' are the proposer's concessions,
    scaled by the terms (0..1) the two sides bargain over; 'asks' and 'promises' are what
    the other side does in return."""

    id: Id
    name: str
    proposer: Id
    to: Id
    gives: Annotated[list[Effect], Field(min_length=1)]
    asks: Annotated[list[Effect], Field(min_length=1)]
    promises: list[Promise] = Field(default_factory=list)
    note: str = ""
    source: SourceRef


class IssuePosition(Strict):
    """An actor's ideal point on an issue; salience, if given, overrides the one derived
    from its preference weights."""
    position: Share
    salience: Share | None = None
    source: SourceRef


class Measure(Strict):
    """Where the world stands on an issue's 0..1 line, read like a preference term."""
    kind: Literal["territory", "presence", "leverage", "standing", "sanctions"]
    of: Annotated[list[Id], Field(min_length=1)]
    zones: list[Id] = Field(default_factory=list)
    weight_by: Literal["population", "value", "equal"] = "population"


class IssueSpec(Strict):
    """A one-dimensional policy scale bargained over (Bueno de Mesquita's model)."""
    name: str
    low: str = Field(min_length=3, description="what position 0 means")
    high: str = Field(min_length=3, description="what position 1 means")
    measure: Measure
    positions: dict[Id, IssuePosition] = Field(default_factory=dict, description=(
        "ideal points; an actor not listed takes the end its preferences point to, if any"))
    note: str = ""
    source: SourceRef


class Variable(Strict):
    """A number a what-if may vary: a path into this scenario and its range."""

    path: str = Field(pattern=r"^[a-z_][a-z0-9_]*(\.[a-z0-9_]+)+$")
    min: float
    max: float
    description: str = ""
    source: SourceRef

    @model_validator(mode="after")
    def _ordered(self) -> "Variable":
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class Objective(Strict):
    """What a power is out to achieve, and the points it scores if it does: checked at the
    end of the game, or in the month of ``by``."""

    id: Id
    text: str = Field(min_length=3, description="in plain words, for the player and the debrief")
    holds: Condition
    points: Annotated[int, Field(ge=1, le=100)] = 1
    by: dt.date | None = Field(None, description="judge it in this month rather than at the end")
    source: SourceRef


class Outcome(Strict):
    """A yes/no question about the end of a game, reported per run by batches."""

    id: Id
    text: str = Field(min_length=3)
    holds: Condition


# --- the scenario -------------------------------------------------------------------------


class Scenario(Strict):
    id: Id
    title: str
    start: dt.date
    turns: Annotated[int, Field(ge=1, le=240)]
    description: str
    sources: Annotated[list[SourceRef], Field(min_length=1)]
    extends: Id | None = None
    default_actors: list[Id] = Field(default_factory=list, description="powers a player may take")
    parameters: dict[str, float] = Field(default_factory=dict)
    actors: dict[Id, Actor]
    zones: dict[Id, Zone]
    agreements: list[Agreement] = Field(default_factory=list)
    frameworks: list[Framework] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    trades: list[TradeTemplate] = Field(default_factory=list)
    issues: dict[Id, IssueSpec] = Field(default_factory=dict)
    variables: list[Variable] = Field(default_factory=list)
    objectives: dict[Id, list[Objective]] = Field(default_factory=dict, description=(
        "per power: what it is out to achieve; the game's score"))
    outcomes: list[Outcome] = Field(default_factory=list)
