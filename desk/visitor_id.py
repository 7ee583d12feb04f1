"""The keyed hash of an ID number (X1): recognises a returning or blocked person, no new copy."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from desk.fileio import private_dir

log = logging.getLogger(__name__)

KEY_FILE = Path("keys") / "id_hash.key"
"""Relative to the data directory: 32 random bytes, mode 0600, made on first use."""


def load_key(data_dir: Path) -> bytes:
    """The site's ID-hash key, created once (hashes differ between sites: no lookup tables)."""
    path = Path(data_dir) / KEY_FILE
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        private_dir(path.parent)
        key = secrets.token_bytes(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return path.read_bytes()
        with os.fdopen(fd, "wb") as out:
            out.write(key)
            out.flush()
            os.fsync(out.fileno())
        log.info("ID hash key created at %s", path)
    if len(key) < 16:
        raise ValueError(f"{path}: 证件哈希密钥损坏（{len(key)} 字节），请从备份恢复")
    return key


def id_hash(key: bytes, id_type: str, id_number: str) -> str:
    """HMAC-SHA256 of the normalised ID (type + number), 32 hex digits; "" without a number."""
    number = id_number.strip().upper().replace(" ", "")
    if not number or id_type == "none":
        return ""
    # The same person's resident ID and other cards are different documents: type included.
    kind = "resident_id" if id_type in ("", "resident_id") else id_type
    mac = hmac.new(key, f"{kind}:{number}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]
