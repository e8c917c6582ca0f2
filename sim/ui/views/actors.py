"""Actor card: one actor at a glance. Who it is, what it wants (its preference terms with
their weights, the article behind each, contested readings marked), its forces and money
now, and its objectives with their status and its score so far.

Keys: Tab / Shift+Tab the next / previous actor (the same actor as the 'why' view);
the wheel, Up/Down, PageUp/PageDown scroll."""

from __future__ import annotations

from dataclasses import dataclass, field

import pygame

from sim.sources import describe_source
from sim.ui import theme as th
from sim.ui import widgets as wd
from sim.ui.views.base import Scroller, View, look

STATUSES = ("met", "missed", "would hold now", "would not hold now")


def status_colour(status: str) -> th.Colour:
    """Read at draw time, so that a change of theme shows at once."""
    return {"met": th.GOOD, "missed": th.BAD, "would hold now": th.mix(th.GOOD, th.TEXT_DIM, 0.5)}.get(
        status, th.TEXT_DIM)


@dataclass(frozen=True)
class TermRow:
    name: str
    kind: str
    weight: float
    sense: str          # "max" or "min"
    about: str          # whom and where the term is about, in words ("" for itself, everywhere)
    note: str
    source: str
    citation: str
    contested: bool
    alternatives: tuple[tuple[float, str, str], ...] = ()  # (weight, source, note)


@dataclass(frozen=True)
class ObjectiveRow:
    text: str
    points: int
    status: str         # met / missed / would hold now / would not hold now
    due: str            # the month it is judged
    source: str


@dataclass
class ActorCard:
    actor: str
    name: str
    who: list[str] = field(default_factory=list)
    terms: list[TermRow] = field(default_factory=list)
    forces: list[tuple[str, str]] = field(default_factory=list)
    objectives: list[ObjectiveRow] = field(default_factory=list)
    declared: bool = False                 # the scenario declares objectives for someone
    score: tuple[int, int] | None = None   # (won, total) for this actor


def objective_status(v) -> str:
    if v.met is True:
        return "met"
    if v.met is False:
        return "missed"
    return "would hold now" if v.holds_now else "would not hold now"


def actor_card(session, actor: str) -> ActorCard:
    """Everything the card shows for `actor`, as data (the view draws this)."""
    s = session
    spec = s.model.scenario.actors[actor]
    w = s.world
    a = w.s.actor(actor)
    card = ActorCard(actor, s.name(actor))
    role = "a power" if spec.role == "power" else "a minor actor (the AI always plays it)"
    who = f"{s.name(actor)} ({s.short(actor)}) is {role}"
    if actor in s.humans:
        who += ", played by you"
    elif spec.role == "power":
        who += ", played by the AI" + ("" if spec.playable else " (not playable)")
    card.who.append(who + ".")
    ties = []
    if spec.clients:
        ties.append("patron of " + ", ".join(s.name(c) for c in spec.clients))
    patrons = [p for p, ps in s.model.scenario.actors.items() if actor in ps.clients]
    if patrons:
        ties.append("client of " + ", ".join(s.name(p) for p in patrons))
    if spec.fights_for and spec.fights_for != actor:
        ties.append(f"its offensives take ground for {s.name(spec.fights_for)}")
    if spec.excluded_from_agreements:
        ties.append("left out of every agreement")
    if ties:
        card.who.append(ties[0][0].upper() + "; ".join(ties)[1:] + ".")
    c = spec.capabilities
    card.who.append(f"Capabilities (0 to 10): air {c.air:g}, ground {c.ground:g}, economic {c.economic:g}, "
                    f"diplomatic {c.diplomatic:g} [{c.source}].")
    card.who.append(f"Drawn from {describe_source(spec.source)}.")
    for name, t in sorted(spec.preferences.items(), key=lambda kv: -kv[1].weight):
        about = []
        if t.of:
            about.append("about " + ", ".join(s.name(x) for x in t.of))
        if t.zones:
            about.append("in " + ", ".join(s.zone_name(z) for z in t.zones))
        sense = "min" if (t.sense == "min" or t.kind == "cost") else "max"  # a cost is always to be kept down
        card.terms.append(TermRow(name, t.kind, float(t.weight), sense, "; ".join(about), t.note, t.source,
                                  describe_source(t.source), bool(t.contested),
                                  tuple((float(x.weight), x.source, x.note) for x in t.alternatives)))
    # forces and money, as they stand now
    fig = s.figures()
    ground = [(s.zone_name(z), float(w.ground[a, i])) for i, z in enumerate(s.zone_ids) if w.ground[a, i] > 0.05]
    ground.sort(key=lambda r: -r[1])
    total = sum(g for _, g in ground)
    where = (f"{total:.1f} units in {len(ground)} zone{'s' if len(ground) != 1 else ''}: "
             + ", ".join(f"{z} {g:.1f}" for z, g in ground)) if ground else "none in any zone"
    card.forces += [("Ground forces", where),
                    ("Reserve", f"{float(w.reserve[a]):.1f} units not yet deployed"),
                    ("Air power", f"{float(w.air[a]):.1f}"),
                    ("Treasury", f"{float(w.treasury[a]):.1f} (income {float(w.income[a]):.1f} a month, "
                                 f"spent {float(w.spent[a]):.1f} this month)"),
                    ("Sanctions on it", f"{float(w.sanctions[a]):.0%}"),
                    ("Ground lost so far", f"{float(w.casualties[a]):.1f} units")]
    inf = fig.get("influence", {})
    if a in w.s.powers:
        if a != w.s.regime:
            card.forces.append(("Leverage over Damascus", f"{float(inf.get('leverage', {}).get(actor, 0)):.3f}"))
        card.forces.append(("Standing", f"{float(inf.get('standing', {}).get(actor, 0)):.3f}"))
    card.forces.append(("Territory", f"{float(inf.get('territory', {}).get(actor, 0)):.0%} of the population"))
    # objectives and score
    verdicts = s.scorecard()
    card.declared = bool(verdicts)
    for v in verdicts:
        if v.actor == actor:
            card.objectives.append(ObjectiveRow(v.text, int(v.points), objective_status(v),
                                                s.date_label(v.due, short=True), v.source))
    if card.objectives:
        won = sum(o.points for o in card.objectives if o.status == "met")
        card.score = (won, sum(o.points for o in card.objectives))
    return card


class ActorsView(View):
    key = "actors"
    title = "Actors"
    hotkey = "C"

    def __init__(self, state):
        super().__init__(state)
        self.chips = wd.ButtonRow([])
        self.scroller = Scroller()
        self.card: ActorCard | None = None
        # where the last drawing put each term's weight bar (content coordinates), for tests
        self.bars: dict[str, pygame.Rect] = {}

    @property
    def actor(self) -> str:
        ids = self.session.actor_ids
        return self.state.actor if self.state.actor in ids else ids[0]

    def handle_event(self, event, local):
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and local is not None:
            hit = self.chips.hit(local)
            if hit:
                self.state.actor = hit
                return True
            return False
        if self.cycle_actor(event):
            return True
        return self.scroller.handle_event(event, local)

    def draw(self, surf: pygame.Surface, mouse=None) -> None:
        mt = self.metrics(surf)
        s = self.session
        W, H = surf.get_size()
        surf.fill(th.BG)
        pad = mt.pad * 2
        actor = self.actor
        self.chips.items = [(a, s.short(a)) for a in s.actor_ids]
        self.chips.colours = {a: th.actor_colour(a) for a in s.actor_ids}
        chip_h = th.line_height(mt.small, True) + mt.pad // 2
        self.chips.layout(pygame.Rect(pad, pad, W - 2 * pad, chip_h), mt.small, mt.pad // 2)
        self.chips.draw(surf, actor, mt.small, hover=mouse)
        top = pad + chip_h + mt.pad // 2
        body = surf.subsurface(pygame.Rect(0, top, W, max(1, H - top)))
        key = (s.version, actor, (W, H), mt.size, look())
        if self.scroller.key != key:
            self.card = actor_card(s, actor)
            if self.scroller.key is None or self.scroller.key[1] != actor:
                self.scroller.offset = 0
        self.scroller.render(key, (W, body.get_height()), lambda c: self._content(c, mt, self.card))
        self.scroller.blit(body, mt)

    # --- the card, drawn onto the scroller's tall surface -------------------------------------

    def _content(self, surf: pygame.Surface, mt: th.Metrics, card: ActorCard) -> int:
        W = surf.get_width()
        pad = mt.pad * 2
        col = th.actor_colour(card.actor)
        y = mt.pad // 2
        r = wd.draw_text(surf, card.name, (pad, y), mt.title, th.readable(col), bold=True, max_width=W - 2 * pad)
        y = r.bottom + mt.pad // 2
        for line in card.who:
            y = wd.draw_wrapped(surf, line, pad, y, W - 2 * pad, mt.small, th.TEXT_DIM)
        y += mt.pad
        two = W >= 54 * mt.body
        gap = mt.pad * 3
        col_w = (W - 2 * pad - gap) // 2 if two else W - 2 * pad
        y_left = self._terms(surf, mt, card, pad, y, col_w)
        x2, y2 = (pad + col_w + gap, y) if two else (pad, y_left + mt.pad)
        y_right = self._forces(surf, mt, card, x2, y2, col_w)
        y_right = self._objectives(surf, mt, card, x2, y_right + mt.pad, col_w)
        return max(y_left, y_right) + pad

    def _terms(self, surf, mt, card: ActorCard, x: int, y: int, w: int) -> int:
        y = wd.section_title(surf, "What it wants: preference terms and weights", x, y, w, mt.body)
        self.bars = {}
        if not card.terms:
            return wd.draw_wrapped(surf, "No preference terms.", x, y, w, mt.small, th.TEXT_DIM)
        col = th.actor_colour(card.actor)
        top_w = max(t.weight for t in card.terms) or 1.0
        scale = max(top_w, max((a[0] for t in card.terms for a in t.alternatives), default=0.0))
        ls = th.line_height(mt.small, True)
        bar_w = max(30, int(w * 0.3))
        val_w = th.text_width("0.00", mt.small) + mt.pad
        for t in card.terms:
            name_w = w - bar_w - val_w - mt.pad
            r = wd.draw_text(surf, t.name, (x, y), mt.small, th.TEXT, bold=True, max_width=name_w)
            if t.contested and r.right + mt.pad + th.text_width("contested", mt.tiny, True) < x + name_w:
                wd.badge(surf, "contested", (r.right + mt.pad, y + ls // 2), mt.tiny, th.ACCENT, anchor="midleft")
            bx = x + w - val_w - bar_w
            bh = max(4, ls - mt.px(6))
            track = pygame.Rect(bx, y + (ls - bh) // 2, bar_w, bh)
            pygame.draw.rect(surf, th.PANEL, track)
            bar = pygame.Rect(bx, track.y, max(1, int(bar_w * t.weight / scale)), bh)
            pygame.draw.rect(surf, col, bar)
            self.bars[t.name] = bar
            for alt_w, _, _ in t.alternatives:  # the contested reading's weight, as a tick
                ax = bx + int(bar_w * alt_w / scale)
                pygame.draw.line(surf, th.ACCENT, (ax, track.y - 2), (ax, track.bottom + 1), max(2, mt.px(2)))
            wd.draw_text(surf, f"{t.weight:.2f}", (x + w, y), mt.small, th.TEXT, anchor="topright")
            y += ls
            sense = "wants more" if t.sense == "max" else "wants less"
            meta = f"{t.kind}, {sense}" + (f" ({t.about})" if t.about else "") + f": {t.note}"
            y = wd.draw_wrapped(surf, meta, x + mt.pad, y, w - mt.pad, mt.tiny, th.TEXT_DIM)
            y = wd.draw_wrapped(surf, f"Source: {t.citation}", x + mt.pad, y, w - mt.pad, mt.tiny, th.TEXT_FAINT)
            for alt_w, src, note in t.alternatives:
                alt = f"Contested: another reading gives it weight {alt_w:.2f} [{src}]" + (f": {note}" if note else "")
                y = wd.draw_wrapped(surf, alt, x + mt.pad, y, w - mt.pad, mt.tiny, th.ACCENT)
            y += mt.pad // 2
        return y

    def _forces(self, surf, mt, card: ActorCard, x: int, y: int, w: int) -> int:
        y = wd.section_title(surf, "Forces and money now", x, y, w, mt.body)
        label_w = min(int(w * 0.5), max(th.text_width(k, mt.small, True) for k, _ in card.forces) + mt.pad)
        for k, v in card.forces:
            y1 = wd.draw_wrapped(surf, k, x, y, label_w - 4, mt.small, th.TEXT_DIM, bold=True)
            y = max(y1, wd.draw_wrapped(surf, v, x + label_w, y, w - label_w, mt.small, th.TEXT))
        return y

    def _objectives(self, surf, mt, card: ActorCard, x: int, y: int, w: int) -> int:
        title = "Objectives"
        if card.score is not None:
            title += f": {card.score[0]} of {card.score[1]} points so far"
        y = wd.section_title(surf, title, x, y, w, mt.body)
        if not card.objectives:
            why = ("This scenario declares objectives for other powers only." if card.declared
                   else "This scenario declares no objectives: no score is kept.")
            return wd.draw_wrapped(surf, why, x, y, w, mt.small, th.TEXT_DIM)
        tag_w = max(th.text_width(st, mt.tiny, True) for st in STATUSES) + mt.pad * 2
        beside = w - tag_w >= 24 * mt.small  # the status beside the text, or above it in a narrow column
        for o in card.objectives:
            colour = status_colour(o.status)
            r = wd.badge(surf, o.status, (x, y + th.line_height(mt.small) // 2), mt.tiny, colour, anchor="midleft")
            tx = x + tag_w if beside else x + mt.pad
            ty = y if beside else r.bottom + 2
            y = wd.draw_wrapped(surf, f"{o.text} ({o.points} pt{'s' if o.points != 1 else ''}, judged "
                                f"{o.due}) [{o.source}]", tx, ty, x + w - tx, mt.small, th.TEXT)
            y += mt.pad // 2
        return y
