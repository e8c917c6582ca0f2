"""Walking a game month by month: the same scenario, seed and human inputs replayed from the
start, so that predictions can be judged on every month's state and turning points can be
re-run from any month. The model is deterministic, so the walk is the game itself."""

from __future__ import annotations

from collections.abc import Iterator

from sim.model.catalogue import CATALOGUE
from sim.model.model import ArbiterModel


def fresh(model: ArbiterModel, record: bool = False) -> ArbiterModel:
    """A new game at turn 0 with the same scenario, seed, overrides, length and human sides."""
    if model.seed is None:
        raise ValueError("this game has no seed, so it cannot be replayed")
    return ArbiterModel(scenario=model.loaded, seed=model.seed, overrides=model.overrides,
                        turns=model.turns, humans=tuple(sorted(model.humans)), record=record)


def by_turn(inputs: list[dict]) -> dict[int, list]:
    """Human inputs keyed by the turn the world is at when they are given (before the step)."""
    out: dict[int, list] = {}
    for x in inputs:
        out.setdefault(int(x["turn"]), []).extend(x["given"])
    return out


def give(model: ArbiterModel, given: list, skip_track: tuple[str, str] | None = None) -> int:
    """Queue one month's recorded human inputs on `model`; with `skip_track` = (actor, track)
    that actor's choice on that track is left out (a turning point replaces it). An input
    that is no longer legal (the game has gone differently) is dropped and the AI plays that
    track. Returns how many were dropped."""
    dropped = 0
    for g in given:
        if g[0] == "choose":
            if skip_track is not None and (g[1], CATALOGUE[g[2]].track) == skip_track:
                continue
            try:
                model.choose(g[1], g[2], g[3])
            except ValueError:
                dropped += 1
        else:
            accept = g[3] if isinstance(g[3], bool) else False
            model.answer(g[1], g[2], accept=accept, counter=None if isinstance(g[3], bool) else g[3])
    return dropped


def months(model: ArbiterModel, until: int | None = None, record: bool = False) -> Iterator[ArbiterModel]:
    """Replay `model`'s game from its start, yielding the replaying model at turn 0 and after
    every month up to `until` (default: the month `model` is at). The same object is yielded
    each time: read what you need before asking for the next month."""
    end = model.world.turn if until is None else min(until, model.turns)
    m = fresh(model, record)
    inputs = by_turn(model.inputs)
    yield m
    while m.world.turn < end:
        give(m, inputs.get(m.world.turn, []))
        m.step()
        yield m
