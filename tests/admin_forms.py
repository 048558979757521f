"""What Wagtail's edit forms post, built for the test client.

Wagtail renders most of an edit form as HTML (titles, dates, inline panels, management forms),
which `querydict_from_html` reads; a StreamField's inputs, though, are drawn by the admin's
JavaScript from a JSON description. `edit_form_data` adds them, built from the object's saved
value the way the admin's JavaScript names them, so that a test can submit a form unchanged.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from wagtail import blocks
from wagtail.fields import StreamField
from wagtail.test.utils.form_data import querydict_from_html


def block_form_data(block: blocks.Block, value: Any, prefix: str) -> dict[str, str]:
    """The POST data of one block, as the admin's JavaScript names its inputs."""
    data: dict[str, str] = {}
    if isinstance(block, blocks.BaseStreamBlock):
        data[f"{prefix}-count"] = str(len(value))
        for index, child in enumerate(value):
            data |= {
                f"{prefix}-{index}-type": child.block_type,
                f"{prefix}-{index}-deleted": "",
                f"{prefix}-{index}-order": str(index),
                f"{prefix}-{index}-id": child.id or "",
            }
            data |= block_form_data(child.block, child.value, f"{prefix}-{index}-value")
    elif isinstance(block, blocks.ListBlock):
        children = value.bound_blocks
        data[f"{prefix}-count"] = str(len(children))
        for index, child in enumerate(children):
            data |= {
                f"{prefix}-{index}-deleted": "",
                f"{prefix}-{index}-order": str(index),
                f"{prefix}-{index}-id": child.id or "",
            }
            data |= block_form_data(block.child_block, child.value, f"{prefix}-{index}-value")
    elif isinstance(block, blocks.BaseStructBlock):
        for name, child_block in block.child_blocks.items():
            data |= block_form_data(child_block, value.get(name), f"{prefix}-{name}")
    elif isinstance(block, blocks.RichTextBlock):
        data[prefix] = block.field.widget.format_value(block.value_for_form(value))
    elif isinstance(block, blocks.ChooserBlock):
        data[prefix] = "" if value is None else str(value.pk)
    elif isinstance(block, blocks.BooleanBlock):
        if value:
            data[prefix] = "on"
    else:
        form_value = block.value_for_form(value)
        data[prefix] = "" if form_value is None else str(form_value)
    return data


def edit_form_data(html: str, obj: Any, *, form_id: str) -> QueryDict:
    """Everything the edit form in `html` would post for `obj`, left unchanged."""
    data = querydict_from_html(html, form_id=form_id)
    for field in obj._meta.get_fields():
        if isinstance(field, StreamField) and f"{field.name}-count" not in data:
            for key, value in block_form_data(
                field.stream_block, getattr(obj, field.name), field.name
            ).items():
                data[key] = value
    return data
