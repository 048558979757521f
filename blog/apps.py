from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Public site"

    def ready(self) -> None:
        from blog import signals
        from blog.models import querysets
        from blog.views import pages
        from portal.selectors import user_is_approved_member

        # The layers above the models hand them what models may not import (blog.models.rendering).
        querysets.register_membership_rule(user_is_approved_member)
        pages.register()
        signals.connect()
