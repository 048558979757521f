import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_health_page_in_a_real_browser(live_server, page):
    response = page.goto(f"{live_server.url}/health/")

    assert response.status == 200
    assert '"database": "ok"' in page.content()
