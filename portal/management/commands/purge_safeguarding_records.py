"""Delete safeguarding records, resolved reports and decisions of erased accounts whose
retention period (PORTAL_SAFEGUARDING_RETENTION_DAYS) is over. Celery beat runs the same every
night; this command is for running it by hand or from cron."""

from django.core.management.base import BaseCommand

from portal import safeguarding


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        counts = safeguarding.records_purge()
        self.stdout.write(
            "Deleted {records} safeguarding records, {reports} resolved reports and "
            "{decisions} decisions of erased accounts.".format(**counts)
        )
