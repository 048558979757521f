"""The front door: the repository's nginx configuration in front of the real site.

Debian's nginx runs docker/proxy/nginx.conf (unchanged but for its three addresses) in front of
the live test server; Wagtail's frontend cache sends its purges to it as in production. Readers
are anonymous HTTP clients; a member is a client with a real session cookie.
"""

from __future__ import annotations

import http.server
import os
import threading
import time

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.test.utils import override_settings
from wagtail.models import Page, PageViewRestriction, Site

from blog.models import BlogPostPage
from portal.models import Membership, User
from tests.factories.blog import (
    BlogIndexPageFactory,
    BlogPostPageFactory,
    SiteImageFactory,
    StandardPageFactory,
    ensure_site_baseline,
)
from tests.fixtures import proxy as front_door

HOST = "localhost"  # the Wagtail site's host name: purges name it, readers must too


def require_nginx() -> None:
    """Skip where nginx is not installed; in CI (which installs it) fail instead."""
    reason = front_door.skip_or_fail_reason()
    if reason and os.environ.get("CI"):
        pytest.fail(reason)
    if reason:
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _live_server_helper():
    """The module shares one live server and its data (see `served`), instead of pytest-django's
    table flush after every test."""


@pytest.fixture(autouse=True)
def _media_root():
    """Media stay where `served` put them, inside the proxy's folder."""


@pytest.fixture(scope="module")
def served(django_db_setup, django_db_blocker, live_server, tmp_path_factory):
    """The site behind the proxy, with a home page, a blog, two posts and a members-only one."""
    require_nginx()
    from django.core.management import call_command

    upstream = live_server.url.removeprefix("http://")
    proxy = front_door.Proxy(upstream=upstream)
    media_root = proxy.prefix / "media"
    media_root.mkdir(parents=True)
    media_root.chmod(0o755)
    overrides = override_settings(
        MEDIA_ROOT=str(media_root),
        WAGTAILFRONTENDCACHE={
            "proxy": {
                "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
                "LOCATION": proxy.purge_url,
            }
        },
    )
    with django_db_blocker.unblock(), overrides:
        # The front door's data is committed once for the module, outside any test's
        # transaction, and must find the baseline whatever ran before it in this process.
        home = ensure_site_baseline()
        Site.objects.filter(is_default_site=True).update(hostname=HOST, port=80)
        blog = BlogIndexPageFactory(parent=home, title="News", slug="blog")
        image = SiteImageFactory(title="Harbour at dawn")
        post = BlogPostPageFactory(parent=blog, title="Safer payments", featured_image=image)
        BlogPostPageFactory(parent=blog, title="A second post")
        secret = BlogPostPageFactory(parent=blog, title="Briefing for members", members_only=True)
        member = User.objects.create_user(email="member@example.org", password="x" * 20)
        Membership.objects.filter(user=member).update(status=Membership.Status.APPROVED)
        member.groups.add(Group.objects.get(name="Members"))
        proxy.start()
        try:
            yield {
                "proxy": proxy,
                "upstream": upstream,
                "home": home,
                "blog": blog,
                "post": post,
                "secret": secret,
                "member": member,
                "image": image,
            }
        finally:
            proxy.stop()
            call_command("flush", interactive=False, verbosity=0)


class UpstreamStub:
    """A stand-in application: answers 200 with `headers`, records what it was sent."""

    def __init__(self) -> None:
        stub = self
        self.headers: dict[str, str] = {}
        self.seen: dict[str, str] = {}
        self.requests = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                stub.requests += 1
                stub.seen = dict(self.headers.items())
                body = b"a page"
                self.send_response(200)
                for name, value in stub.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def upstream_stub():
    require_nginx()
    stub = UpstreamStub()
    yield stub
    stub.server.shutdown()


def read(served, path: str, **headers):
    return served["proxy"].get(path, headers={"Host": HOST} | headers)


def member_cookie(served) -> str:
    client = Client()
    client.force_login(served["member"])
    return f"sessionid={client.cookies['sessionid'].value}"


def eventually(check, *, within: float = 1.0):
    """Poll `check()` until it is true, for at most `within` seconds; return the time it took."""
    started = time.monotonic()
    while True:
        if check():
            return time.monotonic() - started
        if time.monotonic() - started > within:
            return None
        time.sleep(0.02)


def test_an_anonymous_page_is_a_hit_the_second_time(served):
    path = served["post"].url
    first = read(served, path)
    second = read(served, path)

    assert first.status == 200
    assert "Safer payments" in first.text
    assert first.cache_status in ("MISS", "EXPIRED")
    assert second.cache_status == "HIT"
    assert second.body == first.body
    assert "public" in second.headers["Cache-Control"]


def test_a_members_request_is_never_answered_from_or_stored_in_the_cache(served):
    read(served, "/")  # an anonymous copy is in the cache
    cookie = member_cookie(served)

    as_member = read(served, "/", Cookie=cookie)
    anonymous = read(served, "/")

    assert as_member.cache_status == "BYPASS"
    assert "Log out" in as_member.text or "/accounts/logout/" in as_member.text
    assert anonymous.cache_status == "HIT"
    assert "/accounts/logout/" not in anonymous.text
    # Production's cookie names (with the __Host- prefix) and the CSRF cookie count as well.
    for other in ("__Host-sessionid=abc", "csrftoken=abc", "theme=dark; __Host-csrftoken=abc"):
        assert read(served, "/", Cookie=other).cache_status == "BYPASS"
    assert read(served, "/", Cookie="theme=dark").cache_status == "HIT"


@pytest.mark.parametrize("path", ["/portal/", "/admin/", "/accounts/login/"])
def test_private_areas_are_never_cached(served, path):
    answers = [read(served, path) for _ in range(2)]

    assert all("X-Cache-Status" not in answer.headers for answer in answers)
    assert answers[0].status in (200, 302)


def test_a_response_that_sets_a_cookie_is_never_stored(upstream_stub):
    upstream_stub.headers = {
        "Cache-Control": "public, max-age=60, s-maxage=600",
        "Set-Cookie": "sessionid=someone; HttpOnly; Path=/",
    }
    proxy = front_door.Proxy(upstream=upstream_stub.address).start()
    try:
        answers = [proxy.get("/a-page/") for _ in range(3)]
    finally:
        proxy.stop()

    assert [answer.cache_status for answer in answers] == ["MISS"] * 3
    assert upstream_stub.requests == 3
    # The same response without the cookie is stored, so the cookie is what kept it out.
    upstream_stub.headers.pop("Set-Cookie")
    proxy = front_door.Proxy(upstream=upstream_stub.address).start()
    try:
        assert [proxy.get("/a-page/").cache_status for _ in range(2)] == ["MISS", "HIT"]
    finally:
        proxy.stop()


def test_a_members_only_post_never_enters_the_cache(served):
    path = served["secret"].url
    cookie = member_cookie(served)

    as_member = read(served, path, Cookie=cookie)
    anonymous = [read(served, path) for _ in range(3)]

    assert as_member.status == 200
    assert "Briefing for members" in as_member.text
    assert all(answer.status == 302 for answer in anonymous)
    assert all(answer.cache_status != "HIT" for answer in anonymous)
    assert all("Briefing for members" not in answer.text for answer in anonymous)


def test_a_publication_shows_within_a_second(served):
    post = BlogPostPage.objects.get(pk=served["post"].pk)
    home_before = read(served, "/")
    read(served, post.url)
    assert read(served, post.url).cache_status == "HIT"

    post.title = "Safer payments, updated"
    post.save_revision().publish()
    fresh = BlogPostPageFactory(parent=served["blog"], title="Just published")

    assert eventually(lambda: "Safer payments, updated" in read(served, post.url).text) is not None
    assert eventually(lambda: "Just published" in read(served, "/").text) is not None
    assert eventually(lambda: "Just published" in read(served, "/blog/").text) is not None
    assert eventually(lambda: "Just published" in read(served, "/blog/feed/rss/").text) is not None
    assert "Just published" not in home_before.text
    assert fresh.url in read(served, "/sitemap.xml").text


def test_unpublishing_moving_and_deleting_purge_the_old_address(served):
    home = served["home"]
    about = StandardPageFactory(parent=home, title="About the centre", slug="about-centre")
    section = StandardPageFactory(parent=home, title="Our work", slug="our-work")
    gone = StandardPageFactory(parent=home, title="Old notice", slug="old-notice")
    for page in (about, section, gone):
        read(served, page.url)
        assert read(served, page.url).cache_status == "HIT"

    Page.objects.get(pk=about.pk).specific.unpublish()
    assert eventually(lambda: read(served, "/about-centre/").status == 404) is not None

    moving = StandardPageFactory(parent=home, title="Moving page", slug="moving-page")
    read(served, "/moving-page/")
    assert read(served, "/moving-page/").cache_status == "HIT"
    Page.objects.get(pk=moving.pk).move(Page.objects.get(pk=section.pk), pos="last-child")
    # The old address now redirects to the new one (Wagtail's redirects app), from the cache too.
    assert eventually(lambda: read(served, "/moving-page/").status == 301) is not None
    assert read(served, "/moving-page/").headers["Location"].endswith("/our-work/moving-page/")
    assert read(served, "/our-work/moving-page/").status == 200

    Page.objects.get(pk=gone.pk).delete()
    assert eventually(lambda: read(served, "/old-notice/").status == 404) is not None


def test_a_restricted_page_never_enters_the_cache(served):
    page = StandardPageFactory(parent=served["home"], title="Staff area", slug="staff-area")
    read(served, page.url)
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.LOGIN
    )
    try:
        assert eventually(lambda: read(served, "/staff-area/").status == 302) is not None
        assert read(served, "/staff-area/").cache_status != "HIT"
    finally:
        restriction.delete()


def test_media_are_served_with_long_lifetimes(served):
    rendition = served["image"].get_rendition("fill-320x180")

    image = read(served, rendition.url)
    original = read(served, served["image"].file.url)

    assert image.status == 200
    assert image.headers["Content-Type"] == "image/png"
    assert image.body[:8] == b"\x89PNG\r\n\x1a\n"
    assert "immutable" in image.headers["Cache-Control"]
    assert original.status == 200
    assert read(served, "/media/documents/report.pdf").status == 404


def test_a_body_over_the_limit_is_refused_with_413(served):
    answer = served["proxy"].get(
        "/newsletter/subscribe/",
        method="POST",
        data=b"x" * (11 * 1024 * 1024),
        headers={"Host": HOST, "Content-Type": "application/octet-stream"},
    )

    assert answer.status == 413


def test_the_application_is_told_the_client_address_the_scheme_and_the_host(upstream_stub):
    proxy = front_door.Proxy(upstream=upstream_stub.address).start()
    try:
        proxy.get("/news/", headers={"Host": "example.org:8000", "X-Forwarded-For": "203.0.113.9"})
    finally:
        proxy.stop()

    # What the client claimed comes first, then the address nginx saw: the site trusts only the
    # hops its TRUSTED_PROXIES name, so a forged first entry changes nothing.
    seen = upstream_stub.seen
    assert seen["X-Forwarded-For"] == "203.0.113.9, 127.0.0.1"
    assert seen["X-Forwarded-Proto"] == "http"
    assert seen["Host"] == "example.org:8000"


def test_pages_are_served_from_the_cache_while_the_application_is_down(served, settings):
    proxy = served["proxy"]
    fresh_path = served["post"].url
    read(served, fresh_path)
    settings.PUBLIC_CACHE_S_MAXAGE = 1
    expired_path = "/blog/a-second-post/"
    assert read(served, expired_path).status == 200
    time.sleep(2.5)  # that copy is now past its s-maxage (nginx counts whole seconds)

    proxy.restart(upstream="127.0.0.1:9")  # nothing listens there: the application is gone
    try:
        fresh = read(served, fresh_path)
        expired = read(served, expired_path)
        never_cached = read(served, "/blog/never-cached-before/")
    finally:
        proxy.restart(upstream=served["upstream"])

    assert fresh.status == 200
    assert "Safer payments" in fresh.text
    assert fresh.cache_status == "HIT"
    assert expired.status == 200
    assert "A second post" in expired.text
    assert expired.cache_status == "STALE"
    assert never_cached.status == 502
