"""Celery: the broker, how tasks run, and beat's schedule (every periodic task of every app, in
one dict: add an app's entries under its own comment)."""

from datetime import timedelta

from celery.schedules import crontab

from icmec.settings.components.django import TIME_ZONE
from icmec.settings.components.environment import DATA_DIR, env
from icmec.settings.components.portal import PORTAL_MESSAGE_DIGEST_MINUTES

# With no broker configured, the filesystem transport under .data/ lets `make run` work with a
# real worker and nothing installed. Production requires Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = DATA_DIR / "broker"
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # A task that is not acknowledged within this time is handed to another worker; it must be
    # longer than the longest task (the batch sender has a 5 minute hard limit).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = 1000
# A task acknowledged late cannot be acknowledged once the broker connection is gone: Celery
# cancels it (it is delivered again; every task is idempotent) rather than let its unackable
# message hold a prefetch slot, after which a reconnected worker stops fetching.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True

# An outbox task relayed but not started by a worker within this time is relayed again.
OUTBOX_RELAY_AGAIN_SECONDS = env.int("OUTBOX_RELAY_AGAIN_SECONDS", default=60)

CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULER = "icmec.celery:Scheduler"  # creates the data folder it writes to
CELERY_BEAT_SCHEDULE = {
    # --- blog
    "publish-scheduled-pages": {
        "task": "blog.tasks.publish_scheduled",
        "schedule": crontab(),  # every minute
    },
    # --- outbox: tasks that requests asked for while the broker was down (or that it lost) are
    # handed to it again.
    "outbox-relay": {
        "task": "outbox.tasks.relay_outbox",
        "schedule": timedelta(seconds=15),
        "options": {"expires": 14},
    },
    "outbox-purge": {"task": "outbox.tasks.purge_outbox", "schedule": crontab(minute=47, hour=3)},
    # --- portal
    "portal-message-digests": {
        "task": "portal.tasks.send_message_digests",
        "schedule": crontab(minute=f"*/{PORTAL_MESSAGE_DIGEST_MINUTES}"),
    },
    "portal-purge-safeguarding-records": {
        "task": "portal.tasks.purge_safeguarding_records",
        "schedule": crontab(hour=3, minute=30),
    },
    # --- newsletter
    "newsletter-send-scheduled": {
        "task": "newsletter.tasks.send_scheduled_issues",
        "schedule": crontab(),  # every minute
    },
    "newsletter-sweep-deliveries": {
        "task": "newsletter.tasks.sweep_deliveries",
        "schedule": timedelta(seconds=15),
        # A sweep still waiting when the next one is due is dropped: the next one does its work.
        "options": {"expires": 14},
    },
    "newsletter-purge-pending": {
        "task": "newsletter.tasks.purge_pending_subscribers",
        "schedule": crontab(minute=17, hour=3),  # daily
    },
    # --- events: the reminders a day and an hour before each event, and the follow-up once it
    # has ended; each run writes what has become due, once per booking (events.services.lifecycle).
    # A run still waiting when the next one is due is dropped: the next one does its work.
    "events-queue-reminders": {
        "task": "events.tasks.queue_reminders",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 290},
    },
    "events-queue-follow-ups": {
        "task": "events.tasks.queue_follow_ups",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 890},
    },
}
