"""The department deployment's nginx config, in front of two app processes (issue 13).

nginx runs the config shipped in docs/deploy (only the upstream addresses and
the port are this test's): a reader joins through the proxy (page, websocket,
session cookie route), and a save made in a browser on the other app process
reaches that reader through the proxy's unbuffered live stream.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_browser_kit import (
    IN_CI,
    ROOT,
    RunningApp,
    drag_select,
    free_port,
    join,
    start_app,
    stop_app,
    wait_healthy,
    wait_highlight,
)

from annotations.annotation import Filters, list_annotations
from annotations.corpus import get_text
from annotations.db.engine import Store

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

DOC = "allied-powers-ussr"
WAIT = 30_000  # ms: a ceiling for a loaded machine, not a timing check
CONF = ROOT / "docs" / "deploy" / "annotations.nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def proxy_config(shipped: str, backends: list[str], port: int) -> str:
    """The shipped config with this test's upstream servers and port."""
    servers = "".join(f"    server {b};\n" for b in backends)
    body, n = re.subn(r"(?m)^    server app\d:8501;\n(    server app\d:8501;\n)*", servers, shipped)
    assert n == 1, "the upstream block of the shipped config changed shape"
    body, n = re.subn(r"(?m)^    listen 80;$", f"    listen 127.0.0.1:{port};", body)
    assert n == 1
    return body


@pytest.fixture
def proxied(tmp_path: Path, pg_server: Any) -> Iterator[tuple[str, RunningApp, RunningApp]]:
    if not Path(NGINX).exists():
        if IN_CI:
            pytest.fail("nginx is missing: .ci/run installs it")
        pytest.skip("nginx is not installed")
    url = pg_server.create_database()
    env = {"ANNOTATIONS_SECRET_KEY": "one-key-for-every-instance-of-this-department"}
    first = start_app(tmp_path / "a", db_url=url, env=env)
    second = start_app(tmp_path / "b", db_url=url, env=env)
    port = free_port()
    site = proxy_config(CONF.read_text(encoding="utf-8"),
                        [a.url.removeprefix("http://") for a in (first, second)], port)
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"daemon off;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path}/body;\n"
        f"  proxy_temp_path {tmp_path}/proxy;\n  include {tmp_path}/site.conf;\n}}\n",
        encoding="utf-8")
    nginx = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                             stderr=subprocess.PIPE)
    proxy = f"http://127.0.0.1:{port}"
    try:
        if not wait_healthy(proxy, nginx, 30):  # the app's health check, through the proxy
            raise RuntimeError(f"nginx did not pass requests on (see {tmp_path / 'error.log'})")
        yield proxy, first, second
    finally:
        nginx.terminate()
        nginx.wait(10)
        stop_app(second)
        stop_app(first)


def test_a_reader_behind_the_proxy_sees_a_save_from_the_other_process(
        browser: Any, proxied: tuple[str, RunningApp, RunningApp]) -> None:
    proxy, first, second = proxied
    reader = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    join(reader, proxy, "Ben")  # page, websocket and the session cookie route, proxied
    store = Store.open(first.db_url, migrate=False)
    try:
        text = get_text(store, DOC).text
        # ip_hash put the reader on one process; save on both, so one save is the other's.
        for n, (name, app) in enumerate((("Ana", first), ("Cyd", second)), start=1):
            writer = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
            join(writer, app.url, name)
            start = text.index("totalitarian") if name == "Ana" else text.index("economic")
            drag_select(writer, start, start + 8)
            writer.wait_for_selector(".hl-root[data-pending]:not([data-pending=''])",
                                     timeout=WAIT)
            writer.get_by_role("button", name="Save annotation").click()
            # Saved: the writer's page draws it (the n-th highlight of the document).
            writer.wait_for_selector(f".hl-root[data-highlights='{n}']", timeout=WAIT)
        saved = list_annotations(store, Filters(seminar="demo", document=DOC))
        assert len(saved) == 2
        for a in saved:
            wait_highlight(reader, a.id, timeout=WAIT)  # pushed through the proxy
    finally:
        store.dispose()
