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


def reviewers_group() -> Group:
    from portal.demo import ensure_reviewers_group

    return ensure_reviewers_group()


def make_applicant(*, status: str = Membership.Status.PENDING, **user_fields) -> User:
    """An account that applied through sign-up: profile, membership, verified email."""
    from portal import services

    user = UserFactory(**user_fields)
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
    return user


def make_member(
    *,
    bio: str = "",
    expertise: list[str] | None = None,
    organisation: str | None = None,
    sector: str = Sector.LAW_ENFORCEMENT,
    country: str = "AU",
    **user_fields,
) -> User:
    """An approved member with a profile, in the Members group."""
    from portal import services

    user = make_applicant(status=Membership.Status.APPROVED, **user_fields)
    user.groups.add(members_group())
    profile = user.profile
    services.profile_update(
        profile=profile,
        first_name=user.first_name,
        last_name=user.last_name,
        expertise=expertise or [],
        bio=bio,
        organisation=organisation or f"{user.last_name} Agency",
        sector=sector,
        country=country,
    )
    return User.objects.get(pk=user.pk)


def make_reviewer(**user_fields) -> User:
    user = UserFactory(is_staff=True, **user_fields)
    user.groups.add(reviewers_group())
    return User.objects.get(pk=user.pk)


def make_many_members(count: int, *, prefix: str = "bulk") -> list[User]:
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
