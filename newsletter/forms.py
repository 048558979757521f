import csv
import io

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from newsletter.models import Subscriber
from newsletter.selectors import normalise_email

FORM_SOURCES = {
    "footer": Subscriber.Source.FOOTER,
    "home": Subscriber.Source.HOME,
    "page": Subscriber.Source.PAGE,
}


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter a valid email address, like name@example.org."),
        },
    )
    first_name = forms.CharField(label=_("First name (optional)"), max_length=100, required=False)
    consent = forms.BooleanField(
        error_messages={
            "required": _("Tick this box to agree to receive the newsletter."),
        },
    )
    # The honeypot: hidden from people (CSS and aria-hidden), filled in by simple bots.
    website = forms.CharField(required=False)
    form_id = forms.CharField(required=False, max_length=20)

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    @property
    def source(self) -> str:
        return FORM_SOURCES.get(self.data.get("form_id", ""), Subscriber.Source.PAGE)


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(
        label=_("Send at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Local time (Sydney)."),
    )


class SendConfirmForm(forms.Form):
    """Staff confirm, next to the number of recipients, that they mean to send now."""

    confirm = forms.BooleanField(label=_("I have checked the test email and want to send it now"))


class LiftSuppressionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the suppression lifted?"),
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: the receiving server refused our mail by mistake and has been fixed. "
            "This is recorded with your name in the consent trail."
        ),
        error_messages={"required": _("Say why the suppression is lifted.")},
    )


class ImportForm(forms.Form):
    csv_file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One address per row. A header row with an 'email' column (and optionally "
            "'first_name') is recognised; otherwise the first column is the address."
        ),
    )
    consent_attested = forms.BooleanField(
        required=False,
        label=_("These people have already agreed to receive our newsletter"),
        help_text=_(
            "Tick only if you hold their consent (e.g. a sign-up sheet at an event). They will be "
            "subscribed at once and your attestation is recorded against each address. "
            "Otherwise each address is sent a confirmation email and joins only if it confirms."
        ),
    )
    consent_note = forms.CharField(
        required=False,
        max_length=500,
        label=_("How was consent given?"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    max_size = 5 * 1024 * 1024
    max_rows = 10_000

    def clean_csv_file(self):
        upload = self.cleaned_data["csv_file"]
        if upload.size > self.max_size:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Upload a .csv file."))
        upload.seek(0)
        self.cleaned_data["rows"] = parse_subscriber_csv(upload.read(), max_rows=self.max_rows)
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("consent_attested") and not (cleaned.get("consent_note") or "").strip():
            self.add_error("consent_note", _("Say how these people gave their consent."))
        return cleaned


SAVE_AS_CSV_UTF8 = _("In Excel or Numbers, save it as “CSV UTF-8” and upload that file.")


def parse_subscriber_csv(data: bytes, *, max_rows: int) -> list[tuple[str, str]]:
    """The (email, first name) rows of an uploaded CSV file, or a ValidationError that says what
    is wrong with the file as a whole (nothing is imported from a file that fails here).

    A header row with an "email" (or "email address") column, and optionally "first name", is
    recognised; without one, the first column holds the addresses and the second the names.
    """
    if b"\x00" in data:
        # Spreadsheets (.xlsx renamed), UTF-16 text and other binary files.
        raise forms.ValidationError(
            _("This file is not a CSV text file (it contains NUL bytes). %(hint)s"),
            params={"hint": SAVE_AS_CSV_UTF8},
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise forms.ValidationError(
            _("This file is not UTF-8 text (the first problem is on line %(line)s). %(hint)s"),
            params={"line": line, "hint": SAVE_AS_CSV_UTF8},
        ) from exc
    reader = csv.reader(io.StringIO(text))
    try:
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise forms.ValidationError(
            _("This file is not a CSV file we can read (line %(line)s: %(error)s)."),
            params={"line": reader.line_num, "error": exc},
        ) from exc
    if not rows:
        raise forms.ValidationError(_("The file has no addresses."))
    header = [cell.strip().lower().replace(" ", "_") for cell in rows[0]]
    if "email" in header or "email_address" in header:
        email_col = header.index("email") if "email" in header else header.index("email_address")
        name_col = header.index("first_name") if "first_name" in header else None
        rows = rows[1:]
    elif "@" in rows[0][0]:
        email_col, name_col = 0, (1 if len(rows[0]) > 1 else None)
    else:
        raise forms.ValidationError(
            _(
                "The file has no “email” column, and its first row (“%(first)s”) holds no "
                "address. Name the column of addresses “email”, or put the addresses in the "
                "first column."
            ),
            params={"first": ", ".join(rows[0])[:100]},
        )
    if not rows:
        raise forms.ValidationError(_("The file has no addresses."))
    if len(rows) > max_rows:
        raise forms.ValidationError(
            ngettext_lazy(
                "The file has %(count)s row: import at most %(max)s at a time (split the file).",
                "The file has %(count)s rows: import at most %(max)s at a time (split the file).",
                "count_number",
            ),
            params={"count": f"{len(rows):,}", "count_number": len(rows), "max": f"{max_rows:,}"},
        )
    return [
        (
            row[email_col] if email_col < len(row) else "",
            row[name_col] if name_col is not None and name_col < len(row) else "",
        )
        for row in rows
    ]
