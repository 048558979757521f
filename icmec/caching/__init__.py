"""The one caching layer of the site, shared by every app.

- `switch`: the `SITE_CACHES_ENABLED` setting, read by `enabled()` and nowhere else;
- `scope`: what one request keeps (the content version it read, values computed in it);
- `version`: the content version, which changes whenever published content does;
- `memo`: values kept in this process until the content version changes, or in the shared
  cache for a while;
- `fragments`: template fragment caches with a layer in this process's memory;
- `http`: the Cache-Control header that lets the proxy in front keep anonymous pages;
- `purge`: removing changed pages from that proxy (Wagtail's frontend cache).

This package sits below every app: it may import Django and Wagtail, never an app of the site.
"""

from icmec.caching.switch import enabled

__all__ = ["enabled"]
