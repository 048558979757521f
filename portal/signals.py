"""Signal receivers of the portal (connected in PortalConfig.ready)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from portal.allauth_internals import record_authentication
from portal.models import MemberProfile, User

# What decides whether a profile is listed (`MemberProfile.listed`) and where it comes in the
# directory (`sort_name`): an account saved with any of these fields changes them.
_LISTING_FIELDS = frozenset({"is_active", "first_name", "last_name"})


@receiver(authenticator_added)
def count_activation_as_second_factor(sender, request, user, authenticator, **kwargs):
    """Activating an authenticator app proves its code, so this session has passed MFA.

    Without this, staff who have just set up TOTP on their way to the admin would be asked for
    a second code at once (portal.middleware wants an "mfa" record in the session).
    """
    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)


@receiver(post_save, sender=User)
def relist_saved_account(sender, instance, created, update_fields=None, **kwargs):
    """An account's active flag or name changed, wherever (a service, the admin's user screens,
    a shell): its profile's listing follows in the same transaction, so a deactivated account is
    gone from the directory the moment it commits. Saves of other fields (the last login) skip."""
    if created or (update_fields is not None and not _LISTING_FIELDS & set(update_fields)):
        return
    from portal import services

    services.profiles_listing_rebuild(user_ids=[instance.pk])


@receiver(m2m_changed, sender=User.groups.through)
def relist_regrouped_accounts(sender, instance, action, reverse, pk_set, **kwargs):
    """Accounts added to or removed from a group (the Members group decides who is listed):
    `user.groups.add(...)` and `group.user_set.add(...)` alike."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    from portal import services

    if not reverse:
        user_ids = [instance.pk]
    elif pk_set is not None:
        user_ids = list(pk_set)
    else:  # `group.user_set.clear()`: whoever was listed may have been in it
        user_ids = list(MemberProfile.objects.filter(listed=True).values_list("user_id", flat=True))
    services.profile_listing_refresh(user_ids=user_ids)
