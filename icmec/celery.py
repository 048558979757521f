"""The Celery application. Workers: `celery -A icmec worker`; scheduler: `celery -A icmec beat`."""

import os
from pathlib import Path

from celery import Celery
from celery.beat import PersistentScheduler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icmec.settings.dev")

app = Celery("icmec")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class Scheduler(PersistentScheduler):
    """Celery's default scheduler, which also creates the folder of its schedule file.

    The file lives in the data folder (`ICMEC_DATA_DIR`, `.data/` by default), which nothing
    else creates on a fresh checkout when the broker is Redis.
    """

    def setup_schedule(self) -> None:
        Path(self.schedule_filename).parent.mkdir(parents=True, exist_ok=True)
        super().setup_schedule()
