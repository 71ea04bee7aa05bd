"""Typed keys for everything the application stores, declared in one place."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bustrack.clock import ClockPlan
from bustrack.fleet import Fleet
from bustrack.frames import TickFrames
from bustrack.gtfs.model import Feed
from bustrack.hub import Hub
from bustrack.live.devices import LiveDevices
from bustrack.network import Network
from bustrack.predictions import Predictor
from bustrack.protocol import RouteInfo
from bustrack.settings import Settings
from bustrack.simulation import Timetable
from bustrack.store import ReportStore

__all__ = [
    "clock_key",
    "feed_key",
    "fleet_key",
    "frames_key",
    "hub_key",
    "live_key",
    "network_key",
    "predictor_key",
    "routes_key",
    "settings_key",
    "store_key",
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
frames_key = web.AppKey("frames", TickFrames)
ticker_key = web.AppKey("ticker", asyncio.Task[None])
live_key = web.AppKey("live", LiveDevices)
store_key = web.AppKey("store", ReportStore)
