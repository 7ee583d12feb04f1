"""A GSM/4G modem's SMS side on a pty, from 3GPP TS 27.005 (PDU mode) and TS 27.007.

Speaks what a Quectel EC20-class module answers on its AT port: V.250 echo and
result codes, +CMEE, identification, AT+CMGF=0, AT+CMGS=<length> with the "> "
prompt and Ctrl-Z (ESC cancels), +CMGS: <mr>, +CMS ERROR faults, storage commands
(+CPMS, +CMGL, +CMGR, +CMGD), +CMTI for incoming messages and status reports
(+CDS when AT+CNMI asks for them directly, stored with +CDSI otherwise).

Everything the "network" received is decoded with ``devices.sim.sms_pdu`` (not
Gammu) and reassembled as a handset would show it (``inbox``).
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from devices.sim.pty_device import PtyDevice
from devices.sim.sms_pdu import (
    SubmitPart,
    decode_submit,
    encode_deliver,
    encode_status_report,
    tpdu_length,
)

log = logging.getLogger(__name__)

CTRL_Z = 0x1A
ESC = 0x1B
SMSC = "+8613800755500"
STAT_NAMES = {0: "REC UNREAD", 1: "REC READ", 2: "STO UNSENT", 3: "STO SENT"}


@dataclass
class Delivered:
    """A message as the handset of ``number`` shows it, after all parts arrived."""

    number: str
    text: str
    references: list[int]
    at: float = field(default_factory=time.monotonic)


@dataclass
class _Stored:
    stat: int
    pdu: str


class VirtualModem:
    """The modem's command interpreter: bytes in, bytes out (``feed``), plus unsolicited codes."""

    def __init__(self, send_delay: float = 0.0, report_delay: float | None = None) -> None:
        self.send_delay = send_delay
        """Seconds the network takes to accept one SMS-SUBMIT (the modem's own pacing)."""
        self.report_delay = report_delay
        """Seconds until a requested status report arrives; None: never."""
        self.echo = True
        self.pdu_mode = False
        self.cmee = 0
        self.cnmi_ds = 0
        self.mute = False
        """A modem that stopped answering (hung firmware): input is swallowed."""
        self.fail_sends: list[int] = []
        """+CMS ERROR codes for the next AT+CMGS commands (e.g. 500 unknown, 331 no network);
        0 answers a plain ERROR."""
        self.memories: dict[str, dict[int, _Stored]] = {"SM": {}, "ME": {}}
        """Message storage per memory (TS 27.005 3.1 <mem>): the SIM and the module."""
        self.memory = "SM"
        """<mem1>: where +CMGL, +CMGR and +CMGD read and delete (set by AT+CPMS)."""
        self.capacity = 30
        self.parts: list[tuple[int, SubmitPart, float]] = []
        """Every SMS-SUBMIT accepted: (message reference, decoded part, monotonic time)."""
        self.inbox: list[Delivered] = []
        self.commands: list[str] = []
        self.push: Callable[[bytes], None] = lambda data: None
        """Writes unsolicited result codes to the line (set by ``ModemDevice``)."""
        self._buf = bytearray()
        self._pdu_len: int | None = None
        self._mr = 0
        self._concat: dict[tuple[str, int], dict[int, tuple[int, SubmitPart]]] = {}
        self._lock = threading.RLock()
        self._timers: list[threading.Timer] = []

    # ---------------------------------------------------------------- wire
    def feed(self, data: bytes) -> bytes:
        with self._lock:
            if self.mute:
                return b""
            out = bytearray()
            self._buf += data
            while True:
                if self._pdu_len is not None:
                    end = next((i for i, b in enumerate(self._buf) if b in (CTRL_Z, ESC)), -1)
                    if end < 0:
                        break
                    pdu, term = bytes(self._buf[:end]), self._buf[end]
                    del self._buf[: end + 1]
                    length, self._pdu_len = self._pdu_len, None
                    if self.echo:
                        out += pdu
                    out += self._submit(pdu.decode("ascii", "replace").strip(), length, term)
                    continue
                end = self._buf.find(b"\r")
                if end < 0:
                    break
                line = bytes(self._buf[:end]).decode("ascii", "replace")
                del self._buf[: end + 1]
                if self._buf[:1] == b"\n":
                    del self._buf[:1]
                line = line.strip("\n\x00 ")
                if self.echo:
                    out += line.encode() + b"\r"
                if not line:
                    continue
                self.commands.append(line)
                out += self._command(line)
            return bytes(out)

    @staticmethod
    def _final(text: str) -> bytes:
        return f"\r\n{text}\r\n".encode()

    def _ok(self, *lines: str) -> bytes:
        return b"".join(self._final(line) for line in lines) + self._final("OK")

    def _error(self, cms: int | None = None) -> bytes:
        if cms is not None:
            return self._final(f"+CMS ERROR: {cms}")
        return self._final("ERROR")

    # ------------------------------------------------------------ commands
    def _command(self, line: str) -> bytes:
        if not line.upper().startswith("AT"):
            return self._error()
        cmd = line[2:].strip()
        up = cmd.upper()
        simple = {
            "": self._ok(),
            "Z": self._ok(),
            "&F": self._ok(),
            "I": self._ok("Quectel", "EC20F", "Revision: EC20CEFAGR06A05M4G"),
            "+CGMI": self._ok("Quectel"),
            "+CGMM": self._ok("EC20F"),
            "+CGMR": self._ok("Revision: EC20CEFAGR06A05M4G"),
            "+CGSN": self._ok("867223000000017"),
            "+CIMI": self._ok("460001234567890"),
            "+CPIN?": self._ok("+CPIN: READY"),
            "+CSQ": self._ok("+CSQ: 24,99"),
            "+CREG?": self._ok("+CREG: 0,1"),
            "+CFUN?": self._ok("+CFUN: 1"),
            "+CFUN=1": self._ok(),
            "+CSCA?": self._ok(f'+CSCA: "{SMSC}",145'),
            "+CMGF?": self._ok(f"+CMGF: {0 if self.pdu_mode else 1}"),
            "+CMGF=?": self._ok("+CMGF: (0,1)"),
            "+CSCS?": self._ok('+CSCS: "GSM"'),
            "+CSCS=?": self._ok('+CSCS: ("GSM","IRA","UCS2")'),
            "+CSMS?": self._ok("+CSMS: 0,1,1,1"),
            "+CNMI=?": self._ok("+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)"),
            "+CPMS=?": self._ok('+CPMS: ("SM","ME","MT"),("SM","ME","MT"),("SM","ME","MT")'),
            "+CMEE?": self._ok(f"+CMEE: {self.cmee}"),
        }
        if up in simple:
            return simple[up]
        if up in ("E0", "E1"):
            self.echo = up == "E1"
            return self._ok()
        if up.startswith("+CMEE="):
            self.cmee = int(up[6:] or 0)
            return self._ok()
        if up in ("+CMGF=0", "+CMGF=1"):
            self.pdu_mode = up.endswith("0")
            return self._ok()
        if up.startswith("+CSCS="):
            return self._ok()
        if up.startswith("+CNMI="):
            fields = (up[6:].split(",") + ["0"] * 5)[:5]
            self.cnmi_ds = int(fields[3] or 0)
            return self._ok()
        if up.startswith("+CPMS="):
            names = [m.strip('"') for m in up[6:].split(",")]
            if any(m not in self.memories for m in names):
                return self._error(302)
            self.memory = names[0]
            used = [len(self.memories[m]) for m in (names + [names[0]] * 2)[:3]]
            return self._ok("+CPMS: " + ",".join(f"{u},{self.capacity}" for u in used))
        if up == "+CPMS?":
            mem = f'"{self.memory}",{len(self.storage)},{self.capacity}'
            return self._ok(f"+CPMS: {mem},{mem},{mem}")
        if up.startswith("+CMGS="):
            return self._cmgs(up[6:])
        if up.startswith("+CMGL"):
            return self._cmgl(up)
        if up.startswith("+CMGR="):
            return self._cmgr(up[6:])
        if up.startswith("+CMGD="):
            index = int(up[6:].split(",")[0])
            self.storage.pop(index, None)
            return self._ok()
        return self._error()

    def _cmgs(self, arg: str) -> bytes:
        if not self.pdu_mode:
            return self._error(302)  # operation not allowed: this simulator speaks PDU mode
        try:
            self._pdu_len = int(arg)
        except ValueError:
            return self._error(304)
        return b"\r\n> "

    def _submit(self, pdu_hex: str, length: int, term: int) -> bytes:
        if term == ESC:
            return self._ok()  # TS 27.005 3.5.1: ESC cancels the send
        if self.fail_sends:
            code = self.fail_sends.pop(0)
            return self._error(code or None)  # 0: a plain ERROR (V.250)
        try:
            if tpdu_length(pdu_hex) != length:
                return self._error(304)
            part = decode_submit(pdu_hex)
        except (ValueError, KeyError, IndexError) as exc:
            log.warning("modem sim: undecodable PDU %s: %s", pdu_hex[:40], exc)
            return self._error(304)
        if self.send_delay:
            time.sleep(self.send_delay)
        self._mr = (self._mr + 1) % 256
        mr = self._mr
        now = time.monotonic()
        self.parts.append((mr, part, now))
        self._assemble(mr, part)
        if part.status_report and self.report_delay is not None:
            timer = threading.Timer(self.report_delay, self.status_report, (mr, part.number))
            timer.daemon = True
            self._timers.append(timer)
            timer.start()
        return self._ok(f"+CMGS: {mr}")

    def _assemble(self, mr: int, part: SubmitPart) -> None:
        if part.concat_ref is None or part.parts == 1:
            self.inbox.append(Delivered(part.number, part.text, [mr]))
            return
        key = (part.number, part.concat_ref)
        got = self._concat.setdefault(key, {})
        got[part.part] = (mr, part)
        if len(got) == part.parts:
            ordered = [got[i] for i in sorted(got)]
            del self._concat[key]
            self.inbox.append(
                Delivered(part.number, "".join(p.text for _, p in ordered), [m for m, _ in ordered])
            )

    @property
    def storage(self) -> dict[int, _Stored]:
        return self.memories[self.memory]

    def _listing(self, index: int, stored: _Stored, with_index: bool) -> str:
        length = tpdu_length(stored.pdu)
        head = (
            f"+CMGL: {index},{stored.stat},,{length}"
            if with_index
            else f"+CMGR: {stored.stat},,{length}"
        )
        return f"{head}\r\n{stored.pdu}"

    def _cmgl(self, up: str) -> bytes:
        match = re.fullmatch(r"\+CMGL(?:=(\d))?", up)
        if not match or not self.pdu_mode:
            return self._error(302)
        want = int(match.group(1) or 0)
        lines = []
        for index in sorted(self.storage):
            stored = self.storage[index]
            if want in (4, stored.stat):
                lines.append(self._listing(index, stored, True))
                if stored.stat == 0:
                    stored.stat = 1
        return self._ok(*lines)

    def _cmgr(self, arg: str) -> bytes:
        try:
            index = int(arg)
        except ValueError:
            return self._error(321)
        stored = self.storage.get(index)
        if stored is None:
            return self._error(321)  # invalid memory index
        line = self._listing(index, stored, False)
        if stored.stat == 0:
            stored.stat = 1
        return self._ok(line)

    # ------------------------------------------------------- from the network
    def _store(self, pdu: str) -> int | None:
        sim = self.memories["SM"]
        for index in range(1, self.capacity + 1):
            if index not in sim:
                sim[index] = _Stored(0, pdu)
                return index
        return None

    def receive(self, sender: str, text: str, when: datetime | None = None) -> int | None:
        """An SMS arrives from ``sender``: stored, announced with +CMTI (TS 27.005 3.4.1)."""
        with self._lock:
            index = self._store(encode_deliver(sender, text, when or datetime.now(), SMSC))
            if index is not None and not self.mute:
                self.push(f'\r\n+CMTI: "SM",{index}\r\n'.encode())
            return index

    def status_report(self, reference: int, recipient: str, status: int = 0) -> None:
        """The network reports on message ``reference``: +CDS (CNMI ds=1) or stored with +CDSI."""
        with self._lock:
            now = datetime.now()
            pdu = encode_status_report(reference, recipient, now, now, status, SMSC)
            if self.mute:
                return
            if self.cnmi_ds == 1:
                self.push(f"\r\n+CDS: {tpdu_length(pdu)}\r\n{pdu}\r\n".encode())
                return
            index = self._store(pdu)
            if index is not None:
                self.push(f'\r\n+CDSI: "SM",{index}\r\n'.encode())

    def close(self) -> None:
        for timer in self._timers:
            timer.cancel()


class ModemDevice(PtyDevice):
    """The virtual modem on a pty under ``link`` (opened like /dev/ttyUSB2)."""

    def __init__(self, link: Path, modem: VirtualModem | None = None) -> None:
        self.modem = modem or VirtualModem()
        super().__init__("modem", self.modem.feed, link)
        self.modem.push = self._push

    def _push(self, data: bytes) -> None:
        if self._master >= 0:
            try:
                os.write(self._master, data)
            except OSError:
                log.info("modem sim: line closed, unsolicited code dropped")

    def close(self) -> None:
        self.modem.close()
        self.unplug()


__all__ = ["Delivered", "ModemDevice", "STAT_NAMES", "VirtualModem"]
