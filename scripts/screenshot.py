"""Take a screenshot of the page as a user sees it: ``python scripts/screenshot.py OUT.png``.

Starts ``python -m bustrack.web`` on a free port (extra arguments are passed on),
opens the page in Debian's Chromium through Playwright, waits for live buses and
saves a PNG. Map tiles load only if this machine reaches the tile server.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, Server  # noqa: E402


def main() -> None:
    """Parse arguments, start the server, take the screenshot."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--wait", type=float, default=3.0, help="seconds to let buses glide")
    parser.add_argument("--stop", help="search this stop and open its arrivals, as a user would")
    parser.add_argument("server_args", nargs="*", help="passed to python -m bustrack.web")
    args, rest = parser.parse_known_args()
    args.server_args += [a for a in rest if a != "--"]
    server = Server(*args.server_args)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            page.goto(server.url + "/")
            page.wait_for_function(
                "() => window.bustrack && window.bustrack.shownMarkerCount() > 0", timeout=30_000
            )
            if args.stop:
                search = page.locator("#search input")
                search.fill(args.stop)
                page.get_by_role("option").first.wait_for(timeout=10_000)
                search.press("Enter")
                page.wait_for_function(
                    "() => window.bustrack.stopPanelState().open", timeout=10_000
                )
            page.wait_for_timeout(args.wait * 1000)
            page.screenshot(path=str(args.out))
            browser.close()
    finally:
        server.stop()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
