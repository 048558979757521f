"""What a member's page costs: the same number of SQL queries whether there are 5 members,
connections and messages or 5,000; and the pieces that make the pages cheap (the `listed` flag
and its order, the one-query reads, the fast URL and date helpers) give what Django's own would."""

from datetime import UTC, timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal import selectors, services
from portal.models import (
    Block,
    Connection,
    ConnectionRequest,
    Conversation,
    MemberProfile,
    Membership,
    MembershipDecision,
    Message,
    User,
)
from tests.factories.accounts import StaffFactory, login_staff
from tests.factories.portal import ApplicantFactory, MemberFactory

pytestmark = pytest.mark.django_db


def _grow(viewer: User, size: int, *, prefix: str) -> Conversation:
    """`size` more members; the viewer connected with each, with requests either way to a few
    of them, a conversation with each of the first few, and a thread of `size` messages with
    the first. Returns that thread."""
    people = MemberFactory.create_in_bulk(size, prefix=prefix)
    Connection.objects.bulk_create(
        [Connection(user=viewer, peer=peer) for peer in people]
        + [Connection(user=peer, peer=viewer) for peer in people]
    )
    strangers = MemberFactory.create_in_bulk(min(size, 30), prefix=f"{prefix}-stranger")
    half = len(strangers) // 2
    ConnectionRequest.objects.bulk_create(
        [ConnectionRequest(sender=viewer, recipient=person) for person in strangers[:half]]
        + [ConnectionRequest(sender=person, recipient=viewer) for person in strangers[half:]]
    )
    now = timezone.now()
    threads = []
    for peer in people[: min(size, 30)]:
        low, high = sorted([viewer.pk, peer.pk])
        threads.append(Conversation(user_low_id=low, user_high_id=high, last_message_at=now))
    Conversation.objects.bulk_create(threads)
    messages = []
    for number, thread in enumerate(threads):
        peer_id = thread.user_high_id if thread.user_low_id == viewer.pk else thread.user_low_id
        for index in range(size if number == 0 else 2):
            mine = index % 2 == 0
            messages.append(
                Message(
                    conversation=thread,
                    sender_id=viewer.pk if mine else peer_id,
                    recipient_id=peer_id if mine else viewer.pk,
                    body=f"Message {index}: see https://example.org/{index}",
                    created_at=now - timedelta(minutes=size - index),
                    read_at=None if index % 3 else now,
                )
            )
    Message.objects.bulk_create(messages, batch_size=2000)
    return threads[0]


def _queries(client, url: str) -> int:
    # The first visit makes the session and, for a thread, marks its messages read.
    client.get(url)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _pages(viewer: User, thread: Conversation) -> dict[str, str]:
    someone = MemberProfile.objects.filter(listed=True).exclude(user=viewer).order_by("pk")[2]
    return {
        "dashboard": "/portal/",
        "profile": f"/portal/members/{someone.public_id}/",
        "connections": "/portal/connections/",
        "conversations": "/portal/messages/",
        "thread": f"/portal/messages/{thread.pk}/",
        "directory": "/portal/members/",
        "search": "/portal/members/?q=financial+intelligence",
        "prefix": "/portal/members/?q=gi",
        "filters": "/portal/members/?sector=law_enforcement&country=NZ",
        "page 2": "/portal/members/?q=investigations&sector=law_enforcement&page=2",
    }


def test_member_pages_cost_the_same_queries_with_5_or_5000_members_connections_and_messages(
    client, member
):
    client.force_login(member)
    small_thread = _grow(member, 5, prefix="few")
    small = {name: _queries(client, url) for name, url in _pages(member, small_thread).items()}

    large_thread = _grow(member, 5000, prefix="many")
    assert MemberProfile.objects.filter(listed=True).count() > 5000
    assert Message.objects.filter(conversation=large_thread).count() == 5000
    large = {name: _queries(client, url) for name, url in _pages(member, small_thread).items()}
    # The thread of 5,000 messages too, and a page of its earlier messages.
    large_thread_url = f"/portal/messages/{large_thread.pk}/"
    assert _queries(client, large_thread_url) == small["thread"]
    html = BeautifulSoup(client.get(large_thread_url).content, "html.parser")
    assert len(html.select(".thread .bubble")) == 50
    earlier = html.select_one(".thread__more a")["href"]
    assert _queries(client, f"{large_thread_url}{earlier}") == small["thread"] + 1  # its anchor

    # A second page that does not exist with 5 members (an old link) lands on the last page,
    # which costs a count and the rows again.
    assert large.pop("page 2") <= small.pop("page 2") <= 10
    assert large == small
    for name in ("directory", "search", "prefix", "filters"):
        assert large[name] <= 10, name


def test_a_thread_shows_its_latest_messages_and_pages_back_to_the_first(client, member, peer):
    Connection.objects.create(user=member, peer=peer)
    Connection.objects.create(user=peer, peer=member)
    for number in range(120):
        sender, recipient = (member, peer) if number % 2 else (peer, member)
        services.message_send(sender=sender, recipient=recipient, body=f"Number {number}.")
    thread = selectors.conversation_between(member, peer)
    client.force_login(member)

    def page(query=""):
        html = BeautifulSoup(
            client.get(f"/portal/messages/{thread.pk}/{query}").content, "html.parser"
        )
        bodies = [b.get_text(strip=True) for b in html.select(".thread .bubble__body")]
        more = html.select_one(".thread__more a[href^='?before=']")
        return bodies, (more["href"] if more else None), html

    latest, earlier, html = page()
    assert latest == [f"Number {n}." for n in range(70, 120)]
    assert html.select_one("#latest").get_text().count("Number 119.") == 1
    assert "You" in html.select(".thread .bubble")[-1].select_one(".bubble__who").get_text()
    assert html.select(".thread .bubble")[-2].select_one(".bubble__who").get_text() == "Tom"
    middle, earliest_link, html = page(earlier)
    assert middle == [f"Number {n}." for n in range(20, 70)]
    assert html.select_one("#latest") is None
    assert "Latest messages" in html.get_text()
    first, none, _ = page(earliest_link)
    assert first == [f"Number {n}." for n in range(0, 20)]
    assert none is None
    # Whatever else is asked for, the latest messages.
    other = Message.objects.create(conversation=Conversation.objects.create(), body="x")
    for query in ("?before=abc", "?before=-3", f"?before={other.pk}", "?before=" + "9" * 30):
        assert page(query)[0] == latest


# --- The listed flag and the directory's order ------------------------------------------------


def _in_directory(client, name: str) -> bool:
    return name in client.get("/portal/members/").content.decode()


def test_suspension_and_reinstatement_change_who_is_listed_at_once(client, member, peer, reviewer):
    client.force_login(member)
    membership = Membership.objects.get(user=peer)
    assert MemberProfile.objects.get(user=peer).listed
    assert _in_directory(client, "Tom Walker")

    services.membership_decide(
        membership_id=membership.pk,
        action=MembershipDecision.Action.SUSPEND,
        decided_by=reviewer,
        note="Harassment reported.",
    )
    assert not MemberProfile.objects.get(user=peer).listed
    assert not _in_directory(client, "Tom Walker")
    profile_url = f"/portal/members/{peer.profile.public_id}/"
    assert client.get(profile_url).status_code == 404

    services.membership_decide(
        membership_id=membership.pk,
        action=MembershipDecision.Action.REINSTATE,
        decided_by=reviewer,
        note="Resolved.",
    )
    assert _in_directory(client, "Tom Walker")
    assert client.get(profile_url).status_code == 200


def test_deactivating_or_removing_the_members_group_in_the_admin_unlists_at_once(
    client, member, peer
):
    from django.contrib.auth.models import Group

    viewer = client
    viewer.force_login(member)
    admin = StaffFactory(
        superuser=True,
        first_name="",
        last_name="",
        email="boss@example.org",
        password="a-long-password-42",
    )
    from django.test import Client

    staff = Client()
    login_staff(staff, admin)
    members = Group.objects.get(name=selectors.MEMBERS_GROUP)
    form = {"email": peer.email, "first_name": "Tom", "last_name": "Walker"}

    response = staff.post(f"/admin/users/edit/{peer.pk}/", {**form, "groups": [members.pk]})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not MemberProfile.objects.get(user=peer).listed  # "is_active" left unticked
    assert not _in_directory(viewer, "Tom Walker")

    staff.post(f"/admin/users/edit/{peer.pk}/", {**form, "groups": [members.pk], "is_active": "on"})
    assert _in_directory(viewer, "Tom Walker")
    staff.post(f"/admin/users/edit/{peer.pk}/", {**form, "is_active": "on"})  # no group
    assert not MemberProfile.objects.get(user=peer).listed
    assert not _in_directory(viewer, "Tom Walker")


def test_an_account_changed_outside_the_services_is_relisted_at_once(client, member, peer):
    """Whatever deactivates an account or takes it out of the Members group (a shell, a data
    fix, the group's own side of the relation), the profile leaves the directory at once."""
    from django.contrib.auth.models import Group

    client.force_login(member)
    members = Group.objects.get(name=selectors.MEMBERS_GROUP)

    peer.is_active = False
    peer.save()
    assert not MemberProfile.objects.get(user=peer).listed
    assert not _in_directory(client, "Tom Walker")

    peer.is_active = True
    peer.save(update_fields=["is_active"])
    assert _in_directory(client, "Tom Walker")

    members.user_set.remove(peer)
    assert not _in_directory(client, "Tom Walker")
    members.user_set.add(peer)
    assert _in_directory(client, "Tom Walker")
    members.user_set.clear()
    assert not MemberProfile.objects.filter(listed=True).exists()


def test_a_name_changed_on_the_account_moves_the_member_in_the_directory(member_client):
    for first, last in [("Ann", "Baker"), ("Bob", "Carter")]:
        MemberFactory(first_name=first, last_name=last, email=f"{first.lower()}@example.org")
    ann = User.objects.get(email="ann@example.org")
    ann.last_name = "Young"
    ann.save(update_fields=["last_name"])
    html = BeautifulSoup(member_client.get("/portal/members/").content, "html.parser")
    names = [h.get_text(strip=True) for h in html.select(".member-card__name")]
    assert names.index("Bob Carter") < names.index("Ann Young")


def test_the_directory_orders_by_family_name_case_and_accents_aside(member_client):
    for first, last in [("Zoë", "Émile"), ("Ann", "de Vries"), ("Bob", "Dubois"), ("Cy", "Eaton")]:
        MemberFactory(first_name=first, last_name=last, email=f"{first.lower()}@example.org")
    html = BeautifulSoup(member_client.get("/portal/members/").content, "html.parser")
    names = [h.get_text(strip=True) for h in html.select(".member-card__name")]
    assert names == ["Ann de Vries", "Bob Dubois", "Cy Eaton", "Zoë Émile"]


def test_the_migration_lists_todays_members_and_no_one_else(member, peer):
    import importlib

    from django.apps import apps

    applicant = ApplicantFactory(first_name="Ada", last_name="Applicant", email="ada@ex.org")
    MemberProfile.objects.update(listed=False, sort_name="")
    User.objects.filter(pk=peer.pk).update(is_active=False)
    migration = importlib.import_module("portal.migrations.0010_profile_listed_and_sort_name")

    migration.fill_listing(apps, None)

    listed = dict(MemberProfile.objects.values_list("user__email", "listed"))
    assert listed == {member.email: True, peer.email: False, applicant.email: False}
    assert MemberProfile.objects.get(user=member).sort_name == "chen amelia"


# --- The one-query reads --------------------------------------------------------------------


def test_the_headers_counts_are_the_selectors_counts(member, peer, third, reviewer):
    for person in (peer, third):
        Connection.objects.create(user=member, peer=person)
        Connection.objects.create(user=person, peer=member)
    services.message_send(sender=peer, recipient=member, body="One")
    services.message_send(sender=third, recipient=member, body="Two")
    strangers = MemberFactory.create_in_bulk(3, prefix="asker")
    for person in strangers:
        ConnectionRequest.objects.create(sender=person, recipient=member)
    Block.objects.create(blocker=member, blocked=strangers[0])  # their request is hidden
    Block.objects.create(blocker=third, blocked=member)  # so is their message
    services.membership_decide(
        membership_id=Membership.objects.get(user=strangers[1]).pk,
        action=MembershipDecision.Action.SUSPEND,
        decided_by=reviewer,
        note="Spam.",
    )
    services.account_delete(user=peer)  # their message stays, from "a former member"
    member = User.objects.get(pk=member.pk)

    counts = selectors.nav_counts(member)

    assert counts.pending_requests == selectors.incoming_requests(member).count() == 1
    assert counts.unread_messages == selectors.unread_messages(member).count() == 1


def test_permissions_are_djangos_in_one_query_shared_with_the_membership_rule(
    member, reviewer, django_assert_num_queries
):
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.auth.models import Permission

    special = MemberFactory(first_name="Pat", last_name="Perm", email="pat@example.org")
    special.user_permissions.add(Permission.objects.get(codename="handle_report"))
    inactive = MemberFactory(first_name="Ina", last_name="Active", email="ina@example.org")
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    superuser = StaffFactory(
        superuser=True,
        first_name="",
        last_name="",
        email="root@example.org",
        password="x" * 14,
    )
    perms = [
        "portal.review_membership",
        "portal.handle_report",
        "wagtailadmin.access_admin",
        "wagtailcore.add_page",
        "portal.change_memberprofile",
    ]
    for person in (member, reviewer, special, inactive, superuser):
        fresh, reference = User.objects.get(pk=person.pk), User.objects.get(pk=person.pk)
        backend = ModelBackend()
        expected = [
            reference.is_active and (reference.is_superuser or backend.has_perm(reference, p))
            for p in perms
        ]
        assert [fresh.has_perm(p) for p in perms] == expected, person.email

    fresh = User.objects.get(pk=reviewer.pk)
    with django_assert_num_queries(1):
        assert fresh.has_perm("portal.review_membership")
        assert not fresh.has_perm("wagtailcore.delete_page")
        assert not selectors.user_is_approved_member(fresh)  # staff: no second factor here
        assert not selectors.user_has_member_profile(fresh)


# --- Fast links and dates -------------------------------------------------------------------


def test_row_links_are_the_urls_reverse_gives(member):
    import uuid

    from django.urls import NoReverseMatch, reverse, set_script_prefix

    from portal.fast_urls import fast_reverse

    public_id = member.profile.public_id
    cases = [
        ("portal:member", public_id),
        ("portal:connect", public_id),
        ("portal:message_member", public_id),
        ("portal:request_accept", 42),
        ("portal:request_withdraw", 7),
        ("portal:conversation", 1234567),
        ("portal:photo", "0f3a9b", 128),
        ("portal:directory",),
    ]
    try:
        for prefix in ("/", "/sub/"):
            set_script_prefix(prefix)
            for name, *args in cases:
                assert fast_reverse(name, *args) == reverse(name, args=args)
                assert fast_reverse(name, *args) == reverse(name, args=args)  # from its cache
            assert fast_reverse("portal:member", uuid.uuid4()).startswith(f"{prefix}portal/")
    finally:
        set_script_prefix("/")
    # What needs quoting, or fits no converter, goes through reverse() itself.
    assert fast_reverse("portal:photo", "a b", 128) == reverse("portal:photo", args=["a b", 128])
    with pytest.raises(NoReverseMatch):
        fast_reverse("portal:request_accept", -1)
    with pytest.raises(NoReverseMatch):
        fast_reverse("portal:member", "not-a-uuid")


@pytest.mark.parametrize("fmt", ["j M Y, H:i", "j M, H:i", "j F Y", "D j M"])
def test_quick_dates_are_what_the_date_filter_writes(settings, fmt):
    from datetime import datetime

    from django.template import Context, Template

    settings.TIME_ZONE = "Australia/Sydney"
    template = Template(
        "{% load portal_tags %}"
        "{{ when|quick_date:fmt }}|{{ when|date:fmt }}|{{ none|quick_date:fmt }}"
    )
    for when in [
        datetime(2026, 1, 5, 0, 0, tzinfo=UTC),
        datetime(2026, 6, 30, 13, 59, tzinfo=UTC),  # the next day in Sydney
        datetime(2026, 12, 31, 23, 7, tzinfo=UTC),
    ]:
        quick, django_date, nothing = template.render(
            Context({"when": when, "fmt": fmt, "none": None})
        ).split("|")
        assert quick == django_date
        assert nothing == ""


def test_the_conversation_list_shows_each_peer_last_message_and_unread_count(
    client, member, peer, third
):
    fourth = MemberFactory(first_name="Kai", last_name="Blocker", email="kai@example.org")
    for person in (peer, third, fourth):
        Connection.objects.create(user=member, peer=person)
        Connection.objects.create(user=person, peer=member)
    services.message_send(sender=peer, recipient=member, body="First from Tom")
    services.message_send(sender=member, recipient=third, body="Hello Priya")
    services.message_send(sender=fourth, recipient=member, body="From Kai")
    services.message_send(sender=peer, recipient=member, body="Second from Tom")
    services.member_block(blocker=fourth, blocked=member)  # Kai's conversation disappears
    services.account_delete(user=third)  # Priya's side becomes "a former member"
    client.force_login(member)

    html = BeautifulSoup(client.get("/portal/messages/").content, "html.parser")
    rows = [
        " ".join(item.get_text(" ", strip=True).split())
        for item in html.select(".conversation-item")
    ]

    assert len(rows) == 2
    assert rows[0].startswith("TW Tom Walker 2 unread Second from Tom")
    assert rows[1].startswith("? A former member You: Hello Priya")
    dashboard = client.get("/portal/").content.decode()
    assert "Tom Walker</a> (2 new)" in dashboard
    assert "A former member" in dashboard
