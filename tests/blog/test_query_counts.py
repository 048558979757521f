"""The home page, the blog index and a post make the same number of SQL queries whatever the
number of posts: right after a publication, when every fragment and in-process cache of published
content has just been invalidated (cold), and in the steady state that follows (warm)."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blog.models import BlogPostPage, HomePageFeaturedPost
from blog.services import content_version_bump
from tests.factories.blog import AuthorFactory, CategoryFactory, SiteImageFactory

pytestmark = pytest.mark.django_db

MAX_QUERIES = 12


def queries(client, url: str) -> tuple[int, int]:
    client.get(url)  # creates the image renditions once, as the first visitor would
    content_version_bump()  # what publishing a page does: every cached fragment is stale
    with CaptureQueriesContext(connection) as cold:
        response = client.get(url)
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    return len(cold), len(warm)


@pytest.fixture
def add_posts(home, make_post):
    images = [SiteImageFactory() for _ in range(3)]
    categories = [CategoryFactory(name=name) for name in ("Research", "Events", "Awareness")]
    author = AuthorFactory()
    counter = itertools.count()

    def add(number: int):
        for _ in range(number):
            n = next(counter)
            make_post(
                title=f"Post {n}",
                date_published=datetime.date(2020, 1, 1) + datetime.timedelta(days=n),
                featured_image=images[n % 3],
                categories=[categories[n % 3], categories[(n + 1) % 3]],
                tags=[f"tag{n % 4}", "common"],
                authors=[author],
            )

    return add


def test_query_counts_do_not_grow_with_the_number_of_posts(client, home, add_posts):
    add_posts(5)
    first_post = BlogPostPage.objects.order_by("date_published").first()
    HomePageFeaturedPost.objects.create(page=home, post=first_post)
    urls = ["/", "/blog/", first_post.url, "/blog/category/research/", "/search/?q=post"]
    small = {url: queries(client, url) for url in urls}

    add_posts(95)
    assert BlogPostPage.objects.count() == 100
    large = {url: queries(client, url) for url in urls}

    assert large == small
    for url, (cold, warm) in large.items():
        assert cold <= MAX_QUERIES, (url, cold)
        assert warm <= cold, url


def test_a_posts_queries_do_not_grow_with_its_authors_photos(client, make_post):
    """Each author box shows a photo: the photos' renditions are read in one query."""
    authors = [AuthorFactory(photo=SiteImageFactory()) for _ in range(4)]
    one = make_post(title="One author", authors=authors[:1])
    four = make_post(title="Four authors", authors=authors)

    assert queries(client, four.url) == queries(client, one.url)
    assert client.get(four.url).content.decode().count("author-box__photo") == 4
