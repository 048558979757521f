"""The blog's registries for the apps above it (`blog.extensions`): the page types the site's
search finds and the home page's sections. The blog imports no app above it (import-linter);
these tests check that `ready()` filled the registries, and that a registered section is
rendered on the home page, lazily, and cached until its variant (or the content) changes."""

import copy

import pytest
from bs4 import BeautifulSoup

from blog import extensions
from blog.models import BlogPostPage, StandardPage
from blog.services import content_version_bump
from events.models import EventPage

pytestmark = pytest.mark.django_db

SECTION_TEMPLATE = (
    '<section aria-labelledby="test-section-heading"><h2 id="test-section-heading">'
    "{{ greeting }}</h2><p>{% for word in words %}{{ word }} {% endfor %}</p></section>"
)


def test_ready_registered_the_search_types_and_the_home_sections():
    by_model = {searchable.model: searchable for searchable in extensions.searchable_types()}

    assert set(by_model) == {BlogPostPage, StandardPage, EventPage}
    assert {model: s.label for model, s in by_model.items()} == {
        BlogPostPage: "News",
        StandardPage: "Page",
        EventPage: "Event",
    }
    # Each type with members-only pages names them; the search leaves them out for others.
    assert by_model[BlogPostPage].members_only is not None
    assert by_model[EventPage].members_only is not None
    assert by_model[StandardPage].members_only is None
    assert by_model[EventPage].time_zone == "eventpage__time_zone"
    assert [section.name for section in extensions.home_sections()] == ["events"]


@pytest.fixture
def test_section(settings):
    """A section registered as an app would, with a template of its own, for one test."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["APP_DIRS"] = False
    templates[0]["OPTIONS"]["loaders"] = [
        ("django.template.loaders.locmem.Loader", {"tests/section.html": SECTION_TEMPLATE}),
        "django.template.loaders.app_directories.Loader",
    ]
    settings.TEMPLATES = templates
    state = {"variant": "one", "built": 0}

    def words():
        state["built"] += 1
        return ["lazy", "words"]

    def context(request):
        from django.utils.functional import SimpleLazyObject

        return {"greeting": f"Hello {request.path}", "words": SimpleLazyObject(words)}

    extensions.register_home_section(
        extensions.HomeSection(
            name="a-test-section",
            template="tests/section.html",
            context=context,
            cache_variant=lambda: state["variant"],
            order=1,  # before the events
        )
    )
    yield state
    extensions._home_sections.pop("a-test-section")


def test_a_registered_section_is_rendered_lazily_and_cached_until_its_variant_changes(
    client, home, test_section
):
    first = BeautifulSoup(client.get("/").content, "html.parser")
    headings = [h2.get_text() for h2 in first.select("main h2")]

    assert "Hello /" in headings
    assert headings.index("Hello /") < headings.index("Upcoming events")  # its order
    assert "lazy words" in first.get_text()
    assert test_section["built"] == 1
    client.get("/")
    assert test_section["built"] == 1  # from the cache: its values were never read
    test_section["variant"] = "two"
    client.get("/")
    assert test_section["built"] == 2
    content_version_bump()  # a publication renders it again too
    client.get("/")
    assert test_section["built"] == 3


def test_registering_again_replaces_a_section_by_name(test_section):
    names_before = [section.name for section in extensions.home_sections()]
    extensions.register_home_section(
        extensions.HomeSection(
            name="a-test-section",
            template="tests/section.html",
            context=lambda request: {},
            order=200,
        )
    )

    assert [section.name for section in extensions.home_sections()] == ["events", "a-test-section"]
    assert names_before == ["a-test-section", "events"]
