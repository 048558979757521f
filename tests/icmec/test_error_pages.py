"""The 500 page matches the site and renders with nothing but the template engine."""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver
from django.views.defaults import server_error

from icmec.views import permission_denied


def test_the_500_page_is_the_sites_own_and_needs_no_database(db):
    with CaptureQueriesContext(connection) as queries:
        response = server_error(RequestFactory().get("/broken/"))

    html = response.content.decode()
    assert response.status_code == 500
    assert "<title>Something went wrong | ICMEC Australia</title>" in html
    assert '<main id="main"' in html
    assert "site-header" in html
    assert "/static/icmec/css/site.css" in html
    assert '<a href="/">Go to the home page</a>' in html
    assert len(queries) == 0


def test_the_403_page_is_the_sites_own_and_says_what_to_do(db, client):
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    bare = permission_denied(request, PermissionDenied())
    given = permission_denied(request, PermissionDenied("Only <b>reviewers</b> may do this."))

    assert get_resolver().resolve_error_handler(403) is permission_denied
    for response in (bare, given):
        html = response.content.decode()
        assert response.status_code == 403
        assert "<title>You cannot open this page | ICMEC Australia</title>" in html
        assert '<main id="main"' in html
        assert "site-header" in html
        assert "/accounts/login/?next=/somewhere/" in html
        assert "no-store" in response["Cache-Control"]
    assert "Your account does not give you access to this page." in bare.content.decode()
    assert "Only &lt;b&gt;reviewers&lt;/b&gt; may do this." in given.content.decode()
