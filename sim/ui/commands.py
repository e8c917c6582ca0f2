"""Entry points for the command line (to be wired into sim/cli.py):

    run_sim.py screenshot SCENARIO --turn N --out FILE.png [--size WxH] [--view VIEW] [--seed S]
    run_sim.py play [SCENARIO] [--as ACTOR ...] [--seed S] [--size WxH] [--view VIEW]

Both return an exit code: 0 success, 2 bad input (one paragraph on stderr), as the rest of
the command line does.
"""

from __future__ import annotations

import argparse
import os
import sys

from sim.argtypes import nonneg_int

DEFAULT_SCENARIO = "astana_2017"
# the views' names (map, influence, timeline, why, actors, branches, debrief), without
# importing pygame before a command needs it
VIEW_CHOICES = ("map", "influence", "timeline", "why", "actors", "branches", "debrief")


class _BadInput(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        raise _BadInput(f"{self.prog}: {message}\n(see '{self.prog} --help')")


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().replace("×", "x").split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1280x800, got {text!r}") from None
    if not (160 <= w <= 8192 and 120 <= h <= 8192):
        raise argparse.ArgumentTypeError(f"size {w}x{h} is out of range (160x120 to 8192x8192)")
    return w, h


def screenshot_parser(prog: str = "arbiter screenshot") -> argparse.ArgumentParser:
    p = _Parser(prog=prog, description="Play N months with the AI on every side and save the game window as a PNG.")
    p.add_argument("scenario", help="scenario id or YAML path")
    p.add_argument("--turn", type=nonneg_int, required=True, help="months to play first (0: the start)")
    p.add_argument("--out", required=True, metavar="FILE.png", help="where to write the PNG")
    p.add_argument("--size", type=parse_size, default=(1280, 800), metavar="WxH", help="default 1280x800")
    p.add_argument("--view", choices=VIEW_CHOICES, default="map", help="default map")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--actor", help="the actor the 'why' view explains")
    p.add_argument("--hover", metavar="ZONE", help="show this zone's card on the map")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                   help="override a scenario value (repeatable)")
    p.add_argument("--present", action="store_true", help="presenter mode: large type, high contrast, captions")
    return p


def play_parser(prog: str = "arbiter play") -> argparse.ArgumentParser:
    p = _Parser(prog=prog, description="Open the game window. Space plays a month; H shows the keys.")
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, help=f"scenario id or YAML path "
                   f"(default {DEFAULT_SCENARIO})")
    p.add_argument("--as", dest="humans", action="append", default=[], metavar="ACTOR",
                   help="a power you play (repeatable); the AI plays the rest")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: a fresh one)")
    p.add_argument("--size", type=parse_size, default=(1280, 800), metavar="WxH", help="window size")
    p.add_argument("--view", choices=VIEW_CHOICES, default="map", help="view to start in")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                   help="override a scenario value (repeatable)")
    p.add_argument("--load", metavar="FILE", help="continue a saved game (S saves one; see also 'run --save')")
    p.add_argument("--no-autosave", action="store_true",
                   help="do not write the autosave after every month (default: it goes to the save folder)")
    p.add_argument("--fullscreen", action="store_true", help="start in full screen (F11 toggles)")
    p.add_argument("--frames", type=nonneg_int, default=None, help=argparse.SUPPRESS)  # for tests
    return p


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def screenshot_main(argv: list[str] | None = None) -> int:
    """`screenshot SCENARIO --turn N --out FILE.png [--size WxH] [--view VIEW] [--seed S]`."""
    from sim.scenario import ScenarioError

    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    try:
        args = screenshot_parser().parse_args(sys.argv[1:] if argv is None else argv)
        from sim.ui.render import save_screenshot

        out = save_screenshot(args.scenario, args.turn, args.out, args.size, args.view, args.seed,
                              actor=args.actor, hover=args.hover, overrides=args.overrides,
                              presenter=args.present)
    except _BadInput as exc:
        return _fail(str(exc))
    except ScenarioError as exc:
        return _fail(str(exc))
    except ValueError as exc:
        return _fail(f"screenshot: {exc}")
    except OSError as exc:
        return _fail(f"screenshot: cannot write the file: {exc}")
    print(f"wrote {out} ({args.size[0]}x{args.size[1]}, {args.view}, turn {args.turn})")
    return 0


def play_main(argv: list[str] | None = None, present: bool = False) -> int:
    """`play [SCENARIO] [--as ACTOR ...] [--seed S] [--load FILE] ...`; `present` is the same
    game in presenter mode."""
    import secrets

    from sim import saves
    from sim.scenario import ScenarioError

    try:
        args = play_parser("arbiter present" if present else "arbiter play").parse_args(
            sys.argv[1:] if argv is None else argv)
        from sim.model.model import ArbiterModel

        humans = tuple(args.humans)
        if args.load:
            try:
                model, game = saves.load(args.load)
            except saves.SaveError as exc:
                raise _BadInput(f"play: {exc}") from None
            humans = humans or tuple(game.humans)
        else:
            game = None
            # a game always has a seed, shown on screen and kept in saves, so it can be replayed
            seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
            model = ArbiterModel(scenario=args.scenario, seed=seed, overrides=args.overrides, humans=humans)
        unknown = [h for h in humans if h not in model.world.s.actor_ids]
        if unknown:
            raise _BadInput(f"play: unknown actor {unknown[0]!r}; expected one of: "
                            f"{', '.join(model.world.s.actor_ids)}")
        from sim.ui.app import App

        autosave = None if args.no_autosave else saves.save_dir() / f"autosave{saves.SUFFIX}"
        app = App(model, humans=humans, size=args.size, view=args.view, headless=args.frames is not None,
                  presenter=present, autosave=autosave, fullscreen=args.fullscreen)
        if game is not None:
            app.session.restore_branches(game)
    except _BadInput as exc:
        return _fail(str(exc))
    except ScenarioError as exc:
        return _fail(str(exc))
    except ValueError as exc:
        return _fail(f"play: {exc}")
    try:
        app.run(max_frames=args.frames)
    except KeyboardInterrupt:
        pass
    finally:
        app.close()
    return 0


def main(name: str, argv: list[str]) -> int:
    """Dispatch from sim.cli: ``play``, ``present`` (the game in presenter mode) or ``screenshot``."""
    if name == "screenshot":
        return screenshot_main(argv)
    if name == "present":
        return play_main(argv, present=True)
    return play_main(argv)
