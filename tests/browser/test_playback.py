"""Playback: the toolbar's "History" opens a bar whose slider shows the buses where
``/api/history`` says they were, drawn by the same canvas layer; live frames do not move them;
"Play" moves the moment on; "Back to live" (or Escape) brings the live fleet back at once.

The session's server stores its simulated buses every 10 s (``--history on``, the default): the
test waits, with a deadline, until the API has a few samples, and takes every moment from the
API's own answers, never from this machine's clock.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import Server
from tests.conftest import timeout

# Where every bus of the layer is drawn now, and what the live fleet says of it.
DRAWN = """() => window.bustrack.vehicleIds().map((id) => {
    const p = window.bustrack.displayedPosition(id);
    const v = window.bustrack.vehicle(id);
    return {id, lat: p.lat, lon: p.lon, liveLat: v ? v.lat : null, liveLon: v ? v.lon : null};
})"""


def _history(server: Server, box: list[float], at_s: float | None = None) -> dict[str, Any]:
    query = "bbox=" + ",".join(f"{x:.6f}" for x in box)
    if at_s is not None:
        query += f"&at={at_s:.3f}"
    with urllib.request.urlopen(f"{server.url}/api/history?{query}", timeout=timeout(10)) as r:
        answer: dict[str, Any] = json.load(r)
    return answer


def _grow(box: list[float], fraction: float) -> list[float]:
    dx = (box[2] - box[0]) * fraction
    dy = (box[3] - box[1]) * fraction
    return [box[0] - dx, box[1] - dy, box[2] + dx, box[3] + dy]


def _wait_for_samples(server: Server, box: list[float], count: int) -> int:
    """Wait until the server holds `count` samples of its buses; the newest one's time (ms)."""
    deadline = time.monotonic() + timeout(90)
    while True:
        latest = _history(server, box)
        if latest["vehicles"]:
            newest = max(v["ts"] for v in latest["vehicles"])
            # Samples are 10 s apart: the one (count - 1) * 10 s before the newest is there when
            # most buses have a report that old (a bus gone silent has old ones in every sample).
            before = _history(server, box, (newest - (count - 1) * 10_000 + 5_000) / 1000)
            if len(before["vehicles"]) > len(latest["vehicles"]) / 2:
                return newest
        assert time.monotonic() < deadline, "the server stored no history samples"
        time.sleep(0.5)


def _open_live(page: Page, server: Server) -> None:
    page.goto(server.url + "/")
    page.wait_for_function(
        "() => window.bustrack.statusState() === 'live'"
        " && window.bustrack.shownMarkerCount() > 100",
        timeout=timeout(30_000),
    )


def test_playback_shows_history_with_the_same_layer_and_returns_to_live(
    page: Page, server: Server, tmp_path: Path
) -> None:
    _open_live(page, server)
    view = page.evaluate("() => window.bustrack.mapBox()")
    newest = _wait_for_samples(server, view, 3)

    # Into playback through the toolbar: the bar opens with the keyboard on its slider.
    history = page.get_by_role("button", name="History")
    expect(history).to_have_attribute("aria-pressed", "false")
    history.click()
    expect(history).to_have_attribute("aria-pressed", "true")
    bar = page.get_by_role("region", name="History playback")
    expect(bar).to_be_visible()
    slider = bar.get_by_role("slider", name="Moment shown")
    expect(slider).to_be_focused()
    assert page.evaluate("() => window.bustrack.playback.active()")
    assert page.evaluate("() => window.bustrack.busRenderer()") == "canvas"

    # Back with the arrow keys (10 s a press) to a moment at least 15 s before the newest sample.
    for _ in range(1000):
        if page.evaluate("() => window.bustrack.playback.at()") <= newest - 15_000:
            break
        slider.press("ArrowLeft")
    page.wait_for_function(
        "() => { const p = window.bustrack.playback; return p.shownAt() === p.at(); }",
        timeout=timeout(10_000),
    )
    page.wait_for_function("() => window.bustrack.movingCount() === 0", timeout=timeout(10_000))
    at = page.evaluate("() => window.bustrack.playback.at()")
    assert newest - 30_000 < at <= newest - 15_000

    # The buses drawn are those the API gives for that moment, where it says they were.
    expected = _history(server, view, at / 1000)
    assert expected["at"] == round(at)
    assert len(expected["vehicles"]) > 100
    drawn = {d["id"]: d for d in page.evaluate(DRAWN)}
    for v in expected["vehicles"]:
        assert v["id"] in drawn, v
        assert abs(drawn[v["id"]]["lat"] - v["lat"]) < 1e-6, (v, drawn[v["id"]])
        assert abs(drawn[v["id"]]["lon"] - v["lon"]) < 1e-6, (v, drawn[v["id"]])
    around = {v["id"] for v in _history(server, _grow(view, 0.5), at / 1000)["vehicles"]}
    in_view = page.evaluate("() => window.bustrack.shownVehicleIds()")
    assert in_view and set(in_view) <= around
    assert page.evaluate("() => window.bustrack.playback.shownIds()") == sorted(
        page.evaluate("() => window.bustrack.vehicleIds()")
    )
    # ... which is not where the live fleet has them now (15 s later: buses moved).
    moved = [
        d
        for d in drawn.values()
        if d["liveLat"] is not None
        and abs(d["lat"] - d["liveLat"]) + abs(d["lon"] - d["liveLon"]) > 1e-4
    ]
    assert len(moved) > 10
    shown = page.evaluate("() => window.bustrack.playback.timeText()")
    assert shown and shown in page.evaluate("() => window.bustrack.statusText()")
    assert page.evaluate("() => window.bustrack.statusText()").startswith("playback")
    bar.screenshot(path=str(tmp_path / "playback-bar-desktop.png"))

    # Live frames go on arriving and update the fleet, but do not move what is drawn.
    updates = page.evaluate("() => window.bustrack.frameCounts().updates")
    page.wait_for_function(
        "(n) => window.bustrack.frameCounts().updates >= n + 3",
        arg=updates,
        timeout=timeout(15_000),
    )
    later = {d["id"]: d for d in page.evaluate(DRAWN)}
    assert set(later) == set(drawn)
    for vid, d in drawn.items():
        assert (later[vid]["lat"], later[vid]["lon"]) == (d["lat"], d["lon"]), vid
    assert any(
        (later[vid]["liveLat"], later[vid]["liveLon"]) != (d["liveLat"], d["liveLon"])
        for vid, d in drawn.items()
    ), "the live fleet moved on meanwhile"
    assert page.evaluate("() => window.bustrack.playback.at()") == at

    # Play at 10x moves the moment, the time shown and the buses on.
    bar.get_by_role("combobox", name="Speed").select_option("10")
    fetched = page.evaluate("() => window.bustrack.playback.fetchCount()")
    play = bar.get_by_role("button", name="Play", exact=True)
    play.click()
    page.wait_for_function(
        "(at) => window.bustrack.playback.shownAt() >= at + 5000", arg=at, timeout=timeout(15_000)
    )
    assert page.evaluate("() => window.bustrack.playback.fetchCount()") > fetched
    assert page.evaluate("() => window.bustrack.playback.speed()") == 10
    assert page.evaluate("() => window.bustrack.playback.timeText()") != shown
    assert page.evaluate("() => window.bustrack.statusText()").startswith("playback")

    # Back to live: the live fleet as it stands, at once.
    bar.get_by_role("button", name="Back to live").click()
    state = page.evaluate("""() => ({
        active: window.bustrack.playback.active(),
        status: window.bustrack.statusText(),
        ids: window.bustrack.vehicleIds().sort(),
        fleet: [...window.bustrack.fleet.values()].map((v) => v.id).sort(),
    })""")
    assert not state["active"]
    assert state["status"].startswith("live"), state["status"]
    assert state["ids"] == state["fleet"]
    expect(bar).to_be_hidden()
    expect(history).to_have_attribute("aria-pressed", "false")
    expect(history).to_be_focused()
    page.wait_for_function("() => window.bustrack.movingCount() === 0", timeout=timeout(10_000))
    # Drawn where the live fleet says (within a tick's glide: live frames keep coming).
    off = page.evaluate(
        """() => Math.max(...window.bustrack.vehicleIds().map((id) => {
            const p = window.bustrack.displayedPosition(id);
            const v = window.bustrack.vehicle(id);
            return Math.abs(p.lat - v.lat) + Math.abs(p.lon - v.lon);
        }))"""
    )
    assert off < 1e-3, off


def test_playback_bar_on_a_phone_by_keyboard_and_in_marathi(
    page: Page, server: Server, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    _open_live(page, server)
    history = page.get_by_role("button", name="History")
    history.focus()
    page.keyboard.press("Enter")
    bar = page.get_by_role("region", name="History playback")
    expect(bar).to_be_visible(timeout=timeout(5000))
    page.wait_for_function(
        "() => window.bustrack.playback.shownAt() !== null", timeout=timeout(10_000)
    )
    assert page.evaluate("() => window.bustrack.statusText()").startswith("playback")

    # The bar fits the phone, beneath the toolbar, with touch-sized controls.
    box = bar.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert box["y"] + box["height"] <= 740
    toolbar = page.locator("#toolbar").bounding_box()
    assert toolbar is not None and box["y"] > toolbar["y"] + toolbar["height"]
    for control in [
        bar.get_by_role("button", name="Play", exact=True),
        bar.get_by_role("combobox", name="Speed"),
        bar.get_by_role("button", name="Back to live"),
        history,
    ]:
        size = control.bounding_box()
        assert size is not None and size["height"] >= 44 and size["width"] >= 44, control
        assert size["x"] >= 0 and size["x"] + size["width"] <= 360, control
    # The map's zoom buttons are lifted above the bar.
    zoom = page.get_by_role("button", name="Zoom out").bounding_box()
    assert zoom is not None and zoom["y"] + zoom["height"] <= box["y"]
    bar.screenshot(path=str(tmp_path / "playback-bar-phone.png"))

    # In Marathi, the bar says so.
    page.get_by_role("combobox", name="Language").select_option("mr")
    bar = page.get_by_role("region", name="इतिहासाचे पुनर्दर्शन")
    expect(bar.get_by_role("button", name="थेट दृश्याकडे परत")).to_be_visible()
    moment = page.evaluate("() => window.bustrack.playback.timeText()")
    digit = "[\u0966-\u096f]"  # Devanagari digits, as Marathi writes numbers
    assert re.fullmatch(f"{digit}{{2}}:{digit}{{2}}:{digit}{{2}}", moment), moment
    expect(bar.get_by_role("slider", name="दाखवलेली वेळ")).to_have_attribute("aria-valuetext", moment)
    assert page.evaluate("() => window.bustrack.statusText()").startswith("पुनर्दर्शन")

    # Escape in the bar is back to live, the keyboard back on the toggle.
    bar.get_by_role("button", name="थेट दृश्याकडे परत").focus()
    page.keyboard.press("Escape")
    expect(bar).to_be_hidden()
    assert not page.evaluate("() => window.bustrack.playback.active()")
    expect(page.get_by_role("button", name="इतिहास")).to_be_focused()
    assert page.evaluate("() => window.bustrack.statusText()").startswith("थेट")
