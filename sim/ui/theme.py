"""Colours, fonts and sizes of the game window, and a cache of rendered text.

Everything scales with the window: `Metrics(size)` gives font sizes and spacings for a
surface of that size (1280 x 800 is the reference). Fonts are DejaVu Sans from
assets/fonts (Bitstream Vera licence, see assets/fonts/LICENSE-DejaVu.txt); if the files
are missing, pygame's built-in font is used instead.
"""

from __future__ import annotations

import colorsys
import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import pygame

ROOT = Path(__file__).resolve().parents[2]
FONT_DIR = ROOT / "assets" / "fonts"
FONT_FILES = {False: FONT_DIR / "DejaVuSans.ttf", True: FONT_DIR / "DejaVuSans-Bold.ttf"}

Colour = tuple[int, int, int]

# --- palette ------------------------------------------------------------------------------

BG: Colour = (22, 26, 34)
PANEL: Colour = (32, 38, 50)
PANEL_HI: Colour = (44, 52, 68)
BORDER: Colour = (70, 80, 100)
TEXT: Colour = (236, 238, 242)
TEXT_DIM: Colour = (160, 168, 184)
TEXT_FAINT: Colour = (110, 118, 134)
ACCENT: Colour = (255, 196, 70)
GOOD: Colour = (110, 210, 130)
BAD: Colour = (240, 110, 100)
SEA: Colour = (30, 46, 66)          # backdrop of the map (sea and neighbouring countries)
ZONE_BORDER: Colour = (16, 18, 24)
DEESC_HATCH: Colour = (255, 255, 255)
CEASEFIRE_HATCH: Colour = (120, 230, 255)

# The presenter theme: black and white with a bright accent, for projectors in lit rooms.
_PALETTES = {
    "dark": dict(BG=BG, PANEL=PANEL, PANEL_HI=PANEL_HI, BORDER=BORDER, TEXT=TEXT, TEXT_DIM=TEXT_DIM,
                 TEXT_FAINT=TEXT_FAINT, ACCENT=ACCENT, GOOD=GOOD, BAD=BAD, SEA=SEA),
    "contrast": dict(BG=(0, 0, 0), PANEL=(12, 12, 16), PANEL_HI=(40, 40, 52), BORDER=(200, 200, 210),
                     TEXT=(255, 255, 255), TEXT_DIM=(225, 228, 235), TEXT_FAINT=(190, 194, 204),
                     ACCENT=(255, 214, 0), GOOD=(90, 240, 120), BAD=(255, 96, 80), SEA=(16, 30, 52)),
}
PRESENTER = False  # large type everywhere (see Metrics)


def use_theme(name: str = "dark", presenter: bool = False) -> None:
    """Switch the palette ('dark' or 'contrast') and presenter-size type for every view.
    Views read the palette through this module at draw time, so the switch is immediate."""
    global PRESENTER
    if name not in _PALETTES:
        raise ValueError(f"unknown theme {name!r}; expected one of: {', '.join(_PALETTES)}")
    globals().update(_PALETTES[name])
    PRESENTER = presenter
    _text_cache.clear()


# Controller colours follow the usual conventions of maps of the Syrian war where they
# exist (regime red, opposition green, Kurdish-led forces yellow, Islamic State grey);
# the foreign powers get distinct hues so that their lines and bars can be told apart.
ACTOR_COLOURS: dict[str, Colour] = {
    "assad": (206, 62, 62),
    "russia": (150, 96, 220),
    "iran": (36, 150, 126),
    "turkey": (236, 140, 40),
    "us": (64, 120, 220),
    "opposition": (112, 188, 72),
    "sdf": (232, 204, 56),
    "isis": (108, 108, 112),
}


def actor_colour(actor_id: str) -> Colour:
    """The actor's colour: a fixed one for the known actors, else one derived from its id
    (stable across runs, so a scenario's new actor always gets the same colour)."""
    if actor_id in ACTOR_COLOURS:
        return ACTOR_COLOURS[actor_id]
    h = int(hashlib.sha1(actor_id.encode()).hexdigest()[:6], 16)
    r, g, b = colorsys.hsv_to_rgb((h % 360) / 360, 0.55, 0.85)
    return (int(r * 255), int(g * 255), int(b * 255))


def text_on(colour: Colour) -> Colour:
    """Black or white, whichever reads better on `colour`."""
    r, g, b = colour
    return (16, 16, 20) if 0.299 * r + 0.587 * g + 0.114 * b > 150 else (250, 250, 250)


def readable(colour: Colour) -> Colour:
    """The colour lightened enough to read as text on the dark background."""
    r, g, b = colour
    lum = 0.299 * r + 0.587 * g + 0.114 * b
    return colour if lum >= 125 else mix(colour, (255, 255, 255), min(0.6, (125 - lum) / 160 + 0.15))


def mix(a: Colour, b: Colour, t: float) -> Colour:
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))  # type: ignore[return-value]


# --- sizes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metrics:
    """Font sizes and spacings for a surface of `size` (reference 1280 x 800). In presenter
    mode no type is smaller than 24 px at the reference size, so it reads from the back of
    a classroom; everything still scales with the window."""

    size: tuple[int, int]

    def _font(self, normal: float, presenter: float, floor: int) -> int:
        return max(floor, self.px(presenter if PRESENTER else normal))

    @property
    def u(self) -> float:
        w, h = self.size
        return max(0.45, min(w / 1280, h / 800))

    def px(self, n: float) -> int:
        return max(1, int(round(n * self.u)))

    @property
    def tiny(self) -> int:
        return self._font(12, 24, 9)

    @property
    def small(self) -> int:
        return self._font(13, 24, 10)

    @property
    def body(self) -> int:
        return self._font(15, 26, 10)

    @property
    def head(self) -> int:
        return self._font(18, 30, 11)

    @property
    def title(self) -> int:
        return self._font(22, 36, 12)

    @property
    def pad(self) -> int:
        return max(3, self.px(10))


# --- fonts and text ---------------------------------------------------------------------------

_fonts: dict[tuple[int, bool], pygame.font.Font] = {}
_text_cache: OrderedDict = OrderedDict()
_TEXT_CACHE_MAX = 4000


def font(size: int, bold: bool = False) -> pygame.font.Font:
    key = (size, bold)
    f = _fonts.get(key)
    if f is None:
        if not pygame.font.get_init():
            pygame.font.init()
        path = FONT_FILES[bold]
        if path.exists():
            f = pygame.font.Font(str(path), size)
        else:  # pragma: no cover - the bundled font is part of the repository
            f = pygame.font.Font(None, int(size * 1.4))
            f.set_bold(bold)
        _fonts[key] = f
    return f


def text(s: str, size: int, colour: Colour = TEXT, bold: bool = False,
         outline: Colour | None = None) -> pygame.Surface:
    """Rendered text, cached (so drawing the same label every frame costs one blit).
    With `outline`, the text gets a 1-pixel halo of that colour, to stay legible on a map."""
    key = (s, size, colour, bold, outline)
    surf = _text_cache.get(key)
    if surf is not None:
        _text_cache.move_to_end(key)
        return surf
    f = font(size, bold)
    if outline is None:
        surf = f.render(s, True, colour)
    else:
        inner = f.render(s, True, colour)
        halo = f.render(s, True, outline)
        w, h = inner.get_size()
        surf = pygame.Surface((w + 2, h + 2), pygame.SRCALPHA)
        for dx, dy in ((0, 1), (2, 1), (1, 0), (1, 2), (0, 0), (2, 2), (0, 2), (2, 0)):
            surf.blit(halo, (dx, dy))
        surf.blit(inner, (1, 1))
    _text_cache[key] = surf
    if len(_text_cache) > _TEXT_CACHE_MAX:
        _text_cache.popitem(last=False)
    return surf


def line_height(size: int, bold: bool = False) -> int:
    return font(size, bold).get_linesize()


def text_width(s: str, size: int, bold: bool = False) -> int:
    return font(size, bold).size(s)[0]


def wrap(s: str, size: int, width: int, bold: bool = False) -> list[str]:
    """Greedy word wrap to `width` pixels; a word longer than the width is cut."""
    f = font(size, bold)
    out: list[str] = []
    for para in s.split("\n"):
        line = ""
        for word in para.split(" "):
            trial = word if not line else f"{line} {word}"
            if f.size(trial)[0] <= width:
                line = trial
                continue
            if line:
                out.append(line)
            while f.size(word)[0] > width and len(word) > 1:
                cut = len(word)
                while cut > 1 and f.size(word[:cut])[0] > width:
                    cut -= 1
                out.append(word[:cut])
                word = word[cut:]
            line = word
        out.append(line)
    return out


def ellipsize(s: str, size: int, width: int, bold: bool = False) -> str:
    f = font(size, bold)
    if f.size(s)[0] <= width:
        return s
    while s and f.size(s + "…")[0] > width:
        s = s[:-1]
    return s + "…" if s else ""
