"""The application factory: one aiohttp app serving the page, its assets and /ws."""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bustrack.broker.hub import Hub
from bustrack.broker.publish import InProcessBroker
from bustrack.gtfs.model import Feed
from bustrack.live.clock import ClockPlan, plan_clock
from bustrack.live.devices import LiveDevices
from bustrack.live.fleet import Fleet
from bustrack.live.frames import TickFrames
from bustrack.live.predictions import Predictor
from bustrack.network import build_network
from bustrack.settings import Settings
from bustrack.sources.avl import DropoutModel
from bustrack.sources.checks import Limits
from bustrack.sources.simulation import Timetable
from bustrack.sources.traffic import TrafficModel
from bustrack.store import ReportStore
from bustrack.web import gtfsrt
from bustrack.web.alerts import add_alerts_routes
from bustrack.web.api import add_api_routes
from bustrack.web.basemap import Basemap, BasemapError, add_basemap_routes, read_header
from bustrack.web.feed import open_feed
from bustrack.web.feeder import feeder_ctx
from bustrack.web.gtfsrt_poll import gtfsrt_poll_ctx
from bustrack.web.headers import security_headers
from bustrack.web.health import add_health_routes
from bustrack.web.history import add_history_routes
from bustrack.web.ingest import MAX_BODY, add_ingest_routes, limits_key
from bustrack.web.keys import (
    clock_key,
    feed_key,
    fleet_key,
    frames_key,
    hub_key,
    live_key,
    network_key,
    predictor_key,
    publisher_key,
    routes_key,
    settings_key,
    store_key,
    tick_frames_key,
    timetable_key,
)
from bustrack.web.metrics import add_metrics
from bustrack.web.peers import Peers, peers_key, request_limits
from bustrack.web.pwa import add_pwa_routes
from bustrack.web.relay import relay_ctx
from bustrack.web.roles import broker_ctx, feeds, serves, use_redis
from bustrack.web.storage import store_ctx
from bustrack.web.ticker import ticker_ctx
from bustrack.web.views import STATIC_APP, STATIC_LEAFLET, STATIC_PROTOMAPS, index
from bustrack.web.ws import close_websockets, ws_handler
from bustrack.wire.protocol import route_infos

__all__ = ["FRONTEND_DIR", "TEST_NOW_ENV", "StartupError", "build_timetable", "create_app"]

log = logging.getLogger(__name__)

FRONTEND_DIR = Path(__file__).resolve().parents[2] / "frontend"
TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"


class StartupError(RuntimeError):
    """The app cannot start; the message says what to do."""


def build_timetable(feed: Feed, settings: Settings) -> Timetable:
    """``feed``'s timetable with the traffic and AVL dropouts ``settings`` ask for."""
    traffic = TrafficModel.for_feed(feed) if settings.traffic == "on" else None
    # AVL units that now and then go silent, as real ones do.
    dropouts = DropoutModel(rate=settings.dropout_rate) if settings.dropout_rate > 0 else None
    return Timetable(feed, traffic=traffic, dropouts=dropouts)


def create_app(
    settings: Settings,
    *,
    feed: Feed | None = None,
    now: dt.datetime | None = None,
    store: ReportStore | None = None,
    timetable: Timetable | None = None,
) -> web.Application:
    """Build the bustrack application.

    Args:
        settings: the operator's settings.
        feed: an already loaded feed (tests share one); loaded from
            ``settings.gtfs`` when None.
        now: the moment to plan the simulation clock for, as if it were the real one
            (default: ``$BUSTRACK_TEST_NOW`` if set, else the real moment). The simulation
            then runs on the real clock from there; frames keep real timestamps.
        store: where reports are kept (the caller opens and closes it); opened from
            ``settings.db`` when None.
        timetable: ``feed``'s timetable as :func:`build_timetable` makes it for these
            settings (tests share one, and with it the runs already worked out); built
            when None.

    Raises:
        StartupError: the frontend packages are not installed, or ``settings.basemap`` is
            not a PMTiles v3 file of vector tiles.
        FeedError: the feed cannot be loaded.
        ValueError: ``settings.start_time`` or ``settings.service_date`` is malformed,
            or the feed has no service on that date.
    """
    leaflet_dir = FRONTEND_DIR / "node_modules" / "leaflet" / "dist"
    if not leaflet_dir.is_dir():
        raise StartupError(
            f"Leaflet is not installed in {leaflet_dir.parent.parent}: "
            "run `npm ci --prefix frontend` (or `make run`)"
        )
    basemap = _open_basemap(settings)
    if feed is None:
        feed = open_feed(settings)
    if timetable is None:
        timetable = build_timetable(feed, settings)
    plan = _plan_clock(timetable, settings, now)
    if plan.note:
        log.warning("%s", plan.note)

    app = web.Application(
        client_max_size=MAX_BODY,  # bodies: ingest batches at most
        # With a basemap of its own, the page loads no image from the --tile-url host.
        middlewares=[
            security_headers("" if basemap else settings.tile_url),
            request_limits(),
        ],
    )
    app[peers_key] = Peers.of(settings)
    app[settings_key] = settings
    app[feed_key] = feed
    app[timetable_key] = timetable
    app[routes_key] = route_infos(feed)
    app[clock_key] = plan
    app[fleet_key] = Fleet()
    app[predictor_key] = Predictor(feed)
    app[tick_frames_key] = TickFrames(app[fleet_key])
    app[frames_key] = app[tick_frames_key]
    app[hub_key] = Hub(stuck_timeout=settings.stuck_timeout)
    app[publisher_key] = InProcessBroker(app[hub_key])
    app[network_key] = build_network(feed)
    app[live_key] = LiveDevices(timetable)
    if store is not None:
        app[store_key] = store
    app[limits_key] = Limits(bbox=app[network_key].bbox)  # the feed's stops' extent
    add_metrics(app)  # first of the cleanup contexts: --metrics-port is bound before the rest

    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html"]),
    )
    if settings.redis:
        use_redis(app, settings)
        app.cleanup_ctx.append(broker_ctx)
    if serves(settings):
        app.router.add_get("/", index, name="index")
        app.router.add_get("/ws", ws_handler, name="ws")
        gtfsrt.add_routes(app)
        add_alerts_routes(app)
        add_api_routes(app)
        add_ingest_routes(app)
        add_history_routes(app)
        app.router.add_static(STATIC_APP, FRONTEND_DIR / "src", name="static_app")
        app.router.add_static(STATIC_LEAFLET, leaflet_dir, name="static_leaflet")
        if basemap is not None:
            add_basemap_routes(app, basemap)
            app.router.add_static(STATIC_PROTOMAPS, _protomaps_dir(), name="static_protomaps")
        # The manifest, the favicon and the service worker (which keeps the basemap too).
        add_pwa_routes(app, leaflet_dir, _protomaps_dir() if basemap is not None else None)
    add_health_routes(app)
    app.cleanup_ctx.append(store_ctx)
    if feeds(settings):
        app.cleanup_ctx.append(gtfsrt_poll_ctx)
        if settings.redis:
            app.cleanup_ctx.append(feeder_ctx)
        app.cleanup_ctx.append(ticker_ctx)
    if serves(settings) and settings.redis:
        app.cleanup_ctx.append(relay_ctx)
    app.on_shutdown.append(close_websockets)
    return app


def _protomaps_dir() -> Path:
    return FRONTEND_DIR / "node_modules" / "protomaps-leaflet" / "dist"


def _open_basemap(settings: Settings) -> Basemap | None:
    """``settings.basemap`` checked (None without one); the renderer must be installed."""
    if not settings.basemap:
        return None
    path = Path(settings.basemap).expanduser()
    try:
        header = read_header(path)
    except BasemapError as err:
        raise StartupError(str(err)) from None
    if not (_protomaps_dir() / "protomaps-leaflet.js").is_file():
        raise StartupError(
            "protomaps-leaflet (for --basemap) is not installed in "
            f"{FRONTEND_DIR / 'node_modules'}: run `npm ci --prefix frontend` (or `make run`)"
        )
    return Basemap(path=path, header=header)


# The test suite sets this for every server it starts, in-process or not: a fixed moment
# (night in Mumbai, past the bundled calendar's end) instead of the machine's clock, so
# that no test's outcome depends on the hour or the date it runs at. Operators pin a
# moment with --service-date and --start-time instead.
TEST_NOW_ENV = "BUSTRACK_TEST_NOW"


def _plan_clock(timetable: Timetable, settings: Settings, now: dt.datetime | None) -> ClockPlan:
    real = dt.datetime.now(dt.UTC)
    if now is None and os.environ.get(TEST_NOW_ENV):
        now = dt.datetime.fromisoformat(os.environ[TEST_NOW_ENV])
        if now.tzinfo is None:
            raise ValueError(f"{TEST_NOW_ENV}={now.isoformat()} has no UTC offset")
    planned = now or real
    plan = plan_clock(timetable, planned, settings.start_time, settings.service_date)
    return plan.shifted(planned - real)
