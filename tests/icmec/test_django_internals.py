"""The site's shortcuts past Django's public API (icmec.django_internals) and the public
replacements of former ones behave as Django does, so that a Django upgrade fails here."""

import pytest
from django.contrib import messages
from django.contrib.auth.models import Group
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.paginator import Paginator
from django.db.models import Value
from django.test import RequestFactory

from icmec.caching.http import _shows_messages
from icmec.django_internals import query_alias_annotation
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
