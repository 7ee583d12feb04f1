"""The kiosk's one door to the desk core and the devices: every screen calls only this."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from desk.errors import DeskError, ValidationError
from desk.identity import Evidence
from desk.masking import mask_name
from desk.record_types import PARCEL_CONDITIONS, GuardRequest, Parcel, Visit, WorkOrder
from desk.records import Actor, Role, format_number
from desk.services.emergencies import EmergencyOutcome
from desk.services.requests import (
    EmergencyReport,
    GuardAsk,
    KeyLoanRequest,
    ParcelIn,
    RepairRequest,
    VisitRequest,
)
from desk.validate import unit_label_zh
from desk.workflow import STATUS_ZH
from kiosk.backend_calls import CallsMixin
from kiosk.backend_complaints import ComplaintsMixin
from kiosk.backend_orders import OrdersMixin
from kiosk.backend_reports import ReportsMixin
from kiosk.backend_visitors import VisitorDeskMixin
from kiosk.words import readable, slot_zh

log = logging.getLogger(__name__)


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
    """"opened" (door confirmed; after ``finish_pickup``: parcel taken, collected), "counter"
    (a guard hands it over), "failed" (door did not open), "still_there" (door shut on the
    parcel), "door_open" (door left open: a guard was called)."""
    error: str = ""
    printed: PrintOutcome | None = None
    """The pickup slip of an opened compartment."""


class KioskBackend(OrdersMixin, ComplaintsMixin, CallsMixin, ReportsMixin, VisitorDeskMixin):
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
        return self.desk.directory.unit_tree()

    def staff_names(self) -> list[str]:
        return self.desk.staff.names()

    def search_residents(self, initials: str) -> list[Any]:
        """Residents by pinyin initials ("zs"); screens show them only masked (X1)."""
        return self.desk.directory.search(initials) if initials else []

    def residents_of(self, unit: str) -> list[Any]:
        return self.desk.directory.residents_of(unit) if unit else []

    def set_phone_pin(self, unit: str, phone: str, pin: str) -> Any:
        """X1: the resident's phone PIN, set at the desk by staff (the hotline asks for it)."""
        return self.desk.directory.set_phone_pin(unit, phone, pin, self.staff_actor())

    def login(self, name: str, pin: str) -> Actor | None:
        """Staff id + PIN; None when wrong or while the terminal/account is delayed."""
        try:
            return self.desk.staff.login(name, pin, source=self.kiosk_id)
        except DeskError:
            return None

    def staff_logins(self) -> list[tuple[str, str]]:
        """(button label, login id) of the accounts that may log in."""
        return self.desk.staff.logins()

    def staff_login(self, login: str, pin: str) -> tuple[Actor | None, str, bool]:
        """(actor, message, PIN setup needed): the core's own words when refused."""
        from desk.services.staff import PinSetupRequired

        try:
            return self.desk.staff.login(login, pin, source=self.kiosk_id), "", False
        except PinSetupRequired as exc:
            return None, str(exc), True
        except DeskError as exc:
            return None, str(exc), False

    def set_first_pin(self, login: str, code: str, pin: str) -> tuple[Actor | None, str, bool]:
        """The person's own PIN on first login (with the one-time setup code):
        (actor, message, choose another PIN)."""
        try:
            return self.desk.staff.set_first_pin(login, code, pin, source=self.kiosk_id), "", False
        except ValidationError as exc:
            return None, exc.message, True  # never echo the PIN
        except DeskError as exc:
            return None, str(exc), False

    def get(self, number: str) -> Any:
        return self.desk.get(number)

    # -- visitors (V1-V6) -------------------------------------------------------
    def register_visit(self, fields: dict[str, Any], preauth_code: str = "") -> Visit:
        actor = self.visitor(fields.get("visitor_name", ""))
        if preauth_code:
            fields = {k: v for k, v in fields.items() if k != "host_unit"}
            return self.desk.visits.arrive(preauth_code, VisitRequest(**fields), actor)
        return self.desk.visits.register(VisitRequest(**fields), actor)

    def visit_by_preauth_code(self, code: str) -> Visit | None:
        return self.desk.visits.by_preauth_code(code)

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

    def leave_message(self, number: str, text: str) -> Any:
        """V2: the core's MessageOutcome (delivered to the desk's callback list, or not)."""
        from desk.services.visit_desk import MessageOutcome

        try:
            return self.leave_visit_message(number, text)
        except DeskError as exc:
            log.info("message not left on %s: %s", number, exc)
            return MessageOutcome(False, "留言未能转交", "请到前台由工作人员联系住户")

    def check_out(self, code: str) -> Visit:
        return self.desk.visits.check_out(code, self.visitor())

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
        return self._wait_job(job, wait)

    def _wait_job(self, job: Any, wait: float | None = None) -> PrintOutcome:
        """Wait (up to ``wait`` s) for the printer to report the job printed or waiting."""
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
            lines.append(f"{unit_label_zh(record.location)}  {record.description[:30]}")
            if record.on_site_by and record.status in ("received", "dispatched", "accepted"):
                lines.append(f"预计到场  {record.on_site_by:%m-%d %H:%M}")
        for change in record.history[-6:]:
            lines.append(
                f"{change.at:%m-%d %H:%M}  {STATUS_ZH.get(change.status, change.status)}  {change.note}"
            )
        return [readable(line).rstrip() for line in lines]

    # -- what will really happen (L1): who comes, when the desk is staffed ---------------
    def staffed_now(self) -> bool:
        """L1: the service centre is staffed now (07:30-20:00); otherwise the guard on duty."""
        return self.desk.is_staffed()

    def hours_lines(self) -> list[str]:
        """The staffed hours and the 24-hour duty phone, from the core's settings (L1, C1)."""
        hours = self.settings.hours
        return [
            f"客服中心服务时间：{hours.staffed_from:%H:%M}–{hours.staffed_until:%H:%M}",
            f"值班电话：{self.settings.site.hotline_number}",
        ]

    def call_staff_lines(self) -> list[str]:
        """What 呼叫客服 really does now: staff in hours; the guard on duty after them (L1)."""
        if self.staffed_now():
            return ["已通知客服，请稍候"]
        return ["现在是非工作时间，已通知值班保安，请在此稍候", *self.hours_lines()]

    def go_to_desk_lines(self, proxy: bool = False) -> list[str]:
        """Where a parcel the locker cannot give is handed over, and by whom (P3, L1)."""
        check = "核对证件后" if proxy else ""
        if self.staffed_now():
            return [f"请到前台，保安{check}将包裹交给您"]
        return [
            f"现在是非工作时间，已通知值班保安，请在前台等候，保安{check}将包裹交给您",
            *self.hours_lines(),
        ]

    def call_staff(self, note: str = "") -> GuardRequest:
        """呼叫客服: a store record the guard screen lists until a guard settles it."""
        request = self.desk.guard.ask(
            GuardAsk("call_staff", note=note or f"自助终端 {self.kiosk_id} 呼叫客服"),
            self.visitor(),
        )
        log.info("staff called at %s: %s", self.kiosk_id, request.number)
        return request

    def emergency(self, what: str = "", where: str = "") -> EmergencyOutcome:
        """E1: the kiosk's emergency button; the core records it (guard list first, duty log)
        and says what to tell the person (119/110/120 advice)."""
        report = EmergencyReport("kiosk", via="紧急按钮", where=where, what=what)
        outcome = self.desk.emergencies.report(report, self.visitor())
        log.warning("emergency reported at %s: %s", self.kiosk_id, outcome.request.number)
        return outcome

    def emergency_details(self, number: str, what: str) -> GuardRequest:
        """E1: what the person told after the emergency was recorded."""
        return self.desk.emergencies.add_details(number, self.visitor(), what=what)

    # -- repairs (R1, R2) ---------------------------------------------------------
    def suggests_urgent(self, category: str, text: str) -> bool:
        return self.desk.repairs.suggests_urgent(category, text)

    def appointment_slots(self) -> list[tuple[str, str]]:
        """(value, label) of the core's repair slots from now (R1)."""
        return [
            (s.start.isoformat(timespec="minutes"), slot_zh(s.start, s.end))
            for s in self.desk.repairs.slots()
        ]

    def reporter(self, location: str, name: str, phone: str) -> Actor:
        """Who reports at the kiosk, as the core's identity rules see it (a hint: the phone)."""
        unit = "" if location.startswith("public:") else location
        return self.desk.identify(
            Evidence("kiosk", self.kiosk_id, phone=phone, unit=unit, name=name)
        )

    def create_work_order(self, fields: dict[str, Any]) -> WorkOrder:
        """R1: the core decides (a stranger's unit repair is taken, flagged 待核实)."""
        fields = dict(fields)
        actor = self.reporter(
            fields["location"], fields.get("contact_name", ""), fields.get("contact_phone", "")
        )
        if fields.get("appointment_start"):
            fields["appointment_start"] = self.desk.parse_time(fields["appointment_start"])
        fields.pop("appointment_end", None)
        fields.setdefault("channel", "kiosk")
        return self.desk.repairs.report(RepairRequest(**fields), actor)

    # -- parcels (P1, P3) -------------------------------------------------------
    def parcels_for_code(self, code: str) -> list[Parcel]:
        """Raises NotFound for a wrong code and LockedOut after too many (the core's lockout)."""
        return self.desk.parcels.for_code(code, self.kiosk_id)

    def collect(self, parcels: list[Parcel]) -> list[PickupOutcome]:
        """Open each door, wait for it to be shut and the parcel taken (P3, P5); see below."""
        return self.finish_pickup(self.open_for_pickup(parcels))

    def open_for_pickup(self, parcels: list[Parcel]) -> list[PickupOutcome]:
        """Open each locker door (confirmed by the board, its lamp lit where the board has one)
        or ask a guard to hand the parcel over; nothing is marked collected yet."""
        out = []
        for parcel in parcels:
            if self.desk.parcels.must_hand_over(parcel) or self.devices is None:
                self.desk.parcels.request_counter_pickup(parcel, self.visitor())
                out.append(PickupOutcome(parcel, "counter"))
                continue
            result = self.devices.open(parcel.compartment)
            if not result.confirmed:
                log.warning("compartment %s did not open: %s", parcel.compartment, result.error)
                self.desk.parcels.request_counter_pickup(
                    parcel, self.visitor(), note=f"柜门未打开：{result.error or '无确认'}"
                )
                out.append(PickupOutcome(parcel, "failed", result.error or ""))
                continue
            self.devices.lamp(parcel.compartment, True)
            out.append(PickupOutcome(parcel, "opened"))
        return out

    def finish_pickup(self, outcomes: list[PickupOutcome]) -> list[PickupOutcome]:
        """For each opened door: wait until it is shut, then read the item sensor (P3, P5).

        Taken (or shut on a board without sensors) -> collected and the slip printed; still
        inside -> "still_there" (the screen asks); left open -> a guard is called and the
        parcel stays uncollected ("door_open"); a board that stops answering -> a guard.
        """
        from devices import sensing

        out = []
        for o in outcomes:
            if o.result != "opened" or self.devices is None:
                out.append(o)
                continue
            parcel = o.parcel
            name = parcel.compartment

            def alert(compartment: str, seconds: float, parcel: Parcel = parcel) -> None:
                self.desk.guard.ask(
                    GuardAsk(
                        "call_staff",
                        unit=parcel.unit,
                        compartment=compartment,
                        note=f"柜门 {compartment} 取件后 {seconds:.0f} 秒未关闭，请查看",
                    ),
                    self.visitor(),
                )

            watch = self.devices.watch_pickup(name, on_alert=alert)
            self.devices.lamp(name, False)
            if watch.outcome in (sensing.TAKEN, sensing.CLOSED):
                done = self.desk.parcels.pick_up(parcel.number, self.visitor())
                out.append(PickupOutcome(done, "opened", printed=self.print_record(done.number)))
            elif watch.outcome == sensing.STILL_THERE:
                out.append(PickupOutcome(parcel, "still_there"))
            elif watch.outcome == sensing.DOOR_OPEN:
                if not watch.alerted:
                    alert(name, watch.seconds)
                out.append(PickupOutcome(parcel, "door_open"))
            else:
                self.desk.parcels.request_counter_pickup(
                    parcel, self.visitor(), note=f"柜门 {name} 开启后锁控板无应答"
                )
                out.append(PickupOutcome(parcel, "failed", "锁控板无应答"))
        return out

    def request_proxy(
        self, parcels: list[Parcel], proxy_name: str, proxy_id: str
    ) -> list[GuardRequest]:
        """P3: a proxy's pickup waits for a guard who checks the proxy's name and ID."""
        return self.desk.parcels.request_proxy(
            parcels, proxy_name, proxy_id, self.visitor(proxy_name)
        )

    # -- guard mode ---------------------------------------------------------------
    def open_requests(self) -> list[GuardRequest]:
        """What people at the kiosk wait for, from the store (emergencies first, then oldest)."""
        return self.desk.guard.pending()

    def hand_over(self, request: GuardRequest) -> Parcel:
        """The guard hands a parcel over (counter, or a proxy with a checked ID: P3); settles the request."""
        actor = self.staff_actor()
        if request.compartment != self.desk.parcels.counter and self.devices is not None:
            result = self.devices.open(request.compartment)
            if not result.confirmed:
                raise DeskError(f"柜门 {request.compartment} 未打开：{result.error}")
        parcel = self.desk.parcels.hand_over(request, actor)
        self.print_record(parcel.number)
        return parcel

    def settle(self, number: str, done: bool = True, note: str = "") -> GuardRequest:
        """A guard handled (or turned down) a call or a pickup request."""
        return self.desk.guard.settle(number, self.staff_actor(), done, note)

    def to_countersign(self) -> list[Parcel]:
        return self.desk.parcels.to_countersign()

    def countersign(self, number: str) -> Parcel:
        return self.desk.parcels.countersign(number, self.staff_actor())

    @property
    def counter(self) -> str:
        """P1/P3: the compartment name of parcels kept at the desk (the core's)."""
        return self.desk.parcels.counter

    def couriers(self) -> tuple[str, ...]:
        """P1: the core's courier names (one spelling everywhere)."""
        return self.desk.parcels.couriers()

    def free_compartments(self) -> list[str]:
        names = [n for n in self.settings.devices.compartments if not n.startswith("钥匙")]
        return self.desk.parcels.free_compartments(names)

    def compartment_label(self, name: str) -> str:
        """ "A-07 中": the name with the size the installer confirmed (confirm-doors)."""
        size = (self.settings.devices.compartment_sizes or {}).get(name)
        return f"{name} {size}" if size else name

    def parcel_conditions(self) -> tuple[str, ...]:
        """P1: the conditions a parcel is recorded in (完好 first)."""
        return PARCEL_CONDITIONS

    def check_intake(self, fields: dict[str, Any]) -> None:
        """P1: the core's intake checks (condition described) before a door is opened."""
        self.desk.parcels.check_intake(ParcelIn(**fields))

    def receive_parcel(self, fields: dict[str, Any]) -> tuple[Parcel, bool]:
        """P1: record the parcel and open its compartment for loading; (parcel, door confirmed)."""
        actor = self.staff_actor()
        self.check_intake(fields)
        counter = self.desk.parcels.counter
        compartment = fields.get("compartment") or counter
        opened = compartment == counter
        if compartment != counter and self.devices is not None:
            opened = self.devices.open(compartment).confirmed
            if not opened:
                raise DeskError(f"柜门 {compartment} 未打开，请换一个柜格")
            # P1, P5: the compartment counts as occupied only once its sensor sees the parcel
            loaded = self.devices.confirm_loaded(compartment)
            if loaded.outcome in ("not_seen", "no_answer"):
                raise DeskError(
                    f"柜格 {compartment} 未检测到包裹，未登记：请放好包裹后重试，或换一个柜格"
                )
        parcel = self.desk.parcels.receive(
            ParcelIn(**{**fields, "compartment": compartment}), actor
        )
        return parcel, opened

    def visits_waiting(self) -> list[Visit]:
        return self.desk.visits.waiting()

    def visits_overdue(self) -> list[Visit]:
        return self.desk.visits.overdue()

    def needs_guard(self, visit: Visit) -> bool:
        """V3: a visitor without ID no guard has approved yet."""
        return self.desk.visits.needs_guard(visit)

    def host_answer(self, number: str, accepted: bool) -> Visit:
        return self.desk.visits.host_answer(number, self.staff_actor(), accepted)

    def approve_without_id(self, number: str, approve: bool = True) -> Visit:
        actor = self.staff_actor()
        if approve:
            return self.desk.visits.approve_without_id(number, actor)
        return self.desk.visits.refuse_without_id(number, actor)

    def guard_check_out(self, number: str) -> Visit:
        return self.desk.visits.check_out(number, self.staff_actor())

    def keys(self) -> list[Any]:
        return self.desk.keys.all()

    def lend_key(self, key_id: str, fields: dict[str, Any]) -> tuple[Any, bool]:
        """K2/K3: register the loan and open the key slot; (loan, slot confirmed open)."""
        actor = self.staff_actor()
        key = self.desk.keys.get(key_id)
        loan = self.desk.keys.lend(KeyLoanRequest(key_id, **fields), actor)
        opened = self._open_quietly(key.slot)
        self.print_record(loan.number)
        return loan, opened

    def return_key(self, key_id: str) -> tuple[Any, bool]:
        """K2: open the slot and wait for its sensor to see the key; the loan is closed only
        then (False: the loan stays open and the guard is told). A slot without a sensor or a
        lock is closed on the guard's word (the guard has the key in hand)."""
        actor = self.staff_actor()
        key = self.desk.keys.get(key_id)
        if self._open_quietly(key.slot):
            seen = self.devices.wait_key_returned(key.slot)
            if seen.outcome in ("not_seen", "no_answer"):
                log.warning("key %s: slot %s sensor did not see it (%s)", key_id, key.slot, seen)
                return self.desk.get(key.loan), False
        return self.desk.keys.take_back(key.loan, actor), True

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
        return self.desk.reports.due()

    def log_entry(self, text: str) -> Any:
        return self.desk.dutylog.write(text, self.staff_actor())

    def duty_log_today(self) -> list[Any]:
        return self.desk.dutylog.day(self.desk.now().date())

    def handover(
        self, to_name: str, note: str = "", override_by: Actor | None = None, incoming_pin: str = ""
    ) -> Any:
        """L3: refused while important work is open, unless a supervisor overrides; the incoming
        shift signs with their own PIN (the core's login and lockout) and is logged in, the
        outgoing logged out; the day's sheet (received, done, open, overdue with owners, audit
        chain head) is then printed for both shifts to sign."""
        incoming = (
            self.desk.staff.login(to_name, incoming_pin, self.kiosk_id) if incoming_pin else None
        )
        entry = self.desk.dutylog.handover(self.staff_actor(), to_name, note, force_by=override_by,
                                           incoming=incoming)  # fmt: skip
        if incoming is not None and self.app is not None:
            self.app.staff = incoming  # the outgoing is logged out
        self._queue_daily_sheet(entry.number)
        return entry

    def blocking_items(self) -> list[str]:
        """L3: open important work (emergencies, urgent repairs, collective complaints)."""
        return self.desk.dutylog.blocking_items()

    def supervisor_names(self) -> list[str]:
        return self.desk.staff.names("supervisor")

    def supervisor_logins(self) -> list[tuple[str, str]]:
        """(label, login id) of the supervisors (L3 override: their login, not their name)."""
        return self.desk.staff.logins("supervisor")

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
        from devices.events import lock_problem_zh

        lstate = self.devices.locks.state_value
        problem = lock_problem_zh(lstate)  # silent vs garbled vs no port: what to check
        rows.append(
            (
                problem or f"锁控板：{_STATE_ZH.get(lstate.value, lstate.value)}",
                "ok" if lstate.value in ("ready", "busy") else "bad",
            )
        )
        pending = len(self.desk.printing.pending())
        rows.append((f"待打印：{pending}", "ok" if pending == 0 else "warn"))
        from devices.notice_worker import status_rows  # SMS modem(s) and queue (issue 13)

        rows += status_rows(self.devices, self.desk)
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
    "no_answer": "无应答",
    "bad_answer": "应答异常",
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

        devices = Devices(settings, desk.printing, desk=desk).start()
        devices.seed_simulator(occupied_compartments(desk))
    return KioskBackend(desk, devices, settings)


def occupied_compartments(desk: Any) -> list[str]:
    """What the records say is inside: stored parcels' compartments and keys' slots."""
    stored = [p.compartment for p in desk.parcels.waiting() if p.status == "stored"]
    return stored + [k.slot for k in desk.keys.all() if k.status == "in"]
