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


@pytest.fixture
def home_page(db):
    """The site's home page and default Site (a transactional test may have flushed the ones the
    migrations create)."""
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale, Page, Site

    from blog.models import HomePage

    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
        home = root.add_child(
            instance=HomePage(
                title="Home", slug="home", mission_heading="Protect", mission_statement="<p>x</p>"
            )
        )
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home}
    )
    return home
