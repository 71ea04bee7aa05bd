"""A client's view of the fleet, built from /ws frames as docs/protocol.md says."""

from __future__ import annotations

from typing import Any

FULL_FIELDS = (
    "n", "id", "route_id", "route", "headsign", "color", "lat", "lon", "bearing", "reported"
)  # fmt: skip


class ClientState:
    """Vehicles by id, kept from a snapshot and the updates after it."""

    def __init__(self) -> None:
        self.vehicles: dict[str, dict[str, Any]] = {}
        self.ids: dict[int, str] = {}
        self.ts = 0

    def apply(self, frame: dict[str, Any]) -> None:
        """Apply one snapshot or update frame."""
        if frame["type"] == "snapshot":
            self.vehicles.clear()
            self.ids.clear()
        parts = frame["parts"]
        for part in parts:
            for n in part["l"]:
                vid = self.ids.pop(n)
                del self.vehicles[vid]
        for part in parts:
            for rec in part["e"]:
                v = dict(zip(FULL_FIELDS, rec, strict=False))
                self.vehicles[v["id"]] = v
                self.ids[v["n"]] = v["id"]
            for n, lat, lon, bearing in part["m"]:
                v = self.vehicles[self.ids[n]]
                v.update(lat=lat, lon=lon, bearing=bearing)
        self.ts = frame["ts"]


def vehicles_of(frame: dict[str, Any]) -> list[dict[str, Any]]:
    """Return a snapshot's vehicles as dicts."""
    return [dict(zip(FULL_FIELDS, rec, strict=False)) for p in frame["parts"] for rec in p["e"]]
