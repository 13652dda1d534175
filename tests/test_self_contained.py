"""The repository is self-contained: a fresh clone with nothing beside it runs its tests.

No tracked file of the code, tests, benchmarks or CI names a folder of one
machine (an absolute path under /work, /home, /tmp, C:\\ ...) or climbs out
of the repository (a `../`, a `".."` component, `parents[N]` or a `.parent`
chain past the root). System locations that a package manager owns (/usr/bin,
/usr/lib, /dev, /proc, /etc) are not machine folders and stay allowed.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("annotations", "tests", "bench", ".ci", "docs", "app.py", "pyproject.toml")
VENDORED = ("tests/data/",)  # third-party data, kept byte for byte
SELF = Path(__file__).resolve().relative_to(ROOT).as_posix()  # its examples are bad on purpose
TEXT_SUFFIXES = {"", ".py", ".toml", ".js", ".css", ".html", ".sh", ".cfg", ".ini", ".mako",
                 ".json", ".md", ".txt", ".yml", ".yaml"}

_DOT2 = r"\.\."  # built up so this file does not flag itself
MACHINE_DIRS = ("work", "home", "Users", "root", "tmp", "mnt", "srv", "opt", "data", "media",
                "shared", "var/folders", "private")
ABSOLUTE = re.compile(
    r"""(?:^|[\s"'=(:,\[])/(?:""" + "|".join(MACHINE_DIRS) + r""")(?:/|\b)"""
    r"""|\b[A-Za-z]:\\\\?[A-Za-z]"""
)
CLIMB = re.compile(_DOT2 + "/|" + "[\"']" + _DOT2 + "[\"']")
PARENTS = re.compile(r"__file__\)(?:\.resolve\(\)|\.absolute\(\))?\.parents\[(\d+)\]")
PARENT_CHAIN = re.compile(r"__file__\)(?:\.resolve\(\)|\.absolute\(\))?((?:\.parent)+)\b")
SHELL_UP = re.compile(r"dirname \"\$0\"\)((?:/" + _DOT2 + r")+)")


def _tracked() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z", "--", *SCANNED], cwd=ROOT,
                         capture_output=True, check=True).stdout.decode()
    return [p for p in out.split("\0") if p and not p.startswith(VENDORED) and p != SELF
            and Path(p).suffix in TEXT_SUFFIXES]


def problems(path: str, text: str) -> list[str]:
    """Each way `text`, the content of tracked file `path`, reaches outside the repository."""
    depth = len(Path(path).parts)  # parents[depth - 1] is the repository root
    found = []
    for n, line in enumerate(text.splitlines(), 1):
        where = f"{path}:{n}: {line.strip()[:100]}"
        if ABSOLUTE.search(line):
            found.append(f"absolute path to a machine folder: {where}")
        if CLIMB.search(line):
            found.append(f"relative path climbing with '..': {where}")
        for m in PARENTS.finditer(line):
            if int(m.group(1)) >= depth:
                found.append(f"parents[{m.group(1)}] leaves the repository: {where}")
        for m in PARENT_CHAIN.finditer(line):
            if m.group(1).count(".parent") > depth:
                found.append(f".parent chain leaves the repository: {where}")
        for m in SHELL_UP.finditer(line):
            if m.group(1).count("/") > depth - 1:
                found.append(f"dirname/.. leaves the repository: {where}")
    return found


def test_no_tracked_file_reaches_outside_the_repository() -> None:
    files = _tracked()
    assert "tests/test_jsonld.py" in files and ".ci/run" in files
    found = [p for f in files for p in problems(f, (ROOT / f).read_text(encoding="utf-8"))]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("path", "line"), [
    ("tests/test_x.py", 'SEEDS = Path("/work/shared/seeds")'),
    ("tests/test_x.py", "p = '/home/ada/data.csv'"),
    ("bench/b.py", 'open("/tmp/out.csv")'),
    ("tests/test_x.py", 'ROOT / "..' + '/shared/conformance"'),
    ("tests/test_x.py", 'os.path.join(ROOT, "..' + '", "shared")'),
    ("tests/test_x.py", "Path(__file__).resolve().parents[2] / 'shared'"),
    ("tests/ui/t.py", "Path(__file__).parent.parent.parent.parent / 'x'"),
    (".ci/run", 'cd "$(dirname "$0")/..' + '/..' + '"'),
    ("tests/test_x.py", r'p = "C:\\Users\\ada"'),
])
def test_paths_out_of_the_repository_are_flagged(path: str, line: str) -> None:
    assert problems(path, line)


@pytest.mark.parametrize(("path", "line"), [
    ("tests/test_x.py", "from ..document import read_corpus"),
    ("tests/test_x.py", "ROOT = Path(__file__).resolve().parents[1]"),
    ("tests/ui/t.py", "ROOT = Path(__file__).resolve().parents[2]"),
    ("tests/test_x.py", "ROOT = Path(__file__).resolve().parent.parent"),
    (".ci/run", 'cd "$(dirname "$0")/..' + '"'),
    ("tests/conftest.py", 'PG_BIN = Path("/usr/lib/postgresql/15/bin")'),
    ("tests/test_x.py", 'CHROMIUM = Path("/usr/bin/chromium")'),
    ("tests/test_x.py", 'url = f"sqlite:///{tmp_path / \'x.db\'}"'),
    ("tests/test_x.py", 'assert r.get("/healthz").status == 200'),
    ("tests/test_x.py", "text = 'a/b/data/more' and '1..2'"),
])
def test_legitimate_paths_pass(path: str, line: str) -> None:
    assert problems(path, line) == []
