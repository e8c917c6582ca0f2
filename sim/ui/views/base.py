"""What every view shares: the UI state it reads, the interface the scenes call, and a
scroller for views whose content can be taller than the window."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pygame

from sim.ui import theme as th
from sim.ui.session import Session


@dataclass
class UIState:
    """The window's state besides the model: which actor the 'why' view and the actor card
    show, which zone's card is pinned, whether values animate (off for screenshots)."""

    session: Session
    actor: str | None = None          # actor the 'why' view and the actor card show
    pinned_zone: str | None = None    # zone card kept open by a click
    hover_zone: str | None = None     # forced hover (screenshots); else the mouse decides
    animate: bool = True
    message: str = ""                 # status line
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.actor is None:
            s = self.session
            self.actor = s.humans[0] if s.humans else (s.powers[0] if s.powers else s.actor_ids[0])


def look() -> tuple:
    """The theme as it stands (palette and type size), for the keys of cached drawings."""
    return th.BG, th.TEXT, th.ACCENT, getattr(th, "PRESENTER", False)


class View:
    """A view draws onto any surface it is given (layout scales with its size), may animate
    in `update`, and may take mouse events (positions local to its surface)."""

    key = "view"
    title = "View"
    hotkey = ""
    uses_map = False  # True: built with the shared MapRenderer

    def __init__(self, state: UIState):
        self.state = state

    @property
    def session(self) -> Session:
        return self.state.session

    def update(self, dt: float) -> None:
        pass

    def draw(self, surf: pygame.Surface, mouse: tuple[int, int] | None = None) -> None:
        raise NotImplementedError

    def handle_event(self, event: pygame.event.Event, local: tuple[int, int] | None) -> bool:
        return False

    # helpers
    def metrics(self, surf: pygame.Surface) -> th.Metrics:
        # Views are drawn into part of the window; size their type by the window, so that a
        # view's text matches the rest of the frame.
        return th.Metrics(self.state.extra.get("window_size", surf.get_size()))

    def cycle_actor(self, event: pygame.event.Event) -> bool:
        """Tab / Shift+Tab: the next / previous actor (shared by the views that show one)."""
        if event.type != pygame.KEYDOWN or event.key != pygame.K_TAB:
            return False
        ids = list(self.session.actor_ids)
        i = ids.index(self.state.actor) if self.state.actor in ids else 0
        step = -1 if event.mod & pygame.KMOD_SHIFT else 1
        self.state.actor = ids[(i + step) % len(ids)]
        return True


SCROLL_KEYS = (pygame.K_UP, pygame.K_DOWN, pygame.K_PAGEUP, pygame.K_PAGEDOWN)


class Scroller:
    """Content that may be taller than the view: drawn once onto a tall surface (again only
    when its cache key changes) and shown from an offset, with a scroll bar. The wheel,
    Up/Down and PageUp/PageDown move it."""

    def __init__(self):
        self.offset = 0
        self.key = None
        self.content: pygame.Surface | None = None
        self.view_h = 1
        self.line = 20

    def render(self, key, size: tuple[int, int], draw: Callable[[pygame.Surface], int]) -> pygame.Surface:
        """The content for `key`: `draw(surface)` draws from the top and returns the height
        it used; a first guess of the height is retried once if the content is taller."""
        if key == self.key and self.content is not None:
            return self.content
        w, h = size
        tall = max(3 * h, 600)
        for _ in range(2):
            surf = pygame.Surface((w, tall))
            surf.fill(th.BG)
            used = max(1, int(draw(surf)))
            if used <= tall:
                break
            tall = used
        self.content = surf.subsurface((0, 0, w, min(used, tall))).copy()
        self.key = key
        return self.content

    @property
    def max_offset(self) -> int:
        return max(0, (self.content.get_height() if self.content else 0) - self.view_h)

    def blit(self, surf: pygame.Surface, mt: th.Metrics) -> None:
        self.view_h = surf.get_height()
        self.line = th.line_height(mt.body) * 2
        self.offset = max(0, min(self.offset, self.max_offset))
        surf.fill(th.BG)
        if self.content is None:
            return
        surf.blit(self.content, (0, -self.offset))
        if self.max_offset:
            W, H = surf.get_size()
            ch = self.content.get_height()
            bw = max(3, mt.px(5))
            track = pygame.Rect(W - bw - 2, 2, bw, H - 4)
            pygame.draw.rect(surf, th.PANEL, track, border_radius=bw // 2)
            th_h = max(bw * 3, int(track.h * H / ch))
            th_y = track.y + int((track.h - th_h) * self.offset / self.max_offset)
            pygame.draw.rect(surf, th.BORDER, (track.x, th_y, bw, th_h), border_radius=bw // 2)

    def handle_event(self, event: pygame.event.Event, local) -> bool:
        if event.type == pygame.MOUSEWHEEL and local is not None:
            self.offset = max(0, min(self.max_offset, self.offset - event.y * self.line))
            return True
        if event.type == pygame.KEYDOWN and event.key in SCROLL_KEYS:
            page = max(self.line, self.view_h - self.line)
            step = {pygame.K_UP: -self.line, pygame.K_DOWN: self.line, pygame.K_PAGEUP: -page,
                    pygame.K_PAGEDOWN: page}[event.key]
            self.offset = max(0, min(self.max_offset, self.offset + step))
            return True
        return False
