"""Per-run seeds from one root seed, independent of workers, chunks and the order runs finish.

The scheme (written into every manifest as ``SEED_SCHEME``)::

    root = numpy.random.SeedSequence(root_seed)
    runs, sampler = root.spawn(2)
    seed of run i = runs.spawn(N)[i].generate_state(1, numpy.uint64)[0] & (2**63 - 1)

``runs.spawn(N)[i]`` is ``SeedSequence(root_seed, spawn_key=(0, i))``, so a worker computes
the seed of any run from its index alone. The seed is an ordinary integer:
``arbiter run SCENARIO --seed <seed>`` (with the same ``--set`` values) replays that run.
The sampler stream seeds the design (Latin hypercube, Sobol' scrambling, SALib samples).
"""

from __future__ import annotations

import numpy as np

SEED_SCHEME = ("numpy SeedSequence(root_seed): run i uses SeedSequence(root_seed, spawn_key=(0, i))"
               ".generate_state(1, uint64)[0] & (2**63-1) (= root.spawn(2)[0].spawn(N)[i]); "
               "the design sampler uses spawn_key=(1,)")
_MASK = np.uint64(2**63 - 1)


def run_seed(root_seed: int, index: int) -> int:
    """The model seed of run ``index`` (an int that fits a signed 64-bit column)."""
    ss = np.random.SeedSequence(root_seed, spawn_key=(0, int(index)))
    return int(ss.generate_state(1, np.uint64)[0] & _MASK)


def run_seeds(root_seed: int, indices) -> np.ndarray:
    return np.array([run_seed(root_seed, i) for i in indices], dtype=np.int64)


def sampler_rng(root_seed: int) -> np.random.Generator:
    """The generator that draws the design of experiments (never the runs themselves)."""
    return np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=(1,)))
