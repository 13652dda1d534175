"""The benchmark scripts still run: a small smoke run of each, no timing asserted."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
SCRIPTS = [BENCH / "bench_store.py"]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_bench_script_runs(script: Path) -> None:
    done = subprocess.run([sys.executable, str(script), "--rows", "2000", "--repeat", "1"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert re.search(r"ratio \d+\.\d+x", done.stdout), done.stdout
