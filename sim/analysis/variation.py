"""What a what-if changes: fixed ``--set`` overrides and the factors ``--vary`` samples.

A factor is a numeric path into the scenario (the same paths as ``--set``: ``parameters.NAME``,
``actors.ACTOR.preferences.TERM.weight``, ...) with either a range ``LO:HI`` or a list of
values ``A,B,C``. Every factor is checked against the scenario before any run starts: the
path must exist and hold a number, both ends of a range (or every listed value) must pass
the scenario's own validation (the schema's bounds, the parameter ranges of
``sim/model/params.py``), and a range must stay inside the range the scenario declares for
that path under ``variables:``.

In the runs, a scenario with new factor values is made by copying only the objects on the
path (:func:`with_values`), not by loading and validating YAML again: that is exact because
the values were validated at both ends of their interval beforehand, and it costs
microseconds instead of the ~80 ms of a full load.
"""

from __future__ import annotations

import copy
import math
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel

from sim.analysis.errors import AnalysisError
from sim.scenario import LoadedScenario, ScenarioError
from sim.scenario.loader import apply_overrides, contested_terms, validate
from sim.scenario.references import _check_variable_path

DEFAULT_GRID_LEVELS = 5


@dataclass(frozen=True)
class Factor:
    """One varied path. ``levels`` are explicit values (``A,B,C``), or, for a range, the
    points a grid uses (``LO:HI:K`` gives K; else ``DEFAULT_GRID_LEVELS``)."""

    path: str
    lo: float
    hi: float
    kind: str = "range"  # range | levels
    levels: tuple[float, ...] = ()
    integer: bool = False
    origin: str = "vary"  # vary | variable | contested
    note: str = ""

    @property
    def grid(self) -> tuple[float, ...]:
        if self.kind == "levels":
            return self.levels
        k = len(self.levels) or DEFAULT_GRID_LEVELS
        pts = np.linspace(self.lo, self.hi, k)
        return tuple(float(round(x)) if self.integer else float(x) for x in pts)

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map points of [0, 1) to this factor's values (uniform over the range or the list)."""
        u = np.asarray(u, float)
        if self.kind == "levels":
            idx = np.minimum((u * len(self.levels)).astype(int), len(self.levels) - 1)
            return np.asarray(self.levels, float)[idx]
        v = self.lo + u * (self.hi - self.lo)
        return np.round(v) if self.integer else v

    def describe(self) -> str:
        if self.kind == "levels":
            return ",".join(_fmt(x) for x in self.levels)
        return f"{_fmt(self.lo)}:{_fmt(self.hi)}"

    def to_json(self) -> dict:
        return {"path": self.path, "kind": self.kind, "lo": self.lo, "hi": self.hi,
                "levels": list(self.levels), "integer": self.integer, "origin": self.origin}


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


# --- parsing ------------------------------------------------------------------------------


def parse_vary(spec: str) -> Factor:
    """``PATH=LO:HI``, ``PATH=LO:HI:K`` (K grid levels) or ``PATH=A,B,C``."""
    path, sep, rhs = spec.partition("=")
    path = path.strip()
    if not sep or not path or not rhs.strip():
        raise AnalysisError(f"--vary {spec!r}: expected PATH=LO:HI or PATH=A,B,C, "
                            "e.g. parameters.decisiveness=1:3 or parameters.decisiveness=1,2,3")
    rhs = rhs.strip()
    if ":" in rhs:
        parts = rhs.split(":")
        if len(parts) not in (2, 3):
            raise AnalysisError(f"--vary {spec!r}: expected LO:HI or LO:HI:K (K grid levels)")
        lo, hi = (_number(spec, p) for p in parts[:2])
        if not lo < hi:
            raise AnalysisError(f"--vary {spec!r}: expected LO < HI, got {_fmt(lo)}:{_fmt(hi)} "
                                "(for a single value use --set PATH=VALUE)")
        levels: tuple[float, ...] = ()
        if len(parts) == 3:
            try:
                k = int(parts[2])
            except ValueError:
                k = 0
            if k < 2:
                raise AnalysisError(f"--vary {spec!r}: K (grid levels) must be a whole number of at least 2")
            levels = tuple(np.linspace(lo, hi, k))
        return Factor(path, lo, hi, "range", levels)
    values = tuple(_number(spec, p) for p in rhs.split(","))
    if len(values) < 2:
        raise AnalysisError(f"--vary {spec!r}: expected at least two values A,B or a range LO:HI "
                            "(for a single value use --set PATH=VALUE)")
    return Factor(path, min(values), max(values), "levels", values)


def _number(spec: str, text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise AnalysisError(f"--vary {spec!r}: {text.strip()!r} is not a number") from None
    if not math.isfinite(x):
        raise AnalysisError(f"--vary {spec!r}: expected a finite number, got {text.strip()!r}")
    return x


def as_factors(vary) -> list[Factor]:
    """Accept ``--vary`` strings, Factors, or a mapping path -> (lo, hi) | [a, b, c]."""
    if vary is None:
        return []
    if isinstance(vary, dict):
        out = []
        for path, v in vary.items():
            if isinstance(v, tuple) and len(v) == 2:
                out.append(parse_vary(f"{path}={v[0]}:{v[1]}"))
            else:
                out.append(parse_vary(f"{path}=" + ",".join(str(x) for x in v)))
        return out
    return [v if isinstance(v, Factor) else parse_vary(str(v)) for v in vary]


# --- checking against the scenario --------------------------------------------------------


def check_factors(base: LoadedScenario, factors: list[Factor], fixed: list[str] = ()) -> list[Factor]:
    """Validate every factor against ``base`` (already loaded with the ``--set`` overrides);
    return them with ``integer`` filled in. Raises AnalysisError naming what was expected."""
    seen = {o.partition("=")[0].strip() for o in fixed}
    declared = {v.path: v for v in base.scenario.variables}
    dumped = base.scenario.model_dump(by_alias=True)
    out = []
    for f in factors:
        flag = "--vary" if f.origin == "vary" else f"{f.origin} factor"
        msg = _check_variable_path(base.scenario, f.path)
        if msg:
            raise AnalysisError(f"{flag} {f.path}: {msg}; expected a path to a number in "
                                f"{base.scenario.id}, as for --set (e.g. parameters.decisiveness "
                                "or actors.russia.preferences.arbiter.weight)")
        if f.path in seen:
            raise AnalysisError(f"{flag} {f.path}: this path is given twice (in --set or --vary); "
                                "expected each path once")
        seen.add(f.path)
        integer = isinstance(_lookup(dumped, f.path.split(".")), int) and not isinstance(
            _lookup(dumped, f.path.split(".")), bool)
        values = f.levels if f.kind == "levels" else (f.lo, f.hi)
        if integer and any(not float(v).is_integer() for v in values if f.kind == "levels"):
            raise AnalysisError(f"{flag} {f.path}={f.describe()}: this field takes whole numbers")
        for v in values:
            try:
                scenario_with(base, [f.path], [round(v) if integer else v])
            except ScenarioError as exc:
                why = "; ".join(i.message for i in exc.issues)
                raise AnalysisError(f"{flag} {f.path}={f.describe()}: the value {_fmt(v)} is refused "
                                    f"by the scenario's rules: {why}") from None
        var = declared.get(f.path)
        if var is not None and (f.lo < var.min or f.hi > var.max):
            raise AnalysisError(
                f"{flag} {f.path}={f.describe()}: outside the range {base.scenario.id} declares for "
                f"this variable ({_fmt(var.min)}..{_fmt(var.max)}); expected values inside it "
                "(to explore further, widen the variable's min/max in a scenario that extends it)")
        out.append(Factor(f.path, f.lo, f.hi, f.kind, f.levels, integer, f.origin, f.note))
    return out


def scenario_factors(base: LoadedScenario) -> list[Factor]:
    """The factors a sensitivity analysis ranks by default: the scenario's declared
    ``variables`` (their min..max) and its contested preference weights (the span of the main
    weight and its alternatives). A path that is both is taken once, with the declared range."""
    out: dict[str, Factor] = {}
    for v in base.scenario.variables:
        out[v.path] = Factor(v.path, v.min, v.max, origin="variable", note=v.description)
    for actor, name, term in contested_terms(base):
        path = f"actors.{actor}.preferences.{name}.weight"
        if path in out:
            out[path] = Factor(path, out[path].lo, out[path].hi, origin="variable+contested",
                               note=out[path].note or term.note)
            continue
        ws = [term.weight] + [a.weight for a in term.alternatives]
        if min(ws) < max(ws):
            out[path] = Factor(path, min(ws), max(ws), origin="contested", note=term.note)
    return list(out.values())


def _lookup(data: object, parts: list[str]) -> object:
    node = data
    for p in parts:
        if isinstance(node, dict):
            node = node.get(p)
        elif isinstance(node, list):
            node = next((x for x in node if isinstance(x, dict) and x.get("id") == p),
                        node[int(p)] if p.isdigit() and int(p) < len(node) else None)
        else:
            return None
    return node


# --- making the scenario of a run ---------------------------------------------------------


def scenario_with(base: LoadedScenario, paths: list[str], values) -> LoadedScenario:
    """The full (slow, validating) way: apply PATH=VALUE to the base data and validate."""
    data = copy.deepcopy(base.resolved)
    lines = dict(base.lines)
    apply_overrides(data, [f"{p}={_fmt(v)}" for p, v in zip(paths, values)], lines)
    return validate(data, lines, str(base.path), base.path)


def with_values(base: LoadedScenario, paths: list[str], values) -> LoadedScenario:
    """The fast way: copy only the objects on each path and set the new numbers. Equal to
    :func:`scenario_with` for values that passed :func:`check_factors` (tested)."""
    scn = base.scenario
    data = base.resolved
    for path, v in zip(paths, values):
        parts = path.split(".")
        scn = _replace(scn, parts, v)
        data = _replace_data(data, parts, v)
    return LoadedScenario(scn, base.path, base.lines, data)


def _leaf(old: object, v: float) -> object:
    if isinstance(old, bool):
        raise TypeError("not a number")
    if isinstance(old, int):
        return int(round(v))
    return float(v)


def _replace(node: object, parts: list[str], v: float) -> object:
    if not parts:
        return _leaf(node, v)
    head, rest = parts[0], parts[1:]
    if isinstance(node, BaseModel):
        name = _field_name(type(node), head)
        return node.model_copy(update={name: _replace(getattr(node, name), rest, v)})
    if isinstance(node, dict):
        new = dict(node)
        if head not in node and rest:
            raise KeyError(head)
        new[head] = _replace(node[head], rest, v) if head in node else float(v)
        return new
    if isinstance(node, (list, tuple)):
        i = _index(node, head)
        new = list(node)
        new[i] = _replace(node[i], rest, v)
        return type(node)(new)
    raise TypeError(f"cannot follow {head!r}")


def _replace_data(node: object, parts: list[str], v: float) -> object:
    head, rest = parts[0], parts[1:]
    if isinstance(node, dict):
        new = dict(node)
        new[head] = _replace_data(node.get(head, {}), rest, v) if rest else (
            _leaf(node[head], v) if head in node else float(v))
        return new
    if isinstance(node, list):
        i = _index(node, head)
        new = list(node)
        new[i] = _replace_data(node[i], rest, v) if rest else _leaf(node[i], v)
        return new
    raise TypeError(f"cannot follow {head!r}")


def _index(items, key: str) -> int:
    for i, item in enumerate(items):
        ident = item.get("id") if isinstance(item, dict) else getattr(item, "id", None)
        if ident == key:
            return i
    if key.isdigit() and int(key) < len(items):
        return int(key)
    raise KeyError(key)


_ALIASES: dict[type, dict[str, str]] = {}


def _field_name(cls: type, key: str) -> str:
    names = _ALIASES.get(cls)
    if names is None:
        names = {(f.alias or n): n for n, f in cls.model_fields.items()}
        _ALIASES[cls] = names
    return names.get(key, key)


@dataclass
class Variants:
    """Per worker: the scenario for each combination of factor values, the last few cached
    (grids and lists repeat their values; continuous samples rarely do)."""

    base: LoadedScenario
    paths: list[str]
    size: int = 64
    _cache: OrderedDict = field(default_factory=OrderedDict)

    def get(self, values) -> LoadedScenario:
        if not self.paths:
            return self.base
        key = tuple(float(v) for v in values)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        try:
            loaded = with_values(self.base, self.paths, key)
        except (KeyError, TypeError, IndexError, ValueError):
            loaded = scenario_with(self.base, self.paths, key)  # an unusual path: the slow way
        self._cache[key] = loaded
        if len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return loaded
