"""Settings of the office's upkeep: backups, disk and go-live checks (`reception backup|check`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class OperationsSettings:
    backup_passphrase_file: Path = Path("/etc/reception/backup.pass")
    """File holding the backup passphrase (mode 0600, kept apart from the data and the backups)."""
    backup_dest: str = ""
    """Where the daily timer writes backups: a directory (a mounted USB drive, an NFS/SMB
    mount) or an rsync/ssh target ``user@host:/path``; empty: the timer needs `reception
    backup DEST`."""
    backup_keep: int = 14
    """Backups kept at the destination; older ones are removed after a new one verified."""
    disk_warn_free_mb: int = 1024
    """`reception status` and `reception check` warn when the data dir's disk has less free."""
    records_per_day: int = 300
    """Expected records a day (visits, parcels, calls...), to size a year of data before
    the store has history of its own."""
    check_timeout_s: float = 1.0
    """Seconds each `reception check` probe (printer, lock board, SIP OPTIONS, modem) waits."""
    max_clock_offset_s: float = 5.0
    """`reception check` fails when NTP reports the clock further off than this."""

    def __post_init__(self) -> None:
        if not 1 <= self.backup_keep <= 3650:
            raise ValueError(f"operations.backup_keep must be 1..3650, got {self.backup_keep}")
        if not 0 <= self.disk_warn_free_mb <= 10_000_000:
            raise ValueError(
                f"operations.disk_warn_free_mb must be 0..10000000, got {self.disk_warn_free_mb}"
            )
        if not 1 <= self.records_per_day <= 1_000_000:
            raise ValueError(
                f"operations.records_per_day must be 1..1000000, got {self.records_per_day}"
            )
        if not 0.05 <= self.check_timeout_s <= 30:
            raise ValueError(
                f"operations.check_timeout_s must be 0.05..30, got {self.check_timeout_s}"
            )
        if not 0.01 <= self.max_clock_offset_s <= 3600:
            raise ValueError(
                f"operations.max_clock_offset_s must be 0.01..3600, got {self.max_clock_offset_s}"
            )
