"""Traffic: how late and how slowly each run of a timetable really goes.

Pure and deterministic: no I/O, no clock, no global random state. Every random
draw comes from a generator seeded with the model's seed and ids or dates (trip
id, service date, run start, stop id, zone name), so the same feed, model and run
always give the same actual times, in any process and in any order.

A run of a trip, on a service day, starting at its scheduled ``run_start``:

- leaves its first stop late by a skewed random delay (``max_start_delay_s *
  u ** start_delay_shape``, ``u`` uniform in [0, 1)): most runs a little late,
  a few very late;
- runs each stop-to-stop segment in its scheduled running time times a factor:
  the time of day (``free_flow`` off-peak, plus a bump at each :class:`Peak`),
  plus the slow :class:`Zone` s the segment lies in (each zone's slowdown varies
  smoothly through the day, so what the previous bus saw there still tells),
  times a per-run factor (the driver) and per-segment noise; the factor is
  evaluated when the bus enters the segment, and clamped to
  [``MIN_FACTOR``, ``MAX_FACTOR``];
- dwells at each intermediate stop for a boarding time that depends on the stop
  (some stops are busier), on the time of day and on chance;
- when ``hold`` is set, never leaves a stop before its scheduled departure (a
  bus running early waits: the timetable's slack absorbs earliness, and a late
  bus that only needs a short boarding time makes up the rest of the dwell).

:class:`Traffic` applies a :class:`TrafficModel` to a feed; the simulator asks it
for :meth:`Traffic.run_times`. Predictions must never see these times: they are
the truth the predictions are scored against.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from array import array
from dataclasses import dataclass, replace
from statistics import NormalDist

from bustrack.geo import EARTH_RADIUS_M
from bustrack.gtfs.model import Feed, Stop, Trip

__all__ = [
    "MAX_BOARDING_S",
    "MAX_FACTOR",
    "MIN_FACTOR",
    "Peak",
    "RunTimes",
    "Traffic",
    "TrafficModel",
    "Zone",
    "default_zones",
]

DAY = 86_400
MIN_FACTOR = 0.5  # a segment never runs in less than half its scheduled time...
MAX_FACTOR = 3.0  # ...nor in more than three times it
MAX_BOARDING_S = 120.0  # longest boarding time at one stop
_NORMAL = NormalDist()


@dataclass(frozen=True, slots=True)
class Peak:
    """A rush hour: running times grow by ``slowdown`` (a fraction) at ``centre``.

    The bump is Gaussian in time: ``slowdown * exp(-((t - centre) / width) ** 2 / 2)``,
    ``t``, ``centre`` and ``width`` in seconds of the day.
    """

    centre: float
    width: float
    slowdown: float


@dataclass(frozen=True, slots=True)
class Zone:
    """A slow area: every segment near the line from point 1 to point 2 slows down.

    A circle is a zone whose two points are the same. Segments whose midpoint is
    within ``radius_m`` of the line get the full slowdown, which then fades over
    another ``radius_m``. The slowdown (a fraction of the scheduled running time)
    is ``slowdown`` scaled by how busy the hour is (one third off-peak, all of it
    at the peaks) and by a slow wave of period ``period_s`` whose phase changes
    from day to day.
    """

    name: str
    lat1: float
    lon1: float
    lat2: float
    lon2: float
    radius_m: float
    slowdown: float
    period_s: float = 5400.0

    def weight(self, lat: float, lon: float) -> float:
        """Return how much of the zone's slowdown applies at a point: 1 inside, fading to 0."""
        d = _distance_to_line_m(lat, lon, self.lat1, self.lon1, self.lat2, self.lon2)
        if d <= self.radius_m:
            return 1.0
        x = (d - self.radius_m) / (0.5 * self.radius_m)
        w = math.exp(-x * x)
        return w if w >= 0.02 else 0.0


@dataclass(frozen=True, slots=True)
class TrafficModel:
    """The parameters of simulated traffic; see the module docstring for their use.

    Defaults give a Mumbai-like day on a 15 km/h timetable: runs start 0 to 8 min
    late (2.7 min on average), roads are a little faster than the timetable at
    dawn, 30 % slower at the morning peak and 40 % at the evening peak, and slower
    still in the zones.
    """

    seed: int = 1
    max_start_delay_s: float = 480.0
    start_delay_shape: float = 2.0
    free_flow: float = 0.9
    peaks: tuple[Peak, ...] = (
        Peak(9.75 * 3600, 1.25 * 3600, 0.3),
        Peak(18.75 * 3600, 1.5 * 3600, 0.4),
    )
    zones: tuple[Zone, ...] = ()
    zone_wave: float = 0.5
    run_sigma: float = 0.05
    segment_sigma: float = 0.12
    min_dwell_s: float = 6.0
    dwell_mean_s: float = 12.0
    stop_sigma: float = 0.5
    dwell_sigma: float = 0.35
    dwell_peak: float = 0.6
    hold: bool = True

    @classmethod
    def for_feed(cls, feed: Feed, seed: int = 1, zones: int = 8) -> TrafficModel:
        """Return the default model with ``zones`` slow zones placed on ``feed``'s busy stops."""
        return cls(seed=seed, zones=default_zones(feed, seed, zones))

    def without_noise(self) -> TrafficModel:
        """Return this model with no randomness left: no start delay, no per-run or per-visit noise.

        Stops still differ in boarding time (that is a property of the stop).
        """
        return replace(
            self, max_start_delay_s=0.0, run_sigma=0.0, segment_sigma=0.0, dwell_sigma=0.0
        )


@dataclass(frozen=True, slots=True)
class RunTimes:
    """The actual times of one run: service-day seconds at each stop of its trip."""

    arrivals: array[float]
    departures: array[float]
    start_delay: float


def default_zones(feed: Feed, seed: int = 1, count: int = 8) -> tuple[Zone, ...]:
    """Place ``count`` slow zones on ``feed``: corridors and circles around busy stops.

    Centres are drawn among the stops, more likely the more trips serve them, at
    least 3 km apart; a corridor runs from its centre to another served stop 1.5
    to 5 km away. Deterministic for a feed and a seed.
    """
    served: dict[str, int] = {}
    for trip in feed.trips.values():
        for sid in trip.stop_ids:
            served[sid] = served.get(sid, 0) + 1
    if not served:
        return ()
    # Weighted sampling without replacement: the smallest -log(u) / weight first.
    order = sorted(served, key=lambda s: (-math.log(_unit(seed, "zone-centre", s)) / served[s], s))
    stops = feed.stops
    zones: list[Zone] = []
    for sid in order:
        if len(zones) >= count:
            break
        c = stops[sid]
        if any(_metres(c.lat, c.lon, z.lat1, z.lon1) < 3000 for z in zones):
            continue
        rng = random.Random(_seed_int(seed, "zone", sid))
        end = _corridor_end(c, served, stops, rng) if rng.random() < 0.75 else c
        zones.append(
            Zone(
                name=f"zone-{len(zones) + 1}",
                lat1=c.lat,
                lon1=c.lon,
                lat2=end.lat,
                lon2=end.lon,
                radius_m=rng.uniform(400.0, 1000.0),
                slowdown=rng.uniform(0.3, 0.8),
                period_s=rng.uniform(3600.0, 3 * 3600.0),
            )
        )
    return tuple(zones)


def _corridor_end(
    c: Stop, served: dict[str, int], stops: dict[str, Stop], rng: random.Random
) -> Stop:
    ring = sorted(
        sid
        for sid in served
        if 1500.0 <= _metres(c.lat, c.lon, stops[sid].lat, stops[sid].lon) <= 5000.0
    )
    return stops[rng.choice(ring)] if ring else c


class Traffic:
    """A :class:`TrafficModel` applied to one feed.

    Memoises what does not change from run to run (each trip's segments' zones,
    each stop's busyness, each day's zone phases); :meth:`run_times` itself is a
    pure function of its arguments.
    """

    def __init__(self, feed: Feed, model: TrafficModel) -> None:
        """Prepare ``model`` for ``feed`` (nothing is computed until asked)."""
        self.feed = feed
        self.model = model
        self._segment_zones: dict[str, tuple[tuple[tuple[int, float], ...], ...]] = {}
        self._busy: dict[str, float] = {}
        self._phases: dict[dt.date, tuple[float, ...]] = {}
        # The peaks' sum, tabulated every minute of the day (interpolated in between).
        self._peak_table = [
            sum(p.slowdown * _bump(60.0 * i, p) for p in model.peaks) for i in range(1441)
        ]
        self._top = max((p.slowdown for p in model.peaks), default=0.0)

    # Public methods.

    def run_times(self, trip: Trip, day: dt.date, run_start: int) -> RunTimes:
        """Return the actual stop times of the run of ``trip`` starting at ``run_start`` on ``day``.

        Args:
            trip: the trip.
            day: the service date.
            run_start: the run's scheduled departure from its first stop, service-day seconds.
        """
        m = self.model
        rng = random.Random(_seed_int(m.seed, "run", trip.trip_id, day.isoformat(), run_start))
        shift = run_start - trip.start
        sa = trip.arrivals
        sd = trip.departures
        n = len(sa)
        delay = m.max_start_delay_s * rng.random() ** m.start_delay_shape
        run_factor = _lognormal(rng, m.run_sigma)
        zones = self._zones_of(trip)
        phases = self.day_phases(day)
        arr = array("d", [0.0]) * n
        dep = array("d", [0.0]) * n
        arr[0] = sa[0] + shift + delay
        dep[0] = sd[0] + shift + delay
        gauss, exp = rng.gauss, math.exp
        seg_sigma, seg_mean = m.segment_sigma, -(m.segment_sigma**2) / 2
        dwell_sigma, dwell_mean = m.dwell_sigma, -(m.dwell_sigma**2) / 2
        busy = [self.busyness(sid) for sid in trip.stop_ids]
        for k in range(n - 1):
            t = dep[k]
            noise = exp(gauss(seg_mean, seg_sigma)) if seg_sigma > 0.0 else 1.0
            factor = self.factor_at(t, zones[k], phases) * run_factor * noise
            factor = min(MAX_FACTOR, max(MIN_FACTOR, factor))
            a = t + (sa[k + 1] - sd[k]) * factor
            arr[k + 1] = a
            if k + 1 == n - 1:
                dep[k + 1] = a
                continue
            noise = exp(gauss(dwell_mean, dwell_sigma)) if dwell_sigma > 0.0 else 1.0
            boarding = m.min_dwell_s + busy[k + 1] * (1.0 + m.dwell_peak * self.peakness(a)) * noise
            d = a + min(MAX_BOARDING_S, boarding)
            if m.hold:
                d = max(d, sd[k + 1] + shift)
            dep[k + 1] = d
        return RunTimes(arr, dep, delay)

    def max_overrun(self, trip: Trip) -> float:
        """Return an upper bound, in seconds, on how much later than scheduled a run can end."""
        running = (
            trip.end
            - trip.start
            - sum(trip.departures[k] - trip.arrivals[k] for k in range(len(trip.arrivals)))
        )
        stops = max(0, len(trip.stop_ids) - 2)
        return self.model.max_start_delay_s + running * (MAX_FACTOR - 1.0) + stops * MAX_BOARDING_S

    def peakness(self, t: float) -> float:
        """Return how busy the hour is at service-day second ``t``: 0 off-peak, 1 at the top."""
        return self._peaks(t) / self._top if self._top > 0.0 else 0.0

    def factor_at(
        self, t: float, zones: tuple[tuple[int, float], ...], phases: tuple[float, ...]
    ) -> float:
        """Return the running-time factor (before per-run noise) at ``t`` of a segment.

        Args:
            t: service-day seconds.
            zones: ``(zone index, weight)`` pairs of the segment.
            phases: the day's zone phases (from :meth:`day_phases`).
        """
        m = self.model
        peaks = self._peaks(t)
        factor = m.free_flow + peaks
        if zones:
            level = (1.0 + 2.0 * (peaks / self._top if self._top > 0.0 else 0.0)) / 3.0
            for i, w in zones:
                z = m.zones[i]
                wave = 1.0 + m.zone_wave * math.sin(2 * math.pi * (t / z.period_s + phases[i]))
                factor += w * z.slowdown * level * wave
        return factor

    def segment_factor(self, trip: Trip, k: int, day: dt.date, t: float) -> float:
        """Return the factor (before per-run noise) of segment ``k`` of ``trip`` at ``t``."""
        return self.factor_at(t, self._zones_of(trip)[k], self.day_phases(day))

    def busyness(self, stop_id: str) -> float:
        """Return the stop's mean boarding time beyond ``min_dwell_s`` off-peak, in seconds."""
        found = self._busy.get(stop_id)
        if found is None:
            m = self.model
            z = _NORMAL.inv_cdf(_unit(m.seed, "stop", stop_id))
            found = m.dwell_mean_s * math.exp(m.stop_sigma * z - m.stop_sigma**2 / 2)
            self._busy[stop_id] = found
        return found

    def day_phases(self, day: dt.date) -> tuple[float, ...]:
        """Return the phase (0 to 1) of each zone's slow wave on service day ``day``."""
        found = self._phases.get(day)
        if found is None:
            iso = day.isoformat()
            found = tuple(_unit(self.model.seed, "phase", z.name, iso) for z in self.model.zones)
            if len(self._phases) > 64:
                self._phases.clear()
            self._phases[day] = found
        return found

    # Memoised parts.

    def _peaks(self, t: float) -> float:
        """The peaks' summed slowdown at service-day second ``t``."""
        x = (t % DAY) / 60.0
        i = int(x)
        table = self._peak_table
        return table[i] + (table[i + 1] - table[i]) * (x - i)

    def _zones_of(self, trip: Trip) -> tuple[tuple[tuple[int, float], ...], ...]:
        found = self._segment_zones.get(trip.trip_id)
        if found is None:
            stops = self.feed.stops
            out = []
            for a, b in zip(trip.stop_ids, trip.stop_ids[1:], strict=False):
                lat = (stops[a].lat + stops[b].lat) / 2
                lon = (stops[a].lon + stops[b].lon) / 2
                ws = ((i, z.weight(lat, lon)) for i, z in enumerate(self.model.zones))
                out.append(tuple((i, w) for i, w in ws if w > 0.0))
            found = tuple(out)
            self._segment_zones[trip.trip_id] = found
        return found


def _bump(t: float, p: Peak) -> float:
    x = ((t % DAY) - p.centre) / p.width
    return math.exp(-0.5 * x * x)


def _lognormal(rng: random.Random, sigma: float) -> float:
    """A factor with mean 1 and log-spread ``sigma`` (exactly 1 when sigma is 0)."""
    if sigma <= 0.0:
        return 1.0
    return math.exp(rng.gauss(0.0, sigma) - sigma * sigma / 2)


def _seed_int(*parts: object) -> int:
    text = "|".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def _unit(*parts: object) -> float:
    """A number in (0, 1) fixed by ``parts``."""
    return (_seed_int(*parts) + 0.5) / 2.0**64


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return EARTH_RADIUS_M * math.hypot(x, y)


def _distance_to_line_m(
    lat: float, lon: float, lat1: float, lon1: float, lat2: float, lon2: float
) -> float:
    """Metres from a point to the segment between points 1 and 2 (flat Earth: city scale)."""
    k = math.cos(math.radians(lat1))
    px, py = (lon - lon1) * k, lat - lat1
    bx, by = (lon2 - lon1) * k, lat2 - lat1
    seg = bx * bx + by * by
    f = 0.0 if seg == 0.0 else max(0.0, min(1.0, (px * bx + py * by) / seg))
    return EARTH_RADIUS_M * math.radians(math.hypot(px - f * bx, py - f * by))
