"""What a scenario author sees when a file is broken: the file, the right line, the field
path and what was expected.

Each broken file is scenarios/astana_2017.yaml with one small textual edit, so the line an
error must point at is found in the edited text rather than written down here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import Issue, ScenarioError, load_scenario
from sim.scenario.yamlsafe import MAX_BYTES

ASTANA = Path(__file__).resolve().parents[1] / "scenarios" / "astana_2017.yaml"
ARBITER_WEIGHT = '        weight: 0.30\n        note: "Stay the power'  # Russia's arbiter term


@pytest.fixture(autouse=True)
def _only_repo_scenarios(monkeypatch):
    monkeypatch.delenv("ARBITER_SCENARIOS", raising=False)


def line_of(text: str, snippet: str) -> int:
    """The 1-based line on which ``snippet`` (which must occur once) starts."""
    assert text.count(snippet) == 1, f"expected exactly one {snippet!r} in the scenario text"
    return text[: text.index(snippet)].count("\n") + 1


def edited(tmp_path: Path, old: str, new: str, name: str = "broken.yaml") -> tuple[Path, str]:
    """Write astana_2017.yaml with ``old`` (which must occur once) replaced by ``new``."""
    text = ASTANA.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"astana_2017.yaml no longer contains {old!r} exactly once"
    out = text.replace(old, new)
    path = tmp_path / name
    path.write_text(out, encoding="utf-8")
    return path, out


def problems(path: Path | str, overrides: list[str] | None = None) -> list[Issue]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    assert info.value.issues, "a ScenarioError must carry at least one issue"
    return info.value.issues


def the_issue(issues: list[Issue], path: str) -> Issue:
    found = [i for i in issues if i.path == path]
    assert found, f"no issue at {path!r}; got: {[str(i) for i in issues]}"
    return found[0]


def assert_points_at(issue: Issue, file: Path | str, line: int | None, *fragments: str) -> None:
    assert issue.file == str(file)
    assert issue.line == line
    for f in fragments:
        assert f in issue.message, f"{f!r} not in {issue.message!r}"
    where = f"{file}:{line}" if line else str(file)
    assert str(issue).startswith(where), str(issue)


# --- the file itself ----------------------------------------------------------------------


def test_yaml_syntax_error_names_the_line_of_the_bad_text(tmp_path):
    path, text = edited(tmp_path, "    name: Russia\n", "    name: Russia: the federation\n")
    [issue] = problems(path)
    assert_points_at(issue, path, line_of(text, "Russia: the federation"), "not valid YAML")


def test_empty_file_is_refused_with_a_message(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing here yet\n")
    [issue] = problems(path)
    assert_points_at(issue, path, 1, "empty", "expected a scenario mapping")


def test_top_level_list_is_refused_saying_what_was_found(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- id: astana_2017\n- title: x\n")
    [issue] = problems(path)
    assert_points_at(issue, path, 1, "expected a mapping", "found a list")


def test_file_over_the_size_limit_is_refused(tmp_path):
    text = ASTANA.read_text(encoding="utf-8")
    path = tmp_path / "huge.yaml"
    path.write_text(text + "# " + "x" * MAX_BYTES + "\n")
    [issue] = problems(path)
    assert_points_at(issue, path, None, f"the limit is {MAX_BYTES}")


def test_alias_bomb_is_refused(tmp_path):
    rows = ["lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    rows += [f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)]
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(rows) + "\n")
    [issue] = problems(path)
    assert issue.file == str(path)
    assert "alias" in issue.message and "refused" in issue.message


def test_duplicate_key_points_at_the_second_occurrence(tmp_path):
    path, text = edited(tmp_path, "    short: RUS\n", "    short: RUS\n    short: RUZ\n")
    issue = the_issue(problems(path), "actors.russia.short")
    assert_points_at(issue, path, line_of(text, "short: RUZ"), "duplicate key")


def test_key_that_yaml_reads_as_a_boolean_is_named(tmp_path):
    path, text = edited(tmp_path, "    short: RUS\n", "    on: RUS\n")
    issue = the_issue(problems(path), "actors.russia.on")
    assert_points_at(issue, path, line_of(text, "    on: RUS"), "'on'", "quotes")


def test_list_used_as_a_key_is_an_error_not_a_crash(tmp_path):
    path, text = edited(tmp_path, "    short: RUS\n", "    ? [a, b]\n    : RUS\n")
    issue = the_issue(problems(path), "actors.russia")
    assert_points_at(issue, path, line_of(text, "? [a, b]"), "a key must be a plain name")


# --- fields -------------------------------------------------------------------------------


def test_unknown_top_level_key_suggests_the_right_one(tmp_path):
    path, text = edited(tmp_path, 'title: "Astana', 'titel: "Astana')
    issue = the_issue(problems(path), "titel")
    assert_points_at(issue, path, line_of(text, "titel:"), "unknown key 'titel'", "did you mean 'title'")


def test_unknown_preference_key_suggests_weight(tmp_path):
    path, text = edited(tmp_path, ARBITER_WEIGHT, ARBITER_WEIGHT.replace("weight:", "weigth:"))
    issue = the_issue(problems(path), "actors.russia.preferences.arbiter.weigth")
    assert_points_at(issue, path, line_of(text, "weigth:"), "did you mean 'weight'", "expected one of")


def test_weight_given_as_a_word_asks_for_a_number(tmp_path):
    path, text = edited(tmp_path, ARBITER_WEIGHT, ARBITER_WEIGHT.replace("0.30", '"heavy"'))
    issue = the_issue(problems(path), "actors.russia.preferences.arbiter.weight")
    assert_points_at(issue, path, line_of(text, 'weight: "heavy"'), "valid number", "heavy")


def test_weight_above_one_names_the_limit_and_the_value(tmp_path):
    path, text = edited(tmp_path, ARBITER_WEIGHT, ARBITER_WEIGHT.replace("0.30", "1.5"))
    issue = the_issue(problems(path), "actors.russia.preferences.arbiter.weight")
    assert_points_at(issue, path, line_of(text, "weight: 1.5"), "less than or equal to 1", "1.5")


def test_trust_out_of_range_in_a_flow_mapping(tmp_path):
    old = "assad: {alignment: 0.8, trust: 0.2,"
    path, text = edited(tmp_path, old, old.replace("trust: 0.2", "trust: 2"))
    issue = the_issue(problems(path), "actors.russia.relations.assad.trust")
    assert_points_at(issue, path, line_of(text, "trust: 2,"), "less than or equal to 1", "2")


def test_unknown_preference_kind_suggests_the_nearest(tmp_path):
    old = "        kind: standing\n        weight: 0.30"
    path, text = edited(tmp_path, old, old.replace("standing", "standin"))
    issue = the_issue(problems(path), "actors.russia.preferences.arbiter.kind")
    assert_points_at(issue, path, line_of(text, "kind: standin\n"), "'territory'", "did you mean 'standing'")


def test_zone_without_controller_points_at_the_zone(tmp_path):
    old = "  idlib:\n    name: Idlib\n    controller: opposition\n"
    path, text = edited(tmp_path, old, "  idlib:\n    name: Idlib\n")
    issue = the_issue(problems(path), "zones.idlib.controller")
    assert_points_at(issue, path, line_of(text, "  idlib:\n    name: Idlib"), "required field is missing")


def test_event_date_in_the_wrong_format_says_yyyy_mm_dd(tmp_path):
    path, text = edited(tmp_path, "    date: 2017-06-01\n", "    date: June 2017\n")
    issues = problems(path)
    [issue] = [i for i in issues if i.path.endswith(".date")]
    assert_points_at(issue, path, line_of(text, "date: June 2017"), "YYYY-MM-DD", "June 2017")


def test_event_with_neither_date_nor_when_points_at_the_event(tmp_path):
    event = "  - id: push_toward_tanf\n"
    path, text = edited(tmp_path, "    date: 2017-06-01\n", "")
    index = text[text.index("\nevents:"): text.index(event)].count("\n  - id: ")
    issue = the_issue(problems(path), f"events.{index}")
    assert_points_at(issue, path, line_of(text, event), "needs a 'date' or a 'when'")


# --- effects (a union told apart by `type`) -------------------------------------------------


def test_misspelt_field_in_an_effect_suggests_the_field_of_that_effect_type(tmp_path):
    old = "{type: standing, actor: assad, delta: -0.02}"
    path, text = edited(tmp_path, old, old.replace("actor:", "actr:"))
    issues = problems(path)
    [issue] = [i for i in issues if i.path.endswith(".actr")]
    assert issue.path.startswith("events.0.effects.")  # no pydantic tag level in the path
    assert_points_at(issue, path, line_of(text, "actr: assad"), "did you mean 'actor'",
                     "expected one of: type, actor, delta")


def test_unknown_effect_type_suggests_the_nearest_type(tmp_path):
    old = "{type: standing, actor: assad, delta: -0.02}"
    path, text = edited(tmp_path, old, old.replace("standing", "standingg"))
    [issue] = [i for i in problems(path) if i.path.endswith(".type")]
    assert_points_at(issue, path, line_of(text, "standingg"), "unknown type 'standingg'",
                     "did you mean 'standing'", "set_control")


# --- references between parts of the scenario --------------------------------------------


def test_unknown_controller_suggests_the_actor(tmp_path):
    old = "    name: Idlib\n    controller: opposition\n"
    path, text = edited(tmp_path, old, old.replace("opposition", "oposition"))
    issue = the_issue(problems(path), "zones.idlib.controller")
    assert_points_at(issue, path, line_of(text, "controller: oposition"), "unknown actor 'oposition'",
                     "did you mean 'opposition'")


def test_unknown_neighbour_suggests_the_zone(tmp_path):
    old = "neighbors: [aleppo, afrin, hama, coast]"
    path, text = edited(tmp_path, old, old.replace("coast]", "coastt]"))
    issue = the_issue(problems(path), "zones.idlib.neighbors.3")
    assert_points_at(issue, path, line_of(text, "coastt]"), "unknown zone 'coastt'", "did you mean 'coast'")


def test_unknown_source_lists_the_articles(tmp_path):
    old = "    source: leverage-2017\n  aleppo:\n"
    path, text = edited(tmp_path, old, old.replace("2017", "2071"))
    issue = the_issue(problems(path), "zones.idlib.source")
    assert_points_at(issue, path, line_of(text, "leverage-2071"), "unknown source 'leverage-2071'",
                     "expected an article id", "leverage-2017", "assumption")
    assert issue.message.count("leverage-2071") == 1  # said once, not twice


def test_unknown_parameter_suggests_the_parameter(tmp_path):
    path, text = edited(tmp_path, "  decisiveness: 1.6\n", "  decisivness: 1.6\n")
    issue = the_issue(problems(path), "parameters.decisivness")
    assert_points_at(issue, path, line_of(text, "decisivness"), "unknown parameter",
                     "did you mean 'decisiveness'")


def test_parameter_out_of_range_gives_the_range(tmp_path):
    path, text = edited(tmp_path, "  decisiveness: 1.6\n", "  decisiveness: 9\n")
    issue = the_issue(problems(path), "parameters.decisiveness")
    assert_points_at(issue, path, line_of(text, "decisiveness: 9"), "outside the allowed range")


# --- extends ------------------------------------------------------------------------------


CHILD = """\
# a variant of Astana: Russia cares more about being the arbiter
extends: astana_2017
id: astana_variant
parameters:
  decisiveness: 2.5
actors:
  russia:
    preferences:
      arbiter:
        weight: 0.45
"""


def test_extends_inherits_everything_but_the_overrides(tmp_path):
    child = tmp_path / "variant.yaml"
    child.write_text(CHILD)
    base = load_scenario("astana_2017").scenario
    scn = load_scenario(child).scenario
    assert scn.id == "astana_variant"
    assert scn.parameters["decisiveness"] == 2.5
    assert base.parameters["decisiveness"] != 2.5
    arbiter, base_arbiter = scn.actors["russia"].preferences["arbiter"], base.actors["russia"].preferences["arbiter"]
    assert arbiter.weight == 0.45 and base_arbiter.weight != 0.45
    assert arbiter.model_dump(exclude={"weight"}) == base_arbiter.model_dump(exclude={"weight"})
    assert scn.actors["russia"].model_dump(exclude={"preferences"}) == \
        base.actors["russia"].model_dump(exclude={"preferences"})
    assert {k: v for k, v in scn.actors.items() if k != "russia"} == \
        {k: v for k, v in base.actors.items() if k != "russia"}
    assert (scn.zones, scn.events, scn.agreements, scn.title) == \
        (base.zones, base.events, base.agreements, base.title)


def test_error_in_an_extending_file_names_that_file_and_line(tmp_path):
    child = tmp_path / "variant.yaml"
    text = CHILD.replace("weight: 0.45", "weight: 1.45")
    child.write_text(text)
    issue = the_issue(problems(child), "actors.russia.preferences.arbiter.weight")
    assert_points_at(issue, child, line_of(text, "weight: 1.45"), "less than or equal to 1")


def test_extends_prefers_a_parent_in_the_same_folder(tmp_path):
    edited(tmp_path, 'title: "Astana', 'title: "Local copy of Astana', name="local_base.yaml")
    child = tmp_path / "child.yaml"
    child.write_text("extends: local_base\nid: child\n")
    assert load_scenario(child).scenario.title.startswith("Local copy of Astana")


def test_extends_a_missing_scenario_names_it_and_suggests(tmp_path):
    child = tmp_path / "variant.yaml"
    text = CHILD.replace("extends: astana_2017", "extends: astana_2071")
    child.write_text(text)
    [issue] = problems(child)
    assert issue.path == "extends"
    assert_points_at(issue, child, line_of(text, "extends:"), "cannot extend 'astana_2071'",
                     "did you mean 'astana_2017'")


def test_extends_cycle_points_at_the_extends_that_closes_it(tmp_path):
    (tmp_path / "first.yaml").write_text("# first\nextends: second\nid: first\n")
    (tmp_path / "second.yaml").write_text("id: second\n\nextends: first\n")
    [issue] = problems(tmp_path / "first.yaml")
    assert issue.path == "extends"
    assert_points_at(issue, tmp_path / "second.yaml", 3, "cycle", "first.yaml -> second.yaml -> first.yaml")


# --- --set overrides ----------------------------------------------------------------------


def test_set_with_a_misspelt_field_suggests_the_field():
    [issue] = problems(ASTANA, ["actors.russia.preferences.arbiter.weigth=0.2"])
    assert issue.file == "--set" and issue.path == "actors.russia.preferences.arbiter.weigth"
    assert "unknown field 'weigth'" in issue.message and "did you mean 'weight'" in issue.message


def test_set_with_a_misspelt_section_suggests_the_section():
    [issue] = problems(ASTANA, ["actorz.russia.name=Rus"])
    assert issue.file == "--set" and "did you mean 'actors'" in issue.message


def test_set_with_a_misspelt_parameter_is_blamed_on_the_override():
    [issue] = problems(ASTANA, ["parameters.decisivness=2"])
    assert (issue.file, issue.line, issue.path) == ("--set", None, "parameters.decisivness")
    assert "did you mean 'decisiveness'" in issue.message


def test_set_that_makes_the_scenario_invalid_is_blamed_on_the_override():
    [issue] = problems(ASTANA, ["actors.russia.preferences.arbiter.weight=1.5"])
    assert (issue.file, issue.line, issue.path) == ("--set", None, "actors.russia.preferences.arbiter.weight")
    assert "less than or equal to 1" in issue.message and "1.5" in issue.message
    assert str(issue).startswith("--set: actors.russia.preferences.arbiter.weight:")


def test_set_that_takes_effect():
    scn = load_scenario(ASTANA, ["actors.russia.preferences.arbiter.weight=0.5",
                                 "parameters.decisiveness=2.5"]).scenario
    assert scn.actors["russia"].preferences["arbiter"].weight == 0.5
    assert scn.parameters["decisiveness"] == 2.5


def test_the_shipped_scenario_loads():
    assert load_scenario(ASTANA).scenario.id == "astana_2017"


# --- bargaining issues, settlement terms, trades with promises ----------------------------


IFU = ASTANA.parent / "iran_for_ukraine_2018.yaml"


def edited_ifu(tmp_path, old, new):
    text = IFU.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    text = text.replace(old, new)
    path = tmp_path / "iran_for_ukraine_2018.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def test_a_settlement_term_naming_an_unknown_issue_is_pointed_at(tmp_path):
    old = "        issues: [iran_presence]\n        weight: 0.10\n        note: \"Stay in Syria"
    path, text = edited_ifu(tmp_path, old, old.replace("[iran_presence]", "[iran_presense]"))
    issue = the_issue(problems(path), "actors.iran.preferences.settlement.issues.0")
    assert_points_at(issue, path, line_of(text, "issues: [iran_presense]"), "unknown issue 'iran_presense'",
                     "did you mean 'iran_presence'")


def test_a_promise_by_someone_outside_the_trade_is_refused(tmp_path):
    old = "      - id: curb_iran\n        actor: russia"
    path, text = edited_ifu(tmp_path, old, old.replace("actor: russia", "actor: turkey"))
    issue = the_issue(problems(path), "trades.0.promises.0.actor")
    assert_points_at(issue, path, line_of(text, "actor: turkey\n        text: \"Iran's"), "a side of the trade")


def test_an_issue_position_outside_the_line_is_refused(tmp_path):
    old = "      iran: {position: 1.0, salience: 0.85, source: iran-for-ukraine-2018}"
    path, text = edited_ifu(tmp_path, old, old.replace("position: 1.0", "position: 1.5"))
    issue = the_issue(problems(path), "issues.iran_presence.positions.iran.position")
    assert_points_at(issue, path, line_of(text, "position: 1.5"), "less than or equal to 1")
