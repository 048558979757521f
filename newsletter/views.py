"""Public newsletter pages: sign-up, confirmation, unsubscribe, the archive; the member's page.

The sign-up form is on every public page (footer, home page), and those pages are meant to be
cached by a CDN, so the form carries no CSRF token (a token would make each page per-user).
The subscribe POST is protected differently:

- cross-site requests are refused: the `Origin` header must name this site (or a trusted
  origin), or, when there is no Origin, `Sec-Fetch-Site` must be `same-origin` or `none`;
- a honeypot field catches simple bots (they get the normal answer and nothing happens);
- rate limits per client IP and per address (in the cache: Redis in production);
- double opt-in: nothing is subscribed until the owner of the address clicks the link mailed
  to it, and the answer is the same whatever state the address was in (no enumeration).

The worst a forged sign-up can do is send one confirmation email, which is what the rate
limits bound. The unsubscribe endpoint is exempt from CSRF by design: RFC 8058 one-click
unsubscribe is a POST from the mail provider's servers, with no cookie or token, and it must
work; the signed token in the URL is what authorises it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from icmec import ratelimit
from icmec.caching.http import mark_public, public_cache
from icmec.clientip import client_ip
from icmec.http import request_is_same_origin
from icmec.pagination import page_of
from newsletter import rendering, selectors, tokens
from newsletter.forms import SubscribeForm
from newsletter.models import Issue, Subscriber
from newsletter.services import subscriptions


def _render_subscribe_page(request: HttpRequest, form: SubscribeForm, status: int = 200):
    return render(
        request,
        "newsletter/subscribe.html",
        {"form": form, "is_error": status != 200},
        status=status,
    )


@csrf_exempt  # see the module docstring: cacheable pages, Origin check instead of a token
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return mark_public(_render_subscribe_page(request, SubscribeForm()))
    if not request_is_same_origin(request):
        return render(request, "newsletter/cross_site.html", status=403)
    form = SubscribeForm(request.POST)
    if form.is_bot:
        return redirect("newsletter:check_inbox")
    ip = client_ip(request) or "unknown"
    if not ratelimit.hit("ip", ip, settings.NEWSLETTER_SUBSCRIBE_RATE_IP):
        form.is_valid()
        form.add_error(
            None, "Too many sign-up attempts from your network. Please try again in an hour."
        )
        return _render_subscribe_page(request, form, status=429)
    if not form.is_valid():
        return _render_subscribe_page(request, form, status=400)
    email = form.cleaned_data["email"]
    if ratelimit.hit("email", email, settings.NEWSLETTER_SUBSCRIBE_RATE_EMAIL):
        try:
            subscriptions.subscriber_subscribe(
                email=email, first_name=form.cleaned_data["first_name"], source=form.source
            )
        except ValidationError:
            form.add_error("email", "Enter a valid email address, like name@example.org.")
            return _render_subscribe_page(request, form, status=400)
    # Same answer whatever happened, so the form tells nobody who is subscribed.
    return redirect("newsletter:check_inbox")


@require_safe
@public_cache  # public for anonymous readers (icmec.caching.http decides)
def check_inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "newsletter/check_inbox.html")


def _token_error(request: HttpRequest, exc: tokens.InvalidToken, *, action: str) -> HttpResponse:
    expired = isinstance(exc, tokens.ExpiredToken)
    return render(
        request,
        "newsletter/link_problem.html",
        {"expired": expired, "action": action, "form": SubscribeForm()},
        status=410 if expired else 400,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (link scanners fetch links); POST confirms."""
    try:
        claim = tokens.read_confirmation_token(token)
    except tokens.InvalidToken as exc:
        return _token_error(request, exc, action="confirm")
    if request.method != "POST":
        subscriber = Subscriber.objects.filter(uuid=claim.subscriber_uuid).first()
        return render(
            request, "newsletter/confirm.html", {"token": token, "subscriber": subscriber}
        )
    try:
        subscriber = subscriptions.subscriber_confirm(token=token)
    except tokens.InvalidToken as exc:
        return _token_error(request, exc, action="confirm")
    return render(request, "newsletter/confirmed.html", {"subscriber": subscriber})


@csrf_exempt  # RFC 8058 one-click: a POST from a mail provider, no cookie, no token
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button and never unsubscribes; POST unsubscribes at once."""
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    try:
        claim = tokens.read_unsubscribe_token(token)
    except tokens.InvalidToken as exc:
        if one_click:
            return HttpResponse("Invalid unsubscribe link.", status=400, content_type="text/plain")
        return _token_error(request, exc, action="unsubscribe")
    subscriber = Subscriber.objects.filter(uuid=claim.subscriber_uuid).first()
    if subscriber is None:
        if one_click:
            # The address was erased: it is certainly not subscribed.
            return HttpResponse("Unsubscribed.", content_type="text/plain")
        return render(request, "newsletter/unsubscribed.html", {"subscriber": None})
    if request.method != "POST":
        return render(
            request, "newsletter/unsubscribe.html", {"subscriber": subscriber, "token": token}
        )
    subscriptions.subscriber_unsubscribe_by_token(
        token=token, method="one-click" if one_click else "link"
    )
    if one_click:
        return HttpResponse("Unsubscribed.", content_type="text/plain")
    return render(request, "newsletter/unsubscribed.html", {"subscriber": subscriber})


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """A member manages their own subscription (the address of their account)."""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "subscribe":
            subscriber = subscriptions.subscriber_subscribe_member(user=request.user)
            if subscriber.status == Subscriber.Status.CONFIRMED:
                messages.success(request, "You are subscribed to the newsletter.")
            else:
                messages.info(
                    request,
                    f"We have sent a confirmation link to {request.user.email}. "
                    "Open it to start receiving the newsletter.",
                )
        elif action == "unsubscribe":
            subscriptions.subscriber_unsubscribe_member(user=request.user)
            messages.success(request, "You are unsubscribed from the newsletter.")
        return redirect("newsletter:account")
    subscriber = selectors.subscriber_for_user(user=request.user)
    return render(
        request,
        "newsletter/account.html",
        {
            "subscriber": subscriber,
            "verified": subscriptions.member_has_verified_email(user=request.user),
        },
    )


@require_safe
@public_cache  # public for anonymous readers (icmec.caching.http decides)
def archive(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(selectors.archive_issues(), 12)
    page = page_of(paginator, request.GET.get("page"))
    return render(request, "newsletter/archive.html", {"issues": page, "paginator": paginator})


@require_safe
@public_cache  # public for anonymous readers (icmec.caching.http decides)
def archive_issue(request: HttpRequest, slug: str) -> HttpResponse:
    issue = (
        Issue.objects.filter(slug=slug, status__in=Issue.ARCHIVED_STATUSES)
        .defer("rendered_html", "rendered_text")
        .first()
    )
    if issue is None:
        raise Http404("No such issue")
    posts = selectors.posts_by_ids(issue.latest_post_ids)
    context = rendering.issue_context(issue, posts=posts, unsubscribe_url="")
    context["feed_url"] = reverse("newsletter:archive_feed")
    return render(request, "newsletter/archive_issue.html", context)
