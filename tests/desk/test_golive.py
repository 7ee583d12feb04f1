"""`reception check` (issue 17 item 4): the demo lists its demo accounts as ✗; a broken
installation (printer missing, board silent, clock far off) gets the right ✗ lines."""

from __future__ import annotations

import dataclasses
import os
import socket
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

import pytest

from desk import cli
from desk.clock_probe import ClockFacts, system_clock_facts
from desk.config import load_settings
from desk.demo import install_demo
from desk.golive import check_clock, check_units, run_checks
from desk.service import Desk
from devices.compartments import CompartmentMap
from devices.golive import check_lock_boards, check_modem, check_printer
from voice.golive import check_model, check_sip, route_of, sip_options

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from sim_harness import start_sim  # noqa: E402

from desk.services.requests import NewStaff

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def good_clock() -> ClockFacts:
    return ClockFacts(NOW, synchronised=True, ntp_active=True, offset_s=0.002,
                      timezone="Asia/Shanghai", source="test")  # fmt: skip


def by_name(results):
    return {r.name: r for r in results}


def with_(settings, section, **changes):
    return dataclasses.replace(
        settings, **{section: dataclasses.replace(getattr(settings, section), **changes)}
    )


@pytest.fixture
def demo_settings(tmp_path):
    settings = load_settings(data_dir=tmp_path / "data")
    desk = Desk.open(settings)
    install_demo(desk)
    desk.close()
    return with_(settings, "operations", check_timeout_s=0.2)


def test_demo_lists_the_demo_accounts_and_the_simulators_as_failures(demo_settings, tmp_path):
    results = run_checks(
        demo_settings,
        clock_facts=good_clock,
        systemd_dir=tmp_path / "no-systemd",
        extra=[lambda s: [check_printer(s), *check_lock_boards(s), check_modem(s)]],
    )
    lines = by_name(results)
    staff = lines["员工账号"]
    assert not staff.ok and "guard" in staff.detail and "supervisor" in staff.detail
    assert "1111" not in staff.line()  # the demo PINs are never shown
    assert lines["业主名册"].ok and lines["钥匙登记"].ok  # K1: the demo's keys are on file
    assert lines["时钟"].ok and lines["时区"].ok
    assert not lines["打印机"].ok and "sim" in lines["打印机"].detail
    assert not lines["锁控板"].ok
    # issue 13: the demo sends its SMS through Gammu's dummy modem (files), a simulator like
    # the printer's: a failure at go-live, with the fix
    assert not lines["短信猫"].ok and "dummy" in lines["短信猫"].detail
    assert not lines["systemd 服务"].ok and "systemd 未运行" in lines["systemd 服务"].detail
    assert all(r.fix for r in results if not r.ok)  # every ✗ says what to do


def test_cli_check_exits_nonzero_on_the_demo_and_prints_one_line_per_item(tmp_path, capsys):
    data = tmp_path / "data"
    assert cli.main(["--data", str(data), "init"]) == 0
    capsys.readouterr()
    assert cli.main(["--data", str(data), "check"]) == 1
    out = capsys.readouterr().out
    assert "✗ 员工账号: 演示账号 guard、staff、supervisor" in out
    assert "✓ 业主名册" in out and "项通过" in out


def test_real_staff_and_no_demo_accounts_pass(tmp_path):
    settings = load_settings(data_dir=tmp_path / "data")
    desk = Desk.open(settings)
    try:
        desk.staff.add(NewStaff("老王", "guard", "482613"))
        desk.staff.add(
            NewStaff("guard", "guard", "593142")
        )  # the demo's name, but no longer the demo PIN
        results = run_checks(settings, clock_facts=good_clock, systemd_dir=tmp_path / "x")
    finally:
        desk.close()
    lines = by_name(results)
    assert lines["员工账号"].ok, lines["员工账号"].line()
    assert not lines["业主名册"].ok and "import-owners" in lines["业主名册"].fix
    assert not lines["钥匙登记"].ok and "keys import" in lines["钥匙登记"].fix


@pytest.fixture
def sim(tmp_path):
    compartments = {"A-01": "1:1", "A-02": "1:2", "B-01": "2:1"}
    host = start_sim(tmp_path / "simhost", CompartmentMap(compartments), lock_answer_delay=0.002)
    yield host
    host.stop()


def test_printer_with_paper_and_answering_boards_pass(demo_settings, sim):
    s = with_(demo_settings, "devices", printer_url=sim.printer_path, lock_bus_url=sim.locks_path,
              compartments=MappingProxyType({"A-01": "1:1", "B-01": "2:1"}))  # fmt: skip
    assert check_printer(s).ok, check_printer(s).line()
    boards = check_lock_boards(s)
    assert [b.name for b in boards] == ["锁控板 1", "锁控板 2"] and all(b.ok for b in boards)
    sim.control("paper out")
    out = check_printer(s)
    assert not out.ok and "缺纸" in out.detail and "纸" in out.fix


def test_broken_installation_printer_missing_board_silent_clock_far_off(
    demo_settings, sim, tmp_path
):
    s = with_(demo_settings, "devices", printer_url=str(tmp_path / "no-printer"),
              lock_bus_url=sim.locks_path,
              compartments=MappingProxyType({"A-01": "1:1", "Z-01": "9:1"}))  # fmt: skip
    far = ClockFacts(NOW, synchronised=True, ntp_active=True, offset_s=-3600.0,
                     timezone="Asia/Shanghai", source="test")  # fmt: skip
    lines = by_name(
        run_checks(
            s,
            clock_facts=lambda: far,
            systemd_dir=tmp_path / "x",
            extra=[lambda st: [check_printer(st), *check_lock_boards(st)]],
        )  # fmt: skip
    )
    assert not lines["打印机"].ok and "打不开" in lines["打印机"].detail
    assert lines["锁控板 1"].ok
    assert not lines["锁控板 9"].ok and "无应答" in lines["锁控板 9"].detail
    assert "拨码地址 (9)" in lines["锁控板 9"].fix
    assert not lines["时钟"].ok and "3600" in lines["时钟"].detail


def test_clock_unset_unsynchronised_no_ntp_and_wrong_zone(demo_settings):
    stats = {"log_files": ["2026-11.jsonl"]}

    def clock(**kw):
        base = dict(now=NOW, synchronised=True, ntp_active=True, offset_s=0.0,
                    timezone="Asia/Shanghai", source="test")  # fmt: skip
        return {c.name: c for c in check_clock(demo_settings, ClockFacts(**{**base, **kw}), stats)}

    assert clock()["时钟"].ok
    unset = clock(now=datetime(2001, 1, 1, tzinfo=UTC))["时钟"]
    assert not unset.ok and "未设置" in unset.detail
    behind = clock(now=datetime(2026, 10, 1, tzinfo=UTC))["时钟"]  # before the records
    assert not behind.ok and "早于已有记录" in behind.detail
    assert "NTP 时间源" in clock(ntp_active=False)["时钟"].detail
    assert "尚未同步" in clock(synchronised=False)["时钟"].detail
    zone = clock(timezone="Etc/UTC")["时区"]
    assert not zone.ok and "set-timezone Asia/Shanghai" in zone.fix


def test_clock_facts_from_timedatectl_and_chrony():
    def run(argv, timeout):
        if argv[0] == "timedatectl":
            return 0, "Timezone=Asia/Shanghai\nNTP=yes\nNTPSynchronized=no\n"
        return 0, ("Reference ID    : C0A80101 (192.168.1.1)\nSystem time     : 0.000120 seconds "
                   "slow of NTP time\nLeap status     : Normal\n")  # fmt: skip

    facts = system_clock_facts(run)
    assert facts.synchronised and facts.ntp_active and facts.timezone == "Asia/Shanghai"
    assert facts.offset_s == pytest.approx(0.00012) and facts.source == "timedatectl+chronyc"
    none = system_clock_facts(lambda argv, timeout: None)
    assert none.synchronised is None and none.ntp_active is None


def test_systemd_units_enabled_or_named(tmp_path):
    states = {"reception-hotline.service": "enabled", "reception-kiosk.service": "disabled",
              "reception-backup.timer": "enabled"}  # fmt: skip
    out = check_units(lambda argv, t: (0, states[argv[-1]] + "\n"), systemd_dir=tmp_path)
    assert not out.ok and "reception-kiosk.service (disabled)" in out.detail
    states["reception-kiosk.service"] = "enabled"
    assert check_units(lambda argv, t: (0, states[argv[-1]] + "\n"), systemd_dir=tmp_path).ok


def test_bad_setting_is_a_failed_line_not_a_crash(tmp_path, capsys):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[operations]\ndisk_warn_free_mb = -5\n", encoding="utf-8")
    assert cli.main(["--config", str(cfg), "--data", str(tmp_path / "d"), "check"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("✗ 设置") and "disk_warn_free_mb" in out


class OptionsResponder:
    """A UDP SIP endpoint answering OPTIONS with 200 (like pjsua2 does)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.seen: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                data, peer = self.sock.recvfrom(65535)
            except OSError:
                return
            self.seen.append(data)
            head = dict(
                line.split(": ", 1) for line in data.decode().split("\r\n")[1:] if ": " in line
            )
            reply = ("SIP/2.0 100 Trying\r\n\r\n", f"SIP/2.0 200 OK\r\nVia: {head['Via']}\r\n"
                     f"Call-ID: {head['Call-ID']}\r\nCSeq: {head['CSeq']}\r\nContent-Length: 0\r\n\r\n")  # fmt: skip
            for r in reply:
                self.sock.sendto(r.encode(), peer)

    def close(self) -> None:
        self.sock.close()


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sip_options_probe_line_and_route(demo_settings):
    responder = OptionsResponder()
    try:
        assert sip_options("127.0.0.1", responder.port, "ivr", 0.5) == (200, "OK")
        request = responder.seen[0].decode()
        assert request.startswith(f"OPTIONS sip:ivr@127.0.0.1:{responder.port} SIP/2.0\r\n")
        assert "CSeq: 1 OPTIONS" in request and "branch=z9hG4bK" in request
        s = with_(demo_settings, "hotline", sip_port=responder.port,
                  outbound_uri=f"sip:{{number}}@127.0.0.1:{free_udp_port()};transport=udp")  # fmt: skip
        line, route = check_sip(s)
        assert line.ok and "200 OK" in line.detail
        assert not route.ok and "无应答" in route.detail
    finally:
        responder.close()
    assert route_of("sip:{number}@192.168.1.20") == ("192.168.1.20", 5060)
    assert route_of("sip:{number}@[fd00::5]:5070") == ("fd00::5", 5070)


def test_speech_model_present_and_its_sha256_pinned(demo_settings):
    models = demo_settings.store.data_dir / "models" / "vosk-model-small-cn-0.22"
    assert not check_model(demo_settings).ok
    (models / "am").mkdir(parents=True)
    (models / ".archive-sha256").write_text("ab" * 32 + "\n")
    unpinned = check_model(demo_settings)
    assert not unpinned.ok and "ab" * 32 in unpinned.fix
    assert check_model(with_(demo_settings, "hotline", vosk_model_sha256="AB" * 32)).ok
    wrong = check_model(with_(demo_settings, "hotline", vosk_model_sha256="cd" * 32))
    assert not wrong.ok and "不符" in wrong.detail


def test_backup_line_needs_a_passphrase_a_destination_and_a_recent_backup(demo_settings, tmp_path):
    from desk.backup import backup
    from desk.golive import check_backup

    pw = tmp_path / "backup.pass"
    s = with_(demo_settings, "operations", backup_passphrase_file=pw)
    assert "没有备份口令文件" in check_backup(s, datetime.now()).detail
    pw.write_text("a long enough passphrase\n")
    pw.chmod(0o600)
    assert "backup_dest" in check_backup(s, datetime.now()).detail
    usb = tmp_path / "usb"
    s = with_(s, "operations", backup_dest=str(usb))
    assert "未挂载" in check_backup(s, datetime.now()).detail
    usb.mkdir()
    assert "还没有备份" in check_backup(s, datetime.now()).detail
    backup(s, usb)
    assert check_backup(s, datetime.now()).ok
    late = check_backup(s, datetime.fromtimestamp(datetime.now().timestamp() + 3 * 86400))
    assert not late.ok and "天前" in late.detail


def test_status_warns_when_the_disk_is_below_the_threshold(tmp_path, capsys):
    data = tmp_path / "data"
    assert cli.main(["--data", str(data), "init"]) == 0
    capsys.readouterr()
    assert cli.main(["--data", str(data), "status"]) == 0
    assert "磁盘空间不足" not in capsys.readouterr().out
    cfg = tmp_path / "r.toml"
    cfg.write_text("[operations]\ndisk_warn_free_mb = 10000000\n", encoding="utf-8")
    assert cli.main(["--config", str(cfg), "--data", str(data), "status"]) == 0
    assert "⚠ 磁盘空间不足" in capsys.readouterr().out
    cfg.write_text("[operations]\ndisk_warn_free_mb = 20000000\n", encoding="utf-8")
    assert cli.main(["--config", str(cfg), "--data", str(data), "status"]) == 2
    assert "disk_warn_free_mb must be 0..10000000" in capsys.readouterr().err


def test_a_data_dir_of_another_user_is_not_opened(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    if os.geteuid() != 0:
        pytest.skip("needs root to chown")
    os.chown(data, 4242, 4242)
    settings = load_settings(data_dir=data)
    lines = by_name(run_checks(settings, clock_facts=good_clock, systemd_dir=tmp_path / "x"))
    assert not lines["数据目录"].ok and "sudo -u reception" in lines["数据目录"].fix
    assert not any(data.iterdir())  # nothing created as the wrong user
