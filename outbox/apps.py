from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Task outbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from icmec.celery import register_task_hooks
        from outbox import services

        register_task_hooks(on_start=services.on_task_start, on_end=services.on_task_end)
