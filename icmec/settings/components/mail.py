"""Email: the console by default; SMTP through `EMAIL_URL`; or an email API through
django-anymail (`ANYMAIL_ESP`), whose webhooks report bounces and complaints either way."""

from icmec.settings.components.environment import env

DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ICMEC Australia <news@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    # EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER... as the URL says.
    vars().update(env.email_url("EMAIL_URL"))
ANYMAIL_ESP = env.str("ANYMAIL_ESP", default="")
if ANYMAIL_ESP:
    # e.g. ANYMAIL_ESP=postmark with ANYMAIL_POSTMARK_SERVER_TOKEN,
    # or ANYMAIL_ESP=mailgun with ANYMAIL_MAILGUN_API_KEY.
    EMAIL_BACKEND = f"anymail.backends.{ANYMAIL_ESP}.EmailBackend"
# Anymail's settings (ANYMAIL_WEBHOOK_SECRET, signing keys...) are read whatever sends the mail:
# the tracking and inbound webhooks also serve SMTP delivery through a relay that posts events
# (bounces, complaints) and an inbound route for bounce messages.
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in env.ENVIRON.items()
    if key.startswith("ANYMAIL_") and key != "ANYMAIL_ESP"
}
