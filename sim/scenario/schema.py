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


TermKind = Literal["territory", "presence", "leverage", "standing", "sanctions", "cost"]


class PreferenceTerm(Strict):
    """One weighted thing an actor cares about; see docs/model.md for each kind's formula."""

    kind: TermKind
    weight: Annotated[float, Field(ge=0, le=1)]
    sense: Literal["max", "min"] = "max"
    of: list[Id] = Field(default_factory=list, description="actors the term is about (default: self)")
    zones: list[Id] = Field(default_factory=list, description="restrict to these zones (default: all)")
    weight_by: Literal["population", "value", "equal"] = "value"
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


Effect = Annotated[
    Union[SetControl, MoveForces, SetAir, WithdrawShare, ChangeSanctions, ChangeStanding,
          ChangeTrust, ChangeIncome, MakeAgreement, EndAgreement],
    Field(discriminator="type"),
]


class ActorValue(Strict):
    actor: Id
    value: Annotated[float, Field(ge=0, le=1)]


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


class TradeTemplate(Strict):
    """A linkage trade one actor may offer another: each side's concessions as effects."""

    id: Id
    name: str
    proposer: Id
    to: Id
    gives: Annotated[list[Effect], Field(min_length=1)]
    asks: Annotated[list[Effect], Field(min_length=1)]
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
    variables: list[Variable] = Field(default_factory=list)
