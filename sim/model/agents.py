"""The powers as mesa agents.

Scoring is done for all actors at once by the model (one numpy pass per month, see
sim.model.decisions), so an agent is the per-actor face of that work: its identity, its
compiled preference terms, whether a human plays it, and what it did and why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from sim.model.model import ArbiterModel


class ActorAgent(mesa.Agent):
    def __init__(self, model: "ArbiterModel", *, index: int, actor_id: str):
        super().__init__(model)
        self.index = index
        self.actor_id = actor_id
        self.spec = model.scenario.actors[actor_id]

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def human(self) -> bool:
        return self.actor_id in self.model.humans

    @property
    def terms(self):
        """This actor's compiled preference terms (signed weight, source, paraphrase)."""
        return [t for t in self.model.compiled.terms if t.actor == self.index]

    def decisions(self, turn: int | None = None) -> list[dict]:
        """The decision records of this actor in a turn (default: the last one played)."""
        recs = self.model.records
        if not recs:
            return []
        rec = recs[-1] if turn is None else next((r for r in recs if r["turn"] == turn), None)
        if rec is None:
            return []
        return [d for d in rec["decisions"] if d["actor"] == self.actor_id]

    def legal_actions(self) -> list[tuple[str, str | None, float]]:
        """(action, target id, expected utility) of every action open to this actor now."""
        return self.model.legal_actions(self.index)
