"""Settings of the receipt printer and the lock boards (owned by the devices package)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SIZES = ("小", "中", "大")
"""Compartment sizes the installer names (reception devices confirm-doors)."""
LOCK_SCAN_FILE = "lock-scan.json"
"""Written by ``reception devices scan --save`` in the data dir; read when the config has no map."""


def first_board(protocol: str) -> int:
    """Lowest board address: Kerong DIP switches count from 0 (all off), 8A boards from 1."""
    return 1 if protocol.lower().startswith("8a") else 0


def default_compartments(protocol: str = "kerong") -> dict[str, str]:
    """Demo layout on the protocol's first three addresses: parcel lockers A and B, then the key
    cabinet (labelled row 3: "钥匙 3-01".."钥匙 3-16"). Kerong: boards 0, 1, 2; 8A: 1, 2, 3.

    The one definition of the default map (``devices.compartments`` re-exports it).
    """
    b0 = first_board(protocol)
    out: dict[str, str] = {}
    for board, prefix in ((b0, "A-"), (b0 + 1, "B-")):
        for lock in range(1, 17):
            out[f"{prefix}{lock:02d}"] = f"{board}:{lock}"
    for lock in range(1, 17):
        out[f"钥匙 3-{lock:02d}"] = f"{b0 + 2}:{lock}"
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
    """Lock-board protocol: "kerong" (KR-CU), "8a" (state 0x11 = locked) or "8a-inverted" (locks
    whose feedback reads 0x11 when open; see docs/devices.md)."""
    lock_baud: int = 19200
    """Lock-board bus speed."""
    lock_timeout_s: float = 0.3
    """Seconds to wait for a door to be confirmed open before the one retry."""
    lock_retries: int = 1
    """Retries of an unconfirmed open before reporting failure."""
    compartments: dict[str, str] | None = None
    """Compartment name -> "board:lock" (board = the address set on its DIP switches, lock from
    1). Names are matched ignoring spaces, width and leading zeros ("A-7" is "A-07"). Unset: the
    map saved by ``reception devices scan --save``, else ``default_compartments``."""
    compartment_sizes: dict[str, str] | None = None
    """Compartment name -> size 小/中/大, written with the confirmed map by ``reception devices
    confirm-doors`` (read from the scan file when the config file sets no map)."""
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
    sim_person_s: float = 2.0
    """The simulator's person at an opened door: takes (or puts) the item after this many
    seconds and shuts the door after as many more, so the demo's pickups, key returns and
    intakes complete; 0 leaves doors to ``reception sim --ctl``."""
    pickup_close_timeout_s: float = 120.0
    """How long the kiosk watches an opened compartment for its door to be shut."""
    door_open_alert_s: float = 60.0
    """A compartment door left open this long after a pickup alerts the guard."""
    key_return_timeout_s: float = 60.0
    """How long a key slot's sensor is watched for the returned key."""
    intake_timeout_s: float = 60.0
    """How long a loaded compartment's item sensor is watched for the parcel."""

    def __post_init__(self) -> None:
        if self.compartments is None:
            object.__setattr__(self, "compartments", default_compartments(self.lock_protocol))


def apply_lock_scan(devices: DeviceSettings, raw: dict[str, Any], data_dir: Path) -> DeviceSettings:
    """The saved scan's map (and protocol, baud) where the config file sets none (first run)."""
    path = Path(data_dir) / LOCK_SCAN_FILE
    if "compartments" in raw or not path.exists():
        return devices
    try:
        scan = json.loads(path.read_text(encoding="utf-8"))
        changes: dict[str, Any] = {"compartments": dict(scan["compartments"])}
        if scan.get("sizes") and "compartment_sizes" not in raw:
            changes["compartment_sizes"] = {str(k): str(v) for k, v in scan["sizes"].items()}
        if "lock_protocol" not in raw:
            changes["lock_protocol"] = str(scan["lock_protocol"])
        if "lock_baud" not in raw:
            changes["lock_baud"] = int(scan["lock_baud"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring unreadable %s: %s", path, exc)
        return devices
    log.info("compartment map from %s", path)
    return replace(devices, **changes)
