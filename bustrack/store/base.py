"""The storage interface: what the server and the CLI ask of a store.

An ``append`` that returns has committed: every report it says it stored is on disk and
survives a ``kill -9`` of the server at any moment after. The interface is small so that
another engine can implement it (see tests/store/ for the tests every engine passes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bustrack.sources.report import Report

__all__ = ["Device", "ReportStore", "StoreError"]


class StoreError(RuntimeError):
    """The store cannot be opened or used; the message says what to do."""


@dataclass(frozen=True, slots=True)
class Device:
    """A GPS unit or phone allowed to send positions: its id, what it is bound to (a
    route or a trip, or neither), and whether its token was revoked."""

    device: str
    route_id: str = ""
    trip_id: str = ""
    label: str = ""
    created: float = 0.0
    revoked: float | None = None


class ReportStore(Protocol):
    """Where reports and devices are kept."""

    async def append(self, reports: Sequence[Report]) -> list[bool]:
        """Commit ``reports``; for each, True if stored, False if the store already had
        the device's report of that moment (a retried batch stores nothing twice)."""
        ...

    async def history(self, device: str, start: float, end: float) -> list[Report]:
        """The device's reports from ``start`` to ``end`` (Unix s, both included), in time."""
        ...

    async def latest(self, since: float) -> list[Report]:
        """Each device's last report at or after ``since``: what is live after a restart."""
        ...

    async def positions_at(
        self, at: float, window: float, bbox: tuple[float, float, float, float] | None
    ) -> list[Report]:
        """Each device's last report from ``at - window`` to ``at`` (Unix s), inside
        ``bbox`` (west, south, east, north) if given: where every bus was at ``at``."""
        ...

    async def prune(self, before: float) -> int:
        """Forget the reports older than ``before`` (Unix s); return how many went."""
        ...

    async def device_for_token(self, token: str) -> Device | None:
        """The device whose (unrevoked) token this is, or None."""
        ...

    async def close(self) -> None:
        """Finish what was handed in and close."""
        ...
