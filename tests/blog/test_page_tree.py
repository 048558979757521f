"""Which page goes where: parent and child rules, one home page, one blog."""

import pytest
from wagtail.models import Page, Site

from blog.models import BlogIndexPage, BlogPostPage, HomePage, StandardPage

pytestmark = pytest.mark.django_db


def test_the_home_page_replaces_wagtails_welcome_page_as_the_site_root(home):
    site = Site.objects.get(is_default_site=True)

    assert site.root_page.specific == home
    assert not Page.objects.filter(title__startswith="Welcome to your new Wagtail site").exists()
    assert home.url_path == "/home/"


@pytest.mark.parametrize(
    ("child", "parent", "allowed"),
    [
        (HomePage, Page, True),
        (StandardPage, HomePage, True),
        (StandardPage, StandardPage, True),
        (BlogIndexPage, HomePage, True),
        (BlogPostPage, BlogIndexPage, True),
        (BlogPostPage, HomePage, False),
        (BlogPostPage, StandardPage, False),
        (BlogPostPage, BlogPostPage, False),
        (BlogIndexPage, StandardPage, False),
        (BlogIndexPage, BlogIndexPage, False),
        (StandardPage, BlogIndexPage, False),
        (StandardPage, BlogPostPage, False),
        (HomePage, HomePage, False),
        (StandardPage, Page, False),
    ],
)
def test_parent_and_child_rules(child, parent, allowed):
    assert (parent in child.allowed_parent_page_models()) is allowed
    assert (child in parent.allowed_subpage_models()) is allowed


def test_only_one_home_page_and_one_blog(home, blog):
    root = Page.get_first_root_node()

    assert not HomePage.can_create_at(root)
    assert not BlogIndexPage.can_create_at(home)
    assert StandardPage.can_create_at(home)
    assert BlogPostPage.can_create_at(blog)


def test_posts_have_no_children_and_live_only_in_the_blog(blog, make_post):
    post = make_post()

    assert post.specific_class.allowed_subpage_models() == []
    assert post.can_exist_under(blog)
    assert not BlogPostPage.can_exist_under(blog.get_parent())


def test_view_restrictions_are_found_on_the_page_and_above_it(client, blog, make_post):
    from wagtail.models import PageViewRestriction

    post = make_post(title="Behind a password")
    assert not post.get_view_restrictions().order_by("-page__depth").exists()
    assert client.get(post.url).status_code == 200

    PageViewRestriction.objects.create(
        page=blog, restriction_type=PageViewRestriction.PASSWORD, password="open sesame 123"
    )

    assert list(post.get_view_restrictions()) == list(PageViewRestriction.objects.all())
    response = client.get(post.url)
    assert response.status_code == 200
    assert "Behind a password" not in response.content.decode()  # the password form instead
    assert "no-cache" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert "Behind a password" not in client.get("/blog/").content.decode()
