"""Device calls off the UI thread: one worker thread, results handed back through Kivy's Clock."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)


class DeviceWorker:
    """Runs lock opens and printing one at a time (one serial bus, one printer) in order.

    ``submit(fn, on_done, on_error)`` returns at once; ``on_done(result)`` or
    ``on_error(exc)`` runs on the UI thread (``Clock.schedule_once``), never on the worker.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-device")
        self._pending = 0
        self._lock = threading.Lock()

    @property
    def pending(self) -> int:
        """Calls submitted whose callbacks have not run yet."""
        with self._lock:
            return self._pending

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> Future:
        from kivy.clock import Clock

        with self._lock:
            self._pending += 1

        def finish(future: Future) -> None:
            def deliver(_dt: float) -> None:
                with self._lock:
                    self._pending -= 1
                exc = future.exception()
                if exc is not None:
                    log.warning("device call failed: %s", exc)
                    on_error(exc)
                else:
                    on_done(future.result())

            Clock.schedule_once(deliver, 0)

        future = self._pool.submit(fn)
        future.add_done_callback(finish)
        return future

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
