import pytest

from tests.factories.portal import make_member, make_reviewer


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Profile photos go to a per-test private folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "member_photos": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


@pytest.fixture
def member(db):
    return make_member(first_name="Amelia", last_name="Chen", email="amelia@example.org")


@pytest.fixture
def peer(db):
    return make_member(first_name="Tom", last_name="Walker", email="tom@example.org")


@pytest.fixture
def third(db):
    return make_member(first_name="Priya", last_name="Nair", email="priya@example.org")


@pytest.fixture
def reviewer(db):
    return make_reviewer(first_name="Rhea", last_name="Reviewer", email="rhea@example.org")


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client
