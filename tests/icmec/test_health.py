from unittest import mock

import pytest
from django.db.utils import OperationalError

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(settings):
    """The machine's Redis as the broker (REDIS_URL, as CI sets it)."""
    import os

    from icmec.celery import app

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set")
    previous = app.conf.broker_url
    app.conf.broker_url = url
    yield url
    app.conf.broker_url = previous


def test_health_reports_database_cache_migrations_and_broker(client, broker):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "migrations": "ok",
        "broker": "ok",
    }
    assert "no-cache" in response["Cache-Control"]


def test_a_broker_that_does_not_answer_is_reported_but_pages_still_serve(client, broker):
    from icmec.celery import app

    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"] == "error"


def test_pending_migrations_answer_503(client, broker, monkeypatch):
    monkeypatch.setattr("icmec.views._migrations_seen_applied", False)  # a fresh process
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    # As if the newest migration of the blog had not been applied yet (rolled back after).
    (newest,) = MigrationLoader(connection).graph.leaf_nodes("blog")
    MigrationRecorder.Migration.objects.filter(app="blog", name=newest[1]).delete()
    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["migrations"] == "pending"


def test_health_answers_503_when_the_database_fails(client):
    with mock.patch("icmec.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["database"] == "error"
    assert response.json()["cache"] == "ok"


def test_health_answers_503_when_the_cache_fails(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["cache"] == "error"


def test_health_refuses_writes(client):
    assert client.post("/health/").status_code == 405
