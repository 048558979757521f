"""Reads about members. Never writes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone

from portal import access, mfa
from portal.models import (
    Block,
    Connection,
    ConnectionRequest,
    Conversation,
    ExpertiseTag,
    MemberProfile,
    Membership,
    Message,
    Report,
    TaggedExpertise,
    User,
)

MEMBERS_GROUP = "Members"
REVIEWERS_GROUP = "Member reviewers"
# After a decline, the same member may ask the same person again only this much later.
DECLINE_COOLDOWN = timedelta(days=30)


def user_is_approved_member(user: User | AnonymousUser) -> bool:
    """True for an active account in the Members group (staff approved it and it is not suspended).

    This is the one rule of who sees members' content: every portal view, the members-only
    posts of every listing, feed and search, and the header go through it. Accounts that can
    open Wagtail's admin also count (they review members-only content), but only from a session
    that passed their second factor: a staff password alone shows nothing a member would see.
    What the account may open is read in one query, cached on the user object for the request.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if access.can_open_admin(user):
        return mfa.session_passed_second_factor(user)
    return MEMBERS_GROUP in access.access_of(user).groups


def user_has_member_profile(user: User | AnonymousUser) -> bool:
    """True for an approved member who can take part: connect, message, block and report.

    Staff without a member profile may browse the directory but not take part.
    """
    return user_is_approved_member(user) and access.access_of(user).has_profile


def email_taken_by_another(*, email: str, user: User) -> bool:
    """Whether an account other than `user`'s signs in with, or has confirmed, this address."""
    from allauth.account.models import EmailAddress

    return (
        User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()
        or EmailAddress.objects.filter(email__iexact=email, verified=True)
        .exclude(user=user)
        .exists()
    )


def membership_for(user: User) -> Membership | None:
    return Membership.objects.filter(user=user).first()


def approved_profiles() -> QuerySet[MemberProfile]:
    """Profiles of approved, active members: the only people the portal ever shows.

    That is `MemberProfile.listed`, the rule of `user_is_approved_member` (an active account in
    the Members group) kept on the profile, in the same transaction, by whatever changes it
    (`services.profile_listing_refresh`).
    """
    return MemberProfile.objects.filter(listed=True).select_related("user")


def _not_blocked(profiles: QuerySet[MemberProfile], viewer: User) -> QuerySet[MemberProfile]:
    """Without the members the viewer blocked or was blocked by (read with what the viewer may
    open, `access.access_of`: a short list, most often empty, so no subquery)."""
    blocked = access.access_of(viewer).blocked_either_way
    return profiles.exclude(user_id__in=sorted(blocked)) if blocked else profiles


# The viewer's connection state with each of a page's members, in one statement: connected,
# the viewer's pending request to them, theirs to the viewer, and their declines of the viewer's
# requests still within `DECLINE_COOLDOWN`.
CONNECTION_STATE_SQL = """
    SELECT c.peer_id, 'connected', NULL::bigint, NULL::timestamptz
    FROM portal_connection c
    WHERE c.user_id = %(viewer)s AND c.peer_id = ANY(%(people)s::bigint[])
    UNION ALL
    SELECT r.recipient_id, 'sent', r.id, NULL
    FROM portal_connectionrequest r
    WHERE r.sender_id = %(viewer)s AND r.recipient_id = ANY(%(people)s::bigint[])
      AND r.status = 'pending'
    UNION ALL
    SELECT r.sender_id, 'received', r.id, NULL
    FROM portal_connectionrequest r
    WHERE r.recipient_id = %(viewer)s AND r.sender_id = ANY(%(people)s::bigint[])
      AND r.status = 'pending'
    UNION ALL
    SELECT r.recipient_id, 'declined', NULL, r.responded_at
    FROM portal_connectionrequest r
    WHERE r.sender_id = %(viewer)s AND r.recipient_id = ANY(%(people)s::bigint[])
      AND r.status = 'declined' AND r.responded_at > %(since)s
"""


def attach_connection_state(profiles: list[MemberProfile], viewer: User) -> list[MemberProfile]:
    """Set the viewer's connection state on each profile: `is_connected`, `sent_request_id`
    (the viewer's pending request to that person), `received_request_id` (theirs) and
    `ask_again_from` (when that person declined the viewer's last request less than
    `DECLINE_COOLDOWN` ago: from when the viewer may ask again; else None). One query for the
    whole list (none for an empty one)."""
    for profile in profiles:
        profile.is_connected = False
        profile.sent_request_id = profile.received_request_id = profile.ask_again_from = None
    if not profiles:
        return profiles
    by_user = {profile.user_id: profile for profile in profiles}
    with connection.cursor() as cursor:
        cursor.execute(
            CONNECTION_STATE_SQL,
            {
                "viewer": viewer.pk,
                "people": list(by_user),
                "since": timezone.now() - DECLINE_COOLDOWN,
            },
        )
        rows = cursor.fetchall()
    for user_id, kind, request_id, responded_at in rows:
        profile = by_user[user_id]
        if kind == "connected":
            profile.is_connected = True
        elif kind == "sent":
            profile.sent_request_id = request_id
        elif kind == "received":
            profile.received_request_id = request_id
        else:
            again = responded_at + DECLINE_COOLDOWN
            if profile.ask_again_from is None or again > profile.ask_again_from:
                profile.ask_again_from = again
    return profiles


@dataclass(frozen=True)
class Expertise:
    slug: str
    name: str


def attach_expertise(profiles: list[MemberProfile]) -> list[MemberProfile]:
    """Set `expertise_list` on each profile: its areas of expertise by name, as `Expertise`
    (slug, name). One short query for the whole list (the tags' own prefetch builds a heavier
    one)."""
    by_pk = {profile.pk: profile for profile in profiles}
    for profile in profiles:
        profile.expertise_list = []
    if not profiles:
        return profiles
    rows = (
        TaggedExpertise.objects.filter(content_object_id__in=list(by_pk))
        .order_by("tag__name", "tag_id")
        .values_list("content_object_id", "tag__slug", "tag__name")
    )
    for profile_id, slug, name in rows:
        by_pk[profile_id].expertise_list.append(Expertise(slug, name))
    return profiles


def visible_profiles(viewer: User) -> QuerySet[MemberProfile]:
    """Approved profiles the viewer may see (blocks hide people from each other)."""
    return _not_blocked(approved_profiles(), viewer)


_WORD = re.compile(r"[\w]+", re.UNICODE)


def _search_query(text: str) -> SearchQuery | None:
    words = _WORD.findall(text.lower())[:8]
    if not words:
        return None
    # Names match on their beginnings ("jan" finds Janet); prose matches on English stems.
    prefix = " & ".join(f"{word}:*" for word in words)
    return SearchQuery(prefix, search_type="raw", config="simple") | SearchQuery(
        " ".join(words), search_type="plain", config="english"
    )


@dataclass(frozen=True)
class DirectoryFilters:
    q: str = ""
    sector: str = ""
    country: str = ""
    expertise: str = ""


def directory_matches(*, viewer: User, filters: DirectoryFilters) -> QuerySet[MemberProfile]:
    """Who the directory finds, without ordering or annotations (what the page counts)."""
    profiles = _not_blocked(MemberProfile.objects.filter(listed=True).exclude(user=viewer), viewer)
    if filters.sector:
        profiles = profiles.filter(sector=filters.sector)
    if filters.country:
        profiles = profiles.filter(country=filters.country)
    if filters.expertise:
        profiles = profiles.filter(tagged_expertise__tag__slug=filters.expertise)
    query = _search_query(filters.q)
    if query is not None:
        profiles = profiles.filter(search_vector=query)
    return profiles


_NAME_FIELDS = ("first_name", "last_name", "email")
# What a card in the directory shows: not the bio, nor the search vector (the widest columns).
# The account's fields come last.
DIRECTORY_CARD_FIELDS = (
    "public_id",
    "user_id",
    "organisation",
    "job_title",
    "sector",
    "country",
    "photo_key",
    "user__first_name",
    "user__last_name",
    "user__email",
)


def directory_search(*, viewer: User, filters: DirectoryFilters) -> QuerySet[MemberProfile]:
    """The directory: visible members but the viewer, searched and filtered, best match first
    (else in `sort_name` order, which the listed profiles' index gives without sorting). Take
    a page of it with `directory_rows`."""
    profiles = directory_matches(viewer=viewer, filters=filters)
    query = _search_query(filters.q)
    if query is not None:
        # A search ranks (and counts) every match before it keeps a page: the accounts' names
        # are read afterwards for that page alone, not joined to every match first.
        return (
            profiles.only(*DIRECTORY_CARD_FIELDS[:-3])
            .prefetch_related(Prefetch("user", queryset=User.objects.only(*_NAME_FIELDS)))
            .order_by(-SearchRank(F("search_vector"), query), "sort_name", "pk")
        )
    return profiles.select_related("user").only(*DIRECTORY_CARD_FIELDS).order_by("sort_name", "pk")


def directory_rows(queryset: QuerySet[MemberProfile], viewer: User) -> list[MemberProfile]:
    """A page of `directory_search` as the cards show it: with the viewer's connection state
    and each member's areas of expertise (two more queries, whatever the page's length)."""
    return attach_expertise(attach_connection_state(list(queryset), viewer))


FILTER_OPTIONS_TIMEOUT = 300  # seconds; new countries and tags appear in the filters this late


@dataclass(frozen=True)
class DirectoryFilterOptions:
    countries: list[str]  # codes that at least one approved member has
    expertise: list[tuple[str, str]]  # the most used areas of expertise, as (slug, name)


def directory_filter_options(expertise_limit: int = 40) -> DirectoryFilterOptions:
    """The choices of the directory's country and expertise filters. The same for everyone, so
    cached together for a few minutes (one cache read a page)."""

    def compute() -> DirectoryFilterOptions:
        countries = approved_profiles().order_by().values_list("country", flat=True).distinct()
        expertise = (
            ExpertiseTag.objects.filter(
                tagged_profiles__content_object__in=approved_profiles().values("pk")
            )
            .annotate(uses=Count("tagged_profiles"))
            .order_by("-uses", "name")
            .values_list("slug", "name")[:expertise_limit]
        )
        return DirectoryFilterOptions(sorted(countries), list(expertise))

    return cache.get_or_set(
        f"portal:directory:filters:{expertise_limit}", compute, FILTER_OPTIONS_TIMEOUT
    )


def profile_for_viewer(*, viewer: User, public_id) -> MemberProfile | None:
    """A profile the viewer may open, or None (unapproved, suspended, blocked or unknown), with
    the viewer's connection state and the member's areas of expertise (see `directory_rows`)."""
    profile = visible_profiles(viewer).filter(public_id=public_id).first()
    if profile is None:
        return None
    return directory_rows([profile], viewer)[0]


def photo_visible(*, viewer: User, key: str) -> bool:
    """Whether the photo with this key belongs to a member the viewer may see."""
    return _not_blocked(approved_profiles(), viewer).filter(photo_key=key).exists()


def contact_details_visible(*, viewer: User, profile: MemberProfile) -> bool:
    if profile.user_id == viewer.pk:
        return True
    if profile.contact_visibility == MemberProfile.ContactVisibility.MEMBERS:
        return True
    return bool(getattr(profile, "is_connected", False)) or are_connected(viewer, profile.user)


def are_connected(user: User, other: User) -> bool:
    return Connection.objects.filter(user=user, peer=other).exists()


def is_blocked_either_way(user: User, other: User) -> bool:
    return Block.objects.filter(
        Q(blocker=user, blocked=other) | Q(blocker=other, blocked=user)
    ).exists()


def _person_fields(relation: str) -> tuple[str, ...]:
    """What a list row shows of the member at the other end of `relation`: the name and the
    avatar, job and organisation (not the bio, nor the profile's search vector)."""
    return tuple(
        f"{relation}__{field}"
        for field in (
            "first_name",
            "last_name",
            "email",
            "profile__user",
            "profile__public_id",
            "profile__photo_key",
            "profile__job_title",
            "profile__organisation",
        )
    )


def connections_of(user: User) -> QuerySet[Connection]:
    """The user's connections to approved members (suspended members drop out of the list), in
    the directory's order."""
    return (
        Connection.objects.filter(user=user, peer__profile__listed=True)
        .select_related("peer__profile")
        .only("created_at", *_person_fields("peer"))
        .order_by("peer__profile__sort_name", "peer_id")
    )


def incoming_requests(user: User) -> QuerySet[ConnectionRequest]:
    requests = ConnectionRequest.objects.filter(
        recipient=user, status=ConnectionRequest.Status.PENDING, sender__profile__listed=True
    )
    blocked = sorted(access.access_of(user).blocks)
    if blocked:
        requests = requests.exclude(sender_id__in=blocked)
    return (
        requests.select_related("sender__profile")
        .only("note", "created_at", "recipient_id", *_person_fields("sender"))
        .order_by("-created_at")
    )


def outgoing_requests(user: User) -> QuerySet[ConnectionRequest]:
    return (
        ConnectionRequest.objects.filter(sender=user, status=ConnectionRequest.Status.PENDING)
        .select_related("recipient__profile")
        .only("created_at", "sender_id", *_person_fields("recipient"))
        .order_by("-created_at")
    )


def pending_request_for_recipient(*, user: User, request_id: int) -> ConnectionRequest | None:
    return incoming_requests(user).filter(pk=request_id).first()


def pending_request_for_sender(*, user: User, request_id: int) -> ConnectionRequest | None:
    return outgoing_requests(user).filter(pk=request_id).first()


@dataclass(frozen=True)
class NavCounts:
    pending_requests: int
    unread_messages: int

    @property
    def total(self) -> int:
        return self.pending_requests + self.unread_messages


# Pending requests to the user from listed members the user has not blocked, and unread
# messages to the user but from members who blocked the user.
NAV_COUNTS_SQL = """
    SELECT
        (SELECT count(*) FROM portal_connectionrequest r
         JOIN portal_memberprofile p ON p.user_id = r.sender_id AND p.listed
         WHERE r.recipient_id = %(user)s AND r.status = 'pending'
           AND NOT EXISTS (
               SELECT 1 FROM portal_block b
               WHERE b.blocker_id = %(user)s AND b.blocked_id = r.sender_id
           )),
        (SELECT count(*) FROM portal_message m
         WHERE m.recipient_id = %(user)s AND m.read_at IS NULL
           AND NOT EXISTS (
               SELECT 1 FROM portal_block b
               WHERE b.blocked_id = %(user)s AND b.blocker_id = m.sender_id
           ))
"""


def nav_counts(user: User) -> NavCounts:
    """The header's counts in one query: `incoming_requests(user).count()` and
    `unread_messages(user).count()`.

    Every member page shows them, so they are one fixed SQL statement: building the same two
    counts with the ORM cost more than running them (tests compare the two).
    """
    with connection.cursor() as cursor:
        cursor.execute(NAV_COUNTS_SQL, {"user": user.pk})
        pending_requests, unread = cursor.fetchone()
    return NavCounts(pending_requests, unread)


def blockers_of(user: User) -> QuerySet[Block]:
    """Ids of the members who blocked `user` (as a subquery): `user` sees nothing of them, not
    even the conversation they had."""
    return Block.objects.filter(blocked=user).values("blocker")


def unread_messages(user: User) -> QuerySet[Message]:
    return Message.objects.filter(recipient=user, read_at__isnull=True).exclude(
        sender__in=blockers_of(user)
    )


# The user's conversations, without those with members who blocked the user (shared by the
# page and its count).
_CONVERSATIONS_WHERE = """WHERE (c.user_low_id = %(user)s OR c.user_high_id = %(user)s)
      AND NOT COALESCE(c.user_low_id, 0) = ANY(%(blockers)s::bigint[])
      AND NOT COALESCE(c.user_high_id, 0) = ANY(%(blockers)s::bigint[])"""
# A page of the user's conversations, latest first: the last message, the number unread, and
# the other member (None once they erased their account) with what their avatar needs.
# Conversations with members who blocked the user are left out.
CONVERSATIONS_SQL = f"""
    SELECT c.id, c.last_message_at, last.body, last.sender_id,
        (SELECT count(*) FROM portal_message u
         WHERE u.recipient_id = %(user)s AND u.conversation_id = c.id AND u.read_at IS NULL),
        peer.id, peer.first_name, peer.last_name, peer.email,
        profile.id, profile.public_id, profile.photo_key
    FROM portal_conversation c
    CROSS JOIN LATERAL (
        SELECT m.body, m.sender_id FROM portal_message m
        WHERE m.conversation_id = c.id
        ORDER BY m.created_at DESC, m.id DESC
        LIMIT 1
    ) last
    LEFT JOIN portal_user peer
        ON peer.id = CASE WHEN c.user_low_id = %(user)s THEN c.user_high_id ELSE c.user_low_id END
    LEFT JOIN portal_memberprofile profile ON profile.user_id = peer.id
    {_CONVERSATIONS_WHERE}
    ORDER BY c.last_message_at DESC, c.id DESC
    LIMIT %(limit)s OFFSET %(offset)s
"""  # noqa: S608 (what is put in is the module's constant above, never input)
CONVERSATION_COUNT_SQL = f"""
    SELECT count(*) FROM portal_conversation c
    {_CONVERSATIONS_WHERE}
      AND EXISTS (SELECT 1 FROM portal_message m WHERE m.conversation_id = c.id)
"""  # noqa: S608 (the same constant)


def conversation_count(user: User) -> int:
    """How many conversations `conversations_of` lists in all."""
    blockers = sorted(access.access_of(user).blocked_by)
    with connection.cursor() as cursor:
        cursor.execute(CONVERSATION_COUNT_SQL, {"user": user.pk, "blockers": blockers})
        return cursor.fetchone()[0]


def conversations_of(user: User, *, offset: int = 0, limit: int = 25) -> list[Conversation]:
    """A page of the user's conversations, latest first, each with `peer` (the other member, with
    their profile, or None once they erased their account), `last_body`, `last_sender_id` and
    `unread` (messages to the user not yet read). One query, whatever the length of the threads
    (building the same with the ORM's subqueries cost more than running it)."""
    blockers = sorted(access.access_of(user).blocked_by)
    with connection.cursor() as cursor:
        cursor.execute(
            CONVERSATIONS_SQL,
            {"user": user.pk, "blockers": blockers, "limit": limit, "offset": offset},
        )
        rows = cursor.fetchall()
    conversations = []
    for row in rows:
        (pk, last_at, body, sender_id, unread, peer_id, first, last, email) = row[:9]
        profile_id, public_id, photo_key = row[9:]
        conversation = Conversation.from_db("default", ["id", "last_message_at"], [pk, last_at])
        conversation.last_body, conversation.last_sender_id, conversation.unread = (
            body,
            sender_id,
            unread,
        )
        conversation.peer = None
        if peer_id is not None:
            peer = User.from_db(
                "default", ["id", "first_name", "last_name", "email"], [peer_id, first, last, email]
            )
            if profile_id is not None:
                peer.profile = MemberProfile.from_db(
                    "default",
                    ["id", "user_id", "public_id", "photo_key"],
                    [profile_id, peer_id, public_id, photo_key],
                )
            conversation.peer = peer
        conversations.append(conversation)
    return conversations


def _conversations_of(user: User) -> QuerySet[Conversation]:
    conversations = Conversation.objects.filter(Q(user_low=user) | Q(user_high=user))
    blockers = sorted(access.access_of(user).blocked_by)
    if blockers:
        # The member who is blocked sees nothing of the blocker, not even their conversation.
        conversations = conversations.exclude(
            Q(user_low_id__in=blockers) | Q(user_high_id__in=blockers)
        )
    return conversations


def conversation_for(*, user: User, conversation_id: int) -> Conversation | None:
    """The conversation if the user is one of its two members and the other has not blocked
    them; None for anyone else."""
    return (
        _conversations_of(user)
        .filter(pk=conversation_id)
        .select_related("user_low__profile", "user_high__profile")
        .first()
    )


def conversation_between(user: User, other: User) -> Conversation | None:
    low, high = sorted([user.pk, other.pk])
    return Conversation.objects.filter(user_low_id=low, user_high_id=high).first()


@dataclass(frozen=True)
class ThreadPeer:
    """What the viewer of a thread may know and do about the other member."""

    state: str  # "available", "former", "blocked_by_viewer", "unavailable", "not_connected"

    @property
    def can_reply(self) -> bool:
        return self.state == "available"

    @property
    def profile_visible(self) -> bool:
        # Their profile page opens for the viewer (it answers 404 otherwise).
        return self.state in ("available", "not_connected")


def thread_peer(*, viewer: User, peer: User | None) -> ThreadPeer:
    """Whether the viewer can answer the other member of a thread, and if not, why (in terms
    the viewer may be told: a suspension shows as "not available"). One query: the blocks
    either way and the connection."""
    if peer is None:
        return ThreadPeer("former")
    blocked_by_viewer, blocks_viewer, connected = (
        User.objects.filter(pk=peer.pk)
        .annotate(
            blocked_by_viewer=Exists(Block.objects.filter(blocker=viewer, blocked=OuterRef("pk"))),
            blocks_viewer=Exists(Block.objects.filter(blocker=OuterRef("pk"), blocked=viewer)),
            connected=Exists(Connection.objects.filter(user=viewer, peer=OuterRef("pk"))),
        )
        .values_list("blocked_by_viewer", "blocks_viewer", "connected")
        .get()
    )
    if blocked_by_viewer:
        return ThreadPeer("blocked_by_viewer")
    profile = getattr(peer, "profile", None)
    if profile is None or not profile.listed or blocks_viewer:
        return ThreadPeer("unavailable")
    if not connected:
        return ThreadPeer("not_connected")
    return ThreadPeer("available")


def thread_messages(conversation: Conversation) -> QuerySet[Message]:
    """The thread, oldest first."""
    return conversation.messages.order_by("created_at", "pk")


@dataclass(frozen=True)
class ThreadPage:
    messages: list[Message]  # oldest first
    earlier_than: int | None  # ask for `before=` this message id to see earlier ones (or None)
    is_latest: bool


def thread_page(*, conversation: Conversation, before: int | None, size: int) -> ThreadPage:
    """The latest `size` messages of the thread, or the `size` before message `before` (of this
    conversation; any other id means the latest), oldest first: a page costs the same whatever
    the length of the thread."""
    messages = conversation.messages.order_by("-created_at", "-pk")
    if before is not None:
        anchor = conversation.messages.filter(pk=before).values_list("created_at", flat=True)
        if anchor:
            (created_at,) = anchor
            messages = messages.filter(
                Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=before)
            )
        else:
            before = None
    rows = list(messages[: size + 1])
    earlier = rows[size - 1].pk if len(rows) > size else None
    rows = rows[:size]
    rows.reverse()
    return ThreadPage(rows, earlier, before is None)


def pending_applications() -> QuerySet[Membership]:
    """The review queue: verified applicants waiting for a decision, oldest first."""
    return (
        Membership.objects.filter(status=Membership.Status.PENDING)
        .select_related("user__profile")
        .order_by("submitted_at", "pk")
    )


def requests_sent_since(*, sender: User, since: datetime) -> int:
    """How many connection requests `sender` made since then, whatever became of them."""
    return ConnectionRequest.objects.filter(sender=sender, created_at__gte=since).count()


def pair_request_emailed_since(*, request: ConnectionRequest, since: datetime) -> bool:
    """Whether another request between the same two members, either way, was emailed since."""
    a, b = request.sender_id, request.recipient_id
    return (
        ConnectionRequest.objects.filter(
            Q(sender_id=a, recipient_id=b) | Q(sender_id=b, recipient_id=a),
            request_email_sent_at__gte=since,
        )
        .exclude(pk=request.pk)
        .exists()
    )


def last_declined_at(*, sender: User, recipient: User) -> datetime | None:
    return (
        ConnectionRequest.objects.filter(
            sender=sender, recipient=recipient, status=ConnectionRequest.Status.DECLINED
        )
        .order_by("-responded_at")
        .values_list("responded_at", flat=True)
        .first()
    )


def reapply_available_from(membership: Membership) -> datetime | None:
    """When a rejected applicant may apply again (`PORTAL_REAPPLY_AFTER_DAYS` after the
    rejection), or None if the membership is not rejected."""
    if membership.status != Membership.Status.REJECTED:
        return None
    decided = membership.decided_at or membership.submitted_at or membership.applied_at
    return decided + timedelta(days=settings.PORTAL_REAPPLY_AFTER_DAYS)


def account_self_erasure_blocker(user: User) -> str | None:
    """Why the member cannot erase their own account now, or None if they can:
    "suspended" while their membership is suspended, "under_review" while a report about them
    is open. Staff erase such accounts on request (`services.account_delete`)."""
    if Membership.objects.filter(user=user, status=Membership.Status.SUSPENDED).exists():
        return "suspended"
    if Report.objects.filter(reported=user, status=Report.Status.OPEN).exists():
        return "under_review"
    return None
