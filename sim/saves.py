"""Saved games: one versioned JSON file with an integrity check.

A save holds the resolved scenario itself (so it loads even if the scenario file has since
changed or is not on this machine), the seed, and every human input month by month. Loading
replays those inputs: the model is deterministic, so the game comes back exactly, and a
fingerprint of the state at the saved month proves it. A damaged, foreign or newer file is
refused with a message; nothing is half-loaded.

The game window, `run --save` and the classroom commands share this format.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import sim
from sim.files import write_text

FORMAT = "arbiter-save"
VERSION = 1
SUFFIX = ".arbiter"


class SaveError(Exception):
    """A save that cannot be written or read; the message says why, for the player."""


@dataclass
class SavedGame:
    """What a save file holds, checked."""

    scenario: dict  # the resolved scenario data
    scenario_hash: str
    seed: int
    overrides: list[str]
    turns: int
    turn: int
    humans: list[str]
    inputs: list[dict]
    fingerprint: str
    branches: list[dict] = field(default_factory=list)  # {name, from_turn, end_turn, inputs}
    extras: dict = field(default_factory=dict)  # kept as is for later features (predictions...)
    saved_at: str = ""
    app_version: str = ""
    path: Path | None = None


def fingerprint(world) -> str:
    """A short hash of the state that matters: who holds what, forces, influence, money."""
    h = hashlib.sha256()
    h.update(str(world.turn).encode())
    for arr in (world.control, world.ground, world.leverage, world.standing, world.treasury):
        h.update(json.dumps([round(float(x), 9) for x in arr.ravel()]).encode())
    return h.hexdigest()[:16]


def _canonical(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def to_payload(model, *, humans: list[str] | tuple[str, ...] = (), branches: list[dict] | None = None,
               extras: dict | None = None) -> dict:
    if model.seed is None:
        raise SaveError("this game has no seed, so it cannot be replayed from a save")
    return {
        "format": FORMAT,
        "version": VERSION,
        "app_version": sim.__version__,
        "saved_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "scenario_id": model.scenario.id,
        "scenario_hash": model.loaded.digest,
        "scenario": json.loads(json.dumps(model.loaded.resolved, default=str)),
        "seed": int(model.seed),
        "overrides": list(model.overrides),
        "turns": int(model.turns),
        "turn": int(model.world.turn),
        "humans": sorted(humans or getattr(model, "humans", ()) or ()),
        "inputs": model.inputs,
        "fingerprint": fingerprint(model.world),
        "branches": branches or [],
        "extras": extras or {},
    }


def save(path: str | Path, model, **kw) -> Path:
    """Write the game to `path` (atomically: a crash never leaves half a file)."""
    return _write(Path(path), to_payload(model, **kw))


def write_game(path: str | Path, game: "SavedGame") -> Path:
    """Write a game read with `read` back out, e.g. after adding to its extras (predictions):
    the moves are unchanged, so there is nothing to replay."""
    payload = {
        "format": FORMAT, "version": VERSION, "app_version": game.app_version or sim.__version__,
        "saved_at": game.saved_at, "scenario_id": game.scenario.get("id", ""),
        "scenario_hash": game.scenario_hash, "scenario": game.scenario, "seed": game.seed,
        "overrides": game.overrides, "turns": game.turns, "turn": game.turn, "humans": game.humans,
        "inputs": game.inputs, "fingerprint": game.fingerprint, "branches": game.branches,
        "extras": game.extras,
    }
    return _write(Path(path), payload)


def _write(path: Path, payload: dict) -> Path:
    doc = {"checksum": hashlib.sha256(_canonical(payload)).hexdigest(), **payload}
    try:
        write_text(path, json.dumps(doc, indent=1, ensure_ascii=False, default=str) + "\n")
    except OSError as exc:
        raise SaveError(f"{path}: cannot write the save ({exc.strerror or exc})") from None
    return path


_REQUIRED = {"scenario": dict, "scenario_hash": str, "seed": int, "overrides": list, "turns": int,
             "turn": int, "humans": list, "inputs": list, "fingerprint": str}


def read(path: str | Path) -> SavedGame:
    """Read and check a save; raises SaveError naming the file and what is wrong."""
    path = Path(path)
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SaveError(f"{name}: cannot read ({exc.strerror or exc})") from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SaveError(f"{name}: not an Arbiter save (it is not readable JSON; the file may be damaged)") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SaveError(f"{name}: not an Arbiter save (no '{FORMAT}' format mark)")
    version = doc.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise SaveError(f"{name}: save format version {version!r} is newer than this Arbiter reads "
                        f"(version {VERSION}, Arbiter {sim.__version__}); update Arbiter to open it")
    if version < 1:
        raise SaveError(f"{name}: save format version {version!r} is not supported")
    checksum = doc.pop("checksum", None)
    if checksum != hashlib.sha256(_canonical(doc)).hexdigest():
        raise SaveError(f"{name}: the save is damaged or was edited (its integrity check fails); "
                        f"it was not loaded")
    for key, kind in _REQUIRED.items():
        if not isinstance(doc.get(key), kind) or isinstance(doc.get(key), bool) and kind is int:
            raise SaveError(f"{name}: field '{key}' is missing or not a {kind.__name__}")
    return SavedGame(scenario=doc["scenario"], scenario_hash=doc["scenario_hash"], seed=doc["seed"],
                     overrides=doc["overrides"], turns=doc["turns"], turn=doc["turn"], humans=doc["humans"],
                     inputs=doc["inputs"], fingerprint=doc["fingerprint"], branches=doc.get("branches") or [],
                     extras=doc.get("extras") or {}, saved_at=str(doc.get("saved_at", "")),
                     app_version=str(doc.get("app_version", "")), path=path)


def _new_model(game: SavedGame, record: bool = True):
    from sim.model.model import ArbiterModel
    from sim.scenario import ScenarioError
    from sim.scenario.loader import validate

    try:
        loaded = validate(game.scenario, {}, f"{game.path.name if game.path else 'save'} (scenario)")
    except ScenarioError as exc:
        raise SaveError(f"the scenario inside the save is not valid in this version: {exc}") from None
    if loaded.digest != game.scenario_hash:
        raise SaveError("the scenario inside the save does not match its recorded hash; it was not loaded")
    return ArbiterModel(scenario=loaded, seed=game.seed, overrides=game.overrides, turns=game.turns,
                        humans=tuple(game.humans), record=record)


def restore(game: SavedGame, record: bool = True):
    """The saved game as a model at its saved month, replayed and checked."""
    model = _new_model(game, record)
    try:
        model.replay(game.inputs, until=game.turn)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise SaveError(f"the save's moves cannot be replayed in this version ({exc}); it was not loaded") from None
    if fingerprint(model.world) != game.fingerprint:
        raise SaveError(f"the game replays differently in this version of Arbiter ({sim.__version__}) "
                        f"than in the one that saved it ({game.app_version or 'unknown'}); it was not loaded")
    return model


def replay_branch(game: SavedGame, branch: dict, record: bool = True):
    """A saved branch as a model at its last month."""
    model = _new_model(game, record)
    model.replay(branch.get("inputs", []), until=int(branch.get("end_turn", game.turns)))
    return model


def load(path: str | Path, record: bool = True):
    """Read, check and replay a save: (model, SavedGame)."""
    game = read(path)
    return restore(game, record), game


def save_dir() -> Path:
    """Where the game keeps saves and the autosave: $ARBITER_SAVE_DIR, else the user's data folder."""
    env = os.environ.get("ARBITER_SAVE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "arbiter" / "saves"


def list_saves(folder: Path | None = None) -> list[Path]:
    """Saves in `folder`, newest first."""
    folder = folder or save_dir()
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*" + SUFFIX), key=lambda p: p.stat().st_mtime, reverse=True)
