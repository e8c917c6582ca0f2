"""A thin layer of drawing helpers and widgets of our own (text, panels, tab bars, chips,
hatch patterns), so that the views do not depend on a widget toolkit and one could be
swapped in behind these names later."""

from __future__ import annotations

from dataclasses import dataclass, field

import pygame

from sim.ui import theme as th


def draw_text(surf: pygame.Surface, s: str, pos: tuple[int, int], size: int,
              colour: th.Colour = th.TEXT, bold: bool = False, anchor: str = "topleft",
              outline: th.Colour | None = None, max_width: int | None = None) -> pygame.Rect:
    """Blit one line of text; `anchor` is a pygame.Rect attribute name (topleft, center,
    midright...). Returns the rect drawn into."""
    if max_width is not None:
        s = th.ellipsize(s, size, max_width, bold)
    img = th.text(s, size, colour, bold, outline)
    r = img.get_rect(**{anchor: pos})
    surf.blit(img, r)
    return r


def draw_wrapped(surf: pygame.Surface, s: str, x: int, y: int, width: int, size: int,
                 colour: th.Colour = th.TEXT, bold: bool = False, max_y: int | None = None,
                 max_lines: int | None = None, indent: int = 0) -> int:
    """Word-wrapped text from (x, y); later lines indented by `indent`. Stops (with an
    ellipsis) before `max_y` or after `max_lines`. Returns the y below the last line."""
    lh = th.line_height(size, bold)
    lines = th.wrap(s, size, width - indent, bold) if indent else th.wrap(s, size, width, bold)
    for i, line in enumerate(lines):
        last_allowed = (max_lines is not None and i == max_lines - 1) or (
            max_y is not None and y + 2 * lh > max_y)
        if max_y is not None and y + lh > max_y:
            break
        more = i < len(lines) - 1
        if last_allowed and more:
            line = th.ellipsize(line + " …", size, width - (indent if i else 0), bold)
        draw_text(surf, line, (x + (indent if i else 0), y), size, colour, bold)
        y += lh
        if last_allowed:
            break
    return y


def panel(surf: pygame.Surface, rect: pygame.Rect, colour: th.Colour = th.PANEL,
          border: th.Colour | None = th.BORDER, radius: int = 6) -> None:
    pygame.draw.rect(surf, colour, rect, border_radius=radius)
    if border is not None:
        pygame.draw.rect(surf, border, rect, 1, border_radius=radius)


def shade(surf: pygame.Surface, alpha: int = 160) -> None:
    """Darken what is behind an overlay."""
    veil = pygame.Surface(surf.get_size(), pygame.SRCALPHA)
    veil.fill((0, 0, 0, alpha))
    surf.blit(veil, (0, 0))


def overlay_box(surf: pygame.Surface, margin: tuple[float, float]) -> pygame.Rect:
    """Shade the window and draw the panel of an overlay, `margin` (fractions of the width
    and height) in from each side; returns the panel's rect."""
    W, H = surf.get_size()
    shade(surf)
    mx, my = int(W * margin[0]), int(H * margin[1])
    box = pygame.Rect(mx, my, W - 2 * mx, H - 2 * my)
    panel(surf, box, th.PANEL, th.ACCENT, radius=8)
    return box


def section_title(surf: pygame.Surface, s: str, x: int, y: int, width: int, size: int,
                  colour: th.Colour = th.ACCENT) -> int:
    r = draw_text(surf, s, (x, y), size, colour, bold=True, max_width=width)
    return r.bottom + max(2, size // 4)


def swatch(surf: pygame.Surface, rect: pygame.Rect, colour: th.Colour,
           hatch_colour: th.Colour | None = None, direction: int = 1) -> None:
    pygame.draw.rect(surf, colour, rect)
    if hatch_colour is not None:
        pat = hatch(rect.size, hatch_colour, spacing=max(4, rect.h // 3), direction=direction)
        surf.blit(pat, rect)
    pygame.draw.rect(surf, th.ZONE_BORDER, rect, 1)


_hatch_cache: dict = {}


def hatch(size: tuple[int, int], colour: th.Colour, spacing: int = 8, width: int = 1,
          direction: int = 1, alpha: int = 170) -> pygame.Surface:
    """A transparent surface of diagonal lines (direction 1: '/', -1: '\\'), cached."""
    key = (tuple(size), colour, spacing, width, direction, alpha)
    pat = _hatch_cache.get(key)
    if pat is None:
        w, h = size
        pat = pygame.Surface((max(w, 1), max(h, 1)), pygame.SRCALPHA)
        c = (*colour, alpha)
        for k in range(-h, w + h, max(2, spacing)):
            if direction > 0:
                pygame.draw.line(pat, c, (k, h), (k + h, 0), width)
            else:
                pygame.draw.line(pat, c, (k, 0), (k + h, h), width)
        if len(_hatch_cache) > 64:
            _hatch_cache.clear()
        _hatch_cache[key] = pat
    return pat


def badge(surf: pygame.Surface, s: str, pos: tuple[int, int], size: int, colour: th.Colour,
          anchor: str = "center") -> pygame.Rect:
    """A small rounded label in `colour` (used for forces on the map and actor chips)."""
    img = th.text(s, size, th.text_on(colour), bold=True)
    r = img.get_rect()
    r.inflate_ip(max(4, size // 2), max(2, size // 5))
    setattr(r, anchor, pos)
    pygame.draw.rect(surf, colour, r, border_radius=max(2, r.h // 3))
    pygame.draw.rect(surf, th.ZONE_BORDER, r, 1, border_radius=max(2, r.h // 3))
    surf.blit(img, img.get_rect(center=r.center))
    return r


@dataclass
class ButtonRow:
    """A row of clickable labels (view tabs, actor chips). `layout` places them in a rect;
    `hit` says which one a point is on."""

    items: list[tuple[str, str]]  # (key, label)
    colours: dict[str, th.Colour] = field(default_factory=dict)
    rects: dict[str, pygame.Rect] = field(default_factory=dict)

    def layout(self, rect: pygame.Rect, size: int, gap: int, align: str = "left",
               bold: bool = True) -> None:
        widths = [th.text_width(label, size, bold) + 2 * max(6, size // 1) for _, label in self.items]
        total = sum(widths) + gap * (len(widths) - 1)
        if total > rect.w and self.items:  # shrink evenly to fit
            scale = (rect.w - gap * (len(widths) - 1)) / max(sum(widths), 1)
            widths = [max(8, int(w * scale)) for w in widths]
            total = sum(widths) + gap * (len(widths) - 1)
        x = rect.x if align == "left" else rect.right - total
        self.rects = {}
        for (key, _), w in zip(self.items, widths):
            self.rects[key] = pygame.Rect(x, rect.y, w, rect.h)
            x += w + gap

    def draw(self, surf: pygame.Surface, active: str | None, size: int,
             hover: tuple[int, int] | None = None, hotkeys: dict[str, str] | None = None) -> None:
        for key, label in self.items:
            r = self.rects.get(key)
            if r is None:
                continue
            on = key == active
            base = self.colours.get(key)
            hovered = hover is not None and r.collidepoint(hover)
            if base is not None:
                fill = base if on else th.mix(th.PANEL, base, 0.35 if hovered else 0.22)
                fg = th.text_on(base) if on else th.TEXT
            else:
                fill = th.ACCENT if on else (th.PANEL_HI if hovered else th.PANEL)
                fg = th.text_on(th.ACCENT) if on else th.TEXT
            pygame.draw.rect(surf, fill, r, border_radius=max(3, r.h // 4))
            pygame.draw.rect(surf, th.BORDER if not on else fill, r, 1, border_radius=max(3, r.h // 4))
            shown = th.ellipsize(label, size, r.w - 4, True)
            img = th.text(shown, size, fg, bold=True)
            surf.blit(img, img.get_rect(center=r.center))
            at = shown.lower().find(hotkeys[key].lower()) if hotkeys and hotkeys.get(key) else -1
            if at >= 0:  # underline the hotkey letter where it first appears ("A_c_tors")
                x0 = r.centerx - img.get_width() // 2 + th.text_width(shown[:at], size, True)
                w0 = th.text_width(shown[at], size, True)
                uy = r.centery + img.get_height() // 2 - max(1, size // 8)
                pygame.draw.line(surf, fg, (x0, uy), (x0 + w0 - 1, uy), max(1, size // 12))

    def hit(self, pos: tuple[int, int]) -> str | None:
        for key, r in self.rects.items():
            if r.collidepoint(pos):
                return key
        return None
