"""Debrief: the game so far (or at its end) against its start: two maps of control, each
power's territory, leverage and standing then and now, and the zones that changed hands."""

from __future__ import annotations

import pygame

from sim.ui import theme as th
from sim.ui import widgets as wd
from sim.ui.views.base import View
from sim.ui.views.mapview import MapRenderer


class DebriefView(View):
    key = "debrief"
    title = "Debrief"
    hotkey = "D"

    def __init__(self, state, renderer: MapRenderer | None = None):
        super().__init__(state)
        self.r = renderer or MapRenderer()
        self.map_rects: dict[str, pygame.Rect] = {}

    def draw(self, surf: pygame.Surface, mouse=None) -> None:
        mt = self.metrics(surf)
        s = self.session
        W, H = surf.get_size()
        surf.fill(th.BG)
        pad = mt.pad * 2
        start, now = s.figures(0), s.figures()
        over = s.finished
        head = (f"Debrief: {s.title()}" if over else f"Debrief so far: {s.title()}")
        r = wd.draw_text(surf, head, (pad, pad), mt.head, th.ACCENT, bold=True, max_width=W - 2 * pad)
        sub = (f"{s.date_label(0)} to {s.date_label()}: {s.turn} of {s.last_turn} months played"
               + (" (the game is over)" if over else ""))
        r = wd.draw_text(surf, sub, (pad, r.bottom + 2), mt.small, th.TEXT_DIM, max_width=W - 2 * pad)
        y = r.bottom + mt.pad
        # two maps side by side
        map_h = int((H - y) * 0.55)
        gap = mt.pad * 2
        map_w = (W - 2 * pad - gap) // 2
        lh = th.line_height(mt.small, True)
        changed = frozenset(z for z in now["control"] if start["control"].get(z) != now["control"][z])
        self.map_rects = {}
        for i, (label, fig, ch) in enumerate(((f"Start, {s.date_label(0)}", start, frozenset()),
                                               (f"{'End' if over else 'Now'}, {s.date_label()}", now, changed))):
            x = pad + i * (map_w + gap)
            wd.draw_text(surf, label, (x, y), mt.small, th.TEXT, bold=True)
            rect = pygame.Rect(x, y + lh + 2, map_w, max(10, map_h - lh - 2))
            layer = self.r.zone_layer(rect.size, 2, fig["control"], fig.get("zones", {}), ch, th.BG)
            surf.blit(layer, rect)
            self.map_rects["start" if i == 0 else "now"] = rect
        y += map_h + mt.pad
        # table
        cols = [("Power", None), ("Territory", "territory"), ("Leverage", "leverage"), ("Standing", "standing")]
        name_w = min(int(W * 0.26), max(th.text_width(s.name(a), mt.small, True) for a in s.powers) + 10 + mt.pad)
        col_w = (W - 2 * pad - name_w) // 3
        wd.draw_text(surf, "Power", (pad, y), mt.small, th.ACCENT, bold=True)
        for j, (label, _) in enumerate(cols[1:]):
            wd.draw_text(surf, f"{label}: start to {'end' if over else 'now'}", (pad + name_w + j * col_w, y),
                         mt.small, th.ACCENT, bold=True, max_width=col_w - 4)
        y += lh + 2
        row_h = th.line_height(mt.small) + 3
        changes_h = th.line_height(mt.small) * (min(len(changed), 6) + 2)
        for a in s.powers:
            if y + row_h > H - pad - changes_h:
                break
            pygame.draw.rect(surf, th.actor_colour(a), (pad, y + 3, 6, row_h - 6))
            wd.draw_text(surf, s.name(a), (pad + 10, y), mt.small, th.TEXT, bold=True, max_width=name_w - 12)
            for j, (_, metric) in enumerate(cols[1:]):
                v0 = float(start["influence"][metric].get(a, 0.0))
                v1 = float(now["influence"][metric].get(a, 0.0))
                d = v1 - v0
                fmt = "{:.0%}" if metric == "territory" else "{:.3f}"
                rr = wd.draw_text(surf, f"{fmt.format(v0)} to {fmt.format(v1)}", (pad + name_w + j * col_w, y),
                                  mt.small, th.TEXT)
                if abs(d) >= (0.005 if metric == "territory" else 0.0005):
                    dtxt = f"{d:+.0%}" if metric == "territory" else f"{d:+.3f}"
                    wd.draw_text(surf, dtxt, (rr.right + 6, y), mt.small, th.GOOD if d > 0 else th.BAD)
            y += row_h
        y += mt.pad // 2
        wd.draw_text(surf, "Zones that changed hands", (pad, y), mt.small, th.ACCENT, bold=True)
        y += lh
        if not changed:
            wd.draw_text(surf, "None: every zone is held by whoever held it at the start.", (pad, y),
                         mt.small, th.TEXT_DIM)
            return
        zones = [z for z in s.zone_ids if z in changed]
        lh_s = th.line_height(mt.small)
        rows_fit = max(1, (H - 2 - y) // lh_s)
        ncol = 1 if len(zones) <= rows_fit else 2
        col_w = (W - 2 * pad) // ncol
        per_col = rows_fit if ncol == 2 else len(zones)
        shown = zones[:per_col * ncol]
        if len(shown) < len(zones):  # keep the last slot to say how many are left out
            shown = shown[:-1]
        for i, z in enumerate(shown):
            x = pad + (i // per_col) * col_w
            yy = y + (i % per_col) * lh_s
            a0, a1 = start["control"][z], now["control"][z]
            r = wd.draw_text(surf, f"{s.zone_name(z)}: ", (x, yy), mt.small, th.TEXT, max_width=col_w // 2)
            r = wd.draw_text(surf, s.name(a0), (r.right, yy), mt.small, th.readable(th.actor_colour(a0)), bold=True)
            r = wd.draw_text(surf, " to ", (r.right, yy), mt.small, th.TEXT)
            wd.draw_text(surf, s.name(a1), (r.right, yy), mt.small, th.readable(th.actor_colour(a1)), bold=True,
                         max_width=max(10, x + col_w - r.right - 8))
        if len(shown) < len(zones):
            i = len(shown)
            wd.draw_text(surf, f"and {len(zones) - len(shown)} more", (pad + (i // per_col) * col_w,
                         y + (i % per_col) * lh_s), mt.small, th.TEXT_DIM)
