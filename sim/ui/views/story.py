"""The side panel: the month's story (events and outcomes from the record) and the
agreements and talks in force. Scrolls with the mouse wheel when the story is long."""

from __future__ import annotations

import pygame

from sim.ui import theme as th
from sim.ui import widgets as wd
from sim.ui.views.base import View
from sim.ui.views.mapview import KIND_LABEL

OUTCOME_COLOURS = {
    "violation": th.BAD,
    "agreement": th.GOOD,
    "trade": th.GOOD,
    "refused": th.TEXT_DIM,
    "proposal": th.TEXT_DIM,
    "talks": (150, 200, 255),
}


def story_items(session) -> list[tuple[str, th.Colour]]:
    """The month's story as (text, colour): events first, then what the actors did."""
    rec = session.record()
    if rec is None:
        scn = session.model.scenario
        return [(" ".join(scn.description.split()), th.TEXT_DIM)]
    out = []
    for ev in rec.get("events", []):
        out.append((ev["text"], th.ACCENT))
    for o in rec.get("outcomes", []):
        colour = OUTCOME_COLOURS.get(o.get("type", ""), th.TEXT)
        if o.get("type") == "offensive":
            colour = th.ACCENT if o.get("won") else th.TEXT
        text = o["text"]
        out.append((text[0].upper() + text[1:] if text else text, colour))
    if not out:
        out.append(("A quiet month: nobody moved.", th.TEXT_DIM))
    return out


def agreement_items(session, fig: dict) -> list[tuple[str, str]]:
    """(headline, detail) per agreement and framework in force."""
    s = session
    out = []
    for ag in fig.get("agreements", []):
        zones = ", ".join(s.zone_name(z) for z in ag["zones"])
        g = ", ".join(s.name(x) for x in ag["guarantors"]) or "none"
        until = f"until {ag['until']}" if ag.get("until") else "open-ended"
        out.append((f"{KIND_LABEL.get(ag['kind'], ag['kind'])}: {zones}", f"guarantors {g}; {until}"))
    for f in fig.get("frameworks", []):
        members = ", ".join(s.short(m) for m in f["members"])
        out.append((f"Talks: {f['name']}", f"convened by {s.name(f['convener'])}; members {members}"))
    return out


class StoryPanel(View):
    key = "story"
    title = "The month"

    def __init__(self, state):
        super().__init__(state)
        self.scroll = 0
        self._version = None
        self.max_scroll = 0

    def handle_event(self, event, local):
        if event.type == pygame.MOUSEWHEEL and local is not None:
            self.scroll = max(0, min(self.max_scroll, self.scroll - event.y))
            return True
        return False

    def draw(self, surf: pygame.Surface, mouse=None) -> None:
        s = self.session
        if self._version != s.version:
            self.scroll, self._version = 0, s.version
        mt = self.metrics(surf)
        W, H = surf.get_size()
        surf.fill(th.PANEL)
        pygame.draw.line(surf, th.BORDER, (0, 0), (0, H))
        pad = mt.pad
        tw = W - 2 * pad
        fig = s.figures()
        ags = agreement_items(s, fig)
        # the agreements block takes what it needs at the bottom, up to 45% of the height
        lh_s, lh_t = th.line_height(mt.small), th.line_height(mt.tiny)
        ag_lines = []
        for head, detail in ags:
            ag_lines.append((th.wrap(head, mt.small, tw - pad, True), th.wrap(detail, mt.tiny, tw - 2 * pad)))
        need = th.line_height(mt.body, True) + pad + sum(len(a) * lh_s + len(b) * lh_t + 3 for a, b in ag_lines)
        ag_h = min(need, int(H * 0.45)) if ags else th.line_height(mt.body, True) + lh_s + pad * 2
        story_rect = pygame.Rect(0, 0, W, H - ag_h)
        # story
        title = f"The month: {s.date_label()}" if s.turn else f"The scenario opens: {s.date_label()}"
        y = wd.section_title(surf, title, pad, pad, tw, mt.body)
        items = story_items(s)
        lines: list[tuple[str, th.Colour, int]] = []
        bullet_w = th.text_width("• ", mt.small)
        for text, colour in items:
            for i, line in enumerate(th.wrap(text, mt.small, tw - bullet_w)):
                lines.append((line, colour, i))
        lh = lh_s + 1
        room = max(1, (story_rect.bottom - y - pad) // lh)
        if len(lines) > room:  # keep the last line for the scroll hint
            room = max(1, room - 1)
        self.max_scroll = max(0, len(lines) - room)
        self.scroll = min(self.scroll, self.max_scroll)
        shown = lines[self.scroll:self.scroll + room]
        for line, colour, i in shown:
            if i == 0:
                wd.draw_text(surf, "•", (pad, y), mt.small, colour)
            wd.draw_text(surf, line, (pad + bullet_w, y), mt.small, colour)
            y += lh
        if self.max_scroll:
            more = len(lines) - self.scroll - len(shown)
            hint = f"{more} more lines: scroll" if more > 0 else "scroll up for the start"
            wd.draw_text(surf, hint, (W - pad, story_rect.bottom - 2), mt.tiny, th.TEXT_FAINT, anchor="bottomright")
        # agreements
        y = story_rect.bottom
        pygame.draw.line(surf, th.BORDER, (pad, y), (W - pad, y))
        y = wd.section_title(surf, "Agreements and talks in force", pad, y + pad // 2, tw, mt.body)
        if not ags:
            wd.draw_text(surf, "None.", (pad, y), mt.small, th.TEXT_DIM)
            return
        for n, (head, detail) in enumerate(ag_lines):
            if y + lh_s > H - pad:
                break
            for line in head:
                wd.draw_text(surf, line, (pad, y), mt.small, th.TEXT, bold=True)
                y += lh_s
            for line in detail:
                if y + lh_t > H - 2:
                    break
                wd.draw_text(surf, line, (pad * 2, y), mt.tiny, th.TEXT_DIM)
                y += lh_t
            y += 3
            if y + lh_s > H - pad and n < len(ag_lines) - 1:
                wd.draw_text(surf, f"... and {len(ag_lines) - n - 1} more", (pad, H - pad - lh_t), mt.tiny,
                             th.TEXT_FAINT)
                break
