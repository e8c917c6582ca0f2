"""Captions: each month told in a few plain sentences, for presenter mode and the debrief.

Chosen from the month's record by what a class would notice first: territory changing hands,
deals and agreements, broken promises and violations, the scenario's events, then who
gained or lost the most influence.
"""

from __future__ import annotations

import re

# outcome types in the order a class would want to hear them
PRIORITY = ("trade", "promise_broken", "agreement", "violation", "promise_kept", "counter", "guarantee",
            "refused", "talks")


def _sentence(text: str, names: dict[str, str]) -> str:
    text = text.strip().replace("de escalation", "de-escalation")
    # records list answering actors by id ("refused by assad, iran"): say their names
    text = re.sub(r"\bby ([a-z_]+(?:, [a-z_]+)*)", lambda m: "by " + _and(
        [_name(names, x) for x in m.group(1).split(", ")]), text)
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _name(names: dict[str, str], key: str) -> str:
    return names.get(key, key.replace("_", " "))


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def captions(before: dict, rec: dict, names: dict[str, str], most: int = 3) -> list[str]:
    """Up to `most` sentences about the month in `rec`, compared with the figures `before`.
    `names` maps actor and zone ids to the names to say."""
    out: list[str] = []
    # territory first: the map is what everyone is looking at
    for zone, holder in rec.get("control", {}).items():
        was = before.get("control", {}).get(zone)
        if was is not None and was != holder:
            out.append(f"{_name(names, holder)} took {_name(names, zone)} from {_name(names, was)}.")
    outcomes = rec.get("outcomes") or []
    for kind in PRIORITY:
        for o in outcomes:
            if o.get("type") == kind and len(out) < most:
                out.append(_sentence(o.get("text", ""), names))
    for ev in rec.get("events") or []:
        if len(out) < most:
            out.append(_sentence(ev.get("text", "") if isinstance(ev, dict) else str(ev), names))
    move = _biggest_move(before, rec, names)
    if move:
        out = out[: most - 1] + [move]
    if not out:
        out.append("A quiet month: no territory changed hands and no deal was made.")
    return [s for s in out if s][:most]


def _biggest_move(before: dict, rec: dict, names: dict[str, str]) -> str:
    """Whose leverage over Damascus or standing moved most this month, in words."""
    best = (0.0, "", "")
    for measure, words in (("leverage", "leverage over Damascus"), ("standing", "international standing")):
        now = rec.get("influence", {}).get(measure, {})
        was = before.get("influence", {}).get(measure, {})
        for actor, v in now.items():
            d = float(v) - float(was.get(actor, v))
            if abs(d) > abs(best[0]):
                best = (d, actor, words)
    d, actor, words = best
    if abs(d) < 0.01:
        return ""
    return f"{_name(names, actor)}'s {words} {'rose' if d > 0 else 'fell'} the most ({d:+.2f})."
