"""The SMS sender: hands queued notices to the modem, reads replies and reports, reconnects like the printer.

The core decides what may go when (``desk.notices``); this worker only talks to the modem.
A notice is claimed (fsynced) before its text goes out, so a crash never sends it twice;
while the modem is unplugged or silent nothing is claimed and nothing is lost.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from typing import Any

from desk.notice_hooks import device_offline, parcel_reminders, queue_of
from desk.notice_replies import handle_reply
from devices.events import DeviceEvent, DeviceState, EventHub
from devices.sms_modem import IncomingSms, ModemError, SmsModem, StatusReport, gammu_config

log = logging.getLogger(__name__)

BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0)
"""Seconds between reconnection attempts while the modem is offline (capped backoff)."""
CERTAINLY_UNSENT = frozenset({"ERR_DEVICEOPENERROR", "ERR_DEVICENOTEXIST", "ERR_NOTCONNECTED",
                              "ERR_DEVICENOPERMISSION", "ERR_GETTING_SMSC", "ERR_DEVICEWRITEERROR"})  # fmt: skip
"""Failures before the PDU reached the modem: the notice goes back to the queue uncounted."""
DEVICE_NAMES = {"printer": "小票打印机", "locks": "快递柜门锁控制板"}
REMINDER_EVERY_S = 600.0


def modem_for(settings: Any, port: str | None = None) -> SmsModem | None:
    """The configured modem (or an AT modem on ``port``); None when notices are off."""
    cfg = settings.notices
    if port:
        return SmsModem(gammu_config(port, cfg.connection), cfg.delivery_reports)
    if cfg.modem == "off":
        return None
    from desk.config import ConfigError
    from desk.errors import ValidationError
    from desk.validate import mobile

    if cfg.modem not in ("dummy", "at"):
        raise ConfigError(f'[notices] modem must be "dummy", "at" or "off", not {cfg.modem!r}')
    try:
        if cfg.duty_phone:
            mobile(cfg.duty_phone)
    except ValidationError as exc:
        raise ConfigError(f"[notices] duty_phone: {exc.message}") from None
    if cfg.modem == "dummy":
        folder = cfg.device or str(settings.store.data_dir / "sms-modem")
        return SmsModem(gammu_config(folder, "dummy"), False)
    if not cfg.device:
        from desk.config import ConfigError

        raise ConfigError('[notices] modem = "at" needs device = "/dev/ttyUSB2" (the AT port)')
    return SmsModem(gammu_config(cfg.device, cfg.connection), cfg.delivery_reports)


def senders_for(desk: Any, settings: Any) -> list[NoticeWorker]:
    """One worker per configured modem (``device`` and ``more_devices``); [] when off."""
    first = modem_for(settings)
    if first is None:
        return []
    cfg = settings.notices
    modems = [first]
    if cfg.modem == "at":
        modems += [
            SmsModem(gammu_config(p, cfg.connection), cfg.delivery_reports)
            for p in cfg.more_devices
        ]
    return [NoticeWorker(desk, m, housekeeping=i == 0) for i, m in enumerate(modems)]


def start_all(
    workers: list[NoticeWorker], devices_hub: EventHub | None = None
) -> list[NoticeWorker]:
    """Start the workers; only the first fails claims left by a dead sender (before any runs)."""
    for i, worker in enumerate(workers):
        worker.start(devices_hub if i == 0 else None, recover=i == 0)
    return workers


class NoticeWorker:
    """One thread: send what is due, read what came in, retry the modem with backoff."""

    def __init__(self, desk: Any, modem: SmsModem, hub: EventHub | None = None,
                 poll_s: float = 0.5, housekeeping: bool = True) -> None:  # fmt: skip
        self.desk = desk
        self.queue = queue_of(desk)
        self.modem = modem
        self.hub = hub or EventHub()
        self.poll_s = poll_s
        self.housekeeping = housekeeping
        """Also queue the parcel reminders (one worker of a process does)."""
        self.read_s = desk.settings.notices.poll_s
        self.state = DeviceState.CONNECTING
        self.last_error = ""
        self._failures = 0
        self._last_read = 0.0
        self._last_reminders = 0.0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._unsubscribe: Any = None

    # ------------------------------------------------------------ state
    def _set_state(self, state: DeviceState, error: str = "") -> None:
        if state != self.state:
            log.info("modem %s -> %s %s", self.state.value, state.value, error)
            self.state = state
            self.hub.emit(DeviceEvent("modem", "state", state, {"error": error}))
        self.last_error = error

    def _connected(self) -> bool:
        try:
            self.modem.connect()
        except ModemError as exc:
            self._set_state(DeviceState.OFFLINE, str(exc))
            self._failures += 1
            return False
        self._failures = 0
        self._set_state(DeviceState.READY)
        return True

    # ------------------------------------------------------------- work
    def run_once(self) -> bool:
        """Read the modem if due, send every notice due now; True when nothing is left to send."""
        self.desk.store.refresh()
        now = time.monotonic()
        if self.housekeeping and now - self._last_reminders >= REMINDER_EVERY_S:
            self._last_reminders = now
            parcel_reminders(self.desk)
        due = self.queue.next_due()
        if due is None and now - self._last_read < self.read_s:
            return True
        if not self._connected():
            return False
        if now - self._last_read >= self.read_s:
            self._last_read = now
            if not self._read():
                return False
        while due is not None:
            if not self._send(due):
                return False
            due = self.queue.next_due()
        return True

    def _read(self) -> bool:
        try:
            items = self.modem.read()
        except ModemError as exc:
            self._set_state(DeviceState.OFFLINE if exc.offline else DeviceState.ERROR, str(exc))
            return not exc.offline
        for item in items:
            if isinstance(item, StatusReport):
                self.queue.report(item.reference, item.number, item.delivered, item.status)
            elif isinstance(item, IncomingSms):
                outcome = handle_reply(self.desk, item.number, item.text)
                log.info("incoming SMS: %s", outcome)
        return True

    def _send(self, notice: Any) -> bool:
        claimed = self.queue.claim(notice.number)
        if claimed is None:
            return True  # another sender took it, or it changed
        try:
            refs = self.modem.send(claimed.recipient, claimed.text)
        except ModemError as exc:
            parts = getattr(exc, "sent_parts", 0)
            if exc.code in CERTAINLY_UNSENT and not parts:
                self.queue.release(claimed.number, str(exc))
            else:
                self.queue.refused(claimed.number, str(exc), parts, certain=not exc.offline)
            self._set_state(DeviceState.OFFLINE if exc.offline else DeviceState.ERROR, str(exc))
            return not exc.offline
        self.queue.sent(claimed.number, refs)
        self.hub.emit(DeviceEvent("modem", "notice_sent", self.state,
                                  {"notice": claimed.number, "record": claimed.record}))  # fmt: skip
        return True

    # ----------------------------------------------------------- thread
    def _on_device(self, event: DeviceEvent) -> None:
        if (
            event.kind == "state"
            and event.state == DeviceState.OFFLINE
            and event.device in DEVICE_NAMES
        ):
            try:
                device_offline(self.desk, DEVICE_NAMES[event.device], datetime.now())
            except Exception:  # noqa: BLE001 - an alert must not break the device thread
                log.exception("device-offline alert failed")
            self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                done = self.run_once()
            except Exception:  # noqa: BLE001 - the worker must survive a store or driver bug
                log.exception("notice worker: unexpected error")
                done = False
            if done:
                delay = self.poll_s
            else:
                delay = BACKOFF[min(max(self._failures - 1, 0), len(BACKOFF) - 1)]
            self._wake.wait(delay)
            self._wake.clear()

    def start(self, devices_hub: EventHub | None = None, recover: bool = True) -> NoticeWorker:
        """Fail notices a dead sender left claimed (``recover``), then start (idempotent)."""
        if self._thread and self._thread.is_alive():
            return self
        for notice in self.queue.recover() if recover else []:
            log.warning("notice %s failed: interrupted while sending", notice.number)
        if devices_hub is not None:
            self._unsubscribe = devices_hub.subscribe(self._on_device)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="notice-worker", daemon=True)
        self._thread.start()
        return self

    def kick(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the thread and close the modem (queued notices stay in the store)."""
        self._stop.set()
        self._wake.set()
        if self._unsubscribe:
            self._unsubscribe()
        if self._thread:
            self._thread.join(timeout)
        self.modem.close()


STATE_ZH = {"offline": "离线", "connecting": "连接中", "ready": "正常", "error": "故障"}


def status_rows(devices: Any, desk: Any) -> list[tuple[str, str]]:
    """(text, level) rows for the kiosk's device panel: each modem, and what waits to be sent."""
    from desk.notice_hooks import queue_of

    cfg = desk.settings.notices
    if cfg.modem == "off":
        return [("短信：未开启", "warn")]
    rows = []
    for worker in getattr(devices, "notices", None) or ():
        state = worker.state.value
        name = "短信模块（演示）" if cfg.modem == "dummy" else "短信模块"
        rows.append((f"{name}：{STATE_ZH.get(state, state)}", "ok" if state == "ready" else "bad"))
    if not rows:
        rows.append(("短信模块：由 reception notices run 服务发送", "ok"))
    from desk.notices import in_quiet_hours

    waiting = len(queue_of(desk).pending())
    quiet = in_quiet_hours(desk.now(), cfg.quiet_from, cfg.quiet_until)
    note = f"（免打扰时段，{cfg.quiet_until:%H:%M}后发送）" if waiting and quiet else ""
    rows.append((f"待发短信：{waiting}{note}", "ok" if waiting == 0 else "warn"))
    return rows
