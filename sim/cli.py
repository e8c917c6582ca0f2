"""The command line: ``python run_sim.py COMMAND`` or ``arbiter COMMAND``.

Exit codes: 0 success; 2 bad input (scenario, flag, value), with a short message and no
traceback; 1 an internal error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sim.argtypes import nonneg_int, positive_int
from sim.files import write_text

DEFAULT_SCENARIO = "astana_2017"

DELEGATED_HELP = {
    "play": "play a scenario in the game window: [SCENARIO] [--as ACTOR ...] [--seed S]",
    "present": "the game in presenter mode for a projector: [SCENARIO] [--seed S]",
    "screenshot": "render a view headless: SCENARIO --turn N --out FILE.png "
                  "[--size WxH] [--view map|influence|timeline|why|actors|branches|debrief]",
    "batch": "many seeded runs to Parquet: SCENARIO --runs N [--vary PATH=LO:HI ...] [--out DIR]",
    "compare": "the same outcomes of several scenarios side by side: A B [...] --runs N",
    "sensitivity": "rank assumptions by their effect on an outcome: SCENARIO --method sobol|morris",
    "backtest": "check a scenario against what happened: SCENARIO --facts FILE.yaml --runs N",
    "briefing": "a printable role briefing: SCENARIO --actor ACTOR | --all [--out FILE.html]",
    "predict": "record the class's predictions in a saved game: SAVE \"statement\" ... | --file LIST.yaml | --list",
    "forecast": "what happens from here: SAVE --runs N [--turns T] [--from-turn K] [--out DIR]",
    "debrief": "a self-contained debrief page for a saved game: SAVE --out DIR",
}
UI_COMMANDS = ("play", "present", "screenshot")
TEACH_COMMANDS = ("briefing", "predict", "forecast", "debrief")
ANALYSIS_COMMANDS = ("batch", "compare", "sensitivity", "backtest")


class BadInput(Exception):
    """Anything the user can fix: reported in one paragraph with exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would exit 2 itself; keep one path for bad input
        raise BadInput(f"{self.prog}: {message}\n(see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="arbiter", description="Arbiter: the great-power contest over Syria, month by month.")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    sub.add_parser("list", help="list the scenarios")

    r = sub.add_parser("run", help="play a scenario headless (AI on every side)")
    r.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, help="scenario id or YAML path")
    r.add_argument("--turns", type=positive_int, help="months to play (default: the scenario's length)")
    r.add_argument("--stop-after", type=nonneg_int, metavar="N",
                   help="play only the first N months of a game that keeps its full length, e.g. to "
                        "--save it and carry on in class (0: save the opening position)")
    r.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    r.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                   help="override a scenario value, e.g. parameters.decisiveness=2 (repeatable)")
    r.add_argument("--alternative", action="append", default=[], metavar="ACTOR.TERM[=N]",
                   help="put a contested preference weight on its N-th alternative (default 1); "
                        "see the 'contested' command")
    r.add_argument("--json", dest="json_out", metavar="FILE", help="write the whole record as JSON")
    r.add_argument("--save", metavar="FILE", help="save the game (the game window's save format) to FILE")
    r.add_argument("--quiet", action="store_true", help="only the closing table")
    r.add_argument("--explain", metavar="ACTOR", action="append", default=[],
                   help="after each month, show why ACTOR did what it did (repeatable)")

    e = sub.add_parser("explain", help="why an actor did what it did in a recorded run")
    e.add_argument("record", help="a run record written by 'run --json'")
    e.add_argument("--turn", type=positive_int, required=True)
    e.add_argument("--actor", required=True)

    v = sub.add_parser("validate", help="check scenario files")
    v.add_argument("files", nargs="+")

    sub.add_parser("schema", help="print the scenario JSON Schema")

    # the window's commands live in sim.ui (the only pygame code); they parse their own options
    # and the what-if commands live in sim.analysis; both parse their own options
    for name, text in DELEGATED_HELP.items():
        sp = sub.add_parser(name, help=text, add_help=False)
        sp.add_argument("rest", nargs=argparse.REMAINDER)

    ct = sub.add_parser("contested", help="list a scenario's contested preference weights and their alternatives")
    ct.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO)

    b = sub.add_parser("bargain", help="run the expected-utility bargaining model on an actor table")
    b.add_argument("file", help="CSV or YAML with columns actor,capability,position,salience")
    b.add_argument("--rounds", type=positive_int, default=10)
    b.add_argument("--json", dest="json_out", metavar="OUT")
    return p


def display_available() -> bool:
    """Whether a window can open: a graphical session on Linux (X11 or Wayland), or another
    desktop system; never under SDL's dummy driver."""
    import os

    if os.environ.get("SDL_VIDEODRIVER") in ("dummy", "offscreen"):
        return False
    if sys.platform.startswith(("win", "darwin")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None) -> int:
    from sim.scenario import ScenarioError

    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        if display_available():
            from sim.ui import commands

            return commands.main("play", [])
        print(f"No display found, so the game window cannot open: playing {DEFAULT_SCENARIO} headless "
              f"instead (use 'play' on a machine with a screen).\n", file=sys.stderr)
    if argv and argv[0] in UI_COMMANDS:
        from sim.ui import commands

        return commands.main(argv[0], argv[1:])
    if argv and argv[0] in ANALYSIS_COMMANDS:
        from sim.analysis import commands

        return commands.main(argv[0], argv[1:])
    if argv and argv[0] in TEACH_COMMANDS:
        from sim.teach import commands

        return commands.main(argv[0], argv[1:])
    try:
        args = build_parser().parse_args(argv)
        command = args.command or "run"
        if args.command is None:
            args = build_parser().parse_args(["run", *argv])
        return COMMANDS[command](args)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


# --- commands -----------------------------------------------------------------------------


def cmd_list(args) -> int:
    from sim.scenario import list_scenario_ids, load_scenario

    rows = []
    for sid in list_scenario_ids():
        s = load_scenario(sid).scenario
        rows.append((s.id, s.start.isoformat()[:7], s.title))
    w = max(len(r[0]) for r in rows) if rows else 2
    print(f"{'id':<{w}}  start    title")
    for sid, start, title in rows:
        print(f"{sid:<{w}}  {start}  {title}")
    return 0


def cmd_run(args) -> int:
    from sim.model.model import ArbiterModel
    from sim.report import account_lines, closing_table

    from sim.explain import explain

    from sim.scenario import load_scenario
    from sim.scenario.loader import alternative_overrides

    overrides = list(args.overrides)
    if args.alternative:
        overrides += alternative_overrides(load_scenario(args.scenario, overrides), args.alternative)
    model = ArbiterModel(scenario=args.scenario, seed=args.seed, overrides=overrides, turns=args.turns)
    scn = model.scenario
    for a in args.explain:
        if a not in scn.actors:
            raise BadInput(f"--explain: no actor '{a}' in {scn.id}; expected one of: {', '.join(scn.actors)}")
    stop = model.turns if args.stop_after is None else min(args.stop_after, model.turns)
    if not args.quiet:
        print(f"{scn.title} — seed {args.seed}, {model.turns} months from {model.world.date.isoformat()[:7]}"
              + (f" (stopping after {stop})" if stop < model.turns else ""))
        print()
    while model.running and model.world.turn < stop:
        model.step()
        if not args.quiet:
            for line in account_lines(model.records[-1]):
                print(line)
        if args.explain:
            run = {"turns": model.records[-1:], "scenario": scn.id, "seed": args.seed,
                   "actors": {a.actor_id: {"name": a.name} for a in model.actors}}
            for a in args.explain:
                print("\n" + explain(run, model.records[-1]["turn"], a) + "\n")
    print()
    print(closing_table(model))
    if args.json_out:
        _write_json(Path(args.json_out), model.to_json())
        print(f"\nrecord written to {args.json_out}")
    if args.save:
        from sim.saves import SaveError, save

        try:
            print(f"\ngame saved to {save(args.save, model)}")
        except SaveError as exc:
            raise BadInput(str(exc)) from None
    return 0


def cmd_contested(args) -> int:
    from sim.scenario import load_scenario
    from sim.scenario.loader import contested_terms

    loaded = load_scenario(args.scenario)
    terms = contested_terms(loaded)
    if not terms:
        print(f"{loaded.scenario.id}: no contested preference weights")
        return 0
    print(f"{loaded.scenario.id}: preference weights that are interpretations (vary them with "
          f"'run {loaded.scenario.id} --alternative ACTOR.TERM[=N]')")
    for actor, name, t in terms:
        print(f"\n  {actor}.{name}  weight {t.weight:.2f}  [{t.source}]  {t.note}")
        for i, alt in enumerate(t.alternatives, 1):
            print(f"    ={i}: weight {alt.weight:.2f}  [{alt.source}]  {alt.note}")
    return 0


def cmd_explain(args) -> int:
    from sim.explain import ExplainError, explain

    path = Path(args.record)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BadInput(f"{path}: cannot read ({exc.strerror or exc})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: not a run record (invalid JSON: {exc})") from None
    if not isinstance(record, dict) or record.get("format") != "arbiter-run/1":
        raise BadInput(f"{path}: not a run record written by 'run --json'")
    try:
        print(explain(record, args.turn, args.actor))
    except ExplainError as exc:
        raise BadInput(f"{path}: {exc}") from None
    return 0


def cmd_validate(args) -> int:
    from sim.scenario import ScenarioError, load_scenario

    bad = 0
    for f in args.files:
        try:
            load_scenario(f)
            print(f"{f}: ok")
        except ScenarioError as exc:
            bad += 1
            print(f"{f}: {exc}", file=sys.stderr)
    return 2 if bad else 0


def cmd_schema(args) -> int:
    from sim.scenario.schema import Scenario

    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Arbiter scenario"
    print(json.dumps(schema, indent=2))
    return 0


def cmd_bargain(args) -> int:
    from sim.bargaining import format_rounds, run
    from sim.bargaining.io import BargainInputError, load_actor_table

    try:
        actors = load_actor_table(Path(args.file))
    except BargainInputError as exc:
        raise BadInput(str(exc)) from None
    except OSError as exc:
        raise BadInput(f"{args.file}: cannot read file ({exc.strerror or exc})") from None
    result = run(actors, rounds=args.rounds)
    print(format_rounds(result))
    if args.json_out:
        _write_json(Path(args.json_out), json.loads(result.to_json()))
        print(f"\nresult written to {args.json_out}")
    return 0


def _write_json(path: Path, data: dict) -> None:
    try:
        write_text(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise BadInput(f"{path}: cannot write ({exc.strerror or exc})") from None


COMMANDS = {"list": cmd_list, "run": cmd_run, "explain": cmd_explain, "validate": cmd_validate, "schema": cmd_schema,
            "bargain": cmd_bargain, "contested": cmd_contested}


def entry() -> None:
    """Console-script entry: internal errors exit 1 with a short message and the traceback."""
    try:
        code = main()
    except SystemExit:
        raise
    except Exception:  # an internal error: say so plainly
        import traceback

        traceback.print_exc()
        print("internal error: please report it with the command you ran", file=sys.stderr)
        code = 1
    sys.exit(code)
