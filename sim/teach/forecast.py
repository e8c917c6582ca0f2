"""What happens from here: many seeded continuations of a game, the AI on every side.

From month K of a game (the month a save is at, or an earlier one), the game's own state is
rebuilt exactly (the scenario, seed and human orders replayed up to K), then played on N times
to the end, each time with its own dice and the AI giving every order: the orders the class
gave before K are part of the past, the future is all AI. Run ``i`` takes the batch engine's
seed ``run_seed(root, i)`` (sim/analysis/seeds.py: numpy SeedSequence(root, spawn_key=(0, i)))
and is read month by month with the batch engine's Layout, so its figures are the very
columns of a batch; the runs are spread over the batch engine's worker processes. A run
depends only on the state at K and its index: the result is the same for any number of
workers. From the start of a game without human orders, run ``i`` is exactly the batch
run ``i`` with the same root seed (``arbiter run SCENARIO --seed <its seed>`` replays it).

The default root seed is the save's own seed, so the same save gives the same forecast.

When the game has been played past K (a finished game forecast from its start, say), the
game's actual path after K is drawn inside the fan, and for each power the month it reached
is placed in the distribution of the runs (its percentile): an ending in the middle of the
fan is what that position usually gives; one in a tail is unusual, and whether it was luck
or policy depends on whether anyone but the AI gave orders after K.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.teach.common import TeachError, month

if TYPE_CHECKING:  # pandas is loaded when a forecast is made, not by worker processes
    import pandas as pd

METRICS = ("leverage", "standing")
METRIC_WORDS = {"leverage": "leverage over Damascus", "standing": "standing"}
QUANTILES = (0.1, 0.5, 0.9)


# --- where the continuations start ------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    """Enough to rebuild a game's state at month `from_turn` in any process: its seed, options
    and human inputs (as JSON, so that the record is hashable and small to send)."""

    seed: int
    overrides: tuple[str, ...]
    game_turns: int
    humans: tuple[str, ...]
    inputs_json: str
    from_turn: int


@dataclass
class _Base:
    world: object  # the game's world at from_turn, which every continuation starts from
    compiled: object  # its compiled rules
    judged: np.ndarray  # the objectives judged before from_turn (the batch Layout's vector)


_BASES: dict = {}


def _base(spec, start: Start, st) -> _Base:
    """The game at `start.from_turn`, built once per process and kept for later chunks."""
    from sim.model.model import ArbiterModel
    from sim.teach.replay import by_turn, give

    key = (spec.key, start)
    got = _BASES.get(key)
    if got is not None:
        return got
    m = ArbiterModel(scenario=st.variants.base, seed=start.seed, overrides=list(start.overrides),
                     turns=start.game_turns, humans=start.humans, record=False)
    inputs = by_turn(json.loads(start.inputs_json))
    layout = st.layout
    scratch = layout.buffer(1)
    judged = layout.new_run()
    layout.read(m.world, scratch, 0, -1, judged)
    while m.world.turn < start.from_turn:
        give(m, inputs.get(m.world.turn, []))
        m.step()
        layout.read(m.world, scratch, 0, -1, judged)
    # from here on the AI plays every side, to the forecast's horizon
    base = _Base(m.world, m.compiled, judged)
    _BASES[key] = base
    while len(_BASES) > 4:
        _BASES.pop(next(iter(_BASES)))
    return base


def play_chunk(spec, start: Start, lo: int, hi: int):
    """Play continuations ``lo..hi-1`` (the worker side): Arrow tables of their end states and
    of every month from `from_turn`, and the runs that raised (with their seeds)."""
    from sim.analysis import runner

    st = runner.prime(spec)
    base = _base(spec, start, st)
    layout = st.layout
    n = hi - lo
    span = spec.turns - start.from_turn + 1
    buf = layout.buffer(n * span)
    seeds = np.array([spec.seed_of(i) for i in range(lo, hi)], np.int64)
    ok = np.zeros(n, bool)
    failures: list[dict] = []
    for k, exc in runner.play_side_by_side(layout, base.world, base.compiled, list(range(n)), lo,
                                           seeds, base.judged, buf, spec.turns):
        if exc is None:
            ok[k] = True
        else:
            failures.append({"run_id": lo + k, "seed": int(seeds[k]), "error": f"{type(exc).__name__}: {exc}",
                             "traceback": "".join(traceback.format_exception(exc, limit=-6))})
    done = np.flatnonzero(ok)
    runs = layout.runs_table(buf, done * span + span - 1, lo + done, seeds[ok], [], None)
    turns = layout.turns_table(buf, (done[:, None] * span + np.arange(span)[None, :]).ravel())
    return runs, turns, failures


def _pool(spec, workers: int):
    """The batch engine's worker processes (sim/analysis/executors.py), primed with the
    scenario; continuations are submitted to its pool. The one place that knows how."""
    from sim.analysis.executors import ProcessPool

    return ProcessPool(spec, workers)


class _Plays:
    """Every continuation, in chunks, on `workers` processes (1: here, when the results are
    asked for). With workers the chunks are submitted at once, so that the caller can do
    other work (the debrief's turning points) while they are played."""

    def __init__(self, spec, start: Start, runs: int, workers: int, loaded):
        from sim.analysis.batch import default_chunk

        self.spec, self.start, self.loaded = spec, start, loaded
        size = default_chunk(runs, workers)
        self.ranges = [(a, min(a + size, runs)) for a in range(0, runs, size)]
        self.ex = None
        self.futures = []
        if workers > 1 and len(self.ranges) > 1:
            self.ex = _pool(spec, min(workers, len(self.ranges)))
            try:
                self.futures = [self.ex.pool.submit(play_chunk, spec, start, a, b) for a, b in self.ranges]
            except BaseException:
                self.ex.close(cancel=True)
                raise

    def result(self):
        """(runs table, months table, failures), in run order."""
        import pyarrow as pa

        from sim.analysis import runner

        if self.ex is None:
            runner.prime(self.spec, self.loaded)
            parts = [play_chunk(self.spec, self.start, a, b) for a, b in self.ranges]
        else:
            try:
                parts = [f.result() for f in self.futures]
            finally:
                self.ex.close(cancel=True)
                self.ex = None
        runs_t = pa.concat_tables([p[0] for p in parts])
        turns_t = pa.concat_tables([p[1] for p in parts])
        return runs_t, turns_t, [f for p in parts for f in p[2]]

    def done(self) -> bool:
        """Whether result() would return at once (always False when the runs are played here)."""
        return self.ex is not None and all(f.done() for f in self.futures)

    def cancel(self) -> None:
        if self.ex is not None:
            self.ex.close(cancel=True)
            self.ex = None


# --- the result -------------------------------------------------------------------------------


@dataclass
class Forecast:
    """A forecast's numbers (pandas DataFrames) and how it was made."""

    scenario_id: str
    title: str
    scenario_hash: str
    game_seed: int
    root_seed: int
    runs: int  # asked for
    from_turn: int  # K: where the continuations start
    save_turn: int  # t: the month the game had reached
    end_turn: int  # the last month of the continuations
    game_turns: int  # the game's length
    start: dt.date  # the scenario's first month (turn 0)
    powers: list[str]
    names: dict[str, str]  # actor and zone ids -> names
    human_orders_after: int  # human orders and answers given in the game after K
    regime: str  # the government in Damascus: leverage is over it, so it has none itself
    shown: dict[str, list[str]]  # metric -> the powers it is shown for (leverage: those that ever have any)
    actual: "pd.DataFrame"  # the game as played: one row per month 0..t (batch columns)
    turns: "pd.DataFrame"  # one row per run and month from K (batch columns)
    ends: "pd.DataFrame"  # one row per run: its seed and state at the end
    fans: "pd.DataFrame"  # metric, actor, turn, date, q10, q50, q90
    zones: "pd.DataFrame"  # zones x factions: share of runs ending under each, with 'now' and 'actual'
    percentiles: "pd.DataFrame"  # actor, metric, turn, date, actual, q10, q50, q90, percentile, verdict
    failures: list[dict] = field(default_factory=list)

    @property
    def runs_ok(self) -> int:
        return len(self.ends)

    @property
    def compare_turn(self) -> int | None:
        """The month where the game's actual figures are placed in the runs (None: the game
        has no month after K inside the forecast)."""
        t = min(self.save_turn, self.end_turn)
        return t if t > self.from_turn else None

    def date(self, turn: int) -> dt.date:
        m = self.start.month - 1 + turn
        return dt.date(self.start.year + m // 12, m % 12 + 1, 1)

    def name(self, key: str) -> str:
        return self.names.get(key, key)

    # -- words --

    def headline(self) -> str:
        return (f"{self.runs_ok} continuations of {self.title} from {month(self.date(self.from_turn))} "
                f"(month {self.from_turn} of {self.game_turns}) to {month(self.date(self.end_turn))}, "
                f"the computer playing every side; root seed {self.root_seed}")

    def summary(self) -> str:
        """The forecast in a few lines of text, for the terminal."""
        lines = [f"Forecast: {self.headline()}."]
        if self.failures:
            first = self.failures[0]
            lines.append(f"{len(self.failures)} run(s) raised an error and are left out (first: run "
                         f"{first['run_id']}, seed {first['seed']}: {first['error']}).")
        if not self.runs_ok:
            return "\n".join(lines + ["No run finished, so there is nothing to show."])
        end = month(self.date(self.end_turn))
        now = month(self.date(self.from_turn))
        w = max(len(self.name(a)) for a in self.powers) + 2
        nw = max(len(now), 6) + 2
        med = f"median in {end[:3]}{end[-5:]} (10-90 %)"
        cw = max(len("0.000 (0.000-0.000)"), len(med)) + 3
        lines += ["", f"{'':<{w}}" + "".join(f"{METRIC_WORDS[m]:<{nw + cw}}" for m in METRICS).rstrip(),
                  f"{'power':<{w}}" + "".join(f"{now:<{nw}}{med:<{cw}}" for _ in METRICS).rstrip()]
        for a in self.powers:
            cells = ""
            for m in METRICS:
                if a not in self.metric_powers(m):
                    cells += f"{'-':<{nw}}{'-':<{cw}}"
                    continue
                f0 = self._fan(m, a, self.from_turn)
                f1 = self._fan(m, a, self.end_turn)
                cells += f"{f0['q50']:<{nw}.3f}{f'{f1.q50:.3f} ({f1.q10:.3f}-{f1.q90:.3f})':<{cw}}"
            lines.append(f"{self.name(a):<{w}}{cells.rstrip()}")
        if len(self.metric_powers("leverage")) < len(self.powers):
            lines.append("(-: leverage is over Damascus; that power has none in the game or in any run)")
        lines += ["", f"Who holds each zone in {end} (share of runs; holder in {now} in brackets"
                  + ("; * the game's holder then):" if self.zones_have_actual else "):")]
        for z, row in self.zones.iterrows():
            shares = [(f, row[f]) for f in self.factions if row[f] > 0]
            shares.sort(key=lambda x: -x[1])
            act = row.get("actual") if self.zones_have_actual else None
            text = ", ".join(f"{self.name(f)}{'*' if f == act else ''} {pct(v)}" for f, v in shares)
            lines.append(f"  {self.name(z)} ({self.name(row['now'])}): {text}")
        if self.compare_turn is not None:
            lines += ["", f"Luck or policy? Where the game's own {month(self.date(self.compare_turn))} sits among "
                      f"the runs (percentile: the share of runs below it):"]
            for _, r in self.percentiles.iterrows():
                lines.append(f"  {self.name(r['actor'])}: {METRIC_WORDS[r['metric']]} {r['actual']:.3f}, "
                             f"{ordinal(r['percentile'])} percentile: {r['verdict']}")
            lines.append("  " + self.luck_note())
        return "\n".join(lines)

    def luck_note(self) -> str:
        after = month(self.date(self.from_turn))
        if self.human_orders_after:
            return (f"After {after} the game had {self.human_orders_after} order(s) or answer(s) from players, "
                    f"which the runs leave to the computer: a result in a tail may be their policy (or the dice).")
        return (f"No player gave an order after {after}: the game was played on by the computer as in the "
                f"runs, so where it sits is the luck of the dice.")

    @property
    def factions(self) -> list[str]:
        return [c for c in self.zones.columns if c not in ("now", "actual")]

    @property
    def zones_have_actual(self) -> bool:
        return "actual" in self.zones.columns

    def metric_powers(self, metric: str) -> list[str]:
        """The powers a figure is shown for: leverage is over Damascus, so only the powers that
        have some in the game or in a run (never the regime itself)."""
        return self.shown[metric]

    def _fan(self, metric: str, actor: str, turn: int):
        f = self.fans
        return f[(f["metric"] == metric) & (f["actor"] == actor) & (f["turn"] == turn)].iloc[0]

    # -- pictures and pages --

    def plot(self, metric: str, path: Path) -> Path:
        """One panel per power: the game so far (solid), the runs' median (dashed) and 10-90 %
        band from K, and the game after K (black) when it went on."""
        from sim.analysis.report import colour

        who = self.metric_powers(metric)
        n = len(who)
        if not n:
            return None
        cols = min(3, n)
        rows = math.ceil(n / cols)
        fig = figure(4.3 * cols, 2.9 * rows + 1.1)
        past = self.actual[self.actual["turn"] <= self.from_turn]
        after = self.actual[(self.actual["turn"] >= self.from_turn) & (self.actual["turn"] <= self.end_turn)]
        ct = self.compare_turn
        for i, a in enumerate(who):
            ax = fig.add_subplot(rows, cols, i + 1)
            c = colour(a, self.powers.index(a))
            d = self.fans[(self.fans["metric"] == metric) & (self.fans["actor"] == a)]
            x = [self.date(int(t)) for t in d["turn"]]
            ax.fill_between(x, d["q10"], d["q90"], color=c, alpha=0.25, linewidth=0, label="10-90 % of runs")
            ax.plot(x, d["q50"], color=c, linestyle="--", linewidth=1.5, label="median of runs")
            ax.plot([self.date(int(t)) for t in past["turn"]], past[f"{metric}.{a}"], color=c, linewidth=2.2,
                    label=f"the game to {month(self.date(self.from_turn))}")
            if len(after) > 1:
                ax.plot([self.date(int(t)) for t in after["turn"]], after[f"{metric}.{a}"], color="black",
                        linewidth=1.4, label="the game after it")
            if ct is not None:
                r = self.percentiles[(self.percentiles["actor"] == a) & (self.percentiles["metric"] == metric)]
                if len(r):
                    r = r.iloc[0]
                    ax.plot([self.date(ct)], [r["actual"]], "o", color="black", markersize=4)
                    ax.annotate(f"{ordinal(r['percentile'])} pct.", (self.date(ct), r["actual"]),
                                textcoords="offset points", xytext=(-4, 6), ha="right", fontsize=7)
            ax.axvline(self.date(self.from_turn), color="#888", linewidth=0.8, linestyle=":")
            ax.set_title(self.name(a), fontsize=10)
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.3)
            for lab in ax.get_xticklabels():
                lab.set_rotation(30)
        handles, texts = fig.axes[0].get_legend_handles_labels()
        fig.legend(handles, texts, loc="lower center", ncol=len(texts), fontsize=8, frameon=False)
        fig.suptitle(f"{cap_first(METRIC_WORDS[metric])}: the game and {self.runs_ok} continuations from "
                     f"{month(self.date(self.from_turn))}", fontsize=11)
        fig.tight_layout(rect=(0, 0.05, 1, 1))
        return save_png(fig, path)

    def plot_zones(self, path: Path) -> Path:
        from sim.analysis.report import plot_zone_control

        t = self.zones[["now"] + self.factions].rename(columns={"now": "start"})
        t.index = [self.name(z) for z in t.index]
        plot_zone_control({"runs": t}, path, title=f"Who holds each zone in {month(self.date(self.end_turn))}: "
                                                   f"share of {self.runs_ok} runs")
        return path

    def figures(self, folder: Path, prefix: str = "forecast") -> list:
        """Write the charts into `folder`; their Figure blocks (names relative to the folder)."""
        from sim.teach.pages import Figure, sized

        folder.mkdir(parents=True, exist_ok=True)
        out = []
        if not self.runs_ok:
            return out
        for m in METRICS:
            name = f"{prefix}-{m}.png"
            if self.plot(m, folder / name) is None:
                continue
            out.append(sized(Figure(name, f"Fan chart of each power's {METRIC_WORDS[m]}: the game and the "
                                          f"runs from {month(self.date(self.from_turn))}",
                                    "Solid coloured line: the game up to the month the runs start from. Dashed: "
                                    "the median run; band: the middle 80 % of runs (10th to 90th percentile)."
                                    + (" Only the powers with some leverage, in the game or in a run, are drawn."
                                       if m == "leverage" else "")
                                    + (" Black: what actually happened after that month; the dot is placed "
                                       "among the runs by its percentile." if self.compare_turn else "")), folder))
        name = f"{prefix}-zones.png"
        self.plot_zones(folder / name)
        out.append(sized(Figure(name, "Stacked bars: for each zone, the share of runs ending under each faction",
                                f"Share of the {self.runs_ok} runs in which each zone ends under each faction "
                                f"in {month(self.date(self.end_turn))}."), folder))
        return out

    def blocks(self, figures: list, lead: bool = True) -> list:
        """The forecast as document blocks (render.py's model plus figures), for a page; `lead`
        starts with a paragraph saying what was played."""
        from sim.teach.render import Para, Table

        out: list = []
        if lead:
            out.append(Para(f"{cap_first(self.headline())}. Each run starts from the game's own position in "
                            f"{month(self.date(self.from_turn))} and gets its own dice; the orders given before "
                            f"then are part of the past, and the computer gives every order after."))
        if self.failures:
            out.append(Para(f"{len(self.failures)} run(s) raised an error and are left out.", "note"))
        if not self.runs_ok:
            return out + [Para("No run finished, so there is no fan to show.")]
        fans = [f for f in figures if not f.src.endswith("-zones.png")]
        out += fans
        end = month(self.date(self.end_turn))
        head = ["power"] + [f"{METRIC_WORDS[m]}: median in {end} (10-90 %)" for m in METRICS]
        rows = []
        for a in self.powers:
            row = [self.name(a)]
            for m in METRICS:
                if a not in self.metric_powers(m):
                    row.append("none in the game or in any run (leverage is over Damascus)")
                    continue
                f1 = self._fan(m, a, self.end_turn)
                row.append(f"{f1['q50']:.3f} ({f1['q10']:.3f} to {f1['q90']:.3f})")
            rows.append(row)
        out.append(Table(head, rows))
        if self.compare_turn is not None:
            out.append(Para(f"**Luck or policy?** Where the game's own figures in "
                            f"{month(self.date(self.compare_turn))} sit among the runs (the percentile is the "
                            f"share of runs below it, ties counting half; 50th: the middle):"))
            rows = [[self.name(r["actor"]), METRIC_WORDS[r["metric"]], f"{r['actual']:.3f}",
                     f"{r['q50']:.3f} ({r['q10']:.3f} to {r['q90']:.3f})", ordinal(r["percentile"]), r["verdict"]]
                    for _, r in self.percentiles.iterrows()]
            out.append(Table(["power", "figure", "the game", "runs: median (10-90 %)", "percentile", "reading"],
                             rows))
            out.append(Para(self.luck_note()))
        out += [f for f in figures if f not in fans]
        now = month(self.date(self.from_turn))
        head = ["zone", f"holder in {now}"] + ([f"the game's holder in {end}"] if self.zones_have_actual else []) + \
            [self.name(f) for f in self.factions]
        rows = []
        for z, r in self.zones.iterrows():
            rows.append([self.name(z), self.name(r["now"])] + ([self.name(r["actual"])] if self.zones_have_actual
                                                                else [])
                        + [pct(r[f]) if r[f] > 0 else "–" for f in self.factions])
        out.append(Table(head, rows))
        return out

    def write(self, out: str | Path, save_name: str = "SAVE") -> list[Path]:
        """Charts, forecast.md and forecast.html in the folder `out`."""
        from sim.teach.common import SIMPLIFICATION
        from sim.teach.pages import Doc, Section, to_html, to_markdown, write_text
        from sim.teach.render import Para

        folder = Path(out)
        figs = self.figures(folder)
        doc = Doc(f"What happens from here: {self.title}",
                  f"From {month(self.date(self.from_turn))}, {self.runs_ok} runs, root seed {self.root_seed}",
                  [Section("The fan of outcomes", self.blocks(figs)),
                   Section("How it was made", [
                       Para(f"Run i gets the seed SeedSequence({self.root_seed}, spawn_key=(0, i)) of the batch "
                            f"engine (docs/analysis.md); the same save, seed and number of runs give the same "
                            f"forecast on any number of workers. Again: `{self.command(save_name)}`."),
                       Para("The spread is what the model's own randomness allows from that position, not a "
                            "prediction of what would have happened.")]),
                   Section("What this model is, and is not", [Para(SIMPLIFICATION, "note")])],
                  [f"Generated by Arbiter {_version()} from scenario {self.scenario_id} (scenario hash "
                   f"{self.scenario_hash}), save seed {self.game_seed}."])
        write_text(folder / "forecast.html", to_html(doc))
        write_text(folder / "forecast.md", to_markdown(doc))
        return [folder / f.src for f in figs] + [folder / "forecast.html", folder / "forecast.md"]

    def command(self, save_name: str = "SAVE") -> str:
        """The command that makes this forecast again (`save_name` as it is typed in a shell)."""
        return (f"arbiter forecast {save_name} --from-turn {self.from_turn} --runs {self.runs} "
                f"--turns {self.end_turn - self.from_turn} --seed {self.root_seed}")


# --- making one -------------------------------------------------------------------------------


def default_root(game_seed: int) -> int:
    """The root seed a forecast uses unless told: the save's own seed."""
    return int(game_seed) % (2 ** 63)


def forecast(model_or_game, runs: int, turns: int | None = None, seed: int | None = None, workers: int = 1,
             from_turn: int | None = None) -> Forecast:
    """Play `runs` continuations of a game and gather the fan of outcomes.

    `model_or_game`: an ArbiterModel (the game window's, at its current month) or a SavedGame
    from sim.saves.read. `from_turn`: the month K the runs start from (default: the month the
    game is at, or its start if it has been played to its end). `turns`: months to play from K
    (default: to the game's end). `seed`: the root seed (default: the game's seed). `workers`:
    processes (1: this one); the result does not depend on it. Raises TeachError for input
    that cannot be used (and SaveError for a save that does not replay)."""
    return start(model_or_game, runs, turns=turns, seed=seed, workers=workers, from_turn=from_turn).result()


@dataclass
class Pending:
    """A forecast whose runs are being played (by worker processes, or here when `result` is
    called); `result()` waits for them and returns the Forecast."""

    plays: _Plays
    finish: object  # (runs table, months table, failures) -> Forecast

    def result(self) -> Forecast:
        return self.finish(*self.plays.result())

    def done(self) -> bool:
        """With workers: whether the runs are all played (a window can poll this each frame)."""
        return self.plays.done()

    def cancel(self) -> None:
        self.plays.cancel()


def start(model_or_game, runs: int, turns: int | None = None, seed: int | None = None, workers: int = 1,
          from_turn: int | None = None) -> Pending:
    """Check the options and set the runs going (see :func:`forecast`, the same arguments);
    with `workers` > 1 they are played in the background until `result()` is asked for. The
    game is read now: a model that plays on meanwhile does not change the forecast."""
    from sim.analysis.outcomes import Layout
    from sim.analysis.runner import RunSpec
    from sim.model.state import build_world
    from sim.teach.replay import months

    if not hasattr(model_or_game, "world"):  # a SavedGame
        from sim import saves

        model = saves.restore(model_or_game, record=False)
    else:
        model = model_or_game
    if model.seed is None:
        raise TeachError("this game has no seed, so it cannot be replayed or forecast")
    if not isinstance(runs, (int, np.integer)) or runs < 1:
        raise TeachError(f"--runs {runs}: expected a whole number of at least 1")
    if not isinstance(workers, (int, np.integer)) or workers < 1:
        raise TeachError(f"--workers {workers}: expected a whole number of at least 1")
    if seed is not None and (not isinstance(seed, (int, np.integer)) or seed < 0):
        raise TeachError(f"--seed {seed}: expected a whole number of 0 or more")
    t, T = int(model.world.turn), int(model.turns)
    s = model.world.s
    if from_turn is None:
        from_turn = t if t < T else 0
    if not 0 <= from_turn <= t:
        raise TeachError(f"--from-turn {from_turn}: expected a month from 0 to {t} (the game has reached "
                         f"{month(s.date(t))}, month {t}; a forecast starts from a month already played)")
    if from_turn >= T:
        raise TeachError(f"the game is at its end ({month(s.date(T))}), so there is nothing left to forecast "
                         f"from there; give --from-turn K for an earlier month (0: the start)")
    room = T - from_turn
    if turns is None:
        turns = room
    if not isinstance(turns, (int, np.integer)) or not 1 <= turns <= room:
        raise TeachError(f"--turns {turns}: expected 1 to {room} months (the game ends in "
                         f"{month(s.date(T))}, {room} months after {month(s.date(from_turn))})")
    end = from_turn + int(turns)
    root = default_root(model.seed) if seed is None else int(seed)
    loaded = model.loaded

    # the game as played, month by month, in the batch engine's columns
    lay = Layout(build_world(loaded.scenario).s, T)
    buf = lay.buffer(t + 1)
    judged = lay.new_run()
    for m in months(model):
        lay.read(m.world, buf, m.world.turn, -1, judged)
    actual = lay.turns_table(buf, np.arange(t + 1)).to_pandas(date_as_object=False)

    begin = Start(int(model.seed), tuple(model.overrides), T, tuple(sorted(model.humans)),
                  json.dumps(model.inputs, sort_keys=True, default=str), int(from_turn))
    spec = RunSpec(loaded.scenario.id, f"{loaded.scenario.id} (from the game)", loaded.resolved, end,
                   root_seed=root).with_key()
    plays = _Plays(spec, begin, int(runs), int(workers), loaded)

    after = sum(len(x["given"]) for x in model.inputs if from_turn <= int(x["turn"]) < t)
    game = (s, int(model.seed), after, loaded, actual)

    def finish(runs_t, turns_t, failures) -> Forecast:
        return _assemble(game, runs, root, from_turn, t, end, T, runs_t, turns_t, failures)

    return Pending(plays, finish)


def _assemble(game, runs, root, from_turn, t, end, T, runs_t, turns_t, failures) -> Forecast:
    """The Forecast from the runs' tables: fans, zones, percentiles."""
    import pandas as pd

    from sim.analysis.report import zone_control

    s, game_seed, after, loaded, actual = game
    ends = runs_t.to_pandas(date_as_object=False).sort_values("run_id", kind="stable").reset_index(drop=True)
    months_df = turns_t.to_pandas(date_as_object=False).sort_values(["run_id", "turn"], kind="stable") \
        .reset_index(drop=True)

    powers = [s.actor_ids[i] for i in s.powers]
    names = dict(zip(s.actor_ids, s.names)) | dict(zip(s.zone_ids, s.zone_names))
    n_ok = len(ends)
    span = end - from_turn + 1
    regime = s.actor_ids[s.regime]
    shown = {"standing": list(powers),
             "leverage": [a for a in powers if a != regime and (
                 np.max(months_df[f"leverage.{a}"].to_numpy(), initial=0.0) > 0
                 or np.max(actual[f"leverage.{a}"].to_numpy(), initial=0.0) > 0)]}
    fan_rows = []
    for metric in METRICS:
        for a in powers:
            if a not in shown[metric]:
                continue
            x = months_df[f"{metric}.{a}"].to_numpy(np.float64)
            if n_ok:
                qs = np.quantile(x.reshape(n_ok, span), QUANTILES, axis=0)
            else:
                qs = np.full((len(QUANTILES), span), np.nan)
            for j in range(span):
                tt = from_turn + j
                fan_rows.append({"metric": metric, "actor": a, "turn": tt, "date": s.date(tt),
                                 "q10": qs[0, j], "q50": qs[1, j], "q90": qs[2, j]})
    fans = pd.DataFrame(fan_rows, columns=["metric", "actor", "turn", "date", "q10", "q50", "q90"])

    holders_now = actual.loc[actual["turn"] == from_turn].iloc[0]
    manifest = {"actors": {a: {} for a in s.actor_ids},
                "initial_control": {z: str(holders_now[f"control.{z}"]) for z in s.zone_ids}}
    if n_ok:
        zones = zone_control(ends, manifest).rename(columns={"start": "now"})
    else:
        zones = pd.DataFrame({"now": manifest["initial_control"]})
        zones.index.name = "zone"
    compare = min(t, end)
    if t >= end:  # the game reached the forecast's last month: its holders then
        row = actual.loc[actual["turn"] == end].iloc[0]
        zones.insert(1, "actual", [str(row[f"control.{z}"]) for z in zones.index])

    pct_rows = []
    if compare > from_turn and n_ok:
        at = months_df[months_df["turn"] == compare]
        arow = actual.loc[actual["turn"] == compare].iloc[0]
        for a in powers:
            for metric in METRICS:
                if a not in shown[metric]:
                    continue
                col = f"{metric}.{a}"
                x = at[col].to_numpy(np.float64)
                v = float(arow[col])
                p = 100.0 * (np.sum(x < v) + 0.5 * np.sum(x == v)) / len(x)
                q = np.quantile(x, QUANTILES)
                pct_rows.append({"actor": a, "metric": metric, "turn": compare, "date": s.date(compare),
                                 "actual": v, "q10": q[0], "q50": q[1], "q90": q[2], "percentile": float(p),
                                 "verdict": reading(p, bool(np.all(x == v)))})
    percentiles = pd.DataFrame(pct_rows, columns=["actor", "metric", "turn", "date", "actual", "q10", "q50", "q90",
                                                  "percentile", "verdict"])
    return Forecast(loaded.scenario.id, loaded.scenario.title, loaded.digest, game_seed, root, int(runs),
                    int(from_turn), t, end, T, s.date(0), powers, names, after, regime, shown, actual, months_df,
                    ends, fans,
                    zones, percentiles, [{k: f[k] for k in ("run_id", "seed", "error")} for f in failures])


# --- small helpers ----------------------------------------------------------------------------


def reading(p: float, all_same: bool = False) -> str:
    """A percentile in words: where an outcome sits among the runs."""
    if all_same:
        return "every run ends with the same figure: the position decided it"
    if p < 10:
        return "lower than 9 runs in 10: an unusually poor result from that position"
    if p > 90:
        return "higher than 9 runs in 10: an unusually good result from that position"
    if p < 25 or p > 75:
        return "in the middle 80 % of the runs, toward one side: a common result"
    return "in the middle half of the runs: what that position usually gave"


def ordinal(p: float) -> str:
    n = int(round(p))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def pct(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{100 * x:.1f} %" if 0 < x < 0.01 else f"{100 * x:.0f} %"  # one run in 200 is not "0 %"


def cap_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _version() -> str:
    import sim

    return sim.__version__


def figure(w: float, h: float):
    """A matplotlib figure on the Agg canvas: no window, no global backend change."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(w, h), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def save_png(fig, path: Path) -> Path:
    """PNG without the metadata that could differ between machines, so that the same numbers
    give the same bytes."""
    fig.savefig(path, format="png", metadata={"Software": None})
    return path
