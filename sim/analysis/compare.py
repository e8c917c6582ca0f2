"""Several scenarios side by side: the same outcomes, their differences with intervals, and
fan charts overlaid.

Each scenario is run as its own batch (in ``OUT/<scenario id>/``) with the same root seed,
so run ``i`` of every scenario starts from the same seed. The first scenario is the
baseline; every other one is compared with it on:

- the share of runs where each yes/no end state holds (``assad_in_power``, ``outcome.*``,
  ``agreement.*``, ``trade.*``, ``objective.*``) and where each zone ends under each faction
  (``control.<zone>=<faction>``): difference of shares, Newcombe's 95 % interval;
- the mean of each number at the end (standing, leverage, territory, presence, score,
  agreements in force): difference of means, Welch's 95 % interval.

Only what both scenarios have is compared (an outcome one of them does not declare is
shown for the one that has it, without a difference).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import report as rp
from sim.analysis.batch import Batch, execute, plan
from sim.analysis.errors import AnalysisError
from sim.analysis.stats import mean_ci, newcombe, welch, wilson

NUMERIC = ("standing.", "leverage.", "territory.", "presence.", "score.")


@dataclass
class Comparison:
    batches: dict[str, Batch]  # label -> batch, baseline first
    values: pd.DataFrame  # metric, kind, scenario, value, low, high, runs
    differences: pd.DataFrame  # metric, kind, baseline, scenario, difference, low, high, clear
    dir: Path
    report_path: Path | None = None

    @property
    def baseline(self) -> str:
        return next(iter(self.batches))


def metrics(runs: pd.DataFrame) -> dict[str, tuple[str, np.ndarray]]:
    """metric name -> (kind 'share' or 'mean', per-run values) for one batch's runs."""
    out: dict[str, tuple[str, np.ndarray]] = {}
    for c in rp.bool_columns(runs):
        s = runs[c]
        out[c] = ("share", s.astype("float").to_numpy() if s.isna().any() else s.astype(bool).to_numpy(float))
    for c in runs.columns:
        if c.startswith("control."):
            lab = rp.labels(runs[c])
            codes = lab.cat.codes.to_numpy()
            for k, f in enumerate(lab.cat.categories):
                if (codes == k).any():
                    out[f"{c}={f}"] = ("share", (codes == k).astype(float))
    for c in runs.columns:
        if c.startswith(NUMERIC) or c == "agreements.in_force":
            out[c] = ("mean", runs[c].to_numpy(float))
    return out


def summarise(label: str, runs: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for name, (kind, x) in metrics(runs).items():
        x = x[np.isfinite(x)]
        if kind == "share":
            v, lo, hi = wilson(float(x.sum()), len(x))
        else:
            v, lo, hi = mean_ci(x)
        rows.append({"metric": name, "kind": kind, "scenario": label, "value": v, "low": lo, "high": hi,
                     "runs": len(x)})
    return pd.DataFrame(rows)


def differences(base_label: str, base: pd.DataFrame, label: str, other: pd.DataFrame) -> pd.DataFrame:
    mb, mo = metrics(base), metrics(other)
    names = list(mb) + [n for n in mo if n not in mb]
    rows = []
    for name in names:
        # a faction that never holds a zone in one scenario holds it in 0 % of its runs
        if name not in mb and name.startswith("control."):
            mb[name] = ("share", np.zeros(len(base)))
        if name not in mo and name.startswith("control."):
            mo[name] = ("share", np.zeros(len(other)))
        if name not in mb or name not in mo:
            continue
        kind, xb = mb[name]
        _, xo = mo[name]
        xb, xo = xb[np.isfinite(xb)], xo[np.isfinite(xo)]
        if kind == "share":
            d, lo, hi = newcombe(float(xb.sum()), len(xb), float(xo.sum()), len(xo))
        else:
            d, lo, hi = welch(xb, xo)
        clear = bool(not math.isnan(lo) and (lo > 0 or hi < 0))
        rows.append({"metric": name, "kind": kind, "baseline": base_label, "scenario": label,
                     "baseline_value": float(xb.mean()) if len(xb) else math.nan,
                     "value": float(xo.mean()) if len(xo) else math.nan,
                     "difference": d, "low": lo, "high": hi, "clear": clear})
    return pd.DataFrame(rows)


def labels_for(scenarios: list[str]) -> list[str]:
    out = []
    for s in scenarios:
        base = Path(s).stem if s.endswith((".yaml", ".yml")) else s
        lab = base
        k = 2
        while lab in out:
            lab = f"{base}-{k}"
            k += 1
        out.append(lab)
    return out


def compare(scenarios: list[str], runs: int, *, seed: int = 0, turns: int | None = None, set: list[str] = (),
            out: str | Path | None = None, workers: int = 1, executor: str = "local", scheduler: str | None = None,
            resume: bool = False, overwrite: bool = False, chunk: int | None = None, progress: bool | None = None,
            report: bool = True, echo=None, cluster=None) -> Comparison:
    if len(scenarios) < 2:
        raise AnalysisError("compare: expected at least two scenarios (the first is the baseline)")
    labels = labels_for(list(scenarios))
    # check every scenario before running any
    plans = [plan(s, runs, seed=seed, turns=turns, set=list(set), command="batch",
                  arguments={"compare": list(scenarios)}) for s in scenarios]
    import tempfile

    tmp = None
    if out is None:
        tmp = tempfile.TemporaryDirectory(prefix="arbiter-compare-")
        out = tmp.name
    root = Path(out)
    batches: dict[str, Batch] = {}
    for lab, p in zip(labels, plans):
        batches[lab] = execute(p, root / lab, workers=workers, executor=executor, scheduler=scheduler,
                               resume=resume, overwrite=overwrite, chunk=chunk, progress=progress,
                               report=False, echo=echo, cluster=cluster)
    values = pd.concat([summarise(lab, b.runs) for lab, b in batches.items()], ignore_index=True)
    base_label = labels[0]
    diffs = pd.concat([differences(base_label, batches[base_label].runs, lab, batches[lab].runs)
                       for lab in labels[1:]], ignore_index=True)
    cmp = Comparison(batches, values, diffs, root)
    cmp._tmp = tmp  # keep a temporary folder alive with the object
    values.to_csv(root / "values.csv", index=False)
    diffs.to_csv(root / "differences.csv", index=False)
    if report:
        cmp.report_path = write_compare_report(cmp)
    return cmp


def write_compare_report(c: Comparison) -> Path:
    root = c.dir
    plots = root / "plots"
    plots.mkdir(exist_ok=True)
    first = c.batches[c.baseline]
    acts = rp.powers(first.manifest)
    lines = ["# Comparison: " + " vs ".join(f"`{lab}`" for lab in c.batches), ""]
    for lab, b in c.batches.items():
        m = b.manifest
        lines.append(f"- `{lab}`: {m['scenario_title']} — {m['runs_ok']} runs, {m['turns']} months from "
                     f"{m['start']}, hash `{m['scenario_hash']}`")
    lines += [f"- root seed {first.manifest['root_seed']}: run i of every scenario has the same seed",
              f"- baseline: `{c.baseline}`; a difference is the other scenario minus the baseline, with its "
              "95 % interval; **clear** marks an interval that excludes 0", ""]
    lines += ["## Influence over time", "",
              "Median (line) and 10-90 % band (shade) of each scenario's runs, overlaid.", ""]
    for metric in ("standing", "leverage", "territory"):
        tabs = {lab: rp.fan_table(b, metric, actors=acts) for lab, b in c.batches.items()}
        rp.plot_fans(tabs, metric, acts, plots / f"fan_{metric}.png",
                     title=f"{rp.METRIC_TEXT[metric]}\nmedian and 10-90 % of runs, per scenario")
        lines += [f"![{metric}](plots/fan_{metric}.png)", ""]
    zc = {lab: rp.zone_control(b.runs, b.manifest) for lab, b in c.batches.items()}
    rp.plot_zone_control(zc, plots / "zone_control.png", "Who holds each zone at the end, per scenario")
    lines += ["## Who holds each zone at the end", "", "![zone control](plots/zone_control.png)", ""]
    d = c.differences
    if len(d):
        top = _ranked(d)
        shares = top[top["kind"] == "share"].head(20)
        if len(shares):
            _plot_differences(shares, plots / "differences.png")
            lines += ["## The largest differences in shares", "",
                      "![differences](plots/differences.png)", ""]
        lines += ["## Differences", "", _diff_table(top.head(60)), "",
                  "All metrics: `differences.csv`; each scenario's own values with intervals: `values.csv`; "
                  "the runs: `<scenario>/runs.parquet` and `turns.parquet`.", ""]
    out = root / "compare.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _ranked(d: pd.DataFrame) -> pd.DataFrame:
    """Clear differences first, then by how many interval half-widths they are from 0 (so
    that shares and means, in different units, rank together)."""
    half = ((d["high"] - d["low"]) / 2).where(lambda h: h > 0)
    size = (d["difference"].abs() / half).fillna(0.0)
    return d.assign(size=size).sort_values(["clear", "size"], ascending=[False, False], kind="stable")


def format_value(kind: str, v: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{100 * v:+.1f} pp" if kind == "share_diff" else (rp.pct(v) if kind == "share" else f"{v:.3f}")


def _diff_table(d: pd.DataFrame) -> str:
    lines = ["| metric | scenario | baseline | value | difference (95 % interval) | |",
             "| --- | --- | --- | --- | --- | --- |"]
    for _, r in d.iterrows():
        k = r["kind"]
        if k == "share":
            diff = f"{100 * r['difference']:+.1f} pp ({100 * r['low']:+.1f} to {100 * r['high']:+.1f})"
        else:
            diff = f"{r['difference']:+.3f} ({r['low']:+.3f} to {r['high']:+.3f})"
        lines.append(f"| `{r['metric']}` | {r['scenario']} | {format_value(k, r['baseline_value'])} | "
                     f"{format_value(k, r['value'])} | {diff} | {'**clear**' if r['clear'] else ''} |")
    return "\n".join(lines)


def _plot_differences(d: pd.DataFrame, path: Path) -> Path:
    fig = rp._figure(8.5, 0.3 * len(d) + 1.3)
    ax = fig.add_subplot(1, 1, 1)
    y = np.arange(len(d))
    x = d["difference"].to_numpy(float) * 100
    lo = d["low"].to_numpy(float) * 100
    hi = d["high"].to_numpy(float) * 100
    colours = ["#ce3e3e" if v < 0 else "#4078dc" for v in x]
    ax.errorbar(x, y, xerr=np.vstack([x - lo, hi - x]).clip(min=0), fmt="none", ecolor="grey", elinewidth=1, capsize=2)
    ax.scatter(x, y, c=colours, zorder=3, s=18)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels([f"{m} ({s})" for m, s in zip(d["metric"], d["scenario"])], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("difference from the baseline, percentage points (95 % interval)")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    return path


def print_table(c: Comparison, top: int = 25) -> str:
    """A plain-text table of the clearest differences, for the terminal."""
    d = c.differences
    if not len(d):
        return "no common metrics to compare"
    d = _ranked(d).head(top)
    w = max(len(m) for m in d["metric"]) + 2
    lines = [f"{'metric':<{w}} {'scenario':<24} {'baseline':>9} {'value':>9}  difference (95 % interval)"]
    for _, r in d.iterrows():
        k = r["kind"]
        if k == "share":
            diff = f"{100 * r['difference']:+6.1f} pp  ({100 * r['low']:+.1f} to {100 * r['high']:+.1f})"
        else:
            diff = f"{r['difference']:+7.3f}  ({r['low']:+.3f} to {r['high']:+.3f})"
        mark = "  *" if r["clear"] else ""
        lines.append(f"{r['metric']:<{w}} {r['scenario'][:24]:<24} {format_value(k, r['baseline_value']):>9} "
                     f"{format_value(k, r['value']):>9}  {diff}{mark}")
    lines.append("(* the interval excludes 0; baseline: " + c.baseline + ")")
    return "\n".join(lines)
