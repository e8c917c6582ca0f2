"""Finding, merging (``extends``), overriding (``--set``) and validating scenarios."""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import os
import types
import typing
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from sim.scenario.errors import Issue, ScenarioError, dotted
from sim.scenario.references import check_references
from sim.scenario.schema import Scenario
from sim.scenario.yamlsafe import LineMap, read_yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
MAX_EXTENDS_DEPTH = 8


def scenario_dirs() -> list[Path]:
    """Where scenario ids are looked up: $ARBITER_SCENARIOS (path-separated), then ./scenarios."""
    dirs = [Path(p) for p in os.environ.get("ARBITER_SCENARIOS", "").split(os.pathsep) if p]
    return dirs + [REPO_ROOT / "scenarios"]


def find_scenario(ref: str, near: Path | None = None) -> Path:
    """A scenario id or a path to a YAML file."""
    p = Path(ref)
    if p.suffix in (".yaml", ".yml") or os.sep in ref or "/" in ref:
        if near and not p.is_absolute() and (near / p).is_file():
            return near / p  # `extends: ../base.yaml` is relative to the extending file
        if not p.is_file():
            raise ScenarioError([Issue(ref, None, "", "no such scenario file")])
        return p
    dirs = ([near] if near else []) + scenario_dirs()
    for d in dirs:
        for suffix in (".yaml", ".yml"):
            cand = d / f"{ref}{suffix}"
            if cand.is_file():
                return cand
    known = sorted(list_scenario_ids())
    nearby = sorted(q.stem for q in near.glob("*.y*ml")) if near else []
    more = _did_you_mean(ref, nearby + known)
    raise ScenarioError([Issue(ref, None, "", f"no scenario with this id{more}; known: {', '.join(known)}")])


def list_scenario_ids() -> list[str]:
    ids = set()
    for d in scenario_dirs():
        if d.is_dir():
            ids.update(p.stem for p in d.glob("*.y*ml"))
    return sorted(ids)


@dataclass(frozen=True)
class LoadedScenario:
    scenario: Scenario
    path: Path
    lines: LineMap
    resolved: dict  # the merged, overridden data that was validated

    @property
    def digest(self) -> str:
        """A hash of the resolved scenario: two runs with the same digest and seed agree."""
        text = json.dumps(self.resolved, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_scenario(ref: str | Path, overrides: list[str] | None = None) -> LoadedScenario:
    path = find_scenario(str(ref))
    data, lines = _load_with_extends(path, [])
    if overrides:
        data, lines = copy.deepcopy(data), dict(lines)
        apply_overrides(data, overrides, lines)
    return validate(data, lines, str(path), path)


def validate(data: object, lines: LineMap, name: str, path: Path | None = None) -> LoadedScenario:
    if not isinstance(data, dict):
        raise ScenarioError([Issue(name, 1, "", f"expected a mapping of scenario fields, found {type(data).__name__}")])
    try:
        scn = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError([_issue_from_pydantic(e, lines, name) for e in exc.errors()]) from None
    problems = check_references(scn)
    if problems:
        raise ScenarioError([_issue(loc, msg, lines, name) for loc, msg in problems])
    return LoadedScenario(scn, path or Path(name), lines, data)


def contested_terms(loaded: "LoadedScenario") -> list[tuple[str, str, object]]:
    """(actor, term name, term) of every preference term marked contested."""
    return [(aid, name, t) for aid, a in loaded.scenario.actors.items()
            for name, t in a.preferences.items() if t.contested]


def alternative_overrides(loaded: "LoadedScenario", specs: list[str]) -> list[str]:
    """--set overrides that put contested terms on one of their alternative weights.

    Each spec is ACTOR.TERM (its first alternative) or ACTOR.TERM=N (its N-th, from 1)."""
    out = []
    known = {f"{a}.{n}": t for a, n, t in contested_terms(loaded)}
    for spec in specs:
        key, _, nth = spec.partition("=")
        term = known.get(key)
        if term is None:
            hint = _did_you_mean(key, list(known))
            listing = ", ".join(known) or "none"
            raise ScenarioError([Issue(str(loaded.path), None, "--alternative",
                                       f"'{key}' is not a contested term of {loaded.scenario.id}{hint}; "
                                       f"contested terms: {listing}")])
        try:
            n = int(nth) if nth else 1
        except ValueError:
            n = 0
        if not 1 <= n <= len(term.alternatives):
            raise ScenarioError([Issue(str(loaded.path), None, "--alternative",
                                       f"'{spec}': expected an alternative number from 1 to {len(term.alternatives)}")])
        actor, name = key.split(".", 1)
        out.append(f"actors.{actor}.preferences.{name}.weight={term.alternatives[n - 1].weight}")
    return out


# --- extends ------------------------------------------------------------------------------


def _load_with_extends(path: Path, chain: list[Path]) -> tuple[dict, LineMap]:
    """``chain`` holds the (resolved) files that extend this one, nearest last."""
    data, lines = read_yaml(path)
    if not isinstance(data, dict):
        raise ScenarioError([Issue(str(path), 1, "", "expected a mapping of scenario fields, "
                                                     f"found {_kind(data)}")])
    parent_id = data.get("extends")
    if parent_id is None:
        return data, lines
    if not isinstance(parent_id, str):
        raise ScenarioError([_issue(("extends",), f"expected a scenario id, found {_kind(parent_id)}",
                                    lines, str(path))])
    try:
        parent_path = find_scenario(parent_id, near=path.parent)
    except ScenarioError as exc:
        raise ScenarioError([_issue(("extends",), f"cannot extend '{parent_id}': {exc.issues[0].message}",
                                    lines, str(path))]) from None
    # Refuse a cycle or an over-long chain here, where the offending `extends:` line is known.
    here = chain + [path.resolve()]
    if parent_path.resolve() in here:
        names = " -> ".join(p.name for p in here + [parent_path])
        raise ScenarioError([_issue(("extends",), f"'{parent_id}' leads back to this file in a cycle "
                                    f"({names}); expected a chain that ends in a scenario without "
                                    "extends", lines, str(path))])
    if len(here) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError([_issue(("extends",), f"more than {MAX_EXTENDS_DEPTH} levels of extends",
                                    lines, str(path))])
    base, base_lines = _load_with_extends(parent_path, here)
    merged = merge(base, data)
    merged.pop("extends", None)
    return merged, {**base_lines, **lines}


def merge(base: object, over: object) -> object:
    """Deep-merge: mappings key by key; lists of mappings with ids item by id; else replace."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = merge(base[k], v) if k in base else v
        return out
    if _is_id_list(base) and _is_id_list(over):
        out = list(base)
        index = {item["id"]: i for i, item in enumerate(out)}
        for item in over:
            if item["id"] in index:
                out[index[item["id"]]] = merge(out[index[item["id"]]], item)
            else:
                out.append(item)
        return out
    return over


def _is_id_list(x: object) -> bool:
    return isinstance(x, list) and bool(x) and all(isinstance(i, dict) and "id" in i for i in x)


# --- overrides ----------------------------------------------------------------------------


def apply_overrides(data: dict, overrides: list[str], lines: LineMap) -> None:
    """Apply PATH=VALUE overrides in place; VALUE is read as a YAML scalar (data only)."""
    issues = []
    for item in overrides:
        path, sep, raw = item.partition("=")
        if not sep or not path:
            issues.append(Issue("--set", None, item, "expected PATH=VALUE, e.g. parameters.decisiveness=2"))
            continue
        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError:
            value = raw
        if isinstance(value, (dict, list)):
            issues.append(Issue("--set", None, path, "expected a single value (number, text, true/false)"))
            continue
        err, loc = _set_path(data, path, value)
        if err:
            issues.append(Issue("--set", None, path, err))
        else:
            # a problem with this value is the override's, not the file's line
            lines[loc] = ("--set", None)
    if issues:
        raise ScenarioError(issues)


def set_path(data: dict, path: str, value: object) -> str | None:
    """Set a dotted path in nested data; returns an error message or None."""
    return _set_path(data, path, value)[0]


def _set_path(data: dict, path: str, value: object) -> tuple[str | None, tuple]:
    """Like :func:`set_path`, also returning the location set in the data (list ids as indexes)."""
    parts = path.split(".")
    node: object = data
    loc: tuple = ()
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            index = _find_in_list(node, part)
            if index is None:
                ids = [str(x["id"]) for x in node if isinstance(x, dict) and "id" in x]
                return f"no item '{part}' at {'.'.join(parts[:i]) or 'top level'}{_did_you_mean(part, ids)}", loc
            if last:
                return "cannot replace a whole list item; set one of its fields", loc
            node, loc = node[index], loc + (index,)
            continue
        if not isinstance(node, dict):
            return f"'{'.'.join(parts[:i])}' is a value, not a section", loc
        loc = loc + (part,)
        if part not in node:
            # parameters may be added; anything else must already be in the scenario or schema
            if last and i > 0 and parts[i - 1] == "parameters":
                node[part] = value
                return None, loc
            if last and _schema_allows(parts[: i + 1]):
                node[part] = value
                return None, loc
            known = [str(k) for k in node] + (fields_at(tuple(parts[:i])) or [])
            return f"unknown field '{part}'{_did_you_mean(part, known)}", loc
        if last:
            node[part] = value
            return None, loc
        node = node[part]
    return None, loc


def _find_in_list(items: list, key: str) -> int | None:
    if key.isdigit() and int(key) < len(items):
        return int(key)
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == key:
            return i
    return None


def _did_you_mean(word: str, candidates: list[str]) -> str:
    hint = difflib.get_close_matches(word, list(dict.fromkeys(candidates)), n=1)
    return f" (did you mean '{hint[0]}'?)" if hint else ""


def _schema_allows(parts: list[str]) -> bool:
    fields = fields_at(tuple(parts[:-1]))
    return fields is not None and parts[-1] in fields


# --- turning pydantic's errors into an author's messages ----------------------------------


def _issue(loc: tuple, msg: str, lines: LineMap, name: str) -> Issue:
    file, line = _line_for(loc, lines, name)
    return Issue(file, line, dotted(loc), msg)


def _line_for(loc: tuple, lines: LineMap, name: str) -> tuple[str, int | None]:
    for n in range(len(loc), -1, -1):
        hit = lines.get(tuple(loc[:n]))
        if hit:
            return hit
    return name, None


def _issue_from_pydantic(err: dict, lines: LineMap, name: str) -> Issue:
    loc = tuple(err["loc"])
    data_loc, annotation = _resolve(loc)
    kind = err["type"]
    given = err.get("input")
    if kind == "extra_forbidden":
        key = str(data_loc[-1])
        allowed = fields_at(loc[:-1]) or []
        msg = f"unknown key '{key}'{_did_you_mean(key, allowed)}; expected one of: {', '.join(allowed)}"
    elif kind == "missing":
        msg = "required field is missing"
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        # an effect whose `type` is wrong or absent: name the field and the choices
        field, tags = _tagged_members(annotation)
        field = field or str(err.get("ctx", {}).get("discriminator", "type")).strip("'")
        data_loc = data_loc + (field,)
        if kind == "union_tag_invalid":
            tag = str(err.get("ctx", {}).get("tag", given))
            msg = f"unknown {field} '{tag}'{_did_you_mean(tag, list(tags))}; expected one of: {', '.join(tags)}"
        else:
            msg = f"required field is missing: expected one of: {', '.join(tags)}"
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        msg = f"expected a mapping of fields (name: value), found {_kind(given)}"
    elif kind == "list_type":
        msg = f"expected a list ([a, b] or lines starting with '- '), found {_kind(given)}"
    elif kind.startswith(("date_", "datetime_")):
        msg = f"expected a date written YYYY-MM-DD, found {_kind(given)}"
    else:
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        notes = []
        if not isinstance(given, (dict, list)) and repr(given) not in msg:
            notes.append("found an empty value" if given is None else f"found {given!r}")
        if kind == "literal_error" and isinstance(given, str):
            choices = [str(c) for c in typing.get_args(_unwrap(annotation))]
            hint = difflib.get_close_matches(given, choices, n=1)
            notes += [f"did you mean '{hint[0]}'?"] if hint else []
        if notes:
            msg += f" ({'; '.join(notes)})"
    return _issue(data_loc, msg, lines, name)


def _kind(value: object) -> str:
    """How a YAML value reads back to its author."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _resolve(loc: tuple) -> tuple[tuple, object]:
    """Follow a pydantic location through the schema: (the location in the data, its annotation).

    pydantic puts the tag of a discriminated union (an effect's ``type``) into the location;
    the YAML has no such level, so the tag is dropped and picks the union's member instead.
    The annotation is None once the location leaves the schema.
    """
    tp: object = Scenario
    data_loc: list = []
    for part in loc:
        if tp is not None:
            _, members = _tagged_members(tp)
            if part in members:
                tp = members[part]
                continue
            tp = _child(tp, part)
        data_loc.append(part)
    return tuple(data_loc), tp


def _child(tp: object, part: object) -> object:
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(str(part)) or next(
            (f for f in tp.model_fields.values() if f.alias == part), None)
        return field.annotation if field is not None else None
    if typing.get_origin(tp) is dict:
        return typing.get_args(tp)[1]
    if typing.get_origin(tp) is list:
        return typing.get_args(tp)[0]
    return None


def _tagged_members(tp: object) -> tuple[str | None, dict[str, type[BaseModel]]]:
    """For a union discriminated by a field (effects by ``type``): that field and each tag's model."""
    field = None
    while typing.get_origin(tp) is typing.Annotated:
        tp, *meta = typing.get_args(tp)
        field = next((m.discriminator for m in meta if isinstance(getattr(m, "discriminator", None), str)),
                     field)
    if field is None or typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return None, {}
    members: dict[str, type[BaseModel]] = {}
    for model in typing.get_args(tp):
        if isinstance(model, type) and issubclass(model, BaseModel):
            f = model.model_fields.get(field) or next(
                (f for f in model.model_fields.values() if f.alias == field), None)
            if f is not None and typing.get_origin(f.annotation) is typing.Literal:
                members.update({str(tag): model for tag in typing.get_args(f.annotation)})
    return field, members


def fields_at(loc: tuple) -> list[str] | None:
    """The field names allowed at a location (a data path, or pydantic's with union tags)."""
    tp = _unwrap(_resolve(loc)[1])
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [f.alias or n for n, f in tp.model_fields.items()]
    return None


def _unwrap(tp: object) -> object:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp
