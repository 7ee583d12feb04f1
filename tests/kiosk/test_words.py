"""Words people use (issue 18 item 3): units, roles, no rule ids, full-width ？！, weekdays;
and English for composed messages (item 5). No Kivy needed."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from kiosk.i18n import EN, translate
from kiosk.words import readable, role_zh, slot_zh

ROOT = Path(__file__).resolve().parents[2]


def test_units_roles_numbers_and_rule_ids_as_people_read_them() -> None:
    assert readable("1-1-102 漏水") == "1栋1单元102室 漏水"
    assert readable("system: 自动提醒") == "系统：自动提醒"
    assert readable("钥匙借出（业主托管：须业主授权 K3）") == "钥匙借出（业主托管：须业主授权）"
    assert readable("单号 22611230003") == "单号 2-261123-0003"
    assert readable("public:大堂 灯不亮") == "公共区域（大堂） 灯不亮"
    assert [role_zh(r) for r in ("guard", "staff", "supervisor", "system", "王芳")] == [
        "保安", "客服", "主管", "系统", "王芳",
    ]  # fmt: skip


def test_chinese_sentences_end_in_full_width_marks() -> None:
    assert readable("需要帮助吗?请按这里!") == "需要帮助吗？请按这里！"
    assert readable("call 110? yes!") == "call 110? yes!"  # English keeps its own marks
    half = re.compile(r"[\u3400-\u9fff][?!]")
    sources = [*ROOT.glob("kiosk/**/*.py"), *ROOT.glob("kiosk/**/*.kv")]
    found = [f"{p.name}: {m.group()}" for p in sources for m in half.finditer(p.read_text())]
    assert not found and not [k for k in EN if half.search(k)], found


def test_repair_slots_carry_the_weekday() -> None:
    start = datetime(2026, 11, 30, 9, 0)
    assert slot_zh(start, start.replace(hour=11)) == "周一 11-30 09:00–11:00"
    assert translate("周一 11-30 09:00–11:00", "en") == "Mon 11-30 09:00–11:00"


def test_composed_messages_follow_the_language() -> None:
    assert translate("45秒后返回首页，触摸屏幕继续", "en") == "45 s until home. Touch to continue"
    assert (
        translate("预约时段：周二 12-01 14:00–16:00", "en") == "Appointment: Tue 12-01 14:00–16:00"
    )
    assert (
        translate("请输入：联系人、联系电话", "en") == "Please enter: Contact name, Contact phone"
    )
    assert translate("报修已受理\n请取走您的凭条", "en") == (
        "Your repair request is registered\nPlease take your receipt"
    )
    assert translate("某个没有译文的句子", "en") == "某个没有译文的句子"
