"""The counts in the header of every member page: requests waiting and messages unread."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from portal.models import User


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


# The name the header's counts are kept under on a request (`icmec.caching.memo.kept_on`): the
# portal's home reads them for its own panel and the header shows the same, read once.
NAV_COUNTS_KEPT_AS = "portal_nav_counts"


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
