"""Settings of the desk's shared policy: repair slots, urgency words, couriers (R1, R2, E1, P1, P3)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PolicySettings:
    """Rules both front ends apply the same way; the kiosk and the hotline only ask the core."""

    repair_slot_hours: tuple[int, ...] = (9, 11, 14, 16)
    """R1: start hours of the appointment slots offered for an ordinary repair."""
    repair_slot_length_hours: int = 2
    """R1: length of one appointment slot."""
    repair_slot_days: int = 3
    """R1: how many days ahead slots are offered (today included)."""
    repair_slot_lead_minutes: int = 60
    """R1: a slot is offered only if it starts at least this long from now."""
    urgent_categories: tuple[str, ...] = ("lift", "gas")
    """R2: repair categories that are always urgent (someone may be trapped; gas)."""
    urgent_words: tuple[str, ...] = (
        "漏水", "渗水严重", "爆管", "水管爆裂", "水管破裂", "管道爆裂", "水漫", "淹水", "水淹",
        "停水", "停电", "断电", "没电", "跳闸", "短路", "漏电", "电线冒火",
        "困电梯", "电梯困人", "困在电梯", "关在电梯", "电梯故障",
        "堵塞", "下水道堵", "马桶堵", "污水倒灌", "反水",
        "着火", "火灾", "失火", "燃气", "煤气", "天然气", "冒烟",
        "门打不开", "进不了门", "锁坏",
    )  # fmt: skip
    """R2: words that make a repair urgent (急修)."""
    emergency_words: tuple[str, ...] = (
        "着火", "火灾", "失火", "燃气泄漏", "煤气", "天然气泄漏",
        "困电梯", "电梯困人", "困在电梯", "关在电梯",
        "爆管", "水管爆裂", "停电", "漏水",
    )  # fmt: skip
    """E1: words that make a call or a request an emergency: it skips every queue."""
    life_words: tuple[str, ...] = (
        "着火", "火灾", "失火", "冒烟", "燃气泄漏", "煤气", "天然气泄漏",
        "困电梯", "电梯困人", "困在电梯", "关在电梯", "受伤", "晕倒", "打架", "小偷",
    )  # fmt: skip
    """E1: words where lives or fire are at stake: the caller is told to call 119/110/120."""
    public_services_advice: str = "如有人员受伤、火情或治安事件，请立即拨打119、110或120。"
    """E1: what an emergency caller is told when lives or fire may be at stake or the desk is unstaffed."""
    couriers: tuple[str, ...] = (
        "顺丰速运", "京东物流", "中通快递", "圆通速递", "韵达快递", "申通快递",
        "中国邮政", "极兔速递", "其他",
    )  # fmt: skip
    """P1: courier names, one spelling everywhere (kiosk picker, hotline prompts, receipts)."""
    counter_compartment: str = "counter"
    """P1/P3: the compartment name of parcels kept at the desk (handed over by a guard)."""
    second_factor_digits: int = 6
    """X1: digits of the PIN an owner sets at the desk to read codes and visitors by phone."""
    second_factor_max_failures: int = 3
    """X1: wrong PINs for one unit by phone before that unit's phone services lock."""
    second_factor_lockout_minutes: int = 60
    """X1: length of that lock."""
