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
