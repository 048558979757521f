from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Public site"

    def ready(self) -> None:
        from blog import extensions, signals
        from blog.models import querysets
        from blog.selectors import search
        from blog.views import pages
        from portal.selectors import user_is_approved_member

        # The layers above the models hand them what models may not import (blog.models.rendering).
        querysets.register_membership_rule(user_is_approved_member)
        pages.register()
        # The site's search finds posts and pages; apps above add their types (blog.extensions).
        for searchable in search.BLOG_SEARCHABLE_TYPES:
            extensions.register_searchable(searchable)
        signals.connect()
