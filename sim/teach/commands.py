"""The classroom commands, dispatched from sim.cli: ``briefing``, ``predict``, ``forecast``
and ``debrief``.

    run_sim.py briefing SCENARIO --actor ACTOR [--out FILE.html|FILE.md] [--format html|md]
    run_sim.py briefing SCENARIO --all [--out FOLDER | --out NAME.html] [--format html|md]
    run_sim.py predict SAVE "statement" [...] [--file LIST.yaml] [--by NAME]
    run_sim.py predict SAVE --list
    run_sim.py forecast SAVE --runs N [--turns T] [--from-turn K] [--seed S] [--out DIR] [--workers W]
    run_sim.py debrief SAVE --out DIR [--runs N] [--fan-from K] [--seed S] [--workers W]
                       [--no-forecast] [--turning-points | --no-turning-points]

Exit codes as for the rest of the command line: 0 success, 2 bad input (one paragraph on
stderr), 1 an internal error.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from sim.argtypes import nonneg_int, positive_int
from sim.teach.common import TeachError, month
from sim.teach.pages import write_text


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one path for bad input: a TeachError, exit 2
        raise TeachError(f"{self.prog}: {message}\n(see '{self.prog} --help')")


def main(name: str, argv: list[str]) -> int:
    from sim.saves import SaveError
    from sim.scenario import ScenarioError

    try:
        handler = COMMANDS.get(name)
        if handler is None:
            raise TeachError(f"'{name}' is not a classroom command; expected one of: {', '.join(COMMANDS)}")
        return handler(argv)
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    except (TeachError, ScenarioError, SaveError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception:  # an internal error: say so plainly
        traceback.print_exc()
        print("internal error: please report it with the command you ran", file=sys.stderr)
        return 1


# --- briefing -----------------------------------------------------------------------------------


def briefing_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="arbiter briefing", description="A printable role briefing for a power in a scenario: "
                "who you are, what you want and why (with sources), your forces, options and objectives.")
    p.add_argument("scenario", help="scenario id or YAML path")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--actor", help="the power (id or name, e.g. russia, 'United States', the regime)")
    who.add_argument("--all", action="store_true", help="one briefing per power")
    p.add_argument("--out", metavar="FILE", help="write to FILE (.html or .md); with --all a folder, or NAME.html "
                   "for NAME-ACTOR.html files (default: Markdown on the screen)")
    p.add_argument("--format", choices=("html", "md"), help="default: from the --out suffix")
    return p


_SUFFIX = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}


def cmd_briefing(argv: list[str]) -> int:
    from sim.scenario import load_scenario
    from sim.teach import briefing
    from sim.teach.render import to_html, to_markdown

    args = briefing_parser().parse_args(argv)
    loaded = load_scenario(args.scenario)
    out = Path(args.out) if args.out else None
    fmt = args.format
    if fmt is None and out is not None:
        fmt = _SUFFIX.get(out.suffix.lower())
        if fmt is None:
            if not (args.all and out.suffix == ""):
                raise TeachError(f"--out {out}: cannot tell the format from its name; end it in .html or .md, "
                                 f"or add --format html or --format md")
            fmt = "html"  # --all into a folder
    fmt = fmt or "md"
    actors = briefing.powers(loaded) if args.all else [briefing.resolve_actor(loaded, args.actor)]
    write = to_html if fmt == "html" else to_markdown
    docs = {a: write(briefing.build(loaded, a).doc) for a in actors}
    if out is None:
        if fmt == "html" and len(docs) > 1:
            raise TeachError("--all --format html writes one page per power: give --out FOLDER")
        sys.stdout.write("\n\n".join(docs.values()))
        return 0
    if not args.all:
        write_text(out, docs[actors[0]])
        print(f"wrote {out} ({loaded.scenario.actors[actors[0]].name}, {fmt})")
        return 0
    ext = "." + fmt
    for a, text in docs.items():
        path = (out.parent / f"{out.stem}-{a}{out.suffix}" if out.suffix.lower() in _SUFFIX
                else out / f"{loaded.scenario.id}-{a}{ext}")
        write_text(path, text)
        print(f"wrote {path} ({loaded.scenario.actors[a].name}, {fmt})")
    return 0


# --- predict ------------------------------------------------------------------------------------


def predict_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="arbiter predict", description="Record the class's predictions in a saved game and see "
                "how they stand. Statements are read by patterns; --help-statements lists them.")
    p.add_argument("save", help="a saved game (.arbiter)")
    p.add_argument("statements", nargs="*", help="predictions in quotes, e.g. \"Turkey holds Afrin at the end\"")
    p.add_argument("--file", metavar="LIST.yaml", help="a YAML list of predictions (see docs/classroom.md)")
    p.add_argument("--by", metavar="NAME", help="who makes them (a team or a student)")
    p.add_argument("--list", action="store_true", help="list the save's predictions and how each stands")
    p.add_argument("--help-statements", action="store_true", help="the statements understood, with examples")
    return p


def cmd_predict(argv: list[str]) -> int:
    from sim import saves
    from sim.teach import predictions as P

    args = predict_parser().parse_args(argv)
    if args.help_statements:
        print(P.HELP)
        return 0
    path = Path(args.save)
    game = saves.read(path)
    model = saves.restore(game, record=False)
    ctx = P.context_for(model)
    old = P.stored(game, model)
    if args.list:
        if args.statements or args.file:
            raise TeachError("predict: --list shows the recorded predictions; add new ones without --list")
        return _list(path, model, ctx, old)
    if not args.statements and not args.file:
        raise TeachError("predict: give one or more statements in quotes, --file LIST.yaml, or --list to see "
                         "those recorded; for example: arbiter predict game.arbiter \"Turkey holds Afrin at "
                         "the end\"\n\n" + P.HELP)
    new, problems = [], []
    for text in args.statements:
        try:
            new.append(P.parse(text, None, ctx=ctx, by=args.by))
        except TeachError as exc:
            problems.append(str(exc))
    if args.file:
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except OSError as exc:
            raise TeachError(f"{args.file}: cannot read ({exc.strerror or exc})") from None
        except UnicodeDecodeError:
            raise TeachError(f"{args.file}: not UTF-8 text") from None
        try:
            new += P.read_list(text, None, name=Path(args.file).name, ctx=ctx, by=args.by)
        except TeachError as exc:
            problems.append(str(exc))
    if problems:
        raise TeachError("nothing was added to the save:\n" + "\n".join(problems))
    added, repeated = P.added(old, new)
    records = [p.to_dict() for p in old + added]
    game.extras = {**game.extras, P.EXTRAS_KEY: records}
    saves.write_game(path, game)
    saves.read(path)  # the file written reads back and checks
    where = f"{month(ctx.date(model.world.turn))}, turn {model.world.turn} of {model.turns}"
    if model.world.turn >= model.turns:
        print("Note: this game has been played to its end, so a prediction about it is judged at once; "
              "predictions are best made on a save from before the end.")
    print(f"Added {len(added)} prediction{'s' if len(added) != 1 else ''} to {path.name} (made in {where})"
          + (f"; {repeated} already recorded, not added again" if repeated else "") + ".")
    for j in P.judge(added, model):
        print(_status(j, ctx, model))
    print(f"\nSee how they all stand at any time: arbiter predict {path.name} --list")
    return 0


def _list(path: Path, model, ctx, preds) -> int:
    from sim.teach import predictions as P

    where = f"{month(ctx.date(model.world.turn))}, turn {model.world.turn} of {model.turns}"
    if not preds:
        print(f"{path.name} has no predictions yet (the game is in {where}). Add some with: "
              f"arbiter predict {path.name} \"Turkey holds Afrin at the end\"")
        return 0
    print(f"Predictions in {path.name} (the game is in {where}):")
    judged = P.judge(preds, model)
    for j in judged:
        print(_status(j, ctx, model))
    counts = {"true": 0, "false": 0, "open": 0}
    for j in judged:
        counts[j.status] += 1
    print(f"\n{counts['true']} came true, {counts['false']} did not, {counts['open']} not yet decided.")
    return 0


def _status(j, ctx, model) -> str:
    from sim.teach import predictions as P

    p = j.prediction
    who = f", by {p.by}" if p.by else ""
    head = f"{p.id + '  ' if p.id else ''}\"{p.text}\" (made in {month(ctx.date(p.made_at_turn))}{who})"
    if j.status == "open":
        due = p.due(model.turns)
        verdict = (f"not yet decided: judged {P.when_words(p, ctx)}"
                   + (f" (turn {due})" if p.when != "end" else f" ({month(ctx.date(due))}, turn {due})"))
    else:
        verdict = (f"{'came true' if j.status == 'true' else 'did not come true'}: judged in "
                   f"{month(ctx.date(j.turn))} (turn {j.turn})")
    now = "holds" if j.holds_now else "does not hold"
    if j.figure_now is not None:
        now += f" ({p.quantity} {j.figure_now:.3f}, {p.op} {p.value:.3f} wanted)"
    return f"{head}\n    {verdict}; now ({month(ctx.date(j.now))}) it {now}"


# --- forecast and debrief -----------------------------------------------------------------------


def _cpus() -> int:
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def forecast_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="arbiter forecast", description="What happens from here: play a saved game on many times "
                "from its month (or an earlier one), the computer giving every order, and show the fan of "
                "outcomes. The same save, seed and number of runs always give the same forecast.")
    p.add_argument("save", help="a saved game (.arbiter)")
    p.add_argument("--runs", type=positive_int, required=True, metavar="N", help="how many continuations")
    p.add_argument("--turns", type=positive_int, metavar="T", help="months to play from the start month (default: to "
                   "the game's end)")
    p.add_argument("--from-turn", type=nonneg_int, metavar="K", help="start from month K of the game, up to the "
                   "month it is at (default: that month; for a finished game, 0, the start) and draw what "
                   "actually happened after K inside the fan")
    p.add_argument("--seed", type=nonneg_int, metavar="S", help="root seed of the runs (default: the save's seed)")
    p.add_argument("--out", metavar="DIR", help="write the charts (PNG), forecast.md and forecast.html to DIR")
    p.add_argument("--workers", type=positive_int, metavar="W", help="worker processes (default: the CPUs "
                   "available); the results do not depend on it")
    return p


def cmd_forecast(argv: list[str]) -> int:
    from sim import saves
    from sim.teach.forecast import forecast

    args = forecast_parser().parse_args(argv)
    path = Path(args.save)
    game = saves.read(path)
    result = forecast(game, args.runs, turns=args.turns, seed=args.seed, workers=args.workers or _cpus(),
                      from_turn=args.from_turn)
    if args.from_turn is None and game.turn >= game.turns:
        print(f"(the game in {path.name} is finished: forecasting from its start; --from-turn K picks "
              f"another month)\n")
    print(result.summary())
    if args.out:
        import shlex

        files = result.write(args.out, shlex.quote(path.name))
        print(f"\nwrote {len(files)} files to {args.out}: " + ", ".join(f.name for f in files))
    return 1 if result.failures else 0


def debrief_parser() -> argparse.ArgumentParser:
    from sim.teach.debrief import DEFAULT_RUNS

    p = _Parser(prog="arbiter debrief", description="One self-contained page about a saved game, to project "
                "or print: the story month by month, influence over time, turning points, scores and "
                "objectives, predictions, the fan of what else could have happened, each power's reasons "
                "with sources, and a reproducibility stamp. Writes DIR/index.html with its pictures beside it.")
    p.add_argument("save", help="a saved game (.arbiter)")
    p.add_argument("--out", metavar="DIR", required=True, help="the folder to write index.html and its PNGs to")
    p.add_argument("--runs", type=positive_int, default=DEFAULT_RUNS, metavar="N",
                   help=f"runs in the fan of what else could have happened (default {DEFAULT_RUNS})")
    p.add_argument("--fan-from", type=nonneg_int, default=0, metavar="K",
                   help="the month the fan starts from (default 0, the start)")
    p.add_argument("--seed", type=nonneg_int, metavar="S", help="root seed of the fan's runs (default: the save's seed)")
    p.add_argument("--workers", type=positive_int, metavar="W", help="worker processes for the fan (default: the CPUs "
                   "available); the page does not depend on it")
    p.add_argument("--no-forecast", action="store_true", help="leave out the fan (the section says so)")
    p.add_argument("--turning-points", action=argparse.BooleanOptionalAction, default=True,
                   help="find the turning points of a finished game (default: yes; --no-turning-points is faster)")
    return p


def cmd_debrief(argv: list[str]) -> int:
    from sim import saves
    from sim.teach.debrief import build

    args = debrief_parser().parse_args(argv)
    path = Path(args.save)
    game = saves.read(path)
    d = build(game, args.out, runs=args.runs, fan_from=args.fan_from, seed=args.seed,
              workers=args.workers or _cpus(), forecast=not args.no_forecast, turning_points=args.turning_points,
              save_name=path.name)
    print(f"wrote {d.path} with {len(d.figures)} picture(s) beside it: open it in a browser to project or print")
    for section, why in d.missing.items():
        print(f"  {section}: {why}")
    return 0


COMMANDS = {"briefing": cmd_briefing, "predict": cmd_predict, "forecast": cmd_forecast, "debrief": cmd_debrief}
