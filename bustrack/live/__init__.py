"""What is live now, whatever the source: pure state that the tick reads (no I/O, no clock).

The :mod:`~bustrack.live.tick` engine moves it on each tick: the
:mod:`~bustrack.live.fleet` clients see (and its :mod:`~bustrack.live.frames`), the
:mod:`~bustrack.live.clock` plan, the :mod:`~bustrack.live.predictions`, the stops' and
buses' :mod:`~bustrack.live.boards` (and :mod:`~bustrack.live.glance`), real buses'
:mod:`~bustrack.live.devices` and their :mod:`~bustrack.live.placing` on runs, the feeds'
:mod:`~bustrack.live.feed_updates`, :mod:`~bustrack.live.occupancy`, and the same state as
GTFS-realtime (:mod:`~bustrack.live.gtfsrt_out`).
"""
