"""The project's Redis cache backend (`icmec.caching.redis`) answers as Django's does, on a real
Redis, while keeping one client per connection pool."""

from __future__ import annotations

import os
import uuid

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from icmec.caching.redis import RedisCache


def backends():
    params = {"KEY_PREFIX": f"test-redis-backend-{uuid.uuid4().hex}", "TIMEOUT": 60}
    location = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")  # the machine's Redis
    return RedisCache(location, params), DjangoRedisCache(location, params)


def test_the_backend_keeps_one_client_per_pool():
    ours, _ = backends()
    client = ours._cache.get_client("a")
    assert ours._cache.get_client("b") is client
    assert ours._cache.get_client("c", write=True) is client  # one server: one pool


def test_it_reads_what_djangos_backend_writes_and_the_other_way_round():
    ours, djangos = backends()
    try:
        djangos.set("from-django", {"answer": 42})
        ours.set("ours", [1, "two"], timeout=30)
        assert ours.get("from-django") == {"answer": 42}
        assert djangos.get("ours") == [1, "two"]
        assert ours.add("ours", "again") is False
        assert ours.add("counter", 1) is True
        assert ours.incr("counter") == 2
        assert djangos.get("counter") == 2
        ours.set_many({"x": 1, "y": 2})
        assert djangos.get_many(["x", "y", "missing"]) == {"x": 1, "y": 2}
        ours.delete("x")
        assert djangos.get("x", "gone") == "gone"
        assert ours.touch("y", 5) is True
        assert 0 < ours._cache.get_client().ttl(ours.make_and_validate_key("y")) <= 5
    finally:
        ours.delete_many(["from-django", "ours", "counter", "y"])
