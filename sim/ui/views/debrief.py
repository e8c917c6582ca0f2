"""Debrief: the game so far (or at its end) against its start: two maps of control, each
power's territory, leverage and standing then and now, the turning points (the months when
influence or control moved most, and what happened in them), each power's score and
objectives, what each actor's preferences made it do, and the zones that changed hands.
Scrolls (wheel, Up/Down, PageUp/PageDown) when it is taller than the view."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pygame

from sim.sources import describe_source
from sim.ui import theme as th
from sim.ui import widgets as wd
from sim.ui.views.actors import objective_status, status_colour
from sim.ui.views.base import Scroller, View, look
from sim.ui.views.mapview import MapRenderer

ZONE_WEIGHT = 0.1   # a zone changing hands counts as this much movement of influence
HAPPENED_FIRST = ("event", "trade", "agreement", "offensive", "guarantee", "violation", "talks")


@dataclass
class TurningPoint:
    turn: int
    score: float                                            # how much moved, for ranking
    moves: list[tuple[str, str, float]] = field(default_factory=list)   # (actor, metric, change)
    zones: list[tuple[str, str, str]] = field(default_factory=list)     # (zone, from, to)
    happened: list[str] = field(default_factory=list)       # what happened that month, most telling first


def turning_points(session, n: int = 4) -> list[TurningPoint]:
    """The `n` months when influence or control moved most, in the order they came: the sum
    over the powers of the change in leverage and standing, plus ZONE_WEIGHT per zone that
    changed hands. Each with its largest moves and what happened that month."""
    hist = session.history()
    out = []
    for (_, before), (turn, after) in zip(hist, hist[1:]):
        tp = TurningPoint(turn, 0.0)
        for a in session.powers:
            for metric in ("leverage", "standing"):
                d = float(after["influence"][metric].get(a, 0.0)) - float(before["influence"][metric].get(a, 0.0))
                tp.score += abs(d)
                if abs(d) >= 0.0005:
                    tp.moves.append((a, metric, d))
        tp.zones = [(z, before["control"][z], h) for z, h in after["control"].items() if before["control"].get(z) != h]
        tp.score += ZONE_WEIGHT * len(tp.zones)
        tp.moves.sort(key=lambda m: -abs(m[2]))
        tp.happened = _happened(after)
        if tp.score > 1e-9:
            out.append(tp)
    top = sorted(out, key=lambda tp: -tp.score)[:n]
    return sorted(top, key=lambda tp: tp.turn)


def _happened(rec: dict) -> list[str]:
    """The month's events and the outcomes that change things, most telling first."""
    items = [("event", e["text"]) for e in rec.get("events", [])]
    for o in rec.get("outcomes", []):
        kind = o.get("type", "")
        if kind == "offensive" and not o.get("won"):
            continue
        if kind in HAPPENED_FIRST:
            items.append((kind, o["text"]))
    items.sort(key=lambda kv: HAPPENED_FIRST.index(kv[0]))
    return [t[0].upper() + t[1:] for _, t in items if t]


@dataclass
class Drive:
    """What an actor's preferences made it do over the game."""

    actor: str
    months: int
    top_actions: list[tuple[str, int]]      # (action, months chosen), one per track
    term: str = ""
    kind: str = ""
    weight: float = 0.0
    total: float = 0.0                      # the term's summed share of the chosen actions' utility
    source: str = ""


def drives(session) -> list[Drive]:
    """Per actor: the action it chose most on each track, and the preference term that
    contributed most to the utility of the actions it chose (summed over the months)."""
    hist = session.history()[1:]
    out = []
    for a in session.actor_ids:
        counts: dict[str, Counter] = {}
        sums: dict[str, float] = {}
        meta: dict[str, dict] = {}
        months = 0
        for _, rec in hist:
            decs = [d for d in rec.get("decisions", []) if d["actor"] == a]
            months += bool(decs)
            for d in decs:
                counts.setdefault(d["track"], Counter())[d["action"]] += 1
                for b in d["breakdown"]:
                    sums[b["term"]] = sums.get(b["term"], 0.0) + b["value"]
                    meta[b["term"]] = b
        if not months:
            continue
        top = [c.most_common(1)[0] for _, c in sorted(counts.items())]
        dr = Drive(a, months, top)
        if sums:
            best = max(sums, key=sums.get)
            if sums[best] <= 1e-9:  # nothing pulled: name what held it back most
                best = min(sums, key=sums.get)
            b = meta[best]
            dr.term, dr.kind, dr.weight, dr.source = best, b["kind"], abs(b["weight"]), b["source"]
            dr.total = sums[best]
        out.append(dr)
    return out


def drive_text(session, dr: Drive) -> str:
    acts = " and ".join(f"“{act.replace('_', ' ')}” ({k} of {dr.months} months)" for act, k in dr.top_actions)
    text = f"chose {acts} most often"
    if dr.term:
        verb = "drew most on" if dr.total > 0 else "were held back most by"
        text += (f"; its choices {verb} {dr.term} ({dr.kind}, weight {dr.weight:.2f}), "
                 f"from {describe_source(dr.source)}")
    return text + "."


def objective_rows(session) -> dict[str, tuple[int, int, list[tuple[str, str, int]]]]:
    """Per actor with objectives, in the scenario's order of actors: (points won, points at
    stake, [(status, text, points)]); empty when the scenario declares none."""
    card = session.scorecard()
    scores = session.scores()
    out = {}
    for a in session.actor_ids:
        objs = [(objective_status(v), v.text, int(v.points)) for v in card if v.actor == a]
        if objs:
            out[a] = (*scores[a], objs)
    return out


class DebriefView(View):
    key = "debrief"
    title = "Debrief"
    hotkey = "D"
    uses_map = True

    def __init__(self, state, renderer: MapRenderer | None = None):
        super().__init__(state)
        self.r = renderer or MapRenderer()
        self.scroller = Scroller()
        self._maps: dict[str, pygame.Rect] = {}   # in the scrolled content

    @property
    def map_rects(self) -> dict[str, pygame.Rect]:
        """Where the two maps are in the view as last drawn (scrolled)."""
        return {k: r.move(0, -self.scroller.offset) for k, r in self._maps.items()}

    def handle_event(self, event, local):
        return self.scroller.handle_event(event, local)

    def draw(self, surf: pygame.Surface, mouse=None) -> None:
        mt = self.metrics(surf)
        s = self.session
        size = surf.get_size()
        key = (s.version, s.turn, size, mt.size, look())
        self.scroller.render(key, size, lambda c: self._content(c, mt, size[1]))
        self.scroller.blit(surf, mt)

    # --- the content, drawn onto the scroller's tall surface ------------------------------------

    def _content(self, surf: pygame.Surface, mt: th.Metrics, view_h: int) -> int:
        s = self.session
        W = surf.get_width()
        pad = mt.pad * 2
        start, now = s.figures(0), s.figures()
        over = s.finished
        head = (f"Debrief: {s.title()}" if over else f"Debrief so far: {s.title()}")
        r = wd.draw_text(surf, head, (pad, pad), mt.head, th.ACCENT, bold=True, max_width=W - 2 * pad)
        sub = (f"{s.date_label(0)} to {s.date_label()}: {s.turn} of {s.last_turn} months played"
               + (" (the game is over)" if over else "") + ".  Wheel or Up/Down: scroll.")
        y = wd.draw_wrapped(surf, sub, pad, r.bottom + 2, W - 2 * pad, mt.small, th.TEXT_DIM) + mt.pad
        y = self._maps_row(surf, mt, start, now, over, pad, y, W - 2 * pad, view_h) + mt.pad
        y = self._power_table(surf, mt, start, now, over, pad, y, W - 2 * pad) + mt.pad
        two = W >= 50 * mt.body
        gap = mt.pad * 3
        col_w = (W - 2 * pad - gap) // 2 if two else W - 2 * pad
        y1 = self._turning(surf, mt, pad, y, col_w)
        x2, y2 = (pad + col_w + gap, y) if two else (pad, y1 + mt.pad)
        y2 = self._scores(surf, mt, x2, y2, col_w)
        y = max(y1, y2) + mt.pad
        y = self._drives(surf, mt, pad, y, W - 2 * pad) + mt.pad
        y = self._changed(surf, mt, start, now, pad, y, W - 2 * pad)
        return y + pad

    def _maps_row(self, surf, mt, start, now, over, x, y, w, view_h) -> int:
        s = self.session
        gap = mt.pad * 2
        map_w = (w - gap) // 2
        lh = th.line_height(mt.small, True)
        map_h = max(60, min(int(view_h * 0.45), int(map_w * 0.8)))
        changed = frozenset(z for z in now["control"] if start["control"].get(z) != now["control"][z])
        self._maps = {}
        for i, (label, fig, ch) in enumerate(((f"Start, {s.date_label(0)}", start, frozenset()),
                                               (f"{'End' if over else 'Now'}, {s.date_label()}", now, changed))):
            mx = x + i * (map_w + gap)
            wd.draw_text(surf, label, (mx, y), mt.small, th.TEXT, bold=True, max_width=map_w)
            rect = pygame.Rect(mx, y + lh + 2, map_w, map_h)
            layer = self.r.zone_layer(rect.size, 2, fig["control"], fig.get("zones", {}), ch, th.BG)
            surf.blit(layer, rect)
            self._maps["start" if i == 0 else "now"] = rect
        return y + lh + 2 + map_h

    def _power_table(self, surf, mt, start, now, over, x, y, w) -> int:
        s = self.session
        cols = [("Territory", "territory"), ("Leverage", "leverage"), ("Standing", "standing")]
        lh = th.line_height(mt.small, True)
        name_w = min(int(w * 0.26), max(th.text_width(s.name(a), mt.small, True) for a in s.powers) + 10 + mt.pad)
        col_w = (w - name_w) // 3
        wd.draw_text(surf, "Power", (x, y), mt.small, th.ACCENT, bold=True)
        for j, (label, _) in enumerate(cols):
            wd.draw_text(surf, f"{label}: start to {'end' if over else 'now'}", (x + name_w + j * col_w, y),
                         mt.small, th.ACCENT, bold=True, max_width=col_w - 4)
        y += lh + 2
        row_h = th.line_height(mt.small) + 3
        for a in s.powers:
            pygame.draw.rect(surf, th.actor_colour(a), (x, y + 3, max(3, mt.px(6)), row_h - 6))
            wd.draw_text(surf, s.name(a), (x + mt.pad, y), mt.small, th.TEXT, bold=True, max_width=name_w - mt.pad - 2)
            for j, (_, metric) in enumerate(cols):
                v0 = float(start["influence"][metric].get(a, 0.0))
                v1 = float(now["influence"][metric].get(a, 0.0))
                d = v1 - v0
                fmt = "{:.0%}" if metric == "territory" else "{:.3f}"
                cx = x + name_w + j * col_w
                rr = wd.draw_text(surf, f"{fmt.format(v0)} to {fmt.format(v1)}", (cx, y), mt.small, th.TEXT,
                                  max_width=col_w - 4)
                if abs(d) >= (0.005 if metric == "territory" else 0.0005):
                    dtxt = f"{d:+.0%}" if metric == "territory" else f"{d:+.3f}"
                    gap = max(4, mt.pad)
                    if rr.right + gap + th.text_width(dtxt, mt.small) <= cx + col_w:
                        wd.draw_text(surf, dtxt, (rr.right + gap, y), mt.small, th.GOOD if d > 0 else th.BAD)
            y += row_h
        return y

    def _turning(self, surf, mt, x, y, w) -> int:
        s = self.session
        y = wd.section_title(surf, "Turning points", x, y, w, mt.body)
        tps = turning_points(s)
        if not tps:
            return wd.draw_wrapped(surf, "None yet: nothing has moved." if s.turn else
                                   "None yet: no month has been played.", x, y, w, mt.small, th.TEXT_DIM)
        y = wd.draw_wrapped(surf, "The months when leverage, standing and control moved most.", x, y, w,
                            mt.tiny, th.TEXT_DIM) + 2
        for tp in tps:
            y = wd.draw_wrapped(surf, f"{s.date_label(tp.turn)} (turn {tp.turn})", x, y, w, mt.small, th.TEXT,
                                bold=True)
            bits = [f"{s.zone_name(z)}: {s.short(a)} to {s.short(b)}" for z, a, b in tp.zones]
            bits += [f"{s.short(a)} {m} {d:+.3f}" for a, m, d in tp.moves[:3]]
            if bits:
                y = wd.draw_wrapped(surf, "; ".join(bits), x + mt.pad, y, w - mt.pad, mt.tiny, th.ACCENT)
            for text in tp.happened[:2]:
                y = wd.draw_wrapped(surf, f"• {text}", x + mt.pad, y, w - mt.pad, mt.tiny, th.TEXT_DIM, indent=mt.pad)
            y += mt.pad // 2
        return y

    def _scores(self, surf, mt, x, y, w) -> int:
        s = self.session
        y = wd.section_title(surf, "Score and objectives", x, y, w, mt.body)
        rows = objective_rows(s)
        if not rows:
            return wd.draw_wrapped(surf, "No objectives declared in this scenario: no score is kept.", x, y, w,
                                   mt.small, th.TEXT_DIM)
        for a, (won, total, objs) in rows.items():
            r = wd.draw_text(surf, s.name(a), (x, y), mt.small, th.readable(th.actor_colour(a)), bold=True,
                             max_width=w // 2)
            wd.draw_text(surf, f"{won} of {total} points", (r.right + mt.pad, y), mt.small, th.TEXT, bold=True)
            y = r.bottom
            for status, text, points in objs:
                r = wd.badge(surf, status, (x + mt.pad, y + th.line_height(mt.tiny) // 2 + 1), mt.tiny,
                             status_colour(status), anchor="midleft")
                tx = r.right + mt.pad // 2
                y = wd.draw_wrapped(surf, f"{text} ({points} pts)", tx, y, x + w - tx, mt.tiny, th.TEXT_DIM)
                y = max(y, r.bottom) + 2
            y += mt.pad // 2
        return y

    def _drives(self, surf, mt, x, y, w) -> int:
        s = self.session
        y = wd.section_title(surf, "What their preferences made them do", x, y, w, mt.body)
        ds = drives(s)
        if not ds:
            return wd.draw_wrapped(surf, "Nothing yet: no month has been played.", x, y, w, mt.small, th.TEXT_DIM)
        for dr in ds:
            name = s.name(dr.actor)
            r = wd.draw_text(surf, name, (x, y), mt.small, th.readable(th.actor_colour(dr.actor)), bold=True)
            # the rest of the sentence runs on after the name, then wraps under it
            first, *rest = th.wrap(drive_text(s, dr), mt.small, max(40, x + w - r.right - mt.pad // 2))
            wd.draw_text(surf, first, (r.right + mt.pad // 2, y), mt.small, th.TEXT)
            y += th.line_height(mt.small)
            if rest:
                y = wd.draw_wrapped(surf, " ".join(rest), x + mt.pad, y, w - mt.pad, mt.small, th.TEXT)
            y += 2
        return y

    def _changed(self, surf, mt, start, now, x, y, w) -> int:
        s = self.session
        y = wd.section_title(surf, "Zones that changed hands", x, y, w, mt.body)
        zones = [z for z in s.zone_ids if start["control"].get(z) != now["control"][z]]
        if not zones:
            return wd.draw_wrapped(surf, "None: every zone is held by whoever held it at the start.", x, y, w,
                                   mt.small, th.TEXT_DIM)
        ncol = 2 if w >= 40 * mt.small else 1
        col_w = w // ncol
        lh = th.line_height(mt.small)
        per_col = -(-len(zones) // ncol)
        for i, z in enumerate(zones):
            cx = x + (i // per_col) * col_w
            cy = y + (i % per_col) * lh
            a0, a1 = start["control"][z], now["control"][z]
            r = wd.draw_text(surf, f"{s.zone_name(z)}: ", (cx, cy), mt.small, th.TEXT, max_width=col_w // 2)
            r = wd.draw_text(surf, s.name(a0), (r.right, cy), mt.small, th.readable(th.actor_colour(a0)), bold=True)
            r = wd.draw_text(surf, " to ", (r.right, cy), mt.small, th.TEXT)
            wd.draw_text(surf, s.name(a1), (r.right, cy), mt.small, th.readable(th.actor_colour(a1)), bold=True,
                         max_width=max(10, cx + col_w - r.right - 8))
        return y + per_col * lh
