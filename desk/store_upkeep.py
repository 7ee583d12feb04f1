"""The store's upkeep: daily snapshots, the purge's log redaction and forgetting, the audit
check against the keyed chain and anchors, and the health flags (mixed into ``Store``)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk.audit import Anchor, ChainChecker, ChainProblem, doc_hash
from desk.fileio import fsync_dir, private_dir

log = logging.getLogger(__name__)

LOW_DISK_BYTES = 50 * 1024 * 1024
"""Free space under which the store reports a health problem."""
COMPACTION_FAILED = "compaction-failed"
"""Empty marker file while compactions fail, for other processes' health()."""


def remove_dirs(paths: list[Path]) -> None:
    """Remove folders so that a kill never leaves half of one under its name (a half-deleted
    snapshot would be restored as if whole): each is first renamed to a dot-name that
    nothing reads and that the next open sweeps away."""
    gone = []
    for path in paths:
        hidden = path.with_name(f".{path.name}.del.tmp")
        os.rename(path, hidden)
        gone.append(hidden)
    for parent in {p.parent for p in paths}:
        fsync_dir(parent)
    for hidden in gone:
        shutil.rmtree(hidden, ignore_errors=True)


class StoreUpkeep:
    """Snapshots, purge support, verify and health of ``desk.store.Store``."""

    # Provided by Store:
    dir: Path
    snap_dir: Path
    tables_dir: Path
    log_dir: Path
    manifest_path: Path
    snapshot_days: int
    compact_every: int
    seq: int
    health_problems: dict[str, str]
    key_path: Path
    clock: Any
    head: str
    _mac_key: bytes | None
    _thread_lock: threading.RLock
    _manifest_seq: int
    _postings: dict[tuple[str, str], Any]

    if TYPE_CHECKING:  # Store's own methods, used here

        def _locked(self) -> contextlib.AbstractContextManager[None]: ...
        def _catch_up(self) -> None: ...
        def _cut_partial_tail(self) -> None: ...
        def _log_files(self) -> list[str]: ...
        def _compact(self) -> None: ...
        def _read_manifest(self) -> dict[str, Any] | None: ...
        def get(self, kind: str, key: str) -> dict[str, Any] | None: ...
        def _partition_name(self, kind: str, key: str) -> str: ...

    # ------------------------------------------------------------- snapshots
    def _snapshot(self, replace: bool = False) -> None:
        """Today's copy of tables, index and manifest (dirs 0700, files 0600), built aside
        and renamed into place; ``replace`` swaps it for today's existing one (purge)."""
        today = self.clock().date().isoformat()
        target = self.snap_dir / today
        if target.exists() and not replace:
            return
        tmp = self.snap_dir / f".{today}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            self._build_snapshot(tmp, None if replace else self.snapshots())
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if target.exists():
            old = self.snap_dir / f".{today}.old.tmp"
            os.rename(target, old)
            os.rename(tmp, target)
            fsync_dir(self.snap_dir)
            shutil.rmtree(old)
        else:
            os.rename(tmp, target)
            fsync_dir(self.snap_dir)
        snaps = self.snapshots()
        remove_dirs([self.snap_dir / n for n in snaps[: max(0, len(snaps) - self.snapshot_days)]])

    def _build_snapshot(self, tmp: Path, previous: list[str] | None) -> None:
        prev = self.snap_dir / previous[-1] if previous else None
        # Copies, not links to the live files (an in-place corruption must not reach the
        # snapshot); a file unchanged since the previous snapshot is linked to that copy.
        manifest = json.loads(self.manifest_path.read_bytes())
        index_files = [self.dir / manifest[k] for k in ("index", "postings") if manifest.get(k)]
        tables = [
            p for p in self.tables_dir.rglob("*") if p.is_file() and not p.name.startswith(".")
        ]
        private_dir(tmp)
        for src in [*tables, *index_files, self.manifest_path]:
            rel = src.relative_to(self.dir)
            dst = tmp / rel
            if not dst.parent.exists():
                private_dir(dst.parent)
            old = prev / rel if prev else None
            st = src.stat()
            if (
                old
                and old.exists()
                and (old.stat().st_size, old.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
            ):
                os.link(old, dst)
            else:
                shutil.copy2(src, dst)
                os.chmod(dst, 0o600)
                with open(dst, "rb") as fh:
                    os.fsync(fh.fileno())

    def snapshots(self) -> list[str]:
        return sorted(p.name for p in self.snap_dir.iterdir() if not p.name.startswith("."))

    # --------------------------------------------------------------- purging
    def redact_log(self, keys: set[tuple[str, str]], before_month: str | None = None) -> int:
        """Blank document and actor of the log entries of purged records (X2); hashes stay.

        Every log file is rewritten with its line lengths unchanged (``desk.redact``), so
        the manifest's and the snapshots' byte positions hold before, during and after.
        ``before_month`` is accepted for older callers and ignored: all months are redacted.
        """
        from desk.redact import redact_file

        count = 0
        with self._locked():
            self._catch_up()
            self._cut_partial_tail()
            for name in self._log_files():
                count += redact_file(self.log_dir / name, keys)
        return count

    def purged_records(self) -> set[tuple[str, str]]:
        """Every record a ``purge`` entry of the log anonymised (to redo a lost purge list)."""
        found = set()
        for name in self._log_files():
            with open(self.log_dir / name, "rb") as fh:
                for raw in fh:
                    if b'"op":"purge"' in raw:
                        with contextlib.suppress(ValueError):
                            entry = json.loads(raw)
                            found.add((entry["kind"], entry["key"]))
        return found

    def forget(self, kind: str, keys: set[str]) -> None:
        """``forget_records`` for records of one kind."""
        self.forget_records({(kind, k) for k in keys})

    def forget_records(self, targets: set[tuple[str, str]]) -> None:
        """After a purge (X2): drop these records from the indexes and from every snapshot.

        The snapshots taken before the purge, and the ``tables.broken-*`` copies a restore
        kept, still hold the personal data: a snapshot taken now replaces them all (it is
        in place before the old ones go); the redacted change log can rebuild anything older.
        """
        with self._locked():
            self._catch_up()
            for (k, _fld), postings in self._postings.items():
                postings.discard({int(key) for kind, key in targets if kind == k})
            self._compact()
            self._snapshot(replace=True)
            today = self.clock().date().isoformat()
            remove_dirs([p for p in self.snap_dir.iterdir() if p.name != today])
            remove_dirs(list(self.dir.glob("tables.broken-*")))
        log.info("forgot %d record(s) in indexes and snapshots", len(targets))

    # ----------------------------------------------------------------- audit
    def verify(self, anchors: list[Anchor] | None = None) -> list[ChainProblem]:
        """Check the keyed chain of the whole change log (against printed ``anchors``), the
        manifest and the table files against it."""
        checker = ChainChecker(self._mac_key, anchors)
        latest: dict[tuple[str, str], str] = {}
        for name in self._log_files():
            with open(self.log_dir / name, "rb") as fh:
                for lineno, raw in enumerate(fh, 1):
                    entry = checker.feed(raw.rstrip(b"\n"), name, lineno)
                    if entry and "kind" in entry:
                        latest[(entry["kind"], entry["key"])] = entry.get("doc_sha", "")
        problems = checker.finish()
        from desk.store import StoreCorrupt

        manifest = None
        with contextlib.suppress(StoreCorrupt):
            manifest = self._read_manifest()
        if manifest and manifest["seq"] > checker.seq:
            problems.append(
                ChainProblem(
                    "manifest.json",
                    0,
                    manifest["seq"],
                    f"log ends at {checker.seq}: entries removed",
                )
            )
        with self._thread_lock:
            self._catch_up()
            for (kind, key), sha in latest.items():
                doc = self.get(kind, key)
                if doc is None or doc_hash(doc) != sha:
                    problems.append(
                        ChainProblem(
                            f"tables/{self._partition_name(kind, key)}.json",
                            0,
                            None,
                            f"{kind} {key} differs from the change log",
                        )
                    )
        return problems

    def anchor(self) -> Anchor:
        """The chain head now: print it on the handover slip, write it to the duty log (L3)."""
        with self._thread_lock:
            self._catch_up()
            return Anchor(self.seq, self.head)

    def health(self) -> dict[str, str]:
        """Problems the staff screen and `reception status` show (empty when healthy)."""
        with self._thread_lock:
            problems = dict(self.health_problems)
            if "compaction" not in problems and (self.dir / COMPACTION_FAILED).exists():
                problems["compaction"] = "the last compaction failed (see the log); retried"
            behind = self.seq - self._manifest_seq
            if behind >= 2 * self.compact_every:
                problems["compaction_behind"] = f"{behind} changes not yet compacted"
            with contextlib.suppress(OSError):
                free = shutil.disk_usage(self.dir).free
                if free < LOW_DISK_BYTES:
                    problems["disk"] = f"{free // 1024} KiB free"
            if self._mac_key is None:
                problems["audit_key"] = f"no audit key at {self.key_path}"
            return problems
