"""Caching: Django's cache, the site's own caches (`icmec.caching`), the Cache-Control the proxy
in front obeys, and the purges sent to it when content is published."""

from icmec.settings.components.environment import env

# Redis when REDIS_URL is set (rate limits need a cache shared by every web process).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache, keeping one client per pool (see the module).
            "BACKEND": "icmec.django_internals.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="icmec"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The public site's own caches: fragment caches (shared cache and each process's memory), the
# in-process copies of sites, routes, navigation and counts, and search results. Pages render the
# same with them off; switch them off only to measure or debug the uncached site.
SITE_CACHES_ENABLED = env.bool("SITE_CACHES_ENABLED", default=True)
# Cached fragments of public pages expire after this; publishing invalidates them at once.
FRAGMENT_CACHE_TIMEOUT = env.int("FRAGMENT_CACHE_TIMEOUT", default=60 * 60)

# Anonymous public pages: browsers keep them briefly, a CDN or proxy longer (publishing purges).
PUBLIC_CACHE_MAX_AGE = env.int("PUBLIC_CACHE_MAX_AGE", default=60)
PUBLIC_CACHE_S_MAXAGE = env.int("PUBLIC_CACHE_S_MAXAGE", default=600)

# Wagtail's frontend cache purges published pages (and the listings that show them) from a CDN or
# caching proxy. Each backend is switched on by its own variables.
_PURGE_URL = env.str("FRONTEND_CACHE_PURGE_URL", default="")
_CLOUDFLARE_ZONE_ID = env.str("CLOUDFLARE_ZONE_ID", default="")
_CLOUDFRONT_DISTRIBUTION_ID = env.str("CLOUDFRONT_DISTRIBUTION_ID", default="")
# (name, the variable that switches it on, the backend)
_PURGE_BACKENDS = [
    # Varnish, Squid, nginx or any proxy that accepts HTTP PURGE requests.
    (
        "proxy",
        _PURGE_URL,
        {"BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend", "LOCATION": _PURGE_URL},
    ),
    (
        "cloudflare",
        _CLOUDFLARE_ZONE_ID,
        {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
            "ZONEID": _CLOUDFLARE_ZONE_ID,
            "BEARER_TOKEN": env.str("CLOUDFLARE_BEARER_TOKEN", default=""),
        },
    ),
    (
        "cloudfront",
        _CLOUDFRONT_DISTRIBUTION_ID,
        {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
            "DISTRIBUTION_ID": _CLOUDFRONT_DISTRIBUTION_ID,
        },
    ),
]
WAGTAILFRONTENDCACHE = {name: backend for name, switch, backend in _PURGE_BACKENDS if switch}
