"""Every benchmark still runs: each bench/ script with a `__main__` entry, in its quick mode.

Scripts are found, not listed, so a benchmark added later is covered the day it
lands. Each runs as `python bench/<script> --quick` in a subprocess; the test
checks that it exits 0 and prints figures (a line with a number). No timing is
asserted: the figures are for people, the exit status is for CI. A script
that drives chromium fails here in CI when chromium is missing and skips
elsewhere, as the browser tests do.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CHROMIUM = Path("/usr/bin/chromium")  # as tests/ui/ui_browser_kit.py
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
MAIN = re.compile(r"^if __name__ == [\"']__main__[\"']:", re.MULTILINE)
FIGURE = re.compile(r"\d")

# Lines a script's quick run must print besides figures: its own correctness checks.
EXPECTED: dict[str, tuple[str, ...]] = {
    # bench_load exits 1 when anything is lost; these lines say so in the output too.
    "bench_load.py": ("errors: 0", "lost: 0", "selection -> own highlight drawn"),
}


def bench_scripts() -> list[Path]:
    """bench/*.py files that run as scripts (helpers such as factory.py have no entry)."""
    return sorted(p for p in BENCH.glob("*.py") if MAIN.search(p.read_text(encoding="utf-8")))


def needs_chromium(script: Path) -> bool:
    text = script.read_text(encoding="utf-8")
    return "ui_browser_kit" in text or "chromium" in text.lower()


def test_every_script_is_found() -> None:
    names = {p.name for p in bench_scripts()}
    assert {"bench_framing.py", "bench_load.py", "bench_store.py", "bench_ui.py"} <= names
    assert "factory.py" not in names


@pytest.mark.slow
@pytest.mark.parametrize("script", bench_scripts(), ids=lambda p: p.name)
def test_quick_mode_runs_and_prints_figures(script: Path) -> None:
    if needs_chromium(script) and not CHROMIUM.exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing: {script.name} must run in CI")
        pytest.skip(f"{CHROMIUM} is missing")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))}
    done = subprocess.run([sys.executable, str(script), "--quick"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    out = done.stdout
    assert done.returncode == 0, f"{script.name} --quick exited {done.returncode}\n{out}\n" \
        f"{done.stderr[-4000:]}"
    figures = [line for line in out.splitlines() if FIGURE.search(line)]
    assert figures, f"{script.name} --quick printed no figures:\n{out}"
    for line in EXPECTED.get(script.name, ()):
        assert line in out, f"{script.name} --quick did not print {line!r}:\n{out}"
