"""Plain-text accounts of a run: the month's story and the closing table."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.model import ArbiterModel


def account_lines(rec: dict) -> list[str]:
    """Who did what this month, and what changed."""
    out = [f"{rec['date']}"]
    for ev in rec["events"]:
        out.append(f"  event: {ev['text']} [{ev['source']}]")
    for d in rec["decisions"]:
        if d["action"] in ("hold", "wait"):
            continue
        top = max(d["breakdown"], key=lambda b: abs(b["value"]), default=None)
        why = f"  (mostly: {top['term']}, {top['source']})" if top and top["value"] else ""
        out.append(f"  {d['text']}{why}")
    for r in rec["responses"]:
        out.append(f"  {r['actor']} {r['answer']}s the {r['kind'].replace('_', ' ')} proposed by {r['proposer']}")
    for o in rec["outcomes"]:
        if o["type"] in ("offensive", "agreement", "refused", "violation", "trade", "talks", "overstretch"):
            out.append(f"  -> {o['text']}")
    return out


def closing_table(model: "ArbiterModel") -> str:
    w = model.world
    s = w.s
    lines = [f"After {w.turn} months ({w.date.isoformat()[:7]}):", "", "Control"]
    for z in range(s.Z):
        lines.append(f"  {s.zone_names[z]:<30} {s.names[int(w.control[z])]}")
    lines += ["", f"  {'actor':<26} {'territory':>9} {'leverage':>9} {'standing':>9} {'presence':>9}"]
    for a in range(s.A):
        lines.append(f"  {s.names[a]:<26} {w.territory[a]:>9.0%} {w.leverage[a]:>9.3f} "
                     f"{w.standing[a]:>9.2f} {w.ground[a].sum() / s.norm[a]:>9.0%}")
    lines += ["", "Agreements in force"]
    active = w.active_agreements()
    if not active:
        lines.append("  none")
    for ag in active:
        zones = ", ".join(s.zone_names[z] for z in ag.zones)
        g = ", ".join(s.names[x] for x in ag.guarantors) or "none"
        lines.append(f"  {ag.kind.replace('_', '-')}: {zones} (guarantors: {g})")
    return "\n".join(lines)
