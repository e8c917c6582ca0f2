"""The command line as a user meets it: exit codes, what is printed, what is written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main
from sim.scenario import load_scenario

REPO = Path(__file__).resolve().parents[1]
ASTANA = REPO / "scenarios" / "astana_2017.yaml"
EU_CSV = REPO / "scenarios" / "bargaining" / "eu_emissions.csv"


@pytest.fixture(autouse=True)
def _only_repo_scenarios(monkeypatch):
    monkeypatch.delenv("ARBITER_SCENARIOS", raising=False)


def broken_scenario(tmp_path: Path) -> tuple[Path, int]:
    """astana_2017.yaml with Russia's arbiter weight set to 1.5; returns (file, its line)."""
    old = '        weight: 0.30\n        note: "Stay the power'
    text = ASTANA.read_text(encoding="utf-8")
    assert text.count(old) == 1
    text = text.replace(old, old.replace("0.30", "1.5"))
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text[: text.index("weight: 1.5")].count("\n") + 1


def assert_short_error(err: str, *fragments: str) -> None:
    assert "Traceback" not in err
    assert err.startswith("error: ")
    assert len(err.strip().splitlines()) <= 3, err
    for f in fragments:
        assert f in err, f"{f!r} not in {err!r}"


def run_json(tmp_path: Path, name: str, *extra: str) -> dict:
    out = tmp_path / name
    assert main(["run", "astana_2017", "--turns", "2", "--seed", "3", "--quiet", "--json", str(out), *extra]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


# --- list, validate, schema ---------------------------------------------------------------


def test_list_shows_astana_with_its_start_month(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    start = load_scenario("astana_2017").scenario.start.isoformat()[:7]
    [row] = [line for line in out.splitlines() if line.split()[:1] == ["astana_2017"]]
    assert start in row


def test_validate_accepts_the_shipped_scenario(capsys):
    assert main(["validate", "scenarios/astana_2017.yaml"]) == 0
    assert "ok" in capsys.readouterr().out


def test_validate_reports_file_and_line_of_a_broken_scenario(tmp_path, capsys):
    path, line = broken_scenario(tmp_path)
    assert main(["validate", str(path)]) == 2
    captured = capsys.readouterr()
    assert f"{path}:{line}: actors.russia.preferences.arbiter.weight:" in captured.err
    assert "Traceback" not in captured.err and "ok" not in captured.out


def test_schema_is_json_describing_actors_and_zones(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert {"actors", "zones"} <= set(schema["properties"])


def test_entry_point_runs_as_a_script(tmp_path):
    path, line = broken_scenario(tmp_path)
    proc = subprocess.run([sys.executable, "run_sim.py", "validate", "scenarios/astana_2017.yaml", str(path)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "astana_2017.yaml: ok" in proc.stdout
    assert f"{path}:{line}:" in proc.stderr and "Traceback" not in proc.stderr


# --- run ----------------------------------------------------------------------------------


def test_run_prints_each_month_and_a_closing_table_and_writes_the_record(tmp_path, capsys):
    out = tmp_path / "record.json"
    assert main(["run", "astana_2017", "--turns", "2", "--seed", "3", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["scenario"] == "astana_2017" and record["seed"] == 3
    assert len(record["turns"]) == 2
    for turn in record["turns"]:
        assert {"date", "control", "influence", "decisions"} <= set(turn)
        assert turn["decisions"], "every month some actor decides"
        for d in turn["decisions"]:
            assert all("source" in b for b in d["breakdown"])
        assert turn["date"] in text.splitlines(), f"no account for {turn['date']}"
    table = text[text.index("Control"):]  # the closing table comes after the last month
    assert text.index(record["turns"][-1]["date"]) < text.index("Control")
    for zone in load_scenario("astana_2017").scenario.zones.values():
        assert zone.name in table


def test_run_unknown_scenario_suggests_the_id(capsys):
    assert main(["run", "astana_2071"]) == 2
    captured = capsys.readouterr()
    assert_short_error(captured.err, "astana_2071", "did you mean 'astana_2017'")
    assert captured.out == ""


@pytest.mark.parametrize("turns, says", [("0", "at least 1"), ("x", "whole number")])
def test_run_with_bad_turns_gives_one_short_message(turns, says, capsys):
    assert main(["run", "--turns", turns]) == 2
    captured = capsys.readouterr()
    assert_short_error(captured.err, "--turns", says)
    assert captured.out == ""


def test_set_decisiveness_changes_what_happens(tmp_path):
    plain = run_json(tmp_path, "plain.json")
    again = run_json(tmp_path, "again.json")
    decisive = run_json(tmp_path, "decisive.json", "--set", "parameters.decisiveness=2.5")
    assert plain["turns"] == again["turns"]  # same seed, same story
    assert [t["outcomes"] for t in decisive["turns"]] != [t["outcomes"] for t in plain["turns"]]


def test_set_unknown_path_is_refused(capsys):
    assert main(["run", "--turns", "1", "--set", "nosuch.path=1"]) == 2
    captured = capsys.readouterr()
    assert_short_error(captured.err, "--set", "nosuch.path", "unknown field 'nosuch'")
    assert captured.out == ""


def test_set_misspelt_path_suggests_the_field(capsys):
    assert main(["run", "--turns", "1", "--set", "parameters.decisiveness=2", "--set",
                 "actors.russia.preferences.arbiter.weigth=0.2"]) == 2
    assert "did you mean 'weight'" in capsys.readouterr().err


# --- bargain ------------------------------------------------------------------------------


def test_bargain_writes_initial_and_rounds(tmp_path, capsys):
    out = tmp_path / "bargain.json"
    assert main(["bargain", str(EU_CSV), "--rounds", "2", "--json", str(out)]) == 0
    assert "Round 1" in capsys.readouterr().out
    result = json.loads(out.read_text(encoding="utf-8"))
    assert {"initial", "rounds"} <= set(result)
    assert isinstance(result["rounds"], list) and 1 <= len(result["rounds"]) <= 2
    assert "median" in result["initial"]


def test_bargain_refuses_a_negative_capability(tmp_path, capsys):
    table = tmp_path / "bad.csv"
    table.write_text("actor,capability,position,salience\nA,0.5,1,0.5\nB,-0.2,9,0.5\n")
    assert main(["bargain", str(table)]) == 2
    captured = capsys.readouterr()
    assert_short_error(captured.err, str(table), "capability")
    assert captured.out == ""


def test_explain_shows_each_term_with_its_source(tmp_path, capsys):
    out = tmp_path / "run.json"
    assert main(["run", "astana_2017", "--turns", "2", "--seed", "4", "--quiet", "--json", str(out)]) == 0
    capsys.readouterr()
    assert main(["explain", str(out), "--turn", "2", "--actor", "russia"]) == 0
    text = capsys.readouterr().out
    record = json.loads(out.read_text())
    chosen = [d for d in record["turns"][1]["decisions"] if d["actor"] == "russia"]
    for d in chosen:
        assert d["text"] in text
        for b in d["breakdown"]:
            assert f"{b['term']}" in text and f"[{b['source']}]" in text
    assert "Military track" in text and "Diplomatic track" in text
    assert "leverage-2017: Is Russia Really with Assad in Syria?" in text


def test_explain_refuses_a_missing_turn_or_actor_or_a_foreign_file(tmp_path, capsys):
    out = tmp_path / "run.json"
    main(["run", "astana_2017", "--turns", "2", "--quiet", "--json", str(out)])
    capsys.readouterr()
    assert main(["explain", str(out), "--turn", "9", "--actor", "russia"]) == 2
    assert "no turn 9" in capsys.readouterr().err
    assert main(["explain", str(out), "--turn", "1", "--actor", "rusia"]) == 2
    assert "no actor 'rusia'" in capsys.readouterr().err
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    assert main(["explain", str(other), "--turn", "1", "--actor", "russia"]) == 2
    assert "not a run record" in capsys.readouterr().err


def test_run_explain_prints_the_why_after_each_month(capsys):
    assert main(["run", "astana_2017", "--turns", "2", "--explain", "iran"]) == 0
    text = capsys.readouterr().out
    assert text.count("Iran, 2017-") == 2 and "[iran-for-ukraine-2018]" in text


# --- contested weights ---------------------------------------------------------------------


def test_contested_lists_each_interpretation_with_its_alternatives(capsys):
    assert main(["contested", "astana_2017"]) == 0
    out = capsys.readouterr().out
    assert "russia.arbiter  weight 0.30  [leverage-2017]" in out
    assert "=1: weight 0.15  [alliance-2016]" in out


def test_run_with_an_alternative_weight_records_it_and_changes_the_run(tmp_path, capsys):
    base, alt = tmp_path / "base.json", tmp_path / "alt.json"
    assert main(["run", "astana_2017", "--turns", "8", "--quiet", "--json", str(base)]) == 0
    assert main(["run", "astana_2017", "--turns", "8", "--quiet", "--json", str(alt),
                 "--alternative", "iran.presence"]) == 0
    a, b = json.loads(base.read_text()), json.loads(alt.read_text())
    assert b["overrides"] == ["actors.iran.preferences.presence.weight=0.15"]
    iran = next(t for t in b["actors"]["iran"]["preferences"] if t["term"] == "presence")
    assert iran["weight"] == 0.15
    assert a["turns"] != b["turns"]


def test_an_unknown_or_out_of_range_alternative_is_refused(capsys):
    assert main(["run", "astana_2017", "--alternative", "russia.arbitr"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'russia.arbiter'" in err and "contested terms: russia.arbiter, iran.presence" in err
    assert main(["run", "astana_2017", "--alternative", "russia.arbiter=3"]) == 2
    assert "from 1 to 1" in capsys.readouterr().err


def test_screenshot_command_writes_a_png_of_the_requested_size(tmp_path, monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    out = tmp_path / "map.png"
    assert main(["screenshot", "astana_2017", "--turn", "2", "--out", str(out), "--size", "640x400"]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    import struct
    w, h = struct.unpack(">II", out.read_bytes()[16:24])
    assert (w, h) == (640, 400)
    assert main(["screenshot", "astana_2017", "--turn", "2", "--out", str(out), "--view", "nope"]) == 2


def test_run_save_writes_a_game_that_loads_at_the_same_month(tmp_path, capsys):
    from sim import saves

    out = tmp_path / "class.arbiter"
    assert main(["run", "astana_2017", "--turns", "4", "--seed", "7", "--quiet", "--save", str(out)]) == 0
    model, game = saves.load(out)
    assert (game.seed, game.turn, model.world.turn) == (7, 4, 4)
    assert main(["run", "astana_2017", "--turns", "1", "--quiet", "--save", str(tmp_path)]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_no_command_without_a_display_says_so_and_plays_headless(monkeypatch, capsys):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert main([]) == 0
    captured = capsys.readouterr()
    assert "No display found" in captured.err
    assert "Astana" in captured.out


def test_no_command_with_a_display_opens_the_game(monkeypatch):
    import sim.ui.commands as ui_commands

    opened = []
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.delenv("SDL_VIDEODRIVER", raising=False)
    monkeypatch.setattr(ui_commands, "main", lambda name, argv: opened.append((name, argv)) or 0)
    assert main([]) == 0
    assert opened == [("play", [])]


def test_run_stop_after_saves_a_game_that_keeps_its_full_length(tmp_path, capsys):
    from sim import saves

    out = tmp_path / "start.arbiter"
    assert main(["run", "astana_2017", "--stop-after", "0", "--quiet", "--save", str(out)]) == 0
    model, game = saves.load(out)
    assert (game.turn, game.turns, model.running) == (0, 36, True)
    assert "so far" in capsys.readouterr().out  # the score is not final yet
