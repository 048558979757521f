"""Load the demo content of every app. Idempotent: running it again changes nothing."""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

# Order matters: the newsletter's sent issue shows the latest post, which the blog creates;
# the events go under the home page the blog makes.
DEMO_MODULES = ["blog.demo", "portal.demo", "newsletter.demo", "events.demo"]


class Command(BaseCommand):
    help = "Create the demo site: pages, posts, images, a staff account, members, subscribers."

    def handle(self, *args, **options) -> None:
        for module_name in DEMO_MODULES:
            try:
                module = import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue
            with transaction.atomic():
                module.load(stdout=self.stdout, style=self.style)
        self.stdout.write(self.style.SUCCESS("Demo content is in place."))
