"""Staff's screens for one event in Wagtail's admin (`/admin/events/<id>/`): its bookings
counted by status, attendance on the day, closing or reopening registration, a message to the
attendees, cancelling the event.

Registered with `register_admin_urls` (Wagtail checks admin access); each view also checks the
permission `events.manage_bookings` (editors do not have it: give it to a group in Settings →
Groups). They parse the request and call `events.services.staff`; every write is a POST with
Django's CSRF token, and every screen works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from events import rules, selectors
from events.forms import AttendanceForm, EventCancelForm, EventMessageForm
from events.models import Booking, EventPage
from events.services import staff
from icmec.forms import add_service_errors

MANAGE = "events.manage_bookings"
T = TypeVar("T")


def event_admin_url(event_id: int) -> str:
    return reverse("events_admin:event", args=[event_id])


def bookings_url(event_id: int | None = None, status: str = "") -> str:
    """The Bookings listing, filtered by event and status."""
    query = {"event": event_id, "status": status}
    filters = urlencode({name: value for name, value in query.items() if value})
    listing = reverse("wagtailsnippets_events_booking:list")
    return f"{listing}?{filters}" if filters else listing


class EventAdminMixin(WagtailAdminTemplateMixin):
    header_icon = "date"
    overview = False  # the event's own screen, which the others lead back to

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(MANAGE):
            # Said plainly, with a 403 (Wagtail turns PermissionDenied into a redirect).
            title = _("You cannot run events")
            return TemplateResponse(
                request,
                "events/admin/refused.html",
                {"page_title": title, "header_title": title, "header_icon": "warning"},
                status=403,
            )
        self.event = get_object_or_404(EventPage, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.event.title

    def get_breadcrumbs_items(self):
        items = [*self.breadcrumbs_items, {"url": bookings_url(), "label": _("Bookings")}]
        if self.overview:
            return [*items, {"url": "", "label": self.event.title}]
        return [
            *items,
            {"url": event_admin_url(self.event.pk), "label": self.event.title},
            {"url": "", "label": self.get_page_title()},
        ]

    def back_to_event(self):
        return redirect(event_admin_url(self.event.pk))

    def act(self, form, action: Callable[[], T], done: Callable[[T], str]):
        """Run a staff service for a valid form: its errors go back on the form, a refusal is
        said above the event's screen, and so is what was done."""
        try:
            result = action()
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        except staff.StaffActionRefused as refusal:
            messages.error(self.request, str(refusal))
            return self.back_to_event()
        messages.success(self.request, done(result))
        return self.back_to_event()


class EventView(EventAdminMixin, TemplateView):
    """The event's bookings counted by status (each a link to the filtered listing), its
    registration, what staff wrote to the attendees, and the attendance form (POST here)."""

    template_name = "events/admin/event.html"
    page_title = _("Bookings and actions")
    overview = True

    def get_page_title(self):
        return self.event.title

    def get_page_subtitle(self):
        return self.page_title

    def get_context_data(self, attendance_form: AttendanceForm | None = None, **kwargs):
        context = super().get_context_data(**kwargs)
        event = self.event
        attendees = list(selectors.attendance_list(event=event))
        form = attendance_form or AttendanceForm(booking_ids=[b.pk for b in attendees])
        if form.is_bound:
            ticked = set(form.data.getlist("attended"))
            rows = [(booking, str(booking.pk) in ticked) for booking in attendees]
        else:
            rows = [(b, b.status == Booking.Status.ATTENDED) for b in attendees]
        counts = selectors.booking_counts(event=event)
        refusal = rules.registration_refusal(event)
        context.update(
            event=event,
            counts=[
                (status, Booking.Status(status).label, count, bookings_url(event.pk, status))
                for status, count in counts.items()
            ],
            all_bookings_url=bookings_url(event.pk),
            attendance_form=form,
            attendance_rows=rows,
            attendance_open=staff.attendance_open(event),
            registration_message=rules.MESSAGES[refusal] if refusal else "",
            staff_messages=selectors.staff_messages(event=event),
            edit_url=reverse("wagtailadmin_pages:edit", args=[event.pk]),
            history_url=reverse("wagtailadmin_pages:history", args=[event.pk]),
        )
        return context

    def post(self, request, *args, **kwargs):
        attendees = list(selectors.attendance_list(event=self.event).values_list("pk", flat=True))
        form = AttendanceForm(request.POST, booking_ids=attendees)
        if not form.is_valid():
            messages.error(request, _("The attendance could not be saved: see below."))
            return self.render_to_response(self.get_context_data(attendance_form=form), status=400)
        try:
            came, undone = staff.attendance_mark(
                event_id=self.event.pk,
                shown_ids=form.cleaned_data["shown"],
                attended_ids=form.ticked(),
                user=request.user,
            )
        except staff.StaffActionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request,
                _("Attendance saved: %(came)s marked as attended, %(undone)s as not attended.")
                % {"came": came, "undone": undone},
            )
        return self.back_to_event()


class RegistrationView(EventAdminMixin, View):
    """Close registration, or reopen it (POST only): at once, on the live event."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action not in ("close", "reopen"):
            messages.error(request, _("Choose to close or to reopen registration."))
            return self.back_to_event()
        try:
            staff.event_registration_set(
                event_id=self.event.pk, closed=action == "close", user=request.user
            )
        except staff.StaffActionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            if action == "close":
                messages.success(request, _("Registration is closed: nobody can book."))
            else:
                messages.success(request, _("Registration is open again (within its times)."))
        return self.back_to_event()


class MessageView(EventAdminMixin, FormView):
    """Write to everyone holding a place: recorded, and emailed to each attendee once."""

    template_name = "events/admin/event_message.html"
    form_class = EventMessageForm
    page_title = _("Write to the attendees")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(event=self.event, recipient_count=selectors.places_taken(event=self.event))
        return context

    def form_valid(self, form):
        return self.act(
            form,
            lambda: staff.event_message_send(
                event_id=self.event.pk,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                token=form.cleaned_data["token"],
                user=self.request.user,
            ),
            lambda message: (
                ngettext(
                    "Your message is on its way to %(count)s attendee.",
                    "Your message is on its way to %(count)s attendees.",
                    message.recipient_count,
                )
                % {"count": message.recipient_count}
            ),
        )


class CancelView(EventAdminMixin, FormView):
    """Cancel the event: every booking cancelled, everyone who booked emailed once."""

    template_name = "events/admin/event_cancel.html"
    form_class = EventCancelForm
    page_title = _("Cancel the event")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = selectors.booking_counts(event=self.event)
        context.update(
            event=self.event,
            active_count=sum(n for status, n in counts.items() if status != "cancelled"),
            can_cancel=not self.event.cancelled and not self.event.is_past(),
        )
        return context

    def form_valid(self, form):
        return self.act(
            form,
            lambda: staff.event_cancel(
                event_id=self.event.pk, note=form.cleaned_data["note"], user=self.request.user
            ),
            lambda message: (
                ngettext(
                    "The event is cancelled; %(count)s person who booked is being emailed.",
                    "The event is cancelled; %(count)s people who booked are being emailed.",
                    message.recipient_count,
                )
                % {"count": message.recipient_count}
            ),
        )
