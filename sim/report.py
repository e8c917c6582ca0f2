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
    from sim.model.rules import zone_status

    status = zone_status(w)
    for z in range(s.Z):
        st = status[s.zone_ids[z]]
        lines.append(f"  {s.zone_names[z]:<30} {s.names[int(w.control[z])]:<26} {st['status'].replace('_', '-')}")
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
    if s.scenario.objectives:
        from sim.model.objectives import scores

        over = w.turn >= model.turns
        lines += ["", "Score: objectives' points won" + ("" if over else " so far (most are judged at the end)")]
        for actor, (won, total) in scores(model.scorecard()).items():
            lines.append(f"  {s.names[s.actor(actor)]:<26} {won:>3} of {total}")
    return "\n".join(lines)


def reference_summary(run: dict) -> dict:
    """The behaviour-bearing part of a run record, compact enough to keep in the repository
    and diff: a change here is a change of what the model does."""
    return {
        "scenario": run["scenario"], "seed": run["seed"], "scenario_hash": run["scenario_hash"],
        "turns": [{
            "date": t["date"],
            "events": [e["id"] for e in t["events"]],
            "decisions": [f"{d['actor']}: {d['action']} {d['target'] or ''} ({d['utility']:.4f})"
                          for d in t["decisions"] if d["action"] not in ("hold", "wait")],
            "responses": [f"{r['actor']} {r['answer']}s {r['proposal']}" for r in t["responses"]],
            "outcomes": [o["text"] for o in t["outcomes"]],
            "control": t["control"],
            "influence": {k: v for k, v in t["influence"].items() if k in ("leverage", "standing", "territory")},
        } for t in run["turns"]],
    }
