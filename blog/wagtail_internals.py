"""Where the public site does Wagtail's work itself, leaning on Wagtail's private APIs, because a
measurement showed it pays. Each function says what it leans on; each is
compared with Wagtail's own answer in tests/blog/test_wagtail_internals.py, so that an upgrade
that changes Wagtail's rules or attributes fails there, loudly, rather than on the site.

- `site_for_request` answers as `Site.find_for_request` (whose host rules `site_for_host`
  re-implements) from every site kept in this process's memory, loaded with what the pages show
  of it (home page, hero image, social links): no query per request instead of one, and none more
  for the chrome.
- `site_root_paths` builds `Site.get_site_root_paths()` from those same sites: no cache read per
  request.
- `request_site_prime` writes both onto the request where Wagtail looks for them first
  (`request._wagtail_site`, `request._wagtail_cached_site_root_paths`, private attributes), so
  that Wagtail's page serving and `{% pageurl %}` use them.
- `deepest_page_for_path` finds the page a path leads to in one query, kept in memory, where
  Wagtail's `Page.route` walks down the tree with two queries a level; it relies on `url_path`
  being the chain of slugs from the root, and on the page types' `route_select_related`.
- `page_view_restrictions` answers `Page.get_view_restrictions` with no query while no page is
  restricted (`any_view_restrictions`), else one where Wagtail makes two.

Measured (CPU time a call, process_time over thousands of calls, one post; in a request, where
the content version is read once): the site lookup 23 us against Wagtail's 2,200 us (a query);
routing to a post 10 us against 4,300 us; view restrictions 75 us against 2,400 us; root paths
6 us against 350 us CPU and 800 us wall time with Redis as the shared cache.

Everything kept in memory lasts until the content version changes (icmec.caching.memo), which
publishing, moving and deleting pages and saving sites or view restrictions do.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.http.request import split_domain_port
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.models.sites import SiteRootPath

from icmec.caching.memo import cached_for_version


def site_for_host(sites: list[Site], hostname: str, port: int) -> Site | None:
    """Wagtail's rules for which site answers a host (`wagtail.models.sites.
    get_site_for_hostname`): an exact host and port match; else the default site if it has this
    host; else the only site with this host; else the default."""
    for site in sites:
        if site.hostname == hostname and site.port == port:
            return site
    default = next((site for site in sites if site.is_default_site), None)
    if default is not None and default.hostname == hostname:
        return default
    same_host = [site for site in sites if site.hostname == hostname]
    if len(same_host) == 1:
        return same_host[0]
    return default


def all_sites() -> list[Site]:
    """Every site with its home page (specific, with its hero image and call-to-action page) and
    its social links, in one query."""
    sites = list(
        Site.objects.select_related(
            "root_page",
            "root_page__locale",
            "root_page__homepage",
            "root_page__homepage__hero_image",
            "root_page__homepage__hero_cta_page",
            "socialmediasettings",
        ).order_by("pk")
    )
    for site in sites:
        site.root_language_code = site.root_page.locale.language_code
        home = getattr(site.root_page, "homepage", None)
        site.root_page = home if home is not None else site.root_page.specific
    return sites


def site_for_request(request: HttpRequest) -> Site | None:
    """The Wagtail site that serves this request, with its home page and its social links.

    Same answer as `Site.find_for_request`, from the sites kept in memory. The host has been
    checked against ALLOWED_HOSTS first (Wagtail reads the raw host).
    """
    hostname = split_domain_port(request.get_host())[0]
    port = request.get_port()
    sites = cached_for_version("sites", all_sites, request=request)
    return site_for_host(sites, hostname, int(port) if str(port).isdigit() else 80)


def site_root_paths(request: HttpRequest | None = None) -> list[SiteRootPath]:
    """Wagtail's list of site root paths (used to build every page URL), in Wagtail's order (most
    specific path first), made from the sites kept in memory. With translations on, Wagtail's
    own list."""

    def build() -> list[SiteRootPath]:
        if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
            return Site.get_site_root_paths()
        sites = sorted(cached_for_version("sites", all_sites), key=lambda site: site.hostname)
        sites.sort(key=lambda site: site.is_default_site, reverse=True)
        sites.sort(key=lambda site: site.root_page.url_path, reverse=True)
        return [
            SiteRootPath(site.id, site.root_page.url_path, site.root_url, site.root_language_code)
            for site in sites
        ]

    return cached_for_version("site-root-paths", build, request=request)


def request_site_prime(request: HttpRequest) -> None:
    """Hand Wagtail this request's site and the sites' root paths where it looks first."""
    request._wagtail_site = site_for_request(request)
    request._wagtail_cached_site_root_paths = site_root_paths(request)


def deepest_page_for_path(*, home: Page, path_components: list[str]) -> tuple[Page, int] | None:
    """The deepest live-or-not page below `home` whose URL is a prefix of the path, and how many
    path components its URL takes; None when not even the first component is a page.

    Two queries (the match, then the specific page with what it is served with), then kept in
    this process until the content version changes. What it returns is what Wagtail's
    level-by-level routing reaches: `url_path` is the chain of slugs from the root.
    """

    def find() -> tuple[Page, int] | None:
        prefixes = [
            home.url_path + "/".join(path_components[:length]) + "/"
            for length in range(1, len(path_components) + 1)
        ]
        match = (
            Page.objects.filter(
                url_path__in=prefixes, path__startswith=home.path, depth__gt=home.depth
            )
            .order_by("-depth")
            .only("id", "content_type_id", "depth")
            .first()
        )
        if match is None:
            return None
        page_class = match.specific_class
        select_related = getattr(page_class, "route_select_related", None)
        if select_related is None:
            page = match.specific
        else:
            page = (
                page_class._default_manager.select_related(*select_related)
                .prefetch_related(*getattr(page_class, "route_prefetch_related", ()))
                .get(pk=match.pk)
            )
        return page, match.depth - home.depth

    key = f"route:{home.pk}:{'/'.join(path_components)}"
    return cached_for_version(key, find, keep_none=False)


def any_view_restrictions(request: HttpRequest | None = None) -> bool:
    """Whether any page has a Wagtail view restriction (usually none does)."""
    return cached_for_version(
        "any-view-restrictions", PageViewRestriction.objects.exists, request=request
    )


def page_view_restrictions(page: Page) -> QuerySet[PageViewRestriction] | None:
    """The view restrictions on `page` and its ancestors, as `Page.get_view_restrictions` finds
    them; None for an alias, which Wagtail's own lookup must answer."""
    if not any_view_restrictions():
        return PageViewRestriction.objects.none()  # a queryset, as the admin expects
    if page.alias_of_id:
        return None
    # The page and its ancestors, from the tree path; restrictions of an ancestor that is an
    # alias are those of its source page (as in Wagtail's own implementation).
    paths = [page.path[:end] for end in range(page.steplen, len(page.path) + 1, page.steplen)]
    aliased_sources = Page.objects.filter(path__in=paths, alias_of__isnull=False)
    return PageViewRestriction.objects.filter(
        Q(page__path__in=paths) | Q(page__in=aliased_sources.values("alias_of"))
    )
