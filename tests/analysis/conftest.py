"""Shared helpers for the analysis tests: small batches (few runs, few months)."""

from __future__ import annotations

import pytest

from sim.analysis.batch import execute, plan


@pytest.fixture
def small_batch(tmp_path):
    """Run a small batch into tmp_path/name and return it."""

    def make(name="b", scenario="astana_2017", runs=6, turns=3, workers=1, **kw):
        plan_kw = {k: kw.pop(k) for k in ("seed", "set", "vary", "sample", "alternatives") if k in kw}
        p = plan(scenario, runs, turns=turns, **plan_kw)
        kw.setdefault("report", False)
        return execute(p, tmp_path / name, workers=workers, progress=False, **kw)

    return make
