"""Render the app's icons from their SVGs: ``python scripts/icons.py`` (rewrites the PNGs).

``frontend/src/icons/bus.svg`` (rounded, for tabs and home screens) and ``bus-maskable.svg``
(full bleed, the bus inside the safe zone, for launchers that cut their own shape, and for
iOS, which rounds the corners itself) are the sources; the PNGs beside them are made from
them by Debian's Chromium through Playwright (the browser tests' own), and ``favicon.ico``
wraps the 32 px PNG (an ICO may hold PNG images). The PNGs
are committed, so serving the page needs neither this script nor a browser.
"""

from __future__ import annotations

import base64
import struct
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

ICONS = ROOT / "frontend" / "src" / "icons"
# (source SVG, size in px, PNG written)
RENDERS = (
    ("bus.svg", 32, "bus-32.png"),
    ("bus-maskable.svg", 180, "apple-touch-icon.png"),  # iOS rounds it itself
    ("bus.svg", 192, "bus-192.png"),
    ("bus.svg", 512, "bus-512.png"),
    ("bus-maskable.svg", 192, "bus-maskable-192.png"),
    ("bus-maskable.svg", 512, "bus-maskable-512.png"),
)


def _render(page: Page, svg: Path, size: int) -> bytes:
    data = base64.b64encode(svg.read_bytes()).decode()
    page.set_viewport_size({"width": size, "height": size})
    page.set_content(
        '<html><body style="margin:0;background:transparent">'
        f'<img src="data:image/svg+xml;base64,{data}" width="{size}" height="{size}" '
        'style="display:block"></body></html>'
    )
    page.wait_for_function("() => document.images[0].complete")
    return page.screenshot(omit_background=True, type="png")


def ico_of_png(png: bytes) -> bytes:
    """An ICO file holding one PNG image (its size read from the PNG's header)."""
    width, height = struct.unpack(">II", png[16:24])
    header = struct.pack("<HHH", 0, 1, 1)  # reserved, type 1 (icon), one image
    entry = struct.pack(
        "<BBBBHHII", width % 256, height % 256, 0, 0, 1, 32, len(png), 6 + 16
    )  # 256 px is written 0
    return header + entry + png


def main() -> None:
    """Render every PNG, then the favicon."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(device_scale_factor=1)
        for source, size, out in RENDERS:
            (ICONS / out).write_bytes(_render(page, ICONS / source, size))
            print(f"wrote {ICONS / out}")
        browser.close()
    (ICONS / "favicon.ico").write_bytes(ico_of_png((ICONS / "bus-32.png").read_bytes()))
    print(f"wrote {ICONS / 'favicon.ico'}")


if __name__ == "__main__":
    main()
