"""The one action catalogue every actor draws from (limited by capability and scenario)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ActionSpec:
    id: str
    track: str  # military | diplomatic
    target: str  # none | zone | actor | trade
    cost: float  # money, before upkeep; 'aid' adds the aid itself
    label: str  # for accounts: "{actor} {label}"
    doc: str


CATALOGUE: dict[str, ActionSpec] = {a.id: a for a in (
    ActionSpec("hold", "military", "none", 0.0, "holds its positions",
               "Keep forces where they are."),
    ActionSpec("air_campaign", "military", "zone", 0.4, "flies an air campaign over {zone}",
               "Air strikes wear down the defenders of a zone and back any offensive there this month."),
    ActionSpec("ground_offensive", "military", "zone", 0.5, "launches a ground offensive on {zone}",
               "Forces in and next to a zone attack it; the balance of forces decides (contest success function)."),
    ActionSpec("reinforce", "military", "zone", 0.2, "reinforces {zone}",
               "Moves ground units from reserve into a friendly zone."),
    ActionSpec("withdraw", "military", "zone", 0.05, "withdraws forces from {zone}",
               "Pulls ground units back into reserve: cheaper, but the zone is weaker."),
    ActionSpec("wait", "diplomatic", "none", 0.0, "makes no diplomatic move",
               "No diplomatic initiative this month."),
    ActionSpec("propose_ceasefire", "diplomatic", "zone", 0.05, "proposes a ceasefire in {zone}",
               "Asks the sides fighting over a zone to stop; each answers next month."),
    ActionSpec("propose_deescalation", "diplomatic", "zone", 0.05, "proposes a de-escalation zone in {zone}",
               "A ceasefire with guarantors (the proposer and its framework partners) who deploy observers."),
    ActionSpec("guarantee", "diplomatic", "zone", 0.1, "becomes a guarantor in {zone}",
               "Joins an agreement in force as guarantor and deploys observers."),
    ActionSpec("convene_talks", "diplomatic", "none", 0.1, "convenes talks",
               "Starts a framework of talks (others join next month) or holds another round of its own."),
    ActionSpec("pressure_client", "diplomatic", "actor", 0.0, "presses {actor} to hold back",
               "A patron withholds support from a client's offensives inside agreement zones for a few months."),
    ActionSpec("sanctions", "diplomatic", "actor", 0.1, "tightens sanctions on {actor}",
               "Raises sanctions on a rival, cutting its income."),
    ActionSpec("aid", "diplomatic", "actor", 0.0, "sends aid to {actor}",
               "Money and arms to a client or partner, placed where it is most threatened."),
    ActionSpec("offer_trade", "diplomatic", "trade", 0.05, "offers a trade: {trade}",
               "Puts a linkage trade from the scenario to another power; it answers next month."),
)}

RESPONSES = ("accept", "reject")
