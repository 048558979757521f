"""The portal's demo content: idempotent and realistic (the members-only resources page is the
public site's: see tests/blog/test_demo.py)."""

import io

import pytest
from django.core.management.base import OutputWrapper
from django.core.management.color import no_style

from portal import demo
from portal.models import Connection, MemberProfile, Membership, Message, User

pytestmark = pytest.mark.django_db


def _load():
    out = io.StringIO()
    demo.load(stdout=OutputWrapper(out), style=no_style())
    return out.getvalue()


def _counts():
    return (
        User.objects.count(),
        MemberProfile.objects.count(),
        Connection.objects.count(),
        Message.objects.count(),
    )


def test_loading_twice_changes_nothing_and_prints_the_logins_once(home):
    first = _load()
    counts = _counts()
    second = _load()

    assert _counts() == counts
    assert demo.DEMO_PASSWORD in first
    assert demo.DEMO_PASSWORD not in second
    assert Membership.objects.filter(status="approved").count() == len(demo.MEMBERS)
    assert Membership.objects.filter(status="pending").count() == 1
    assert (
        len({p.sector for p in MemberProfile.objects.exclude(user__email=demo.APPLICANT["email"])})
        >= 5
    )
    assert Message.objects.count() == 2


def test_demo_members_can_log_in_with_the_printed_password(client, home):
    _load()

    response = client.post(
        "/accounts/login/", {"login": demo.MEMBERS[1]["email"], "password": demo.DEMO_PASSWORD}
    )

    assert response.status_code == 302
    assert client.get("/portal/members/").status_code == 200
