"""The one store of the desk: TinyDB day partitions behind a keyed, fsynced change log.

Design (see README "Store"):
- The change log ``log/YYYY-MM.jsonl`` is the source of truth and the audit trail:
  one JSON line per change, fsynced before a write is acknowledged, each entry chained
  to the one before by an HMAC (L2, desk.audit). A transaction of several changes is
  applied only when all its lines are there (its first entry says how many). The log is
  never rewritten, except that a purge blanks the document and actor of an entry whose
  hashes it keeps, without changing the line's length (X2, desk.redact).
- Tables are TinyDB JSON files, one per kind and day (``tables/<kind>/<day>.json``)
  or one per directory kind; they are written only by compaction (temp file, fsync,
  rename, fsync of the directory) and hold everything up to the sequence in their
  ``_meta`` table. Reading a record loads one small day partition, whatever the
  history size.
- Indexes (unit, phone, ...) over all history and the open records (with their
  pickup/pass codes) live in memory and are snapshotted at compaction.
- Writers take an exclusive ``flock`` and first read what other processes appended
  (the kiosk and the hotline both write); readers only read complete transactions.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from desk.audit import (
    GENESIS,
    create_key,
    default_key_path,
    encode_entry,
    make_entry,
    read_key,
)
from desk.errors import DeskError
from desk.fileio import (
    DurableAppender,
    atomic_write,
    atomic_write_json,
    private_dir,
)
from desk.partition import (
    EMPTY_LOCATIONS,
    Partition,
    UnreadableTable,
    read_one,
    splice_locations,
)
from desk.postings import (
    Postings,
    load_arrays,
    postings_from_arrays,
    postings_to_arrays,
    save_arrays,
)
from desk.store_upkeep import COMPACTION_FAILED, StoreUpkeep

log = logging.getLogger(__name__)

NUMBER_DIGITS = 11
"""Record numbers of dated kinds: kind digit, YYMMDD, 4-digit sequence (desk.records)."""

SCHEMA_VERSION = 1
"""Version of the documents' layout; older stores are migrated forward at open."""

Migration = Callable[[str, dict[str, Any]], dict[str, Any] | None]
MIGRATIONS: dict[int, Migration] = {}
"""Migration from version N to N+1: (kind, doc) -> new doc, or None if unchanged."""

COMPACT_RETRY = timedelta(minutes=1)

"""How long after a failed compaction (full disk) the next commit tries again."""

RESTORE_HINT = (
    "Nothing was changed. Restore with `reception restore` (last daily snapshot plus "
    "the change log) or `reception restore --rebuild` (tables rebuilt from the change log)."
)


class StoreError(DeskError):
    """The store cannot do what was asked."""


class StoreCorrupt(StoreError):
    """A data file is unreadable; names the file and how to restore it."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}. {RESTORE_HINT}")


@dataclass(frozen=True)
class KindSpec:
    """How the store keeps one kind of record."""

    dated: bool
    """Keys are record numbers carrying their day (K YYMMDD NNNN); else a directory."""
    index_fields: tuple[str, ...] = ()
    code_fields: tuple[str, ...] = ()
    is_open: Callable[[dict[str, Any]], bool] = lambda doc: False


@dataclass
class _Pending:
    entries: list[tuple[str, str, dict[str, Any], dict[str, str], str]] = field(
        default_factory=list
    )
    """(kind, key, doc, actor, op) of each change; chained into log entries at commit."""
    docs: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    counters: dict[tuple[str, str], int] = field(default_factory=dict)


class Transaction:
    """Changes made under the store's write lock; committed together with one fsync."""

    def __init__(self, store: Store, now: datetime) -> None:
        self._store = store
        self._pending = _Pending()
        self.now = now

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        pending = self._pending.docs.get((kind, key))
        return pending if pending is not None else self._store.get(kind, key)

    def next_seq(self, kind: str, day: date) -> int:
        """Next per-day sequence number of ``kind``, unique across processes."""
        counter = (kind, day.isoformat())
        current = self._pending.counters.get(counter, self._store._counters.get(counter, 0))
        self._pending.counters[counter] = current + 1
        return current + 1

    def put(
        self, kind: str, key: str, doc: dict[str, Any], actor: dict[str, str], op: str = "put"
    ) -> None:
        if kind not in self._store.kinds:
            raise StoreError(f"unknown kind {kind!r}")
        self._pending.entries.append((kind, key, doc, actor, op))
        self._pending.docs[(kind, key)] = doc

    def entries(self, mac_key: bytes) -> list[dict[str, Any]]:
        """The keyed log entries of this transaction; the first carries its size (``tx``)."""
        store = self._store
        out: list[dict[str, Any]] = []
        ts = self.now.isoformat(timespec="microseconds")
        size = len(self._pending.entries)
        for i, (kind, key, doc, actor, op) in enumerate(self._pending.entries):
            prev = out[-1]["sha"] if out else store.head
            out.append(
                make_entry(
                    store.seq + i + 1, ts, actor, op, kind, key, doc, prev, mac_key,
                    tx=size if i == 0 else 0,
                )
            )  # fmt: skip
        return out


class Store(StoreUpkeep):
    """The desk's records on disk; the only module that touches the data files."""

    def __init__(
        self,
        data_dir: Path,
        kinds: dict[str, KindSpec],
        *,
        compact_every: int = 2000,
        cache_records: int = 8000,
        snapshot_days: int = 14,
        clock: Callable[[], datetime] = datetime.now,
        audit_key: Path | None = None,
        create: bool = True,
    ) -> None:
        if not create and not store_exists(Path(data_dir)):
            raise StoreError(
                f"{Path(data_dir).absolute()}: no store here (no change log). Check --data, "
                "or create one with `reception init`."
            )
        new_store = not store_exists(Path(data_dir))
        self.dir = private_dir(Path(data_dir))
        self.key_path = Path(audit_key) if audit_key else default_key_path(self.dir)
        self.health_problems: dict[str, str] = {}
        """Store health flags for `reception status` and the staff screen (compaction...)."""
        self._compact_retry_at: datetime | None = None
        self.kinds = kinds
        self.compact_every = compact_every
        self.cache_records = cache_records
        self.snapshot_days = snapshot_days
        self.clock = clock
        self.log_dir = private_dir(self.dir / "log")
        self.tables_dir = private_dir(self.dir / "tables")
        self.snap_dir = private_dir(self.dir / "snapshots")
        self.manifest_path = self.dir / "manifest.json"
        self._thread_lock = threading.RLock()
        self._lock_fd = os.open(self.dir / "lock", os.O_RDWR | os.O_CREAT, 0o600)
        self._appender: DurableAppender | None = None
        self._reset_memory()
        try:
            self._mac_key = read_key(self.key_path)
        except ValueError as exc:
            raise StoreCorrupt(self.key_path, str(exc)) from exc
        with self._locked():
            if new_store and self._mac_key is None and not self._log_files():
                self._mac_key = create_key(self.key_path)
            self._remove_stale_temp_files()
            self._load()

    # ----------------------------------------------------------------- state
    def _reset_memory(self) -> None:
        self.seq = 0
        self._keyed = False
        self.head = GENESIS
        self.schema = SCHEMA_VERSION
        self._pos_file = ""
        self._pos_off = 0
        self._manifest_sig: tuple[int, int] | None = None
        self._manifest_seq = 0
        self._partitions: OrderedDict[str, Partition] = OrderedDict()
        self._locations: dict[str, np.ndarray] = {
            k: EMPTY_LOCATIONS for k, spec in self.kinds.items() if spec.dated
        }
        """Where each compacted record of a dated kind sits: (number, start, length) rows."""
        self._tail: list[tuple[int, str, str, dict[str, Any]]] = []
        """Log entries not yet in the table files (since the last compaction)."""
        self._tail_latest: dict[tuple[str, str], dict[str, Any]] = {}
        self._known: dict[str, set[str]] = {k: set() for k in self.kinds}
        self._postings: dict[tuple[str, str], Postings] = {
            (k, f): Postings()
            for k, spec in self.kinds.items()
            if spec.dated
            for f in spec.index_fields
        }
        """Field indexes of dated kinds over all history (compact arrays)."""
        self._index: dict[tuple[str, str], dict[str, list[str]]] = {
            (k, f): {}
            for k, spec in self.kinds.items()
            if not spec.dated
            for f in spec.index_fields
        }
        """Field indexes of directory kinds (owners, keys: small)."""
        self._open: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in self.kinds}
        self._codes: dict[tuple[str, str], dict[str, str]] = {
            (k, f): {} for k, spec in self.kinds.items() for f in spec.code_fields
        }
        self._counters: dict[tuple[str, str], int] = {}

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self._thread_lock:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _remove_stale_temp_files(self) -> None:
        """Temp files are written only under the lock, so any found now is from a killed writer."""
        for tmp in [*self.dir.glob(".*.tmp"), *self.tables_dir.rglob(".*.tmp")]:
            if tmp.is_dir():
                continue
            log.warning("removing %s left by an interrupted write", tmp)
            tmp.unlink(missing_ok=True)
        for tmp in [
            *self.snap_dir.glob(".*.tmp"),
            *self.dir.glob(".restore-*.tmp"),
            *self.dir.glob(".*.del.tmp"),
        ]:
            shutil.rmtree(tmp, ignore_errors=True)

    def _load(self) -> None:
        manifest = self._read_manifest()
        if manifest is not None:
            try:
                self._load_manifest(manifest)
            except StoreCorrupt:
                raise
            except (KeyError, TypeError, AttributeError, ValueError) as exc:
                raise StoreCorrupt(
                    self.manifest_path, f"manifest or index not as written ({exc!r})"
                ) from exc
        self._scan_known_partitions()
        if manifest and not manifest.get("locations"):
            self._locate_old_tables()
        self._catch_up()
        self._cut_partial_tail()
        if self.schema < SCHEMA_VERSION:
            self._migrate()

    def _load_manifest(self, manifest: dict[str, Any]) -> None:
        self.schema = manifest.get("schema", 1)
        index_path = self.dir / manifest["index"]
        try:
            index = json.loads(index_path.read_bytes())
        except FileNotFoundError as exc:
            raise StoreCorrupt(index_path, "index snapshot missing") from exc
        except ValueError as exc:
            raise StoreCorrupt(index_path, f"unreadable index snapshot ({exc})") from exc
        if index.get("seq") != manifest["seq"]:
            raise StoreCorrupt(index_path, "index snapshot does not match manifest.json")
        self.seq = manifest["seq"]
        self.head = manifest["head"]
        self._keyed = bool(manifest.get("keyed"))
        self._pos_file, self._pos_off = manifest["pos"]
        self._check_log_length()
        self._manifest_seq = self.seq
        self._restore_index(index)
        if manifest.get("postings"):
            self._restore_arrays(self.dir / manifest["postings"])

    def _check_log_length(self) -> None:
        """The log must hold at least what the manifest says was compacted (issue 10 item 4)."""
        if not self._pos_file:
            return
        path = self.log_dir / self._pos_file
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            size = -1
        if size < self._pos_off:
            have = "missing" if size < 0 else f"{size} bytes"
            raise StoreCorrupt(
                path,
                f"change log {have}, shorter than the {self._pos_off} bytes manifest.json "
                "records: acknowledged changes are missing (refusing to reuse their numbers)",
            )

    def _locate_old_tables(self) -> None:
        """A store written before record locations were kept: re-save its days once to get them."""
        days = sum(len(v) for v in self._known.values())
        if not days:
            return
        log.warning("indexing the byte ranges of %d day table(s) (once, for an older store)", days)
        for kind, spec in self.kinds.items():
            if not spec.dated:
                continue
            fresh = []
            for day in sorted(self._known[kind]):
                part = self._load_partition(f"{kind}/{day}")
                fresh.append(part.save(self.schema))
            self._locations[kind] = splice_locations(self._locations[kind], fresh)
        atomic_write(self.dir / self._manifest_arrays_name(), self._arrays_image())
        manifest = json.loads(self.manifest_path.read_bytes())
        manifest.update(postings=self._manifest_arrays_name(), locations=True)
        atomic_write_json(self.manifest_path, manifest)
        self._read_manifest()

    def _read_manifest(self) -> dict[str, Any] | None:
        try:
            st = os.stat(self.manifest_path)
        except FileNotFoundError:
            return None
        try:
            manifest = json.loads(self.manifest_path.read_bytes())
        except ValueError as exc:
            raise StoreCorrupt(self.manifest_path, f"unreadable manifest ({exc})") from exc
        self._manifest_sig = (st.st_ino, st.st_mtime_ns)
        return manifest

    def _restore_arrays(self, path: Path) -> None:
        """Field postings and record locations from an ``index-<seq>.npz``."""
        try:
            arrays = load_arrays(path.read_bytes())
            postings = postings_from_arrays(arrays)
        except FileNotFoundError as exc:
            raise StoreCorrupt(path, "index snapshot missing") from exc
        except Exception as exc:  # zipfile.BadZipFile, EOFError, KeyError, ValueError, zlib...
            raise StoreCorrupt(
                path, f"unreadable index snapshot ({type(exc).__name__}: {exc})"
            ) from exc
        for name, p in postings.items():
            kind, fld = name.split("|", 1)
            if (kind, fld) in self._postings:
                self._postings[(kind, fld)] = p
        for kind in self._locations:
            loc = arrays.get(f"{kind}|@loc")
            if loc is not None and loc.ndim == 2 and loc.shape[1] == 3:
                self._locations[kind] = loc

    def _manifest_arrays_name(self) -> str:
        return f"index-{self.seq:010d}.npz"

    def _arrays_image(self) -> bytes:
        arrays = postings_to_arrays({f"{k}|{f}": p for (k, f), p in self._postings.items()})
        arrays.update({f"{k}|@loc": loc for k, loc in self._locations.items()})
        return save_arrays(arrays)

    def _restore_index(self, index: dict[str, Any]) -> None:
        for name, values in index["index"].items():
            kind, fld = name.split("|", 1)
            if (kind, fld) in self._index:
                self._index[(kind, fld)] = {sys.intern(v): keys for v, keys in values.items()}
            elif (kind, fld) in self._postings:  # a store written before postings existed
                for value, keys in values.items():
                    for key in keys:
                        self._postings[(kind, fld)].add(value, int(key))
        for kind, docs in index["open"].items():
            for key, doc in docs.items():
                self._set_open(kind, key, doc)
        for name, value in index["counters"].items():
            kind, day = name.split("|", 1)
            self._counters[(kind, day)] = value

    def _scan_known_partitions(self) -> None:
        for kind, spec in self.kinds.items():
            if spec.dated:
                folder = self.tables_dir / kind
                if folder.exists():
                    self._known[kind].update(p.stem for p in folder.glob("*.json"))

    # ------------------------------------------------------------------- log
    def _log_files(self) -> list[str]:
        return sorted(p.name for p in self.log_dir.glob("*.jsonl"))

    def _cut_partial_tail(self) -> None:
        """Cut bytes after the last complete entry: a write that crashed, never acknowledged.

        Called with the write lock held, so no live writer can be mid-line.
        """
        if not self._pos_file:
            return
        path = self.log_dir / self._pos_file
        size = path.stat().st_size
        if size > self._pos_off:
            log.warning(
                "%s: dropping %d bytes of an unfinished last transaction (never acknowledged)",
                path,
                size - self._pos_off,
            )
            with open(path, "r+b") as fh:
                fh.truncate(self._pos_off)
                os.fsync(fh.fileno())

    def _catch_up(self) -> None:
        """Apply what any process appended to the log since we last looked.

        A transaction of several entries is applied only when all its lines are there
        (its first entry carries their number, ``tx``): a torn transaction at the end of
        the log was never acknowledged and is left for ``_cut_partial_tail``.
        """
        self._check_manifest()
        files = self._log_files()
        if not files:
            return
        if not self._pos_file:
            self._pos_file, self._pos_off = files[0], 0
        for name in files:
            if name < self._pos_file:
                continue
            if name > self._pos_file:
                self._pos_file, self._pos_off = name, 0
            path = self.log_dir / name
            size = path.stat().st_size
            if size < self._pos_off:
                self._check_log_length()
            if size <= self._pos_off:
                continue
            with open(path, "rb") as fh:
                fh.seek(self._pos_off)
                chunk = fh.read(size - self._pos_off)
            lines = chunk[: chunk.rfind(b"\n") + 1].split(b"\n")[:-1]
            done = self._apply_lines(path, lines)
            if done < len(lines) and name != files[-1]:
                raise StoreCorrupt(
                    path, f"incomplete transaction at byte {self._pos_off} before a newer log file"
                )
            if done < len(lines):
                return

    def _apply_lines(self, path: Path, lines: list[bytes]) -> int:
        """Apply whole transactions from ``lines``; returns how many lines were used."""
        i = 0
        while i < len(lines):
            first = self._parse_line(path, lines[i], self._pos_off)
            size = first.get("tx") or 1
            if not isinstance(size, int) or size < 1:
                raise StoreCorrupt(path, f"bad transaction size at byte {self._pos_off}")
            if i + size > len(lines):
                return i  # the rest of this transaction is not (yet) written
            group, offset = [first], self._pos_off + len(lines[i]) + 1
            for raw in lines[i + 1 : i + size]:
                entry = self._parse_line(path, raw, offset)
                if entry.get("tx"):
                    raise StoreCorrupt(path, f"transaction cut short at byte {self._pos_off}")
                group.append(entry)
                offset += len(raw) + 1
            for entry in group:
                self._apply(entry, path)
            self._pos_off = offset
            i += size
        return i

    @staticmethod
    def _parse_line(path: Path, raw: bytes, offset: int) -> dict[str, Any]:
        try:
            entry = json.loads(raw)
            if not isinstance(entry, dict):
                raise ValueError("not an object")
            return entry
        except ValueError as exc:
            raise StoreCorrupt(path, f"unreadable change-log entry at byte {offset}") from exc

    def _check_manifest(self) -> None:
        try:
            st = os.stat(self.manifest_path)
        except FileNotFoundError:
            return
        if (st.st_ino, st.st_mtime_ns) == self._manifest_sig:
            return
        manifest = self._read_manifest()
        if manifest:
            # Another process compacted: its files now hold everything up to its sequence.
            self._manifest_seq = manifest["seq"]
            self._tail = [t for t in self._tail if t[0] > self._manifest_seq]
            self._tail_latest = {(k, key): doc for _, k, key, doc in self._tail}
            self._scan_known_partitions()
            if manifest.get("postings"):
                self._restore_arrays(self.dir / manifest["postings"])
                for _, kind, key, doc in self._tail:
                    for fld in self.kinds[kind].index_fields:
                        if (kind, fld) in self._postings and doc.get(fld):
                            self._postings[(kind, fld)].add(str(doc[fld]), int(key))

    def _apply(self, entry: dict[str, Any], path: Path) -> None:
        seq = entry.get("seq")
        if isinstance(seq, int) and seq <= self.seq:
            return
        if seq != self.seq + 1 or entry.get("prev") != self.head:
            raise StoreCorrupt(path, f"change log broken at seq {seq} (expected {self.seq + 1})")
        kind, key, doc = entry.get("kind"), entry.get("key"), entry.get("doc")
        if kind not in self.kinds or not isinstance(key, str):
            raise StoreCorrupt(path, f"unknown kind {kind!r} at seq {seq}")
        if doc is None:
            # Redacted by a purge (X2); the purge entry after it holds the anonymised record.
            self._note_key(kind, key)
        else:
            self._apply_doc(seq, kind, key, doc)
        if not isinstance(entry.get("sha"), str):
            raise StoreCorrupt(path, f"change-log entry {seq} has no chain hash")
        self.seq = seq
        self.head = entry["sha"]
        self._keyed = self._keyed or entry.get("v") == 2

    def _note_key(self, kind: str, key: str) -> None:
        """A record number seen in the log: its day exists and its sequence is used."""
        if self.kinds[kind].dated:
            day = self._partition_name(kind, key).split("/", 1)[1]
            self._known[kind].add(day)
            self._counters[(kind, day)] = max(self._counters.get((kind, day), 0), int(key[-4:]))

    def _apply_doc(self, seq: int, kind: str, key: str, doc: dict[str, Any]) -> None:
        spec = self.kinds[kind]
        pname = self._partition_name(kind, key)
        old = self.get(kind, key) if spec.index_fields else None
        part = self._partitions.get(pname)
        if part is not None and seq > part.seq:
            part.put(key, doc, seq)
        self._tail.append((seq, kind, key, doc))
        self._tail_latest[(kind, key)] = doc
        if spec.dated:
            day = pname.split("/", 1)[1]
            self._known[kind].add(day)
            counter = (kind, day)
            self._counters[counter] = max(self._counters.get(counter, 0), int(key[-4:]))
        for fld in spec.index_fields:
            before = (old or {}).get(fld) or ""
            after = doc.get(fld) or ""
            if before == after:
                continue
            if spec.dated:
                # The old value's entry goes stale; find() checks documents against the value.
                if after:
                    self._postings[(kind, fld)].add(str(after), int(key))
                continue
            bucket = self._index[(kind, fld)]
            if before and key in bucket.get(before, ()):
                bucket[before].remove(key)
                if not bucket[before]:
                    del bucket[before]
            if after:
                bucket.setdefault(sys.intern(str(after)), []).append(key)
        self._drop_open(kind, key)
        if spec.is_open(doc):
            self._set_open(kind, key, doc)

    def _set_open(self, kind: str, key: str, doc: dict[str, Any]) -> None:
        self._open[kind][key] = doc
        for fld in self.kinds[kind].code_fields:
            if doc.get(fld):
                self._codes[(kind, fld)][doc[fld]] = key

    def _drop_open(self, kind: str, key: str) -> None:
        old = self._open[kind].pop(key, None)
        if old:
            for fld in self.kinds[kind].code_fields:
                codes = self._codes[(kind, fld)]
                if old.get(fld) and codes.get(old[fld]) == key:
                    del codes[old[fld]]

    # ------------------------------------------------------------ partitions
    def _partition_name(self, kind: str, key: str) -> str:
        if not self.kinds[kind].dated:
            return kind
        if len(key) != 11 or not key.isdigit():
            raise StoreError(f"not a record number: {key!r}")
        return f"{kind}/20{key[1:3]}-{key[3:5]}-{key[5:7]}"

    def _partition(self, name: str) -> Partition:
        part = self._partitions.get(name)
        if part is not None:
            self._partitions.move_to_end(name)
            return part
        part = self._load_partition(name)
        self._partitions[name] = part
        self._evict()
        return part

    def _load_partition(self, name: str) -> Partition:
        """A table file with the log entries after its sequence applied."""
        kind = name.split("/", 1)[0]
        path = self.tables_dir / f"{name}.json"
        try:
            part = Partition.load(path, self.kinds[kind].dated)
        except UnreadableTable as exc:
            raise StoreCorrupt(path, str(exc)) from exc
        for seq, k, key, doc in self._tail:
            if seq > part.seq and k == kind and self._partition_name(k, key) == name:
                part.put(key, doc, seq)
        return part

    def _evict(self) -> None:
        """Drop least recently used day partitions beyond ``cache_records`` records.

        Directory partitions (owners, keys, staff, state) always stay.
        """
        dated = [n for n, p in self._partitions.items() if p.dated]
        cached = sum(len(self._partitions[n]) for n in dated)
        for name in dated[:-1]:  # the one just used stays, however big
            if cached <= self.cache_records:
                break
            cached -= len(self._partitions.pop(name))

    def _read_located(self, kind: str, name: str, key: str) -> dict[str, Any] | None:
        """One compacted record by its byte range; reads the whole day if the range is stale."""
        try:
            return read_one(f"{self.tables_dir}/{name}.json", self._locations[kind], int(key))
        except LookupError as exc:  # another process re-saved the day; we have not reloaded
            log.info("re-reading %s: %s", name, exc)
            return self._partition(name).get(key)

    # ----------------------------------------------------------------- reads
    def refresh(self) -> None:
        """See what other processes wrote (cheap when nothing changed)."""
        with self._thread_lock:
            self._catch_up()

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        with self._thread_lock:
            if kind not in self.kinds:
                raise StoreError(f"unknown kind {kind!r}")
            try:
                name = self._partition_name(kind, key)
            except StoreError:
                return None
            part = self._partitions.get(name)
            if part is not None:
                self._partitions.move_to_end(name)
                return part.get(key)
            if not self.kinds[kind].dated:
                return self._partition(name).get(key)
            recent = self._tail_latest.get((kind, key))
            if recent is not None:
                return dict(recent)
            return self._read_located(kind, name, key)

    def find(self, kind: str, fld: str, value: str) -> list[dict[str, Any]]:
        """Records whose indexed field equals ``value``, over all history, newest first."""
        with self._thread_lock:
            self._catch_up()
            if (kind, fld) in self._postings:
                numbers = self._postings[(kind, fld)].lookup(value)
                keys = [f"{n:0{NUMBER_DIGITS}d}" for n in numbers]
            else:
                keys = list(self._index[(kind, fld)].get(value, ()))
            docs = [self.get(kind, key) for key in reversed(keys)]
            # Hash collisions and entries left by a changed field are filtered here.
            return [d for d in docs if d is not None and str(d.get(fld) or "") == value]

    def open_docs(self, kind: str) -> list[dict[str, Any]]:
        """Records of ``kind`` not yet in a final state."""
        with self._thread_lock:
            self._catch_up()
            return list(self._open[kind].values())

    def by_code(self, kind: str, fld: str, code: str) -> dict[str, Any] | None:
        """The open record holding this pickup/pass code, if any."""
        with self._thread_lock:
            self._catch_up()
            key = self._codes[(kind, fld)].get(code)
            return self._open[kind].get(key) if key else None

    def codes_in_use(self, kind: str, fld: str) -> set[str]:
        with self._thread_lock:
            return set(self._codes[(kind, fld)])

    def all_docs(self, kind: str) -> list[dict[str, Any]]:
        """Every record of a directory kind (owners, keys, staff, state)."""
        with self._thread_lock:
            self._catch_up()
            if self.kinds[kind].dated:
                raise StoreError(f"{kind} is dated: use iter_days()")
            return self._partition(kind).docs()

    def days(self, kind: str) -> list[str]:
        with self._thread_lock:
            self._catch_up()
            return sorted(self._known[kind])

    def iter_days(
        self, kind: str, first: date | None = None, last: date | None = None
    ) -> Iterator[dict[str, Any]]:
        """Records of a dated kind created between two days (statistics, purge)."""
        for day in self.days(kind):
            if (first and day < first.isoformat()) or (last and day > last.isoformat()):
                continue
            with self._thread_lock:
                docs = self._partition(f"{kind}/{day}").docs()
            yield from docs

    # ---------------------------------------------------------------- writes
    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Exclusive write section: see others' writes, then commit ours with one fsync.

        Once the log line is fsynced the write is acknowledged: a compaction that follows
        and fails (a full disk) is logged, flagged in ``health()`` and retried later, never
        raised as the write's failure.
        """
        with self._locked():
            self._catch_up()
            self._cut_partial_tail()
            txn = Transaction(self, self.clock())
            yield txn
            if txn._pending.entries:
                self._commit(txn)
                if len(self._tail) >= self.compact_every:
                    self._compact_safely()

    def _compact_safely(self) -> None:
        now = self.clock()
        if self._compact_retry_at and now < self._compact_retry_at:
            return
        try:
            self._compact()
        except OSError as exc:
            self._compact_retry_at = now + COMPACT_RETRY
            self.health_problems["compaction"] = f"{exc.strerror or exc} ({now:%m-%d %H:%M})"
            log.error("compaction failed, will retry (the write itself is safe): %s", exc)
            with contextlib.suppress(OSError):  # an empty file: tells `reception status`
                os.close(os.open(self.dir / COMPACTION_FAILED, os.O_CREAT | os.O_WRONLY, 0o600))
        else:
            self._compact_retry_at = None
            self.health_problems.pop("compaction", None)
            with contextlib.suppress(OSError):
                os.unlink(self.dir / COMPACTION_FAILED)

    def _ensure_key(self) -> bytes:
        if self._mac_key is None:
            if self._keyed:
                raise StoreCorrupt(
                    self.key_path,
                    "audit key missing while the change log is keyed; put the key back "
                    "(from its backup) or point [store] audit_key at it",
                )
            self._mac_key = create_key(self.key_path)
        return self._mac_key

    def _commit(self, txn: Transaction) -> None:
        entries = txn.entries(self._ensure_key())
        name = f"{txn.now:%Y-%m}.jsonl"
        if name < self._pos_file:
            name = self._pos_file  # never write behind the newest file (clock stepped back)
        path = self.log_dir / name
        if (
            self._appender is None
            or self._appender.path.name != name
            or not self._appender.current()
        ):
            if self._appender:
                self._appender.close()
            self._appender = DurableAppender(path)
        data = b"".join(encode_entry(e) for e in entries)
        start = self._pos_off if name == self._pos_file else 0
        try:
            self._appender.append(data)
        except OSError:
            # Not acknowledged: take back whatever part of it reached the file, so the
            # transaction is absent, never half there (the next writer would cut it anyway).
            with contextlib.suppress(OSError):
                os.truncate(path, start)
                os.fsync(self._appender.fd)
            raise
        if name != self._pos_file:
            self._pos_file, self._pos_off = name, 0
        for entry in entries:
            self._apply(entry, self._appender.path)
        self._pos_off += len(data)

    def compact(self) -> None:
        """Write the table files changed since the last compaction and the index; rotate snapshots."""
        with self._locked():
            self._catch_up()
            self._compact()

    def _compact(self) -> None:
        names = {self._partition_name(kind, key) for _, kind, key, _ in self._tail}
        fresh: dict[str, list[np.ndarray]] = {}
        for name in sorted(names):
            part = self._partition(name)
            part.seq = self.seq
            offsets = part.save(self.schema)
            if part.dated:
                fresh.setdefault(name.split("/", 1)[0], []).append(offsets)
        for kind, days in fresh.items():
            self._locations[kind] = splice_locations(self._locations[kind], days)
        index = {
            "seq": self.seq,
            "index": {f"{k}|{f}": v for (k, f), v in self._index.items()},
            "open": self._open,
            "counters": {f"{k}|{d}": n for (k, d), n in self._counters.items()},
        }
        # The index files are named by their sequence and the manifest names them, so a
        # crash between the writes leaves the previous manifest and index in force.
        index_name = f"index-{self.seq:010d}.json"
        postings_name = self._manifest_arrays_name()
        atomic_write(self.dir / postings_name, self._arrays_image())
        atomic_write_json(self.dir / index_name, index)
        manifest = {
            "index": index_name,
            "postings": postings_name,
            "locations": True,
            "schema": self.schema,
            "seq": self.seq,
            "head": self.head,
            "pos": [self._pos_file, self._pos_off],
            "keyed": self._keyed,
            "at": self.clock().isoformat(timespec="seconds"),
        }
        atomic_write_json(self.manifest_path, manifest)
        for old in self.dir.glob("index-*"):
            if old.name not in (index_name, postings_name):
                old.unlink()
        st = os.stat(self.manifest_path)
        self._manifest_sig = (st.st_ino, st.st_mtime_ns)
        self._manifest_seq = self.seq
        self._tail.clear()
        self._tail_latest.clear()
        self._snapshot()
        log.info("compacted %d table file(s) at seq %d", len(names), self.seq)

    # ------------------------------------------------------------ migrations
    def _migrate(self) -> None:
        while self.schema < SCHEMA_VERSION:
            step = MIGRATIONS[self.schema]
            log.warning("migrating store from schema %d to %d", self.schema, self.schema + 1)
            with self.transaction_unlocked() as txn:
                for kind, spec in self.kinds.items():
                    docs = (
                        (
                            d
                            for day in sorted(self._known[kind])
                            for d in self._partition(f"{kind}/{day}").docs()
                        )
                        if spec.dated
                        else self._partition(kind).docs()
                    )
                    for doc in list(docs):
                        new = step(kind, doc)
                        if new is not None and new != doc:
                            txn.put(
                                kind,
                                doc["number"],
                                new,
                                {"role": "system", "name": "migration", "source": "store"},
                                op="migrate",
                            )
            self.schema += 1
            self._compact()

    @contextlib.contextmanager
    def transaction_unlocked(self) -> Iterator[Transaction]:
        """A transaction for code that already holds the lock (migrations, purge)."""
        txn = Transaction(self, self.clock())
        yield txn
        if txn._pending.entries:
            self._commit(txn)

    def stats(self) -> dict[str, Any]:
        with self._thread_lock:
            self._catch_up()
            return {
                "seq": self.seq,
                "schema": self.schema,
                "open": {k: len(v) for k, v in self._open.items() if v},
                "days": {k: len(v) for k, v in self._known.items() if v},
                "snapshots": self.snapshots(),
                "log_files": self._log_files(),
            }

    def close(self) -> None:
        with self._thread_lock:
            if self._appender:
                self._appender.close()
                self._appender = None
            if self._lock_fd >= 0:
                os.close(self._lock_fd)
                self._lock_fd = -1


def store_exists(data_dir: Path) -> bool:
    """A store was created here (its change log folder exists)."""
    return (Path(data_dir) / "log").is_dir()


def restore(
    data_dir: Path,
    snapshot: str | None = None,
    rebuild: bool = False,
    check: Callable[[], None] | None = None,
) -> str:
    """Put back a daily snapshot's tables (or none: rebuild from the log); see desk.restore."""
    from desk.restore import restore_tables

    return restore_tables(Path(data_dir), snapshot, rebuild, check)
