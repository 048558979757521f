"""Where the site leans on a private API of Django, each kept because a measurement showed it
pays, each compared with Django's own behaviour in tests/icmec/test_django_internals.py (so an
upgrade that changes the API fails there, loudly).

- `query_alias_annotation` calls `Query.set_annotation_mask`, turning a column a library added
  with `annotate()` into what `alias()` would have made: usable in filters and ordering, not
  selected. Wagtail's PostgreSQL search selects each match's whole search vector (kilobytes a
  page) that nobody reads; carried through the results' window count and sort, it doubled the
  search query's time (blog.search_backend). Django has no public way to un-select an annotation
  after the fact.

Replaced by public APIs since (no measurable gain): the messages storage's `_loaded_messages`
(`len(get_messages(request))` counts the same) and `Paginator.__dict__["count"]` (a subclass
overrides `count`, see icmec.pagination).
"""

from __future__ import annotations

from django.db.models import QuerySet


def query_alias_annotation(queryset: QuerySet, name: str) -> QuerySet:
    """The queryset with annotation `name` still usable in filters and ordering but no longer
    selected (as if made with `alias()`). Changes `queryset` in place, and returns it."""
    query = queryset.query
    if name in query.annotations:
        query.set_annotation_mask(set(query.annotation_select) - {name})
    return queryset
