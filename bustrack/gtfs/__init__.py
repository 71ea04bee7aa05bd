"""GTFS Schedule: the feed model, its loader and service calendars.

``load_feed(path)`` reads a folder or a zip (the only I/O, with the ``FeedCache``
of built feeds); ``build_feed(files)`` does the validation and building from
bytes; everything else is plain data.
"""

from __future__ import annotations

from bustrack.gtfs.build import build_feed
from bustrack.gtfs.cache import FeedCache
from bustrack.gtfs.errors import FeedError
from bustrack.gtfs.load import load_feed
from bustrack.gtfs.model import (
    Agency,
    Calendar,
    Feed,
    Frequency,
    Route,
    Shape,
    Stop,
    Trip,
    Warning,
)
from bustrack.gtfs.progress import Progress, ProgressCallback
from bustrack.gtfs.service import service_day_start, services_on

__all__ = [
    "Agency",
    "Calendar",
    "Feed",
    "FeedCache",
    "FeedError",
    "Frequency",
    "Progress",
    "ProgressCallback",
    "Route",
    "Shape",
    "Stop",
    "Trip",
    "Warning",
    "build_feed",
    "load_feed",
    "service_day_start",
    "services_on",
]
