"""Branches: a line of play left behind (the player rewound to a past month and chose
differently) beside the line played now. For each power, its leverage over Damascus and its
standing month by month in small multiples (left the branch, right this line, on the same
scales, the fork marked), what was chosen differently at the fork, and how the two lines
differ at the latest month both reached: zones held by someone else, leverage and standing.

Keys: Tab / Shift+Tab the next / previous branch; a click on a branch's name picks it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pygame

from sim.ui import theme as th
from sim.ui import widgets as wd
from sim.ui.views.base import View
from sim.ui.views.timeline import nice_axis

METRICS = (("leverage", "Leverage over Damascus"), ("standing", "Standing"))


@dataclass
class Comparison:
    """A branch against the line played now."""

    fork: int                                     # the last month the two lines share
    common: int                                   # the latest month both lines reached
    branch: dict[int, dict]                       # turn -> figures, the branch
    current: dict[int, dict]                      # turn -> figures, this line
    zones: list[tuple[str, str, str]] = field(default_factory=list)   # (zone, branch holder, this line's)
    deltas: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)  # metric -> actor -> (b, c)
    choices: list[tuple[str, str, str]] = field(default_factory=list)  # (actor, branch choice, this line's)

    @property
    def last(self) -> int:
        return max(max(self.branch, default=0), max(self.current, default=0), 1)


def _choices_at(rec: dict | None) -> dict[tuple[str, str], str]:
    return {(d["actor"], d["track"]): d["text"] for d in (rec or {}).get("decisions", [])}


def compare(session, branch) -> Comparison:
    """The branch and the current line side by side: their figures by month, what was chosen
    differently in the month after the fork, and the differences at the latest month both
    lines reached."""
    b = dict(branch.history)
    c = dict(session.history())
    fork = int(branch.from_turn)
    common = min(max(b), max(c))
    cmp = Comparison(fork, common, b, c)
    fb, fc = b[common], c[common]
    for z in session.zone_ids:
        hb, hc = fb["control"].get(z), fc["control"].get(z)
        if hb != hc:
            cmp.zones.append((z, hb, hc))
    for metric, _ in METRICS:
        vb, vc = fb["influence"][metric], fc["influence"][metric]
        cmp.deltas[metric] = {a: (float(vb.get(a, 0.0)), float(vc.get(a, 0.0))) for a in session.powers}
    cb, cc = _choices_at(b.get(fork + 1)), _choices_at(c.get(fork + 1))
    for (actor, track), text in cb.items():
        other = cc.get((actor, track))
        if other is not None and other != text:
            cmp.choices.append((actor, text, other))
    return cmp


def charted(session, metric: str) -> list[str]:
    """The powers charted: for leverage over Damascus, all but the regime itself."""
    if metric == "leverage":
        regime = session.world.s.actor_ids[session.world.s.regime]
        return [a for a in session.powers if a != regime]
    return list(session.powers)


class BranchesView(View):
    key = "branches"
    title = "Branches"
    hotkey = "B"

    def __init__(self, state):
        super().__init__(state)
        self.index = -1                 # -1: the newest branch
        self.chips = wd.ButtonRow([])
        self._cache: tuple | None = None
        # per chart (metric, "branch" or "current"): its plot rect and the points drawn, for tests
        self.plots: dict[tuple[str, str], pygame.Rect] = {}
        self.points: dict[tuple[str, str, str], list[tuple[int, int]]] = {}

    def branch_index(self) -> int:
        n = len(self.session.branches)
        return -1 if not n else (self.index % n if self.index >= 0 else n - 1)

    def comparison(self) -> Comparison | None:
        s = self.session
        i = self.branch_index()
        if i < 0:
            return None
        key = (s.version, len(s.branches), i)
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, compare(s, s.branches[i]))
        return self._cache[1]

    def handle_event(self, event, local):
        n = len(self.session.branches)
        if event.type == pygame.KEYDOWN and event.key == pygame.K_TAB and n:
            step = -1 if event.mod & pygame.KMOD_SHIFT else 1
            self.index = (self.branch_index() + step) % n
            return True
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and local is not None:
            hit = self.chips.hit(local)
            if hit is not None:
                self.index = int(hit)
                return True
        return False

    def draw(self, surf: pygame.Surface, mouse=None) -> None:
        mt = self.metrics(surf)
        s = self.session
        W, H = surf.get_size()
        surf.fill(th.BG)
        pad = mt.pad * 2
        self.plots, self.points = {}, {}
        cmp = self.comparison()
        if cmp is None:
            self._empty(surf, mt, pad)
            return
        i = self.branch_index()
        br = s.branches[i]
        y = pad
        r = wd.draw_text(surf, f"Branches: {br.name} beside the line played now", (pad, y), mt.head, th.ACCENT,
                         bold=True, max_width=W - 2 * pad)
        y = r.bottom + 2
        if len(s.branches) > 1:
            self.chips.items = [(str(k), b.name) for k, b in enumerate(s.branches)]
            ch = th.line_height(mt.tiny, True) + mt.pad // 2
            self.chips.layout(pygame.Rect(pad, y, W - 2 * pad, ch), mt.tiny, mt.pad // 2)
            self.chips.draw(surf, str(i), mt.tiny, hover=mouse)
            y += ch + mt.pad // 2
        else:
            self.chips.items, self.chips.rects = [], {}
        sub = (f"Forked after {s.date_label(cmp.fork)} (turn {cmp.fork}); the branch was played to "
               f"{s.date_label(br.end_turn)}, this line to {s.date_label(s.turn)}."
               + ("  This line is back before the fork: play on (Space) to compare what came after."
                  if s.turn <= cmp.fork else "")
               + ("  Tab: next branch." if len(s.branches) > 1 else ""))
        y = wd.draw_wrapped(surf, sub, pad, y, W - 2 * pad, mt.small, th.TEXT_DIM, max_lines=3)
        if cmp.choices:
            a, bt, ct = cmp.choices[0]
            more = f" (and {len(cmp.choices) - 1} more choices)" if len(cmp.choices) > 1 else ""
            y = wd.draw_wrapped(surf, f"In {s.date_label(cmp.fork + 1)} the branch had “{bt}”, this line "
                                f"“{ct}”{more}.", pad, y, W - 2 * pad, mt.small, th.TEXT, max_lines=2)
        y += mt.pad // 2
        # the table below the charts takes what it needs, as long as the charts keep more than half
        rows = len(s.powers) + 2 + max(1, min(len(cmp.zones), 4))
        table_h = rows * (th.line_height(mt.small) + 2) + th.line_height(mt.body, True) + mt.pad
        legend_h = th.line_height(mt.tiny, True) + mt.pad // 2
        avail = H - y - legend_h - mt.pad
        charts = pygame.Rect(pad, y, W - 2 * pad, max(40, int(avail * 0.55), avail - table_h))
        self._charts(surf, mt, cmp, charts)
        y = charts.bottom + mt.pad // 2
        self._legend(surf, mt, pad, y, W - 2 * pad)
        self._table(surf, mt, cmp, pad, y + legend_h + mt.pad // 2, W - 2 * pad, H - pad // 2)

    def _empty(self, surf, mt, pad) -> None:
        W = surf.get_width()
        s = self.session
        y = wd.section_title(surf, "Branches: what if you had chosen differently?", pad, pad, W - 2 * pad, mt.head)
        steps = [
            "Rewind to a past month with the Left arrow (as many times as you like).",
            "Choose other orders for that month with O (your power's actions)"
            + ("." if s.humans else "; this needs a power of your own: start with --as ACTOR."),
            "Play on with Space. The line you left behind is kept as a branch.",
            "Come back here (B) to see both lines side by side: leverage and standing month by month, "
            "and who holds what differently.",
        ]
        y += mt.pad // 2
        for n, text in enumerate(steps, 1):
            r = wd.draw_text(surf, f"{n}.", (pad, y), mt.body, th.ACCENT, bold=True)
            y = wd.draw_wrapped(surf, text, pad + r.w + mt.pad, y, W - 3 * pad - r.w, mt.body, th.TEXT) + mt.pad // 2
        wd.draw_wrapped(surf, "No branch yet: every month so far was played once, or replayed the same way.",
                        pad, y + mt.pad, W - 2 * pad, mt.small, th.TEXT_DIM)

    def _charts(self, surf, mt, cmp: Comparison, area: pygame.Rect) -> None:
        """Two rows (leverage, standing) by two columns (the branch, this line)."""
        s = self.session
        gap = mt.pad * 2
        tick_h = th.line_height(mt.tiny) + 2
        title_h = th.line_height(mt.small, True) + 2
        axis_w = th.text_width("0.00", mt.tiny) + mt.pad
        col_w = (area.w - gap) // 2
        row_h = (area.h - gap // 2) // 2
        last = cmp.last
        for row, (metric, title) in enumerate(METRICS):
            actors = charted(s, metric)
            vmax = max([v for fig in (*cmp.branch.values(), *cmp.current.values())
                        for a, v in fig["influence"][metric].items() if a in actors] + [0.05])
            top, step = nice_axis(vmax * 1.05, ticks=3)
            decimals = max(0, -int(math.floor(math.log10(step) + 1e-9)))
            for colno, (which, series, label) in enumerate((("branch", cmp.branch, "the branch"),
                                                           ("current", cmp.current, "this line"))):
                x = area.x + colno * (col_w + gap)
                y = area.y + row * (row_h + gap // 2)
                wd.draw_text(surf, f"{title}: {label}", (x, y), mt.small,
                             th.TEXT if which == "current" else th.TEXT_DIM, bold=True, max_width=col_w)
                plot = pygame.Rect(x + axis_w, y + title_h, col_w - axis_w, max(10, row_h - title_h - tick_h))
                self.plots[(metric, which)] = plot
                self._plot(surf, mt, plot, metric, series, actors, top, step, decimals, last, cmp.fork, which)

    def _plot(self, surf, mt, plot, metric, series, actors, top, step, decimals, last, fork, which) -> None:
        s = self.session
        xs = lambda t: plot.x + plot.w * t / last  # noqa: E731
        ys = lambda v: plot.bottom - plot.h * min(v, top) / top  # noqa: E731
        pygame.draw.rect(surf, th.PANEL, plot)
        n = int(round(top / step))
        # label every gridline if their labels fit between them, else only the ends
        every = plot.h / max(n, 1) >= th.line_height(mt.tiny)
        for q in range(0, n + 1):
            gy = int(ys(step * q))
            pygame.draw.line(surf, th.BORDER if q == 0 else th.PANEL_HI, (plot.x, gy), (plot.right, gy))
            if every or q in (0, n):
                wd.draw_text(surf, f"{step * q:.{decimals}f}", (plot.x - 3, gy), mt.tiny, th.TEXT_DIM,
                             anchor="midright")
        # the months after the fork get a lighter ground, so the lines' divergence stands out
        fx = int(xs(fork))
        after = pygame.Rect(fx, plot.y, plot.right - fx, plot.h)
        pygame.draw.rect(surf, th.mix(th.PANEL, th.PANEL_HI, 0.6), after)
        for k in range(plot.y, plot.bottom, max(4, mt.px(6))):
            pygame.draw.line(surf, th.ACCENT, (fx, k), (fx, min(plot.bottom, k + max(2, mt.px(3)))))
        turns = sorted(series)
        width = max(2, mt.px(2))
        for a in actors:
            col = th.actor_colour(a)
            vals = [float(series[t]["influence"][metric].get(a, 0.0)) for t in turns]
            pts = [(int(round(xs(t))), int(round(ys(v)))) for t, v in zip(turns, vals)]
            self.points[(metric, which, a)] = pts
            if len(pts) > 1:
                pygame.draw.lines(surf, col, False, pts, width)
            if pts:
                pygame.draw.circle(surf, col, pts[-1], max(2, mt.px(3)))
        # the ends of the month axis and the fork
        for t, anchor in ((0, "topleft"), (last, "topright")):
            wd.draw_text(surf, s.date_label(t, short=True), (int(xs(t)), plot.bottom + 1), mt.tiny, th.TEXT_FAINT,
                         anchor=anchor)
        label = f"fork {s.date_label(fork, short=True)}"
        lw = th.text_width(label, mt.tiny)
        if th.text_width(s.date_label(0, short=True), mt.tiny) + lw // 2 + 6 < fx - plot.x < plot.w - lw // 2 - lw - 6:
            wd.draw_text(surf, label, (fx, plot.bottom + 1), mt.tiny, th.ACCENT, anchor="midtop")

    def _legend(self, surf, mt, x: int, y: int, w: int) -> None:
        """The powers' colours in one row (short names when the full ones do not fit)."""
        s = self.session
        size = mt.tiny
        sw = max(8, size - 2)
        lh = th.line_height(size, True)
        right = x + w
        full = sum(sw + 4 + th.text_width(s.name(a), size, True) + mt.pad * 2 for a in s.powers)
        for a in s.powers:
            label = s.name(a) if full <= w else s.short(a)
            pygame.draw.rect(surf, th.actor_colour(a), (x, y + (lh - sw) // 2, sw, sw))
            r = wd.draw_text(surf, label, (x + sw + 4, y), size, th.TEXT_DIM, bold=True,
                             max_width=max(4, right - x - sw - 4))
            x = r.right + mt.pad * 2
        fork_label = "dashed line: the fork"
        if x + th.text_width(fork_label, size) <= right:
            wd.draw_text(surf, fork_label, (x, y), size, th.ACCENT)

    def _table(self, surf, mt, cmp: Comparison, x: int, y: int, w: int, bottom: int) -> None:
        s = self.session
        y = wd.section_title(surf, f"Where the lines differ in {s.date_label(cmp.common)}, the latest month both "
                             f"reached", x, y, w, mt.small)
        ls = th.line_height(mt.small) + 2
        name_w = min(int(w * 0.24), max(th.text_width(s.name(a), mt.small, True) for a in s.powers) + mt.pad * 2)
        col_w = (w - name_w) // 2
        wd.draw_text(surf, "Power", (x, y), mt.tiny, th.TEXT_DIM, bold=True)
        for j, (metric, title) in enumerate(METRICS):
            wd.draw_text(surf, f"{title.split(' ')[0]}: the branch, this line (change)", (x + name_w + j * col_w, y),
                         mt.tiny, th.TEXT_DIM, bold=True, max_width=col_w - 4)
        y += th.line_height(mt.tiny, True) + 2
        regime = s.world.s.actor_ids[s.world.s.regime]
        for a in s.powers:
            if y + ls > bottom:
                return
            pygame.draw.rect(surf, th.actor_colour(a), (x, y + 3, max(3, mt.px(5)), ls - 6))
            wd.draw_text(surf, s.name(a), (x + mt.pad, y), mt.small, th.TEXT, bold=True, max_width=name_w - mt.pad - 4)
            for j, (metric, _) in enumerate(METRICS):
                cx = x + name_w + j * col_w
                if metric == "leverage" and a == regime:
                    wd.draw_text(surf, "(the one swayed)", (cx, y), mt.small, th.TEXT_FAINT, max_width=col_w - 4)
                    continue
                vb, vc = cmp.deltas[metric][a]
                r = wd.draw_text(surf, f"{vb:.3f}, {vc:.3f}", (cx, y), mt.small, th.TEXT, max_width=col_w - 4)
                d = vc - vb
                if abs(d) >= 0.0005 and r.right + th.text_width("+0.000", mt.small) < cx + col_w:
                    wd.draw_text(surf, f"{d:+.3f}", (r.right + mt.pad, y), mt.small, th.GOOD if d > 0 else th.BAD)
            y += ls
        y += 2
        if y + ls > bottom:
            return
        if not cmp.zones:
            wd.draw_text(surf, "Every zone is held by the same side in both lines.", (x, y), mt.small, th.TEXT_DIM,
                         max_width=w)
            return
        y = wd.section_title(surf, "Zones held differently (the branch, this line)", x, y, w, mt.small)
        for n, (z, hb, hc) in enumerate(cmp.zones):
            if y + 2 * ls > bottom and n < len(cmp.zones) - 1:
                wd.draw_text(surf, f"and {len(cmp.zones) - n} more", (x, y), mt.small, th.TEXT_DIM)
                return
            r = wd.draw_text(surf, f"{s.zone_name(z)}: ", (x, y), mt.small, th.TEXT, max_width=w // 2)
            r = wd.draw_text(surf, s.name(hb), (r.right, y), mt.small, th.readable(th.actor_colour(hb)), bold=True)
            r = wd.draw_text(surf, " in the branch, ", (r.right, y), mt.small, th.TEXT_DIM)
            r = wd.draw_text(surf, s.name(hc), (r.right, y), mt.small, th.readable(th.actor_colour(hc)), bold=True,
                             max_width=max(10, x + w - r.right - 4))
            if r.right + th.text_width(" in this line", mt.small) < x + w:
                wd.draw_text(surf, " in this line", (r.right, y), mt.small, th.TEXT_DIM)
            y += ls
