"""Does the model reproduce what happened? Per fact, the share of runs that do.

The facts that apply to the scenario (``scenarios: any`` or naming it) become extra per-month
columns ``fact.<id>`` of the batch (evaluated on the world in the workers); each run then
reproduces a fact if it holds in the fact's month (``at``), in some month up to it (``by``),
in every month of its window (``throughout``), or at the end. The share of runs that
reproduce it comes with a 95 % Wilson interval. Facts the model cannot check, facts for other
scenarios and facts dated outside the months played are listed with the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sim.analysis import report as rp
from sim.analysis.batch import Batch, execute, plan
from sim.analysis.errors import AnalysisError
from sim.analysis.facts import FactsFile, load_facts, probe_data, references, window
from sim.analysis.stats import wilson
from sim.scenario import load_scenario


@dataclass
class Backtest:
    facts: FactsFile
    results: pd.DataFrame  # fact, status, share, low, high, runs, when, note, text
    batch: Batch | None
    report_path: Path | None = None


def backtest(scenario: str, facts: str | Path | FactsFile, runs: int, *, seed: int = 0, turns: int | None = None,
             set: list[str] = (), out: str | Path | None = None, workers: int = 1, executor: str = "local",
             scheduler: str | None = None, resume: bool = False, overwrite: bool = False, chunk: int | None = None,
             progress: bool | None = None, report: bool = True, echo=None, cluster=None) -> Backtest:
    ff = facts if isinstance(facts, FactsFile) else load_facts(facts)
    base = load_scenario(scenario, list(set) or None)
    scn = base.scenario
    T = turns if turns is not None else scn.turns
    start = scn.start.replace(day=1)
    rows: list[dict] = []
    probes: list[tuple[str, list]] = []
    checks: dict[str, tuple[int, int, str, str]] = {}
    for f in ff.facts:
        row = {"fact": f.id, "status": "", "share": math.nan, "low": math.nan, "high": math.nan, "runs": 0,
               "when": f.when_text() if f.checkable else "–", "note": f.note, "text": " ".join(f.text.split())}
        if not f.applies_to(scn.id):
            row["status"] = "other scenarios"
            row["note"] = "for " + ", ".join(f.scenarios)
        elif not f.checkable:
            row["status"] = "not checkable"
            row["note"] = " ".join(f.why.split())
        elif (missing := references(f, scn)):
            if f.scenarios != "any":
                raise AnalysisError(f"fact {f.id}: it names {scn.id} but " + "; ".join(missing)
                                    + "; expected ids of that scenario")
            row["status"] = "not checkable here"
            row["note"] = "; ".join(missing)
        else:
            a, b, mode, note = window(f, start, T)
            if mode == "none":
                row["status"] = "not checkable here"
                row["note"] = note
            else:
                row["status"] = "checked"
                row["note"] = "; ".join(x for x in (note, " ".join(f.note.split())) if x)
                checks[f.id] = (a, b, mode, note)
                probes.append((f"fact.{f.id}", probe_data(f)))
        rows.append(row)
    batch = None
    if probes:
        p = plan(scenario, runs, seed=seed, turns=turns, set=list(set), facts=tuple(probes), command="backtest",
                 arguments={"facts": str(facts) if not isinstance(facts, FactsFile) else "(in memory)"})
        batch = execute(p, out, workers=workers, executor=executor, scheduler=scheduler, resume=resume,
                        overwrite=overwrite, chunk=chunk, progress=progress, report=False, echo=echo,
                        cluster=cluster)
        verdicts = reproduced(batch, checks, T)
        for row in rows:
            if row["fact"] in verdicts:
                v = verdicts[row["fact"]]
                p_, lo, hi = wilson(int(v.sum()), len(v))
                row.update(share=p_, low=lo, high=hi, runs=len(v))
    results = pd.DataFrame(rows)
    bt = Backtest(ff, results, batch)
    if batch is not None:
        results.to_csv(batch.dir / "backtest.csv", index=False)
        if report:
            bt.report_path = write_backtest_report(bt, scn)
    return bt


def reproduced(batch: Batch, checks: dict[str, tuple[int, int, str, str]], T: int) -> dict[str, np.ndarray]:
    """Per checked fact, a bool per finished run: did the run reproduce it?"""
    pf = pq.ParquetFile(batch.turns_path)
    run = pf.read(columns=["run_id"]).column(0).to_numpy()
    turn = pf.read(columns=["turn"]).column(0).to_numpy().astype(int)
    n_runs = len(np.unique(run))
    out = {}
    for fid, (a, b, mode, _) in checks.items():
        x = pf.read(columns=[f"fact.{fid}"]).column(0).to_numpy(zero_copy_only=False).astype(bool)
        if len(x) == n_runs * (T + 1):
            grid = x.reshape(n_runs, T + 1)  # every run played every month
        else:
            grid = np.zeros((n_runs, T + 1), bool)
            idx = np.searchsorted(np.unique(run), run)
            grid[idx, turn] = x
        sel = grid[:, a:b + 1]
        out[fid] = sel.any(axis=1) if mode == "any" else sel.all(axis=1)
    return out


def write_backtest_report(bt: Backtest, scn) -> Path:
    b = bt.batch
    root = b.dir
    plots = root / "plots"
    plots.mkdir(exist_ok=True)
    r = bt.results
    checked = r[r["status"] == "checked"]
    if len(checked):
        rp.plot_shares(checked.rename(columns={"fact": "column"}), plots / "backtest.png",
                       f"Share of runs that reproduce each fact ({scn.id})")
    lines = [f"# Backtest: {scn.title}", "",
             f"- {b.manifest['runs_ok']} runs of `{scn.id}`, {b.manifest['turns']} months from {b.manifest['start']}, "
             f"root seed {b.manifest['root_seed']}",
             "- a run reproduces a fact if its clauses hold when the fact says (in a month, by a month, "
             "throughout a window, or at the end); the share comes with a 95 % Wilson interval", ""]
    if len(checked):
        lines += ["![backtest](plots/backtest.png)", ""]
    lines += ["| fact | when | share of runs (95 %) | status | note |", "| --- | --- | --- | --- | --- |"]
    for _, row in r.iterrows():
        share = (f"{rp.pct(row['share'])} ({rp.pct(row['low'])} – {rp.pct(row['high'])})"
                 if row["status"] == "checked" else "–")
        lines.append(f"| `{row['fact']}` | {row['when']} | {share} | {row['status']} | {row['note']} |")
    lines += ["", "A low share is a disagreement between the model and history worth explaining; a high share "
              "is agreement on this fact only, not a validation of the model.", ""]
    out = root / "backtest.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def format_results(bt: Backtest) -> str:
    r = bt.results
    w = max(len(f) for f in r["fact"]) + 2 if len(r) else 6
    lines = [f"{'fact':<{w}}{'when':<34}{'share of runs (95 %)':<28}status"]
    for _, row in r.iterrows():
        share = (f"{rp.pct(row['share'])} ({rp.pct(row['low'])}-{rp.pct(row['high'])})"
                 if row["status"] == "checked" else "-")
        extra = f": {row['note']}" if row["status"] != "checked" and row["note"] else ""
        lines.append(f"{row['fact']:<{w}}{row['when']:<34}{share:<28}{row['status']}{extra}")
    return "\n".join(lines)
