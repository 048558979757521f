import pytest
from django.contrib.auth.models import Group

from portal.models import User
from tests.factories.blog import (
    BlogIndexPageFactory,
    BlogPostPageFactory,
    CategoryFactory,
    ensure_site_baseline,
)


@pytest.fixture
def home(db):
    return ensure_site_baseline()


@pytest.fixture
def blog(home):
    return BlogIndexPageFactory(parent=home)


@pytest.fixture
def make_post(blog):
    """Create a live post in the blog: make_post(title=..., members_only=..., ...)."""

    def make(**kwargs):
        return BlogPostPageFactory(parent=blog, **kwargs)

    return make


@pytest.fixture
def category(db):
    return CategoryFactory(name="Research and insights", slug="research-and-insights")


@pytest.fixture
def member(db):
    user = User.objects.create_user(email="member@example.org", password="a long passphrase 1")
    group, _ = Group.objects.get_or_create(name="Members")
    user.groups.add(group)
    return user


@pytest.fixture
def non_member(db):
    return User.objects.create_user(email="applicant@example.org", password="a long passphrase 2")


@pytest.fixture
def editor(home):
    user = User.objects.create_user(email="editor@example.org", password="a long passphrase 3")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def moderator(home):
    user = User.objects.create_user(email="moderator@example.org", password="a long passphrase 4")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user
