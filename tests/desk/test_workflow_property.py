"""Random sequences of actions by random roles never reach a state the rules forbid (R3, C1, P3, V2, K2)."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from desk import workflow
from desk.record_types import Complaint, KeyLoan, Parcel, Visit, WorkOrder
from desk.records import Actor, Kind, Role
from desk.workflow import MACHINES, TransitionRefused

NOW = datetime(2026, 11, 23, 9)
SAMPLES = {
    Kind.VISIT: Visit(number="12611230001", created_at=NOW, status="waiting_host", host_unit="3-2-501",
                      visitor_name="赵六", id_number="11010519491231002X"),
    Kind.WORK_ORDER: WorkOrder(number="22611230001", created_at=NOW, status="received", location="3-2-501",
                               description="漏水", contact_name="张三", contact_phone="13812345678"),
    Kind.COMPLAINT: Complaint(number="32611230001", created_at=NOW, status="received", content="噪音"),
    Kind.PARCEL: Parcel(number="42611230001", created_at=NOW, status="stored", recipient_name="张三", unit="3-2-501",
                        courier="顺丰", tracking_no="SF1", compartment="A-01"),
    Kind.KEY_LOAN: KeyLoan(number="52611230001", created_at=NOW, status="lent", key_id="K1", borrower_name="李",
                           borrower_is_staff=True),
}  # fmt: skip

steps = st.lists(
    st.tuples(
        st.sampled_from(sorted({a for m in MACHINES.values() for a in m.actions})),
        st.sampled_from(list(Role)),
    ),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(sorted(SAMPLES)), steps=steps)
def test_random_actions_respect_the_state_machine(kind, steps):
    machine = MACHINES[kind]
    record = SAMPLES[kind]
    for action, role in steps:
        before = record
        try:
            record = workflow.apply(record, action, Actor(role, "x"), NOW)
        except TransitionRefused:
            assert record is before
            continue
        tr = machine.actions[action]
        assert before.status in tr.sources and role in tr.roles  # only allowed moves happen
        assert before.status not in machine.final  # nothing leaves a final state
        assert record.status == tr.target and record.history[-1].status == record.status
        assert len(record.history) == len(before.history) + 1  # the history only grows (R3, L2)
    assert record.status in machine.statuses


def test_every_status_has_a_chinese_label():
    for machine in MACHINES.values():
        assert machine.statuses <= set(workflow.STATUS_ZH)
