"""The site's shortcuts past Django's public API (icmec.django_internals) and the public
replacements of former ones behave as Django does, so that a Django upgrade fails here."""

import os
import uuid

import pytest
from django.contrib import messages
from django.contrib.auth.models import Group
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.paginator import Paginator
from django.db.models import Value
from django.test import RequestFactory

from icmec.caching.http import _shows_messages
from icmec.django_internals import RedisCache, query_alias_annotation
from icmec.pagination import CountedPaginator, KnownPagePaginator


@pytest.mark.django_db
def test_an_aliased_annotation_is_what_alias_makes():
    annotated = Group.objects.annotate(marker=Value(1)).filter(marker=1).order_by("marker")
    aliased = Group.objects.alias(marker=Value(1)).filter(marker=1).order_by("marker")

    query_alias_annotation(annotated, "marker")

    assert str(annotated.query) == str(aliased.query)
    assert "marker" not in annotated.query.annotation_select
    Group.objects.create(name="Readers")
    names = list(annotated.values_list("name", flat=True))
    assert "Readers" in names
    assert names == list(aliased.values_list("name", flat=True))


@pytest.mark.parametrize(("count", "per_page"), [(0, 10), (1, 10), (10, 10), (11, 10), (95, 7)])
def test_paginators_told_their_count_paginate_as_django_does(count, per_page):
    items = list(range(count))
    django = Paginator(items, per_page)
    counted = CountedPaginator(lambda: items, count, per_page)

    for paginator in (counted, KnownPagePaginator([], count, per_page)):
        assert paginator.count == django.count
        assert paginator.num_pages == django.num_pages
        assert list(paginator.page_range) == list(django.page_range)
    for number in django.page_range:
        assert list(counted.page(number).object_list) == list(django.page(number).object_list)
        assert counted.page(number).has_next() == django.page(number).has_next()


def test_a_response_shows_messages_when_django_has_any_for_it():
    request = RequestFactory().get("/")
    assert not _shows_messages(request)  # no messages middleware
    request.session = {}
    request._messages = FallbackStorage(request)
    assert not _shows_messages(request)
    messages.info(request, "Saved.")
    assert _shows_messages(request)
    assert len(messages.get_messages(request)) == 1


def redis_backends():
    """The project's Redis cache and Django's on the machine's Redis, under one fresh prefix."""
    params = {"KEY_PREFIX": f"test-redis-backend-{uuid.uuid4().hex}", "TIMEOUT": 60}
    location = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    return RedisCache(location, params), DjangoRedisCache(location, params)


def test_the_redis_cache_keeps_one_client_per_pool():
    ours, _ = redis_backends()
    client = ours._cache.get_client("a")
    assert ours._cache.get_client("b") is client
    assert ours._cache.get_client("c", write=True) is client  # one server: one pool


def test_the_redis_cache_reads_what_djangos_writes_and_the_other_way_round():
    ours, djangos = redis_backends()
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
