"""Fixtures for the voice tests: a desk in a temp dir with known owners and a clock."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from desk.config import Settings, StoreSettings
from desk.service import Desk
from desk.services.requests import NewOwner
from voice.menu import load_menus
from voice.prompts import Prompts

OWNER_PHONE = "13800138000"
OWNER_UNIT = "3-2-501"
STAFFED = datetime(2026, 11, 23, 10, 0)
NIGHT = datetime(2026, 11, 23, 23, 0)


@pytest.fixture
def clock(clock):
    """The tests' one clock (tests/conftest.py), started within staffed hours."""
    clock.now = STAFFED
    return clock


@pytest.fixture
def settings(tmp_path) -> Settings:
    return dataclasses.replace(Settings(), store=StoreSettings(data_dir=tmp_path / "data"))


@pytest.fixture
def desk(settings, clock):
    d = Desk.open(settings, clock=clock)
    d.directory.add_owner(NewOwner(OWNER_UNIT, "张三", OWNER_PHONE))
    d.directory.add_owner(NewOwner("1-1-101", "李四", "13900139000"))
    yield d
    d.close()


@pytest.fixture(scope="session")
def menus():
    return load_menus()


@pytest.fixture(scope="session")
def text_prompts():
    return Prompts(None, fixed={"office": "幸福家园物业客服中心"})


@pytest.fixture
def run_call(desk, menus, text_prompts):
    """Run one inbound call with a caller script; returns (call, channel, alerts)."""
    from voice.fake import ScriptedChannel
    from voice.flows import InboundCall

    def run(script, caller=OWNER_PHONE, asr=None, transfer=None, phones=None, clock=None,
            keys_in_prompts=False, goodbye_wait_s=0.0):  # fmt: skip
        """``clock``: the scripted line moves the desk's clock as prompts play and waits
        time out; ``keys_in_prompts``: keys arrive while a prompt is still playing."""
        ch = ScriptedChannel(script, caller=caller, clock=clock, keys_in_prompts=keys_in_prompts)
        alerts: list[str] = []
        call = InboundCall(
            ch, desk, text_prompts, menus, asr=asr, alert=alerts.append,
            goodbye_wait_s=goodbye_wait_s, transfer=transfer, phones=phones,
        )  # fmt: skip
        call.run()
        return call, ch, alerts

    return run


def said(call) -> list[str]:
    return [s.prompt for s in call.d.state.said]


@pytest.fixture(scope="session")
def resources(tmp_path_factory):
    """Prompts rendered once per session with espeak-ng (fast), menus; no ASR."""
    from desk.config_hotline import HotlineSettings
    from voice.hotline import load_resources

    data = tmp_path_factory.mktemp("voice-res")
    s = dataclasses.replace(
        Settings(), store=StoreSettings(data_dir=data), hotline=HotlineSettings(tts_engine="espeak")
    )
    return load_resources(s, None)
