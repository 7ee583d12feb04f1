"""`reception notices` for installers and staff, and outage notices with who was reached."""

from __future__ import annotations

from desk.cli import main
from desk.notice_hooks import queue_of
from desk.notice_public import announce, reach
from desk.records import SYSTEM
from desk.services.requests import NewOwner


def test_notices_test_through_the_given_port_exits_0_when_accepted(tmp_path, modem_sim, capsys):
    data = tmp_path / "cli"
    assert main(["--data", str(data), "init", "--empty"]) == 0
    rc = main(["--data", str(data), "notices", "test", "13812345678", "--modem", str(modem_sim.link),
               "--wait", "3"])  # fmt: skip
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "短信已由模块接受" in out and "138****5678" in out and "13812345678" not in out
    assert "已送达" in out  # the simulator's status report arrived
    (msg,) = modem_sim.modem.inbox
    assert msg.number == "13812345678" and "测试短信" in msg.text
    assert main(["--data", str(data), "notices"]) == 0
    listing = capsys.readouterr().out
    assert "138****5678" in listing and "已送达" in listing and "13812345678" not in listing


def test_notices_test_on_a_dead_port_exits_1(tmp_path, capsys):
    data = tmp_path / "cli"
    assert main(["--data", str(data), "init", "--empty"]) == 0
    rc = main(
        ["--data", str(data), "notices", "test", "13812345678", "--modem", str(tmp_path / "none")]
    )
    assert rc == 1 and "发送失败" in capsys.readouterr().out


def test_dummy_modem_demo_keeps_messages_as_files(tmp_path, capsys):
    data = tmp_path / "demo"
    assert main(["--data", str(data), "init", "--empty"]) == 0
    assert main(["--data", str(data), "notices", "test", "13812345678"]) == 0
    files = list((data / "sms-modem" / "sms" / "2").iterdir())
    # Gammu's SMS backup format: the text as UCS-2 hex (Text00 = ...)
    assert len(files) == 1 and "测试短信".encode("utf-16-be").hex().upper() in files[0].read_text(
        "latin-1"
    )


def test_outage_notice_reaches_every_household_of_the_buildings(desk, worker, modem_sim):
    """Staff choose buildings; every registered household gets it; reached / not reached listed."""
    desk.directory.add_owner(NewOwner("3-1-101", "孙七", "13612340000"))
    key, households, queued = announce(
        desk, SYSTEM, ["3"], "停水通知", "11月24日9:00-17:00", "请提前储水"
    )
    assert (households, queued) == (3, 3)  # 3-2-501, 3-2-502, 3-1-101; not building 1
    modem_sim.modem.fail_sends = [500]  # one of them is refused for now
    worker.run_once()
    got = reach(desk, key)
    assert len(got["reached"]) == 2 and len(got["not_reached"]) == 1
    assert all("停水通知" in m.text and "请提前储水" in m.text for m in modem_sim.modem.inbox)
    log = desk.dutylog.day(desk.now().date())
    assert any(key in e.text and "3 户" in e.text for e in log)
    assert {n.record for n in queue_of(desk).pending()} == {key}


def test_notices_run_sends_the_demo_queue_through_the_dummy_modem(tmp_path, capsys):
    """`reception notices run` (the sender as a service) empties the queue into the demo's files."""
    cfg = tmp_path / "r.toml"
    cfg.write_text('[notices]\nquiet_from = "00:00"\nquiet_until = "00:00"\n', encoding="utf-8")
    data = tmp_path / "demo"
    base = ["--config", str(cfg), "--data", str(data)]
    assert main([*base, "init"]) == 0  # the demo's parcels, repairs, complaints queue notices
    assert main([*base, "notices", "run", "--seconds", "4"]) == 0
    capsys.readouterr()
    assert main([*base, "notices"]) == 0
    listing = capsys.readouterr().out
    assert "已发出" in listing and "已排队" not in listing
    assert len(list((data / "sms-modem" / "sms" / "2").iterdir())) >= 3
