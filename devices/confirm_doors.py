"""`reception devices confirm-doors`: open each scanned door once, the installer confirms it, sizes named."""

from __future__ import annotations

import getpass
import json
import logging
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from desk.config_devices import LOCK_SCAN_FILE, SIZES
from devices.compartments import CompartmentMap
from devices.scan import save_scan

log = logging.getLogger(__name__)

Ask = Callable[[str], str]


class DoorsError(Exception):
    """Why nothing was written (no scan, a bad --sizes, the installer stopped)."""


def board_rows(mapping: dict[str, str]) -> dict[int, tuple[str, list[str]]]:
    """Board address -> (row label "A" or "钥匙 3", its door names in map order)."""
    rows: dict[int, tuple[str, list[str]]] = {}
    for name, spec in mapping.items():
        board = int(spec.split(":")[0])
        label = re.sub(r"-\d+$", "", name)
        rows.setdefault(board, (label, []))[1].append(name)
    return rows


def parse_sizes(text: str, rows: dict[int, tuple[str, list[str]]]) -> dict[int, str]:
    """``--sizes``: "A=中,B=大" (row labels or board addresses) or "中,大" in board order;
    every parcel row needs one (key-cabinet rows have no size)."""
    parcel = {b: label for b, (label, names) in rows.items() if not _is_key_row(label)}
    parts = [p.strip() for p in re.split(r"[,，]", text) if p.strip()]
    out: dict[int, str] = {}
    if parts and all("=" not in p for p in parts):
        if len(parts) != len(parcel):
            raise DoorsError(f"--sizes 给了 {len(parts)} 个大小，但有 {len(parcel)} 排快递格口"
                             f"（{'、'.join(parcel.values())}）")  # fmt: skip
        pairs = list(zip(sorted(parcel), parts, strict=True))
    else:
        pairs = []
        for part in parts:
            key, _, size = part.partition("=")
            key = key.strip()
            board = next((b for b, label in parcel.items() if label == key or str(b) == key), None)
            if board is None:
                raise DoorsError(
                    f"--sizes: 没有名为 {key!r} 的快递格口排（有 {'、'.join(parcel.values())}）"
                )
            pairs.append((board, size.strip()))
    for board, size in pairs:
        if size not in SIZES:
            raise DoorsError(f"--sizes: {parcel[board]} 的大小 {size!r} 应为 小、中 或 大")
        out[board] = size
    missing = [parcel[b] for b in parcel if b not in out]
    if missing:
        raise DoorsError(f"--sizes 缺少 {'、'.join(missing)} 的大小（小/中/大）")
    return out


def _is_key_row(label: str) -> bool:
    return label.startswith(("钥匙", "K"))


def _yes_no(ask: Ask, prompt: str, choices: dict[str, Any], hint: str) -> Any:
    """Ask until one of ``choices`` is answered; q stops (nothing is written)."""
    while True:
        try:
            answer = ask(prompt).strip().lower()
        except EOFError as exc:
            raise DoorsError("没有回答（需要在终端上运行），未写入任何内容") from exc
        if answer in ("q", "quit"):
            raise DoorsError("已中止，未写入任何内容")
        if answer in choices:
            return choices[answer]
        print(f"请回答 {hint}（q 中止，不写入）")


def confirm_doors(settings: Any, ask: Ask, sizes_text: str | None, locks: Any) -> Path:
    """Open every door of the saved scan once through ``locks`` (the real driver); the installer
    says whether it opened; then the rows' sizes. Writes the confirmed map (doors that opened)
    with the sizes to the scan file, which the settings read. Nothing is written on error."""
    path = Path(settings.store.data_dir) / LOCK_SCAN_FILE
    try:
        scan = json.loads(path.read_text(encoding="utf-8"))
        mapping = dict(scan["compartments"])
        CompartmentMap(mapping)
    except FileNotFoundError as exc:
        raise DoorsError("还没有扫描结果：先运行 reception devices scan --save") from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DoorsError(
            f"{path} 无法读取（{exc}）：重新运行 reception devices scan --save"
        ) from exc
    if dict(settings.devices.compartments) != mapping:
        raise DoorsError("设置文件中已写了 [devices] compartments，扫描结果不会被使用；"
                         "删除该项后再确认柜门")  # fmt: skip
    rows = board_rows(mapping)
    sizes = parse_sizes(sizes_text, rows) if sizes_text else {}
    yes_no = {"y": True, "yes": True, "是": True, "n": False, "no": False, "否": False}
    confirmed: list[str] = []
    failed: dict[str, str] = {}
    for board, (label, names) in sorted(rows.items()):
        print(f"—— {label} 排（板地址 {board}）：{names[0]} .. {names[-1]}，共 {len(names)} 个门")
        for name in names:
            result = locks.open(name)
            if not result.confirmed:
                failed[name] = f"锁控板未确认开锁（{result.error}）"
                print(f"  {name}: 开锁失败：{result.error}")
                continue
            if _yes_no(ask, f"  {name} 已开锁。门开了吗？[y/n] ", yes_no, "y 或 n"):
                confirmed.append(name)
            else:
                failed[name] = "安装人员看到门没有开"
        if not sizes_text and not _is_key_row(label):
            choice = {"小": "小", "中": "中", "大": "大", "s": "小", "m": "中", "l": "大"}
            sizes[board] = _yes_no(
                ask, f"  {label} 排格口大小？[小/中/大] ", choice, "小、中 或 大"
            )
    if not confirmed:
        raise DoorsError("没有一个门确认打开，未写入：检查接线、板地址和电源后重新扫描")
    board_of = {n: int(mapping[n].split(":")[0]) for n in confirmed}
    named = {n: sizes[board_of[n]] for n in confirmed if board_of[n] in sizes}
    extra = {
        "sizes": named,
        "unconfirmed": failed,
        "confirmed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "confirmed_by": getpass.getuser(),
    }
    saved = save_scan(settings.store.data_dir, scan["lock_protocol"], int(scan["lock_baud"]),
                      {n: mapping[n] for n in mapping if n in confirmed}, extra)  # fmt: skip
    log.info("doors confirmed: %d, not confirmed: %d", len(confirmed), len(failed))
    return saved


def check_doors_confirmed(settings: Any) -> list[Any]:
    """`reception check`: a map from the scan must have had each door confirmed (none when the
    settings file sets the map: the installer wrote it by hand)."""
    from desk.golive import Check

    path = Path(settings.store.data_dir) / LOCK_SCAN_FILE
    try:
        scan = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(scan, dict) or dict(settings.devices.compartments) != scan.get(
        "compartments"
    ):
        return []
    if not scan.get("confirmed_at"):
        return [Check("格口确认", False, "扫描得到的格口表还没有逐门确认",
                      "reception devices confirm-doors（逐个开门确认，并标明大小）")]  # fmt: skip
    left = list(scan.get("unconfirmed") or {})
    n = len(scan["compartments"])
    if left:
        return [Check("格口确认", False, f"{n} 个门已确认；{'、'.join(left[:8])} 未确认，已从格口表去掉",
                      "修好后重新运行 reception devices scan --save 和 confirm-doors")]  # fmt: skip
    return [Check("格口确认", True, f"{n} 个门已逐个开门确认（{scan.get('confirmed_by', '')}）")]


def cmd_confirm_doors(args: Any, settings: Any) -> int:
    """The command: answers from the terminal (input())."""
    from devices.manager import Devices

    devs = Devices(settings)
    try:
        path = confirm_doors(settings, input, args.sizes, devs.locks)
    except DoorsError as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return 2
    finally:
        devs.stop()
    doc = json.loads(path.read_text(encoding="utf-8"))
    print(f"已确认 {len(doc['compartments'])} 个门，写入 {path}（设置文件未写格口表时使用）。")
    for name, why in doc["unconfirmed"].items():
        print(
            f"  未确认 {name}: {why} — 已从格口表中去掉；修好后重新运行 reception devices scan --save 和 confirm-doors"
        )
    return 0 if not doc["unconfirmed"] else 1
