"""Factories for accounts, applicants and members of the portal."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from portal import selectors
from portal.models import MemberProfile, Membership, Sector, User

PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberProfile

    user = factory.SubFactory(UserFactory)
    organisation = factory.Faker("company")
    job_title = factory.Faker("job")
    sector = Sector.LAW_ENFORCEMENT
    country = "AU"


def members_group() -> Group:
    return Group.objects.get_or_create(name=selectors.MEMBERS_GROUP)[0]


def _apply(user: User, status: str) -> None:
    from portal import services

    services.application_create(
        user=user,
        organisation="Example Bank",
        job_title="Analyst",
        sector=Sector.FINANCIAL_SERVICES,
        country="AU",
        reason="I investigate payments linked to child exploitation.",
    )
    Membership.objects.filter(user=user).update(
        status=status,
        submitted_at=timezone.now() if status != Membership.Status.UNVERIFIED else None,
    )


class ApplicantFactory(UserFactory):
    """An account that applied through sign-up: profile, membership, verified email.

    `status` is the membership's (pending unless given: unverified, rejected, approved...).
    """

    @factory.post_generation
    def status(self, create, extracted, **kwargs):
        if create:
            _apply(self, extracted or Membership.Status.PENDING)


PROFILE_FIELDS = ("bio", "expertise", "organisation", "sector", "country")


class MemberFactory(ApplicantFactory):
    """An approved member with a profile, in the Members group: what `member` means everywhere.

    Besides the user's fields it takes the profile's: `bio`, `expertise`, `organisation`,
    `sector`, `country`. `MemberFactory.create_in_bulk(n)` writes many at once.
    """

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        profile = {name: kwargs.pop(name) for name in PROFILE_FIELDS if name in kwargs}
        user = super()._create(model_class, *args, **kwargs)
        user._profile_fields = profile
        return user

    @classmethod
    def create(cls, **kwargs) -> User:
        # Read back, so that the profile and membership written by services are fresh.
        return User.objects.get(pk=super().create(**kwargs).pk)

    @factory.post_generation
    def status(self, create, extracted, **kwargs):
        if not create:
            return
        from portal import services

        fields = self.__dict__.pop("_profile_fields", {})
        _apply(self, Membership.Status.APPROVED)
        self.groups.add(members_group())
        services.profile_update(
            profile=self.profile,
            first_name=self.first_name,
            last_name=self.last_name,
            expertise=fields.get("expertise") or [],
            bio=fields.get("bio", ""),
            organisation=fields.get("organisation") or f"{self.last_name} Agency",
            sector=fields.get("sector", Sector.LAW_ENFORCEMENT),
            country=fields.get("country", "AU"),
        )

    @classmethod
    def create_in_bulk(cls, count: int, *, prefix: str = "bulk") -> list[User]:
        return _many_members(count, prefix=prefix)


def _many_members(count: int, *, prefix: str = "bulk") -> list[User]:
    """`count` approved members, written in a few bulk queries (for query-count tests)."""
    from django.contrib.postgres.search import SearchVector
    from django.db.models import Value

    from portal import services

    group = members_group()
    now = timezone.now()
    users = User.objects.bulk_create(
        [
            User(
                email=f"{prefix}{i}@example.org",
                first_name=f"Given{i}",
                last_name=f"Family{i}",
                password="!",
            )
            for i in range(count)
        ]
    )
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group_id=group.pk) for user in users]
    )
    Membership.objects.bulk_create(
        [
            Membership(
                user=user,
                status=Membership.Status.APPROVED,
                reason="bulk",
                terms_accepted_at=now,
                submitted_at=now,
            )
            for user in users
        ]
    )
    sectors = Sector.values
    MemberProfile.objects.bulk_create(
        [
            MemberProfile(
                user=user,
                organisation=f"Organisation {i % 37}",
                job_title="Investigator",
                sector=sectors[i % len(sectors)],
                country=["AU", "NZ", "GB", "SG"][i % 4],
                bio="Works on financial intelligence and online investigations.",
            )
            for i, user in enumerate(users)
        ]
    )
    MemberProfile.objects.filter(user__in=users).update(
        search_vector=SearchVector(Value("financial intelligence investigations"), config="simple")
    )
    services.profiles_listing_rebuild(user_ids=[user.pk for user in users])
    return users
