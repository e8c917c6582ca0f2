"""The model as a mesa user would batch it, for benchmarks/bench_batch.py: ArbiterModel with a
DataCollector recording, every month, the figures a batch writes to turns.parquet."""

from __future__ import annotations

import mesa

from sim.model.model import ArbiterModel

SCENARIO = "astana_2017"


class MesaArbiter(ArbiterModel):
    """The same model with a mesa DataCollector recording, every month, the figures a batch
    writes to turns.parquet (control, influence, the regime in power, agreements, outcomes)."""

    def __init__(self, scenario=SCENARIO, seed=None, turns=None):
        super().__init__(scenario=scenario, seed=seed, turns=turns, record=False)
        from sim.model import objectives

        s = self.world.s
        rep = {}
        for zi, z in enumerate(s.zone_ids):
            rep[f"control.{z}"] = lambda m, zi=zi: m.world.s.actor_ids[int(m.world.control[zi])]
        for ai, a in enumerate(s.actor_ids):
            rep[f"leverage.{a}"] = lambda m, ai=ai: float(m.world.leverage[ai])
            rep[f"standing.{a}"] = lambda m, ai=ai: float(m.world.standing[ai])
            rep[f"territory.{a}"] = lambda m, ai=ai: float(m.world.territory[ai])
            rep[f"presence.{a}"] = lambda m, ai=ai: float(m.world.ground[ai].sum() / m.world.s.norm[ai])
        dam = s.zone_ids.index("damascus")
        rep["assad_in_power"] = lambda m: bool(m.world.control[dam] == m.world.s.regime)
        rep["agreements"] = lambda m: ",".join(a.id for a in m.world.active_agreements())
        rep["outcomes"] = lambda m: objectives.outcomes(m.world)
        self.datacollector = mesa.DataCollector(model_reporters=rep)
        self.datacollector.collect(self)

    def step(self):
        super().step()
        self.datacollector.collect(self)
