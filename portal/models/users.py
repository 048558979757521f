"""The account model: staff, members and applicants alike, signing in with their email address."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class EmailUserManager(UserManager):
    """A user manager for accounts identified by email address alone."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        user = self._create_user(email, password, **extra_fields)
        # `createsuperuser` and the demo content: whoever typed the address can already do
        # anything here, and an unverified address would stop the first login at allauth's
        # (member's) "check your email" page.
        from portal import services

        services.staff_email_verify(user=user)
        return user

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractUser):
    """An account on the site: staff, members and applicants alike. Email is the login.

    The given and family names are Django's and Wagtail's `first_name` and `last_name`, so that
    Wagtail's own user and account screens work unchanged.
    """

    username = None
    email = models.EmailField(_("email address"), unique=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="portal_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def has_perm(self, perm, obj=None) -> bool:
        """Django's answer, read from `portal.access` (the account's permissions and groups in
        the one query each request makes anyway) instead of `ModelBackend`'s two queries: Wagtail
        asks on every page whether the visitor may open the admin. Superusers, inactive
        accounts and object permissions go through the authentication backends as usual."""
        if obj is None and self.is_active and not self.is_superuser:
            from portal.access import access_of

            return perm in access_of(self).permissions
        return super().has_perm(perm, obj)
