"""Settings of the receipt printer and the lock boards (owned by the devices package)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


def default_compartments() -> dict[str, str]:
    """Demo layout: parcel lockers A and B on boards 1-2, key cabinet row 3 on board 3.

    The one definition of the default map (``devices.compartments`` re-exports it).
    """
    out: dict[str, str] = {}
    for board, prefix in ((1, "A-"), (2, "B-")):
        for lock in range(1, 17):
            out[f"{prefix}{lock:02d}"] = f"{board}:{lock}"
    for lock in range(1, 17):
        out[f"钥匙 3-{lock:02d}"] = f"3:{lock}"
    return out


@dataclass(frozen=True)
class DeviceSettings:
    printer_url: str = "sim"
    """Printer port: "sim" (built-in simulator), a device path (/dev/serial/by-id/... or the udev
    name /dev/reception-printer), a pyserial URL (socket://, rfc2217://), "net:HOST[:PORT]"
    (python-escpos Network), "usb:VID:PID" (python-escpos Usb) or "file:PATH" (python-escpos File)."""
    printer_baud: int = 9600
    """Printer serial speed."""
    paper_width_mm: int = 80
    """58 (32 columns, 384 dots) or 80 (48 columns, 576 dots) mm paper."""
    printer_encoding: str = "gb18030"
    """Chinese encoding the printer expects: gb18030 or gbk."""
    qr_native: bool = True
    """Print QR codes with the printer's own GS ( k command; false sends a raster image."""
    status_timeout_s: float = 0.5
    """Seconds to wait for the one-byte answer of DLE EOT before calling the printer offline."""
    print_poll_s: float = 0.5
    """Seconds between status polls while jobs wait (paper out, cover open)."""
    lock_bus_url: str = "sim"
    """Lock-board bus port: "sim", a device path (/dev/reception-locks) or a pyserial URL."""
    lock_protocol: str = "kerong"
    """Lock-board protocol: "kerong" (KR-CU) or "8a"."""
    lock_baud: int = 19200
    """Lock-board bus speed."""
    lock_timeout_s: float = 0.3
    """Seconds to wait for a door to be confirmed open before the one retry."""
    lock_retries: int = 1
    """Retries of an unconfirmed open before reporting failure."""
    compartments: dict[str, str] = field(default_factory=default_compartments)
    """Compartment name -> "board:lock" (board in the protocol's numbering, lock from 1).
    Names are matched ignoring spaces, width and leading zeros ("A-7" is "A-07")."""
    id_reader_url: str = "sim"
    """Second-generation ID card reader (SAM protocol): "sim", a device path
    (/dev/serial/by-id/...), a pyserial URL, or "" for none."""
    id_reader_baud: int = 115200
    """ID card reader speed (the SAM module's default is 115200)."""
    id_reader_poll_s: float = 1.0
    """Seconds between "find card" polls while the visitor form is open."""
    id_keep_address: bool = False
    """Let the card's address leave the reader with the name and ID (``visitor_fields``); off:
    it is dropped at once (X1). The visit record has no address field, so nothing stores it yet."""
    id_keep_photo: bool = False
    """As ``id_keep_address`` for the card's encoded photo (no record stores it yet)."""
    sim_dir: Path | None = None
    """Where the simulator puts its ptys, control socket and rendered receipts
    (default: <data_dir>/sim)."""
    sim_lock_answer_ms: float = 5.0
    """Answer time of the virtual lock boards, in milliseconds."""
