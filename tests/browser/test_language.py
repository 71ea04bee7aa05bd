"""The interface language: English by default, Marathi and Hindi chosen in the toolbar, kept
across a reload, announced by ``<html lang>``; stop and route names stay as the feed has them."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import Server
from tests.conftest import timeout

STOP_NAME = "Afghan Church"


def _open(page: Page, server: Server) -> None:
    page.goto(server.url + "/")
    page.wait_for_function(
        "() => window.bustrack && window.bustrack.vehicleCount() > 20", timeout=timeout(30_000)
    )


def test_marathi_and_hindi_strings_and_the_lang_attribute(page: Page, server: Server) -> None:
    _open(page, server)
    html = page.locator("html")
    search = page.locator("#search-input")
    status = page.locator("#status")
    expect(html).to_have_attribute("lang", "en")
    expect(status).to_contain_text("live")
    expect(page.get_by_role("button", name="List", exact=True)).to_be_visible()
    assert page.get_by_label("Language").input_value() == "en"

    page.get_by_label("Language").select_option("mr")
    expect(html).to_have_attribute("lang", "mr")
    expect(status).to_contain_text("थेट")
    expect(status).to_contain_text("सेवेची वेळ \u0966\u096f:")  # 09: in Marathi digits
    expect(search).to_have_attribute("placeholder", "मार्ग किंवा थांबा")
    expect(page.get_by_role("combobox", name="मार्ग आणि थांबे शोधा")).to_be_visible()
    expect(page.get_by_role("button", name="यादी", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="बसचा नकाशा")).to_be_attached()
    expect(page.get_by_role("button", name="झूम इन करा")).to_be_visible()
    assert page.title() == "bustrack: बसचे थेट स्थान"
    expect(page.get_by_role("heading", level=1)).to_have_text("bustrack: बसचे थेट स्थान")

    # Kept across a reload.
    _open(page, server)
    expect(html).to_have_attribute("lang", "mr")
    assert page.evaluate("() => window.bustrack.language()") == "mr"
    expect(page.locator("#status")).to_contain_text("थेट")

    # A stop's next buses in Marathi; its name and the route numbers as the feed has them.
    search.click()
    search.press_sequentially("afghan chu", delay=20)
    search.press("Enter")
    panel = page.get_by_role("region", name=STOP_NAME)
    expect(panel).to_be_visible(timeout=timeout(10_000))
    expect(panel).to_contain_text("येणाऱ्या बस")
    page.wait_for_function(
        "() => window.bustrack.stopPanelState().rows.length > 2", timeout=timeout(15_000)
    )
    expect(panel.locator(".arrival").first).to_contain_text(re.compile(r"आता|मिनिट|वेळ झाली|सिग्नल"))
    expect(panel.locator(".arrival__kind").first).to_contain_text(re.compile(r"थेट|वेळापत्रकानुसार"))
    routes = page.evaluate("() => window.bustrack.stopPanelState().rows.map((r) => r.route)")
    assert all(re.fullmatch(r"[0-9A-Z]+", r) for r in routes), routes
    expect(panel.locator(".route-chip").first).to_have_text(routes[0])

    # Hindi, straight away, panel and all.
    page.locator("#language").select_option("hi")
    expect(html).to_have_attribute("lang", "hi")
    expect(page.get_by_role("button", name="सूची", exact=True)).to_be_visible()
    expect(panel).to_contain_text("आने वाली बसें")
    expect(panel.locator(".arrival").first).to_contain_text(
        re.compile(r"अभी|मिनट में|समय हो गया|सिग्नल")
    )
    expect(panel.get_by_role("heading", name=STOP_NAME)).to_be_visible()
    expect(page.locator("#status")).to_contain_text("लाइव")
    page.get_by_role("button", name="सूची", exact=True).click()
    panel.get_by_role("button", name="आने वाली बसों की सूची बंद करें").click()
    expect(page.locator(".bus-list")).to_contain_text("दृश्य में")

    # Back to English.
    page.locator("#language").select_option("en")
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator(".bus-list")).to_contain_text("in view")
    assert page.evaluate("() => localStorage.getItem('bustrack.lang')") == "en"
