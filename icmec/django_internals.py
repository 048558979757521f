"""Where the site leans on a private API of Django, each kept because a measurement showed it
pays, each compared with Django's own behaviour in tests/icmec/test_django_internals.py (so an
upgrade that changes the API fails there, loudly).

- `query_alias_annotation` calls `Query.set_annotation_mask`, turning a column a library added
  with `annotate()` into what `alias()` would have made: usable in filters and ordering, not
  selected. Wagtail's PostgreSQL search selects each match's whole search vector (kilobytes a
  page) that nobody reads; carried through the results' window count and sort, it doubled the
  search query's time (blog.search_backend). Django has no public way to un-select an annotation
  after the fact.
- `RedisCache` (the cache backend of the production settings) keeps one `redis.Redis` client per
  connection pool. Django's `RedisCacheClient.get_client` makes a new one for every cache call,
  and constructing one builds its table of some 170 response callbacks: about 0.1 ms of CPU a
  call, and a member's page makes several calls (the session, rate limits, the shared memos). A
  client is safe to share between threads (each command takes a connection from the pool for its
  own use). It uses the backend's `_get_connection_pool`, `_client` and `_class`.

Replaced by public APIs since (no measurable gain): the messages storage's `_loaded_messages`
(`len(get_messages(request))` counts the same) and `Paginator.__dict__["count"]` (a subclass
overrides `count`, see icmec.pagination).
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis as django_redis
from django.db.models import QuerySet


def query_alias_annotation(queryset: QuerySet, name: str) -> QuerySet:
    """The queryset with annotation `name` still usable in filters and ordering but no longer
    selected (as if made with `alias()`). Changes `queryset` in place, and returns it."""
    query = queryset.query
    if name in query.annotations:
        query.set_annotation_mask(set(query.annotation_select) - {name})
    return queryset


class RedisCacheClient(django_redis.RedisCacheClient):
    """Django's Redis cache client with one `redis.Redis` per connection pool (see above)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    """`CACHES = {"default": {"BACKEND": "icmec.django_internals.RedisCache", ...}}`: Django's
    Redis cache, everything but `get_client` its own."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
