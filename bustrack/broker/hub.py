"""The set of connected WebSocket clients, and fan-out to them.

A frame is built once per tick and written to every client's transport without
waiting for any of them (the ``websockets`` library's ``broadcast()`` does the
same). A client whose transport buffer is over the limit skips frames: it is
marked to get a fresh snapshot as soon as its buffer drains, so no queue grows
and it never replays a backlog. A client that stays unable to receive for
``stuck_timeout`` seconds is dropped.

A client watching stops at a glance gets a ``glance`` frame when it subscribes, then
only when the frame's content changed since the last one it got, and at most once every
``glance_every`` seconds (docs/protocol.md, ``glance``).

The caller owns the clock: :meth:`Hub.publish` takes the current monotonic time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

from aiohttp import WSCloseCode, web

from bustrack.wire.channels import ALL

__all__ = ["Client", "Frames", "Hub"]

log = logging.getLogger(__name__)

DEFAULT_BUFFER_LIMIT = 256 * 1024
DEFAULT_GLANCE_EVERY = 5.0  # seconds between a client's glance frames, at the least


@dataclass(eq=False, slots=True)
class Client:
    """One connected WebSocket and what the hub knows of its delivery state."""

    ws: web.WebSocketResponse
    transport: asyncio.Transport
    peer: str
    key: str = ALL
    deflate_bits: int = 0  # the window of per-message deflate it negotiated; 0: none
    stop: str | None = None  # also send this stop's arrivals each tick
    vehicle: str | None = None  # also send this bus's details each tick
    glance: tuple[str, ...] = ()  # also send these stops' next buses, when they change
    glance_sent: bytes | None = None  # the content of the last glance frame it got
    glance_at: float = 0.0  # when (monotonic) it got it
    needs_snapshot: bool = True
    snapshot_due: bool = False  # a snapshot it asked for is to be sent soon
    stuck_since: float | None = None
    frames_sent: int = 0
    frames_skipped: int = 0
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def buffered(self) -> int:
        """Bytes written to this client that the kernel has not taken yet."""
        return self.transport.get_write_buffer_size()


class Frames(Protocol):
    """Where the hub gets this tick's frames, each built once for everybody.

    Kinds: ``snapshot`` and ``update`` (key: a channel key), ``arrivals`` (key: a
    stop id) and ``vehicle`` (key: a vehicle id); and the ``glance`` of a few stops.
    """

    def frame(self, kind: str, key: str, deflate_bits: int = 0) -> bytes:
        """Return the complete WebSocket frame of ``kind`` for ``key``, compressed for a
        client that negotiated per-message deflate with window ``deflate_bits``."""
        ...

    def glance(self, stops: tuple[str, ...]) -> tuple[bytes, bytes]:
        """Return ``(content, frame)`` of the ``glance`` frame of ``stops`` (sorted ids),
        see :class:`~bustrack.live.glance.GlanceFrames`; LookupError if it has none yet."""
        ...


class Hub:
    """Tracks connected clients and writes shared frames to them."""

    def __init__(
        self,
        *,
        stuck_timeout: float = 30.0,
        buffer_limit: int = DEFAULT_BUFFER_LIMIT,
        glance_every: float = DEFAULT_GLANCE_EVERY,
    ) -> None:
        """Create an empty hub.

        Args:
            stuck_timeout: seconds a client may stay over ``buffer_limit`` before it
                is dropped.
            buffer_limit: bytes of unsent data above which a client skips frames.
            glance_every: seconds a client waits at least between two ``glance`` frames
                (the first after it subscribes goes at once).
        """
        self.clients: set[Client] = set()
        self.stuck_timeout = stuck_timeout
        self.buffer_limit = buffer_limit
        self.glance_every = glance_every
        self._now = 0.0  # the monotonic time of the last publish
        self.dropped_stuck = 0
        self.departed = 0  # clients that left, ever (the ticker's collector reads it)
        # Totals over every client, ever (/metrics reads them).
        self.frames_sent = 0
        self.bytes_sent = 0
        self.frames_skipped = 0
        self.drops: Counter[str] = Counter()  # clients closed by the server, by reason

    def add(self, client: Client) -> None:
        """Start tracking ``client``."""
        self.clients.add(client)

    def discard(self, client: Client) -> None:
        """Stop tracking ``client`` (no error if it is not tracked)."""
        if client in self.clients:
            self.clients.discard(client)
            self.departed += 1

    def _write(self, client: Client, frame: bytes) -> bool:
        if client.ws.closed or client.transport.is_closing():
            return False
        client.transport.write(frame)
        client.frames_sent += 1
        self.frames_sent += 1
        self.bytes_sent += len(frame)
        return True

    def behind(self, client: Client) -> bool:
        """Whether ``client`` has more unsent data than the buffer limit: it is not reading
        what it was sent, so nothing more is written to it until it drains."""
        return client.transport.get_write_buffer_size() > self.buffer_limit

    def send_snapshot(self, client: Client, frames: Frames, *, extras: bool = True) -> None:
        """Write this tick's snapshot of the client's channels to it (e.g. on connect or
        when it subscribes), and with ``extras`` the arrivals and bus details it asked for.

        A client that is :meth:`behind` gets nothing now: it is marked, and
        :meth:`publish` sends it the snapshot of that tick once it has drained. However
        often it asks meanwhile, it gets one snapshot, the newest.
        """
        client.needs_snapshot = True
        if self.behind(client):
            return
        if self._write(client, frames.frame("snapshot", client.key, client.deflate_bits)):
            client.needs_snapshot = False
            if extras:
                self._write_extras(client, frames)

    def request_snapshot(self, client: Client, frames: Frames) -> None:
        """Send ``client`` the snapshot it asked for (by subscribing) as soon as this burst
        of its messages has been read: however many it sent at once, it gets one, and
        none while it is :meth:`behind` (see :meth:`send_snapshot`)."""
        client.needs_snapshot = True
        if not client.snapshot_due:
            client.snapshot_due = True
            asyncio.get_running_loop().call_soon(self._snapshot_due, client, frames)

    def _snapshot_due(self, client: Client, frames: Frames) -> None:
        client.snapshot_due = False
        if client.needs_snapshot and client in self.clients:
            self.send_snapshot(client, frames)

    def _write_extras(self, client: Client, frames: Frames) -> None:
        # A board the frames do not have yet (a feeder builds it from the next tick on,
        # now that a client watches it) is sent when they do.
        if client.stop is not None:
            with contextlib.suppress(LookupError):
                self._write(client, frames.frame("arrivals", client.stop))
        if client.vehicle is not None:
            with contextlib.suppress(LookupError):
                self._write(client, frames.frame("vehicle", client.vehicle))
        if client.glance:
            self._write_glance(client, frames)

    def _write_glance(self, client: Client, frames: Frames) -> None:
        # Only news, and not too often: the first after subscribing goes at once.
        first = client.glance_sent is None
        if not first and self._now - client.glance_at < self.glance_every:
            return
        try:
            content, frame = frames.glance(client.glance)
        except LookupError:
            return
        if content != client.glance_sent and self._write(client, frame):
            client.glance_sent = content
            client.glance_at = self._now

    def watched(self) -> set[tuple[str, str]]:
        """The boards the clients watch: ``("arrivals", stop)``, ``("glance", stop)`` and
        ``("vehicle", bus)``."""
        out: set[tuple[str, str]] = set()
        for client in self.clients:
            if client.stop is not None:
                out.add(("arrivals", client.stop))
            if client.vehicle is not None:
                out.add(("vehicle", client.vehicle))
            out.update(("glance", stop) for stop in client.glance)
        return out

    def resync_all(self) -> None:
        """Mark every client to get a snapshot next (its frames came from another
        feeder run, or ticks were missed)."""
        for client in self.clients:
            client.needs_snapshot = True

    def publish(self, frames: Frames, now: float, *, extras: bool = True) -> None:
        """Send this tick's frames to every client, never waiting for any of them.

        Each client gets the ``update`` of its channels, or a ``snapshot`` if it
        missed frames. Clients with the same channels get the same bytes.

        Args:
            frames: this tick's frames (built lazily, once per distinct key).
            now: the current monotonic time, for the stuck-client timeout.
            extras: also send the stop's arrivals and the bus's details a client
                asked for; False leaves them to :meth:`publish_extras`.
        """
        # This loop runs once per client per tick (tens of thousands): it looks each
        # distinct update up once, and does no more per client than it must.
        self._now = now
        updates: dict[tuple[str, int], bytes] = {}
        limit = self.buffer_limit
        sent = sent_bytes = skipped = 0  # locals: cheaper than the hub's counters per client
        for client in list(self.clients):
            transport = client.transport
            if transport.get_write_buffer_size() > limit:
                client.frames_skipped += 1
                skipped += 1
                client.needs_snapshot = True
                if client.stuck_since is None:
                    client.stuck_since = now
                elif now - client.stuck_since > self.stuck_timeout:
                    self._drop_stuck(client)
                continue
            if client.stuck_since is not None:
                client.stuck_since = None
            if client.needs_snapshot:
                self.send_snapshot(client, frames, extras=extras)
                continue
            if transport.is_closing() or client.ws.closed:
                continue
            which = (client.key, client.deflate_bits)
            frame = updates.get(which)
            if frame is None:
                frame = updates[which] = frames.frame("update", *which)
            transport.write(frame)
            client.frames_sent += 1
            sent += 1
            sent_bytes += len(frame)
            if extras and (client.stop is not None or client.vehicle is not None or client.glance):
                self._write_extras(client, frames)
        self.frames_sent += sent
        self.bytes_sent += sent_bytes
        self.frames_skipped += skipped

    def publish_extras(self, frames: Frames) -> None:
        """Send this tick's arrivals, glances and bus details to the clients that asked for
        them (after :meth:`publish` with ``extras=False``), skipping those that are behind."""
        limit = self.buffer_limit
        for client in list(self.clients):
            if client.stop is None and client.vehicle is None and not client.glance:
                continue
            if client.needs_snapshot or client.transport.get_write_buffer_size() > limit:
                continue
            self._write_extras(client, frames)

    def _drop_stuck(self, client: Client) -> None:
        log.warning(
            "closing %s: it has not read for %.0f s (%d bytes waiting)",
            client.peer,
            self.stuck_timeout,
            client.buffered,
        )
        self.dropped_stuck += 1
        self.drops["stuck"] += 1
        self.discard(client)
        # Its buffer is full, so a close frame would never reach it: cut the connection.
        client.transport.abort()

    async def close_all(self, code: int = WSCloseCode.GOING_AWAY, message: bytes = b"") -> None:
        """Close every client's WebSocket with ``code`` (1001 by default) and forget them."""
        clients = list(self.clients)
        self.clients.clear()
        if clients:
            log.info("closing %d WebSocket(s) with code %d", len(clients), code)
        await asyncio.gather(
            *(c.ws.close(code=code, message=message) for c in clients), return_exceptions=True
        )
