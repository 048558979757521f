import pytest

from tests.factories.accounts import StaffFactory
from tests.factories.portal import MemberFactory


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
def peer(db):
    return MemberFactory(first_name="Tom", last_name="Walker", email="tom@example.org")


@pytest.fixture
def third(db):
    return MemberFactory(first_name="Priya", last_name="Nair", email="priya@example.org")


@pytest.fixture
def reviewer(db):
    return StaffFactory(
        reviewer=True, first_name="Rhea", last_name="Reviewer", email="rhea@example.org"
    )
