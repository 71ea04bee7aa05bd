"""The page works under its Content-Security-Policy (no inline script or style, no eval):
used as a user would, it reports no violation; an inline script is refused."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Server
from tests.conftest import timeout

COLLECT = """() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
        const where = `${e.sourceFile}:${e.lineNumber}`;
        window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${where}`);
    });
}"""
VIOLATIONS = "() => window.__cspViolations"


def test_the_page_works_under_its_policy_and_the_policy_is_enforced(
    page: Page, server: Server
) -> None:
    page.add_init_script(f"({COLLECT})()")
    response = page.goto(server.url + "/")
    assert response is not None
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    page.wait_for_function(
        "() => window.bustrack && window.bustrack.shownMarkerCount() > 50", timeout=timeout(30_000)
    )
    # A stop's panel, a bus's popup, the playback bar and another language: the page's parts.
    box = page.get_by_role("combobox", name="Search routes and stops")
    box.click()
    box.press_sequentially("afghan chu", delay=30)
    box.press("Enter")
    page.wait_for_function(
        "() => window.bustrack.stopPanelState().rows.length > 0", timeout=timeout(15_000)
    )
    bus = page.evaluate("() => window.bustrack.vehicleIds()[0]")
    assert page.evaluate("(id) => window.bustrack.openPopup(id)", bus)
    page.get_by_role("button", name="History").click()
    expect(page.get_by_role("region", name="History playback")).to_be_visible()
    page.locator("#language").select_option("hi")
    page.wait_for_timeout(timeout(1000))
    assert page.evaluate(VIOLATIONS) == []
    # The policy is in force: an inline script injected now is refused and reported.
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.__ran = true'; document.body.append(s); }"""
    )
    page.wait_for_function("() => window.__cspViolations.length > 0", timeout=timeout(5000))
    assert page.evaluate("() => window.__ran") is None
