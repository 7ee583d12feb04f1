"""Who may call the hotline: source allow-list, optional SIP digest, per-source limits.

Pure functions and a small bookkeeping class used by ``voice.sip`` when an INVITE
arrives (before anything is answered) and while it waits for the caller's ACK.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import re
import time
from dataclasses import dataclass, field

from desk.masking import mask_phone

log = logging.getLogger(__name__)

LOOPBACK = ("127.0.0.0/8", "::1/128")
SOURCE_HEADER = "X-Reception-Source"
OVERFLOW_HEADER = "X-Reception-Overflow"
"""Set by the front proxy when every worker is full: answer anyway and say 线路繁忙 (T3)."""
"""Header the front proxy (kamailio) sets to the address it received the INVITE from."""
NONCE_TTL_S = 120.0


@dataclass(frozen=True)
class GuardConfig:
    allowed_sources: tuple[str, ...] = LOOPBACK
    """CIDR networks (or single addresses) whose INVITEs are answered; others get 403."""
    proxies: tuple[str, ...] = ()
    """Front proxies (kamailio) whose X-Reception-Source header names the real source."""
    max_pending_per_source: int = 2
    """Answered INVITEs from one source still waiting for their ACK; more get 486."""
    ack_timeout_s: float = 4.0
    """An answered call without ACK after this long is dropped (real callers ACK in ms)."""
    max_inbound: int = 0
    """Inbound calls at once; more get 486 so the front proxy tries the next worker
    (0: no limit here, the hotline itself says 线路繁忙)."""
    auth_user: str = ""
    """SIP digest user the gateway must authenticate as; empty: no digest."""
    auth_realm: str = "reception"
    auth_ha1: str = ""
    """MD5(user:realm:password) in hex (the password itself is never stored)."""


def networks(specs: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Parse CIDR specs; a bad one raises ValueError naming it."""
    out = []
    for spec in specs:
        try:
            out.append(ipaddress.ip_network(spec.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"allowed source {spec!r} is not an address or CIDR network") from exc
    return tuple(out)


def host_of(address: str) -> str:
    """'127.0.0.1:5060' -> '127.0.0.1', '[::1]:5060' -> '::1'."""
    a = address.strip()
    if a.startswith("["):
        return a[1 : a.index("]")]
    return a.rsplit(":", 1)[0] if a.count(":") == 1 else a


def in_networks(host: str, nets: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(ip in n for n in nets)


def header(msg: str, name: str) -> str:
    """The first value of header ``name`` in a raw SIP message ('' when absent)."""
    m = re.search(rf"^{re.escape(name)}\s*:\s*(.*?)\r?$", msg, re.IGNORECASE | re.MULTILINE)
    return m.group(1).strip() if m else ""


def mask_uri(uri: str) -> str:
    """'"x" <sip:13800138000@gw>' -> 'sip:138****8000@gw' (for logs)."""
    m = re.search(r"(sips?|tel):([^@;>\s]+)", uri)
    if not m:
        return "?"
    rest = uri[m.end() :].split(">", 1)[0].split(";", 1)[0]
    return f"{m.group(1)}:{mask_phone(m.group(2))}{rest}"


# ---- digest (RFC 2617 / RFC 3261 22.4), server side --------------------------------------


def ha1(user: str, realm: str, password: str) -> str:
    """What to put in ``[hotline] sip_auth_ha1``."""
    return hashlib.md5(f"{user}:{realm}:{password}".encode()).hexdigest()  # noqa: S324 - RFC 2617


def make_nonce(secret: str, now: float | None = None) -> str:
    ts = str(int(now if now is not None else time.time()))
    mac = hmac.new(secret.encode(), ts.encode(), hashlib.sha256).hexdigest()[:24]
    return f"{ts}.{mac}"


def nonce_valid(nonce: str, secret: str, now: float | None = None) -> bool:
    ts, _, mac = nonce.partition(".")
    if not ts.isdigit():
        return False
    good = hmac.new(secret.encode(), ts.encode(), hashlib.sha256).hexdigest()[:24]
    age = (now if now is not None else time.time()) - int(ts)
    return hmac.compare_digest(mac, good) and -5 <= age <= NONCE_TTL_S


def challenge(cfg: GuardConfig, now: float | None = None) -> str:
    """The WWW-Authenticate value of a 401."""
    nonce = make_nonce(cfg.auth_ha1, now)
    return f'Digest realm="{cfg.auth_realm}", nonce="{nonce}", algorithm=MD5, qop="auth"'


def parse_digest(value: str) -> dict[str, str]:
    if not value.lower().startswith("digest"):
        return {}
    return {
        k.lower(): v1 if v1 else v2
        for k, v1, v2 in re.findall(r'(\w+)\s*=\s*(?:"([^"]*)"|([^,\s]+))', value[6:])
    }


def digest_ok(cfg: GuardConfig, method: str, authorization: str, now: float | None = None) -> bool:
    """Whether ``authorization`` answers our challenge for ``cfg``'s user and HA1."""
    p = parse_digest(authorization)
    if p.get("username") != cfg.auth_user or p.get("realm") != cfg.auth_realm:
        return False
    if not nonce_valid(p.get("nonce", ""), cfg.auth_ha1, now):
        return False
    ha2 = hashlib.md5(f"{method}:{p.get('uri', '')}".encode()).hexdigest()  # noqa: S324
    if p.get("qop"):
        parts = [
            cfg.auth_ha1,
            p.get("nonce", ""),
            p.get("nc", ""),
            p.get("cnonce", ""),
            p["qop"],
            ha2,
        ]
    else:
        parts = [cfg.auth_ha1, p.get("nonce", ""), ha2]
    want = hashlib.md5(":".join(parts).encode()).hexdigest()  # noqa: S324
    return hmac.compare_digest(want, p.get("response", ""))


# ---- the decision for one INVITE ------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    code: int
    """200 answer; 401 challenge; 403 forbidden; 486 too many from this source."""
    source: str
    reason: str = ""


@dataclass
class Guard:
    """Decides on INVITEs and tracks answered calls still waiting for their ACK."""

    cfg: GuardConfig = field(default_factory=GuardConfig)

    def __post_init__(self) -> None:
        self._allowed = networks(self.cfg.allowed_sources)
        self._proxies = networks(self.cfg.proxies)
        self._pending: dict[int, tuple[str, float]] = {}

    def from_proxy(self, src_address: str) -> bool:
        return bool(self._proxies) and in_networks(host_of(src_address), self._proxies)

    def source(self, src_address: str, msg: str) -> str:
        """The caller's address: the packet's, or the proxy's X-Reception-Source header."""
        if self.from_proxy(src_address):
            real = header(msg, SOURCE_HEADER)
            if real:
                return host_of(real)
        return host_of(src_address)

    def decide(self, src_address: str, msg: str, active: int = 0) -> Verdict:
        """``active``: inbound calls in progress on this line."""
        src = self.source(src_address, msg)
        if not in_networks(src, self._allowed):
            return Verdict(403, src, "source not in [hotline] allowed_sources")
        if self.cfg.auth_user and self.cfg.auth_ha1:
            auth = header(msg, "Authorization")
            if not auth:
                return Verdict(401, src, "no credentials")
            if not digest_ok(self.cfg, "INVITE", auth):
                return Verdict(403, src, "wrong digest credentials")
        overflow = self.from_proxy(src_address) and bool(header(msg, OVERFLOW_HEADER))
        if self.cfg.max_inbound and active >= self.cfg.max_inbound and not overflow:
            return Verdict(486, src, f"all {active} lines of this worker busy")
        waiting = sum(1 for s, _ in self._pending.values() if s == src)
        if waiting >= self.cfg.max_pending_per_source:
            return Verdict(486, src, f"{waiting} unacknowledged calls from this source")
        return Verdict(200, src)

    def answered(self, call_id: int, source: str) -> None:
        self._pending[call_id] = (source, time.monotonic() + self.cfg.ack_timeout_s)

    def confirmed(self, call_id: int) -> None:
        self._pending.pop(call_id, None)

    def expired(self) -> list[tuple[int, str]]:
        """Calls answered but never acknowledged in time (removed from the bookkeeping)."""
        now = time.monotonic()
        out = [(cid, src) for cid, (src, dl) in self._pending.items() if dl <= now]
        for cid, _ in out:
            del self._pending[cid]
        return out


if __name__ == "__main__":  # python -m voice.sipguard USER REALM: print the HA1 to configure
    import getpass
    import sys

    user, realm = (sys.argv[1:3] + ["", "reception"])[:2] if len(sys.argv) > 1 else ("", "")
    if not user:
        print("usage: python -m voice.sipguard USER [REALM]")
        raise SystemExit(2)
    print(ha1(user, realm, getpass.getpass("SIP password: ")))
