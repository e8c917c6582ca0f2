"""'Why did Russia do that?': a decision's utility broken down by preference term, with the
article behind each term, read from a run record (no re-simulation needed)."""

from __future__ import annotations

from sim.sources import ARTICLES


class ExplainError(ValueError):
    """The record has no such turn or actor."""


def explain(record: dict, turn: int, actor: str, alternatives: int = 3) -> str:
    turns = record.get("turns") or []
    rec = next((t for t in turns if t.get("turn") == turn), None)
    if rec is None:
        raise ExplainError(f"no turn {turn} in this record (it has turns 1 to {len(turns)})")
    actors = record.get("actors", {})
    if actor not in actors:
        raise ExplainError(f"no actor '{actor}' in this record; expected one of: {', '.join(actors)}")
    name = actors[actor]["name"]
    lines = [f"{name}, {rec['date']} (turn {turn} of {record['scenario']}, seed {record['seed']})"]
    for d in (d for d in rec["decisions"] if d["actor"] == actor):
        lines += ["", f"{d['track'].capitalize()} track: {d['text']}"
                      f"   expected utility {d['utility']:+.4f} (of {d['candidates']} open actions)"]
        lines += _terms(d["breakdown"])
        if any(alt["utility"] > d["utility"] for alt in d["alternatives"]):
            lines.append("  (not the best-scored action: choices are probabilistic, so an actor sometimes "
                         "takes a close second; see 'Choice' in docs/model.md)")
        for alt in d["alternatives"][:alternatives]:
            gap = alt["utility"] - d["utility"]
            rel = f"{gap:.4f} ahead" if gap > 0 else f"{-gap:.4f} behind"
            lines.append(f"  instead of: {name} {alt['text']}   {alt['utility']:+.4f} ({rel})")
            lines += _terms(alt["breakdown"], indent="      ", only_nonzero=True)
    answers = [r for r in rec["responses"] if r["actor"] == actor]
    for r in (r for r in answers if r["kind"] == "trade"):
        lines += ["", f"Trade: {r['answer']}s '{r['trade']}' offered by "
                      f"{actors.get(r['proposer'], {}).get('name', r['proposer'])}"
                      + (" (a human's answer)" if r.get("human") else ""), f"  {r['reason']}"]
        v = r["valuation"]
        zone = v["zone_of_agreement"]
        lines.append("  zone of agreement: " + (f"terms {zone[0]:.2f} to {zone[1]:.2f}" if zone else "none")
                     + f"; Rubinstein offer {v['rubinstein_offer']:.2f}, counter {v['rubinstein_counter']:.2f}"
                     + (f", Nash {v['nash']:.2f}" if v["nash"] is not None else "")
                     + "; discount factors " + ", ".join(f"{a} {d:.3f}" for a, d in v["discount"].items()))
        if v["deliverability"]:
            lines.append("  promises expected to be kept: " + ", ".join(f"{q:.0%}" for q in v["deliverability"]))
        lines += _terms(r["breakdown"], only_nonzero=True)
    for r in (r for r in answers if r["kind"] != "trade"):
        lines += ["", f"Answer: {r['answer']}s the {r['kind'].replace('_', ' ')} proposed by "
                      f"{actors.get(r['proposer'], {}).get('name', r['proposer'])}"
                      f"   accept {r['utility_accept']:+.4f} vs reject {r['utility_reject']:+.4f}"
                      + (" (a human's answer)" if r.get("human") else "")]
        lines += _terms(r["breakdown"], only_nonzero=True)
    lines += ["", "Sources: " + "; ".join(_sources(rec, actor))]
    return "\n".join(lines)


def _terms(breakdown: list[dict], indent: str = "    ", only_nonzero: bool = False) -> list[str]:
    rows = sorted(breakdown, key=lambda b: -abs(b["value"]))
    out = []
    for b in rows:
        if only_nonzero and abs(b["value"]) < 5e-7:
            continue
        sign = "wants more" if b["weight"] > 0 else "wants less"
        out.append(f"{indent}{b['value']:+.4f}  {b['term']:<18} ({sign}, weight {abs(b['weight']):.2f})  "
                   f"{b['note']}  [{b['source']}]")
    return out


def _sources(rec: dict, actor: str) -> list[str]:
    seen = []
    for d in rec["decisions"]:
        if d["actor"] == actor:
            for b in d["breakdown"]:
                if b["source"] not in seen:
                    seen.append(b["source"])
    return [f"{s}: {ARTICLES[s].title} ({ARTICLES[s].date})" if s in ARTICLES else s for s in seen]
