"""What-if analysis at scale: many seeded runs to Parquet, comparisons, sensitivity, backtests.

For notebooks::

    from sim import analysis

    b = analysis.batch("astana_2017", runs=1000, vary=["parameters.decisiveness=1:3"], workers=2)
    b.runs        # DataFrame: one row per run (run_id, seed, varied values, end state)
    b.turns       # DataFrame: one row per run and month
    b.fans("standing"); b.zone_control(); b.shares()

    c = analysis.compare(["astana_2017", "astana_us_guarantor"], runs=500)
    c.differences # metric, difference with its 95 % interval

    s = analysis.sensitivity("astana_2017", method="morris", runs=120,
                             outcome="control.idlib=opposition")
    s.ranking     # factors ranked by their effect

    t = analysis.backtest("astana_2017", "docs/history_facts.yaml", runs=200)
    t.results     # per fact: share of runs that reproduce it, with its interval

    analysis.load("out/batch-astana_2017")   # an earlier batch's folder

With ``workers > 1`` in a script (not a notebook), call these under
``if __name__ == "__main__":``, as for any use of multiprocessing.
Everything is documented in docs/analysis.md.
"""

from __future__ import annotations

import importlib

# Loaded on first use, so that a worker process (which imports only sim.analysis.runner)
# does not pay for pandas plotting, SciPy or SALib.
_EXPORTS = {
    "AnalysisError": "sim.analysis.errors", "Backtest": "sim.analysis.backtest",
    "backtest": "sim.analysis.backtest", "Batch": "sim.analysis.batch", "BatchFailed": "sim.analysis.batch",
    "Interrupted": "sim.analysis.batch", "load": "sim.analysis.batch", "batch": "sim.analysis.batch:run_batch",
    "Comparison": "sim.analysis.compare", "compare": "sim.analysis.compare", "load_facts": "sim.analysis.facts",
    "Sensitivity": "sim.analysis.sensitivity", "sensitivity": "sim.analysis.sensitivity",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'sim.analysis' has no attribute {name!r}")
    module, _, attr = target.partition(":")
    value = getattr(importlib.import_module(module), attr or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
