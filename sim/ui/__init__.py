"""The game window (pygame-ce). The only package that imports pygame; it reads the model
and sends it the player's choices, and sim.model never imports it.

    from sim.ui import App, render_view, save_screenshot, VIEWS
    App(scenario="astana_2017", seed=1, humans=("russia",)).run()
    render_view(model, "map", size=(1280, 800))          # -> pygame.Surface
    save_screenshot("astana_2017", 6, "out/map.png", view="map")

Modules: app (App, the frame loop), scenes (scene stack, main screen, help and orders
overlays), session (the model with a snapshot per turn; no pygame), views/ (map, influence,
timeline, why, debrief, the story panel), widgets and theme (our own thin drawing layer),
render (headless frames and PNGs), commands (screenshot_main, play_main for the CLI).
"""

from __future__ import annotations

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # before the first pygame import

__all__ = ["VIEWS", "App", "render_view", "save_screenshot"]


def __getattr__(name):  # import the pygame parts on first use (sim.ui.session needs none)
    if name == "VIEWS":
        from sim.ui.views import VIEWS

        return VIEWS
    if name == "App":
        from sim.ui.app import App

        return App
    if name in ("render_view", "save_screenshot"):
        from sim.ui import render

        return getattr(render, name)
    raise AttributeError(name)
