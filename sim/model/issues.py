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

from dataclasses import dataclass, replace

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
    rows: "Rows | None" = None  # the batch layout of the actors taking part (issue_table sets it)

    @property
    def K(self) -> int:
        return len(self.ids)

    def part(self) -> np.ndarray:
        return np.isfinite(self.ideal)

    def rows_for(self, valid: np.ndarray) -> "Rows":
        """The batch layout of the actors marked in valid (A, K): usually those taking part."""
        return self.rows if (valid == self.rows.valid).all() else Rows.of(self, valid)


@dataclass(frozen=True)
class Rows:
    """Issues as the rows of a sim.bargaining batch: row k lists issue k's actors (members,
    in actor order, then padding), their number n and saliences (K, N)."""

    valid: np.ndarray  # (A, K) who is in
    members: np.ndarray  # (K, N) actor indices; padding points at actor 0
    n: np.ndarray  # (K,)
    mask: np.ndarray  # (K, N) False on padding
    salience: np.ndarray  # (K, N), 0 on padding

    @staticmethod
    def of(table: IssueTable, valid: np.ndarray) -> "Rows":
        n = valid.sum(0)
        order = np.argsort(~valid, axis=0, kind="stable")[: max(int(n.max(initial=0)), 1)].T
        mask = np.arange(order.shape[1]) < n[:, None]
        members = np.where(mask, order, 0)
        return Rows(valid, members, n, mask, np.where(mask, table.salience[members, np.arange(len(n))[:, None]], 0.0))

    def gather(self, a: np.ndarray) -> np.ndarray:
        """(K, N) an (A,) or (A, K) array's entries for each row's members, 0 on padding."""
        picked = a[self.members] if a.ndim == 1 else a[self.members, np.arange(len(self.n))[:, None]]
        return np.where(self.mask, picked, 0.0)


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
    table = IssueTable(ids, tuple(sp.name for sp in scn.issues.values()), ideal, sal, sources)
    return replace(table, rows=Rows.of(table, table.part()))


def capability(w: World) -> np.ndarray:
    """(A,) each actor's clout at the bargaining table this month."""
    s = w.s
    p = s.params
    econ = s.caps[:, 2] * (1 - p["sanctions_bite"] * w.sanctions)
    dipl = s.caps[:, 3] * (0.5 + w.standing)
    return w.ground.sum(1) + p["air_weight"] * w.air + 0.5 * econ + 0.5 * dipl


def capabilities(ws: list[World], ground: np.ndarray | None = None, air: np.ndarray | None = None,
                 sanctions: np.ndarray | None = None) -> np.ndarray:
    """(W, A) capability of several worlds of one scenario, each row as capability gives it;
    ground, air and sanctions: the worlds' stacked arrays, if at hand (all three or none)."""
    s = ws[0].s
    p = s.params
    if ground is None:
        ground = np.array([w.ground for w in ws])
        air = np.array([w.air for w in ws])
        sanctions = np.array([w.sanctions for w in ws])
    econ = s.caps[:, 2] * (1 - p["sanctions_bite"] * sanctions)
    dipl = s.caps[:, 3] * (0.5 + np.array([w.standing for w in ws]))
    return ground.sum(2) + p["air_weight"] * air + 0.5 * econ + 0.5 * dipl


def init_positions(w: World, table: IssueTable) -> None:
    w.positions = table.ideal.copy()
    w.committed = np.full_like(table.ideal, np.nan)
    refresh_forecast(w, table)


def refresh_forecast(w: World, table: IssueTable) -> None:
    """Forecast = Condorcet median of the current positions; the weighted mean beside it."""
    refresh_forecasts([w], table)


def refresh_forecasts(ws: list[World], table: IssueTable) -> None:
    """refresh_forecast for several worlds (of one scenario) at once: one batch of medians."""
    if table.K == 0:
        for w in ws:
            w.forecast, w.fc_mean = np.zeros(0), np.zeros(0)
        return
    _forecasts(ws, table, np.array([w.positions for w in ws]), capabilities(ws))


def _forecasts(ws: list[World], table: IssueTable, positions: np.ndarray, cap: np.ndarray) -> None:
    """refresh_forecasts from the worlds' stacked positions (W, A, K) and capabilities (W, A)."""
    K = table.K
    full = table.rows
    if (np.isfinite(positions) == full.valid).all():  # as usual: everybody takes part
        rows = [full] * len(ws)
        x = _gather_many(full, positions).reshape(-1, full.members.shape[1])
        c = _gather_many(full, cap).reshape(x.shape)
        sal = np.broadcast_to(full.salience, (len(ws),) + full.salience.shape).reshape(x.shape)
    else:
        rows = [table.rows_for(np.isfinite(p)) for p in positions]
        xs = [r.gather(p) for r, p in zip(rows, positions)]
        caps = [r.gather(a) for r, a in zip(rows, cap)]
        N = max(a.shape[1] for a in xs)  # the worlds' rows, padded to the widest
        x, c, sal = (np.concatenate([_widen(a, N) for a in b]) for b in (xs, caps, [r.salience for r in rows]))
    n = np.concatenate([r.n for r in rows])
    med, mean = bdm.medians(c, x, sal, OPTIONS, n)
    for j in np.flatnonzero(np.isnan(med)):  # an issue without actors: 0; without weight: the plain mean
        med[j] = mean[j] = float(x[j, :n[j]].mean()) if n[j] else 0.0
    # each world gets its row (a view: rows are not shared)
    for w, f, m in zip(ws, med.reshape(-1, K), mean.reshape(-1, K)):
        w.forecast, w.fc_mean = f, m


def _gather_many(rows: Rows, a: np.ndarray) -> np.ndarray:
    """(W, K, N) Rows.gather of each world's (A,) or (A, K) array, stacked as (W, A[, K])."""
    picked = a[:, rows.members] if a.ndim == 2 else a[:, rows.members, np.arange(len(rows.n))[:, None]]
    return np.where(rows.mask, picked, 0.0)


def _widen(a: np.ndarray, N: int) -> np.ndarray:
    """(K, N): a with zero padding on the right."""
    if a.shape[1] == N:
        return a
    out = np.zeros((a.shape[0], N))
    out[:, :a.shape[1]] = a
    return out


def bargaining_month(w: World, table: IssueTable, record: bool) -> dict | None:
    """Play one round on every issue and update positions and forecasts in place."""
    return bargaining_months([w], table, record)[0]


def bargaining_months(ws: list[World], table: IssueTable, record: bool) -> list[dict | None]:
    """bargaining_month for several worlds of one scenario: the worlds' issues of each size are
    the rows of one sim.bargaining batch (a row plays as it would alone), then one batch of forecasts."""
    if table.K == 0:
        return [None] * len(ws)
    s = ws[0].s
    relax = s.params["position_relax"]
    rows = table.rows
    W, K, N = len(ws), table.K, rows.members.shape[1]
    positions = np.array([w.positions for w in ws])  # (W, A, K)
    committed = np.array([w.committed for w in ws])
    free = rows.valid & ~np.isfinite(committed)
    positions = np.where(free, positions + relax * (table.ideal - positions), positions)
    caps = capabilities(ws)
    cap = _gather_many(rows, caps)  # (W, K, N)
    n = np.broadcast_to(rows.n, (W, K))
    weight = bdm.row_sums((cap * rows.salience).reshape(-1, N), n.ravel()).reshape(W, K)
    play = (n >= 2) & (weight > 0)  # (W, K) the issues each world bargains over
    out: list[dict | None] = [{} if record else None for _ in ws]
    moves = {}  # (world, issue): the offers taken
    # the issues of each size as one batch of full rows: no work on padding (a row plays as alone)
    for m in np.unique(rows.n[play.any(0)]).tolist():
        wi, ki = np.nonzero(play & (rows.n == m))  # the played rows of this size, in batch order
        cell = (wi[:, None], rows.members[ki, :m], ki[:, None])  # (world, actor, issue) of each (row, seat)
        rnd = bdm.play_rounds(caps[cell[:2]], positions[cell], rows.salience[ki, :m], 1.0, OPTIONS)
        held = committed[cell]
        positions[cell] = np.clip(np.where(np.isfinite(held), held, rnd.positions), 0.0, 1.0)
        if record:
            for b, (j, k) in enumerate(zip(wi.tolist(), ki.tolist())):
                names = [s.actor_ids[i] for i in rows.members[k, :m]]
                moves[j, k] = rnd.offers(b, names, accepted_only=True)
    for j, k in sorted(moves):  # each world's issues in order
        out[j][table.ids[k]] = {"moves": moves[j, k]}
    for w, x in zip(ws, positions):  # a view of its row each
        w.positions = x
    _forecasts(ws, table, positions, caps)
    return out


def gradient(w: World, table: IssueTable, c: np.ndarray | None = None) -> np.ndarray:
    """(A, K) how far the forecast on each issue moves per unit of an actor's capability.

    The Condorcet median moves in steps, so its response to a small change of clout is
    estimated from the smooth weighted mean: d mean_k / d c_i = s_ik (x_ik - mean_k) / sum c s."""
    return gradients([w], table, None if c is None else c[None])[0]


def gradients(ws: list[World], table: IssueTable, c: np.ndarray | None = None) -> np.ndarray:
    """(W, A, K) gradient of several worlds of one scenario; c: their (W, A) capabilities."""
    if c is None:
        c = capabilities(ws)
    positions = np.array([w.positions for w in ws])
    x = np.where(np.isnan(positions), 0.0, positions)
    sal = table.salience
    den = (c[:, :, None] * sal).sum(1)
    den = np.where(den > 0, den, np.inf)
    return sal * (x - np.array([w.fc_mean for w in ws])[:, None, :]) / den[:, None, :]


def fit_direction(w: World, table: IssueTable) -> np.ndarray:
    """(A, K) +1 where the forecast moving up brings it toward the actor's ideal, -1 where
    down, 0 where the actor takes no part or the forecast sits on its ideal."""
    return fit_directions([w], table)[0]


def fit_directions(ws: list[World], table: IssueTable) -> np.ndarray:
    """(W, A, K) fit_direction of several worlds of one scenario."""
    forecast = np.array([w.forecast for w in ws])
    return np.where(table.rows.valid, np.sign(table.ideal - forecast[:, None, :]), 0.0)


def status_quo(rows: np.ndarray, M: np.ndarray) -> np.ndarray:
    """Where the world stands on each issue's line (a presence above full strength counts as 1)."""
    return np.clip(rows @ M, 0.0, 1.0) if rows.size else np.zeros(0)


def pivotal(w: World, table: IssueTable) -> np.ndarray:
    """(A, K) how far each issue's forecast would move without each actor: the ones
    everybody must deal with are those whose absence moves it most."""
    c = capability(w)
    out = np.zeros((w.s.A, table.K))
    left, issue, others = [], [], []  # each case: the actor left out, the issue, the others
    for k in range(table.K):
        m = np.flatnonzero(np.isfinite(w.positions[:, k])).tolist()
        if len(m) >= 3:
            for j, i in enumerate(m):
                left.append(i)
                issue.append(k)
                others.append(m[:j] + m[j + 1:])
    if not left:
        return out
    # every case at once, one row each (sim.bargaining batch layout)
    n = np.array([len(o) for o in others])
    rows = np.array([o + [0] * (n.max() - len(o)) for o in others])
    cols = np.array(issue)[:, None]
    mask = np.arange(n.max()) < n[:, None]
    med, _ = bdm.medians(np.where(mask, c[rows], 0.0), np.where(mask, w.positions[rows, cols], 0.0),
                         np.where(mask, table.salience[rows, cols], 0.0), OPTIONS, n)
    for i, k, v in zip(left, issue, med.tolist()):
        if v == v:  # nan: the others carry no weight
            out[i, k] = abs(v - w.forecast[k])
    return out


def issues_record(w: World, table: IssueTable, rows: np.ndarray, M: np.ndarray, moves: dict | None) -> dict:
    s = w.s
    c = capability(w)
    sq = status_quo(rows, M)
    piv = pivotal(w, table)
    ids = s.actor_ids
    # as Python floats, which round as the numpy ones
    sq, forecast, mean, c, piv = (a.tolist() for a in (sq, w.forecast, w.fc_mean, c, piv))
    positions, salience = w.positions.tolist(), table.salience.tolist()
    committed, finite = np.isfinite(w.committed).tolist(), np.isfinite(w.positions).tolist()
    out = {}
    for k, kid in enumerate(table.ids):
        m = [i for i in range(s.A) if finite[i][k]]
        out[kid] = {
            "status_quo": round(sq[k], 4), "forecast": round(forecast[k], 4), "mean": round(mean[k], 4),
            "positions": {ids[i]: round(positions[i][k], 4) for i in m},
            "committed": [ids[i] for i in m if committed[i][k]],
            "salience": {ids[i]: round(salience[i][k], 4) for i in m},
            "capability": {ids[i]: round(c[i], 4) for i in m},
            "pivotal": {ids[i]: round(piv[i][k], 4) for i in m if piv[i][k] > 1e-4},
            "moves": (moves or {}).get(kid, {}).get("moves", []),
        }
    return out
