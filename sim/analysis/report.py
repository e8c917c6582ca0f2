"""Tables and pictures of a batch, and its ``report.md``.

Every figure is computed from the Parquet files column by column (a fan chart reads one
column of ``turns.parquet`` at a time), so a report on 100,000 runs needs little memory.
Plots use matplotlib's object API with the Agg canvas: no window, no global backend change.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sim.analysis.stats import mean_ci, wilson

# the game window's faction colours (sim/ui/theme.py), so that a report reads like the map
FACTION_COLOURS = {
    "assad": "#ce3e3e", "russia": "#9660dc", "iran": "#24967e", "turkey": "#ec8c28", "us": "#4078dc",
    "opposition": "#70bc48", "sdf": "#e8cc38", "isis": "#6c6c70",
}
_OTHER = ["#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#1f77b4"]
METRICS = ("standing", "leverage", "territory", "presence")
METRIC_TEXT = {
    "standing": "standing (0-1): reputation plus the roles held in agreements and talks",
    "leverage": "leverage over Damascus: its dependence times the power's share of its support",
    "territory": "territory: population-weighted share of the zones held",
    "presence": "presence: ground forces deployed as a share of full strength",
}


def colour(actor: str, i: int = 0) -> str:
    return FACTION_COLOURS.get(actor, _OTHER[i % len(_OTHER)])


def powers(manifest: dict) -> list[str]:
    acts = manifest.get("actors", {})
    out = [a for a, x in acts.items() if x.get("role") == "power"]
    return out or list(acts)


# --- tables -------------------------------------------------------------------------------


def fan_table(batch, metric: str = "standing", quantiles=(0.1, 0.5, 0.9),
              actors: list[str] | None = None) -> pd.DataFrame:
    """Per month and power: the quantiles of ``metric`` over the runs (long format: date,
    turn, actor, q10, q50, q90)."""
    if metric not in METRICS:
        raise ValueError(f"metric {metric!r}: expected one of {', '.join(METRICS)}")
    path = batch.turns_path
    actors = actors or powers(batch.manifest)
    pf = pq.ParquetFile(path)
    turn = pf.read(columns=["turn"]).column(0).to_numpy()
    T = int(turn.max()) if len(turn) else 0
    start = pd.Timestamp(batch.manifest["start"] + "-01")
    dates = [start + pd.DateOffset(months=t) for t in range(T + 1)]
    regular = len(turn) % (T + 1) == 0 and np.array_equal(turn[: T + 1], np.arange(T + 1))
    if regular:
        regular = np.array_equal(turn.reshape(-1, T + 1)[:, 0], np.zeros(len(turn) // (T + 1)))
    names = [f"q{round(q * 100)}" for q in quantiles]
    frames = []
    for a in actors:
        col = f"{metric}.{a}"
        if col not in pf.schema_arrow.names:
            continue
        x = pf.read(columns=[col]).column(0).to_numpy()  # float32: one column in memory at a time
        if regular:
            qs = np.quantile(x.reshape(-1, T + 1), quantiles, axis=0)  # every run has every month
            turns_ix = np.arange(T + 1)
        else:
            g = pd.Series(x).groupby(turn)
            qs = np.array([g.quantile(q).to_numpy() for q in quantiles])
            turns_ix = np.array(sorted(set(turn.tolist())))
        df = pd.DataFrame({"turn": turns_ix, "actor": a})
        for n, row in zip(names, qs):
            df[n] = row
        frames.append(df)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["turn", "actor", *names])
    if len(turn):
        out.insert(0, "date", [dates[int(t)] for t in out["turn"]])
    return out


def zone_control(runs: pd.DataFrame, manifest: dict) -> pd.DataFrame:
    """Share of runs ending with each zone under each faction (rows: zones; a 'start' column
    names the holder at the start)."""
    zones = [c[len("control."):] for c in runs.columns if c.startswith("control.")]
    factions = list(manifest.get("actors", {}))
    rows = {}
    n = len(runs)
    for z in zones:
        counts = labels(runs[f"control.{z}"]).value_counts()
        rows[z] = {f: counts.get(f, 0) / n if n else math.nan for f in factions}
    df = pd.DataFrame.from_dict(rows, orient="index", columns=factions)
    df = df.loc[:, (df > 0).any(axis=0)] if n else df
    df.insert(0, "start", [manifest.get("initial_control", {}).get(z, "") for z in df.index])
    df.index.name = "zone"
    return df


def labels(s: pd.Series) -> pd.Series:
    """A control column as a categorical of actor ids (it is one when read from Parquet)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.rename_categories([str(c) for c in s.cat.categories])
    return s.astype(str).astype("category")


def bool_columns(runs: pd.DataFrame) -> list[str]:
    pre = ("assad_in_power", "outcome.", "agreement.", "trade.", "objective.", "fact.")
    return [c for c in runs.columns if c.startswith(pre) and c != "agreements.in_force"]


def shares(runs: pd.DataFrame) -> pd.DataFrame:
    """Share of runs where each yes/no column is true at the end, with a 95 % Wilson interval
    (objectives count only the runs where they were judged)."""
    rows = []
    for c in bool_columns(runs):
        s = runs[c].dropna().astype(bool)
        p, lo, hi = wilson(int(s.sum()), len(s))
        rows.append({"column": c, "share": p, "low": lo, "high": hi, "runs": len(s)})
    return pd.DataFrame(rows, columns=["column", "share", "low", "high", "runs"])


def numeric_summary(runs: pd.DataFrame,
                    prefixes=("standing.", "leverage.", "territory.", "presence.", "score.")) -> pd.DataFrame:
    rows = []
    for c in runs.columns:
        if c.startswith(prefixes) or c == "agreements.in_force":
            x = runs[c].to_numpy(dtype=float)
            m, lo, hi = mean_ci(x)
            q = np.quantile(x, [0.1, 0.5, 0.9]) if len(x) else [math.nan] * 3
            rows.append({"column": c, "mean": m, "low": lo, "high": hi, "q10": q[0], "median": q[1], "q90": q[2]})
    return pd.DataFrame(rows)


def end_states(runs: pd.DataFrame, manifest: dict, top: int = 10) -> pd.DataFrame:
    """The most frequent end-of-run maps, each described by the zones that changed hands."""
    start = manifest.get("initial_control", {})
    cols = [c for c in runs.columns if c.startswith("control.")]
    if not len(runs) or not cols:
        return pd.DataFrame(columns=["end_state", "runs", "share", "low", "high"])
    # count distinct maps on small integer codes, not strings (100,000 runs stay cheap)
    cats = [np.asarray(labels(runs[c]).cat.categories, dtype=object) for c in cols]
    codes = np.column_stack([labels(runs[c]).cat.codes.to_numpy() for c in cols])
    uniq, counts = np.unique(codes, axis=0, return_counts=True)
    order = np.argsort(-counts, kind="stable")[:top]
    n = len(runs)
    rows = []
    for i in order:
        key = [cats[j][uniq[i, j]] for j in range(len(cols))]
        changes = [f"{c[len('control.'):]}→{v}" for c, v in zip(cols, key) if start.get(c[len("control."):]) != v]
        p, lo, hi = wilson(int(counts[i]), n)
        rows.append({"end_state": ", ".join(changes) or "no zone changed hands", "runs": int(counts[i]),
                     "share": p, "low": lo, "high": hi})
    return pd.DataFrame(rows)


def by_factor(runs: pd.DataFrame, manifest: dict, max_levels: int = 8) -> dict[str, pd.DataFrame]:
    """For each varied path: the yes/no end states' shares by its value (its levels, or
    quartiles of a continuous range)."""
    out = {}
    key_cols = [c for c in bool_columns(runs) if c.startswith(("assad_in_power", "outcome.", "trade."))]
    for f in manifest.get("factors", []):
        path = f["path"]
        if path not in runs.columns or not key_cols:
            continue
        vals = runs[path]
        if vals.nunique() <= max_levels:
            groups = vals
        else:
            cut = pd.qcut(vals, 4, duplicates="drop")
            groups = cut.cat.rename_categories([f"{iv.left:.3g} to {iv.right:.3g}" for iv in cut.cat.categories])
        table = runs[key_cols].astype(float).groupby(groups, observed=True).mean()
        table.insert(0, "runs", runs.groupby(groups, observed=True).size())
        table.index.name = path
        out[path] = table
    return out


# --- pictures -----------------------------------------------------------------------------


def _figure(w: float, h: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(w, h), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def plot_fans(tables: dict[str, pd.DataFrame], metric: str, actors: list[str], path: Path,
              title: str | None = None) -> Path:
    """One panel per power: median line and 10-90 % band; several tables overlay (compare)."""
    n = max(1, len(actors))
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig = _figure(4.2 * cols, 2.9 * rows + 0.6)
    styles = ["-", "--", ":", "-."]
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
    for i, a in enumerate(actors):
        ax = fig.add_subplot(rows, cols, i + 1)
        for j, (label, t) in enumerate(tables.items()):
            d = t[t["actor"] == a]
            if d.empty:
                continue
            x = d["date"] if "date" in d.columns else d["turn"]
            c = colour(a, i) if len(tables) == 1 else palette[j % len(palette)]
            ax.fill_between(x, d["q10"], d["q90"], color=c, alpha=0.22 if len(tables) == 1 else 0.15, linewidth=0)
            ax.plot(x, d["q50"], color=c, linestyle=styles[j % len(styles)] if len(tables) > 1 else "-",
                    linewidth=1.8, label=label if len(tables) > 1 else "median")
        ax.set_title(a, fontsize=10)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        for lab in ax.get_xticklabels():
            lab.set_rotation(30)
        if i == 0 and len(tables) > 1:
            ax.legend(fontsize=7)
    fig.suptitle(title or f"{metric}: median and 10-90 % of runs", fontsize=11)
    fig.tight_layout()
    fig.savefig(path)
    return path


def plot_zone_control(tables: dict[str, pd.DataFrame], path: Path, title: str | None = None) -> Path:
    """Stacked bars: for each zone, the share of runs ending under each faction (several
    tables: one bar per table, side by side)."""
    labels = list(tables)
    first = tables[labels[0]]
    zones = list(first.index)
    factions = list(dict.fromkeys(f for t in tables.values() for f in t.columns if f != "start"))
    k = len(labels)
    fig = _figure(9, 0.42 * len(zones) * k + 1.4)
    ax = fig.add_subplot(1, 1, 1)
    height = 0.8 / k
    for j, lab in enumerate(labels):
        t = tables[lab].reindex(zones)
        left = np.zeros(len(zones))
        ys = np.arange(len(zones)) + j * height - 0.4 + height / 2
        for i, f in enumerate(factions):
            v = t[f].fillna(0).to_numpy(float) if f in t.columns else np.zeros(len(zones))
            ax.barh(ys, v, left=left, height=height * 0.95, color=colour(f, i),
                    label=f if j == 0 else None, edgecolor="white", linewidth=0.3)
            left += v
        if k > 1:
            for y in ys:
                ax.text(1.01, y, lab, fontsize=6, va="center", transform=ax.get_yaxis_transform())
    ax.set_yticks(np.arange(len(zones)))
    ax.set_yticklabels(zones, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of runs")
    ax.legend(fontsize=7, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.08 - 0.4 / max(len(zones), 1)))
    ax.set_title(title or "Who holds each zone at the end", fontsize=11)
    fig.tight_layout()
    fig.savefig(path)
    return path


def plot_shares(table: pd.DataFrame, path: Path, title: str) -> Path:
    """Horizontal bars with 95 % intervals for a table of (column, share, low, high)."""
    t = table.reset_index(drop=True)
    fig = _figure(8, 0.32 * max(len(t), 1) + 1.2)
    ax = fig.add_subplot(1, 1, 1)
    y = np.arange(len(t))
    if len(t):
        ax.barh(y, t["share"], color="#4078dc", alpha=0.75)
        err = np.vstack([t["share"] - t["low"], t["high"] - t["share"]]).clip(min=0)
        ax.errorbar(t["share"], y, xerr=err, fmt="none", ecolor="black", elinewidth=0.8, capsize=2)
    ax.set_yticks(y)
    ax.set_yticklabels(t["column"] if "column" in t else t.iloc[:, 0], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of runs (95 % interval)")
    ax.set_title(title, fontsize=11)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    return path


def plot_end_influence(runs: pd.DataFrame, actors: list[str], path: Path) -> Path:
    """Box plots of each power's standing and leverage at the end of the runs."""
    fig = _figure(10, 3.6)
    for k, metric in enumerate(("standing", "leverage")):
        ax = fig.add_subplot(1, 2, k + 1)
        data = [runs[f"{metric}.{a}"].to_numpy(float) for a in actors if f"{metric}.{a}" in runs]
        names = [a for a in actors if f"{metric}.{a}" in runs]
        if data and len(runs):
            bp = ax.boxplot(data, whis=(10, 90), showfliers=False, patch_artist=True)
            for patch, a in zip(bp["boxes"], names):
                patch.set_facecolor(colour(a))
                patch.set_alpha(0.6)
            ax.set_xticks(range(1, len(names) + 1))
            ax.set_xticklabels(names, fontsize=8)
        ax.set_title(f"{metric} at the end (box: quartiles, whiskers: 10-90 %)", fontsize=9)
        ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    return path


# --- the report ---------------------------------------------------------------------------


def pct(x: float) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f} %"


def ci(row) -> str:
    return f"{pct(row['share'])} ({pct(row['low'])} – {pct(row['high'])})"


def md_table(df: pd.DataFrame, floatfmt=None, index: bool = True) -> str:
    d = df.reset_index() if index else df
    head = "| " + " | ".join(str(c) for c in d.columns) + " |"
    sep = "| " + " | ".join("---" for _ in d.columns) + " |"
    lines = [head, sep]
    for _, r in d.iterrows():
        cells = []
        for c in d.columns:
            v = r[c]
            if floatfmt and isinstance(v, (float, np.floating)):
                cells.append(floatfmt(v))
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_report(batch) -> Path:
    """Write ``report.md`` and its PNGs (in ``plots/``) for a finished batch."""
    m = batch.manifest
    root = batch.dir
    plots = root / "plots"
    plots.mkdir(exist_ok=True)
    runs = batch.runs
    acts = powers(m)
    lines = [f"# Batch report: {m['scenario_title']}", ""]
    lines += _header(m)
    if not len(runs):
        lines += ["", "No run finished, so there is nothing to show."]
        (root / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return root / "report.md"

    lines += ["", "## Influence over time", "",
              "Each panel is one power; the line is the median over the runs and the band holds "
              "the middle 80 % of them (10th to 90th percentile), month by month.", ""]
    for metric in ("standing", "leverage", "territory"):
        t = fan_table(batch, metric, actors=acts)
        plot_fans({m["scenario"]: t}, metric, acts, plots / f"fan_{metric}.png",
                  title=f"{METRIC_TEXT[metric]}\nmedian and 10-90 % of {len(runs)} runs")
        lines += [f"![{metric} fan chart](plots/fan_{metric}.png)", ""]

    zc = zone_control(runs, m)
    plot_zone_control({m["scenario"]: zc}, plots / "zone_control.png")
    lines += ["## Who holds each zone at the end", "",
              f"Share of the {len(runs)} runs in which each zone ends under each faction.", "",
              "![zone control](plots/zone_control.png)", "",
              md_table(zc, floatfmt=pct), ""]

    es = end_states(runs, m)
    lines += ["## The distribution of end states", "",
              "The most frequent maps at the end of the runs, each named by the zones that changed "
              "hands since the start (share of runs, 95 % interval).", ""]
    if len(es):
        plot_shares(es.rename(columns={"end_state": "column"}), plots / "end_states.png",
                    "Most frequent end-of-run maps")
        lines += ["![end states](plots/end_states.png)", "",
                  md_table(es.assign(share=[ci(r) for _, r in es.iterrows()]).drop(columns=["low", "high"]),
                           index=False), ""]
    sh = shares(runs)
    if len(sh):
        plot_shares(sh, plots / "outcomes.png", "Yes/no end states: share of runs")
        lines += ["## Yes/no questions at the end", "",
                  "`assad_in_power`: the regime holds Damascus. `agreement.*`: the agreement is in force; "
                  "`trade.*`: the trade was concluded; `outcome.*` and `objective.*`: as the scenario "
                  "declares them (an objective counts the runs where it was judged).", "",
                  "![outcomes](plots/outcomes.png)", "",
                  md_table(sh.assign(share=[ci(r) for _, r in sh.iterrows()]).drop(columns=["low", "high"]),
                           index=False), ""]
    plot_end_influence(runs, acts, plots / "end_influence.png")
    ns = numeric_summary(runs)
    ns = ns[ns["column"].str.split(".").str[-1].isin(acts) | ns["column"].eq("agreements.in_force")]
    lines += ["## Influence at the end", "", "![end influence](plots/end_influence.png)", "",
              md_table(ns, floatfmt=lambda v: f"{v:.3f}", index=False), ""]
    bf = by_factor(runs, m)
    if bf:
        lines += ["## By varied value", "",
                  "Share of runs with each yes/no end state, by the value of each varied path "
                  "(continuous ranges are cut into quartiles).", ""]
        for path, t in bf.items():
            lines += [f"### {path}", "", md_table(t, floatfmt=lambda v: f"{v:.2f}"), ""]
    lines += ["## Reading this report", "",
              "- Every run is the same scenario with its own seed (and its own varied values, if any): "
              "the spread is what the model's randomness and the varied assumptions allow, not a "
              "forecast of what would happen.",
              "- Intervals are 95 % Wilson score intervals for shares and t intervals for means: they "
              "say how precisely the runs pin down the model's own probabilities, not how right the "
              "model is.",
              "- `runs.parquet` (one row per run) and `turns.parquet` (one row per run and month) hold "
              "everything shown here; see docs/analysis.md for the columns.", ""]
    if batch.failures:
        lines += ["## Failed runs", "", f"{len(batch.failures)} runs raised an error and are not counted "
                  "above; failures.json has their seeds and tracebacks.", ""]
    out = root / "report.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _header(m: dict) -> list[str]:
    args = m.get("arguments", {})
    t = m.get("timing", {})
    rate = t.get("runs_per_second")
    out = [f"- scenario: `{m['scenario']}` (hash `{m['scenario_hash']}`), {m['turns']} months from {m['start']}",
           f"- runs: {m['runs_ok']} finished" + (f", {m['runs_failed']} failed" if m['runs_failed'] else "")
           + f" of {m['runs_total']}; {m['design']}",
           f"- root seed: {m['root_seed']} (per-run seeds in `runs.parquet`; scheme in manifest.json)",
           f"- project version {m['version']}; workers: {args.get('workers')} ({args.get('executor')})"]
    if rate:
        out.append(f"- speed this session: {rate:.1f} runs/s")
    if m.get("overrides"):
        out.append("- fixed values: " + ", ".join(f"`{o}`" for o in m["overrides"]))
    for f in m.get("factors", []):
        vals = ",".join(str(v) for v in f["levels"]) if f["kind"] == "levels" else f"{f['lo']} to {f['hi']}"
        out.append(f"- varied: `{f['path']}` over {vals}")
    return out
