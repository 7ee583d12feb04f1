"""The visitor form's ID card feed on the pty simulator (no Kivy): valid, expired, faults (V1, X1)."""

from __future__ import annotations

import pytest

from devices.idcard import IdCardReader
from devices.sim.pty_device import PtyDevice
from devices.sim.virtual_idreader import VirtualIdReader
from kiosk.idcard_feed import CardFeed


@pytest.fixture
def feed(tmp_path):
    virtual = VirtualIdReader(seed=2)
    dev = PtyDevice("idreader", virtual.feed, tmp_path / "idreader")
    dev.plug()
    got: dict[str, list] = {"fields": [], "messages": []}
    f = CardFeed(
        IdCardReader(str(dev.link), timeout=0.3),
        on_fields=got["fields"].append,
        on_message=got["messages"].append,
        poll_s=0.05,
    )
    yield virtual, f, got, dev
    f.stop()
    f.join()
    dev.unplug()


def test_a_placed_card_fills_name_and_id_only(feed):
    virtual, f, got, _ = feed
    f.poll_once()
    assert got == {"fields": [], "messages": []}  # an idle reader says nothing
    virtual.place("resident")
    f.poll_once()
    assert got["fields"] == [
        {"visitor_name": "张伟", "id_type": "resident_id", "id_number": "110101199003074514"}
    ]
    f.poll_once()  # the same card is not read twice
    assert len(got["fields"]) == 1 and got["messages"] == []


def test_expired_card_is_refused_with_its_message(feed):
    virtual, f, got, _ = feed
    virtual.place("expired")
    f.poll_once()
    assert got["fields"] == [] and "证件已过期" in got["messages"][0]


def test_faults_are_said_once_and_typing_stays(feed):
    virtual, f, got, dev = feed
    virtual.place("resident")
    virtual.remove_mid_read = True
    f.poll_once()
    assert got["messages"] == ["读卡中证件被移开，请重新放置证件"]
    virtual.ok()
    dev.unplug()
    f.poll_once()
    f.poll_once()
    assert got["messages"][1:] == ["读卡器端口无法打开，请手动填写"]  # once, not every second
    dev.plug()
    virtual.place("hmt")
    f.poll_once()
    assert got["fields"][-1]["visitor_name"] == "陈家明"


def test_worker_thread_delivers(feed):
    virtual, f, got, _ = feed
    virtual.place("foreign2017")
    f.start()
    import time

    t0 = time.monotonic()
    while not got["fields"] and time.monotonic() - t0 < 5:
        time.sleep(0.02)
    f.stop()
    f.join()
    assert not f.running and f.reader._link is None  # the port is closed when it stops
    assert got["fields"][0] == {
        "visitor_name": "史约翰", "id_type": "other", "id_number": "USA110088061201",
    }  # fmt: skip


def test_a_card_left_on_a_reader_that_finds_it_again_fills_the_form_once(feed):
    virtual, f, got, _ = feed
    virtual.place("resident")
    for _ in range(3):
        f.poll_once()
        virtual.read_done = False  # some readers answer "found" again while the card lies there
    assert len(got["fields"]) == 1
    virtual.remove()
    f.poll_once()
    virtual.place("resident")  # lifted and placed again: read again
    f.poll_once()
    assert len(got["fields"]) == 2
