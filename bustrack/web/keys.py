"""Typed keys for everything the application stores, declared in one place."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bustrack.broker.hub import Frames, Hub
from bustrack.broker.publish import Publisher
from bustrack.broker.redis import RedisBroker
from bustrack.gtfs.model import Feed
from bustrack.live.clock import ClockPlan
from bustrack.live.devices import LiveDevices
from bustrack.live.fleet import Fleet
from bustrack.live.frames import TickFrames
from bustrack.live.predictions import Predictor
from bustrack.network import Network
from bustrack.settings import Settings
from bustrack.sources.simulation import Timetable
from bustrack.store import ReportStore
from bustrack.wire.protocol import RouteInfo

__all__ = [
    "broker_key",
    "clock_key",
    "feed_key",
    "fleet_key",
    "frames_key",
    "hub_key",
    "leader_key",
    "live_key",
    "network_key",
    "predictor_key",
    "publisher_key",
    "routes_key",
    "settings_key",
    "store_key",
    "tick_frames_key",
    "ticker_key",
    "timetable_key",
]

settings_key = web.AppKey("settings", Settings)
feed_key = web.AppKey("feed", Feed)
timetable_key = web.AppKey("timetable", Timetable)
routes_key: web.AppKey[dict[str, RouteInfo]] = web.AppKey("routes")
clock_key = web.AppKey("clock", ClockPlan)
fleet_key = web.AppKey("fleet", Fleet)
hub_key = web.AppKey("hub", Hub)
network_key = web.AppKey("network", Network)
predictor_key = web.AppKey("predictor", Predictor)
# The frames the hub sends: the ticker's own (one process), or a feeder's through Redis.
frames_key: web.AppKey[Frames] = web.AppKey("frames")
tick_frames_key = web.AppKey("tick_frames", TickFrames)  # what this process's ticker builds
publisher_key: web.AppKey[Publisher] = web.AppKey("publisher")
broker_key = web.AppKey("broker", RedisBroker)  # with --redis
leader_key = web.AppKey("leader", asyncio.Event)  # set while this process is the active feeder
ticker_key = web.AppKey("ticker", asyncio.Task[None])
live_key = web.AppKey("live", LiveDevices)
store_key = web.AppKey("store", ReportStore)
