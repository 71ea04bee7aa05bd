from __future__ import annotations

import datetime as dt

import pytest

from bustrack.geo import cumulative_distances
from bustrack.gtfs import Feed, FeedError, build_feed
from bustrack.gtfs.model import Warning
from tests.feeds import hms
from tests.gtfs.fixtures import build, files

MINIMAL_ST = (FILES := files("minimal"))["stop_times.txt"].decode()
MINIMAL_STOPS = FILES["stops.txt"].decode()
MINIMAL_TRIPS = FILES["trips.txt"].decode()

# Stops A, B, C of the fixtures lie on 18.95 N at 72.80, 72.81, 72.82 E.
LATS = [18.95, 18.95, 18.95]
LONS = [72.80, 72.81, 72.82]


def warning(feed: Feed, kind: str) -> Warning:
    found = [w for w in feed.warnings if w.kind == kind]
    assert len(found) == 1, f"expected one {kind} warning in {feed.warnings}"
    return found[0]


# Valid feeds, one rule each.


def test_minimal_feed_builds_every_object() -> None:
    feed = build("minimal")
    assert feed.timezone == "Asia/Kolkata"
    assert feed.agencies["MB"].name == "Mini Bus"
    assert list(feed.stops) == ["A", "B", "C"]
    assert feed.stops["B"].name == "Bravo"
    assert (feed.stops["B"].lat, feed.stops["B"].lon) == (18.95, 72.81)
    assert feed.stops["B"].location_type == 0 and feed.stops["B"].parent_station is None
    route = feed.routes["R1"]
    assert (route.agency_id, route.short_name, route.long_name, route.route_type) == (
        "MB",
        "1",
        "Alpha - Charlie",
        3,
    )
    assert (route.color, route.text_color) == (None, None)
    cal = feed.calendars["WK"]
    assert cal.weekdays == (True, True, True, True, True, False, False)
    assert (cal.start_date, cal.end_date) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert feed.calendar_dates == {} and feed.frequencies == {} and feed.shapes == {}
    assert feed.feed_info == {} and feed.warnings == ()
    t1, t2 = feed.trips["T1"], feed.trips["T2"]
    assert (t1.route_id, t1.service_id, t1.headsign, t1.direction_id) == ("R1", "WK", "Charlie", 0)
    assert t1.shape_id is None and t1.shape_offset == 0.0
    assert t1.stop_ids == ("A", "B", "C") and t2.stop_ids == ("C", "B", "A")
    assert list(t1.arrivals) == [hms("08:00:00"), hms("08:04:00"), hms("08:10:00")]
    assert list(t1.departures) == [hms("08:00:00"), hms("08:05:00"), hms("08:10:00")]
    assert (t2.start, t2.end) == (hms("09:00:00"), hms("09:10:00"))
    assert list(t1.distances) == pytest.approx(cumulative_distances(LATS, LONS))
    assert t1.arrivals.typecode == "i" and t1.distances.typecode == "d"


def test_trips_keep_their_stop_sequence_values() -> None:
    # Numbered 10, 20, 30 and listed out of order: the stops are sorted, the numbers kept
    # (GTFS-rt names a trip's stops by them).
    st = (
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "T1,08:10:00,08:10:00,C,30\nT1,08:00:00,08:00:00,A,10\nT1,08:04:00,08:05:00,B,20\n"
        "T2,09:00:00,09:00:00,C,1\nT2,09:05:00,09:05:30,B,2\nT2,09:10:00,09:10:00,A,3\n"
    )
    feed = build("minimal", stop_times_txt=st)
    t1, t2 = feed.trips["T1"], feed.trips["T2"]
    assert t1.stop_ids == ("A", "B", "C") and list(t1.stop_sequences) == [10, 20, 30]
    assert [t1.stop_sequence(k) for k in range(3)] == [10, 20, 30]
    assert list(t2.stop_sequences) == [1, 2, 3]


def test_frequencies_keep_exact_times_and_sort_windows() -> None:
    feed = build("frequencies")
    t1 = feed.frequencies["T1"]
    assert [(f.start, f.end, f.headway, f.exact_times) for f in t1] == [
        (hms("06:00:00"), hms("10:00:00"), 600, 1),
        (hms("16:00:00"), hms("20:00:00"), 1200, 1),
    ]
    t2 = feed.frequencies["T2"]
    assert [(f.start, f.end, f.exact_times) for f in t2] == [
        (hms("07:00:00"), hms("22:00:00"), 0),
        (hms("22:00:00"), hms("24:30:00"), 0),  # empty exact_times means 0
    ]
    w = warning(feed, "empty_frequency_window")
    assert w.count == 1
    assert w.examples == (
        "frequencies.txt line 5: trip 'T2' window 23:00:00-23:00:00 ends before it starts "
        "(dropped)",
    )


def test_trip_after_midnight_keeps_times_past_24_hours() -> None:
    feed = build("after-midnight")
    t1 = feed.trips["T1"]
    assert list(t1.arrivals) == [hms("23:40:00"), hms("24:25:00"), hms("25:10:00")]
    assert t1.end == 25 * 3600 + 10 * 60 > 86400
    assert t1.departures[1] == hms("24:26:00")
    assert feed.trips["T2"].start == hms("05:05:00")  # H:MM:SS


def test_calendar_dates_are_read_per_service() -> None:
    feed = build("calendar-dates")
    assert feed.calendar_dates == {
        "WK": {dt.date(2026, 1, 26): 2, dt.date(2026, 2, 7): 1},
        "SUN": {dt.date(2026, 2, 1): 1, dt.date(2026, 2, 8): 1},
    }
    assert "SUN" not in feed.calendars
    assert feed.trips["T2"].service_id == "SUN"


def test_calendar_dates_alone_are_enough() -> None:
    feed = build(
        "calendar-dates",
        calendar_txt=None,
        trips_txt="route_id,service_id,trip_id\nR1,SUN,T1\nR1,SUN,T2\n",
    )
    assert feed.calendars == {}
    assert set(feed.calendar_dates) == {"WK", "SUN"}


def test_missing_intermediate_times_are_interpolated_by_distance() -> None:
    feed = build("interpolation")
    t1 = feed.trips["T1"]  # A 08:00, B and C without times, D 08:09; equal spacing
    assert list(t1.arrivals) == [hms("08:00:00"), hms("08:03:00"), hms("08:06:00"), hms("08:09:00")]
    assert list(t1.departures) == [
        hms("08:00:00"),
        hms("08:03:00"),
        hms("08:06:00"),
        hms("08:10:00"),
    ]
    t2 = feed.trips["T2"]  # C has only a departure, A only an arrival
    assert list(t2.arrivals) == [hms("09:00:00"), hms("09:06:00"), hms("09:09:00"), hms("09:12:00")]
    assert list(t2.departures) == list(t2.arrivals)


def test_interpolation_follows_uneven_spacing() -> None:
    stops = MINIMAL_STOPS.replace("B,Bravo,18.950000,72.810000", "B,Bravo,18.950000,72.805000")
    st = MINIMAL_ST.replace("T1,08:04:00,08:05:00,B,2", "T1,,,B,2")
    feed = build("minimal", stops_txt=stops, stop_times_txt=st)
    # B is a quarter of the way from A to C: a quarter of 10 minutes after 08:00.
    assert feed.trips["T1"].arrivals[1] == hms("08:02:30")


def test_shape_dist_traveled_in_feed_units_is_scaled_to_shape_metres() -> None:
    feed = build("shapes-dist")
    shape = feed.shapes["S1"]
    assert list(shape.lons) == [72.795, 72.80, 72.81, 72.82, 72.825]  # sorted by sequence
    length = cumulative_distances([18.95] * 5, list(shape.lons))[-1]
    per_unit = length / 2.6  # the shape's shape_dist_traveled runs 0..2.6
    assert list(shape.distances) == pytest.approx([v * per_unit for v in (0, 0.5, 1.3, 2.1, 2.6)])
    t1 = feed.trips["T1"]  # stops at 0.5, 1.3, 2.1
    assert t1.shape_offset == pytest.approx(0.5 * per_unit)
    assert list(t1.distances) == pytest.approx([0.0, 0.8 * per_unit, 1.6 * per_unit])
    t2 = feed.trips["T2"]  # a short working from B
    assert t2.shape_offset == pytest.approx(1.3 * per_unit)
    assert list(t2.distances) == pytest.approx([0.0, 0.8 * per_unit])


def test_shape_without_dist_projects_stops_in_order() -> None:
    feed = build("shapes-nodist")
    s1 = feed.shapes["S1"]
    assert list(s1.lons) == [72.80, 72.81, 72.82, 72.83]
    along = cumulative_distances(list(s1.lats), list(s1.lons))
    assert list(s1.distances) == pytest.approx(along)
    t1 = feed.trips["T1"]
    assert t1.shape_id == "S1"
    assert t1.shape_offset == pytest.approx(0.0, abs=1.0)
    assert list(t1.distances) == pytest.approx(along[:3], abs=1.0)


def test_projection_follows_an_out_and_back_shape() -> None:
    feed = build("shapes-nodist")
    s2 = feed.shapes["S2"]
    along = list(s2.distances)
    t2 = feed.trips["T2"]  # A B C B A on a shape going A..C and back
    expected = [along[0], along[2], along[4], along[6], along[8]]
    assert list(t2.distances) == pytest.approx(expected, abs=1.0)
    assert all(a <= b for a, b in zip(t2.distances, t2.distances[1:], strict=False))


def test_shape_points_are_repaired_or_left_out() -> None:
    feed = build("shapes-repair")
    bad = warning(feed, "bad_shape_point")
    assert bad.count == 2
    assert bad.examples == (
        "shapes.txt line 3: shape 'S1' point at '','72.805000' (skipped)",
        "shapes.txt line 4: shape 'S1' point at '0','0' (skipped)",
    )
    assert list(feed.shapes["S1"].lons) == [72.80, 72.82]
    assert warning(feed, "unusable_shape").examples == (
        "shapes.txt line 6: shape 'S9' has 1 usable point(s) and 0 m length (left out)",
    )
    assert "S9" not in feed.shapes
    assert feed.trips["T2"].shape_id is None
    assert list(feed.trips["T2"].distances) == pytest.approx(cumulative_distances(LATS, LONS))


def test_shape_with_decreasing_dist_is_measured_instead() -> None:
    shapes = (
        "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence,shape_dist_traveled\n"
        "S1,18.95,72.80,1,0\nS1,18.95,72.81,2,5\nS1,18.95,72.82,3,4\n"
    )
    trips = MINIMAL_TRIPS.replace("direction_id\n", "direction_id,shape_id\n").replace(
        "Charlie,0\n", "Charlie,0,S1\n"
    )
    feed = build("minimal", shapes_txt=shapes, trips_txt=trips.replace("Alpha,1\n", "Alpha,1,\n"))
    w = warning(feed, "shape_dist_traveled_ignored")
    assert w.examples == (
        "shapes.txt line 2: shape 'S1' shape_dist_traveled decreases (measured along the points "
        "instead)",
    )
    assert list(feed.shapes["S1"].distances) == pytest.approx(cumulative_distances(LATS, LONS))


def test_stop_times_dist_in_kilometres_without_shapes_become_metres() -> None:
    feed = build("sdt-km")
    assert list(feed.trips["T1"].distances) == pytest.approx([0.0, 1200.0, 2400.0])
    assert list(feed.trips["T2"].distances) == pytest.approx([0.0, 1100.0, 2200.0])


def test_stop_times_dist_in_metres_are_kept() -> None:
    st = MINIMAL_ST.replace("stop_sequence\n", "stop_sequence,shape_dist_traveled\n")
    lines = st.splitlines()
    values = ["10", "1100", "2150", "0", "1000", "2000"]
    st = "\n".join([lines[0]] + [f"{line},{v}" for line, v in zip(lines[1:], values, strict=True)])
    feed = build("minimal", stop_times_txt=st + "\n")
    assert list(feed.trips["T1"].distances) == pytest.approx([0.0, 1090.0, 2140.0])
    assert list(feed.trips["T2"].distances) == pytest.approx([0.0, 1000.0, 2000.0])


def test_partial_stop_times_dist_is_ignored_with_a_warning() -> None:
    st = MINIMAL_ST.replace("stop_sequence\n", "stop_sequence,shape_dist_traveled\n")
    st = st.replace("08:00:00,A,1\n", "08:00:00,A,1,0\n").replace(
        "08:05:00,B,2\n", "08:05:00,B,2,1\n"
    )
    feed = build("minimal", stop_times_txt=st)
    w = warning(feed, "shape_dist_traveled_ignored")
    assert w.examples == (
        "stop_times.txt line 2: trip 'T1' shape_dist_traveled is missing on 1 of 3 stops "
        "(computed instead)",
    )
    assert list(feed.trips["T1"].distances) == pytest.approx(cumulative_distances(LATS, LONS))


def test_wild_csv_reads_like_a_tidy_one() -> None:
    feed = build("wild-csv")
    tidy = build("minimal")
    assert feed.stops["A"].name == "Alpha, Main Gate"
    assert feed.stops["B"].name == 'Bravo "Market"\r\nNorth side'
    assert [(s.lat, s.lon) for s in feed.stops.values()] == [
        (s.lat, s.lon) for s in tidy.stops.values()
    ]
    assert feed.routes["R1"].long_name == "Alpha, Charlie"
    assert feed.trips["T1"].headsign == "Charlie, via Bravo"
    assert feed.trips["T1"].direction_id is None  # empty optional column
    for trip_id in ("T1", "T2"):
        wild, clean = feed.trips[trip_id], tidy.trips[trip_id]
        assert wild.stop_ids == clean.stop_ids
        assert wild.arrivals == clean.arrivals and wild.departures == clean.departures
    assert feed.warnings == ()


def test_stations_platforms_entrances_and_boarding_areas() -> None:
    feed = build("stations")
    assert feed.stops["STA"].location_type == 1
    assert feed.stops["B"].parent_station == "STA"
    assert feed.stops["B2"].location_type == 0  # empty location_type
    assert feed.stops["ENT"].location_type == 2
    area = feed.stops["BA"]
    assert (area.location_type, area.parent_station) == (4, "B")
    assert (area.lat, area.lon) == (feed.stops["B"].lat, feed.stops["B"].lon)
    assert warning(feed, "orphan_stop").examples == (
        "stops.txt line 5: stop 'B2' is used by no trip",
    )
    assert warning(feed, "trip_stops_at_station").examples == (
        "stops.txt line 2: 'STA' has location_type 1 but trips stop at it",
    )


def test_route_colours_are_normalised_or_dropped() -> None:
    feed = build("route-colours")
    r = feed.routes
    assert (r["R1"].color, r["R1"].text_color) == ("E31837", "FFFFFF")
    assert (r["R2"].color, r["R2"].text_color) == ("00A0E2", None)
    assert (r["R3"].color, r["R3"].text_color) == (None, None)
    assert (r["R4"].color, r["R4"].text_color) == (None, "000000")
    assert (r["R2"].label, r["R3"].label) == ("2", "Charlie Loop")
    assert warning(feed, "bad_color").examples == (
        "routes.txt line 5: route_color '#123456' is not RRGGBB (ignored)",
    )


def test_problems_that_let_the_rest_load_become_warnings() -> None:
    feed = build("warnings")
    assert set(feed.trips) == {"T1", "T2"}
    assert [(w.kind, w.count) for w in feed.warnings] == [
        ("too_few_stop_times", 1),
        ("trip_without_stop_times", 1),
        ("times_backwards", 1),
        ("empty_frequency_window", 1),
        ("orphan_stop", 1),
        ("route_without_trips", 1),
    ]
    assert warning(feed, "too_few_stop_times").examples == (
        "stop_times.txt line 8: trip 'T3' has only one stop time (trip dropped)",
    )
    assert warning(feed, "trip_without_stop_times").examples == (
        "trips.txt line 5: trip 'T4' has no stop times (trip dropped)",
    )
    assert warning(feed, "times_backwards").examples == (
        "stop_times.txt line 11: trip 'T5' arrives at 11:03:00, before leaving the previous "
        "stop at 11:05:00 (trip dropped)",
    )
    assert warning(feed, "orphan_stop").examples == (
        "stops.txt line 5: stop 'D' is used by no trip",
    )
    assert warning(feed, "route_without_trips").examples == (
        "routes.txt line 3: route 'R2' has no trips",
    )
    assert "D" in feed.stops and "R2" in feed.routes  # kept
    assert set(feed.frequencies) == {"T1"}  # T5's window went with T5
    assert len(feed.frequencies["T1"]) == 1


def test_departure_before_arrival_drops_the_trip() -> None:
    st = MINIMAL_ST.replace("T1,08:04:00,08:05:00,B,2", "T1,08:04:00,08:03:00,B,2")
    feed = build("minimal", stop_times_txt=st)
    assert set(feed.trips) == {"T2"}
    assert warning(feed, "times_backwards").examples == (
        "stop_times.txt line 3: trip 'T1' departs at 08:03:00, before arriving at 08:04:00 "
        "(trip dropped)",
    )


def test_warning_examples_stop_at_five() -> None:
    stops = MINIMAL_STOPS + "".join(f"X{i},Unused {i},18.9,72.9\n" for i in range(7))
    w = warning(build("minimal", stops_txt=stops), "orphan_stop")
    assert w.count == 7
    assert len(w.examples) == 5
    assert w.examples[-1] == "stops.txt line 9: stop 'X4' is used by no trip"


def test_trips_sharing_a_stop_pattern_share_their_stop_ids() -> None:
    trips = MINIMAL_TRIPS + "R1,WK,T3,Charlie,0\n"
    st = (
        MINIMAL_ST
        + "T3,10:00:00,10:00:00,A,1\nT3,10:05:00,10:05:00,B,2\nT3,10:10:00,10:10:00,C,3\n"
    )
    feed = build("minimal", trips_txt=trips, stop_times_txt=st)
    assert feed.trips["T3"].stop_ids is feed.trips["T1"].stop_ids


def test_other_warning_kinds() -> None:
    stops = MINIMAL_STOPS + "STA,Station,18.95,72.81,1,X\n"
    stops = stops.replace("stop_lon\n", "stop_lon,location_type,parent_station\n")
    routes = "route_id,agency_id,route_short_name,route_long_name,route_type\nR1,MB,,,3\n"
    calendar = FILES["calendar.txt"].decode().replace("20260101,20261231", "20261231,20260101")
    dates = "service_id,date,exception_type\nWK,20260105,2\nWK,20260105,1\n"
    feed = build(
        "minimal",
        stops_txt=stops,
        routes_txt=routes,
        calendar_txt=calendar,
        calendar_dates_txt=dates,
    )
    assert feed.stops["STA"].parent_station is None
    assert warning(feed, "station_with_parent").examples == (
        "stops.txt line 5: station 'STA' has parent_station 'X' (ignored)",
    )
    assert warning(feed, "unnamed_route").count == 1
    assert warning(feed, "calendar_ends_before_start").count == 1
    assert warning(feed, "duplicate_calendar_date").examples == (
        "calendar_dates.txt line 3: service 'WK' on 20260105 is listed again (first row kept)",
    )
    assert feed.calendar_dates["WK"] == {dt.date(2026, 1, 5): 2}


def test_feed_info_and_single_agency_without_id() -> None:
    agency = "agency_name,agency_url,agency_timezone\nSolo,https://example.org,Asia/Kolkata\n"
    routes = "route_id,route_short_name,route_type\nR1,1,3\n"
    info = "feed_publisher_name,feed_publisher_url,feed_lang,feed_version\nMe,https://x.org,en,\n"
    feed = build("minimal", agency_txt=agency, routes_txt=routes, feed_info_txt=info)
    assert list(feed.agencies) == [""]
    assert feed.routes["R1"].agency_id == ""
    assert feed.feed_info == {
        "feed_publisher_name": "Me",
        "feed_publisher_url": "https://x.org",
        "feed_lang": "en",
    }


def test_empty_optional_file_counts_as_absent() -> None:
    feed = build("minimal", frequencies_txt="", shapes_txt="")
    assert feed.frequencies == {} and feed.shapes == {}


def test_unknown_files_are_ignored() -> None:
    found = files("minimal")
    found["fare_rules.txt"] = b"\xff not even text"
    assert set(build_feed(found).trips) == {"T1", "T2"}


# Broken feeds: the exact message, and where.

BROKEN_FIXTURES = [
    ("broken-missing-file", "feed is missing required file stop_times.txt", "stop_times.txt", None),
    ("broken-missing-column", "stops.txt: missing required column stop_lat", "stops.txt", None),
    (
        "broken-unknown-reference",
        "stop_times.txt line 4: stop_id 'Z' is not in stops.txt",
        "stop_times.txt",
        4,
    ),
    (
        "broken-bad-time",
        "stop_times.txt line 3: arrival_time '08:4:00' is not HH:MM:SS",
        "stop_times.txt",
        3,
    ),
    (
        "broken-bad-coordinate",
        "stops.txt line 3: stop_lon '72.81O000' is not a number",
        "stops.txt",
        3,
    ),
    (
        "broken-lat-range",
        "stops.txt line 4: stop_lat '95.2' is out of range -90..90",
        "stops.txt",
        4,
    ),
]


@pytest.mark.parametrize(("name", "message", "file", "line"), BROKEN_FIXTURES)
def test_broken_fixture_feeds(name: str, message: str, file: str, line: int | None) -> None:
    with pytest.raises(FeedError) as caught:
        build_feed(files(name))
    assert str(caught.value) == message
    assert (caught.value.file, caught.value.line) == (file, line)


TRIPS_WITH_SHAPE = "route_id,service_id,trip_id,shape_id\nR1,WK,T1,S1\nR1,WK,T2,\n"
BROKEN = [
    (
        {"stops_txt": MINIMAL_STOPS + "A,Again,18.9,72.9\n"},
        "stops.txt line 5: stop_id 'A' is a duplicate of line 2",
        "stop_id",
    ),
    (
        {"stops_txt": MINIMAL_STOPS.replace("72.820000", "181")},
        "stops.txt line 4: stop_lon '181' is out of range -180..180",
        "stop_lon",
    ),
    (
        {"stops_txt": MINIMAL_STOPS.replace("18.950000,72.810000", ",72.810000")},
        "stops.txt line 3: stop_lat is empty (required for location_type 0)",
        "stop_lat",
    ),
    (
        {"stops_txt": "stop_id,stop_lat,stop_lon,location_type,parent_station\nE,18.9,72.8,2,\n"},
        "stops.txt line 2: parent_station is empty (required for location_type 2)",
        "parent_station",
    ),
    (
        {
            "stops_txt": "stop_id,stop_lat,stop_lon,location_type,parent_station\n"
            "E,18.9,72.8,0,NOPE\n"
        },
        "stops.txt line 2: parent_station 'NOPE' is not a stop_id of stops.txt",
        "parent_station",
    ),
    (
        {"stops_txt": "stop_id,stop_lat,stop_lon,location_type\nE,18.9,72.8,7\n"},
        "stops.txt line 2: location_type '7' is not 0, 1, 2, 3 or 4",
        "location_type",
    ),
    (
        {"trips_txt": MINIMAL_TRIPS + "R1,WK,T1,Again,0\n"},
        "trips.txt line 4: trip_id 'T1' is a duplicate of line 2",
        "trip_id",
    ),
    (
        {"trips_txt": MINIMAL_TRIPS.replace("R1,WK,T2", "R9,WK,T2")},
        "trips.txt line 3: route_id 'R9' is not in routes.txt",
        "route_id",
    ),
    (
        {"trips_txt": MINIMAL_TRIPS.replace("R1,WK,T1", "R1,XX,T1")},
        "trips.txt line 2: service_id 'XX' is not in calendar.txt or calendar_dates.txt",
        "service_id",
    ),
    (
        {"trips_txt": TRIPS_WITH_SHAPE},
        "trips.txt line 2: shape_id 'S1' is not in shapes.txt",
        "shape_id",
    ),
    (
        {"trips_txt": MINIMAL_TRIPS.replace("Alpha,1", "Alpha,2")},
        "trips.txt line 3: direction_id '2' is not 0 or 1",
        "direction_id",
    ),
    (
        {"trips_txt": MINIMAL_TRIPS.replace("R1,WK,T2,Alpha,1", ",WK,T2,Alpha,1")},
        "trips.txt line 3: route_id is empty",
        "route_id",
    ),
    (
        {"stop_times_txt": MINIMAL_ST + "T9,10:00:00,10:00:00,A,1\n"},
        "stop_times.txt line 8: trip_id 'T9' is not in trips.txt",
        "trip_id",
    ),
    (
        {"stop_times_txt": MINIMAL_ST.replace("T1,08:00:00,08:00:00,A,1", "T1,,,A,1")},
        "stop_times.txt line 2: trip 'T1' has no arrival_time or departure_time at its first stop",
        "arrival_time",
    ),
    (
        {"stop_times_txt": MINIMAL_ST.replace("T2,09:10:00,09:10:00,A,3", "T2,,,A,3")},
        "stop_times.txt line 7: trip 'T2' has no arrival_time or departure_time at its last stop",
        "arrival_time",
    ),
    (
        {"stop_times_txt": MINIMAL_ST.replace("B,2\n", "B,1\n", 1)},
        "stop_times.txt line 3: stop_sequence 1 of trip 'T1' repeats line 2",
        "stop_sequence",
    ),
    (
        {"stop_times_txt": MINIMAL_ST.replace("B,2\n", "B,two\n", 1)},
        "stop_times.txt line 3: stop_sequence 'two' is not a whole number",
        "stop_sequence",
    ),
    (
        {"stop_times_txt": MINIMAL_ST.replace("08:10:00,08:10:00", "08:10:00,12:60:00")},
        "stop_times.txt line 4: departure_time '12:60:00' is not HH:MM:SS",
        "departure_time",
    ),
    (
        {"frequencies_txt": "trip_id,start_time,end_time,headway_secs\nT7,06:00:00,07:00:00,60\n"},
        "frequencies.txt line 2: trip_id 'T7' is not in trips.txt",
        "trip_id",
    ),
    (
        {"frequencies_txt": "trip_id,start_time,end_time,headway_secs\nT1,06:00:00,07:00:00,0\n"},
        "frequencies.txt line 2: headway_secs '0' must be at least 1",
        "headway_secs",
    ),
    (
        {
            "frequencies_txt": "trip_id,start_time,end_time,headway_secs,exact_times\n"
            "T1,06:00:00,07:00:00,60,2\n"
        },
        "frequencies.txt line 2: exact_times '2' is not 0 or 1",
        "exact_times",
    ),
    (
        {"calendar_txt": FILES["calendar.txt"].decode().replace("20260101", "2026-01-01")},
        "calendar.txt line 2: start_date '2026-01-01' is not a YYYYMMDD date",
        "start_date",
    ),
    (
        {"calendar_txt": FILES["calendar.txt"].decode().replace("20261231", "20260231")},
        "calendar.txt line 2: end_date '20260231' is not a YYYYMMDD date",
        "end_date",
    ),
    (
        {"calendar_txt": FILES["calendar.txt"].decode().replace("WK,1,1,1", "WK,1,,1")},
        "calendar.txt line 2: tuesday is empty",
        "tuesday",
    ),
    (
        {"calendar_dates_txt": "service_id,date,exception_type\nWK,20260105,3\n"},
        "calendar_dates.txt line 2: exception_type '3' is not 1 or 2",
        "exception_type",
    ),
    (
        {"routes_txt": "route_id,agency_id,route_short_name,route_type\nR1,MB,1,bus\n"},
        "routes.txt line 2: route_type 'bus' is not a whole number",
        "route_type",
    ),
    (
        {"routes_txt": "route_id,agency_id,route_short_name,route_type\nR1,XY,1,3\n"},
        "routes.txt line 2: agency_id 'XY' is not in agency.txt",
        "agency_id",
    ),
    (
        {
            "agency_txt": FILES["agency.txt"].decode()
            + "OT,Other,https://example.net,Europe/London\n"
        },
        "agency.txt line 3: agency_timezone 'Europe/London' differs from 'Asia/Kolkata' (line 2); "
        "all agencies must share one",
        "agency_timezone",
    ),
    (
        {
            "agency_txt": "agency_name,agency_url,agency_timezone\n"
            "A,u,Asia/Kolkata\nB,u,Asia/Kolkata\n"
        },
        "agency.txt line 3: agency_id is empty (required with several agencies)",
        "agency_id",
    ),
    (
        {"agency_txt": "agency_id,agency_name,agency_url,agency_timezone\n"},
        "agency.txt: has no agency",
        None,
    ),
    (
        {"shapes_txt": "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\nS1,north,72.8,1\n"},
        "shapes.txt line 2: shape_pt_lat 'north' is not a number",
        "shape_pt_lat",
    ),
    ({"stops_txt": ""}, "stops.txt: file is empty (no header line)", None),
    (
        {"calendar_txt": None},
        "feed is missing required file calendar.txt or calendar_dates.txt",
        None,
    ),
]


@pytest.mark.parametrize(("replace", "message", "field"), BROKEN)
def test_broken_feeds_name_file_line_and_field(
    replace: dict[str, str | None], message: str, field: str | None
) -> None:
    with pytest.raises(FeedError) as caught:
        build("minimal", **replace)
    assert str(caught.value) == message
    assert caught.value.field == field


def test_feed_error_attributes_for_a_line() -> None:
    with pytest.raises(FeedError) as caught:
        build_feed(files("broken-bad-time"))
    err = caught.value
    assert (err.file, err.line, err.field) == ("stop_times.txt", 3, "arrival_time")
    assert err.message == "arrival_time '08:4:00' is not HH:MM:SS"


@pytest.mark.parametrize("number", ["99999999999999999999999999", "2147483648"])
def test_a_sequence_too_big_to_keep_is_a_located_error(number: str) -> None:
    # Found by tests/fuzz: these raised OverflowError from the arrays that hold them.
    shapes = files("shapes-dist")["shapes.txt"].decode().replace(",40,", f",{number},", 1)
    with pytest.raises(FeedError) as err:
        build("shapes-dist", shapes_txt=shapes)
    assert str(err.value) == (
        f"shapes.txt line 2: shape_pt_sequence '{number}' must be at most 2147483647"
    )
    stop_times = files("minimal")["stop_times.txt"].decode().replace("A,1", f"A,{number}", 1)
    with pytest.raises(FeedError) as err:
        build("minimal", stop_times_txt=stop_times)
    assert str(err.value) == (
        f"stop_times.txt line 2: stop_sequence '{number}' must be at most 2147483647"
    )
