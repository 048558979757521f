"""Forms of the member portal. They validate input only; views hand the data to services."""

from __future__ import annotations

from allauth.account.forms import AddEmailForm, SignupForm
from allauth.core import context as allauth_context
from allauth.core import ratelimit
from django import forms
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.hashers import make_password
from django.db import models
from django.utils.safestring import mark_safe

from portal.countries import COUNTRIES
from portal.links import linkedin_profile_url
from portal.models import MemberProfile, Report, Sector
from portal.photos import validate_photo
from portal.services import PROFILE_FIELDS

SECTOR_CHOICES = [("", "Choose your sector"), *Sector.choices]
COUNTRY_CHOICES = [("", "Choose your country"), *COUNTRIES]


def organisation_field() -> forms.CharField:
    """The applicant's organisation, as asked at sign-up and when applying again."""
    return forms.CharField(
        label="Organisation",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )


def reason_field(*, help_text: str, rows: int) -> forms.CharField:
    """Why the applicant wants to join: staff read it when they review the application."""
    return forms.CharField(
        label="Why do you want to join?",
        min_length=20,
        max_length=2000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def job_title_field() -> forms.CharField:
    return forms.CharField(
        label="Job title",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )


class ApplicationAnswersForm(forms.Form):
    """The application's questions, asked at sign-up and when applying again (each asks why
    they want to join with its own help text)."""

    organisation = organisation_field()
    job_title = job_title_field()
    sector = forms.ChoiceField(label="Sector", choices=SECTOR_CHOICES)
    country = forms.ChoiceField(label="Country", choices=COUNTRY_CHOICES)


class MemberSignupForm(ApplicationAnswersForm, SignupForm):
    """allauth's sign-up form with the application's questions (see ACCOUNT_FORMS)."""

    first_name = forms.CharField(
        label="Given name(s)",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label="Family name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    reason = reason_field(
        help_text=(
            "Tell us about your role in protecting children from exploitation and what you "
            "hope to gain from the portal. Staff read this when they review your application."
        ),
        rows=5,
    )
    accept_terms = forms.BooleanField(
        label=mark_safe(
            'I accept the <a href="/code-of-conduct/">code of conduct</a> and the '
            '<a href="/privacy/">privacy policy</a>.'
        ),
        error_messages={
            "required": "You need to accept the code of conduct and the privacy policy to join."
        },
    )

    field_order = [
        "first_name",
        "last_name",
        "email",
        "password1",
        "password2",
        "organisation",
        "job_title",
        "sector",
        "country",
        "reason",
        "accept_terms",
    ]

    def try_save(self, request):
        """Save the new account, or (for an address that already has one) email its owner.

        Creating an account hashes the password, which is most of the time a sign-up takes;
        a taken address would answer several times faster and so tell who has an account.
        It hashes the password too, for nothing, so that both answers take the same time.
        """
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1") or "")
        return super().try_save(request)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Work email address"
        self.fields["email"].help_text = "We send a link to confirm it. It is also your login."
        self.fields["email"].widget.attrs.pop("placeholder", None)
        for name in ("password1", "password2"):
            if name in self.fields:
                self.fields[name].widget.attrs.pop("placeholder", None)
        if "password2" in self.fields:
            self.fields["password2"].label = "Password again"
        honeypot = settings.ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD
        if honeypot in self.fields:
            # allauth hides it with an inline style, which the CSP blocks: a class does it.
            self.fields[honeypot].widget.attrs = {"tabindex": "-1", "autocomplete": "off"}
            self.fields[honeypot].label = "Leave this field empty"
            self.fields[honeypot].is_honeypot = True


class MemberEmailChangeForm(AddEmailForm):
    """allauth's change-of-address form, with a limit on how often a member may ask.

    Each request emails the address typed, whoever it belongs to (the answer must not say
    whether another account uses it), so without a limit the form is a way to flood someone's
    inbox. The same limit applies to every address, taken or not (ACCOUNT_RATE_LIMITS
    "portal_change_email"); an attempt counts once it is made (after re-authentication).
    """

    rate_limit_action = "portal_change_email"
    too_many_message = (
        "You have asked to change your email address too many times. Please try again later."
    )

    def clean_email(self) -> str:
        value = super().clean_email()
        request = allauth_context.request
        if not ratelimit.consume(
            request, action=self.rate_limit_action, user=self.user, dry_run=True
        ):
            raise forms.ValidationError(self.too_many_message, code="rate_limited")
        return value

    def save(self, request):
        ratelimit.consume(request, action=self.rate_limit_action, user=self.user)
        return super().save(request)


def _https_links(model_field, **kwargs):
    # Links typed without a scheme ("example.org") are taken as https.
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class ProfileForm(forms.ModelForm):
    first_name = forms.CharField(label="Given name(s)", max_length=150)
    last_name = forms.CharField(label="Family name", max_length=150)
    expertise_text = forms.CharField(
        label="Areas of expertise",
        required=False,
        max_length=1000,
        help_text="Separate them with commas, e.g. financial intelligence, OSINT, victim support.",
    )
    # A FileField, not an ImageField: validate_photo checks the content with its own messages.
    photo = forms.FileField(
        label="Photo",
        required=False,
        help_text="A JPEG, PNG or WebP photo, at least 200×200 pixels and up to 5 MB. We crop it "
        "square and remove its metadata (such as location).",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_photo = forms.BooleanField(label="Remove my photo", required=False)

    class Meta:
        model = MemberProfile
        formfield_callback = _https_links
        fields = list(PROFILE_FIELDS)
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 6}),
            "contact_visibility": forms.RadioSelect,
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }
        help_texts = {
            "bio": "What you work on and what you would like to talk about with peers.",
            "contact_visibility": "Applies to your email address (if shown), phone and links.",
        }

    field_order = [
        "first_name",
        "last_name",
        "organisation",
        "job_title",
        "sector",
        "country",
        "bio",
        "expertise_text",
        "photo",
        "remove_photo",
        "show_email",
        "phone",
        "website",
        "linkedin",
        "contact_visibility",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.instance.user
        self.fields["first_name"].initial = user.first_name
        self.fields["last_name"].initial = user.last_name
        if self.instance.pk:
            self.fields["expertise_text"].initial = ", ".join(
                sorted(self.instance.expertise.names(), key=str.lower)
            )
        self.fields["sector"].choices = SECTOR_CHOICES
        self.fields["country"].choices = COUNTRY_CHOICES
        if not self.instance.photo_key:
            del self.fields["remove_photo"]

    def clean_linkedin(self):
        value = self.cleaned_data.get("linkedin", "")
        return linkedin_profile_url(value) if value else ""

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            validate_photo(photo)
        return photo

    def expertise_list(self) -> list[str]:
        text = self.cleaned_data.get("expertise_text", "")
        return [part.strip() for part in text.split(",") if part.strip()]

    def profile_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def profile_update_arguments(self) -> dict:
        """What `services.profile_update` takes from the form (besides the profile), for the
        member's own page and the staff's alike."""
        return {
            "first_name": self.cleaned_data["first_name"],
            "last_name": self.cleaned_data["last_name"],
            "expertise": self.expertise_list(),
            **self.profile_fields(),
        }


class NotificationPreferencesForm(forms.Form):
    email_on_request = forms.BooleanField(
        label="When a member asks to connect with me", required=False
    )
    email_on_accept = forms.BooleanField(label="When a member accepts my request", required=False)
    email_on_message = forms.BooleanField(
        label="When I have new messages (one email for a burst of messages)", required=False
    )


class ConnectionRequestForm(forms.Form):
    note = forms.CharField(
        label="Add a note",  # the field template adds "(optional)"
        required=False,
        max_length=1000,
        help_text="Say who you are and why you would like to connect.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Your message",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write a message first."},
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is the problem?", choices=[("", "Choose a reason"), *Report.Reason.choices]
    )
    details = forms.CharField(
        label="What happened?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Only staff who vet members read reports. The member is not told who reported "
        "them.",
    )
    share_conversation = forms.BooleanField(
        label="Share our private conversation with staff so they can read it",
        required=False,
        help_text="Staff see a copy of the conversation as it is now, never later messages.",
    )


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand that my account, profile, connections and data are erased for good "
        "and that this cannot be undone.",
        error_messages={"required": "Tick the box to confirm."},
    )


class DecisionForm(forms.Form):
    """Staff's note on a vetting decision (Wagtail admin)."""

    note = forms.CharField(
        label="Note",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Sent to the member with the decision and kept in the decision history. "
        "Required to reject or suspend. The reason for a rejection or a suspension is also kept "
        "in the safeguarding record, after the account is erased: write only what is needed.",
    )
    override_note = forms.CharField(
        label="Why approve despite the earlier decision",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required to approve an applicant who matches a safeguarding record. Kept in "
        "the decision history with your name and the date; not sent to the applicant.",
    )


class StaffEraseForm(forms.Form):
    """Staff erase a member's account on their request (Wagtail admin)."""

    confirm = forms.BooleanField(
        label="Erase this account and its personal data for good. The safeguarding record, "
        "decisions and reports stay until their retention period ends.",
        error_messages={"required": "Tick the box to confirm."},
    )


class ReapplyForm(ApplicationAnswersForm):
    """A rejected applicant's new application: the same questions as at sign-up."""

    reason = reason_field(
        help_text=(
            "Tell us about your role in protecting children from exploitation, and what has "
            "changed since your last application. Staff read it with your earlier application."
        ),
        rows=6,
    )


class ReportResolveForm(forms.Form):
    note = forms.CharField(
        label="What was done",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class InvitationPasswordForm(SetPasswordForm):
    """The password of an invited staff account (Django's validators, checked against the
    account's own name and address)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Choose a password"
        self.fields["new_password1"].help_text = "At least 12 characters; not a common password."
        self.fields["new_password2"].label = "The same password again"
