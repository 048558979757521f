"""Search of posts and standard pages: the query, one page of results (`SearchHit`) and the
cache of result pages.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db.models import Count, F, Func, QuerySet, TextField, Value, Window
from django.db.models.functions import Coalesce, NullIf
from django.http import HttpRequest
from wagtail.models import Page, Site

from blog.models import BlogPostPage, StandardPage
from blog.selectors.visibility import Visitor, hide_members_only, public_pages, visitor_is_member
from icmec.caching.memo import cached_shared
from icmec.caching.version import content_version
from icmec.pagination import page_number as page_number_of
from icmec.pagination import window_counted_page

# Around a match in the body, ts_headline marks the words with these (characters no text of
# the site contains); `search_snippet` escapes the rest and turns them into <mark> elements.
SNIPPET_START, SNIPPET_STOP = "\ue000", "\ue001"


class StreamText(Func):
    """The plain text of a body StreamField (paragraphs, headings, quotes, key figures), tags
    removed, computed by PostgreSQL from the stored JSON."""

    # Block-level tags separate words, inline ones (<b>, <a>) do not: "<b>tools</b>:" is
    # "tools:".
    template = (
        "regexp_replace(regexp_replace(coalesce((SELECT string_agg(CASE block->>'type'"
        " WHEN 'paragraph' THEN block->>'value'"
        " WHEN 'heading' THEN block->'value'->>'text'"
        " WHEN 'quote' THEN block->'value'->>'quote'"
        " WHEN 'statistic' THEN concat_ws(' ', block->'value'->>'figure',"
        " block->'value'->>'label')"
        " END, ' ') FROM jsonb_array_elements(%(expressions)s) AS block), ''),"
        " '</?(p|br|li|ul|ol|h[1-6]|blockquote|div|hr)\\M[^>]*>', ' ', 'gi'),"
        " '<[^>]*>', '', 'g')"
    )
    output_field = TextField()


def _search_config() -> str:
    """The text search configuration Wagtail's index uses (its stemming, its stop words)."""
    return settings.WAGTAILSEARCH_BACKENDS["default"].get("SEARCH_CONFIG", "english")


def search_pages(*, query: str, user: Visitor) -> QuerySet[Page]:
    """Posts and standard pages matching `query`, best first (Wagtail search on PostgreSQL).

    Results are base `Page` objects carrying what a result shows (`excerpt`, `body_snippet`: the
    body's words around the match, and for posts `date_published` and `members_only`) and
    `total_matches`, so a page of results takes one query (see `search_results`).
    """
    searchable_types = ContentType.objects.get_for_models(BlogPostPage, StandardPage).values()
    pages = hide_members_only(
        public_pages(Page.objects.filter(content_type__in=list(searchable_types))),
        user=user,
    ).annotate(
        excerpt=Coalesce(
            NullIf("blogpostpage__summary", Value("")),
            NullIf("search_description", Value("")),
            NullIf("standardpage__introduction", Value("")),
            Value(""),
            output_field=TextField(),
        ),
        # Computed for the rows of the requested page only (PostgreSQL evaluates an expensive
        # column after the sort and the limit).
        body_snippet=SearchHeadline(
            Coalesce(StreamText("blogpostpage__body"), StreamText("standardpage__body")),
            SearchQuery(query, config=_search_config(), search_type="plain"),
            config=_search_config(),
            start_sel=SNIPPET_START,
            stop_sel=SNIPPET_STOP,
            max_words=30,
            min_words=15,
            max_fragments=2,
            fragment_delimiter=" … ",
        ),
        date_published=F("blogpostpage__date_published"),
        members_only=F("blogpostpage__members_only"),
        # Every result carries the number of matches, so that a page of results and the total
        # take one query instead of two.
        total_matches=Window(Count("id")),
    )
    # A result shows its title and links to its URL (made from `url_path`): the other columns of
    # a page are left in the database.
    return pages.only("id", "title", "url_path").search(query, operator="and")


@dataclass(frozen=True)
class SearchHit:
    """One search result, as the results page shows it."""

    title: str
    url: str
    excerpt: str
    date_published: datetime.date | None
    members_only: bool
    # Words of the body around the match, the matched words between SNIPPET_START and
    # SNIPPET_STOP; empty when the body does not match.
    body_snippet: str = ""


SEARCH_CACHE_TIMEOUT = 10 * 60


def search_results(
    *, query: str, page_number: Any, user: Visitor, request: HttpRequest
) -> tuple[list[SearchHit], int, int]:
    """One page of results for `query`, the number of results in all and the page's number.

    Any `page_number` gives a page: it is clamped to the pages that exist (see
    `icmec.pagination`). Results are cached per query, page and audience (members see
    members-only posts) until published content changes: repeated searches cost no query.
    """
    number = page_number_of(page_number)
    site = Site.find_for_request(request)
    audience = "members" if visitor_is_member(user) else "public"
    digest = hashlib.sha256(query.lower().encode()).hexdigest()[:32]
    key = ":".join(
        ["blog:search", content_version(request), audience, str(site.pk if site else 0)]
        + [str(number), digest]
    )

    def build() -> tuple[list[SearchHit], int, int]:
        results = search_pages(query=query, user=user)
        per_page = settings.SEARCH_RESULTS_PER_PAGE
        page = window_counted_page(
            rows_for=lambda n: list(results[(n - 1) * per_page : n * per_page]),
            count_all=lambda: search_pages(query=query, user=user).count(),
            value=number,
            per_page=per_page,
        )
        hits = [
            SearchHit(
                title=result.title,
                url=result.get_url(request) or "",
                excerpt=result.excerpt,
                date_published=result.date_published,
                members_only=bool(result.members_only),
                body_snippet=(
                    result.body_snippet if SNIPPET_START in (result.body_snippet or "") else ""
                ),
            )
            for result in page.object_list
        ]
        return hits, page.paginator.count, page.number

    return cached_shared(key, build, timeout=SEARCH_CACHE_TIMEOUT)
