"""The game's map of Syria: zones, places and helpers to hit-test and scale them.

Loads assets/map/syria_zones.json (built by tools/build_map.py). Pure data and numpy,
no pygame, so the simulation and tests can use it headless.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_MAP_PATH = Path(__file__).resolve().parent.parent / "assets" / "map" / "syria_zones.json"


@dataclass(frozen=True)
class Zone:
    id: str
    name: str
    polygons: tuple[np.ndarray, ...]  # each (n, 2) float array in map units, not closed
    label: tuple[float, float]


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    lonlat: tuple[float, float]
    xy: tuple[float, float]


@dataclass(frozen=True)
class MapData:
    viewbox: tuple[float, float]  # (width, height) of the map's coordinate space
    zones: dict[str, Zone]
    places: dict[str, Place]
    draw_order: tuple[str, ...]   # big zones first, carved zones drawn on top
    attribution: str
    geo_fit: dict                 # lon/lat -> map affine coefficients and control points

    def lonlat_to_xy(self, lon: float, lat: float) -> tuple[float, float]:
        g = self.geo_fit
        return (g["ax"] * lon + g["bx"] * lat + g["cx"],
                g["ay"] * lon + g["by"] * lat + g["cy"])


def load_map(path: str | Path | None = None) -> MapData:
    path = Path(path) if path is not None else DEFAULT_MAP_PATH
    doc = json.loads(path.read_text(encoding="utf-8"))
    zones = {}
    for zid, z in doc["zones"].items():
        polys = []
        for ring in z["polygons"]:
            arr = np.asarray(ring, dtype=float)
            arr.setflags(write=False)  # frozen dataclass, frozen geometry too
            polys.append(arr)
        zones[zid] = Zone(zid, z["name"], tuple(polys), tuple(z["label"]))
    places = {pid: Place(pid, p["name"], tuple(p["lonlat"]), tuple(p["xy"]))
              for pid, p in doc["places"].items()}
    order = tuple(doc.get("draw_order") or zones)
    missing = set(zones) - set(order)
    if missing:
        raise ValueError(f"{path}: zones missing from draw_order: {sorted(missing)}")
    return MapData(viewbox=tuple(doc["viewbox"]), zones=zones, places=places,
                   draw_order=order, attribution=doc.get("attribution", ""),
                   geo_fit=doc.get("geo_fit", {}))


def point_in_polygon(x: float, y: float, poly: np.ndarray) -> bool:
    """Even-odd ray casting; points exactly on an edge may go either way."""
    x1, y1 = poly[:, 0], poly[:, 1]
    x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
    crosses = (y1 > y) != (y2 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        xint = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
    return bool(np.count_nonzero(crosses & (x < xint)) % 2)


def zone_contains(zone: Zone, x: float, y: float) -> bool:
    # Even-odd across a zone's rings, so a ring inside another would act as a hole.
    inside = False
    for poly in zone.polygons:
        if point_in_polygon(x, y, poly):
            inside = not inside
    return inside


def zone_at(m: MapData, x: float, y: float) -> str | None:
    """The zone drawn at map point (x, y): the topmost in draw order wins, so the small
    carved zones take precedence over the governorate-sized zones beneath them."""
    for zid in reversed(m.draw_order):
        if zone_contains(m.zones[zid], x, y):
            return zid
    return None


def fit_to(m: MapData, width: float, height: float, margin: float = 0.0
           ) -> tuple[float, tuple[float, float]]:
    """Uniform scale and offset that fit the map's viewbox, centred, into a
    width x height area with `margin` pixels kept free on every side.

    Screen point = (x * scale + offset[0], y * scale + offset[1]).
    """
    vw, vh = m.viewbox
    avail_w, avail_h = max(width - 2 * margin, 1e-9), max(height - 2 * margin, 1e-9)
    scale = min(avail_w / vw, avail_h / vh)
    return scale, ((width - vw * scale) / 2, (height - vh * scale) / 2)
