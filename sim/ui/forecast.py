"""'What happens from here' (F): seeded continuations of the game with the AI on every side,
played in worker processes while the window stays responsive, then drawn as fans (median and
10-90 % band) of each power's leverage and standing, with the game's own path before them."""

from __future__ import annotations

import pygame

from sim.ui import theme as th
from sim.ui import widgets as wd
from sim.ui.scenes import Scene

METRICS = (("leverage", "Leverage over Damascus"), ("standing", "Standing"))


class ForecastScene(Scene):
    """An overlay: 'playing N runs…' until they are done, then the fans. Esc closes (and stops
    the runs); Tab switches nothing, there is one picture."""

    overlay = True

    def __init__(self, state, runs: int = 100, workers: int = 2):
        super().__init__()
        from sim.teach.common import TeachError
        from sim.teach.forecast import start

        self.state = state
        self.runs = runs
        self.result = None
        self.error = ""
        try:
            self.pending = start(state.session.model, runs=runs, workers=workers)
        except TeachError as exc:
            self.pending, self.error = None, str(exc)

    def handle_event(self, event) -> bool:
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_ESCAPE, pygame.K_f):
            if self.pending is not None and self.result is None:
                self.pending.cancel()
            self.stack.pop()
        return True

    def update(self, dt: float) -> None:
        if self.result is None and not self.error and self.pending is not None and self.pending.done():
            try:
                self.result = self.pending.result()
            except Exception as exc:  # a worker died: say so, keep the game
                self.error = f"The runs could not be played ({type(exc).__name__}: {exc})."

    def draw(self, surf: pygame.Surface) -> None:
        W, H = surf.get_size()
        mt = th.Metrics((W, H))
        box = wd.overlay_box(surf, (0.05, 0.07))
        pad = mt.pad * 2
        s = self.state.session
        r = wd.draw_text(surf, f"What happens from here? {self.runs} games from {s.date_label()}, "
                         f"the AI on every side", (box.x + pad, box.y + pad), mt.head, th.ACCENT, bold=True,
                         max_width=box.w - 2 * pad)
        y = r.bottom + mt.pad // 2
        if self.error or self.result is None:
            text = self.error or f"Playing {self.runs} continuations… (Esc stops)"
            wd.draw_wrapped(surf, text, box.x + pad, y, box.w - 2 * pad, mt.body, th.TEXT)
            return
        fc = self.result
        y = wd.draw_wrapped(surf, "Solid: the game so far. Band: where 8 runs in 10 went; dashed: the median. "
                            "Esc closes.", box.x + pad, y, box.w - 2 * pad, mt.small, th.TEXT_DIM) + mt.pad
        col_w = (box.w - 3 * pad) // 2
        chart_h = box.bottom - pad - y - th.line_height(mt.small) * 2
        for i, (metric, title) in enumerate(METRICS):
            rect = pygame.Rect(box.x + pad + i * (col_w + pad), y, col_w, chart_h)
            self._chart(surf, rect, mt, fc, metric, title)
        ly = box.bottom - pad - th.line_height(mt.small)
        x = box.x + pad
        for a in fc.powers:
            pygame.draw.rect(surf, th.actor_colour(a), (x, ly + 4, mt.small - 4, mt.small - 4))
            x = wd.draw_text(surf, s.name(a), (x + mt.small, ly), mt.small, th.TEXT).right + mt.pad

    def _chart(self, surf, rect: pygame.Rect, mt, fc, metric: str, title: str) -> None:
        r = wd.draw_text(surf, title, rect.topleft, mt.body, th.TEXT, bold=True)
        plot = pygame.Rect(rect.x + mt.pad * 3, r.bottom + mt.pad // 2, rect.w - mt.pad * 3,
                           rect.bottom - r.bottom - mt.pad - th.line_height(mt.tiny))
        pygame.draw.rect(surf, th.BG, plot)
        fans, actual = fc.fans, fc.actual
        top = max(0.1, float(fans[fans["metric"] == metric]["q90"].max()),
                  max(float(actual[f"{metric}.{a}"].max()) for a in fc.metric_powers(metric)))
        t0, t1 = int(actual["turn"].min()), int(fans["turn"].max())

        def pt(turn: float, v: float) -> tuple[int, int]:
            return (plot.x + int((turn - t0) / max(1, t1 - t0) * plot.w),
                    plot.bottom - int(min(v, top) / top * plot.h))

        fork = pt(fc.from_turn, 0)[0]
        pygame.draw.line(surf, th.ACCENT, (fork, plot.y), (fork, plot.bottom))
        band = pygame.Surface(plot.size, pygame.SRCALPHA)
        lines = []
        for a in fc.metric_powers(metric):  # the bands first, so no band hides a line
            colour = th.actor_colour(a)
            f = fans[(fans["metric"] == metric) & (fans["actor"] == a)].sort_values("turn")
            upper = [pt(t, v) for t, v in zip(f["turn"], f["q90"])]
            lower = [pt(t, v) for t, v in zip(f["turn"], f["q10"])]
            if len(upper) > 1:
                pygame.draw.polygon(band, (*colour, 45), [(x - plot.x, y - plot.y) for x, y in upper + lower[::-1]])
            past = actual[actual["turn"] <= fc.from_turn].sort_values("turn")
            lines.append((colour, [pt(t, v) for t, v in zip(f["turn"], f["q50"])],
                          [pt(t, v) for t, v in zip(past["turn"], past[f"{metric}.{a}"])]))
        surf.blit(band, plot.topleft)
        for colour, median, past in lines:
            for j, (p0, p1) in enumerate(zip(median, median[1:])):
                if j % 2 == 0:  # dashed: every other month
                    pygame.draw.line(surf, colour, p0, p1, 2)
            if len(past) > 1:
                pygame.draw.lines(surf, colour, False, past, 3)
        wd.draw_text(surf, f"{top:.2f}", (plot.x - 4, plot.y), mt.tiny, th.TEXT_FAINT, anchor="topright")
        wd.draw_text(surf, "0", (plot.x - 4, plot.bottom), mt.tiny, th.TEXT_FAINT, anchor="bottomright")
        s = self.state.session
        wd.draw_text(surf, s.date_label(t0, short=True), (plot.x, plot.bottom + 2), mt.tiny, th.TEXT_FAINT)
        wd.draw_text(surf, s.date_label(t1, short=True), (plot.right, plot.bottom + 2), mt.tiny, th.TEXT_FAINT,
                     anchor="topright")
