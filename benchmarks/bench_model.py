"""Speed of the model: full runs of astana_2017 (36 turns) and iran_for_ukraine_2018 (24
turns, with linkage trades to value every month), headless, after import.

    python benchmarks/bench_model.py [--runs N] [--scenario ID ...]

Prints, per scenario, the median time per run of one game alone without a per-turn record
and with the full record that the command line and the game keep; the time per run of 100
games played side by side, as a batch plays them (sim.model.turn); and the cost of a
snapshot. Targets: about 10 ms per batch run of astana_2017 (10,000 runs in a minute on two
cores); snapshots cheap enough to take every turn."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from sim.model.turn import play_turns  # noqa: E402
from sim.model.model import ArbiterModel  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402


def per_run(loaded, runs: int, record: bool) -> list[float]:
    out = []
    for seed in range(runs):
        t = time.perf_counter()
        ArbiterModel(scenario=loaded, seed=seed, record=record).run()
        out.append(time.perf_counter() - t)
    return out


def side_by_side(loaded, runs: int) -> float:
    """Seconds per run of `runs` games played side by side from copies of the opening world."""
    m = ArbiterModel(scenario=loaded, seed=0, record=False)
    t = time.perf_counter()
    ws = [m.world.copy() for _ in range(runs)]
    rngs = [np.random.default_rng(seed) for seed in range(runs)]
    for _ in range(m.turns):
        play_turns(ws, m.compiled, rngs)
    return (time.perf_counter() - t) / runs


def bench(scenario: str, runs: int) -> None:
    loaded = load_scenario(scenario)
    per_run(loaded, 3, False)  # warm-up
    fast = per_run(loaded, runs, record=False)
    full = per_run(loaded, max(runs // 5, 3), record=True)
    side_by_side(loaded, 10)  # warm-up
    lock = min(side_by_side(loaded, 100) for _ in range(3))
    m = ArbiterModel(scenario=loaded, seed=0).run(12)
    t = time.perf_counter()
    for _ in range(1000):
        m.snapshot()
    snap_us = (time.perf_counter() - t) * 1000
    turns = loaded.scenario.turns
    print(f"scenario {scenario}, {turns} turns, {runs} runs")
    print(f"  alone, no record:       median {statistics.median(fast) * 1000:6.1f} ms/run  "
          f"({statistics.median(fast) / turns * 1000:.2f} ms/turn)")
    print(f"  alone, full record:     median {statistics.median(full) * 1000:6.1f} ms/run")
    print(f"  100 side by side:              {lock * 1000:6.1f} ms/run  (the batch path)")
    print(f"  snapshot:               {snap_us:6.1f} us each")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--scenario", action="append", help="scenario id (repeatable); default: "
                    "astana_2017 and iran_for_ukraine_2018")
    args = ap.parse_args()
    for scenario in args.scenario or ["astana_2017", "iran_for_ukraine_2018"]:
        bench(scenario, args.runs)


if __name__ == "__main__":
    main()
