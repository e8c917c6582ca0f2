"""What people call things, mapped to a scenario's ids: "the regime", "Assad" -> assad;
"America", "the US" -> us; "Afrin" -> afrin (named "Afrin and northern Aleppo"); "the Astana
de-escalation zones" -> astana_zones. Built from the scenario's ids, names and short names,
plus a few common names for the actors and places of this war; a common name is used only if
the scenario has that actor or zone and it points to exactly one of them."""

from __future__ import annotations

import difflib
import re

from sim.teach.common import TeachError, humanise

# common names, applied only to ids the scenario has
ACTOR_ALIASES: dict[str, tuple[str, ...]] = {
    "assad": ("regime", "assad", "assad regime", "syrian regime", "syrian government", "government",
              "damascus government", "syrian army", "loyalists", "pro government forces", "syria"),
    "us": ("us", "usa", "united states", "united states of america", "america", "american", "americans",
           "washington"),
    "russia": ("russia", "russian", "russians", "moscow", "kremlin", "putin"),
    "iran": ("iran", "iranian", "iranians", "tehran", "iranian backed forces"),
    "turkey": ("turkey", "turkish", "turks", "ankara", "turkiye", "erdogan"),
    "opposition": ("opposition", "rebels", "rebel", "armed opposition", "syrian opposition",
                   "opposition groups", "rebel groups"),
    "sdf": ("sdf", "kurds", "kurdish", "kurdish led forces", "syrian democratic forces", "ypg"),
    "isis": ("isis", "is", "isil", "islamic state", "daesh"),
    "jordan": ("jordan", "jordanian", "amman"),
    "israel": ("israel", "israeli", "israelis"),
    "hezbollah": ("hezbollah", "hizbollah", "hizballah"),
}
ZONE_ALIASES: dict[str, tuple[str, ...]] = {
    "al_tanf": ("tanf", "al tanf", "at tanf", "the tanf base"),
    "coast": ("coast", "the coast", "latakia", "tartus", "hmeimim", "the coastal region"),
    "deir_ez_zor": ("deir ez zor", "deir ezzor", "deir al zor", "deir al zour", "deir ez zur", "deir"),
    "eastern_ghouta": ("ghouta", "eastern ghouta", "east ghouta"),
    "homs_palmyra": ("palmyra", "homs", "palmyra desert"),
    "northern_homs": ("northern homs", "northern homs countryside", "rastan"),
    "hasakah": ("hasakah", "hasaka", "north east", "the north east"),
    "daraa": ("daraa", "deraa", "dara a", "quneitra"),
    "afrin": ("afrin", "northern aleppo", "the northern strip"),
    "idlib": ("idlib", "idleb", "idlib province"),
}
# words that say what sort of thing an agreement or trade is, not which one
_AGREEMENT_NOISE = {"the", "a", "an", "agreement", "agreements", "de", "escalation", "deescalation", "zone",
                    "zones", "memorandum", "plan", "safe", "truce", "arrangement", "deal", "in", "of", "and"}
_TRADE_NOISE = {"the", "a", "an", "deal", "trade", "bargain", "offer", "grand"}


def norm(text: str) -> str:
    """Lower case, ASCII apostrophes, no dots or quotes, hyphens and brackets as spaces."""
    t = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", "").replace("\u201d", "")
    t = re.sub(r"(?<=[a-z])\.(?=[a-z])", "", t)  # U.S. -> US
    t = re.sub(r"[\"().,;:!?]", " ", t)
    t = t.replace("-", " ").replace("_", " ")
    return re.sub(r"\s+", " ", t).strip()


def _bare(phrase: str) -> str:
    """A noun phrase without its article or possessive: "the regime's" -> "regime"."""
    t = norm(phrase)
    t = re.sub(r"^(the|a|an) ", "", t)
    t = re.sub(r"('s|')$", "", t).strip()
    return t


class Names:
    """Lookups for one scenario's actors, zones, agreements and trades."""

    def __init__(self, scenario):
        self.scenario = scenario
        self.actor_names = {a: x.name for a, x in scenario.actors.items()}
        self.zone_names = {z: x.name for z, x in scenario.zones.items()}
        self._actors = self._table(
            {a: [a, x.name, x.short or ""] for a, x in scenario.actors.items()}, ACTOR_ALIASES)
        self._zones = self._table(
            {z: [z, x.name, x.map_zone or ""] + _name_parts(x.name) for z, x in scenario.zones.items()}, ZONE_ALIASES)

    @staticmethod
    def _table(own: dict[str, list[str]], common: dict[str, tuple[str, ...]]) -> dict[str, str]:
        """phrase -> id. A scenario's own ids and names win; a phrase claimed by two ids is dropped."""
        exact: dict[str, str] = {}
        for i, words in own.items():
            for w in words[:2]:  # the id and the full name
                if w:
                    exact.setdefault(_bare(w), i)
        loose: dict[str, set[str]] = {}
        for i, words in own.items():
            for w in list(words[2:]) + list(common.get(i, ())):
                if w:
                    loose.setdefault(_bare(w), set()).add(i)
        table = {w: next(iter(ids)) for w, ids in loose.items() if len(ids) == 1}
        table.update(exact)
        return table

    # --- lookups --------------------------------------------------------------------------

    def actor(self, phrase: str) -> str:
        key = _bare(phrase)
        key = re.sub(r" (forces|troops|army|government|side)$", "", key) if key not in self._actors else key
        if key in self._actors:
            return self._actors[key]
        raise TeachError(self._unknown("actor", phrase, self._actors,
                                       [f"{a} ({n})" for a, n in self.actor_names.items()]))

    def zone(self, phrase: str) -> str:
        key = _bare(phrase)
        if key in self._zones:
            return self._zones[key]
        raise TeachError(self._unknown("zone", phrase, self._zones,
                                       [f"{n}" for n in self.zone_names.values()]))

    def zones(self, phrase: str) -> tuple[str, ...]:
        """'Damascus and Daraa', 'Idlib, Afrin and Aleppo' -> ids in the order given."""
        parts = [p for p in re.split(r",\s*|\s+and\s+|\s*&\s*", phrase.strip()) if p.strip()]
        # a zone named "X and Y" is one zone: try the whole phrase first
        try:
            return (self.zone(phrase),)
        except TeachError:
            pass
        return tuple(dict.fromkeys(self.zone(p) for p in parts))

    def agreement(self, phrase: str) -> str:
        ags = self.scenario.agreements
        words = set(norm(phrase).split()) - _AGREEMENT_NOISE
        best, score, tied = None, 0, False
        for ag in ags:
            own = set(ag.id.split("_")) - _AGREEMENT_NOISE
            places = set()
            for z in ag.zones:
                places |= set(norm(self.zone_names.get(z, z)).split()) | set(z.split("_"))
            s = 2 * len(words & own) + len(words & (places - _AGREEMENT_NOISE))
            if ag.kind == "ceasefire" and "ceasefire" in words:
                s += 1
            if s > score:
                best, score, tied = ag.id, s, False
            elif s == score and s > 0:
                tied = True
        if best is not None and not tied:
            return best
        if not words and len(ags) == 1:
            return ags[0].id
        known = "; ".join(self.describe_agreement(ag.id) for ag in ags) or "none in this scenario"
        what = "is ambiguous" if tied else "is not an agreement of this scenario"
        raise TeachError(f"'{phrase.strip()}' {what}; its agreements: {known}")

    def trade(self, phrase: str) -> str:
        words = [w for w in norm(phrase).split() if w not in _TRADE_NOISE]
        key = " ".join(words)
        for t in self.scenario.trades:
            forms = {" ".join(w for w in norm(x).split() if w not in _TRADE_NOISE) for x in (t.id, t.name)}
            if key in forms:
                return t.id
        known = ", ".join(f"'{t.name}' ({t.id})" for t in self.scenario.trades) or "none in this scenario"
        raise TeachError(f"'{phrase.strip()}' is not a trade of this scenario; its trades: {known}")

    # --- words ----------------------------------------------------------------------------

    def describe_agreement(self, ag_id: str) -> str:
        ag = next((a for a in self.scenario.agreements if a.id == ag_id), None)
        if ag is None:
            return humanise(ag_id)
        where = ", ".join(self.zone_names.get(z, z) for z in ag.zones)
        return f"{humanise(ag.id)} (`{ag.id}`: {ag.kind.replace('_', '-')} in {where})"

    def trade_name(self, trade_id: str) -> str:
        return next((t.name for t in self.scenario.trades if t.id == trade_id), humanise(trade_id))

    def _unknown(self, kind: str, phrase: str, table: dict[str, str], listing: list[str]) -> str:
        close = difflib.get_close_matches(_bare(phrase), list(table), n=1, cutoff=0.75)
        hint = ""
        if close:
            i = table[close[0]]
            hint = f" (did you mean {self.actor_names.get(i) if kind == 'actor' else self.zone_names.get(i)}?)"
        return f"no {kind} called '{phrase.strip()}' in {self.scenario.id}{hint}; {kind}s: {', '.join(listing)}"


def _name_parts(name: str) -> list[str]:
    """'Afrin and northern Aleppo' -> ['Afrin', 'northern Aleppo']; 'Northern Homs countryside'
    -> ['Northern Homs']: the shorter names people use for a zone."""
    n = norm(name)
    parts = [p for p in re.split(r" and (?:the )?", n) if p] if " and " in n else []
    trimmed = [re.sub(r" (countryside|desert|province|governorate|region)$", "", p) for p in [n] + parts]
    return [p for p in dict.fromkeys(parts + trimmed) if p and p != n]
