"""The intake's compartment choice names the size confirmed by `reception devices confirm-doors`
(issue 17 item 3), and the backend checks P1 before any door opens."""

from __future__ import annotations

import dataclasses

import pytest

from desk.demo import install_demo
from desk.errors import ValidationError
from desk.service import Desk
from kiosk.backend import KioskBackend


@pytest.fixture
def backend(tmp_path):
    from harness import test_settings

    settings = test_settings(tmp_path / "data")
    settings = dataclasses.replace(settings, devices=dataclasses.replace(
        settings.devices, compartment_sizes={"A-01": "大"}))  # fmt: skip
    desk = Desk.open(settings)
    install_demo(desk)
    yield KioskBackend(desk, None, settings)
    desk.close()


def test_compartment_label_names_the_confirmed_size(backend):
    assert backend.compartment_label("A-01") == "A-01 大"
    assert backend.compartment_label("A-02") == "A-02"


def test_P1_a_wet_parcel_without_a_note_is_refused_before_a_door_opens(backend):
    fields = dict(tracking_no="SF9", courier="顺丰速运", unit="1-1-101", recipient_name="王五",
                  compartment="A-02", condition="受潮")  # fmt: skip
    with pytest.raises(ValidationError, match="请写明情况"):
        backend.check_intake(fields)
    assert backend.parcel_conditions() == ("完好", "破损", "受潮")
