"""SMS through a GSM/4G modem with Gammu (python-gammu): send, read replies and status reports.

Gammu does the wire work: its AT driver speaks TS 27.005 PDU mode (AT+CMGF=0,
AT+CMGS=<length>, "> ", PDU, Ctrl-Z), encodes Chinese as UCS-2 and splits long
texts into concatenated parts. The ``dummy`` driver needs no hardware: each sent
message is also stored as a Gammu backup file under the dummy directory's
``sms/2`` (Outbox), which is what the demo shows.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import gammu

log = logging.getLogger(__name__)

SEND_TIMEOUT_ERRORS = ("ERR_TIMEOUT", "ERR_GETTING_SMSC", "ERR_DEVICENOTEXIST", "ERR_DEVICEOPENERROR", "ERR_DEVICEREADERROR",
                       "ERR_DEVICEWRITEERROR", "ERR_NOTCONNECTED", "ERR_DEVICENOPERMISSION")  # fmt: skip
"""Gammu errors that mean the modem is gone or not answering (reconnect), not a refused message."""

DELIVERY_STATUS_OK = 0
"""TP-ST 0x00-0x1F: short message transaction completed (TS 23.040 9.2.3.15)."""


class ModemError(Exception):
    """The modem could not do it; ``offline`` when it is gone or not answering."""

    def __init__(self, message: str, offline: bool, code: str = "") -> None:
        super().__init__(message)
        self.offline = offline
        self.code = code


@dataclass(frozen=True)
class IncomingSms:
    """A message a resident sent to the desk's number."""

    number: str
    text: str
    at: datetime | None


@dataclass(frozen=True)
class StatusReport:
    """The network's report on a sent part (by its +CMGS message reference)."""

    reference: int
    number: str
    delivered: bool
    status: int


def gammu_config(device: str, connection: str = "at115200") -> dict[str, str]:
    """A Gammu config for a modem on ``device`` (AT driver) or, for ``dummy``, a directory."""
    if connection == "dummy":
        Path(device).mkdir(parents=True, exist_ok=True, mode=0o700)
        return {"Device": str(device).rstrip("/") + "/", "Connection": "none", "Model": "dummy"}
    return {"Device": str(device), "Connection": connection, "Model": ""}


def _error(exc: gammu.GSMError, doing: str) -> ModemError:
    info = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
    code = type(exc).__name__
    offline = code in SEND_TIMEOUT_ERRORS
    text = info.get("Text", str(exc))
    return ModemError(f"{doing}: {text} ({code})", offline, code)


def encode_parts(text: str) -> list[dict[str, Any]]:
    """The SMS-SUBMIT parts Gammu makes of ``text`` (UCS-2 for Chinese, concatenated)."""
    return gammu.EncodeSMS(
        {"Class": -1, "Unicode": not text.isascii(), "Entries": [{"ID": "ConcatenatedTextLong", "Buffer": text}]}
    )  # fmt: skip


class SmsModem:
    """One modem; methods block (a worker thread calls them) and raise ModemError."""

    def __init__(self, config: dict[str, str], delivery_reports: bool = True) -> None:
        self.config = config
        self.delivery_reports = delivery_reports
        self.dummy = config.get("Model") == "dummy"
        self._sm: Any = None
        self._lock = threading.Lock()

    @property
    def connected(self) -> bool:
        return self._sm is not None

    def connect(self) -> None:
        """Open the port and initialise the modem (Gammu Init: AT, ATE1, +CMEE, ...)."""
        with self._lock:
            if self._sm is not None:
                return
            sm = gammu.StateMachine()
            sm.SetConfig(0, self.config)
            try:
                sm.Init()
            except gammu.GSMError as exc:
                raise _error(exc, f"modem {self.config['Device']}") from None
            self._sm = sm
            log.info("modem %s connected", self.config["Device"])

    def close(self) -> None:
        with self._lock:
            sm, self._sm = self._sm, None
        if sm is not None:
            try:
                sm.Terminate()
            except gammu.GSMError as exc:
                log.info("modem close: %s", exc)

    def _drop_locked(self) -> None:
        """Close a connection that failed (frees the port); the next call reconnects."""
        sm, self._sm = self._sm, None
        if sm is not None:
            try:
                sm.Terminate()
            except gammu.GSMError as exc:
                log.info("modem: closing a failed connection: %s", exc)

    def send(self, number: str, text: str) -> list[int]:
        """Send ``text`` to ``number``; the message references of the parts the modem accepted.

        Raises ModemError if any part was refused; ``.sent_parts`` on the error says how many
        parts were already accepted (they cannot be recalled).
        """
        self.connect()
        parts = encode_parts(text)
        refs: list[int] = []
        with self._lock:
            sm = self._sm
            for part in parts:
                part["SMSC"] = {"Location": 1}
                part["Number"] = number
                if self.delivery_reports and not self.dummy:
                    part["Type"] = "Status_Report"  # TP-SRR: ask the network for a report
                try:
                    refs.append(int(sm.SendSMS(part)))
                except gammu.GSMError as exc:
                    err = _error(exc, "send")
                    err.sent_parts = len(refs)  # type: ignore[attr-defined]
                    if err.offline:
                        self._drop_locked()
                    raise err from None
            if self.dummy:
                self._keep_copy(sm, parts)
        return refs

    @staticmethod
    def _keep_copy(sm: Any, parts: list[dict[str, Any]]) -> None:
        """Dummy driver: store what was sent in its Outbox folder (files under the data dir)."""
        for part in parts:
            part = dict(part, Folder=2, State="Sent", Type="Submit")
            try:
                sm.AddSMS(part)
            except gammu.GSMError as exc:
                log.warning("dummy modem: could not keep a copy: %s", exc)

    def read(self) -> list[IncomingSms | StatusReport]:
        """Messages and status reports waiting in the modem's storage; each is deleted once read."""
        self.connect()
        found: list[IncomingSms | StatusReport] = []
        raw: list[dict[str, Any]] = []
        with self._lock:
            sm = self._sm
            try:
                status = sm.GetSMSStatus()
                if status["SIMUsed"] + status["PhoneUsed"] == 0:
                    return []
                entry = sm.GetNextSMS(Start=True, Folder=0)
                while True:
                    raw.extend(entry)
                    entry = sm.GetNextSMS(Location=entry[0]["Location"], Folder=0)
            except gammu.ERR_EMPTY:
                pass
            except gammu.GSMError as exc:
                err = _error(exc, "read")
                if err.offline:
                    self._drop_locked()
                raise err from None
            seen = set()
            # only what came in (messages, status reports); stored outgoing messages stay
            raw = [m for m in raw if m["Type"] in ("Deliver", "Status_Report")]
            for msg in raw:
                key = (msg["Memory"], msg["Location"])
                if key in seen:
                    continue
                seen.add(key)
                try:
                    sm.DeleteSMS(Folder=0, Location=msg["Location"])
                except gammu.GSMError as exc:
                    log.warning("modem: could not delete message %s: %s", msg["Location"], exc)
        found.extend(self._convert(raw))
        return found

    @staticmethod
    def _convert(raw: list[dict[str, Any]]) -> list[IncomingSms | StatusReport]:
        out: list[IncomingSms | StatusReport] = []
        texts: dict[tuple[str, int], list[dict[str, Any]]] = {}
        seen_reports = set()
        for msg in raw:
            if msg["Type"] == "Status_Report":
                ref = int(msg["MessageReference"])
                if (ref, msg["Number"]) in seen_reports:
                    continue
                seen_reports.add((ref, msg["Number"]))
                st = int(msg.get("DeliveryStatus", 0))
                out.append(StatusReport(ref, msg["Number"], st <= 0x1F, st))
            elif msg["Type"] == "Deliver":
                udh = msg.get("UDH") or {}
                if udh.get("AllParts", 0) > 1:
                    key = (msg["Number"], udh.get("ID8bit", 0) or udh.get("ID16bit", 0))
                    texts.setdefault(key, []).append(msg)
                    continue
                out.append(IncomingSms(msg["Number"], msg["Text"], msg.get("DateTime")))
        for group in texts.values():
            group.sort(key=lambda m: m["UDH"]["PartNumber"])
            text = "".join(m["Text"] for m in group)
            out.append(IncomingSms(group[0]["Number"], text, group[0].get("DateTime")))
        return out
