"""A throw-away PostgreSQL server for the store tests (Debian's ``postgresql`` packages).

``make test`` installs the packages (``make postgres``); this starts a private cluster in a
temporary directory, listening on a unix socket only (no TCP), trusted local auth, and stops
and removes it afterwards. As root (CI), initdb and the server run as the ``postgres``
user, which refuses to run as root. Nothing here skips: a missing install is a failure.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["bin_dir", "postgres_server"]


def bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert found, ("PostgreSQL server binaries are missing: run `make postgres` (Debian "
                   "package postgresql)")
    return Path(found[-1]).parent


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a cluster; yield a ``postgresql://`` URL for its ``postgres`` database."""
    tools = bin_dir()
    root = Path(tempfile.mkdtemp(prefix="cnnquiz-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        os.chmod(root, 0o755)
        shutil.chown(sock, "postgres", "postgres")
        shutil.chown(root, "postgres", "postgres")
    log = root / "server.log"
    try:
        subprocess.run(_as_server_user([str(tools / "initdb"), "-D", str(data), "-U", "postgres",
                                        "--auth=trust", "-E", "UTF8", "--no-sync"]),
                       check=True, capture_output=True, timeout=120)
        opts = f"-c listen_addresses='' -k {sock} -c fsync=off -c max_connections=200"
        subprocess.run(_as_server_user([str(tools / "pg_ctl"), "-D", str(data), "-l", str(log),
                                        "-o", opts, "-w", "-t", "60", "start"]),
                       check=True, capture_output=True, timeout=120)
        yield f"postgresql://postgres@/postgres?host={sock}"
    finally:
        if data.exists():
            subprocess.run(_as_server_user([str(tools / "pg_ctl"), "-D", str(data), "-m", "fast",
                                            "-w", "stop"]), capture_output=True, timeout=120)
        shutil.rmtree(root, ignore_errors=True)
