"""StreamField blocks for posts and standard pages."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul", "h3", "h4", "hr"]


def validate_link(value: str) -> None:
    """A path on this site (`/accounts/signup/`, `/about/#team`), a web address (`https://...`)
    or an email address (`mailto:...`); nothing else (no `javascript:`, no `//other.host`)."""
    if value.startswith("/") and not value.startswith("//"):
        if any(character.isspace() or character == "\\" for character in value):
            raise ValidationError(_("A path cannot contain spaces or backslashes."), code="invalid")
        return
    if value.startswith("mailto:"):
        EmailValidator(message=_("Enter a valid email address after mailto:."))(value[7:])
        return
    URLValidator(
        schemes=["http", "https"],
        message=_(
            "Enter a path on this site starting with / (such as /accounts/signup/) or a full "
            "web address starting with https://."
        ),
    )(value)


class LinkBlock(blocks.FieldBlock):
    """Where a link goes: a path on this site, a web address or an email address.

    Wagtail's URLBlock takes full web addresses only, so a link to one of the site's own views
    that is not a page (the portal's sign-up, the newsletter form) could not be entered.
    """

    def __init__(self, required: bool = True, help_text=None, max_length: int = 500, **kwargs):
        self.field = forms.CharField(
            required=required,
            help_text=help_text,
            max_length=max_length,
            validators=[validate_link],
        )
        super().__init__(**kwargs)

    class Meta:
        icon = "link-external"


LINK_HELP_TEXT = _(
    "A path on this site (such as /accounts/signup/), a web address (https://...) or an email "
    "address (mailto:name@example.org)."
)


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120)
    level = blocks.ChoiceBlock(
        choices=[("h2", _("Section heading")), ("h3", _("Sub-heading"))], default="h2"
    )

    class Meta:
        icon = "title"
        template = "blog/blocks/heading.html"


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        required=False,
        max_length=255,
        help_text=_(
            "Describe the image for people who cannot see it. Leave empty to use the "
            "image's own alt text."
        ),
    )
    caption = blocks.CharBlock(required=False, max_length=255)

    class Meta:
        icon = "image"
        template = "blog/blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(max_length=600)
    attribution = blocks.CharBlock(required=False, max_length=120)

    class Meta:
        icon = "openquote"
        template = "blog/blocks/quote.html"


class StatisticBlock(blocks.StructBlock):
    """A figure that deserves to stand out, e.g. "219 million" reports in 2021."""

    figure = blocks.CharBlock(max_length=30, help_text=_('e.g. "219 million"'))
    label = blocks.CharBlock(max_length=200)
    source = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "order"
        template = "blog/blocks/statistic.html"


class LinkEmbedBlock(EmbedBlock):
    """A video or post from another site, shown as a link card.

    The site loads nothing from other hosts (privacy, CSP), so embeds are never rendered as
    third-party iframes: readers follow the link to watch on the provider's site.
    """

    class Meta:
        icon = "media"
        template = "blog/blocks/embed.html"


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=80, label=_("Button text"))
    page = blocks.PageChooserBlock(required=False, label=_("Page of this site"))
    url = LinkBlock(required=False, label=_("Or a link"), help_text=LINK_HELP_TEXT)

    class Meta:
        icon = "link"
        template = "blog/blocks/call_to_action.html"

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "page": ErrorList(
                        [ValidationError(_("Choose a page or enter a link (one of them)."))]
                    )
                }
            )
        return value


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, icon="pilcrow")
    heading = HeadingBlock()
    image = CaptionedImageBlock()
    quote = QuoteBlock()
    statistic = StatisticBlock()
    embed = LinkEmbedBlock()
    call_to_action = CallToActionBlock()

    class Meta:
        block_counts = {}
