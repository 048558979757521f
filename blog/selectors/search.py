"""The site's search: posts, standard pages and the page types other apps register
(`blog.extensions`, such as events): the query, one page of results (`SearchHit`) and the cache
of result pages.
"""

from __future__ import annotations

import datetime
import hashlib
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    ExpressionWrapper,
    F,
    Field,
    Func,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, NullIf
from django.http import HttpRequest
from django.utils import timezone
from wagtail.models import Page, Site

from blog.extensions import SearchableType, searchable_types
from blog.models import BlogPostPage, StandardPage
from blog.selectors.visibility import Visitor, public_pages, visitor_is_member
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


# The blog's own kinds of results (BlogConfig.ready() registers them in blog.extensions; the
# apps above register theirs, such as events, from their own ready()).
BLOG_SEARCHABLE_TYPES = (
    SearchableType(
        model=BlogPostPage,
        label="News",
        excerpt=("blogpostpage__summary", "search_description"),
        body="blogpostpage__body",
        date="blogpostpage__date_published",
        members_only=Q(blogpostpage__members_only=True),
    ),
    SearchableType(
        model=StandardPage,
        label="Page",
        excerpt=("search_description", "standardpage__introduction"),
        body="standardpage__body",
    ),
)


def _type_ids(types: list[SearchableType]) -> dict[type[Page], int]:
    content_types = ContentType.objects.get_for_models(*(t.model for t in types))  # cached
    return {t.model: content_types[t.model].pk for t in types}


def _per_type(
    types: list[SearchableType],
    type_ids: dict[type[Page], int],
    value_of: Callable[[SearchableType], Any],
    *,
    output_field: Field,
    default: Any = None,
) -> Case:
    """One column whose value each type of page gives its own way (`value_of(type)`, or None
    for a type that has none): a CASE on the page's content type."""
    whens = [
        When(content_type_id=type_ids[t.model], then=value)
        for t in types
        if (value := value_of(t)) is not None
    ]
    return Case(
        *whens, default=Value(default, output_field=output_field), output_field=output_field
    )


def _first_text(fields: tuple[str, ...]) -> Coalesce | None:
    if not fields:
        return None
    return Coalesce(*(NullIf(name, Value("")) for name in fields), Value(""))


def search_pages(*, query: str, user: Visitor) -> QuerySet[Page]:
    """Pages of every registered type (`blog.extensions.searchable_types`: posts, standard
    pages, events...) matching `query`, best first (Wagtail search on PostgreSQL), without
    those only approved members may see unless the visitor is one (each type's `members_only`).

    Results are base `Page` objects carrying what a result shows (`excerpt`, `body_snippet`: the
    body's words around the match, `result_date` or `result_moment` with `result_zone`,
    `members_only`) and `total_matches`, so a page of results takes one query (see
    `search_results`).
    """
    types = searchable_types()
    type_ids = _type_ids(types)
    pages = public_pages(Page.objects.filter(content_type_id__in=list(type_ids.values())))
    if not visitor_is_member(user):
        for searchable in types:
            if searchable.members_only is not None:
                # As a subquery of ids: the search backend filters on `Page`'s own fields only.
                hidden = Page.objects.filter(searchable.members_only).values("id")
                pages = pages.exclude(id__in=hidden)
    dated = [t for t in types if t.date and not t.time_zone]
    timed = [t for t in types if t.date and t.time_zone]
    pages = pages.annotate(
        excerpt=_per_type(
            types, type_ids, lambda t: _first_text(t.excerpt), output_field=TextField(), default=""
        ),
        # Computed for the rows of the requested page only (PostgreSQL evaluates an expensive
        # column after the sort and the limit).
        body_snippet=SearchHeadline(
            _per_type(
                types,
                type_ids,
                lambda t: StreamText(t.body) if t.body else None,
                output_field=TextField(),
                default="",
            ),
            SearchQuery(query, config=_search_config(), search_type="plain"),
            config=_search_config(),
            start_sel=SNIPPET_START,
            stop_sel=SNIPPET_STOP,
            max_words=30,
            min_words=15,
            max_fragments=2,
            fragment_delimiter=" … ",
        ),
        result_date=_per_type(dated, type_ids, lambda t: F(t.date), output_field=DateField()),
        result_moment=_per_type(timed, type_ids, lambda t: F(t.date), output_field=DateTimeField()),
        result_zone=_per_type(timed, type_ids, lambda t: F(t.time_zone), output_field=CharField()),
        members_only=_per_type(
            types,
            type_ids,
            lambda t: (
                None
                if t.members_only is None
                else ExpressionWrapper(t.members_only, output_field=BooleanField())
            ),
            output_field=BooleanField(),
            default=False,
        ),
        # Every result carries the number of matches, so that a page of results and the total
        # take one query instead of two.
        total_matches=Window(Count("id")),
    )
    # A result shows its title and links to its URL (made from `url_path`): the other columns of
    # a page are left in the database.
    return pages.only("id", "title", "url_path", "content_type").search(query, operator="and")


@dataclass(frozen=True)
class SearchHit:
    """One search result, as the results page shows it."""

    title: str
    url: str
    excerpt: str
    label: str  # what kind of page it is ("News", "Event", "Page")
    date: datetime.date | None  # a post's date, an event's day (in the event's zone)
    members_only: bool
    # Words of the body around the match, the matched words between SNIPPET_START and
    # SNIPPET_STOP; empty when the body does not match.
    body_snippet: str = ""


def _shown_date(result: Any) -> datetime.date | None:
    """The date a result shows: its date, or the day its datetime falls on in its own zone."""
    if result.result_moment is None:
        return result.result_date
    try:
        zone: datetime.tzinfo = zoneinfo.ZoneInfo(result.result_zone or "")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = timezone.get_current_timezone()
    return timezone.localtime(result.result_moment, zone).date()


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
        # "2": the shape of SearchHit (a deploy must not read hits cached by the one before).
        ["blog:search:2", content_version(request), audience, str(site.pk if site else 0)]
        + [str(number), digest]
    )

    def build() -> tuple[list[SearchHit], int, int]:
        types = searchable_types()
        type_ids = _type_ids(types)
        results = search_pages(query=query, user=user)
        per_page = settings.SEARCH_RESULTS_PER_PAGE
        page = window_counted_page(
            rows_for=lambda n: list(results[(n - 1) * per_page : n * per_page]),
            count_all=lambda: search_pages(query=query, user=user).count(),
            value=number,
            per_page=per_page,
        )
        labels = {type_ids[t.model]: t.label for t in types}
        hits = [
            SearchHit(
                title=result.title,
                url=result.get_url(request) or "",
                excerpt=result.excerpt,
                label=labels.get(result.content_type_id, "Page"),
                date=_shown_date(result),
                members_only=bool(result.members_only),
                body_snippet=(
                    result.body_snippet if SNIPPET_START in (result.body_snippet or "") else ""
                ),
            )
            for result in page.object_list
        ]
        return hits, page.paginator.count, page.number

    return cached_shared(key, build, timeout=SEARCH_CACHE_TIMEOUT)
