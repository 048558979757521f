"""Staff accounts and how test users log in: staff need TOTP before Wagtail's admin opens.

`StaffFactory` is the one way to make a staff user; `login_staff` the one way to sign one in on
the test client (browser journeys type the password and the code into the real forms instead).
"""

from __future__ import annotations

import time

import factory
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth.models import Group, Permission

from tests.factories.portal import PASSWORD, UserFactory

NEWSLETTER_EDITOR_PERMISSIONS = [
    "add_issue",
    "change_issue",
    "delete_issue",
    "send_issue",
    "add_subscriber",
    "change_subscriber",
    "view_subscriber",
    "delete_subscriber",
]


def totp_activate(user) -> str:
    """Give `user` an authenticator app; return its secret (for `totp_code`)."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now.

    allauth accepts the codes of the neighbouring periods too; the current one (the middle of
    that window) stays valid longest, so a login that straddles a period boundary still passes.
    """
    # With no tolerance (allauth's default), a code typed in the last moments of its period is
    # refused once the period has turned: wait for the next one rather than fail on a busy machine.
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 5:
        time.sleep(left + 0.1)
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def newsletter_editors_group() -> Group:
    """A group that enters the admin, edits and sends issues and manages subscribers (no data
    migration makes one: the project gives these rights to whichever group it likes)."""
    group, _ = Group.objects.get_or_create(name="Newsletter editors")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="newsletter", codename__in=NEWSLETTER_EDITOR_PERMISSIONS
        ),
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
    )
    return group


def _migrated_group(name: str):
    return lambda: Group.objects.get(name=name)


def _reviewers_group() -> Group:
    from portal.demo import ensure_reviewers_group

    return ensure_reviewers_group()


def _joins(group_of):
    """A post-generation step that adds the staff user to a group (one per trait, so that
    traits combine: an editor who also sends the newsletter)."""

    def join(user, create, extracted, **kwargs):
        if create:
            user.groups.add(group_of())

    return factory.PostGeneration(join)


class StaffFactory(UserFactory):
    """A staff user (`is_staff`) with a verified email and the suite's one password.

    Traits say what they do: `editor` and `moderator` (the data migration's Editors and
    Moderators), `reviewer` (Member reviewers: vet applications and reports),
    `newsletter_editor` (send issues, manage subscribers), `superuser`. `mfa=True` enrols an
    authenticator app and keeps its secret on `user.totp_secret`; without it the account has no
    second factor yet (what onboarding tests start from; `login_staff` enrols one if needed).
    """

    is_staff = True

    class Params:
        superuser = factory.Trait(is_superuser=True)
        editor = factory.Trait(editors_group=_joins(_migrated_group("Editors")))
        moderator = factory.Trait(moderators_group=_joins(_migrated_group("Moderators")))
        reviewer = factory.Trait(reviewers_group=_joins(_reviewers_group))
        newsletter_editor = factory.Trait(newsletter_editors_group=_joins(newsletter_editors_group))

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        self.raw_password = PASSWORD
        if create and extracted:
            self.totp_secret = totp_activate(self)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        super()._after_postgeneration(instance, create, results)
        if create:
            # Groups were added after the user was built: drop any permission cache.
            for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
                instance.__dict__.pop(cache, None)


def login_staff(client, user) -> None:
    """Sign `user` in on the test client as if they had entered their password and a TOTP code.

    `force_login` records no way of authenticating, and Wagtail's admin opens only for a session
    that passed a second factor (portal.middleware), so this writes the record allauth's login
    flow keeps after a code was accepted. Staff without an authenticator get one first.
    """
    import time

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from allauth.mfa.models import Authenticator

    authenticator = (
        Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        or TOTP.activate(user, generate_totp_secret()).instance
    )
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "id": authenticator.pk, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def log_in(client, user) -> None:
    """Sign `user` in on the test client: members as they are, staff with the second factor."""
    if user.is_staff:
        login_staff(client, user)
    else:
        client.force_login(user)
