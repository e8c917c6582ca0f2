"""The game window's newer views, headless: branches beside the current line, the actor
card, the side panel's table and score, picking a month and a decision in the 'why' view,
the debrief's turning points, scores and drives, and the map's legend and zone card. Each
test checks the data a view draws (through the helper the view draws from) and pixels."""

from __future__ import annotations

import dataclasses
import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import sys  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pygame  # noqa: E402
import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim.model.model import ArbiterModel  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402
from sim.sources import describe_source  # noqa: E402
from sim.ui import theme as th  # noqa: E402
from sim.ui.render import render_view  # noqa: E402
from sim.ui.session import Session  # noqa: E402
from sim.ui.views import VIEW_CLASSES, VIEWS, UIState  # noqa: E402
from sim.ui.views.actors import ActorsView, actor_card, objective_status  # noqa: E402
from sim.ui.views.branches import BranchesView, compare  # noqa: E402
from sim.ui.views.debrief import DebriefView, drives, objective_rows, turning_points  # noqa: E402
from sim.ui.views.mapview import MapView  # noqa: E402
from sim.ui.views.story import StoryPanel, score_items, table_items  # noqa: E402
from sim.ui.views.why import WhyView, why_entries  # noqa: E402

VIEW_SIZE = (900, 720)  # about the view's part of a 1280 x 800 window
SMALL = (560, 440)      # about the view's part of an 800 x 500 window


@pytest.fixture(scope="module", autouse=True)
def _pygame():
    pygame.display.init()
    pygame.font.init()
    yield
    pygame.display.quit()


@pytest.fixture(scope="module")
def loaded():
    return load_scenario("astana_2017")


def branched(loaded) -> Session:
    """Four months played by the AI with Russia human, two rewound, and Russia's least
    favoured military action chosen instead: the undone line becomes a branch."""
    m = ArbiterModel(scenario=loaded, seed=1, humans=("russia",))
    s = Session(m)
    for _ in range(4):
        s.advance()
    s.rewind()
    s.rewind()
    acts = s.legal_actions("russia")
    s.choose("russia", *acts[-1][:2])
    s.advance()
    return s


def draw(view, size=VIEW_SIZE, window=(1280, 800), mouse=None) -> pygame.Surface:
    view.state.extra["window_size"] = window
    surf = pygame.Surface(size)
    view.draw(surf, mouse)
    return surf


def key(k, unicode="", mod=0):
    return pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod, unicode=unicode, scancode=0)


def colour_count(surf: pygame.Surface, colour) -> int:
    a = pygame.surfarray.array3d(surf)
    return int((a == np.array(colour)).all(axis=2).sum())


# --- registration --------------------------------------------------------------------------------

def test_new_views_are_registered_with_free_hotkeys():
    assert "actors" in VIEWS and "branches" in VIEWS
    keys = [c.hotkey for c in VIEW_CLASSES]
    assert len(set(keys)) == len(keys)
    assert not set(keys) & set("HOPSLNFQREGX")
    assert {c.key: c.hotkey for c in VIEW_CLASSES}["actors"] == "C"
    assert {c.key: c.hotkey for c in VIEW_CLASSES}["branches"] == "B"


# --- branches ---------------------------------------------------------------------------------------

def test_branches_view_without_branches_says_how_to_make_one(loaded):
    s = Session(ArbiterModel(scenario=loaded, seed=1))
    s.advance()
    view = BranchesView(UIState(s))
    surf = draw(view)
    assert view.comparison() is None and view.plots == {}
    assert colour_count(surf, th.ACCENT) > 100  # the heading and the numbered steps
    assert view.handle_event(key(pygame.K_TAB, "\t"), None) is False  # nothing to cycle


def test_branch_comparison_is_taken_at_the_latest_month_both_lines_reached(loaded):
    s = branched(loaded)
    assert len(s.branches) == 1
    br = s.branches[0]
    cmp = compare(s, br)
    assert cmp.fork == br.from_turn == 2
    assert cmp.common == min(br.end_turn, s.turn) == 3
    fb, fc = dict(br.history)[3], s.figures(3)
    for metric in ("leverage", "standing"):
        for a in s.powers:
            assert cmp.deltas[metric][a] == (fb["influence"][metric][a], fc["influence"][metric][a])
    assert [z for z, _, _ in cmp.zones] == [z for z in s.zone_ids if fb["control"][z] != fc["control"][z]]
    # Russia's choice in the month after the fork is one of the differences named
    assert any(a == "russia" for a, _, _ in cmp.choices)


def test_branch_charts_share_scales_and_show_the_lines_apart(loaded):
    s = branched(loaded)
    view = BranchesView(UIState(s))
    surf = draw(view)
    cmp = view.comparison()
    assert set(view.plots) == {(m, w) for m in ("leverage", "standing") for w in ("branch", "current")}
    apart = 0
    for metric in ("leverage", "standing"):
        left, right = view.plots[(metric, "branch")], view.plots[(metric, "current")]
        assert left.size == right.size and left.y == right.y
        for a in s.powers:
            pb = view.points.get((metric, "branch", a))
            pc = view.points.get((metric, "current", a))
            if pb is None:
                continue
            # before the fork the lines are the same months on the same scales: same heights
            assert [y for _, y in pb[:cmp.fork + 1]] == [y for _, y in pc[:cmp.fork + 1]]
            assert [x - left.x for x, _ in pb[:cmp.fork + 1]] == [x - right.x for x, _ in pc[:cmp.fork + 1]]
            apart += [y for _, y in pb[cmp.fork + 1:cmp.common + 1]] != [y for _, y in pc[cmp.fork + 1:cmp.common + 1]]
        a1 = pygame.surfarray.array3d(surf.subsurface(left))
        a2 = pygame.surfarray.array3d(surf.subsurface(right))
        assert (a1 != a2).any(axis=2).sum() > 30, metric
        # the fork is marked in both charts
        fx = left.x + int(left.w * cmp.fork / cmp.last)
        column = pygame.surfarray.array3d(surf)[fx, left.y:left.bottom]
        assert (column == np.array(th.ACCENT)).all(axis=1).sum() > left.h // 4
    assert apart > 0, "the two lines never differ after the fork"


def test_tab_cycles_through_branches(loaded):
    s = branched(loaded)
    s.rewind()
    s.rewind()  # back to turn 1: choose differently again
    acts = s.legal_actions("russia")
    s.choose("russia", *acts[-2][:2])
    s.advance()
    assert len(s.branches) == 2 and s.branches[0].from_turn != s.branches[1].from_turn
    view = BranchesView(UIState(s))
    first = pygame.surfarray.array3d(draw(view))
    assert view.branch_index() == 1  # the newest first
    forks = {view.comparison().fork}
    assert view.handle_event(key(pygame.K_TAB, "\t"), None)
    assert view.branch_index() == 0
    forks.add(view.comparison().fork)
    second = pygame.surfarray.array3d(draw(view))
    assert forks == {b.from_turn for b in s.branches}
    assert (first != second).any(axis=2).sum() > 200
    view.handle_event(key(pygame.K_TAB, "\t", pygame.KMOD_SHIFT), None)
    assert view.branch_index() == 1


def test_branches_view_renders_at_a_small_size(loaded):
    s = branched(loaded)
    view = BranchesView(UIState(s))
    surf = draw(view, SMALL, (800, 500))
    for rect in view.plots.values():
        assert surf.get_rect().contains(rect)
    assert colour_count(surf, th.actor_colour("russia")) > 20


# --- actor card ----------------------------------------------------------------------------------

def test_actor_card_lists_every_preference_term_with_its_source(loaded):
    s = Session(ArbiterModel(scenario=loaded, seed=1).run(2))
    for actor, spec in loaded.scenario.actors.items():
        card = actor_card(s, actor)
        assert {t.name for t in card.terms} == set(spec.preferences)
        for t in card.terms:
            p = spec.preferences[t.name]
            assert t.source == p.source and t.citation == describe_source(p.source)
            assert t.weight == p.weight and t.contested == p.contested
            assert [a[1] for a in t.alternatives] == [x.source for x in p.alternatives]
        assert [t.weight for t in card.terms] == sorted((t.weight for t in card.terms), reverse=True)
    # a cost is always to be kept down, whatever its sense says
    assert all(t.sense == "min" for t in actor_card(s, "russia").terms if t.kind == "cost")


def test_actor_card_forces_money_and_objectives(loaded):
    s = Session(ArbiterModel(scenario=loaded, seed=1).run(3))
    w = s.world
    card = actor_card(s, "turkey")
    forces = dict(card.forces)
    a = w.s.actor("turkey")
    assert forces["Treasury"].startswith(f"{float(w.treasury[a]):.1f}")
    assert forces["Air power"] == f"{float(w.air[a]):.1f}"
    verdicts = [v for v in s.scorecard() if v.actor == "turkey"]
    assert verdicts, "astana_2017 declares objectives for Turkey"
    assert [(o.text, o.points, o.status) for o in card.objectives] == \
        [(v.text, v.points, objective_status(v)) for v in verdicts]
    assert card.score == s.scores()["turkey"]


def test_actor_card_without_objectives(loaded):
    bare = dataclasses.replace(loaded, scenario=loaded.scenario.model_copy(update={"objectives": {}}))
    s = Session(ArbiterModel(scenario=bare, seed=1).run(1))
    card = actor_card(s, "russia")
    assert card.objectives == [] and card.score is None and not card.declared
    assert score_items(s) == [] and objective_rows(s) == {}


def test_actor_card_draws_weight_bars_in_the_actors_colour(loaded):
    s = Session(ArbiterModel(scenario=loaded, seed=1).run(2))
    state = UIState(s, actor="iran")
    view = ActorsView(state)
    draw(view)
    content = view.scroller.content
    col = th.actor_colour("iran")
    card = actor_card(s, "iran")
    assert set(view.bars) == {t.name for t in card.terms}
    for t in card.terms:
        bar = view.bars[t.name]
        assert tuple(content.get_at((bar.x + 1, bar.centery)))[:3] == col
    widths = [view.bars[t.name].w for t in card.terms]
    assert widths == sorted(widths, reverse=True) and widths[0] > widths[-1]
    # the contested term's alternative weight is ticked on its bar in the accent colour
    contested = [t for t in card.terms if t.contested]
    assert contested
    bar = view.bars[contested[0].name]
    row = pygame.surfarray.array3d(content)[bar.x:bar.x + 3 * bar.w + 40, bar.y]
    assert (row == np.array(th.ACCENT)).all(axis=1).any()


def test_actor_card_and_why_view_share_the_actor(loaded):
    s = Session(ArbiterModel(scenario=loaded, seed=1).run(1))
    state = UIState(s, actor="russia")
    card, why = ActorsView(state), WhyView(state)
    ids = list(s.actor_ids)
    assert card.handle_event(key(pygame.K_TAB, "\t"), None)
    assert state.actor == ids[ids.index("russia") + 1] and why.actor == state.actor
    assert why.handle_event(key(pygame.K_TAB, "\t", pygame.KMOD_SHIFT), None)
    assert card.actor == "russia"
    before = pygame.surfarray.array3d(draw(card))
    state.actor = "us"
    after = pygame.surfarray.array3d(draw(card))
    assert (before != after).any(axis=2).sum() > 1000


def test_actor_card_scrolls_when_taller_than_the_view(loaded):
    s = Session(ArbiterModel(scenario=loaded, seed=1).run(1))
    view = ActorsView(UIState(s, actor="russia"))
    draw(view, SMALL, (800, 500))
    assert view.scroller.max_offset > 0
    view.handle_event(key(pygame.K_PAGEDOWN), None)
    assert view.scroller.offset > 0
    view.handle_event(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=100), (10, 10))
    assert view.scroller.offset == 0


# --- side panel ------------------------------------------------------------------------------------

def _with_table_for_russia(loaded) -> Session:
    s = Session(ArbiterModel(scenario=loaded, seed=1, humans=("russia",)))
    for _ in range(12):
        s.advance()
        if s.waiting_for("russia") and len(s.table()) > len(s.waiting_for("russia")):
            return s
    raise AssertionError("no month with proposals both for Russia and for others")


def test_side_panel_puts_what_waits_for_the_human_first(loaded):
    s = _with_table_for_russia(loaded)
    items = table_items(s)
    assert len(items) == len(s.table())
    flags = [to_human for to_human, *_ in items]
    assert flags == sorted(flags, reverse=True) and flags[0] and not flags[-1]
    assert all(("RUS" in who.split("→")[1]) == to_human for to_human, _, who, _ in items)
    panel = StoryPanel(UIState(s))
    surf = draw(panel, (360, 720))
    title = next(t for t in panel.shown if t.startswith("On the table"))
    assert "for you" in title and panel.shown[title] == (len(items), len(items))
    assert colour_count(surf, th.ACCENT) > 30  # the marker of what waits for you
    scores = score_items(s)
    assert [a for a, _, _ in scores] == [a for a in s.powers if a in s.scores()]
    assert any(t.startswith("Score") for t in panel.shown)


def test_side_panel_sections_shrink_before_the_story(loaded):
    s = _with_table_for_russia(loaded)
    panel = StoryPanel(UIState(s))
    draw(panel, (220, 300), (800, 500))
    mt = th.Metrics((800, 500))
    sections = panel.sections(mt, 220 - 2 * mt.pad)
    min_story = max(int(300 * 0.36), 5 * th.line_height(mt.small))
    heights = panel._allot(sections, mt, 300 - mt.pad, min_story)
    assert sum(h for h, _ in heights) <= 300 - mt.pad - min_story
    assert any(n < total for n, total in panel.shown.values()), "nothing had to shrink"
    big = StoryPanel(UIState(s))
    draw(big, (360, 2000))
    assert all(n == total for n, total in big.shown.values())


# --- why ---------------------------------------------------------------------------------------------

def test_why_view_picks_month_and_decision_with_keys(loaded):
    s = Session(ArbiterModel(scenario=loaded, seed=1))
    for _ in range(6):
        s.advance()
    view = WhyView(UIState(s, actor="russia"))
    latest = pygame.surfarray.array3d(draw(view))
    assert view.shown_turn == 6
    entries = view.entries()
    assert [e.key for e in entries[:2]] == [("decision", "military"), ("decision", "diplomatic")]
    assert view.selected() == 0
    view.handle_event(key(pygame.K_DOWN), None)
    assert view.entries()[view.selected()].key == ("decision", "diplomatic")
    view.handle_event(key(pygame.K_UP), None)
    view.handle_event(key(pygame.K_UP), None)  # wraps round to the last entry
    assert view.selected() == len(entries) - 1
    view.handle_event(key(pygame.K_PAGEUP), None)
    assert view.shown_turn == 5
    view.handle_event(key(pygame.K_LEFTBRACKET, "["), None)
    assert view.shown_turn == 4
    assert [e.data for e in view.entries()] == [e.data for e in why_entries(s, s.figures(4), "russia")]
    earlier = pygame.surfarray.array3d(draw(view))
    assert (latest != earlier).any(axis=2).sum() > 500
    view.handle_event(key(pygame.K_RIGHTBRACKET, "]"), None)
    assert view.shown_turn == 5
    for _ in range(6):
        view.handle_event(key(pygame.K_PAGEUP), None)
    assert view.shown_turn == 1  # no month before the first
    view.handle_event(key(pygame.K_END), None)
    assert view.shown_turn == 6
    view.handle_event(key(pygame.K_PAGEUP), None)
    s.advance()  # a new month: back to the latest
    assert view.shown_turn == 7


def test_why_view_mouse_selects_entries_and_months(loaded):
    s = Session(ArbiterModel(scenario=loaded, seed=1))
    for _ in range(3):
        s.advance()
    view = WhyView(UIState(s, actor="russia"))
    draw(view)
    rect, i = view.entry_rects[1]
    view.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=rect.center, button=1), rect.center)
    assert view.selected() == i == 1
    back = view.arrow_rects[-1].center
    view.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=back, button=1), back)
    assert view.shown_turn == 2
    assert view.selected() == 1  # the diplomatic choice stays picked in the earlier month


def test_why_view_shows_a_trade_answer_with_its_reason():
    m = ArbiterModel(scenario="iran_for_ukraine_2018", seed=1)
    s = Session(m)
    found = None
    for _ in range(18):
        s.advance()
        trade = [a for a in m.records[-1]["responses"] if a["kind"] == "trade"]
        if trade:
            found = trade[0]
            break
    assert found, "no trade was answered in 18 months"
    view = WhyView(UIState(s, actor=found["actor"]))
    entries = view.entries()
    i = next(k for k, e in enumerate(entries) if e.key == ("answer", found["proposal"]))
    assert entries[i].kind.startswith("Answer to a trade") and entries[i].data["reason"]
    plain = pygame.surfarray.array3d(draw(view))
    for _ in range(i):
        view.handle_event(key(pygame.K_DOWN), None)
    assert view.selected() == i
    shown = pygame.surfarray.array3d(draw(view))
    assert (plain != shown).any(axis=2).sum() > 1000


# --- debrief ---------------------------------------------------------------------------------------

def test_debrief_turning_points_are_months_where_something_moved(loaded):
    s = Session(ArbiterModel(scenario=loaded, seed=1))
    for _ in range(12):
        s.advance()
    tps = turning_points(s, 4)
    assert 1 <= len(tps) <= 4 and [tp.turn for tp in tps] == sorted(tp.turn for tp in tps)

    def moved(t):
        a, b = s.figures(t - 1), s.figures(t)
        infl = sum(abs(b["influence"][m][p] - a["influence"][m][p]) for m in ("leverage", "standing")
                   for p in s.powers)
        return infl + 0.1 * sum(a["control"][z] != b["control"][z] for z in s.zone_ids)

    scores = {t: moved(t) for t in range(1, 13)}
    for tp in tps:
        assert tp.score == pytest.approx(scores[tp.turn]) and tp.score > 0
        before, after = s.figures(tp.turn - 1), s.figures(tp.turn)
        changed = [z for z in after["control"] if before["control"][z] != after["control"][z]]
        assert [z for z, _, _ in tp.zones] == changed
        texts = {e["text"] for e in after["events"]} | {o["text"] for o in after["outcomes"]}
        assert all(any(h.lower() == t.lower() for t in texts) for h in tp.happened)
    # they are the months that moved most
    assert min(tp.score for tp in tps) >= sorted(scores.values(), reverse=True)[len(tps) - 1] - 1e-9


def test_debrief_drives_name_the_most_chosen_action_and_strongest_term(loaded):
    s = Session(ArbiterModel(scenario=loaded, seed=1))
    for _ in range(8):
        s.advance()
    ds = {d.actor: d for d in drives(s)}
    assert set(ds) == set(s.actor_ids)
    for a, d in ds.items():
        decs = [x for _, r in s.history()[1:] for x in r["decisions"] if x["actor"] == a]
        for track in ("military", "diplomatic"):
            c = Counter(x["action"] for x in decs if x["track"] == track)
            if c:
                assert (c.most_common(1)[0][1]) in [k for act, k in d.top_actions if c[act] == k]
        sums = Counter()
        for x in decs:
            for b in x["breakdown"]:
                sums[b["term"]] += b["value"]
        spec = loaded.scenario.actors[a].preferences
        assert d.term in spec and d.source == spec[d.term].source
        if max(sums.values()) > 1e-9:
            assert sums[d.term] == pytest.approx(max(sums.values()))


def test_debrief_scores_and_scroll(loaded):
    s = Session(ArbiterModel(scenario=loaded, seed=1))
    for _ in range(4):
        s.advance()
    rows = objective_rows(s)
    assert set(rows) == {v.actor for v in s.scorecard()}
    for a, (won, total, objs) in rows.items():
        assert (won, total) == s.scores()[a]
        assert len(objs) == sum(1 for v in s.scorecard() if v.actor == a)
    view = DebriefView(UIState(s))
    top = draw(view)
    assert view.scroller.max_offset > 0  # the debrief is longer than one screen
    maps = view.map_rects
    for _ in range(20):
        view.handle_event(key(pygame.K_PAGEDOWN), None)
    assert view.scroller.offset == view.scroller.max_offset
    bottom = draw(view)
    assert view.map_rects["start"].y < maps["start"].y
    assert (pygame.surfarray.array3d(top) != pygame.surfarray.array3d(bottom)).any(axis=2).sum() > 1000


# --- map ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("size,window", [((922, 730), (1280, 800)), ((576, 440), (800, 500)),
                                         ((700, 420), (1280, 800))])
def test_map_legend_lines_never_overlap(loaded, size, window):
    s = Session(ArbiterModel(scenario=loaded, seed=1).run(6))
    mv = MapView(UIState(s))
    draw(mv, size, window)
    rects = mv.legend_rects
    assert len(rects) > 8
    for i, a in enumerate(rects):
        assert mv.legend_box.contains(a), a
        for b in rects[i + 1:]:
            assert not a.colliderect(b), (a, b)


def test_map_card_tells_status_guarantors_and_foreign_forces(loaded):
    s = Session(ArbiterModel(scenario=loaded, seed=1).run(6))
    mv = MapView(UIState(s))
    fig = s.figures()
    agreed = [z for z, v in fig["zones"].items() if v["status"] in ("de_escalation", "ceasefire")]
    assert agreed
    for z in agreed:
        text = " ".join(t for t, _, _ in mv.card_lines(z, fig))
        assert "guaranteed by" in text
        for g in fig["zones"][z]["guarantors"]:
            assert s.name(g) in text
    foreign = {z: rows for z, rows in s.foreign_forces().items() if rows}
    assert foreign
    for z, rows in foreign.items():
        lines = [t for t, _, _ in mv.card_lines(z, fig)]
        assert "Foreign forces:" in lines
        for a, g in rows:
            assert f"  {s.name(a)}  {g:.1f}" in lines
    quiet = [z for z in s.zone_ids if not foreign.get(z)]
    if quiet:
        assert "Foreign forces: none" in [t for t, _, _ in mv.card_lines(quiet[0], fig)]
    # the card is drawn where the zone is hovered
    plain = render_view(s.model, "map", session=s)
    card = render_view(s.model, "map", session=s, hover=agreed[0])
    assert (pygame.surfarray.array3d(plain) != pygame.surfarray.array3d(card)).any(axis=2).sum() > 2000


def test_the_main_screen_reaches_the_new_views_and_their_keys(loaded):
    from sim.ui.scenes import GameScene

    s = branched(loaded)
    state = UIState(s, actor="russia")
    scene = GameScene(state, "map")
    surf = pygame.Surface((1280, 800))
    scene.handle_event(key(pygame.K_c, "c"))
    assert scene.active == "actors"
    scene.draw(surf)
    scene.handle_event(key(pygame.K_TAB, "\t"))
    assert state.actor != "russia"
    scene.handle_event(key(pygame.K_b, "b"))
    assert scene.active == "branches"
    scene.draw(surf)
    assert scene.views["branches"].plots
    scene.handle_event(key(pygame.K_w, "w"))
    scene.draw(surf)
    scene.handle_event(key(pygame.K_PAGEUP))
    assert scene.views["why"].shown_turn == s.turn - 1
