"""Checks that need the whole scenario: every id that refers to an actor or a zone exists."""

from __future__ import annotations

import difflib

from sim.model.params import PARAMS
from sim.scenario.schema import Scenario

Problem = tuple[tuple, str]


def _ref(kind: str, value: str, known: dict | set | list) -> str | None:
    if value in known:
        return None
    hint = difflib.get_close_matches(value, list(known), n=1)
    more = f" (did you mean '{hint[0]}'?)" if hint else ""
    return f"unknown {kind} '{value}'{more}; expected one of: {', '.join(known)}"


def check_references(s: Scenario) -> list[Problem]:
    out: list[Problem] = []
    actors, zones = s.actors, s.zones

    def actor(loc: tuple, value: str) -> None:
        if (m := _ref("actor", value, actors)):
            out.append((loc, m))

    def zone(loc: tuple, value: str) -> None:
        if (m := _ref("zone", value, zones)):
            out.append((loc, m))

    def issue(loc: tuple, value: str) -> None:
        if (m := _ref("issue", value, s.issues) if s.issues else "unknown issue "
                f"'{value}': this scenario defines no issues"):
            out.append((loc, m))

    # agreements may also be made by events and trades as the game goes
    agreement_ids = [ag.id for ag in s.agreements] + [
        eff.agreement.id for ev in s.events for eff in ev.effects if eff.type == "agreement"] + [
        eff.agreement.id for t in s.trades for side in (t.gives, t.asks) for eff in side
        if eff.type == "agreement"]

    def agreement(loc: tuple, value: str) -> None:
        if (m := _ref("agreement", value, agreement_ids)):
            out.append((loc, m))

    def trade(loc: tuple, value: str) -> None:
        if (m := _ref("trade", value, [t.id for t in s.trades])):
            out.append((loc, m))

    def effect(loc: tuple, eff) -> None:
        _effect(loc, eff, actor, zone)
        if eff.type == "commit":
            issue(loc + ("issue",), eff.issue)

    def condition(loc: tuple, c) -> None:
        _condition(loc, c, actor, zone)
        for field in ("trade_done", "trade_not_done"):
            if getattr(c, field) is not None:
                trade(loc + (field,), getattr(c, field))
        for field in ("agreement_in_force", "agreement_not_in_force"):
            if getattr(c, field) is not None:
                agreement(loc + (field,), getattr(c, field))

    for name, value in s.parameters.items():
        p = PARAMS.get(name)
        if p is None:
            out.append((("parameters", name), _ref("parameter", name, PARAMS) or ""))
        elif not p.lo <= value <= p.hi:
            out.append((("parameters", name), f"{value} is outside the allowed range {p.lo}..{p.hi}"))
    for i, a in enumerate(s.default_actors):
        actor(("default_actors", i), a)

    for aid, a in actors.items():
        base = ("actors", aid)
        if a.fights_for:
            actor(base + ("fights_for",), a.fights_for)
        for i, c in enumerate(a.clients):
            actor(base + ("clients", i), c)
        for z in a.forces:
            zone(base + ("forces", z), z)
        for other in a.relations:
            actor(base + ("relations", other), other)
            if other == aid:
                out.append((base + ("relations", other), "an actor has no relation with itself"))
        for tname, t in a.preferences.items():
            for i, o in enumerate(t.of):
                actor(base + ("preferences", tname, "of", i), o)
            for i, z in enumerate(t.zones):
                zone(base + ("preferences", tname, "zones", i), z)
            for i, k in enumerate(t.issues):
                issue(base + ("preferences", tname, "issues", i), k)
            if t.issues and t.kind != "settlement":
                out.append((base + ("preferences", tname, "issues"), "only a settlement term names issues"))
            if t.kind == "settlement" and not s.issues:
                out.append((base + ("preferences", tname, "kind"),
                            "a settlement term needs the scenario to define issues"))
        if not a.preferences:
            out.append((base + ("preferences",), "an actor needs at least one preference term"))

    for zid, z in zones.items():
        base = ("zones", zid)
        actor(base + ("controller",), z.controller)
        for i, n in enumerate(z.neighbors):
            zone(base + ("neighbors", i), n)
            if n == zid:
                out.append((base + ("neighbors", i), "a zone is not its own neighbour"))

    for i, ag in enumerate(s.agreements):
        _agreement(("agreements", i), ag, actor, zone)
    for i, f in enumerate(s.frameworks):
        actor(("frameworks", i, "convener"), f.convener)
        for j, m in enumerate(f.members):
            actor(("frameworks", i, "members", j), m)
    for i, ev in enumerate(s.events):
        base = ("events", i)
        for j, eff in enumerate(ev.effects):
            effect(base + ("effects", j), eff)
        if ev.when is not None:
            condition(base + ("when",), ev.when)
        if ev.date is not None and ev.date < s.start.replace(day=1):
            out.append((base + ("date",), f"{ev.date} is before the scenario starts ({s.start})"))
    for i, t in enumerate(s.trades):
        base = ("trades", i)
        actor(base + ("proposer",), t.proposer)
        actor(base + ("to",), t.to)
        for side in ("gives", "asks"):
            for j, eff in enumerate(getattr(t, side)):
                effect(base + (side, j), eff)
        for j, pr in enumerate(t.promises):
            loc = base + ("promises", j)
            actor(loc + ("actor",), pr.actor)
            if pr.actor not in (t.proposer, t.to):
                out.append((loc + ("actor",), f"a promise is made by a side of the trade ({t.proposer} or {t.to})"))
            condition(loc + ("holds",), pr.holds)
            if pr.issue is not None:
                issue(loc + ("issue",), pr.issue)
            for k, eff in enumerate(pr.on_break):
                effect(loc + ("on_break", k), eff)
    for kid, spec in s.issues.items():
        base = ("issues", kid)
        for i, o in enumerate(spec.measure.of):
            actor(base + ("measure", "of", i), o)
        for i, z in enumerate(spec.measure.zones):
            zone(base + ("measure", "zones", i), z)
        for a in spec.positions:
            actor(base + ("positions", a), a)
    for i, v in enumerate(s.variables):
        if (m := _check_variable_path(s, v.path)):
            out.append((("variables", i, "path"), m))

    for a, objs in s.objectives.items():
        actor(("objectives", a), a)
        for i, o in enumerate(objs):
            condition(("objectives", a, i, "holds"), o.holds)
            # the start month is the opening position, never a month played, so it cannot be judged
            if o.by is not None and (o.by.year, o.by.month) <= (s.start.year, s.start.month):
                out.append((("objectives", a, i, "by"), f"{o.by} is not after the scenario's first month "
                            f"({s.start:%Y-%m}); objectives are judged in a month that is played"))
    for i, o in enumerate(s.outcomes):
        condition(("outcomes", i, "holds"), o.holds)

    for kind, ids in (("objective", [f"{a}.{o.id}" for a, objs in s.objectives.items() for o in objs]),
                      ("outcome", [o.id for o in s.outcomes]), ("event", [e.id for e in s.events]), ("agreement", [a.id for a in s.agreements]),
                      ("trade", [t.id for t in s.trades]), ("framework", [f.id for f in s.frameworks])):
        seen = set()
        for i, x in enumerate(ids):
            if x in seen:
                out.append(((kind + "s", i, "id"), f"duplicate {kind} id '{x}'"))
            seen.add(x)
    return out


def _agreement(loc, ag, actor, zone) -> None:
    for j, z in enumerate(ag.zones):
        zone(loc + ("zones", j), z)
    for j, p in enumerate(ag.parties):
        actor(loc + ("parties", j), p)
    for j, g in enumerate(ag.guarantors):
        actor(loc + ("guarantors", j), g)


def _effect(loc, eff, actor, zone) -> None:
    for field in ("actor", "target", "to", "source_actor"):
        v = getattr(eff, field, None)
        if isinstance(v, str):
            actor(loc + ("from" if field == "source_actor" else field,), v)
    z = getattr(eff, "zone", None)
    if isinstance(z, str):
        zone(loc + ("zone",), z)
    for j, zz in enumerate(getattr(eff, "zones", []) or []):
        zone(loc + ("zones", j), zz)
    if eff.type == "agreement":
        _agreement(loc + ("agreement",), eff.agreement, actor, zone)


def _condition(loc, c, actor, zone) -> None:
    for field in ("controlled_by", "not_controlled_by"):
        v = getattr(c, field)
        if v is not None:
            zone(loc + (field, "zone"), v.zone)
            actor(loc + (field, "actor"), v.actor)
    for field in ("presence_below", "presence_above", "standing_below", "standing_above",
                  "leverage_below", "leverage_above"):
        v = getattr(c, field)
        if v is not None:
            actor(loc + (field, "actor"), v.actor)
            for j, z in enumerate(v.zones):
                zone(loc + (field, "zones", j), z)


def _check_variable_path(s: Scenario, path: str) -> str | None:
    parts = path.split(".")
    if parts[0] == "parameters":
        if len(parts) != 2 or parts[1] not in PARAMS:
            return _ref("parameter", parts[-1], PARAMS)
        return None
    node: object = s.model_dump(by_alias=True)
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list):
            node = next((x for x in node if isinstance(x, dict) and x.get("id") == part), None)
            if node is None:
                return f"no item '{part}' in this scenario"
        else:
            keys = list(node) if isinstance(node, dict) else []
            hint = difflib.get_close_matches(part, keys, n=1)
            return f"no field '{part}' in this scenario" + (f" (did you mean '{hint[0]}'?)" if hint else "")
    if not isinstance(node, (int, float)) or isinstance(node, bool):
        return "a variable must point at a number"
    return None
