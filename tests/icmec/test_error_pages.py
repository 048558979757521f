"""The 500 page matches the site and renders with nothing but the template engine."""

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.views.defaults import server_error


def test_the_500_page_is_the_sites_own_and_needs_no_database(db):
    with CaptureQueriesContext(connection) as queries:
        response = server_error(RequestFactory().get("/broken/"))

    html = response.content.decode()
    assert response.status_code == 500
    assert "<title>Something went wrong | ICMEC Australia</title>" in html
    assert '<main id="main"' in html and "site-header" in html
    assert "/static/icmec/css/site.css" in html
    assert '<a href="/">Go to the home page</a>' in html
    assert len(queries) == 0
