"""The map asset (assets/map/syria_zones.json), its loader and its build script."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # let `pytest tests/...` find the package without installing
    sys.path.insert(0, str(ROOT))

from sim.mapdata import DEFAULT_MAP_PATH, fit_to, load_map, zone_at  # noqa: E402

BUILD_SCRIPT = ROOT / "tools" / "build_map.py"
SVG = ROOT.parent / "shared" / "data" / "syria_governorates.svg"

ZONES = {"idlib", "aleppo", "afrin", "northern_homs", "eastern_ghouta", "damascus", "daraa",
         "coast", "hama", "homs_palmyra", "deir_ez_zor", "raqqa", "hasakah", "al_tanf"}
PLACES = {"damascus", "aleppo", "idlib", "homs", "hama", "latakia", "tartus", "hmeimim",
          "palmyra", "raqqa", "deir_ez_zor", "daraa", "al_tanf", "qamishli", "afrin", "manbij"}
CARVED = {"afrin", "northern_homs", "eastern_ghouta", "al_tanf"}

# Where each place's dot must land (draw order honoured).
EXPECTED_ZONE = {
    "damascus": "damascus", "aleppo": "aleppo", "idlib": "idlib", "homs": "homs_palmyra",
    "hama": "hama", "latakia": "coast", "tartus": "coast", "hmeimim": "coast",
    "palmyra": "homs_palmyra", "raqqa": "raqqa", "deir_ez_zor": "deir_ez_zor",
    "daraa": "daraa", "al_tanf": "al_tanf", "qamishli": "hasakah", "afrin": "afrin",
    "manbij": "aleppo",
}


def _build_module():
    spec = importlib.util.spec_from_file_location("build_map", BUILD_SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def m():
    return load_map()


@pytest.fixture(scope="module")
def doc():
    return json.loads(DEFAULT_MAP_PATH.read_text(encoding="utf-8"))


def test_json_has_all_zones_places_and_governorates(doc):
    assert set(doc["zones"]) == ZONES
    assert set(doc["places"]) == PLACES
    assert len(doc["governorates"]) == 14
    assert doc["viewbox"] == [659.0, 600.0]
    assert "svg-maps" in doc["attribution"] and "MIT" in doc["attribution"]


def test_draw_order_big_zones_first(m):
    assert set(m.draw_order) == ZONES and len(m.draw_order) == len(ZONES)
    n_big = len(ZONES) - len(CARVED)
    assert set(m.draw_order[n_big:]) == CARVED


def test_every_polygon_is_valid(m):
    for zone in m.zones.values():
        assert zone.polygons, zone.id
        for poly in zone.polygons:
            assert poly.ndim == 2 and poly.shape[1] == 2 and len(poly) >= 3, zone.id
            x, y = poly[:, 0], poly[:, 1]
            area = 0.5 * abs(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))
            assert area > 1.0, zone.id
            vw, vh = m.viewbox
            assert x.min() >= -1 and x.max() <= vw + 1 and y.min() >= -1 and y.max() <= vh + 1


def test_labels_fall_in_their_own_zone(m):
    for zone in m.zones.values():
        assert zone_at(m, *zone.label) == zone.id


@pytest.mark.parametrize("place,zone", sorted(EXPECTED_ZONE.items()))
def test_zone_at_place(m, place, zone):
    assert zone_at(m, *m.places[place].xy) == zone


def test_zone_at_outside_syria_is_none(m):
    assert zone_at(m, 5.0, 590.0) is None  # Golan / Jordan corner, off the map
    assert zone_at(m, 650.0, 590.0) is None  # Iraq / Jordan


def test_places_follow_the_fit(m):
    # Places sit where the lon/lat fit puts them (Damascus is pinned to its outline).
    for p in m.places.values():
        x, y = m.lonlat_to_xy(*p.lonlat)
        tol = 6.0 if p.id == "damascus" else 0.01
        assert abs(x - p.xy[0]) < tol and abs(y - p.xy[1]) < tol, p.id


def test_geo_fit_residuals_small(doc):
    fit = doc["geo_fit"]
    assert len(fit["control_points"]) >= 4
    assert fit["rms_residual"] < 5.0  # map units, about 4.6 km
    for cp in fit["control_points"]:
        assert np.hypot(*cp["residual"]) < 8.0, cp["id"]


def test_fit_to_centres_and_fits(m):
    scale, (ox, oy) = fit_to(m, 1280, 720, 20)
    vw, vh = m.viewbox
    assert scale == pytest.approx(680 / vh)
    assert oy == pytest.approx(20)
    assert ox == pytest.approx((1280 - vw * scale) / 2)
    assert ox >= 20


def test_mapdata_has_no_pygame():
    src = (ROOT / "sim" / "mapdata.py").read_text(encoding="utf-8")
    assert "pygame" not in src.split('"""', 2)[-1]


@pytest.mark.skipif(not SVG.exists(), reason="needs ../shared/data/syria_governorates.svg")
def test_build_is_reproducible(tmp_path):
    mod = _build_module()
    out = tmp_path / "zones.json"
    assert mod.main(["--svg", str(SVG), "--out", str(out), "-q"]) == 0
    assert out.read_bytes() == DEFAULT_MAP_PATH.read_bytes()


def test_path_parser_commands():
    mod = _build_module()
    rings = mod.parse_path("M 1,1 h 2 v 2 H 1 V 1 z m 10,0 l 1,0 0,1 L 10,2 Z")
    assert rings == [[(1, 1), (3, 1), (3, 3), (1, 3), (1, 1)],
                     [(11, 1), (12, 1), (12, 2), (10, 2)]]
    with pytest.raises(mod.SvgPathError, match="unsupported"):
        mod.parse_path("m 0,0 c 1,1 2,2 3,3 z")
