"""`reception blocklist|renovations|on-site` (issue 16 items 3, 4, 6): audited, ID never an argument."""

from __future__ import annotations

import io
import json

from desk.cli import main
from desk.services.requests import VisitRequest

ID = "11010519491231002X"


def run(tmp_path, capsys, monkeypatch, *argv, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    rc = main(["--data", str(tmp_path / "data"), *argv])
    out = capsys.readouterr()
    return rc, out.out + out.err


def test_blocklist_add_list_remove_audited_and_id_only_hashed(tmp_path, capsys, monkeypatch):
    rc, out = run(tmp_path, capsys, monkeypatch, "blocklist", "add", "--name", "赵六",
                  "--reason", "多次尾随进入", "--decided-by", "经理王", "--by", "小李",
                  stdin=ID + "\n")  # fmt: skip
    assert rc == 0 and "赵*" in out and ID not in out
    number = out.split()[1]
    rc, out = run(tmp_path, capsys, monkeypatch, "blocklist", "list")
    assert rc == 0 and number in out and "多次尾随进入" in out and "共 1 条" in out
    rc, out = run(tmp_path, capsys, monkeypatch, "blocklist", "remove", number)
    assert rc == 0
    rc, out = run(tmp_path, capsys, monkeypatch, "blocklist", "list")
    assert "共 0 条" in out
    logs = "".join(p.read_text() for p in (tmp_path / "data" / "log").glob("*.jsonl"))
    assert ID not in logs
    actors = [json.loads(line).get("actor", {}) for line in logs.splitlines()]
    assert any(a.get("name") == "小李" and a.get("source", "").startswith("cli:") for a in actors)


def test_blocklist_add_needs_reason_and_who_decided(tmp_path, capsys, monkeypatch):
    rc, out = run(tmp_path, capsys, monkeypatch, "blocklist", "add", "--name", "赵六",
                  stdin=ID + "\n")  # fmt: skip
    assert rc == 2 and "--reason" in out


def test_renovations_add_list_and_on_site(tmp_path, capsys, monkeypatch):
    rc, out = run(tmp_path, capsys, monkeypatch, "renovations", "add", "--unit", "1-1-101",
                  "--company", "好家装饰", "--permit", "SG-031", "--from", "2026-11-20",
                  "--to", "2099-12-31", "--hours-from", "08:00", "--hours-until", "12:00",
                  "--workers", "孙师傅,李师傅")  # fmt: skip
    assert rc == 0 and "1栋1单元101室" in out and "08:00–12:00" in out
    rc, out = run(tmp_path, capsys, monkeypatch, "renovations", "list")
    assert rc == 0 and "SG-031" in out and "孙**" in out and "共 1 项" in out
    rc, out = run(tmp_path, capsys, monkeypatch, "renovations", "add", "--unit", "1-1-101")
    assert rc == 2 and "--from" in out
    rc, out = run(tmp_path, capsys, monkeypatch, "on-site")
    assert rc == 0 and "0 批" in out


def test_status_lists_visitor_messages_for_the_desk(tmp_path, capsys, monkeypatch):
    """V2, issue 12: a message left by a visitor waits on the desk's list until passed on."""
    from desk.config import load_settings
    from desk.records import Actor, Role
    from desk.service import Desk

    settings = load_settings(data_dir=tmp_path / "data")
    desk = Desk.open(settings)
    try:
        desk.directory.import_owners([{"unit": "3-2-501", "name": "张三", "phone": "13812345678"}])
        visitor = Actor(Role.VISITOR, "", "kiosk-1")
        v = desk.visits.register(
            VisitRequest(host_unit="3-2-501", visitor_name="赵六", id_number=ID), visitor
        )
        desk.visits.leave_message(v.number, visitor, "下午再来")
    finally:
        desk.close()
    rc, out = run(tmp_path, capsys, monkeypatch, "status")
    assert rc == 0 and "待转告访客留言: 138****5678" in out and "13812345678" not in out
