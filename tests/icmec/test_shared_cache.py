"""The local run's processes share one cache: what one process publishes, the web server shows.

A web server (runserver with the dev settings and no Redis, as `make run` starts it) keeps the
routes, the site and rendered fragments under the content version; a post published on schedule
by another process (the worker, or here `manage.py publish_scheduled`) must show on it at once.
tests/icmec/test_make_run.py does the same through Celery beat's worker, on a fresh database.
"""

import datetime
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.db import connection
from django.utils import timezone

from tests.icmec.test_make_run import _free_port
from tests.utils import ROOT, subprocess_env

pytestmark = pytest.mark.django_db(transaction=True)


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def _bring_forward(post) -> None:
    """Make the scheduled revision due now (without publishing it)."""
    revision = post.latest_revision
    now = timezone.now() - datetime.timedelta(seconds=1)
    content = {**revision.content, "go_live_at": now.isoformat()}
    type(revision).objects.filter(pk=revision.pk).update(approved_go_live_at=now, content=content)


def test_a_post_published_by_another_process_shows_on_the_web_server_at_once(tmp_path):
    from blog.models import HomePage
    from tests.factories.blog import BlogIndexPageFactory, BlogPostPageFactory

    home = HomePage.objects.get()
    blog = BlogIndexPageFactory(parent=home)
    BlogPostPageFactory(parent=blog, title="Already published")
    post = BlogPostPageFactory(
        parent=blog,
        title="Published by another process",
        live=False,
        go_live_at=timezone.now() + datetime.timedelta(hours=1),
    )
    post.save_revision().publish()  # scheduled, not live
    post.refresh_from_db()
    assert not post.live

    db = connection.settings_dict
    host = urllib.parse.quote(db["HOST"] or "127.0.0.1", safe="")
    port = _free_port()
    env = subprocess_env(
        DJANGO_SETTINGS_MODULE="icmec.settings.dev",
        DATABASE_URL=f"postgres://{db['USER']}@{host}:{db['PORT'] or 5432}/{db['NAME']}",
        ICMEC_DATA_DIR=str(tmp_path / "data"),
        MEDIA_ROOT=str(tmp_path / "media"),
        PORT=str(port),
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "createcachetable"], env=env, cwd=ROOT, check=True, timeout=120)
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if _get(f"{base}/health/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        # The web server routes the address and renders the home page without the post, and
        # keeps both in its caches.
        assert _get(f"{base}/blog/published-by-another-process/")[0] == 404
        status, page = _get(f"{base}/")
        assert status == 200
        assert "Already published" in page
        assert "Published by another process" not in page

        _bring_forward(post)
        subprocess.run([*manage, "publish_scheduled"], env=env, cwd=ROOT, check=True, timeout=120)
        post.refresh_from_db()
        assert post.live
        published = time.monotonic()

        status, page = _get(f"{base}/")
        while "Published by another process" not in page and time.monotonic() < published + 1:
            time.sleep(0.05)
            status, page = _get(f"{base}/")
        assert "Published by another process" in page
        assert _get(f"{base}/blog/published-by-another-process/")[0] == 200
        assert time.monotonic() - published < 1.5
    finally:
        server.terminate()
        server.wait(timeout=30)
