"""The events app's part of a member's data export and erasure (see portal.privacy)."""

from __future__ import annotations

from typing import Any


def export_for_user(user: Any) -> list[dict[str, Any]]:
    """Every booking of the account, or made with its address."""
    from events import selectors

    return [
        {
            "event": booking.event.title,
            "starts": booking.event.start_at.isoformat(),
            "name": booking.name,
            "email": booking.email,
            "status": booking.status,
            "booked_at": booking.created_at.isoformat(),
            "cancelled_at": booking.cancelled_at.isoformat() if booking.cancelled_at else None,
        }
        for booking in selectors.bookings_of_person(user=user)
    ]


def erase_for_user(user: Any) -> None:
    from events.services.bookings import bookings_erase_for_user

    bookings_erase_for_user(user=user)
