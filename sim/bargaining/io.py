"""Reading actor tables for the bargaining engine from CSV or YAML, with validation.

A table has one row per actor and the columns actor, capability, position, salience
(salience as a fraction 0..1). CSV needs a header row; YAML must be a list of mappings with
those keys. Every problem raises BargainInputError naming the file, the line (CSV) or entry
(YAML), the field, and what was expected. YAML is read with yaml.safe_load only.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import yaml

from sim.bargaining.bdm import Actor

COLUMNS = ("actor", "capability", "position", "salience")
MAX_BYTES = 1_000_000  # an actor table is a few lines; refuse anything absurd early


class BargainInputError(ValueError):
    """An actor table that cannot be used; the message names file, row/line, field and
    what was expected. The parts are also kept as attributes."""

    def __init__(self, path: str | Path, where: str | None, field: str | None, message: str):
        self.path = str(path)
        self.where = where  # "line 4" (CSV) or "entry 3" (YAML), or None for the whole file
        self.field = field
        self.detail = message
        parts = [self.path] + [p for p in (where, f"field '{field}'" if field else None) if p]
        super().__init__(f"{': '.join(parts)}: {message}")


def load_actor_table(path: str | Path) -> list[Actor]:
    """Read actors from a .csv, .yaml or .yml file; raise BargainInputError if it is malformed
    (missing column, non-numeric value, negative capability, salience outside 0..1, fewer than
    two actors, duplicate actor names, ...)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".yaml", ".yml"):
        raise BargainInputError(path, None, None,
                                f"unknown file type '{path.suffix}': expected .csv, .yaml or .yml")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BargainInputError(path, None, None, f"cannot read file ({exc.strerror or exc}): expected a readable actor table") from None
    if len(raw) > MAX_BYTES:
        raise BargainInputError(path, None, None, f"file is {len(raw)} bytes: expected at most {MAX_BYTES}")
    try:
        text = raw.decode("utf-8-sig")  # tolerate the BOM spreadsheet programs write
    except UnicodeDecodeError as exc:
        raise BargainInputError(path, None, None,
                                f"not UTF-8 text ({exc.reason} at byte {exc.start}): expected UTF-8") from None
    rows = _csv_rows(path, text) if suffix == ".csv" else _yaml_rows(path, text)
    return _validate(path, rows)


def _csv_rows(path: Path, text: str) -> list[tuple[str, dict]]:
    """(where, {column: raw value}) for each data row; header checked for every column."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)  # skip leading blank lines
        if header is None:
            raise BargainInputError(path, None, None,
                                    f"the file is empty: expected a header row {','.join(COLUMNS)}")
        header_line = reader.line_num
        names = [h.strip().lower() for h in header]
        for col in COLUMNS:
            if col not in names:
                raise BargainInputError(path, f"line {header_line}", col,
                                        f"missing column: expected a header naming {', '.join(COLUMNS)}")
        dup = sorted({h for h in names if h and names.count(h) > 1})
        if dup:
            raise BargainInputError(path, f"line {header_line}", dup[0], "column named twice: expected each column once in the header")
        rows = []
        for cells in reader:
            where = f"line {reader.line_num}"
            if not any(cell.strip() for cell in cells):
                continue  # blank line
            if len(cells) > len(names):
                raise BargainInputError(path, where, None, f"expected at most {len(names)} values (one per header "
                                        f"column), got {len(cells)} (an unquoted comma?)")
            row = {name: cells[i] if i < len(cells) else None for i, name in enumerate(names)}
            rows.append((where, row))
    except csv.Error as exc:
        raise BargainInputError(path, f"line {reader.line_num}", None, f"malformed CSV ({exc}): expected comma-separated values") from None
    return rows


def _yaml_rows(path: Path, text: str) -> list[tuple[str, dict]]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise BargainInputError(path, where, None, f"not valid YAML ({problem}): expected a list of actor mappings") from None
    if data is None:
        raise BargainInputError(path, None, None,
                                f"the file is empty: expected a list of actors with {', '.join(COLUMNS)}")
    if not isinstance(data, list):
        raise BargainInputError(path, None, None, f"expected a list of actors (one mapping per actor "
                                f"with {', '.join(COLUMNS)}), got a {type(data).__name__}")
    rows = []
    for k, item in enumerate(data, 1):
        where = f"entry {k}"
        if not isinstance(item, dict):
            raise BargainInputError(path, where, None, f"expected a mapping with keys "
                                    f"{', '.join(COLUMNS)}, got a {type(item).__name__}")
        row = {str(key).strip().lower(): value for key, value in item.items()}
        for col in COLUMNS:
            if col not in row:
                raise BargainInputError(path, where, col, f"missing field: expected every actor to have "
                                        f"{', '.join(COLUMNS)}")
        rows.append((where, row))
    return rows


def _number(path, where, field, value) -> float:
    """A finite float from a CSV cell or a YAML scalar, or BargainInputError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BargainInputError(path, where, field, "missing value: expected a number")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise BargainInputError(path, where, field, f"expected a number, got {value!r}")
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except ValueError:
        raise BargainInputError(path, where, field, f"expected a number, got {value!r}") from None
    if not math.isfinite(number):
        raise BargainInputError(path, where, field, f"expected a finite number, got {value!r}")
    return number


def _validate(path: Path, rows: list[tuple[str, dict]]) -> list[Actor]:
    actors: list[Actor] = []
    first_seen: dict[str, str] = {}
    for where, row in rows:
        name = row.get("actor")
        if isinstance(name, bool) or not isinstance(name, (str, int, float)) or not str(name).strip():
            raise BargainInputError(path, where, "actor", "missing actor name: expected a non-empty name")
        name = str(name).strip()
        if name in first_seen:
            raise BargainInputError(path, where, "actor", f"duplicate actor name '{name}' "
                                    f"(first given at {first_seen[name]}): expected unique names")
        first_seen[name] = where
        capability = _number(path, where, "capability", row.get("capability"))
        position = _number(path, where, "position", row.get("position"))
        salience = _number(path, where, "salience", row.get("salience"))
        if capability < 0:
            raise BargainInputError(path, where, "capability",
                                    f"expected a capability >= 0, got {capability:g}")
        if not 0.0 <= salience <= 1.0:
            hint = f" (write {salience / 100:g} for {salience:g}%)" if 1 < salience <= 100 else ""
            raise BargainInputError(path, where, "salience",
                                    f"expected a fraction between 0 and 1, got {salience:g}{hint}")
        actors.append(Actor(name=name, capability=capability, position=position, salience=salience))
    if len(actors) < 2:
        raise BargainInputError(path, None, None, f"expected at least two actors, found "
                                f"{len(actors)}: bargaining needs a counterpart")
    if not sum(a.capability * a.salience for a in actors) > 0:
        raise BargainInputError(path, None, "capability",
                                "every actor has zero capability or zero salience: expected at least "
                                "one actor with both positive")
    return actors
