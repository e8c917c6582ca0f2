"""Bargaining inside the game: the scenario's issues, each actor's position, salience and
capability on them, and a month's round of Bueno de Mesquita bargaining that forecasts the
settlement (docs/model.md, "Bargaining").

- Position: the actor's ideal point, declared in the scenario with its source, or else the
  end of the line its preference terms on the issue's measure point to (sense max -> 1,
  min -> 0). Its *current* bargaining position starts there and moves by the rounds.
- Salience: twice the share of the actor's preference weight held by terms about the
  issue's measure, capped at 1 (a term is about the measure if it has the same kind and is
  about one of the same actors); a declared salience overrides it.
- Capability: the actor's clout at the table, from the state every month: ground units in
  Syria, air power (times the air weight), economic weight net of sanctions, diplomatic
  weight scaled by standing.

Every month, positions first drift back toward the ideal points (position_relax; commitments
made in a trade stay put), then one round of the engine in sim.bargaining is played on each
issue, and the forecast is the Condorcet median of the positions that result (the
capability-and-salience-weighted mean is kept beside it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.bargaining import bdm
from sim.model.state import Static, World

OPTIONS = bdm.BdmOptions(position_range=1.0, tolerance=1e-6)


@dataclass(frozen=True)
class IssueTable:
    """The static part of the issues: ids, names, ideal points and saliences (A, K)."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    ideal: np.ndarray  # (A, K), nan where the actor takes no part
    salience: np.ndarray  # (A, K), 0 where it takes no part
    sources: dict  # (actor, issue) -> source of the position

    @property
    def K(self) -> int:
        return len(self.ids)

    def part(self) -> np.ndarray:
        return np.isfinite(self.ideal)


def _touches(term, measure, actor_id: str) -> bool:
    if term.kind != measure.kind:
        return False
    of = set(term.of or [actor_id])
    if not of & set(measure.of):
        return False
    if term.zones and measure.zones and not set(term.zones) & set(measure.zones):
        return False
    return True


def issue_table(s: Static) -> IssueTable:
    scn = s.scenario
    ids = tuple(scn.issues)
    A, K = s.A, len(ids)
    ideal = np.full((A, K), np.nan)
    sal = np.zeros((A, K))
    sources = {}
    for k, (kid, spec) in enumerate(scn.issues.items()):
        for i, aid in enumerate(s.actor_ids):
            prefs = scn.actors[aid].preferences.values()
            total = sum(t.weight for t in prefs) or 1.0
            about = [t for t in prefs if _touches(t, spec.measure, aid)]
            share = sum(t.weight for t in about) / total
            declared = spec.positions.get(aid)
            if declared is not None:
                ideal[i, k] = declared.position
                sources[(aid, kid)] = declared.source
                sal[i, k] = declared.salience if declared.salience is not None else max(min(1.0, 2 * share), 0.1)
            elif about:
                # the heavier direction wins (a term with sense min pulls toward 0)
                up = sum(t.weight for t in about if t.sense == "max")
                down = share * total - up
                ideal[i, k] = 1.0 if up >= down else 0.0
                sources[(aid, kid)] = max(about, key=lambda t: t.weight).source
                sal[i, k] = min(1.0, 2 * share)
    return IssueTable(ids, tuple(sp.name for sp in scn.issues.values()), ideal, sal, sources)


def capability(w: World) -> np.ndarray:
    """(A,) each actor's clout at the bargaining table this month."""
    s = w.s
    p = s.params
    econ = s.caps[:, 2] * (1 - p["sanctions_bite"] * w.sanctions)
    dipl = s.caps[:, 3] * (0.5 + w.standing)
    return w.ground.sum(1) + p["air_weight"] * w.air + 0.5 * econ + 0.5 * dipl


def init_positions(w: World, table: IssueTable) -> None:
    w.positions = table.ideal.copy()
    w.committed = np.full_like(table.ideal, np.nan)
    refresh_forecast(w, table)


def refresh_forecast(w: World, table: IssueTable) -> None:
    """Forecast = Condorcet median of the current positions; the weighted mean beside it."""
    K = table.K
    w.forecast = np.zeros(K)
    w.fc_mean = np.zeros(K)
    if K == 0:
        return
    c = capability(w)
    for k in range(K):
        m = np.isfinite(w.positions[:, k])
        if m.sum() == 0:
            continue
        x, sal = w.positions[m, k], table.salience[m, k]
        if (c[m] * sal).sum() <= 0:
            w.forecast[k] = w.fc_mean[k] = float(x.mean())
            continue
        w.forecast[k] = bdm.median_position(c[m], x, sal, OPTIONS)
        w.fc_mean[k] = bdm.weighted_mean(c[m], x, sal)


def bargaining_month(w: World, table: IssueTable, record: bool) -> dict | None:
    """Play one round on every issue and update positions and forecasts in place."""
    if table.K == 0:
        return None
    s = w.s
    relax = s.params["position_relax"]
    c = capability(w)
    part = table.part()
    free = part & ~np.isfinite(w.committed)
    w.positions = np.where(free, w.positions + relax * (table.ideal - w.positions), w.positions)
    out = {} if record else None
    for k in range(table.K):
        m = np.flatnonzero(part[:, k])
        if m.size < 2 or (c[m] * table.salience[m, k]).sum() <= 0:
            continue
        names = [s.actor_ids[i] for i in m]
        x = w.positions[m, k]
        new_x, rr = bdm._play_round(names, c[m], x, table.salience[m, k], 1.0, OPTIONS)
        held = np.isfinite(w.committed[m, k])
        new_x = np.where(held, w.committed[m, k], new_x)
        w.positions[m, k] = np.clip(new_x, 0.0, 1.0)
        if out is not None:
            out[table.ids[k]] = {"moves": [o for o in rr.offers if o["accepted"]]}
    refresh_forecast(w, table)
    return out


def gradient(w: World, table: IssueTable, c: np.ndarray | None = None) -> np.ndarray:
    """(A, K) how far the forecast on each issue moves per unit of an actor's capability.

    The Condorcet median moves in steps, so its response to a small change of clout is
    estimated from the smooth weighted mean: d mean_k / d c_i = s_ik (x_ik - mean_k) / sum c s."""
    if c is None:
        c = capability(w)
    x = np.nan_to_num(w.positions)
    sal = table.salience
    den = (c[:, None] * sal).sum(0)
    den = np.where(den > 0, den, np.inf)
    return sal * (x - w.fc_mean[None, :]) / den[None, :]


def fit_direction(w: World, table: IssueTable) -> np.ndarray:
    """(A, K) +1 where the forecast moving up brings it toward the actor's ideal, -1 where
    down, 0 where the actor takes no part or the forecast sits on its ideal."""
    d = np.sign(np.nan_to_num(table.ideal - w.forecast[None, :]))
    return np.where(table.part(), d, 0.0)


def status_quo(rows: np.ndarray, M: np.ndarray) -> np.ndarray:
    """Where the world stands on each issue's line (a presence above full strength counts as 1)."""
    return np.clip(rows @ M, 0.0, 1.0) if rows.size else np.zeros(0)


def pivotal(w: World, table: IssueTable) -> np.ndarray:
    """(A, K) how far each issue's forecast would move without each actor: the ones
    everybody must deal with are those whose absence moves it most."""
    c = capability(w)
    out = np.zeros((w.s.A, table.K))
    for k in range(table.K):
        m = np.flatnonzero(np.isfinite(w.positions[:, k]))
        if m.size < 3:
            continue
        for j, i in enumerate(m):
            rest = np.delete(m, j)
            if (c[rest] * table.salience[rest, k]).sum() <= 0:
                continue
            med = bdm.median_position(c[rest], w.positions[rest, k], table.salience[rest, k], OPTIONS)
            out[i, k] = abs(med - w.forecast[k])
    return out


def issues_record(w: World, table: IssueTable, rows: np.ndarray, M: np.ndarray, moves: dict | None) -> dict:
    s = w.s
    c = capability(w)
    sq = status_quo(rows, M)
    piv = pivotal(w, table)
    out = {}
    for k, kid in enumerate(table.ids):
        m = np.flatnonzero(np.isfinite(w.positions[:, k]))
        r = lambda v: round(float(v), 4)  # noqa: E731
        out[kid] = {
            "status_quo": r(sq[k]), "forecast": r(w.forecast[k]), "mean": r(w.fc_mean[k]),
            "positions": {s.actor_ids[i]: r(w.positions[i, k]) for i in m},
            "committed": [s.actor_ids[i] for i in m if np.isfinite(w.committed[i, k])],
            "salience": {s.actor_ids[i]: r(table.salience[i, k]) for i in m},
            "capability": {s.actor_ids[i]: r(c[i]) for i in m},
            "pivotal": {s.actor_ids[i]: r(piv[i, k]) for i in m if piv[i, k] > 1e-4},
            "moves": (moves or {}).get(kid, {}).get("moves", []),
        }
    return out
