"""Where a feeder's ticks go: the broker interface, and its two implementations.

The ticker calls :meth:`Publisher.fleet` as soon as the buses have moved, then
:meth:`Publisher.boards` once the predictor has learnt from the tick, so that the map's
frames never wait for the predictions.

- :class:`InProcessBroker` (one process, no ``--redis``): the hub of this very process
  writes the frames to its clients, built lazily for the channels they watch.
- :class:`RedisPublisher`: every channel's parts, encoded and compressed once, go to
  Redis for every web process (:mod:`bustrack.broker.redis`), and so do the boards
  some web process's clients watch.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Protocol

from bustrack.broker.hub import Hub
from bustrack.broker.message import encode_boards, encode_fleet
from bustrack.broker.redis import RedisBroker, broker_errors, safe_url
from bustrack.broker.remote import boards_message, fleet_message
from bustrack.live.frames import TickFrames

__all__ = ["InProcessBroker", "Publisher", "RedisPublisher"]

log = logging.getLogger(__name__)


class Publisher(Protocol):
    """Takes each tick's frames from the ticker to the clients."""

    async def fleet(self, frames: TickFrames, now: float) -> None:
        """Send the tick's fleet frames on (``now``: the monotonic time, for the hub)."""
        ...

    async def boards(self, frames: TickFrames) -> None:
        """Send the tick's boards (arrivals, bus details) on."""
        ...


class InProcessBroker:
    """Hands each tick straight to this process's hub."""

    def __init__(self, hub: Hub) -> None:
        """Publish to ``hub``'s clients."""
        self.hub = hub

    async def fleet(self, frames: TickFrames, now: float) -> None:
        """Write the fleet frames to every client now."""
        self.hub.publish(frames, now, extras=False)

    async def boards(self, frames: TickFrames) -> None:
        """Write the boards to the clients that asked for them."""
        self.hub.publish_extras(frames)


class RedisPublisher:
    """Publishes each tick to Redis as one feeder run (``epoch``), ticks numbered on."""

    def __init__(self, broker: RedisBroker) -> None:
        """Publish through ``broker``; call :meth:`new_run` when this feeder takes over."""
        self.broker = broker
        self.epoch = ""
        self.seq = 0
        self.receivers = 0  # web processes that got the last tick
        self.failed = 0  # ticks not published since Redis went away
        self.new_run()

    def new_run(self) -> None:
        """Start a new run: web processes resync their clients on its first tick."""
        self.epoch = uuid.uuid4().hex[:12]
        self.seq = 0

    async def fleet(self, frames: TickFrames, now: float) -> None:
        """Publish every channel's parts of the tick."""
        self.seq += 1
        data = encode_fleet(fleet_message(frames.fleet, self.epoch, self.seq))
        try:
            self.receivers = await self.broker.publish("fleet", data)
        except broker_errors as err:
            self._lost(err)
            return
        if self.failed:
            log.warning(
                "publishing to Redis again after %d missed ticks (web processes resync)",
                self.failed,
            )
            self.failed = 0

    async def boards(self, frames: TickFrames) -> None:
        """Publish the boards that web processes' clients watch."""
        if frames.boards is None or self.failed:
            return
        try:
            wanted = await self.broker.watched(time.time())
            msg = boards_message(frames.boards, wanted, self.epoch, self.seq)
            await self.broker.publish("boards", encode_boards(msg))
        except broker_errors as err:
            self._lost(err)

    def _lost(self, err: Exception) -> None:
        if not self.failed:
            log.warning(
                "cannot publish to Redis at %s (%s): ticks go on here, unseen",
                safe_url(self.broker.url),
                err or type(err).__name__,
            )
        self.failed += 1
