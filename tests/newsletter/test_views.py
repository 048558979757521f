"""Public newsletter pages: sign-up (no enumeration, bad input, cross-site, honeypot, rate
limits), confirmation, unsubscribe (RFC 8058), the member's page, the archive and its feed."""

from __future__ import annotations

import re

import feedparser
import pytest
from django.core import mail
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsletter import tokens
from newsletter.models import Delivery, Issue, Subscriber
from tests.factories.newsletter import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

URL = "/newsletter/"
SAME_ORIGIN = {"HTTP_ORIGIN": "http://testserver"}


@pytest.fixture
def subscribe(django_capture_on_commit_callbacks):
    """POST the sign-up form, then run what was enqueued on commit (eagerly, as in tests)."""

    def post(client, **data):
        payload = {"email": "ann@example.org", "consent": "on", "form_id": "footer"}
        meta = {key: data.pop(key) for key in list(data) if key.isupper()}
        payload.update(data)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(URL, payload, **SAME_ORIGIN, **meta)

    return post


def test_the_signup_include_needs_no_context_and_no_query():
    template = Template('{% include "newsletter/includes/signup_form.html" with form_id="home" %}')
    with CaptureQueriesContext(connection) as queries:
        html = template.render(Context({}))
    assert len(queries) == 0
    assert 'id="home-newsletter-email"' in html
    assert 'name="form_id" value="home"' in html
    assert "csrfmiddlewaretoken" not in html
    assert 'href="/privacy/"' in html
    assert 'class="honeypot" aria-hidden="true"' in html


def test_the_subscribe_page_is_cacheable_and_has_no_csrf_token(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert "public" in response["Cache-Control"]
    assert "csrftoken" not in response.cookies
    assert html.count('<form class="signup-form') == 1  # the page's form (the footer has none)
    assert 'id="page-newsletter-email"' in html
    assert 'id="footer-newsletter-email"' not in html


@pytest.mark.parametrize("state", ["new", "pending", "confirmed", "unsubscribed", "suppressed"])
def test_the_answer_is_the_same_whatever_the_address_state(client, state, subscribe):
    if state != "new":
        SubscriberFactory(email="ann@example.org", status=state)

    response = subscribe(client)

    assert response.status_code == 302
    assert response["Location"] == "/newsletter/check-your-inbox/"
    page = client.get(response["Location"])
    assert "Check your inbox" in page.content.decode()
    assert "public" in page["Cache-Control"]
    subscriber = Subscriber.objects.get(email="ann@example.org")
    expected = "confirmed" if state == "confirmed" else "pending"
    assert subscriber.status == expected
    assert len(mail.outbox) == 1  # a confirmation link, or "already subscribed"


def test_bad_input_rerenders_the_form_with_errors_and_keeps_values(client, subscribe):
    response = subscribe(client, email="ann@", first_name="Ann", consent="")

    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="ann@"' in html
    assert 'value="Ann"' in html
    assert 'aria-invalid="true" aria-describedby="page-newsletter-email-error"' in html
    assert 'id="page-newsletter-email-error"' in html
    assert "Enter a valid email address" in html
    assert 'id="page-newsletter-consent-error"' in html
    assert "Tick this box" in html
    assert "<title>Error: Newsletter" in html
    # The footer's copy of the form stays clean.
    assert 'aria-describedby="footer-newsletter-email-error"' not in html
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
    ],
)
def test_cross_site_posts_are_refused(client, headers):
    response = client.post(
        URL, {"email": "ann@example.org", "consent": "on", "form_id": "footer"}, **headers
    )
    assert response.status_code == 403
    assert "did not come from our website" in response.content.decode()
    assert not Subscriber.objects.exists()
    assert not mail.outbox


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_SEC_FETCH_SITE": "same-origin"}, {"HTTP_SEC_FETCH_SITE": "none"}, {}],
)
def test_same_site_posts_without_origin_are_accepted(client, headers):
    response = client.post(
        URL, {"email": "ann@example.org", "consent": "on", "form_id": "page"}, **headers
    )
    assert response.status_code == 302
    assert Subscriber.objects.get().source == "page"


def test_the_honeypot_catches_bots_silently(client, subscribe):
    response = subscribe(client, website="http://spam.example")
    assert response["Location"] == "/newsletter/check-your-inbox/"
    assert not Subscriber.objects.exists()
    assert not mail.outbox


def test_rate_limit_per_ip(client, settings, subscribe):
    settings.NEWSLETTER_SUBSCRIBE_RATE_IP = "3/3600"
    for n in range(3):
        assert subscribe(client, email=f"p{n}@example.org").status_code == 302
    response = subscribe(client, email="p4@example.org", first_name="Pat")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many sign-up attempts" in html
    assert 'value="p4@example.org"' in html
    assert not Subscriber.objects.filter(email="p4@example.org").exists()


def test_behind_a_trusted_proxy_each_reader_has_their_own_allowance(client, settings, subscribe):
    settings.NEWSLETTER_SUBSCRIBE_RATE_IP = "2/3600"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    def through_proxy(reader_ip, n, forwarded_prefix=""):
        return subscribe(
            client,
            email=f"r{n}@example.org",
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_FORWARDED_FOR=f"{forwarded_prefix}{reader_ip}",
        )

    assert [through_proxy("203.0.113.1", n).status_code for n in range(3)] == [302, 302, 429]
    # Another reader behind the same proxy is not held back by the first.
    assert through_proxy("203.0.113.2", 10).status_code == 302
    # Writing one's own X-Forwarded-For changes nothing: the proxy appends the real address.
    assert through_proxy("203.0.113.1", 11, forwarded_prefix="198.51.100.77, ").status_code == 429


def test_a_client_that_is_not_a_proxy_cannot_choose_its_address(client, settings, subscribe):
    settings.NEWSLETTER_SUBSCRIBE_RATE_IP = "2/3600"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    statuses = [
        subscribe(
            client,
            email=f"s{n}@example.org",
            REMOTE_ADDR="198.51.100.9",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_rate_limit_per_address_gives_the_same_answer_without_more_mail(
    client, settings, subscribe
):
    settings.NEWSLETTER_SUBSCRIBE_RATE_EMAIL = "2/3600"
    responses = [subscribe(client, email="Ann@example.org ") for _ in range(4)]
    assert {r["Location"] for r in responses} == {"/newsletter/check-your-inbox/"}
    assert len(mail.outbox) == 2


def confirmation_path() -> str:
    match = re.search(r"http://testserver(/newsletter/confirm/[^/\s]+/)", mail.outbox[-1].body)
    return match.group(1)


def test_the_confirmation_link_shows_a_button_and_post_confirms(client, subscribe):
    subscribe(client, form_id="home")
    path = confirmation_path()

    page = client.get(path)
    assert page.status_code == 200
    assert "Confirm my subscription" in page.content.decode()
    assert Subscriber.objects.get().status == "pending"  # link scanners change nothing

    done = client.post(path)
    assert done.status_code == 200
    assert "You are subscribed" in done.content.decode()
    subscriber = Subscriber.objects.get()
    assert (subscriber.status, subscriber.confirmed_source) == ("confirmed", "home")


def test_broken_and_expired_confirmation_links_explain_themselves(client, monkeypatch):
    response = client.get("/newsletter/confirm/garbage/")
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()

    subscriber = SubscriberFactory(status="pending")
    token = tokens.confirmation_token(subscriber_uuid=subscriber.uuid, version=0, source="page")

    def expired(*args, **kwargs):
        raise tokens.ExpiredToken("old")

    monkeypatch.setattr(tokens, "read_confirmation_token", expired)
    response = client.post(f"/newsletter/confirm/{token}/")
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert 'id="page-newsletter-email"' in response.content.decode()


def unsubscribe_path(subscriber, issue=None) -> str:
    token = tokens.unsubscribe_token(
        subscriber_uuid=subscriber.uuid, issue_id=issue.pk if issue else None
    )
    return f"/newsletter/unsubscribe/{token}/"


def test_get_on_the_unsubscribe_link_shows_a_button_and_changes_nothing(client):
    subscriber = SubscriberFactory(email="ann@example.org")
    response = client.get(unsubscribe_path(subscriber))
    html = response.content.decode()
    assert response.status_code == 200
    assert "ann@example.org" in html
    assert ">Unsubscribe</button>" in html
    assert "csrfmiddlewaretoken" not in html
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed"


def test_one_click_unsubscribe_needs_no_cookie_or_token(settings):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    subscriber = SubscriberFactory()
    issue = IssueFactory()
    queued = Delivery.objects.create(issue=issue, subscriber=subscriber, email=subscriber.email)

    response = client.post(
        unsubscribe_path(subscriber, issue),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    subscriber.refresh_from_db()
    queued.refresh_from_db()
    assert subscriber.status == "unsubscribed"
    assert queued.status == "skipped"
    assert subscriber.events.get(kind="unsubscribed").source == "one-click"
    # Again: still 200, nothing changes.
    again = client.post(
        unsubscribe_path(subscriber, issue),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert again.status_code == 200


def test_the_unsubscribe_button_works_without_javascript(client):
    subscriber = SubscriberFactory(email="ann@example.org")
    response = client.post(unsubscribe_path(subscriber))
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"


def test_forged_unsubscribe_links_are_refused(client):
    subscriber = SubscriberFactory()
    response = client.post(
        f"/newsletter/unsubscribe/{subscriber.uuid.hex}.:AAAA/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed"


def make_member(verified=True):
    from allauth.account.models import EmailAddress

    from portal.models import User

    user = User.objects.create_user(email="mia@example.org", password="x" * 16, first_name="Mia")
    EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
    return user


def test_members_manage_their_subscription(client):
    user = make_member()
    client.force_login(user)

    page = client.get("/newsletter/account/")
    assert "Not subscribed." in page.content.decode()

    client.post("/newsletter/account/", {"action": "subscribe"})
    assert Subscriber.objects.get(email="mia@example.org").status == "confirmed"
    page = client.get("/newsletter/account/")
    assert "Subscribed." in page.content.decode()

    client.post("/newsletter/account/", {"action": "unsubscribe"})
    assert Subscriber.objects.get(email="mia@example.org").status == "unsubscribed"


def test_the_account_page_needs_a_login(client):
    response = client.get("/newsletter/account/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_account_panel_shows_the_state_in_one_query(django_assert_num_queries):
    user = make_member()
    SubscriberFactory(email="mia@example.org", status="pending")
    template = Template('{% include "newsletter/includes/account_panel.html" %}')
    with django_assert_num_queries(1):
        html = template.render(Context({"user": user}))
    assert "Waiting for confirmation." in html
    assert 'href="/newsletter/account/"' in html


def sent_issue(n: int) -> Issue:
    issue = IssueFactory(subject=f"Issue {n}", preheader=f"Teaser {n}")
    Issue.objects.filter(pk=issue.pk).update(
        status=Issue.Status.SENT,
        slug=f"issue-{n}",
        sending_started_at=timezone.now() - timezone.timedelta(days=n),
        sent_at=timezone.now(),
    )
    return issue


def test_the_archive_lists_sent_issues_only_with_constant_queries(client):
    sent_issue(1)
    IssueFactory(subject="A draft")
    client.get("/newsletter/archive/")  # warms the site's navigation and footer caches
    with CaptureQueriesContext(connection) as small:
        response = client.get("/newsletter/archive/")
    html = response.content.decode()
    assert "Issue 1" in html
    assert "A draft" not in html
    for n in range(2, 15):
        sent_issue(n)
    with CaptureQueriesContext(connection) as large:
        client.get("/newsletter/archive/")
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_an_archived_issue_shows_its_content(client):
    sent_issue(1)
    response = client.get("/newsletter/archive/issue-1/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Issue 1</h1>" in html
    assert "In this issue" in html
    assert "%%unsubscribe_url%%" not in html
    assert client.get("/newsletter/archive/not-there/").status_code == 404
    draft = IssueFactory()
    Issue.objects.filter(pk=draft.pk).update(slug="draft-slug")
    assert client.get("/newsletter/archive/draft-slug/").status_code == 404


def test_the_archive_feed(client):
    sent_issue(1)
    sent_issue(2)
    feed = feedparser.parse(client.get("/newsletter/archive/feed/").content)
    assert [entry.title for entry in feed.entries] == ["Issue 1", "Issue 2"]
    assert feed.entries[0].link == "http://testserver/newsletter/archive/issue-1/"
    atom = feedparser.parse(client.get("/newsletter/archive/feed/atom/").content)
    assert atom.version == "atom10"
    assert len(atom.entries) == 2
