"""Staff PINs: salted scrypt hashes only, never the PIN itself."""

from __future__ import annotations

import hashlib
import hmac
import secrets

_N, _R, _P = 2**14, 8, 1


def hash_pin(pin: str) -> str:
    """``scrypt$N$r$p$salt$hash`` of a PIN."""
    salt = secrets.token_hex(16)
    digest = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=_N, r=_R, p=_P).hex()
    return f"scrypt${_N}${_R}${_P}${salt}${digest}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(
        pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p)
    ).hex()
    return hmac.compare_digest(candidate, digest)
