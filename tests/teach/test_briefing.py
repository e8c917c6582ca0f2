"""Role briefings: complete (goals with sources, forces, options, objectives, three questions,
the simplification statement), printable, well-formed, deterministic; the command's files."""

import re
from html.parser import HTMLParser

import pytest

import sim
from sim.cli import main
from sim.scenario import load_scenario
from sim.teach import briefing
from sim.teach.common import SIMPLIFICATION, cite, humanise
from sim.teach.render import to_html, to_markdown


@pytest.fixture(scope="module")
def astana():
    return load_scenario("astana_2017")


@pytest.fixture(scope="module")
def russia(astana):
    b = briefing.build(astana, "russia")
    return b, to_markdown(b.doc), to_html(b.doc)


def _text(html: str) -> str:
    """The page's text as a reader sees it (tags dropped, entities read)."""
    import html as h

    return h.unescape(re.sub(r"<[^>]+>", "", html))


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_every_goal_is_there_with_its_weight_note_and_source(astana, russia, fmt):
    _, md, page = russia
    text = md if fmt == "md" else _text(page)
    for name, term in astana.scenario.actors["russia"].preferences.items():
        row = next(line for line in text.splitlines() if f"{humanise(name)}" in line and name in line)
        assert f"{term.weight:.2f}" in row and cite(term.source) in row and term.note in row


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_objectives_forces_questions_and_the_statement_are_there(astana, russia, fmt):
    b, md, page = russia
    text = md if fmt == "md" else _text(page)
    for obj in astana.scenario.objectives["russia"]:
        assert obj.text in text
    assert "100 points are at stake" in text
    # forces at the start: Russia's units on the coast, its reserve, air, money and sanctions
    assert re.search(r"Latakia and Tartus[ |]*1\.5", text)
    for fact in ("In reserve, ready to send in: 2.0 units", "Air power: 8", "Treasury: 10.0", "Sanctions on you: 40%"):
        assert fact in text
    assert len(b.questions) == 3 and all(q in text for q in b.questions)
    assert "is contested" in b.questions[0]  # Russia's arbiter weight has another reading
    assert SIMPLIFICATION in text
    assert f"Arbiter {sim.__version__}" in text and astana.digest in text


def test_options_are_the_actions_the_scenario_allows(astana):
    text = briefing.markdown(astana, "russia")
    for label in ("**Air campaign**", "**Ground offensive**", "**Pressure client**", "**Offer trade**"):
        assert label in text
    assert "Open at the start: Assad regime" in text  # Russia's client is the one it can press


def test_a_power_without_objectives_is_told_so_plainly(tmp_path):
    src = tmp_path / "mine.yaml"
    src.write_text("extends: astana_2017\nid: mine\ntitle: Mine\nobjectives:\n  turkey: []\n")
    text = briefing.markdown(load_scenario(str(src)), "turkey")
    assert "This scenario sets no objectives for Turkey, so this role has no score." in text
    assert "points are at stake" not in text


def test_a_power_without_contested_weights_still_gets_three_questions(astana):
    b = briefing.build(astana, "assad")
    assert len(b.questions) == 3 and not any("contested" in q for q in b.questions)
    assert "Total victory" in b.questions[0]


class _Balance(HTMLParser):
    VOID = {"meta", "br", "hr", "img", "link", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.seen = [], [], []

    def handle_starttag(self, tag, attrs):
        self.seen.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def test_the_page_is_well_formed_self_contained_and_prints_on_a4_and_letter(russia):
    _, _, page = russia
    p = _Balance()
    p.feed(page)
    p.close()
    assert not p.errors and not p.stack
    assert p.seen[:2] == ["html", "head"] and "section" in p.seen and "table" in p.seen
    css = re.search(r"<style>(.*)</style>", page, re.S).group(1)
    assert re.search(r"@page\s*{[^}]*size:\s*auto", css)
    assert "page-break-inside: avoid" in css and "print-color-adjust: exact" in css
    widths = [float(x) for x in re.findall(r"width:\s*([\d.]+)mm", css)]
    assert widths and max(widths) <= 170
    margins = re.search(r"@page\s*{[^}]*margin:\s*([^;]+);", css).group(1).split()
    side = float(margins[1].rstrip("mm"))
    assert 210 - 2 * side >= max(widths) and 215.9 - 2 * side >= max(widths)  # A4 and Letter
    for external in ("<link", "<script", "src=", "url(", "http://", "https://", "@import"):
        assert external not in page


def test_the_same_scenario_gives_the_same_briefing(astana, russia):
    again = briefing.build(load_scenario("astana_2017"), "russia")
    assert to_html(again.doc) == russia[2] and to_markdown(again.doc) == russia[1]


def test_all_writes_one_page_per_power(tmp_path, capsys):
    assert main(["briefing", "astana_2017", "--all", "--out", str(tmp_path / "out")]) == 0
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == [f"astana_2017-{a}.html" for a in sorted(["russia", "assad", "iran", "turkey", "us"])]
    assert "Role briefing: Turkey" in (tmp_path / "out" / "astana_2017-turkey.html").read_text()
    assert main(["briefing", "astana_2017", "--all", "--out", str(tmp_path / "md" / "class.md")]) == 0
    assert sorted(p.name for p in (tmp_path / "md").iterdir())[0] == "class-assad.md"


def test_an_actor_by_its_common_name_and_the_format_from_the_suffix(tmp_path, capsys):
    assert main(["briefing", "iran_for_ukraine_2018", "--actor", "the US", "--out", str(tmp_path / "us.md")]) == 0
    text = (tmp_path / "us.md").read_text()
    assert text.startswith("# Role briefing: United States") and "You may offer Russia **Iran for Ukraine**" in text
    assert "us.md (United States, md)" in capsys.readouterr().out
    assert main(["briefing", "astana_2017", "--actor", "russia"]) == 0
    assert capsys.readouterr().out.startswith("# Role briefing: Russia")


def test_an_unknown_actor_is_refused_with_the_list_of_actors(capsys):
    assert main(["briefing", "astana_2017", "--actor", "france"]) == 2
    err = capsys.readouterr().err
    assert "no actor 'france'" in err and "Traceback" not in err
    for a in ("russia", "assad", "iran", "turkey", "us", "opposition", "sdf", "isis"):
        assert a in err


def test_bad_options_are_refused(capsys, tmp_path):
    assert main(["briefing", "astana_2017"]) == 2
    assert "--actor" in capsys.readouterr().err
    assert main(["briefing", "astana_2017", "--actor", "russia", "--out", str(tmp_path / "x.txt")]) == 2
    assert "--format" in capsys.readouterr().err
    assert main(["briefing", "no_such_scenario", "--actor", "russia"]) == 2
