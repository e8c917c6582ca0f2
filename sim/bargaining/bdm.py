"""Bueno de Mesquita's expected-utility model of group decisions, as reconstructed by
Scholz, Calbert and Smith (2011, "Unravelling Bueno de Mesquita's group decision model",
Journal of Theoretical Politics 23(4)).

Pure computation: no screen, no files, no randomness. Every pairwise quantity is an
(n, n) numpy array (the individual votes behind the success probabilities are (n, n, n)),
so a 10-actor, 10-round run takes a few milliseconds; play_rounds and medians take a batch
of problems at once (see "Batches"), as the game does with its issues every month. The
method, every formula and the source of each option are in docs/bargaining.md.

Index conventions:
    x[i]          position of actor i;  w[i] = capability[i] * salience[i]
    P[a, b]       probability that a challenge by a against b succeeds
    own[a, b]     E^a(U_ab): a's expected utility of challenging b, as a estimates it
    seen[a, b]    E^b(U_ab): the same quantity as the target b estimates it
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

SUCCESS_NORMALISATIONS = ("global", "pairwise", "net")
OFFER_SELECTIONS = ("smallest_move", "largest_eu", "scholz_code")
RISK_REFERENCES = ("actors", "positions")
OFFER_KINDS = ("conflict", "compromise", "capitulation")
STATUSES = ("converged", "oscillating", "max_rounds")


@dataclass(frozen=True)
class Actor:
    """One participant: capability (clout, >= 0), position on the issue line, salience (0..1)."""

    name: str
    capability: float
    position: float
    salience: float


@dataclass(frozen=True)
class BdmOptions:
    """The choices on which published replications disagree, each with a documented default
    (sources in docs/bargaining.md).

    success_normalisation:
        How the probability P_ab that a's challenge of b succeeds is normalised; the vote
        of voter k for a over b is v_k(a, b).
        "global" (default): sum_k max(0, v_k(a,b)) / sum_k sum_c sum_d |v_k(c,d)|, the
        denominator running over every voter and every ordered pair of positions. What
        McKibben-Sanders' port calls faithful to Scholz's code; it reproduces the
        published EU-emissions run.
        "pairwise": sum_k max(0, v_k(a,b)) / sum_k |v_k(a,b)|; then P_ab + P_ba = 1.
        "net": max(0, sum_k v_k(a,b)) / sum_k |v_k(a,b)| (Masad's replication).
    q:
        Q, the probability that the status quo persists if i does not challenge j. Scholz et
        al. use 1.0 (the status-quo term is then just U_sq); 0.5 is the usual alternative.
    t:
        T, the probability that, if the status quo does not persist, things get better for
        the challenger (weights U_b against U_w). No effect when q == 1.
    offer_selection:
        How a receiver picks one offer when several would move it.
        "smallest_move" (default; BDM and Scholz et al.'s stated rule): the least change of
        position. "largest_eu": the offer whose proposer expects most from it, ties to the
        smaller move (Masad's replication). "scholz_code": compromises ranked by their
        EU-weighted meeting point (|a| x_i + b x_j) / (|a| + b), lowest first, the other kinds
        by smallest move, as in McKibben-Sanders' port of Scholz's code; direction-dependent,
        kept to reproduce that published run.
    kind_priority:
        True (default, McKibben-Sanders' port): conflicts are considered before compromises,
        compromises before capitulations, and the selection rule applies within the first
        kind present. False: all offers compete under the selection rule alone.
    risk_reference:
        What an actor's security level is scaled against to get its risk exponent.
        "actors" (default, Scholz et al.): the max and min security over all actors.
        "positions" (BDM's intent as McKibben-Sanders reads it): the max and min of the
        actor's own security over every position currently held by some actor.
    tolerance:
        Positions closer than tolerance * position range count as equal (convergence,
        oscillation, "same position" in offers).
    position_range:
        Width of the issue line that scales distances; None (default) takes max - min of the
        initial positions and keeps it for the whole run, as the replications do.
    """

    success_normalisation: str = "global"
    q: float = 1.0
    t: float = 1.0
    offer_selection: str = "smallest_move"
    kind_priority: bool = True
    risk_reference: str = "actors"
    tolerance: float = 1e-9
    position_range: float | None = None

    def __post_init__(self) -> None:
        _one_of("success_normalisation", self.success_normalisation, SUCCESS_NORMALISATIONS)
        _one_of("offer_selection", self.offer_selection, OFFER_SELECTIONS)
        _one_of("risk_reference", self.risk_reference, RISK_REFERENCES)
        for name in ("q", "t"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise ValueError(f"BdmOptions.{name} must be a probability in [0, 1], got {value!r}")
        if not isinstance(self.kind_priority, bool):
            raise ValueError(f"BdmOptions.kind_priority must be True or False, got {self.kind_priority!r}")
        if isinstance(self.tolerance, bool) or not isinstance(self.tolerance, (int, float)) \
                or not 0.0 <= self.tolerance < 1.0:
            raise ValueError(f"BdmOptions.tolerance must be in [0, 1), got {self.tolerance!r}")
        pr = self.position_range
        if pr is not None and (isinstance(pr, bool) or not isinstance(pr, (int, float))
                               or not (pr > 0 and math.isfinite(pr))):
            raise ValueError(f"BdmOptions.position_range must be a positive number or None, got {pr!r}")


def _one_of(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"BdmOptions.{name} must be one of {', '.join(allowed)}; got {value!r}")


@dataclass(frozen=True)
class RoundRecord:
    """State after one round: positions, median, weighted mean and every offer made.

    Each offer is {"from": proposer, "to": receiver, "kind": conflict|compromise|capitulation,
    "position": where the receiver would move, "eu_from": the proposer's expected utility of
    challenging as the receiver estimates it, "eu_to": the receiver's own expected utility of
    challenging the proposer, "accepted": whether the receiver took it}.
    risk_exponents and security (the values used during the round) are not in to_json.
    """

    positions: dict[str, float]
    median: float
    mean: float
    offers: list[dict]
    risk_exponents: dict[str, float] = field(default_factory=dict)
    security: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"positions": dict(self.positions), "median": self.median, "mean": self.mean,
                "offers": [dict(o) for o in self.offers]}


@dataclass(frozen=True)
class BargainResult:
    """Outcome of run(): the starting forecast, one record per round played, and why it stopped
    (status: "converged", "oscillating" or "max_rounds")."""

    initial: dict
    rounds: list[RoundRecord]
    status: str

    def to_dict(self) -> dict:
        """Plain JSON-ready data: {"initial": {"median", "mean", "positions"}, "rounds": [...],
        "status": ...}."""
        return {"initial": {"median": self.initial["median"], "mean": self.initial["mean"],
                            "positions": dict(self.initial["positions"])},
                "rounds": [r.to_dict() for r in self.rounds],
                "status": self.status}

    def to_json(self, indent: int | None = None) -> str:
        """JSON text of to_dict()."""
        return json.dumps(self.to_dict(), indent=indent)

    @property
    def final_positions(self) -> dict[str, float]:
        return dict(self.rounds[-1].positions if self.rounds else self.initial["positions"])


# ---------------------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------------------
# The game plays the rounds of all its issues at once: problems of different sizes are the
# rows of (B, N) arrays, row b's n[b] actors first and padding after them (no capability,
# no salience, position 0). Each row's results are those it gives alone, to the last bit:
# padded voters only add exact zeros to sums over voters (numpy adds along an outer axis one
# term at a time), padded candidates are masked out, and sums along a row, whose rounding
# depends on its length, are taken over the row's own entries.


def _valid(shape: tuple[int, ...], n) -> np.ndarray | None:
    return None if n is None else np.arange(shape[-1]) < np.asarray(n)[:, None]


def row_sums(a: np.ndarray, n=None) -> np.ndarray:
    """Sum over the last axis of each row's first n[b] entries (zero padding after them),
    rounded as numpy rounds the sum of that row alone; n None: whole rows."""
    if n is None or a.shape[-1] < 8:
        return a.sum(-1)  # numpy adds fewer than eight terms one by one: trailing zeros are exact
    n = np.asarray(n)
    out = np.zeros(a.shape[:-1])
    for k in np.unique(n):  # the rows of each length at once: each row is still summed alone
        rows = np.flatnonzero(n == k)
        out[rows] = a[rows, ..., :k].sum(-1)
    return out


def _to_front(a: np.ndarray, k: int) -> np.ndarray:
    """a with its last k axes moved to the front, in order (np.moveaxis, without its overhead)."""
    n = a.ndim
    return a.transpose(tuple(range(n - k, n)) + tuple(range(n - k)))


def _to_back(a: np.ndarray, k: int) -> np.ndarray:
    """a with its first k axes moved to the back, in order."""
    return a.transpose(tuple(range(k, a.ndim)) + tuple(range(k)))


def _votes(w, d) -> np.ndarray:
    """v[k, a, b, ...] = w[..., k] (d[..., k, b] - d[..., k, a]): voter k's weighted vote for
    a over b, with the batch axes last, so that numpy runs its loops along the batch rather
    than along the few actors. A sum over the voters (axis 0, the outermost) adds one voter
    after another: the same numbers in the same order as over axis -3 of the batch-first layout."""
    w = np.asarray(w, dtype=float)
    dk = np.ascontiguousarray(_to_front(d, 2))  # (k, a, ...)
    v = dk[:, None] - dk[:, :, None]
    # (k, ...): its batch axes aligned with the last of v's; contiguous, for numpy's fast loops
    wk = np.ascontiguousarray(_to_front(w, 1))
    v *= wk.reshape((len(wk), 1, 1) + (1,) * (v.ndim - 2 - wk.ndim) + wk.shape[1:])
    return v


def _batch_first(a: np.ndarray) -> np.ndarray:
    """An (A, A, ...) array as a C-ordered (..., A, A) one."""
    return np.ascontiguousarray(_to_back(a, 2))


@functools.lru_cache(maxsize=256)
def _block_groups(N: int, n: tuple[int, ...]) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The rows of each size k, and the flat indices into an (N, N, N, B) array (a batch of
    B = len(n) rows, laid out as _votes lays it) of their k^3 blocks, each in the order
    (k, a, b), as a (rows, k^3) table: one gather and one sum per size, whatever the batch."""
    out = []
    sizes = np.array(n)
    for k in sorted(set(n)):
        rows = np.flatnonzero(sizes == k)
        i = np.arange(k)
        block = ((i[:, None, None] * N + i[None, :, None]) * N + i[None, None, :]).ravel()
        out.append((rows, block[None, :] * len(n) + rows[:, None]))
    return tuple(out)


def _block_sums(a: np.ndarray, n) -> np.ndarray:
    """Sum of each row's n[b]^3 block of a (N, N, N, ...) array laid out as _votes lays it, in
    the order numpy sums the row's (..., N, N, N) block alone (a contiguous row of a table
    is summed as the same numbers alone would be)."""
    if n is None:
        return np.ascontiguousarray(_to_back(a, 3)).sum(axis=(-3, -2, -1))
    n = tuple(np.asarray(n).tolist())
    flat = a.reshape(-1)
    out = np.empty(len(n))
    for rows, index in _block_groups(a.shape[0], n):
        out[rows] = flat[index].sum(-1)
    return out


# ---------------------------------------------------------------------------------------
# Forecasts at fixed positions
# ---------------------------------------------------------------------------------------

def weighted_mean(capability, position, salience) -> float:
    """Capability-and-salience-weighted mean position, sum(c s x) / sum(c s): the baseline
    forecast reported next to the median (BDM 1994; Scholz et al. 2011)."""
    c, x, s = (np.asarray(a, dtype=float) for a in (capability, position, salience))
    w = c * s
    total = w.sum()
    if not total > 0:
        raise ValueError("weighted mean undefined: capability x salience sums to zero")
    return float((w * x).sum() / total)


def vote_matrix(capability, position, salience, scale=1.0) -> np.ndarray:
    """V[..., a, b] = sum_k c_k s_k (|x_k - x_b| - |x_k - x_a|) / scale: the weighted
    risk-neutral vote for position a over position b (positive: a beats b). Leading batch
    axes are allowed; scale is a number or one per problem, shaped (..., 1, 1)."""
    c, x, s = (np.asarray(a, dtype=float) for a in (capability, position, salience))
    return _batch_first(_vote_totals(c * s, x, scale))


def _vote_totals(w, x, scale) -> np.ndarray:
    """vote_matrix laid out [a, b, ...] (batch axes last), from the weights w = c s."""
    # d[k, a, ...] = |x_k - x_a| / scale, laid out batch-last from the start
    xk = _to_front(x, 1)
    scale = np.asarray(scale)
    dk = np.abs(xk[:, None] - xk[None]) / (scale[..., 0, 0] if scale.ndim else scale)
    wk = np.ascontiguousarray(_to_front(np.asarray(w, dtype=float), 1))  # (k, ...)
    # the sum of _votes over the voters, one voter's (a, b, ...) votes after another from 0
    # as numpy sums them, without the (k, a, b, ...) array
    total = np.zeros(dk.shape[1:2] + dk.shape[1:])
    vote = np.empty_like(total)
    for dj, wj in zip(dk, wk):
        np.subtract(dj[None], dj[:, None], out=vote)
        vote *= wj
        total += vote
    return total


def median_position(capability, position, salience, options: BdmOptions = BdmOptions()) -> float:
    """Condorcet winner among the actors' positions under capability-and-salience-weighted
    pairwise votes (BDM 1994; Scholz et al. 2011): the position that no other position beats.

    Several weak winners (exact ties) go to the larger total margin, then to the position
    nearest the weighted mean, then to the lower position, so the answer never depends on
    actor order. Should no position beat-or-tie all others (not possible with these linear
    one-dimensional votes; kept for safety) the largest total margin wins.
    """
    c, x, s = (np.asarray(a, dtype=float) for a in (capability, position, salience))
    if x.size == 0:
        raise ValueError("median of no actors")
    if not (c * s).sum() > 0:
        raise ValueError("weighted mean undefined: capability x salience sums to zero")
    return float(medians(c[None], x[None], s[None], options)[0][0])


def medians(capability, position, salience, options: BdmOptions = BdmOptions(),
            n=None) -> tuple[np.ndarray, np.ndarray]:
    """(B,) Condorcet medians and (B,) weighted means of a batch of problems, the rows of
    (B, N) arrays, each as median_position and weighted_mean give it alone; row b's actors
    are its first n[b] (default: all). Rows whose capability x salience sums to zero get nan."""
    c, x, s = (np.asarray(a, dtype=float) for a in (capability, position, salience))
    valid = _valid(x.shape, n)
    count = x.shape[-1] if n is None else np.asarray(n)
    w = c * s
    if options.position_range:
        scale = options.position_range
    else:
        hi = x.max(-1) if valid is None else np.where(valid, x, -np.inf).max(-1)
        lo = x.min(-1) if valid is None else np.where(valid, x, np.inf).min(-1)
        scale = np.where(hi - lo != 0, hi - lo, 1.0)[:, None, None]
    # vote_matrix laid out batch-last: each position's votes are summed and minimised along the batch
    tally = _vote_totals(w, x, scale)  # tally[a, b, ...]
    # Float noise in a sum of n terms of size <= w.sum(): anything below this is a tie.
    eps = 1e-12 * count * np.maximum(row_sums(np.abs(w), n), 1e-300)
    if x.shape[-1] < 8:  # numpy adds fewer than eight terms one by one: over b here as along a row
        margin = (tally if valid is None else np.where(valid.T[None], tally, 0.0)).sum(1).T
    else:
        votes = _batch_first(tally)
        margin = row_sums(votes if valid is None else np.where(valid[:, None, :], votes, 0.0), n)
    if valid is None:
        valid = np.ones(x.shape, bool)
        worst = tally.min(1).T
    else:
        worst = np.where(valid.T[None], tally, np.inf).min(1).T
    winners = valid & (worst >= -eps[:, None])
    cands = np.where(winners.any(-1, keepdims=True), winners, valid)
    top = np.where(cands, margin, -np.inf).max(-1)
    cands &= margin >= (top - eps * count)[:, None]
    total = row_sums(w, n)
    weighted = total > 0
    mean = np.divide(row_sums(w * x, n), total, out=np.full(total.shape, np.nan), where=weighted)
    gap = np.abs(x - mean[:, None])
    near = cands & (gap == np.where(cands, gap, np.inf).min(-1, keepdims=True))
    lowest = near & (x == np.where(near, x, np.inf).min(-1, keepdims=True))
    med = x[np.arange(len(x)), lowest.argmax(-1)]  # the first such actor's
    return np.where(weighted, med, np.nan), mean


# ---------------------------------------------------------------------------------------
# The model's pairwise quantities (vectorised; leading batch axes are allowed on x; with n,
# a batch of padded rows as described under "Batches")
# ---------------------------------------------------------------------------------------

def success_probability(x, w, r, scale: float, normalisation: str = "global", n=None) -> np.ndarray:
    """P[..., a, b]: probability that a challenge by the holder of x[a] against x[b] succeeds.

    Voter k's vote for a over b is v_k(a, b) = w_k ((|x_k - x_b|/scale)^r_k - (|x_k - x_a|/
    scale)^r_k), each voter with its own risk exponent r_k (r None: all 1). The numerator is
    the sum of the positive votes ("net": the positive part of the summed vote); the
    denominator is the sum of all absolute votes on every ordered pair ("global") or on this
    pair ("pairwise", "net"). P = 0 where the two positions coincide: there is nothing to
    contest.
    """
    x = np.asarray(x, dtype=float)
    gap = np.abs(x[..., :, None] - x[..., None, :])
    return _success_probability(gap, gap / scale, w, r, normalisation, n)


def _success_probability(gap, dist, w, r, normalisation: str, n) -> np.ndarray:
    """success_probability, given gap = |x_a - x_b| and dist = gap / scale."""
    d = dist if r is None else dist ** np.asarray(r)[..., :, None]
    v = _votes(w, d)  # v[k, a, b, ...]
    if normalisation == "net":
        support = _batch_first(np.maximum(v.sum(0), 0.0))  # np.clip(., 0, None), without its wrappers
    else:
        support = _batch_first(np.maximum(v, 0.0).sum(0))
    v = np.abs(v, out=v)
    if normalisation == "global":
        denom = _block_sums(v, n)[..., None, None]
    else:
        denom = _batch_first(v.sum(0))
    # 0 also where the positions coincide (gap 0: the positions are finite)
    return np.divide(support, denom, out=np.zeros(support.shape), where=(denom > 0) & (gap != 0.0))


def expected_utility(x, s, p, rr, mu, scale: float, q: float, t: float) -> np.ndarray:
    """EU[..., a, b]: expected utility to a of challenging b, each cell evaluated with the risk
    exponent rr[..., a, b] of whoever makes the estimate (rr None: all 1; it may be any shape
    that broadcasts to (..., a, b), as one exponent per row or column; Scholz et al. 2011,
    after BDM 1994):

        EU = s_b (P U_s + (1 - P) U_f) + (1 - s_b) U_s - Q U_sq - (1 - Q)(T U_b + (1 - T) U_w)

        U_s  = 2 - 4 (0.5 - 0.5 d)^r        d = |x_a - x_b| / range       a prevails
        U_f  = 2 - 4 (0.5 + 0.5 d)^r                                      a fails
        U_b  = 2 - 4 (0.5 - 0.25 m)^r       m = (|x_a - mu| + |x_a - x_b|) / range
        U_w  = 2 - 4 (0.5 + 0.25 m)^r       (status quo changes for the better / worse)
        U_sq = 2 - 4 (0.5)^r
    """
    x = np.asarray(x, dtype=float)
    gap = np.abs(x[..., :, None] - x[..., None, :])
    return _expected_utility(x, s, p, gap, _stakes(gap / scale, rr), rr, mu, scale, q, t)


def _risk(base, rr):
    return base if rr is None else base ** rr


def _stakes(dist, rr) -> tuple:
    """(U_s, U_f, U_sq) of expected_utility at distances dist, with exponents rr (None: 1)."""
    half = 0.5 * dist
    return 2.0 - 4.0 * _risk(0.5 - half, rr), 2.0 - 4.0 * _risk(0.5 + half, rr), 2.0 - 4.0 * _risk(0.5, rr)


def _expected_utility(x, s, p, gap, stakes, rr, mu, scale: float, q: float, t: float) -> np.ndarray:
    """expected_utility, given gap = |x_a - x_b| and _stakes."""
    u_s, u_f, u_sq = stakes
    s_b = np.asarray(s)[..., None, :]
    eu = s_b * (p * u_s + (1.0 - p) * u_f) + (1.0 - s_b) * u_s - q * u_sq
    if q < 1.0:  # the "status quo changes" branch only exists when Q < 1
        m = (np.abs(x[..., :, None] - mu) + gap) / scale
        # clip: m can exceed 2 only if mu lies outside the fixed range; keep the base >= 0
        u_b = 2.0 - 4.0 * _risk(np.clip(0.5 - 0.25 * m, 0.0, None), rr)
        u_w = 2.0 - 4.0 * _risk(0.5 + 0.25 * m, rr)
        eu = eu - (1.0 - q) * (t * u_b + (1.0 - t) * u_w)
    return eu


@functools.lru_cache(maxsize=64)
def _others(N: int) -> np.ndarray:
    """(N, N) 1 off the diagonal, 0 on it (read-only: shared)."""
    out = 1.0 - np.eye(N)
    out.flags.writeable = False
    return out


def security_levels(x, s, w, scale: float, mu, options: BdmOptions, n=None) -> np.ndarray:
    """Security (danger) level of each actor i: sum over j != i of E^j(U_ji), the others'
    expected utilities of challenging i, computed with every risk exponent set to 1 (Scholz
    et al.'s step "let r_i = 1"). Larger means more threatened."""
    x = np.asarray(x, dtype=float)
    gap = np.abs(x[..., :, None] - x[..., None, :])
    return _security_levels(x, s, w, gap, gap / scale, scale, mu, options, n)


def _security_levels(x, s, w, gap, dist, scale: float, mu, options: BdmOptions, n) -> np.ndarray:
    """security_levels, given gap = |x_a - x_b| and dist = gap / scale."""
    p = _success_probability(gap, dist, w, None, options.success_normalisation, n)
    eu = _expected_utility(x, s, p, gap, _stakes(dist, None), None, mu, scale, options.q, options.t)
    others = _others(x.shape[-1])
    if n is not None:
        others = others * _valid(x.shape, n)[:, :, None]  # padding challenges nobody
    return (eu * others).sum(axis=-2)  # column i: everybody's utility of challenging i


def risk_exponents(x, s, w, scale: float, mu, options: BdmOptions,
                   n=None) -> tuple[np.ndarray, np.ndarray]:
    """(r, security): r_i = (1 - R_i/3) / (1 + R_i/3) with R_i = (2 S_i - S_max - S_min) /
    (S_max - S_min), S the security levels (BDM 1985, 1994; Scholz et al.). r runs from 0.5
    (the most threatened actor: risk averse) to 2 (the least threatened: risk acceptant);
    if every S is equal, R = 0 and r = 1."""
    x = np.asarray(x, dtype=float)
    gap = np.abs(x[..., :, None] - x[..., None, :])
    return _risk_exponents(x, s, w, gap, gap / scale, scale, mu, options, n)


def _risk_exponents(x, s, w, gap, dist, scale: float, mu, options: BdmOptions, n) -> tuple[np.ndarray, np.ndarray]:
    """risk_exponents, given gap = |x_a - x_b| and dist = gap / scale."""
    sec = _security_levels(x, s, w, gap, dist, scale, mu, options, n)
    if options.risk_reference == "actors":
        valid = _valid(sec.shape, n)
        hi = (sec if valid is None else np.where(valid, sec, -np.inf)).max(-1, keepdims=True)
        lo = (sec if valid is None else np.where(valid, sec, np.inf)).min(-1, keepdims=True)
    elif x.ndim == 1:
        hi, lo = _security_range_over_positions(x, s, w, scale, mu, options)
    else:  # problem by problem, each over its own actors
        hi, lo = np.zeros(sec.shape), np.zeros(sec.shape)
        for b in range(x.shape[0]):
            k = x.shape[-1] if n is None else int(n[b])
            hi[b, :k], lo[b, :k] = _security_range_over_positions(
                x[b, :k], s[b, :k], w[b, :k], scale, None if mu is None else mu[b], options)
    span = hi - lo
    big_r = np.divide(2.0 * sec - hi - lo, span, out=np.zeros(sec.shape),
                      where=np.abs(span) > 1e-12)
    big_r = np.clip(big_r, -1.0, 1.0)  # float noise only: S lies within [S_min, S_max]
    third = big_r / 3.0
    return (1.0 - third) / (1.0 + third), sec


def _security_range_over_positions(x, s, w, scale, mu, options):
    """For each actor i, max and min of i's own security level were i to stand at each
    position now held by some actor (the others fixed), computed as one batch of n*m
    position vectors."""
    n = x.size
    cands = np.unique(x)
    m = cands.size
    batch = np.broadcast_to(x, (n, m, n)).copy()
    idx = np.arange(n)
    batch[idx, :, idx] = cands  # variant (i, y): actor i placed at cands[y]
    sec = security_levels(batch.reshape(n * m, n), s, w, scale, mu, options).reshape(n, m, n)
    own = sec[idx, :, idx]  # own[i, y]: i's security when standing at cands[y]
    return own.max(axis=1), own.min(axis=1)


# ---------------------------------------------------------------------------------------
# Offers and rounds
# ---------------------------------------------------------------------------------------

def classify_offers(x, mine, theirs, tol: float, valid=None) -> tuple[np.ndarray, np.ndarray]:
    """(kind, target) for receiver i facing proposer j (kind 0 none, 1 conflict, 2 compromise,
    3 capitulation; target[i, j] where i would move), from i's own estimates
    a = mine[i, j] = E^i(U_ij) and b = theirs[i, j] = E^i(U_ji), BDM's octants:

        b > a > 0                conflict that i expects to lose: i moves to x_j
        b > 0 > a and b > |a|    compromise: i moves the fraction |a| / b of the way to x_j
        b > 0 > a and b <= |a|   capitulation: i moves to x_j
    Anything else leaves i where it is (i would prevail, or both prefer the status quo).
    Leading batch axes are allowed; valid (like x) leaves out padding.
    """
    diff = x[..., :, None] - x[..., None, :]
    return _classify_offers(x, diff, np.abs(diff), mine, theirs, tol, valid)


def _classify_offers(x, diff, gap, a, b, tol: float, valid) -> tuple[np.ndarray, np.ndarray]:
    """classify_offers, given diff = x_i - x_j, gap = |diff|, a = mine and b = theirs."""
    differs = gap > tol
    if valid is not None:
        differs &= valid[..., :, None] & valid[..., None, :]
    conflict = differs & (a > 0) & (b > a)
    weaker = differs & (b > 0) & (a < 0)
    minus_a = -a
    compromise = weaker & (b > minus_a)
    kind = conflict + weaker * (3 - compromise)  # 1, 2, 3 (the weaker's other case): never overlapping
    step = np.divide(minus_a, b, out=np.ones_like(a), where=compromise)
    target = x[..., :, None] - diff * step  # x_i + (x_j - x_i) step, to the bit
    return kind, target


def choose_offers(kind, target, mine, theirs, x, options: BdmOptions) -> np.ndarray:
    """Index of the proposer whose offer each receiver accepts, or -1 for none.

    Offers are ranked per receiver by kind (if options.kind_priority), then the selection
    rule, then the smaller move, then the lower proposer index, so the choice is
    deterministic. Leading batch axes are allowed."""
    has = kind > 0
    move = np.abs(target - x[..., :, None])
    if options.offer_selection == "smallest_move":
        keys = [move]
    elif options.offer_selection == "largest_eu":
        keys = [move, -theirs]  # proposer's EU, as the receiver estimates it
    else:  # "scholz_code": compromises by their EU-weighted meeting point, lowest first
        a, b = np.abs(mine), np.abs(theirs)
        point = np.divide(a * x[..., :, None] + b * x[..., None, :], a + b, out=np.zeros_like(move),
                          where=(a + b) > 0)
        keys = [move, np.where(kind == 2, point, move)]
    # real offers always rank before non-offers (kind 0 as 4), by kind if it has priority
    keys.append(np.where(has, kind, 4) if options.kind_priority else ~has)
    # lexsort: the last key is primary; it is stable, so ties go to the lower proposer
    best = np.lexsort(keys, axis=-1)[..., 0]
    return np.where(has.any(-1), best, -1)  # the first in line is an offer if there is any


@dataclass(frozen=True)
class Round:
    """One round played by a batch of problems: each row's new positions (B, N), and per
    receiver i and proposer j (B, N, N) the offer's kind (0: none) and target, the receiver's
    own estimates mine = E^i(U_ij) and theirs = E^i(U_ji); the accepted proposer per receiver
    (-1: none); the risk exponents and security levels used."""

    positions: np.ndarray
    kind: np.ndarray
    target: np.ndarray
    mine: np.ndarray
    theirs: np.ndarray
    choice: np.ndarray
    risk: np.ndarray
    security: np.ndarray

    def offers(self, b: int, names: Sequence[str], accepted_only: bool = False) -> list[dict]:
        """Row b's offers as RoundRecord lists them (receiver by receiver, proposers in order)."""
        kind, choice = self.kind[b], self.choice[b]
        pairs = ([(i, choice[i]) for i in np.flatnonzero(choice >= 0)] if accepted_only
                 else zip(*np.nonzero(kind)))
        return [{"from": names[j], "to": names[i], "kind": OFFER_KINDS[kind[i, j] - 1],
                 "position": float(self.target[b, i, j]), "eu_from": float(self.theirs[b, i, j]),
                 "eu_to": float(self.mine[b, i, j]), "accepted": bool(choice[i] == j)}
                for i, j in pairs]


def play_rounds(c, x, s, scale: float, options: BdmOptions, n=None) -> Round:
    """One round of Scholz et al.'s procedure for each row of (B, N) arrays (row b's actors
    its first n[b], default all): median (needed only when Q < 1); r = 1; security levels and
    risk exponents; probabilities and expected utilities with the new exponents, from both
    sides' points of view; offers; each receiver takes at most one, and all move at once."""
    c, x, s = (np.asarray(a, dtype=float) for a in (c, x, s))
    w = c * s
    mu = medians(c, x, s, options, n)[0][:, None, None] if options.q < 1.0 else None
    diff = x[..., :, None] - x[..., None, :]  # x_a - x_b: every pairwise distance of the round
    gap = np.abs(diff)
    dist = gap / scale
    r, sec = _risk_exponents(x, s, w, gap, dist, scale, mu, options, n)
    p = _success_probability(gap, dist, w, r, options.success_normalisation, n)
    # each side's own risk exponent: the challenger's (own), the target's (seen)
    stakes = _stakes(dist, r[..., :, None])
    own = _expected_utility(x, s, p, gap, stakes, r[..., :, None], mu, scale, options.q, options.t)
    # the target's stakes are the challenger's transposed (the distances are symmetric)
    stakes = tuple(np.swapaxes(u, -1, -2) for u in stakes)
    seen = _expected_utility(x, s, p, gap, stakes, r[..., None, :], mu, scale, options.q, options.t)
    mine, theirs = own, np.swapaxes(seen, -1, -2)  # for receiver i: E^i(U_ij) and E^i(U_ji)
    kind, target = _classify_offers(x, diff, gap, mine, theirs, options.tolerance * scale, _valid(x.shape, n))
    choice = choose_offers(kind, target, mine, theirs, x, options)
    new_x = x.copy()
    movers = choice >= 0
    b, i = np.nonzero(movers)
    new_x[b, i] = target[b, i, choice[b, i]]
    return Round(new_x, kind, target, mine, theirs, choice, r, sec)


def _arrays(actors: Sequence[Actor]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Names and (capability, position, salience) arrays, after checking what the model needs."""
    actors = list(actors)
    if len(actors) < 2:
        raise ValueError(f"bargaining needs at least two actors, got {len(actors)}")
    names = [a.name for a in actors]
    dupes = sorted({nm for nm in names if names.count(nm) > 1})
    if dupes:
        raise ValueError(f"actor names must be unique; repeated: {', '.join(dupes)}")
    c, x, s = (np.array([float(getattr(a, f)) for a in actors])
               for f in ("capability", "position", "salience"))
    for label, arr in (("capability", c), ("position", x), ("salience", s)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"every {label} must be a finite number")
    if np.any(c < 0):
        raise ValueError("capability must be >= 0")
    if np.any((s < 0) | (s > 1)):
        raise ValueError("salience must be a fraction in [0, 1]")
    if not (c * s).sum() > 0:
        raise ValueError("capability x salience sums to zero: nobody has any weight")
    return names, c, x, s


def _play_round(names, c, x, s, scale, options: BdmOptions) -> tuple[np.ndarray, RoundRecord]:
    """One round of one problem, with its record."""
    rnd = play_rounds(c[None], x[None], s[None], scale, options)
    new_x = rnd.positions[0]
    record = RoundRecord(
        positions={nm: float(v) for nm, v in zip(names, new_x)},
        median=median_position(c, new_x, s, options),
        mean=weighted_mean(c, new_x, s),
        offers=rnd.offers(0, names),
        risk_exponents={nm: float(v) for nm, v in zip(names, rnd.risk[0])},
        security={nm: float(v) for nm, v in zip(names, rnd.security[0])},
    )
    return new_x, record


def run(actors: Sequence[Actor], rounds: int = 10, options: BdmOptions = BdmOptions()) -> BargainResult:
    """Play up to `rounds` rounds of BDM bargaining and return every round's state.

    Stops early with status "converged" when a round leaves every position where it was
    (within options.tolerance of the range), or "oscillating" when a round brings back the
    positions of an earlier round other than the last one (a 2-cycle or longer); otherwise
    the status is "max_rounds". Raises ValueError on unusable actors.
    """
    if isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 0:
        raise ValueError(f"rounds must be a non-negative integer, got {rounds!r}")
    names, c, x, s = _arrays(actors)
    scale = options.position_range or float(x.max() - x.min()) or 1.0
    tol = options.tolerance * scale
    initial = {"median": median_position(c, x, s, options), "mean": weighted_mean(c, x, s),
               "positions": {nm: float(v) for nm, v in zip(names, x)}}
    history = [x]
    records: list[RoundRecord] = []
    status = "max_rounds"
    for _ in range(rounds):
        new_x, record = _play_round(names, c, x, s, scale, options)
        records.append(record)
        if np.max(np.abs(new_x - x)) <= tol:
            status = "converged"
            break
        if any(np.max(np.abs(new_x - h)) <= tol for h in history[:-1]):
            status = "oscillating"  # back to an earlier state: it would cycle for ever
            break
        history.append(new_x)
        x = new_x
    return BargainResult(initial=initial, rounds=records, status=status)


_VERBS = {"conflict": "loses a conflict to", "compromise": "compromises with",
          "capitulation": "capitulates to"}
_ENDINGS = {"converged": "converged (nobody moved in the last round)",
            "oscillating": "oscillating (positions repeat an earlier round's); stopped",
            "max_rounds": "stopped at the round limit"}


def format_rounds(result: BargainResult, digits: int = 3) -> str:
    """A readable account of a run: the starting forecast, then for each round who challenged
    whom and how it ended, the positions, the median and the weighted mean; then the status."""
    def num(v: float) -> str:
        return f"{v:.{digits}f}"

    def listing(positions: dict[str, float]) -> str:
        return ", ".join(f"{k} {num(v)}" for k, v in positions.items())

    out = [f"Start: median {num(result.initial['median'])}, weighted mean {num(result.initial['mean'])}",
           f"  positions: {listing(result.initial['positions'])}"]
    before = dict(result.initial["positions"])
    for k, rnd in enumerate(result.rounds, 1):
        out.append(f"Round {k}")
        taken = [o for o in rnd.offers if o["accepted"]]
        for o in taken:
            out.append(f"  {o['from']} challenged {o['to']}: {o['to']} {_VERBS[o['kind']]} "
                       f"{o['from']}, {num(before[o['to']])} -> {num(o['position'])}")
        if not taken:
            out.append("  no offer taken; nobody moves")
        others = len(rnd.offers) - len(taken)
        if others:
            out.append(f"  ({others} other offer{'s' if others != 1 else ''} not taken)")
        out.append(f"  positions: {listing(rnd.positions)}")
        out.append(f"  median {num(rnd.median)}, weighted mean {num(rnd.mean)}")
        before = dict(rnd.positions)
    n = len(result.rounds)
    out.append(f"Status: {_ENDINGS[result.status]} after {n} round{'s' if n != 1 else ''}")
    return "\n".join(out)
