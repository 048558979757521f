"""Shared fixtures. Tests run against PostgreSQL: DATABASE_URL when set, else the embedded one."""

import os
import re

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
