"""SITE_CACHES_ENABLED=false (with Django's DummyCache) bypasses every cache layer of the public
site, and the pages are the same without them."""

import datetime

import pytest
from django.test import override_settings

from blog.models import BlogPostPage, HomePageFeaturedPost
from tests.factories.blog import AuthorFactory, CategoryFactory, SiteImageFactory

pytestmark = pytest.mark.django_db

DUMMY_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
CACHES_OFF = override_settings(SITE_CACHES_ENABLED=False, CACHES=DUMMY_CACHE)


@pytest.fixture
def posts(home, make_post, member):
    image = SiteImageFactory()
    research = CategoryFactory(name="Research", slug="research")
    author = AuthorFactory(name="Dr Ada Example")
    made = [
        make_post(
            title=f"Child protection research {n}",
            date_published=datetime.date(2024, 1, 1) + datetime.timedelta(days=n),
            featured_image=image,
            categories=[research],
            tags=["evidence"],
            authors=[author],
        )
        for n in range(12)
    ]
    make_post(title="Child protection briefing for members", members_only=True)
    HomePageFeaturedPost.objects.create(page=home, post=made[0])
    return made


def urls(posts) -> list[str]:
    return [
        "/",
        "/blog/",
        "/blog/?page=2",
        posts[3].url,
        "/blog/category/research/",
        "/blog/tag/evidence/",
        "/blog/2024/",
        "/search/?q=child+protection",
        "/search/?q=child+protection&page=2",
    ]


def test_pages_render_the_same_with_every_cache_off(client, posts):
    for url in urls(posts):
        client.get(url)  # creates the renditions, fills the caches
        cached = client.get(url)
        with CACHES_OFF:
            uncached = client.get(url)
        assert cached.status_code == uncached.status_code == 200, url
        assert uncached.content.decode() == cached.content.decode(), url


def test_members_only_posts_stay_hidden_with_every_cache_off(client, posts, member):
    secret_url = "/blog/child-protection-briefing-for-members/"
    with CACHES_OFF:
        for url in ["/", "/blog/", "/search/?q=briefing"]:
            assert secret_url not in client.get(url).content.decode(), url
        assert client.get(secret_url).status_code == 302  # to the login page
        client.force_login(member)
        for url in ["/blog/", "/search/?q=briefing"]:
            assert secret_url in client.get(url).content.decode(), url


def test_nothing_is_kept_with_every_cache_off(client, posts):
    """A change that does not announce itself (no new content version) shows at once only when
    nothing is cached: proof that each layer is bypassed, not just filled and read back."""
    post = posts[-1]  # the newest: on the home page, the blog index, and in search
    for url in ["/", "/blog/", post.url, "/search/?q=research"]:
        client.get(url)
    BlogPostPage.objects.filter(pk=post.pk).update(title="Renamed quietly", summary="Quietly")

    assert "Renamed quietly" not in client.get("/").content.decode()
    with CACHES_OFF:
        for url in ["/", "/blog/", post.url, "/search/?q=research"]:
            assert "Renamed quietly" in client.get(url).content.decode(), url
