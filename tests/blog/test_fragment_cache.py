"""The fragment cache tags with an in-memory layer in front of the shared cache."""

from django.core.cache import cache
from django.template import Context, Template
from django.test import RequestFactory

from icmec.caching.fragments import MemoryLRU

TEMPLATE = Template(
    "{% load fragment_cache %}"
    '{% fragmentcache 60 "greeting" version %}Hello {{ name }}{% endfragmentcache %}'
)


def render(name: str, version: str, *, preview: bool = False) -> str:
    request = RequestFactory().get("/")
    request.is_preview = preview
    return TEMPLATE.render(Context({"request": request, "name": name, "version": version}))


def test_a_fragment_is_kept_until_its_key_changes():
    assert render("Ada", "v1") == "Hello Ada"
    cache.clear()  # still in this process's memory
    assert render("Grace", "v1") == "Hello Ada"
    assert render("Grace", "v2") == "Hello Grace"


def test_previews_are_never_cached():
    assert render("Ada", "v3") == "Hello Ada"
    assert render("Grace", "v3", preview=True) == "Hello Grace"


def test_memory_is_bounded():
    memory = MemoryLRU(max_bytes=10)
    memory.set("a", "12345")
    memory.set("b", "12345")
    memory.get("a")  # recently used
    memory.set("c", "12345")

    assert memory.get("b") is None
    assert memory.get("a") == "12345"
    assert memory.get("c") == "12345"
    assert memory.size == 10
