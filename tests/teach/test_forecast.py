"""The forecast: continuations of a saved game with the AI on every side, seeded as the batch
engine seeds its runs, the same whatever the number of workers, with the game's own path
placed in the fan."""

import json

import numpy as np
import pandas as pd
import pytest

from sim import saves
from sim.analysis.batch import execute, plan
from sim.analysis.seeds import run_seed
from sim.model.model import ArbiterModel
from sim.cli import main
from sim.teach.common import TeachError
from sim.teach.forecast import forecast
from sim.teach.replay import by_turn, give

TURNS = 6  # a short game keeps the tests fast; the method is the same for 36 months


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A 6-month game in which Turkey's team gave one order (in month 3): saved at month 3
    and played on by the computer to its end."""
    folder = tmp_path_factory.mktemp("forecast")
    m = ArbiterModel(scenario="astana_2017", seed=3, turns=TURNS, humans=("turkey",))
    m.run(2)
    m.choose("turkey", "hold")
    m.step()
    mid = saves.save(folder / "mid.arbiter", m)
    m.run()
    end = saves.save(folder / "end.arbiter", m)
    return mid, end


@pytest.fixture(scope="module")
def from_two(saved):
    """The finished game forecast from month 2, before the team's order."""
    return forecast(saves.read(saved[1]), 8, from_turn=2)


def test_the_same_forecast_whatever_the_number_of_workers(saved, from_two):
    other = forecast(saves.read(saved[1]), 8, from_turn=2, workers=2)
    pd.testing.assert_frame_equal(from_two.turns, other.turns)
    pd.testing.assert_frame_equal(from_two.fans, other.fans)
    pd.testing.assert_frame_equal(from_two.zones, other.zones)
    pd.testing.assert_frame_equal(from_two.percentiles, other.percentiles)
    assert from_two.summary() == other.summary()


def test_the_fan_starts_at_the_games_own_state_at_its_month(saved):
    game = saves.read(saved[0])
    f = forecast(game, 6)
    assert (f.from_turn, f.save_turn, f.end_turn) == (3, 3, TURNS)
    at = f.fans[f.fans["turn"] == 3]
    assert len(at) == len(f.metric_powers("leverage")) + len(f.metric_powers("standing")) > 0
    actual = f.actual[f.actual["turn"] == 3].iloc[0]
    for _, r in at.iterrows():
        v = actual[f"{r['metric']}.{r['actor']}"]
        assert r["q10"] == pytest.approx(v) and r["q50"] == pytest.approx(v) and r["q90"] == pytest.approx(v)
    # every run's first month is the saved game itself, zones included
    first = f.turns[f.turns["turn"] == 3]
    assert len(first) == 6
    for z in [c for c in f.turns.columns if c.startswith("control.")]:
        assert set(first[z].astype(str)) == {str(actual[z])}
    # and the runs then go their own ways
    last = f.turns[f.turns["turn"] == TURNS]
    assert last["standing.russia"].nunique() > 1
    assert f.compare_turn is None and f.percentiles.empty


def test_where_the_game_ended_is_placed_among_the_runs(saved, from_two):
    f = from_two
    assert f.compare_turn == TURNS
    assert set(zip(f.percentiles["actor"], f.percentiles["metric"])) == \
        {(a, m) for m in ("leverage", "standing") for a in f.metric_powers(m)}
    end = f.turns[f.turns["turn"] == TURNS]
    for _, r in f.percentiles.iterrows():
        x = end[f"{r['metric']}.{r['actor']}"].to_numpy(float)
        v = float(f.actual.loc[f.actual["turn"] == TURNS, f"{r['metric']}.{r['actor']}"].iloc[0])
        assert r["actual"] == pytest.approx(v)
        assert r["percentile"] == pytest.approx(100 * (np.sum(x < v) + 0.5 * np.sum(x == v)) / len(x))
        assert r["verdict"]
    text = f.summary()
    assert "Luck or policy?" in text and "percentile" in text
    # the team's order came after month 2: the reading says the result may be policy
    assert f.human_orders_after == 1 and "order(s) or answer(s) from players" in text
    assert forecast(saves.read(saved[1]), 4, from_turn=3).human_orders_after == 0


def test_a_run_is_the_saved_state_played_on_by_the_ai_with_the_batch_engines_seed(saved, from_two):
    game = saves.read(saved[1])
    i = 5
    m = ArbiterModel(scenario="astana_2017", seed=3, turns=TURNS, humans=("turkey",), record=False)
    inputs = by_turn(game.inputs)
    while m.world.turn < 2:
        give(m, inputs.get(m.world.turn, []))
        m.step()
    m.humans = set()  # the future is all AI: Turkey's order in month 3 is not given again
    m.rng = np.random.default_rng(run_seed(3, i))  # the default root seed is the save's seed
    m.run()
    row = from_two.ends[from_two.ends["run_id"] == i].iloc[0]
    assert row["seed"] == run_seed(3, i)
    for a in ("russia", "iran", "turkey", "us"):
        assert row[f"standing.{a}"] == pytest.approx(float(m.world.standing[m.world.s.actor(a)]), abs=1e-6)
    assert [str(row[f"control.{z}"]) for z in m.world.s.zone_ids] == \
        [m.world.s.actor_ids[int(h)] for h in m.world.control]


def test_from_the_start_the_runs_are_the_batch_engines_runs(saved):
    f = forecast(saves.read(saved[1]), 4, from_turn=0, seed=11)
    b = execute(plan("astana_2017", 4, seed=11, turns=TURNS), None, workers=1, progress=False, report=False)
    cols = [c for c in b.runs.columns if c.startswith(("control.", "leverage.", "standing.", "territory."))]
    assert f.ends["seed"].tolist() == b.runs["seed"].tolist()
    pd.testing.assert_frame_equal(f.ends[cols].astype(str), b.runs[cols].astype(str))


def test_the_seed_decides_the_runs(saved, from_two):
    game = saves.read(saved[1])
    again = forecast(game, 8, from_turn=2)
    pd.testing.assert_frame_equal(again.ends, from_two.ends)
    other = forecast(game, 8, from_turn=2, seed=4)
    assert other.root_seed == 4 and not other.ends["seed"].equals(from_two.ends["seed"])


@pytest.mark.parametrize("kw, message", [
    ({"from_turn": 4}, "--from-turn 4: expected a month from 0 to 3"),
    ({"turns": 4}, "--turns 4: expected 1 to 3 months"),
    ({"seed": -1}, "--seed -1"),
])
def test_bad_options_are_refused_with_what_was_expected(saved, kw, message):
    with pytest.raises(TeachError, match=message):
        forecast(saves.read(saved[0]), 2, **kw)


def test_a_finished_game_is_forecast_from_its_start_unless_told(saved):
    f = forecast(saves.read(saved[1]), 2)
    assert f.from_turn == 0 and f.compare_turn == TURNS


def test_the_command_prints_the_summary_and_writes_charts_and_pages(saved, tmp_path, capsys):
    out = tmp_path / "fc"
    assert main(["forecast", str(saved[1]), "--runs", "4", "--from-turn", "2", "--workers", "1",
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Forecast: 4 continuations" in text and "Who holds each zone" in text and "percentile" in text
    for name in ("forecast-leverage.png", "forecast-standing.png", "forecast-zones.png", "forecast.md",
                 "forecast.html"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0
    html = (out / "forecast.html").read_text()
    assert 'src="forecast-standing.png"' in html and "<script" not in html
    assert "arbiter forecast end.arbiter --from-turn 2 --runs 4" in html


@pytest.mark.parametrize("damage, message", [
    (lambda t: t[: len(t) // 2], "not readable JSON"),
    (lambda t: t.replace('"version": 1', '"version": 99'), "version 99"),
    (lambda t: t.replace('"version": 1', '"version": 0'), "version 0"),
    (lambda t: t.replace('"seed": 3', '"seed": 4'), "integrity check"),
])
def test_a_damaged_or_unknown_save_is_refused_with_exit_2(saved, tmp_path, capsys, damage, message):
    path = tmp_path / "bad.arbiter"
    path.write_text(damage(saved[0].read_text()))
    assert main(["forecast", str(path), "--runs", "2", "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert message in err and "bad.arbiter" in err and "Traceback" not in err


def test_the_forecast_keeps_no_clock_and_no_machine_in_its_files(saved, tmp_path):
    f = forecast(saves.read(saved[0]), 3, workers=1)
    files = f.write(tmp_path / "a", "mid.arbiter")
    g = forecast(saves.read(saved[0]), 3, workers=1)
    files_b = g.write(tmp_path / "b", "mid.arbiter")
    for p, q in zip(files, files_b):
        assert p.read_bytes() == q.read_bytes(), p.name
    assert str(tmp_path) not in (tmp_path / "a" / "forecast.md").read_text()
    assert json.loads(json.dumps(f.failures)) == []
