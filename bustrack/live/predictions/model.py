"""What the predictor takes and gives: reports in, arrivals out, and its tuning.

Pure data: no I/O, no clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple, Protocol

__all__ = ["Arrival", "Eta", "Observation", "PredictorConfig"]


class Observation(Protocol):
    """What an AVL unit reports about a bus; :class:`bustrack.sources.simulation.Vehicle` is one.

    ``service_day`` and ``run_start`` name the run (GTFS-rt's start date and
    time: service-day seconds of its scheduled first departure); ``distance`` is
    metres along the trip from its first stop; ``next_stop`` the index of the stop
    it is heading to or standing at; ``timestamp`` when it was there (Unix s).
    """

    @property
    def vehicle_id(self) -> str:
        """The vehicle's id."""

    @property
    def trip_id(self) -> str:
        """The GTFS trip it runs."""

    @property
    def service_day(self) -> dt.date | None:
        """The run's service date."""

    @property
    def run_start(self) -> int:
        """The run's scheduled first departure, service-day seconds."""

    @property
    def distance(self) -> float:
        """Metres along the trip from its first stop."""

    @property
    def next_stop(self) -> int:
        """Index of the stop it is heading to (or standing at)."""

    @property
    def timestamp(self) -> float:
        """When the report was made, Unix seconds (0: the tick's time)."""


class Eta(NamedTuple):
    """A predicted arrival of one run at one stop of its trip.

    Times are Unix seconds. ``uncertainty_s`` is one standard deviation.
    ``departure_ts`` is the predicted departure (the arrival at the last stop).
    A bus standing at the stop has its observed arrival as ``eta_ts``.
    A named tuple rather than a dataclass: tens of thousands are made each tick.
    """

    stop_index: int
    stop_id: str
    eta_ts: float
    uncertainty_s: float
    scheduled_ts: float
    departure_ts: float


@dataclass(frozen=True, slots=True)
class Arrival:
    """One bus expected at a stop: live (predicted) or not yet under way (scheduled).

    ``vehicle_id`` is None for a run not yet under way; its ``eta_ts`` is its
    scheduled time, or, if that has passed, the earliest it can still come
    (leaving its first stop now), and its ``uncertainty_s`` is 0: nothing is known.
    """

    vehicle_id: str | None
    trip_id: str
    route_id: str
    headsign: str
    stop_index: int
    service_day: dt.date
    run_start: int
    eta_ts: float
    uncertainty_s: float
    live: bool
    scheduled_ts: float


@dataclass(frozen=True, slots=True)
class PredictorConfig:
    """Tuning of the :class:`~bustrack.live.predictions.Predictor`; the defaults suit a city
    bus network.

    ``history`` off gives OneBusAway's rule alone (timetable running times,
    deviation carried forward and absorbed by slack). Time constants are how long
    a level takes to forget (fall back by 1/e to its parent) without new data;
    ``*_var`` are the levels' variances in log pace (running) or s² (dwell);
    ``run_noise_var`` and ``dwell_noise_var`` start the per-vehicle noise estimates,
    which then follow the observed innovations.
    """

    history: bool = True
    hold: bool = True
    network_time_s: float = 3 * 3600.0
    network_var: float = 0.3**2
    area_time_s: float = 3600.0
    area_var: float = 0.25**2
    segment_time_s: float = 3600.0
    segment_var: float = 0.15**2
    run_noise_var: float = 0.13**2
    own_prior_n: float = 4.0
    dwell_cap_s: float = 30.0
    dwell_network_var: float = 10.0**2
    dwell_stop_time_s: float = 3 * 3600.0
    dwell_stop_var: float = 8.0**2
    dwell_noise_var: float = 8.0**2
    noise_memory: float = 500.0
    calibrate_every_s: float = 120.0
    calibration_memory: float = 2000.0
    max_wait_s: float = 900.0
    forget_s: float = 6 * 3600.0
