"""The member portal's own settings (portal/): its emails, limits, page sizes, photos and the
safeguarding record. Its accounts are allauth's (`allauth.py`), its periodic tasks in beat's
schedule (`celery.py`), its photos' storage in `storage.py`."""

from icmec.settings.components.environment import env
from icmec.settings.components.mail import DEFAULT_FROM_EMAIL

# Sender of the portal's emails (account, vetting, connections, digests), and the mailbox staff
# read that replies go to (Reply-To); without one, emails point to the contact page instead.
PORTAL_FROM_EMAIL = env.str("PORTAL_FROM_EMAIL", default=DEFAULT_FROM_EMAIL)
PORTAL_REPLY_TO_EMAIL = env.str("PORTAL_REPLY_TO_EMAIL", default="")
# Where members write to have staff erase an account they cannot erase themselves.
PORTAL_PRIVACY_EMAIL = env.str("PORTAL_PRIVACY_EMAIL", default="privacy@example.org")

# Connection requests a member may send in 24 hours (withdrawn ones count), and the days
# during which a recipient is emailed about at most one request from the same member.
PORTAL_CONNECTION_REQUESTS_PER_DAY = env.int("PORTAL_CONNECTION_REQUESTS_PER_DAY", default=20)
PORTAL_REQUEST_EMAIL_INTERVAL_DAYS = env.int("PORTAL_REQUEST_EMAIL_INTERVAL_DAYS", default=30)
# New messages are emailed in one digest per member, at most this often (when still unread).
PORTAL_MESSAGE_DIGEST_MINUTES = env.int("PORTAL_MESSAGE_DIGEST_MINUTES", default=10)
# How long the invitation link emailed to a staff account made in Wagtail's admin works.
PORTAL_STAFF_INVITATION_DAYS = env.int("PORTAL_STAFF_INVITATION_DAYS", default=3)
# A rejected applicant may apply again this many days after the rejection.
PORTAL_REAPPLY_AFTER_DAYS = env.int("PORTAL_REAPPLY_AFTER_DAYS", default=90)

PORTAL_DIRECTORY_PAGE_SIZE = 20
# Connections and conversations, a page at a time.
PORTAL_LIST_PAGE_SIZE = 25
# A thread shows its latest messages, and the ones before them a page at a time.
PORTAL_THREAD_PAGE_SIZE = 50

PORTAL_PHOTO_MAX_BYTES = 5 * 1024 * 1024
# Seconds a member's browser may keep a profile photo (never a shared cache: `private`).
PORTAL_PHOTO_MAX_AGE = env.int("PORTAL_PHOTO_MAX_AGE", default=86400)

# The safeguarding record (portal.safeguarding): keyed hashes of the normalised email addresses
# of people rejected, suspended or reported, kept this long even after they erase their account.
# The key is PORTAL_SAFEGUARDING_KEY, else one derived from SECRET_KEY; old keys stay usable for
# matching in PORTAL_SAFEGUARDING_KEY_FALLBACKS (else SECRET_KEY_FALLBACKS).
PORTAL_SAFEGUARDING_KEY = env.str("PORTAL_SAFEGUARDING_KEY", default="")
PORTAL_SAFEGUARDING_KEY_FALLBACKS = env.list("PORTAL_SAFEGUARDING_KEY_FALLBACKS", default=[])
PORTAL_SAFEGUARDING_RETENTION_DAYS = env.int("PORTAL_SAFEGUARDING_RETENTION_DAYS", default=2557)
