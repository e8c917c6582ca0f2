"""Facts about what happened, in a form a run can be checked against (docs/analysis.md).

A facts file (``format: arbiter-facts/1``) lists facts; each says what held (``holds``: the
clauses of a scenario condition, plus ``under_agreement``), when (``at`` a month, ``by`` a
month, ``throughout`` a window, or at the end of the run), and for which scenarios. A fact
the model cannot express is kept with ``checkable: false`` and a ``why``.

The file is read with the project's safe YAML reader; an error names the file, the line and
the field, as for scenarios.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Callable, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from sim.analysis.errors import AnalysisError
from sim.analysis.outcomes import declared_agreements, month_turn
from sim.model.rules import condition_holds
from sim.scenario import ScenarioError
from sim.scenario.schema import Condition, Id, SourceRef
from sim.scenario.yamlsafe import read_yaml

FORMAT = "arbiter-facts/1"


def _month(v: object) -> object:
    """'2018-09' (a month) or a date; a month means its first day."""
    if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}", v.strip()):
        y, m = v.strip().split("-")
        return dt.date(int(y), int(m), 1)
    return v


Month = Annotated[dt.date, BeforeValidator(_month)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class UnderAgreement(Strict):
    """Some agreement in force covers the zone (whatever its id: the actors may have made it
    during the run), optionally of this kind and with these guarantors among its own."""

    zone: Id
    guarantors: list[Id] = Field(default_factory=list)
    kind: Literal["ceasefire", "de_escalation"] | None = None


class Clause(Condition):
    """A scenario condition (every clause must hold), plus ``under_agreement``."""

    under_agreement: UnderAgreement | None = None


class Window(Strict):
    start: Month | None = Field(None, alias="from", description="first month (default: the run's start)")
    until: Month | None = Field(None, description="last month (default: the run's end)")


class Fact(Strict):
    id: Id
    text: str = Field(min_length=3, description="what happened, in our words")
    source: SourceRef = Field(description="an article id, or 'assumption: ...' for outside knowledge")
    scenarios: Literal["any"] | list[Id] = Field("any", description="the scenarios it applies to")
    holds: Clause | list[Clause] | None = Field(None, description="what must hold (all clauses, all items)")
    at: Month | None = Field(None, description="holds in this month")
    by: Month | None = Field(None, description="holds at least once from the first month played to this one")
    throughout: Window | None = Field(None, description="holds in every month of the window")
    checkable: bool = True
    why: str = Field("", description="for checkable: false, why the model cannot check it")
    note: str = Field("", description="how the fact was translated into clauses")

    @model_validator(mode="after")
    def _consistent(self) -> "Fact":
        when = [k for k in ("at", "by", "throughout") if getattr(self, k) is not None]
        if len(when) > 1:
            raise ValueError(f"give at most one of at, by, throughout (found {', '.join(when)})")
        if self.checkable and self.holds is None:
            raise ValueError("a checkable fact needs 'holds' (or checkable: false with a 'why')")
        if not self.checkable and len(self.why) < 3:
            raise ValueError("a fact with checkable: false needs a 'why' saying what the model cannot check")
        return self

    @property
    def clauses(self) -> list[Clause]:
        if self.holds is None:
            return []
        return list(self.holds) if isinstance(self.holds, list) else [self.holds]

    def applies_to(self, scenario_id: str) -> bool:
        return self.scenarios == "any" or scenario_id in self.scenarios

    def when_text(self) -> str:
        if self.at:
            return f"in {self.at:%Y-%m}"
        if self.by:
            return f"by {self.by:%Y-%m}"
        if self.throughout:
            a = f"{self.throughout.start:%Y-%m}" if self.throughout.start else "the start"
            b = f"{self.throughout.until:%Y-%m}" if self.throughout.until else "the end"
            return f"throughout {a} to {b}"
        return "at the end"


class FactsFile(Strict):
    format: Literal["arbiter-facts/1"]
    facts: list[Fact]

    @model_validator(mode="after")
    def _unique(self) -> "FactsFile":
        seen = set()
        for f in self.facts:
            if f.id in seen:
                raise ValueError(f"duplicate fact id '{f.id}'")
            seen.add(f.id)
        return self


def load_facts(path: str | Path) -> FactsFile:
    path = Path(path)
    if not path.is_file():
        raise AnalysisError(f"--facts {path}: no such file; expected a facts YAML file (docs/analysis.md)")
    try:
        data, lines = read_yaml(path)
    except ScenarioError as exc:
        raise AnalysisError(f"--facts {path}: " + "; ".join(str(i) for i in exc.issues)) from None
    try:
        return FactsFile.model_validate(data)
    except ValidationError as exc:
        msgs = []
        for e in exc.errors()[:8]:
            loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p[:1].isupper() or p in (
                "list[Clause]", "Clause", "list[constrained-str]", "literal['any']")))
            line = None
            for n in range(len(loc), -1, -1):
                hit = lines.get(tuple(loc[:n]))
                if hit:
                    line = hit[1]
                    break
            msg = e["msg"].removeprefix("Value error, ")
            where = f"{path}:{line}" if line else str(path)
            msgs.append(f"{where}: {'.'.join(map(str, loc)) or 'top level'}: {msg}")
        raise AnalysisError("facts file is invalid:\n  " + "\n  ".join(msgs)) from None


# --- checking a fact against a scenario -----------------------------------------------------


def references(f: Fact, scn) -> list[str]:
    """What a fact names that the scenario lacks (empty if the scenario has it all)."""
    out: list[str] = []
    actors, zones = set(scn.actors), set(scn.zones)
    agreements = set(declared_agreements(scn))
    trades = {t.id for t in scn.trades}

    def need(kind: str, value: str, known: set) -> None:
        if value not in known:
            out.append(f"no {kind} '{value}' in {scn.id}")

    for c in f.clauses:
        for field in ("controlled_by", "not_controlled_by"):
            v = getattr(c, field)
            if v is not None:
                need("zone", v.zone, zones)
                need("actor", v.actor, actors)
        for field in ("presence_below", "presence_above", "standing_below", "standing_above",
                      "leverage_below", "leverage_above"):
            v = getattr(c, field)
            if v is not None:
                need("actor", v.actor, actors)
                for z in v.zones:
                    need("zone", z, zones)
        for field in ("trade_done", "trade_not_done"):
            if getattr(c, field) is not None:
                need("trade", getattr(c, field), trades)
        for field in ("agreement_in_force", "agreement_not_in_force"):
            if getattr(c, field) is not None:
                need("agreement", getattr(c, field), agreements)
        if c.under_agreement is not None:
            need("zone", c.under_agreement.zone, zones)
            for g in c.under_agreement.guarantors:
                need("actor", g, actors)
    return out


def window(f: Fact, start: dt.date, turns: int) -> tuple[int, int, str, str]:
    """(first turn, last turn, mode, note) of the months a fact is checked in, for a run
    from ``start`` over ``turns`` months; mode 'none' if the run does not reach it."""
    end_date = _add_months(start, turns)
    span = f"the runs cover {start:%Y-%m} to {end_date:%Y-%m}"
    if f.at is not None:
        t = month_turn(start, f.at)
        if not 0 <= t <= turns:
            return 0, 0, "none", f"dated {f.at:%Y-%m}, outside the months played ({span})"
        return t, t, "all", ""
    if f.by is not None:
        t = month_turn(start, f.by)
        if t < 1:
            return 0, 0, "none", f"dated {f.by:%Y-%m}, before the first month played ({span})"
        note = f"checked up to the runs' end, {end_date:%Y-%m}" if t > turns else ""
        return 1, min(t, turns), "any", note
    if f.throughout is not None:
        a = month_turn(start, f.throughout.start) if f.throughout.start else 0
        b = month_turn(start, f.throughout.until) if f.throughout.until else turns
        if a > turns or b < 0:
            return 0, 0, "none", f"its window lies outside the months played ({span})"
        notes = []
        if a < 0:
            notes.append(f"checked from the runs' start, {start:%Y-%m}")
        if b > turns:
            notes.append(f"checked up to the runs' end, {end_date:%Y-%m}")
        return max(a, 0), min(b, turns), "all", "; ".join(notes)
    return turns, turns, "all", ""


def _add_months(d: dt.date, n: int) -> dt.date:
    m = d.month - 1 + n
    return dt.date(d.year + m // 12, m % 12 + 1, 1)


# --- evaluating in a run --------------------------------------------------------------------


def probe_data(f: Fact) -> list[dict]:
    """The clauses as plain data, to send to workers."""
    return [c.model_dump(by_alias=True, exclude_none=True) for c in f.clauses]


def compile_probe(data: list[dict]) -> Callable:
    clauses = [Clause.model_validate(d) for d in data]

    def holds(w) -> bool:
        for c in clauses:
            if not condition_holds(w, c):
                return False
            ua = c.under_agreement
            if ua is not None and not _under_agreement(w, ua):
                return False
        return True

    return holds


def _under_agreement(w, ua: UnderAgreement) -> bool:
    s = w.s
    z = s.zone(ua.zone)
    need = {s.actor(g) for g in ua.guarantors}
    for ag in w.agreements:
        if ag.active(w.turn) and z in ag.zones and need <= set(ag.guarantors):
            if ua.kind is None or ag.kind == ua.kind:
                return True
    return False
