"""The Desk: the one entry point of the core; it opens the store and hands out the domain services."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial

from desk import (
    record_types_visitors,  # noqa: F401 - registers the blocklist and renovation kinds
    workflow,
)
from desk.clock import in_site, parse, set_site_zone, site_clock, zone
from desk.config import Settings, load_settings
from desk.identity import Evidence, identify
from desk.policy import Policy
from desk.records import DATED_KINDS, RECORD_TYPES, Actor, Record
from desk.services.base import AuthError, Core, NotFound
from desk.services.blocklist import Blocklist
from desk.services.calls import Calls, FollowUps
from desk.services.complaints import Complaints, complaint_event_key
from desk.services.directory import Directory, name_initials
from desk.services.dutylog import DutyLog
from desk.services.emergencies import Emergencies
from desk.services.guard import Guard
from desk.services.keys import Keys
from desk.services.notices import Notices
from desk.services.parcels import Parcels
from desk.services.printing import Printing
from desk.services.renovations import Renovations
from desk.services.repairs import Repairs
from desk.services.reports import DueItem, Reports
from desk.services.staff import Staff
from desk.services.visits import Visits
from desk.services.work_orders import WorkOrders
from desk.store import KindSpec, Store, Transaction

log = logging.getLogger(__name__)

__all__ = [
    "AuthError",
    "Desk",
    "DueItem",
    "NotFound",
    "complaint_event_key",
    "kind_specs",
    "name_initials",
]


def kind_specs() -> dict[str, KindSpec]:
    specs = {}
    for kind, cls in RECORD_TYPES.items():
        specs[str(kind)] = KindSpec(
            dated=kind in DATED_KINDS,
            index_fields=cls.index_fields,
            code_fields=cls.code_fields,
            is_open=partial(workflow.is_open, kind),
        )
    return specs


class Desk:
    """The service desk: ``desk.visits.register(req, actor)``, ``desk.repairs.report(...)``...

    Each service owns one domain's decisions; front ends (kiosk, hotline) only ask them.
    """

    def __init__(self, settings: Settings, store: Store, clock: Callable[[], datetime]) -> None:
        self.settings = settings
        self.store = store
        self.core = Core(settings, store, clock)
        self.core.change_listeners.append(self._notices)
        self.policy: Policy = self.core.policy
        self.directory = Directory(self.core, self)
        self.staff = Staff(self.core, self)
        self.keys = Keys(self.core, self)
        self.visits = Visits(self.core, self)
        self.blocklist = Blocklist(self.core, self)
        self.renovations = Renovations(self.core, self)
        self.repairs = Repairs(self.core, self)
        self.orders = WorkOrders(self.core, self)
        self.notices = Notices(self.core, self)
        self.complaints = Complaints(self.core, self)
        self.parcels = Parcels(self.core, self)
        self.guard = Guard(self.core, self)
        self.emergencies = Emergencies(self.core, self)
        self.calls = Calls(self.core, self)
        self.follow_ups = FollowUps(self.core, self)
        self.dutylog = DutyLog(self.core, self)
        self.printing = Printing(self.core, self)
        self.reports = Reports(self.core, self)

    @classmethod
    def open(
        cls, settings: Settings | None = None, clock: Callable[[], datetime] | None = None
    ) -> Desk:
        settings = settings or load_settings()
        tz = zone(settings.site.timezone)
        set_site_zone(tz)
        clock = site_clock(tz, clock)
        st = settings.store
        store = Store(
            st.data_dir,
            kind_specs(),
            compact_every=st.compact_every,
            cache_records=st.cache_records,
            snapshot_days=settings.retention.snapshot_days,
            clock=clock,
            audit_key=st.audit_key,
        )
        return cls(settings, store, clock)

    @property
    def clock(self) -> Callable[[], datetime]:
        """The core's clock (the store stamps its log and snapshots with the same one)."""
        return self.core.clock

    @clock.setter
    def clock(self, clock: Callable[[], datetime]) -> None:
        self.core.clock = clock
        self.store.clock = clock

    def _notices(self, txn: Transaction, before: Record | None, after: Record) -> None:
        """The notices a change causes (P2, R1-R5, C3, V2, V5, E1), in the same write."""
        from desk import notice_hooks

        notice_hooks.on_change(self, txn, before, after)

    def close(self) -> None:
        self.store.close()

    def now(self) -> datetime:
        """The core's clock (every deadline is computed from it)."""
        return self.core.now()

    def get(self, number: str) -> Record | None:
        """Any dated record by its number (what a caller keys in)."""
        return self.core.get(number)

    def identify(self, evidence: Evidence) -> Actor:
        """Who is acting, from what the channel knows (desk.identity); caller ID is a hint."""
        unit = evidence.unit
        residents = self.directory.residents_of(unit) if unit else []
        number = evidence.phone or evidence.caller_number
        by_phone = self.directory.by_phone(number) if number else None
        return identify(evidence, residents, by_phone)

    def parse_time(self, value: str | datetime) -> datetime:
        """A time a front end got from the core (e.g. a slot's ISO text) back as a datetime."""
        return in_site(value) if isinstance(value, datetime) else parse(value)

    def is_staffed(self, when: datetime | None = None) -> bool:
        """L1: the desk is staffed 07:30-20:00 (complaints are taken 24 h anyway)."""
        return self.policy.is_staffed(in_site(when) if when else self.now())
