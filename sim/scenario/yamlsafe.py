"""Reading YAML as plain data, with limits, and with the line of every field kept.

Only PyYAML's safe loader is used: no tags, no objects, nothing executed. Size, node and
alias limits are checked on the event stream before anything is built, so an oversized
file or an alias bomb is refused in milliseconds.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from sim.scenario.errors import Issue, ScenarioError

MAX_BYTES = 1_000_000
MAX_EVENTS = 200_000
MAX_ALIASES = 100

_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"  # `<<: *anchor`, which the safe loader supports

Loc = tuple
LineMap = dict[Loc, tuple[str, int | None]]  # loc -> (file, line); ("--set", None) for overrides


def read_yaml(path: Path) -> tuple[object, LineMap]:
    """Return (data, line map) for one YAML file, or raise ScenarioError naming the file."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError([Issue(name, None, "", f"cannot read file: {exc.strerror or exc}")]) from None
    if len(raw) > MAX_BYTES:
        raise ScenarioError([Issue(name, None, "", f"file is {len(raw)} bytes; the limit is {MAX_BYTES}")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError([Issue(name, None, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> tuple[object, LineMap]:
    try:
        events = aliases = 0
        for ev in yaml.parse(text, Loader=yaml.SafeLoader):
            events += 1
            if isinstance(ev, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise ScenarioError([Issue(name, ev.start_mark.line + 1, "",
                                               f"more than {MAX_ALIASES} YAML aliases; refused")])
            if events > MAX_EVENTS:
                raise ScenarioError([Issue(name, ev.start_mark.line + 1, "",
                                           f"document too large (over {MAX_EVENTS} YAML nodes)")])
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise ScenarioError([Issue(name, 1, "", "the file is empty: expected a scenario mapping")])
            # Aliases share nodes, so the expanded size can dwarf the text: count it first.
            if _expanded_size(node, {}) > MAX_EVENTS:
                raise ScenarioError([Issue(name, 1, "", f"document expands to over {MAX_EVENTS} "
                                                        "YAML nodes through its aliases; refused")])
            lines: LineMap = {}
            issues: list[Issue] = []
            _walk(node, (), name, lines, issues)
            if issues:
                raise ScenarioError(issues)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = str(exc.problem or exc.context or "cannot be parsed")
        if exc.problem and exc.context:
            # e.g. "while parsing a flow sequence": say where that construct began
            cm = exc.context_mark
            began = f" that starts on line {cm.line + 1}" if cm and cm.line + 1 != line else ""
            problem += f" ({exc.context}{began})"
        raise ScenarioError([Issue(name, line, "", f"not valid YAML: {problem}")]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Issue(name, None, "", f"not valid YAML: {exc}")]) from None
    return data, lines


def _walk(node: yaml.Node, loc: Loc, name: str, lines: LineMap, issues: list[Issue],
          open_nodes: frozenset = frozenset()) -> None:
    lines.setdefault(loc, (name, node.start_mark.line + 1))
    if id(node) in open_nodes:
        issues.append(Issue(name, node.start_mark.line + 1, ".".join(map(str, loc)),
                            "a YAML alias refers to itself; a scenario must be a tree"))
        return
    open_nodes = open_nodes | {id(node)}
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                issues.append(Issue(name, line, ".".join(map(str, loc)),
                                    "a key must be a plain name, not a list or a mapping"))
                continue
            key = key_node.value
            here = loc + (key,)
            if key_node.tag not in (_STR_TAG, _MERGE_TAG):
                # `on:`, `no:`, `1:` ... would become true, false, 1: the schema expects names
                kind = key_node.tag.rsplit(":", 1)[-1]
                issues.append(Issue(name, line, ".".join(map(str, here)),
                                    f"YAML reads the key '{key}' as a {kind}, not as a name: "
                                    f"expected a name; write it in quotes (\"{key}\") or rename it"))
            if key in seen:
                issues.append(Issue(name, line, ".".join(map(str, here)),
                                    "duplicate key: each key may appear once in a mapping"))
            seen.add(key)
            lines[here] = (name, line)
            _walk(value_node, here, name, lines, issues, open_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, loc + (i,), name, lines, issues, open_nodes)


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # guards against recursive aliases while this node is being counted
    if isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(v, memo) for v in node.value)
    else:
        size = 1
    memo[key] = size
    return size
