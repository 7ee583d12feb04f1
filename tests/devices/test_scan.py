"""Issue 11 item 3: Kerong boards are addressed 0-15 by DIP switches; scan and first-run map."""

from __future__ import annotations

import dataclasses
import json

from sim_harness import locks_on, start_sim  # tests/support, put on sys.path by conftest

from desk.config import load_settings
from desk.config_devices import default_compartments
from devices import cli
from devices.compartments import CompartmentMap
from devices.links import SerialLink
from devices.scan import best_bus, map_from_scan, scan_bus


def test_default_map_works_with_one_kerong_board_at_address_0(tmp_path):
    """A single factory-set board (DIP all off = address 0) runs lockers A-01..A-16."""
    host = start_sim(tmp_path / "one", CompartmentMap({"X": "0:1"}))
    try:
        lb = locks_on(host, "kerong")
        lb.compartments = CompartmentMap(default_compartments())
        assert lb.open("A-01").confirmed
        assert host.locks.is_open(0, 1)
        lb.close()
    finally:
        host.stop()
    assert CompartmentMap(default_compartments("8a"))["A-01"].board == 1  # 8A counts from 1


def test_settings_default_map_follows_the_protocol(tmp_path):
    s = load_settings(data_dir=tmp_path)
    assert s.devices.compartments["A-01"] == "0:1"
    assert s.devices.compartments["钥匙 3-12"] == "2:12"
    toml = tmp_path / "r.toml"
    toml.write_text('[devices]\nlock_protocol = "8a"\n', encoding="utf-8")
    s8 = load_settings(toml, data_dir=tmp_path)
    assert s8.devices.compartments["A-01"] == "1:1"  # 8A boards count from 1


def test_scan_finds_the_answering_addresses_and_protocol(tmp_path):
    host = start_sim(tmp_path / "k", CompartmentMap({"X": "0:1", "Y": "5:1"}))
    try:
        found = scan_bus(lambda baud: SerialLink.open(host.locks_path, baud), ["kerong"])
        assert [(f.protocol, f.address, f.answer) for f in found] == [
            ("kerong", 0, "ok"),
            ("kerong", 5, "ok"),
        ]
        assert best_bus(found) == ("kerong", 19200, [0, 5])
        host.locks.garbage = True
        found = scan_bus(
            lambda baud: SerialLink.open(host.locks_path, baud),
            ["kerong"],
            bauds={"kerong": (19200,)},
            addresses={"kerong": [0]},
        )
        assert [f.answer for f in found] == ["garbage"]
        assert best_bus(found) is None
    finally:
        host.stop()


def test_scan_finds_8a_boards(tmp_path):
    host = start_sim(tmp_path / "a", CompartmentMap({"X": "2:1"}), lock_protocol="8a")
    try:
        found = scan_bus(
            lambda baud: SerialLink.open(host.locks_path, baud),
            ["kerong", "8a"],
            addresses={"8a": range(1, 5)},
        )
        assert best_bus(found) == ("8a", 9600, [2])
    finally:
        host.stop()


def test_map_from_scan_names_lockers_and_key_rows():
    m = map_from_scan([4, 0, 7], "kerong", key_boards=[7])
    assert m["A-01"] == "0:1" and m["B-16"] == "4:16" and m["钥匙 3-05"] == "7:5"
    assert len(m) == 48


def test_devices_scan_save_becomes_the_first_run_map(tmp_path, capsys):
    data = tmp_path / "data"
    host = start_sim(tmp_path / "k", CompartmentMap({"X": "3:1"}))
    try:
        s = load_settings(data_dir=data)
        s = dataclasses.replace(
            s, devices=dataclasses.replace(s.devices, lock_bus_url=host.locks_path)
        )
        parser = cli.argparse.ArgumentParser()
        cli.register(parser.add_subparsers(dest="cmd"))
        args = parser.parse_args(["devices", "scan", "--protocol", "kerong", "--save"])
        assert args.func(args, s) == 0
        out = capsys.readouterr().out
        assert "address  3" in out and "A-01 .. A-16" in out
    finally:
        host.stop()
    saved = json.loads((data / "lock-scan.json").read_text(encoding="utf-8"))
    assert saved["compartments"]["A-01"] == "3:1"
    s2 = load_settings(data_dir=data)
    assert s2.devices.compartments["A-16"] == "3:16"
    assert "B-01" not in s2.devices.compartments


def test_status_names_the_fault(tmp_path, settings, capsys):
    host = start_sim(tmp_path / "k", CompartmentMap(settings.devices.compartments))
    try:
        host.locks.garbage = True
        s = dataclasses.replace(
            settings,
            devices=dataclasses.replace(
                settings.devices, lock_bus_url=host.locks_path, printer_url=host.printer_path
            ),
        )
        parser = cli.argparse.ArgumentParser()
        cli.register(parser.add_subparsers(dest="cmd"))
        args = parser.parse_args(["devices", "status"])
        args.func(args, s)
        assert "锁控板应答异常（请检查波特率/协议）" in capsys.readouterr().out
        host.locks.garbage, host.locks.silent = False, True
        args.func(args, s)
        assert "锁控板无应答（请检查接线/电源" in capsys.readouterr().out
    finally:
        host.stop()


def test_status_points_a_one_board_install_at_the_scan(tmp_path, settings, capsys):
    host = start_sim(tmp_path / "one", CompartmentMap({"X": "0:1"}))  # one board, address 0
    try:
        s = dataclasses.replace(
            settings,
            devices=dataclasses.replace(
                settings.devices, lock_bus_url=host.locks_path, printer_url=host.printer_path
            ),
        )
        parser = cli.argparse.ArgumentParser()
        cli.register(parser.add_subparsers(dest="cmd"))
        args = parser.parse_args(["devices", "status"])
        args.func(args, s)
        out = capsys.readouterr().out
        assert "lock board 0: answering" in out
        assert "reception devices scan --save" in out
    finally:
        host.stop()
