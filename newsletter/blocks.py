"""StreamField blocks of a newsletter issue.

Each block renders twice: as table-based HTML with inline CSS for email clients (templates under
`newsletter/email/blocks/`) and as plain text (`newsletter/rendering.py`). The public archive
shows the same blocks with the site's templates (`newsletter/web/blocks/`).
"""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

from blog.blocks import CallToActionBlock, LinkBlock

EMAIL_RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3", "hr"]


class EmailImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        required=False,
        max_length=255,
        help_text=_("Leave empty to use the image's own alt text."),
    )
    caption = blocks.CharBlock(required=False, max_length=255)
    link = LinkBlock(
        required=False,
        help_text=_(
            "Optional: where the image links to: a path on this site (such as /portal/), a web "
            "address (https://...) or an email address (mailto:name@example.org)."
        ),
    )

    class Meta:
        icon = "image"
        label = _("Image")


class PostTeaserBlock(blocks.StructBlock):
    """A post from the blog: its image, title, summary and a link. Public posts only."""

    post = blocks.PageChooserBlock(page_type="blog.BlogPostPage")
    summary = blocks.TextBlock(
        required=False, max_length=300, help_text=_("Leave empty to use the post's summary.")
    )

    class Meta:
        icon = "doc-full"
        label = _("Post teaser")

    def clean(self, value):
        value = super().clean(value)
        post = value.get("post")
        if post is not None and post.specific.members_only:
            raise blocks.StructBlockValidationError(
                block_errors={
                    "post": ErrorList(
                        [
                            ValidationError(
                                _("This post is for members only: it cannot go in a newsletter.")
                            )
                        ]
                    )
                }
            )
        return value


class ButtonBlock(CallToActionBlock):
    """The blog's call to action (a page or a link, one of them), drawn as an email button."""

    text = blocks.CharBlock(max_length=60, label=_("Button text"))

    class Meta:
        icon = "link"
        label = _("Button")
        template = None  # newsletter.rendering draws it, for email clients and the archive


class IssueBodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(max_length=120, icon="title", label=_("Heading"))
    rich_text = blocks.RichTextBlock(
        features=EMAIL_RICH_TEXT_FEATURES, icon="pilcrow", label=_("Text")
    )
    image = EmailImageBlock()
    post_teaser = PostTeaserBlock()
    button = ButtonBlock()
