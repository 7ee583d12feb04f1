"""The kiosk's adapter to the visitor desk (issue 16 items 2-6, issue 12): it only asks the core."""

from __future__ import annotations

import logging
from datetime import date, time
from typing import Any

from desk.record_types import Visit
from desk.services.requests import BlockRequest, PreauthRequest, RenovationRequest
from desk.services.visit_desk import KnownVisitor, MessageOutcome

log = logging.getLogger(__name__)


class VisitorDeskMixin:
    """Mixed into KioskBackend, which provides ``visitor()``, ``staff_actor()``, ``_wait_job()``."""

    desk: Any
    devices: Any
    settings: Any
    kiosk_id: str

    # -- the visitor at the form ------------------------------------------------------
    def known_visitor(self, id_type: str, id_number: str, from_card: bool) -> KnownVisitor | None:
        try:
            return self.desk.visits.known(id_type, id_number, from_card)
        except Exception:  # noqa: BLE001 - recognising is a convenience; typing still works
            log.warning("known-visitor lookup failed", exc_info=True)
            return None

    def leave_visit_message(self, number: str, text: str) -> MessageOutcome:
        """V2: the core says whether the message reached someone (never claimed otherwise)."""
        return self.desk.visits.leave_message(number, self.visitor(), text)

    def tick_visits(self) -> dict[str, int]:
        """The core's periodic job (closes abandoned waits, signs out expired passes, V1)."""
        return self.desk.visits.tick()

    def wait_seconds(self) -> int:
        return int(self.settings.kiosk.host_wait_seconds)

    # -- V5: a resident at the kiosk ------------------------------------------------------
    def preauthorise(self, fields: dict[str, Any], phone: str, pin: str, staff: Any) -> Visit:
        """V5: the core checks the phone + PIN (or the staff member) and makes the code."""
        req = PreauthRequest(fields["unit"], party_size=int(fields.get("party_size") or 1),
                             visitor_name=fields["visitor_name"],
                             valid_from=time.fromisoformat(fields["valid_from"]),
                             valid_until=time.fromisoformat(fields["valid_until"]))  # fmt: skip
        return self.desk.visits.preauthorise_at_kiosk(req, phone, pin, self.kiosk_id, staff)

    # -- the guard's visitor desk -----------------------------------------------------------
    def on_site(self) -> list[Visit]:
        return self.desk.visits.on_site()

    def print_on_site(self) -> Any:
        """Issue 16 item 6: the on-site list through the print queue (on the device worker)."""
        from devices.receipts import ON_SITE, on_site_list
        from kiosk.backend import PRINTER_TROUBLE, PrintOutcome

        if self.devices is None:
            return PrintOutcome("none")
        payload = on_site_list(self.desk.visits.on_site(), self.settings, self.desk.now())
        job = self.devices.print(ON_SITE, "", payload)
        state = self.devices.printer.state.value
        if state in PRINTER_TROUBLE:
            return PrintOutcome("waiting", PRINTER_TROUBLE[state])
        return self._wait_job(job)  # type: ignore[attr-defined]

    def blocklist(self) -> list[Any]:
        return self.desk.blocklist.entries()

    def block(self, id_type: str, id_number: str, name: str, reason: str, decided_by: str,
              until: date | None) -> Any:  # fmt: skip
        req = BlockRequest(id_number, name, reason, decided_by, id_type=id_type, until=until)
        return self.desk.blocklist.add(req, self.staff_actor())

    def unblock(self, number: str) -> Any:
        return self.desk.blocklist.remove(number, self.staff_actor())

    def renovations(self) -> list[Any]:
        return self.desk.renovations.listing()

    def describe_renovation(self, reno: Any) -> str:
        return str(self.desk.renovations.describe(reno))

    def add_renovation(self, fields: dict[str, Any]) -> Any:
        return self.desk.renovations.add(RenovationRequest(**fields), self.staff_actor())
