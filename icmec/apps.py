from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _create_cache_tables(using: str = "default", **_kwargs) -> None:
    # A database cache (the local run's, shared by web, worker and beat) needs its table; making
    # it part of `migrate` means no extra step anywhere migrations run. Sent once per app with
    # models (this package has none, so it cannot be the sender); creating is idempotent.
    from django.conf import settings
    from django.core.management import call_command

    if any(
        cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
        for cache in settings.CACHES.values()
    ):
        call_command("createcachetable", database=using, verbosity=0)


class IcmecConfig(AppConfig):
    """The project package: site-wide templates, static files and commands. No models."""

    name = "icmec"
    verbose_name = "ICMEC site"

    def ready(self) -> None:
        post_migrate.connect(_create_cache_tables, dispatch_uid="icmec-cache-tables")
