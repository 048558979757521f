"""Django's Redis cache backend, keeping one Redis client per connection pool.

Django's `RedisCacheClient.get_client` makes a new `redis.Redis` for every cache call. The
connection comes from a pool either way, but constructing a client builds its table of some
170 response callbacks: about 0.1 ms of CPU a call, and a member's page makes several calls
(the session, rate limits, the shared memos). A client is safe to share between threads (each
command takes a connection from the pool for its own use), so one per pool is kept instead.

    CACHES = {"default": {"BACKEND": "icmec.caching.redis.RedisCache", "LOCATION": ...}}

Everything else (serialisation, timeouts, several servers with reads from replicas) is Django's
own: only `get_client` is replaced, and `tests/icmec/test_caching_redis.py` compares the
backend's answers with Django's on the same Redis.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
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
    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
