from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Newsletter"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from anymail.signals import inbound, tracking

        from newsletter import privacy, webhooks
        from portal import privacy as portal_privacy

        portal_privacy.register(
            "newsletter", exporter=privacy.export_for_user, eraser=privacy.erase_for_user
        )
        # Anymail's tracking webhooks (bounces, complaints) arrive through this signal: it is
        # the hook Anymail offers for them.
        tracking.connect(webhooks.on_tracking_event, dispatch_uid="newsletter.tracking")
        inbound.connect(webhooks.on_inbound_email, dispatch_uid="newsletter.inbound")
