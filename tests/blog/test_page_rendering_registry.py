"""The page types' context and routes come from the view layer through `blog.models.rendering`:
once the app is ready, every page type whose template reads a value that only the view layer
supplies has a builder that supplies it, and every route of the blog index has a handler."""

import re

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import get_template
from django.test import RequestFactory
from wagtail.models import Page

from blog.models import BlogIndexPage, BlogPostPage, HomePage, StandardPage, rendering
from tests.factories.blog import StandardPageFactory

pytestmark = pytest.mark.django_db

# What the page types' templates may read that only a context builder (blog.views.pages) sets.
VIEW_LAYER_NAMES = {
    "featured_posts",
    "latest_posts",
    "related_posts",
    "posts",
    "filter_kind",
    "filter_value",
    "categories",
    "archive_years",
    "home_sections",
}
# A name at the start of a template expression ({{ posts.number }}, {% for x in categories %}),
# not an attribute of something else (page.categories).
TEMPLATE_TAG = re.compile(r"{[{%](.*?)[}%]}", re.DOTALL)
LEADING_NAME = re.compile(r"(?<![\w.'\"])([a-z_]\w*)")
# Names the template sets itself ({% with categories=page.category_list %}, {% for x in ... %}).
BOUND_NAME = re.compile(r"\b(\w+)=|\bfor\s+(\w+)|\bas\s+(\w+)")


def names_read_by(template_name: str) -> set[str]:
    """The context names a template reads that it does not set itself."""
    tags = TEMPLATE_TAG.findall(get_template(template_name).template.source)
    read = {name for tag in tags for name in LEADING_NAME.findall(tag)}
    bound = {name for tag in tags for match in BOUND_NAME.findall(tag) for name in match if name}
    return read - bound


def blog_page_types() -> list[type[Page]]:
    return [
        model
        for model in apps.get_app_config("blog").get_models()
        if issubclass(model, Page) and model is not Page
    ]


@pytest.fixture
def page_of_each_type(home, blog, make_post):
    return {
        HomePage: home,
        BlogIndexPage: blog,
        BlogPostPage: make_post(title="A post"),
        StandardPage: StandardPageFactory(parent=home, title="About", slug="about"),
    }


@pytest.fixture
def anonymous_request():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return request


def test_every_page_type_gets_what_its_template_reads_from_the_view_layer(
    page_of_each_type, anonymous_request
):
    page_types = blog_page_types()
    missing = set(page_types) - set(page_of_each_type)
    assert not missing, f"Add a page of each new type to this test: {missing}"
    needed_by_type = {}
    for page_type in page_types:
        needed = names_read_by(page_type.template) & VIEW_LAYER_NAMES
        page = page_of_each_type[page_type]
        supplied = set(rendering.build_context(page, anonymous_request))
        assert needed <= supplied, (page_type.__name__, needed - supplied)
        # What Wagtail itself calls carries them too.
        assert needed <= set(page.get_context(anonymous_request)), page_type.__name__
        needed_by_type[page_type] = needed
    # The templates were read: the three page types that list posts read their lists.
    assert needed_by_type[HomePage] >= {"featured_posts", "latest_posts", "home_sections"}
    assert needed_by_type[BlogPostPage] >= {"latest_posts", "related_posts"}
    assert needed_by_type[BlogIndexPage] >= {"posts", "categories", "archive_years"}
    assert needed_by_type[StandardPage] == set()


def test_ready_registered_a_handler_for_every_route_of_the_blog_index():
    names = [pattern.name for pattern in BlogIndexPage.get_subpage_urls()]
    # The listing itself is the model's own `render` (and `index_route` Wagtail's); every other
    # route is the view layer's.
    delegated = [name for name in names if name not in ("all_posts", "index_route")]
    assert len(delegated) == 7
    for name in delegated:
        assert callable(rendering.route_handler_for(BlogIndexPage, name))
    assert rendering.cached_paths_for(BlogIndexPage) is not None
    assert rendering.registered_page_types() == {HomePage, BlogIndexPage, BlogPostPage}


def test_a_route_without_a_handler_is_reported_as_a_wiring_mistake(blog, anonymous_request):
    with pytest.raises(ImproperlyConfigured, match="no_such_route"):
        rendering.serve_route(blog, "no_such_route", anonymous_request)
