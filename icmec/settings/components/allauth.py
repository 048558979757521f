"""Accounts: Django's authentication and allauth (login by email, sign-up, verification, rate
limits, two-factor authentication, sessions), with the portal's adapter and forms."""

from icmec.settings.components.environment import SITE_URL

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"

ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "portal.forms.MemberSignupForm",
    "add_email": "portal.forms.MemberEmailChangeForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# A field bots fill in and people never see (hidden by the `honeypot` class, not an inline style).
ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD = "fax_number"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_CHANGE_EMAIL = True  # one address per account; changing it needs re-authentication
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_NOTIFICATIONS = True  # tell the owner when their password or email changes
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ICMEC Australia] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_SIGNUP_REDIRECT_URL = "portal:home"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/5m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    # Each change of address emails the address typed, whoever it belongs to.
    "portal_change_email": "3/h/user,10/d/user",
}

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "ICMEC Australia"
MFA_RECOVERY_CODE_COUNT = 10
# Recovery codes are shown once, right after the authenticator app is set up (then only new
# ones can be made), so they are not left on a screen or in a download for anyone to read.
MFA_RECOVERY_CODES_SHOW_ONCE = True
# allauth refuses, by default, to add an address to an account with two-factor authentication,
# lest someone sign up unverified and lock the owner out with MFA. Here nobody logs in before
# verifying (mandatory verification) and the old address stays until the new one is confirmed,
# so members with an authenticator can change their address too (after passing its code).
MFA_ALLOW_UNVERIFIED_EMAIL = True

# "Last seen" tracking writes to the database on every request a member makes (five statements);
# the sessions list keeps when and where each session started, which is what members need.
USERSESSIONS_TRACK_ACTIVITY = False
