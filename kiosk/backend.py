"""The kiosk's one door to the desk core and the devices: every screen calls only this."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from desk import deadlines
from desk.errors import DeskError
from desk.masking import mask_name
from desk.record_types import GuardRequest, Parcel, Visit, WorkOrder
from desk.records import Actor, Role, format_number
from desk.workflow import STATUS_ZH

log = logging.getLogger(__name__)

COUNTER = "counter"


PRINTER_TROUBLE = {
    "paper_out": "打印机缺纸",
    "cover_open": "打印机纸仓盖打开",
    "offline": "打印机未连接",
    "connecting": "打印机未连接",
    "error": "打印机故障",
}
"""Printer states in which nothing prints, with what the user is told."""


@dataclass
class PrintOutcome:
    """What became of a receipt: only "printed" means the printer confirmed it."""

    status: str
    """"printed", "waiting" (the printer cannot print now; the job stays queued), "queued"
    (no answer yet within the wait), "none" (no printer or no record)."""
    reason: str = ""
    """Why it waits, in Chinese (打印机缺纸...)."""

    @property
    def ok(self) -> bool:
        return self.status == "printed"

    def message(self) -> str:
        """One line for the result screen; never claims a receipt that did not come out."""
        if self.status == "printed":
            return "请取走您的凭条"
        if self.status == "waiting":
            return f"{self.reason}，凭条已保存，修复后自动打印，请联系前台"
        if self.status == "queued":
            return "凭条正在打印，如未出纸请联系前台"
        return "本机暂不能打印凭条，请记下单号"


@dataclass
class PickupOutcome:
    """What happened to one parcel at the kiosk."""

    parcel: Parcel
    result: str
    """"opened" (door confirmed), "counter" (a guard hands it over), "failed" (door did not open)."""
    error: str = ""
    printed: PrintOutcome | None = None
    """The pickup slip of an opened compartment."""


class KioskBackend:
    """Wraps ``desk.service.Desk`` and ``devices.manager.Devices`` for the screens."""

    def __init__(self, desk: Any, devices: Any | None, settings: Any) -> None:
        self.desk = desk
        self.devices = devices
        self.settings = settings
        self.kiosk_id = settings.kiosk.kiosk_id
        self.device_events: dict[str, str] = {}
        self._unsubscribe = None
        self._lock = threading.Lock()
        self._jobs_done = threading.Condition(self._lock)
        self._job_results: dict[str, tuple[str, str]] = {}
        """Print job number -> (event kind, printer state) for the last jobs reported."""
        self.app: Any = None

    # -- lifetime ---------------------------------------------------------------
    def attach(self, app: Any) -> None:
        """Called by the app once built: device events reach the UI thread through Clock."""
        self.app = app
        if self.devices is not None:
            self._unsubscribe = self.devices.subscribe(self._on_device_event)
            self._show_printer_state(self.devices.printer.state.value)

    def detach(self) -> None:
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_device_event(self, event: Any) -> None:
        """On a device thread: remember the event, wake a print waiting for its job, tell the UI."""
        state = event.state.value if event.state is not None else ""
        with self._lock:
            if state:
                self.device_events[event.device] = state
            self.device_events[f"{event.device}:last"] = event.kind
            job = event.detail.get("job") if event.kind in ("job_printed", "job_waiting") else None
            if job:
                self._job_results[job] = (event.kind, state)
                while len(self._job_results) > 64:
                    self._job_results.pop(next(iter(self._job_results)))
                self._jobs_done.notify_all()
        if event.device == "printer" and state:
            self._show_printer_state(state)

    def _show_printer_state(self, state: str) -> None:
        app = self.app
        if app is None or not hasattr(app, "printer_state"):
            return
        from kivy.clock import Clock

        Clock.schedule_once(lambda _dt: setattr(app, "printer_state", state), 0)

    # -- actors -----------------------------------------------------------------
    def visitor(self, name: str = "") -> Actor:
        return Actor(Role.VISITOR, name, self.kiosk_id)

    def staff_actor(self) -> Actor:
        actor = self.app.staff if self.app is not None else None
        if actor is None:
            raise PermissionError("工作人员未登录")
        return actor

    # -- directory --------------------------------------------------------------
    def unit_tree(self) -> dict[str, dict[str, list[str]]]:
        return self.desk.unit_tree()

    def staff_names(self) -> list[str]:
        return [s.name for s in self.desk.staff() if s.status == "active"]

    def search_residents(self, initials: str) -> list[Any]:
        """Residents by pinyin initials ("zs"); screens show them only masked (X1)."""
        return self.desk.search_residents(initials) if initials else []

    def login(self, name: str, pin: str) -> Actor | None:
        try:
            return self.desk.login(name, pin, source=self.kiosk_id)
        except DeskError:
            return None

    def get(self, number: str) -> Any:
        return self.desk.get(number)

    # -- visitors (V1-V6) -------------------------------------------------------
    def register_visit(self, fields: dict[str, Any], preauth_code: str = "") -> Visit:
        actor = self.visitor(fields.get("visitor_name", ""))
        if preauth_code:
            fields = {k: v for k, v in fields.items() if k != "host_unit"}
            return self.desk.arrive_with_code(preauth_code, actor, **fields)
        return self.desk.register_visit(actor, **fields)

    def visit_by_preauth_code(self, code: str) -> Visit | None:
        return self.desk.visit_by_preauth_code(code)

    def visit_state(self, number: str) -> str:
        visit = self.desk.get(number)
        if visit is None:
            return "declined"
        return {
            "waiting_host": "waiting_host",
            "waiting_approval": "waiting_guard",
            "admitted": "admitted",
            "checked_out": "admitted",
        }.get(visit.status, "declined")

    def leave_message(self, number: str, text: str) -> None:
        try:
            self.desk.leave_message(number, self.visitor(), text)
        except DeskError as exc:
            log.info("message not left on %s: %s", number, exc)

    def check_out(self, code: str) -> Visit:
        return self.desk.check_out(code, self.visitor())

    # -- printing (call on the device worker: it waits for the printer) --------------
    def print_record(self, number: str, wait: float | None = None) -> PrintOutcome:
        """Queue the record's receipt and wait (up to ``wait`` s) for the printer to confirm it.

        The job is in the store's print queue either way: when the printer cannot print now
        (paper out, cover open, offline) it is printed once the printer is back.
        """
        record = self.desk.get(number)
        if record is None or self.devices is None:
            return PrintOutcome("none")
        from devices.receipts import receipt_for

        kind, payload = receipt_for(record, self.settings)
        job = self.devices.print(kind, number, payload)
        state = self.devices.printer.state.value
        if state in PRINTER_TROUBLE:
            return PrintOutcome("waiting", PRINTER_TROUBLE[state])
        wait = self.settings.kiosk.print_wait_seconds if wait is None else wait
        with self._jobs_done:
            self._jobs_done.wait_for(lambda: job.number in self._job_results, timeout=wait)
            kind_state = self._job_results.get(job.number)
        if kind_state is None:
            return PrintOutcome("queued")
        event_kind, state = kind_state
        if event_kind == "job_printed":
            return PrintOutcome("printed")
        return PrintOutcome("waiting", PRINTER_TROUBLE.get(state, "打印机故障"))

    print_visit_pass = print_record

    # -- status -----------------------------------------------------------------
    def status_lines(self, number: str) -> list[str]:
        """Status and history of a record without personal data (X1)."""
        record = self.desk.get(number)
        if record is None:
            return []
        lines = [
            f"{format_number(record.number)}  ·  {STATUS_ZH.get(record.status, record.status)}"
        ]
        if isinstance(record, WorkOrder):
            lines.append(f"{record.location}  {record.description[:30]}")
            if record.on_site_by and record.status in ("received", "dispatched", "accepted"):
                lines.append(f"预计到场  {record.on_site_by:%m-%d %H:%M}")
        for change in record.history[-6:]:
            lines.append(
                f"{change.at:%m-%d %H:%M}  {STATUS_ZH.get(change.status, change.status)}  {change.note}"
            )
        return lines

    def call_staff(self, note: str = "") -> GuardRequest:
        """呼叫客服: a store record the guard screen lists until a guard settles it."""
        request = self.desk.open_request(
            self.visitor(), "call_staff", note=note or f"自助终端 {self.kiosk_id} 呼叫客服"
        )
        log.info("staff called at %s: %s", self.kiosk_id, request.number)
        return request

    def emergency(self, note: str = "") -> GuardRequest:
        """E1: someone at the kiosk reports an emergency; it skips every queue on the guard screen."""
        request = self.desk.open_request(
            self.visitor(), "emergency", note=note or f"自助终端 {self.kiosk_id} 报告紧急情况"
        )
        log.warning("emergency reported at %s: %s", self.kiosk_id, request.number)
        return request

    # -- repairs (R1, R2) ---------------------------------------------------------
    def suggests_urgent(self, category: str, text: str) -> bool:
        return category in ("lift", "gas") or deadlines.suggests_urgent(text)

    def appointment_slots(self, days: int = 3) -> list[tuple[str, str]]:
        """(value, label) of 2-hour slots in the next days, starting after now."""
        now = datetime.now()
        out = []
        for d in range(days):
            day = (now + timedelta(days=d)).date()
            for hour in (9, 11, 14, 16):
                start = datetime.combine(day, datetime.min.time()).replace(hour=hour)
                if start > now + timedelta(hours=1):
                    label = f"{start:%m-%d} {hour:02d}:00-{hour + 2:02d}:00"
                    out.append((start.isoformat(timespec="minutes"), label))
        return out

    def create_work_order(self, fields: dict[str, Any]) -> WorkOrder:
        """Public areas from anyone; a unit only with the phone registered for it (R1, X1)."""
        location = fields["location"]
        actor = self.visitor(fields.get("contact_name", ""))
        if not location.startswith("public:"):
            owner = self.desk.resident_by_phone(fields.get("contact_phone", ""))
            if owner is None or owner.unit != location:
                raise PermissionError("户内报修请使用在物业登记的手机号码，或联系前台")
            actor = Actor(Role.OWNER, owner.name, self.kiosk_id)
        if fields.get("appointment_start"):
            start = datetime.fromisoformat(fields["appointment_start"])
            fields["appointment_start"] = start
            fields["appointment_end"] = start + timedelta(hours=2)
        fields.setdefault("channel", "kiosk")
        return self.desk.create_work_order(actor, **fields)

    # -- parcels (P1, P3) -------------------------------------------------------
    def parcels_for_code(self, code: str) -> list[Parcel]:
        """Raises NotFound for a wrong code and LockedOut after too many (the core's lockout)."""
        return self.desk.parcels_for_code(code, self.kiosk_id)

    def collect(self, parcels: list[Parcel]) -> list[PickupOutcome]:
        """Open each locker door (confirmed by the board) or ask a guard to hand it over (P3)."""
        out = []
        for parcel in parcels:
            if parcel.compartment == COUNTER or self.devices is None:
                self._request_pickup(parcel)
                out.append(PickupOutcome(parcel, "counter"))
                continue
            result = self.devices.open(parcel.compartment)
            if not result.confirmed:
                log.warning("compartment %s did not open: %s", parcel.compartment, result.error)
                self._request_pickup(parcel, note=f"柜门未打开：{result.error or '无确认'}")
                out.append(PickupOutcome(parcel, "failed", result.error or ""))
                continue
            done = self.desk.pick_up_parcel(parcel.number, self.visitor())
            out.append(PickupOutcome(done, "opened", printed=self.print_record(done.number)))
        return out

    def _request_pickup(self, parcel: Parcel, note: str = "") -> GuardRequest:
        """One open counter-pickup request per parcel, however often the code is keyed in."""
        existing = self._open_requests_for(parcel.number)
        if existing:
            return existing[0]
        return self.desk.open_request(
            self.visitor(),
            "counter_pickup",
            unit=parcel.unit,
            parcel=parcel.number,
            compartment=parcel.compartment,
            note=note,
        )

    def _open_requests_for(self, parcel: str) -> list[GuardRequest]:
        return [r for r in self.desk.open_requests() if r.parcel == parcel]

    def request_proxy(
        self, parcels: list[Parcel], proxy_name: str, proxy_id: str
    ) -> list[GuardRequest]:
        """P3: a proxy's pickup waits for a guard who checks the proxy's name and ID."""
        from desk import validate

        proxy_id = validate.id_number("resident_id", proxy_id)
        return [
            self.desk.open_request(
                self.visitor(proxy_name),
                "proxy_pickup",
                unit=parcel.unit,
                parcel=parcel.number,
                compartment=parcel.compartment,
                proxy_name=proxy_name,
                proxy_id=proxy_id,
            )
            for parcel in parcels
        ]

    # -- guard mode ---------------------------------------------------------------
    def open_requests(self) -> list[GuardRequest]:
        """What people at the kiosk wait for, from the store (emergencies first, then oldest)."""
        return self.desk.open_requests()

    def hand_over(self, request: GuardRequest) -> Parcel:
        """The guard hands a parcel over (counter, or a proxy with a checked ID: P3); settles the request."""
        actor = self.staff_actor()
        if request.compartment != COUNTER and self.devices is not None:
            result = self.devices.open(request.compartment)
            if not result.confirmed:
                raise DeskError(f"柜门 {request.compartment} 未打开：{result.error}")
        if request.request_kind == "proxy_pickup":
            parcel = self.desk.pick_up_parcel(
                request.parcel, actor, request.proxy_name, request.proxy_id
            )
        else:
            self.desk.pick_up_parcel(request.parcel, actor)
            parcel = self.desk.countersign_parcel(request.parcel, actor)
        self.desk.settle_request(request.number, actor, True, "已交付")
        for other in self._open_requests_for(request.parcel):  # e.g. a counter request before
            self.desk.settle_request(other.number, actor, True, f"已随 {request.number} 交付")
        self.print_record(parcel.number)
        return parcel

    def settle(self, number: str, done: bool = True, note: str = "") -> GuardRequest:
        """A guard handled (or turned down) a call or a pickup request."""
        return self.desk.settle_request(number, self.staff_actor(), done, note)

    def to_countersign(self) -> list[Parcel]:
        return [p for p in self.desk.parcels_waiting() if p.status == "picked_up"]

    def countersign(self, number: str) -> Parcel:
        return self.desk.countersign_parcel(number, self.staff_actor())

    def free_compartments(self) -> list[str]:
        names = [n for n in self.settings.devices.compartments if not n.startswith("钥匙")]
        return self.desk.free_compartments(names)

    def receive_parcel(self, fields: dict[str, Any]) -> tuple[Parcel, bool]:
        """P1: record the parcel and open its compartment for loading; (parcel, door confirmed)."""
        actor = self.staff_actor()
        compartment = fields.get("compartment") or COUNTER
        opened = compartment == COUNTER
        if compartment != COUNTER and self.devices is not None:
            opened = self.devices.open(compartment).confirmed
            if not opened:
                raise DeskError(f"柜门 {compartment} 未打开，请换一个柜格")
        parcel = self.desk.receive_parcel(actor, **fields)
        return parcel, opened

    def visits_waiting(self) -> list[Visit]:
        return self.desk.visits_waiting()

    def visits_overdue(self) -> list[Visit]:
        return self.desk.visits_overdue()

    def host_answer(self, number: str, accepted: bool) -> Visit:
        return self.desk.host_answer(number, self.staff_actor(), accepted)

    def approve_without_id(self, number: str, approve: bool = True) -> Visit:
        actor = self.staff_actor()
        if approve:
            return self.desk.approve_visit_without_id(number, actor)
        return self.desk.transition(number, "refuse", actor)

    def guard_check_out(self, number: str) -> Visit:
        return self.desk.check_out(number, self.staff_actor())

    def keys(self) -> list[Any]:
        return self.desk.keys()

    def lend_key(self, key_id: str, fields: dict[str, Any]) -> tuple[Any, bool]:
        """K2/K3: register the loan and open the key slot; (loan, slot confirmed open)."""
        actor = self.staff_actor()
        key = next(k for k in self.desk.keys() if k.number == key_id)  # noqa: SIM118
        loan = self.desk.lend_key(actor, key_id, **fields)
        opened = self._open_quietly(key.slot)
        self.print_record(loan.number)
        return loan, opened

    def return_key(self, key_id: str) -> tuple[Any, bool]:
        """Open the slot, check the key is back by its sensor, close the loan."""
        actor = self.staff_actor()
        key = next(k for k in self.desk.keys() if k.number == key_id)  # noqa: SIM118
        present = True
        if self._open_quietly(key.slot):
            state = self.devices.locks.state(key.slot)
            present = state is None or state.item is None or bool(state.item)
        loan = self.desk.return_key(key.loan, actor)
        return loan, present

    def _open_quietly(self, slot: str) -> bool:
        """Open a key slot; False (logged) when it has no lock or did not confirm."""
        if self.devices is None:
            return False
        try:
            return bool(self.devices.open(slot).confirmed)
        except KeyError:
            log.warning("no lock mapped for key slot %r", slot)
            return False

    def due_report(self) -> list[Any]:
        return self.desk.due_report()

    def log_entry(self, text: str) -> Any:
        return self.desk.log_entry(self.staff_actor(), text)

    def duty_log_today(self) -> list[Any]:
        return self.desk.duty_log(datetime.now().date())

    def handover(self, to_name: str, note: str = "", override_by: Actor | None = None) -> Any:
        """L3: refused while important work is open, unless a supervisor overrides; the
        handover slip with the audit anchor (L2) is printed for both to sign."""
        entry = self.desk.handover(self.staff_actor(), to_name, note, force_by=override_by)
        self.print_record(entry.number, wait=0)
        return entry

    def blocking_items(self) -> list[str]:
        """L3: open important work (emergencies, urgent repairs, collective complaints)."""
        return self.desk.blocking_items()

    def supervisor_names(self) -> list[str]:
        return [
            s.name for s in self.desk.staff() if s.status == "active" and s.role == "supervisor"
        ]

    def device_lines(self) -> list[tuple[str, str]]:
        """(text, level) rows for the device status panel; level ok / warn / bad."""
        rows: list[tuple[str, str]] = []
        if self.devices is None:
            return [("未连接设备", "bad")]
        pstate = self.devices.printer.state.value
        level = (
            "ok"
            if pstate in ("ready", "busy")
            else ("warn" if pstate == "paper_near_end" else "bad")
        )
        rows.append((f"打印机：{_STATE_ZH.get(pstate, pstate)}", level))
        lstate = self.devices.locks.state_value.value
        rows.append(
            (
                f"锁控板：{_STATE_ZH.get(lstate, lstate)}",
                "ok" if lstate in ("ready", "busy") else "bad",
            )
        )
        pending = len(self.desk.pending_print_jobs())
        rows.append((f"待打印：{pending}", "ok" if pending == 0 else "warn"))
        health = self.desk.store.health()  # issue 10: a full disk or a failing compaction
        rows.extend((f"数据存储：{STORE_HEALTH_ZH.get(k, k)}", "bad") for k in health)
        if not health:
            rows.append(("数据存储：正常", "ok"))
        return rows

    def reprint(self, number: str) -> bool:
        return self.print_record(number.strip().replace("-", ""))


STORE_HEALTH_ZH = {
    "compaction": "整理失败（磁盘满？）写入仍安全",
    "compaction_behind": "整理滞后",
    "disk": "磁盘空间不足",
    "audit_key": "缺少审计密钥",
}

_STATE_ZH = {
    "offline": "离线",
    "connecting": "连接中",
    "ready": "正常",
    "busy": "工作中",
    "paper_near_end": "纸将用完",
    "paper_out": "缺纸",
    "cover_open": "纸仓盖打开",
    "error": "故障",
}


def masked_name(name: str) -> str:
    return mask_name(name)


def open_backend(settings: Any, with_devices: bool = True) -> KioskBackend:
    """The Desk on ``settings`` and, unless told not to, the devices (simulated in the demo)."""
    from desk.service import Desk

    desk = Desk.open(settings)
    devices = None
    if with_devices:
        from devices.manager import Devices

        devices = Devices(settings, desk).start()
    return KioskBackend(desk, devices, settings)
