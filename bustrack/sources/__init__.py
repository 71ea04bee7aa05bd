"""Where positions come from: the timetable's :mod:`~bustrack.sources.simulation` (with its
:mod:`~bustrack.sources.traffic` and the :mod:`~bustrack.sources.avl` units' faults), and
real reports, from GPS units and phones (ingest, :mod:`~bustrack.sources.osmand`) and
GTFS-realtime feeds (:mod:`~bustrack.sources.gtfsrt_in`, trip updates and alerts in); each
report checked the same way (:mod:`~bustrack.sources.checks`) before the rest of the server
sees it. Pure modules: no I/O, no clock (time is a parameter)."""
