"""Blocks between members: who may not see or reach whom."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from portal.models import Block, User


def is_blocked_either_way(user: User, other: User) -> bool:
    return Block.objects.filter(
        Q(blocker=user, blocked=other) | Q(blocker=other, blocked=user)
    ).exists()


def blockers_of(user: User) -> QuerySet[Block, Any]:
    """Ids of the members who blocked `user` (as a subquery): `user` sees nothing of them, not
    even the conversation they had."""
    return Block.objects.filter(blocked=user).values("blocker")
