"""The model's constants: every rule's number lives here with a range and a source.

A scenario may override any of them under ``parameters:``; a what-if varies them inside
their ranges. Values are deliberately round: they set orders of magnitude, not facts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    default: float
    lo: float
    hi: float
    source: str
    doc: str


PARAMS: dict[str, Param] = {
    # --- combat ---------------------------------------------------------------------------
    "decisiveness": Param(
        1.6, 0.5, 4.0, "assumption",
        "Exponent m of the contest success function A^m / (A^m + D^m): higher means the "
        "stronger side wins more surely."),
    "air_weight": Param(
        0.8, 0.0, 3.0, "alliance-2016",
        "Ground-equivalent value of one unit of air power supporting an offensive (Russia's air "
        "power paired with Iran's manpower)."),
    "defender_bonus": Param(1.3, 1.0, 3.0, "assumption", "Multiplier on a zone's defenders."),
    "guarantor_shield": Param(
        1.5, 0.0, 5.0, "leverage-2017",
        "How much a guarantor's forces in a zone count for its defenders against a violator "
        "(foreign troops on the ground make an assault hard to stage)."),
    "air_attrition": Param(
        0.06, 0.0, 0.3, "assumption",
        "Share of defending ground forces an air campaign destroys per unit of air, per month."),
    "win_loss": Param(0.35, 0.0, 1.0, "assumption", "Share of defenders lost when a zone falls."),
    "attack_loss": Param(0.10, 0.0, 1.0, "assumption", "Share of attackers lost in an offensive."),
    "fail_extra_loss": Param(0.10, 0.0, 1.0, "assumption", "Extra attacker loss when it fails."),
    # --- agreements and standing ----------------------------------------------------------
    "violation_standing": Param(
        0.05, 0.0, 0.3, "leverage-2017",
        "Standing an actor loses for attacking inside a zone under an agreement."),
    "violation_trust": Param(
        0.15, 0.0, 1.0, "leverage-2017",
        "Trust the parties and guarantors lose in a violator."),
    "guarantor_embarrassment": Param(
        0.02, 0.0, 0.2, "leverage-2017",
        "Standing a guarantor loses when a zone it guarantees is violated."),
    "agreement_duration": Param(6, 1, 36, "assumption", "Months a new agreement lasts."),
    "talks_lapse": Param(
        4, 1, 24, "assumption", "Months after its last round before a framework lapses."),
    "reject_standing": Param(
        0.01, 0.0, 0.1, "assumption", "Standing lost by refusing a proposal (a spoiler's cost)."),
    "trade_cooldown": Param(3, 1, 24, "assumption", "Months before a refused trade can be offered again."),
    "pressure_restraint": Param(
        0.6, 0.0, 1.0, "master-plan-2016",
        "Share by which a pressed client's offensives in agreement zones are weakened (its "
        "patron withholds support)."),
    "pressure_duration": Param(3, 1, 12, "assumption", "Months pressure on a client lasts."),
    # --- economy --------------------------------------------------------------------------
    "ground_upkeep": Param(0.05, 0.0, 1.0, "assumption", "Money per ground unit deployed per month."),
    "air_upkeep": Param(0.08, 0.0, 1.0, "assumption", "Money per air unit deployed per month."),
    "sanctions_step": Param(0.1, 0.0, 0.5, "leverage-2017", "Sanctions added by one sanctions action."),
    "sanctions_bite": Param(
        0.5, 0.0, 1.0, "assumption", "Share of income lost at full sanctions (level 1)."),
    "recruitment": Param(
        0.06, 0.0, 0.5, "assumption",
        "Ground units an actor raises per month per million people in the zones it holds."),
    "aid_amount": Param(1.0, 0.0, 10.0, "assumption", "Money one aid action transfers."),
    "aid_arms": Param(0.5, 0.0, 5.0, "assumption", "Ground units one aid action equips."),
    "support_decay": Param(0.9, 0.0, 1.0, "assumption", "Monthly carry-over of past aid in leverage."),
    "redeploy": Param(1.0, 0.1, 10.0, "master-plan-2016", "Ground units one reinforce or withdraw moves."),
    # --- bargaining and trades ------------------------------------------------------------
    "position_relax": Param(
        0.25, 0.0, 1.0, "assumption",
        "Share of the way an actor's bargaining position drifts back to its ideal point each "
        "month (last month's concessions wear off as the war moves on)."),
    "trade_patience": Param(
        0.95, 0.5, 0.999, "assumption",
        "Monthly discount factor of an actor under no time pressure (Rubinstein bargaining)."),
    "promise_standing": Param(
        0.08, 0.0, 0.5, "iran-for-ukraine-2018",
        "Standing an actor loses for breaking a promise made in a trade."),
    "promise_trust": Param(
        0.3, 0.0, 1.0, "assumption", "Trust a partner loses in an actor that breaks a promise."),
    "third_party_trust": Param(
        0.15, 0.0, 1.0, "iran-for-ukraine-2018",
        "Trust a third party that a deal hurts loses in both dealers (Iran sold out)."),
    # --- decisions ------------------------------------------------------------------------
    "horizon": Param(
        3.0, 1.0, 12.0, "assumption",
        "Months over which an actor counts a change in the risk of losing a zone (protection "
        "lasts; a capture is counted once)."),
    "temperature": Param(
        0.003, 0.0005, 0.2, "assumption",
        "Rationality: scale of the random taste shock in choices (lower is more rational)."),
}


def defaults() -> dict[str, float]:
    return {k: p.default for k, p in PARAMS.items()}
