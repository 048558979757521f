"""The heartbeat that keeps a batch's lease on the deliveries it claimed while it sends.

A thread renews the lease every third of `NEWSLETTER_LEASE_SECONDS`, with its own database
connection, so that a slow server (one SMTP reply may take up to `EMAIL_TIMEOUT`) never lets the
lease of a live batch expire; when the worker dies, the renewals stop with it and the sweeper
gives the rows to another batch once the lease has run out.
"""

from __future__ import annotations

import logging
import threading
import uuid

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)


def renew(*, owner: uuid.UUID, delivery_ids: list[int]) -> int:
    """Extend the lease of `owner` on those of `delivery_ids` it still holds. Returns how many."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE newsletter_delivery
            SET lease_expires_at = now() + make_interval(secs => %s)
            WHERE id = ANY(%s) AND status = 'sending' AND lease_owner = %s
            """,
            [settings.NEWSLETTER_LEASE_SECONDS, delivery_ids, owner],
        )
        return cursor.rowcount


class Heartbeat:
    """Renews a lease in the background for the duration of a `with` block."""

    def __init__(self, *, owner: uuid.UUID, delivery_ids: list[int]) -> None:
        self.owner = owner
        self.delivery_ids = delivery_ids
        self.interval = settings.NEWSLETTER_LEASE_SECONDS / 3
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Heartbeat:
        # Inside an enclosing transaction (a test's) the claim is not visible to other
        # sessions, and the thread's renewals would wait for that transaction's locks.
        if not connection.in_atomic_block:
            self._thread = threading.Thread(
                target=self._run, name=f"lease-{self.owner}", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    renew(owner=self.owner, delivery_ids=self.delivery_ids)
                except Exception:  # the database may be briefly away: try again next beat
                    logger.exception("Could not renew the lease %s", self.owner)
                    connection.close()
        finally:
            connection.close()
