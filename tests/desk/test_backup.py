"""Backups that leave the machine (issue 17 item 5): encrypted, verified, restored onto an
empty directory where `reception verify` passes (L2); tampering and a wrong passphrase refused."""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desk import cli
from desk.audit import default_key_path
from desk.backup import backup, restore_backup
from desk.backup_crypto import BackupError, Tampered, WrongPassphrase
from desk.config import load_settings
from desk.demo import install_demo
from desk.service import Desk


def passfile(path: Path, text: str = "correct horse battery staple") -> Path:
    path.write_text(text + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.fixture
def office(tmp_path):
    """A demo office with a recorded call (an attachment outside the store) and a pass file."""
    settings = load_settings(data_dir=tmp_path / "office")
    desk = Desk.open(settings)
    install_demo(desk)
    desk.close()
    audio = settings.store.data_dir / "hotline" / "audio" / "2026-11-23"
    audio.mkdir(parents=True)
    (audio / "call-1.wav").write_bytes(b"RIFF....WAVE")
    (settings.store.data_dir / "models" / "big-model").mkdir(parents=True)
    (settings.store.data_dir / "models" / "big-model" / "final.mdl").write_bytes(b"x" * 1000)
    usb = tmp_path / "usb"
    usb.mkdir()
    return settings, usb, passfile(tmp_path / "backup.pass")


def test_backup_restores_onto_an_empty_directory_and_verifies(office, tmp_path, capsys):
    settings, usb, pw = office
    desk = Desk.open(settings)
    entry = desk.dutylog.write(
        "备份前最后一条", desk.staff.login("guard", "111111")
    )  # after the snapshot
    desk.close()
    path, stats = backup(settings, usb, pw)
    raw = path.read_bytes()
    assert path.name.startswith("reception-backup-") and os.stat(path).st_mode & 0o777 == 0o600
    assert "备份前最后一条".encode() not in raw and b"manifest" not in raw  # encrypted
    new = tmp_path / "new-machine" / "data"
    restored = restore_backup(load_settings(data_dir=new), usb, pw)
    assert restored["seq"] == stats["seq"]
    assert (new / "hotline" / "audio" / "2026-11-23" / "call-1.wav").read_bytes() == b"RIFF....WAVE"
    assert not (new / "models").exists()  # re-installable, not backed up
    capsys.readouterr()
    assert cli.main(["--data", str(new), "verify"]) == 0
    assert "审计链完整" in capsys.readouterr().out
    desk = Desk.open(load_settings(data_dir=new))
    try:
        assert len(desk.store.all_docs("owner")) == 72 and len(desk.keys.all()) == 7
        assert desk.store.get(str(entry.kind), entry.number)["text"] == "备份前最后一条"
    finally:
        desk.close()


def test_cli_backup_and_restore_from(office, tmp_path, capsys):
    settings, usb, pw = office
    data = str(settings.store.data_dir)
    assert cli.main(["--data", data, "backup", str(usb), "--passphrase-file", str(pw)]) == 0
    assert "已备份到" in capsys.readouterr().out
    new = tmp_path / "new"
    args = ["--data", str(new), "restore", "--from", str(usb), "--passphrase-file", str(pw)]
    assert cli.main(args) == 0
    assert "审计链校验通过" in capsys.readouterr().out
    # a second restore onto the now non-empty data dir is refused without --force
    assert cli.main(args) == 2
    assert "不是空的" in capsys.readouterr().err
    assert cli.main([*args, "--force"]) == 0
    assert list(tmp_path.glob("new.replaced-*"))  # the replaced data kept, not deleted


def test_a_new_machine_gets_the_audit_key_back_from_the_backup(office, tmp_path):
    """L2, issue 17 item 5: the machine that died took its audit key with it; the encrypted
    backup carries the key, so the restored chain is checked and the key is put back (0600)."""
    settings, usb, pw = office
    path, _ = backup(settings, usb, pw)
    assert default_key_path(settings.store.data_dir).read_bytes() not in path.read_bytes()
    new = tmp_path / "new"
    assert restore_backup(load_settings(data_dir=new), usb, pw)["seq"] > 0
    key = default_key_path(new)
    assert key.read_bytes() == default_key_path(settings.store.data_dir).read_bytes()
    assert os.stat(key).st_mode & 0o777 == 0o600
    assert not (new / "audit.key").exists()  # not left in the data dir


def test_a_backup_checked_with_a_different_site_key_is_refused(office, tmp_path):
    """L2: a backup whose chain does not verify with the key on this machine is refused."""
    settings, usb, pw = office
    backup(settings, usb, pw)
    new = tmp_path / "new"
    other = default_key_path(new)
    other.parent.mkdir(parents=True, exist_ok=True)
    other.write_text("ab" * 32)  # a well-formed key, but not this office's
    other.chmod(0o600)
    with pytest.raises(BackupError):
        restore_backup(load_settings(data_dir=new), usb, pw)
    assert not new.exists() or not any(new.iterdir())


def test_tampered_backup_refused_and_nothing_written(office, tmp_path):
    settings, usb, pw = office
    path, _ = backup(settings, usb, pw)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    new = tmp_path / "new"
    with pytest.raises(Tampered, match="校验失败"):
        restore_backup(load_settings(data_dir=new), path, pw)
    assert not new.exists() or not any(new.iterdir())
    assert not list(tmp_path.glob(".restore-*"))
    path.write_bytes(bytes(data[: len(data) // 3]))  # truncated
    with pytest.raises(Tampered):
        restore_backup(load_settings(data_dir=new), path, pw)


def test_wrong_passphrase_is_a_clear_message_and_nothing_written(office, tmp_path, capsys):
    settings, usb, pw = office
    path, _ = backup(settings, usb, pw)
    other = passfile(tmp_path / "other.pass", "not the office passphrase")
    new = tmp_path / "new"
    with pytest.raises(WrongPassphrase):
        restore_backup(load_settings(data_dir=new), path, other)
    assert not new.exists() or not any(new.iterdir())
    assert (
        cli.main(
            ["--data", str(new), "restore", "--from", str(path), "--passphrase-file", str(other)]
        )
        == 2
    )
    assert "备份口令不对" in capsys.readouterr().err


def test_passphrase_file_must_be_private_and_apart_from_the_data(office, tmp_path):
    settings, usb, pw = office
    pw.chmod(0o644)
    with pytest.raises(BackupError, match="chmod 600"):
        backup(settings, usb, pw)
    pw.chmod(0o600)
    with pytest.raises(BackupError, match="没有备份口令文件"):
        backup(settings, usb, tmp_path / "missing.pass")
    with pytest.raises(BackupError, match="数据目录之外"):
        backup(settings, settings.store.data_dir, pw)
    inside = passfile(settings.store.data_dir / "backup.pass")
    with pytest.raises(BackupError, match="数据目录之外"):
        backup(settings, usb, inside)
    with pytest.raises(BackupError, match="先挂载"):
        backup(settings, tmp_path / "not-mounted", pw)


def test_keeps_the_newest_n_backups(office):
    settings, usb, pw = office

    s = dataclasses.replace(
        settings, operations=dataclasses.replace(settings.operations, backup_keep=2)
    )
    made = [
        backup(s, usb, pw, now=datetime(2026, 11, d, 2, 30, tzinfo=UTC))[0] for d in (20, 21, 22)
    ]
    assert sorted(usb.glob("reception-backup-*")) == made[1:]
    assert not list(usb.glob(".*.part"))
