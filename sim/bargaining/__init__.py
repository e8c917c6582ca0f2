"""Bueno de Mesquita expected-utility bargaining (Scholz, Calbert and Smith 2011 reconstruction)."""

from sim.bargaining.bdm import (
    Actor,
    BargainResult,
    BdmOptions,
    RoundRecord,
    format_rounds,
    median_position,
    run,
    weighted_mean,
)
from sim.bargaining.io import BargainInputError, load_actor_table

__all__ = [
    "Actor",
    "BargainInputError",
    "BargainResult",
    "BdmOptions",
    "RoundRecord",
    "format_rounds",
    "load_actor_table",
    "median_position",
    "run",
    "weighted_mean",
]
