"""Which assumptions decide an outcome: global sensitivity analysis with SALib.

The factors are the scenario's declared ``variables`` (over their min..max) and its
contested preference weights (over the span of the main weight and its alternatives), plus
any ``--vary PATH=LO:HI``. SALib draws the design (Sobol' with Saltelli's scheme, or Morris
trajectories); every design point is played with the same ``--replicates`` seeds (common
random numbers: a factor that does nothing then shows exactly no effect), the outcome is
averaged over those seeds, and SALib ranks the factors:

- ``sobol``: total-order index ST (share of the outcome's variance a factor accounts for,
  alone or with others) and first-order S1, with 95 % bootstrap intervals. Runs =
  base x (factors + 2) x replicates, base a power of two.
- ``morris``: mu* (mean absolute elementary effect, in the outcome's units) and sigma
  (non-linearity or interaction), with a 95 % interval for mu*. Runs = trajectories x
  (factors + 1) x replicates, at least 2 trajectories.

The outcome is a column of ``runs.parquet``: a number (``standing.russia``), a yes/no
(``outcome.idlib_outside_regime``, ``assad_in_power``: its share) or a zone's holder
(``control.idlib=opposition``: the share of runs where the opposition holds Idlib).
"""

from __future__ import annotations

import difflib
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import report as rp
from sim.analysis.batch import Batch, execute, plan
from sim.analysis.errors import AnalysisError
from sim.analysis.seeds import sampler_rng
from sim.analysis.variation import Factor, as_factors, check_factors, scenario_factors
from sim.scenario import load_scenario
from sim.scenario.loader import alternative_overrides

METHODS = ("sobol", "morris")


@dataclass
class Sensitivity:
    method: str
    outcome: str
    ranking: pd.DataFrame  # rank, factor, origin, lo, hi, index, conf, ...
    batch: Batch
    points: pd.DataFrame = field(repr=False, default=None)  # factor values and mean outcome per point
    report_path: Path | None = None


def outcome_values(runs: pd.DataFrame, name: str) -> np.ndarray:
    """The per-run values of an outcome name (see the module doc)."""
    col, _, faction = name.partition("=")
    if col not in runs.columns:
        raise AnalysisError(_unknown_outcome(name, list(runs.columns)))
    s = runs[col]
    if faction:
        if not col.startswith("control."):
            raise AnalysisError(f"--outcome {name}: only a control.<zone> column takes =FACTION")
        return (s.astype(str) == faction).to_numpy(float)
    if col.startswith("control."):
        raise AnalysisError(f"--outcome {name}: a zone's holder is not a number; expected "
                            f"{col}=FACTION (the share of runs where FACTION holds it)")
    return s.astype(float).to_numpy()


def check_outcome(name: str, columns: list[str], actors: list[str]) -> None:
    col, _, faction = name.partition("=")
    if col not in columns or col in ("run_id", "seed"):
        raise AnalysisError(_unknown_outcome(name, columns))
    if faction and not col.startswith("control."):
        raise AnalysisError(f"--outcome {name}: only a control.<zone> column takes =FACTION")
    if faction and faction not in actors:
        hint = difflib.get_close_matches(faction, actors, n=1)
        raise AnalysisError(f"--outcome {name}: no faction '{faction}'"
                            + (f" (did you mean '{hint[0]}'?)" if hint else "")
                            + f"; expected one of: {', '.join(actors)}")
    if col.startswith("control.") and not faction:
        raise AnalysisError(f"--outcome {name}: a zone's holder is not a number; expected "
                            f"{col}=FACTION (e.g. {col}={actors[0]})")


def _unknown_outcome(name: str, columns: list[str]) -> str:
    col = name.partition("=")[0]
    usable = [c for c in columns if c not in ("run_id", "seed")]
    hint = difflib.get_close_matches(col, usable, n=1)
    show = [c for c in usable if c.startswith(("outcome.", "assad_in_power", "standing.", "leverage."))][:12]
    return (f"--outcome {name}: no such column" + (f" (did you mean '{hint[0]}'?)" if hint else "")
            + f"; expected a column of runs.parquet such as {', '.join(show)}, or control.<zone>=<faction>")


def default_outcome(columns: list[str]) -> str:
    """The scenario's first declared outcome, else the regime's territory."""
    for c in columns:
        if c.startswith("outcome."):
            return c
    return "territory.assad" if "territory.assad" in columns else next(c for c in columns if c.startswith("territory."))


def sizes(method: str, k: int, replicates: int, runs: int) -> tuple[int, list[int]]:
    """(base size or trajectories, nearby usable run counts); base 0 if ``runs`` is unusable."""
    if method == "sobol":
        per = (k + 2) * replicates
        base = runs // per if runs % per == 0 else 0
        ok = base >= 2 and base & (base - 1) == 0
        m = max(1, int(math.log2(max(runs / per, 2))))
        near = [per * 2 ** m, per * 2 ** (m + 1)]
    else:
        per = (k + 1) * replicates
        base = runs // per if runs % per == 0 else 0
        ok = base >= 2
        j = max(2, runs // per)
        near = [per * j, per * (j + 1)]
    return (base if ok else 0), sorted(near)


def sensitivity(scenario: str, *, method: str = "sobol", runs: int, outcome: str | None = None, seed: int = 0,
                turns: int | None = None, set: list[str] = (), vary=(), only_vary: bool = False,
                replicates: int = 1, levels: int = 4, alternatives: list[str] = (),
                out: str | Path | None = None, workers: int = 1, executor: str = "local",
                scheduler: str | None = None, resume: bool = False, overwrite: bool = False,
                chunk: int | None = None, progress: bool | None = None, report: bool = True,
                echo=None, cluster=None) -> Sensitivity:
    if method not in METHODS:
        raise AnalysisError(f"--method {method}: expected sobol or morris")
    if not isinstance(replicates, int) or replicates < 1:
        raise AnalysisError(f"--replicates {replicates}: expected a whole number of at least 1")
    if method == "morris" and (levels < 2 or levels % 2):
        raise AnalysisError(f"--levels {levels}: Morris needs an even number of levels of at least 2 (e.g. 4)")
    fixed = list(set)
    base = load_scenario(scenario, fixed or None)
    if alternatives:
        fixed += alternative_overrides(base, list(alternatives))
        base = load_scenario(scenario, fixed)
    extra = as_factors(vary)
    if any(f.kind == "levels" for f in extra):
        raise AnalysisError("sensitivity --vary: expected ranges PATH=LO:HI (a list of values is for batch)")
    factors = {} if only_vary else {f.path: f for f in scenario_factors(base)}
    for f in extra:
        factors[f.path] = f
    fs = check_factors(base, list(factors.values()), fixed)
    if len(fs) < 2:
        raise AnalysisError(f"sensitivity: {base.scenario.id} gives {len(fs)} factor(s) to rank; expected at "
                            "least two (declared variables, contested weights, or --vary PATH=LO:HI)")
    k = len(fs)
    n, near = sizes(method, k, replicates, runs)
    if not n:
        what = (f"base x ({k} factors + 2) x {replicates} replicates with the base a power of two"
                if method == "sobol" else f"trajectories x ({k} factors + 1) x {replicates} replicates "
                                          "with at least 2 trajectories")
        raise AnalysisError(f"--runs {runs}: {method} cannot use this sample size; it needs {what}, "
                            f"e.g. --runs {near[0]} or --runs {near[1]}")
    problem = {"num_vars": k, "names": [f.path for f in fs], "bounds": [[f.lo, f.hi] for f in fs]}
    rng = sampler_rng(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "sobol":
            from SALib.sample import sobol as sobol_sample

            X = sobol_sample.sample(problem, n, calc_second_order=False, seed=rng)
        else:
            from SALib.sample import morris as morris_sample

            X = morris_sample.sample(problem, n, num_levels=levels, seed=rng)
    X = np.column_stack([np.round(X[:, j]) if f.integer else X[:, j] for j, f in enumerate(fs)])
    design = np.repeat(X, replicates, axis=0)  # point p, replicate j is run p * replicates + j
    # the outcome must name a column before anything runs
    p = plan(scenario, len(design), seed=seed, turns=turns, set=list(set), alternatives=list(alternatives),
             design=design, factors=fs, seed_cycle=replicates, command="sensitivity",
             arguments={"method": method, "outcome": outcome, "replicates": replicates, "levels": levels,
                        "vary": [f"{f.path}={f.describe()}" for f in extra], "only_vary": only_vary})
    lay = p.layout()
    cols = ["run_id", "seed"] + [f.path for f in fs] + lay.state_columns
    outcome = outcome or default_outcome(lay.state_columns)
    check_outcome(outcome, cols, lay.actor_ids)
    batch = execute(p, out, workers=workers, executor=executor, scheduler=scheduler, resume=resume,
                    overwrite=overwrite, chunk=chunk, progress=progress, report=False, echo=echo, cluster=cluster)
    runs_df = batch.runs
    if len(runs_df) != len(design):
        raise AnalysisError(f"sensitivity: {len(design) - len(runs_df)} runs failed (see failures.json); "
                            "SALib needs every design point")
    y = outcome_values(runs_df, outcome).reshape(-1, replicates).mean(axis=1)
    ranking = analyse(method, problem, X, y, fs, seed, levels)
    points = pd.DataFrame(X, columns=[f.path for f in fs])
    points[outcome] = y
    res = Sensitivity(method, outcome, ranking, batch, points)
    ranking.to_csv(batch.dir / "sensitivity.csv", index=False)
    if report:
        res.report_path = write_sensitivity_report(res)
    return res


def analyse(method: str, problem: dict, X: np.ndarray, y: np.ndarray, fs: list[Factor], seed: int,
            levels: int) -> pd.DataFrame:
    rows = []
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if method == "sobol":
            from SALib.analyze import sobol

            if np.ptp(y) == 0:
                si = {"ST": np.zeros(len(fs)), "ST_conf": np.zeros(len(fs)), "S1": np.zeros(len(fs)),
                      "S1_conf": np.zeros(len(fs))}
            else:
                si = sobol.analyze(problem, y, calc_second_order=False, num_resamples=200, seed=seed)
            for j, f in enumerate(fs):
                rows.append({"factor": f.path, "origin": f.origin, "lo": f.lo, "hi": f.hi,
                             "index": float(si["ST"][j]), "conf": float(si["ST_conf"][j]),
                             "S1": float(si["S1"][j]), "S1_conf": float(si["S1_conf"][j])})
            name = "ST"
        else:
            from SALib.analyze import morris

            si = morris.analyze(problem, X, y, num_resamples=200, num_levels=levels, seed=seed)
            for j, f in enumerate(fs):
                rows.append({"factor": f.path, "origin": f.origin, "lo": f.lo, "hi": f.hi,
                             "index": float(si["mu_star"][j]), "conf": float(si["mu_star_conf"][j]),
                             "mu": float(si["mu"][j]), "sigma": float(si["sigma"][j])})
            name = "mu_star"
    df = pd.DataFrame(rows)
    df["index"] = df["index"].fillna(0.0)
    df = df.sort_values("index", ascending=False, kind="stable").reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    df.attrs["index_name"] = name
    return df


def write_sensitivity_report(s: Sensitivity) -> Path:
    root = s.batch.dir
    plots = root / "plots"
    plots.mkdir(exist_ok=True)
    r = s.ranking
    name = "total-order Sobol' index ST" if s.method == "sobol" else "Morris mu* (mean absolute elementary effect)"
    fig = rp._figure(8.5, 0.45 * len(r) + 1.6)
    ax = fig.add_subplot(1, 1, 1)
    y = np.arange(len(r))
    colours = {"variable": "#4078dc", "contested": "#ec8c28", "variable+contested": "#9660dc", "vary": "#24967e"}
    ax.barh(y, r["index"], color=[colours.get(o, "#6c6c70") for o in r["origin"]], alpha=0.85)
    conf = r["conf"].fillna(0).clip(lower=0).to_numpy(float)
    idx = r["index"].to_numpy(float)
    ax.errorbar(idx, y, xerr=np.vstack([np.minimum(conf, np.maximum(idx, 0)), conf]), fmt="none",
                ecolor="black", elinewidth=0.8, capsize=2)  # an index is never below 0
    ax.set_yticks(y)
    ax.set_yticklabels(r["factor"], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"{name} (95 % interval)")
    ax.set_title(f"What decides {s.outcome}? ({s.method}, {len(s.batch.runs)} runs)", fontsize=11)
    ax.grid(axis="x", alpha=0.3)
    handles = [__import__("matplotlib.patches", fromlist=["Patch"]).Patch(color=c, label=o)
               for o, c in colours.items() if o in set(r["origin"])]
    if handles:
        ax.legend(handles=handles, fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(plots / "sensitivity.png")
    m = s.batch.manifest
    lines = [f"# Sensitivity of `{s.outcome}`: {m['scenario_title']}", "",
             f"- method: {s.method}; {len(s.batch.runs)} runs ({len(s.points)} design points x "
             f"{m['seeding']['seed_cycle']} seeds, the same seeds at every point); root seed {m['root_seed']}",
             f"- outcome: `{s.outcome}` (mean over the seeds of each point: {np.mean(s.points[s.outcome]):.3f} "
             f"on average, from {np.min(s.points[s.outcome]):.3f} to {np.max(s.points[s.outcome]):.3f})",
             f"- ranked by the {name}", "", "![sensitivity](plots/sensitivity.png)", "",
             "| rank | factor | origin | range | index | 95 % half-width |"
             + (" S1 |" if s.method == "sobol" else " sigma |"),
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for _, row in r.iterrows():
        extra = row["S1"] if s.method == "sobol" else row["sigma"]
        lines.append(f"| {row['rank']} | `{row['factor']}` | {row['origin']} | {row['lo']:g} to {row['hi']:g} | "
                     f"{row['index']:.3f} | {row['conf']:.3f} | {extra:.3f} |")
    lines += ["", "Reading it: a factor near the top moves the outcome most over its range; one whose interval "
              "reaches 0 cannot be told apart from no effect with these runs. Seed noise that the common seeds "
              "do not remove adds to every index; more --replicates or --runs narrow the intervals.", ""]
    out = root / "sensitivity.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def format_ranking(s: Sensitivity) -> str:
    r = s.ranking
    name = "ST" if s.method == "sobol" else "mu*"
    w = max(len(f) for f in r["factor"]) + 2
    lines = [f"what decides {s.outcome} ({s.method}, {len(s.batch.runs)} runs):",
             f"  {'rank':<5}{'factor':<{w}}{'origin':<20}{name:>8}  95 % +-"]
    for _, row in r.iterrows():
        conf = "" if math.isnan(row["conf"]) else f"{row['conf']:.3f}"
        lines.append(f"  {row['rank']:<5}{row['factor']:<{w}}{row['origin']:<20}{row['index']:8.3f}  {conf}")
    return "\n".join(lines)
