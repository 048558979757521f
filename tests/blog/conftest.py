import pytest

from portal.models import User
from tests.factories.accounts import StaffFactory
from tests.factories.blog import BlogIndexPageFactory, BlogPostPageFactory, CategoryFactory


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
def non_member(db):
    """Signed up, but no application and not in the Members group."""
    return User.objects.create_user(email="applicant@example.org", password="a long passphrase 2")


@pytest.fixture
def editor(home):
    """A page editor (the Editors group), without an authenticator app yet."""
    return StaffFactory(editor=True, email="editor@example.org")


@pytest.fixture
def moderator(home):
    """A moderator (the Moderators group), without an authenticator app yet."""
    return StaffFactory(moderator=True, email="moderator@example.org")
