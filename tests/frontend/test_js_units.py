"""The page's JavaScript unit tests (``frontend/tests/*.test.mjs``), run by ``node --test``.

They cover the pure modules (protocol decoder, fleet state, boxes, search results, ...)
without a browser; the browser tests cover the rest.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import timeout

ROOT = Path(__file__).resolve().parents[2]
JS_TESTS = ROOT / "frontend" / "tests"


def test_js_unit_tests_pass() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: it runs frontend/tests (and npm installs Leaflet)")
    files = sorted(JS_TESTS.glob("*.test.mjs"))
    assert files, f"no *.test.mjs in {JS_TESTS}"
    proc = subprocess.run(
        [node, "--test", "--test-reporter=tap", *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout(120),
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    counts = dict(re.findall(r"^# (tests|pass|fail) (\d+)$", proc.stdout, re.MULTILINE))
    assert int(counts.get("tests", 0)) >= len(files), output
    assert counts.get("pass") == counts.get("tests"), output
    assert counts.get("fail") == "0", output
