"""The load benchmark still runs and still finds nothing lost: a short run, no timing asserted.

bench/bench_load.py exits non-zero when any call raised or the store disagrees
with what the calls returned; that is the correctness check kept here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "bench_load.py"
CHROMIUM = Path("/usr/bin/chromium")  # as tests/ui/ui_browser_kit.py
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.mark.slow
@pytest.mark.browser
def test_load_benchmark_loses_nothing() -> None:
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing: the browser tests must run in CI")
        pytest.skip(f"{CHROMIUM} is missing")
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--annotators",
            "8",
            "--seconds",
            "15",
            "--browsers",
            "1",
            "--floor",
            "5",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "errors: 0" in done.stdout, done.stdout
    assert "lost: 0" in done.stdout, done.stdout
    assert "selection -> own highlight drawn" in done.stdout, done.stdout
