"""Scenes and the scene stack (in the manner of Tuxemon's state stack): the top scene gets
the events; every scene updates; drawing starts from the topmost scene that is not an
overlay, so a help or orders overlay is drawn over the game beneath it.

GameScene is the main screen: a top bar with the date and the view tabs, the active view,
the side panel (the month's story, agreements in force) and a status line.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from sim.ui import theme as th
from sim.ui import widgets as wd
from sim.ui.views import VIEW_CLASSES, StoryPanel, UIState, make_views
from sim.ui.views.why import fmt

# each view names its own hotkey letter (pygame key codes of letters are their lower-case ord)
VIEW_KEYS = {ord(c.hotkey.lower()): c.key for c in VIEW_CLASSES if c.hotkey}

HELP_ROWS = (
    ("Space", "play the next month (the AI plays every power you do not)"),
    ("Left arrow", "rewind one month"),
    ("O or Enter", "orders: choose your power's actions for the month (with --as ACTOR)"),
    ("M  I  T  W  D", "map, influence, timeline, why, debrief"),
    ("Tab", "in the 'why' view: the next actor (Shift+Tab: the previous one)"),
    ("Mouse", "click a tab; hover or click a zone for its card; wheel scrolls the story"),
    ("H or ?", "show or hide these keys"),
    ("Esc", "close an overlay; quit"),
)


class Scene:
    overlay = False

    def __init__(self):
        self.stack: SceneStack | None = None

    def handle_event(self, event: pygame.event.Event) -> bool:
        return False

    def update(self, dt: float) -> None:
        pass

    def draw(self, surf: pygame.Surface) -> None:
        pass


class SceneStack:
    def __init__(self, app=None):
        self.app = app
        self.scenes: list[Scene] = []

    def push(self, scene: Scene) -> Scene:
        scene.stack = self
        self.scenes.append(scene)
        return scene

    def pop(self) -> Scene | None:
        return self.scenes.pop() if self.scenes else None

    @property
    def top(self) -> Scene | None:
        return self.scenes[-1] if self.scenes else None

    def handle_event(self, event) -> bool:
        return self.top.handle_event(event) if self.top else False

    def update(self, dt: float) -> None:
        for sc in list(self.scenes):
            sc.update(dt)

    def draw(self, surf: pygame.Surface) -> None:
        start = 0
        for i in range(len(self.scenes) - 1, -1, -1):
            if not self.scenes[i].overlay:
                start = i
                break
        for sc in self.scenes[start:]:
            sc.draw(surf)

    def quit(self) -> None:
        if self.app is not None:
            self.app.quit()


@dataclass(frozen=True)
class Layout:
    top: pygame.Rect
    view: pygame.Rect
    side: pygame.Rect
    status: pygame.Rect


def layout(size: tuple[int, int]) -> Layout:
    """Where the parts of the main screen go in a window of `size`."""
    w, h = size
    mt = th.Metrics(size)
    top_h = max(24, th.line_height(mt.head, True) + 2 * mt.px(8))
    status_h = max(16, th.line_height(mt.tiny) + mt.px(8))
    side_w = max(160, min(int(w * 0.28), 440))
    if w < 520:
        side_w = int(w * 0.34)
    body_h = h - top_h - status_h
    return Layout(top=pygame.Rect(0, 0, w, top_h),
                  view=pygame.Rect(0, top_h, w - side_w, body_h),
                  side=pygame.Rect(w - side_w, top_h, side_w, body_h),
                  status=pygame.Rect(0, h - status_h, w, status_h))


def action_label(session, action: str, target: str | None) -> str:
    words = action.replace("_", " ")
    if target is None:
        return words
    if target in session.zone_ids:
        return f"{words}: {session.zone_name(target)}"
    if target in session.actor_ids:
        return f"{words}: {session.name(target)}"
    return f"{words}: {target}"


class GameScene(Scene):
    """The main screen."""

    def __init__(self, state: UIState, view: str = "map"):
        super().__init__()
        self.state = state
        self.views = make_views(state)
        if view not in self.views:
            raise ValueError(f"unknown view {view!r}; expected one of: {', '.join(self.views)}")
        self.active = view
        self.panel = StoryPanel(state)
        self.tabs = wd.ButtonRow([(c.key, c.title) for c in VIEW_CLASSES])
        self.hotkeys = {c.key: c.hotkey for c in VIEW_CLASSES}
        self.mouse: tuple[int, int] | None = None
        self.layout: Layout | None = None
        self.message_time = 0.0

    @property
    def session(self):
        return self.state.session

    @property
    def view(self):
        return self.views[self.active]

    # --- actions ----------------------------------------------------------------------------

    def say(self, text: str) -> None:
        self.state.message = text
        self.message_time = 4.0

    def set_view(self, key: str) -> None:
        self.active = key

    def next_turn(self) -> bool:
        s = self.session
        if s.finished:
            self.say(f"The scenario ends with {s.date_label()}: see the debrief (D).")
            return False
        s.advance()
        self.say(f"Played {s.date_label()}.")
        return True

    def rewind(self) -> bool:
        s = self.session
        if not s.rewind():
            self.say("Nothing to rewind: this is the first month kept.")
            return False
        self.say(f"Rewound to {s.date_label()}.")
        return True

    # --- events -----------------------------------------------------------------------------

    def handle_event(self, event) -> bool:
        if event.type == pygame.MOUSEMOTION:
            self.mouse = tuple(event.pos)
            return False
        if event.type == pygame.KEYDOWN:
            return self._key(event)
        lay = self.layout or layout(pygame.display.get_surface().get_size() if pygame.display.get_surface()
                                    else (1280, 800))
        if event.type == pygame.MOUSEBUTTONDOWN:
            pos = tuple(event.pos)
            self.mouse = pos
            if event.button == 1:
                hit = self.tabs.hit(pos)
                if hit:
                    self.set_view(hit)
                    return True
            if event.button in (1, 3):
                if lay.view.collidepoint(pos):
                    return self.view.handle_event(event, (pos[0] - lay.view.x, pos[1] - lay.view.y))
                if lay.side.collidepoint(pos):
                    return self.panel.handle_event(event, (pos[0] - lay.side.x, pos[1] - lay.side.y))
        if event.type == pygame.MOUSEWHEEL:
            pos = self.mouse or (0, 0)
            if lay.side.collidepoint(pos):
                return self.panel.handle_event(event, (pos[0] - lay.side.x, pos[1] - lay.side.y))
            if lay.view.collidepoint(pos):
                return self.view.handle_event(event, (pos[0] - lay.view.x, pos[1] - lay.view.y))
        return False

    def _key(self, event) -> bool:
        k = event.key
        if k == pygame.K_SPACE:
            self.next_turn()
            return True
        if k == pygame.K_LEFT:
            self.rewind()
            return True
        if k in VIEW_KEYS and not (event.mod & (pygame.KMOD_CTRL | pygame.KMOD_ALT)):
            self.set_view(VIEW_KEYS[k])
            return True
        if k == pygame.K_h or getattr(event, "unicode", "") == "?" or k == pygame.K_QUESTION or (
                k == pygame.K_SLASH and event.mod & pygame.KMOD_SHIFT):
            self.stack.push(HelpScene(self.state))
            return True
        if k in (pygame.K_o, pygame.K_RETURN, pygame.K_KP_ENTER):
            if not self.session.humans:
                self.say("The AI plays every side. Start with --as ACTOR to give a power's orders.")
            elif self.session.finished:
                self.say("The scenario is over.")
            else:
                self.stack.push(OrdersScene(self.state, self.session.humans[0]))
            return True
        if k == pygame.K_ESCAPE:
            if self.state.pinned_zone:
                self.state.pinned_zone = None
            else:
                self.stack.quit()
            return True
        return self.view.handle_event(event, None)

    # --- frame ------------------------------------------------------------------------------

    def update(self, dt: float) -> None:
        self.view.update(dt)
        if self.message_time > 0:
            self.message_time -= dt
            if self.message_time <= 0:
                self.state.message = ""

    def draw(self, surf: pygame.Surface) -> None:
        size = surf.get_size()
        self.state.extra["window_size"] = size
        lay = self.layout = layout(size)
        mt = th.Metrics(size)
        surf.fill(th.BG)
        self._top_bar(surf, lay.top, mt)
        m = self.mouse
        local = (m[0] - lay.view.x, m[1] - lay.view.y) if (m and lay.view.collidepoint(m)) else None
        self.view.draw(surf.subsurface(lay.view), local)
        side_local = (m[0] - lay.side.x, m[1] - lay.side.y) if (m and lay.side.collidepoint(m)) else None
        self.panel.draw(surf.subsurface(lay.side), side_local)
        self._status(surf, lay.status, mt)

    def _top_bar(self, surf, rect: pygame.Rect, mt: th.Metrics) -> None:
        s = self.session
        pygame.draw.rect(surf, th.PANEL, rect)
        pygame.draw.line(surf, th.BORDER, rect.bottomleft, (rect.right, rect.bottom))
        pad = mt.pad
        tab_h = rect.h - 2 * mt.px(6)
        tab_w_total = sum(th.text_width(c.title, mt.body, True) + 2 * mt.body for c in VIEW_CLASSES) \
            + mt.pad // 2 * (len(VIEW_CLASSES) - 1)
        tab_area = pygame.Rect(rect.right - pad - min(tab_w_total, int(rect.w * 0.5)),
                               rect.y + (rect.h - tab_h) // 2, min(tab_w_total, int(rect.w * 0.5)), tab_h)
        self.tabs.layout(tab_area, mt.body, mt.pad // 2, align="right")
        self.tabs.draw(surf, self.active, mt.body, hover=self.mouse, hotkeys=self.hotkeys)
        left_w = tab_area.x - pad * 2
        date = f"{s.date_label()}  ·  turn {s.turn} of {s.last_turn}"
        if s.finished:
            date += "  ·  over"
        date_w = th.text_width(date, mt.head, True)
        r = wd.draw_text(surf, date, (pad, rect.centery), mt.head, th.TEXT, bold=True, anchor="midleft",
                         max_width=left_w)
        rest = left_w - date_w - pad * 2
        if rest > 60:
            who = (f"You: {', '.join(s.name(h) for h in s.humans)}" if s.humans else "AI on every side")
            title = f"{s.title()}  ·  {who}"
            wd.draw_text(surf, title, (r.right + pad * 2, rect.centery), mt.small, th.TEXT_DIM,
                         anchor="midleft", max_width=rest)

    def _status(self, surf, rect: pygame.Rect, mt: th.Metrics) -> None:
        pygame.draw.rect(surf, th.PANEL, rect)
        pygame.draw.line(surf, th.BORDER, rect.topleft, (rect.right, rect.top))
        s = self.session
        hint = "Space: next month   Left: rewind   M I T W D: views   H or ?: keys   Esc: quit"
        if s.humans:
            q = s.queued.get(s.humans[0], {})
            orders = "; ".join(action_label(s, a, t) for a, t in q.values()) or "none (the AI decides)"
            hint = f"O: orders [{orders}]   " + hint
        msg = self.state.message
        x = mt.pad
        if msg:
            r = wd.draw_text(surf, msg, (x, rect.centery), mt.tiny, th.ACCENT, bold=True, anchor="midleft",
                             max_width=rect.w // 2)
            x = r.right + mt.pad * 2
        seed = getattr(s.model, "seed", None)
        right = f"seed {seed}" if seed is not None else ""
        rw = th.text_width(right, mt.tiny) if right else 0
        wd.draw_text(surf, hint, (x, rect.centery), mt.tiny, th.TEXT_DIM, anchor="midleft",
                     max_width=max(10, rect.right - x - rw - 3 * mt.pad))
        if right:
            wd.draw_text(surf, right, (rect.right - mt.pad, rect.centery), mt.tiny, th.TEXT_FAINT, anchor="midright")


class HelpScene(Scene):
    """The keys, over the game. Any key or click closes it."""

    overlay = True

    def __init__(self, state: UIState):
        super().__init__()
        self.state = state

    def handle_event(self, event) -> bool:
        if event.type in (pygame.KEYDOWN, pygame.MOUSEBUTTONDOWN):
            self.stack.pop()
            return True
        return False

    def draw(self, surf: pygame.Surface) -> None:
        W, H = surf.get_size()
        mt = th.Metrics((W, H))
        shade = pygame.Surface((W, H), pygame.SRCALPHA)
        shade.fill((0, 0, 0, 170))
        surf.blit(shade, (0, 0))
        key_w = max(th.text_width(k, mt.body, True) for k, _ in HELP_ROWS) + mt.pad * 2
        text_w = max(th.text_width(t, mt.body) for _, t in HELP_ROWS)
        lh = th.line_height(mt.body) + mt.px(6)
        w = min(W - 20, key_w + text_w + 4 * mt.pad)
        h = lh * (len(HELP_ROWS) + 2) + 3 * mt.pad
        box = pygame.Rect((W - w) // 2, (H - h) // 2, w, h)
        wd.panel(surf, box, th.PANEL, th.ACCENT, radius=8)
        y = box.y + mt.pad * 2
        wd.draw_text(surf, "Keys", (box.x + mt.pad * 2, y), mt.head, th.ACCENT, bold=True)
        y += lh + mt.pad
        for k, t in HELP_ROWS:
            wd.draw_text(surf, k, (box.x + mt.pad * 2, y), mt.body, th.TEXT, bold=True)
            wd.draw_text(surf, t, (box.x + mt.pad * 2 + key_w, y), mt.body, th.TEXT_DIM,
                         max_width=box.right - box.x - key_w - 4 * mt.pad)
            y += lh
        wd.draw_text(surf, "Any key closes this.", (box.centerx, box.bottom - mt.pad), mt.small, th.TEXT_FAINT,
                     anchor="midbottom")


class OrdersScene(Scene):
    """The human power's orders for the month: every legal action of each track with the
    expected utility the AI would give it (a preview). Up/Down pick, Enter queues, Tab
    switches track, Esc or O closes. Unqueued tracks are left to the AI."""

    overlay = True

    def __init__(self, state: UIState, actor: str):
        super().__init__()
        from sim.model.state import MILITARY

        self.state = state
        self.actor = actor
        legal = state.session.legal_actions(actor)
        self.tracks = {"military": [x for x in legal if x[0] in MILITARY],
                       "diplomatic": [x for x in legal if x[0] not in MILITARY]}
        for k in self.tracks:
            self.tracks[k].sort(key=lambda x: -x[2])
        self.track = "military"
        self.index = {"military": 0, "diplomatic": 0}
        self.rows: list[tuple[pygame.Rect, str, int]] = []

    def _queue(self, track: str, i: int) -> None:
        action, target, _ = self.tracks[track][i]
        self.state.session.choose(self.actor, action, target)

    def handle_event(self, event) -> bool:
        if event.type == pygame.KEYDOWN:
            k = event.key
            items = self.tracks[self.track]
            if k in (pygame.K_ESCAPE, pygame.K_o):
                self.stack.pop()
            elif k == pygame.K_TAB or k in (pygame.K_LEFT, pygame.K_RIGHT):
                self.track = "diplomatic" if self.track == "military" else "military"
            elif k == pygame.K_UP and items:
                self.index[self.track] = (self.index[self.track] - 1) % len(items)
            elif k == pygame.K_DOWN and items:
                self.index[self.track] = (self.index[self.track] + 1) % len(items)
            elif k in (pygame.K_RETURN, pygame.K_KP_ENTER) and items:
                self._queue(self.track, self.index[self.track])
            return True
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            for rect, track, i in self.rows:
                if rect.collidepoint(event.pos):
                    self.track, self.index[track] = track, i
                    self._queue(track, i)
                    return True
            return True
        return False

    def draw(self, surf: pygame.Surface) -> None:
        s = self.state.session
        W, H = surf.get_size()
        mt = th.Metrics((W, H))
        shade = pygame.Surface((W, H), pygame.SRCALPHA)
        shade.fill((0, 0, 0, 150))
        surf.blit(shade, (0, 0))
        box = pygame.Rect(W // 12, H // 10, W - W // 6, H - H // 5)
        wd.panel(surf, box, th.PANEL, th.ACCENT, radius=8)
        pad = mt.pad * 2
        y = box.y + pad
        r = wd.draw_text(surf, f"Orders for {s.name(self.actor)}, {s.date_label(s.turn + 1)}", (box.x + pad, y),
                         mt.head, th.actor_colour(self.actor), bold=True)
        y = r.bottom + 2
        r = wd.draw_text(surf, "Up/Down pick, Enter queues, Tab switches track, Esc closes. "
                         "Numbers: the AI's expected utility of each action for you.", (box.x + pad, y),
                         mt.small, th.TEXT_DIM, max_width=box.w - 2 * pad)
        y = r.bottom + mt.pad
        col_w = (box.w - 3 * pad) // 2
        lh = th.line_height(mt.small) + 4
        queued = s.queued.get(self.actor, {})
        self.rows = []
        for j, track in enumerate(("military", "diplomatic")):
            x = box.x + pad + j * (col_w + pad)
            active = track == self.track
            wd.draw_text(surf, f"{track.capitalize()} track", (x, y), mt.body, th.ACCENT if active else th.TEXT,
                         bold=True)
            yy = y + th.line_height(mt.body, True) + 4
            items = self.tracks[track]
            room = max(1, (box.bottom - pad - yy) // lh)
            first = max(0, min(self.index[track] - room // 2, len(items) - room))
            for i in range(first, min(len(items), first + room)):
                action, target, u = items[i]
                row = pygame.Rect(x, yy, col_w, lh - 2)
                sel = active and i == self.index[track]
                is_q = queued.get(track) == (action, target)
                if sel:
                    pygame.draw.rect(surf, th.PANEL_HI, row, border_radius=3)
                if is_q:
                    pygame.draw.rect(surf, th.GOOD, row, 2, border_radius=3)
                label = action_label(s, action, target) + ("  (queued)" if is_q else "")
                wd.draw_text(surf, label, (x + 6, yy + 2), mt.small, th.TEXT, max_width=col_w - 90)
                wd.draw_text(surf, fmt(u, 4), (row.right - 6, yy + 2), mt.small,
                             th.GOOD if u > 0 else th.BAD if u < 0 else th.TEXT_DIM, anchor="topright")
                self.rows.append((row, track, i))
                yy += lh
