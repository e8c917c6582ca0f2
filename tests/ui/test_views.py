"""The game window, headless: every view renders at two sizes with what a player would
notice (the map's colours, the bars moving, one timeline point per turn, the actor's
reasons), the App answers synthetic keyboard and mouse events, and screenshots are PNGs."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pygame  # noqa: E402
import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim.mapdata import point_in_polygon  # noqa: E402
from sim.model.model import ArbiterModel  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402
from sim.ui import theme as th  # noqa: E402
from sim.ui.app import App  # noqa: E402
from sim.ui.commands import play_main, screenshot_main  # noqa: E402
from sim.ui.render import render_view, save_screenshot  # noqa: E402
from sim.ui.scenes import GameScene, HelpScene, OrdersScene, layout  # noqa: E402
from sim.ui.session import Session  # noqa: E402
from sim.ui.views import VIEWS, UIState  # noqa: E402
from sim.ui.views.mapview import MapView  # noqa: E402
from sim.ui.views.timeline import TimelineView  # noqa: E402

SIZES = [(1280, 800), (800, 500)]
TURNS = 4


@pytest.fixture(scope="module")
def loaded():
    return load_scenario("astana_2017")


@pytest.fixture(scope="module", autouse=True)
def _pygame():
    pygame.display.init()
    pygame.font.init()
    yield
    pygame.display.quit()


@pytest.fixture(scope="module")
def played(loaded):
    return ArbiterModel(scenario=loaded, seed=1).run(TURNS)


_points_cache: dict = {}


def _zone_points(mapview: MapView, zid: str, size: tuple[int, int]) -> list[tuple[int, int]]:
    """Screen points (in the view's surface) on a grid inside the zone, away from its label."""
    key = (zid, tuple(size))
    if key not in _points_cache:
        _points_cache[key] = _grid_points(mapview, zid, size)
    return _points_cache[key]


def _grid_points(mapview: MapView, zid: str, size: tuple[int, int]) -> list[tuple[int, int]]:
    r = mapview.r
    scale, (ox, oy), _ = r.projection(size, mapview.margin(size))
    zone = r.m.zones[zid]
    ring = zone.polygons[0]
    (x0, y0), (x1, y1) = ring.min(axis=0), ring.max(axis=0)
    lx, ly = zone.label
    pts = []
    for mx in np.linspace(x0, x1, 16):
        for my in np.linspace(y0, y1, 16):
            if abs(mx - lx) < 25 and abs(my - ly) < 18:
                continue  # the label and the force markers sit here
            if point_in_polygon(mx, my, ring) and mapview.r.zone_at_screen(
                    size, mapview.margin(size), (int(mx * scale + ox), int(my * scale + oy))) == zid:
                pts.append((int(round(mx * scale + ox)), int(round(my * scale + oy))))
    return pts


def _mode(surf: pygame.Surface, pts) -> tuple[int, int, int]:
    cols = np.array([tuple(surf.get_at(p))[:3] for p in pts])
    vals, counts = np.unique(cols, axis=0, return_counts=True)
    return tuple(int(v) for v in vals[int(np.argmax(counts))])


@pytest.mark.parametrize("size", SIZES)
def test_every_view_renders_something_at_any_size(played, size):
    for view in VIEWS:
        surf = render_view(played, view, size)
        assert surf.get_size() == size
        lay = layout(size)
        area = pygame.surfarray.array3d(surf.subsurface(lay.view)).astype(np.int32)
        colours = np.unique((area[..., 0] << 16) | (area[..., 1] << 8) | area[..., 2])
        assert len(colours) > 30, f"{view} at {size} looks empty"


@pytest.mark.parametrize("size", SIZES)
def test_map_colours_each_zone_by_its_controller(played, size):
    surf = render_view(played, "map", size)
    lay = layout(size)
    view = surf.subsurface(lay.view)
    mv = MapView(UIState(Session(played)))
    rec = played.records[-1]
    for zid in ("idlib", "hasakah", "homs_palmyra"):
        pts = _zone_points(mv, zid, lay.view.size)
        assert len(pts) > 5
        assert _mode(view, pts) == th.actor_colour(rec["control"][zid]), zid
    # a zone under a de-escalation or ceasefire agreement shows hatching
    hatched = [z for z, v in rec["zones"].items() if v["status"] in ("de_escalation", "ceasefire")
               and len(_zone_points(mv, z, lay.view.size)) > 20]
    if hatched:
        pts = _zone_points(mv, hatched[0], lay.view.size)
        fill = th.actor_colour(rec["control"][hatched[0]])
        other = sum(1 for p in pts if tuple(view.get_at(p))[:3] != fill)
        assert other >= 2, "agreement zone is not hatched"


def test_map_shows_the_controller_after_a_capture(loaded):
    """Whatever the model does, the map follows the record: zones that changed hands are
    drawn in the new holder's colour."""
    m = ArbiterModel(scenario=loaded, seed=1)
    s = Session(m)
    size = (1280, 800)
    lay = layout(size)
    mv = MapView(UIState(s))
    for _ in range(8):
        s.advance()
        surf = render_view(m, "map", size, session=s)
        view = surf.subsurface(lay.view)
        for zid, holder in m.records[-1]["control"].items():
            pts = _zone_points(mv, zid, lay.view.size)
            if len(pts) > 20:
                assert _mode(view, pts) == th.actor_colour(holder), (s.turn, zid)


def test_hover_card_and_click_pin(played):
    s = Session(played)
    scene = GameScene(UIState(s), "map")
    surf = pygame.Surface((1280, 800))
    scene.draw(surf)
    plain = pygame.surfarray.array3d(surf).copy()
    lay = layout((1280, 800))
    mv = scene.views["map"]
    pt = _zone_points(mv, "idlib", lay.view.size)[0]
    pos = (lay.view.x + pt[0], lay.view.y + pt[1])
    scene.handle_event(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))
    scene.draw(surf)
    assert mv.hover == "idlib"
    assert (pygame.surfarray.array3d(surf) != plain).any(axis=2).sum() > 2000  # the card appeared
    scene.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
    assert scene.state.pinned_zone == "idlib"


def test_influence_view_moves_between_turns(loaded):
    m = ArbiterModel(scenario=loaded, seed=1)
    s = Session(m)
    s.advance()
    lay = layout((1280, 800))
    one = pygame.surfarray.array3d(render_view(m, "influence", session=s).subsurface(lay.view))
    for _ in range(5):
        s.advance()
    six = pygame.surfarray.array3d(render_view(m, "influence", session=s).subsurface(lay.view))
    assert s.turn == 6
    assert (one != six).any(axis=2).sum() > 500


def test_influence_bars_animate(loaded):
    s = Session(ArbiterModel(scenario=loaded, seed=1))
    s.advance()
    s.advance()
    state = UIState(s, animate=True)
    scene = GameScene(state, "influence")
    surf = pygame.Surface((1280, 800))
    scene.draw(surf)
    assert s.rewind()
    scene.draw(surf)  # the bars start gliding to the earlier month's values
    iv = scene.views["influence"]
    assert iv.tween.moving
    mid = iv.tween.current()
    scene.update(0.3)
    later = iv.tween.current()
    scene.update(1.0)
    assert not iv.tween.moving
    end = iv.tween.current()
    moved = [k for k in end if abs(end[k] - mid[k]) > 1e-9]
    assert moved, "nothing changed between the two months"
    k = moved[0]
    assert min(mid[k], end[k]) - 1e-9 <= later[k] <= max(mid[k], end[k]) + 1e-9


def test_timeline_has_a_point_per_turn(played):
    s = Session(played)
    state = UIState(s)
    state.extra["window_size"] = (900, 700)
    tv = TimelineView(state)
    surf = pygame.Surface((900, 700))
    tv.draw(surf)
    assert tv.turns == list(range(0, TURNS + 1))  # the start and every month played
    for (metric, actor), pts in tv.points.items():
        assert len(pts) == TURNS + 1
        xs = [p[0] for p in pts]
        assert xs == sorted(xs) and len(set(xs)) == len(xs)
    ru = tv.points[("standing", "russia")]
    hits = sum(1 for p in ru if tuple(surf.get_at(p))[:3] == th.actor_colour("russia"))
    assert hits >= len(ru) // 2


def test_why_view_explains_the_chosen_actor(played):
    rec = played.records[-1]
    lay = layout((1280, 800))
    shots = {}
    for actor in ("russia", "iran"):
        surf = render_view(played, "why", actor=actor)
        shots[actor] = pygame.surfarray.array3d(surf.subsurface(lay.view))
        decs = [d for d in rec["decisions"] if d["actor"] == actor]
        assert len(decs) == 2 and all(b["source"] for d in decs for b in d["breakdown"])
        # the heading is written in the actor's colour
        head = surf.subsurface(pygame.Rect(lay.view.x, lay.view.y, lay.view.w, 120))
        col = np.array(th.readable(th.actor_colour(actor)))
        assert (pygame.surfarray.array3d(head) == col).all(axis=2).sum() > 50
    assert (shots["russia"] != shots["iran"]).any(axis=2).sum() > 1000


def test_debrief_maps_show_start_and_now(played):
    s = Session(played)
    scene = GameScene(UIState(s), "debrief")
    surf = pygame.Surface((1280, 800))
    scene.draw(surf)
    dv = scene.views["debrief"]
    lay = scene.layout
    for which, fig in (("start", played.initial), ("now", played.records[-1])):
        rect = dv.map_rects[which].move(lay.view.x, lay.view.y)
        sub = surf.subsurface(rect)
        scale, (ox, oy), _ = dv.r.projection(rect.size, 2)
        x, y = dv.r.m.zones["hasakah"].label
        assert tuple(sub.get_at((int(x * scale + ox), int(y * scale + oy))))[:3] == \
            th.actor_colour(fig["control"]["hasakah"])


def test_side_panel_tells_the_month(played):
    from sim.ui.views.story import agreement_items, story_items

    s = Session(played)
    items = story_items(s)
    rec = played.records[-1]
    assert len(items) == len(rec["events"]) + len(rec["outcomes"]) or (not rec["events"] and not rec["outcomes"])
    assert len(agreement_items(s, rec)) == len(rec["agreements"]) + len(rec["frameworks"])


def _key(key, unicode="", mod=0):
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode=unicode, scancode=0))


def test_app_answers_keys_and_clicks(loaded):
    app = App(ArbiterModel(scenario=loaded, seed=1), size=(800, 500), headless=True)
    s = app.session
    pygame.event.clear()
    _key(pygame.K_SPACE, " ")
    app.frame()
    assert s.turn == 1 and len(app.model.records) == 1
    _key(pygame.K_SPACE, " ")
    _key(pygame.K_SPACE, " ")
    app.frame()
    assert s.turn == 3
    first_three = [r["control"] for r in app.model.records]
    _key(pygame.K_LEFT)
    app.frame()
    assert s.turn == 2 and len(app.model.records) == 2
    _key(pygame.K_SPACE, " ")
    app.frame()
    assert [r["control"] for r in app.model.records] == first_three  # rewind then replay: same game
    for key, view in ((pygame.K_i, "influence"), (pygame.K_t, "timeline"), (pygame.K_w, "why"),
                      (pygame.K_d, "debrief"), (pygame.K_m, "map")):
        _key(key, pygame.key.name(key))
        app.frame()
        assert app.view == view
    # Tab picks the next actor in the 'why' view
    _key(pygame.K_w, "w")
    before = app.state.actor
    _key(pygame.K_TAB, "\t")
    app.frame()
    assert app.view == "why" and app.state.actor != before
    # a click on a tab
    tab = app.game.tabs.rects["timeline"]
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=tab.center, button=1))
    app.frame()
    assert app.view == "timeline"
    # help: H opens it, any key closes it; '?' opens it too
    _key(pygame.K_h, "h")
    app.frame()
    assert isinstance(app.stack.top, HelpScene)
    _key(pygame.K_SPACE, " ")
    app.frame()
    assert app.stack.top is app.game and s.turn == 3  # the key closed the help, played nothing
    _key(pygame.K_SLASH, "?", pygame.KMOD_SHIFT)
    app.frame()
    assert isinstance(app.stack.top, HelpScene)
    _key(pygame.K_ESCAPE)
    app.frame()
    assert app.running and app.stack.top is app.game
    _key(pygame.K_ESCAPE)
    app.frame()
    assert not app.running


def test_app_takes_a_human_players_orders(loaded):
    app = App(ArbiterModel(scenario=loaded, seed=1, humans=("russia",)), humans=("russia",),
              size=(800, 500), headless=True)
    pygame.event.clear()
    _key(pygame.K_o, "o")
    app.frame()
    orders = app.stack.top
    assert isinstance(orders, OrdersScene)
    # pick the lowest-scored military action, so it is not what the AI would choose anyway
    last = len(orders.tracks["military"]) - 1
    action, target, _ = orders.tracks["military"][last]
    _key(pygame.K_UP)  # wraps round to the last row
    _key(pygame.K_RETURN)
    _key(pygame.K_ESCAPE)
    app.frame()
    assert app.stack.top is app.game
    assert app.session.queued["russia"]["military"] == (action, target)
    _key(pygame.K_SPACE, " ")
    app.frame()
    d = next(d for d in app.model.records[-1]["decisions"] if d["actor"] == "russia" and d["track"] == "military")
    assert (d["action"], d["target"]) == (action, target)


def test_screenshot_writes_a_png_of_the_requested_size(tmp_path):
    out = save_screenshot("astana_2017", 2, tmp_path / "shots" / "map.png", size=(640, 400), view="map", seed=1)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert pygame.image.load(str(out)).get_size() == (640, 400)
    out2 = tmp_path / "why.png"
    assert screenshot_main(["astana_2017", "--turn", "1", "--out", str(out2), "--size", "400x300",
                            "--view", "why", "--actor", "iran"]) == 0
    assert pygame.image.load(str(out2)).get_size() == (400, 300)


@pytest.mark.parametrize("argv", [
    ["astana_2017", "--turn", "1", "--out", "x.png", "--view", "nope"],
    ["astana_2017", "--turn", "1", "--out", "x.png", "--size", "big"],
    ["astana_2017", "--turn", "999", "--out", "x.png"],
    ["no_such_scenario", "--turn", "1", "--out", "x.png"],
    ["astana_2017", "--turn", "1", "--out", "x.jpg"],
])
def test_screenshot_bad_input_exits_2(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert screenshot_main(argv) == 2
    assert capsys.readouterr().err.strip()
    assert not (tmp_path / "x.png").exists()


def test_play_runs_headless_for_a_few_frames(capsys):
    assert play_main(["astana_2017", "--as", "russia", "--seed", "2", "--frames", "3", "--size", "640x400"]) == 0
    assert play_main(["astana_2017", "--as", "narnia", "--frames", "1"]) == 2
    pygame.display.init()  # play_main closes the display; the other tests share it
