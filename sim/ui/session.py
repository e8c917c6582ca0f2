"""A game as the window sees it: the model, a snapshot per turn for rewinding, and read-only
accessors for what the views draw. No pygame here; the views only read through this and
send the player's choices through it."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

# every change of any session gets a new number, so views can key caches on it even when
# the game is swapped for a loaded one
_VERSIONS = itertools.count(1)

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


@dataclass
class Branch:
    """A line of play left behind: the months played from `from_turn` before the player
    rewound and chose differently. `history` holds (turn, figures) from the start."""

    name: str
    from_turn: int
    history: list[tuple[int, dict]]
    inputs: list[dict] = field(default_factory=list)

    @property
    def end_turn(self) -> int:
        return self.history[-1][0] if self.history else 0


@dataclass(frozen=True)
class OnTable:
    """A proposal waiting for answers: who put it to whom, and what it says in words."""

    id: str
    kind: str
    proposer: str
    addressees: tuple[str, ...]
    text: str
    terms: float
    is_counter: bool
    trade: str = ""  # the trade's id, for a trade


class Session:
    """Wraps an `ArbiterModel`. `advance()` plays a month (keeping a snapshot of every turn
    reached), `rewind()` goes back one month with `model.restore`. `version` changes
    whenever the state does, so views can key caches on it."""

    def __init__(self, model, humans: tuple[str, ...] | list[str] = ()):
        self.model = model
        self.humans = tuple(humans) or tuple(sorted(getattr(model, "humans", ()) or ()))
        for h in self.humans:
            model.world.s.actor(h)  # raises ValueError on an unknown actor
        if self.humans and hasattr(model, "humans"):
            model.humans = set(self.humans)
        self.snapshots: dict[int, object] = {self.turn: model.snapshot()}
        self.branches: list[Branch] = []
        self.extras: dict = {}  # kept in saves as they are: the class's predictions and such
        # the months undone by the last rewinds, as (record, inputs of that month); replaying
        # the same month again walks along them, choosing differently makes them a branch
        self._undone: list[tuple[dict, list[dict]]] = []
        self.version = next(_VERSIONS)
        self.queued: dict[str, dict[str, tuple[str, str | None]]] = {}  # actor -> track -> choice
        self.answered: dict[tuple[str, str], tuple[str, float | None]] = {}  # (proposal, actor) -> answer

    # --- the game -------------------------------------------------------------------------

    @property
    def world(self):
        return self.model.world

    @property
    def turn(self) -> int:
        return int(self.model.world.turn)

    @property
    def last_turn(self) -> int:
        return int(self.model.turns)

    @property
    def finished(self) -> bool:
        return self.turn >= self.last_turn

    def advance(self) -> bool:
        """Play one month (the AI plays every side without a queued human choice)."""
        if self.finished:
            return False
        self.model.step()
        self._follow_or_branch()
        self.queued, self.answered = {}, {}
        self.snapshots[self.turn] = self.model.snapshot()
        self.version = next(_VERSIONS)
        return True

    def rewind(self) -> bool:
        """Go back one month, to the snapshot kept when that month was reached."""
        target = self.turn - 1
        if target < 0 or target not in self.snapshots:
            return False
        m = self.model
        undone = [r for r in m.records if r.get("turn", 0) > target]
        inputs = {x["turn"]: x for x in m.inputs}
        self._undone = [(r, [inputs[r["turn"] - 1]] if r["turn"] - 1 in inputs else []) for r in undone] \
            + self._undone
        self.model.restore(self.snapshots[target])
        for t in [t for t in self.snapshots if t > target]:
            del self.snapshots[t]
        self.queued, self.answered = {}, {}
        self.version = next(_VERSIONS)
        return True

    def _follow_or_branch(self) -> None:
        """After a month is played: if it repeats the month undone, walk along the undone
        line; if it differs, keep the undone line as a branch to compare with."""
        if not self._undone or not self.model.records:
            return
        new = self.model.records[-1]
        old, _ = self._undone[0]
        if old.get("turn") == new.get("turn") and _same_month(old, new):
            self._undone.pop(0)
            return
        start = new["turn"] - 1
        prefix = [(t, f) for t, f in self.history() if t <= start]
        self.branches.append(Branch(
            name=f"Line {len(self.branches) + 1} (from {self.date_label(start, short=True)})",
            from_turn=start, history=prefix + [(int(r["turn"]), r) for r, _ in self._undone],
            inputs=[x for x in self.model.inputs if x["turn"] < start] + [i for _, ins in self._undone for i in ins]))
        self._undone = []

    def branch_specs(self) -> list[dict]:
        """The branches as a save keeps them: enough to replay each one."""
        return [{"name": b.name, "from_turn": b.from_turn, "end_turn": b.end_turn, "inputs": b.inputs}
                for b in self.branches]

    def restore_branches(self, game) -> None:
        """Rebuild the branches of a loaded save by replaying them (and keep its extras)."""
        from sim.saves import replay_branch

        self.extras = dict(game.extras)
        for spec in game.branches:
            m = replay_branch(game, spec)
            hist = [(0, m.initial)] + [(int(r["turn"]), r) for r in m.records]
            self.branches.append(Branch(spec["name"], int(spec["from_turn"]), hist, spec.get("inputs", [])))
        self.version = next(_VERSIONS)

    def can_rewind(self) -> bool:
        return (self.turn - 1) in self.snapshots

    # --- human choices ----------------------------------------------------------------------

    def legal_actions(self, actor: str) -> list[tuple[str, str | None, float]]:
        return self.model.legal_actions(self.world.s.actor(actor))

    def choose(self, actor: str, action: str, target: str | None = None) -> None:
        from sim.model.catalogue import CATALOGUE

        self.model.choose(actor, action, target)
        self.queued.setdefault(actor, {})[CATALOGUE[action].track] = (action, target)
        self.version = next(_VERSIONS)

    # --- proposals and score ---------------------------------------------------------------

    def table(self) -> list[OnTable]:
        """Proposals and trades on the table, waiting for answers next month."""
        w = self.world
        s = w.s
        out = []
        for pr in w.proposals:
            who = tuple(s.actor_ids[a] for a in pr.addressees)
            if pr.kind == "trade":
                t = s.trades[pr.trade]
                text = f"{t.name} (terms {pr.terms:.0%})"
            elif pr.zone >= 0:
                text = f"{pr.kind.replace('_', '-')} in {s.zone_names[pr.zone]}"
                if pr.guarantors:
                    text += ", guaranteed by " + ", ".join(s.names[g] for g in pr.guarantors)
            else:
                text = f"{pr.kind}" + (f" ({pr.framework})" if pr.framework else "")
            out.append(OnTable(pr.id, pr.kind, s.actor_ids[pr.proposer], who, text, float(pr.terms),
                               bool(pr.counter_of), s.trades[pr.trade].id if pr.kind == "trade" else ""))
        return out

    def waiting_for(self, actor: str) -> list[OnTable]:
        """What `actor` (a human) is asked to answer before the next month is played."""
        return [p for p in self.table() if actor in p.addressees]

    def answer(self, proposal_id: str, actor: str, accept: bool, counter: float | None = None) -> None:
        self.model.answer(proposal_id, actor, accept, counter)
        self.answered[(proposal_id, actor)] = ("counter", counter) if counter is not None else (
            ("accept" if accept else "refuse"), None)
        self.version = next(_VERSIONS)

    def scorecard(self) -> list:
        return self.model.scorecard()

    def scores(self) -> dict[str, tuple[int, int]]:
        from sim.model.objectives import scores

        return scores(self.scorecard())

    # --- reading ----------------------------------------------------------------------------

    @property
    def actor_ids(self) -> tuple[str, ...]:
        return tuple(self.world.s.actor_ids)

    @property
    def zone_ids(self) -> tuple[str, ...]:
        return tuple(self.world.s.zone_ids)

    @property
    def powers(self) -> tuple[str, ...]:
        s = self.world.s
        return tuple(s.actor_ids[i] for i in s.powers)

    def name(self, actor: str) -> str:
        s = self.world.s
        return s.names[s.actor(actor)] if actor in s.actor_ids else actor

    def short(self, actor: str) -> str:
        spec = self.model.scenario.actors.get(actor)
        return (spec.short if spec is not None and spec.short else actor[:3].upper())

    def zone_name(self, zone: str) -> str:
        s = self.world.s
        return s.zone_names[s.zone(zone)] if zone in s.zone_ids else zone

    def title(self) -> str:
        return self.model.scenario.title

    def date(self, turn: int | None = None) -> dt.date:
        return self.world.s.date(self.turn if turn is None else turn)

    def date_label(self, turn: int | None = None, short: bool = False) -> str:
        d = self.date(turn)
        return f"{MONTHS[d.month - 1][:3] if short else MONTHS[d.month - 1]} {d.year}"

    def figures(self, turn: int | None = None) -> dict:
        """The record of `turn` (default: the current one): control, zones, influence,
        agreements...; for turn 0 the scenario's initial figures (no events or decisions)."""
        turn = self.turn if turn is None else turn
        if turn <= 0:
            return self.model.initial
        for rec in reversed(self.model.records):
            if rec.get("turn") == turn:
                return rec
        if turn == self.turn:  # a model run without records: the figures of the state now
            from sim.model.rules import snapshot_figures

            return snapshot_figures(self.world)
        raise KeyError(f"no record of turn {turn}")

    def record(self) -> dict | None:
        """This month's record (None at turn 0 or when records are off)."""
        recs = self.model.records
        return recs[-1] if recs and recs[-1].get("turn") == self.turn else None

    def history(self) -> list[tuple[int, dict]]:
        """(turn, figures) for the start and every month played so far, in order."""
        out = [(0, self.model.initial)]
        out += [(int(r["turn"]), r) for r in self.model.records if int(r["turn"]) <= self.turn]
        return out

    def foreign_forces(self, min_units: float = 0.05) -> dict[str, list[tuple[str, float]]]:
        """Per zone, the powers other than the holder with ground units in it, largest first."""
        s = self.world.s
        g = self.world.ground
        out: dict[str, list[tuple[str, float]]] = {}
        for z, zid in enumerate(s.zone_ids):
            holder = int(self.world.control[z])
            rows = [(s.actor_ids[a], float(g[a, z])) for a in s.powers
                    if a != holder and g[a, z] > min_units]
            out[zid] = sorted(rows, key=lambda r: -r[1])
        return out


def _same_month(a: dict, b: dict) -> bool:
    """Two records of one month tell the same story (same choices, same outcome)."""
    keys = ("decisions", "control", "influence", "responses")
    return all(a.get(k) == b.get(k) for k in keys)
