"""Colours for routes: the feed's ``route_color`` where it has one, else a stable pick.

Pure; no I/O. The same route id always gets the same colour, across runs and machines.
"""

from __future__ import annotations

import zlib

from bustrack.gtfs.model import Route

__all__ = ["PALETTE", "route_color", "text_color_for"]

# Twelve colours that read well on OpenStreetMap tiles and against white text.
PALETTE = (
    "#c62828", "#ad1457", "#6a1b9a", "#4527a0", "#283593", "#1565c0",
    "#00695c", "#2e7d32", "#9e5b00", "#d84315", "#4e342e", "#37474f",
)  # fmt: skip


def route_color(route: Route) -> str:
    """Return the CSS colour of ``route``: its ``route_color``, else a palette colour."""
    if route.color:
        return "#" + route.color.lower()
    return PALETTE[zlib.crc32(route.route_id.encode()) % len(PALETTE)]


def text_color_for(route: Route) -> str:
    """Return the CSS colour for text on ``route``'s colour."""
    if route.text_color:
        return "#" + route.text_color.lower()
    if route.color:
        r, g, b = (int(route.color[i : i + 2], 16) for i in (0, 2, 4))
        return "#000000" if (0.299 * r + 0.587 * g + 0.114 * b) > 160 else "#ffffff"
    return "#ffffff"
