"""A throwaway PostgreSQL cluster for tests and benchmarks.

initdb as the unprivileged `postgres` user (initdb refuses root) into a temp
folder, listening on a unix socket and a free loopback port, fsync off.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


class PgServer:
    def __init__(self, base: Path, port: int) -> None:
        self.base, self.port = base, port

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        subprocess.run(
            [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "-d", "postgres", "-qc", f"CREATE DATABASE {name}"],
            check=True, capture_output=True,
        )
        return self.url(name)


def available() -> bool:
    return (PG_BIN / "initdb").exists()


@contextmanager
def cluster(max_connections: int = 200) -> Iterator[PgServer]:
    """Start a cluster, yield it, stop and remove it."""
    base = Path(tempfile.mkdtemp(prefix="annotations-pg-"))
    os.chmod(base, 0o777)
    data = base / "data"
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres",
                                 "--auth=trust", "-E", "UTF8", "--no-instructions"]),
                   check=True, capture_output=True)
    port = _free_port()
    log = base / "pg.log"
    subprocess.run(_as_postgres([
        str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o",
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
        f"-c max_connections={max_connections}",
        "start"]), check=True, capture_output=True)
    try:
        yield PgServer(base, port)
    finally:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                     "stop"]), capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
