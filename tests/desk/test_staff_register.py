"""`reception staff add|list|disable|reset-pin` (issue 17 item 1): each person chooses their own
PIN with a one-time setup code; disabled accounts stay but cannot log in; the demo logins are
refused with a real site's settings (X1, L2)."""

from __future__ import annotations

import re

import pytest

from desk import cli
from desk.config import load_settings
from desk.errors import ValidationError
from desk.golive import check_staff
from desk.records import Role
from desk.service import Desk
from desk.services.base import AuthError
from desk.services.requests import NewStaff
from desk.services.staff import DemoAccountRefused, PinSetupRequired


@pytest.fixture
def site(tmp_path):
    """A real site's settings file (no `demo = true`) and its data dir, with the demo loaded."""
    config = tmp_path / "reception.toml"
    config.write_text('[site]\nname = "幸福家园物业客服中心"\n', encoding="utf-8")
    data = tmp_path / "data"
    assert cli.main(["--config", str(config), "--data", str(data), "init"]) == 0
    return config, data


def run(site, *argv):
    config, data = site
    return cli.main(["--config", str(config), "--data", str(data), "staff", *argv])


def opened(site):
    config, data = site
    return Desk.open(load_settings(config, data))


def setup_code(out: str) -> str:
    return re.search(r"一次性设置码：(\d{8})", out).group(1)


def log_lines(site) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in (site[1] / "log").glob("*.jsonl"))


def test_X1_add_then_the_person_chooses_the_pin_at_first_login(site, capsys):
    assert (
        run(site, "add", "--name", "张三", "--role", "保安", "--number", "0012", "--by", "李主管")
        == 0
    )
    out = capsys.readouterr().out
    code = setup_code(out)
    assert "0012 张三（保安）" in out
    desk = opened(site)
    try:
        account = desk.staff.account("0012")
        assert account.pin_hash == "" and account.setup_hash.startswith("scrypt$")
        assert code not in account.setup_hash
        with pytest.raises(AuthError):
            desk.staff.login("0012", "123456", "kiosk-1")  # no usable PIN yet
        with pytest.raises(PinSetupRequired):
            desk.staff.login("0012", code, "kiosk-1")
        with pytest.raises(ValidationError):
            desk.staff.set_first_pin("0012", code, "111111", "kiosk-1")  # too simple
        actor = desk.staff.set_first_pin("0012", code, "480263", "kiosk-1")
        assert actor.role == Role.GUARD and actor.name == "张三"
        assert desk.staff.login("0012", "480263", "kiosk-1").name == "张三"
        with pytest.raises(AuthError):
            desk.staff.login("0012", code, "kiosk-1")  # the setup code is used up
    finally:
        desk.close()
    log = log_lines(site)
    assert "李主管" in log and "480263" not in log and code not in log  # L2: who; never a secret


def test_duplicate_staff_number_is_refused_and_nothing_written(site, capsys):
    assert run(site, "add", "--name", "张三", "--role", "客服", "--number", "0012") == 0
    before = log_lines(site)
    assert run(site, "add", "--name", "李四", "--role", "维修", "--number", "0012") == 2
    assert "工号已被使用" in capsys.readouterr().err
    assert log_lines(site) == before


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["add", "--name", "李四", "--role", "厨师", "--number", "0013"], "角色应为"),
        (["add", "--name", "李四", "--role", "维修"], "需要 --number"),
        (["add", "--name", "李四", "--role", "维修", "--number", "00 13"], "工号应为"),
        (["add", "--role", "维修", "--number", "0013"], "需要 --name"),
        (["add", "--name", "李\u202e四", "--role", "维修", "--number", "0013"], "不可见字符"),
        (["disable", "0099"], "没有工号为 0099"),
        (["reset-pin", "0099"], "没有工号为 0099"),
        (["disable"], "需要工号"),
    ],
)
def test_bad_input_gets_a_clear_message_and_writes_nothing(site, capsys, argv, words):
    before = log_lines(site)
    assert run(site, *argv) == 2
    assert words in capsys.readouterr().err
    assert log_lines(site) == before


def test_technician_role_logs_in_and_may_act_on_work_orders(site, capsys):
    assert run(site, "add", "--name", "老陈", "--role", "维修", "--number", "W01") == 0
    code = setup_code(capsys.readouterr().out)
    desk = opened(site)
    try:
        actor = desk.staff.set_first_pin("W01", code, "730914", "kiosk-1")
        assert actor.role == Role.TECHNICIAN
        order = next(o for o in desk.repairs.open() if o.status == "dispatched")
        assert desk.repairs.transition(order.number, "accept", actor).status == "accepted"
    finally:
        desk.close()


def test_disabled_account_cannot_log_in_and_is_kept(site, capsys):
    assert run(site, "add", "--name", "王五", "--role", "主管", "--number", "0014") == 0
    code = setup_code(capsys.readouterr().out)
    desk = opened(site)
    try:
        desk.staff.set_first_pin("0014", code, "593017", "kiosk-1")
    finally:
        desk.close()
    assert run(site, "disable", "0014", "--by", "李主管") == 0
    assert run(site, "disable", "0014") == 2  # already disabled
    assert run(site, "list") == 0
    listing = capsys.readouterr().out
    assert re.search(r"0014\s+王五\s+主管\s+已停用", listing)
    assert "593017" not in listing and code not in listing
    desk = opened(site)
    try:
        with pytest.raises(AuthError):
            desk.staff.login("0014", "593017", "kiosk-1")
        assert "王五" not in desk.staff.names()
    finally:
        desk.close()


def test_reset_pin_forgets_the_pin_and_gives_a_new_setup_code(site, capsys):
    assert run(site, "add", "--name", "张三", "--role", "客服", "--number", "0012") == 0
    first = setup_code(capsys.readouterr().out)
    desk = opened(site)
    try:
        desk.staff.set_first_pin("0012", first, "480263", "kiosk-1")
    finally:
        desk.close()
    assert run(site, "reset-pin", "0012") == 0
    code = setup_code(capsys.readouterr().out)
    desk = opened(site)
    try:
        with pytest.raises(AuthError):
            desk.staff.login("0012", "480263", "kiosk-1")
        with pytest.raises(PinSetupRequired):
            desk.staff.login("0012", code, "kiosk-1")
    finally:
        desk.close()


def test_demo_accounts_refused_with_a_real_config_and_check_agrees(site, capsys):
    desk = opened(site)
    try:
        assert not desk.settings.site.demo
        with pytest.raises(DemoAccountRefused, match="reception staff add"):
            desk.staff.login("guard", "111111", "kiosk-1")
        line = check_staff(desk.staff.accounts(), desk.staff.demo_accounts(), False).line()
    finally:
        desk.close()
    assert line.startswith("✗ 员工账号: 演示账号 guard、staff、supervisor") and "拒绝登录" in line
    assert "111111" not in line


def test_demo_accounts_work_in_the_demo(tmp_path):
    desk = Desk.open(load_settings(data_dir=tmp_path / "data"))
    try:
        from desk.demo import install_demo

        install_demo(desk)
        assert desk.settings.site.demo
        assert desk.staff.login("guard", "111111", "kiosk-1").role == Role.GUARD
        desk.staff.add(NewStaff("值班员", "guard", "482613"))
        assert desk.staff.login("值班员", "482613", "kiosk-1").name == "值班员"
    finally:
        desk.close()


def test_L3_a_real_supervisor_is_offered_by_login_id_for_the_handover_override(site, capsys):
    assert run(site, "add", "--name", "王主管", "--role", "主管", "--number", "M01") == 0
    code = setup_code(capsys.readouterr().out)
    desk = opened(site)
    try:
        assert ("王主管 M01", "M01") in desk.staff.logins("supervisor")
        assert all(login != "0012" for _l, login in desk.staff.logins("supervisor"))
        desk.staff.set_first_pin("M01", code, "602958", "kiosk-1")
        assert desk.staff.login("M01", "602958", "kiosk-1").role == Role.SUPERVISOR
    finally:
        desk.close()


def test_X1_only_a_supervisor_lifts_the_login_lockout(desk, actors):
    """Issue 10 item 13: wrong PINs lock the terminal; the supervisor, who sees the failures
    in `reception status`, may lift the lock; a guard may not. Both are audited."""
    from desk.errors import LockedOut

    desk.staff.add(NewStaff("老王", "guard", "135791"))
    for _ in range(4):
        with pytest.raises((AuthError, LockedOut)):
            desk.staff.login("老王", "000000", source="kiosk-9")
    with pytest.raises(LockedOut):
        desk.staff.login("老王", "135791", source="kiosk-9")
    assert desk.staff.failed_logins()
    with pytest.raises(AuthError):
        desk.staff.clear_lockouts(actors["guard"])
    desk.staff.clear_lockouts(actors["supervisor"])
    assert desk.staff.failed_logins() == []
    assert desk.staff.login("老王", "135791", source="kiosk-9").role == Role.GUARD
