"""Running the app on a socket: TLS, clear errors for unusable ports, clean shutdown.

On SIGTERM (or SIGINT) the server stops accepting, closes every WebSocket with 1001
"server shutting down" (the page reconnects, to the next process), gives the requests under
way :data:`SHUTDOWN_TIMEOUT` seconds to finish (an ingest batch being committed is
answered), then closes the store and exits. A connection that has not sent a whole
request's headers within ``--idle-timeout`` seconds, or idles that long between requests,
is closed.
"""

from __future__ import annotations

import asyncio
import errno
import gc
import logging
import signal
import ssl

from aiohttp import web

from bustrack.logs import AccessLogger
from bustrack.settings import Settings

__all__ = ["PortError", "serve", "ssl_context"]

log = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT = 5.0  # seconds in-flight requests (ingest commits) get to finish on SIGTERM


class PortError(Exception):
    """The server cannot listen on the requested address; the message says why and what to do."""


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """Return a server TLS context from ``--tls-cert``/``--tls-key``, or None for plain HTTP."""
    if not settings.tls_cert:
        return None
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(settings.tls_cert, settings.tls_key)
    return ctx


def _port_error(err: OSError, settings: Settings) -> PortError:
    where = f"{settings.host}:{settings.port}"
    if err.errno == errno.EADDRINUSE:
        why = f"port {settings.port} is already in use on {settings.host}"
    elif err.errno == errno.EACCES:
        why = f"no permission to listen on port {settings.port}"
    elif err.errno == errno.EADDRNOTAVAIL:
        why = f"address {settings.host} is not available on this machine (--host)"
    else:
        why = f"cannot listen on {where}: {err.strerror}"
    return PortError(f"{why}; choose another with --port or BUSTRACK_PORT")


async def serve(
    app: web.Application, settings: Settings, stop: asyncio.Event | None = None
) -> None:
    """Serve ``app`` until SIGINT/SIGTERM (or ``stop`` is set), then shut down cleanly.

    Raises:
        PortError: the address cannot be bound (in use, no permission, ...).
    """
    stop = stop or asyncio.Event()
    ctx = ssl_context(settings)
    # The access log without the ingest API's positions and tokens (bustrack.logs).
    # keepalive_timeout runs from the connection's start too: a client that has not sent
    # a whole request's headers by then (slowloris), or sits idle, is closed.
    runner = web.AppRunner(
        app,
        shutdown_timeout=SHUTDOWN_TIMEOUT,
        keepalive_timeout=settings.idle_timeout,
        access_log_class=AccessLogger,
    )
    await runner.setup()
    # The feed, timetable and indexes built so far live as long as the process: keep
    # the garbage collector from scanning them again; and collect between ticks only
    # (see bustrack.web.collector), not whenever allocations trip it mid-tick.
    gc.freeze()
    gc.disable()
    site = web.TCPSite(
        runner,
        settings.host,
        settings.port,
        ssl_context=ctx,
        reuse_port=settings.reuse_port or None,  # --workers: beside the other web processes
    )
    try:
        await site.start()
    except OSError as err:
        await runner.cleanup()
        raise _port_error(err, settings) from None
    scheme = "https" if ctx else "http"
    log.info("serving on %s://%s:%d/ (Ctrl+C to stop)", scheme, settings.host, settings.port)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        log.info("shutting down")
        await runner.cleanup()
