"""What several portal views share: a member looked up through the asker, the way back after a
form, a service's refusal as a message, and rows that a paginator slices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from portal import selectors
from portal.models import MemberProfile


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def profile_or_404(request: HttpRequest, public_id: UUID) -> MemberProfile:
    profile = selectors.profile_for_viewer(viewer=request.user, public_id=public_id)
    if profile is None:
        raise Http404("No such member.")
    return profile


def back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Back to the page the form was on (a local `next`), else to `fallback`.

    `next` is only ever a path on this site: never another host, never a view name (which
    `redirect()` would try to reverse), never a control character.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and target.isprintable()
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return HttpResponseRedirect(target)
    return redirect(fallback)


class RowsBySlice:
    """Rows fetched a page at a time by `fetch(offset, limit)` (a raw query, or rows finished in
    Python), as `icmec.pagination.CountedPaginator` slices them: only the page asked for is
    read."""

    def __init__(self, fetch: Callable[[int, int], list[Any]]) -> None:
        self._fetch = fetch

    def __getitem__(self, bounds: slice) -> list[Any]:
        return self._fetch(bounds.start, bounds.stop - bounds.start)
