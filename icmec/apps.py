from django.apps import AppConfig


class IcmecConfig(AppConfig):
    """The project package: site-wide templates, static files and commands. No models."""

    name = "icmec"
    verbose_name = "ICMEC site"
