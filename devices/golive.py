"""The devices' lines of `reception check`: printer with paper, every lock board, the SMS modem."""

from __future__ import annotations

import logging
import re
from typing import Any

from desk.golive import Check
from devices.compartments import CompartmentMap
from devices.links import PORT_ERRORS, SerialLink
from devices.lock_protocols import get_protocol
from devices.locks import SerialLockBoards
from devices.printer import ReceiptPrinter, make_connection

log = logging.getLogger(__name__)

SIM_FIX = "reception devices ports 找到端口，写入 /etc/reception/reception.toml 的 [devices] {key}"


def check_printer(settings: Any) -> Check:
    dev = settings.devices
    timeout = settings.operations.check_timeout_s
    if dev.printer_url == "sim":
        return Check("打印机", False, "printer_url = \"sim\"：只连着模拟打印机",
                     SIM_FIX.format(key="printer_url"))  # fmt: skip
    printer = ReceiptPrinter(
        lambda: make_connection(dev.printer_url, dev.printer_baud, timeout),
        status_timeout=timeout,
    )
    try:
        if not printer.open():
            return Check("打印机", False, f"{dev.printer_url} 打不开",
                         "检查打印机电源、数据线和 [devices] printer_url（reception devices ports）")  # fmt: skip
        st = printer.status()
        linked = printer._link is not None  # noqa: SLF001 - USB/file printers cannot report paper
    finally:
        printer.close()
    fix = "reception devices status 查看详情"
    if not st.answered:
        return Check("打印机", False, f"{dev.printer_url} 无应答 (DLE EOT)",
                     f"检查打印机电源、数据线和波特率 printer_baud = {dev.printer_baud}")  # fmt: skip
    if not linked:
        return Check("打印机", False, f"{dev.printer_url} 没有状态通道，无法确认有纸",
                     "用串口或网络 (net:HOST) 连接打印机，以便确认纸张和纸仓盖")  # fmt: skip
    if st.paper_out:
        return Check("打印机", False, f"{dev.printer_url} 缺纸", "装入热敏纸卷，合上纸仓盖")
    if st.cover_open:
        return Check("打印机", False, f"{dev.printer_url} 纸仓盖打开", "合上纸仓盖")
    if not st.ok:
        return Check("打印机", False, f"{dev.printer_url} 报告故障 ({st.state.value})", fix)
    near = "，纸将用完" if st.paper_near_end else ""
    return Check("打印机", True, f"{dev.printer_url} 在线，有纸{near}")


def check_lock_boards(settings: Any) -> list[Check]:
    dev = settings.devices
    if dev.lock_bus_url == "sim":
        return [Check("锁控板", False, "lock_bus_url = \"sim\"：只连着模拟锁控板",
                      SIM_FIX.format(key="lock_bus_url"))]  # fmt: skip
    compartments = CompartmentMap(dev.compartments)
    boards = SerialLockBoards(
        get_protocol(dev.lock_protocol),
        lambda: SerialLink.open(dev.lock_bus_url, dev.lock_baud),
        compartments,
        timeout=settings.operations.check_timeout_s,
        retries=0,
    )
    out = []
    try:
        if not boards.connect():
            return [Check("锁控板", False, f"{dev.lock_bus_url} 打不开",
                          "检查 RS-485 转换器和 [devices] lock_bus_url（reception devices ports）")]  # fmt: skip
        for board in compartments.boards():
            states = boards.board_states(board)
            if states is None:
                out.append(Check(f"锁控板 {board}", False, f"{dev.lock_bus_url} 上地址 {board} 无应答或应答无效",
                                 f"检查该板电源、拨码地址 ({board})、A/B 线和协议 lock_protocol = {dev.lock_protocol}"))  # fmt: skip
            else:
                n = sum(1 for c in compartments if c.board == board)
                out.append(Check(f"锁控板 {board}", True, f"应答正常（{n} 个格口）"))
    finally:
        boards.close()
    return out


def _at(link: SerialLink, command: str, timeout: float) -> str:
    link.clear_input()
    link.write(command.encode("ascii") + b"\r")
    text = b""
    for _ in range(20):
        text += link.read_exact(64, timeout / 20)
        if b"OK" in text or b"ERROR" in text:
            break
    return text.decode("ascii", "replace")


def check_modem(settings: Any) -> Check:
    """3GPP TS 27.007: AT+CREG? (registered home 1 / roaming 5) and AT+CSQ (rssi 0-31)."""
    notices = getattr(settings, "notices", None)
    kind = getattr(notices, "modem", "off") if notices else "off"
    if kind in ("off", ""):
        return Check("短信猫", True, "未配置，跳过")
    if kind != "at":
        return Check("短信猫", False, f"modem = \"{kind}\"：短信不会真正发出",
                     "把 [notices] modem 设为 \"at\"，device 设为短信猫的 AT 端口")  # fmt: skip
    device = getattr(notices, "device", "")
    m = re.search(r"(\d+)$", getattr(notices, "connection", "") or "")
    baud = int(m.group(1)) if m else 115200
    timeout = settings.operations.check_timeout_s
    try:
        link = SerialLink.open(device, baud)
    except (*PORT_ERRORS, ValueError) as exc:
        return Check(
            "短信猫", False, f"{device} 打不开: {exc}", "检查短信猫 USB 连接和 [notices] device"
        )
    try:
        creg = _at(link, "AT+CREG?", timeout)
        csq = _at(link, "AT+CSQ", timeout)
    finally:
        link.close()
    reg = re.search(r"\+CREG:\s*\d+,(\d+)", creg)
    sig = re.search(r"\+CSQ:\s*(\d+),", csq)
    if not reg:
        return Check(
            "短信猫",
            False,
            f"{device} 对 AT+CREG? 无应答",
            "检查 [notices] device 是否为 AT 口、connection 的波特率",
        )
    if reg.group(1) not in ("1", "5"):
        return Check(
            "短信猫", False, f"未注册到网络 (CREG stat {reg.group(1)})", "检查 SIM 卡、欠费和天线"
        )
    rssi = int(sig.group(1)) if sig else 99
    if rssi == 99 or rssi < 5:
        return Check("短信猫", False, f"信号太弱 (CSQ {rssi})", "调整天线位置或使用外置天线")
    return Check(
        "短信猫", True, f"已注册{'（漫游）' if reg.group(1) == '5' else ''}，信号 CSQ {rssi}/31"
    )


def checks(settings: Any) -> list[Check]:
    """All device lines of `reception check`."""
    return [check_printer(settings), *check_lock_boards(settings), check_modem(settings)]
