"""Where the page types find the view-layer work Wagtail asks of them: their context, their
sub-routes and the extra addresses a frontend cache may hold.

A page's context lists posts and the blog index's routes serve filtered listings and feeds: that
needs the selectors and the feeds, which models may not import (CONVENTIONS.md). So the page types
keep Wagtail's entry points (`get_context`, `serve`, `route`, their `@path` routes,
`get_cached_paths`) and look up here what to call; `blog.views.pages` registers those functions
from `BlogConfig.ready()`, the way higher apps register their exporters in `portal.privacy`.

A page type finds what was registered for it or for the nearest of its bases.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from wagtail.models import Page

# (page, request, **the keyword arguments Wagtail passed to get_context) -> values to add
ContextBuilder = Callable[..., Mapping[str, Any]]
# (page, request, **the route's arguments) -> the response
RouteHandler = Callable[..., HttpResponse]
# (page) -> addresses below the page's own, each starting with "/"
CachedPaths = Callable[[Any], list[str]]

_Function = TypeVar("_Function", bound=Callable[..., Any])

_context_builders: dict[type[Page], ContextBuilder] = {}
_route_handlers: dict[tuple[type[Page], str], RouteHandler] = {}
_cached_paths: dict[type[Page], CachedPaths] = {}


def register_context(page_type: type[Page], builder: ContextBuilder) -> None:
    """Let `builder` add to the context of `page_type` (and of its subclasses)."""
    _context_builders[page_type] = builder


def register_route(page_type: type[Page], name: str, handler: RouteHandler) -> None:
    """Let `handler` serve the route called `name` of `page_type`."""
    _route_handlers[(page_type, name)] = handler


def register_cached_paths(page_type: type[Page], paths: CachedPaths) -> None:
    """Let `paths` list the sub-addresses of `page_type` that a frontend cache may hold."""
    _cached_paths[page_type] = paths


def _nearest(
    table: Mapping[Any, _Function], page_type: type, key: Callable[[type], Any]
) -> _Function | None:
    for cls in page_type.__mro__:
        found = table.get(key(cls))
        if found is not None:
            return found
    return None


def context_builder_for(page_type: type[Page]) -> ContextBuilder | None:
    """The builder of this page type's context; `None` when its template needs nothing more."""
    return _nearest(_context_builders, page_type, lambda cls: cls)


def route_handler_for(page_type: type[Page], name: str) -> RouteHandler:
    """The handler of a route. A route without one is a wiring mistake, reported as such rather
    than as a 404 or an empty page."""
    handler = _nearest(_route_handlers, page_type, lambda cls: (cls, name))
    if handler is None:
        raise ImproperlyConfigured(
            f"No handler registered for route {name!r} of {page_type.__name__} "
            "(blog.views.pages.register, called from BlogConfig.ready())."
        )
    return handler


def cached_paths_for(page_type: type[Page]) -> CachedPaths | None:
    return _nearest(_cached_paths, page_type, lambda cls: cls)


def build_context(page: Page, request: HttpRequest, **kwargs: Any) -> Mapping[str, Any]:
    """The values the view layer adds to this page's context (none if nothing is registered)."""
    builder = context_builder_for(type(page))
    return {} if builder is None else builder(page, request, **kwargs)


def serve_route(page: Page, name: str, request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """Serve one of the page's routes with the handler registered for it."""
    return route_handler_for(type(page), name)(page, request, **kwargs)


def registered_page_types() -> set[type[Page]]:
    """Every page type something was registered for (what the tests check `ready()` filled)."""
    return {
        *_context_builders,
        *(page_type for page_type, _name in _route_handlers),
        *_cached_paths,
    }
