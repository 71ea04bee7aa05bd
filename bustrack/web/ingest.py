"""Positions in from GPS units and phones: ``POST /api/ingest`` and ``/api/ingest/osmand``.

Each request carries its device's token (``Authorization: Bearer <token>``, or for the
phone apps that cannot set headers, ``?token=`` in the URL); without a valid one: 401 and
nothing is stored. Each report is checked on its own (:mod:`bustrack.sources.checks`):
one bad report is refused with its reason and never affects the others. The answer is
sent only once the accepted reports are committed (:class:`~bustrack.store.ReportStore`):
acknowledged means durable. A report the store already has (the same device and moment:
a retried batch) is acknowledged again and stored once. With ``--redis`` the accepted
reports are handed to Redis's ingest stream before the answer (``"stored": null``): the
active feeder commits them to its store (see :mod:`bustrack.broker.redis`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Any

import orjson
from aiohttp import web

from bustrack.broker.redis import broker_errors
from bustrack.live.devices import LiveDevices
from bustrack.sources import osmand
from bustrack.sources.checks import Limits, Refused, check_report
from bustrack.sources.report import Report
from bustrack.store import Device, ReportStore
from bustrack.store.tokens import hash_token
from bustrack.web.counts import ingest_counts_key
from bustrack.web.keys import broker_key, live_key, settings_key, store_key
from bustrack.web.peers import AUTH_FAILURE_EVERY, client_ip, peers_key

__all__ = ["MAX_BATCH", "MAX_BODY", "add_ingest_routes", "limits_key"]

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # bytes of one request's body
MAX_BATCH = 1000  # reports in one batch

limits_key = web.AppKey("ingest_limits", Limits)


def _unreachable() -> web.HTTPServiceUnavailable:
    return web.HTTPServiceUnavailable(
        text="the broker is unreachable; nothing was stored; retry\n",
        headers={"Retry-After": "5"},
    )


async def _device(request: web.Request) -> Device:
    """The token's device. Tokens are looked up by their SHA-256 (what the store keeps), so
    the lookup's time says nothing about how much of a token was right; an address that
    fails too often is refused before any lookup (:mod:`bustrack.web.peers`), unless its
    token logged in lately (another bus behind the same NAT)."""
    peers = request.app[peers_key]
    address = client_ip(request)
    now = asyncio.get_running_loop().time()
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    token = token or request.query.get("token", "")
    hashed = hash_token(token) if token else ""
    if not peers.auth_failures.allows(address, now) and not (
        hashed and peers.known_tokens.knows(hashed, now)
    ):
        peers.refused("ingest", address, "too many failed logins")
        raise web.HTTPTooManyRequests(
            text="too many requests with a wrong token from your address; try again later\n",
            headers={"Retry-After": str(round(AUTH_FAILURE_EVERY))},
        )
    device = await request.app[store_key].device_for_token(token) if token else None
    if device is None:
        request.app[ingest_counts_key].refused["token"] += 1
        peers.auth_failures.take(address, now)
        # Never the token itself in the log.
        peers.refused("ingest", address, "a wrong token" if token else "no token")
        raise web.HTTPUnauthorized(
            text="a valid device token is needed: Authorization: Bearer <token>\n",
            headers={"WWW-Authenticate": 'Bearer realm="bustrack ingest"'},
        )
    peers.known_tokens.remember(hashed, now)
    return device


def _bound(raw: Mapping[str, Any], device: Device) -> dict[str, Any]:
    """The report as its device sends it, with what the device is bound to where the
    report says nothing, and the token's device where it names none."""
    out = dict(raw)
    out.setdefault("device", device.device)
    if not out.get("trip_id") and device.trip_id:
        out["trip_id"] = device.trip_id
    if not out.get("route_id") and device.route_id:
        out["route_id"] = device.route_id
    return out


async def _take(
    app: web.Application, device: Device, items: list[Any]
) -> tuple[list[dict[str, Any]], int | None]:
    """Check, commit and show ``items``; return each one's result and how many were stored
    (None with --redis: handed to the feeder, which stores each report once)."""
    live: LiveDevices = app[live_key]
    store: ReportStore = app[store_key]
    limits = app[limits_key]
    counts = app[ingest_counts_key]
    now = time.time()
    results: list[dict[str, Any]] = []
    accepted: list[Report] = []
    slots: list[int] = []
    last = live.last_of(device.device)
    broker = app.get(broker_key)
    if broker is not None:  # the last report any web process took, if newer than ours
        try:
            shared = await broker.last_report(device.device)
        except broker_errors:
            log.warning("cannot read %s's last report from Redis: answered 503", device.device)
            raise _unreachable() from None
        if shared is not None and (last is None or shared.ts > last.ts):
            last = shared
    for i, raw in enumerate(items):
        try:
            if not isinstance(raw, Mapping):
                raise Refused("a report must be a JSON object")
            named = raw.get("device")
            if named is not None and str(named) != device.device:
                raise Refused(f"device {named!r} is not this token's device", "device")
            report = check_report(_bound(raw, device), now, last, limits)
        except Refused as err:
            counts.refused[err.kind] += 1
            results.append({"i": i, "ok": False, "error": str(err)})
            continue
        if last is None or report.ts > last.ts:
            last = report
        results.append({"i": i, "ok": True})
        accepted.append(report)
        slots.append(i)
    stored: list[bool | None]
    if broker is not None:  # the active feeder stores them (a retried one not twice)
        try:
            await broker.submit_reports(accepted)  # in Redis: from here on, acknowledged
        except broker_errors:
            log.warning("cannot hand %d reports to Redis: answered 503", len(accepted))
            raise _unreachable() from None
        stored = [None] * len(accepted)
    else:
        stored = list(await store.append(accepted))  # committed: from here on, acknowledged
    counts.accept(len(accepted), now)
    for report, new, i in zip(accepted, stored, slots, strict=True):
        results[i]["stored"] = new
        live.accept(report)  # with --redis, beside Redis's last report, for the next checks
    return results, None if broker is not None else sum(1 for s in stored if s)


async def ingest(request: web.Request) -> web.Response:
    """``POST /api/ingest``: a JSON array of reports from one device."""
    device = await _device(request)
    body = await _body(request)
    try:
        items = orjson.loads(body)
    except orjson.JSONDecodeError as err:
        request.app[ingest_counts_key].refused["body"] += 1
        raise web.HTTPBadRequest(text=f"the body is not JSON: {err}\n") from None
    if not isinstance(items, list):
        request.app[ingest_counts_key].refused["body"] += 1
        raise web.HTTPBadRequest(text="the body must be a JSON array of reports\n")
    if len(items) > MAX_BATCH:
        request.app[ingest_counts_key].refused["too_large"] += 1
        raise web.HTTPRequestEntityTooLarge(
            max_size=MAX_BATCH,
            actual_size=len(items),
            text=f"at most {MAX_BATCH} reports in one batch, not {len(items)}\n",
        )
    results, stored = await _take(request.app, device, items)
    refused = sum(1 for r in results if not r["ok"])
    answer = {
        "accepted": len(results) - refused,
        "stored": stored,
        "refused": refused,
        "results": results,
    }
    return web.json_response(answer, dumps=lambda o: orjson.dumps(o).decode())


async def ingest_osmand(request: web.Request) -> web.Response:
    """``GET|POST /api/ingest/osmand``: one report in the OsmAnd protocol (Traccar Client)."""
    device = await _device(request)
    try:
        if request.method == "POST" and request.content_type == "application/json":
            body = await _body(request)
            try:
                parsed = orjson.loads(body)
            except orjson.JSONDecodeError as err:
                raise Refused(f"the body is not JSON: {err}", "body") from None
            if not isinstance(parsed, Mapping):
                raise Refused("the body must be a JSON object", "body")
            raw = osmand.from_json(parsed)
        else:
            form = await request.post() if request.method == "POST" else {}
            fields = {**request.query, **{k: str(v) for k, v in form.items()}}
            raw = osmand.from_query(fields)
    except Refused as err:
        request.app[ingest_counts_key].refused[err.kind] += 1
        raise web.HTTPBadRequest(text=f"{err}\n") from None
    if not raw.get("device"):
        raw["device"] = device.device
    results, _ = await _take(request.app, device, [raw])
    if not results[0]["ok"]:
        raise web.HTTPBadRequest(text=f"{results[0]['error']}\n")
    return web.Response(text="OK\n")


async def _body(request: web.Request) -> bytes:
    """The whole body; aiohttp answers 413 past the app's ``client_max_size`` (MAX_BODY),
    and a body that takes longer than ``--idle-timeout`` to arrive gets 408."""
    try:
        async with asyncio.timeout(request.app[settings_key].idle_timeout):
            return await request.read()
    except TimeoutError:
        raise web.HTTPRequestTimeout(text="the request's body came too slowly\n") from None
    except web.HTTPRequestEntityTooLarge:
        request.app[ingest_counts_key].refused["too_large"] += 1
        raise


def add_ingest_routes(app: web.Application) -> None:
    """Register the ingest endpoints on ``app`` (the store and the live devices must be
    set by the app's cleanup context)."""
    app.router.add_post("/api/ingest", ingest)
    app.router.add_get("/api/ingest/osmand", ingest_osmand)
    app.router.add_post("/api/ingest/osmand", ingest_osmand)
