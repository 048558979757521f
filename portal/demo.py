"""Demo content of the member portal: members, an applicant, a connection, a conversation and the
members-only "Member resources" page. Idempotent: running it again changes nothing."""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from portal import selectors, services
from portal.models import (
    Connection,
    Conversation,
    MemberProfile,
    Membership,
    MembershipDecision,
    Message,
    User,
)

DEMO_PASSWORD = "demo-member-portal-2026"  # noqa: S105 (demo accounts only, printed on load)

MEMBERS = [
    {
        "email": "amelia.chen@example.org",
        "first_name": "Amelia",
        "last_name": "Chen",
        "organisation": "Harbour Bank",
        "job_title": "Head of Financial Intelligence",
        "sector": "financial_services",
        "country": "AU",
        "bio": "I lead a team that detects payments linked to child sexual exploitation and "
        "reports them to AUSTRAC. Interested in typologies, cross-bank data sharing and "
        "working with law enforcement on live cases.",
        "expertise": ["Financial intelligence", "Transaction monitoring", "AML/CTF"],
    },
    {
        "email": "tom.walker@example.org",
        "first_name": "Tom",
        "last_name": "Walker",
        "organisation": "Queensland Police Service",
        "job_title": "Detective Senior Sergeant",
        "sector": "law_enforcement",
        "country": "AU",
        "bio": "Online child exploitation investigations. Happy to talk with financial "
        "institutions about how their reports help our investigations.",
        "expertise": ["Online investigations", "Victim identification", "OSINT"],
    },
    {
        "email": "priya.nair@example.org",
        "first_name": "Priya",
        "last_name": "Nair",
        "organisation": "eSafety Partners",
        "job_title": "Policy Adviser",
        "sector": "regulator",
        "country": "NZ",
        "bio": "Regulatory policy on online safety and platform transparency reporting.",
        "expertise": ["Online safety regulation", "Policy"],
    },
    {
        "email": "lucas.martin@example.org",
        "first_name": "Lucas",
        "last_name": "Martin",
        "organisation": "SafeChild Alliance",
        "job_title": "Programme Director",
        "sector": "ngo",
        "country": "GB",
        "bio": "We run survivor support and prevention programmes, and research how offenders "
        "use payment platforms.",
        "expertise": ["Victim support", "Prevention", "Research"],
    },
    {
        "email": "sofia.reyes@example.org",
        "first_name": "Sofia",
        "last_name": "Reyes",
        "organisation": "Clearview Data Labs",
        "job_title": "Data Scientist",
        "sector": "technology",
        "country": "SG",
        "bio": "Machine learning for detecting risky transaction patterns while protecting "
        "customer privacy.",
        "expertise": ["Machine learning", "Privacy-enhancing technology", "Transaction monitoring"],
    },
    {
        "email": "james.okafor@example.org",
        "first_name": "James",
        "last_name": "Okafor",
        "organisation": "University of Melbourne",
        "job_title": "Senior Research Fellow",
        "sector": "academia",
        "country": "AU",
        "bio": "Criminology research on the economics of online child sexual exploitation.",
        "expertise": ["Research", "Criminology"],
    },
]

APPLICANT = {
    "email": "new.applicant@example.org",
    "first_name": "Noah",
    "last_name": "Fischer",
    "organisation": "Kestrel Payments",
    "job_title": "Compliance Analyst",
    "sector": "financial_services",
    "country": "DE",
    "reason": "Our team is building detection rules for payments linked to exploitation and "
    "would like to learn from peers in Australia.",
}

REVIEWER_EMAIL = "reviewer@example.org"


def _account(email: str, first_name: str, last_name: str, **extra) -> tuple[User, bool]:
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(
        email=email, password=DEMO_PASSWORD, first_name=first_name, last_name=last_name, **extra
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user, True


# The permissions migration 0004 gives the "Member reviewers" group.
REVIEWER_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("portal", "review_membership"),
    ("portal", "handle_report"),
    ("portal", "change_memberprofile"),
]


def ensure_reviewers_group() -> Group:
    """The "Member reviewers" group with its permissions (a flushed test database loses the
    data migration's rows)."""
    group, _ = Group.objects.get_or_create(name=selectors.REVIEWERS_GROUP)
    if group.permissions.count() < len(REVIEWER_PERMISSIONS):
        for app_label, codename in REVIEWER_PERMISSIONS:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    return group


def _reviewer(stdout, style) -> User:
    user, _ = _account(REVIEWER_EMAIL, "Rhea", "Reviewer", is_staff=True)
    user.groups.add(ensure_reviewers_group())
    return User.objects.get(pk=user.pk)  # fresh permission caches


def _member(data: dict, reviewer: User) -> User:
    user, created = _account(data["email"], data["first_name"], data["last_name"])
    if not created:
        return user
    answers = {**data, "reason": "Demo member."}
    services.application_create(
        user=user, **{name: answers[name] for name in services.APPLICATION_FIELDS}
    )
    services.application_submit(user=user)
    membership = Membership.objects.get(user=user)
    services.membership_decide(
        membership_id=membership.pk,
        action=MembershipDecision.Action.APPROVE,
        decided_by=reviewer,
        note="Demo member, approved when the demo content was loaded.",
    )
    profile = MemberProfile.objects.get(user=user)
    services.profile_update(
        profile=profile,
        first_name=data["first_name"],
        last_name=data["last_name"],
        expertise=data["expertise"],
        bio=data["bio"],
        contact_visibility=MemberProfile.ContactVisibility.MEMBERS,
    )
    return user


def _conversation(first: User, second: User) -> None:
    if Connection.objects.filter(user=first, peer=second).exists():
        return
    request = services.connection_request_send(
        sender=first,
        recipient=second,
        note="Hello Tom, I would like to compare notes on how our reports reach your team.",
    )
    services.connection_request_accept(user=second, request_id=request.pk)
    low, high = sorted([first.pk, second.pk])
    if Conversation.objects.filter(user_low_id=low, user_high_id=high).exists():
        return
    services.message_send(
        sender=first,
        recipient=second,
        body="Thanks for connecting. Could we talk next week about the new payment typologies?",
    )
    reply = services.message_send(
        sender=second,
        recipient=first,
        body="Gladly. Tuesday afternoon works for me; I will bring our analyst.",
    )
    # Mark the demo thread as read and already emailed so no digest goes out for it.
    Message.objects.filter(conversation=reply.conversation).update(
        read_at=timezone.now(), email_sent_at=timezone.now()
    )


def _resources_page(stdout, style) -> None:
    from blog.models import HomePage, StandardPage

    if StandardPage.objects.filter(slug="member-resources").exists():
        return
    home = HomePage.objects.first()
    if home is None:
        stdout.write(style.WARNING("No home page yet: skipped the Member resources page."))
        return
    page = StandardPage(
        title="Member resources",
        slug="member-resources",
        show_in_menus=False,
        introduction="Guides, typologies and contacts shared with vetted members of the portal.",
        body=[
            ("heading", {"text": "Red-flag indicators", "level": "h2"}),
            (
                "paragraph",
                "<p>Our latest financial indicators of child sexual exploitation, prepared with "
                "partner banks and law enforcement. Share them only within your organisation's "
                "financial-crime team.</p>",
            ),
            ("heading", {"text": "Reporting", "level": "h2"}),
            (
                "paragraph",
                "<p>How to lodge a suspicious matter report that investigators can act on "
                "quickly: what to include, and what to avoid.</p>",
            ),
            ("heading", {"text": "Contacts", "level": "h2"}),
            (
                "paragraph",
                "<p>Message the portal team from your dashboard to reach the right partner "
                "agency.</p>",
            ),
        ],
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    members = Group.objects.get_or_create(name=selectors.MEMBERS_GROUP)[0]
    restriction = PageViewRestriction.objects.create(
        page=Page.objects.get(pk=page.pk), restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(members)
    stdout.write("Created the Member resources page (members only) at /member-resources/.")


def load(*, stdout, style) -> None:
    # The demo's people are made up: nobody is emailed about their applications, decisions,
    # requests or messages.
    with services.notifications_suppressed():
        _load(stdout=stdout, style=style)


def _load(*, stdout, style) -> None:
    reviewer = _reviewer(stdout, style)
    created_any = not User.objects.filter(email=MEMBERS[0]["email"]).exists()
    users = [_member(data, reviewer) for data in MEMBERS]
    _conversation(users[0], users[1])
    applicant, created = _account(
        APPLICANT["email"], APPLICANT["first_name"], APPLICANT["last_name"]
    )
    if created:
        services.application_create(
            user=applicant,
            **{
                k: APPLICANT[k]
                for k in ("organisation", "job_title", "sector", "country", "reason")
            },
        )
        services.application_submit(user=applicant)
        Membership.objects.filter(user=applicant).update(
            submitted_at=timezone.now() - timedelta(days=1)
        )
    _resources_page(stdout, style)
    if created_any:
        stdout.write(
            style.SUCCESS(
                f"Demo members (password for all: {DEMO_PASSWORD}): "
                + ", ".join(data["email"] for data in MEMBERS)
                + f". Pending applicant: {APPLICANT['email']}. Member reviewer (staff, sets up "
                f"two-factor authentication on first admin visit): {REVIEWER_EMAIL}."
            )
        )
