"""The search box ranks like a commuter thinks (issue 15), driven in a real Chromium.

The ranking rules chosen (bustrack/search.py has them in full; the page merges routes and
stops by the rank the server gives each):

1. An exact route number comes first ("64" → route 64; spaces ignored: "1 as" → 1AS), then
   route numbers starting with the query when it holds a digit (a number means a bus).
2. Otherwise stops come before routes when the words match a stop's name: the whole name,
   then names starting with the query, then names with every word matching (any order),
   then names matched with a typo or a spelling variant.
3. Then routes: number prefixes, names whose words match, with a typo; last, stops then
   routes with the query inside a word (3 characters or more).
4. Words are compared after folding case, accents (NFKD) and punctuation, and after a table
   of abbreviations and variants (Stn/Station, Rd/Road, CST/CSMT/VT/Chhatrapati Shivaji
   Terminus, W/West, E/East, Opp/Opposite, Jn/Junction, Mkt/Market, Chowk/Chouk, Nagar/Ngr,
   Marg/Mg …). A query word of 5 letters or more may have one typo (an insertion, deletion,
   substitution or swap: "Bandara" → Bandra), or sound the same (ee/i, oo/u, w/v, doubled
   letters: "Maheem" → Mahim).
5. Within a rank, stops served by more routes come first ("Andheri" → Andheri Station (W),
   not Andheri Fire Brigade); routes keep their number order.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server
from tests.conftest import timeout

LOADED = "() => window.bustrack && window.bustrack.routeCount() > 0"


def _first_option(page: Page, query: str) -> str:
    """Type ``query`` and return the first option's accessible name once the list shows it."""
    box = page.get_by_role("combobox", name="Search routes and stops")
    box.fill("")
    box.click()
    box.press_sequentially(query, delay=20)
    page.wait_for_function(
        """(query) => {
            const box = document.getElementById('search-input');
            return box.getAttribute('aria-expanded') === 'true'
                && window.bustrack.network.search.query === query;
        }""",
        arg=query,
        timeout=timeout(10_000),
    )
    first = page.get_by_role("listbox", name="Routes and stops").get_by_role("option").first
    return str(first.get_attribute("aria-label"))


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Dadar", r"^Stop Dadar "),
        ("64", r"^Route 64: "),
        ("Andheri", r"^Stop Andheri Station \(W\)"),
        ("andheri stn", r"^Stop Andheri Station \(W\)"),
        ("CST", r"^Stop Chhatrapati Shivaji Maharaj Terminus\(Csmt\)"),
        ("CSMT", r"^Stop Chhatrapati Shivaji Maharaj Terminus\(Csmt\)"),
        ("Bandara", r"^Stop Bandra"),
    ],
)
def test_the_first_result_is_what_a_commuter_means(
    page: Page, server: Server, query: str, first: str
) -> None:
    page.goto(server.url + "/")
    page.wait_for_function(LOADED, timeout=timeout(30_000))
    assert re.search(first, _first_option(page, query)), query


def test_enter_on_dadar_goes_to_the_stop_and_the_list_keeps_its_order(
    page: Page, server: Server
) -> None:
    page.goto(server.url + "/")
    page.wait_for_function(LOADED, timeout=timeout(30_000))
    _first_option(page, "Dadar")
    # The stops, then the routes: the screen shows the options in their order.
    titles = page.locator(".search__group-title").evaluate_all(
        "(els) => els.map((e) => e.textContent)"
    )
    assert titles == ["Stops", "Routes"]
    names = page.locator("#search-results [role=option]").evaluate_all(
        "(els) => els.map((e) => e.getAttribute('aria-label'))"
    )
    assert names[0].startswith("Stop ") and names[-1].startswith("Route ")
    box = page.get_by_role("combobox", name="Search routes and stops")
    box.press("Enter")
    expect(page.locator(".leaflet-popup-content, .stop-panel").first).to_contain_text(
        "Dadar", timeout=timeout(10_000)
    )
    expect(box).to_have_value(re.compile(r"^Dadar "))
