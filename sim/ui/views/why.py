"""Why: pick a month, an actor and one of its decisions (the military choice, the diplomatic
choice, its answers to proposals and trades) and see its expected utility broken down by
preference term, with the article behind each term. Read from the month's record, as
`sim.explain` does.

Keys: Tab / Shift+Tab actor; [ ] or PageUp/PageDown month (End: the latest); Up/Down
decision. The mouse picks actors, months and decisions too."""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from sim.sources import describe_source
from sim.ui import theme as th
from sim.ui import widgets as wd
from sim.ui.views.base import View

EARLIER_KEYS = (pygame.K_PAGEUP, pygame.K_LEFTBRACKET)
LATER_KEYS = (pygame.K_PAGEDOWN, pygame.K_RIGHTBRACKET)


def decisions_of(record: dict | None, actor: str) -> list[dict]:
    return [d for d in (record or {}).get("decisions", []) if d["actor"] == actor]


@dataclass(frozen=True)
class Entry:
    """One thing the actor decided in a month: a track's choice or an answer."""

    key: tuple[str, str]   # ("decision", track) or ("answer", proposal id)
    kind: str              # a short heading: "Military choice", "Answer to a trade"...
    label: str             # what it did, without the actor's name
    summary: str           # its utility in a few words
    data: dict             # the record's decision or response


def trade_name(session, trade_id: str) -> str:
    for t in session.world.s.trades:
        if t.id == trade_id:
            return t.name
    return trade_id


def answer_label(session, a: dict) -> str:
    verb = {"accept": "accepts", "reject": "rejects", "refuse": "refuses", "counter": "counters"}.get(
        a["answer"], a["answer"])
    who = session.name(a["proposer"])
    if a["kind"] == "trade":
        return f"{verb} the trade “{trade_name(session, a.get('trade', ''))}” offered by {who}"
    return f"{verb} the {a['kind'].replace('_', '-')} proposed by {who}"


def why_entries(session, record: dict | None, actor: str) -> list[Entry]:
    """The entries the why view lists for `actor` in the month of `record`, in order: the
    military choice, the diplomatic choice, then its answers to proposals and trades."""
    out = []
    name = session.name(actor)
    for d in decisions_of(record, actor):
        text = d["text"][len(name) + 1:] if d["text"].startswith(name + " ") else d["text"]
        out.append(Entry(("decision", d["track"]), f"{d['track'].capitalize()} choice", text,
                         f"utility {fmt(d['utility'], 4)} of {d['candidates']} options", d))
    for a in (record or {}).get("responses", []):
        if a["actor"] != actor:
            continue
        kind = "Answer to a trade" if a["kind"] == "trade" else "Answer to a proposal"
        alt = "no deal" if a["kind"] == "trade" else "reject"
        summary = f"accept {fmt(a['utility_accept'], 4)} vs {alt} {fmt(a['utility_reject'], 4)}"
        out.append(Entry(("answer", a["proposal"]), kind + (" (human)" if a.get("human") else ""),
                         answer_label(session, a), summary, a))
    return out


class WhyView(View):
    key = "why"
    title = "Why"
    hotkey = "W"

    def __init__(self, state):
        super().__init__(state)
        self.chips = wd.ButtonRow([])
        self.turn_sel: int | None = None     # None: the latest month
        self.sel_key: tuple[str, str] | None = None
        self.sel_index = 0
        self._seen_turn: int | None = None
        self.entry_rects: list[tuple[pygame.Rect, int]] = []
        self.arrow_rects: dict[int, pygame.Rect] = {}

    # --- selection ------------------------------------------------------------------------

    def _sync(self) -> None:
        """A month was played or rewound: back to the latest month."""
        if self._seen_turn != self.session.turn:
            self._seen_turn, self.turn_sel = self.session.turn, None

    @property
    def shown_turn(self) -> int:
        """The month shown: the one picked, or the latest played."""
        s = self.session
        self._sync()
        if self.turn_sel is None or not 1 <= self.turn_sel <= s.turn:
            return s.turn
        return self.turn_sel

    def record(self, turn: int | None = None) -> dict | None:
        turn = self.shown_turn if turn is None else turn
        if turn <= 0:
            return None
        try:
            rec = self.session.figures(turn)
        except KeyError:
            return None
        return rec if "decisions" in rec else None

    def entries(self) -> list[Entry]:
        return why_entries(self.session, self.record(), self.actor)

    @property
    def actor(self) -> str:
        ids = self.session.actor_ids
        return self.state.actor if self.state.actor in ids else ids[0]

    def selected(self, entries: list[Entry] | None = None) -> int:
        """Index of the selected entry: the one last picked if this month has it, else the
        same position."""
        entries = self.entries() if entries is None else entries
        if not entries:
            return -1
        for i, e in enumerate(entries):
            if e.key == self.sel_key:
                return i
        return min(self.sel_index, len(entries) - 1)

    def select(self, i: int, entries: list[Entry]) -> None:
        if entries:
            self.sel_index = i % len(entries)
            self.sel_key = entries[self.sel_index].key

    def set_month(self, turn: int) -> None:
        s = self.session
        if s.turn >= 1:
            self._sync()
            self.turn_sel = max(1, min(s.turn, turn))

    def handle_event(self, event, local):
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and local is not None:
            hit = self.chips.hit(local)
            if hit:
                self.state.actor = hit
                return True
            for step, r in self.arrow_rects.items():
                if r.collidepoint(local):
                    self.set_month(self.shown_turn + step)
                    return True
            for r, i in self.entry_rects:
                if r.collidepoint(local):
                    self.select(i, self.entries())
                    return True
            return False
        if event.type != pygame.KEYDOWN:
            return False
        if self.cycle_actor(event):
            return True
        k = event.key
        if k in EARLIER_KEYS:
            self.set_month(self.shown_turn - 1)
        elif k in LATER_KEYS:
            self.set_month(self.shown_turn + 1)
        elif k == pygame.K_END:
            self.turn_sel = None
        elif k in (pygame.K_UP, pygame.K_DOWN):
            entries = self.entries()
            self.select(self.selected(entries) + (1 if k == pygame.K_DOWN else -1), entries)
        else:
            return False
        return True

    # --- drawing ----------------------------------------------------------------------------

    def draw(self, surf: pygame.Surface, mouse=None) -> None:
        mt = self.metrics(surf)
        s = self.session
        W, H = surf.get_size()
        surf.fill(th.BG)
        pad = mt.pad * 2
        actor = self.actor
        self.entry_rects, self.arrow_rects = [], {}
        # actor chips
        self.chips.items = [(a, s.short(a)) for a in s.actor_ids]
        self.chips.colours = {a: th.actor_colour(a) for a in s.actor_ids}
        chip_h = th.line_height(mt.small, True) + mt.pad // 2
        self.chips.layout(pygame.Rect(pad, pad, W - 2 * pad, chip_h), mt.small, mt.pad // 2)
        self.chips.draw(surf, actor, mt.small, hover=mouse)
        y = pad + chip_h + mt.pad
        turn = self.shown_turn
        rec = self.record(turn)
        head = f"Why {s.name(actor)} did what it did"
        r = wd.draw_text(surf, head, (pad, y), mt.head, th.readable(th.actor_colour(actor)), bold=True,
                         max_width=W - 2 * pad)
        y = r.bottom + mt.pad // 2
        if rec is None:
            wd.draw_wrapped(surf, f"No month has been played yet. Press Space to play {s.date_label(s.turn + 1)}; "
                            "this view then shows each decision of the month with its expected utility broken "
                            "down by preference term, and the article behind each term. Tab or a click on a "
                            "name above picks the actor.", pad, y, W - 2 * pad, mt.body, th.TEXT_DIM)
            return
        y = self._month_bar(surf, mt, turn, pad, y, W - 2 * pad, mouse) + mt.pad
        entries = self.entries()
        sel = self.selected(entries)
        chosen = entries[sel] if sel >= 0 else None
        # the sources of the selected entry's terms, at the bottom
        sources: list[str] = []
        for b in (chosen.data.get("breakdown", []) if chosen else []):
            if b["source"] not in sources:
                sources.append(b["source"])
        lt = th.line_height(mt.tiny)
        foot_lines = min(len(sources), max(1, int((H - y) * 0.15) // lt - 1))  # a small part of the room
        foot_h = (lt * (foot_lines + 1) + mt.pad // 2) if sources else 0
        bottom = H - pad // 2 - foot_h
        if not entries:
            wd.draw_wrapped(surf, f"{s.name(actor)} made no decision in {s.date_label(turn)}.", pad, y,
                            W - 2 * pad, mt.body, th.TEXT_DIM)
            return
        wide = W >= 40 * mt.body
        if wide:  # the list on the left, the selected entry on the right
            list_w = max(int(W * 0.3), min(th.text_width("M" * 14, mt.small), W // 3))
            self._list(surf, mt, entries, sel, pygame.Rect(pad, y, list_w, bottom - y), mouse, compact=False)
            dx = pad + list_w + mt.pad * 2
            self._detail(surf, mt, chosen, dx, y, W - pad - dx, bottom)
        else:  # the list on top, one line per entry
            lh = th.line_height(mt.small) + mt.pad // 2
            list_h = min(len(entries), max(2, (bottom - y) // (3 * lh))) * lh
            self._list(surf, mt, entries, sel, pygame.Rect(pad, y, W - 2 * pad, list_h), mouse, compact=True)
            self._detail(surf, mt, chosen, pad, y + list_h + mt.pad, W - 2 * pad, bottom)
        if sources:
            yy = H - pad // 2 - foot_h + mt.pad // 2
            wd.draw_text(surf, "Sources of these terms", (pad, yy), mt.tiny, th.ACCENT, bold=True)
            yy += lt
            for src in sources[:foot_lines]:
                wd.draw_text(surf, describe_source(src), (pad, yy), mt.tiny, th.TEXT_DIM, max_width=W - 2 * pad)
                yy += lt

    def _month_bar(self, surf, mt, turn: int, x: int, y: int, w: int, mouse) -> int:
        """◀ month ▶ with where it sits in the game, and the keys; returns the y below."""
        s = self.session
        size = mt.body
        lh = th.line_height(size, True) + mt.pad // 2
        aw = lh
        label_w = th.text_width(s.date_label(turn), size, True) + 2 * mt.pad
        for step, glyph, ax in ((-1, "◀", x), (1, "▶", x + aw + label_w)):
            r = pygame.Rect(ax, y, aw, lh)
            enabled = 1 <= turn + step <= s.turn
            hovered = mouse is not None and r.collidepoint(mouse) and enabled
            pygame.draw.rect(surf, th.PANEL_HI if hovered else th.PANEL, r, border_radius=4)
            pygame.draw.rect(surf, th.BORDER, r, 1, border_radius=4)
            wd.draw_text(surf, glyph, r.center, mt.small, th.TEXT if enabled else th.TEXT_FAINT, anchor="center")
            self.arrow_rects[step] = r
        wd.draw_text(surf, s.date_label(turn), (x + aw + mt.pad, y + lh // 2), size, th.TEXT, bold=True,
                     anchor="midleft")
        where = f"turn {turn} of {s.turn}" + (" (latest)" if turn == s.turn else "")
        keys = "[ ] or PgUp/PgDn: month   Up/Down: decision   Tab: actor"
        rx = self.arrow_rects[1].right + mt.pad
        r = wd.draw_text(surf, where, (rx, y + lh // 2), mt.small, th.TEXT_DIM, anchor="midleft",
                         max_width=max(10, x + w - rx))
        if r.right + mt.pad * 2 + th.text_width(keys, mt.tiny) <= x + w:
            wd.draw_text(surf, keys, (x + w, y + lh // 2), mt.tiny, th.TEXT_FAINT, anchor="midright")
        return y + lh

    def _list(self, surf, mt, entries: list[Entry], sel: int, rect: pygame.Rect, mouse, compact: bool) -> None:
        ls, lt = th.line_height(mt.small), th.line_height(mt.tiny)
        gap = mt.pad // 2
        y = rect.y
        inner = rect.w - 2 * mt.pad
        for i, e in enumerate(entries):
            if compact:
                h = ls + gap
                lines = []
            else:
                lines = th.wrap(e.label, mt.small, inner, True)[:2]
                h = lt + ls * len(lines) + lt + gap + 4
            if y + h > rect.bottom:
                wd.draw_text(surf, f"and {len(entries) - i} more (Up/Down)", (rect.x, y), mt.tiny, th.TEXT_FAINT)
                break
            box = pygame.Rect(rect.x, y, rect.w, h - gap)
            on = i == sel
            hovered = mouse is not None and box.collidepoint(mouse)
            pygame.draw.rect(surf, th.PANEL_HI if on else (th.mix(th.BG, th.PANEL, 0.7) if hovered else th.PANEL),
                             box, border_radius=4)
            if on:
                pygame.draw.rect(surf, th.ACCENT, (box.x, box.y, max(3, mt.px(4)), box.h), border_radius=2)
            tx = box.x + mt.pad
            if compact:
                head = f"{e.kind}: "
                r = wd.draw_text(surf, head, (tx, box.y + gap // 2), mt.small, th.ACCENT, bold=True)
                wd.draw_text(surf, e.label, (r.right, box.y + gap // 2), mt.small, th.TEXT,
                             max_width=max(10, box.right - r.right - mt.pad))
            else:
                yy = box.y + 2
                wd.draw_text(surf, e.kind, (tx, yy), mt.tiny, th.ACCENT, bold=True, max_width=inner)
                yy += lt
                for j, line in enumerate(lines):
                    if j == 1 and len(th.wrap(e.label, mt.small, inner, True)) > 2:
                        line = th.ellipsize(line + " …", mt.small, inner, True)
                    wd.draw_text(surf, line, (tx, yy), mt.small, th.TEXT, bold=True)
                    yy += ls
                wd.draw_text(surf, e.summary, (tx, yy), mt.tiny, th.TEXT_DIM, max_width=inner)
            self.entry_rects.append((box, i))
            y += h

    def _detail(self, surf, mt, e: Entry | None, x: int, y: int, w: int, bottom: int) -> None:
        if e is None or w < 40:
            return
        clip = surf.get_clip()
        surf.set_clip(pygame.Rect(x, y, w, max(0, bottom - y)))
        if e.key[0] == "decision":
            self._decision(surf, mt, e.data, x, y, w, bottom)
        else:
            self._answer(surf, mt, e.data, x, y, w, bottom)
        surf.set_clip(clip)

    def _decision(self, surf, mt, d: dict, x: int, y: int, w: int, bottom: int) -> int:
        y = wd.section_title(surf, f"{d['track'].capitalize()} track", x, y, w, mt.small)
        y = wd.draw_wrapped(surf, d["text"], x, y, w, mt.body, th.TEXT, bold=True, max_lines=2)
        best = not any(alt["utility"] > d["utility"] for alt in d.get("alternatives", []))
        sub = f"expected utility {fmt(d['utility'], 4)}, of {d['candidates']} open actions"
        y = wd.draw_wrapped(surf, sub, x, y, w, mt.small, th.TEXT_DIM)
        if not best:
            y = wd.draw_wrapped(surf, "Not the best-scored action: choices are probabilistic (logit).",
                                x, y, w, mt.small, th.BAD)
        y += mt.pad // 2
        lh = th.line_height(mt.small)
        alts = d.get("alternatives", [])[:2]
        alt_lines = [th.wrap(self._alt_text(d, alt), mt.small, w - mt.pad) for alt in alts]
        alt_h = (lh * (1 + sum(len(a) for a in alt_lines)) + 2) if alts else 0
        # the terms come first: the runners-up only if every term fits with them
        if y + len(d["breakdown"]) * (lh + th.line_height(mt.tiny) + 2) + alt_h > bottom:
            alts, alt_h = [], 0
        y = self._terms(surf, mt, d["breakdown"], x, y, w, bottom - alt_h)
        if alts and y + alt_h <= bottom + 1:
            y += 2
            wd.draw_text(surf, "Runners-up", (x, y), mt.small, th.ACCENT, bold=True)
            y += lh
            for lines in alt_lines:
                for i, line in enumerate(lines):
                    wd.draw_text(surf, line, (x + mt.pad * (1 if i == 0 else 2), y), mt.small, th.TEXT_DIM)
                    y += lh
        return y

    def _answer(self, surf, mt, a: dict, x: int, y: int, w: int, bottom: int) -> int:
        s = self.session
        trade = a["kind"] == "trade"
        y = wd.section_title(surf, "Answer to a trade" if trade else "Answer to a proposal", x, y, w, mt.small)
        text = f"{s.name(a['actor'])} {answer_label(s, a)}"
        y = wd.draw_wrapped(surf, text, x, y, w, mt.body, th.TEXT, bold=True, max_lines=2)
        if trade:
            sub = (f"on terms {a.get('terms', 1.0):.2f}: accepting is worth {fmt(a['utility_accept'], 4)} to "
                   f"{s.name(a['actor'])} against no deal, {fmt(a.get('utility_proposer', 0.0), 4)} to "
                   f"{s.name(a['proposer'])}")
            if a.get("counter_terms") is not None:
                sub += f"; it asks for terms {a['counter_terms']:.2f} instead"
        else:
            sub = (f"accepting is worth {fmt(a['utility_accept'], 4)}, rejecting {fmt(a['utility_reject'], 4)} "
                   "(a refusal costs standing)")
        y = wd.draw_wrapped(surf, sub, x, y, w, mt.small, th.TEXT_DIM, max_lines=3)
        if a.get("human"):
            y = wd.draw_wrapped(surf, "A human player's answer: the AI did not choose it.", x, y, w, mt.small,
                                th.ACCENT)
        if a.get("reason"):
            y += mt.pad // 2
            y = wd.section_title(surf, "The reason", x, y, w, mt.small)
            y = wd.draw_wrapped(surf, a["reason"], x, y, w, mt.small, th.TEXT, max_lines=5,
                                max_y=bottom - 3 * th.line_height(mt.small))
        y += mt.pad // 2
        if a.get("breakdown"):
            y = wd.section_title(surf, "What accepting changes, by preference term", x, y, w, mt.small)
            y = self._terms(surf, mt, a["breakdown"], x, y, w, bottom)
        return y

    def _terms(self, surf, mt, breakdown: list[dict], x: int, y: int, w: int, bottom: int) -> int:
        """One bar per preference term (scaled to the largest), with its kind, sense, weight,
        source and note under it, as many note lines as fit."""
        rows = sorted(breakdown, key=lambda b: (abs(b["value"]) < 5e-7, -abs(b["value"])))
        if not rows:
            return y
        # Each decision's bars are scaled to its own largest term, so small utilities still read.
        scale = max([abs(b["value"]) for b in rows] + [1e-9])
        name_w = min(int(w * 0.34), max(th.text_width(b["term"], mt.small, True) for b in rows) + 6)
        val_w = th.text_width("+0.00000", mt.small) + 4
        bar_x, bar_w = x + name_w, max(20, w - name_w - val_w)
        lh = th.line_height(mt.small)
        tl = th.line_height(mt.tiny)
        metas = [self._meta(b) for b in rows]
        note_lines = 1
        for n in (3, 2):
            need = sum(lh + tl * min(n, len(th.wrap(m, mt.tiny, w - mt.pad))) + 2 for m in metas)
            if y + need <= bottom:
                note_lines = n
                break
        for b, meta in zip(rows, metas):
            if y + lh + tl > bottom:
                wd.draw_text(surf, "…", (x, y), mt.small, th.TEXT_DIM)
                y += lh
                break
            v = b["value"]
            zero = abs(v) < 5e-7
            col = th.TEXT_FAINT if zero else th.TEXT
            wd.draw_text(surf, b["term"], (x, y), mt.small, col, bold=True, max_width=name_w - 4)
            mid = bar_x + bar_w // 2
            bh = max(4, lh - 6)
            track = pygame.Rect(bar_x, y + (lh - bh) // 2, bar_w, bh)
            pygame.draw.rect(surf, th.PANEL, track)
            pygame.draw.line(surf, th.BORDER, (mid, track.y - 2), (mid, track.bottom + 1))
            length = int(round((bar_w // 2) * abs(v) / scale))
            if length and not zero:
                bar = pygame.Rect(mid if v > 0 else mid - length, track.y, length, bh)
                pygame.draw.rect(surf, th.GOOD if v > 0 else th.BAD, bar)
            wd.draw_text(surf, fmt(v, 5), (x + w, y), mt.small, col, anchor="topright")
            y += lh
            y = wd.draw_wrapped(surf, meta, x + mt.pad, y, w - mt.pad, mt.tiny,
                                th.TEXT_FAINT if zero else th.TEXT_DIM, max_lines=note_lines) + 2
        return y

    @staticmethod
    def _meta(b: dict) -> str:
        sense = "wants more" if b["weight"] > 0 else "wants less"
        note = b.get("note", "")
        return f"{b['kind']}, {sense}, weight {abs(b['weight']):.2f}  [{b['source']}]" + (f"  {note}" if note else "")

    @staticmethod
    def _alt_text(d: dict, alt: dict) -> str:
        gap = alt["utility"] - d["utility"]
        rel = f"{gap:.4f} ahead" if gap > 0 else f"{-gap:.4f} behind"
        return f"{alt['text']}  {fmt(alt['utility'], 4)} ({rel})"


def fmt(v: float, decimals: int) -> str:
    """Signed number, without a '-0.000' for values that round to zero."""
    if abs(v) < 0.5 * 10 ** -decimals:
        return f"{0:.{decimals}f}"
    return f"{v:+.{decimals}f}"
