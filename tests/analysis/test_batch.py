"""Batches: the files and their columns, seeds, identical results whatever the workers,
resuming, crashes, refusing bad input before any run, Dask, the report."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

import sim
from sim.analysis import variation
from sim.analysis.batch import INTERRUPT_ENV, Interrupted, execute, load, plan
from sim.analysis.errors import AnalysisError
from sim.analysis.progress import Progress
from sim.analysis.runner import FAIL_ENV
from sim.analysis.seeds import run_seed
from sim.model.model import ArbiterModel
from sim.scenario import load_scenario

ZONES = list(load_scenario("astana_2017").scenario.zones)
ACTORS = list(load_scenario("astana_2017").scenario.actors)


def test_files_columns_and_rows(small_batch):
    b = small_batch(runs=6, turns=3, seed=7, vary=["parameters.decisiveness=1,2,3"])
    runs, turns = b.runs, b.turns
    assert len(runs) == 6 and list(runs["run_id"]) == list(range(6))
    assert len(turns) == 6 * 4  # the start month and 3 months played
    assert list(turns.groupby("run_id")["turn"].apply(list).iloc[0]) == [0, 1, 2, 3]
    state = [f"control.{z}" for z in ZONES] + ["assad_in_power"]
    state += [f"{m}.{a}" for m in ("leverage", "standing") for a in ACTORS]
    state += ["agreement.astana_zones", "agreements.in_force"]
    for c in ["run_id", "seed", "parameters.decisiveness"] + state:
        assert c in runs.columns, c
    for c in ["run_id", "turn", "date"] + state:
        assert c in turns.columns, c
    assert set(runs["control.idlib"].astype(str)) <= set(ACTORS)
    assert list(runs["parameters.decisiveness"]) == [1.0, 2.0, 3.0, 1.0, 2.0, 3.0]  # grid, cycled
    assert list(runs["seed"]) == [run_seed(7, i) for i in range(6)]
    assert str(turns["date"].iloc[1])[:7] == "2017-06"
    # the end state in runs.parquet is the last month of turns.parquet
    last = turns[turns["turn"] == 3].reset_index(drop=True)
    pd.testing.assert_series_equal(last["standing.russia"], runs["standing.russia"])
    m = json.loads((b.dir / "manifest.json").read_text())
    assert m["scenario"] == "astana_2017" and m["version"] == sim.__version__
    assert m["scenario_hash"] == load_scenario("astana_2017").digest
    assert m["root_seed"] == 7 and m["runs_done"] == 6 and m["complete"] is True
    assert m["arguments"]["vary"] == ["parameters.decisiveness=1,2,3"]
    assert "SeedSequence" in m["seeding"]["scheme"]


def test_a_run_is_the_same_game_as_arbiter_run(small_batch):
    """The seed in runs.parquet, with the run's values as --set, replays the run."""
    b = small_batch(runs=3, turns=4, seed=11, vary=["parameters.guarantor_shield=0.5:3.5"])
    row = b.runs.iloc[2]
    m = ArbiterModel(scenario="astana_2017", seed=int(row["seed"]), turns=4,
                     overrides=[f"parameters.guarantor_shield={float(row['parameters.guarantor_shield'])!r}"]).run()
    rec = m.records[-1]
    assert {z: rec["control"][z] for z in ZONES} == {z: str(row[f"control.{z}"]) for z in ZONES}
    assert rec["influence"]["standing"]["russia"] == pytest.approx(float(row["standing.russia"]), abs=1e-4)


def test_one_or_two_workers_and_any_chunking_give_the_same_files(small_batch):
    one = small_batch("one", runs=8, turns=3, seed=5, vary=["parameters.decisiveness=1:3"], workers=1)
    two = small_batch("two", runs=8, turns=3, seed=5, vary=["parameters.decisiveness=1:3"], workers=2, chunk=3)
    pd.testing.assert_frame_equal(one.runs, two.runs)
    pd.testing.assert_frame_equal(one.turns, two.turns)
    assert pq.read_table(one.runs_path).equals(pq.read_table(two.runs_path))
    assert one.runs["parameters.decisiveness"].nunique() == 8  # a Latin hypercube: all distinct


def test_dask_on_a_loopback_cluster_gives_the_same_results(small_batch):
    distributed = pytest.importorskip("distributed")
    local = small_batch("local", runs=6, turns=2, seed=3, vary=["parameters.decisiveness=1,2"])
    with distributed.LocalCluster(n_workers=1, processes=False, threads_per_worker=1, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1")
        dask = small_batch("dask", runs=6, turns=2, seed=3, vary=["parameters.decisiveness=1,2"],
                           executor="dask", scheduler=cluster.scheduler_address, chunk=2)
    assert dask.manifest["arguments"]["executor"] == "dask"
    pd.testing.assert_frame_equal(local.runs, dask.runs)
    pd.testing.assert_frame_equal(local.turns, dask.turns)


def test_interrupted_batch_keeps_finished_runs_and_resume_finishes_it(small_batch, tmp_path, monkeypatch):
    full = small_batch("full", runs=10, turns=2, seed=9)
    p = plan("astana_2017", 10, seed=9, turns=2)
    monkeypatch.setenv(INTERRUPT_ENV, "2")  # as if Ctrl-C came after two chunks
    with pytest.raises(Interrupted) as err:
        execute(p, tmp_path / "cut", chunk=3, progress=False, report=False)
    part = err.value.batch
    assert not part.complete and part.manifest["runs_done"] == 6
    assert list(part.runs["run_id"]) == list(range(6))  # kept and readable
    monkeypatch.delenv(INTERRUPT_ENV)
    done = execute(p, tmp_path / "cut", resume=True, chunk=4, progress=False, report=False)
    assert done.complete and done.manifest["runs_done"] == 10
    assert list(done.runs["run_id"]) == list(range(10))  # none lost, none twice
    assert done.turns.groupby("run_id").size().eq(3).all()
    pd.testing.assert_frame_equal(done.runs, full.runs)
    pd.testing.assert_frame_equal(done.turns, full.turns)
    assert not (tmp_path / "cut" / "parts").exists()


def test_resume_reads_the_parquet_parts_an_older_version_left(small_batch, tmp_path, monkeypatch):
    """Parts were Parquet files before they were Arrow: such a batch still resumes, whole."""
    import pyarrow as pa

    full = small_batch("full", runs=8, turns=2, seed=4)
    p = plan("astana_2017", 8, seed=4, turns=2)
    monkeypatch.setenv(INTERRUPT_ENV, "1")
    with pytest.raises(Interrupted):
        execute(p, tmp_path / "old", chunk=3, progress=False, report=False)
    monkeypatch.delenv(INTERRUPT_ENV)
    parts = sorted((tmp_path / "old" / "parts").glob("*.arrow"))
    assert parts
    for f in parts:
        with pa.OSFile(str(f), "rb") as src:
            pq.write_table(pa.ipc.open_file(src).read_all(), f.with_suffix(".parquet"))
        f.unlink()
    done = execute(p, tmp_path / "old", resume=True, chunk=3, progress=False, report=False)
    assert done.complete and done.manifest["runs_done"] == 8
    pd.testing.assert_frame_equal(done.runs, full.runs)
    pd.testing.assert_frame_equal(done.turns, full.turns)


def test_resume_refuses_a_different_batch(small_batch, tmp_path, monkeypatch):
    p = plan("astana_2017", 6, seed=1, turns=2)
    monkeypatch.setenv(INTERRUPT_ENV, "1")
    with pytest.raises(Interrupted):
        execute(p, tmp_path / "x", chunk=2, progress=False, report=False)
    monkeypatch.delenv(INTERRUPT_ENV)
    with pytest.raises(AnalysisError, match="--seed"):
        execute(plan("astana_2017", 6, seed=2, turns=2), tmp_path / "x", resume=True, report=False)
    with pytest.raises(AnalysisError, match="already holds a batch"):
        execute(p, tmp_path / "x", report=False)


def test_a_crashing_run_is_reported_with_its_seed_and_the_others_are_kept(small_batch, monkeypatch):
    monkeypatch.setenv(FAIL_ENV, "2")
    said = []
    b = small_batch(runs=5, turns=2, seed=4, echo=said.append)
    assert list(b.runs["run_id"]) == [0, 1, 3, 4]
    assert 2 not in set(b.turns["run_id"]) and b.turns["run_id"].nunique() == 4
    (f,) = b.failures
    assert f["run_id"] == 2 and f["seed"] == run_seed(4, 2) and "injected failure" in f["error"]
    assert b.manifest["runs_failed"] == 1 and b.manifest["failed"][0]["seed"] == run_seed(4, 2)
    assert str(run_seed(4, 2)) in said[0] and "arbiter run astana_2017 --seed" in said[0]


@pytest.mark.parametrize("vary, sample, runs, message", [
    (["parameters.no_such_thing=1:2"], None, 4, "unknown parameter 'no_such_thing'"),
    (["actors.russia.preferences.arbitr.weight=0.1:0.3"], None, 4, "did you mean 'arbiter'"),
    (["parameters.decisiveness=0.1:2"], None, 4, "outside the allowed range 0.5..4"),
    (["actors.russia.preferences.arbiter.weight=0.2:1.5"], None, 4, "less than or equal to 1"),
    (["parameters.decisiveness=0.8:2"], None, 4, "declares for this variable"),
    (["parameters.decisiveness=1:3"], "sobol", 100, "powers of two"),
    (["parameters.decisiveness=1,2,3"], "grid", 10, "multiple of 3"),
    (["parameters.decisiveness"], None, 4, "expected PATH=LO:HI"),
    (["parameters.decisiveness=3:1"], None, 4, "LO < HI"),
])
def test_bad_arguments_are_refused_before_any_run(tmp_path, capsys, vary, sample, runs, message):
    from sim.cli import main

    argv = ["batch", "astana_2017", "--runs", str(runs), "--turns", "2", "--out", str(tmp_path / "o"), "--vary", *vary]
    code = main(argv + (["--sample", sample] if sample else []))
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()  # nothing ran, nothing written


def test_fast_scenario_variants_equal_validated_ones():
    base = load_scenario("astana_2017")
    for path, v in [("parameters.decisiveness", 2.2), ("parameters.guarantor_shield", 3.0),
                    ("actors.russia.preferences.arbiter.weight", 0.42), ("actors.russia.forces.coast", 2.5),
                    ("zones.idlib.population", 3.0), ("parameters.agreement_duration", 7)]:
        fast = variation.with_values(base, [path], [v]).scenario
        slow = variation.scenario_with(base, [path], [v]).scenario
        assert fast == slow, path
    assert variation.with_values(base, ["parameters.decisiveness"], [2.0]).scenario != base.scenario


def test_a_scenario_without_outcomes_or_objectives_works(small_batch, tmp_path):
    data = dict(load_scenario("astana_2017").resolved, id="bare")
    data.pop("outcomes", None)
    data.pop("objectives", None)
    (tmp_path / "bare.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    b = small_batch(scenario=str(tmp_path / "bare.yaml"), runs=2, turns=2)
    assert not any(c.startswith(("outcome.", "objective.", "score.")) for c in b.runs.columns)
    assert "control.idlib" in b.runs.columns and len(b.turns) == 6


def test_objectives_are_judged_and_scored(small_batch, tmp_path):
    data = dict(load_scenario("astana_2017").resolved, id="with_goals")
    data["outcomes"] = [
        {"id": "regime_holds_damascus", "text": "the regime holds Damascus",
         "holds": {"controlled_by": {"zone": "damascus", "actor": "assad"}}},
        {"id": "isis_holds_damascus", "text": "not at the start",
         "holds": {"controlled_by": {"zone": "damascus", "actor": "isis"}}}]
    data["objectives"] = {"russia": [
        {"id": "keep_damascus", "text": "keep the capital", "points": 7, "source": "assumption",
         "holds": {"controlled_by": {"zone": "damascus", "actor": "assad"}}},
        {"id": "early", "text": "judged in June 2017", "points": 3, "by": dt.date(2017, 6, 1),
         "source": "assumption", "holds": {"controlled_by": {"zone": "damascus", "actor": "isis"}}}]}
    scn = tmp_path / "with_goals.yaml"
    scn.write_text(yaml.safe_dump(data, sort_keys=False))
    b = small_batch(scenario=str(scn), runs=2, turns=3)
    r, t = b.runs, b.turns
    assert [c for c in r.columns if c.startswith("outcome.")] == ["outcome.regime_holds_damascus",
                                                                  "outcome.isis_holds_damascus"]
    assert r["outcome.regime_holds_damascus"].all() and not r["outcome.isis_holds_damascus"].any()
    assert list(r["objective.russia.keep_damascus"]) == [True, True]
    assert list(r["objective.russia.early"]) == [False, False]
    assert list(r["score.russia"]) == [7, 7] and "score.us" not in r.columns
    first = t[t["run_id"] == 0].set_index("turn")
    assert pd.isna(first.loc[0, "objective.russia.keep_damascus"])  # not judged yet
    assert pd.isna(first.loc[0, "objective.russia.early"])
    assert first.loc[1, "objective.russia.early"] == False  # noqa: E712 - judged in its month, missed
    assert list(first["score.russia"]) == [0, 0, 0, 7]


def test_report_is_written_with_its_pictures(small_batch):
    b = small_batch(runs=6, turns=3, vary=["parameters.decisiveness=1,3"], report=True)
    text = b.report_path.read_text()
    images = [line.split("](")[1].rstrip(")") for line in text.splitlines() if line.startswith("![")]
    assert {"plots/fan_standing.png", "plots/zone_control.png", "plots/end_states.png"} <= set(images)
    for rel in images:
        png = b.dir / rel
        assert png.is_file() and png.stat().st_size > 1000 and png.read_bytes()[:4] == b"\x89PNG"
    assert "Who holds each zone at the end" in text and "parameters.decisiveness" in text
    zc = b.zone_control()
    assert np.allclose(zc.drop(columns="start").sum(axis=1), 1.0)
    fans = b.fans("standing")
    assert set(fans["actor"]) == {"russia", "assad", "iran", "turkey", "us"}
    assert (fans["q10"] <= fans["q50"]).all() and (fans["q50"] <= fans["q90"]).all()
    assert len(load(b.dir).runs) == 6


def test_progress_bar_only_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    quiet, loud = io.StringIO(), Tty()
    for stream in (quiet, loud):
        bar = Progress(10, stream=stream)
        bar.update(4)
        bar.close()
    assert quiet.getvalue() == ""
    out = loud.getvalue()
    assert "\r" in out and "4/10 runs" in out and "runs/s" in out and "left" in out


def test_resuming_a_complete_batch_runs_nothing(small_batch, tmp_path):
    b = small_batch("done", runs=3, turns=2, seed=2)
    before = (b.dir / "runs.parquet").stat().st_mtime_ns
    said = []
    again = execute(plan("astana_2017", 3, seed=2, turns=2), b.dir, resume=True, report=False, echo=said.append)
    assert again.complete and len(again.runs) == 3 and "already complete" in said[0]
    assert (b.dir / "runs.parquet").stat().st_mtime_ns == before and not (b.dir / "parts").exists()


def test_played_models_are_not_kept_alive():
    """mesa.Agent keeps a class-level dict keyed by model; a batch must not let it hold every
    run's model (that grew workers to ~1 GB over a few thousand runs)."""
    import mesa

    from sim.analysis.runner import RunSpec, prime, run_chunk

    loaded = load_scenario("astana_2017")
    spec = RunSpec("astana_2017", str(loaded.path), loaded.resolved, 2, root_seed=0).with_key()
    prime(spec, loaded)
    before = len(mesa.Agent._ids)
    run_chunk(spec, 0, 5, None)
    assert len(mesa.Agent._ids) == before


def test_remaining_chunks_fill_exactly_the_gaps():
    from sim.analysis.store import remaining

    assert remaining(10, [], 4) == [(0, 4), (4, 8), (8, 10)]
    assert remaining(10, [(0, 3), (6, 8)], 2) == [(3, 5), (5, 6), (8, 10)]
    assert remaining(10, [(0, 10)], 3) == []


def test_the_analysis_package_stays_out_of_the_window_code():
    import subprocess
    import sys

    code = ("import sys, sim.analysis.commands, sim.analysis.batch, sim.analysis.report, sim.analysis.compare, "
            "sim.analysis.sensitivity, sim.analysis.backtest\n"
            "bad = [m for m in sys.modules if m == 'pygame' or m.startswith(('pygame.', 'sim.ui', 'sim.cli'))]\n"
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(Path(__file__).resolve().parents[2]))
