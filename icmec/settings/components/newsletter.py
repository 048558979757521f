"""The newsletter's own settings (newsletter/): senders, batches, retries, leases, sign-up rate
limits and bounces. Its periodic tasks are in beat's schedule (`celery.py`)."""

from icmec.settings.components.environment import env

# Sender of the newsletter (defaults to DEFAULT_FROM_EMAIL) and the address in the mailto: part
# of List-Unsubscribe (defaults to the sender's address).
NEWSLETTER_FROM_EMAIL = env.str("NEWSLETTER_FROM_EMAIL", default="")
NEWSLETTER_UNSUBSCRIBE_EMAIL = env.str("NEWSLETTER_UNSUBSCRIBE_EMAIL", default="")
# Messages per batch task (one SMTP connection each), and how many chains of batches an issue
# runs at once (each batch enqueues the next of its chain): at most the messages in flight,
# a batch per chain; set it to at least the workers' total concurrency.
NEWSLETTER_BATCH_SIZE = env.int("NEWSLETTER_BATCH_SIZE", default=250)
NEWSLETTER_CHAINS = env.int("NEWSLETTER_CHAINS", default=8)
# Temporary failures back off exponentially from the base, up to the maximum, and a recipient
# refused temporarily is retried for this long before it is recorded as failed
# (newsletter/retry.py).
NEWSLETTER_RETRY_BASE_SECONDS = env.float("NEWSLETTER_RETRY_BASE_SECONDS", default=30.0)
NEWSLETTER_RETRY_MAX_SECONDS = env.float("NEWSLETTER_RETRY_MAX_SECONDS", default=1800.0)
NEWSLETTER_RETRY_FOR_SECONDS = env.float("NEWSLETTER_RETRY_FOR_SECONDS", default=24 * 3600.0)
# A batch's lease on the rows it claimed: its worker renews it every third of this while it
# sends; the sweeper (every 15 s) gives the rows of an expired lease (a dead worker) to another
# batch, so they go out within a minute.
NEWSLETTER_LEASE_SECONDS = env.float("NEWSLETTER_LEASE_SECONDS", default=20.0)
# Sign-up rate limits: "count/seconds", per client IP and per email address.
NEWSLETTER_SUBSCRIBE_RATE_IP = env.str("NEWSLETTER_SUBSCRIBE_RATE_IP", default="20/3600")
NEWSLETTER_SUBSCRIBE_RATE_EMAIL = env.str("NEWSLETTER_SUBSCRIBE_RATE_EMAIL", default="3/3600")
# The envelope sender (Return-Path) of newsletter messages sent over SMTP: each delivery gets
# its own signed address, `bounces+<delivery>-<signature>@domain` (VERP), so that a bounce
# message mailed back names the delivery. Route that address's mail to the inbound webhook.
# Empty: the sender's address, and bounce messages are not read.
NEWSLETTER_BOUNCE_ADDRESS = env.str("NEWSLETTER_BOUNCE_ADDRESS", default="")
