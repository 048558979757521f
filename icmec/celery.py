"""The Celery application. Workers: `celery -A icmec worker`; scheduler: `celery -A icmec beat`."""

from __future__ import annotations

import os
import smtplib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from celery import Celery
from celery import Task as BaseTask
from celery.beat import PersistentScheduler
from django.db import InterfaceError, OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icmec.settings.dev")

# Hooks an app above registers (in its AppConfig.ready()) to see every task start and end: the
# outbox records there that a worker has taken one of its tasks. icmec imports no app.
StartHook = Callable[[BaseTask, str], None]
EndHook = Callable[[BaseTask, str, str], None]
_start_hooks: list[StartHook] = []
_end_hooks: list[EndHook] = []


def register_task_hooks(*, on_start: StartHook, on_end: EndHook) -> None:
    """`on_start(task, task_id)` runs before each task (raise `celery.exceptions.Ignore` to
    skip it); `on_end(task, task_id, state)` after each final outcome (success or failure)."""
    if on_start not in _start_hooks:
        _start_hooks.append(on_start)
    if on_end not in _end_hooks:
        _end_hooks.append(on_end)


class Task(BaseTask):
    """The base of every task of the project."""

    def before_start(self, task_id: str, args: Any, kwargs: Any) -> None:
        for hook in _start_hooks:
            hook(self, task_id)

    def after_return(
        self, status: str, retval: Any, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        for hook in _end_hooks:
            hook(self, task_id, status)


# The one retry policy of the project's tasks. A task that sends mail or touches the database
# retries what may pass (the SMTP server, the network, the database restarting), after 30 s, then
# twice as long each time up to an hour, with jitter so that many tasks failing together do not
# come back together, eight times (about four hours in all). It acknowledges late and is put back
# on the queue if its worker dies, so a task is never lost with its worker: every task is safe to
# run twice. Other exceptions are bugs: they fail at once and are logged.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    smtplib.SMTPException,
    ConnectionError,
    TimeoutError,
    OSError,
    OperationalError,
    InterfaceError,
)
RELIABLE: dict[str, Any] = {"acks_late": True, "reject_on_worker_lost": True}
RETRY_POLICY: dict[str, Any] = {
    **RELIABLE,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 8,
}


app = Celery("icmec", task_cls=Task)
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
