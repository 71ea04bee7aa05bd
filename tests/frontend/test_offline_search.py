"""The page's own search (``frontend/src/offlineSearch.js``, used offline) finds what the
server's does (``bustrack/search.py`` through :meth:`Network.search_ranked`): the same tables,
and the same answers, in the same order, on the bundled Mumbai feed. Run with ``node``."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bustrack.gtfs.model import Feed
from bustrack.network import SAME_PLACE_M, Network, build_network
from bustrack.search import FUZZY_MIN, MIN_INSIDE, PHRASES, RANKS, SYNONYMS
from bustrack.web.api import SEARCH_LIMIT
from tests.conftest import timeout

ROOT = Path(__file__).resolve().parents[2]
MODULE = (ROOT / "frontend" / "src" / "offlineSearch.js").as_uri()
ROUTE_INDEX = (ROOT / "frontend" / "src" / "routeIndex.js").as_uri()

# Exact names, prefixes, typos, sound-alikes, abbreviations, phrases, route numbers.
QUERIES = [
    "Afghan Church",
    "afghan",
    "andheri",
    "andheri stn",
    "Andheri Station (W)",
    "bandara",
    "maheem",
    "juhoo",
    "dadar tt",
    "cst",
    "C.S.T.",
    "victoria terminus",
    "dadar stn (e)",
    "kurla stn w",
    "borivali e",
    "ring",
    "ltd",
    "1",
    "64",
    "1 as",
    "a",
    "xyzzy",
]

# Reads {routes, stops, queries} on stdin; prints [tables, answers].
SCRIPT = f"""
import {{readFileSync}} from 'node:fs';
import * as search from '{MODULE}';
import {{RouteIndex}} from '{ROUTE_INDEX}';
const input = JSON.parse(readFileSync(0, 'utf8'));
const routes = [...new RouteIndex(input.routes).values()];
const index = new search.OfflineIndex({{routes, stops: input.stops}});
const tables = {{
    synonyms: search.SYNONYM_GROUPS, phrases: search.PHRASES, ranks: search.RANKS,
    fuzzyMin: search.FUZZY_MIN, minInside: search.MIN_INSIDE, samePlace: search.SAME_PLACE_M,
    limit: search.SEARCH_LIMIT,
}};
console.log(JSON.stringify([tables, input.queries.map((q) => index.search(q))]));
"""


def _server_answer(network: Network, query: str) -> dict[str, Any]:
    """``GET /api/search``'s answer (bustrack/web/api.py), from the network itself."""
    routes, stops = network.search_ranked(query, SEARCH_LIMIT)
    return {
        "routes": [
            {"id": r.route_id, "label": r.label, "long_name": r.long_name, "color": r.color}
            | {"rank": rank}
            for r, rank in routes
        ],
        "stops": [
            {"id": s.stop_id, "name": s.name, "lat": s.lat, "lon": s.lon, "routes": s.route_ids}
            | {"rank": rank}
            for s, rank in stops
        ],
    }


def _run_node(payload: dict[str, Any]) -> Any:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: it runs the page's modules (and npm installs Leaflet)")
    proc = subprocess.run(
        [node, "--input-type=module", "-e", SCRIPT],
        input=json.dumps(payload),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout(60),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_the_page_searches_its_copies_as_the_server_searches(mumbai_feed: Feed) -> None:
    network = build_network(mumbai_feed)
    # The JSON the page has: /api/routes (fields the search reads) and /api/stops?limit=10000.
    routes = [
        {"id": r.route_id, "label": r.label, "short_name": r.short_name}
        | {"long_name": r.long_name, "color": r.color}
        for r in network.routes
    ]
    stops_shown, truncated = network.stops_in(None, 10_000)
    assert not truncated
    stops = [
        {"id": s.stop_id, "name": s.name, "lat": s.lat, "lon": s.lon, "routes": s.route_ids}
        for s in stops_shown
    ]
    tables, answers = _run_node({"routes": routes, "stops": stops, "queries": QUERIES})

    synonyms = {a: word for word, aliases in tables["synonyms"].items() for a in aliases}
    assert synonyms == SYNONYMS
    assert {tuple(words): word for words, word in tables["phrases"]} == PHRASES
    assert tables["ranks"] == RANKS
    assert (tables["fuzzyMin"], tables["minInside"]) == (FUZZY_MIN, MIN_INSIDE)
    assert (tables["samePlace"], tables["limit"]) == (SAME_PLACE_M, SEARCH_LIMIT)

    found_something = 0
    for query, answer in zip(QUERIES, answers, strict=True):
        expected = json.loads(json.dumps(_server_answer(network, query)))
        assert answer == expected, query
        found_something += bool(answer["routes"] or answer["stops"])
    assert found_something >= len(QUERIES) - 1  # all but "xyzzy"
