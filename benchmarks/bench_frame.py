"""Speed of the game window: median time to draw one frame of each view, headless.

    python benchmarks/bench_frame.py [--frames N] [--size 1280x800] [--turn 6]

A frame is the whole window (top bar, the view, the side panel, the status line) drawn by
the main scene onto a surface, as the game loop does before flipping. The mouse sits over
Idlib, so the map frame includes its hover card. Russia is played by a human who rewound
two months and chose differently, so the branches view has a branch to compare and the side
panel has proposals on the table. Also timed: the first frame after a new
month (when the map's cached zone layer is rebuilt). Target (issue: the game window):
under 16 ms per frame at 1280 x 800."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pygame  # noqa: E402

from sim.model.model import ArbiterModel  # noqa: E402
from sim.ui.commands import parse_size  # noqa: E402
from sim.ui.scenes import GameScene, layout  # noqa: E402
from sim.ui.session import Session  # noqa: E402
from sim.ui.views import VIEWS, UIState  # noqa: E402


def frame_times(scene: GameScene, surf: pygame.Surface, frames: int) -> list[float]:
    out = []
    for _ in range(frames):
        t = time.perf_counter()
        scene.update(1 / 60)
        scene.draw(surf)
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=120)
    ap.add_argument("--size", type=parse_size, default=(1280, 800))
    ap.add_argument("--turn", type=int, default=6)
    ap.add_argument("--scenario", default="astana_2017")
    args = ap.parse_args()
    pygame.display.init()
    pygame.font.init()
    model = ArbiterModel(scenario=args.scenario, seed=1, humans=("russia",))
    session = Session(model, ("russia",))
    for _ in range(args.turn):
        session.advance()
    session.rewind()
    session.rewind()
    action, target, _ = session.legal_actions("russia")[-1]  # the lowest-scored: not the AI's choice
    session.choose("russia", action, target)
    session.advance()
    session.advance()
    surf = pygame.Surface(args.size)
    print(f"{args.scenario}, turn {session.turn}, {args.size[0]}x{args.size[1]}, {args.frames} frames per view, "
          f"{len(session.branches)} branch(es), {len(session.table())} proposal(s) on the table")
    worst = 0.0
    for view in VIEWS:
        scene = GameScene(UIState(session), view)
        scene.draw(surf)  # warm the caches (text, zone layer)
        mv = scene.views["map"]
        lay = layout(args.size)
        x, y = mv.zone_point("idlib", lay.view.size) if "idlib" in session.zone_ids else (100, 100)
        scene.mouse = (lay.view.x + x + 5, lay.view.y + y + 5)
        times = frame_times(scene, surf, args.frames)
        med = statistics.median(times) * 1000
        p95 = sorted(times)[int(len(times) * 0.95) - 1] * 1000
        worst = max(worst, med)
        print(f"  {view:<10} median {med:6.2f} ms   95th percentile {p95:6.2f} ms")
    # the first frame after a month is played: the map rebuilds its zone layer
    scene = GameScene(UIState(session), "map")
    scene.draw(surf)
    firsts = []
    for _ in range(min(6, model.turns - session.turn)):
        session.advance()
        t = time.perf_counter()
        scene.draw(surf)
        firsts.append(time.perf_counter() - t)
    if firsts:
        print(f"  map, first frame after a new month: median {statistics.median(firsts) * 1000:6.2f} ms")
    print(f"target: under 16 ms per frame: {'met' if worst < 16 else 'NOT met'} (slowest view median {worst:.2f} ms)")


if __name__ == "__main__":
    main()
