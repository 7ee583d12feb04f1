"""A month of generated but realistic desk traffic, driven through the core, with its known answers.

Every entity (work order, complaint, parcel, visit, key loan, call) is a plan drawn from a seeded
random generator; its steps are events on one clock, run in time order through ``Desk``. The
expected figures are counted from the plans alone (never from the records), so a report that
reads the records can be checked against them.
"""

from __future__ import annotations

import heapq
import itertools
import random
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from desk.clock import in_site, local
from desk.config_policy import PolicySettings
from desk.record_types import COMPLAINT_CATEGORIES, COMPLAINT_VALIDITY, REPAIR_CATEGORIES
from desk.records import Actor, Role
from desk.service import Desk
from desk.services.requests import (
    CallLog,
    ComplaintRequest,
    KeyLoanRequest,
    NewKey,
    ParcelIn,
    RepairRequest,
    VisitRequest,
)

STAFF = Actor(Role.STAFF, "小李", "desk")
GUARD = Actor(Role.GUARD, "老张", "lobby")
SUPERVISOR = Actor(Role.SUPERVISOR, "王主管", "desk")
HOTLINE = Actor(Role.SYSTEM, "hotline", "hotline")
TECHS = ("老陈", "小王", "李师傅")
LEVELS = ("非常满意", "满意", "不太满意", "很不满意")
MONTH_START = local(2026, 11, 1)
MONTH_END = local(2026, 12, 1)
AS_OF = local(2026, 12, 10, 9, 0)


@dataclass
class Expected:
    """The figures the month must show, counted from the plans."""

    orders_by_category: Counter[str] = field(default_factory=Counter)
    orders_by_building: Counter[str] = field(default_factory=Counter)
    orders_by_technician: Counter[str] = field(default_factory=Counter)
    orders_urgent: int = 0
    dispatch: list[bool] = field(default_factory=list)
    urgent_arrival: list[bool] = field(default_factory=list)
    orders_completed: int = 0
    orders_followed: int = 0
    orders_follow_on_time: list[bool] = field(default_factory=list)
    order_exceptions: set[str] = field(default_factory=set)
    satisfaction: Counter[str] = field(default_factory=Counter)
    complaints: int = 0
    complaints_by_category: Counter[str] = field(default_factory=Counter)
    complaints_by_class: Counter[str] = field(default_factory=Counter)
    collective_events: int = 0
    collective_complaints: int = 0
    reply: list[bool] = field(default_factory=list)
    contact: list[bool] = field(default_factory=list)
    complaints_resolved: int = 0
    complaints_followed: int = 0
    parcels_received: int = 0
    parcels_collected: int = 0
    parcels_returned: int = 0
    parcels_overdue: int = 0
    parcel_hours: list[float] = field(default_factory=list)
    visits: int = 0
    visits_by_day: Counter[date] = field(default_factory=Counter)
    visits_by_hour: Counter[int] = field(default_factory=Counter)
    visits_no_id_approved: int = 0
    visits_blocked: int = 0
    key_loans: int = 0
    key_overdue: int = 0
    calls_in: int = 0
    calls_answered: int = 0
    calls_abandoned: int = 0
    callbacks_done: int = 0
    calls_after_hours: int = 0
    calls_emergency: int = 0

    @property
    def parcel_median_hours(self) -> float:
        return statistics.median(self.parcel_hours)


class Traffic:
    """Schedules plans as timed events and runs them through the desk in time order."""

    def __init__(self, desk: Desk, clock: Callable[[], datetime], seed: int = 15) -> None:
        self.desk = desk
        self.clock = clock
        self.rng = random.Random(seed)
        self.events: list[tuple[datetime, int, Callable[[], None]]] = []
        self.seq = itertools.count()
        self.exp = Expected()
        self.in_month = lambda t: MONTH_START <= t < MONTH_END

    def at(self, when: datetime, step: Callable[[], None]) -> None:
        if when <= AS_OF:
            heapq.heappush(self.events, (when, next(self.seq), step))

    def run(self) -> Expected:
        for day in range(30):
            start = MONTH_START + timedelta(days=day)
            weekend = (start.weekday() >= 5) * 3
            for _ in range(self.rng.randint(7, 13)):
                self.work_order(start + self._daytime())
            for _ in range(self.rng.randint(1, 5)):
                self.complaint(start + self._daytime())
            for _ in range(self.rng.randint(8, 18) - weekend):
                self.parcel(start + self._daytime())
            for _ in range(self.rng.randint(6, 12) + 2 * weekend):
                self.visit(start + self._daytime())
            for _ in range(self.rng.randint(6, 14)):
                self.call(start + timedelta(minutes=self.rng.randrange(24 * 60)))
            if day % 2 == 0:
                self.key_loan(start + self._daytime())
        self.collective(local(2026, 11, 18, 9, 0))
        while self.events:
            when, _, step = heapq.heappop(self.events)
            self.clock.now = when  # type: ignore[attr-defined]
            step()
        self.clock.now = AS_OF  # type: ignore[attr-defined]
        return self.exp

    def _daytime(self) -> timedelta:
        return timedelta(hours=8, minutes=self.rng.randrange(11 * 60))

    def _unit(self) -> str:
        return f"{self.rng.randint(1, 10)}-{self.rng.randint(1, 2)}-{self.rng.randint(1, 30)}0{self.rng.randint(1, 2)}"

    def _phone(self) -> str:
        return f"139{self.rng.randrange(10**8):08d}"

    # ---------------------------------------------------------------- work orders (R2, R5)
    def work_order(self, t0: datetime) -> None:
        rng, exp = self.rng, self.exp
        category = rng.choice(list(REPAIR_CATEGORIES))
        unit = self._unit()
        # R2: lift and gas repairs are always urgent (the core's policy), the rest when asked
        urgent = rng.random() < 0.2 or category in PolicySettings().urgent_categories
        cancel = rng.random() < 0.03
        tech = "" if rng.random() < 0.1 else rng.choice(TECHS)
        appointment = (
            None if urgent else in_site(datetime.combine(t0.date() + timedelta(days=1), time(11)))
        )  # a policy slot (9, 11, 14, 16)
        dispatch_delay = timedelta(
            minutes=rng.choice((0,) * 9 + (5,)) if urgent else rng.randrange(5, 130)
        )
        arrive = (
            t0 + dispatch_delay + timedelta(minutes=rng.randrange(5, 32))
            if urgent
            else appointment + timedelta(minutes=rng.randrange(-30, 10))  # type: ignore[operator]
        )
        done = arrive + timedelta(minutes=rng.randrange(30, 150))
        follow = done + timedelta(hours=rng.randrange(2, 80)) if rng.random() < 0.92 else None
        level = rng.choices(LEVELS, weights=(60, 32, 6, 2))[0]
        no_answer = follow is None and rng.random() < 0.5
        state: dict[str, str] = {}

        if not cancel:
            b = unit.split("-")[0]
            exp.orders_by_category[REPAIR_CATEGORIES[category]] += 1
            exp.orders_by_building[f"{b}栋"] += 1
            # R3: an order dispatched without a named technician goes to the repair team
            exp.orders_by_technician[tech or "维修组"] += 1
            exp.orders_urgent += urgent
            exp.dispatch.append(dispatch_delay <= (timedelta(0) if urgent else timedelta(hours=2)))
            if urgent:
                exp.urgent_arrival.append(arrive - t0 <= timedelta(minutes=30))
            if self.in_month(done) and done <= AS_OF:
                exp.orders_completed += 1
                if follow is not None and follow <= AS_OF:
                    exp.orders_followed += 1
                    exp.orders_follow_on_time.append(follow - done <= timedelta(days=3))
                    if self.in_month(follow):
                        exp.satisfaction[level] += 1
                    if level in LEVELS[2:] or follow - done > timedelta(days=3):
                        state["exception"] = "yes"
                else:
                    state["exception"] = "yes"
                    if done + timedelta(days=3) < AS_OF:
                        exp.orders_follow_on_time.append(False)

        def create() -> None:
            order = self.desk.repairs.report(RepairRequest(
                location=unit, category=category, description="水龙头坏了" if not urgent else "家里跳闸了",
                contact_name="赵六", contact_phone=self._phone(), channel="desk", urgent=urgent,
                appointment_start=appointment,
            ), STAFF)  # fmt: skip
            state["n"] = order.number
            if "exception" in state:
                self.exp.order_exceptions.add(order.number)
            if cancel:
                self.desk.repairs.cancel(order.number, STAFF, "客户取消")
                return
            self.at(t0 + dispatch_delay, dispatch)

        def dispatch() -> None:
            self.desk.repairs.dispatch(state["n"], STAFF, assignee=tech)
            self.desk.repairs.transition(state["n"], "accept", STAFF)
            self.at(max(arrive, self.clock() + timedelta(seconds=1)), on_site)

        def on_site() -> None:
            self.desk.repairs.transition(state["n"], "arrive", STAFF)
            self.at(done, complete)

        def complete() -> None:
            self.desk.repairs.complete(state["n"], STAFF)
            if follow is not None:
                self.at(follow, lambda: self.desk.follow_ups.record(state["n"], level, STAFF))
            elif no_answer:
                self.at(done + timedelta(hours=20), attempt)

        def attempt() -> None:
            self.desk.calls.record(CallLog(
                direction="out", caller="hotline", callee="13900000000",
                purpose=f"follow_up:{state['n']}", outcome="no_answer", status="no_answer",
            ), HOTLINE)  # fmt: skip

        self.at(t0, create)

    # ------------------------------------------------------------------- complaints (C1-C5)
    def complaint(
        self, t0: datetime, unit: str = "", category: str = "", collective: bool = False
    ) -> None:
        rng, exp = self.rng, self.exp
        category = category or rng.choice(list(COMPLAINT_CATEGORIES))
        unit = unit or self._unit()
        validity = rng.choice(("valid", "valid", "assist", "invalid", "unclassified"))
        severity = rng.choice(("minor", "minor", "important", "major"))
        reply_delay = timedelta(minutes=rng.randrange(10, 150))
        resolve = t0 + reply_delay + timedelta(hours=rng.randrange(1, 20))
        follow = resolve + timedelta(hours=rng.randrange(4, 60)) if rng.random() < 0.9 else None
        state: dict[str, str] = {}
        exp.complaints += 1
        exp.complaints_by_category[COMPLAINT_CATEGORIES[category]] += 1
        exp.complaints_by_class[COMPLAINT_VALIDITY[validity]] += 1
        on_time_reply = reply_delay <= timedelta(hours=2) or (
            severity == "important" and validity != "invalid"
        )
        if not collective:
            exp.reply.append(on_time_reply)
        if validity == "valid":  # C3: a valid complaint's customer is contacted within 2 h
            exp.contact.append(reply_delay <= timedelta(hours=2))
        if self.in_month(resolve) and resolve <= AS_OF:
            exp.complaints_resolved += 1
            if follow is not None and follow <= AS_OF:
                exp.complaints_followed += 1
                if self.in_month(follow):
                    exp.satisfaction["满意"] += 1

        def create() -> None:
            c = self.desk.complaints.file(ComplaintRequest(
                channel="desk", name="钱七", unit=unit, phone=self._phone(),
                content="楼道里很脏没人打扫", category=category, validity=validity, severity=severity,
            ), STAFF)  # fmt: skip
            state["n"] = c.number
            if collective:
                self.exp.reply.append(on_time_reply)
            self.at(t0 + reply_delay, reply)

        def reply() -> None:
            self.desk.complaints.transition(state["n"], "reply", STAFF, "已电话答复")
            self.at(resolve, lambda: self.desk.complaints.resolve(state["n"], STAFF, "已处理"))
            if follow is not None:
                self.at(follow, lambda: self.desk.follow_ups.record(state["n"], "满意", STAFF))

        self.at(t0, create)

    def collective(self, t0: datetime) -> None:
        """C2: six households of building 5 about the same cleaning problem on one day."""
        for i in range(6):
            self.complaint(t0 + timedelta(minutes=10 * i), f"5-1-{i + 1}01", "cleaning", True)
        self.exp.collective_events += 1
        self.exp.collective_complaints += 6

    # --------------------------------------------------------------------- parcels (P1-P4)
    def parcel(self, t0: datetime) -> None:
        rng, exp = self.rng, self.exp
        unit = self._unit()
        wait = timedelta(minutes=min(int(rng.expovariate(1 / 1800)) + 10, 240 * 60))
        returned = rng.random() < 0.03
        proxy = rng.random() < 0.1
        exp.parcels_received += 1
        overdue = timedelta(days=7)
        state: dict[str, str] = {}
        if returned:
            exp.parcels_returned += 1
            exp.parcels_overdue += 1
        elif t0 + wait <= AS_OF:
            exp.parcels_collected += 1
            exp.parcel_hours.append(wait.total_seconds() / 3600)
            exp.parcels_overdue += wait > overdue
        else:
            exp.parcels_overdue += t0 + overdue < AS_OF

        def receive() -> None:
            p = self.desk.parcels.receive(ParcelIn(
                recipient_name="孙八", unit=unit, phone=self._phone(), courier="顺丰速运",
                tracking_no=f"SF{rng.randrange(10**12):012d}", compartment=f"A-{rng.randint(1, 16):02d}",
            ), GUARD)  # fmt: skip
            state["n"] = p.number
            if returned:
                self.at(t0 + timedelta(days=8), lambda: self.desk.parcels.return_to_sender(
                    state["n"], STAFF, "住户已搬离"))  # fmt: skip
            else:
                self.at(t0 + wait, pick_up)

        def pick_up() -> None:
            if proxy:
                self.desk.parcels.pick_up(state["n"], GUARD, proxy_name="周九", proxy_id="E1234567")
            else:
                self.desk.parcels.pick_up(state["n"], Actor(Role.OWNER, "孙八", "kiosk-1"))
                self.desk.parcels.countersign(state["n"], GUARD)

        self.at(t0, receive)

    # ------------------------------------------------------------------------ visits (V1-V3)
    def visit(self, t0: datetime) -> None:
        rng, exp = self.rng, self.exp
        no_id = rng.random() < 0.1
        outcome = rng.choices(("admit", "decline", "message"), weights=(80, 12, 8))[0]
        approve = rng.random() < 0.7
        exp.visits += 1
        exp.visits_by_day[t0.date()] += 1
        exp.visits_by_hour[t0.hour] += 1
        if no_id:
            exp.visits_no_id_approved += approve
            exp.visits_blocked += not approve
        else:
            exp.visits_blocked += outcome == "decline"

        def register() -> None:
            ident = (
                {"id_type": "none"} if no_id else {"id_type": "passport", "id_number": "E12345678"}
            )
            v = self.desk.visits.register(VisitRequest(host_unit=self._unit(), visitor_name="吴十",
                                                       purpose="探亲", **ident), GUARD)  # fmt: skip
            if no_id:
                if approve:
                    self.desk.visits.approve_without_id(v.number, GUARD)
                else:
                    self.desk.visits.refuse_without_id(v.number, GUARD)
            elif outcome == "admit":
                self.desk.visits.host_answer(v.number, GUARD, True)
                self.at(
                    t0 + timedelta(hours=2), lambda: self.desk.visits.check_out(v.number, GUARD)
                )
            elif outcome == "decline":
                self.desk.visits.host_answer(v.number, GUARD, False)
            else:
                self.desk.visits.leave_message(v.number, GUARD, "明天再来")

        self.at(t0, register)

    # ---------------------------------------------------------------------------- keys (K2)
    def key_loan(self, t0: datetime) -> None:
        rng, exp = self.rng, self.exp
        back = timedelta(minutes=rng.randrange(30, 400))
        never = rng.random() < 0.1
        exp.key_loans += 1
        due = timedelta(hours=4)
        exp.key_overdue += (back > due) if not never else t0 + due < AS_OF
        key_id = f"K{exp.key_loans:03d}"

        def lend() -> None:
            self.desk.keys.add(
                NewKey(
                    key_id, f"{key_id} 空置房钥匙", f"钥匙 3-{exp.key_loans % 16 + 1:02d}", "vacant"
                )
            )
            loan = self.desk.keys.lend(KeyLoanRequest(key_id, borrower_name="维修工老陈", borrower_is_staff=True,
                                                      purpose="入户维修", due_back=t0 + due), GUARD)  # fmt: skip
            if not never:
                self.at(t0 + back, lambda: self.desk.keys.take_back(loan.number, GUARD))

        self.at(t0, lend)

    # -------------------------------------------------------------------- calls (T1-T3, E1)
    def call(self, t0: datetime) -> None:
        rng, exp = self.rng, self.exp
        status = rng.choices(
            ("answered", "abandoned", "missed", "voicemail"), weights=(80, 10, 6, 4)
        )[0]
        emergency = status == "answered" and rng.random() < 0.03
        callback = status != "answered" and rng.random() < 0.6
        exp.calls_in += 1
        exp.calls_answered += status == "answered"
        exp.calls_abandoned += status != "answered"
        exp.callbacks_done += callback
        exp.calls_after_hours += not time(7, 30) <= t0.time() < time(20)
        exp.calls_emergency += emergency

        def record() -> None:
            call = self.desk.calls.record(CallLog(
                direction="in", caller=self._phone(), callee="0755-88886666",
                purpose="emergency" if emergency else "repair", status=status, outcome=status,
            ), HOTLINE)  # fmt: skip
            if callback:
                self.desk.calls.called_back(call.number, STAFF)

        self.at(t0, record)
