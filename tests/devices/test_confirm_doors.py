"""`reception devices confirm-doors` (issue 17 item 3): after the scan, each door is opened once
on the simulated boards, the installer's scripted answers confirm it, the rows' sizes are named,
and the confirmed map with its sizes becomes the settings' map."""

from __future__ import annotations

import dataclasses
import io
import json

import pytest
from sim_harness import start_sim  # tests/support, put on sys.path by conftest

from desk.config import load_settings
from devices import cli
from devices.compartments import CompartmentMap
from devices.confirm_doors import check_doors_confirmed


@pytest.fixture
def bus(tmp_path):
    """Three Kerong boards at 0, 1, 2 (2 is the key cabinet), scanned and saved."""
    host = start_sim(tmp_path / "sim", CompartmentMap({"X": "0:1", "Y": "1:1", "Z": "2:1"}),
                     lock_answer_delay=0.002)  # fmt: skip
    data = tmp_path / "data"
    assert run(host, data, "scan", "--protocol", "kerong", "--keys", "2", "--save") == 0
    yield host, data
    host.stop()


def run(host, data, *argv):
    s = load_settings(data_dir=data)
    s = dataclasses.replace(s, devices=dataclasses.replace(
        s.devices, lock_bus_url=host.locks_path, printer_url=host.printer_path,
        lock_timeout_s=0.2, sim_person_s=0.0))  # fmt: skip
    parser = cli.argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="cmd"))
    args = parser.parse_args(["devices", *argv])
    return args.func(args, s)


def answers(monkeypatch, *lines):
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(f"{line}\n" for line in lines)))


def test_each_door_opened_once_confirmed_and_sized(bus, monkeypatch, capsys):
    host, data = bus
    host.locks.jam(1, 3)  # B-03 does not open
    a_row = ["y", "n"] + ["y"] * 14  # the installer saw it stay shut
    b_row = ["y", "maybe", "y"] + ["y"] * 13  # B-03 jammed: not asked; one unclear answer
    answers(monkeypatch, *a_row, "中", *b_row, "大", *["y"] * 16)
    assert run(host, data, "confirm-doors") == 1  # written, with doors to fix
    out = capsys.readouterr().out
    assert "A-01 已开锁。门开了吗？[y/n]" in out and "A 排格口大小？[小/中/大]" in out
    assert "请回答 y 或 n" in out
    assert "未确认 A-02: 安装人员看到门没有开" in out and "未确认 B-03: 锁控板未确认开锁" in out
    assert len(set(host.locks.unlocks)) == 48  # every door was opened (B-03 tried)
    saved = json.loads((data / "lock-scan.json").read_text(encoding="utf-8"))
    assert "A-02" not in saved["compartments"] and "B-03" not in saved["compartments"]
    assert saved["sizes"]["A-01"] == "中" and saved["sizes"]["B-16"] == "大"
    assert "钥匙 3-01" in saved["compartments"] and "钥匙 3-01" not in saved["sizes"]
    settings = load_settings(data_dir=data)
    assert settings.devices.compartments["A-03"] == "0:3"
    assert "A-02" not in settings.devices.compartments
    assert settings.devices.compartment_sizes["B-01"] == "大"
    line = check_doors_confirmed(settings)[0]
    assert not line.ok and "A-02、B-03 未确认" in line.detail and "confirm-doors" in line.fix


def test_check_asks_for_the_confirmation_after_a_scan(bus, monkeypatch):
    host, data = bus
    line = check_doors_confirmed(load_settings(data_dir=data))[0]
    assert not line.ok and line.fix.startswith("reception devices confirm-doors")
    answers(monkeypatch, *["y"] * 48)
    assert run(host, data, "confirm-doors", "--sizes", "中,大") == 0
    line = check_doors_confirmed(load_settings(data_dir=data))[0]
    assert line.ok and "48 个门已逐个开门确认" in line.detail


def test_sizes_option_skips_the_size_questions(bus, monkeypatch, capsys):
    host, data = bus
    answers(monkeypatch, *["y"] * 48)
    assert run(host, data, "confirm-doors", "--sizes", "A=小,B=中") == 0
    sizes = load_settings(data_dir=data).devices.compartment_sizes
    assert sizes["A-16"] == "小" and sizes["B-01"] == "中" and len(sizes) == 32
    assert "格口大小" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("sizes", "words"),
    [("A=特大,B=中", "应为 小、中 或 大"), ("A=小", "缺少 B"), ("C=小,A=中,B=大", "没有名为 'C'"),
     ("小", "给了 1 个大小")],
)  # fmt: skip
def test_bad_sizes_open_no_door_and_write_nothing(bus, monkeypatch, capsys, sizes, words):
    host, data = bus
    before = (data / "lock-scan.json").read_bytes()
    answers(monkeypatch)
    assert run(host, data, "confirm-doors", "--sizes", sizes) == 2
    assert words in capsys.readouterr().err
    assert host.locks.unlocks == [] and (data / "lock-scan.json").read_bytes() == before


def test_stopping_or_no_terminal_writes_nothing(bus, monkeypatch, capsys):
    host, data = bus
    before = (data / "lock-scan.json").read_bytes()
    answers(monkeypatch, "y", "q")
    assert run(host, data, "confirm-doors") == 2
    assert "已中止，未写入任何内容" in capsys.readouterr().err
    answers(monkeypatch, "y")  # then end of input: not on a terminal
    assert run(host, data, "confirm-doors") == 2
    assert "需要在终端上运行" in capsys.readouterr().err
    assert (data / "lock-scan.json").read_bytes() == before


def test_no_scan_yet_says_what_to_run(tmp_path, capsys):
    host = start_sim(tmp_path / "sim", CompartmentMap({"X": "0:1"}))
    try:
        assert run(host, tmp_path / "data", "confirm-doors") == 2
    finally:
        host.stop()
    assert "先运行 reception devices scan --save" in capsys.readouterr().err
