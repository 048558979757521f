"""Views of the member portal. Thin: they check who asks, validate forms, call services and
selectors, and render. Every object is looked up through the asker (404 for anyone else).

One module per part of the portal; `portal.urls` names each view through this package, which
re-exports them.
"""

from portal.views.account import account, account_delete, data_export, reapply
from portal.views.connections import (
    connect,
    connection_remove,
    connections,
    request_accept,
    request_decline,
    request_withdraw,
)
from portal.views.decorators import member_photo_required, member_required, participant_required
from portal.views.directory import directory
from portal.views.home import home
from portal.views.messages import conversation, conversations, message_member
from portal.views.profiles import member, photo, profile_edit
from portal.views.safety import block, blocked, report, unblock
from portal.views.staff_invitation import staff_invitation

__all__ = [
    "account",
    "account_delete",
    "block",
    "blocked",
    "connect",
    "connection_remove",
    "connections",
    "conversation",
    "conversations",
    "data_export",
    "directory",
    "home",
    "member",
    "member_photo_required",
    "member_required",
    "message_member",
    "participant_required",
    "photo",
    "profile_edit",
    "reapply",
    "report",
    "request_accept",
    "request_decline",
    "request_withdraw",
    "staff_invitation",
    "unblock",
]
