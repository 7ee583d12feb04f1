"""`reception orders ...` carries an order to done, audited with the OS user and --by (R3)."""

from __future__ import annotations

import getpass
import json

from desk import cli
from desk.config import load_settings
from desk.records import SYSTEM
from desk.service import Desk
from desk.services.requests import RepairRequest


def test_R3_orders_cli_dispatch_to_complete_is_audited_and_queues_the_slip(tmp_path, capsys):
    data = tmp_path / "data"
    assert cli.main(["--data", str(data), "init", "--empty"]) == 0
    desk = Desk.open(load_settings(data_dir=data))
    order = desk.repairs.report(RepairRequest(location="public:3栋电梯厅", contact_name="张三",
                                              contact_phone="13812345678", category="electric",
                                              description="电梯厅灯不亮"), SYSTEM)  # fmt: skip
    desk.close()
    run = ["--data", str(data), "orders"]
    assert cli.main([*run, "list"]) == 0
    assert "电梯厅灯不亮" in capsys.readouterr().out
    assert cli.main([*run, "cancel", order.number, "--by", "王主管"]) == 2  # R3: no reason
    assert "原因" in capsys.readouterr().err
    assert (
        cli.main(
            [*run, "dispatch", order.number, "--to", "老陈", "--team", "水电组", "--by", "小李"]
        )
        == 0
    )
    assert "打印队列" in capsys.readouterr().out
    for step in ("accept", "arrive"):
        assert cli.main([*run, step, order.number, "--by", "老陈"]) == 0
    assert cli.main([*run, "complete", order.number, "--by", "老陈", "--done", "更换灯管",
                     "--materials", "T8灯管2支", "--cost", "0"]) == 0  # fmt: skip
    capsys.readouterr()
    assert cli.main([*run, "show", order.number]) == 0
    shown = capsys.readouterr().out
    assert "更换灯管" in shown and "T8灯管2支" in shown and "13812345678" not in shown
    desk = Desk.open(load_settings(data_dir=data))
    try:
        done = desk.orders.get(order.number)
        assert done.status == "done" and done.follow_up_by is not None
        jobs = desk.printing.pending()
        assert [(j.receipt, j.record) for j in jobs] == [("dispatch_slip", order.number)]
    finally:
        desk.close()
    actors = []
    for path in sorted((data / "log").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            if entry.get("kind") == "work_order" and entry["op"] != "migrate":
                actors.append((entry["actor"]["name"], entry["actor"]["source"]))
    me = f"cli:{getpass.getuser()}"
    assert actors[1:] == [("小李", me), ("老陈", me), ("老陈", me), ("老陈", me)]


def test_R4_status_lists_orders_waiting_for_dispatch_and_pending_notices(desk, actors):
    from desk.cli import desk_actions

    w = desk.repairs.report(RepairRequest(location="3-2-501", contact_name="张三", contact_phone="13812345678",
                                          description="水龙头滴水"), actors["owner"])  # fmt: skip
    desk.orders.tell_late(w.number, actors["staff"])
    lines = desk_actions(desk)
    assert any(w.number[:1] + "-" in x and "待派工" in x for x in lines)
    assert any("待通知" in x or "已排队" in x for x in lines)  # R4: by SMS or by a person
