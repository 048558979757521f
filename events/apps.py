from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from events import privacy, signals
        from portal import privacy as portal_privacy

        portal_privacy.register(
            "events", exporter=privacy.export_for_user, eraser=privacy.erase_for_user
        )
        signals.connect()
