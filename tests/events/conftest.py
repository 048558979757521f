import pytest

from tests.events.factories import EventIndexPageFactory, EventPageFactory
from tests.factories.portal import MemberFactory

# The real SMTP server, broker and worker processes of the newsletter's worker tests.
from tests.newsletter.conftest import broker, smtp_server, start_worker  # noqa: F401


@pytest.fixture
def events_index(home):
    return EventIndexPageFactory(parent=home)


@pytest.fixture
def make_event(events_index):
    """Create a live event under the events index: make_event(capacity=..., audience=...)."""

    def make(**kwargs):
        return EventPageFactory(parent=events_index, **kwargs)

    return make


@pytest.fixture
def second_member(db):
    return MemberFactory(first_name="Tom", last_name="Walker", email="tom@example.org")


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service as a request would: what it queues for after the commit (emails) runs
    when it returns. The test's own transaction never commits, so without this it never would."""

    def call(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return call


@pytest.fixture
def organiser(home):
    """Staff who run events: a moderator (edits and publishes pages) with the events' own
    permission (`events.manage_bookings`) and the bookings' view permission, with an
    authenticator app."""
    from django.contrib.auth.models import Permission

    from tests.factories.accounts import StaffFactory

    user = StaffFactory(moderator=True, mfa=True, email="organiser@example.org", first_name="Olu")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="events", codename__in=["manage_bookings", "view_booking"]
        )
    )
    return user


@pytest.fixture
def organiser_client(client, organiser):
    """The test client, signed in as `organiser` with the second factor passed."""
    from tests.factories.accounts import login_staff

    login_staff(client, organiser)
    return client
