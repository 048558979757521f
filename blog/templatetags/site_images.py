"""Wagtail's `{% image %}`, `{% srcset_image %}` and `{% picture %}` tags, same syntax and output,
with each tag's filters built once when the template is compiled.

Wagtail builds new `Filter` objects on every render, and a filter parses its spec (with argument
introspection for every operation) the first time it is used: a post card's picture (four
renditions) cost about 1 ms in parsing alone. A tag's specs are constant text of the template, so
its filters are built once per compiled template, like the template itself.

An image whose renditions were not fetched with it (a listing prefetches its cards' renditions)
has all its renditions read in one query the first time a tag shows it: the home page's hero
image, shown as the picture and as the share image, costs one query instead of two.
"""

from __future__ import annotations

from django import template
from django.db.models import prefetch_related_objects
from wagtail.images.models import Filter
from wagtail.images.templatetags import wagtailimages_tags as wagtail_tags

register = template.Library()


def _with_renditions(image):
    # Django's prefetch leaves an image whose renditions were prefetched already (by a listing)
    # alone, without a query.
    if image is not None:
        prefetch_related_objects([image], "renditions")
    return image


class ImageNode(wagtail_tags.ImageNode):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filter = Filter(spec="|".join(self.filter_specs))

    def validate_image(self, context):
        return _with_renditions(super().validate_image(context))

    def get_filter(self) -> Filter:
        return self.filter


class SrcsetImageNode(wagtail_tags.SrcsetImageNode):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters = [Filter(spec=spec) for spec in Filter.expand_spec(self.filter_specs)]

    def get_filters(self) -> list[Filter]:
        return self.filters

    def validate_image(self, context):
        return _with_renditions(super().validate_image(context))


class PictureNode(wagtail_tags.PictureNode, SrcsetImageNode):
    pass


NODES = {
    wagtail_tags.ImageNode: ImageNode,
    wagtail_tags.SrcsetImageNode: SrcsetImageNode,
    wagtail_tags.PictureNode: PictureNode,
}


def image(parser, token) -> template.Node:
    """Wagtail's parser (and its error messages), then the node that keeps its filters."""
    node = wagtail_tags.image(parser, token)
    return NODES[type(node)](
        node.image_expr,
        node.filter_specs,
        output_var_name=node.output_var_name,
        attrs=node.attrs,
    )


register.tag("image", image)
register.tag("srcset_image", image)
register.tag("picture", image)
