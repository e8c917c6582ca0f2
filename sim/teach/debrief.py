"""The debrief page: one self-contained HTML page about a saved game, to project or hand out.

``build(game, out)`` writes ``out/index.html`` with its PNGs beside it (relative links; no
scripts, no external style sheets or fonts) and returns what it made. The page has, in order:
the story month by month (the captions of sim/narrate.py, the scenario's events and the
players' orders), influence over time, turning points, each power's score and objectives,
the class's predictions and how they came out, the fan of what else could have happened
(a forecast from an earlier month with the game drawn in it), each power's reasons for its
three highest-stake decisions with their sources, a reproducibility stamp, and the
simplification statement with where the preferences come from. A section that cannot be
made (turning points of a game not finished, a forecast turned off) is still there, with
the reason.

The page is deterministic: the same save, options and Arbiter version give the same bytes
(no clock time, no timings, nothing that depends on the number of workers or the machine).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

import sim
from sim.teach.common import SIMPLIFICATION, TeachError, cap, cite, humanise, month, stamp
from sim.teach.pages import Doc, Figure, Section, sized, to_html, write_text
from sim.teach.render import Bullets, Para, Table

SECTIONS = ("The story month by month", "Influence over time", "Turning points", "Scores and objectives",
            "Predictions", "What else could have happened", "Why each power did what it did",
            "Reproducibility", "What this model is, and is not")
DEFAULT_RUNS = 200
TOP_TURNING_POINTS = 5
KEY_DECISIONS = 3
# every PNG the page may write: those not written this time are removed from the folder, so
# that a picture from an earlier debrief is never shown beside this one's text
PICTURES = ("influence.png", "fan-leverage.png", "fan-standing.png", "fan-zones.png")
# sections longer than a printed page may break across pages (figures and table rows never do)
LONG = tuple(x for x in SECTIONS if x not in ("Predictions", "Reproducibility"))


@dataclass
class Debrief:
    """What was written, and the parts it was made of (for tests and other pages)."""

    path: Path  # index.html
    html: str
    figures: list[Path]
    missing: dict[str, str] = field(default_factory=dict)  # section -> why it has no content
    forecast: object = None  # sim.teach.forecast.Forecast, if made
    turning_points: object = None  # sim.teach.turning_points.TurningPoints, if made


def build(game, out: str | Path, *, runs: int = DEFAULT_RUNS, fan_from: int = 0, seed: int | None = None,
          workers: int = 1, forecast: bool = True, turning_points: bool = True,
          save_name: str | None = None) -> Debrief:
    """Write the debrief of `game` (a SavedGame from sim.saves.read) into the folder `out`.

    `runs`, `fan_from`, `seed`, `workers`: the forecast's (from month `fan_from`, default the
    start; `seed` default the save's). `save_name`: the file name the page's commands use
    (default the save's own name)."""
    from sim import saves

    if not hasattr(game, "inputs"):
        raise TypeError("build() takes a SavedGame (sim.saves.read)")
    model = saves.restore(game, record=True)  # every month's record: decisions and their reasons
    name = shlex.quote(save_name or (game.path.name if game.path else "SAVE.arbiter"))  # as typed in a shell
    last = min(model.world.turn, model.turns - 1)
    if forecast and not 0 <= fan_from <= last:
        raise TeachError(f"--fan-from {fan_from}: expected a month from 0 to {last} (a month the game has "
                         f"played, before its last)")
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TeachError(f"--out {folder}: cannot make the folder ({exc.strerror or exc})") from None
    ctx = _Ctx(game, model, name)
    missing: dict[str, str] = {}
    written: list[Path] = []

    pending = None
    if forecast:
        from sim.teach.forecast import start

        pending = start(model, runs, seed=seed, workers=workers, from_turn=fan_from)
    tps = fc = None
    finished = model.world.turn >= model.turns
    try:
        if turning_points and finished:  # here, while the workers (if any) play the fan
            from sim.teach.turning_points import turning_points as find

            tps = find(model)
        if pending is not None:
            fc = pending.result()
    except BaseException:
        if pending is not None:
            pending.cancel()
        raise

    sections = [
        _story(ctx),
        _influence(ctx, folder, written),
        _turning_points(ctx, tps, turning_points, finished, missing),
        _scores(ctx),
        _predictions(ctx, missing),
        _fan(ctx, fc, folder, written, forecast, missing, runs, fan_from),
        _why(ctx),
        _reproducibility(ctx, fc, tps),
        _model(ctx),
    ]
    assert [s.title for s in sections] == list(SECTIONS)
    for pic in PICTURES:
        p = folder / pic
        if p not in written and p.is_file():
            p.unlink()
    scn = model.scenario
    t, T = model.world.turn, model.turns
    played = (f"played to its end, {month(ctx.date(T))}" if finished
              else f"saved in {month(ctx.date(t))}, month {t} of {T}")
    teams = (f"players took {_and([ctx.name(h) for h in sorted(game.humans)])}; the computer played the rest"
             if game.humans else "the computer played every side")
    doc = Doc(f"Debrief: {scn.title}",
              f"Seed {game.seed}; the game opened in {month(ctx.date(0))} and was {played}; {teams}.",
              sections, [stamp(model.loaded)])
    html = to_html(doc, contents=True, long_sections=LONG)
    path = folder / "index.html"
    write_text(path, html)
    return Debrief(path, html, written, missing, fc, tps)


# --- context ----------------------------------------------------------------------------------


class _Ctx:
    def __init__(self, game, model, save_name: str):
        self.game = game
        self.model = model
        self.save_name = save_name
        self.s = model.world.s
        s = self.s
        self.names = dict(zip(s.actor_ids, s.names)) | dict(zip(s.zone_ids, s.zone_names))
        self.powers = [s.actor_ids[i] for i in s.powers]
        self.regime = s.actor_ids[s.regime]
        self.records = model.records

    def name(self, key: str) -> str:
        return self.names.get(key, key)

    def date(self, turn: int):
        return self.s.date(turn)

    def figures(self, turn: int) -> dict:
        """The recorded figures after month `turn` (0: the opening)."""
        return self.model.initial if turn == 0 else self.records[turn - 1]


def _and(items: list[str]) -> str:
    items = [x for x in items if x]
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _num(x: float) -> str:
    return f"{x:.3f}"


# --- the story --------------------------------------------------------------------------------


def _story(c: _Ctx) -> Section:
    from sim.narrate import captions
    from sim.teach.replay import by_turn

    title = SECTIONS[0]
    if not c.records:
        return Section(title, [Para("No month has been played yet: the save is at the opening position, "
                                    f"{month(c.date(0))}.")])
    inputs = by_turn(c.game.inputs)
    rows = []
    for rec in c.records:
        turn = rec["turn"]
        lines = captions(c.figures(turn - 1), rec, c.names)
        said = " ".join(lines).lower()
        for ev in rec.get("events") or []:
            text = (ev.get("text", "") if isinstance(ev, dict) else str(ev)).strip()
            if text and text.rstrip(".").lower() not in said:
                lines.append(text if text.endswith(".") else text + ".")
        orders = _players(c, rec, inputs.get(turn - 1, []))
        if orders:
            lines.append("**Players:** " + " ".join(orders))
        rows.append([month(c.date(turn)), " ".join(lines)])
    start, end = c.figures(0)["control"], c.records[-1]["control"]
    changed = [f"{c.name(z)} ({c.name(start[z])} to {c.name(h)})" for z, h in end.items() if start.get(z) != h]
    intro = (f"From {month(c.date(0))} to {month(c.date(len(c.records)))}, "
             + (f"{len(changed)} zone(s) changed hands: {_and(changed)}." if changed
                else "no zone ended in other hands than it started.")
             + " Each month below is told in the words of the captions shown in the game, with the scenario's "
               "events and the orders the players gave.")
    return Section(title, [Para(intro), Table(["month", "what happened"], rows)])


def _players(c: _Ctx, rec: dict, given: list) -> list[str]:
    """The players' own orders and answers in a month, in words."""
    out = []
    for g in given:
        if g[0] == "choose":
            d = next((d for d in rec["decisions"] if d["actor"] == g[1] and d["action"] == g[2]
                      and d["target"] == g[3]), None)
            out.append((d["text"] if d else f"{c.name(g[1])} orders {humanise(g[2]).lower()}") + ".")
        else:
            r = next((r for r in rec.get("responses", []) if r.get("proposal") == g[1] and r["actor"] == g[2]), None)
            what = r["kind"].replace("_", " ") if r else "proposal"
            by = f" proposed by {c.name(r['proposer'])}" if r else ""
            verb = "counters" if not isinstance(g[3], bool) else ("accepts" if g[3] else "refuses")
            out.append(f"{c.name(g[2])} {verb} the {what}{by}.")
    return out


# --- influence --------------------------------------------------------------------------------


def _influence(c: _Ctx, folder: Path, written: list) -> Section:
    from sim.analysis.report import colour
    from sim.teach.forecast import figure, save_png

    title = SECTIONS[1]
    turns = list(range(len(c.records) + 1))
    dates = [c.date(t) for t in turns]
    # leverage is over Damascus: drawn for the powers that had some in this game
    has_leverage = {a for a in c.powers if a != c.regime and any(c.figures(t)["influence"]["leverage"][a] > 0
                                                                  for t in turns)}
    fig = figure(10, 4.2)
    for k, (metric, words) in enumerate((("leverage", "Leverage over Damascus"), ("standing", "Standing"))):
        ax = fig.add_subplot(1, 2, k + 1)
        for i, a in enumerate(c.powers):
            if metric == "leverage" and a not in has_leverage:
                continue
            ys = [c.figures(t)["influence"][metric][a] for t in turns]
            ax.plot(dates, ys, color=colour(a, i), linewidth=2, label=c.name(a), marker="o" if len(turns) < 8 else None,
                    markersize=3)
        ax.set_title(words, fontsize=11)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
        for lab in ax.get_xticklabels():
            lab.set_rotation(30)
    handles, labels = fig.axes[1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    save_png(fig, folder / "influence.png")
    written.append(folder / "influence.png")
    fig_block = sized(Figure("influence.png", "Line charts of each power's leverage over Damascus and standing, "
                                              "month by month",
                             "Leverage over Damascus: how far the regime depends on that power's support (the "
                             "regime itself has none; a power with none all game is not drawn). Standing: "
                             "reputation plus the roles held in agreements and talks. Both run from 0 to 1."), folder)
    rows = []
    last = len(c.records)
    for a in c.powers:
        cells = [c.name(a)]
        for metric in ("leverage", "standing"):
            if metric == "leverage" and a == c.regime:
                cells.append("none (it is the government in Damascus)")
                continue
            if metric == "leverage" and a not in has_leverage:
                cells.append("none in this game")
                continue
            v0, v1 = c.figures(0)["influence"][metric][a], c.figures(last)["influence"][metric][a]
            cells.append(f"{_num(v0)} to {_num(v1)} ({v1 - v0:+.3f})")
        rows.append(cells)
    table = Table(["power", f"leverage, {month(c.date(0))} to {month(c.date(last))}",
                   f"standing, {month(c.date(0))} to {month(c.date(last))}"], rows)
    return Section(title, [fig_block, table])


# --- turning points ---------------------------------------------------------------------------


def _turning_points(c: _Ctx, tps, asked: bool, finished: bool, missing: dict) -> Section:
    title = SECTIONS[2]
    if not asked:
        why = ("Turning points were left out of this debrief (--no-turning-points). Make the debrief again "
               "without that option to see them; on a 36-month game they take some seconds to compute.")
        missing[title] = why
        return Section(title, [Para(why, "note")])
    if not finished:
        why = (f"Turning points cannot be shown yet: the game was saved in {month(c.date(c.model.world.turn))}, "
               f"month {c.model.world.turn} of {c.model.turns}, and a turning point is measured by how far the "
               f"game's ending moves. Play the game to its end, save it, and make the debrief again.")
        missing[title] = why
        return Section(title, [Para(why, "note")])
    top = tps.top(TOP_TURNING_POINTS)
    intro = Para("The decisions that changed the ending most. Each month's decision of each power was replaced by "
                 "its next-best options and the game re-run to the end from there, with the same dice each month "
                 "and the players' other orders given again. **How far the end moved** adds the share of Syria's "
                 "population living in zones that end in other hands to the total change in the powers' leverage "
                 "and standing (0: the same ending).")
    if not top:
        why = "No re-run could be made: no decision had an alternative open that month."
        missing[title] = why
        return Section(title, [intro, Para(why, "note")])
    rows = []
    for i, tp in enumerate(top, 1):
        zones = "; ".join(f"{c.name(z)}: {c.name(b)} instead of {c.name(a)}" for z, a, b in tp.zones)
        moves = "; ".join(f"{c.name(a)}'s {m} {d:+.3f}" for a, m, d in tp.moves)
        scores = "; ".join(f"{c.name(a)} {new} points instead of {old}" for a, old, new in tp.scores)
        changed = " ".join(x for x in (f"Zones: {zones}." if zones else "", f"Influence: {moves}." if moves else "",
                                       f"Scores: {scores}." if scores else "") if x) or "Nothing visible at the end."
        rows.append([str(i), month(c.date(tp.turn)), c.name(tp.actor), f"{tp.did} ({tp.track})",
                     tp.instead + (f" (valued {tp.utility_gap:.4f} lower)" if tp.utility_gap > 0 else ""),
                     f"{tp.distance:.3f}", changed])
    blocks = [intro, Table(["#", "month", "power", "what it did", "what it could have done", "how far the end moved",
                            "what would have ended differently"], rows)]
    notes = [f"{tps.runs} re-runs over {len(tps.turns)} month(s); one turning point per power and month is shown."]
    if tps.skipped:
        notes.append(f"{tps.skipped} alternative(s) were not open before their month's events and were skipped.")
    if tps.note:
        notes.append(cap(tps.note) + ".")
    blocks.append(Para(" ".join(notes), "small"))
    return Section(title, blocks)


# --- scores -----------------------------------------------------------------------------------


def _scores(c: _Ctx) -> Section:
    from sim.model import objectives

    title = SECTIONS[3]
    card = c.model.scorecard()
    if not card:
        return Section(title, [Para("This scenario sets no objectives, so no power scores points.", "note")])
    totals = objectives.scores(card)
    finished = c.model.world.turn >= c.model.turns
    summary = Table(["power", "points won", "of"], [[c.name(a), str(totals[a][0]), str(totals[a][1])]
                                                    for a in c.powers if a in totals]
                    + [[c.name(a), str(w), str(t)] for a, (w, t) in totals.items() if a not in c.powers])
    rows = []
    for v in card:
        if v.met is None:
            result = (f"not judged yet (in {month(c.date(v.due))}); it would "
                      f"{'' if v.holds_now else 'not '}hold now")
        else:
            result = "**met**" if v.met else "missed"
        rows.append([c.name(v.actor), v.text, str(v.points), month(c.date(v.due)), result])
    intro = ("Each power's objectives, as the scenario sets them, judged in their month (or at the end of the game)."
             + ("" if finished else " The game is not finished, so some are not judged yet."))
    return Section(title, [Para(intro), summary, Table(["power", "objective", "points", "judged in", "result"], rows)])


# --- predictions ------------------------------------------------------------------------------


def _predictions(c: _Ctx, missing: dict) -> Section:
    from sim.teach import predictions as P

    title = SECTIONS[4]
    judged = P.score(c.game, c.model)
    if not judged:
        why = (f"No predictions were recorded in this save. Next time, record the class's predictions before play "
               f"with `arbiter predict {c.save_name} \"Turkey holds Afrin at the end\" --by \"Team Turkey\"`.")
        missing[title] = why
        return Section(title, [Para(why, "note")])
    rows = []
    for j in judged:
        p = j.prediction
        if j.status == "open":
            result = f"not yet decided (judged {P.when_words(p, P.context_for(c.model))})"
        else:
            result = f"**came true** ({month(c.date(j.turn))})" if j.status == "true" else \
                f"did not come true ({month(c.date(j.turn))})"
        now = ""
        if j.figure_now is not None:
            now = f"; the figure was {j.figure_now:.3f} in {month(c.date(j.now))}"
        rows.append([p.id or "", p.text, p.by or "", month(c.date(p.made_at_turn)), result + now])
    tally = P.tally(judged)
    lines = [f"{who or 'Unnamed'}: {n['true']} came true, {n['false']} did not, {n['open']} not yet decided"
             for who, n in tally.items()]
    return Section(title, [Para("The class's predictions, as recorded in the save, judged on the game month by month."),
                           Table(["", "prediction", "by", "made in", "how it came out"], rows), Bullets(lines)])


# --- the fan ----------------------------------------------------------------------------------


def _fan(c: _Ctx, fc, folder: Path, written: list, asked: bool, missing: dict, runs: int, fan_from: int) -> Section:
    title = SECTIONS[5]
    if not asked:
        why = ("The fan of other outcomes was left out of this debrief (--no-forecast). Make the debrief again "
               f"without that option, or run `arbiter forecast {c.save_name} --from-turn {fan_from} --runs {runs}`.")
        missing[title] = why
        return Section(title, [Para(why, "note")])
    figs = fc.figures(folder, prefix="fan")
    written += [folder / f.src for f in figs]
    start, end = month(c.date(fc.from_turn)), month(c.date(fc.end_turn))
    if fc.compare_turn is None:
        text = (f"What else could have happened from {start}: the position was played on {fc.runs_ok} times by the "
                f"computer, each time with its own dice, to {end}. The bands show what usually happened.")
    elif fc.compare_turn >= fc.game_turns:
        text = (f"Was this game's ending likely, or luck? The position of {start} was played on {fc.runs_ok} times "
                f"by the computer, each time with its own dice, to {end}. The bands show what usually happened; "
                f"the black line is this game.")
    else:
        text = (f"Was the game so far likely, or luck? The position of {start} was played on {fc.runs_ok} times by "
                f"the computer, each time with its own dice, to {end}. The bands show what usually happened; the "
                f"black line is this game up to {month(c.date(fc.compare_turn))}, where it was saved.")
    intro = Para(text)
    return Section(title, [intro] + fc.blocks(figs, lead=False)
                   + [Para(f"Root seed {fc.root_seed}: run i has the batch engine's seed for index i, and the runs "
                           f"start from the game's own state in {start}; the orders players gave before then are "
                           f"part of the past, and the computer gives every order after.", "small")])


# --- why --------------------------------------------------------------------------------------


def stake(decision: dict) -> float:
    """How much was at stake in a decision for its power: the total size of its goals'
    contributions to the expected value, for or against."""
    return float(sum(abs(b["value"]) for b in decision["breakdown"]))


def key_decisions(records: list[dict], actor: str, n: int = KEY_DECISIONS) -> list[tuple[int, dict]]:
    """(month, decision) of the power's `n` highest-stake decisions, largest first (ties: the
    earlier), one per distinct order: the same order given again is shown once, at its largest."""
    ds = [(rec["turn"], d) for rec in records for d in rec["decisions"] if d["actor"] == actor]
    ds.sort(key=lambda x: (-round(stake(x[1]), 9), x[0], x[1]["track"]))
    out, seen = [], set()
    for turn, d in ds:
        key = (d["track"], d["action"], d["target"])
        if key in seen:
            continue
        seen.add(key)
        out.append((turn, d))
        if len(out) == n:
            break
    return out


def _why(c: _Ctx) -> Section:
    from sim.teach.replay import by_turn

    title = SECTIONS[6]
    if not c.records:
        return Section(title, [Para("No month has been played yet, so no power has decided anything.", "note")])
    inputs = by_turn(c.game.inputs)
    blocks: list = [Para("For each power, the three decisions with the most at stake for it (the largest total of "
                         "its goals' contributions, for or against; an order given again is shown once), with each "
                         "goal's weight (negative: the power wants less of what the goal counts), its contribution "
                         "to the order's expected value, our paraphrase of the motive and the article it comes from. "
                         "Positive contributions pulled the power toward the order, negative ones against it.")]
    cited: list[str] = []
    for a in c.powers:
        picks = key_decisions(c.records, a)
        blocks.append(Para(f"**{c.name(a)}**"))
        if not picks:
            blocks.append(Para("No decision recorded."))
            continue
        for turn, d in picks:
            human = any(g[0] == "choose" and g[1] == a and g[2] == d["action"] and g[3] == d["target"]
                        for g in inputs.get(turn - 1, []))
            alt = d["alternatives"][0] if d["alternatives"] else None
            head = (f"{month(c.date(turn))}, {d['track']} order: **{d['text']}**"
                    + (" (the players' order)" if human else "")
                    + f". Expected value {d['utility']:+.4f}, among {d['candidates']} open orders"
                    + (f"; the other order it valued most was to {_verb(alt['text'])} ({alt['utility']:+.4f})"
                       + (", above the one it took: choices are probabilistic, so a power sometimes takes a close "
                          "second." if alt["utility"] > d["utility"] else ".") if alt else "."))
            blocks.append(Para(head))
            rows = []
            for b in sorted(d["breakdown"], key=lambda b: (-abs(b["value"]), b["term"])):
                if abs(b["value"]) < 5e-7:
                    continue
                rows.append([humanise(b["term"]), f"{b['weight']:+.2f}", f"{b['value']:+.4f}", b["note"],
                             b["source"]])
                if b["source"] not in cited:
                    cited.append(b["source"])
            if rows:
                blocks.append(Table(["goal", "weight", "contribution", "the motive, in our words", "source"], rows))
            else:
                blocks.append(Para("No goal was moved by this order: it was chosen among equals."))
    if cited:
        blocks += [Para("**Sources cited above**"), Bullets([cite(x) for x in sorted(cited)])]
    return Section(title, blocks)


def _verb(text: str) -> str:
    """An alternative's label ('reinforces Idlib') as an infinitive phrase ('reinforce Idlib')."""
    first, _, rest = text.partition(" ")
    if first.endswith("ies"):
        first = first[:-3] + "y"
    elif first.endswith(("sses", "shes", "ches", "xes")):
        first = first[:-2]
    elif first.endswith("s") and not first.endswith("ss"):
        first = first[:-1]
    return f"{first} {rest}".strip()


# --- reproducibility --------------------------------------------------------------------------


def replay_command(c: _Ctx) -> str | None:
    """The headless command that plays the same game, when the computer gave every order."""
    if c.game.inputs:
        return None
    scn = c.model.scenario
    parts = ["arbiter", "run", scn.id, "--seed", str(c.game.seed)]
    if c.model.turns != scn.turns:
        parts += ["--turns", str(c.model.turns)]
    if c.model.world.turn < c.model.turns:
        parts += ["--stop-after", str(c.model.world.turn)]
    for o in c.game.overrides:
        parts += ["--set", o]
    return " ".join(parts)


def _reproducibility(c: _Ctx, fc, tps) -> Section:
    from sim import saves

    title = SECTIONS[7]
    g, m = c.game, c.model
    n_inputs = sum(len(x["given"]) for x in g.inputs)
    n_months = len(g.inputs)
    rows = [["scenario", f"{m.scenario.id}: {m.scenario.title}"],
            ["scenario hash", f"`{m.loaded.digest}`"],
            ["seed", str(g.seed)],
            ["months played", f"{m.world.turn} of {m.turns}"],
            ["players' orders and answers", (f"{n_inputs} in {n_months} month(s)" if n_inputs else "none")
             + (f" ({_and([c.name(h) for h in sorted(g.humans)])} played by teams)" if g.humans else "")],
            ["Arbiter version", sim.__version__ + (f" (the save was written by {g.app_version})"
                                                   if g.app_version and g.app_version != sim.__version__ else "")],
            ["save format", f"{saves.FORMAT} version {saves.VERSION}"]]
    if g.overrides:
        rows.append(["scenario values set", ", ".join(f"`{o}`" for o in g.overrides)])
    if fc is not None:
        rows.append(["fan of outcomes", f"{fc.runs} runs from month {fc.from_turn}, root seed {fc.root_seed}"])
    if tps is not None:
        rows.append(["turning points", f"{tps.runs} re-runs, up to 2 alternatives per decision"])
    cmds = [f"Replay the game exactly, in the window: `arbiter play --load {c.save_name}` "
            f"(or `arbiter present --load {c.save_name}` for a projector)."]
    headless = replay_command(c)
    if headless:
        cmds.append(f"The computer gave every order, so this plays the same game headless: `{headless}` (with the "
                    f"scenario file of the hash above).")
    else:
        cmds.append(f"Players gave {n_inputs} order(s) or answer(s), which only the save holds: replay it from the "
                    f"save.")
    if fc is not None:
        cmds.append(f"The fan again: `{fc.command(c.save_name)}`.")
    cmds.append(f"This page again: `{debrief_command(c.save_name, fc, tps is not None)}`.")
    return Section(title, [Table(["what", "value"], rows), Bullets(cmds),
                           Para("The same scenario, seed and orders always give the same game, and the same save, "
                                "options and Arbiter version give the same page.", "small")])


def debrief_command(save_name: str, fc, turning_points: bool) -> str:
    parts = ["arbiter debrief", save_name, "--out", "DIR"]
    if fc is None:
        parts.append("--no-forecast")
    else:
        parts += ["--runs", str(fc.runs), "--fan-from", str(fc.from_turn), "--seed", str(fc.root_seed)]
    if not turning_points:
        parts.append("--no-turning-points")
    return " ".join(parts)


# --- the model --------------------------------------------------------------------------------


def _model(c: _Ctx) -> Section:
    from sim.sources import ARTICLES

    title = SECTIONS[8]
    scn = c.model.scenario
    used = {t.source.strip() for a in c.powers for t in scn.actors[a].preferences.values()}
    articles = [[a.id, f"\u201c{a.title}\u201d", month_of(a.date), a.gist] for a in ARTICLES.values()
                if a.id in used]
    rows = []
    for a in c.powers:
        terms = sorted(c.model.agents_by_id(a).terms, key=lambda t: (-abs(t.weight), t.name))
        goals = "; ".join(f"{humanise(t.name)} {t.weight:+.2f} ({_short(t.source)}"
                          + (", contested)" if t.contested else ")") for t in terms)
        rows.append([c.name(a), goals])
    assumptions = sum(1 for a in c.powers for t in scn.actors[a].preferences.values()
                      if t.source.strip().startswith("assumption"))
    return Section(title, [
        Para(SIMPLIFICATION, "note"),
        Para("**Where the preferences come from.** Each power's goals and weights are our reading of the news "
             "analyses below, paraphrased (our one-line summaries, not the articles' words); goals the articles do "
             f"not settle are our assumptions and say so ({assumptions} here). A contested weight is one the "
             f"sources can be read two ways: `arbiter contested {scn.id}` lists the other readings."),
        Table(["id", "article", "published", "what the model takes from it"], articles),
        Table(["power", "goals: weight (source); a negative weight means the power wants less of it"], rows),
    ])


def _short(ref: str) -> str:
    return "our assumption" if ref.strip().startswith("assumption") else ref.strip()


def month_of(ym: str) -> str:
    import datetime as dt

    y, mth = ym.split("-")[:2]
    return month(dt.date(int(y), int(mth), 1))


__all__ = ["Debrief", "SECTIONS", "build", "key_decisions", "replay_command", "stake"]
