"""Who may call: allow-list, digest, per-source limits (issue 14 items 9-10), without SIP."""

from __future__ import annotations

import hashlib
import time

from voice.sipguard import Guard, GuardConfig, challenge, digest_ok, ha1, mask_uri, parse_digest

MSG = "INVITE sip:ivr@10.0.0.5 SIP/2.0\r\nFrom: <sip:13800138000@10.0.0.9>\r\n\r\n"


def test_only_listed_sources_are_answered():
    g = Guard(GuardConfig(allowed_sources=("192.168.1.20", "10.8.0.0/16")))
    assert g.decide("192.168.1.20:5060", MSG).code == 200
    assert g.decide("10.8.3.4:5060", MSG).code == 200
    assert g.decide("192.168.1.21:5060", MSG).code == 403
    assert g.decide("[::1]:5060", MSG).code == 403


def test_proxy_header_is_trusted_only_from_the_proxy():
    g = Guard(GuardConfig(allowed_sources=("192.168.1.20",), proxies=("127.0.0.1",)))
    via_proxy = MSG.replace("\r\n\r\n", "\r\nX-Reception-Source: 192.168.1.20:5060\r\n\r\n")
    assert g.decide("127.0.0.1:5060", via_proxy).code == 200
    assert g.decide("192.168.1.99:5060", via_proxy).code == 403  # not from the proxy: ignored


def test_unacknowledged_calls_are_limited_per_source_and_expire():
    g = Guard(
        GuardConfig(allowed_sources=("0.0.0.0/0",), max_pending_per_source=2, ack_timeout_s=0.05)
    )
    for cid in (1, 2):
        assert g.decide("1.2.3.4:5060", MSG).code == 200
        g.answered(cid, "1.2.3.4")
    assert g.decide("1.2.3.4:5060", MSG).code == 486
    assert g.decide("5.6.7.8:5060", MSG).code == 200  # another source is not held up
    g.confirmed(1)
    assert g.decide("1.2.3.4:5060", MSG).code == 200
    time.sleep(0.06)
    assert g.expired() == [(2, "1.2.3.4")]


def _answer(cfg: GuardConfig, password: str, nonce: str) -> str:
    a1 = hashlib.md5(f"{cfg.auth_user}:{cfg.auth_realm}:{password}".encode()).hexdigest()
    a2 = hashlib.md5(b"INVITE:sip:ivr@10.0.0.5").hexdigest()
    resp = hashlib.md5(f"{a1}:{nonce}:00000001:abc:auth:{a2}".encode()).hexdigest()
    return (f'Digest username="{cfg.auth_user}", realm="{cfg.auth_realm}", nonce="{nonce}", '
            f'uri="sip:ivr@10.0.0.5", response="{resp}", qop=auth, nc=00000001, cnonce="abc"')  # fmt: skip


def test_digest_round_trip_and_stale_or_wrong_answers():
    cfg = GuardConfig(auth_user="gw", auth_ha1=ha1("gw", "reception", "pw"))
    nonce = parse_digest(challenge(cfg))["nonce"]
    assert digest_ok(cfg, "INVITE", _answer(cfg, "pw", nonce))
    assert not digest_ok(cfg, "INVITE", _answer(cfg, "guess", nonce))
    old = parse_digest(challenge(cfg, now=time.time() - 3600))["nonce"]
    assert not digest_ok(cfg, "INVITE", _answer(cfg, "pw", old))
    g = Guard(cfg)
    assert g.decide("127.0.0.1:5060", MSG).code == 401
    authed = MSG.replace("\r\n\r\n", f"\r\nAuthorization: {_answer(cfg, 'pw', nonce)}\r\n\r\n")
    assert g.decide("127.0.0.1:5060", authed).code == 200


def test_uris_are_masked_for_the_log():
    assert mask_uri('"x" <sip:13800138000@gw:5060>;tag=1') == "sip:138****8000@gw:5060"
