"""Where positions come from: position reports, from GPS units and phones (ingest) and, in
time, GTFS-realtime feeds; each checked the same way before the rest of the server sees it.
Pure modules: no I/O, no clock (time is a parameter)."""
