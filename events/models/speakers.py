"""Who speaks at events: a snippet staff reuse across events."""

from __future__ import annotations

from wagtail.snippets.models import register_snippet

from blog.models.snippets import Person


@register_snippet
class Speaker(Person):
    class Meta(Person.Meta):
        pass
