"""Paginators that avoid work: the number of items is known up front."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.paginator import Paginator
from django.utils.functional import SimpleLazyObject


class CountedPaginator(Paginator):
    """A paginator told its item count up front, whose items are fetched only when a template
    iterates over the page (inside a cached fragment, perhaps never)."""

    def __init__(self, build_items: Callable[[], Any], count: int, per_page: int) -> None:
        super().__init__((), per_page)
        self._build_items = build_items
        self.__dict__["count"] = count  # Paginator.count is a cached_property

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        items = SimpleLazyObject(lambda: list(self._build_items()[bottom : bottom + self.per_page]))
        return self._get_page(items, number, self)


class KnownPagePaginator(Paginator):
    """A paginator for one page of items fetched already, out of `count` in all."""

    def __init__(self, items: Sequence, count: int, per_page: int) -> None:
        super().__init__((), per_page)
        self._items = list(items)
        self.__dict__["count"] = count

    def page(self, number):
        return self._get_page(self._items, self.validate_number(number), self)
