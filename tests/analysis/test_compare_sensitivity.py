"""compare (differences with intervals), sensitivity (SALib ranking) and the interval maths."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.analysis.compare import compare
from sim.analysis.errors import AnalysisError
from sim.analysis.sensitivity import outcome_values, sensitivity
from sim.analysis.stats import mean_ci, newcombe, welch, wilson


def test_wilson_and_newcombe_intervals():
    p, lo, hi = wilson(8, 10)
    assert p == 0.8 and lo == pytest.approx(0.4902, abs=1e-3) and hi == pytest.approx(0.9433, abs=1e-3)
    assert wilson(0, 10)[1] == 0.0 and wilson(10, 10)[2] == 1.0
    d, lo, hi = newcombe(56, 70, 48, 80)  # Newcombe (1998), example (a): 0.8 vs 0.6
    assert d == pytest.approx(-0.2)
    assert lo == pytest.approx(-0.3339, abs=1e-3) and hi == pytest.approx(-0.0528, abs=1e-3)
    m, lo, hi = mean_ci([1.0, 2.0, 3.0, 4.0])
    assert m == 2.5 and lo < 2.5 < hi
    d, lo, hi = welch([0.0, 0.1, 0.2, 0.1], [1.0, 1.1, 0.9, 1.0])
    assert d == pytest.approx(0.9) and 0 < lo < d < hi


def test_compare_gives_differences_with_intervals(tmp_path):
    c = compare(["astana_2017", "astana_us_guarantor"], runs=6, turns=3, seed=2, out=tmp_path / "c",
                progress=False)
    d = c.differences
    assert {"metric", "baseline", "scenario", "difference", "low", "high", "clear"} <= set(d.columns)
    assert set(d["scenario"]) == {"astana_us_guarantor"} and set(d["baseline"]) == {"astana_2017"}
    ok = d.dropna(subset=["low", "high"])
    assert len(ok) > 20
    assert (ok["low"] <= ok["difference"] + 1e-12).all() and (ok["difference"] <= ok["high"] + 1e-12).all()
    # the US guarantees the zones in the what-if: its troops on the ground differ clearly
    us = d.set_index("metric").loc["presence.us"]
    assert us["difference"] > 0 and us["clear"]
    v = c.values
    assert set(v["scenario"]) == {"astana_2017", "astana_us_guarantor"}
    assert {"control.idlib=opposition", "assad_in_power", "standing.russia"} <= set(v["metric"])
    text = c.report_path.read_text()
    for png in ("fan_standing.png", "zone_control.png"):
        assert f"plots/{png}" in text and (tmp_path / "c" / "plots" / png).stat().st_size > 1000
    assert (tmp_path / "c" / "astana_us_guarantor" / "runs.parquet").is_file()


def test_a_scenario_compared_with_itself_shows_no_difference(tmp_path):
    c = compare(["astana_2017", "astana_2017"], runs=4, turns=2, seed=1, out=tmp_path / "same",
                progress=False, report=False)
    assert list(c.batches) == ["astana_2017", "astana_2017-2"]
    assert np.allclose(c.differences["difference"], 0) and not c.differences["clear"].any()


@pytest.mark.parametrize("method, runs", [("morris", 12), ("sobol", 16)])
def test_sensitivity_ranks_a_parameter_that_matters_above_one_that_does_not(tmp_path, method, runs):
    # astana_2017 has no linkage trades, so the trade cooldown cannot change anything; with the
    # same seeds at every design point its effect must come out exactly nil
    s = sensitivity("astana_2017", method=method, runs=runs, outcome="territory.assad", seed=1, turns=4,
                    vary=["parameters.decisiveness=1:3", "parameters.trade_cooldown=1:24"], only_vary=True,
                    out=tmp_path / method, progress=False)
    r = s.ranking.set_index("factor")
    assert r.loc["parameters.decisiveness", "index"] > 0
    assert r.loc["parameters.trade_cooldown", "index"] == 0
    assert r.loc["parameters.decisiveness", "rank"] == 1
    assert len(s.batch.runs) == runs
    assert (s.batch.dir / "plots" / "sensitivity.png").stat().st_size > 1000
    assert "parameters.decisiveness" in s.report_path.read_text()


def test_sensitivity_default_factors_are_variables_and_contested_weights(tmp_path):
    s = sensitivity("astana_2017", method="morris", runs=12, seed=0, turns=2, out=tmp_path / "d",
                    progress=False, report=False)
    origins = dict(zip(s.ranking["factor"], s.ranking["origin"]))
    assert origins["parameters.decisiveness"] == "variable"
    assert origins["actors.russia.preferences.arbiter.weight"] == "variable+contested"
    assert s.outcome.startswith(("outcome.", "territory."))


def test_sensitivity_refuses_sizes_and_outcomes_it_cannot_use(tmp_path):
    vary = ["parameters.decisiveness=1:3", "parameters.trade_cooldown=1:24"]
    with pytest.raises(AnalysisError, match=r"sobol cannot use this sample size.*--runs 16"):
        sensitivity("astana_2017", method="sobol", runs=20, vary=vary, only_vary=True, out=tmp_path / "x")
    with pytest.raises(AnalysisError, match="control.idlib=FACTION"):
        sensitivity("astana_2017", method="morris", runs=6, outcome="control.idlib", vary=vary, only_vary=True,
                    out=tmp_path / "x")
    with pytest.raises(AnalysisError, match="no such column"):
        sensitivity("astana_2017", method="morris", runs=6, outcome="standing.nobody", vary=vary, only_vary=True,
                    out=tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_outcome_values_reads_numbers_yes_no_and_zone_holders():
    import pandas as pd

    runs = pd.DataFrame({"control.idlib": pd.Categorical(["assad", "opposition", "assad"]),
                         "assad_in_power": [True, True, False], "standing.russia": [0.5, 0.25, 0.0]})
    assert list(outcome_values(runs, "control.idlib=assad")) == [1.0, 0.0, 1.0]
    assert list(outcome_values(runs, "assad_in_power")) == [1.0, 1.0, 0.0]
    assert math.isclose(outcome_values(runs, "standing.russia").sum(), 0.75)
