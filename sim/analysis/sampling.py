"""Designs of experiments for ``batch --vary``: which factor values each run gets.

- ``grid``: every combination of the factors' levels (a list ``A,B,C`` gives its values; a
  range ``LO:HI`` gives 5 evenly spaced levels, ``LO:HI:K`` gives K). Run ``i`` takes grid
  point ``i mod G``, so ``--runs`` must be a multiple of the G points and each point gets the
  same number of seeded runs (interrupted batches stay balanced too).
- ``lhs``: a Latin hypercube of ``--runs`` points (scipy.stats.qmc): each factor's range is
  cut into ``--runs`` strata and each stratum is used once.
- ``sobol``: the first ``--runs`` points of a scrambled Sobol' sequence (scipy.stats.qmc);
  its balance needs a power of two.

Lists are sampled uniformly among their values by lhs and sobol. The design is drawn from the
sampler stream of the root seed (:mod:`sim.analysis.seeds`), so it is the same every time.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy.stats import qmc

from sim.analysis.errors import AnalysisError
from sim.analysis.seeds import sampler_rng
from sim.analysis.variation import Factor

SAMPLES = ("grid", "lhs", "sobol")


def default_sample(factors: list[Factor]) -> str | None:
    if not factors:
        return None
    return "grid" if all(f.kind == "levels" for f in factors) else "lhs"


def grid_points(factors: list[Factor]) -> np.ndarray:
    return np.array(list(itertools.product(*[f.grid for f in factors])), float)


def check_sample(sample: str | None, factors: list[Factor], runs: int) -> None:
    """Refuse a design the runs cannot fill, naming sizes that work."""
    if sample is None:
        return
    if sample not in SAMPLES:
        raise AnalysisError(f"--sample {sample}: expected one of {', '.join(SAMPLES)}")
    if not factors:
        raise AnalysisError(f"--sample {sample}: there is nothing to sample; expected at least one "
                            "--vary PATH=LO:HI or PATH=A,B,C")
    if sample == "grid":
        g = math.prod(len(f.grid) for f in factors)
        if runs % g:
            raise AnalysisError(
                f"--sample grid: the grid has {g} points ({' x '.join(str(len(f.grid)) for f in factors)} levels), "
                f"so --runs must be a multiple of {g} (e.g. {g}, {g * max(1, runs // g)} or "
                f"{g * (runs // g + 1)}); got {runs}")
    if sample == "sobol" and (runs < 2 or runs & (runs - 1)):
        lo = 2 ** max(1, int(math.log2(max(runs, 2))))
        raise AnalysisError(f"--sample sobol: Sobol' points are balanced only in powers of two, so "
                            f"--runs must be one (e.g. {lo} or {lo * 2}); got {runs}")


def design(factors: list[Factor], runs: int, sample: str | None, root_seed: int) -> np.ndarray | None:
    """(runs, factors) values, or None when nothing is varied."""
    if not factors:
        return None
    check_sample(sample, factors, runs)
    if sample == "grid":
        pts = grid_points(factors)
        return pts[np.arange(runs) % len(pts)]
    rng = sampler_rng(root_seed)
    if sample == "lhs":
        u = qmc.LatinHypercube(d=len(factors), seed=rng).random(runs)
    else:
        u = qmc.Sobol(d=len(factors), scramble=True, seed=rng).random_base2(int(math.log2(runs)))
    return np.column_stack([f.from_unit(u[:, j]) for j, f in enumerate(factors)])
