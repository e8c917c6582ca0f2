"""The map: zones filled by controller, agreement zones hatched with a legend and their
guarantors, foreign forces and the Russian bases marked, a card for the zone under the
mouse (or pinned by a click)."""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache

import pygame

from sim.mapdata import MapData, fit_to, load_map, zone_at
from sim.ui import theme as th
from sim.ui import widgets as wd
from sim.ui.views.base import View

# Where to write the labels of zones too small to hold one: a point in map units, joined
# to the zone by a thin leader line. Other zones are labelled at the map's label point.
CALLOUTS = {
    "eastern_ghouta": (118.0, 418.0),
    "northern_homs": (60.0, 352.0),
    "al_tanf": (318.0, 528.0),
}
LABEL_AT = {"damascus": (170.0, 492.0), "afrin": (150.0, 96.0), "aleppo": (205.0, 170.0),
            "homs_palmyra": (215.0, 325.0)}
SHORT_NAMES = {"coast": "The coast", "damascus": "Damascus", "homs_palmyra": "Homs and Palmyra",
               "northern_homs": "N. Homs", "eastern_ghouta": "E. Ghouta", "afrin": "Afrin",
               "hasakah": "Hasakah", "deir_ez_zor": "Deir ez-Zor", "daraa": "Daraa"}
# Foreign bases drawn as markers: (map place, owner, label).
BASES = (("hmeimim", "russia", "Hmeimim air base"), ("tartus", "russia", "Tartus naval base"))

KIND_LABEL = {"de_escalation": "De-escalation", "ceasefire": "Ceasefire"}


@lru_cache(maxsize=1)
def default_map() -> MapData:
    return load_map()


def zone_label(zid: str, full_name: str) -> str:
    if zid in SHORT_NAMES:
        return SHORT_NAMES[zid]
    return full_name.split(" (")[0]


class MapRenderer:
    """Projects the map asset into a surface of a given size and pre-renders the zone layer
    (fills, agreement hatching, borders) once per (size, control, agreements) state."""

    def __init__(self, mapdata: MapData | None = None):
        self.m = mapdata or default_map()
        self._proj: dict = {}
        self._layers: OrderedDict = OrderedDict()

    def projection(self, size: tuple[int, int], margin: int) -> tuple[float, tuple[float, float], dict]:
        key = (tuple(size), margin)
        p = self._proj.get(key)
        if p is None:
            scale, (ox, oy) = fit_to(self.m, size[0], size[1], margin)
            polys = {zid: [[(float(x * scale + ox), float(y * scale + oy)) for x, y in ring]
                           for ring in z.polygons] for zid, z in self.m.zones.items()}
            p = (scale, (ox, oy), polys)
            if len(self._proj) > 16:
                self._proj.clear()
            self._proj[key] = p
        return p

    def to_screen(self, size, margin, x: float, y: float) -> tuple[int, int]:
        scale, (ox, oy), _ = self.projection(size, margin)
        return int(round(x * scale + ox)), int(round(y * scale + oy))

    def zone_at_screen(self, size, margin, pos: tuple[int, int]) -> str | None:
        scale, (ox, oy), _ = self.projection(size, margin)
        return zone_at(self.m, (pos[0] - ox) / scale, (pos[1] - oy) / scale)

    def zone_layer(self, size: tuple[int, int], margin: int, control: dict[str, str],
                   zones: dict[str, dict], changed: frozenset = frozenset(),
                   background: th.Colour | None = None) -> pygame.Surface:
        """Zones filled by their controller's colour; de-escalation zones hatched '/',
        ceasefire zones hatched '\\'; borders; zones in `changed` outlined in the accent
        colour. Cached per state (a handful of states are kept)."""
        status = tuple(sorted((z, v.get("status", ""), tuple(v.get("guarantors", ())))
                              for z, v in zones.items()))
        background = th.SEA if background is None else background  # the theme's, as it is now
        key = (tuple(size), margin, tuple(sorted(control.items())), status, changed, background, th.ACCENT)
        surf = self._layers.get(key)
        if surf is not None:
            self._layers.move_to_end(key)
            return surf
        scale, _, polys = self.projection(size, margin)
        surf = pygame.Surface(size)
        surf.fill(background)
        spacing = max(4, int(round(7 * max(scale, 0.5))))
        thick = 2 if scale > 0.9 else 1
        for zid in self.m.draw_order:
            holder = control.get(zid)
            fill = th.actor_colour(holder) if holder else (90, 90, 90)
            kind = zones.get(zid, {}).get("status")
            for ring in polys[zid]:
                pygame.draw.polygon(surf, fill, ring)
            if kind in ("de_escalation", "ceasefire"):
                colour = hatch_colour(kind, fill)
                direction = 1 if kind == "de_escalation" else -1
                mask = pygame.Surface(size, pygame.SRCALPHA)
                for ring in polys[zid]:
                    pygame.draw.polygon(mask, (255, 255, 255, 255), ring)
                mask.blit(wd.hatch(size, colour, spacing, thick, direction, 150), (0, 0),
                          special_flags=pygame.BLEND_RGBA_MULT)
                surf.blit(mask, (0, 0))
        for zid in self.m.draw_order:
            for ring in polys[zid]:
                pygame.draw.polygon(surf, th.ZONE_BORDER, ring, thick)
        for zid in self.m.draw_order:
            kind = zones.get(zid, {}).get("status")
            if kind in ("de_escalation", "ceasefire"):
                colour = th.DEESC_HATCH if kind == "de_escalation" else th.CEASEFIRE_HATCH
                for ring in polys[zid]:
                    pygame.draw.lines(surf, colour, True, ring, thick)
        for zid in changed:
            for ring in polys.get(zid, ()):
                pygame.draw.lines(surf, th.ACCENT, True, ring, thick + 1)
        self._layers[key] = surf
        if len(self._layers) > 8:
            self._layers.popitem(last=False)
        return surf


def hatch_colour(kind: str, fill: th.Colour) -> th.Colour:
    """Light hatching on dark fills, dark hatching on light ones (the direction of the lines
    and the outline colour tell a de-escalation from a ceasefire)."""
    if th.text_on(fill) != (250, 250, 250):
        return (34, 34, 44)
    return th.DEESC_HATCH if kind == "de_escalation" else th.CEASEFIRE_HATCH


def changed_zones(session, turn: int | None = None) -> frozenset:
    """Zones whose holder changed during `turn` (default: the current month)."""
    turn = session.turn if turn is None else turn
    if turn <= 0:
        return frozenset()
    try:
        before, after = session.figures(turn - 1)["control"], session.figures(turn)["control"]
    except KeyError:
        return frozenset()
    return frozenset(z for z in after if before.get(z) != after[z])


class MapView(View):
    key = "map"
    title = "Map"
    hotkey = "M"
    uses_map = True

    def __init__(self, state, renderer: MapRenderer | None = None):
        super().__init__(state)
        self.r = renderer or MapRenderer()
        self.hover: str | None = None
        self.legend_box = pygame.Rect(0, 0, 0, 0)
        self.legend_rects: list[pygame.Rect] = []
        self._size = (0, 0)
        self._last_mouse: tuple[int, int] | None = None

    # --- geometry ---------------------------------------------------------------------------

    def margin(self, size) -> int:
        return max(6, int(min(size) * 0.03))

    def zone_point(self, zid: str, size: tuple[int, int]) -> tuple[int, int]:
        """Screen point (in the view's surface) of a zone's label point."""
        x, y = self.r.m.zones[zid].label
        return self.r.to_screen(size, self.margin(size), x, y)

    def zone_at(self, pos: tuple[int, int], size: tuple[int, int] | None = None) -> str | None:
        size = size or self._size
        return self.r.zone_at_screen(size, self.margin(size), pos)

    # --- events -------------------------------------------------------------------------------

    def handle_event(self, event, local):
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and local is not None:
            z = self.zone_at(local)
            self.state.pinned_zone = None if z == self.state.pinned_zone else z
            return True
        return False

    # --- drawing ------------------------------------------------------------------------------

    def draw(self, surf: pygame.Surface, mouse: tuple[int, int] | None = None) -> None:
        size = surf.get_size()
        self._size = size
        mt = self.metrics(surf)
        margin = self.margin(size)
        s = self.session
        fig = s.figures()
        changed = changed_zones(s)
        surf.blit(self.r.zone_layer(size, margin, fig["control"], fig.get("zones", {}), changed), (0, 0))

        if mouse is not None and surf.get_rect().collidepoint(mouse):
            if mouse != self._last_mouse:
                self.hover = self.zone_at(mouse)
                self._last_mouse = mouse
        elif self.state.hover_zone is None:
            self.hover = None
            self._last_mouse = None
        focus = self.state.hover_zone or self.hover or self.state.pinned_zone
        if focus and focus in self.r.m.zones:
            _, _, polys = self.r.projection(size, margin)
            for ring in polys[focus]:
                pygame.draw.lines(surf, th.TEXT, True, ring, max(2, mt.px(3)))

        self._draw_labels(surf, mt, fig)
        self._draw_bases(surf, mt)
        self._draw_legend(surf, mt, fig, changed)
        if focus and focus in s.zone_ids:
            anchor = mouse if (mouse and self.hover == focus) else self.zone_point(focus, size)
            self._draw_card(surf, mt, focus, fig, anchor)

    def _draw_labels(self, surf, mt: th.Metrics, fig: dict) -> None:
        size = surf.get_size()
        margin = self.margin(size)
        forces = self.session.foreign_forces()
        ls = mt.small
        for zid, z in self.r.m.zones.items():
            if zid not in self.session.zone_ids:
                continue
            name = zone_label(zid, self.session.zone_name(zid))
            anchor_pt = self.r.to_screen(size, margin, *z.label)
            if zid in CALLOUTS:
                at = self.r.to_screen(size, margin, *CALLOUTS[zid])
                pygame.draw.line(surf, th.TEXT, anchor_pt, at, 1)
                pygame.draw.circle(surf, th.TEXT, anchor_pt, max(2, mt.px(3)))
            elif zid in LABEL_AT:
                at = self.r.to_screen(size, margin, *LABEL_AT[zid])
            else:
                at = anchor_pt
            r = wd.draw_text(surf, name, at, ls, th.TEXT, bold=True, anchor="center",
                             outline=th.ZONE_BORDER)
            units = forces.get(zid, [])
            if units:
                bs = mt.tiny
                rects = []
                x = 0
                for actor, _ in units:
                    w = th.text_width(self.session.short(actor), bs, True) + max(4, bs // 2)
                    rects.append((actor, w))
                    x += w + 3
                x = r.centerx - (x - 3) // 2
                y = r.bottom + 1 + th.line_height(bs, True) // 2
                for actor, w in rects:
                    wd.badge(surf, self.session.short(actor), (x + w // 2, y), bs, th.actor_colour(actor))
                    x += w + 3

    def _draw_bases(self, surf, mt: th.Metrics) -> None:
        size = surf.get_size()
        margin = self.margin(size)
        for place, owner, label in BASES:
            if place not in self.r.m.places or owner not in self.session.actor_ids:
                continue
            x, y = self.r.to_screen(size, margin, *self.r.m.places[place].xy)
            k = max(4, mt.px(6))
            pts = [(x, y - k), (x + k, y), (x, y + k), (x - k, y)]
            pygame.draw.polygon(surf, th.actor_colour(owner), pts)
            pygame.draw.polygon(surf, th.TEXT, pts, 1)
            short = label.split(" ")[0]
            img = th.text(short, mt.tiny, th.TEXT, bold=False, outline=th.ZONE_BORDER)
            rr = img.get_rect(midright=(x - k - 2, y))
            if rr.left < 0:
                rr = img.get_rect(midleft=(x + k + 2, y))
            surf.blit(img, rr)

    def _agreement_lines(self, fig: dict, kind: str) -> list[str]:
        """One line per agreement of `kind` in force: its zones and guarantors."""
        s = self.session
        out = []
        for ag in fig.get("agreements", []):
            if ag["kind"] != kind:
                continue
            zones = [zone_label(z, s.zone_name(z)) for z in ag["zones"]]
            where = ", ".join(zones) if len(zones) <= 3 else f"{', '.join(zones[:2])} +{len(zones) - 2}"
            g = " ".join(s.short(x) for x in ag["guarantors"]) or "no guarantor"
            out.append(f"{where}: {g}")
        return out

    def _legend_rows(self, fig: dict, holders: list[str], changed, detail: int) -> list[tuple]:
        s = self.session
        max_ag = 4
        rows: list[tuple] = [("title", "Held by")]
        rows += [("actor", a) for a in holders]
        rows += [("title", "Agreement zones: guarantors" if detail >= 2 else "Agreement zones")]
        for kind, label in (("de_escalation", "De-escalation zone"), ("ceasefire", "Ceasefire zone")):
            lines = self._agreement_lines(fig, kind)
            rows.append(("hatch", kind, label if lines else f"{label} (none in force)"))
            if detail >= 2:
                rows += [("text", t) for t in lines[:max_ag]]
                if len(lines) > max_ag:
                    rows.append(("text", f"and {len(lines) - max_ag} more (side panel)"))
        if detail >= 1:
            rows += [("title", "Markers")]
            rows += [("badge", "Foreign forces on the ground")]
            if any(owner in s.actor_ids for _, owner, _ in BASES):
                rows += [("base", "Russian base (Hmeimim, Tartus)")]
        if changed:
            rows += [("changed", "Changed hands this month")]
        return rows

    def _draw_legend(self, surf, mt: th.Metrics, fig: dict, changed) -> None:
        s = self.session
        ts = mt.tiny
        # rows are spaced by the rendered height of the text (a little more than the font's
        # line height), and the badge row by the badge's, so that no row runs into the next
        text_h = th.text("Ag", ts).get_height()
        lh = text_h + 2
        badge_h = text_h + max(2, ts // 5) + 2
        sw = max(10, ts)
        holders = [a for a in s.actor_ids if a in set(fig["control"].values())]
        W, H = surf.get_size()
        # The legend sheds detail on small surfaces: first the per-agreement lines, then the
        # markers section, so that it never covers more than about half the map's height.
        for detail in (2, 1, 0):
            rows = self._legend_rows(fig, holders, changed, detail)
            if len(rows) * lh <= H * 0.5:
                break
        # a row's indent before its text: none for titles, the swatch for items, and one more
        # step for the per-agreement lines under their swatch
        indent = {"title": 0, "text": sw + 6 + mt.pad}
        natural = 0
        for row in rows:
            label = s.name(row[1]) if row[0] == "actor" else row[-1]
            natural = max(natural, th.text_width(label, ts, row[0] == "title") + indent.get(row[0], sw + 6))
        width = min(natural + 2 * mt.pad, max(int(W * 0.34), 160), W - 8)
        text_w = width - 2 * mt.pad - indent["text"]
        heights, wrapped = [], []
        for row in rows:
            # every row advances by whole lines of `lh`, so a wrapped line never runs into the next
            lines = th.wrap(row[1], ts, text_w) if row[0] == "text" else []
            wrapped.append(lines)
            if row[0] == "text":
                heights.append(lh * len(lines))
            elif row[0] == "title":
                heights.append(th.text("Ag", ts, bold=True).get_height() + 4)
            elif row[0] == "badge":
                heights.append(badge_h)
            else:
                heights.append(lh)
        height = sum(heights) + 2 * mt.pad
        box = pygame.Rect(W - width - 4, H - height - 4, width, height)
        bg = pygame.Surface(box.size, pygame.SRCALPHA)
        bg.fill((*th.PANEL, 225))
        surf.blit(bg, box)
        pygame.draw.rect(surf, th.BORDER, box, 1)
        self.legend_box = box
        self.legend_rects = []  # every label and marker drawn (tests check that none overlap)
        x, y = box.x + mt.pad, box.y + mt.pad
        tx = x + sw + 6
        put = self.legend_rects.append
        for row, h, lines in zip(rows, heights, wrapped):
            kind = row[0]
            sw_rect = pygame.Rect(x, y + (lh - sw) // 2, sw, sw - 2)
            if kind == "title":
                put(wd.draw_text(surf, row[1], (x, y + 2), ts, th.ACCENT, bold=True, max_width=box.right - x - 4))
            elif kind == "actor":
                wd.swatch(surf, sw_rect, th.actor_colour(row[1]))
                put(wd.draw_text(surf, s.name(row[1]), (tx, y), ts, th.TEXT, max_width=box.right - tx - 4))
            elif kind == "hatch":
                col = th.DEESC_HATCH if row[1] == "de_escalation" else th.CEASEFIRE_HATCH
                wd.swatch(surf, sw_rect, (110, 110, 116), col, 1 if row[1] == "de_escalation" else -1)
                pygame.draw.rect(surf, col, sw_rect, 1)
                put(wd.draw_text(surf, row[2], (tx, y), ts, th.TEXT, max_width=box.right - tx - 4))
            elif kind == "text":
                for k, line in enumerate(lines):
                    put(wd.draw_text(surf, line, (x + indent["text"], y + k * lh), ts, th.TEXT_DIM))
            elif kind == "badge":
                sample = s.short(s.powers[0]) if s.powers else "XXX"
                r = wd.badge(surf, sample, (x, y + h // 2), ts, th.actor_colour(s.powers[0]) if s.powers
                             else th.TEXT_DIM, anchor="midleft")
                put(r)
                put(wd.draw_text(surf, row[1], (r.right + 6, y + h // 2), ts, th.TEXT, anchor="midleft",
                                 max_width=box.right - r.right - 10))
            elif kind == "base":
                cx, cy, k = x + sw // 2, y + lh // 2, max(4, sw // 2)
                pts = [(cx, cy - k), (cx + k, cy), (cx, cy + k), (cx - k, cy)]
                pygame.draw.polygon(surf, th.actor_colour("russia"), pts)
                pygame.draw.polygon(surf, th.TEXT, pts, 1)
                put(wd.draw_text(surf, row[1], (tx, y), ts, th.TEXT, max_width=box.right - tx - 4))
            elif kind == "changed":
                pygame.draw.rect(surf, th.ACCENT, sw_rect, 2)
                put(wd.draw_text(surf, row[1], (tx, y), ts, th.TEXT, max_width=box.right - tx - 4))
            y += h

    def card_lines(self, zid: str, fig: dict) -> list[tuple[str, th.Colour, bool]]:
        """What the zone's card says, line by line as (text, colour, bold): its holder, its
        status (under which agreement, guaranteed by whom), the foreign and other forces in
        it, its weight and who has influence there."""
        s = self.session
        w = s.world
        z = w.s.zone(zid)
        info = fig.get("zones", {}).get(zid, {})
        holder = fig["control"][zid]
        lines: list[tuple[str, th.Colour, bool]] = [
            (s.zone_name(zid), th.TEXT, True),
            (f"Held by {s.name(holder)}", th.readable(th.actor_colour(holder)), True)]
        status = info.get("status", "")
        if status in KIND_LABEL:
            g = ", ".join(s.name(x) for x in info.get("guarantors", [])) or "nobody"
            ag = next((a for a in fig.get("agreements", []) if a["kind"] == status and zid in a["zones"]), None)
            until = (f", until {ag['until']}" if ag.get("until") else ", open-ended") if ag else ""
            lines.append((f"{KIND_LABEL[status]} zone{until}; guaranteed by {g}", th.TEXT, False))
        elif status == "contested":
            lines.append(("Contested: hostile forces in it or next to it", th.ACCENT, False))
        elif status:
            lines.append(("Quiet: no hostile forces near", th.TEXT_DIM, False))
        own = float(w.ground[w.s.actor(holder), z])
        foreign = s.foreign_forces().get(zid, [])
        powers = {a for a, _ in foreign}
        others = sorted(((s.actor_ids[a], float(w.ground[a, z])) for a in range(w.s.A)
                         if w.ground[a, z] > 0.05 and s.actor_ids[a] != holder and s.actor_ids[a] not in powers),
                        key=lambda r: -r[1])
        lines.append((f"Holder's forces: {own:.1f}", th.TEXT_DIM, False))
        if foreign:
            lines.append(("Foreign forces:", th.ACCENT, True))
            lines += [(f"  {s.name(a)}  {g:.1f}", th.readable(th.actor_colour(a)), False) for a, g in foreign]
        else:
            lines.append(("Foreign forces: none", th.TEXT_DIM, False))
        if others:
            lines.append(("Other forces:", th.ACCENT, True))
            lines += [(f"  {s.name(a)}  {g:.1f}", th.readable(th.actor_colour(a)), False) for a, g in others]
        lines.append((f"Population {float(w.s.pop[z]):.1f} m, strategic value {float(w.s.value[z]):.2f}",
                      th.TEXT_DIM, False))
        zi = fig.get("zone_influence", {}).get(zid, {})
        if zi:
            top = sorted(zi.items(), key=lambda kv: -kv[1])[:4]
            lines.append(("Influence: " + ", ".join(f"{s.short(a)} {v:.0%}" for a, v in top), th.TEXT_DIM, False))
        return lines

    def _draw_card(self, surf, mt: th.Metrics, zid: str, fig: dict, anchor) -> None:
        W, H = surf.get_size()
        ts = mt.small
        lh = th.line_height(ts) + 1
        max_w = max(mt.px(200), min(int(W * 0.45), mt.px(380))) - 2 * mt.pad
        rows: list[tuple[str, th.Colour, bool]] = []
        for t, c, b in self.card_lines(zid, fig):
            for k, line in enumerate(th.wrap(t, ts, max_w, b)):
                rows.append(((" " * 4 if k else "") + line, c, b))
        width = min(max(th.text_width(t, ts, b) for t, _, b in rows) + 2 * mt.pad, W - 8)
        height = lh * len(rows) + 2 * mt.pad
        x, y = anchor[0] + mt.px(16), anchor[1] + mt.px(16)
        if x + width > W - 4:
            x = anchor[0] - width - mt.px(16)
        if y + height > H - 4:
            y = H - height - 4
        x, y = max(4, x), max(4, y)
        box = pygame.Rect(x, y, width, height)
        wd.panel(surf, box, th.PANEL_HI, th.TEXT, radius=6)
        yy = y + mt.pad
        for t, c, b in rows:
            wd.draw_text(surf, t, (x + mt.pad, yy), ts, c, bold=b, max_width=width - 2 * mt.pad)
            yy += lh
