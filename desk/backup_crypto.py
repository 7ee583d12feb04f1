"""Backup file encryption: AES-256-GCM in 1 MiB chunks (STREAM nonces), key from a passphrase by scrypt.

Layout: header (magic, scrypt parameters, salt, nonce prefix, key check) then chunks of
``length (4 bytes) | ciphertext+tag``. Chunk i's nonce is prefix (7) | i (4) | last (1), and
the header is each chunk's associated data, so a reordered, truncated or extended file and
an altered header all fail authentication (Hoang, Reyhanitabar, Rogaway, Vizár 2015, "STREAM").
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from desk.errors import DeskError

log = logging.getLogger(__name__)

MAGIC = b"RCPBAK01"
CHUNK = 1 << 20
SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P = 15, 8, 1
_HEADER = struct.Struct(">8sBBB16s7s16s")
MIN_PASSPHRASE = 12


class BackupError(DeskError):
    """The backup cannot be written or read; the message says why, nothing was changed."""


class WrongPassphrase(BackupError):
    pass


class Tampered(BackupError):
    pass


@dataclass(frozen=True)
class Header:
    log2_n: int
    r: int
    p: int
    salt: bytes
    prefix: bytes
    check: bytes

    def pack(self) -> bytes:
        return _HEADER.pack(MAGIC, self.log2_n, self.r, self.p, self.salt, self.prefix, self.check)


def read_passphrase(path: Path) -> bytes:
    """The passphrase file: owner-only (0600), at least 12 characters, outside the data."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise BackupError(
            f"没有备份口令文件 {path}：用 `install -m 0600 /dev/null {path}` 建立并写入口令"
            "（另抄一份锁在办公室保险柜，新机器恢复时要用）"
        ) from None
    if st.st_mode & 0o077:
        raise BackupError(
            f"备份口令文件 {path} 权限为 {st.st_mode & 0o777:o}，应为 600: chmod 600 {path}"
        )
    phrase = path.read_bytes().strip()
    if len(phrase) < MIN_PASSPHRASE:
        raise BackupError(f"备份口令文件 {path} 中的口令少于 {MIN_PASSPHRASE} 个字符")
    return phrase


def _derive(passphrase: bytes, salt: bytes, log2_n: int, r: int, p: int) -> tuple[bytes, bytes]:
    if not (10 <= log2_n <= 22 and 1 <= r <= 32 and 1 <= p <= 16):
        raise Tampered("备份文件头的参数不合理：文件已损坏或不是本系统的备份")
    key = Scrypt(salt=salt, length=32, n=1 << log2_n, r=r, p=p).derive(passphrase)
    check = hmac.new(key, b"reception-backup key check", hashlib.sha256).digest()[:16]
    return key, check


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", index, 1 if last else 0)


def encrypt_file(src: Path, dst: BinaryIO, passphrase: bytes) -> None:
    """Write ``src`` encrypted to the open file ``dst``."""
    salt, prefix = secrets.token_bytes(16), secrets.token_bytes(7)
    key, check = _derive(passphrase, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)
    header = Header(SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, salt, prefix, check).pack()
    aead = AESGCM(key)
    dst.write(header)
    size = src.stat().st_size
    with open(src, "rb") as fh:
        index = 0
        while True:
            block = fh.read(CHUNK)
            last = fh.tell() >= size
            sealed = aead.encrypt(_nonce(prefix, index, last), block, header)
            dst.write(struct.pack(">I", len(sealed)) + sealed)
            index += 1
            if last:
                break


def decrypt_chunks(src: BinaryIO, passphrase: bytes) -> Iterator[bytes]:
    """The plaintext chunk by chunk; WrongPassphrase or Tampered before anything false is yielded
    (a chunk is yielded only after its tag checked; the caller discards all on an error)."""
    raw = src.read(_HEADER.size)
    if len(raw) < _HEADER.size or not raw.startswith(MAGIC):
        raise Tampered("不是本系统的备份文件（文件头不对）")
    _, log2_n, r, p, salt, prefix, check = _HEADER.unpack(raw)
    key, want = _derive(passphrase, salt, log2_n, r, p)
    if not hmac.compare_digest(check, want):
        raise WrongPassphrase("备份口令不对：请用备份时的口令文件（--passphrase-file）")
    aead = AESGCM(key)
    index = 0
    while True:
        head = src.read(4)
        if len(head) < 4:
            raise Tampered("备份文件不完整（被截断）")
        (length,) = struct.unpack(">I", head)
        sealed = src.read(length)
        if len(sealed) != length or length > CHUNK + 16:
            raise Tampered("备份文件不完整（被截断）")
        more = bool(src.peek(1)[:1]) if hasattr(src, "peek") else True
        try:
            if more:
                yield aead.decrypt(_nonce(prefix, index, False), sealed, raw)
            else:
                yield aead.decrypt(_nonce(prefix, index, True), sealed, raw)
                return
        except InvalidTag:
            raise Tampered(f"备份文件第 {index + 1} 块校验失败：文件被改动或损坏") from None
        index += 1


def decrypt_file(src: Path, dst: Path, passphrase: bytes) -> None:
    """Decrypt ``src`` into the new file ``dst`` (0600); ``dst`` is removed on any error."""
    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with open(src, "rb") as fh, os.fdopen(fd, "wb") as out:
            for block in decrypt_chunks(fh, passphrase):
                out.write(block)
    except BaseException:
        dst.unlink(missing_ok=True)
        raise


def authenticate(src: Path, passphrase: bytes) -> int:
    """Read a whole backup and check every tag without keeping the plaintext; its size."""
    with open(src, "rb") as fh:
        return sum(len(block) for block in decrypt_chunks(fh, passphrase))
