"""What every view shares: the UI state it reads and the interface the scenes call."""

from __future__ import annotations

from dataclasses import dataclass, field

import pygame

from sim.ui import theme as th
from sim.ui.session import Session


@dataclass
class UIState:
    """The window's state besides the model: which actor the 'why' view explains, which
    zone's card is pinned, whether values animate (off for screenshots)."""

    session: Session
    actor: str | None = None          # actor the 'why' view explains
    pinned_zone: str | None = None    # zone card kept open by a click
    hover_zone: str | None = None     # forced hover (screenshots); else the mouse decides
    animate: bool = True
    message: str = ""                 # status line
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.actor is None:
            s = self.session
            self.actor = s.humans[0] if s.humans else (s.powers[0] if s.powers else s.actor_ids[0])


class View:
    """A view draws onto any surface it is given (layout scales with its size), may animate
    in `update`, and may take mouse events (positions local to its surface)."""

    key = "view"
    title = "View"
    hotkey = ""

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
