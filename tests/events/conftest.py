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
