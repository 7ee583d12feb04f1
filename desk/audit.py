"""The keyed, hash-chained change log: every change, who made it and when (L2).

Entries written since issue 10 (``"v": 2``) are chained by an HMAC-SHA256 under a key kept
apart from the data directory (``audit.key``, 0600, created when the store is created), so
someone who can write the data directory cannot re-hash an edited chain. The actor and the
document enter the MAC through their SHA-256 (``actor_sha``, ``doc_sha``): a purge (X2) may
blank them, the hashes stay, and the blanking is accepted only for a record a later
``purge`` entry anonymised. The chain head (the *anchor*) is printed on the handover slip
and written to the duty log (L3), so a truncation after it is detected.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desk.fileio import dumps, fsync_dir

log = logging.getLogger(__name__)

GENESIS = "0" * 64
ENTRY_VERSION = 2
KEY_BYTES = 32
_UNCOVERED = frozenset({"doc", "actor", "sha", "redacted"})


def default_key_path(data_dir: Path) -> Path:
    """The audit key's default home: a sibling of the data directory (``data.audit.key``)."""
    data_dir = Path(data_dir).absolute()
    return data_dir.parent / f"{data_dir.name}.audit.key"


def create_key(path: Path) -> bytes:
    """A new random audit key written 0600 (fails if one exists: never overwrite a key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key.hex().encode("ascii") + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    fsync_dir(path.parent)
    log.warning("created the audit key %s (keep a copy apart from the data backups)", path)
    return key


def read_key(path: Path) -> bytes | None:
    """The audit key at ``path`` (mode tightened to 0600), or None if there is none."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    if os.stat(path).st_mode & 0o077:
        os.chmod(path, 0o600)
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise ValueError(f"{path}: not an audit key")
    return key


def doc_hash(doc: Any) -> str:
    return hashlib.sha256(dumps(doc).encode("utf-8")).hexdigest()


def entry_hash(entry: dict[str, Any], key: bytes | None = None) -> str:
    """The chain value of an entry: an HMAC over everything but its document and actor
    (which enter through their hashes) for keyed entries; SHA-256 for older ones."""
    if entry.get("v") == ENTRY_VERSION:
        covered = {k: v for k, v in entry.items() if k not in _UNCOVERED}
        if key is None:
            raise ValueError("keyed entry and no audit key")
        return hmac.new(key, dumps(covered).encode("utf-8"), hashlib.sha256).hexdigest()
    covered = {k: v for k, v in entry.items() if k not in ("doc", "sha", "redacted")}
    return hashlib.sha256(dumps(covered).encode("utf-8")).hexdigest()


def make_entry(
    seq: int,
    ts: str,
    actor: dict[str, str],
    op: str,
    kind: str,
    key: str,
    doc: Any,
    prev: str,
    mac_key: bytes,
    tx: int = 0,
) -> dict[str, Any]:
    """A keyed entry; ``tx`` > 1 on the first entry of a transaction of that many entries."""
    entry = {
        "v": ENTRY_VERSION,
        "seq": seq,
        "ts": ts,
        "actor": actor,
        "actor_sha": doc_hash(actor),
        "op": op,
        "kind": kind,
        "key": key,
        "doc_sha": doc_hash(doc),
        "prev": prev,
        "doc": doc,
    }
    if tx > 1:
        entry["tx"] = tx
    entry["sha"] = entry_hash(entry, mac_key)
    return entry


def encode_entry(entry: dict[str, Any]) -> bytes:
    return (dumps(entry) + "\n").encode("utf-8")


@dataclass(frozen=True)
class Anchor:
    """The chain head at a sequence number: printed on the handover slip (L3). A head
    without its sequence (as a sheet may print it) is looked for along the whole chain."""

    seq: int | None
    head: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.head[:16]}" if self.seq is not None else self.head[:16]

    @classmethod
    def parse(cls, text: str) -> Anchor:
        seq, sep, head = text.strip().partition(":")
        if not sep:
            seq, head = "", seq
        ok = (not sep or seq.isdigit()) and len(head) >= 8
        if not ok or any(c not in "0123456789abcdef" for c in head):
            raise ValueError(f"not an audit anchor (SEQ:HEAD, e.g. 1234:3f9a0c...): {text!r}")
        return cls(int(seq) if sep else None, head)


@dataclass
class ChainProblem:
    """One finding of ``verify``: where the chain is broken and how."""

    file: str
    line: int
    seq: int | None
    problem: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} (seq {self.seq}): {self.problem}"


class ChainChecker:
    """Feeds entries in order and reports every break of the chain."""

    def __init__(self, key: bytes | None = None, anchors: list[Anchor] | None = None) -> None:
        self.key = key
        self.prev = GENESIS
        self.seq = 0
        self.problems: list[ChainProblem] = []
        self.keyed = False
        self._tx_left = 0
        self._redacted: dict[tuple[str, str], tuple[str, int, int]] = {}
        self._anchors = {a.seq: a for a in anchors or () if a.seq is not None}
        self._unplaced = {a.head: a for a in anchors or () if a.seq is None}
        self._where = ("", 0)

    def _problem(self, file: str, line: int, seq: int | None, text: str) -> None:
        self.problems.append(ChainProblem(file, line, seq, text))

    def feed(self, raw: bytes, file: str, line: int) -> dict[str, Any] | None:
        self._where = (file, line)
        try:
            entry = json.loads(raw)
        except ValueError:
            self._problem(file, line, None, "unreadable entry")
            return None
        seq = entry.get("seq")
        if seq != self.seq + 1:
            self._problem(file, line, seq, f"sequence jumps from {self.seq} (entry removed?)")
        if entry.get("prev") != self.prev:
            self._problem(file, line, seq, "does not link to the entry before")
        self._check_mac(entry, file, line, seq)
        self._check_content(entry, file, line, seq)
        self._check_tx(entry, file, line, seq)
        self.prev = entry.get("sha", "")
        self.seq = seq if isinstance(seq, int) else self.seq + 1
        for head in [h for h in self._unplaced if self.prev.startswith(h)]:
            del self._unplaced[head]
        anchor = self._anchors.get(self.seq)
        if anchor and not self.prev.startswith(anchor.head):
            self._problem(file, line, seq, f"chain head differs from the anchor {anchor}")
        return entry

    def _check_mac(self, entry: dict[str, Any], file: str, line: int, seq: Any) -> None:
        if entry.get("v") == ENTRY_VERSION:
            self.keyed = True
            if self.key is None:
                if not any("audit key" in p.problem for p in self.problems):
                    self._problem(file, line, seq, "keyed entries and no audit key to check them")
                return
        elif self.keyed:
            self._problem(file, line, seq, "unkeyed entry after keyed ones (forged?)")
        if not hmac.compare_digest(entry_hash(entry, self.key), str(entry.get("sha"))):
            self._problem(file, line, seq, "entry altered (hash mismatch)")

    def _check_content(self, entry: dict[str, Any], file: str, line: int, seq: Any) -> None:
        target = (str(entry.get("kind")), str(entry.get("key")))
        if entry.get("op") == "purge":
            self._redacted.pop(target, None)
        blanked = False
        for part, sha in (("doc", "doc_sha"), ("actor", "actor_sha")):
            if part not in entry or sha not in entry:
                continue
            value = entry[part]
            if value is None and doc_hash(None) != entry[sha]:
                blanked = True
            elif doc_hash(value) != entry[sha]:
                self._problem(
                    file,
                    line,
                    seq,
                    f"{'document' if part == 'doc' else 'actor'} altered (hash mismatch)",
                )
        if entry.get("v") != ENTRY_VERSION and entry.get("redacted"):
            blanked = True
        if blanked and entry.get("op") != "purge":
            self._redacted.setdefault(target, (file, line, seq))

    def _check_tx(self, entry: dict[str, Any], file: str, line: int, seq: Any) -> None:
        tx = entry.get("tx", 0)
        if self._tx_left and tx:
            self._problem(file, line, seq, "transaction started inside another (torn?)")
        if tx:
            self._tx_left = int(tx) - 1
        elif self._tx_left:
            self._tx_left -= 1

    def finish(self) -> list[ChainProblem]:
        """Problems only visible at the end: a torn transaction, an unexplained blanking."""
        if self._tx_left:
            file, line = self._where
            self._problem(
                file, line, self.seq, f"transaction incomplete: {self._tx_left} entries missing"
            )
        for (kind, key), (file, line, seq) in sorted(
            self._redacted.items(), key=lambda kv: kv[1][2] or 0
        ):
            self._problem(file, line, seq, f"{kind} {key}: content removed without a purge entry")
        for anchor in self._unplaced.values():
            self._problem(
                "log", 0, self.seq, f"anchor {anchor} is in no entry: entries removed or altered"
            )
        last = max(self._anchors, default=0)
        if last > self.seq:
            self._problem(
                "log",
                0,
                self.seq,
                f"log ends at {self.seq}, before the anchor {self._anchors[last]}: entries removed",
            )
        return self.problems
