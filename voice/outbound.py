"""Outbound calls on the separate account: host confirmation (V2), follow-ups (R5, C4), notice calls."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from desk.dialplan import DEFAULT_PLAN, DialPlan, guarded
from desk.errors import DeskError
from desk.masking import mask_phone
from desk.notice_hooks import queue_of
from desk.record_types import Call, Complaint, Satisfaction, Visit, WorkOrder
from desk.records import Record
from desk.service import Desk
from desk.services.requests import CallLog
from voice.dialog import CallerHungUp, Dialog, EmergencyRequested
from voice.flows import HOTLINE
from voice.line import Channel
from voice.menu import Menu, Option
from voice.prompts import Prompts

log = logging.getLogger(__name__)

CALLBACK_HELLO = (
    "您好，这里是{office}，您之前来电我们未能接听，现在给您回电，正在为您转接客服，请稍候。"
)
"""T3: what the caller hears when the dialer calls them back, before the transfer."""

PRICE_CONFIRM = ("您好，这里是{office}。您报修的工单{number}为有偿服务，费用{price}元。"
                 "同意请按1，不同意请按2。")  # fmt: skip
"""R6: the price told to the owner, confirmed by a key before work starts."""

Dial = Callable[[str], Channel | None]
"""Dial a phone number; the answered channel or None."""


class Dialer:
    """Places the calls the desk needs, records every attempt as a Call (direction out)."""

    def __init__(
        self,
        desk: Desk,
        dial: Dial,
        prompts: Prompts,
        menus: dict[str, Menu],
        *,
        attempts: int = 3,
        retry_minutes: int = 30,
        host_calls: bool = True,
        follow_up_calls: bool = True,
        dial_plan: DialPlan = DEFAULT_PLAN,
        notice_calls: bool = True,
    ):
        self.desk = desk
        self.dial = guarded(dial, dial_plan)  # toll fraud: only numbers the plan allows
        self.prompts = prompts
        self.menus = menus
        self.attempts = attempts
        self.retry = timedelta(minutes=retry_minutes)
        self.host_calls = host_calls
        self.follow_up_calls = follow_up_calls
        self.notice_calls = notice_calls
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.transfer_to = ""
        """T3: the desk's extension a call-back is put through to ([hotline] operator_uri)."""
        prompts.texts.setdefault("callback_hello", CALLBACK_HELLO)
        prompts.texts.setdefault("price_confirm", PRICE_CONFIRM)
        prompts.texts.setdefault("price_thanks", "好的，已记录，维修人员将按约定上门，谢谢。")
        menus.setdefault("price_confirm", Menu("price_confirm", "price_confirm", (
            Option("1", "yes"), Option("2", "no")), timeout_s=8.0, retries=2, on_fail="none"))  # fmt: skip

    # ---- bookkeeping from the store (survives restarts) -----------------------------
    def _attempts(self, purpose: str) -> list[Call]:
        return self.desk.calls.outbound(purpose, days=3)

    def _due(self, purpose: str, now: datetime) -> bool:
        tries = self._attempts(purpose)
        if any(c.outcome in ("answered", "rated", "accepted", "declined") for c in tries):
            return False
        today = [c for c in tries if c.created_at.date() == now.date()]
        if len(today) >= self.attempts:
            return False
        return not today or now - max(c.created_at for c in today) >= self.retry

    def _record(
        self,
        callee: str,
        purpose: str,
        outcome: str,
        records: tuple[str, ...],
        path: list[str],
        t0: float,
    ) -> None:
        self.desk.calls.record(
            CallLog(
                direction="out",
                caller="hotline",
                callee=callee,
                purpose=purpose,
                menu_path=tuple(path),
                records=records,
                ended_at=self.desk.now(),
                duration_s=round(time.monotonic() - t0, 1),
                outcome=outcome,
                status="answered" if outcome not in ("no_answer", "failed") else outcome,
            ),
            HOTLINE,
        )

    # ---- the two kinds of call --------------------------------------------------------
    def confirm_host(self, visit: Visit) -> bool | None:
        """V2: call the host; True admitted, False declined, None not reached."""
        purpose = f"host:{visit.number}"
        residents = self.desk.directory.residents_of(visit.host_unit)
        slots = {"name": visit.visitor_name or "来访", "unit": visit.host_unit}
        if residents:
            self.prompts.prepare(self.menus["host_confirm"].prompt, **slots)
        t0 = time.monotonic()
        for owner in residents[:2]:
            ch = self.dial(owner.phone)
            if ch is None:
                self._record(owner.phone, purpose, "no_answer", (visit.number,), [], t0)
                continue
            d = Dialog(ch, self.prompts, self.menus)
            outcome = "no_choice"
            try:
                choice = d.menu("host_confirm", **slots)
                if choice in ("accept", "decline"):
                    accepted = choice == "accept"
                    self.desk.visits.host_answer(visit.number, HOTLINE, accepted)
                    outcome = "accepted" if accepted else "declined"
                    d.say("host_thanks_yes" if accepted else "host_thanks_no", barge=False)
            except (CallerHungUp, EmergencyRequested):
                pass
            except DeskError:
                log.exception("host answer for %s failed", visit.number)
            finally:
                ch.hangup()
                self._record(owner.phone, purpose, outcome, (visit.number,), d.state.path, t0)
            if outcome in ("accepted", "declined"):
                return outcome == "accepted"
        return None

    def follow_up(self, record: Record) -> Satisfaction | None:
        """R5/C4: ask the rating (S1 keys 1-4) and write it to the core."""
        phone = (
            record.contact_phone if isinstance(record, WorkOrder) else getattr(record, "phone", "")
        )
        if not phone:
            return None
        purpose = f"follow_up:{record.number}"
        t0 = time.monotonic()
        ch = self.dial(phone)
        if ch is None:
            self._record(phone, purpose, "no_answer", (record.number,), [], t0)
            return None
        d = Dialog(ch, self.prompts, self.menus)
        outcome, level = "no_choice", None
        try:
            subject = "报修工单" if isinstance(record, WorkOrder) else "投诉"
            choice = d.menu("followup", subject=subject, number=record.number)
            if choice in {s.value for s in Satisfaction}:
                level = Satisfaction(choice)
                self.desk.follow_ups.record(record.number, level, HOTLINE, channel="hotline")
                outcome = "rated"
                d.say("followup_thanks" if level.satisfied else "followup_sorry", barge=False)
        except (CallerHungUp, EmergencyRequested):
            pass
        except DeskError:
            log.exception("follow-up of %s failed", record.number)
        finally:
            ch.hangup()
            self._record(phone, purpose, outcome, (record.number,), d.state.path, t0)
        log.info("follow-up %s to %s: %s", record.number, mask_phone(phone), level or outcome)
        return level

    def notice_call(self, notice: Any) -> bool | None:
        """A notice call (停水/停电...): the text, "收到请按1"; True confirmed, None not placed.

        The notice is claimed in the core first (never two dialers on one notice); not reached
        or no 1: tried again after the retry interval, failed after ``attempts`` tries.
        """
        queue = queue_of(self.desk)
        claimed = queue.claim(notice.number)
        if claimed is None:
            return None
        purpose = f"notice:{claimed.number}"
        t0 = time.monotonic()
        self.prompts.prepare(self.menus["notice_confirm"].prompt, text=claimed.text)
        ch = self.dial(claimed.recipient)
        outcome, path = "no_answer", []
        if ch is not None:
            d = Dialog(ch, self.prompts, self.menus)
            outcome = "no_choice"
            try:
                if d.menu("notice_confirm", text=claimed.text) == "heard":
                    outcome = "confirmed"
                    d.say("notice_thanks", barge=False)
            except (CallerHungUp, EmergencyRequested):
                pass
            finally:
                ch.hangup()
                path = d.state.path
        self._record(claimed.recipient, purpose, outcome, (claimed.record,), path, t0)
        if outcome == "confirmed":
            queue.heard(claimed.number)
            return True
        queue.refused(claimed.number, "未接听" if outcome == "no_answer" else "未按1确认",
                      retry=self.retry, max_attempts=self.attempts)  # fmt: skip
        return False

    def call_back(self, call: Call) -> bool:
        """T3: call a missed caller back and put them through to the desk; the result goes on
        the callback entry (reached closes it; otherwise it stays for another try)."""
        t0 = time.monotonic()
        purpose = f"callback:{call.number}"
        ch = self.dial(call.caller)
        if ch is None:
            self._record(call.caller, purpose, "no_answer", (call.number,), [], t0)
            self.desk.calls.callback_result(
                call.number, HOTLINE, "热线回拨未接通", "dialer", reached=False
            )
            return False
        d = Dialog(ch, self.prompts, self.menus)
        outcome = "answered"
        try:
            d.say("callback_hello", barge=False)
            fn = getattr(ch, "transfer", None)
            if self.transfer_to and fn is not None and fn(self.transfer_to):
                outcome = "transferred"
        except (CallerHungUp, EmergencyRequested):
            outcome = "hung_up"
        finally:
            if outcome != "transferred":
                ch.hangup()
            self._record(call.caller, purpose, outcome, (call.number,), d.state.path, t0)
        result = {"transferred": "热线回拨已接通并转接客服", "answered": "热线回拨已接通，转接失败，请人工再回电",
                  "hung_up": "热线回拨接通后对方挂断"}[outcome]  # fmt: skip
        self.desk.calls.callback_result(
            call.number, HOTLINE, result, "dialer", reached=outcome == "transferred"
        )
        return outcome == "transferred"

    def confirm_price(self, order: WorkOrder) -> bool | None:
        """R6: tell the owner the price of a paid service; True confirmed (key 1), False not
        agreed (key 2: staff follow up), None not reached."""
        purpose = f"price:{order.number}"
        t0 = time.monotonic()
        ch = self.dial(order.contact_phone)
        if ch is None:
            self._record(order.contact_phone, purpose, "no_answer", (order.number,), [], t0)
            return None
        d = Dialog(ch, self.prompts, self.menus)
        outcome, agreed = "no_choice", None
        try:
            choice = d.menu("price_confirm", number=order.number, price=f"{order.price_yuan:g}")
            if choice == "yes":
                self.desk.orders.confirm_price(order.number, HOTLINE, "phone")
                outcome, agreed = "accepted", True
                d.say("price_thanks", barge=False)
            elif choice == "no":
                self.desk.core.amend(order.number, HOTLINE, "业主电话按键：不同意价格，请客服联系")
                outcome, agreed = "declined", False
        except (CallerHungUp, EmergencyRequested):
            pass
        except DeskError:
            log.exception("price confirmation of %s failed", order.number)
        finally:
            ch.hangup()
            self._record(order.contact_phone, purpose, outcome, (order.number,), d.state.path, t0)
        return agreed

    # ---- scheduling ---------------------------------------------------------------------
    def run_once(self) -> int:
        """Place every call due now; returns how many were placed."""
        now = self.desk.now()
        placed = 0
        if self.host_calls:
            for visit in self.desk.visits.waiting_host():
                if self._due(f"host:{visit.number}", now):
                    self.confirm_host(visit)
                    placed += 1
        if self.notice_calls:  # quiet hours and retries are the core's (desk.notices)
            queue = queue_of(self.desk)
            while (notice := queue.next_due(now, channel="call")) is not None:
                if self.notice_call(notice) is None:
                    break
                placed += 1
        if self.desk.is_staffed(now):  # R6: the price of paid work confirmed before work starts
            for order in self.desk.repairs.open():
                if self.desk.orders.needs_price_confirmation(order) and self._due(
                    f"price:{order.number}", now
                ):
                    self.confirm_price(order)
                    placed += 1
        if self.desk.is_staffed(now):  # T3: call-backs staff asked for, put through to the desk
            for call in self.desk.calls.callback_requests():
                self.call_back(call)
                placed += 1
        if self.follow_up_calls and self.desk.is_staffed(now):  # placed within staffed hours
            for record in self.desk.follow_ups.due():
                if isinstance(record, WorkOrder | Complaint) and self._due(
                    f"follow_up:{record.number}", now
                ):
                    self.follow_up(record)
                    placed += 1
        return placed

    def start(self, poll_s: float) -> None:
        def loop() -> None:
            while not self._stop.wait(poll_s):
                try:
                    self.run_once()
                except Exception:
                    log.exception("dialer round failed")

        self._thread = threading.Thread(target=loop, name="dialer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(5)
