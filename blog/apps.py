from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Public site"

    def ready(self) -> None:
        from blog import signals

        signals.connect()
