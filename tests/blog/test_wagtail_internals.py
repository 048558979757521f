"""blog.wagtail_internals answers as Wagtail does: each shortcut is compared with Wagtail's own
lookup over a table of cases, so that a Wagtail upgrade that changes a rule, an attribute or a
private API fails here."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.http import Http404
from django.test import RequestFactory
from wagtail.models import Page, PageViewRestriction, Site

from blog import wagtail_internals
from tests.factories.blog import StandardPageFactory

pytestmark = pytest.mark.django_db

# (HTTP host, server port): the default site's host, its host on another port, exact host and
# port matches, a host with several sites on other ports, an unknown host.
HOSTS = [
    ("localhost", "80"),
    ("localhost:8000", "8000"),
    ("example.org", "80"),
    ("example.org:8080", "8080"),
    ("example.org:9999", "9999"),
    ("shop.example.org", "443"),
    ("shop.example.org:8443", "8443"),
    ("shared.example.org", "80"),
    ("unknown.example.net", "80"),
]


@pytest.fixture
def sites(home, settings):
    settings.ALLOWED_HOSTS = ["*"]
    Site.objects.create(hostname="example.org", port=80, root_page=home)
    Site.objects.create(hostname="example.org", port=8080, root_page=home)
    Site.objects.create(hostname="shop.example.org", port=443, root_page=home)
    Site.objects.create(hostname="shared.example.org", port=81, root_page=home)
    Site.objects.create(hostname="shared.example.org", port=82, root_page=home)


def request_for(host: str, port: str):
    return RequestFactory().get("/", HTTP_HOST=host, SERVER_PORT=port)


def pk(site):
    return site.pk if site is not None else None


@pytest.mark.parametrize(("host", "port"), HOSTS)
def test_site_lookup_is_wagtails(sites, host, port):
    wagtails = Site.find_for_request(request_for(host, port))

    assert pk(wagtail_internals.site_for_request(request_for(host, port))) == pk(wagtails)


@pytest.mark.parametrize(("host", "port"), HOSTS)
def test_site_lookup_is_wagtails_without_a_default_site(sites, host, port):
    Site.objects.update(is_default_site=False)
    Site.objects.first().save()  # saving a site starts a new content version (signals)
    wagtails = Site.find_for_request(request_for(host, port))

    assert pk(wagtail_internals.site_for_request(request_for(host, port))) == pk(wagtails)


def test_site_root_paths_are_wagtails(sites):
    ours, wagtails = wagtail_internals.site_root_paths(), Site.get_site_root_paths()

    # In Wagtail's order (most specific path first, the default site first, then by host name);
    # sites alike in all three (one host on two ports) come in no order Wagtail defines.
    assert sorted(ours) == sorted(wagtails)
    assert [(p.root_path, urlsplit(p.root_url).hostname) for p in ours] == [
        (p.root_path, urlsplit(p.root_url).hostname) for p in wagtails
    ]


def test_wagtail_reads_what_the_request_is_primed_with(home, django_assert_num_queries):
    request = request_for("localhost", "80")
    wagtail_internals.request_site_prime(request)
    site = wagtail_internals.site_for_request(request)

    with django_assert_num_queries(0):
        assert Site.find_for_request(request) is site
        assert home.get_url(request) == "/"
        assert Page._get_site_root_paths(home, request) is request._wagtail_cached_site_root_paths


def route_answer(page: Page, path_components: list[str], route):
    """What a routing returns, comparable: the page, and a routable page's view and arguments;
    or "404"."""
    try:
        result = route(page, RequestFactory().get("/"), path_components)
    except Http404:
        return "404"
    view_args = None
    if result.args:  # a routable page: (view, args, kwargs)
        view, args, kwargs = result.args
        view_args = (view.__name__, tuple(args), dict(kwargs))
    return (result.page.pk, view_args)


@pytest.fixture
def tree(home, make_post, blog):
    about = StandardPageFactory(parent=home, title="About", slug="about")
    StandardPageFactory(parent=about, title="Team", slug="team")
    make_post(title="A post", slug="a-post")
    draft = make_post(title="A draft", slug="a-draft")
    draft.unpublish()
    return home


PATHS = [
    "about",
    "about/team",
    "about/nobody",
    "blog",
    "blog/a-post",
    "blog/a-draft",
    "blog/a-post/more",
    "blog/feed/rss",
    "blog/category/research",
    "blog/2024",
    "blog/nothing-here",
    "nothing-here",
    "nothing-here/blog",
]


@pytest.mark.parametrize("path", PATHS)
def test_page_routing_is_wagtails(tree, path):
    components = path.split("/")
    home = tree.specific

    # Page.route is Wagtail's own (the home page overrides it with the shortcut).
    assert route_answer(home, components, type(home).route) == route_answer(
        home, components, Page.route
    )


@pytest.fixture
def restricted(tree, blog):
    post = blog.get_children().get(slug="a-post")
    team = Page.objects.get(slug="team")
    return {"post": post, "team": team, "blog": blog, "home": tree}


RESTRICTIONS = [
    [],
    [("blog", PageViewRestriction.LOGIN)],
    [("post", PageViewRestriction.GROUPS)],
    [("home", PageViewRestriction.PASSWORD), ("blog", PageViewRestriction.LOGIN)],
    [("team", PageViewRestriction.LOGIN)],
]


@pytest.mark.parametrize("restrictions", RESTRICTIONS)
def test_view_restrictions_are_wagtails(restricted, restrictions):
    for name, kind in restrictions:
        restriction = PageViewRestriction.objects.create(
            page=restricted[name], restriction_type=kind, password="secret"
        )
        if kind == PageViewRestriction.GROUPS:
            restriction.groups.add(Group.objects.get(name="Members"))

    for page in restricted.values():
        page = Page.objects.get(pk=page.pk).specific
        ours = set(page.get_view_restrictions().values_list("pk", flat=True))
        wagtails = set(Page.get_view_restrictions(page).values_list("pk", flat=True))
        assert ours == wagtails, page.title
