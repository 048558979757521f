"""The caching layer's rules: one switch, a request's scope, the content version it reads."""

from django.test import RequestFactory

from icmec import caching
from icmec.caching.memo import (
    cached_for_version,
    cached_shared,
    computed_once,
    forget_kept,
    keep_on,
    kept_on,
)
from icmec.caching.scope import current, request_scope
from icmec.caching.version import content_version, content_version_bump


def test_the_switch_follows_the_setting(settings):
    settings.SITE_CACHES_ENABLED = False
    assert not caching.enabled()
    settings.SITE_CACHES_ENABLED = True
    assert caching.enabled()


def test_with_the_switch_off_nothing_outlives_a_request(settings):
    settings.SITE_CACHES_ENABLED = False
    calls = []

    def build():
        calls.append(1)
        return len(calls)

    assert cached_shared("k", build, timeout=60) == 1
    assert cached_shared("k", build, timeout=60) == 2
    with request_scope():
        assert cached_for_version("k", build) == 3
        assert cached_for_version("k", build) == 3
    with request_scope():
        assert cached_for_version("k", build) == 4


def test_a_request_reads_one_content_version_and_a_process_sees_its_bump():
    request = RequestFactory().get("/")
    with request_scope():
        read = content_version(request)
        content_version_bump()
        assert content_version() == read  # fixed for the rest of the request
        with request_scope():  # a preview rendered inside it has its own
            assert content_version() != read
    assert current() is None
    before = content_version()
    assert content_version_bump() == content_version() != before


def test_a_value_kept_on_an_object_lives_with_it_and_through_lazy_objects():
    from django.utils.functional import SimpleLazyObject

    class Visitor:
        pass

    visitor = Visitor()
    lazy = SimpleLazyObject(lambda: visitor)  # what `request.user` is
    calls = []

    def build():
        calls.append(1)
        return len(calls)

    assert kept_on(lazy, "n", build) == 1
    assert kept_on(visitor, "n", build) == 1  # kept on the object the lazy one stands for
    assert kept_on(Visitor(), "n", build) == 2  # another object, another value
    forget_kept(lazy, "n")
    forget_kept(lazy, "n")  # nothing left to forget: no error
    assert kept_on(visitor, "n", build) == 3
    keep_on(visitor, "n", 40)
    assert kept_on(lazy, "n", build) == 40
    assert calls == [1, 1, 1]


def test_what_follows_from_the_code_is_computed_once_whatever_the_switch(settings):
    settings.SITE_CACHES_ENABLED = False
    calls = []

    def build():  # returns None, which is kept too (the URL that cannot be cut, say)
        calls.append(1)

    key = ("tests.icmec", object())
    assert computed_once(key, build) is None
    with request_scope():
        assert computed_once(key, build) is None
    assert calls == [1]
