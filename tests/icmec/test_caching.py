"""The caching layer's rules: one switch, a request's scope, the content version it reads."""

from django.test import RequestFactory

from icmec import caching
from icmec.caching.memo import cached_for_version, cached_shared
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
