"""Role briefings: one printable page or two per power, generated from the scenario alone.

Who you are, what you want and why (every preference term with its weight, our paraphrase
and its source), your forces and money at the start, the orders open to you, your objectives
and how you score, and three questions to think about before play. Nothing is invented here:
every figure comes from the scenario and the model's opening state, every motive from the
term's note and source."""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.catalogue import CATALOGUE
from sim.model.state import ACTIONS
from sim.teach.common import SIMPLIFICATION, TeachError, cap, cite, humanise, month, short_cite, stamp, the
from sim.teach.names import Names
from sim.teach.render import Bullets, Doc, Para, Section, Table

QUESTIONS = 3
_CAPS = ("air", "ground", "economic", "diplomatic")


@dataclass
class Briefing:
    """A briefing's content, before it is written out."""

    actor: str
    doc: Doc
    questions: list[str]


def powers(loaded) -> list[str]:
    """The actors a team can play: the scenario's powers, in its order."""
    return [a for a, x in loaded.scenario.actors.items() if x.role == "power"]


def resolve_actor(loaded, phrase: str) -> str:
    """An actor id from an id, a name or a common name; refused with the list of actors."""
    scn = loaded.scenario
    try:
        return Names(scn).actor(phrase)
    except TeachError:
        listing = ", ".join(f"{a} ({x.name})" for a, x in scn.actors.items())
        raise TeachError(f"no actor '{phrase}' in {scn.id}; expected one of: {listing}") from None


def build(loaded, actor: str) -> Briefing:
    from sim.model.model import ArbiterModel

    scn = loaded.scenario
    if actor not in scn.actors:
        actor = resolve_actor(loaded, actor)
    # the opening state, exactly as a game starts it (no month is played)
    model = ArbiterModel(scenario=loaded, seed=0, record=False)
    w = model.world
    s = w.s
    a = s.actor(actor)
    me = scn.actors[actor]
    names = Names(scn)
    ctx = _Ctx(scn, actor, names)
    first, last = s.date(1), s.date(scn.turns)
    questions = _questions(ctx)
    doc = Doc(
        title=f"Role briefing: {me.name}",
        subtitle=f"{scn.title}. The game opens in {month(s.start)} and plays {month(first)} to "
                 f"{month(last)}, one month per turn.",
        sections=[
            _situation(ctx),
            _who(ctx, w, a),
            _wants(ctx),
            _forces(ctx, w, a),
            _options(ctx, model, a),
            _objectives(ctx, w),
            Section("Three questions to think about", [Bullets(questions, ordered=True)]),
            Section("What this model is, and is not", [Para(SIMPLIFICATION, "note")]),
        ],
        footer=[stamp(loaded)],
    )
    return Briefing(actor, doc, questions)


@dataclass
class _Ctx:
    scn: object
    actor: str
    names: Names

    def name(self, actor_id: str, you: bool = True) -> str:
        if you and actor_id == self.actor:
            return "you"
        return the(self.names.actor_names.get(actor_id, actor_id))

    def zone(self, z: str) -> str:
        return self.names.zone_names.get(z, z)


def _and(items: list[str]) -> str:
    items = [x for x in items if x]
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --- sections ---------------------------------------------------------------------------------


def _situation(c: _Ctx) -> Section:
    scn = c.scn
    others = [c.name(a) for a, x in scn.actors.items() if x.role == "power" and a != c.actor]
    minors = [c.name(a) for a, x in scn.actors.items() if x.role != "power"]
    blocks = [Para(" ".join(scn.description.split())),
              Para(f"The other powers are {_and(others)}: other teams play them, or the computer does. "
                   + (f"{cap(_and(minors))} are on the map too, always played by the computer." if minors else ""))]
    return Section("The situation", blocks)


def _who(c: _Ctx, w, a: int) -> Section:
    me = c.scn.actors[c.actor]
    s = w.s
    caps = me.capabilities
    lines = [f"You are **{me.name}**, one of the powers in this contest. Your capabilities, on a scale of "
             f"0 to 10: air {caps.air:g}, ground {caps.ground:g}, economic {caps.economic:g}, "
             f"diplomatic {caps.diplomatic:g} (source: {cite(caps.source)})."]
    if me.fights_for and me.fights_for != c.actor:
        lines.append(f"You fight on the side of {c.name(me.fights_for)}: a zone your offensives take passes "
                     f"to {c.name(me.fights_for)}, not to you.")
    if me.clients:
        lines.append(f"{cap(_and([c.name(x) for x in me.clients]))} depends on you as a client: you may press it "
                     f"to hold back inside agreed zones, and your support buys leverage over it.")
    rows = []
    for b in range(s.A):
        if b == a:
            continue
        al, tr = float(s.alignment[a, b]), float(w.trust[a, b])
        rel = me.relations.get(s.actor_ids[b])
        rows.append((al, [s.names[b], f"{al:+.1f}", f"{tr:+.1f}", _relation_words(al, bool(s.hostile[a, b])),
                          cite(rel.source) if rel else "not stated: taken from the other side or neutral"]))
    rows.sort(key=lambda r: -r[0])
    return Section("Who you are", [Para(" ".join(lines)),
                                   Para("Your friends and rivals (alignment and trust run from -1 to +1):"),
                                   Table(["Actor", "Alignment", "Trust", "In short", "Source"], [r for _, r in rows])])


def _relation_words(alignment: float, hostile: bool) -> str:
    if hostile:
        return "hostile: you may attack what it holds"
    if alignment >= 0.6:
        return "close ally"
    if alignment >= 0.3:
        return "partner"
    if alignment > -0.2:
        return "neither friend nor foe"
    return "opposed, but on the same side"


def term_meaning(c: _Ctx, term) -> str:
    """What a preference term counts, in plain words, from your point of view."""
    of = list(term.of) or [c.actor]
    who = _and([c.name(x) for x in of])
    whose = "your" if of == [c.actor] else f"{who}'s" if len(of) == 1 else f"{who}'s (together)"
    zones = _and([c.zone(z) for z in term.zones])
    where = f" in {zones}" if zones else ""
    if term.kind == "territory":
        held = "you hold" if of == [c.actor] else f"held by {who}"
        weigh = {"population": ", counted by population", "value": ", counted by strategic value",
                 "equal": ""}[term.weight_by]
        return f"the zones {held}{where or ' across Syria'}{weigh}"
    if term.kind == "presence":
        return f"{whose} ground forces in Syria{where}, as a share of full strength"
    if term.kind == "leverage":
        return f"{whose} leverage over Damascus (how much the regime needs that support)"
    if term.kind == "standing":
        return f"{whose} international standing (agreements guaranteed, talks convened or joined, deeds)"
    if term.kind == "sanctions":
        return "sanctions on " + ("you" if of == [c.actor] else who)
    if term.kind == "cost":
        return "money spent and troops lost each month"
    issues = c.scn.issues
    which = _and([issues[i].name for i in term.issues if i in issues]) or "the issues bargained over"
    return f"a forecast settlement of {which} close to your own position"


def wants(c: _Ctx, term) -> str:
    """'more of ...' / 'less of ...': which way the term pulls."""
    if term.kind == "settlement":
        return term_meaning(c, term)
    less = term.kind == "cost" or term.sense == "min"
    return f"{'less' if less else 'more'} of {term_meaning(c, term)}"


def _wants(c: _Ctx) -> Section:
    me = c.scn.actors[c.actor]
    terms = sorted(me.preferences.items(), key=lambda kv: -kv[1].weight)
    total = sum(t.weight for _, t in terms) or 1.0
    rows = [[f"**{humanise(k)}** `{k}`", f"{t.weight:.2f} ({t.weight / total:.0%})",
             wants(c, t), t.note, cite(t.source)] for k, t in terms]
    blocks = [Para("Each month the computer would choose for you by adding up the expected effect of each "
                   "order on the goals below, each times its weight. Your team may choose differently; the "
                   "weights are what the model assumes you care about, and why."),
              Table(["Goal", "Weight", "Wants", "Why (our paraphrase)", "Source"], rows)]
    contested = [(k, t) for k, t in terms if t.contested]
    if contested:
        items = []
        for k, t in contested:
            alts = "; ".join(f"{alt.weight:.2f} after {cite(alt.source)}"
                             + (f" ({alt.note.rstrip('.')})" if alt.note else "")
                             for alt in t.alternatives)
            items.append(f"**{humanise(k)}**: {t.weight:.2f} here, after {cite(t.source)}; another reading "
                         f"gives {alts}. Try it with `run {c.scn.id} --alternative {c.actor}.{k}`.")
        blocks += [Para("Contested weights (the sources can be read more than one way):"), Bullets(items)]
    return Section("What you want and why", blocks)


def _forces(c: _Ctx, w, a: int) -> Section:
    s = w.s
    p = s.params
    rows = [[s.zone_names[z], f"{w.ground[a, z]:.1f}", s.names[int(w.control[z])]]
            for z in range(s.Z) if w.ground[a, z] > 1e-9]
    deployed = float(w.ground[a].sum())
    held = [s.zone_names[z] for z in range(s.Z) if int(w.control[z]) == a]
    income = float(w.income[a])
    cut = income * (1 - p["sanctions_bite"] * float(w.sanctions[a]))
    upkeep = p["ground_upkeep"] * deployed + p["air_upkeep"] * float(w.air[a])
    blocks = []
    if rows:
        blocks += [Para("Your ground units in Syria at the start (a unit is a few brigades' worth: the figures "
                        "set proportions, not counts):"),
                   Table(["Zone", "Your units", "Held by"], rows)]
    else:
        blocks.append(Para("You have no ground units in Syria at the start."))
    facts = [
        f"In reserve, ready to send in: {float(w.reserve[a]):.1f} units. Your full strength is "
        f"{float(s.norm[a]):.1f} units; your **presence** figure is the units deployed divided by that "
        f"(now {deployed / float(s.norm[a]):.2f}).",
        f"Air power: {float(w.air[a]):g}." + (" You can fly air campaigns." if w.air[a] > 0 else " You have none."),
        f"Treasury: {float(w.treasury[a]):.1f}. Income: {income:.2f} a month"
        + (f", cut to {cut:.2f} by sanctions of {float(w.sanctions[a]):.0%}" if w.sanctions[a] > 0 else "")
        + f". Keeping your forces deployed costs about {upkeep:.2f} a month, so you "
        + (f"gain about {cut - upkeep:.2f} a month before any orders."
           if cut >= upkeep else f"lose about {upkeep - cut:.2f} a month before any orders."),
        f"Sanctions on you: {float(w.sanctions[a]):.0%}." if w.sanctions[a] > 0 else "No sanctions on you.",
        ("Zones you hold: " + _and(held) + ". Holding people lets you recruit.") if held
        else "You hold no zone yourself.",
    ]
    blocks.append(Bullets(facts))
    return Section("Your forces and money", blocks)


def _options(c: _Ctx, model, a: int) -> Section:
    s = model.world.s
    open_now: dict[str, list[str]] = {}
    for action, target, _ in model.legal_actions(a):
        open_now.setdefault(action, [])
        if target is not None:
            kind = CATALOGUE[action].target
            label = (s.zone_names[s.zone(target)] if kind == "zone" else s.names[s.actor(target)] if kind == "actor"
                     else next(t.name for t in s.trades if t.id == target))
            open_now[action].append(label)
    allowed = [ACTIONS[i] for i in range(len(ACTIONS)) if s.allowed[a, i]]
    blocks = [Para("Each month you give at most one military and one diplomatic order; a track you leave "
                   "empty is played by the computer for you. Costs are paid from your treasury.")]
    for track in ("military", "diplomatic"):
        items = []
        for action in allowed:
            spec = CATALOGUE[action]
            if spec.track != track:
                continue
            cost = f" (cost {spec.cost:g})" if spec.cost else ""
            where = open_now.get(action)
            if action in ("hold", "wait"):
                status = ""
            elif where is None:
                status = " Not open at the start; it may open as the situation changes."
            elif where:
                more = f" and {len(where) - 6} more" if len(where) > 6 else ""
                status = f" Open at the start: {', '.join(where[:6])}{more}."
            else:
                status = " Open at the start."
            items.append(f"**{humanise(action).replace('deescalation', 'de-escalation')}**{cost}: {spec.doc}{status}")
        blocks += [Para(f"{track.capitalize()} orders:"), Bullets(items)]
    trades = [t for t in c.scn.trades if c.actor in (t.proposer, t.to)]
    if trades:
        items = []
        for t in trades:
            if t.proposer == c.actor:
                items.append(f"You may offer {c.name(t.to)} **{t.name}**: {(t.note or 'a linkage trade').rstrip('.')} "
                             f"(source: {cite(t.source)}).")
            else:
                items.append(f"{cap(c.name(t.proposer))} may offer you **{t.name}**: "
                             f"{(t.note or 'a linkage trade').rstrip('.')} (source: {cite(t.source)}). "
                             f"You may accept, refuse or counter with other terms.")
        blocks += [Para("Trades on the table in this scenario:"), Bullets(items)]
    blocks.append(Para("Proposals put to you (ceasefires, de-escalation zones, talks) come up at the start of a "
                       "month: accept or refuse them, or leave them to the computer."))
    return Section("Your options each month", blocks)


def _objectives(c: _Ctx, w) -> Section:
    from sim.model.objectives import due_turn

    objs = c.scn.objectives.get(c.actor, [])
    me = c.scn.actors[c.actor]
    if not objs:
        return Section("Your objectives and how you score", [Para(
            f"This scenario sets no objectives for {the(me.name)}, so this role has no score. Judge your play "
            f"by the goals above: did {the(me.name)} end the game with more of what it wants?")])
    total = sum(o.points for o in objs)
    end = w.s.date(c.scn.turns)
    rows = []
    for o in objs:
        due = due_turn(w.s, o)
        when = f"in {month(w.s.date(due))}" if o.by is not None else f"at the end ({month(end)})"
        rows.append([o.text, str(o.points), when, cite(o.source)])
    return Section("Your objectives and how you score", [
        Para(f"You score points for each objective that holds when it is judged: once, in its month, or at "
             f"the end. {total} points are at stake. During the game the actor view (key C) shows whether "
             f"each would hold if the game stopped now."),
        Table(["Objective", "Points", "Judged", "Source"], rows)])


def _questions(c: _Ctx) -> list[str]:
    """Three questions: on the heaviest contested weight, the heaviest goal, the tension between
    the two heaviest goals and the sharpest rivalry (the first three that apply)."""
    me = c.scn.actors[c.actor]
    terms = sorted(me.preferences.items(), key=lambda kv: -kv[1].weight)
    qs, used = [], set()
    contested = [(k, t) for k, t in terms if t.contested]
    if contested:
        k, t = contested[0]
        alt = t.alternatives[0]
        used.add(k)
        why = f"{alt.note.rstrip('.')}; " if alt.note else ""
        qs.append(f"Your weight on {humanise(k)} is contested: {t.weight:.2f} here (after {short_cite(t.source)}), "
                  f"but another reading gives {alt.weight:.2f} ({why}source: {short_cite(alt.source)}). Which "
                  f"reading do you find more convincing, and why?")
    if terms and terms[0][0] not in used:
        k, t = terms[0]
        qs.append(f"The model makes {humanise(k)} your heaviest concern (weight {t.weight:.2f}: "
                  f"{t.note.rstrip('.')}). Is that how {the(me.name)} really thought in {c.scn.start.year}? "
                  f"What evidence would change your mind?")
    if len(terms) >= 2:
        (k1, t1), (k2, t2) = terms[0], terms[1]
        qs.append(f"{humanise(k1)} ({t1.weight:.2f}) and {humanise(k2)} ({t2.weight:.2f}) are your two "
                  f"heaviest goals. When could they pull you in different directions, and which would you "
                  f"give up first?")
    rivals = sorted((rel.alignment, other) for other, rel in me.relations.items()
                    if other in c.scn.actors and c.scn.actors[other].role == "power")
    if rivals and rivals[0][0] < 0:
        al, other = rivals[0]
        qs.append(f"You are most opposed to {c.name(other)} (alignment {al:+.1f}). Is there anything you both "
                  f"want, and what could you offer for it?")
    qs.append("Which of your goals could another power help you reach, and what would it want in return?")
    qs.append("Which of your goals does the model leave out, and how would it change what you do?")
    return qs[:QUESTIONS]


# --- writing out --------------------------------------------------------------------------------


def markdown(loaded, actor: str) -> str:
    from sim.teach.render import to_markdown

    return to_markdown(build(loaded, actor).doc)


def html(loaded, actor: str) -> str:
    from sim.teach.render import to_html

    return to_html(build(loaded, actor).doc)
