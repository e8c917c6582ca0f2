#!/usr/bin/env python3
"""Build the game's map asset, assets/map/syria_zones.json, from the shared SVG.

Input: ../shared/data/syria_governorates.svg (svg-maps `syria` package, MIT; see
assets/ATTRIBUTION.md). Output: governorate rings, the game's 14 zones, a lon/lat ->
map affine fit and the named places, all in the SVG's own 659x600 coordinates.

Run: python tools/build_map.py [--svg PATH] [--out PATH]
Stdlib + numpy only. The output is deterministic (fixed rounding, fixed order), so a
rebuild from the same SVG gives byte-identical JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SVG = ROOT.parent / "shared" / "data" / "syria_governorates.svg"
DEFAULT_OUT = ROOT / "assets" / "map" / "syria_zones.json"

ATTRIBUTION = (
    "Governorate outlines from the `syria` package of the svg-maps project "
    "(MIT licence), itself based on the MapSVG map of Syria (offered free for any "
    "project). Zones, places and the lon/lat fit derived by tools/build_map.py."
)

SNAP_TOL = 0.1   # map units; shared borders in the SVG disagree by up to ~0.05
DECIMALS = 2     # output precision in map units (the SVG's own deltas are 2-decimal)


# --------------------------------------------------------------------------- SVG

class SvgPathError(ValueError):
    """A path uses something this parser does not handle."""


_TOKEN = re.compile(r"\s*,?\s*([A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)")
_SUPPORTED = set("mMlLhHvVzZ")


def _tokens(d: str, where: str) -> list[str]:
    out, pos = [], 0
    while pos < len(d):
        if d[pos:].strip(" \t\r\n,") == "":
            break
        m = _TOKEN.match(d, pos)
        if not m:
            raise SvgPathError(f"{where}: cannot read path data at {d[pos:pos + 20]!r}")
        out.append(m.group(1))
        pos = m.end()
    return out


def parse_path(d: str, where: str = "path") -> list[list[tuple[float, float]]]:
    """Return the rings of an SVG path made only of straight segments.

    Supports m/M, l/L, h/H, v/V, z/Z (with implicit repeats); anything else (curves,
    arcs) raises SvgPathError, since the map must stay polygonal.
    """
    toks = _tokens(d, where)
    rings: list[list[tuple[float, float]]] = []
    cur: list[tuple[float, float]] | None = None
    x = y = sx = sy = 0.0
    cmd: str | None = None
    i = 0

    def num() -> float:
        nonlocal i
        if i >= len(toks) or toks[i].isalpha():
            raise SvgPathError(f"{where}: command {cmd!r} is missing a number")
        v = float(toks[i])
        i += 1
        return v

    while i < len(toks):
        if toks[i].isalpha():
            cmd = toks[i]
            i += 1
            if cmd not in _SUPPORTED:
                raise SvgPathError(
                    f"{where}: unsupported path command {cmd!r} "
                    f"(only m/M l/L h/H v/V z/Z are handled)")
        elif cmd is None:
            raise SvgPathError(f"{where}: path data must start with a command")
        if cmd in "zZ":
            if cur:
                rings.append(cur)
            cur = None
            x, y = sx, sy  # per SVG spec the pen returns to the subpath start
            continue
        if cmd in "mM":
            a, b = num(), num()
            x, y = (x + a, y + b) if cmd == "m" else (a, b)
            if cur:
                rings.append(cur)
            cur = [(x, y)]
            sx, sy = x, y
            cmd = "l" if cmd == "m" else "L"  # extra pairs after m/M are line-tos
            continue
        if cur is None:  # a line-to right after z starts a new subpath at the pen
            cur = [(x, y)]
            sx, sy = x, y
        if cmd == "l":
            x, y = x + num(), y + num()
        elif cmd == "L":
            x, y = num(), num()
        elif cmd == "h":
            x += num()
        elif cmd == "H":
            x = num()
        elif cmd == "v":
            y += num()
        elif cmd == "V":
            y = num()
        cur.append((x, y))
    if cur:
        rings.append(cur)
    return rings


def read_svg(path: Path) -> tuple[list[float], list[tuple[str, str, list[np.ndarray]]]]:
    root = ET.parse(path).getroot()
    vb = [float(v) for v in re.split(r"[\s,]+", root.get("viewBox", "").strip())]
    if len(vb) != 4:
        raise SvgPathError(f"{path}: missing or bad viewBox")
    govs = []
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] != "path":
            continue
        gid, name = el.get("id"), el.get("name")
        if not gid or not name:
            raise SvgPathError(f"{path}: a <path> lacks id or name")
        rings = [np.array(r, dtype=float) for r in parse_path(el.get("d", ""), gid)]
        govs.append((gid, name, rings))
    return vb[2:], govs


# ---------------------------------------------------------------------- geometry

def signed_area(r: np.ndarray) -> float:
    x, y = r[:, 0], r[:, 1]
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def area_centroid(r: np.ndarray) -> np.ndarray:
    x, y = r[:, 0], r[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    a = cross.sum() / 2
    return np.array([np.sum((x + np.roll(x, -1)) * cross),
                     np.sum((y + np.roll(y, -1)) * cross)]) / (6 * a)


def points_in_ring(pts: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Even-odd ray casting for many points against one ring."""
    px, py = pts[:, 0:1], pts[:, 1:2]
    x1, y1 = ring[:, 0], ring[:, 1]
    x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
    crosses = (y1 > py) != (y2 > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        xint = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
    return (np.count_nonzero(crosses & (px < xint), axis=1) % 2) == 1


def points_in_polys(pts: np.ndarray, polys: list[np.ndarray]) -> np.ndarray:
    inside = np.zeros(len(pts), dtype=bool)
    for p in polys:
        inside ^= points_in_ring(pts, p)  # even-odd over all rings of a zone
    return inside


def dist_to_edges(pts: np.ndarray, rings: list[np.ndarray]) -> np.ndarray:
    best = np.full(len(pts), np.inf)
    for r in rings:
        a, b = r, np.roll(r, -1, axis=0)
        ab = b - a
        L2 = np.maximum((ab ** 2).sum(1), 1e-12)
        ap = pts[:, None, :] - a[None, :, :]
        t = np.clip((ap * ab[None]).sum(2) / L2[None], 0, 1)
        d = np.sqrt(((ap - t[..., None] * ab[None]) ** 2).sum(2)).min(1)
        best = np.minimum(best, d)
    return best


class Snapper:
    """Merges vertices closer than SNAP_TOL, first come first kept.

    The SVG's relative coordinates accumulate rounding, so neighbours' shared borders
    differ by a few hundredths; snapping makes them identical so that zone outlines
    can be dissolved by cancelling shared edges.
    """

    def __init__(self, tol: float = SNAP_TOL):
        self.tol = tol
        self.cells: dict[tuple[int, int], list[tuple[float, float]]] = {}

    def __call__(self, x: float, y: float) -> tuple[float, float]:
        cx, cy = int(math.floor(x / self.tol)), int(math.floor(y / self.tol))
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for q in self.cells.get((cx + dx, cy + dy), ()):
                    if (q[0] - x) ** 2 + (q[1] - y) ** 2 <= self.tol ** 2:
                        return q
        q = (round(x, DECIMALS), round(y, DECIMALS))
        self.cells.setdefault((cx, cy), []).append(q)
        return q


def clean_ring(r: np.ndarray | list, snap: Snapper) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for x, y in np.asarray(r, dtype=float):
        q = snap(float(x), float(y))
        if not out or out[-1] != q:
            out.append(q)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def dissolve(rings: list[list[tuple[float, float]]]) -> list[list[tuple[float, float]]]:
    """Outline of the union of same-oriented, edge-matched rings.

    Edges shared by two rings run in opposite directions and cancel; the leftover
    directed edges are chained back into rings (holes filled by a member vanish).
    """
    edges: dict[tuple, int] = {}
    for r in rings:
        for a, b in zip(r, r[1:] + r[:1]):
            if (b, a) in edges:
                edges[(b, a)] -= 1
                if edges[(b, a)] == 0:
                    del edges[(b, a)]
            else:
                edges[(a, b)] = edges.get((a, b), 0) + 1
    nxt: dict[tuple, list] = {}
    for (a, b) in sorted(edges):
        nxt.setdefault(a, []).append(b)
    out = []
    for start in sorted(nxt):
        while nxt.get(start):
            ring, cur = [start], nxt[start].pop(0)
            while cur != start:
                ring.append(cur)
                cur = nxt[cur].pop(0)
            if len(ring) >= 3 and abs(signed_area(np.array(ring))) > 1e-6:
                out.append(ring)
    # Biggest first, for a stable and readable order.
    out.sort(key=lambda r: -abs(signed_area(np.array(r))))
    return out


def clip_convex(subject: np.ndarray, clip: np.ndarray) -> np.ndarray:
    """Sutherland-Hodgman: subject (any simple ring) clipped by a convex ring."""
    orient = 1.0 if signed_area(clip) > 0 else -1.0
    out = [tuple(p) for p in subject]
    for c1, c2 in zip(clip, np.roll(clip, -1, axis=0)):
        def side(p):
            return orient * ((c2[0] - c1[0]) * (p[1] - c1[1]) - (c2[1] - c1[1]) * (p[0] - c1[0]))

        def cut(p, q):
            # Order the endpoints so a shared edge cuts to the same point from both sides.
            p, q = sorted((p, q))
            sp, sq = side(p), side(q)
            t = sp / (sp - sq)
            return (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))

        inp, out = out, []
        if not inp:
            break
        prev = inp[-1]
        for cur in inp:
            if side(cur) >= 0:
                if side(prev) < 0:
                    out.append(cut(prev, cur))
                out.append(cur)
            elif side(prev) >= 0:
                out.append(cut(prev, cur))
            prev = cur
    return np.array(out, dtype=float).reshape(-1, 2)


# ------------------------------------------------------------------- geo fit

# Control points: features that are both well known in lon/lat and identifiable on the
# SVG outline (border corners and Damascus, whose governorate is essentially the city).
# `vertex_near` picks the nearest vertex of that governorate's outer ring to a point
# located by eye on the outline; `centroid` uses the ring's area centroid.
CONTROL_POINTS = [
    {"id": "damascus", "name": "Damascus (city centre = Damascus governorate centroid)",
     "lonlat": [36.29, 33.51], "centroid": "damascus"},
    {"id": "iraq_jordan_tripoint", "name": "Syria-Iraq-Jordan tripoint",
     "lonlat": [38.79, 33.38], "vertex_near": ["homs", 305.3, 476.1]},
    {"id": "turkey_iraq_tripoint", "name": "Syria-Turkey-Iraq tripoint on the Tigris",
     "lonlat": [42.36, 37.11], "vertex_near": ["hasakah", 658.8, 31.4]},
    {"id": "bukamal_euphrates", "name": "Euphrates crossing of the Iraq border (al-Bukamal)",
     "lonlat": [41.01, 34.42], "vertex_near": ["dayr-ez-zor", 523.4, 352.1]},
    {"id": "lebanon_coast", "name": "Nahr al-Kabir mouth (Lebanon border at the sea)",
     "lonlat": [35.97, 34.64], "vertex_near": ["tartus", 25.6, 325.3]},
    {"id": "jordan_south", "name": "Southernmost point (Jordan border, Jabal al-Arab)",
     "lonlat": [36.83, 32.31], "vertex_near": ["as-suwayda", 109.9, 600.3]},
]


def control_xy(cp: dict, govs: dict[str, list[np.ndarray]]) -> np.ndarray:
    if "centroid" in cp:
        return area_centroid(govs[cp["centroid"]][0])
    gid, x, y = cp["vertex_near"]
    ring = govs[gid][0]
    return ring[np.argmin(((ring - [x, y]) ** 2).sum(1))]


def fit_affine(lonlat: np.ndarray, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares [x, y] = [lon, lat, 1] @ coef; returns coef (3x2) and residuals."""
    A = np.column_stack([lonlat, np.ones(len(lonlat))])
    coef, *_ = np.linalg.lstsq(A, xy, rcond=None)
    return coef, xy - A @ coef


def lonlat_to_xy(coef: np.ndarray, lonlat) -> np.ndarray:
    ll = np.atleast_2d(np.asarray(lonlat, dtype=float))
    return np.column_stack([ll, np.ones(len(ll))]) @ coef


# --------------------------------------------------------------- game content

PLACES = {  # id: (name, lon, lat)
    "damascus": ("Damascus", 36.29, 33.51),
    "aleppo": ("Aleppo", 37.16, 36.20),
    "idlib": ("Idlib", 36.63, 35.93),
    "homs": ("Homs", 36.72, 34.73),
    "hama": ("Hama", 36.75, 35.13),
    "latakia": ("Latakia", 35.78, 35.52),
    "tartus": ("Tartus (Russian naval facility)", 35.89, 34.89),
    "hmeimim": ("Hmeimim (Russian air base)", 35.95, 35.41),
    "palmyra": ("Palmyra", 38.27, 34.56),
    "raqqa": ("Raqqa", 39.01, 35.95),
    "deir_ez_zor": ("Deir ez-Zor", 40.14, 35.33),
    "daraa": ("Daraa", 36.10, 32.62),
    "al_tanf": ("al-Tanf (US garrison)", 38.63, 33.50),
    "qamishli": ("Qamishli", 41.23, 37.05),
    "afrin": ("Afrin", 36.87, 36.51),
    "manbij": ("Manbij", 37.95, 36.53),
}

# Places the map itself shows better than the fit: Damascus governorate *is* the city, so
# its dot goes on that outline's centroid (the affine fit lands ~5 units south-west of it,
# on the outline's edge). place id -> governorate id.
PLACE_PINS = {"damascus": "damascus"}

# Zones made of whole governorates (drawn first).
BIG_ZONES = {
    "idlib": ("Idlib", ["idlib"]),
    "aleppo": ("Aleppo", ["aleppo"]),
    "coast": ("The coast (Latakia and Tartus)", ["latakia", "tartus"]),
    "hama": ("Hama", ["hama"]),
    "homs_palmyra": ("Homs and Palmyra", ["homs"]),
    "damascus": ("Damascus and Rif Dimashq", ["damascus", "rif-dimashq"]),
    "daraa": ("Daraa and the south", ["daraa", "quneitra", "as-suwayda"]),
    "deir_ez_zor": ("Deir ez-Zor", ["dayr-ez-zor"]),
    "raqqa": ("Raqqa", ["raqqa"]),
    "hasakah": ("Hasakah", ["hasakah"]),
}


def _circle(lon: float, lat: float, radius_km: float, n: int = 32) -> list[list[float]]:
    kx = 111.32 * math.cos(math.radians(lat))
    return [[lon + radius_km / kx * math.cos(2 * math.pi * k / n),
             lat + radius_km / 110.57 * math.sin(2 * math.pi * k / n)] for k in range(n)]


# Carved zones: a convex lon/lat region intersected with the governorates it lies in,
# drawn on top of the big zones. `inside`/`outside` are sanity checks on the result.
CARVED_ZONES = {
    # Afrin district plus the Euphrates Shield strip (Azaz, al-Bab, Jarabulus); the south
    # edge keeps Aleppo city and Manbij (SDF-held in 2016-18) in the `aleppo` zone.
    "afrin": {
        "name": "Afrin and northern Aleppo",
        "govs": ["aleppo"],
        "region": [[35.5, 36.30], [37.70, 36.30], [38.30, 37.08], [38.30, 37.8], [35.5, 37.8]],
        "inside": ["afrin", (37.05, 36.59), (37.52, 36.37), (38.01, 36.82)],
        "outside": ["aleppo", "manbij"],
    },
    # Rastan, Talbiseh, al-Houla: the Astana zone between Homs and Hama cities,
    # straddling the Homs/Hama boundary.
    "northern_homs": {
        "name": "Northern Homs countryside",
        "govs": ["homs", "hama"],
        "region": [[36.45, 34.79], [36.86, 34.79], [36.93, 34.90], [36.86, 35.02],
                   [36.52, 35.02], [36.43, 34.92]],
        "inside": [(36.73, 34.92), (36.73, 34.84), (36.53, 34.88)],
        "outside": ["homs", "hama"],
    },
    # Douma, Kafr Batna, Zamalka, Saqba: the besieged enclave east of the capital. The west
    # edge sits just past the map's (slightly east-shifted) Damascus governorate outline,
    # so the pocket reads as "next to Damascus" rather than covering part of the city.
    "eastern_ghouta": {
        "name": "Eastern Ghouta",
        "govs": ["rif-dimashq"],
        "region": [[36.39, 33.47], [36.50, 33.46], [36.56, 33.53], [36.51, 33.61],
                   [36.40, 33.61]],
        "inside": [(36.42, 33.57), (36.45, 33.51)],
        "outside": ["damascus"],
        "avoid_govs": ["damascus"],
    },
    # The US-declared 55 km deconfliction zone around the al-Tanf garrison.
    "al_tanf": {
        "name": "al-Tanf",
        "govs": ["homs"],
        "region": _circle(38.63, 33.50, 55.0),
        "inside": ["al_tanf"],
        "outside": ["palmyra"],
    },
}

DRAW_ORDER = list(BIG_ZONES) + ["northern_homs", "afrin", "eastern_ghouta", "al_tanf"]


def _r(v: float, nd: int = DECIMALS) -> float:
    v = round(float(v), nd)
    return 0.0 if v == 0 else v  # no "-0.0" in the JSON


def _ring_json(r) -> list[list[float]]:
    return [[_r(x), _r(y)] for x, y in r]


LABEL_PAD = 12.0     # map units kept between a zone label and carved zones / place dots
LABEL_ASPECT = 0.6  # labels are wide: horizontal room counts for less than vertical


def label_point(zone: str, polys: dict[str, list[np.ndarray]],
                place_pts: np.ndarray) -> list[float]:
    """Visible point of the zone farthest from its outline (a pole of inaccessibility
    on a grid), kept off the carved zones drawn on top of it and off the place dots."""
    own = polys[zone]
    above = DRAW_ORDER[DRAW_ORDER.index(zone) + 1:]
    allpts = np.vstack(own)
    lo, hi = allpts.min(0), allpts.max(0)
    step = max(0.25, float(min(hi - lo)) / 80)
    gx = np.arange(lo[0] + step / 2, hi[0], step)
    gy = np.arange(lo[1] + step / 2, hi[1], step)
    pts = np.array([(x, y) for y in gy for x in gx])
    keep = points_in_polys(pts, own)
    for z in above:
        keep &= ~points_in_polys(pts, polys[z])
    pts = pts[keep]
    if len(pts) == 0:
        raise RuntimeError(f"zone {zone} has no visible area for a label")
    k = np.array([LABEL_ASPECT, 1.0])  # squash x so the search favours wide room

    def dist(rings):
        if not rings:
            return np.full(len(pts), np.inf)
        return np.concatenate([dist_to_edges(pts[i:i + 2000] * k, [r * k for r in rings])
                               for i in range(0, len(pts), 2000)])

    score = np.minimum(dist(list(own)), dist([r for z in above for r in polys[z]]) - LABEL_PAD)
    # Only dots on the zone's own visible area matter; outside ones sit past its edge.
    place_pts = place_pts[points_in_polys(place_pts, own)]
    for z in above:
        place_pts = place_pts[~points_in_polys(place_pts, polys[z])]
    if len(place_pts):
        dp = np.sqrt((((pts[:, None, :] - place_pts[None]) * k) ** 2).sum(2)).min(1)
        score = np.minimum(score, dp - LABEL_PAD)
    best = pts[int(np.argmax(score))]
    return [_r(best[0], 1), _r(best[1], 1)]


def build(svg_path: Path) -> tuple[dict, list[str]]:
    """Return the JSON document and a human-readable report."""
    report: list[str] = []
    viewbox, govlist = read_svg(svg_path)
    snap = Snapper()
    govs: dict[str, list[np.ndarray]] = {}
    gov_names: dict[str, str] = {}
    for gid, name, rings in govlist:
        cleaned = [clean_ring(r, snap) for r in rings]
        govs[gid] = [np.array(r) for r in cleaned if len(r) >= 3]
        gov_names[gid] = name

    # -- lon/lat fit
    ll = np.array([cp["lonlat"] for cp in CONTROL_POINTS], dtype=float)
    xy = np.array([control_xy(cp, govs) for cp in CONTROL_POINTS])
    coef, resid = fit_affine(ll, xy)
    rnorm = np.hypot(resid[:, 0], resid[:, 1])
    rms = float(np.sqrt(np.mean(rnorm ** 2)))
    report.append(f"affine fit x = {coef[0,0]:.3f}*lon + {coef[1,0]:.3f}*lat + {coef[2,0]:.2f}; "
                  f"y = {coef[0,1]:.3f}*lon + {coef[1,1]:.3f}*lat + {coef[2,1]:.2f}")
    for cp, p, r, n in zip(CONTROL_POINTS, xy, resid, rnorm):
        report.append(f"  {cp['id']:22s} xy=({p[0]:7.2f},{p[1]:7.2f}) "
                      f"residual=({r[0]:+5.2f},{r[1]:+5.2f}) |{n:4.2f}|")
    report.append(f"  rms residual {rms:.2f} map units (about {rms / coef[1,1] * -111:.1f} km)")

    # -- zones
    polys: dict[str, list[np.ndarray]] = {}
    for zid, (_, members) in BIG_ZONES.items():
        rings = dissolve([[tuple(p) for p in r] for g in members for r in govs[g]])
        polys[zid] = [np.array(r) for r in rings]
        report.append(f"zone {zid}: {len(rings)} ring(s), "
                      f"area {sum(abs(signed_area(r)) for r in polys[zid]):.0f}")

    place_xy = {pid: lonlat_to_xy(coef, [lon, lat])[0] for pid, (_, lon, lat) in PLACES.items()}
    for pid, gid in PLACE_PINS.items():
        pinned = area_centroid(govs[gid][0])
        shift = pinned - place_xy[pid]
        report.append(f"place {pid} pinned to the {gid} governorate centroid "
                      f"(shift {shift[0]:+.2f},{shift[1]:+.2f})")
        place_xy[pid] = pinned

    def check_pt(spec) -> tuple[str, np.ndarray]:
        if isinstance(spec, str):
            return spec, place_xy[spec]
        return str(spec), lonlat_to_xy(coef, spec)[0]

    for zid, spec in CARVED_ZONES.items():
        region = lonlat_to_xy(coef, spec["region"])
        # Outer rings only: Sutherland-Hodgman knows no holes; `avoid_govs` guards the one
        # hole there is (Damascus inside Rif Dimashq).
        pieces = [clip_convex(r, region) for g in spec["govs"] for r in govs[g][:1]]
        pieces = [clean_ring(p, snap) for p in pieces if len(p) >= 3]
        rings = dissolve([p for p in pieces if len(p) >= 3])
        if not rings:
            raise RuntimeError(f"carved zone {zid} is empty: check its region")
        polys[zid] = [np.array(r) for r in rings]
        for s in spec["inside"]:
            label, p = check_pt(s)
            if not points_in_polys(p[None], polys[zid])[0]:
                raise RuntimeError(f"carved zone {zid} should contain {label} at {p}")
        for s in spec["outside"]:
            label, p = check_pt(s)
            if points_in_polys(p[None], polys[zid])[0]:
                raise RuntimeError(f"carved zone {zid} should not contain {label} at {p}")
        for g in spec.get("avoid_govs", []):
            # Convex-ish neighbours: no vertex of either inside the other means no overlap.
            overlap = (points_in_polys(govs[g][0], polys[zid]).any()
                       or any(points_in_polys(r, govs[g][:1]).any() for r in polys[zid]))
            if overlap:
                raise RuntimeError(f"carved zone {zid} overlaps governorate {g}")
        report.append(f"zone {zid}: {len(rings)} ring(s), "
                      f"area {sum(abs(signed_area(r)) for r in polys[zid]):.0f}")

    names = {z: BIG_ZONES[z][0] for z in BIG_ZONES} | {z: CARVED_ZONES[z]["name"] for z in CARVED_ZONES}
    place_arr = np.array(list(place_xy.values()))
    zones = {}
    for zid in DRAW_ORDER:
        zones[zid] = {"name": names[zid],
                      "polygons": [_ring_json(r) for r in polys[zid]],
                      "label": label_point(zid, polys, place_arr)}

    places = {}
    for pid, (name, lon, lat) in PLACES.items():
        p = place_xy[pid]
        places[pid] = {"name": name, "lonlat": [lon, lat], "xy": [_r(p[0]), _r(p[1])]}
        if pid in PLACE_PINS:
            places[pid]["xy_from"] = f"centroid of the {PLACE_PINS[pid]} governorate outline"

    doc = {
        "viewbox": [_r(viewbox[0]), _r(viewbox[1])],
        "attribution": ATTRIBUTION,
        "source": "../shared/data/syria_governorates.svg",
        "geo_fit": {
            "comment": "x = ax*lon + bx*lat + cx; y = ay*lon + by*lat + cy "
                       "(least squares through control_points)",
            "ax": _r(coef[0, 0], 6), "bx": _r(coef[1, 0], 6), "cx": _r(coef[2, 0], 6),
            "ay": _r(coef[0, 1], 6), "by": _r(coef[1, 1], 6), "cy": _r(coef[2, 1], 6),
            "rms_residual": _r(rms, 3),
            "control_points": [
                {"id": cp["id"], "name": cp["name"], "lonlat": cp["lonlat"],
                 "xy": [_r(p[0]), _r(p[1])], "residual": [_r(r[0], 3), _r(r[1], 3)]}
                for cp, p, r in zip(CONTROL_POINTS, xy, resid)],
        },
        "draw_order": DRAW_ORDER,
        "governorates": {gid: {"name": gov_names[gid], "rings": [_ring_json(r) for r in govs[gid]]}
                         for gid in govs},
        "zones": zones,
        "places": places,
    }
    return doc, report


def dumps(doc: dict) -> str:
    """JSON with one key per line but each point list on a single line: readable
    diffs without a line per coordinate."""

    def flat(v) -> bool:  # a number pair or a list of number pairs
        return isinstance(v, list) and all(
            isinstance(e, (int, float)) or (isinstance(e, list) and
                                            all(isinstance(n, (int, float)) for n in e))
            for e in v)

    def emit(v, ind: int) -> str:
        pad, pad1 = " " * ind, " " * (ind + 1)
        if isinstance(v, dict):
            items = [f"{pad1}{json.dumps(k)}: {emit(x, ind + 1)}" for k, x in v.items()]
            return "{\n" + ",\n".join(items) + "\n" + pad + "}" if items else "{}"
        if isinstance(v, list) and v and not flat(v):
            items = [pad1 + emit(x, ind + 1) for x in v]
            return "[\n" + ",\n".join(items) + "\n" + pad + "]"
        return json.dumps(v, ensure_ascii=False, separators=(",", ":"))

    return emit(doc, 0) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--svg", type=Path, default=DEFAULT_SVG)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    doc, report = build(args.svg)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(dumps(doc), encoding="utf-8")
    if not args.quiet:
        print("\n".join(report))
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
