"""Pagination shared by every list of the site, the portal and the admin's own screens.

Whatever a visitor types as `?page=` (or `?p=`), a list shows one of its pages: a number that is
not one (letters, `1.5`, nothing) means the first page, one below 1 the first, one past the end
the last. A huge number never reaches the database as an offset (PostgreSQL's OFFSET is a bigint:
`page=999999999999999999` would fail there), because `page_number` caps it first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.utils.functional import SimpleLazyObject, cached_property

# No list is anywhere near this long; it keeps (number - 1) * per_page far inside a bigint.
MAX_PAGE_NUMBER = 10**6


def page_number(value: Any) -> int:
    """The page a raw query-string value asks for, between 1 and MAX_PAGE_NUMBER."""
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.isdigit():
        # Letters, signs, decimals, Unicode digits ("١") or nothing: the first page.
        return 1
    if len(text) > len(str(MAX_PAGE_NUMBER)):
        return MAX_PAGE_NUMBER
    return min(max(int(text), 1), MAX_PAGE_NUMBER)


def page_of(paginator: Paginator, value: Any) -> Page:
    """The page of `paginator` that `value` asks for, clamped to the pages that exist (the first
    page of an empty list)."""
    number = min(page_number(value), paginator.num_pages)
    return paginator.page(max(number, 1))


class _KnownCountPaginator(Paginator):
    """A paginator told its item count up front instead of counting its (empty) object list."""

    def __init__(self, count: int, per_page: int) -> None:
        super().__init__((), per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


class CountedPaginator(_KnownCountPaginator):
    """A paginator told its item count up front, whose items are fetched only when a template
    iterates over the page (inside a cached fragment, perhaps never)."""

    def __init__(self, build_items: Callable[[], Any], count: int, per_page: int) -> None:
        super().__init__(count, per_page)
        self._build_items = build_items

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        items = SimpleLazyObject(lambda: list(self._build_items()[bottom : bottom + self.per_page]))
        return self._get_page(items, number, self)


class KnownPagePaginator(_KnownCountPaginator):
    """A paginator for one page of items fetched already, out of `count` in all."""

    def __init__(self, items: Sequence, count: int, per_page: int) -> None:
        super().__init__(count, per_page)
        self._items = list(items)

    def page(self, number):
        return self._get_page(self._items, self.validate_number(number), self)


def window_counted_page(
    *,
    rows_for: Callable[[int], list],
    count_all: Callable[[], int],
    value: Any,
    per_page: int,
    count_attr: str = "total_matches",
) -> Page:
    """A page of a list whose rows carry the number of matches (a window count), so that a page
    and the total take one query.

    `rows_for(number)` fetches the rows of page `number` (each carrying the total in its
    `count_attr` attribute); `count_all()` counts the matches, and is called only for a page past
    the end (an old link), to land on the last page.
    """
    number = page_number(value)
    rows = rows_for(number)
    if rows:
        count = getattr(rows[0], count_attr)
    elif number > 1:
        count = count_all()
        number = max(-(-count // per_page), 1)
        rows = rows_for(number) if count else []
    else:
        count = 0
    return KnownPagePaginator(rows, count, per_page).page(number)
