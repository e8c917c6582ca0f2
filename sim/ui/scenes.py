"""Scenes and the scene stack (in the manner of Tuxemon's state stack): the top scene gets
the events; every scene updates; drawing starts from the topmost scene that is not an
overlay, so a help or orders overlay is drawn over the game beneath it.

GameScene is the main screen: a top bar with the date and the view tabs, the active view,
the side panel (the month's story, agreements in force) and a status line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pygame

from sim import saves
from sim.narrate import captions
from sim.ui import gui
from sim.ui import theme as th
from sim.ui import widgets as wd
from sim.ui.session import Session
from sim.ui.views import VIEW_CLASSES, StoryPanel, UIState, make_views
from sim.ui.views.why import fmt

# each view names its own hotkey letter (pygame key codes of letters are their lower-case ord)
VIEW_KEYS = {ord(c.hotkey.lower()): c.key for c in VIEW_CLASSES if c.hotkey}

HELP_ROWS = (
    ("Space", "play the next month (the AI plays every power you do not)"),
    ("Left arrow  /  Home", "rewind one month  /  back to the start"),
    ("P  and  + -", "play and pause on its own; faster, slower"),
    ("O or Enter", "orders: choose your power's actions for the month (with --as ACTOR)"),
    ("A", "answer the proposals and trades put to you"),
    ("M I T W C B D", "map, influence, timeline, why, actors, branches, debrief"),
    ("Tab", "why and actors: next actor (Shift+Tab: previous); branches: next branch"),
    ("[ ]  or  PgUp PgDn", "why: earlier / later month (End: the latest)"),
    ("Up / Down", "why: pick a decision or answer; actors and debrief: scroll"),
    ("S  /  L", "save the game  /  load a saved game (every month is also autosaved)"),
    ("F", "what happens from here: 100 games played on by the AI, as fans of influence"),
    ("E", "record a prediction the game will check, e.g. \"Turkey holds Afrin at the end\""),
    ("F11", "full screen on or off"),
    ("Mouse", "the buttons along the bottom; a tab, a zone, a decision or month in 'why'; "
              "the wheel scrolls panels"),
    ("H or ?", "show or hide these keys"),
    ("Esc", "close an overlay; quit"),
)
SPEEDS = (4.0, 2.0, 1.0, 0.5)  # seconds per month when playing on its own
# the status line's buttons and their keys: one action, whichever way it is asked for
CONTROL_KEYS = {pygame.K_SPACE: "next", pygame.K_LEFT: "rewind", pygame.K_p: "play", pygame.K_s: "save",
                pygame.K_l: "load", pygame.K_o: "orders", pygame.K_a: "answer"}


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

    def toggle_fullscreen(self) -> None:
        if self.app is not None:
            self.app.toggle_fullscreen()


@dataclass(frozen=True)
class Layout:
    top: pygame.Rect
    view: pygame.Rect
    side: pygame.Rect
    status: pygame.Rect
    caption: pygame.Rect | None = None


def layout(size: tuple[int, int], presenter: bool = False) -> Layout:
    """Where the parts of the main screen go in a window of `size`. The presenter's screen
    gives the view the whole width and narrates the month in a caption strip below it."""
    w, h = size
    mt = th.Metrics(size)
    top_h = max(24, th.line_height(mt.head, True) + 2 * mt.px(8))
    status_h = max(20, th.line_height(mt.tiny) + mt.px(14))  # room for the buttons along it
    if presenter:
        cap_h = 3 * th.line_height(mt.body) + 2 * mt.pad
        body_h = h - top_h - status_h - cap_h
        return Layout(top=pygame.Rect(0, 0, w, top_h), view=pygame.Rect(0, top_h, w, body_h),
                      side=pygame.Rect(w, top_h, 0, body_h), status=pygame.Rect(0, h - status_h, w, status_h),
                      caption=pygame.Rect(0, top_h + body_h, w, cap_h))
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
    """The main screen, and the flow of a month: answers to proposals put to the human
    powers, the hand-over between hotseat teams, then the month is played and autosaved."""

    def __init__(self, state: UIState, view: str = "map", presenter: bool = False, autosave: Path | None = None):
        super().__init__()
        self.state = state
        self.views = make_views(state)
        if view not in self.views:
            raise ValueError(f"unknown view {view!r}; expected one of: {', '.join(self.views)}")
        self.active = view
        self.presenter = presenter
        self.panel = StoryPanel(state)
        self.tabs = wd.ButtonRow([(c.key, c.title) for c in VIEW_CLASSES])
        self.hotkeys = {c.key: c.hotkey for c in VIEW_CLASSES}
        self.controls = wd.ButtonRow([])  # the status line's buttons, laid out as it is drawn
        self.mouse: tuple[int, int] | None = None
        self.layout: Layout | None = None
        self.message_time = 0.0
        self.autosave = autosave
        self.playing = False  # playing on its own
        self.speed = 1  # index into SPEEDS
        self.clock = 0.0
        self.ready: set[str] = set()  # hotseat teams that have given (or waived) their orders
        self.deferred: set[tuple[str, str]] = set()  # proposals a human left to the AI
        self._captions: tuple[int, list[str]] | None = None
        self.resume = False  # play the month once the open dialogs are answered
        self.forecast_runs = 100  # continuations the 'what happens from here' key plays

    @property
    def session(self):
        return self.state.session

    @property
    def view(self):
        return self.views[self.active]

    def window_size(self) -> tuple[int, int]:
        surf = pygame.display.get_surface()
        return surf.get_size() if surf is not None else self.state.extra.get("window_size", (1280, 800))

    # --- actions ----------------------------------------------------------------------------

    def say(self, text: str) -> None:
        self.state.message = text
        self.message_time = 4.0

    def set_view(self, key: str) -> None:
        self.active = key

    def next_turn(self) -> bool:
        """Play the next month once every human has answered and (hotseat) given orders;
        until then, open what is still needed. True if a month was played."""
        s = self.session
        if s.finished:
            self.playing = False
            self.say(f"The scenario ends with {s.date_label()}: see the debrief (D).")
            return False
        if self._ask_next_answer():
            self.resume = True  # the answers given, play the month that Space asked for
            return False
        if len(s.humans) > 1:
            for h in s.humans:
                if h not in self.ready:
                    self._hand_over(h)
                    return False
        s.advance()
        self.ready.clear()
        self.deferred.clear()
        self._autosave()
        self.say(f"Played {s.date_label()}.")
        return True

    def rewind(self, to_start: bool = False) -> bool:
        s = self.session
        if not s.rewind():
            self.say("Nothing to rewind: this is the first month kept.")
            return False
        while to_start and s.rewind():
            pass
        self.ready.clear()
        self.deferred.clear()
        self.say(f"Rewound to {s.date_label()}. Choose differently and play on to make a branch.")
        return True

    def toggle_play(self) -> None:
        self.playing = not self.playing and not self.session.finished
        self.clock = 0.0
        self.say(f"Playing, one month every {SPEEDS[self.speed]:g} s (+/- to change; P pauses)."
                 if self.playing else "Paused.")

    def change_speed(self, faster: bool) -> None:
        self.speed = max(0, min(len(SPEEDS) - 1, self.speed + (1 if faster else -1)))
        self.say(f"One month every {SPEEDS[self.speed]:g} s.")

    # --- dialogs ------------------------------------------------------------------------------

    def _ask_next_answer(self) -> bool:
        """Open the dialog for the first proposal a human has not answered; True if one opened."""
        s = self.session
        for h in s.humans:
            # trades first: they matter most and may be countered
            for p in sorted(s.waiting_for(h), key=lambda p: p.kind != "trade"):
                if (p.id, h) not in s.answered and (p.id, h) not in self.deferred:
                    self.stack.push(answer_dialog(self, h, p))
                    self.playing = False
                    return True
        return False

    def answer_all(self) -> None:
        self.resume = False
        self.deferred.clear()
        if not self._ask_next_answer():
            self.say("Nothing is waiting for your answer this month.")

    def _hand_over(self, actor: str) -> None:
        s = self.session
        self.playing = False

        def done(result: str, _dialog) -> None:
            if result == "orders":
                self.stack.push(OrdersScene(self.state, actor, on_close=lambda: self._ready(actor)))
            elif result == "ai":
                self._ready(actor)

        self.stack.push(DialogScene(gui.Dialog(
            self.window_size(), f"{s.name(actor)}: your move for {s.date_label(s.turn + 1)}",
            f"Pass the keyboard to the team playing **{s.name(actor)}**. Give your orders, or leave "
            f"this month to the AI. The other teams' orders stay hidden.",
            [gui.Button("orders", "Give orders (O)", pygame.K_o), gui.Button("ai", "Leave to the AI (A)", pygame.K_a),
             gui.Button("back", "Not yet (Esc)")], cancel="back"), done))

    def _ready(self, actor: str) -> None:
        self.ready.add(actor)
        self.next_turn()

    def open_orders(self) -> None:
        s = self.session
        if not s.humans:
            self.say("The AI plays every side. Start with --as ACTOR to give a power's orders.")
        elif s.finished:
            self.say("The scenario is over.")
        elif len(s.humans) > 1:
            self.next_turn()  # hotseat: orders go team by team, through the hand-over
        else:
            self.stack.push(OrdersScene(self.state, s.humans[0]))

    def open_prediction(self, text: str = "", problem: str = "") -> None:
        """The class writes down what it expects; the game checks it as it goes on."""
        from sim.teach import predictions as P

        s = self.session
        model = s.model
        kept = s.extras.get(P.EXTRAS_KEY) or []
        lines = ([f"**{problem[0].upper()}{problem[1:]}**"] if problem else []) + [
            "Write what you expect, as a sentence the game can check: who holds a zone, a power's "
            "presence, leverage or standing, an agreement or a trade, and when. For example: "
            "**Idlib is still outside regime control in May 2019**, **Iran's presence falls below half "
            "of today's**, **Turkey holds Afrin at the end**."]
        if kept:
            lines.append(f"Recorded so far: {len(kept)}; the debrief scores them all.")

        def done(result: str, dialog) -> None:
            if result != "add":
                return
            try:
                ctx = P.context_for(model)
                old = [P.from_dict(d, ctx=ctx) for d in kept]
                new, repeated = P.added(old, [P.parse(dialog.text, None, ctx=ctx)])
            except P.TeachError as exc:
                self.open_prediction(dialog.text, str(exc).split("\n\n")[0])
                return
            s.extras = {**s.extras, P.EXTRAS_KEY: [*kept, *(p.to_dict() for p in new)]}
            self.say("Already recorded." if repeated else f"Prediction {new[0].id} recorded, to be judged "
                     f"{P.when_words(new[0], ctx)}.")

        self.stack.push(DialogScene(gui.Dialog(
            self.window_size(), f"A prediction, made in {s.date_label()}", "\n".join(lines),
            [gui.Button("add", "Record (Enter)"), gui.Button("cancel", "Cancel (Esc)")],
            default="add", cancel="cancel", entry=text), done))

    def control(self, name: str) -> None:
        """What a status-line button or its key does."""
        {"next": self.next_turn, "rewind": self.rewind, "play": self.toggle_play, "save": self.save,
         "load": self.open_load, "orders": self.open_orders, "answer": self.answer_all,
         "help": lambda: self.stack.push(HelpScene(self.state))}[name]()

    def _control_items(self) -> tuple[list[tuple[str, str]], dict[str, str]]:
        """The status line's buttons now, and the letters to underline. The ones always there
        come first, so that a button that comes and goes moves no other."""
        s = self.session
        items = [("next", "Next month"), ("rewind", "Rewind"), ("play", "Play")]
        keys = {"play": "P"}
        if not self.presenter:
            items += [("save", "Save"), ("load", "Load")]
            keys |= {"save": "S", "load": "L"}
        items.append(("help", "Keys"))
        if s.humans and not self.presenter:
            if len(s.humans) == 1:
                items.append(("orders", "Orders"))
                keys["orders"] = "O"
            waiting = sum(1 for h in s.humans for p in s.waiting_for(h) if (p.id, h) not in s.answered)
            if waiting:
                items.append(("answer", f"Answer {waiting}"))
                keys["answer"] = "A"
        return items, keys

    # --- saving -------------------------------------------------------------------------------

    def _autosave(self) -> None:
        if self.autosave is None:
            return
        try:
            saves.save(self.autosave, self.session.model, humans=self.session.humans,
                       branches=self.session.branch_specs(), extras=self.session.extras)
        except saves.SaveError as exc:
            self.autosave = None  # say it once, not every month
            self.say(f"Autosave is off: {exc}")

    def save(self) -> Path | None:
        s = self.session
        folder = saves.save_dir()
        name = f"{s.model.scenario.id}-seed{s.model.seed}-{s.date(s.turn).isoformat()[:7]}{saves.SUFFIX}"
        try:
            path = saves.save(folder / name, s.model, humans=s.humans, branches=s.branch_specs(), extras=s.extras)
        except saves.SaveError as exc:
            self.say(f"Not saved: {exc}")
            return None
        self.say(f"Saved as {path.name} in {folder}.")
        return path

    def open_load(self) -> None:
        paths = saves.list_saves()
        if not paths:
            self.say(f"No saved games in {saves.save_dir()} yet (S saves one).")
            return
        paths = paths[:8]

        def done(result: str, dialog) -> None:
            if result == "load":
                self.load(paths[dialog.choice])

        labels = [p.name for p in paths]
        self.stack.push(DialogScene(gui.Dialog(
            self.window_size(), "Load a saved game", "Up/Down choose, Enter loads, Esc goes back.",
            [gui.Button("load", "Load (Enter)"), gui.Button("cancel", "Cancel (Esc)")], items=labels,
            default="load", cancel="cancel"), done))

    def load(self, path: Path) -> bool:
        """Replace the game with a saved one; a bad file is refused and the game kept."""
        try:
            model, game = saves.load(path)
        except saves.SaveError as exc:
            self.say(f"Not loaded: {exc}")
            return False
        new = Session(model, game.humans)
        new.restore_branches(game)
        self.state.session = new
        self.ready.clear()
        self.deferred.clear()
        self.playing = False
        self.say(f"Loaded {path.name}: {new.date_label()}.")
        return True

    # --- events -----------------------------------------------------------------------------

    def handle_event(self, event) -> bool:
        if event.type == pygame.MOUSEMOTION:
            self.mouse = tuple(event.pos)
            return False
        if event.type == pygame.KEYDOWN:
            return self._key(event)
        lay = self.layout or layout(self.window_size(), self.presenter)
        if event.type == pygame.MOUSEBUTTONDOWN:
            pos = tuple(event.pos)
            self.mouse = pos
            if event.button == 1:
                hit = self.tabs.hit(pos)
                if hit:
                    self.set_view(hit)
                    return True
                hit = self.controls.hit(pos)
                if hit:
                    self.control(hit)
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
        mod = event.mod
        plain = not (mod & (pygame.KMOD_CTRL | pygame.KMOD_ALT))
        if k in CONTROL_KEYS and (plain or CONTROL_KEYS[k] != "answer"):
            self.control(CONTROL_KEYS[k])
        elif k == pygame.K_HOME:
            self.rewind(to_start=True)
        elif k in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS):
            self.change_speed(True)
        elif k in (pygame.K_MINUS, pygame.K_KP_MINUS):
            self.change_speed(False)
        elif k == pygame.K_e and plain:
            self.open_prediction()
        elif k == pygame.K_f and plain:
            from sim.ui.forecast import ForecastScene

            self.playing = False
            self.stack.push(ForecastScene(self.state, runs=self.forecast_runs))
        elif k == pygame.K_F11:
            self.stack.toggle_fullscreen()
        elif k in VIEW_KEYS and plain:
            self.set_view(VIEW_KEYS[k])
        elif k == pygame.K_h or getattr(event, "unicode", "") == "?" or k == pygame.K_QUESTION or (
                k == pygame.K_SLASH and mod & pygame.KMOD_SHIFT):
            self.control("help")
        elif k in (pygame.K_RETURN, pygame.K_KP_ENTER):
            self.control("orders")
        elif k == pygame.K_ESCAPE:
            if self.state.pinned_zone:
                self.state.pinned_zone = None
            elif self.playing:
                self.toggle_play()
            else:
                self.stack.quit()
        else:
            return self.view.handle_event(event, None)
        return True

    # --- frame ------------------------------------------------------------------------------

    def update(self, dt: float) -> None:
        self.view.update(dt)
        if self.message_time > 0:
            self.message_time -= dt
            if self.message_time <= 0:
                self.state.message = ""
        if self.playing and self.stack is not None and self.stack.top is self:
            self.clock += dt
            if self.clock >= SPEEDS[self.speed]:
                self.clock = 0.0
                if not self.next_turn() and self.stack.top is self:
                    self.playing = False

    def draw(self, surf: pygame.Surface) -> None:
        size = surf.get_size()
        self.state.extra["window_size"] = size
        lay = self.layout = layout(size, self.presenter)
        mt = th.Metrics(size)
        surf.fill(th.BG)
        self._top_bar(surf, lay.top, mt)
        m = self.mouse
        local = (m[0] - lay.view.x, m[1] - lay.view.y) if (m and lay.view.collidepoint(m)) else None
        self.view.draw(surf.subsurface(lay.view), local)
        if lay.side.w > 0:
            side_local = (m[0] - lay.side.x, m[1] - lay.side.y) if (m and lay.side.collidepoint(m)) else None
            self.panel.draw(surf.subsurface(lay.side), side_local)
        if lay.caption is not None:
            self._caption(surf, lay.caption, mt)
        self._status(surf, lay.status, mt)

    def captions(self) -> list[str]:
        """The month told in plain words (cached per state of the game)."""
        s = self.session
        key = (s.version, s.turn)
        if self._captions is None or self._captions[0] != key:
            rec = s.record()
            if rec is None:
                lines = [f"{s.title()}, {s.date_label()}. " + s.model.scenario.description.split(". ")[0].strip()
                         .rstrip(".") + "."]
            else:
                before = s.figures(s.turn - 1)
                names = {a: s.name(a) for a in s.actor_ids} | {z: s.zone_name(z) for z in s.zone_ids}
                lines = captions(before, rec, names)
            self._captions = (key, lines)
        return self._captions[1]

    def _caption(self, surf, rect: pygame.Rect, mt: th.Metrics) -> None:
        pygame.draw.rect(surf, th.PANEL, rect)
        pygame.draw.line(surf, th.ACCENT, rect.topleft, (rect.right, rect.top), 2)
        y = rect.y + mt.pad // 2
        lh = th.line_height(mt.body)
        for line in self.captions():
            if y + lh > rect.bottom:
                break
            wd.draw_text(surf, line, (mt.pad, y), mt.body, th.TEXT, max_width=rect.w - 2 * mt.pad)
            y += lh

    def _top_bar(self, surf, rect: pygame.Rect, mt: th.Metrics) -> None:
        s = self.session
        pygame.draw.rect(surf, th.PANEL, rect)
        pygame.draw.line(surf, th.BORDER, rect.bottomleft, (rect.right, rect.bottom))
        pad = mt.pad
        if self.presenter:  # no tabs: the keys are in the status line, and type is large
            date = f"{s.date_label()}  ·  month {s.turn} of {s.last_turn}" + ("  ·  over" if s.finished else "")
            r = wd.draw_text(surf, date, (pad, rect.centery), mt.head, th.TEXT, bold=True, anchor="midleft")
            wd.draw_text(surf, self.view.title, (rect.right - pad, rect.centery), mt.head, th.ACCENT, bold=True,
                         anchor="midright", max_width=max(10, rect.right - r.right - 3 * pad))
            return
        tab_h = rect.h - 2 * mt.px(6)
        tab_w_total = sum(th.text_width(c.title, mt.body, True) + 2 * mt.body for c in VIEW_CLASSES) \
            + mt.pad // 2 * (len(VIEW_CLASSES) - 1)
        tab_area = pygame.Rect(rect.right - pad - min(tab_w_total, int(rect.w * 0.6)),
                               rect.y + (rect.h - tab_h) // 2, min(tab_w_total, int(rect.w * 0.6)), tab_h)
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
        items, keys = self._control_items()
        self.controls.items = items
        gap = mt.px(4)
        bar = pygame.Rect(mt.pad // 2, rect.y + gap, rect.w // 2, rect.h - 2 * gap)
        self.controls.layout(bar, mt.tiny, gap)
        self.controls.draw(surf, "play" if self.playing else None, mt.tiny, hover=self.mouse, hotkeys=keys)
        x = max((r.right for r in self.controls.rects.values()), default=rect.x) + mt.pad
        if self.presenter:
            hint = "Space next  ·  Left back  ·  W why  ·  M I T C B D views"
        else:
            hint = "Space: next   Left: rewind   Home: start   + -: speed   Esc: quit"
        if self.playing:
            hint = f"One month per {SPEEDS[self.speed]:g} s   " + hint
        if len(s.humans) == 1 and not self.presenter:
            orders = "; ".join(action_label(s, a, t) for a, t in s.queued.get(s.humans[0], {}).values())
            hint = f"Orders: {orders or 'none (the AI decides)'}   " + hint
        msg = self.state.message
        if msg:
            r = wd.draw_text(surf, msg, (x, rect.centery), mt.tiny, th.ACCENT, bold=True, anchor="midleft",
                             max_width=max(10, rect.right - x) // 2)
            x = r.right + mt.pad * 2
        seed = getattr(s.model, "seed", None)
        right = f"seed {seed}" if seed is not None else ""
        rw = th.text_width(right, mt.tiny) if right else 0
        wd.draw_text(surf, hint, (x, rect.centery), mt.tiny, th.TEXT_DIM, anchor="midleft",
                     max_width=max(10, rect.right - x - rw - 3 * mt.pad))
        if right:
            wd.draw_text(surf, right, (rect.right - mt.pad, rect.centery), mt.tiny, th.TEXT_FAINT, anchor="midright")


class DialogScene(Scene):
    """A dialog over the game; `on_result(result, dialog)` is called when it closes."""

    overlay = True

    def __init__(self, dialog: gui.Dialog, on_result, proposal: str | None = None):
        super().__init__()
        self.dialog = dialog
        self.on_result = on_result
        self.proposal = proposal  # the proposal an answer dialog is about

    def handle_event(self, event) -> bool:
        result = self.dialog.handle(event)
        if result is not None:
            self.stack.pop()
            self.on_result(result, self.dialog)
        return True

    def update(self, dt: float) -> None:
        self.dialog.update(dt)

    def draw(self, surf: pygame.Surface) -> None:
        self.dialog.draw(surf)


def answer_dialog(game: GameScene, actor: str, p) -> DialogScene:
    """Accept, refuse or (for a trade) counter a proposal put to a human power."""
    s = game.session
    world = s.world
    proposer = s.name(p.proposer)
    if p.kind == "trade":
        t = next(t for t in world.s.trades if t.id == p.trade)
        lines = [f"**{proposer}** {'counters with' if p.is_counter else 'offers you'} **{t.name}** "
                 f"on terms of {p.terms:.0%} (how much of what it gives it concedes)."]
        if t.note:
            lines.append(t.note)
        for pr in t.promises:
            lines.append(f"Promise by {s.name(pr.actor)}: {pr.text} (within {pr.within} months)")
        lines.append(f"Source: {t.source}. Counter to ask for other terms; Esc leaves it to the AI.")
        buttons = [gui.Button("accept", "Accept (A)", pygame.K_a), gui.Button("counter", "Counter (C)", pygame.K_c),
                   gui.Button("refuse", "Refuse (R)", pygame.K_r), gui.Button("ai", "AI answers (Esc)")]
        slider = (0.0, 1.0, min(1.0, round(p.terms + 0.2, 2)), "Counter: ask for terms of {:.0%}")
    else:
        others = [s.name(a) for a in p.addressees if a != actor]
        lines = [f"**{proposer}** proposes a {p.text}."]
        if others:
            lines.append(f"Also asked: {', '.join(others)}. It takes effect only if all accept.")
        lines.append("Refusing costs a little standing; Esc leaves the answer to the AI.")
        buttons = [gui.Button("accept", "Accept (A)", pygame.K_a), gui.Button("refuse", "Refuse (R)", pygame.K_r),
                   gui.Button("ai", "AI answers (Esc)")]
        slider = None

    def done(result: str, dialog) -> None:
        if result == "ai":
            game.deferred.add((p.id, actor))
            game.say(f"The AI will answer {proposer}'s proposal for {s.name(actor)}.")
        else:
            s.answer(p.id, actor, result == "accept", dialog.value if result == "counter" else None)
            game.say(f"{s.name(actor)}: {result} {p.text}" + (f" ({dialog.value:.0%})" if result == "counter" else ""))
        if not game._ask_next_answer() and game.resume:
            game.resume = False
            game.next_turn()

    return DialogScene(gui.Dialog(game.window_size(), f"For {s.name(actor)}: a proposal from {proposer}",
                                  "\n".join(lines), buttons, slider=slider, default="accept", cancel="ai"), done,
                       proposal=p.id)


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
        wd.shade(surf, 170)
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
    expected utility the AI would give it, and for the one picked a preview of its money
    cost, its expected effects and the preference terms behind its score. Up/Down pick,
    Enter queues, Tab switches track, Esc or O closes. Unqueued tracks are left to the AI."""

    overlay = True

    def __init__(self, state: UIState, actor: str, on_close=None):
        super().__init__()
        from sim.model.state import MILITARY

        self.on_close = on_close
        self.state = state
        self.actor = actor
        self.previews = {(p.action, p.target): p for p in state.session.model.preview(actor)}
        legal = [(p.action, p.target, p.utility) for p in self.previews.values()]  # best first
        self.tracks = {"military": [x for x in legal if x[0] in MILITARY],
                       "diplomatic": [x for x in legal if x[0] not in MILITARY]}
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
                if self.on_close is not None:
                    self.on_close()
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
        box = wd.overlay_box(surf, (1 / 12, 0.1))
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
        detail_top = box.bottom - pad - 4 * th.line_height(mt.small) - mt.pad
        self._detail(surf, pygame.Rect(box.x + pad, detail_top, box.w - 2 * pad, box.bottom - pad - detail_top), mt)
        queued = s.queued.get(self.actor, {})
        self.rows = []
        for j, track in enumerate(("military", "diplomatic")):
            x = box.x + pad + j * (col_w + pad)
            active = track == self.track
            wd.draw_text(surf, f"{track.capitalize()} track", (x, y), mt.body, th.ACCENT if active else th.TEXT,
                         bold=True)
            yy = y + th.line_height(mt.body, True) + 4
            items = self.tracks[track]
            room = max(1, (detail_top - mt.pad - yy) // lh)
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
                num_w = th.text_width("+0.0000", mt.small) + mt.pad  # the label stops short of the number
                wd.draw_text(surf, label, (x + 6, yy + 2), mt.small, th.TEXT, max_width=col_w - 12 - num_w)
                wd.draw_text(surf, fmt(u, 4), (row.right - 6, yy + 2), mt.small,
                             th.GOOD if u > 0 else th.BAD if u < 0 else th.TEXT_DIM, anchor="topright")
                self.rows.append((row, track, i))
                yy += lh

    def _detail(self, surf, rect: pygame.Rect, mt: th.Metrics) -> None:
        """The picked action: its cost, what the AI expects it to change, and why it scores so."""
        items = self.tracks[self.track]
        if not items:
            return
        s = self.state.session
        action, target, _ = items[self.index[self.track]]
        p = self.previews[(action, target)]
        pygame.draw.line(surf, th.BORDER, rect.topleft, (rect.right, rect.top))
        lh = th.line_height(mt.small)
        y = rect.y + mt.pad // 2
        treasury = float(s.world.treasury[s.world.s.actor(self.actor)])
        wd.draw_text(surf, f"{action_label(s, action, target)}: costs {p.cost:.2f} of a treasury of {treasury:.1f}",
                     (rect.x, y), mt.small, th.ACCENT, bold=True, max_width=rect.w)
        y += lh
        effects = "; ".join(f"{what} {v:+.2f}" for what, v in p.effects[:3]) or "no change the AI can foresee"
        wd.draw_text(surf, f"Expected: {effects}", (rect.x, y), mt.small, th.TEXT, max_width=rect.w)
        y += lh
        terms = sorted((t for t in p.terms if abs(t[1]) >= 5e-5), key=lambda t: -abs(t[1]))[:4]
        why = "; ".join(f"{name} {v:+.4f} [{src}]" for name, v, src in terms) or "no preference term moves"
        wd.draw_text(surf, f"Why it scores {fmt(p.utility, 4)}: {why}", (rect.x, y), mt.small, th.TEXT_DIM,
                     max_width=rect.w)
