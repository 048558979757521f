"""The Celery application. Workers: `celery -A icmec worker`; scheduler: `celery -A icmec beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icmec.settings.dev")

app = Celery("icmec")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
