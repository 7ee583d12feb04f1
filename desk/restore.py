"""Restoring the store's tables from a daily snapshot or from the change log alone.

Nothing is destroyed before the restored store has opened and checked out: the new tables
are staged aside, the old tables, manifest and index files are moved into
``tables.broken-<time>/`` (kept until the next purge, X2), and a failing check moves them
back. The manifest goes first and comes back last: without one the store replays the whole
change log over whatever tables it finds (each knows the sequence it holds), so a restore
killed at any point leaves a store that opens. Stop the kiosk and hotline first: they keep
what they had read in memory.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from desk.fileio import fsync_dir, private_dir

log = logging.getLogger(__name__)


def _private_copy(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, copy_function=shutil.copy2)
    for path in [dst, *dst.rglob("*")]:
        os.chmod(path, 0o700 if path.is_dir() else 0o600)


def _latest(data_dir: Path, snaps: list[str]) -> str:
    """The snapshot holding the most of the log (its manifest's sequence), not the latest
    name: a clock set wrong names days wrongly."""

    def seq(name: str) -> tuple[int, str]:
        try:
            manifest = json.loads((data_dir / "snapshots" / name / "manifest.json").read_bytes())
            return int(manifest["seq"]), name
        except (OSError, ValueError, KeyError, TypeError):
            return -1, name

    return max(snaps, key=seq)


def restore_tables(
    data_dir: Path,
    snapshot: str | None = None,
    rebuild: bool = False,
    check: Callable[[], None] | None = None,
) -> str:
    """Restore, then run ``check`` (open, compact, verify); on failure put everything back."""
    from desk.store import StoreError

    snaps = sorted(p.name for p in (data_dir / "snapshots").glob("[0-9]*"))
    chosen = None
    if not rebuild and snaps:
        chosen = snapshot if snapshot and snapshot != "latest" else _latest(data_dir, snaps)
        if not (data_dir / "snapshots" / chosen).is_dir():
            raise StoreError(f"no snapshot {chosen}; have {snaps}")
    stamp = f"{datetime.now():%Y%m%d%H%M%S%f}"
    staged = data_dir / f".restore-{stamp}.tmp"
    backup = data_dir / f"tables.broken-{stamp}"
    private_dir(staged)
    if chosen:
        src = data_dir / "snapshots" / chosen
        _private_copy(src / "tables", staged / "tables")
        for path in [*src.glob("index-*"), src / "manifest.json"]:
            shutil.copy2(path, staged / path.name)
            os.chmod(staged / path.name, 0o600)
    else:
        private_dir(staged / "tables")
    os.sync()  # the staged copy is on disk before anything live moves
    private_dir(backup)
    moved: list[tuple[Path, Path]] = []  # (live path, where it went)

    def move(live: Path, to: Path) -> None:
        os.rename(live, to)
        moved.append((live, to))

    placed: list[Path] = []
    lock_fd = os.open(data_dir / "lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)  # no writer appends while the files move
        if (data_dir / "manifest.json").exists():
            move(data_dir / "manifest.json", backup / "manifest.json")
        for old in data_dir.glob("index-*"):
            move(old, backup / old.name)
        if (data_dir / "tables").exists():
            move(data_dir / "tables", backup / "tables")
        fsync_dir(data_dir)
        os.rename(staged / "tables", data_dir / "tables")
        placed.append(data_dir / "tables")
        for path in sorted(staged.glob("index-*")):
            os.rename(path, data_dir / path.name)
            placed.append(data_dir / path.name)
        if (staged / "manifest.json").exists():
            os.rename(staged / "manifest.json", data_dir / "manifest.json")
            placed.append(data_dir / "manifest.json")
        fsync_dir(data_dir)
        os.close(lock_fd)  # check() opens the store, which takes the lock itself
        lock_fd = -1
        if check is not None:
            check()
    except BaseException:
        log.error("restore failed: putting the previous tables back")
        for path in reversed(placed):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        for live, to in reversed(moved):
            with contextlib.suppress(OSError):
                os.rename(to, live)
        fsync_dir(data_dir)
        with contextlib.suppress(OSError):
            backup.rmdir()
        raise
    finally:
        if lock_fd >= 0:
            os.close(lock_fd)
        shutil.rmtree(staged, ignore_errors=True)
    if not any(backup.iterdir()):
        backup.rmdir()
        kept = ""
    else:
        kept = f"; the old tables are in {backup.name} (removed by the next purge that anonymises anything)"
    if chosen:
        return f"restored snapshot {chosen}; the change log after it was replayed{kept}"
    return f"tables rebuilt from the change log{kept}"
