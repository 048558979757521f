"""Cache headers for CDNs, private responses, fragment caches and CDN purges on publish."""

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import RequestFactory

from icmec.caching.http import CacheHeadersMiddleware, mark_public
from tests.blog import frontend_cache_backend

pytestmark = pytest.mark.django_db

PUBLIC_URLS = ["/", "/blog/", "/search/?q=post", "/blog/feed/rss/", "/sitemap.xml", "/robots.txt"]


@pytest.fixture
def post(make_post):
    return make_post(title="A public post")


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_anonymous_public_pages_are_cacheable_by_a_cdn(client, post, url):
    response = client.get(url)

    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=60", "s-maxage=600"}
    assert "Cookie" in response["Vary"]
    assert not response.cookies


def test_a_post_is_cacheable_too(client, post):
    assert "s-maxage=600" in client.get(post.url)["Cache-Control"]


def test_logged_in_visitors_get_private_responses(client, post, non_member):
    client.force_login(non_member)

    for url in ["/", "/blog/", post.url]:
        cache_control = client.get(url)["Cache-Control"]
        assert "private" in cache_control, url
        assert "public" not in cache_control, url


def test_a_page_showing_a_message_is_not_cached_publicly(client, post):
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(messages.SUCCESS, "Thanks, please check your email.")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies["messages"] = carrier.cookies["messages"].value

    response = client.get("/")

    assert "Thanks, please check your email." in response.content.decode()
    assert "public" not in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_responses_that_set_cookies_or_carry_their_own_headers_are_left_private():
    def setting_a_cookie(request):
        response = mark_public(HttpResponse("hello"))
        response.set_cookie("something", "personal")
        return response

    def own_headers(request):
        response = mark_public(HttpResponse("hello"))
        response["Cache-Control"] = "no-store"
        return response

    def not_marked(request):
        return HttpResponse("hello")

    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()

    assert "private" in CacheHeadersMiddleware(setting_a_cookie)(request)["Cache-Control"]
    assert CacheHeadersMiddleware(own_headers)(request)["Cache-Control"] == "no-store"
    assert not CacheHeadersMiddleware(not_marked)(request).has_header("Cache-Control")
    post_request = RequestFactory().post("/")
    post_request.user = AnonymousUser()
    assert not CacheHeadersMiddleware(setting_a_cookie)(post_request).has_header("Cache-Control")


def test_the_newsletter_footer_form_carries_no_csrf_token(client, post):
    response = client.get("/")

    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "csrftoken" not in response.cookies


def test_publishing_updates_cached_listings_at_once(client, make_post, post):
    assert "A brand new post" not in client.get("/").content.decode()
    assert "A brand new post" not in client.get("/blog/").content.decode()
    assert "A brand new post" not in client.get(post.url).content.decode()

    new = make_post(title="A brand new post", live=False)
    new.save_revision().publish()

    assert "A brand new post" in client.get("/").content.decode()
    assert "A brand new post" in client.get("/blog/").content.decode()
    assert "A brand new post" in client.get(post.url).content.decode()  # in "Latest posts"

    new.refresh_from_db()
    new.unpublish()

    assert "A brand new post" not in client.get("/").content.decode()


def test_publishing_purges_the_post_and_its_listings_from_the_cdn(
    settings, django_capture_on_commit_callbacks, make_post, post
):
    settings.WAGTAILFRONTENDCACHE = {
        "cdn": {"BACKEND": "tests.blog.frontend_cache_backend.RecordingBackend"}
    }
    frontend_cache_backend.purged.clear()
    draft = make_post(title="Fresh news", live=False)

    with django_capture_on_commit_callbacks(execute=True):
        draft.save_revision().publish()

    purged = set(frontend_cache_backend.purged)
    assert "http://localhost/blog/fresh-news/" in purged
    assert "http://localhost/" in purged
    assert "http://localhost/blog/" in purged
    assert "http://localhost/blog/feed/rss/" in purged
    assert "http://localhost/blog/feed/atom/" in purged
    assert "http://localhost/sitemap.xml" in purged


def test_repeated_searches_come_from_the_cache_until_content_changes(client, make_post, post):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = client.get("/search/", {"q": "public"})
    with CaptureQueriesContext(connection) as repeated:
        again = client.get("/search/", {"q": "Public"})

    assert 'href="/blog/a-public-post/"' in first.content.decode()
    assert 'href="/blog/a-public-post/"' in again.content.decode()
    assert len(repeated) == 0
    make_post(title="Another public post", live=False).save_revision().publish()
    after = client.get("/search/", {"q": "public"}).content.decode()
    assert 'href="/blog/another-public-post/"' in after
