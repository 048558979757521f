"""Reusable pieces for the benchmarks: a scratch database, gunicorn, wrk, SQL query counts and a
plain-text table.

Every benchmark runs the site the way production does (gunicorn, `icmec.settings.production`,
DEBUG off) on loopback, against the machine's PostgreSQL and Redis, in a database of its own.
Scripts in bench/ import it as `import harness` (their folder is on sys.path).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# --- Environment ------------------------------------------------------------------------------


def production_env(
    *,
    database_url: str,
    redis_url: str,
    port: int,
    static_root: Path,
    media_root: Path,
    cache_key_prefix: str,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a production-like run on loopback (no TLS, so no HTTPS redirect)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "icmec.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "CACHE_KEY_PREFIX": cache_key_prefix,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_ROOT": str(static_root),
            "MEDIA_ROOT": str(media_root),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


def apply_env(env: dict[str, str]) -> None:
    """Make this process use `env` (call before django.setup())."""
    os.environ.clear()
    os.environ.update(env)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- The scratch database ---------------------------------------------------------------------


def _admin_url(database_url: str) -> tuple[str, str]:
    """The URL of the server's `postgres` database, and the name of the database in the URL."""
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(
        (
            parts.scheme.replace("postgres", "postgresql", 1),
            parts.netloc,
            "/postgres",
            parts.query,
            "",
        )
    )
    return admin, name


def recreate_database(database_url: str) -> None:
    """Drop and create the database named in `database_url` (never the one tests or dev use)."""
    import psycopg
    from psycopg import sql

    admin, name = _admin_url(database_url)
    if not name.startswith("bench"):
        raise SystemExit(f"Refusing to recreate {name!r}: benchmark databases start with 'bench'.")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_exists(database_url: str) -> bool:
    import psycopg

    admin, name = _admin_url(database_url)
    with psycopg.connect(admin, autocommit=True) as connection:
        row = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return row is not None


# --- gunicorn ---------------------------------------------------------------------------------


@contextlib.contextmanager
def gunicorn(**kwargs) -> Iterator[str]:
    """Serve the site with gunicorn on 127.0.0.1:`port` until the block ends; yields its URL.

    Takes the arguments of `gunicorn_process`."""
    with gunicorn_process(**kwargs) as (url, _process):
        yield url


@contextlib.contextmanager
def gunicorn_process(
    *,
    env: dict[str, str],
    port: int,
    workers: int = 2,
    wsgi: str = "icmec.wsgi:application",
    ready_path: str = "/health/",
    startup_timeout: float = 60,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Serve the site with gunicorn on 127.0.0.1:`port` until the block ends; yields its URL and
    the gunicorn master process (see `cpu_seconds`)."""
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        wsgi,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--backlog",
        "256",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {process.returncode}")
            try:
                with urllib.request.urlopen(url + ready_path, timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise SystemExit("gunicorn did not become ready in time")
            time.sleep(0.3)
        yield url, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def warm_up(url: str, *, requests: int = 20) -> None:
    """A few sequential requests, so that every worker has loaded its code and caches."""
    for _ in range(requests):
        with contextlib.suppress(urllib.error.URLError):
            urllib.request.urlopen(url, timeout=10).read()  # noqa: S310


# --- CPU time -----------------------------------------------------------------------------------


def _process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (Linux /proc), 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            children += [int(child) for child in (task / "children").read_text().split()]
    return children


def cpu_seconds(process: subprocess.Popen) -> float:
    """CPU time used so far by gunicorn's workers (the master's children).

    Unlike requests per second, CPU time per request hardly depends on what else the machine is
    doing, so it compares runs made under different loads."""
    return sum(_process_cpu_seconds(child) for child in _children(process.pid))


def database_backend_cpu(database_url: str) -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL backend connected to this database, by process
    id (only when the server runs on this machine, and is readable: else nothing)."""
    import psycopg

    admin, name = _admin_url(database_url)
    try:
        with psycopg.connect(admin, autocommit=True) as connection:
            rows = connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [name]
            ).fetchall()
    except psycopg.Error:
        return {}
    return {pid: _process_cpu_seconds(pid) for (pid,) in rows}


def database_cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds the backends used between two readings of `database_backend_cpu`.

    A backend that ended in between (a connection past its `CONN_MAX_AGE`) took its time with it:
    the figure is then a lower bound, never negative as a plain difference of sums would be.
    """
    return sum(max(cpu - before.get(pid, 0.0), 0.0) for pid, cpu in after.items())


# --- wrk --------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx responses and socket errors


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"Unexpected latency {text!r} in wrk's output")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> LoadResult:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        errors += int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(group) for group in match.groups())
    return LoadResult(rps, p50, p99, requests, errors)


def run_wrk(
    url: str,
    *,
    duration: int = 10,
    connections: int = 8,
    threads: int = 1,
    script: Path | None = None,
    headers: Sequence[str] = (),
) -> LoadResult:
    """Load `url` with wrk for `duration` seconds and return throughput and latency.

    `script`: a wrk Lua script, e.g. one that varies the path (see `paths_script`); `headers`:
    sent with every request ("Cookie: sessionid=...").
    """
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    completed = subprocess.run(
        [
            wrk,
            "--latency",
            "--threads",
            str(threads),
            "--connections",
            str(connections),
            "--duration",
            f"{duration}s",
            "--timeout",
            "10s",
            *(["--script", str(script)] if script else []),
            *[argument for header in headers for argument in ("-H", header)],
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return parse_wrk(completed.stdout)


def paths_script(paths: Sequence[str], destination: Path) -> Path:
    """A wrk Lua script that requests `paths` in turn (one after the other, then again)."""
    quoted = ",\n".join(
        '  "' + path.replace("\\", "\\\\").replace('"', '\\"') + '"' for path in paths
    )
    destination.write_text(
        "local paths = {\n" + quoted + "\n}\n"
        "local counter = 0\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        '  return wrk.format("GET", paths[(counter - 1) % #paths + 1])\n'
        "end\n"
    )
    return destination


# --- SQL queries ------------------------------------------------------------------------------


def count_queries(path: str, *, host: str = "127.0.0.1", client=None) -> tuple[int, int]:
    """SQL queries of one GET in this process (Django must be set up): (status, queries)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = client or Client(HTTP_HOST=host)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response.status_code, len(queries)


# --- Output -----------------------------------------------------------------------------------


def print_table(
    rows: Sequence[dict[str, object]],
    columns: Sequence[tuple[str, str]],
    *,
    stream=None,
) -> None:
    """A plain-text (Markdown-compatible) table of `rows` with `columns` as (key, header)."""
    stream = stream or sys.stdout
    cells = [[str(row.get(key, "")) for key, _ in columns] for row in rows]
    headers = [header for _, header in columns]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    stream.write(line(headers) + "\n")
    stream.write("|" + "|".join("-" * (w + 2) for w in widths) + "|\n")
    for row in cells:
        stream.write(line(row) + "\n")
    stream.flush()
