"""Scenario effects (shared by events and trades): typed changes applied to the world.

Both the rules (events, concluded trades) and the decisions (valuing a trade before it is
offered) apply them, so they live here, below both."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sim.model.state import World, _agreement_state


def apply_effects(w: World, effects, log: list | None, scale: float = 1.0) -> None:
    s = w.s
    for e in effects:
        t = e.type
        if t == "set_control":
            w.control[s.zone(e.zone)] = s.actor(e.to)
        elif t == "move_forces":
            a, z = s.actor(e.actor), s.zone(e.zone)
            delta = e.ground * scale
            if delta >= 0:
                w.ground[a, z] += delta
            else:
                moved = min(-delta, w.ground[a, z])
                w.ground[a, z] -= moved
                w.reserve[a] += moved
        elif t == "set_air":
            a = s.actor(e.actor)
            w.air[a] = w.air[a] + (e.air - w.air[a]) * scale
        elif t == "withdraw_share":
            a = s.actor(e.actor)
            zones = [s.zone(z) for z in e.zones] or list(range(s.Z))
            moved = w.ground[a, zones] * e.share * scale
            w.ground[a, zones] -= moved
            w.reserve[a] += moved.sum()
        elif t == "sanctions":
            a = s.actor(e.target)
            w.sanctions[a] = _clip(w.sanctions[a] + e.delta * scale, 0.0, 1.0)
        elif t == "standing":
            a = s.actor(e.actor)
            w.reputation[a] = _clip(w.reputation[a] + e.delta * scale, 0.0, 1.0)
        elif t == "trust":
            a, b = s.actor(e.source_actor), s.actor(e.to)
            w.trust[a, b] = _clip(w.trust[a, b] + e.delta * scale, -1.0, 1.0)
        elif t == "income":
            a = s.actor(e.actor)
            w.income[a] = max(0.0, w.income[a] + e.delta * scale)
        elif t == "agreement":
            ag = e.agreement
            ai = {x: i for i, x in enumerate(s.actor_ids)}
            zi = {x: i for i, x in enumerate(s.zone_ids)}
            new = _agreement_state(ag, ai, zi, w.turn, None)
            w.agreements = tuple(x for x in w.agreements if x.id != new.id) + (new,)
        elif t == "commit":
            a, k = s.actor(e.actor), s.issues.ids.index(e.issue)
            cur = w.positions[a, k] if np.isfinite(w.positions[a, k]) else e.position
            w.positions[a, k] = w.committed[a, k] = cur + (e.position - cur) * scale
        elif t == "end_agreement":
            w.agreements = tuple(replace(x, end_turn=w.turn) if x.id == e.id and x.active(w.turn) else x
                                 for x in w.agreements)
        if log is not None:
            log.append(_describe_effect(w, e))


def _clip(x: float, lo: float, hi: float) -> float:
    """float(np.clip(x, lo, hi)) for one number, without numpy's call overhead (the same
    comparisons: nan passes, -0.0 stays)."""
    x = float(x)
    return lo if x < lo else hi if x > hi else x


# --- numpy's sums in Python floats, for a few numbers (bitwise the same, without numpy's
# cost per call)


def _in_order(xs: list[float]) -> float:
    total = 0.0
    for x in xs:
        total += x
    return total


def _sum(xs: list[float]) -> float:
    """float(np.sum(a)) for a contiguous float64 array a given as a list: numpy adds fewer
    than 8 numbers in order, more with eight running sums (split in halves above 128), and
    the total starts from 0.0."""
    n = len(xs)
    if n < 8:
        return _in_order(xs)
    if n > 128:
        half = n // 2 - n // 2 % 8
        return _sum(xs[:half]) + _sum(xs[half:])
    r0, r1, r2, r3, r4, r5, r6, r7 = xs[:8]
    end = n - n % 8
    for i in range(8, end, 8):
        a0, a1, a2, a3, a4, a5, a6, a7 = xs[i:i + 8]
        r0 += a0
        r1 += a1
        r2 += a2
        r3 += a3
        r4 += a4
        r5 += a5
        r6 += a6
        r7 += a7
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for x in xs[end:]:
        total += x
    return 0.0 + total


def _row_sums(rows: list[list[float]]) -> list[float]:
    """x[idx][:, cols].sum(1), given its rows as lists: advanced indexing lays that array out
    column by column, so numpy adds each row in order, unless there is a single row (then
    as _sum)."""
    if len(rows) == 1:
        return [_sum(rows[0])]
    return [_in_order(r) for r in rows]


def _describe_effect(w: World, e) -> str:
    d = e.model_dump(by_alias=True)
    d.pop("type")
    return e.type + " " + ", ".join(f"{k}={v}" for k, v in d.items() if not isinstance(v, dict))
