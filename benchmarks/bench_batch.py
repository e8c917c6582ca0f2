"""Speed and memory of batches (issue 5), against mesa.batch_run.

    python benchmarks/bench_batch.py [--runs 10000] [--mesa-runs 200] [--memory-runs 100000]
                                     [--workers 2] [--turns 36] [--skip-mesa] [--skip-memory]

(a) ``--runs`` runs of the 36-month astana_2017 with ``--workers`` processes, end to end:
    checking, runs, runs.parquet, turns.parquet and manifest.json (the report is timed
    apart). Target: 10,000 runs in at most 60 s on a 2-core machine.
(b) ``mesa.batch_run`` with ``number_processes=--workers`` on the same model for
    ``--mesa-runs`` runs with the same seeds, collecting the same figures every month through
    a DataCollector and writing them to Parquet; and our batch on the same runs. Prints both
    per-run times and their ratio (target: ours at least 3 times faster). The mesa model
    takes the scenario id as a parameter, as a mesa user would write it; a second mesa figure
    passes the already loaded scenario instead (pickled into every run).
(c) ``--memory-runs`` runs (report included) in a fresh process while a sampler adds up, every
    0.2 s, the memory of that process and every process under it (the process pool's server
    and workers), from /proc/PID/smaps_rollup (Linux only): the peak of the PSS sum (shared
    pages divided among the processes sharing them) is the peak memory of the whole batch;
    the RSS sum, which counts shared pages once per process, is printed too.

Timings include starting the worker processes. Results depend on the model's own speed,
which changes as the model does (benchmarks/bench_model.py measures it alone).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCENARIO = "astana_2017"

# Only the standard library at the top: worker processes import this script again (as
# multiprocessing does with the main module), and what it imports would be start-up time
# counted against the batch. The mesa model lives in mesa_arbiter.py for the same reason.


def bench_ours(runs: int, workers: int, turns: int, out: Path, seed: int = 0, report: bool = False) -> dict:
    from sim.analysis.batch import execute, plan

    t0 = time.perf_counter()
    p = plan(SCENARIO, runs, seed=seed, turns=turns)
    b = execute(p, out, workers=workers, overwrite=True, report=False, progress=False)
    t1 = time.perf_counter()
    rep = None
    if report:
        from sim.analysis.report import write_report

        write_report(b)
        rep = time.perf_counter() - t1
    sizes = {f: (out / f).stat().st_size for f in ("runs.parquet", "turns.parquet")}
    return {"runs": b.manifest["runs_ok"], "seconds": t1 - t0, "report_seconds": rep, "bytes": sizes,
            "seeds": b.runs["seed"].tolist()}


def bench_mesa(seeds: list[int], workers: int, turns: int, out: Path, preloaded: bool) -> dict:
    import pandas as pd

    import mesa

    from mesa_arbiter import MesaArbiter
    from sim.scenario import load_scenario

    t0 = time.perf_counter()
    scenario = load_scenario(SCENARIO) if preloaded else SCENARIO
    res = mesa.batch_run(MesaArbiter, parameters={"scenario": [scenario], "seed": seeds, "turns": turns},
                         number_processes=workers, iterations=1, data_collection_period=1, max_steps=turns,
                         display_progress=False)
    df = pd.DataFrame(res).drop(columns=["scenario", "outcomes"])
    df.to_parquet(out / f"mesa_{'preloaded' if preloaded else 'id'}.parquet")
    return {"runs": len(seeds), "rows": len(df), "seconds": time.perf_counter() - t0}


# --- memory -------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    kids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                kids.append(int(d))
    return kids


def tree_memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes of a process and all its descendants. RSS counts pages shared
    between processes (the workers fork from one server) once per process; PSS shares them
    out, so its sum is the memory the batch really holds."""
    rss = pss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
        except OSError:
            continue
        todo += _children(p)
    return rss, pss


def bench_memory(runs: int, workers: int, turns: int, out: Path) -> dict:
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "from sim.analysis.batch import execute, plan\n"
            "if __name__ == '__main__':\n"
            f"    p = plan({SCENARIO!r}, {runs}, seed=0, turns={turns})\n"
            f"    execute(p, {str(out)!r}, workers={workers}, overwrite=True, report=True, progress=False)\n")
    script = out.parent / "memory_run.py"
    script.write_text(code)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(script)])
    peak_rss = peak_pss = 0
    samples = 0
    while proc.poll() is None:
        rss, pss = tree_memory(proc.pid)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        samples += 1
        time.sleep(0.2)
    if proc.returncode:
        raise SystemExit(f"the memory run failed with exit code {proc.returncode}")
    m = json.loads((out / "manifest.json").read_text())
    return {"runs": m["runs_ok"], "seconds": time.perf_counter() - t0, "peak_rss": peak_rss,
            "peak_pss": peak_pss, "samples": samples}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--mesa-runs", type=int, default=200)
    ap.add_argument("--memory-runs", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--turns", type=int, default=36)
    ap.add_argument("--memory-turns", type=int, default=None, help="months for (c) (default: --turns)")
    ap.add_argument("--skip-mesa", action="store_true")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--skip-batch", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="arbiter-bench-"))
    print(f"astana_2017, {args.turns} months, {args.workers} workers, {os.cpu_count()} CPUs; files in {tmp}")

    if not args.skip_batch:
        r = bench_ours(args.runs, args.workers, args.turns, tmp / "batch", report=True)
        mb = sum(r["bytes"].values()) / 1e6
        print(f"(a) batch: {r['runs']} runs in {r['seconds']:.1f} s = {r['runs'] / r['seconds']:.1f} runs/s "
              f"({1000 * r['seconds'] / r['runs']:.2f} ms/run), Parquet {mb:.1f} MB; report {r['report_seconds']:.1f} s"
              f"  [target: 10,000 runs in <= 60 s]")

    if not args.skip_mesa:
        n = args.mesa_runs
        ours = bench_ours(n, args.workers, args.turns, tmp / "small")
        seeds = ours["seeds"]
        m_id = bench_mesa(seeds, args.workers, args.turns, tmp, preloaded=False)
        m_pre = bench_mesa(seeds, args.workers, args.turns, tmp, preloaded=True)
        po = ours["seconds"] / n
        pm, pp = m_id["seconds"] / n, m_pre["seconds"] / n
        print(f"(b) {n} runs, {args.workers} processes each, every month recorded and written to Parquet:")
        print(f"    ours:                               {ours['seconds']:6.1f} s  {1000 * po:7.1f} ms/run")
        print(f"    mesa.batch_run (scenario id):       {m_id['seconds']:6.1f} s  {1000 * pm:7.1f} ms/run"
              f"  -> ours is {pm / po:.1f}x faster")
        print(f"    mesa.batch_run (loaded scenario):   {m_pre['seconds']:6.1f} s  {1000 * pp:7.1f} ms/run"
              f"  -> ours is {pp / po:.1f}x faster   [target: >= 3x]")

    if not args.skip_memory:
        r = bench_memory(args.memory_runs, args.workers, args.memory_turns or args.turns, tmp / "memory")
        print(f"(c) {r['runs']} runs with the report in {r['seconds']:.0f} s: peak memory of the whole process "
              f"tree {r['peak_pss'] / 2**20:.0f} MiB PSS ({r['peak_rss'] / 2**20:.0f} MiB summing each process's "
              f"RSS, shared pages counted again in each; {r['samples']} samples)  [target: < 1 GB]")


if __name__ == "__main__":
    main()
