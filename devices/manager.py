"""The devices facade the kiosk uses: printer, print queue and lock boards built from settings."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from devices import sensing
from devices.compartments import CompartmentMap
from devices.escpos_doc import EscposDoc
from devices.events import EventHub, Listener
from devices.links import SerialLink
from devices.lock_protocols import get_protocol
from devices.locks import OpenResult, SerialLockBoards
from devices.print_queue import BACKOFF, PrintQueue, PrintStore, void_strip
from devices.printer import ReceiptPrinter, make_connection

log = logging.getLogger(__name__)


def sim_dir(settings: Any) -> Path:
    """Directory of the simulator's ptys, control socket and receipts."""
    dev = settings.devices
    return Path(dev.sim_dir) if dev.sim_dir else Path(settings.store.data_dir) / "sim"


def resolve_urls(settings: Any) -> tuple[str, str]:
    """Printer and lock-bus URLs with "sim" replaced by the simulator's pty paths."""
    dev = settings.devices
    printer, locks = dev.printer_url, dev.lock_bus_url
    if "sim" in (printer, locks):
        from devices.sim.host import attach_or_start

        sim_printer, sim_locks = attach_or_start(
            sim_dir(settings),
            CompartmentMap(dev.compartments),
            encoding=dev.printer_encoding,
            paper_mm=dev.paper_width_mm,
            lock_protocol=dev.lock_protocol,
            lock_answer_delay=dev.sim_lock_answer_ms / 1000,
            person_s=dev.sim_person_s,
        )
        printer = sim_printer if printer == "sim" else printer
        locks = sim_locks if locks == "sim" else locks
    return printer, locks


def _in_process_control(directory: Path, command: str) -> str:
    """A control command to the simulator started in this process (no socket needed)."""
    from devices.sim.host import in_process_host

    host = in_process_host(directory)
    return host.control(command) if host is not None else ""


class Devices:
    """Everything on the serial side, reporting to listeners; never imports the UI."""

    def __init__(self, settings: Any, store: PrintStore | None = None, desk: Any = None) -> None:
        """``store``: the print queue's records (desk.printing); ``desk``: the core, for the
        SMS senders when this process runs them."""
        self.settings = settings
        dev = settings.devices
        self.hub = EventHub()
        self.compartments = CompartmentMap(dev.compartments)
        printer_url, locks_url = resolve_urls(settings)
        self.printer_url, self.locks_url = printer_url, locks_url
        self.printer = ReceiptPrinter(
            lambda: make_connection(printer_url, dev.printer_baud, dev.status_timeout_s),
            self.hub,
            status_timeout=dev.status_timeout_s,
            baud=dev.printer_baud,
        )
        self.locks = SerialLockBoards(
            get_protocol(dev.lock_protocol),
            lambda: SerialLink.open(locks_url, dev.lock_baud),
            self.compartments,
            self.hub,
            timeout=dev.lock_timeout_s,
            retries=dev.lock_retries,
        )
        self.queue = (
            PrintQueue(
                store,
                self.printer,
                self.hub,
                dev.print_poll_s,
                void_strip(dev.printer_encoding, dev.paper_width_mm),
                render=requested_receipt(settings, getattr(store, "record", None)),
            )
            if store
            else None
        )
        self.notices = self._notice_workers(settings, desk)
        self._stop = threading.Event()
        self._monitor: threading.Thread | None = None

    def seed_simulator(self, occupied: Iterable[str]) -> None:
        """Demo: the simulated compartments hold what the records say (stored parcels, keys in
        their slots), so the simulated person takes a parcel out rather than putting one in."""
        from devices.sim.host import send_control

        dev = self.settings.devices
        if dev.sim_person_s <= 0 or "sim" not in (dev.printer_url, dev.lock_bus_url):
            return
        directory = sim_dir(self.settings)
        for name in occupied:
            if name in self.compartments:
                send_control(directory, f"put {name}") or _in_process_control(
                    directory, f"put {name}"
                )

    @staticmethod
    def _notice_workers(settings: Any, desk: Any) -> list[Any]:
        """The SMS senders (one per modem), when this process runs them ([notices] run_in_kiosk)."""
        notices = getattr(settings, "notices", None)
        if desk is None or not hasattr(desk, "settings") or notices is None:
            return []
        if notices.modem == "off" or not notices.run_in_kiosk:
            return []
        from devices.notice_worker import senders_for

        return senders_for(desk, settings)

    # -- API ----------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Receive every DeviceEvent (on device threads: the kiosk must hop to its UI thread)."""
        return self.hub.subscribe(listener)

    def new_doc(self) -> EscposDoc:
        """An empty receipt laid out for this printer's paper and encoding."""
        dev = self.settings.devices
        return EscposDoc(dev.paper_width_mm, dev.printer_encoding, dev.qr_native)

    def print(self, kind: str, number: str, payload: bytes) -> Any:
        """Queue a receipt (persisted); returns the PrintJob."""
        if self.queue is None:
            raise RuntimeError("Devices was built without a store: no print queue")
        return self.queue.submit(kind, number, payload)

    def open(self, name: str) -> OpenResult:
        """Open a compartment by its label and confirm it."""
        return self.locks.open(name)

    def lamp(self, name: str, on: bool = True) -> bool:
        """Light a compartment's lamp where the board has lamps (False where it has none)."""
        return self.locks.lamp(name, on)

    def watch_pickup(
        self, name: str, on_alert: Callable[[str, float], None] | None = None
    ) -> sensing.DoorWatch:
        """After a pickup opened ``name``: wait for its door to be shut and read its sensor
        (blocks up to ``pickup_close_timeout_s``; the guard alert at ``door_open_alert_s``)."""
        dev = self.settings.devices
        return sensing.watch_pickup(
            self.locks, name, dev.pickup_close_timeout_s, dev.door_open_alert_s, on_alert=on_alert
        )

    def wait_key_returned(self, name: str) -> sensing.SensorWait:
        """K2: wait (up to ``key_return_timeout_s``) for the slot's sensor to see the key."""
        return sensing.wait_key_returned(
            self.locks, name, self.settings.devices.key_return_timeout_s
        )

    def confirm_loaded(self, name: str) -> sensing.SensorWait:
        """P1: wait (up to ``intake_timeout_s``) for the compartment's sensor to see the parcel."""
        return sensing.confirm_loaded(self.locks, name, self.settings.devices.intake_timeout_s)

    # -- lifetime -----------------------------------------------------------
    def start(self) -> Devices:
        """Connect, start the print queue and the reconnect monitor."""
        self.printer.status()
        self.locks.connect()
        if self.queue:
            self.queue.start()
        if self.notices:
            from devices.notice_worker import start_all

            start_all(self.notices, self.hub)
        self._stop.clear()
        self._monitor = threading.Thread(target=self._watch, name="devices-monitor", daemon=True)
        self._monitor.start()
        return self

    def stop(self) -> None:
        """Stop threads and close ports (queued jobs stay in the store)."""
        self._stop.set()
        if self.queue:
            self.queue.stop()
        for worker in self.notices or ():
            worker.stop()
        if self._monitor:
            self._monitor.join(3)
        self.printer.close()
        self.locks.close()

    def _watch(self) -> None:
        """Poll both devices: every second when online, with backoff (<= 1 s) when offline."""
        misses = {"printer": 0, "locks": 0}
        boards = self.compartments.boards()
        while not self._stop.is_set():
            if self.queue is None or not self.queue.pending():
                st = self.printer.status()
                misses["printer"] = misses["printer"] + 1 if not st.answered else 0
                if st.answered and self.queue:
                    self.queue.kick()
            if boards:
                ok = self.locks.board_states(boards[0]) is not None
                misses["locks"] = 0 if ok else misses["locks"] + 1
            worst = max(misses.values())
            delay = BACKOFF[min(worst - 1, len(BACKOFF) - 1)] if worst else 1.0
            self._stop.wait(delay)


def requested_receipt(settings: Any, lookup: Any) -> Any:
    """Lays out a receipt another process asked for by record number (no bytes in the job)."""
    if lookup is None:
        return None

    def render(job: Any) -> bytes:
        from devices.receipts import DISPATCH_SLIP, dispatch_slip, receipt_for

        record = lookup(job.record)
        if record is None:
            raise ValueError(f"no record {job.record}")
        if job.receipt == DISPATCH_SLIP:
            return dispatch_slip(record, settings)
        return receipt_for(record, settings, lookup)[1]

    return render
