"""The views of the game window. Each draws onto any surface it is given."""

from __future__ import annotations

from sim.ui.views.actors import ActorsView
from sim.ui.views.base import UIState, View
from sim.ui.views.branches import BranchesView
from sim.ui.views.debrief import DebriefView
from sim.ui.views.influence import InfluenceView
from sim.ui.views.mapview import MapRenderer, MapView
from sim.ui.views.story import StoryPanel
from sim.ui.views.timeline import TimelineView
from sim.ui.views.why import WhyView

VIEW_CLASSES = (MapView, InfluenceView, TimelineView, WhyView, ActorsView, BranchesView, DebriefView)
VIEWS = tuple(c.key for c in VIEW_CLASSES)  # map, influence, timeline, why, actors, branches, debrief


def make_views(state: UIState) -> dict[str, View]:
    """One instance of every view, sharing one map renderer (and its caches)."""
    renderer = MapRenderer()
    return {cls.key: cls(state, renderer) if cls.uses_map else cls(state) for cls in VIEW_CLASSES}


__all__ = ["VIEWS", "VIEW_CLASSES", "make_views", "UIState", "View", "StoryPanel", "MapRenderer"]
