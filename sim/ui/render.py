"""Headless rendering: a frame of the game window for a model, and PNG screenshots.

    surf = render_view(model, "map", size=(1280, 800))
    save_screenshot("astana_2017", turn=6, out="shot.png", view="influence", seed=1)
"""

from __future__ import annotations

from pathlib import Path

import pygame

from sim.ui import theme as th
from sim.ui.scenes import GameScene
from sim.ui.session import Session
from sim.ui.views import VIEWS, UIState, make_views


def _ensure_fonts() -> None:
    if not pygame.font.get_init():
        pygame.font.init()


def render_view(model, view: str = "map", size: tuple[int, int] = (1280, 800), *,
                actor: str | None = None, hover: str | None = None, chrome: bool = True,
                session: Session | None = None, presenter: bool = False) -> pygame.Surface:
    """Draw the game window for `model` as it stands, with `view` active, onto a new
    surface of `size`. No window is needed.

    actor: the actor the 'why' view explains (default: the first power or human).
    hover: a zone id whose card the map shows, as if the mouse were over it.
    chrome: False draws the view alone over the whole surface (no top bar or side panel).
    presenter: draw it as presenter mode shows it (large type, high contrast, captions).
    """
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; expected one of: {', '.join(VIEWS)}")
    if hover is not None and hover not in model.world.s.zone_ids:
        raise ValueError(f"unknown zone {hover!r}; expected one of: {', '.join(model.world.s.zone_ids)}")
    if actor is not None and actor not in model.world.s.actor_ids:
        raise ValueError(f"unknown actor {actor!r}; expected one of: {', '.join(model.world.s.actor_ids)}")
    _ensure_fonts()
    session = session or Session(model)
    state = UIState(session, actor=actor, hover_zone=hover, animate=False)
    surf = pygame.Surface(tuple(int(v) for v in size))
    if presenter:
        th.use_theme("contrast", presenter=True)
    try:
        if chrome:
            GameScene(state, view, presenter=presenter).draw(surf)
        else:
            state.extra["window_size"] = surf.get_size()
            make_views(state)[view].draw(surf, None)
    finally:
        if presenter:
            th.use_theme("dark")
    return surf


def save_screenshot(scenario: str, turn: int, out: str | Path, size: tuple[int, int] = (1280, 800),
                    view: str = "map", seed: int | None = 1, *, actor: str | None = None,
                    hover: str | None = None, overrides: list[str] | None = None,
                    presenter: bool = False) -> Path:
    """Play `turn` months of `scenario` with the AI on every side (seeded) and write the
    window with `view` active as a PNG of `size` to `out`. Returns the path written."""
    from sim.model.model import ArbiterModel

    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; expected one of: {', '.join(VIEWS)}")
    out = Path(out)
    if out.suffix.lower() != ".png":
        raise ValueError(f"screenshots are PNG files; got {out.name!r}")
    if turn < 0:
        raise ValueError(f"turn must be 0 or more, got {turn}")
    model = ArbiterModel(scenario=scenario, seed=seed, overrides=overrides)
    if turn > model.turns:
        raise ValueError(f"turn {turn} is past the scenario's end (it has {model.turns} turns)")
    model.run(turn)
    surf = render_view(model, view, size, actor=actor, hover=hover, presenter=presenter)
    out.parent.mkdir(parents=True, exist_ok=True)
    pygame.image.save(surf, str(out))
    return out
