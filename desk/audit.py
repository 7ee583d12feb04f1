"""The hash-chained change log: every change, who made it and when (L2)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from desk.fileio import dumps

GENESIS = "0" * 64


def doc_hash(doc: Any) -> str:
    return hashlib.sha256(dumps(doc).encode("utf-8")).hexdigest()


def entry_hash(entry: dict[str, Any]) -> str:
    """Hash of an entry over everything but its document and its own hash.

    The document enters through ``doc_sha``, so a purge may redact the
    document (X2) without breaking the chain, while any edit is still caught.
    """
    covered = {k: v for k, v in entry.items() if k not in ("doc", "sha", "redacted")}
    return hashlib.sha256(dumps(covered).encode("utf-8")).hexdigest()


def make_entry(
    seq: int, ts: str, actor: dict[str, str], op: str, kind: str, key: str, doc: Any, prev: str
) -> dict[str, Any]:
    entry = {
        "seq": seq,
        "ts": ts,
        "actor": actor,
        "op": op,
        "kind": kind,
        "key": key,
        "doc_sha": doc_hash(doc),
        "prev": prev,
        "doc": doc,
    }
    entry["sha"] = entry_hash(entry)
    return entry


def encode_entry(entry: dict[str, Any]) -> bytes:
    return (dumps(entry) + "\n").encode("utf-8")


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

    def __init__(self) -> None:
        self.prev = GENESIS
        self.seq = 0
        self.problems: list[ChainProblem] = []

    def feed(self, raw: bytes, file: str, line: int) -> dict[str, Any] | None:
        try:
            entry = json.loads(raw)
        except ValueError:
            self.problems.append(ChainProblem(file, line, None, "unreadable entry"))
            return None
        seq = entry.get("seq")
        if seq != self.seq + 1:
            self.problems.append(
                ChainProblem(file, line, seq, f"sequence jumps from {self.seq} (entry removed?)")
            )
        if entry.get("prev") != self.prev:
            self.problems.append(ChainProblem(file, line, seq, "does not link to the entry before"))
        if entry_hash(entry) != entry.get("sha"):
            self.problems.append(ChainProblem(file, line, seq, "entry altered (hash mismatch)"))
        if not entry.get("redacted") and doc_hash(entry.get("doc")) != entry.get("doc_sha"):
            self.problems.append(ChainProblem(file, line, seq, "document altered (hash mismatch)"))
        self.prev = entry.get("sha", "")
        self.seq = seq if isinstance(seq, int) else self.seq + 1
        return entry
