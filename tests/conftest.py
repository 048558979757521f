"""Shared fixtures. Tests run against PostgreSQL: DATABASE_URL when set, else the embedded one.

Each fixture here means one thing across the suite (docs/testing.md lists them):
`home`, `member`, `member_client`, `staff`, `staff_client`, `module_live_server` and `live_site`.
An app's conftest adds only what is its own (`peer`, `reviewer`, `editor`...), never another
meaning for one of these names.
"""

import os
import re
from types import SimpleNamespace

import pytest


def _redis_database_of_this_process() -> None:
    """Give each pytest-xdist process its own Redis database number.

    Tests that use Redis (the broker of real worker processes, the health check) flush the
    database they were given; two processes sharing one would flush each other's queues. REDIS_URL
    names the first process's database; process gwN uses that number plus N. Django's settings
    were read before this runs, and no test setting reads REDIS_URL: fixtures read it when used.
    """
    process = os.environ.get("PYTEST_XDIST_WORKER", "")
    url = os.environ.get("REDIS_URL", "")
    if not process.startswith("gw") or not url:
        return
    offset = int(process[2:])
    match = re.match(r"^(?P<server>redis://[^/]+)(?:/(?P<db>\d+))?(?P<rest>.*)$", url)
    if match is None:
        return
    number = int(match["db"] or 0) + offset
    os.environ["REDIS_URL"] = f"{match['server']}/{number}{match['rest']}"


_redis_database_of_this_process()


def pytest_collection_modifyitems(items):
    """Modules marked `slow` run first.

    `make test` spreads the modules over parallel processes (pytest-xdist, `--dist loadscope`),
    handing them out in collection order: a long module handed out last would keep one process
    busy after the others are done. The sort is stable, so the order is otherwise unchanged.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session", autouse=True)
def _flush_keeps_the_site_baseline():
    """A transactional test's flush leaves what the data migrations made, as every test expects.

    Django empties every table after a transactional test (the browser journeys, the live
    servers, the worker tests), which removes Wagtail's root page and collection, the home page,
    the site, the staff groups and the workflow that migrations made. Whichever test a parallel
    process runs next would find none of them. The flush ends with `post_migrate`, as `migrate`
    does; once the last app has had it (permissions exist by then), the baseline is put back.
    """
    from django.apps import apps
    from django.db.models.signals import post_migrate

    from tests.factories.blog import ensure_site_baseline

    last_app = list(apps.get_app_configs())[-1]

    def restore(sender, using, **kwargs):
        from django.db import transaction

        with transaction.atomic(using=using):
            ensure_site_baseline()

    post_migrate.connect(restore, sender=last_app, dispatch_uid="tests-site-baseline")
    yield
    post_migrate.disconnect(sender=last_app, dispatch_uid="tests-site-baseline")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test writes uploads and renditions to its own folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix, django_db_createdb, request, tmp_path_factory
):
    """Under pytest-xdist with `--create-db`, every process copies one migrated template.

    Migrating a test database takes about 25 s of CPU (Wagtail's and allauth's migrations are
    most of it). The first process to get here migrates `<test database>_template` once for the
    session (the others wait on a lock); each then creates its own database from that template
    (PostgreSQL copies the files), and Django's own migrate on it finds nothing left to do.
    """
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    if not worker or not django_db_createdb:
        return
    import fcntl
    import subprocess
    import sys

    import psycopg
    from django.conf import settings

    from tests.fixtures.worker import database_url
    from tests.utils import ROOT

    database = settings.DATABASES["default"]
    name = database["TEST"]["NAME"]
    template = name.removesuffix(f"_{worker}") + "_template"
    shared = tmp_path_factory.getbasetemp().parent
    with (shared / "template-database.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ready = shared / "template-database.ready"
        if not ready.exists():
            server = {**database, "NAME": "postgres"}
            with psycopg.connect(database_url(server), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{template}"')
            env = {
                **os.environ,
                "DATABASE_URL": database_url({**database, "NAME": template}),
                "DJANGO_SETTINGS_MODULE": "icmec.settings.test",
            }
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
                cwd=ROOT,
                env=env,
                check=True,
            )
            ready.touch()
    database["TEST"]["TEMPLATE"] = template


@pytest.fixture
def home(db):
    """The site's home page, as the data migrations made it (restored after every flush)."""
    from blog.models import HomePage

    return HomePage.objects.get()


@pytest.fixture
def member(db):
    """An approved member with a profile, in the Members group."""
    from tests.factories.portal import MemberFactory

    return MemberFactory(first_name="Amelia", last_name="Chen", email="amelia@example.org")


@pytest.fixture
def member_client(client, member):
    """The test client, signed in as `member`."""
    client.force_login(member)
    return client


@pytest.fixture
def staff(db):
    """The suite's staff user: `is_staff`, a verified email, an authenticator app (the admin
    asks for a second factor), in the Newsletter editors group (enters the admin, edits and
    sends issues, manages subscribers). Other kinds have names of their own (`editor`,
    `moderator`, `reviewer`), all made by `StaffFactory`."""
    from tests.factories.accounts import StaffFactory

    return StaffFactory(
        newsletter_editor=True,
        mfa=True,
        email="editor@example.org",
        first_name="Edith",
        last_name="Editor",
    )


@pytest.fixture
def staff_client(client, staff):
    """The test client, signed in as `staff` with the second factor passed."""
    from tests.factories.accounts import login_staff

    login_staff(client, staff)
    return client


@pytest.fixture(scope="module")
def module_live_server(django_db_setup, live_server, django_db_blocker, tmp_path_factory):
    """The live server, for a module whose data is made once and shared by its tests.

    pytest-django makes every test that uses `live_server` transactional: all tables are emptied
    after each test, which takes seconds on this database. A module of many read-only browser
    checks builds its data once instead (in its `live_site_data` fixture), and the tables are
    emptied once, when the module ends. Such a module overrides pytest-django's autouse
    `_live_server_helper` (which asks for `transactional_db`) with a fixture that does nothing
    (and the project's `_media_root` too, when its pages show images made once), and its tests
    must not use `db`, `transactional_db` or a `django_db` mark.
    """
    from django.core.management import call_command
    from django.test.utils import override_settings

    from tests.factories.blog import ensure_site_baseline

    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    with django_db_blocker.unblock(), media:
        # The module's data is committed before its first test, outside any test's transaction,
        # and outlives the flushes of whatever ran before it in this process. The post_migrate
        # receiver above restores the baseline after each flush; this one idempotent call makes
        # sure of it at the moment the data is built (say, a reused database left by a run that
        # stopped between a flush and its post_migrate).
        ensure_site_baseline()
        try:
            yield live_server
        finally:
            call_command("flush", interactive=False, verbosity=0)


class LiveSite(SimpleNamespace):
    """A live server's address (`base`) and what its module built for it (one attribute each)."""

    base: str


@pytest.fixture(scope="module")
def live_site_data():
    """What a module builds behind its live server: override it in the module (module-scoped,
    asking for `module_live_server`) and return a dict; its keys become `live_site` attributes."""
    return {}


@pytest.fixture(scope="module")
def live_site(module_live_server, live_site_data):
    """The module's live site: `.base` is its address, the rest is the module's `live_site_data`."""
    return LiveSite(base=module_live_server.url, **live_site_data)
