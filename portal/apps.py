from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Member portal"

    def ready(self):
        from portal import signals  # noqa: F401  (connects the receivers)
