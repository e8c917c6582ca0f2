"""Influence: each power's leverage over Damascus and its standing as bars, animated between
turns by interpolation, and the share of Syria's population each actor holds."""

from __future__ import annotations

import pygame

from sim.ui import theme as th
from sim.ui import widgets as wd
from sim.ui.views.base import View

ANIM_SECONDS = 0.6


def _ease(t: float) -> float:
    t = max(0.0, min(1.0, t))
    return 1 - (1 - t) ** 3


class Tween:
    """Values that glide from where they are shown to new targets over ANIM_SECONDS."""

    def __init__(self):
        self.start: dict = {}
        self.target: dict = {}
        self.t = 1.0

    def set(self, target: dict, animate: bool) -> None:
        if target == self.target:
            return
        self.start = self.current() if (animate and self.target) else dict(target)
        self.target = dict(target)
        self.t = 0.0 if animate else 1.0

    def update(self, dt: float) -> None:
        self.t = min(1.0, self.t + dt / ANIM_SECONDS)

    @property
    def moving(self) -> bool:
        return self.t < 1.0

    def current(self) -> dict:
        e = _ease(self.t)
        return {k: self.start.get(k, v) + (v - self.start.get(k, v)) * e for k, v in self.target.items()}


class InfluenceView(View):
    key = "influence"
    title = "Influence"
    hotkey = "I"

    def __init__(self, state):
        super().__init__(state)
        self.tween = Tween()
        self._version = None

    def _targets(self) -> dict:
        fig = self.session.figures()["influence"]
        out = {}
        for a in self.session.powers:
            out[("leverage", a)] = float(fig["leverage"].get(a, 0.0))
            out[("standing", a)] = float(fig["standing"].get(a, 0.0))
        for a in self.session.actor_ids:
            out[("territory", a)] = float(fig["territory"].get(a, 0.0))
        out[("dependence", "")] = float(fig.get("dependence", 0.0))
        return out

    def sync(self) -> None:
        key = (self.session.version, self.session.turn)
        if key != self._version:
            self.tween.set(self._targets(), self.state.animate and self._version is not None)
            self._version = key

    def update(self, dt: float) -> None:
        self.sync()
        self.tween.update(dt)

    def draw(self, surf: pygame.Surface, mouse=None) -> None:
        self.sync()
        mt = self.metrics(surf)
        s = self.session
        W, H = surf.get_size()
        surf.fill(th.BG)
        vals = self.tween.current()
        try:
            prev = s.figures(s.turn - 1)["influence"] if s.turn > 0 else None
        except KeyError:
            prev = None
        pad = mt.pad * 2
        y = pad
        dep = vals.get(("dependence", ""), 0.0)
        y = wd.section_title(surf, "Leverage over Damascus", pad, y, W - 2 * pad, mt.head)
        # presenter type is too large for the explanations: the room hears them instead
        if not th.PRESENTER:
            y = wd.draw_wrapped(surf, f"How far each power can sway the regime: Damascus's dependence on "
                                f"outside help ({dep:.2f} now) shared out by the support each patron gives. "
                                f"The regime ({s.name(s.world.s.actor_ids[s.world.s.regime])}) is the one swayed.",
                                pad, y, W - 2 * pad, mt.small, th.TEXT_DIM) + mt.pad // 2
        n = len(s.powers)
        avail = H - y - pad
        # Two bar groups and the territory strip share the height.
        strip_h = max(th.line_height(mt.small) * 3 + mt.pad, int(avail * 0.2))
        group_h = (avail - strip_h - th.line_height(mt.head) * 2 - th.line_height(mt.tiny) * 2 - mt.pad * 4) / 2
        # a row is never shorter than its label, or names would overlap
        row = max(int(group_h / max(n, 1)), th.line_height(mt.body) + 2)
        bar_h = max(6, min(row - 4, mt.px(30)))
        regime = s.world.s.actor_ids[s.world.s.regime]
        patrons = [a for a in s.powers if a != regime]
        y = self._bars(surf, mt, "leverage", vals, prev, y, bar_h, row, pad, scale_max=1.0, actors=patrons)
        y += mt.pad
        y = wd.section_title(surf, "Standing", pad, y, W - 2 * pad, mt.head)
        if not th.PRESENTER:
            y = wd.draw_wrapped(surf, "Reputation earned or lost by deeds, plus guaranteeing zones, convening "
                                "and joining talks, and brokering between the others (0 to 1).",
                                pad, y, W - 2 * pad, mt.small, th.TEXT_DIM) + mt.pad // 2
        y = self._bars(surf, mt, "standing", vals, prev, y, bar_h, row, pad, scale_max=1.0, actors=list(s.powers))
        y += mt.pad
        self._territory(surf, mt, vals, y, pad, H - pad)

    def _bars(self, surf, mt, metric, vals, prev, y, bar_h, row, pad, scale_max, actors) -> int:
        s = self.session
        W = surf.get_width()
        name_w = max(th.text_width(s.name(a), mt.body, True) for a in s.powers) + mt.pad
        name_w = min(name_w, int(W * 0.3))
        num_w = th.text_width("0.000  +0.000", mt.body) + mt.pad
        x0 = pad + name_w
        bar_w = max(20, W - pad - num_w - x0)
        for a in actors:
            v = vals.get((metric, a), 0.0)
            wd.draw_text(surf, s.name(a), (pad, y + bar_h // 2), mt.body, th.TEXT, bold=True,
                         anchor="midleft", max_width=name_w - 4)
            track = pygame.Rect(x0, y, bar_w, bar_h)
            pygame.draw.rect(surf, th.PANEL, track, border_radius=3)
            for q in (0.25, 0.5, 0.75):
                gx = x0 + int(bar_w * q)
                pygame.draw.line(surf, th.BG, (gx, y), (gx, y + bar_h - 1))
            fill = pygame.Rect(x0, y, max(0, int(bar_w * min(v, scale_max) / scale_max)), bar_h)
            if fill.w:
                pygame.draw.rect(surf, th.actor_colour(a), fill, border_radius=3)
            tx = x0 + bar_w + mt.pad // 2
            r = wd.draw_text(surf, f"{v:.3f}", (tx, y + bar_h // 2), mt.body, th.TEXT, anchor="midleft")
            if prev is not None:
                d = float(self.session.figures()["influence"][metric].get(a, 0)) - float(prev[metric].get(a, 0))
                if abs(d) >= 0.0005:
                    wd.draw_text(surf, f"{d:+.3f}", (r.right + mt.pad // 2, y + bar_h // 2), mt.small,
                                 th.GOOD if d > 0 else th.BAD, anchor="midleft")
            y += max(row, bar_h + max(3, bar_h // 4))
        for q in (0.0, 0.25, 0.5, 0.75, 1.0):
            gx = x0 + int(bar_w * q)
            wd.draw_text(surf, f"{q * scale_max:g}", (gx, y - 2), mt.tiny, th.TEXT_FAINT,
                         anchor="midtop" if 0 < q < 1 else ("topleft" if q == 0 else "topright"))
        return y + th.line_height(mt.tiny)

    def _territory(self, surf, mt, vals, y, pad, bottom) -> None:
        s = self.session
        W = surf.get_width()
        strip = th.line_height(mt.small) + 4  # the strip must hold its labels
        if bottom - y < th.line_height(mt.head, True) + 2 * strip:
            return  # no room (large presenter type): the map shows who holds what anyway
        y = wd.section_title(surf, "Share of Syria's population held", pad, y, W - 2 * pad, mt.head)
        h = max(strip, min(mt.px(26), bottom - y - th.line_height(mt.small) - 4))
        rect = pygame.Rect(pad, y, W - 2 * pad, h)
        pygame.draw.rect(surf, th.PANEL, rect)
        x = float(rect.x)
        shares = [(a, vals.get(("territory", a), 0.0)) for a in s.actor_ids]
        total = sum(v for _, v in shares) or 1.0
        legend_x = pad
        ly = rect.bottom + 4
        for a, v in shares:
            w = rect.w * v / total
            if w <= 0:
                continue
            seg = pygame.Rect(int(x), rect.y, int(round(x + w)) - int(x), rect.h)
            pygame.draw.rect(surf, th.actor_colour(a), seg)
            pygame.draw.line(surf, th.BG, seg.topright, seg.bottomright)
            label = f"{s.short(a)} {v:.0%}"
            if th.text_width(label, mt.small, True) + 6 < seg.w:
                wd.draw_text(surf, label, seg.center, mt.small, th.text_on(th.actor_colour(a)), True, "center")
            elif ly + th.line_height(mt.small) <= bottom + pad:
                r = wd.draw_text(surf, f"{s.short(a)} {v:.0%}", (legend_x + mt.small, ly), mt.small, th.TEXT_DIM)
                pygame.draw.rect(surf, th.actor_colour(a), (legend_x, ly + 3, mt.small - 4, mt.small - 4))
                legend_x = r.right + mt.pad
            x += w
