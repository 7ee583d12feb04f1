"""`reception sim` and `reception devices`, and the Devices facade on the built-in simulator."""

from __future__ import annotations

import argparse
import dataclasses
import threading
import time

from devices import cli
from devices.manager import Devices
from devices.sim import host as sim_host


def parse(argv):
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="cmd"))
    return parser.parse_args(argv)


def run_sim_in_thread(settings, seconds=30.0):
    args = parse(["sim", "--seconds", str(seconds)])
    t = threading.Thread(target=args.func, args=(args, settings), daemon=True)
    t.start()
    d = settings.devices.sim_dir
    t0 = time.monotonic()
    while sim_host.send_control(d, "ping") != "pong":
        assert time.monotonic() - t0 < 5
        time.sleep(0.02)
    return t


def test_sim_and_devices_commands(settings, capsys):
    t = run_sim_in_thread(settings)
    try:
        args = parse(["devices", "status"])
        assert args.func(args, settings) == 0
        assert "ready" in capsys.readouterr().out
        args = parse(["devices", "open", "A-07"])
        assert args.func(args, settings) == 0
        assert "confirmed" in capsys.readouterr().out
        args = parse(["devices", "query", "A-07"])
        assert args.func(args, settings) == 0
        assert "OPEN" in capsys.readouterr().out
        args = parse(["devices", "test-page"])
        assert args.func(args, settings) == 0
        args = parse(["sim", "--ctl", "jam A-08"])
        assert args.func(args, settings) == 0
        args = parse(["devices", "open", "A-08"])
        assert args.func(args, settings) == 1
        assert "FAILED" in capsys.readouterr().out
        args = parse(["sim", "--ctl", "state"])
        assert args.func(args, settings) == 0
        assert "A-07" in capsys.readouterr().out
        assert list((settings.devices.sim_dir / "receipts").glob("*.png"))
    finally:
        sim_host.send_control(settings.devices.sim_dir, "quit")
        t.join(5)
    assert not t.is_alive()
    assert sim_host.send_control(settings.devices.sim_dir, "ping") is None


def test_sim_ctl_without_sim(settings):
    args = parse(["sim", "--ctl", "paper out"])
    assert args.func(args, settings) == 1


def test_devices_ports_lists(settings, capsys):
    args = parse(["devices", "ports"])
    assert args.func(args, settings) == 0
    assert capsys.readouterr().out


def test_devices_facade_prints_and_opens_on_the_real_desk(settings, store, records, tmp_path):
    from devices.receipts import receipt_for

    s = dataclasses.replace(
        settings, devices=dataclasses.replace(settings.devices, print_poll_s=0.05)
    )
    devs = Devices(s, store).start()
    events = []
    devs.subscribe(events.append)
    try:
        kind, data = receipt_for(records["visit_pass"], s)
        job = devs.print(kind, records["visit_pass"].number, data)
        assert devs.queue.wait_idle(5)
        assert store.pending() == []
        assert job.number
        assert devs.open("B-02").confirmed
        assert any(e.kind == "job_printed" for e in events)
        assert any(e.kind == "door_opened" for e in events)
    finally:
        devs.stop()
        host = sim_host.in_process_host(s.devices.sim_dir)
        if host:
            host.stop()
