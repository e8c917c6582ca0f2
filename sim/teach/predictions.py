"""The class's predictions: plain statements the model can check, in a small controlled
language read by patterns (nothing is evaluated or executed).

A statement is one claim and, optionally, when it is judged:

    Idlib is still outside regime control in May 2019
    Idlib is under regime control by 2018-12
    Iran's presence falls below half of today's
    Russia's leverage over Damascus is above 0.5 at the end
    The Astana de-escalation zones are still in force in 2019-01
    Turkey holds Afrin at the end

"in/at MONTH" judges the claim on the state of that month; "by MONTH" asks whether it holds
in any month from the one after it was made up to that month (it comes true the first month
it does); no time, or "at the end", means the last month of the game. `HELP` lists every
pattern. A parsed statement becomes a :class:`Prediction`, a plain record that is stored in
a save's ``extras["predictions"]`` and judged by :func:`judge`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field, fields, replace

from sim.teach.common import MONTHS, TeachError, month
from sim.teach.names import Names

KINDS = ("control", "measure", "agreement", "trade", "covered")
QUANTITIES = ("presence", "leverage", "standing", "sanctions", "territory")
_QUANTITY_WORDS = {"presence": "presence", "leverage": "leverage over Damascus", "standing": "standing",
                   "sanctions": "sanctions", "territory": "territory"}
# the largest value each figure can take (presence counts units beyond the starting force)
_QUANTITY_MAX = {"presence": 5.0, "leverage": 1.0, "standing": 1.0, "sanctions": 1.0, "territory": 1.0}

HELP = """\
Accepted statements (names of actors and zones as in the scenario, or common ones such as
"the regime", "Assad", "the US", "America", "Afrin", "Tanf"):

  who holds a zone     Idlib is under regime control / Idlib is outside regime control
                       Idlib is held by Assad / Turkey holds Afrin / Turkey loses Afrin
  a figure             Iran's presence falls below half of today's
                       Russia's leverage over Damascus is above 0.5
                       Turkey's standing is below 0.25 / Sanctions on Russia fall below 0.2
                       Iran's presence in Damascus and Daraa is below 0.05
                       (presence, leverage, standing, sanctions or territory; a number, a
                       percentage, "half", "a third"..., or "half of today's", "today's level")
  an agreement         The Astana de-escalation zones are still in force
                       The southern ceasefire has collapsed
  a zone's truce       Idlib is under an agreement / No agreement covers Daraa
  a trade              The Iran for Ukraine deal is signed / ... is not signed

and, at the end or the start, when it is judged (default: at the end of the game):

  in May 2019 / in 2019-05 / at the end      judged on that month's state
  by December 2018 / by 2018-12 / by the end true if it holds in any month up to then
  in 6 months / within 6 months              counted from the month it is made"""

# --- words --------------------------------------------------------------------------------------

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty four": 24}
_FRACTION_WORDS = {"zero": 0.0, "nothing": 0.0, "a tenth": 0.1, "one tenth": 0.1, "a fifth": 0.2,
                   "one fifth": 0.2, "a quarter": 0.25, "one quarter": 0.25, "a third": 1 / 3,
                   "one third": 1 / 3, "half": 0.5, "a half": 0.5, "one half": 0.5, "two thirds": 2 / 3,
                   "three quarters": 0.75, "twice": 2.0, "double": 2.0}
_MONTH_RE = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
             r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DATE_RE = rf"(?:{_MONTH_RE} (?P<y1>\d{{4}})|(?P<y2>\d{{4}})-(?P<m2>\d{{1,2}})|(?P<m3>\d{{1,2}})/(?P<y3>\d{{4}}))"
_COUNT_RE = r"(?P<n>\d+|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"

# (pattern, mode) for the time clause; 'rel' counts months from when it is made
_WHEN_PATTERNS = [
    ("date", rf"(?P<mode>in|at|as of|by) {_DATE_RE}"),
    ("end", r"(?P<mode>at|by) the end(?: of the game)?"),
    ("year_end", r"(?P<mode>by) the end of (?P<yend>\d{4})"),
    ("count", rf"(?P<mode>in|after|within) {_COUNT_RE} months?(?:'? time)?"),
    ("turn", r"(?P<mode>at|in|by) (?:turn|month) (?P<t>\d+)"),
    ("year", r"(?P<mode>in|by) (?P<yonly>\d{4})"),
]

_POSS = r"(?:'s|')"
_QUANT = (r"(?P<q>military presence|ground presence|presence|ground forces|forces|troops|"
          r"leverage(?: over (?:damascus|assad|the regime|the assad regime))?|hold on damascus|"
          r"influence over damascus|international standing|standing|prestige|sanctions|territory)")
_BELOW = (r"(?:(?:falls?|drops?|sinks?|shrinks?|declines?|goes|go|gets? cut|is cut) (?:to )?(?:below|under|less than)"
          r"|is (?:below|under|less than|lower than|smaller than))")
_ABOVE = (r"(?:(?:rises?|grows?|climbs?|goes|go|gets?|increases?) (?:to )?(?:above|over|more than)"
          r"|is (?:above|over|more than|higher than|greater than|bigger than)|exceeds?)")
_OPS = rf"(?:(?P<below>{_BELOW})|(?P<above>{_ABOVE}))"
_TODAY = (r"(?:today's(?: level| figure| value)?|today|(?:its|their|the) (?:current|present) "
          r"(?:level|figure|value)|(?:its|their) level (?:today|now)|what it is (?:today|now)|now)")
_AGREEMENT_WORDS = r"(?:agreement|ceasefire|truce|de escalation(?: agreement| zone)?)"


def _clean(text: str) -> str:
    """Lower case, one spelling per word: what the patterns below are written against."""
    t = text.strip().lower()
    t = t.replace("\u2019", "'").replace("\u2018", "'")
    t = re.sub(r"[\"\u201c\u201d]", "", t)
    t = re.sub(r"(?<=[a-z])\.(?=[a-z])", "", t)  # U.S. -> us
    t = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", t)  # a full stop, not a decimal point
    t = re.sub(r"(?<!\d)-|-(?!\d)", " ", t)  # de-escalation, al-Tanf; not 2018-12
    t = re.sub(r"[!?;:()]", " ", t)
    t = re.sub(r"\s*,\s*", ", ", t)
    for a, b in (("isn't", "is not"), ("aren't", "are not"), ("doesn't", "does not"), ("don't", "do not"),
                 ("hasn't", "has not"), ("haven't", "have not"), ("won't", "will not"), ("didn't", "did not"),
                 ("can't", "cannot")):
        t = t.replace(a, b)
    t = re.sub(r"\s+", " ", t).strip(" ,")
    t = re.sub(r"\bwill not be\b", "is not", t)
    t = re.sub(r"\bwill (?:still )?be\b", "is", t)
    t = re.sub(r"\bwill have\b", "has", t)
    t = re.sub(r"\bwill not\b", "does not", t)
    t = re.sub(r"\bwill\b ", "", t)
    t = re.sub(r"\bno longer\b", "not", t)
    t = re.sub(r"\b(?:still|yet|already|even)\b ?", "", t)
    t = re.sub(r"\b(?:remains?|stays?|are)\b", "is", t)
    t = re.sub(r"\bhave\b", "has", t)
    return re.sub(r"\s+", " ", t).strip(" ,")


# --- the record ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prediction:
    """One checkable claim. `when` is a turn number or "end"; with `mode` "at" the claim is
    judged on that month's state, with "by" it comes true the first month (after the one it was
    made in) that it holds. `relative` keeps a figure stated against "today's": the threshold
    `value` is `relative` x `baseline`, the figure in the month it was made."""

    text: str
    kind: str  # control | measure | agreement | trade | covered
    when: int | str = "end"
    mode: str = "at"  # at | by
    made_at_turn: int = 0
    by: str | None = None  # who made it
    actor: str | None = None  # control: the holder; measure: whose figure
    zone: str | None = None  # control, covered
    zones: tuple[str, ...] = ()  # measure (presence): only these zones
    quantity: str | None = None  # measure: presence | leverage | standing | sanctions | territory
    op: str | None = None  # measure: below | above (strictly)
    value: float | None = None
    relative: float | None = None
    baseline: float | None = None
    agreement: str | None = None
    trade: str | None = None
    negated: bool = False  # control: not held by; agreement: not in force; trade: not done; covered: not covered
    id: str = ""

    def due(self, turns: int) -> int:
        """The turn it is judged at (for "by": the last turn it may come true)."""
        return turns if self.when == "end" else int(self.when)

    def figure(self, w) -> float | None:
        """The measured figure on world `w` (measures only)."""
        if self.kind != "measure":
            return None
        s = w.s
        a = s.actor(self.actor)
        if self.quantity == "presence":
            zones = [s.zone(z) for z in self.zones] or slice(None)
            return float(w.ground[a, zones].sum() / s.norm[a])
        arr = {"leverage": w.leverage, "standing": w.standing, "sanctions": w.sanctions,
               "territory": w.territory}[self.quantity]
        return float(arr[a])

    def holds(self, w) -> bool:
        """Whether the claim is true of world `w` (its date aside)."""
        s = w.s
        if self.kind == "control":
            yes = int(w.control[s.zone(self.zone)]) == s.actor(self.actor)
        elif self.kind == "measure":
            x = self.figure(w)
            yes = x < self.value if self.op == "below" else x > self.value
        elif self.kind == "agreement":
            yes = self.agreement in {ag.id for ag in w.active_agreements()}
        elif self.kind == "trade":
            yes = f"trade:{self.trade}" in w.fired
        elif self.kind == "covered":
            yes = int(w.zone_agreement()[s.zone(self.zone)]) >= 0
        else:
            raise ValueError(f"unknown kind {self.kind!r}")
        return yes != self.negated

    def check(self, game, turns: int | None = None) -> bool | None:
        """True or False once judged, None while its month has not come. `game` is a model
        (its game is replayed from the start, so every month is seen) or a single World (then
        only that month is seen: an "at" claim is judged if the world is at its month)."""
        return judge([self], game, turns=turns)[0].verdict

    def to_dict(self) -> dict:
        d = {k: v for k, v in asdict(self).items() if v not in (None, (), "") or k in ("when",)}
        if not self.negated:
            d.pop("negated", None)
        if "zones" in d:
            d["zones"] = list(d["zones"])
        return d


# --- parsing ------------------------------------------------------------------------------------


@dataclass
class Context:
    """What a statement is read against: the scenario, the game's length, the month it is made
    in, and that month's world (for "today's")."""

    scenario: object
    turns: int
    made_at: int = 0
    world: object = None
    names: Names = field(init=False)

    def __post_init__(self):
        self.names = Names(self.scenario)

    @staticmethod
    def of(scenario_or_loaded, *, turns: int | None = None, made_at: int = 0, world=None) -> "Context":
        scn = getattr(scenario_or_loaded, "scenario", scenario_or_loaded)
        return Context(scn, turns if turns is not None else scn.turns, made_at, world)

    def start(self) -> dt.date:
        return self.scenario.start.replace(day=1)

    def date(self, turn: int) -> dt.date:
        m = self.start().month - 1 + turn
        return dt.date(self.start().year + m // 12, m % 12 + 1, 1)

    def turn_of(self, year: int, mon: int) -> int:
        return (year - self.start().year) * 12 + mon - self.start().month

    def now(self):
        """The world in the month the prediction is made (the start, if none was given)."""
        if self.world is None:
            if self.made_at:
                raise TeachError("a prediction against today's figure needs the game it is made in")
            from sim.model.influence import compute_influence
            from sim.model.state import build_world

            self.world = build_world(self.scenario)
            compute_influence(self.world)
        return self.world


def parse(text: str, scenario, *, made_at: int = 0, turns: int | None = None, world=None,
          by: str | None = None, ctx: Context | None = None) -> Prediction:
    """Read one statement; raises TeachError with the accepted patterns if it cannot."""
    ctx = ctx or Context.of(scenario, turns=turns, made_at=made_at, world=world)
    original = " ".join(str(text).split())
    if not original:
        raise TeachError("an empty prediction; write a statement such as "
                         "\"Idlib is still outside regime control in May 2019\"\n\n" + HELP)
    body, when, mode = _when(_clean(original), ctx)
    fields_, errors = None, []
    for kind, pattern, build in _PATTERNS:
        m = re.fullmatch(pattern, body)
        if m is None:
            continue
        try:
            fields_ = build(m, ctx)
            break
        except TeachError as exc:
            errors.append(str(exc))
    if fields_ is None:
        if errors:
            raise TeachError(f"cannot read the prediction \"{original}\": {errors[0]}")
        raise TeachError(f"cannot read the prediction \"{original}\": it matches none of the "
                         f"accepted patterns.\n\n{HELP}")
    p = Prediction(text=original, when=when, mode=mode, made_at_turn=ctx.made_at, by=by or None, **fields_)
    return _settle(p, ctx)


def _when(body: str, ctx: Context) -> tuple[str, int | str, str]:
    """Split off the time clause (at the end or at the start of the statement)."""
    for tag, pattern in _WHEN_PATTERNS:
        for full in (rf"^(?P<rest>.+?),? {pattern}$", rf"^{pattern},? (?P<rest>.+)$"):
            m = re.match(full, body)
            if m is None:
                continue
            g = m.groupdict()
            mode = "by" if g["mode"] in ("by", "within") else "at"
            if tag == "year":
                raise TeachError(f"'{g['mode']} {g['yonly']}': say which month, e.g. 'in May {g['yonly']}', "
                                 f"'by {g['yonly']}-12' or 'by the end of {g['yonly']}'")
            if tag == "end":
                return m.group("rest"), "end", mode
            if tag == "year_end":
                turn = ctx.turn_of(int(g["yend"]), 12)
            elif tag == "count":
                n = g["n"]
                turn = ctx.made_at + (int(n) if n.isdigit() else _NUMBER_WORDS[n])
            elif tag == "turn":
                turn = int(g["t"])
            else:
                turn = _date_turn(g, ctx)
            return m.group("rest"), turn, mode
    return body, "end", "at"


def _date_turn(g: dict, ctx: Context) -> int:
    if g.get("y1"):
        mon = next(i for i, name in enumerate(MONTHS, 1) if name.lower().startswith(g["mon"][:3]))
        year = int(g["y1"])
    elif g.get("y2"):
        year, mon = int(g["y2"]), int(g["m2"])
    else:
        year, mon = int(g["y3"]), int(g["m3"])
    if not 1 <= mon <= 12:
        raise TeachError(f"month {mon} of {year} is not a month")
    return ctx.turn_of(year, mon)


def _settle(p: Prediction, ctx: Context) -> Prediction:
    """Check the date against the game and fix a "today's" threshold on the month it is made."""
    if p.when != "end":
        t = int(p.when)
        last = ctx.date(ctx.turns)
        if t < 1:
            raise TeachError(f"\"{p.text}\": {month(ctx.date(t))} is before the first month played; "
                             f"the game plays {month(ctx.date(1))} to {month(last)}")
        if t > ctx.turns:
            raise TeachError(f"\"{p.text}\": {month(ctx.date(t))} is after this game's last month "
                             f"({month(last)}); pick a month up to then, or 'at the end'")
        if t < ctx.made_at:
            raise TeachError(f"\"{p.text}\": {month(ctx.date(t))} has already been played (the game is in "
                             f"{month(ctx.date(ctx.made_at))}); predictions are about months to come")
    if p.kind == "measure":
        if p.relative is not None and p.value is None:
            base = replace(p, value=0.0).figure(ctx.now())
            p = replace(p, baseline=round(base, 6), value=round(p.relative * base, 6))
        top = _QUANTITY_MAX[p.quantity]
        if p.value is None or not 0 <= p.value <= top:
            raise TeachError(f"\"{p.text}\": {p.quantity} runs from 0 to {top:g}; got {p.value}")
    return p


# --- the patterns -------------------------------------------------------------------------------


def _value(text: str, ctx: Context) -> tuple[float | None, float | None]:
    """(absolute value, None) or (None, fraction of today's figure)."""
    t = text.strip()
    if re.fullmatch(_TODAY, t):
        return None, 1.0
    m = re.fullmatch(rf"(?P<f>.+?) (?:of )?{_TODAY}", t)
    if m:
        return None, _fraction(m.group("f"))
    t = re.sub(r" of (?:its|their|the) (?:full )?(?:strength|force|forces)$", "", t)
    return _fraction(t), None


def _fraction(t: str) -> float:
    t = t.strip()
    if t in _FRACTION_WORDS:
        return _FRACTION_WORDS[t]
    m = re.fullmatch(r"(\d+(?:\.\d+)?|\.\d+) ?(%|percent|per cent)?", t)
    if m is None:
        raise TeachError(f"'{t}' is not a value: write a number (0.5), a percentage (50%), a fraction "
                         f"('half', 'a third') or a share of today's figure ('half of today's')")
    x = float(m.group(1))
    return x / 100 if m.group(2) else x


def _quantity(word: str) -> str:
    if "presence" in word or word in ("forces", "ground forces", "troops"):
        return "presence"
    if "leverage" in word or "damascus" in word:
        return "leverage"
    if "standing" in word or word == "prestige":
        return "standing"
    return word  # sanctions, territory


def _measure(m, ctx: Context) -> dict:
    q = _quantity(m.group("q"))
    actor = ctx.names.actor(m.group("actor"))
    zones: tuple[str, ...] = ()
    if m.groupdict().get("zones"):
        if q != "presence":
            raise TeachError(f"only presence can be counted in particular zones, not {q}")
        zones = ctx.names.zones(m.group("zones"))
    value, rel = _value(m.group("val"), ctx)
    return {"kind": "measure", "quantity": q, "actor": actor, "zones": zones,
            "op": "below" if m.group("below") else "above", "value": value, "relative": rel}


def _sanctions(m, ctx: Context) -> dict:
    value, rel = _value(m.group("val"), ctx)
    return {"kind": "measure", "quantity": "sanctions", "actor": ctx.names.actor(m.group("actor")),
            "op": "below" if m.group("below") else "above", "value": value, "relative": rel}


def _control(negated: bool | None = None):
    def build(m, ctx: Context) -> dict:
        neg = negated if negated is not None else bool(m.groupdict().get("neg"))
        return {"kind": "control", "zone": ctx.names.zone(m.group("zone")),
                "actor": ctx.names.actor(m.group("actor")), "negated": neg}
    return build


def _agreement(negated: bool | None = None):
    def build(m, ctx: Context) -> dict:
        neg = negated if negated is not None else bool(m.groupdict().get("neg"))
        return {"kind": "agreement", "agreement": ctx.names.agreement(m.group("ag")), "negated": neg}
    return build


def _trade(m, ctx: Context) -> dict:
    phrase = m.group("tr")
    neg = bool(m.groupdict().get("neg"))
    if re.match(r"^no ", phrase):
        phrase, neg = phrase[3:], True
    if m.groupdict().get("lead") == "no":
        neg = True
    return {"kind": "trade", "trade": ctx.names.trade(phrase), "negated": neg}


def _covered(m, ctx: Context) -> dict:
    neg = m.groupdict().get("neg") in ("not ", "no")
    return {"kind": "covered", "zone": ctx.names.zone(m.group("zone")), "negated": neg}


_HOLD_VERBS = (r"(?:has )?(?:holds? on to|keeps? hold of|holds?|controls?|keeps?|takes?|taken|retakes?|retaken|"
               r"recaptures?|recaptured|captures?|captured|seizes?|seized|regains?|regained|wins? back|won back|"
               r"gets? back|got back|held)")
_PATTERNS = [
    ("measure", rf"(?:the )?(?P<actor>.+?){_POSS} {_QUANT}(?: in (?P<zones>.+?))? {_OPS} (?P<val>.+)", _measure),
    ("measure", rf"(?:the )?sanctions (?:on|against) (?P<actor>.+?) {_OPS} (?P<val>.+)", _sanctions),
    ("trade", r"(?P<tr>.+?) (?:deal |trade )?is (?P<neg>not |never )?(?:signed|agreed|concluded|done|made|"
              r"struck|accepted|reached)", _trade),
    ("trade", r"there is (?P<lead>no|an?) (?P<tr>.+?)(?: deal| trade)", _trade),
    ("covered", rf"(?P<zone>.+?) is (?P<neg>not )?(?:under|covered by|part of|in) (?:an?|any|some) "
                rf"{_AGREEMENT_WORDS}", _covered),
    ("covered", rf"(?P<neg>no|an?) {_AGREEMENT_WORDS} (?:covers|is in force in|holds in|is in place in) "
                r"(?P<zone>.+)", _covered),
    ("agreement", r"(?P<ag>.+?) is (?P<neg>not )?in (?:force|place|effect)", _agreement()),
    ("agreement", r"(?P<ag>.+?) (?:has )?(?:ended|collapsed|lapsed|broken down|failed|expired|ends|collapses)",
     _agreement(True)),
    ("agreement", r"(?P<ag>.+?) (?:holds?|is holding)", _agreement(False)),
    ("control", r"(?P<zone>.+?) is (?P<neg>not )?(?:under|in) (?P<actor>.+?) (?:control|hands)", _control()),
    ("control", r"(?P<zone>.+?) is (?:outside|out of|beyond) (?P<actor>.+?) (?:control|hands)", _control(True)),
    ("control", r"(?P<zone>.+?) is (?P<neg>not )?(?:held|controlled|taken|retaken|captured|recaptured|won back|"
                r"seized) by (?P<actor>.+)", _control()),
    ("control", r"(?P<zone>.+?) (?:falls?|has fallen|fell|goes|passes) to (?P<actor>.+)", _control(False)),
    ("control", rf"(?P<actor>.+?) (?P<neg>does not |has not |did not |never |fails to |failed to |cannot )?"
                rf"{_HOLD_VERBS}(?: back)? (?P<zone>.+)", _control()),
    ("control", r"(?P<actor>.+?) (?:loses?|lost|has lost) (?P<zone>.+)", _control(True)),
]


# --- structured entries and lists -----------------------------------------------------------------

_FIELDS = {f.name for f in fields(Prediction)} | {"date"}


def from_dict(d: dict, scenario=None, *, ctx: Context | None = None, by: str | None = None) -> Prediction:
    """A prediction from a structured entry (a YAML list item or a save's record). Names may be
    ids or names; `when` a turn, "end", "2019-05", "May 2019" or a date; `text` is optional
    (one is written from the structure). An entry with only `text` is parsed."""
    ctx = ctx or Context.of(scenario)
    unknown = set(d) - _FIELDS
    if unknown:
        raise TeachError(f"unknown field(s) {', '.join(sorted(unknown))}; a prediction has: "
                         f"{', '.join(sorted(_FIELDS - {'baseline'}))}")
    who = d.get("by", by)
    who = None if who is None else str(who)
    if "kind" not in d:
        if not d.get("text"):
            raise TeachError("a prediction needs a 'text' (a statement) or a 'kind' with its fields")
        p = parse(str(d["text"]), None, ctx=ctx, by=who)
        return replace(p, id=str(d.get("id", "")))
    kind = d["kind"]
    if kind not in KINDS:
        raise TeachError(f"kind '{kind}' is not one of {', '.join(KINDS)}")
    n = ctx.names
    out: dict = {"kind": kind, "negated": _bool(d.get("negated", False), "negated")}

    def need(key: str):
        if d.get(key) in (None, ""):
            raise TeachError(f"a '{kind}' prediction needs '{key}'")
        return d[key]

    if kind in ("control", "covered"):
        out["zone"] = n.zone(str(need("zone")))
    if kind == "control":
        out["actor"] = n.actor(str(need("actor")))
    if kind == "measure":
        out["actor"] = n.actor(str(need("actor")))
        q = str(need("quantity"))
        if q not in QUANTITIES:
            raise TeachError(f"quantity '{q}' is not one of {', '.join(QUANTITIES)}")
        out["quantity"] = q
        op = str(need("op"))
        if op not in ("below", "above"):
            raise TeachError(f"op '{op}' must be 'below' or 'above'")
        out["op"] = op
        zs = d.get("zones") or ()
        out["zones"] = tuple(n.zone(str(z)) for z in ([zs] if isinstance(zs, str) else zs))
        if d.get("value") is None and d.get("relative") is None:
            raise TeachError("a 'measure' prediction needs a 'value' or a 'relative' share of today's figure")
        for key in ("value", "relative", "baseline"):
            if d.get(key) is not None:
                try:
                    out[key] = float(d[key])
                except (TypeError, ValueError):
                    raise TeachError(f"'{key}' must be a number, got {d[key]!r}") from None
        out.pop("negated")
    if kind == "agreement":
        ag = str(need("agreement"))
        out["agreement"] = ag if any(a.id == ag for a in ctx.scenario.agreements) else n.agreement(ag)
    if kind == "trade":
        out["trade"] = n.trade(str(need("trade")))
    when, mode = _structured_when(d, ctx)
    made = int(d.get("made_at_turn", ctx.made_at))
    p = Prediction(text="", when=when, mode=mode, made_at_turn=made, by=who, id=str(d.get("id", "")), **out)
    if made != ctx.made_at:  # a stored record: checked against the month it was made in
        ctx = Context(ctx.scenario, ctx.turns, made, None)
    p = _settle(p, ctx)
    return replace(p, text=str(d.get("text") or describe(p, ctx.names, ctx)))


def _bool(x, key: str) -> bool:
    if isinstance(x, bool):
        return x
    raise TeachError(f"'{key}' must be true or false, got {x!r}")


def _structured_when(d: dict, ctx: Context) -> tuple[int | str, str]:
    mode = str(d.get("mode", "at"))
    if mode not in ("at", "by"):
        raise TeachError(f"mode '{mode}' must be 'at' (judged in that month) or 'by' (any month up to then)")
    w = d.get("when", d.get("date", "end"))
    if isinstance(w, bool):
        raise TeachError(f"'when' must be a turn, 'end' or a month, got {w!r}")
    if isinstance(w, int):
        return w, mode
    if isinstance(w, dt.date):
        return ctx.turn_of(w.year, w.month), mode
    text = _clean(str(w))
    if text in ("end", "the end", "at the end"):
        return "end", mode
    if text.isdigit():
        return int(text), mode
    m = re.fullmatch(_DATE_RE, text)
    if m is None:
        raise TeachError(f"'when' must be a turn number, 'end' or a month such as 2019-05 or May 2019; got {w!r}")
    return _date_turn(m.groupdict(), ctx), mode


def read_list(text: str, scenario, *, name: str = "predictions", ctx: Context | None = None,
              by: str | None = None) -> list[Prediction]:
    """A YAML list of predictions: each item a statement, or a mapping with `text` (and
    optionally `by`), or a structured entry (see docs/classroom.md). Read with the safe loader
    and its limits; every bad entry is reported with its line."""
    from sim.scenario import ScenarioError
    from sim.scenario.yamlsafe import parse_yaml

    ctx = ctx or Context.of(scenario)
    try:
        data, lines = parse_yaml(text, name)
    except ScenarioError as exc:
        raise TeachError(str(exc)) from None
    root: tuple = ()
    if isinstance(data, dict) and set(data) == {"predictions"}:
        data, root = data["predictions"], ("predictions",)
    if not isinstance(data, list):
        raise TeachError(f"{name}: expected a list of predictions (items starting with '- ')")
    out, problems = [], []
    for i, item in enumerate(data):
        line = lines.get(root + (i,), (name, None))[1]
        where = f"{name}, line {line}" if line else f"{name}, item {i + 1}"
        try:
            if isinstance(item, str):
                out.append(parse(item, None, ctx=ctx, by=by))
            elif isinstance(item, dict):
                kept = sorted({"made_at_turn", "baseline", "id"} & set(item))
                if kept:  # the month a prediction is made in is the save's, not the list's
                    raise TeachError(f"{', '.join(kept)} is set by 'arbiter predict' (the save's month); "
                                     f"leave it out of the list")
                out.append(from_dict(item, ctx=ctx, by=by))
            else:
                raise TeachError("expected a statement or a mapping with 'text' or 'kind'")
        except TeachError as exc:
            problems.append(f"{where}: {exc}")
    if problems:
        raise TeachError("\n".join(problems) + ("\n\n" + HELP if any("accepted patterns" in p for p in problems)
                                                 else ""))
    return out


# --- words for a prediction ---------------------------------------------------------------------


def describe(p: Prediction, names: Names, ctx: Context | None = None) -> str:
    """The prediction in the controlled language (readable, and read back the same way)."""
    an = names.actor_names
    zn = names.zone_names
    if p.kind == "control":
        claim = f"{an[p.actor]} {'does not hold' if p.negated else 'holds'} {zn[p.zone]}"
    elif p.kind == "measure":
        where = f" in {_and([zn[z] for z in p.zones])}" if p.zones else ""
        if p.quantity == "sanctions":
            claim = f"Sanctions on {an[p.actor]} are {p.op} {p.value:.3g}"
        else:
            claim = f"{an[p.actor]}'s {_QUANTITY_WORDS[p.quantity]}{where} is {p.op} {p.value:.3g}"
    elif p.kind == "agreement":
        name = names.describe_agreement(p.agreement).split(" (")[0]
        claim = f"The {name} agreement is {'not ' if p.negated else ''}in force"
    elif p.kind == "trade":
        claim = f"The '{names.trade_name(p.trade)}' deal is {'not ' if p.negated else ''}signed"
    else:
        claim = f"{zn[p.zone]} is {'not ' if p.negated else ''}under an agreement"
    return f"{claim} {when_words(p, ctx)}"


def when_words(p: Prediction, ctx: Context | None = None) -> str:
    if p.when == "end":
        return "by the end" if p.mode == "by" else "at the end"
    word = "by" if p.mode == "by" else "in"
    if ctx is None:
        return f"{word} turn {p.when}"
    return f"{word} {month(ctx.date(int(p.when)))}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --- judging ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Judgement:
    prediction: Prediction
    status: str  # "true" | "false" | "open"
    turn: int | None  # the month it was judged in (None while open)
    holds_now: bool  # whether the claim holds in the latest month seen
    figure_now: float | None  # a measure's figure in the latest month seen
    now: int  # the latest month seen

    @property
    def verdict(self) -> bool | None:
        return None if self.status == "open" else self.status == "true"


def judge(predictions: list[Prediction], game, turns: int | None = None) -> list[Judgement]:
    """Judge predictions on a game. A model is replayed from its start to the month it is at,
    and every month is seen: an "at" claim is judged on its month, a "by" claim comes true the
    first month it holds after it was made and is false if its month passes without. A World
    is one month only. `turns` is the game's length (default: the model's, or the scenario's)."""
    from sim.teach.replay import months

    if hasattr(game, "world"):
        end = turns if turns is not None else game.turns
        worlds = (m.world for m in months(game))
    else:
        end = turns if turns is not None else game.s.turns
        worlds = iter([game])
    if not predictions:
        return []
    verdicts: list[tuple[str, int] | None] = [None] * len(predictions)
    last = None
    for w in worlds:
        last = w
        t = w.turn
        for i, p in enumerate(predictions):
            if verdicts[i] is not None:
                continue
            due = p.due(end)
            if p.mode == "at":
                if t == due:
                    verdicts[i] = ("true" if p.holds(w) else "false", t)
                continue
            first = p.made_at_turn + 1 if due > p.made_at_turn else p.made_at_turn
            if first <= t <= due and p.holds(w):
                verdicts[i] = ("true", t)
            elif t == due and t >= first:
                verdicts[i] = ("false", t)
    out = []
    for p, v in zip(predictions, verdicts):
        status, turn = v if v is not None else ("open", None)
        out.append(Judgement(p, status, turn, p.holds(last), p.figure(last), int(last.turn)))
    return out


def tally(judgements: list[Judgement]) -> dict[str, dict[str, int]]:
    """Per maker ('' for unnamed): how many came true, false, and are open."""
    out: dict[str, dict[str, int]] = {}
    for j in judgements:
        row = out.setdefault(j.prediction.by or "", {"true": 0, "false": 0, "open": 0})
        row[j.status] += 1
    return out


# --- predictions kept in a save -----------------------------------------------------------------

EXTRAS_KEY = "predictions"


def added(old: list[Prediction], new: list[Prediction]) -> tuple[list[Prediction], int]:
    """The new predictions to keep beside `old`, numbered on from them (p1, p2...), with
    exact repeats of one already kept left out; and how many were repeats."""
    def key(p) -> tuple:
        d = p.to_dict()
        d.pop("id", None)
        d.pop("text", None)
        return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in d.items()))

    kept = {key(p) for p in old}
    out, repeated = [], 0
    for p in new:
        if key(p) in kept:
            repeated += 1
            continue
        kept.add(key(p))
        out.append(replace(p, id=f"p{len(old) + len(out) + 1}"))
    return out, repeated


def context_for(model, made_at: int | None = None) -> Context:
    """Read statements against a game: its scenario, its length, and its current month."""
    turn = model.world.turn if made_at is None else made_at
    return Context(model.scenario, model.turns, turn, model.world if turn == model.world.turn else None)


def stored(game, model) -> list[Prediction]:
    """The predictions kept in a SavedGame's extras, as records (checked against its scenario)."""
    ctx = context_for(model)
    out = []
    for i, d in enumerate(game.extras.get(EXTRAS_KEY) or []):
        if not isinstance(d, dict):
            raise TeachError(f"prediction {i + 1} in the save is not a record")
        try:
            out.append(from_dict(d, ctx=ctx))
        except TeachError as exc:
            raise TeachError(f"prediction {i + 1} in the save cannot be read: {exc}") from None
    return out


def score(game, model=None) -> list[Judgement]:
    """Every prediction kept in a saved game, judged on the game as far as it has been played:
    came true, did not, or not yet decided, with the month it was judged in."""
    if model is None:
        from sim import saves

        model = saves.restore(game, record=False)
    return judge(stored(game, model), model)
