from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from newsletter import selectors
from newsletter.models import Issue


class ArchiveFeed(Feed):
    title = "ICMEC Australia newsletter"
    description = "Every issue of the ICMEC Australia newsletter, as sent to subscribers."

    def link(self) -> str:
        return reverse("newsletter:archive")

    def items(self):
        return selectors.archive_issues()[:20]

    def item_title(self, item: Issue) -> str:
        return item.subject

    def item_description(self, item: Issue) -> str:
        return item.preheader or item.subject

    def item_link(self, item: Issue) -> str:
        return reverse("newsletter:archive_issue", kwargs={"slug": item.slug})

    def item_pubdate(self, item: Issue):
        return item.sending_started_at

    def item_author_name(self, item: Issue) -> str:
        return settings.WAGTAIL_SITE_NAME


class ArchiveAtomFeed(ArchiveFeed):
    feed_type = Atom1Feed
    subtitle = ArchiveFeed.description
