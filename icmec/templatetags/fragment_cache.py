"""The `fragment_cache` tag library: `{% fragmentcache %}` and `{% pagefragmentcache %}`, the
fragment caches of `icmec.caching.fragments` (same arguments as Wagtail's `{% wagtailcache %}`
and `{% wagtailpagecache %}`). Django finds tag libraries in an app's `templatetags` package;
this one is the project package's, so every app's templates load it the same way."""

from __future__ import annotations

from django import template

from icmec.caching.fragments import MemoryFirstCacheNode, MemoryFirstPageCacheNode, cache_tag

register = template.Library()

register.tag("fragmentcache", cache_tag(MemoryFirstCacheNode, "endfragmentcache"))
register.tag("pagefragmentcache", cache_tag(MemoryFirstPageCacheNode, "endpagefragmentcache"))
