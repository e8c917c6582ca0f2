"""Speed of the model: a 36-turn astana_2017 run, headless, after import.

    python benchmarks/bench_model.py [--runs N]

Prints the median time per run for the batch path (no per-turn record) and for the full
record that the command line and the game keep, plus the cost of a snapshot. Targets
(issue: core model): well under 50 ms per run of model time; snapshots cheap enough to
take every turn."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.model.model import ArbiterModel  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402


def per_run(loaded, runs: int, record: bool) -> list[float]:
    out = []
    for seed in range(runs):
        t = time.perf_counter()
        ArbiterModel(scenario=loaded, seed=seed, record=record).run()
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--scenario", default="astana_2017")
    args = ap.parse_args()
    loaded = load_scenario(args.scenario)
    per_run(loaded, 3, False)  # warm-up
    fast = per_run(loaded, args.runs, record=False)
    full = per_run(loaded, max(args.runs // 5, 3), record=True)
    m = ArbiterModel(scenario=loaded, seed=0).run(12)
    t = time.perf_counter()
    for _ in range(1000):
        m.snapshot()
    snap_us = (time.perf_counter() - t) * 1000
    turns = loaded.scenario.turns
    print(f"scenario {args.scenario}, {turns} turns, {args.runs} runs")
    print(f"  batch path (no record): median {statistics.median(fast) * 1000:6.1f} ms/run  "
          f"({statistics.median(fast) / turns * 1000:.2f} ms/turn)")
    print(f"  full record:            median {statistics.median(full) * 1000:6.1f} ms/run")
    print(f"  snapshot:               {snap_us:6.1f} us each")


if __name__ == "__main__":
    main()
