"""How wide a post card's image is shown in each card grid, for its `sizes` attribute.

The grids (`.card-grid--*` in icmec/static/icmec/css/site.css) set their number of columns at
fixed breakpoints, inside `.container` (the viewport less 2rem, at most 72rem) with 1.5rem gaps,
so each width below is exact: the browser then picks a rendition at least as wide as the image is
shown. Change a grid there, change its line here (a browser test compares them).
"""

from __future__ import annotations

from django import template

register = template.Library()

CARD_IMAGE_SIZES = {
    # Home page "Latest posts" and a post's "Related posts": 1, 2 (from 40rem), 3 (from 64rem).
    "three": (
        "(min-width: 74rem) 23rem, (min-width: 64rem) calc((100vw - 5rem) / 3), "
        "(min-width: 40rem) calc((100vw - 3.5rem) / 2), calc(100vw - 2rem)"
    ),
    # Two featured posts: 1, then 2 from 48rem.
    "featured-2": (
        "(min-width: 74rem) 35.25rem, (min-width: 48rem) calc((100vw - 3.5rem) / 2), "
        "calc(100vw - 2rem)"
    ),
    # Three featured posts: 1, then 3 from 64rem.
    "featured-3": (
        "(min-width: 74rem) 23rem, (min-width: 64rem) calc((100vw - 5rem) / 3), calc(100vw - 2rem)"
    ),
    # One featured post: the image beside the text (half the card) from 48rem.
    "featured-1": (
        "(min-width: 74rem) 36rem, (min-width: 48rem) calc((100vw - 2rem) / 2), calc(100vw - 2rem)"
    ),
    # The blog's listing beside its 18rem sidebar (from 60rem, 2.5rem gap): 1, 2 from 40rem.
    "listing": (
        "(min-width: 74rem) 25rem, (min-width: 60rem) calc((100vw - 24rem) / 2), "
        "(min-width: 40rem) calc((100vw - 3.5rem) / 2), calc(100vw - 2rem)"
    ),
}


@register.simple_tag
def card_image_sizes(layout: str) -> str:
    """The `sizes` of a card's picture in the grid called `layout` (see CARD_IMAGE_SIZES)."""
    return CARD_IMAGE_SIZES.get(layout, CARD_IMAGE_SIZES["three"])
