"""Booking views: the public booking form, a member's one-click booking, the signed links of a
booking (its page, confirming, cancelling, its calendar file), a member's bookings and their
private calendar feed.

The public form sits on event pages that a CDN may cache for anonymous readers, so, like the
newsletter's sign-up, it carries no CSRF token: the POST must come from this site (Origin or
Sec-Fetch-Site), a honeypot catches simple bots, the client's IP is rate limited, and nothing is
booked until the owner of the address clicks the link mailed to it. A member's booking, from a
page rendered for them, is protected by Django's CSRF token as usual. Signed links show a page
on GET (link scanners fetch every link of an email) and act on POST.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from events import calendars, selectors, tokens
from events.forms import BookingForm
from events.models import Booking, EventPage
from events.services import bookings as booking_services
from events.services import feeds as feed_services
from events.services.emails import booking_links
from icmec import ratelimit
from icmec.caching.http import public_cache
from icmec.clientip import client_ip
from icmec.http import request_is_same_origin
from icmec.pagination import page_of
from portal.views.decorators import member_required

# Public booking attempts per client IP (count/seconds).
BOOKING_RATE_IP = "30/3600"
MY_BOOKINGS_PER_PAGE = 25


def _bookable_event(event_id: int, request: HttpRequest) -> EventPage:
    """The live event the visitor may see (404 otherwise, members-only ones included)."""
    event = selectors.visible_events(user=request.user).filter(pk=event_id).first()
    if event is None:
        raise Http404("No such event.")
    return event


def _booking_form_page(
    request: HttpRequest, event: EventPage, form: BookingForm, status: int
) -> HttpResponse:
    return render(
        request, "events/booking_form.html", {"event": event, "form": form}, status=status
    )


@csrf_exempt  # see the module docstring: cacheable pages, Origin check instead of a token
@require_http_methods(["GET", "HEAD", "POST"])
def book(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _bookable_event(event_id, request)
    if request.method != "POST":
        return HttpResponseRedirect(event.url)
    if not request_is_same_origin(request):
        return render(request, "events/cross_site.html", {"event": event}, status=403)
    form = BookingForm(request.POST)
    if form.is_bot:
        return redirect("events:check_inbox")
    if not ratelimit.hit("events-book-ip", client_ip(request) or "unknown", BOOKING_RATE_IP):
        form.is_valid()
        form.add_error(None, "Too many bookings from your network. Please try again later.")
        return _booking_form_page(request, event, form, status=429)
    if not form.is_valid():
        return _booking_form_page(request, event, form, status=400)
    try:
        booking_services.booking_create(
            event_id=event.pk,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            also_subscribe=form.cleaned_data["also_subscribe"],
        )
    except booking_services.BookingRefused as refusal:
        form.add_error(None, refusal.message)
        return _booking_form_page(request, event, form, status=409)
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return _booking_form_page(request, event, form, status=400)
    # The same answer whether the address had booked before or not.
    return redirect("events:check_inbox")


@require_safe
@public_cache
def check_inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "events/check_inbox.html")


@require_POST
@member_required
def book_member(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _bookable_event(event_id, request)
    try:
        booking = booking_services.booking_create(
            event_id=event.pk,
            user=request.user,
            also_subscribe=request.POST.get("also_subscribe") == "on",
        )
    except booking_services.BookingRefused as refusal:
        messages.error(request, refusal.message)
    else:
        if booking.status == Booking.Status.WAITING:
            messages.success(request, "The event is full: you are on the waiting list.")
        else:
            messages.success(request, "Your place is booked. We have emailed you the details.")
    return HttpResponseRedirect(event.url)


def _link_problem(request: HttpRequest, problem: tokens.InvalidToken) -> HttpResponse:
    expired = isinstance(problem, tokens.ExpiredToken)
    return render(
        request,
        "events/link_problem.html",
        {"expired": expired},
        status=410 if expired else 400,
    )


def _booking_from_link(token: str) -> Booking:
    booking = selectors.booking_by_uuid(booking_uuid=tokens.read_booking_token(token))
    if booking is None:
        raise tokens.InvalidToken("No such booking.")
    return booking


def _booking_page(request: HttpRequest, booking: Booking, **extra: object) -> HttpResponse:
    return render(
        request,
        "events/booking.html",
        {
            "booking": booking,
            "event": booking.event,
            "waiting_position": selectors.waiting_position(booking=booking),
            **booking_links(booking),
            **extra,
        },
    )


@never_cache
@require_safe
def booking_detail(request: HttpRequest, token: str) -> HttpResponse:
    """The attendee's own page: the booking's state, the joining link once confirmed."""
    try:
        booking = _booking_from_link(token)
    except tokens.InvalidToken as problem:
        return _link_problem(request, problem)
    return _booking_page(request, booking)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def booking_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (link scanners fetch links); POST confirms."""
    try:
        booking_uuid = tokens.read_confirmation_token(token)
    except tokens.InvalidToken as problem:
        return _link_problem(request, problem)
    booking = selectors.booking_by_uuid(booking_uuid=booking_uuid)
    if booking is None:
        return _link_problem(request, tokens.InvalidToken("No such booking."))
    if request.method != "POST":
        return render(
            request, "events/booking_confirm.html", {"booking": booking, "event": booking.event}
        )
    try:
        booking = booking_services.booking_confirm(token=token)
    except tokens.InvalidToken as problem:
        return _link_problem(request, problem)
    except booking_services.BookingRefused as refusal:
        return render(
            request,
            "events/booking_confirm.html",
            {"booking": booking, "event": booking.event, "refusal": refusal.message},
            status=409,
        )
    return _booking_page(request, booking, just_confirmed=True)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def booking_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks "cancel this booking?" with a button; POST cancels."""
    try:
        booking = _booking_from_link(token)
    except tokens.InvalidToken as problem:
        return _link_problem(request, problem)
    if request.method != "POST":
        return render(
            request, "events/booking_cancel.html", {"booking": booking, "event": booking.event}
        )
    booking = booking_services.booking_cancel(booking_id=booking.pk)
    return _booking_page(request, booking, just_cancelled=True)


@never_cache
@require_safe
def booking_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The attendee's own calendar file (with the joining link once the place is theirs)."""
    try:
        booking = _booking_from_link(token)
    except tokens.InvalidToken as problem:
        return _link_problem(request, problem)
    response = HttpResponse(
        calendars.attendee_calendar(booking=booking), content_type=calendars.CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{booking.event.slug}.ics"'
    return response


def _calendar_feed_links(user) -> dict[str, str]:
    """The addresses of the member's private feed (https, and webcal for calendar programs)."""
    key = feed_services.calendar_feed_key_ensure(user=user)
    path = reverse("portal_events:calendar_feed", args=[tokens.feed_token(key=key.key)])
    url = settings.SITE_URL + path
    return {"feed_url": url, "feed_webcal_url": "webcal://" + url.split("://", 1)[-1]}


@member_required
@require_safe
def my_bookings(request: HttpRequest) -> HttpResponse:
    """The member's bookings (only theirs), upcoming then past, 25 a page each, and the address
    of their private calendar feed."""
    upcoming = page_of(
        Paginator(selectors.member_bookings(user=request.user), MY_BOOKINGS_PER_PAGE),
        request.GET.get("page"),
    )
    past = list(selectors.member_bookings(user=request.user, past=True)[:MY_BOOKINGS_PER_PAGE])
    context = {"upcoming": upcoming, "past": past}
    if selectors.calendar_feed_allowed(request.user):
        context.update(_calendar_feed_links(request.user))
    return render(request, "events/my_bookings.html", context)


@member_required
@require_POST
def calendar_feed_reset(request: HttpRequest) -> HttpResponse:
    """A new address for the member's feed: the old one answers 404 from now on."""
    if not selectors.calendar_feed_allowed(request.user):
        raise Http404("No calendar feed for this account.")
    feed_services.calendar_feed_key_reset(user=request.user)
    messages.success(
        request,
        "Your calendar link is reset: the old address no longer works. Subscribe again with "
        "the new one below.",
    )
    return HttpResponseRedirect(reverse("portal_events:bookings") + "#calendar-feed")


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A member's private calendar feed, fetched by their calendar program (no session, no
    cookie: the signed key in the address is what lets it in). 404 for an altered or reset
    address, and for an account that is no longer an approved member."""
    try:
        key = tokens.read_feed_token(token)
    except tokens.InvalidToken as problem:
        raise Http404("No such calendar feed.") from problem
    owner = selectors.calendar_feed_owner(key=key)
    if owner is None or not selectors.calendar_feed_allowed(owner):
        raise Http404("No such calendar feed.")
    return calendars.member_feed_response(request, user=owner)


@member_required
@require_POST
def my_booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(Booking, pk=pk, user=request.user)  # the asker's own only
    booking_services.booking_cancel(booking_id=booking.pk)
    messages.success(request, f"Your booking for {booking.event.title} is cancelled.")
    return redirect("portal_events:bookings")
