"""Writes of the member portal. Views, forms, admin views and tasks call these.

Every function is keyword-only, validates what it is given, writes in one transaction and
enqueues its emails through the outbox (`outbox.services.enqueue`: written in the same
transaction, handed to Celery after the commit; tasks take ids). Services import the tasks they
queue by name, at the top of their module; the tasks import the services inside the function.

One module per part of the portal; every public name is re-exported here, so that
`from portal import services` and `services.membership_decide(...)` work as they always did.
"""

from portal.services.account_data import ErasureRefused, account_delete, account_export
from portal.services.connections import (
    DECLINE_COOLDOWN,
    connection_remove,
    connection_request_accept,
    connection_request_decline,
    connection_request_send,
    connection_request_withdraw,
)
from portal.services.membership import (
    APPLICATION_FIELDS,
    application_create,
    application_reapply,
    application_submit,
    membership_decide,
)
from portal.services.messaging import (
    conversation_mark_read,
    message_digest_recipients,
    message_send,
)
from portal.services.profiles import (
    PROFILE_FIELDS,
    notification_preferences_update,
    profile_listing_refresh,
    profile_photo_remove,
    profile_photo_set,
    profile_reindex,
    profile_update,
    profiles_listing_rebuild,
)
from portal.services.queueing import notifications_suppressed
from portal.services.safety import member_block, member_report, member_unblock, report_resolve
from portal.services.staff import (
    staff_email_verify,
    staff_invitation_accept,
    staff_invitation_send,
)

__all__ = [
    "APPLICATION_FIELDS",
    "DECLINE_COOLDOWN",
    "PROFILE_FIELDS",
    "ErasureRefused",
    "account_delete",
    "account_export",
    "application_create",
    "application_reapply",
    "application_submit",
    "connection_remove",
    "connection_request_accept",
    "connection_request_decline",
    "connection_request_send",
    "connection_request_withdraw",
    "conversation_mark_read",
    "member_block",
    "member_report",
    "member_unblock",
    "membership_decide",
    "message_digest_recipients",
    "message_send",
    "notification_preferences_update",
    "notifications_suppressed",
    "profile_listing_refresh",
    "profile_photo_remove",
    "profile_photo_set",
    "profile_reindex",
    "profile_update",
    "profiles_listing_rebuild",
    "report_resolve",
    "staff_email_verify",
    "staff_invitation_accept",
    "staff_invitation_send",
]
