"""The member directory: search, filters and its pages."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Page
from django.db.models import Count, Window
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from icmec.pagination import CountedPaginator, page_of, window_counted_page
from icmec.text import text_param
from portal import selectors
from portal.countries import COUNTRIES, name_sort_key
from portal.models import Sector
from portal.views.common import RowsBySlice
from portal.views.decorators import member_required


def _directory_page(request: HttpRequest, filters: selectors.DirectoryFilters) -> Page:
    """The directory's page of results and the number of matches.

    Without a search, two short queries: the page is the first rows of the listed profiles'
    index in directory order (PostgreSQL stops after them) and the count an index scan (a window
    count would make it read and join every match). A search must rank every match anyway, so
    its page brings the number of matches with it (a window count over the ranked rows): one
    pass over the full-text matches instead of two. A page past the end (an old link) is the
    last.
    """
    per_page = settings.PORTAL_DIRECTORY_PAGE_SIZE
    viewer = request.user
    if filters.q:
        results = selectors.directory_search(viewer=viewer, filters=filters).annotate(
            total_matches=Window(Count("pk"))
        )
        return window_counted_page(
            rows_for=lambda number: selectors.directory_rows(
                results[(number - 1) * per_page : number * per_page], viewer
            ),
            count_all=lambda: selectors.directory_matches(viewer=viewer, filters=filters).count(),
            value=request.GET.get("page"),
            per_page=per_page,
        )
    count = selectors.directory_matches(viewer=viewer, filters=filters).count()
    results = selectors.directory_search(viewer=viewer, filters=filters)
    rows = RowsBySlice(
        lambda offset, limit: selectors.directory_rows(results[offset : offset + limit], viewer)
    )
    # No match, no query for the page's rows.
    return page_of(
        CountedPaginator(lambda: rows if count else [], count, per_page), request.GET.get("page")
    )


@member_required
@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    sectors = dict(Sector.choices)
    countries = dict(COUNTRIES)
    filters = selectors.DirectoryFilters(
        q=text_param(request.GET, "q", max_length=200),
        sector=request.GET.get("sector", "") if request.GET.get("sector") in sectors else "",
        country=request.GET.get("country", "") if request.GET.get("country") in countries else "",
        expertise=text_param(request.GET, "expertise", max_length=100),
    )
    page = _directory_page(request, filters)
    query = request.GET.copy()
    query.pop("page", None)
    options = selectors.directory_filter_options()
    return render(
        request,
        "portal/directory.html",
        {
            "page_obj": page,
            "profiles": page.object_list,
            "filters": filters,
            "sectors": Sector.choices,
            "countries": sorted(
                ((code, countries[code]) for code in options.countries if code in countries),
                key=lambda item: name_sort_key(item[1]),
            ),
            "expertise_options": options.expertise,
            "querystring": query.urlencode(),
            "is_filtered": any([filters.q, filters.sector, filters.country, filters.expertise]),
            "can_take_part": selectors.user_has_member_profile(request.user),
        },
    )
