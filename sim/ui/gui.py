"""Dialogs, built with pygame_gui behind a thin layer of our own.

The scenes only see `Dialog`: a title, a body, a row of buttons (each with a key), optionally
a slider (a trade's counter terms) and a list to choose from (saved games). Mouse input goes
through pygame_gui; the keyboard is handled here so that every dialog can be driven without
a mouse. A dialog's manager is themed from our palette and sized by `theme.Metrics`, so
presenter mode gets the same large type as the rest of the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import pygame
import pygame_gui

from sim.ui import theme as th
from sim.ui import widgets as wd


@dataclass(frozen=True)
class Button:
    id: str
    label: str
    key: int | None = None  # a pygame key code that presses it


def _hex(c: th.Colour) -> str:
    return "#{:02x}{:02x}{:02x}".format(*c)


def _theme(mt: th.Metrics) -> dict:
    colours = {
        "normal_bg": _hex(th.PANEL_HI), "hovered_bg": _hex(th.mix(th.PANEL_HI, th.ACCENT, 0.25)),
        "active_bg": _hex(th.ACCENT), "selected_bg": _hex(th.ACCENT), "disabled_bg": _hex(th.PANEL),
        "dark_bg": _hex(th.PANEL), "normal_text": _hex(th.TEXT), "hovered_text": _hex(th.TEXT),
        "active_text": _hex(th.text_on(th.ACCENT)), "selected_text": _hex(th.text_on(th.ACCENT)),
        "disabled_text": _hex(th.TEXT_FAINT), "normal_border": _hex(th.BORDER),
        "hovered_border": _hex(th.ACCENT), "active_border": _hex(th.ACCENT), "selected_border": _hex(th.ACCENT),
        "disabled_border": _hex(th.BORDER), "link_text": _hex(th.ACCENT), "text_cursor": _hex(th.TEXT),
        "filled_bar": _hex(th.ACCENT), "unfilled_bar": _hex(th.PANEL_HI),
    }
    paths = {"regular_path": str(th.FONT_FILES[False]), "bold_path": str(th.FONT_FILES[True])}
    font = {"name": "dejavu", "size": str(mt.body), **paths}
    return {
        "defaults": {"colours": colours, "font": font,
                     "misc": {"border_width": "1", "shadow_width": "0", "shape": "rounded_rectangle",
                              "shape_corner_radius": "4"}},
        "panel": {"colours": {"dark_bg": _hex(th.PANEL), "normal_border": _hex(th.ACCENT)},
                  "misc": {"border_width": "2"}},
        "#title": {"font": {"name": "dejavu", "size": str(mt.head), "bold": "1", **paths},
                   "colours": {"normal_text": _hex(th.ACCENT)}},
        "text_box": {"colours": {"dark_bg": _hex(th.PANEL), "normal_border": _hex(th.PANEL)},
                     "misc": {"border_width": "0", "padding": "0,0"}},
    }


class Dialog:
    """A modal box in the middle of a window of `size`. `handle(event)` returns the id of the
    button pressed (by mouse or key) or None; `value` is the slider's value and `choice` the
    index chosen in the list."""

    def __init__(self, size: tuple[int, int], title: str, body: str, buttons: list[Button], *,
                 slider: tuple[float, float, float, str] | None = None, items: list[str] | None = None,
                 default: str | None = None, cancel: str | None = None, entry: str | None = None):
        self.size = size
        self.mt = mt = th.Metrics(size)
        self.manager = pygame_gui.UIManager(size, theme_path=_theme(mt), enable_live_theme_updates=False)
        self.buttons = buttons
        self.default = default or (buttons[0].id if buttons else None)
        self.cancel = cancel
        self.items = items or []
        self.choice = 0
        self.slider_spec = slider
        W, H = size
        pad = mt.pad * 2
        bw = max(th.text_width(b.label, mt.body, True) + 3 * mt.pad for b in buttons) if buttons else 0
        bh = th.line_height(mt.body) + mt.pad
        row_w = len(buttons) * bw + (len(buttons) - 1) * mt.pad
        w = min(W - 2 * mt.pad, max(int(W * 0.55), row_w + 2 * pad))
        inner = w - 2 * pad
        title_h = th.line_height(mt.head, True) + mt.pad
        body_lines = len(th.wrap(body.replace("**", ""), mt.body, inner - 3 * mt.pad)) if body else 0
        # pygame_gui's text box spaces lines wider than the font's own line size
        body_h = min(int(H * 0.5), int(body_lines * th.line_height(mt.body) * 1.3) + 2 * mt.pad)
        item_h = bh
        list_h = min(len(self.items), max(1, (H // 3) // item_h)) * (item_h + 4) if self.items else 0
        slider_h = (bh + th.line_height(mt.body) + 4 + mt.pad) if slider else 0
        slider_h += (bh + mt.pad) if entry is not None else 0
        h = min(H - 2 * mt.pad, pad + title_h + body_h + list_h + slider_h + bh + 2 * pad)
        self.rect = pygame.Rect((W - w) // 2, (H - h) // 2, w, h)
        self.panel = pygame_gui.elements.UIPanel(self.rect, manager=self.manager)
        y = pad // 2
        pygame_gui.elements.UILabel(pygame.Rect(pad, y, inner, title_h), title, manager=self.manager,
                                    container=self.panel, object_id="#title")
        y += title_h
        self.body = None
        if body:
            self.manager.preload_fonts([{"name": "dejavu", "point_size": mt.body, "style": "bold"}])
            self.body = pygame_gui.elements.UITextBox(_html(body, mt.body), pygame.Rect(pad, y, inner, body_h),
                                                      manager=self.manager, container=self.panel)
            y += body_h
        self.item_buttons: list[pygame_gui.elements.UIButton] = []
        for i, label in enumerate(self.items[: max(0, list_h // (item_h + 4))]):
            self.item_buttons.append(pygame_gui.elements.UIButton(
                pygame.Rect(pad, y, inner, item_h), th.ellipsize(label, mt.body, inner - 2 * mt.pad),
                manager=self.manager, container=self.panel))
            y += item_h + 4
        self.slider = self.slider_label = None
        if slider:
            lo, hi, value, label = slider
            self._slider_text = label
            self.slider_label = pygame_gui.elements.UILabel(
                pygame.Rect(pad, y, inner, th.line_height(mt.body) + 4), label.format(value),
                manager=self.manager, container=self.panel)
            y += th.line_height(mt.body) + 4 + mt.pad // 2
            self.slider = pygame_gui.elements.UIHorizontalSlider(
                pygame.Rect(pad, y, inner, bh), value, (lo, hi), manager=self.manager, container=self.panel,
                click_increment=0.05)
            y += bh + mt.pad // 2
        self.entry = None
        if entry is not None:  # typed text: letters go to it, so only Enter and Esc stay keys
            self.entry = pygame_gui.elements.UITextEntryLine(pygame.Rect(pad, y, inner, bh), manager=self.manager,
                                                             container=self.panel, initial_text=entry)
            self.entry.focus()
            y += bh + mt.pad
        x = (w - row_w) // 2
        self.button_widgets: dict[object, str] = {}
        for b in buttons:
            el = pygame_gui.elements.UIButton(pygame.Rect(x, h - pad - bh, bw, bh), b.label,
                                              manager=self.manager, container=self.panel)
            self.button_widgets[el] = b.id
            x += bw + mt.pad

    # --- values ---------------------------------------------------------------------------

    @property
    def value(self) -> float | None:
        return None if self.slider is None else round(float(self.slider.get_current_value()), 2)

    def set_value(self, v: float) -> None:
        if self.slider is not None:
            lo, hi = self.slider_spec[0], self.slider_spec[1]
            self.slider.set_current_value(min(hi, max(lo, round(v, 2))))
            self.slider_label.set_text(self._slider_text.format(self.value))

    # --- events ---------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return "" if self.entry is None else self.entry.get_text()

    def handle(self, event: pygame.event.Event) -> str | None:
        if event.type == pygame.KEYDOWN and (self.entry is None or event.key in (
                pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_ESCAPE)):
            return self._key(event.key)
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            if event.ui_element in self.button_widgets:
                return self.button_widgets[event.ui_element]
            if event.ui_element in self.item_buttons:
                self.choice = self.item_buttons.index(event.ui_element)
                return self.default
            return None
        if event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED and self.slider_label is not None:
            self.slider_label.set_text(self._slider_text.format(self.value))
            return None
        self.manager.process_events(event)
        return None

    def _key(self, key: int) -> str | None:
        for b in self.buttons:
            if b.key is not None and b.key == key:
                return b.id
        if key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            return self.default
        if key == pygame.K_ESCAPE:
            return self.cancel
        if self.slider is not None and key in (pygame.K_LEFT, pygame.K_RIGHT):
            self.set_value((self.value or 0.0) + (0.05 if key == pygame.K_RIGHT else -0.05))
        if self.item_buttons and key in (pygame.K_UP, pygame.K_DOWN):
            self.choice = (self.choice + (1 if key == pygame.K_DOWN else -1)) % len(self.item_buttons)
        return None

    def update(self, dt: float) -> None:
        self.manager.update(dt)

    def draw(self, surf: pygame.Surface) -> None:
        wd.shade(surf)
        self.manager.draw_ui(surf)
        if self.item_buttons:  # the keyboard's choice
            r = self.item_buttons[self.choice].get_abs_rect()
            pygame.draw.rect(surf, th.ACCENT, r.inflate(4, 4), 2, border_radius=4)

    def centre_of(self, button_id: str) -> tuple[int, int]:
        """Where a button is on screen (for tests and for people pointing at it)."""
        for el, bid in self.button_widgets.items():
            if bid == button_id:
                return el.get_abs_rect().center
        raise KeyError(button_id)


def _html(text: str, size: int) -> str:
    """Our plain text with **bold** spans, as the HTML subset pygame_gui's text box reads."""
    parts = escape(text).split("**")
    out = "".join(f"<font face=dejavu pixel_size={size}><b>{p}</b></font>" if i % 2 else p
                  for i, p in enumerate(parts))
    return out.replace("\n", "<br>")
