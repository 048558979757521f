"""`make run`'s runner (scripts/dev.py) brings the whole site up and Ctrl-C brings it down.

It runs the real thing: migrations and demo content on a fresh database, then runserver, a
Celery worker and Celery beat on the filesystem transport. A newsletter sign-up posted to the
web process must reach the worker, whose console email backend prints the confirmation email.
"""

import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import psycopg
import pytest
from django.db import connection

from tests.utils import ROOT, subprocess_env

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def fresh_database():
    """An empty database on the test server, dropped afterwards."""
    db = connection.settings_dict
    name = f"{db['NAME']}_make_run"
    params = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    host = urllib.parse.quote(params["host"], safe="")
    yield f"postgres://{db['USER']}@{host}:{params['port']}/{name}"
    with psycopg.connect(**params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _get(url: str, **headers) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_make_run_serves_web_worker_and_beat_and_stops_on_ctrl_c(fresh_database, tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = subprocess_env(
        DJANGO_SETTINGS_MODULE="icmec.settings.dev",
        DATABASE_URL=fresh_database,
        ICMEC_DATA_DIR=str(tmp_path / "data"),
        MEDIA_ROOT=str(tmp_path / "media"),
        PORT=str(port),
    )
    runner = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts/dev.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(runner.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 240
        status = None
        while time.monotonic() < deadline and runner.poll() is None:
            try:
                status, _ = _get(f"{base}/health/")
            except OSError:
                status = None
            if status == 200:
                break
            time.sleep(1)
        assert status == 200, "".join(output)[-3000:]

        status, home = _get(f"{base}/")
        assert status == 200
        assert "Latest posts" in home

        # The web process enqueues, the worker sends (to its console backend).
        form = urllib.parse.urlencode(
            {"email": "reader@example.org", "consent": "on", "form_id": "page"}
        ).encode()
        request = urllib.request.Request(
            f"{base}/newsletter/", data=form, headers={"Origin": base}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "To: reader@example.org" not in "".join(output):
            time.sleep(0.5)
        assert "To: reader@example.org" in "".join(output), "".join(output)[-3000:]
        assert "celery beat" in "".join(output).lower()
    finally:
        runner.send_signal(signal.SIGINT)
        exit_code = runner.wait(timeout=60)

    assert exit_code == 0, "".join(output)[-3000:]
    with pytest.raises(OSError):
        _get(f"{base}/health/")
