from django import forms
from django.utils.translation import gettext_lazy as _

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

    def clean_csv_file(self):
        upload = self.cleaned_data["csv_file"]
        if upload.size > self.max_size:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Upload a .csv file."))
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("consent_attested") and not (cleaned.get("consent_note") or "").strip():
            self.add_error("consent_note", _("Say how these people gave their consent."))
        return cleaned
