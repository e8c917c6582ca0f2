"""The game window: an App owns the model (through a Session), the window surface and the
scene stack, and runs the frame loop. Runs headless with SDL_VIDEODRIVER=dummy."""

from __future__ import annotations

import os
from pathlib import Path

import pygame

from sim.ui import theme as th
from sim.ui.scenes import GameScene, SceneStack
from sim.ui.session import Session
from sim.ui.views import UIState


def init_pygame(headless: bool = False) -> None:
    """Start the parts of pygame the window needs (display and fonts, no audio)."""
    if headless:
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    if not pygame.display.get_init():
        pygame.display.init()
    if not pygame.font.get_init():
        pygame.font.init()


class App:
    """The game window.

    >>> app = App(scenario="astana_2017", seed=1, humans=("russia",), headless=True)
    >>> app.frame()          # handle queued events, update, draw once
    >>> app.run()            # until Esc or the window is closed
    """

    def __init__(self, model=None, *, scenario: str = "astana_2017", seed: int | None = None,
                 humans: tuple[str, ...] | list[str] = (), size: tuple[int, int] = (1280, 800),
                 view: str = "map", headless: bool = False, resizable: bool = True,
                 overrides: list[str] | None = None, fps: int = 60, presenter: bool = False,
                 autosave: Path | None = None, fullscreen: bool = False):
        init_pygame(headless)
        # presenter mode: the high-contrast palette and large type, for every view
        th.use_theme("contrast" if presenter else "dark", presenter=presenter)
        if model is None:
            from sim.model.model import ArbiterModel

            model = ArbiterModel(scenario=scenario, seed=seed, overrides=overrides, humans=tuple(humans))
        session = Session(model, humans)
        self.state = UIState(session)
        self.size = size
        flags = pygame.RESIZABLE if resizable else 0
        self.screen = pygame.display.set_mode(size, flags)
        pygame.display.set_caption(f"Arbiter: {session.title()}" + (" (presenter)" if presenter else ""))
        if presenter:
            pygame.mouse.set_visible(False)  # keyboard only: no pointer on the projection
        self.stack = SceneStack(self)
        self.game = GameScene(self.state, view, presenter=presenter, autosave=autosave)
        self.stack.push(self.game)
        if fullscreen:
            self.toggle_fullscreen()
        self.clock = pygame.time.Clock()
        self.fps = fps
        self.running = True
        self.frames = 0

    @property
    def session(self):
        return self.state.session

    @property
    def model(self):
        return self.session.model

    def toggle_fullscreen(self) -> None:
        try:
            pygame.display.toggle_fullscreen()
        except pygame.error as exc:  # e.g. a driver without full screen
            self.game.say(f"Full screen is not available here ({exc}).")
        self.screen = pygame.display.get_surface() or self.screen

    @property
    def view(self) -> str:
        return self.game.active

    def quit(self) -> None:
        self.running = False

    def handle(self, event: pygame.event.Event) -> None:
        if event.type == pygame.QUIT:
            self.quit()
        elif event.type in (pygame.VIDEORESIZE, pygame.WINDOWSIZECHANGED):
            self.screen = pygame.display.get_surface()
        else:
            self.stack.handle_event(event)

    def pump(self) -> None:
        """Handle every event waiting in pygame's queue (real or posted by a test)."""
        for event in pygame.event.get():
            self.handle(event)
            if not self.running:
                break

    def draw(self) -> None:
        self.screen = pygame.display.get_surface() or self.screen
        self.stack.draw(self.screen)

    def frame(self, dt: float = 1 / 60) -> None:
        self.pump()
        if not self.running:
            return
        self.stack.update(dt)
        self.draw()
        pygame.display.flip()
        self.frames += 1

    def run(self, max_frames: int | None = None) -> None:
        dt = 0.0
        while self.running and (max_frames is None or self.frames < max_frames):
            self.frame(dt)
            dt = self.clock.tick(self.fps) / 1000.0

    def close(self) -> None:
        th.use_theme("dark")
        pygame.mouse.set_visible(True)
        pygame.display.quit()
