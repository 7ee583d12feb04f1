"""`reception check`: is this installation ready to open the lobby? One ✓/✗ line per item, with the fix."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from desk.clock_probe import ClockFacts, Runner, run_command, system_clock_facts
from desk.config import Settings

log = logging.getLogger(__name__)

UNITS = ("reception-hotline.service", "reception-kiosk.service", "reception-backup.timer")
"""The systemd units a live terminal runs (deploy/systemd/; the simulator's is for demos)."""
BYTES_PER_RECORD = 2048
"""Disk per record (change log line + table copy + snapshots) until the store has its own figure."""
MB = 1024 * 1024


@dataclass(frozen=True)
class Check:
    """One line of `reception check`."""

    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{'✓' if self.ok else '✗'} {self.name}: {self.detail}"
        return text if self.ok or not self.fix else f"{text}\n    → {self.fix}"


def check_settings(settings: Settings) -> Check:
    """What loading cannot see: names that must exist, ranges between settings."""
    problems = []
    try:
        zoneinfo.ZoneInfo(settings.site.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.append(f"[site] timezone {settings.site.timezone!r} 不是有效的时区名")
    h = settings.hours
    if h.staffed_from >= h.staffed_until:
        problems.append("[hours] staffed_from 应早于 staffed_until")
    for name, where in (settings.devices.compartments or {}).items():
        board, _, lock = where.partition(":")
        if not (board.isdigit() and lock.isdigit() and int(lock) >= 1):
            problems.append(f'[devices] compartments {name!r} = {where!r} 应为 "板号:锁号"')
            break
    if settings.source == "<defaults>":
        problems.append("未找到设置文件，正在使用演示默认值")
    if problems:
        return Check("设置", False, "；".join(problems),
                     "编辑 /etc/reception/reception.toml（或 --config 指定的文件）后重新运行 reception check")  # fmt: skip
    return Check("设置", True, f"{settings.source} 有效")


def _tree_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                st = os.lstat(os.path.join(root, f))
            except OSError:
                continue
            total += st.st_size if st.st_nlink == 1 else st.st_size // st.st_nlink
    return total


def year_estimate(settings: Settings, stats: dict[str, Any], used_bytes: int) -> int:
    """Bytes a year of records needs: records/day × 365 × bytes/record (measured once
    the store holds enough; the configured figures before)."""
    seq = int(stats.get("seq", 0))
    per_record = used_bytes / seq if seq >= 1000 else BYTES_PER_RECORD
    days = max((int(n) for n in stats.get("days", {}).values()), default=0)
    per_day = max(settings.operations.records_per_day, seq / days if days >= 7 else 0)
    return int(per_day * 365 * per_record)


def disk_warning(settings: Settings) -> str | None:
    """For `reception status`: the data dir's disk below [operations] disk_warn_free_mb."""
    free = shutil.disk_usage(settings.store.data_dir).free
    floor = settings.operations.disk_warn_free_mb
    if free >= floor * MB:
        return None
    return (f"⚠ 磁盘空间不足: 数据目录所在磁盘只剩 {free / MB:,.0f} MB（警戒线 {floor} MB），"
            "请清理或换用更大的磁盘，并确认备份正常")  # fmt: skip


def check_data_dir(settings: Settings, stats: dict[str, Any]) -> Check:
    data = settings.store.data_dir.resolve()
    try:
        with tempfile.NamedTemporaryFile(dir=data, prefix=".check-") as fh:
            fh.write(b"x")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        return Check("数据目录", False, f"{data} 不可写: {exc}",
                     f"chown -R reception:reception {data} && chmod 0700 {data}")  # fmt: skip
    free = shutil.disk_usage(data).free
    need = year_estimate(settings, stats, _tree_size(data))
    floor = settings.operations.disk_warn_free_mb * MB
    detail = f"{data} 可写，可用 {free / MB:,.0f} MB，一年约需 {need / MB:,.0f} MB"
    if free < need + floor:
        return Check("数据目录", False, detail,
                     f"换用更大的磁盘或清理空间（另需保留 [operations] disk_warn_free_mb = "
                     f"{settings.operations.disk_warn_free_mb} MB）")  # fmt: skip
    return Check("数据目录", True, detail)


def _log_month(stats: dict[str, Any]) -> str:
    files = sorted(str(f) for f in stats.get("log_files", []))
    return files[-1][:7] if files else ""


def check_clock(settings: Settings, facts: ClockFacts, stats: dict[str, Any]) -> list[Check]:
    """Deadlines (R1-R4, P2, V4) are computed from this clock: set, synchronised, right zone."""
    out = []
    tz = settings.site.timezone
    local = facts.now.astimezone(zoneinfo.ZoneInfo(tz)) if _valid_zone(tz) else facts.now
    newest = _log_month(stats)
    ops = settings.operations
    if local.year < 2025 or (newest and f"{local:%Y-%m}" < newest):
        out.append(Check("时钟", False, f"系统时间 {local:%Y-%m-%d %H:%M} 未设置或早于已有记录 ({newest})",
                         "设置正确时间并启用 NTP: timedatectl set-ntp true（或安装 chrony）"))  # fmt: skip
    elif facts.offset_s is not None and abs(facts.offset_s) > ops.max_clock_offset_s:
        out.append(Check("时钟", False, f"与 NTP 时间相差 {facts.offset_s:.1f} 秒（上限 {ops.max_clock_offset_s} 秒）",
                         "等待 NTP 校正或立即校正: chronyc makestep"))  # fmt: skip
    elif facts.ntp_active is not True:
        out.append(Check("时钟", False, f"没有启用的 NTP 时间源（{facts.source}），期限计算依赖准确时间",
                         "timedatectl set-ntp true，或 apt-get install chrony 并在 /etc/chrony 配置服务器"))  # fmt: skip
    elif facts.synchronised is not True:
        out.append(Check("时钟", False, f"NTP 已启用但尚未同步（{facts.source}）",
                         "检查网络能否访问 NTP 服务器: chronyc sources / timedatectl timesync-status"))  # fmt: skip
    else:
        off = f"，偏差 {facts.offset_s * 1000:.0f} ms" if facts.offset_s is not None else ""
        out.append(
            Check("时钟", True, f"{local:%Y-%m-%d %H:%M}，NTP 已同步（{facts.source}）{off}")
        )
    out.append(_check_zone(tz, facts))
    return out


def _valid_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _check_zone(tz: str, facts: ClockFacts) -> Check:
    fix = f"timedatectl set-timezone {tz}（或 ln -sf /usr/share/zoneinfo/{tz} /etc/localtime）"
    if facts.timezone:
        if facts.timezone == tz:
            return Check("时区", True, tz)
        return Check("时区", False, f"系统时区 {facts.timezone}，设置为 {tz}", fix)
    if (
        _valid_zone(tz)
        and facts.now.utcoffset() == facts.now.astimezone(zoneinfo.ZoneInfo(tz)).utcoffset()
    ):
        return Check("时区", True, f"本地时间与 {tz} 一致")
    return Check("时区", False, f"无法确认系统时区是 {tz}", fix)


def check_staff(staff: Iterable[Any], demo: Iterable[str] = (), demo_mode: bool = False) -> Check:
    """Demo logins (still on a demo PIN: ``desk.staff.demo_accounts()``) must be gone before
    the lobby opens: the core refuses them outside the demo."""
    demo = list(demo)
    active = [a for a in staff if a.status == "active" and a.login_id not in demo]
    real = [a for a in active if not getattr(a, "setup_hash", "")]
    pending = [a.login_id for a in active if getattr(a, "setup_hash", "")]
    note = f"；{'、'.join(pending)} 尚未首次登录设置密码" if pending else ""
    if demo:
        refused = "演示中可登录" if demo_mode else "真实设置下拒绝登录"
        return Check("员工账号", False, f"演示账号 {'、'.join(demo)} 仍用演示 PIN（{refused}）{note}",
                     "为每位员工建立自己的账号（reception staff add）并停用演示账号（reception staff disable）")  # fmt: skip
    if not real:
        return Check("员工账号", False, "没有可登录的员工账号" + note,
                     "reception staff add 建立员工账号，员工在终端上首次登录时设置密码")  # fmt: skip
    return Check("员工账号", True, f"{len(real)} 个员工账号，无演示账号{note}")


def check_registers(owners: int, keys: int) -> list[Check]:
    return [
        Check(
            "业主名册",
            owners > 0,
            f"{owners} 位住户" if owners else "未导入",
            "reception import-owners 业主名册.csv",
        ),  # fmt: skip
        Check(
            "钥匙登记",
            keys > 0,
            f"{keys} 把钥匙" if keys else "未导入 (K1)",
            "reception keys import 钥匙.csv",
        ),  # fmt: skip
    ]


def check_backup(settings: Settings, now: datetime) -> Check:
    """Issue 17 item 5: a passphrase apart from the data, a destination, a recent backup."""
    from desk.backup import PREFIX, SUFFIX
    from desk.backup_crypto import BackupError, read_passphrase

    ops = settings.operations
    try:
        read_passphrase(ops.backup_passphrase_file)
    except (BackupError, OSError) as exc:
        return Check("备份", False, str(exc), "deploy/install.sh --systemd 会生成口令文件")
    if not ops.backup_dest:
        return Check("备份", False, "没有设置备份目标 [operations] backup_dest",
                     "挂载U盘或网络盘，在 [operations] 写 backup_dest = \"/media/backup\"")  # fmt: skip
    dest = Path(ops.backup_dest)
    if not dest.is_dir():
        return Check("备份", False, f"备份目标 {dest} 不存在或未挂载", f"mount ... {dest}")
    found = sorted(dest.glob(f"{PREFIX}*{SUFFIX}"))
    if not found:
        return Check("备份", False, f"{dest} 里还没有备份", f"reception backup {dest}")
    age_h = (now.timestamp() - found[-1].stat().st_mtime) / 3600
    if age_h > 36:
        return Check("备份", False, f"最近一次备份在 {age_h / 24:.1f} 天前",
                     "systemctl status reception-backup.service；journalctl -u reception-backup")  # fmt: skip
    return Check("备份", True, f"{dest}：{len(found)} 份，最近一次 {age_h:.0f} 小时前")


def check_units(
    run: Runner = run_command, systemd_dir: Path = Path("/run/systemd/system")
) -> Check:
    if not systemd_dir.is_dir():
        return Check("systemd 服务", False, "systemd 未运行，服务不会开机自启",
                     "在以 systemd 启动的系统上运行 deploy/install.sh --systemd")  # fmt: skip
    missing = []
    for unit in UNITS:
        got = run(["systemctl", "is-enabled", unit], 5.0)
        state = got[1].strip() if got else "systemctl 不可用"
        if state != "enabled":
            missing.append(f"{unit} ({state or 'unknown'})")
    if missing:
        return Check("systemd 服务", False, "未启用: " + "，".join(missing),
                     "sudo deploy/install.sh --systemd（或 systemctl enable --now 对应服务）")  # fmt: skip
    return Check("systemd 服务", True, "、".join(UNITS) + " 已启用")


def run_checks(
    settings: Settings,
    clock_facts: Callable[[], ClockFacts] = system_clock_facts,
    run: Runner = run_command,
    systemd_dir: Path = Path("/run/systemd/system"),
    extra: Iterable[Callable[[Settings], list[Check]]] = (),
    now: Callable[[], datetime] | None = None,
) -> list[Check]:
    """Every go-live check, the desk's own first, then the front ends' (``extra``)."""
    from desk.service import Desk

    out = [check_settings(settings)]
    data = settings.store.data_dir
    if data.exists() and data.stat().st_uid != os.geteuid():
        # opening the store would leave files the services' user cannot write
        out.append(Check("数据目录", False, f"{data.resolve()} 属于另一个用户 (uid {data.stat().st_uid})，"
                         "未打开，未检查数据相关项目",
                         "以服务用户运行: sudo -u reception reception check"))  # fmt: skip
        return out + [c for more in extra for c in more(settings)] + [check_units(run, systemd_dir)]
    desk = Desk.open(settings, clock=now) if now else Desk.open(settings)
    try:
        stats = desk.store.stats()
        out.append(check_data_dir(settings, stats))
        out.extend(check_clock(settings, clock_facts(), stats))
        out.append(
            check_staff(desk.staff.accounts(), desk.staff.demo_accounts(), settings.site.demo)
        )
        out.extend(check_registers(len(desk.store.all_docs("owner")), len(desk.keys.all())))
        out.append(check_backup(settings, desk.now()))
    finally:
        desk.close()
    for more in extra:
        try:
            out.extend(more(settings))
        except Exception as exc:  # noqa: BLE001 - a broken probe is a failed check, not a crash
            log.exception("check failed")
            out.append(Check(getattr(more, "__module__", "check"), False, f"检查出错: {exc}"))
    out.append(check_units(run, systemd_dir))
    return out


def cmd_check(args: Any, settings: Settings) -> int:
    """`reception check`: print every line; exit 0 only when all are ✓."""
    from desk.frontends import load_frontends

    extra = [f.checks for f in load_frontends() if f.checks]
    results = run_checks(settings, extra=extra)
    for result in results:
        print(result.line())
    failed = [r.name for r in results if not r.ok]
    print(f"\n{len(results) - len(failed)}/{len(results)} 项通过。" +
          (f"未通过: {'、'.join(failed)}。" if failed else "可以开业。"))  # fmt: skip
    return 1 if failed else 0


def settings_failed(exc: Exception) -> int:
    """`reception check` when the settings file itself cannot be read."""
    print(Check("设置", False, str(exc), "修正设置文件后重新运行 reception check").line())
    return 1
