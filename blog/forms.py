"""The admin's form of every page type of the site."""

from __future__ import annotations

from wagtail.admin.forms import WagtailAdminPageForm


class SitePageForm(WagtailAdminPageForm):
    """Wagtail's page form, where a new page takes a free slug instead of failing on a taken one.

    The admin fills a new page's slug from its title and autosaves drafts as one types, so a
    half-written post left as a draft holds the slug its title gives; the next post with the
    same title would then fail with "slug already in use". A new page gets the first free
    variant instead ("-2", "-3"...): an autosave writes it back into the open form's Promote
    tab, a save says so in its message (`blog.wagtail_hooks`). An existing page keeps Wagtail's
    check: renaming a published address is the editor's decision.
    """

    def clean_slug(self) -> str:
        from blog import selectors

        slug = self.cleaned_data["slug"]
        if slug and self.instance.pk is None and self.parent_page is not None:
            slug = selectors.page_free_slug(parent=self.parent_page, slug=slug)
        return slug

    def get_field_updates_for_resave(self):
        updates = list(super().get_field_updates_for_resave())
        slug = self.cleaned_data.get("slug")
        if slug and slug != self.data.get(self.add_prefix("slug")):
            updates.append((self.add_prefix("slug"), slug))
        return updates
