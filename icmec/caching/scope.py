"""What one request keeps for itself: the content version it runs under and the values computed
during it (when the site's caches are off, the only memo there is).

A request enters its scope in `request_scope()` (the public site's middleware does so); code
running outside any request (a Celery task, a management command, a test calling a selector)
has no scope and keeps nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RequestScope:
    # The content version this request reads, fixed once read (see `version.content_version`).
    content_version: str | None = None
    # Values computed once in this request (see `memo.cached_for_version`).
    values: dict[str, Any] = field(default_factory=dict)


_current: ContextVar[RequestScope | None] = ContextVar("request_cache_scope", default=None)


def current() -> RequestScope | None:
    """The scope of the request being served, or None outside a request."""
    return _current.get()


@contextmanager
def request_scope() -> Iterator[RequestScope]:
    """A fresh scope for the duration of one request (nested requests, such as Wagtail's
    previews rendered inside an admin request, get their own and give the outer one back)."""
    token = _current.set(RequestScope())
    try:
        yield _current.get()
    finally:
        _current.reset(token)
