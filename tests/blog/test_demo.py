"""`manage.py load_demo_content` for the public site: real content, loaded once."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import transaction
from wagtail.models import Page, Revision

from blog import demo
from blog.demo.blocks import fill_placeholders, stream_data
from blog.models import (
    Author,
    BlogIndexPage,
    BlogPostPage,
    Category,
    HomePage,
    SiteImage,
    SocialMediaSettings,
    StandardPage,
)
from icmec.demo import tidy_text
from portal.models import User


def snapshot():
    return {
        "pages": list(Page.objects.order_by("path").values_list("path", "title", "live")),
        "revisions": Revision.objects.count(),
        "images": SiteImage.objects.count(),
        "authors": Author.objects.count(),
        "categories": Category.objects.count(),
        "users": User.objects.count(),
        "last_published": list(Page.objects.values_list("last_published_at", flat=True)),
    }


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo content, loaded twice, once for the whole module (it takes a few seconds), in
    a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        first, second = io.StringIO(), io.StringIO()
        demo.load(stdout=first, style=no_style())
        before = snapshot()
        demo.load(stdout=second, style=no_style())
        yield {"first": first.getvalue(), "second": second.getvalue(), "before": before}
        transaction.set_rollback(True)


@pytest.fixture
def member(loaded, db):
    user = User.objects.create_user(email="reader@example.org", password="a long passphrase 9")
    user.groups.add(Group.objects.get_or_create(name="Members")[0])
    return user


def test_loading_twice_creates_nothing_new_and_changes_nothing(loaded, db):
    assert snapshot() == loaded["before"]
    assert "already in place" in loaded["second"]


def test_the_staff_account_is_created_once_and_its_password_shown_once(loaded, client):
    staff = User.objects.get(email="admin@example.org")
    assert staff.is_superuser
    assert staff.is_staff
    line = next(line for line in loaded["first"].splitlines() if "admin@example.org" in line)
    password = line.split(" / ")[1].strip()
    assert len(password) >= 16
    assert staff.check_password(password)
    assert "admin@example.org" not in loaded["second"]


def test_the_reference_posts_and_more_are_there(loaded, db):
    posts = {post.title: post for post in BlogPostPage.objects.live()}
    expected = {
        "World Day of the Fight Against Sexual Exploitation": datetime.date(2023, 2, 28),
        "ICMEC Australia's CEO, Anna Bowden, recognised as Financial Crime Fighter of the Year": (
            datetime.date(2023, 12, 8)
        ),
        "Embracing a Year of Change Together": datetime.date(2023, 12, 18),
        "Supporting innovative data-driven initiatives through our Child Protection Fund": (
            datetime.date(2024, 4, 3)
        ),
    }
    for title, date in expected.items():
        assert posts[title].date_published == date
    assert len(posts) >= 7
    for post in posts.values():
        assert post.featured_image
        assert post.featured_image.description
        assert post.categories.exists()
        assert post.tags.exists()
        assert post.authors.exists()
        assert post.reading_time >= 1
    assert BlogPostPage.objects.filter(members_only=True).count() == 1


def test_pages_the_portal_links_to_exist_with_real_text(loaded, client):
    home = HomePage.objects.get()
    slugs = set(StandardPage.objects.child_of(home).live().values_list("slug", flat=True))
    assert {"about", "contact", "privacy", "code-of-conduct"} <= slugs
    privacy = client.get("/privacy/").content.decode()
    assert "Australian Privacy Principles" in privacy
    assert "Office of the Australian Information Commissioner" in privacy
    conduct = client.get("/code-of-conduct/").content.decode()
    assert "child sexual abuse material" in conduct
    assert len(StandardPage.objects.get(slug="code-of-conduct").body) >= 10
    assert BlogIndexPage.objects.get().url == "/blog/"
    social = SocialMediaSettings.objects.get()
    assert social.links()


def test_every_demo_page_renders(loaded, client, member):
    client.force_login(member)
    for page in Page.objects.live().filter(depth__gte=2).specific():
        response = client.get(page.url)
        assert response.status_code == 200, page.url
    home = client.get("/").content.decode()
    assert "Every child deserves to grow up safe from sexual exploitation" in home
    assert "Supporting innovative data-driven initiatives" in home


def test_the_member_resources_page_is_for_members_only(loaded, client, member):
    anonymous = client.get("/member-resources/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")

    client.force_login(member)
    page = client.get("/member-resources/")
    assert page.status_code == 200
    assert "Red-flag indicators" in page.content.decode()


def test_a_text_wrapped_in_a_content_file_is_stored_as_written_on_one_line():
    wrapped = "\n<p>Every child   deserves\nto grow up safe.</p>\n\n<ul>\n<li>One;</li>\n</ul>\n"

    expected = "<p>Every child deserves to grow up safe.</p><ul><li>One;</li></ul>"
    assert tidy_text(wrapped) == expected


def test_content_refers_to_pages_by_slug_and_settings_by_placeholder(settings):
    settings.ORGANISATION_POSTAL_ADDRESS = "PO Box 1, Hobart TAS 7000"
    blocks = [{"type": "paragraph", "text": '<p><a page="about">Us</a>, {postal_address}</p>'}]

    data = stream_data(
        blocks,
        text_fields={"paragraph": "text"},
        defaults={},
        lookups={"page": {"about": 42}.__getitem__},
        values=demo.loader.settings_values(),
    )

    assert data == [
        {
            "type": "paragraph",
            "value": '<p><a linktype="page" id="42">Us</a>, PO Box 1, Hobart TAS 7000</p>',
        }
    ]
    with pytest.raises(KeyError, match=r"\{postal_adress\}"):
        fill_placeholders("{postal_adress}", demo.loader.settings_values())
