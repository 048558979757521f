"""Conversations and their threads: the list, a page of a thread, and whether the viewer can
still answer the other member."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from portal import access
from portal.models import Block, Connection, Conversation, MemberProfile, Message, User
from portal.selectors.safety import blockers_of


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
