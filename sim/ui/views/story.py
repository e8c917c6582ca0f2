"""The side panel: the month's story (events and outcomes from the record) first, then
compact sections: what is on the table waiting for answers, the score (when the scenario
declares objectives), and the agreements and talks in force. The story scrolls with the
mouse wheel when it is long; when space is short the other sections shrink to their
headline and a count."""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from sim.ui import theme as th
from sim.ui import widgets as wd
from sim.ui.views.base import View, look
from sim.ui.views.mapview import KIND_LABEL

TALKS_COLOUR: th.Colour = (150, 200, 255)


def outcome_colour(o: dict) -> th.Colour:
    """The colour of an outcome in the story (read at draw time, so a theme switch shows)."""
    kind = o.get("type", "")
    if kind == "offensive":
        return th.ACCENT if o.get("won") else th.TEXT
    return {"violation": th.BAD, "agreement": th.GOOD, "trade": th.GOOD, "refused": th.TEXT_DIM,
            "proposal": th.TEXT_DIM, "talks": TALKS_COLOUR}.get(kind, th.TEXT)

Chunk = tuple[str, th.Colour, bool]  # text, colour, bold


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
        text = o["text"]
        out.append((text[0].upper() + text[1:] if text else text, outcome_colour(o)))
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


def table_items(session) -> list[tuple[bool, str, str, str]]:
    """Proposals and trades waiting for answers, those put to a human player first, as
    (put to a human, proposer, "Proposer → addressees", what it says)."""
    humans = set(session.humans)
    out = []
    for p in session.table():
        to_human = bool(humans & set(p.addressees))
        who = f"{session.short(p.proposer)} → {', '.join(session.short(a) for a in p.addressees)}"
        what = ("counter-offer: " if p.is_counter else "") + p.text
        out.append((to_human, p.proposer, who, what))
    out.sort(key=lambda r: not r[0])
    return out


def score_items(session) -> list[tuple[str, int, int]]:
    """(power, points won, points there are) for each power with objectives; none when the
    scenario declares no objectives."""
    if not session.scorecard():
        return []
    scores = session.scores()
    return [(a, *scores[a]) for a in session.powers if a in scores]


@dataclass
class Section:
    """A block under the story: a title and items, each item one or more lines of chunks."""

    title: str
    items: list[list[tuple[list[Chunk], int, int]]]  # item -> lines of (chunks, size, indent)
    empty: str = ""  # what to say when there are no items


def _wrap_chunks(chunks: list[Chunk], size: int, width: int, indent: int) -> list[tuple[list[Chunk], int, int]]:
    """Chunks laid into lines of at most `width` pixels (a chunk too long is word-wrapped;
    later lines are indented by `indent`)."""
    lines: list[tuple[list[Chunk], int, int]] = []
    cur: list[Chunk] = []
    x = 0
    for text, colour, bold in chunks:
        for k, part in enumerate(th.wrap(text, size, max(20, width - indent), bold)):
            w = th.text_width(part, size, bold)
            if (k > 0 or x + w > width - (indent if lines else 0)) and cur:
                lines.append((cur, size, indent if lines else 0))
                cur, x = [], 0
            cur.append((part, colour, bold))
            x += w
    if cur:
        lines.append((cur, size, indent if lines else 0))
    return lines


def _flow(groups: list[list[Chunk]], size: int, width: int) -> list[tuple[list[Chunk], int, int]]:
    """Groups of chunks laid left to right into lines, a group never split across lines."""
    lines: list[tuple[list[Chunk], int, int]] = []
    cur: list[Chunk] = []
    x = 0
    for group in groups:
        w = sum(th.text_width(t, size, b) for t, _, b in group)
        if cur and x + w > width:
            lines.append((cur, size, 0))
            cur, x = [], 0
        cur += group
        x += w
    if cur:
        lines.append((cur, size, 0))
    return lines


class StoryPanel(View):
    key = "story"
    title = "The month"

    def __init__(self, state):
        super().__init__(state)
        self.scroll = 0
        self._version = None
        self.max_scroll = 0
        # what the last drawing showed of each section: (items shown, items in all), for tests
        self.shown: dict[str, tuple[int, int]] = {}
        self._sections: tuple | None = None

    def handle_event(self, event, local):
        if event.type == pygame.MOUSEWHEEL and local is not None:
            self.scroll = max(0, min(self.max_scroll, self.scroll - event.y))
            return True
        return False

    def sections(self, mt: th.Metrics, width: int) -> list[Section]:
        """The blocks under the story, in their order on the panel."""
        s = self.session
        out = []
        items = []
        on_table = table_items(s)
        for to_human, proposer, who, what in on_table:
            head = [("▶ " if to_human else "", th.ACCENT, True), (who, th.readable(th.actor_colour(proposer)), True)]
            if to_human:
                head.append(("\u00a0\u00a0your answer", th.ACCENT, True))  # no-break spaces survive wrapping
            items.append(_wrap_chunks(head, mt.small, width, 0) + _wrap_chunks(
                [(what, th.TEXT if to_human else th.TEXT_DIM, False)], mt.tiny, width - 2 * mt.pad, 0))
            # the detail sits indented under its headline
            items[-1] = [(c, sz, ind + (mt.pad if sz == mt.tiny else 0)) for c, sz, ind in items[-1]]
        waiting = sum(1 for it in on_table if it[0])
        title = "On the table" + (f" ({waiting} for you)" if waiting else "")
        if s.finished:  # what is still on the table will never be answered
            items, title = [], "On the table"
        out.append(Section(title, items, "The game is over." if s.finished else "Nothing waits for an answer."))
        scores = score_items(s)
        if scores:
            groups = [[(f"{s.short(a)} ", th.readable(th.actor_colour(a)), True),
                       (f"{won}/{total}\u00a0\u00a0\u00a0", th.TEXT, False)] for a, won, total in scores]
            out.append(Section("Score (points won / at stake)", [_flow(groups, mt.small, width)]))
        fig = s.figures()
        ag_items = []
        for head, detail in agreement_items(s, fig):
            lines = _wrap_chunks([(head, th.TEXT, True)], mt.small, width, mt.pad)
            lines += [(c, sz, mt.pad) for c, sz, _ in _wrap_chunks([(detail, th.TEXT_DIM, False)], mt.tiny,
                                                                  width - mt.pad, 0)]
            ag_items.append(lines)
        out.append(Section("Agreements and talks in force", ag_items, "None."))
        return out

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
        key = (s.version, s.turn, tw, mt.size, look())
        if self._sections is None or self._sections[0] != key:  # the score and table cost a little: once a state
            self._sections = (key, self.sections(mt, tw))
        sections = self._sections[1]
        heights = self._allot(sections, mt, H - pad, min_story=max(int(H * 0.36), 5 * th.line_height(mt.small)))
        story_bottom = H - pad // 2 - sum(h for h, _ in heights)
        self._story(surf, mt, story_bottom)
        y = story_bottom
        self.shown = {}
        for sec, (h, n) in zip(sections, heights):
            if h:
                self._section(surf, mt, sec, y, n, tw)
            self.shown[sec.title] = (n, len(sec.items))
            y += h

    # --- layout -------------------------------------------------------------------------------

    @staticmethod
    def _item_h(item) -> int:
        return sum(th.line_height(size, True) for _, size, _ in item) + 3

    @staticmethod
    def _head_h(mt) -> int:
        # as drawn by _section: half a pad, the title, section_title's gap
        return mt.pad // 2 + th.font(mt.body, True).get_height() + max(2, mt.body // 4)

    def _allot(self, sections: list[Section], mt, H: int, min_story: int) -> list[tuple[int, int]]:
        """(height, items shown) per section: first every section's title, then its items in
        order of the sections, while the story keeps at least `min_story`; a section cut
        short keeps a line to say how many items are left out."""
        budget = H - min_story
        head = self._head_h(mt)
        more_h = th.line_height(mt.tiny) + 2
        alloc = []
        for sec in sections:  # titles (with one line for "None." or a count)
            need = head + (more_h if not sec.items else 0)
            if budget >= need:
                alloc.append([need, 0])
                budget -= need
            else:
                alloc.append([0, 0])
        for sec, a in zip(sections, alloc):
            if not a[0] or not sec.items:
                continue
            for k, item in enumerate(sec.items):
                h = self._item_h(item)
                rest = len(sec.items) - k - 1
                extra = more_h if rest else 0  # room to say "and N more" if this is the last that fits
                if budget >= h + extra or (not rest and budget >= h):
                    a[0] += h
                    a[1] += 1
                    budget -= h
                else:
                    if budget >= more_h:
                        a[0] += more_h
                        budget -= more_h
                    break
        return [(h, n) for h, n in alloc]

    # --- drawing -------------------------------------------------------------------------------

    def _story(self, surf, mt, bottom: int) -> None:
        s = self.session
        W = surf.get_width()
        pad = mt.pad
        tw = W - 2 * pad
        title = f"The month: {s.date_label()}" if s.turn else f"The scenario opens: {s.date_label()}"
        y = wd.section_title(surf, title, pad, pad, tw, mt.body)
        lines: list[tuple[str, th.Colour, int]] = []
        bullet_w = th.text_width("• ", mt.small)
        for text, colour in story_items(s):
            for i, line in enumerate(th.wrap(text, mt.small, tw - bullet_w)):
                lines.append((line, colour, i))
        lh = th.line_height(mt.small) + 1
        room = max(1, (bottom - y - pad // 2) // lh)
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
            wd.draw_text(surf, hint, (W - pad, bottom - 2), mt.tiny, th.TEXT_FAINT, anchor="bottomright")

    def _section(self, surf, mt, sec: Section, y: int, n: int, tw: int) -> None:
        pad = mt.pad
        W = surf.get_width()
        pygame.draw.line(surf, th.BORDER, (pad, y), (W - pad, y))
        title = sec.title if n >= len(sec.items) else f"{sec.title} ({len(sec.items)})"
        y = wd.section_title(surf, title, pad, y + pad // 2, tw, mt.body)
        if not sec.items:
            wd.draw_text(surf, sec.empty, (pad, y), mt.tiny, th.TEXT_DIM, max_width=tw)
            return
        for item in sec.items[:n]:
            for chunks, size, indent in item:
                x = pad + indent
                lh = th.line_height(size, True)
                for text, colour, bold in chunks:
                    if text:
                        r = wd.draw_text(surf, text, (x, y), size, colour, bold=bold,
                                         max_width=max(4, W - pad - x))
                        x = r.right
                y += lh
            y += 3
        if n < len(sec.items):
            wd.draw_text(surf, f"… and {len(sec.items) - n} more", (pad, y), mt.tiny, th.TEXT_FAINT)
