"""Scenario files: schema, safe loading, inheritance, overrides and author-facing errors."""

from sim.scenario.errors import Issue, ScenarioError
from sim.scenario.loader import LoadedScenario, list_scenario_ids, load_scenario
from sim.scenario.schema import Scenario

__all__ = ["Issue", "LoadedScenario", "Scenario", "ScenarioError", "list_scenario_ids", "load_scenario"]
