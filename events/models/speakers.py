"""Who speaks at events: a snippet staff reuse across events."""

from __future__ import annotations

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from blog.models import SiteImage


@register_snippet
class Speaker(index.Indexed, models.Model):
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=160, blank=True)
    photo = models.ForeignKey(
        SiteImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    panels = [FieldPanel("name"), FieldPanel("role"), FieldPanel("photo")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
