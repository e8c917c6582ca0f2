"""The what-if commands: ``batch``, ``compare``, ``sensitivity``, ``backtest``.

A thin layer over the library modules: parse, call, print a summary. Exit codes: 0 ok; 2 bad
input (one paragraph on stderr, no traceback), refused before any run; 130 interrupted
(after keeping every finished run); 1 an internal error, or runs that crashed (each reported
with its seed; the others are kept).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sim.argtypes import nonneg_int, positive_int

EPILOG_PATHS = ("PATH is a dotted path into the scenario, as for --set: parameters.decisiveness, "
                "actors.russia.preferences.arbiter.weight, zones.idlib.population ...")


class _BadInput(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        raise _BadInput(f"{self.prog}: {message}\n(see '{self.prog} --help')")


def _default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpupositive_int() or 1)


def _common(p: argparse.ArgumentParser, *, runs_help: str) -> None:
    p.add_argument("--runs", type=positive_int, required=True, metavar="N", help=runs_help)
    p.add_argument("--seed", type=nonneg_int, default=0, metavar="S",
                   help="root seed; every run's seed derives from it (default 0)")
    p.add_argument("--turns", type=positive_int, metavar="T", help="months to play (default: the scenario's length)")
    p.add_argument("--set", dest="overrides", action="extend", nargs="+", default=[], metavar="PATH=VALUE",
                   help="fix a scenario value for every run (repeatable)")
    p.add_argument("--workers", type=positive_int, default=None, metavar="W",
                   help="worker processes (default: the CPUs available); results do not depend on it")
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="local processes (default) or a Dask distributed cluster")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --executor dask: a running scheduler (default: start one on 127.0.0.1)")
    p.add_argument("--out", metavar="DIR", help="results folder (default: out/COMMAND-SCENARIO)")
    p.add_argument("--resume", action="store_true", help="finish an interrupted batch in --out")
    p.add_argument("--overwrite", action="store_true", help="replace the results already in --out")
    p.add_argument("--chunk", type=positive_int, metavar="K", help="runs per task (default: chosen from N and W)")


def batch_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="arbiter batch", description=(
        "Many seeded runs of a scenario, streamed to runs.parquet (one row per run) and "
        "turns.parquet (one row per run and month), with manifest.json and report.md."),
        epilog=EPILOG_PATHS)
    p.add_argument("scenario", help="scenario id or YAML path")
    _common(p, runs_help="number of runs (with --sample grid: a multiple of the grid's points)")
    p.add_argument("--vary", action="extend", nargs="+", default=[], metavar="PATH=LO:HI|PATH=A,B,C",
                   help="vary a value across runs: a range (LO:HI, or LO:HI:K for K grid levels) or a list")
    p.add_argument("--sample", choices=("grid", "lhs", "sobol"),
                   help="design over the --vary values (default: grid for lists only, else lhs)")
    p.add_argument("--alternative", action="append", default=[], metavar="ACTOR.TERM[=N]",
                   help="put a contested preference weight on its N-th alternative in every run")
    p.add_argument("--no-report", action="store_true", help="skip report.md and its plots")
    return p


def compare_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="arbiter compare", description=(
        "Run several scenarios with the same seeds and compare their outcomes: shares and means "
        "side by side, differences from the first (the baseline) with 95 % intervals, overlaid fans."))
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="two or more scenario ids or YAML paths")
    _common(p, runs_help="runs per scenario")
    p.add_argument("--no-report", action="store_true", help="skip compare.md and its plots")
    return p


def sensitivity_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="arbiter sensitivity", description=(
        "Rank the scenario's variable parameters and contested weights by their effect on an "
        "outcome (SALib: Sobol' indices or Morris elementary effects)."), epilog=EPILOG_PATHS)
    p.add_argument("scenario", help="scenario id or YAML path")
    p.add_argument("--method", choices=("sobol", "morris"), default="sobol")
    _common(p, runs_help="total runs: sobol base x (factors + 2) x replicates with the base a power of 2; "
                         "morris trajectories x (factors + 1) x replicates")
    p.add_argument("--outcome", metavar="NAME",
                   help="a column of runs.parquet (outcome.ID, assad_in_power, standing.ACTOR, ...) or "
                        "control.ZONE=FACTION (default: the first declared outcome)")
    p.add_argument("--replicates", type=positive_int, default=1, metavar="R",
                   help="seeds per design point, the same at every point (default 1)")
    p.add_argument("--levels", type=positive_int, default=4, metavar="L", help="Morris grid levels (default 4)")
    p.add_argument("--vary", action="extend", nargs="+", default=[], metavar="PATH=LO:HI",
                   help="add (or re-range) a factor")
    p.add_argument("--only-vary", action="store_true",
                   help="rank only the --vary factors, not the scenario's variables and contested weights")
    p.add_argument("--alternative", action="append", default=[], metavar="ACTOR.TERM[=N]",
                   help="fix a contested weight on an alternative in every run")
    p.add_argument("--no-report", action="store_true", help="skip sensitivity.md and its chart")
    return p


def backtest_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="arbiter backtest", description=(
        "Check a scenario's runs against facts about what happened: per fact, the share of runs "
        "that reproduce it, with a 95 % interval (facts format: docs/analysis.md)."))
    p.add_argument("scenario", help="scenario id or YAML path")
    p.add_argument("--facts", required=True, metavar="FILE.yaml", help="e.g. docs/history_facts.yaml")
    _common(p, runs_help="number of runs")
    p.add_argument("--no-report", action="store_true", help="skip backtest.md and its chart")
    return p


PARSERS = {"batch": batch_parser, "compare": compare_parser, "sensitivity": sensitivity_parser,
           "backtest": backtest_parser}


def main(name: str, argv: list[str]) -> int:
    from sim.analysis.batch import BatchFailed, Interrupted
    from sim.analysis.errors import AnalysisError
    from sim.scenario import ScenarioError

    try:
        args = PARSERS[name]().parse_args(argv)
        return COMMANDS[name](args)
    except (_BadInput, AnalysisError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Interrupted as exc:
        b = exc.batch
        m = b.manifest
        print(f"\ninterrupted: {m['runs_done']} of {m['runs_total']} runs kept in {b.dir}; finish the batch "
              f"by running the same command with --resume", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BatchFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


def _run_kwargs(args) -> dict:
    return {"workers": args.workers or _default_workers(), "executor": args.executor,
            "scheduler": args.scheduler, "resume": args.resume, "overwrite": args.overwrite,
            "chunk": args.chunk, "report": not args.no_report}


def _out(args, command: str, label: str) -> Path:
    if args.out:
        return Path(args.out)
    return Path("out") / f"{command}-{Path(label).stem}"


def _summary(b) -> str:
    m = b.manifest
    t = m.get("timing", {})
    rate = t.get("runs_per_second")
    ran = t.get("runs_this_session", 0)
    part = f", {ran} this session" if ran != m["runs_done"] else ""
    speed = f"{part} in {t['seconds_this_session']:.1f} s ({rate:.1f} runs/s)" if rate else ""
    failed = f", {m['runs_failed']} failed" if m["runs_failed"] else ""
    return f"{m['scenario']}: {m['runs_ok']} runs{failed}{speed}"


def _failed_exit(b) -> int:
    n = b.manifest["runs_failed"]
    if n:
        print(f"error: {n} run(s) raised an error (seeds and tracebacks in {b.dir / 'failures.json'}); "
              "the other runs are kept", file=sys.stderr)
        return 1
    return 0


def cmd_batch(args) -> int:
    from sim.analysis.batch import execute, plan

    out = _out(args, "batch", args.scenario)
    p = plan(args.scenario, args.runs, seed=args.seed, turns=args.turns, set=args.overrides, vary=args.vary,
             sample=args.sample, alternatives=args.alternative)
    b = execute(p, out, **_run_kwargs(args))
    print(_summary(b))
    files = ["runs.parquet", "turns.parquet", "manifest.json"] + (["report.md"] if b.report_path else [])
    print(f"results in {b.dir}: {', '.join(files)}")
    return _failed_exit(b)


def cmd_compare(args) -> int:
    from sim.analysis.compare import compare, print_table

    out = _out(args, "compare", "-".join(Path(s).stem for s in args.scenarios[:2]))
    c = compare(args.scenarios, args.runs, seed=args.seed, turns=args.turns, set=args.overrides, out=out,
                **_run_kwargs(args))
    for b in c.batches.values():
        print(_summary(b))
    print()
    print(print_table(c))
    print(f"\nresults in {c.dir}: differences.csv, values.csv"
          + (", compare.md" if c.report_path else "") + ", one folder of runs per scenario")
    return max(_failed_exit(b) for b in c.batches.values())


def cmd_sensitivity(args) -> int:
    from sim.analysis.sensitivity import format_ranking, sensitivity

    out = _out(args, "sensitivity", args.scenario)
    s = sensitivity(args.scenario, method=args.method, runs=args.runs, outcome=args.outcome, seed=args.seed,
                    turns=args.turns, set=args.overrides, vary=args.vary, only_vary=args.only_vary,
                    replicates=args.replicates, levels=args.levels, alternatives=args.alternative, out=out,
                    **_run_kwargs(args))
    print(_summary(s.batch))
    print(format_ranking(s))
    print(f"results in {s.batch.dir}: sensitivity.csv" + (", sensitivity.md" if s.report_path else "")
          + ", runs.parquet")
    return 0


def cmd_backtest(args) -> int:
    from sim.analysis.backtest import backtest, format_results

    out = _out(args, "backtest", args.scenario)
    bt = backtest(args.scenario, args.facts, args.runs, seed=args.seed, turns=args.turns, set=args.overrides,
                  out=out, **_run_kwargs(args))
    if bt.batch is not None:
        print(_summary(bt.batch))
    print(format_results(bt))
    if bt.batch is not None:
        print(f"results in {bt.batch.dir}: backtest.csv" + (", backtest.md" if bt.report_path else ""))
        return _failed_exit(bt.batch)
    print("no fact in the file can be checked on this scenario, so nothing was run")
    return 0


COMMANDS = {"batch": cmd_batch, "compare": cmd_compare, "sensitivity": cmd_sensitivity, "backtest": cmd_backtest}
