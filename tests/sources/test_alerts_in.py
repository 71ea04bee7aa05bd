"""GTFS-realtime Alerts in (bustrack/sources/alerts_in.py)."""

from __future__ import annotations

from google.transit import gtfs_realtime_pb2 as rt

from bustrack.sources.alerts_in import read_alerts

NOW = 1_800_000_000.0


def alert_message() -> bytes:
    msg = rt.FeedMessage()
    msg.header.gtfs_realtime_version = "2.0"
    a = msg.entity.add(id="now").alert
    a.active_period.add(start=int(NOW - 60), end=int(NOW + 3600))
    a.informed_entity.add(stop_id="S1")
    a.informed_entity.add(route_id="R1")
    a.header_text.translation.add(text="Stop closed", language="en")
    a.header_text.translation.add(text="थांबा बंद", language="mr")
    a.effect = rt.Alert.DETOUR
    old = msg.entity.add(id="old").alert
    old.active_period.add(start=int(NOW - 7200), end=int(NOW - 3600))
    old.informed_entity.add(route_id="R1")
    everywhere = msg.entity.add(id="all").alert
    everywhere.informed_entity.add(agency_id="AG")
    everywhere.header_text.translation.add(text="Strike tomorrow")
    return msg.SerializeToString()


def test_alerts_in_force_with_their_translations_and_what_they_name() -> None:
    alerts, msg = read_alerts(alert_message(), NOW, prefix="0:")
    assert [a.id for a in alerts] == ["0:now", "0:all"]  # the ended one is left out
    now, everywhere = alerts
    assert now.header == {"en": "Stop closed", "mr": "थांबा बंद"}
    assert (now.stops, now.routes, now.everywhere) == ({"S1"}, {"R1"}, False)
    assert now.effect == "DETOUR" and now.as_json()["periods"] == [[NOW - 60, NOW + 3600]]
    assert everywhere.everywhere and everywhere.header == {"": "Strike tomorrow"}
    assert len(msg.entity) == 3  # the message itself, to pass on, is whole
