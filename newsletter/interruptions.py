"""Let a batch finish the message in flight before its process is terminated.

Celery terminates a pool process with SIGTERM when it cancels the task running there (on a lost
broker connection, see `CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS`, or when
staff revoke it with `terminate=True`). Terminated between the SMTP server accepting a message
and the row being marked sent, a batch would leave that row to be sent again: a duplicate.
`DeferredTermination` holds SIGTERM while a batch runs; the batch asks `requested` after each
message is recorded, gives the rest of its rows back, and the process then terminates as asked.
Only SIGKILL (nothing can catch it) still has the window of one message.
"""

from __future__ import annotations

import os
import signal
import threading
from types import FrameType
from typing import Any


class DeferredTermination:
    """A `with` block during which SIGTERM is recorded instead of acted on.

    On leaving the block the previous handler is put back and, if SIGTERM arrived meanwhile, it
    is raised again so the process ends as its parent asked. Outside the main thread (where
    Python cannot install signal handlers) the block does nothing.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None
        self._installed = False

    def _record(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True

    def __enter__(self) -> DeferredTermination:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGTERM, self._record)
            self._installed = True
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self._installed:
            return
        signal.signal(signal.SIGTERM, self._previous)
        self._installed = False
        if self.requested:
            os.kill(os.getpid(), signal.SIGTERM)
