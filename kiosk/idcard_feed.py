"""The ID card reader for a form: a worker thread polls the reader; a placed card fills name and ID."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from desk.identity_card import check_card, visitor_fields
from devices.idcard import IdCardReader
from devices.idcard_protocol import Fault, ReaderError

log = logging.getLogger(__name__)

QUIET = frozenset({Fault.NO_CARD})
"""Faults that are the normal state of an idle reader (nothing said)."""
OFFLINE = frozenset({Fault.PORT, Fault.NO_ANSWER})
"""The reader is missing: said once, then the visitor types (re-said when it comes back)."""


class CardFeed:
    """Polls ``reader`` every ``poll_s`` on its own thread while started.

    ``on_fields(fields)`` gets the visitor form's fields of a valid card (name, id_type,
    id_number; address/photo only if configured), ``on_message(text)`` the reason a card was
    refused or a fault. Both are passed through ``deliver`` (the UI thread's scheduler).
    """

    def __init__(
        self,
        reader: IdCardReader,
        on_fields: Callable[[dict[str, Any]], None],
        on_message: Callable[[str], None],
        deliver: Callable[[Callable[[], None]], None] = lambda fn: fn(),
        poll_s: float = 1.0,
        keep_address: bool = False,
        keep_photo: bool = False,
    ) -> None:
        self.reader = reader
        self.on_fields = on_fields
        self.on_message = on_message
        self.deliver = deliver
        self.poll_s = poll_s
        self.keep_address = keep_address
        self.keep_photo = keep_photo
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._reading = threading.Lock()
        """One poll at a time (an old thread finishing and a new one never share the port)."""
        self._last_fault: Fault | None = None
        self._last_card = ""
        """ID number of the card delivered last, until the reader reports no card."""

    @classmethod
    def from_settings(cls, settings: Any, **kw: Any) -> CardFeed | None:
        """A feed on ``[devices] id_reader_url`` ("sim" resolved), or None without a reader."""
        from devices.cli import idreader_url

        dev = settings.devices
        url = idreader_url(settings)
        if not url:
            return None
        reader = IdCardReader(url, dev.id_reader_baud)
        return cls(
            reader,
            poll_s=dev.id_reader_poll_s,
            keep_address=dev.id_keep_address,
            keep_photo=dev.id_keep_photo,
            **kw,
        )

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def start(self) -> CardFeed:
        self._last_card = ""  # a new form: a card lying on the reader fills it again
        if not self.running:
            self._stop = threading.Event()  # a thread still finishing keeps its own (set) event
            self._thread = threading.Thread(
                target=self._run, args=(self._stop,), name="idcard-feed", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop polling; returns at once (the UI never waits for a read in progress)."""
        self._stop.set()

    def join(self, timeout: float = 5.0) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def poll_once(self) -> None:
        """One find (and, with a card, one read); results go to the callbacks."""
        try:
            card = self.reader.read_card()
        except ReaderError as exc:
            self._fault(exc)
            return
        self._last_fault = None
        if card.id_number == self._last_card:  # readers that find a read card again: once is enough
            return
        self._last_card = card.id_number
        check = check_card(card)
        if not check.ok:
            self.deliver(lambda: self.on_message(check.message))
            return
        fields = visitor_fields(card, self.keep_address, self.keep_photo)
        self.deliver(lambda: self.on_fields(fields))

    def _fault(self, exc: ReaderError) -> None:
        fault = exc.fault
        if fault is Fault.NO_CARD:
            self._last_card = ""  # lifted: the same card placed again is read again
        if fault in QUIET:
            if self._last_fault in OFFLINE:
                self._last_fault = None
            return
        if fault in OFFLINE and self._last_fault in OFFLINE:
            return  # said once
        self._last_fault = fault
        log.warning("id card reader: %s", exc)
        text = fault.message + ("，请手动填写" if fault in OFFLINE else "")
        self.deliver(lambda: self.on_message(text))

    def _run(self, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                with self._reading:
                    if stop.is_set():
                        break
                    self.poll_once()
                stop.wait(self.poll_s)
        finally:
            with self._reading:
                if self._stop.is_set():
                    self.reader.close()
