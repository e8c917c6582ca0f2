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
    hint = difflib.get_close_matches(ref, known, n=1)
    more = f" (did you mean '{hint[0]}'?)" if hint else ""
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
        data = copy.deepcopy(data)
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


# --- extends ------------------------------------------------------------------------------


def _load_with_extends(path: Path, chain: list[Path]) -> tuple[dict, LineMap]:
    if path.resolve() in chain:
        names = " -> ".join(p.name for p in chain + [path])
        raise ScenarioError([Issue(str(path), None, "extends", f"extends itself in a cycle: {names}")])
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError([Issue(str(path), None, "extends", f"more than {MAX_EXTENDS_DEPTH} levels of extends")])
    data, lines = read_yaml(path)
    if not isinstance(data, dict):
        raise ScenarioError([Issue(str(path), 1, "", "expected a mapping of scenario fields")])
    parent_id = data.get("extends")
    if parent_id is None:
        return data, lines
    if not isinstance(parent_id, str):
        raise ScenarioError([_issue(("extends",), "expected a scenario id", lines, str(path))])
    try:
        parent_path = find_scenario(parent_id, near=path.parent)
    except ScenarioError as exc:
        raise ScenarioError([_issue(("extends",), exc.issues[0].message, lines, str(path))]) from None
    base, base_lines = _load_with_extends(parent_path, chain + [path.resolve()])
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
        err = set_path(data, path, value)
        if err:
            issues.append(Issue("--set", None, path, err))
    if issues:
        raise ScenarioError(issues)


def set_path(data: dict, path: str, value: object) -> str | None:
    """Set a dotted path in nested data; returns an error message or None."""
    parts = path.split(".")
    node: object = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            found = _find_in_list(node, part)
            if found is None:
                return f"no item '{part}' at {'.'.join(parts[:i]) or 'top level'}"
            if last:
                return "cannot replace a whole list item; set one of its fields"
            node = found
            continue
        if not isinstance(node, dict):
            return f"'{'.'.join(parts[:i])}' is a value, not a section"
        if part not in node:
            # parameters may be added; anything else must already be in the scenario or schema
            if last and i > 0 and parts[i - 1] == "parameters":
                node[part] = value
                return None
            if last and _schema_allows(parts[: i + 1]):
                node[part] = value
                return None
            hint = difflib.get_close_matches(part, [str(k) for k in node], n=1)
            more = f" (did you mean '{hint[0]}'?)" if hint else ""
            return f"unknown field '{part}'{more}"
        if last:
            node[part] = value
            return None
        node = node[part]
    return None


def _find_in_list(items: list, key: str) -> object | None:
    if key.isdigit() and int(key) < len(items):
        return items[int(key)]
    for item in items:
        if isinstance(item, dict) and item.get("id") == key:
            return item
    return None


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
    data_loc = _strip_tags(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(data_loc[-1])
        allowed = fields_at(data_loc[:-1]) or []
        hint = difflib.get_close_matches(key, allowed, n=1)
        more = f" (did you mean '{hint[0]}'?)" if hint else ""
        msg = f"unknown key '{key}'{more}; expected one of: {', '.join(allowed)}"
    elif kind == "missing":
        msg = "required field is missing"
    else:
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        given = err.get("input")
        if kind not in ("model_type", "dict_type", "list_type") and not isinstance(given, (dict, list)):
            msg += f" (found {given!r})"
    return _issue(data_loc, msg, lines, name)


_EFFECT_TAGS = {
    "set_control", "move_forces", "set_air", "withdraw_share", "sanctions", "standing",
    "trust", "income", "agreement", "end_agreement",
}


def _strip_tags(loc: tuple) -> tuple:
    """pydantic puts a discriminated union's tag in the location; the YAML has no such level."""
    out = []
    for i, part in enumerate(loc):
        if part in _EFFECT_TAGS and i > 0 and isinstance(loc[i - 1], int):
            continue
        out.append(part)
    return tuple(out)


def fields_at(loc: tuple) -> list[str] | None:
    """The field names allowed at a data location, by walking the schema's annotations."""
    tp: object = Scenario
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(str(part)) or next(
                (f for f in tp.model_fields.values() if f.alias == part), None)
            if field is None:
                return None
            tp = field.annotation
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]
        elif typing.get_origin(tp) is list:
            tp = typing.get_args(tp)[0]
        else:
            return None
    tp = _unwrap(tp)
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
