"""Saved games: a save brings the game back exactly; a damaged, foreign or newer file is refused."""

import json

import pytest

from sim import saves
from sim.model.model import ArbiterModel


def _played(turns=5, seed=3):
    m = ArbiterModel(scenario="astana_2017", seed=seed, humans=("russia",))
    m.run(2)
    acts = m.legal_actions(m.world.s.actor("russia"))
    action, target, _ = acts[-1]  # the least attractive: surely not what the AI would do
    m.choose("russia", action, target)
    m.run(turns - 2)
    return m, (action, target)


def test_a_save_reloads_the_same_game_and_it_plays_on_identically(tmp_path):
    m, (action, target) = _played()
    path = saves.save(tmp_path / "g.arbiter", m)
    back, game = saves.load(path)
    assert back.world.turn == 5 and game.humans == ["russia"]
    assert back.records[-1]["control"] == m.records[-1]["control"]
    assert back.records[-1]["influence"] == m.records[-1]["influence"]
    assert back.inputs == m.inputs == [{"turn": 2, "given": [["choose", "russia", action, target]]}]
    m.run(3)
    back.run(3)
    assert back.records[-1]["influence"] == m.records[-1]["influence"]


def test_the_human_choice_is_part_of_the_save(tmp_path):
    """Without the saved input the game would replay the AI's choice and differ."""
    m, _ = _played()
    path = saves.save(tmp_path / "g.arbiter", m)
    doc = json.loads(path.read_text())
    doc["inputs"] = []
    doc.pop("checksum")
    doc["checksum"] = saves.hashlib.sha256(saves._canonical(doc)).hexdigest()
    path.write_text(json.dumps(doc))
    with pytest.raises(saves.SaveError, match="replays differently"):
        saves.load(path)


@pytest.mark.parametrize("damage, message", [
    (lambda t: t.replace('"seed": 3', '"seed": 4'), "integrity check"),
    (lambda t: t[: len(t) // 2], "not readable JSON"),
    (lambda t: "\x89PNG\r\n" + t, "not readable JSON"),
    (lambda t: json.dumps({"format": "something-else"}), "not an Arbiter save"),
    (lambda t: t.replace('"version": 1', '"version": 99'), "newer than this Arbiter reads"),
])
def test_a_damaged_or_foreign_save_is_refused_with_a_message(tmp_path, damage, message):
    m, _ = _played(turns=3)
    path = saves.save(tmp_path / "g.arbiter", m)
    path.write_text(damage(path.read_text()))
    with pytest.raises(saves.SaveError, match=message) as err:
        saves.load(path)
    assert "g.arbiter" in str(err.value) or "replays" in str(err.value)


def test_a_save_carries_its_scenario_so_it_loads_when_the_file_has_changed(tmp_path):
    src = tmp_path / "mine.yaml"
    src.write_text("extends: astana_2017\nid: mine\ntitle: Mine\n")
    m = ArbiterModel(scenario=str(src), seed=2)
    m.run(3)
    path = saves.save(tmp_path / "g.arbiter", m)
    src.write_text("this file is gone")
    back, _ = saves.load(path)
    assert back.scenario.id == "mine" and back.world.turn == 3
    assert back.records[-1]["influence"] == m.records[-1]["influence"]


def test_a_game_without_a_seed_cannot_be_saved(tmp_path):
    m = ArbiterModel(scenario="astana_2017", seed=None)
    with pytest.raises(saves.SaveError, match="no seed"):
        saves.save(tmp_path / "g.arbiter", m)


def test_extras_can_be_added_to_a_save_without_replaying_it(tmp_path):
    m, _ = _played(turns=3)
    path = saves.save(tmp_path / "g.arbiter", m, extras={"predictions": []})
    game = saves.read(path)
    game.extras["predictions"].append({"text": "Idlib stays outside regime control"})
    saves.write_game(path, game)
    back, again = saves.load(path)
    assert again.extras["predictions"] == [{"text": "Idlib stays outside regime control"}]
    assert back.records[-1]["influence"] == m.records[-1]["influence"]
