"""`reception backup DEST` and `reception restore --from BACKUP`: encrypted, verified copies that leave the machine."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import shutil
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from desk.audit import default_key_path
from desk.backup_crypto import (
    BackupError,
    authenticate,
    decrypt_file,
    encrypt_file,
    read_passphrase,
)
from desk.config import Settings
from desk.fileio import fsync_dir, private_dir

log = logging.getLogger(__name__)

PREFIX = "reception-backup-"
SUFFIX = ".rbk"
STORE_FILES = {"manifest.json", "lock", "log", "tables", "snapshots"}
"""The store's own files: taken from its latest snapshot and the change log, not copied live."""
NOT_BACKED_UP = {"models", "sim", "tts"}
"""Re-installable or generated: the speech model (install.sh --model), simulator ptys, TTS cache."""


def audit_key_of(settings: Settings) -> Path:
    """The site's audit key (L2): ``[store] audit_key`` or the data dir's sibling."""
    return settings.store.audit_key or default_key_path(settings.store.data_dir)


def _settings_for(settings: Settings, data_dir: Path, audit_key: Path) -> Settings:
    return dataclasses.replace(
        settings,
        store=dataclasses.replace(settings.store, data_dir=data_dir, audit_key=audit_key),
    )


KEY_IN_BACKUP = "audit.key"
"""Where a backup carries the site's audit key (L2), beside the data in the encrypted archive:
a machine that died takes its key with it, and without the key the restored chain could not
be checked. The archive is encrypted and authenticated, so the key is as safe as the data."""


def _verify(settings: Settings, data_dir: Path, key: Path | None = None) -> dict[str, Any]:
    """Open the store copied to ``data_dir`` (replaying its log) and check the audit chain
    with the site's key (L2), or with the key the backup carries when the site has none."""
    from desk.service import Desk

    key = key or audit_key_of(settings)
    if not key.is_file():
        raise BackupError(
            f"没有审计密钥 {key}，备份里也没有：无法校验审计链（L2）。"
            f"请把密钥副本放回 {key}（或在 [store] audit_key 指向它）再恢复"
        )
    desk = Desk.open(_settings_for(settings, data_dir, key))
    try:
        problems = desk.store.verify()
        stats = desk.store.stats()
    finally:
        desk.close()
    if problems:
        raise BackupError(f"审计链校验失败 ({len(problems)} 处)，例如: {problems[0]}")
    return stats


def _copy_complete_lines(src: Path, dst: Path) -> None:
    """A change-log file up to its last complete line (a writer may be appending now)."""
    data = src.read_bytes()
    dst.write_bytes(data[: data.rfind(b"\n") + 1])


def _skip(rel: Path) -> bool:
    return (
        rel.parts[0] in STORE_FILES
        or rel.parts[0] in NOT_BACKED_UP
        or rel.parts[0].startswith(("index-", "tables.broken-", "."))
        or (len(rel.parts) > 1 and rel.parts[1] in NOT_BACKED_UP)
    )


def stage(settings: Settings, staging: Path) -> dict[str, Any]:
    """A consistent copy of the data dir in ``staging``: the latest snapshot, the change log
    since (whole lines only), the attachments (call audio, photos); opened and verified."""
    from desk.service import Desk

    data = settings.store.data_dir
    desk = Desk.open(settings)
    try:
        desk.store.compact()  # today's snapshot, taken under the store's lock
        snapshot = data / "snapshots" / desk.store.snapshots()[-1]
        log_files = desk.store.stats()["log_files"]
    finally:
        desk.close()
    # The snapshot is never changed once made; the log after it is replayed when opened.
    shutil.copytree(snapshot, staging, dirs_exist_ok=True)
    private_dir(staging / "log")
    for name in log_files:
        _copy_complete_lines(data / "log" / name, staging / "log" / name)
    for src in sorted(data.rglob("*")):
        rel = src.relative_to(data)
        if src.is_file() and not _skip(rel):
            (staging / rel).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            shutil.copy2(src, staging / rel)
    key = audit_key_of(settings)
    if key.is_file():  # L2: the chain can be checked wherever the backup is restored
        carried = staging / KEY_IN_BACKUP
        os.close(os.open(carried, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        shutil.copyfile(key, carried)
    return _verify(settings, staging)


def _backups(dest: Path) -> list[Path]:
    return sorted(p for p in dest.glob(f"{PREFIX}*{SUFFIX}") if p.is_file())


def backup(settings: Settings, dest: Path, passphrase_file: Path | None = None,
           now: datetime | None = None) -> tuple[Path, dict[str, Any]]:  # fmt: skip
    """Write one encrypted, verified backup into the directory ``dest``; keep the newest N."""
    ops = settings.operations
    pass_path = passphrase_file or ops.backup_passphrase_file
    phrase = read_passphrase(pass_path)
    dest = Path(dest)
    if not dest.is_dir():
        raise BackupError(
            f"备份目标 {dest} 不是目录：先挂载U盘或网络盘（例如 mount /dev/sdb1 {dest}）"
        )
    data = settings.store.data_dir.resolve()
    for inside in (dest.resolve(), pass_path.resolve().parent):
        if inside == data or data in inside.parents:
            raise BackupError(f"{inside} 在数据目录里：备份和口令都必须放在数据目录之外")
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    final = dest / f"{PREFIX}{stamp}{SUFFIX}"
    with tempfile.TemporaryDirectory(prefix="reception-backup-") as tmp:
        staging = private_dir(Path(tmp) / "data")
        stats = stage(settings, staging)
        archive = Path(tmp) / "data.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            for item in sorted(staging.iterdir()):
                if item.name != "lock":
                    tar.add(item, arcname=item.name)
        part = dest / f".{final.name}.part"
        try:
            with os.fdopen(
                os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb"
            ) as out:
                encrypt_file(archive, out, phrase)
                out.flush()
                os.fsync(out.fileno())
            authenticate(part, phrase)  # read back from the drive: every chunk checks
            os.replace(part, final)
            fsync_dir(dest)
        finally:
            part.unlink(missing_ok=True)
    for old in _backups(dest)[: -ops.backup_keep]:
        old.unlink()
        log.info("removed old backup %s", old)
    return final, stats


def _check_members(tar: tarfile.TarFile) -> None:
    """Only plain files and directories inside the archive (the data filter does this too)."""
    for m in tar.getmembers():
        parts = Path(m.name).parts
        if m.name.startswith("/") or ".." in parts or not (m.isfile() or m.isdir()):
            raise BackupError(f"备份内容异常（{m.name!r}）：不予恢复")


def _is_empty(path: Path) -> bool:
    return not path.exists() or not any(path.iterdir())


def restore_backup(settings: Settings, source: Path, passphrase_file: Path | None = None,
                   force: bool = False) -> dict[str, Any]:  # fmt: skip
    """Bring the office back from ``source`` into the (empty) data dir; nothing is written
    there unless the backup decrypts, unpacks and verifies."""
    data = settings.store.data_dir.absolute()
    if not _is_empty(data) and not force:
        raise BackupError(f"数据目录 {data} 不是空的：确认要替换时加 --force（原目录会改名保留）")
    if source.is_dir():
        found = _backups(source)
        if not found:
            raise BackupError(f"{source} 里没有备份文件 ({PREFIX}*{SUFFIX})")
        source = found[-1]
    if not source.is_file():
        raise BackupError(f"没有备份文件 {source}")
    phrase = read_passphrase(passphrase_file or settings.operations.backup_passphrase_file)
    data.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=data.parent) as tmp:
        archive = Path(tmp) / "data.tar.gz"
        decrypt_file(source, archive, phrase)
        staging = private_dir(Path(tmp) / "data")
        with tarfile.open(archive, "r:gz") as tar:
            _check_members(tar)
            if hasattr(tarfile, "data_filter"):  # PEP 706 (3.11.4+, Debian backports)
                tar.extractall(staging, filter="data")
            else:  # members checked above
                tar.extractall(staging)
        archive.unlink()
        carried = staging / KEY_IN_BACKUP
        site_key = audit_key_of(settings)
        use_key = site_key if site_key.is_file() or not carried.is_file() else carried
        stats = _verify(settings, staging, use_key)
        if carried.is_file():
            if not site_key.is_file():  # a new machine: the office's key comes back too
                site_key.parent.mkdir(parents=True, exist_ok=True)
                os.close(os.open(site_key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                shutil.copyfile(carried, site_key)
                log.warning("restore: audit key put back at %s from the backup", site_key)
            carried.unlink()
        if data.exists():
            if any(data.iterdir()):
                aside = data.with_name(f"{data.name}.replaced-{datetime.now():%Y%m%d%H%M%S}")
                os.rename(data, aside)
                log.warning("restore: the old data dir is kept as %s", aside)
            else:
                data.rmdir()
        os.rename(staging, data)
        fsync_dir(data.parent)
    return {**stats, "source": str(source)}


def cmd_backup(args: Any, settings: Settings) -> int:
    """`reception backup [DEST]`."""
    dest = args.dest or settings.operations.backup_dest
    if not dest:
        raise BackupError(
            "没有备份目标：reception backup /media/usb（或在 [operations] 设置 backup_dest）"
        )
    path, stats = backup(settings, Path(dest), args.passphrase_file)
    print(
        f"已备份到 {path}（{path.stat().st_size / 1024:,.0f} KB，{stats['seq']} 条变更，审计链校验通过，已加密）。"
    )
    return 0


def cmd_restore_backup(args: Any, settings: Settings) -> int:
    """`reception restore --from BACKUP [--force]`."""
    with contextlib.suppress(AttributeError):
        if args.snapshot != "latest" or args.rebuild:
            raise BackupError("--from 不能与 --snapshot / --rebuild 同用")
    stats = restore_backup(
        settings, args.backup, getattr(args, "passphrase_file", None), args.force
    )
    print(
        f"已从 {stats['source']} 恢复到 {settings.store.data_dir}：{stats['seq']} 条变更，审计链校验通过。"
    )
    return 0
