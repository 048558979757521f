"""Replace Wagtail's "Welcome to your new Wagtail site!" page with the site's HomePage.

The home page gets a short placeholder mission; `manage.py load_demo_content` (or staff) writes
the real one.
"""

import uuid

from django.db import migrations
from django.utils import timezone

STEPLEN = 4
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _next_child_path(parent_path, last_child_path):
    if last_child_path is None:
        return parent_path + "1".zfill(STEPLEN)
    number = int(last_child_path[-STEPLEN:], 36) + 1
    digits = ""
    while number:
        number, remainder = divmod(number, 36)
        digits = ALPHABET[remainder] + digits
    return parent_path + digits.zfill(STEPLEN)


def create_home_page(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Locale = apps.get_model("wagtailcore", "Locale")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("blog", "HomePage")

    if HomePage.objects.exists():
        return
    root = Page.objects.get(depth=1)
    plain_page_type = ContentType.objects.get(app_label="wagtailcore", model="page")
    welcome = Page.objects.filter(
        content_type=plain_page_type, depth=2, numchild=0, slug="home"
    ).first()
    last_child = Page.objects.filter(depth=2).order_by("-path").first()
    locale = welcome.locale if welcome else Locale.objects.order_by("pk").first()
    home_type, _ = ContentType.objects.get_or_create(app_label="blog", model="homepage")
    now = timezone.now()
    taken = Page.objects.filter(depth=2, slug="home")
    if welcome is not None:
        taken = taken.exclude(pk=welcome.pk)
    slug = "icmec-home" if taken.exists() else "home"

    home = HomePage.objects.create(
        title="Home",
        draft_title="Home",
        slug=slug,
        content_type=home_type,
        path=_next_child_path(root.path, last_child.path if last_child else None),
        depth=2,
        numchild=0,
        url_path=f"/{slug}/",
        locale=locale,
        translation_key=uuid.uuid4(),
        live=True,
        has_unpublished_changes=False,
        first_published_at=now,
        last_published_at=now,
        mission_heading="A world where children grow up safe from sexual exploitation",
        mission_statement=(
            "<p>We help the organisations that detect, report and prosecute child sexual "
            "exploitation work together.</p>"
        ),
    )
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="ICMEC Australia",
        )
    else:
        site.root_page = home
        site.site_name = site.site_name or "ICMEC Australia"
        site.save()
    if welcome is not None:
        welcome.delete()
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])


def remove_home_page(apps, schema_editor):
    # The welcome page is not worth restoring; leave the tree as it is.
    pass


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0003_site_pages"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_home_page, remove_home_page)]
