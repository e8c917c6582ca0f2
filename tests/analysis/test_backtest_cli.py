"""Backtests against the facts file, and the commands' exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.analysis.backtest import backtest
from sim.analysis.batch import INTERRUPT_ENV
from sim.analysis.errors import AnalysisError
from sim.analysis.facts import load_facts
from sim.analysis.runner import FAIL_ENV
from sim.cli import main

FACTS = Path(__file__).resolve().parents[2] / "docs" / "history_facts.yaml"
SOURCE_IDS = {"iran_stays_after_helsinki", "russia_keeps_bases", "us_presence_persists",
              "no_political_transition", "russia_turkey_bargain"}


def test_history_facts_parse_and_keep_every_source_fact():
    ff = load_facts(FACTS)
    ids = {f.id for f in ff.facts}
    assert SOURCE_IDS <= ids
    unchecked = [f for f in ff.facts if not f.checkable]
    assert unchecked and all(len(f.why) > 20 for f in unchecked)


def test_backtest_reports_shares_with_intervals(tmp_path):
    bt = backtest("astana_2017", FACTS, runs=6, seed=3, out=tmp_path / "bt", progress=False)
    r = bt.results.set_index("fact")
    checked = r[r["status"] == "checked"]
    assert {"russia_keeps_bases", "no_political_transition", "turkish_posts_around_idlib",
            "idlib_deal_2018"} <= set(checked.index)
    assert (checked["runs"] == 6).all()
    assert ((checked["low"] <= checked["share"]) & (checked["share"] <= checked["high"])).all()
    assert r.loc["russia_turkey_bargain", "status"] == "not checkable"
    assert r.loc["iran_stays_after_helsinki", "status"] == "other scenarios"
    assert "fact.russia_keeps_bases" in bt.batch.turns.columns
    assert (tmp_path / "bt" / "backtest.md").is_file() and (tmp_path / "bt" / "plots" / "backtest.png").is_file()


def test_backtest_can_tell_a_true_fact_from_a_false_one(tmp_path):
    facts = tmp_path / "facts.yaml"
    facts.write_text("""format: arbiter-facts/1
facts:
  - id: regime_holds_damascus
    text: the regime holds Damascus in the first month
    source: assumption
    holds: {controlled_by: {zone: damascus, actor: assad}}
    at: 2017-06
  - id: isis_takes_damascus
    text: the Islamic State holds Damascus at some point
    source: assumption
    holds: {controlled_by: {zone: damascus, actor: isis}}
    by: 2017-08
  - id: zones_guaranteed
    text: the Astana zones are covered and guaranteed by Turkey at the start
    source: assumption
    holds: {under_agreement: {zone: idlib, guarantors: [turkey], kind: de_escalation}}
    at: 2017-05
  - id: too_late
    text: dated after the runs
    source: assumption
    holds: {controlled_by: {zone: damascus, actor: assad}}
    at: 2030-01
""")
    bt = backtest("astana_2017", facts, runs=4, turns=3, out=tmp_path / "b", progress=False, report=False)
    r = bt.results.set_index("fact")
    assert r.loc["regime_holds_damascus", "share"] == 1.0
    assert r.loc["isis_takes_damascus", "share"] == 0.0 and r.loc["isis_takes_damascus", "high"] > 0
    assert r.loc["zones_guaranteed", "share"] == 1.0
    assert r.loc["too_late", "status"] == "not checkable here" and "2030-01" in r.loc["too_late", "note"]


def test_a_bad_facts_file_names_the_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: arbiter-facts/1\nfacts:\n  - id: x\n    text: something\n    source: assumption\n"
                   "    holds: {controlled_by: {zone: idlib}}\n")
    with pytest.raises(AnalysisError, match=r"bad.yaml:6: .*zone|bad.yaml:6: .*actor"):
        load_facts(bad)
    with pytest.raises(AnalysisError, match="no such file"):
        load_facts(tmp_path / "missing.yaml")


def test_command_exit_codes(tmp_path, capsys, monkeypatch):
    out = tmp_path / "o"
    base = ["batch", "astana_2017", "--runs", "4", "--turns", "2", "--workers", "1", "--out", str(out), "--no-report"]
    monkeypatch.setenv(INTERRUPT_ENV, "1")
    assert main(base + ["--chunk", "2"]) == 130
    assert "2 of 4 runs kept" in capsys.readouterr().err
    monkeypatch.delenv(INTERRUPT_ENV)
    assert main(base + ["--resume"]) == 0
    assert json.loads((out / "manifest.json").read_text())["runs_done"] == 4
    capsys.readouterr()
    monkeypatch.setenv(FAIL_ENV, "1")
    assert main(base + ["--overwrite"]) == 1
    err = capsys.readouterr().err
    assert "run 1 (seed" in err and "failures.json" in err
    monkeypatch.delenv(FAIL_ENV)
    assert main(["compare", "astana_2017", "--runs", "2", "--out", str(tmp_path / "c")]) == 2
    assert "at least two scenarios" in capsys.readouterr().err
    assert main(["backtest", "astana_2017", "--facts", str(tmp_path / "none.yaml"), "--runs", "2"]) == 2
    assert main(["sensitivity", "astana_2017", "--method", "sobol", "--runs", "10", "--out", str(tmp_path / "s")]) == 2
    assert "sobol cannot use this sample size" in capsys.readouterr().err
    assert main(["batch", "astana_2017", "--runs", "2", "--executor", "local", "--scheduler", "tcp://127.0.0.1:1",
                 "--out", str(tmp_path / "d")]) == 2
