"""The simulator host: a virtual printer and virtual lock boards on ptys, with a control socket."""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime
from pathlib import Path

from devices.compartments import CompartmentMap
from devices.sim import render
from devices.sim.pty_device import PtyDevice
from devices.sim.virtual_idreader import VirtualIdReader, sample_cards
from devices.sim.virtual_locks import VirtualLockBus
from devices.sim.virtual_printer import Receipt, VirtualPrinter

log = logging.getLogger(__name__)

HELP = """commands: ping | state | quit | paper out | paper low | paper in | cover open | cover close
 printer silent | printer ok | locks silent | locks garbage | locks ok
 jam NAME | unjam NAME | close NAME | put NAME | take NAME | person SECONDS (0: off)
 unplug printer|locks|idreader | plug printer|locks|idreader
 card place [resident|expired|longterm|hmt|foreign2017|foreign2023] | card remove
 idreader silent | idreader garbage | idreader checksum | idreader removing | idreader sam | idreader ok"""


class SimHost:
    """Owns the virtual devices; ``printer_path`` and ``locks_path`` are opened like real ports."""

    def __init__(
        self,
        directory: Path,
        compartments: CompartmentMap,
        encoding: str = "gb18030",
        paper_mm: int = 80,
        lock_protocol: str = "kerong",
        printer_baud: int | None = None,
        lock_baud: int | None = None,
        lock_answer_delay: float = 0.005,
        person_s: float = 0.0,
    ) -> None:
        self.directory = Path(directory)
        self.compartments = compartments
        self.paper_mm = paper_mm
        self.receipt_dir = self.directory / "receipts"
        self.printer = VirtualPrinter(encoding, on_receipt=self._save_receipt)
        boards = tuple(compartments.boards()) or (1,)
        self.locks = VirtualLockBus(lock_protocol, boards, person_s=person_s)
        self.printer_dev = PtyDevice(
            "printer", self.printer.feed, self.directory / "printer", printer_baud
        )
        self.locks_dev = PtyDevice(
            "locks", self.locks.feed, self.directory / "locks", lock_baud, lock_answer_delay
        )
        self.idreader = VirtualIdReader()
        self.idreader_dev = PtyDevice("idreader", self.idreader.feed, self.directory / "idreader")
        self.saved: list[Path] = []
        self.stopped = threading.Event()
        """Set by the "quit" command (``reception sim`` then exits)."""
        self._sock: socket.socket | None = None
        self._count = 0

    @property
    def printer_path(self) -> str:
        """Stable path of the virtual printer."""
        return str(self.printer_dev.link)

    @property
    def locks_path(self) -> str:
        """Stable path of the virtual lock bus."""
        return str(self.locks_dev.link)

    @property
    def idreader_path(self) -> str:
        """Stable path of the virtual ID card reader."""
        return str(self.idreader_dev.link)

    @property
    def control_path(self) -> Path:
        """Unix socket taking control commands."""
        return self.directory / "control.sock"

    def start(self, control: bool = True) -> SimHost:
        """Plug both devices in (and serve the control socket)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.printer_dev.plug()
        self.locks_dev.plug()
        self.idreader_dev.plug()
        if control:
            self._serve_control()
        return self

    def stop(self) -> None:
        """Unplug everything."""
        self.printer_dev.unplug()
        self.locks_dev.unplug()
        self.idreader_dev.unplug()
        if self._sock:
            self._sock.close()
            self._sock = None
            if self.control_path.exists():
                self.control_path.unlink()

    def _save_receipt(self, receipt: Receipt) -> None:
        self._count += 1
        stem = datetime.now().strftime("%Y%m%d-%H%M%S") + f"-{self._count:03d}"
        dots = 384 if self.paper_mm == 58 else 576

        def save() -> None:  # off the port thread: rendering must not stall the printer
            png, _ = render.save(receipt, self.receipt_dir, stem, dots)
            self.saved.append(png)
            log.info("sim printer: receipt saved to %s", png)

        threading.Thread(target=save, name="sim-render", daemon=True).start()

    # -- control ------------------------------------------------------------
    def control(self, command: str) -> str:
        """Run one text command (see HELP); returns a one-line answer."""
        words = command.strip().split(maxsplit=1)
        if not words:
            return HELP
        verb, arg = words[0].lower(), (words[1] if len(words) > 1 else "")
        p, lk = self.printer, self.locks

        def locks_ok() -> None:
            lk.silent = lk.garbage = False

        simple = {
            ("paper", "out"): lambda: setattr(p, "paper_out", True),
            ("paper", "low"): lambda: setattr(p, "near_end", True),
            ("paper", "in"): p.change_paper,
            ("cover", "open"): lambda: setattr(p, "cover_open", True),
            ("cover", "close"): lambda: setattr(p, "cover_open", False),
            ("printer", "silent"): lambda: setattr(p, "silent", True),
            ("printer", "ok"): lambda: setattr(p, "silent", False),
            ("locks", "silent"): lambda: setattr(lk, "silent", True),
            ("locks", "garbage"): lambda: setattr(lk, "garbage", True),
            ("locks", "ok"): locks_ok,
            ("unplug", "printer"): self.printer_dev.unplug,
            ("plug", "printer"): self.printer_dev.plug,
            ("unplug", "locks"): self.locks_dev.unplug,
            ("plug", "locks"): self.locks_dev.plug,
            ("unplug", "idreader"): self.idreader_dev.unplug,
            ("plug", "idreader"): self.idreader_dev.plug,
            ("card", "remove"): self.idreader.remove,
            ("idreader", "silent"): lambda: setattr(self.idreader, "silent", True),
            ("idreader", "garbage"): lambda: setattr(self.idreader, "garbage", True),
            ("idreader", "checksum"): lambda: setattr(self.idreader, "bad_checksum", True),
            ("idreader", "removing"): lambda: setattr(self.idreader, "remove_mid_read", True),
            ("idreader", "sam"): lambda: setattr(self.idreader, "sam_fault", True),
            ("idreader", "ok"): self.idreader.ok,
        }
        if verb == "ping":
            return "pong"
        if verb in ("quit", "exit"):
            self.stopped.set()
            return "bye"
        if verb == "help":
            return HELP
        if verb == "state":
            opened = [c.name for c in self.compartments if lk.is_open(c.board, c.lock)]
            items = [c.name for c in self.compartments if lk.boards[c.board][c.lock].item]
            return (
                f"printer paper_out={p.paper_out} cover_open={p.cover_open} silent={p.silent} "
                f"receipts={len(p.receipts)} | locks open={opened} items={items} "
                f"silent={lk.silent} garbage={lk.garbage}"
            )
        if verb == "card" and arg.lower().startswith("place"):
            name = (arg.split()[1:] or ["resident"])[0].lower()
            if name not in sample_cards():
                return f"error: no sample card {name}; {sorted(sample_cards())}"
            self.idreader.place(name)
            return "ok"
        if (verb, arg.lower()) in simple:
            simple[verb, arg.lower()]()
            return "ok"
        if verb == "person":
            try:
                lk.person_s = max(0.0, float(arg or 0))
            except ValueError:
                return "error: person SECONDS"
            return "ok"
        if verb in ("jam", "unjam", "close", "put", "take") and arg:
            try:
                c = self.compartments[arg]
            except KeyError:
                return f"error: no compartment {arg}"
            if verb in ("jam", "unjam"):
                lk.jam(c.board, c.lock, verb == "jam")
            elif verb == "close":
                lk.close(c.board, c.lock)
            else:
                lk.set_item(c.board, c.lock, verb == "put")
            return "ok"
        return "error: unknown command; " + HELP

    def _serve_control(self) -> None:
        path = self.control_path
        if path.exists() or path.is_symlink():
            path.unlink()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(str(path))
        os.chmod(path, 0o600)
        sock.listen(4)
        self._sock = sock

        def serve() -> None:
            while True:
                try:
                    conn, _ = sock.accept()
                except OSError:
                    return
                with conn:
                    data = conn.recv(1024).decode("utf-8", "replace")
                    conn.sendall(self.control(data).encode("utf-8"))

        threading.Thread(target=serve, name="sim-control", daemon=True).start()


def send_control(directory: Path, command: str, timeout: float = 2.0) -> str | None:
    """Send a command to a running ``reception sim``; None when none is running."""
    path = Path(directory) / "control.sock"
    if not path.exists():
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(str(path))
            s.sendall(command.encode("utf-8"))
            return s.recv(4096).decode("utf-8", "replace")
    except OSError:
        return None


_in_process: dict[Path, SimHost] = {}
_in_process_lock = threading.Lock()


def attach_or_start(
    directory: Path, compartments: CompartmentMap, **kwargs: object
) -> tuple[str, str]:
    """Paths of the simulated printer and lock bus: a running ``reception sim`` or one started here."""
    directory = Path(directory)
    if send_control(directory, "ping") == "pong":
        return str(directory / "printer"), str(directory / "locks")
    with _in_process_lock:
        host = _in_process.get(directory.resolve())
        if host is None:
            log.info("no running simulator in %s: starting one in this process", directory)
            host = SimHost(directory, compartments, **kwargs).start()  # type: ignore[arg-type]
            _in_process[directory.resolve()] = host
        return host.printer_path, host.locks_path


def idreader_path(directory: Path, compartments: CompartmentMap, **kwargs: object) -> str:
    """Path of the simulated ID card reader (of a running ``reception sim`` or one started here)."""
    attach_or_start(directory, compartments, **kwargs)
    return str(Path(directory) / "idreader")


def in_process_host(directory: Path) -> SimHost | None:
    """The simulator started by ``attach_or_start`` in this process for ``directory``, if any."""
    return _in_process.get(Path(directory).resolve())
