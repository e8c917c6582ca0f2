"""Predictions: the controlled language, judging on constructed and played states, lists, and
the predict command on a save."""

import json
import re
from pathlib import Path

import pytest

from sim import saves
from sim.cli import main
from sim.model.influence import compute_influence
from sim.model.model import ArbiterModel
from sim.model.state import build_world
from sim.scenario import load_scenario
from sim.teach import predictions as P
from sim.teach.common import TeachError


@pytest.fixture(scope="module")
def astana():
    return load_scenario("astana_2017")


@pytest.fixture(scope="module")
def ifu():
    return load_scenario("iran_for_ukraine_2018")


def _fields(p):
    d = p.to_dict()
    d.pop("text")
    return d


# May 2017 is turn 0 of astana_2017: May 2019 is turn 24, December 2018 turn 19, January 2019 turn 20
@pytest.mark.parametrize("text, expected", [
    ("Idlib is still outside regime control in May 2019",
     {"kind": "control", "zone": "idlib", "actor": "assad", "negated": True, "when": 24, "mode": "at"}),
    ("Idlib is under regime control by 2018-12",
     {"kind": "control", "zone": "idlib", "actor": "assad", "when": 19, "mode": "by"}),
    ("Iran's presence falls below half of today's",
     {"kind": "measure", "quantity": "presence", "actor": "iran", "op": "below", "relative": 0.5,
      "when": "end", "mode": "at"}),
    ("Russia's leverage over Damascus is above 0.5 at the end",
     {"kind": "measure", "quantity": "leverage", "actor": "russia", "op": "above", "value": 0.5, "when": "end"}),
    ("The Astana de-escalation zones are still in force in 2019-01",
     {"kind": "agreement", "agreement": "astana_zones", "when": 20, "mode": "at"}),
    ("Turkey holds Afrin at the end", {"kind": "control", "zone": "afrin", "actor": "turkey", "when": "end"}),
    ("America loses al-Tanf", {"kind": "control", "zone": "al_tanf", "actor": "us", "negated": True}),
    ("In May 2019, Idlib is in the regime's hands", {"kind": "control", "zone": "idlib", "actor": "assad", "when": 24}),
    ("Sanctions on Russia fall below 20% within 12 months",
     {"kind": "measure", "quantity": "sanctions", "actor": "russia", "op": "below", "value": 0.2, "when": 12,
      "mode": "by"}),
    ("Iran's presence in Damascus and Daraa is below 0.05",
     {"kind": "measure", "quantity": "presence", "actor": "iran", "zones": ["damascus", "daraa"], "value": 0.05}),
    ("The southern ceasefire has collapsed by the end of 2017",
     {"kind": "agreement", "agreement": "southern_ceasefire", "negated": True, "when": 7, "mode": "by"}),
    ("No agreement covers Daraa", {"kind": "covered", "zone": "daraa", "negated": True}),
    ("The United States will hold Tanf in 6 months", {"kind": "control", "zone": "al_tanf", "actor": "us", "when": 6}),
])
def test_each_pattern_reads_to_the_right_record(astana, text, expected):
    got = _fields(P.parse(text, astana))
    for key, value in expected.items():
        assert got.get(key, False if key == "negated" else None) == value, key
    assert "negated" in expected or not got.get("negated")


def test_a_trade_statement_reads_in_a_scenario_with_that_trade(ifu, astana):
    p = P.parse("The Iran for Ukraine deal is not signed", ifu)
    assert (p.kind, p.trade, p.negated) == ("trade", "iran_for_ukraine", True)
    with pytest.raises(TeachError, match="not a trade of this scenario"):
        P.parse("The Iran for Ukraine deal is signed", astana)


def test_today_is_the_figure_in_the_month_the_prediction_is_made(astana):
    m = ArbiterModel(scenario=astana, seed=2)
    m.run(3)
    p = P.parse("Iran's presence falls below half of today's", None, ctx=P.context_for(m))
    now = float(m.world.ground[m.world.s.actor("iran")].sum() / m.world.s.norm[m.world.s.actor("iran")])
    assert p.made_at_turn == 3 and p.baseline == pytest.approx(now, abs=1e-6)
    assert p.value == pytest.approx(now / 2, abs=1e-6)


@pytest.mark.parametrize("text, message", [
    ("Idlib is nice", "Accepted statements"),
    ("Russia wins", "Accepted statements"),
    ("Idlibb is under regime control", "did you mean Idlib"),
    ("Idlib is under French control", "no actor called"),
    ("Idlib is under regime control in 2019", "say which month"),
    ("Idlib is under regime control in May 2021", "after this game's last month"),
    ("Idlib is under regime control in April 2017", "before the first month played"),
    ("Russia's leverage over Damascus is above 7", "runs from 0 to 1"),
    ("Iran's presence falls below lots", "is not a value"),
    ("", "empty"),
])
def test_bad_statements_are_refused_with_help(astana, text, message):
    with pytest.raises(TeachError, match=message) as err:
        P.parse(text, astana)
    if message == "Accepted statements":
        assert "Turkey holds Afrin" in str(err.value) and "by 2018-12" in str(err.value)


def test_a_month_already_played_is_refused(astana):
    m = ArbiterModel(scenario=astana, seed=2)
    m.run(5)
    with pytest.raises(TeachError, match="already been played"):
        P.parse("Turkey holds Afrin in June 2017", None, ctx=P.context_for(m))


def test_the_words_written_for_a_record_read_back_as_the_same_record(astana):
    ctx = P.Context.of(astana)
    for text in ("Idlib is outside regime control by 2018-12", "Iran's presence in Damascus and Daraa is below 0.05",
                 "The Astana zones are in force in 2019-01", "Russia's leverage over Damascus is above 0.1",
                 "Daraa is under an agreement", "Sanctions on Russia fall below 0.3"):
        p = P.parse(text, astana)
        again = P.parse(P.describe(p, ctx.names, ctx), astana)
        assert _fields(again) == _fields(p)


# --- judging ------------------------------------------------------------------------------------


def _world(astana, turn):
    w = build_world(astana.scenario)
    compute_influence(w)
    w.turn = turn
    return w


def test_a_claim_is_true_in_one_situation_and_false_in_another(astana):
    s = _world(astana, 0).s
    p = P.parse("Idlib is under regime control at the end", astana)
    w = _world(astana, s.turns)
    w.control[s.zone("idlib")] = s.actor("assad")
    assert p.check(w) is True
    w.control[s.zone("idlib")] = s.actor("opposition")
    assert p.check(w) is False
    assert p.check(_world(astana, 10)) is None  # its month has not come
    gone = P.parse("The Astana zones are not in force in 2018-01", astana)
    w = _world(astana, 8)
    assert gone.check(w) is False
    w.agreements = tuple(a for a in w.agreements if a.id != "astana_zones")
    assert gone.check(w) is True
    fewer = P.parse("Iran's presence falls below half of today's", astana)
    w = _world(astana, s.turns)
    assert fewer.check(w) is False
    w.ground[s.actor("iran")] *= 0.4
    assert fewer.check(w) is True


def test_judged_on_the_game_month_by_month_as_the_records_say(astana):
    m = ArbiterModel(scenario=astana, seed=5)
    m.run()
    held = [r["control"]["idlib"] == "assad" for r in m.records]  # records[i] is turn i + 1
    at10 = P.parse("Idlib is under regime control in month 10", astana)
    by_end = P.parse("Idlib is under regime control by the end", astana)
    never = P.parse("Idlib is outside regime control by the end", astana)
    j10, jby, jnever = P.judge([at10, by_end, never], m)
    assert (j10.status == "true") == held[9] and j10.turn == 10
    if any(held):
        assert jby.status == "true" and jby.turn == held.index(True) + 1
    else:
        assert jby.status == "false" and jby.turn == m.turns
    if not all(held):
        assert jnever.status == "true" and jnever.turn == held.index(False) + 1
    # a game half played: the later claims are not decided yet
    half = ArbiterModel(scenario=astana, seed=5)
    half.run(6)
    assert [j.status for j in P.judge([at10, P.parse("Turkey holds Afrin", astana)], half)] == ["open", "open"]


def test_a_list_reads_statements_and_structured_entries_with_lines_for_errors(ifu):
    text = Path(__file__).resolve().parents[2].joinpath("docs", "classroom.md").read_text()
    block = re.search(r"```yaml\n(# predictions.yaml.*?)```", text, re.S).group(1)
    preds = P.read_list(block, ifu, by="Class")
    assert len(preds) == 7
    assert preds[0].kind == "control" and preds[0].by == "Class"
    assert preds[1].by == "Team United States" and preds[1].relative == 0.5
    structured = preds[2]
    assert (structured.zone, structured.actor, structured.negated, structured.when, structured.mode) == \
        ("idlib", "assad", True, 10, "at")  # July 2018 + 10 months = May 2019
    assert structured.text == "Assad regime does not hold Idlib in May 2019"
    assert [p.kind for p in preds[3:]] == ["measure", "agreement", "trade", "covered"]
    with pytest.raises(TeachError) as err:
        P.read_list("- Turkey holds Afrin\n- Idlib is lovely\n- kind: control\n  zone: nowhere\n  actor: us\n", ifu)
    assert "line 2" in str(err.value) and "line 3" in str(err.value) and "nowhere" in str(err.value)
    with pytest.raises(TeachError, match="unknown field"):
        P.read_list("- kind: control\n  zone: idlib\n  actor: us\n  whenever: soon\n", ifu)
    with pytest.raises(TeachError, match="made_at_turn is set by 'arbiter predict'"):
        P.read_list("- text: Turkey holds Afrin\n  made_at_turn: 0\n", ifu)


# --- the command --------------------------------------------------------------------------------


@pytest.fixture
def save(tmp_path, astana):
    m = ArbiterModel(scenario=astana, seed=3, humans=("turkey",))
    m.run(2)
    m.choose("turkey", "hold")
    m.run(2)
    return saves.save(tmp_path / "class.arbiter", m), m


def test_predict_adds_to_the_save_and_the_save_still_loads(save, capsys):
    path, m = save
    assert main(["predict", str(path), "Turkey holds Afrin at the end", "Iran's presence falls below half of today's",
                 "--by", "Team Turkey"]) == 0
    out = capsys.readouterr().out
    assert "Added 2 predictions" in out and "September 2017" in out and "not yet decided" in out
    back, game = saves.load(path)  # replays and checks the fingerprint
    assert back.world.turn == 4 and back.records[-1]["control"] == m.records[-1]["control"]
    recs = game.extras["predictions"]
    assert [r["id"] for r in recs] == ["p1", "p2"]
    assert all(r["made_at_turn"] == 4 and r["by"] == "Team Turkey" for r in recs)
    assert recs[1]["relative"] == 0.5 and recs[1]["baseline"] > 0
    # more later, and the same one again is not added twice
    assert main(["predict", str(path), "Turkey holds Afrin at the end", "Idlib is held by Assad by 2018-12",
                 "--by", "Team Turkey"]) == 0
    assert "Added 1 prediction" in capsys.readouterr().out
    assert [r["id"] for r in saves.read(path).extras["predictions"]] == ["p1", "p2", "p3"]


def test_list_shows_each_prediction_with_how_it_stands(save, capsys):
    path, m = save
    assert main(["predict", str(path), "--list"]) == 0
    assert "no predictions yet" in capsys.readouterr().out
    assert main(["predict", str(path), "Idlib is under regime control in September 2017",
                 "Turkey holds Afrin at the end"]) == 0
    capsys.readouterr()
    assert main(["predict", str(path), "--list"]) == 0
    out = capsys.readouterr().out
    held = m.records[-1]["control"]["idlib"] == "assad"
    assert f"{'came true' if held else 'did not come true'}: judged in September 2017 (turn 4)" in out
    assert "p2" in out and "not yet decided: judged at the end (May 2020, turn 36)" in out
    assert f"{1 if held else 0} came true, {0 if held else 1} did not, 1 not yet decided" in out


def test_a_bad_statement_adds_nothing(save, capsys):
    path, _ = save
    before = path.read_bytes()
    assert main(["predict", str(path), "Turkey holds Afrin", "Idlib is lovely"]) == 2
    err = capsys.readouterr().err
    assert "nothing was added" in err and "Accepted statements" in err and "Traceback" not in err
    assert path.read_bytes() == before
    assert main(["predict", str(path)]) == 2
    assert main(["predict", str(path.with_name("missing.arbiter")), "Turkey holds Afrin"]) == 2
    path.with_name("junk.arbiter").write_text("{}")
    assert main(["predict", str(path.with_name("junk.arbiter")), "--list"]) == 2


def test_score_judges_the_predictions_kept_in_a_save(save):
    path, _ = save
    assert main(["predict", str(path), "Turkey holds Afrin at the end"]) == 0
    game = saves.read(path)
    model = saves.restore(game)
    [j] = P.score(game, model)
    assert j.status == "open"
    model.run()  # played on to the end by the AI
    [j] = P.judge(P.stored(game, model), model)
    assert j.status == ("true" if model.records[-1]["control"]["afrin"] == "turkey" else "false") and j.turn == 36


def test_save_extras_stay_json(save):
    path, _ = save
    assert main(["predict", str(path), "Russia's leverage over Damascus is above 0.05 at the end"]) == 0
    doc = json.loads(path.read_text())
    assert doc["extras"]["predictions"][0]["quantity"] == "leverage"
