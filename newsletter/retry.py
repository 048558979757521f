"""The retry policy of sending, in one place.

A temporary refusal of one recipient (4xx) and a mail server that cannot be reached are retried
with exponential backoff (base, 2x base, 4x base... capped at `NEWSLETTER_RETRY_MAX_SECONDS`);
a recipient keeps being retried until the waits add up to `NEWSLETTER_RETRY_FOR_SECONDS`
(24 hours), then the delivery is recorded as failed (temporarily: staff may resend it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float
    max_seconds: float
    retry_for_seconds: float

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (0 for the first)."""
        # The exponent is bounded so that a very high attempt count cannot overflow.
        return min(self.max_seconds, self.base_seconds * (2 ** min(max(0, attempt), 60)))

    def waited(self, attempts: int) -> float:
        """Seconds of backoff behind a recipient after `attempts` temporary refusals."""
        total = 0.0
        for attempt in range(attempts):
            step = self.delay(attempt)
            if step >= self.max_seconds:
                return total + step * (attempts - attempt)
            total += step
        return total

    def gives_up(self, attempts: int) -> bool:
        """After `attempts` temporary refusals, is it time to stop trying?"""
        return self.waited(attempts) >= self.retry_for_seconds


def policy() -> RetryPolicy:
    return RetryPolicy(
        base_seconds=settings.NEWSLETTER_RETRY_BASE_SECONDS,
        max_seconds=settings.NEWSLETTER_RETRY_MAX_SECONDS,
        retry_for_seconds=settings.NEWSLETTER_RETRY_FOR_SECONDS,
    )
