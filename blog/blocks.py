"""StreamField blocks for posts and standard pages."""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul", "h3", "h4", "hr"]


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
    page = blocks.PageChooserBlock(required=False)
    url = blocks.URLBlock(required=False, label=_("Or an external link"))

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
