"""Wagtail's fragment cache tags with a layer in this process's memory in front of the shared
cache (Redis): a fragment used on every request is read from memory, not fetched.

`{% fragmentcache %}` and `{% pagefragmentcache %}` take the same arguments as Wagtail's
`{% wagtailcache %}` and `{% wagtailpagecache %}` and skip the cache in previews, as they do. Only
use them with keys that change when the content does (the content version): a fragment kept in
memory is never invalidated otherwise, only pushed out when memory is full.

With the caches switched off (`icmec.caching.enabled()`), both layers are skipped and the
fragment is rendered every time. The template tags are registered by the `fragment_cache` tag
library (`{% load fragment_cache %}`), which only names these nodes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from django import template
from django.core.cache.utils import make_template_fragment_key
from wagtail.models import Site
from wagtail.templatetags.wagtail_cache import WagtailCacheNode, WagtailPageCacheNode

from icmec.caching.switch import enabled

MAX_BYTES = 32 * 1024 * 1024  # per process


class MemoryLRU:
    """Rendered fragments by key, the least recently used dropped past `max_bytes` (counted in
    characters) so that memory stays bounded however many keys the content versions make."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.items: OrderedDict[str, str] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def set(self, key: str, value: str) -> None:
        with self.lock:
            if key in self.items:
                return
            self.items[key] = value
            self.size += len(value)
            while self.size > self.max_bytes and self.items:
                _, dropped = self.items.popitem(last=False)
                self.size -= len(dropped)


memory = MemoryLRU(MAX_BYTES)


class _MemoryFirst:
    def render(self, context):
        if not enabled():
            return self.nodelist.render(context)
        request = context.get("request")
        if request is None or getattr(request, "is_preview", False):
            return super().render(context)
        key = self._memory_key(context)
        value = memory.get(key)
        if value is None:
            value = super().render(context)  # from the shared cache, or rendered and stored
            memory.set(key, value)
        return value

    def _memory_key(self, context) -> str:
        vary_on = [variable.resolve(context) for variable in self.vary_on]
        return make_template_fragment_key(self.fragment_name, vary_on)


class MemoryFirstCacheNode(_MemoryFirst, WagtailCacheNode):
    pass


class MemoryFirstPageCacheNode(_MemoryFirst, WagtailPageCacheNode):
    def _memory_key(self, context) -> str:
        # The page tag varies on the site too, which it puts in the context while rendering.
        site = Site.find_for_request(context["request"])
        with context.update({self.CACHE_SITE_TEMPLATE_VAR: site}):
            return super()._memory_key(context)


def cache_tag(node_class: type[template.Node], end_tag: str) -> Callable:
    """The parser of Django's {% cache %}, for these nodes."""

    def compile_tag(parser, token):
        nodelist = parser.parse((end_tag,))
        parser.delete_first_token()
        tokens = token.split_contents()
        if len(tokens) < 3:
            raise template.TemplateSyntaxError(f"'{tokens[0]}' tag requires at least 2 arguments.")
        cache_name = None
        if len(tokens) > 3 and tokens[-1].startswith("using="):
            cache_name = parser.compile_filter(tokens[-1][len("using=") :])
            tokens = tokens[:-1]
        return node_class(
            nodelist,
            parser.compile_filter(tokens[1]),
            tokens[2],
            [parser.compile_filter(bit) for bit in tokens[3:]],
            cache_name,
        )

    return compile_tag
