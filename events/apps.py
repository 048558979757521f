from django.apps import AppConfig
from django.db.models import Q


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from blog import extensions
        from events import pages, privacy, signals
        from events.models import Audience, EventPage
        from portal import privacy as portal_privacy

        portal_privacy.register(
            "events", exporter=privacy.export_for_user, eraser=privacy.erase_for_user
        )
        # The blog owns the site's search and the home page; events join them (blog.extensions).
        extensions.register_searchable(
            extensions.SearchableType(
                model=EventPage,
                label="Event",
                excerpt=("eventpage__summary", "search_description"),
                body="eventpage__body",
                date="eventpage__start_at",
                time_zone="eventpage__time_zone",
                members_only=Q(eventpage__audience=Audience.MEMBERS),
            )
        )
        extensions.register_home_section(
            extensions.HomeSection(
                name="events",
                template="events/includes/home_events.html",
                context=pages.home_events_context,
                cache_variant=pages.home_events_cache_variant,
            )
        )
        signals.connect()
