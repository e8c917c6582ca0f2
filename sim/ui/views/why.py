"""Why: an actor's decisions of the month, each with its expected utility broken down by
preference term (weight, sense, the article the term comes from), the runners-up, and its
answers to proposals. Read from the month's record, as `sim.explain` does."""

from __future__ import annotations

import pygame

from sim.sources import ARTICLES
from sim.ui import theme as th
from sim.ui import widgets as wd
from sim.ui.views.base import View


def decisions_of(record: dict | None, actor: str) -> list[dict]:
    return [d for d in (record or {}).get("decisions", []) if d["actor"] == actor]


def source_label(src: str) -> str:
    a = ARTICLES.get(src)
    return f"{src}: {a.title} ({a.date})" if a else src


class WhyView(View):
    key = "why"
    title = "Why"
    hotkey = "W"

    def __init__(self, state):
        super().__init__(state)
        self.chips = wd.ButtonRow([])

    def handle_event(self, event, local):
        s = self.session
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and local is not None:
            hit = self.chips.hit(local)
            if hit:
                self.state.actor = hit
                return True
        if event.type == pygame.KEYDOWN and event.key == pygame.K_TAB:
            ids = list(s.actor_ids)
            i = ids.index(self.state.actor) if self.state.actor in ids else 0
            step = -1 if event.mod & pygame.KMOD_SHIFT else 1
            self.state.actor = ids[(i + step) % len(ids)]
            return True
        return False

    def draw(self, surf: pygame.Surface, mouse=None) -> None:
        mt = self.metrics(surf)
        s = self.session
        W, H = surf.get_size()
        surf.fill(th.BG)
        pad = mt.pad * 2
        actor = self.state.actor if self.state.actor in s.actor_ids else s.actor_ids[0]
        # actor chips
        self.chips.items = [(a, s.short(a)) for a in s.actor_ids]
        self.chips.colours = {a: th.actor_colour(a) for a in s.actor_ids}
        chip_h = th.line_height(mt.small, True) + mt.pad // 2
        self.chips.layout(pygame.Rect(pad, pad, W - 2 * pad, chip_h), mt.small, mt.pad // 2)
        self.chips.draw(surf, actor, mt.small, hover=mouse)
        y = pad + chip_h + mt.pad
        rec = s.record()
        head = f"Why {s.name(actor)} did what it did"
        head += f", {s.date_label()} (turn {s.turn})" if rec else ""
        r = wd.draw_text(surf, head, (pad, y), mt.head, th.readable(th.actor_colour(actor)), bold=True, max_width=W - 2 * pad)
        y = r.bottom + mt.pad // 2
        if rec is None:
            wd.draw_wrapped(surf, f"No month has been played yet. Press Space to play {s.date_label(s.turn + 1)}; "
                            "this view then shows each decision of the month with its expected utility broken "
                            "down by preference term, and the article behind each term. Tab or a click on a "
                            "name above picks the actor.", pad, y, W - 2 * pad, mt.body, th.TEXT_DIM)
            return
        decs = decisions_of(rec, actor)
        answers = [a for a in rec.get("responses", []) if a["actor"] == actor]
        sources: list[str] = []
        for d in decs:
            for b in d["breakdown"]:
                if b["source"] not in sources:
                    sources.append(b["source"])
        src_lines = [source_label(x) for x in sources]
        foot_h = (th.line_height(mt.tiny) * (len(src_lines) + 1) + mt.pad) if src_lines else 0
        ans_h = (th.line_height(mt.small) * (min(len(answers), 3) + 1) + mt.pad) if answers else 0
        bottom = H - pad - foot_h - ans_h
        scale = 1.0
        ncol = 2 if W >= 560 and len(decs) > 1 else 1
        gap = mt.pad * 2
        col_w = (W - 2 * pad - gap * (ncol - 1)) // ncol
        if ncol == 2:
            for i, d in enumerate(decs[:2]):
                self._decision(surf, mt, d, pad + i * (col_w + gap), y, col_w, bottom, scale)
        else:  # one column: each decision gets its share of the height
            share = (bottom - y) // max(1, len(decs))
            for i, d in enumerate(decs):
                top = y + i * share
                clip = surf.get_clip()
                surf.set_clip(pygame.Rect(0, top, W, share))
                self._decision(surf, mt, d, pad, top, col_w, top + share - mt.pad // 2, scale)
                surf.set_clip(clip)
        y = bottom + mt.pad // 2
        if answers:
            y = wd.section_title(surf, "Answers to proposals", pad, y, W - 2 * pad, mt.small)
            for a in answers[:3]:
                prop = s.name(a["proposer"])
                t = (f"{a['answer'].capitalize()}s the {a['kind'].replace('_', '-')} proposed by {prop}: "
                     f"accept {fmt(a['utility_accept'], 4)} vs reject {fmt(a['utility_reject'], 4)}"
                     + (" (a human's answer)" if a.get("human") else ""))
                wd.draw_text(surf, t, (pad, y), mt.small, th.TEXT, max_width=W - 2 * pad)
                y += th.line_height(mt.small)
            y += mt.pad // 2
        if src_lines:
            wd.draw_text(surf, "Sources of the terms", (pad, y), mt.tiny, th.ACCENT, bold=True)
            y += th.line_height(mt.tiny)
            for line in src_lines:
                wd.draw_text(surf, line, (pad, y), mt.tiny, th.TEXT_DIM, max_width=W - 2 * pad)
                y += th.line_height(mt.tiny)

    def _decision(self, surf, mt, d: dict, x: int, y: int, w: int, bottom: int, scale: float) -> int:
        y = wd.section_title(surf, f"{d['track'].capitalize()} track", x, y, w, mt.small)
        y = wd.draw_wrapped(surf, d["text"], x, y, w, mt.body, th.TEXT, bold=True, max_lines=2)
        best = not any(alt["utility"] > d["utility"] for alt in d.get("alternatives", []))
        sub = f"expected utility {fmt(d['utility'], 4)}, of {d['candidates']} open actions"
        y = wd.draw_wrapped(surf, sub, x, y, w, mt.small, th.TEXT_DIM)
        if not best:
            y = wd.draw_wrapped(surf, "Not the best-scored action: choices are probabilistic (logit).",
                                x, y, w, mt.small, th.BAD)
        y += mt.pad // 2
        rows = sorted(d["breakdown"], key=lambda b: (abs(b["value"]) < 5e-7, -abs(b["value"])))
        # Each decision's bars are scaled to its own largest term, so small utilities still read.
        scale = max([abs(b["value"]) for b in rows] + [1e-9])
        name_w = min(int(w * 0.34), max(th.text_width(b["term"], mt.small, True) for b in rows) + 6)
        val_w = th.text_width("+0.00000", mt.small) + 4
        bar_x, bar_w = x + name_w, max(20, w - name_w - val_w)
        lh = th.line_height(mt.small)
        tl = th.line_height(mt.tiny)
        alts = d.get("alternatives", [])[:2]
        alt_texts = [self._alt_text(d, alt) for alt in alts]
        alt_lines = [th.wrap(t, mt.small, w - mt.pad) for t in alt_texts]
        alt_h = (lh * (1 + sum(len(a) for a in alt_lines)) + 2) if alts else 0
        metas = [self._meta(b) for b in rows]
        # as many lines of each term's note as fit (1 to 3)
        note_lines = 1
        for n in (3, 2):
            need = sum(lh + tl * min(n, len(th.wrap(m, mt.tiny, w - mt.pad))) + 2 for m in metas)
            if y + need <= bottom - alt_h:
                note_lines = n
                break
        for b, meta in zip(rows, metas):
            if y + lh + tl > bottom - alt_h:
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
        if alts and y + alt_h <= bottom + 1:
            y += 2
            wd.draw_text(surf, "Runners-up", (x, y), mt.small, th.ACCENT, bold=True)
            y += lh
            for lines in alt_lines:
                for i, line in enumerate(lines):
                    wd.draw_text(surf, line, (x + mt.pad * (1 if i == 0 else 2), y), mt.small, th.TEXT_DIM)
                    y += lh
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
