"""Playing the game through the window, driven only by synthetic keyboard and mouse events:
orders, months, rewind, branches, dialogs, hotseat, play/pause, save/load, presenter mode."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import json  # noqa: E402

import pygame  # noqa: E402
import pytest  # noqa: E402

from sim import saves  # noqa: E402
from sim.model.model import ArbiterModel  # noqa: E402
from sim.ui import theme as th  # noqa: E402
from sim.ui.app import App  # noqa: E402
from sim.ui.scenes import DialogScene, GameScene, OrdersScene  # noqa: E402
from sim.ui.views import VIEWS  # noqa: E402


@pytest.fixture(autouse=True)
def save_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ARBITER_SAVE_DIR", str(tmp_path / "saves"))
    return tmp_path / "saves"


def make_app(scenario="astana_2017", seed=1, humans=("russia",), **kw):
    model = ArbiterModel(scenario=scenario, seed=seed, humans=humans)
    app = App(model, humans=humans, headless=True, **kw)
    app.frame()
    return app


def press(app, key, unicode="", mod=0, frames=1):
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode=unicode, scancode=0))
    for _ in range(frames):
        app.frame()


def click(app, pos, frames=2):
    for ev in (pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)),
               pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1),
               pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1)):
        pygame.event.post(ev)
        app.frame()
    for _ in range(frames):  # pygame_gui answers a click with an event of its own
        app.frame()


def top(app):
    return app.stack.top


def dlg_id(scene):
    """The proposal an answer dialog is about."""
    return scene.proposal


def advance(app, months=1):
    """Space, leaving any proposal put to the player to the AI (Esc), as a hurried player would."""
    for _ in range(months):
        turn = app.session.turn
        press(app, pygame.K_SPACE)
        while isinstance(top(app), DialogScene):
            press(app, pygame.K_ESCAPE)
        assert app.session.turn == turn + 1


def test_choose_an_action_and_play_the_month(tmp_path):
    app = make_app()
    press(app, pygame.K_o)
    orders = top(app)
    assert isinstance(orders, OrdersScene)
    press(app, pygame.K_DOWN)
    press(app, pygame.K_RETURN)
    action, target, _ = orders.tracks["military"][1]
    press(app, pygame.K_ESCAPE)
    assert isinstance(top(app), GameScene)
    press(app, pygame.K_SPACE)
    m = app.model
    assert m.world.turn == 1
    mine = [d for d in m.records[-1]["decisions"] if d["actor"] == "russia" and d["track"] == "military"][0]
    assert (mine["action"], mine["target"]) == (action, target)
    assert m.inputs == [{"turn": 0, "given": [["choose", "russia", action, target]]}]
    app.close()


def test_every_view_opens_by_its_key_and_draws_something_different():
    app = make_app(humans=())
    press(app, pygame.K_SPACE)
    shots = {}
    for view in VIEWS:
        press(app, ord(app.game.views[view].hotkey.lower()))
        assert app.view == view
        shots[view] = pygame.image.tobytes(app.screen, "RGB")
    assert len(set(shots.values())) == len(VIEWS)
    app.close()


def test_the_screenshot_command_offers_every_view():
    from sim.ui.commands import VIEW_CHOICES

    assert VIEW_CHOICES == VIEWS


def test_rewind_goes_back_a_month_and_the_screen_shows_it():
    app = make_app(humans=())
    for _ in range(3):
        press(app, pygame.K_SPACE)
    at3 = pygame.image.tobytes(app.screen, "RGB")
    press(app, pygame.K_LEFT)
    assert app.session.turn == 2
    assert pygame.image.tobytes(app.screen, "RGB") != at3
    press(app, pygame.K_SPACE)  # the same month again: the same picture, no branch
    assert app.session.turn == 3 and app.session.branches == []
    assert pygame.image.tobytes(app.screen, "RGB") == at3
    press(app, pygame.K_HOME)
    assert app.session.turn == 0
    app.close()


def test_choosing_differently_after_a_rewind_makes_a_branch_to_compare():
    app = make_app()
    advance(app, 4)
    old_line = [r["influence"] for r in app.model.records]
    press(app, pygame.K_LEFT)
    press(app, pygame.K_LEFT)
    press(app, pygame.K_o)
    orders = top(app)
    press(app, pygame.K_UP)  # the bottom of the list: not what the AI chose
    press(app, pygame.K_RETURN)
    press(app, pygame.K_ESCAPE)
    advance(app)
    branches = app.session.branches
    assert len(branches) == 1 and branches[0].from_turn == 2
    assert [f["influence"] for t, f in branches[0].history if t > 0] == old_line
    assert app.model.records[-1]["influence"] != old_line[2]
    assert orders.tracks["military"][-1][0] in {d["action"] for d in app.model.records[-1]["decisions"]}
    app.close()


def test_a_trade_put_to_the_player_opens_a_dialog_and_a_counter_goes_to_the_model():
    app = make_app("iran_for_ukraine_2018", seed=4)
    advance(app, 2)
    press(app, pygame.K_SPACE)  # the US's offer waits for Russia's answer
    dlg = top(app)
    assert isinstance(dlg, DialogScene) and app.session.turn == 2
    assert dlg.dialog.value is not None  # a trade: the counter slider is there
    press(app, pygame.K_RIGHT)
    asked = dlg.dialog.value
    press(app, pygame.K_c)
    assert app.session.answered[(dlg_id(dlg), "russia")] == ("counter", pytest.approx(asked))
    while isinstance(top(app), DialogScene):  # other proposals: left to the AI
        press(app, pygame.K_ESCAPE)
    assert app.session.turn == 3  # answered, the month Space asked for is played
    counters = [o for o in app.model.records[-1]["outcomes"] if o["type"] == "counter"]
    assert counters and counters[0]["text"].startswith("Russia counters")
    counters = [o for o in app.model.records[-1]["outcomes"] if o["type"] == "counter"]
    assert counters and "Russia counters" in counters[0]["text"]
    app.close()


def test_a_dialog_button_can_be_clicked_with_the_mouse():
    app = make_app("iran_for_ukraine_2018", seed=4)
    advance(app, 2)
    press(app, pygame.K_SPACE)
    dlg = top(app)
    click(app, dlg.dialog.centre_of("refuse"))
    assert top(app) is not dlg
    assert app.session.answered[(dlg_id(dlg), "russia")] == ("refuse", None)
    app.close()


def test_hotseat_teams_are_asked_in_turn_before_the_month_is_played():
    app = make_app(humans=("russia", "turkey"))
    press(app, pygame.K_SPACE)
    first = top(app)
    assert isinstance(first, DialogScene) and "Russia" in first.dialog.panel.get_container().elements[0].text
    press(app, pygame.K_a)  # Russia's team leaves the month to the AI
    second = top(app)
    assert isinstance(second, DialogScene) and second is not first
    assert app.session.turn == 0
    press(app, pygame.K_o)  # Turkey's team gives orders
    assert isinstance(top(app), OrdersScene) and top(app).actor == "turkey"
    press(app, pygame.K_RETURN)
    press(app, pygame.K_ESCAPE)  # closing the orders plays the month
    assert app.session.turn == 1
    assert app.model.inputs[0]["given"][0][1] == "turkey"
    app.close()


def test_play_and_pause_advance_on_their_own_at_the_chosen_speed():
    app = make_app(humans=())
    press(app, pygame.K_p)
    assert app.game.playing
    press(app, pygame.K_PLUS)
    press(app, pygame.K_PLUS)  # one month per 0.5 s
    for _ in range(3):
        app.frame(dt=0.6)
    assert app.session.turn == 3
    press(app, pygame.K_p)
    for _ in range(3):
        app.frame(dt=0.6)
    assert app.session.turn == 3
    app.close()


def test_the_buttons_along_the_bottom_do_what_their_keys_do(save_folder):
    app = make_app(humans=("russia",))
    buttons = lambda: app.game.controls.rects  # noqa: E731 (laid out as each frame is drawn)
    assert list(buttons())[:6] == ["next", "rewind", "play", "save", "load", "help"]
    click(app, buttons()["next"].center)
    assert app.session.turn == 1
    click(app, buttons()["next"].center)
    assert app.session.turn == 2
    click(app, buttons()["rewind"].center)
    assert app.session.turn == 1
    click(app, buttons()["save"].center)
    assert len(saves.list_saves(save_folder)) == 1
    click(app, buttons()["orders"].center)
    assert isinstance(top(app), OrdersScene) and top(app).actor == "russia"
    press(app, pygame.K_ESCAPE)
    click(app, buttons()["help"].center)
    assert type(top(app)).__name__ == "HelpScene"
    press(app, pygame.K_ESCAPE)
    click(app, buttons()["load"].center)
    assert isinstance(top(app), DialogScene)
    press(app, pygame.K_ESCAPE)
    click(app, buttons()["play"].center)
    assert app.game.playing
    click(app, buttons()["play"].center)
    assert not app.game.playing and app.session.turn == 1
    app.close()


def test_the_answer_button_appears_when_a_proposal_waits_and_opens_it():
    app = make_app("iran_for_ukraine_2018", seed=4)
    advance(app, 2)
    assert "answer" in app.game.controls.rects  # something is put to Russia this month
    click(app, app.game.controls.rects["answer"].center)
    assert isinstance(top(app), DialogScene) and dlg_id(top(app)) is not None
    app.close()


def test_save_then_load_brings_back_the_saved_month(save_folder):
    app = make_app()
    advance(app, 3)
    saved_turn3 = app.model.records[-1]["influence"]
    press(app, pygame.K_s)
    assert len(saves.list_saves(save_folder)) == 1
    advance(app, 2)
    press(app, pygame.K_l)
    assert isinstance(top(app), DialogScene)
    press(app, pygame.K_RETURN)
    assert app.session.turn == 3
    assert app.model.records[-1]["influence"] == saved_turn3
    assert "Loaded" in app.state.message
    app.close()


def test_a_corrupt_save_is_refused_and_the_game_is_kept(save_folder):
    app = make_app()
    advance(app)
    press(app, pygame.K_s)
    path = saves.list_saves(save_folder)[0]
    doc = json.loads(path.read_text())
    doc["seed"] = 99  # edited by hand: the integrity check fails
    path.write_text(json.dumps(doc))
    advance(app, 2)
    before = app.model.records[-1]
    press(app, pygame.K_l)
    press(app, pygame.K_RETURN)
    assert app.session.turn == 3 and app.model.records[-1] is before
    assert "Not loaded" in app.state.message and "integrity" in app.state.message
    app.close()


def test_every_month_is_autosaved(tmp_path):
    auto = tmp_path / "auto.arbiter"
    app = make_app(autosave=auto)
    advance(app, 2)
    model, game = saves.load(auto)
    assert game.turn == 2 and model.records[-1]["control"] == app.model.records[-1]["control"]
    app.close()


def test_presenter_mode_has_large_type_high_contrast_and_captions():
    app = make_app(humans=(), presenter=True)
    try:
        assert th.Metrics((1280, 800)).tiny >= 24 and th.BG == (0, 0, 0)
        press(app, pygame.K_SPACE)
        lay = app.game.layout
        assert lay.caption is not None and lay.side.w == 0
        assert app.game.captions() and all(line.endswith((".", ")")) for line in app.game.captions())
        strip = app.screen.subsurface(lay.caption)
        whites = sum(1 for x in range(0, strip.get_width(), 3) for y in range(0, strip.get_height(), 3)
                     if strip.get_at((x, y))[:3] == (255, 255, 255))
        assert whites > 50  # the caption's white type on black
    finally:
        app.close()
    assert th.Metrics((1280, 800)).tiny < 24 and th.BG != (0, 0, 0)


def test_the_orders_preview_shows_cost_expected_effects_and_sourced_terms():
    from sim.model.catalogue import CATALOGUE

    app = make_app()
    press(app, pygame.K_o)
    orders = top(app)
    reinforce = next(p for p in orders.previews.values() if p.action == "reinforce")
    assert reinforce.cost == CATALOGUE["reinforce"].cost
    assert any("Russia's forces in" in what and v > 0 for what, v in reinforce.effects)
    assert reinforce.utility == pytest.approx(sum(v for _, v, _ in reinforce.terms), abs=1e-5)
    assert all(src for _, _, src in reinforce.terms)
    app.close()


def type_text(app, text):
    for ch in text:
        pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=ch))
    app.frame()


def test_a_prediction_typed_in_the_window_is_kept_in_the_save(save_folder):
    app = make_app()
    press(app, pygame.K_e)
    type_text(app, "Turkey holds Afrin")  # letters go to the text, not to the game's keys
    assert isinstance(top(app), DialogScene) and app.view == "map"
    type_text(app, " at the end")
    press(app, pygame.K_RETURN)
    assert "recorded" in app.state.message
    (kept,) = app.session.extras["predictions"]
    assert (kept["kind"], kept["zone"], kept["actor"], kept["when"]) == ("control", "afrin", "turkey", "end")
    press(app, pygame.K_e)
    type_text(app, "Turkey is happy")  # not a statement the game can check: asked again, with why
    press(app, pygame.K_RETURN)
    again = top(app)
    assert isinstance(again, DialogScene) and again.dialog.text == "Turkey is happy"
    press(app, pygame.K_ESCAPE)
    press(app, pygame.K_s)
    game = saves.read(saves.list_saves(save_folder)[0])
    assert game.extras["predictions"] == app.session.extras["predictions"]
    app.close()


def test_what_happens_from_here_plays_continuations_and_draws_their_fan():
    from sim.ui.forecast import ForecastScene

    app = make_app(humans=())
    advance(app, 3)
    app.game.forecast_runs = 4
    press(app, pygame.K_f)
    scene = top(app)
    assert isinstance(scene, ForecastScene)
    import time

    deadline = time.monotonic() + 120
    while scene.result is None and time.monotonic() < deadline:  # runs play in worker processes
        app.frame()  # while the window keeps drawing
        time.sleep(0.02)
    fc = scene.result
    assert fc is not None and fc.runs_ok == 4 and fc.from_turn == 3
    app.frame()
    shot = pygame.image.tobytes(app.screen, "RGB")
    press(app, pygame.K_ESCAPE)
    assert isinstance(top(app), GameScene) and pygame.image.tobytes(app.screen, "RGB") != shot
    app.close()
