"""`make run`'s runner (scripts/dev.py) brings the whole site up and Ctrl-C brings it down.

It runs the real thing: migrations and demo content on a fresh database, then runserver, a
Celery worker and Celery beat on the filesystem transport. A newsletter sign-up posted to the
web process must reach the worker, whose console email backend prints the confirmation email;
links follow the port it serves on; and a post the worker publishes on schedule shows on the web
server at once (the processes share one cache).
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

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


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


SCHEDULE_POST = """
from datetime import timedelta
from django.utils import timezone
from blog.models import BlogIndexPage, BlogPostPage
index = BlogIndexPage.objects.get()
post = BlogPostPage(
    title="Published by the worker", slug="published-by-the-worker", live=False,
    summary="Scheduled for later.", date_published=timezone.localdate(),
    go_live_at=timezone.now() + timedelta(hours=1),
)
index.add_child(instance=post)
post.save_revision().publish()
post.refresh_from_db()
assert not post.live and post.latest_revision.approved_go_live_at is not None
"""

# Brings the go-live time forward and asks the worker (through the broker) to publish what is due.
PUBLISH_DUE_IN_THE_WORKER = """
from django.utils import timezone
from blog.models import BlogPostPage
from blog.tasks import publish_scheduled
post = BlogPostPage.objects.get(slug="published-by-the-worker")
revision = post.latest_revision
content = {**revision.content, "go_live_at": timezone.now().isoformat()}
type(revision).objects.filter(pk=revision.pk).update(
    approved_go_live_at=timezone.now(), content=content
)
publish_scheduled.delay()
"""


def _manage_shell(code: str, env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _post_is_live(database_url: str) -> bool:
    with psycopg.connect(urllib.parse.unquote(database_url)) as conn:
        row = conn.execute(
            "SELECT live FROM wagtailcore_page WHERE slug = 'published-by-the-worker'"
        ).fetchone()
    return bool(row and row[0])


def test_make_run_serves_web_worker_and_beat_and_stops_on_ctrl_c(fresh_database, tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    site_url = f"http://localhost:{port}"
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
        deadline = (
            time.monotonic() + 600
        )  # a fresh database migrates first (slow on a busy machine)
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
        # Links name the address it serves on, not a default port.
        assert f'<link rel="canonical" href="{site_url}/">' in home
        assert f'<meta property="og:url" content="{site_url}/">' in home
        assert ":8000" not in home
        status, sitemap = _get(f"{base}/sitemap.xml")
        assert f"<loc>{site_url}/blog/" in sitemap
        assert ":8000" not in sitemap
        status, feed = _get(f"{base}/blog/feed/rss/")
        assert f"<link>{site_url}/blog/" in feed
        assert ":8000" not in feed

        # A post scheduled for later: the web server routes and renders without it (and keeps
        # that in its caches)...
        _manage_shell(SCHEDULE_POST, env)
        post_url = f"{base}/blog/published-by-the-worker/"
        assert _get(post_url)[0] == 404
        assert "Published by the worker" not in _get(f"{base}/")[1]
        # ...until the worker publishes it: then it shows within a second.
        _manage_shell(PUBLISH_DUE_IN_THE_WORKER, env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _post_is_live(fresh_database):
            time.sleep(0.1)
        assert _post_is_live(fresh_database), "".join(output)[-3000:]
        published_at = time.monotonic()
        status, home = _get(f"{base}/")
        while "Published by the worker" not in home and time.monotonic() < published_at + 1:
            time.sleep(0.05)
            status, home = _get(f"{base}/")
        assert "Published by the worker" in home
        assert _get(post_url)[0] == 200
        assert time.monotonic() - published_at < 1.5

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
        assert f"{site_url}/newsletter/confirm/" in "".join(output), "".join(output)[-3000:]
        assert "celery beat" in "".join(output).lower()
    finally:
        runner.send_signal(signal.SIGINT)
        exit_code = runner.wait(timeout=60)

    assert exit_code == 0, "".join(output)[-3000:]
    with pytest.raises(urllib.error.URLError):  # the server is gone: the connection is refused
        _get(f"{base}/health/")
