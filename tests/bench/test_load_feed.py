"""The load benchmark still runs (on tiny sizes): it must not rot between runs."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import timeout
from tests.web.process import ROOT


def test_the_benchmark_runs_and_prints_its_table() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.load_feed", "--sizes", "2000,4000", "--repeat", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout(120),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    rows = re.findall(
        r"^(Mumbai BEST \(bundled\)|synthetic [\d,]+(?:, [a-z]+(?: [a-z]+)*)?)\s+([\d,]+)\s",
        out,
        re.M,
    )
    assert [label for label, _ in rows] == [
        "Mumbai BEST (bundled)",
        "synthetic 2,000",
        "synthetic 4,000",
        "synthetic 4,000, filling cache",
        "synthetic 4,000, from cache",
    ]
    assert rows[0][1] == "23,251"
    assert "Mumbai under 2 s:" in out
    assert re.search(r"time ~ rows\^-?[\d.]+ \(1\.00 is linear\)", out)  # tiny sizes: noise
    assert "second start from the cache" in out
