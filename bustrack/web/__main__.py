"""``python -m bustrack.web``: parse settings, load the feed, serve.

Operator errors (bad settings, a broken feed, a port in use, Redis unreachable) end with
a one-line message and exit status 2, never a traceback. With ``--workers N`` this process
supervises N web processes (and a feeder) instead (:mod:`bustrack.web.workers`).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence

from bustrack.broker.redis import RedisUnavailable, check_redis
from bustrack.gtfs import FeedError
from bustrack.logs import configure_logging
from bustrack.settings import SettingsError, parse_settings
from bustrack.web.app import StartupError, create_app
from bustrack.web.feed import open_feed
from bustrack.web.progress import progress_reporter
from bustrack.web.serve import PortError, serve
from bustrack.web.workers import run_workers

__all__ = ["main"]

log = logging.getLogger("bustrack")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server; return the process exit status."""
    try:
        settings = parse_settings(argv)
    except SettingsError as err:
        print(f"bustrack: error: {err}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    if settings.workers > 0:
        try:
            asyncio.run(check_redis(settings.redis))
        except RedisUnavailable as err:
            print(f"bustrack: error: {err}", file=sys.stderr)
            return 2
        return run_workers(list(sys.argv[1:] if argv is None else argv), settings)
    try:
        log.info("loading GTFS feed %s", settings.gtfs)
        feed = open_feed(settings, progress_reporter(sys.stderr))
        app = create_app(settings, feed=feed)
        asyncio.run(serve(app, settings))
    except (FeedError, StartupError, PortError, RedisUnavailable, ValueError, OSError) as err:
        print(f"bustrack: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
