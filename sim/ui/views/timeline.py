"""Timeline: leverage over Damascus and standing of each power, month by month, from the
start (turn 0) to the month shown. One point per turn; the mouse shows a month's values."""

from __future__ import annotations

import math

import pygame

from sim.ui import theme as th
from sim.ui import widgets as wd
from sim.ui.views.base import View

CHARTS = (("leverage", "Leverage over Damascus"), ("standing", "Standing"))


def nice_axis(vmax: float, ticks: int = 4) -> tuple[float, float]:
    """(top, step): a round step (1, 2 or 5 x 10^k) and the first multiple of it >= vmax."""
    raw = max(vmax, 1e-6) / ticks
    e = 10 ** math.floor(math.log10(raw))
    step = next(m * e for m in (1, 2, 5, 10) if m * e >= raw - 1e-12)
    return step * math.ceil(vmax / step - 1e-9), step


class TimelineView(View):
    key = "timeline"
    title = "Timeline"
    hotkey = "T"

    def __init__(self, state):
        super().__init__(state)
        # Screen points of the last drawing, per (metric, actor): read by tests and hover.
        self.points: dict[tuple[str, str], list[tuple[int, int]]] = {}
        self.turns: list[int] = []

    def actors(self, metric: str) -> list[str]:
        """The powers charted: for leverage over Damascus, all but the regime itself."""
        s = self.session
        if metric == "leverage":
            regime = s.world.s.actor_ids[s.world.s.regime]
            return [a for a in s.powers if a != regime]
        return list(s.powers)

    def series(self) -> tuple[list[int], dict[tuple[str, str], list[float]]]:
        hist = self.session.history()
        turns = [t for t, _ in hist]
        out = {}
        for metric, _ in CHARTS:
            for a in self.session.powers:
                out[(metric, a)] = [float(f["influence"][metric].get(a, 0.0)) for _, f in hist]
        return turns, out

    def draw(self, surf: pygame.Surface, mouse=None) -> None:
        mt = self.metrics(surf)
        s = self.session
        W, H = surf.get_size()
        surf.fill(th.BG)
        turns, data = self.series()
        self.turns = turns
        self.points = {}
        pad = mt.pad * 2
        label_w = max(th.text_width(s.name(a), mt.small, True) for a in s.powers) + mt.pad * 2
        label_w = min(label_w, int(W * 0.25))
        axis_w = th.text_width("0.000", mt.tiny) + mt.pad
        gap = mt.pad * 2
        title_h = th.line_height(mt.head, True) + 4
        tick_h = th.line_height(mt.tiny) + 4
        chart_h = (H - 2 * pad - 2 * title_h - 2 * tick_h - gap) // 2
        x0, x1 = pad + axis_w, W - pad - label_w
        last = max(turns[-1] if turns else 0, 1)
        xs = lambda t: x0 + (x1 - x0) * t / last  # noqa: E731
        hover_turn = None
        if mouse is not None and x0 - 8 <= mouse[0] <= x1 + 8 and 0 <= mouse[1] < H:
            hover_turn = min(turns, key=lambda t: abs(xs(t) - mouse[0])) if turns else None
        y = pad
        for metric, title in CHARTS:
            wd.draw_text(surf, title, (pad, y), mt.head, th.ACCENT, bold=True)
            y += title_h
            plot = pygame.Rect(x0, y, x1 - x0, max(20, chart_h))
            actors = self.actors(metric)
            keys = [(metric, a) for a in actors]
            top, step = nice_axis(max([max(data[k]) for k in keys] + [0.05]) * 1.05)
            decimals = max(0, -int(math.floor(math.log10(step) + 1e-9)))
            ys = lambda v, plot=plot, top=top: plot.bottom - plot.h * v / top  # noqa: E731
            pygame.draw.rect(surf, th.PANEL, plot)
            for q in range(0, int(round(top / step)) + 1):
                v = step * q
                gy = int(ys(v))
                pygame.draw.line(surf, th.BORDER if q == 0 else th.PANEL_HI, (plot.x, gy), (plot.right, gy))
                wd.draw_text(surf, f"{v:.{decimals}f}", (plot.x - 4, gy), mt.tiny, th.TEXT_DIM, anchor="midright")
            ends = []
            for a in actors:
                col = th.actor_colour(a)
                pts = [(int(round(xs(t))), int(round(ys(v)))) for t, v in zip(turns, data[(metric, a)])]
                self.points[(metric, a)] = pts
                if len(pts) > 1:
                    pygame.draw.lines(surf, col, False, pts, max(2, mt.px(2)))
                r = max(2, mt.px(3)) if len(pts) <= 60 else 1
                for p in pts:
                    pygame.draw.circle(surf, col, p, r)
                if pts:
                    ends.append([pts[-1][1], a, th.readable(col)])
            self._end_labels(surf, mt, ends, x1 + mt.pad // 2, plot)
            # month ticks
            step = max(1, int(math.ceil(len(turns) / max(1, (x1 - x0) // max(1, th.text_width("Mmm 0000", mt.tiny) + 12)))))
            ticks = turns[::step]
            if ticks and ticks[-1] != turns[-1]:
                # end on the last month shown, dropping the tick before it if they would touch
                if xs(turns[-1]) - xs(ticks[-1]) < th.text_width("Mmm 0000", mt.tiny) + 8:
                    ticks = ticks[:-1]
                ticks.append(turns[-1])
            for t in ticks:
                gx = int(xs(t))
                pygame.draw.line(surf, th.BORDER, (gx, plot.bottom), (gx, plot.bottom + 3))
                wd.draw_text(surf, s.date_label(t, short=True), (gx, plot.bottom + 4), mt.tiny, th.TEXT_DIM,
                             anchor="midtop")
            if hover_turn is not None:
                gx = int(xs(hover_turn))
                pygame.draw.line(surf, th.TEXT_DIM, (gx, plot.y), (gx, plot.bottom))
            y = plot.bottom + tick_h + gap
        if hover_turn is not None and mouse is not None:
            self._hover_card(surf, mt, hover_turn, data, turns, mouse)

    def _end_labels(self, surf, mt, ends, x, plot) -> None:
        """Actor names at the end of their lines, pushed apart so that none overlap."""
        lh = th.line_height(mt.small, True)
        ends.sort(key=lambda e: e[0])
        for i in range(1, len(ends)):
            ends[i][0] = max(ends[i][0], ends[i - 1][0] + lh)
        overflow = ends[-1][0] + lh // 2 - plot.bottom if ends else 0
        if overflow > 0:
            for e in ends:
                e[0] -= overflow
            for i in range(len(ends) - 2, -1, -1):
                ends[i][0] = min(ends[i][0], ends[i + 1][0] - lh)
        for y, a, col in ends:
            wd.draw_text(surf, self.session.name(a), (x, int(y)), mt.small, col, bold=True, anchor="midleft",
                         max_width=surf.get_width() - x - 2)

    def _hover_card(self, surf, mt, turn, data, turns, mouse) -> None:
        s = self.session
        i = turns.index(turn)
        lines = [(s.date_label(turn) + (f" (turn {turn})" if turn else " (start)"), th.TEXT, True)]
        for metric, title in CHARTS:
            lines.append((title, th.ACCENT, True))
            for a in self.actors(metric):
                lines.append((f"  {s.name(a)}  {data[(metric, a)][i]:.3f}", th.readable(th.actor_colour(a)), False))
        ts = mt.small
        lh = th.line_height(ts) + 1
        w = max(th.text_width(t, ts, b) for t, _, b in lines) + 2 * mt.pad
        h = lh * len(lines) + 2 * mt.pad
        x = mouse[0] + 16 if mouse[0] + 16 + w < surf.get_width() else mouse[0] - 16 - w
        y = min(max(4, mouse[1] - h // 2), surf.get_height() - h - 4)
        box = pygame.Rect(max(4, x), y, w, h)
        wd.panel(surf, box, th.PANEL_HI, th.TEXT)
        yy = box.y + mt.pad
        for t, c, b in lines:
            wd.draw_text(surf, t, (box.x + mt.pad, yy), ts, c, bold=b)
            yy += lh
