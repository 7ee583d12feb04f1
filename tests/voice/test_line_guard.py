"""A line nobody can spoof or abuse (issue 14, items 9-12) through real SIP calls on loopback.

Ports are picked free (other engineers run tests/voice at the same time).
"""

from __future__ import annotations

import dataclasses
import logging
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from desk.config_hotline import HotlineSettings
from desk.record_types import Call
from desk.records import Actor, Role
from desk.services.requests import RepairRequest
from voice import baresip as bs
from voice import sip
from voice.sipguard import Guard, GuardConfig, ha1

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (sip.available() and bs.available()), reason="needs pjsua2 and baresip"),
]

ROOT = Path(__file__).resolve().parents[2]
STAFF = Actor(Role.STAFF, "staff", "test")


@pytest.fixture(scope="module")
def line():
    port = bs.free_port(3)
    ln = sip.SipLine(sip.SipConfig(port=port, rtp_port=bs.free_port(1) // 2 * 2))
    ln.start(lambda ch: None)
    yield ln
    ln.stop()


@pytest.fixture
def hotline(line, desk, settings, resources):
    from voice.hotline import Hotline

    gw = bs.free_port(2)
    h = dataclasses.replace(HotlineSettings(), sip_port=line.config.port, goodbye_wait_s=0.3,
                            outbound_uri=f"sip:{{number}}@127.0.0.1:{gw}", ring_timeout_s=8.0)  # fmt: skip
    hl = Hotline(dataclasses.replace(settings, hotline=h), desk, line, resources)
    hl.gateway_port = gw
    line.set_handler(hl.on_call)
    line.guard = Guard(GuardConfig())
    yield hl
    line.set_handler(lambda ch: None)
    line.guard = Guard(GuardConfig())


def wait_for(pred, timeout=15.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("timed out")


def caller(tmp_path: Path, name: str, host="127.0.0.1", user="13912345678", **kw) -> bs.Baresip:
    port = bs.free_port(2, host)
    return bs.Baresip(port, bs.free_port(1), user=user, workdir=tmp_path / name, host=host, **kw)


def established(b: bs.Baresip, timeout: float = 8.0) -> bool:
    """True once the call is up; False as soon as baresip reports it closed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if b.wait_event("CALL_ESTABLISHED", 0.05):
            return True
        if b.wait_event("CALL_CLOSED", 0.05):
            return False
    return False


def test_9_source_not_allowed_gets_403_and_is_logged_masked(line, hotline, tmp_path, caplog):
    line.guard = Guard(GuardConfig(allowed_sources=("127.0.0.1/32",)))
    caplog.set_level(logging.WARNING, logger="voice.sip")
    with caller(tmp_path, "stranger", host="127.0.0.2") as b:
        b.dial(f"sip:ivr@127.0.0.1:{line.config.port}")
        assert not established(b)
        closed = b.wait_event("CALL_CLOSED", 5)
    assert closed and "403" in closed.get("param", "")
    assert (403, "127.0.0.2") in line.rejected
    text = caplog.text
    assert "127.0.0.2" in text and "139****5678" in text and "13912345678" not in text
    with caller(tmp_path, "gateway") as b:  # the configured source still gets through
        b.dial(f"sip:ivr@127.0.0.1:{line.config.port}")
        assert established(b)
        b.hangup()


def test_9_digest_required_when_configured(line, hotline, tmp_path):
    line.guard = Guard(
        GuardConfig(
            auth_user="gw", auth_realm="reception", auth_ha1=ha1("gw", "reception", "s3cret-pw")
        )
    )
    with caller(tmp_path, "nocreds") as b:
        b.dial(f"sip:ivr@127.0.0.1:{line.config.port}")
        assert not established(b)
    with caller(tmp_path, "wrong", auth=("gw", "guess")) as b:
        b.dial(f"sip:ivr@127.0.0.1:{line.config.port}")
        assert not established(b)
    with caller(tmp_path, "creds", auth=("gw", "s3cret-pw")) as b:
        b.dial(f"sip:ivr@127.0.0.1:{line.config.port}")
        assert established(b)
        b.hangup()


def _junk_invite(sock: socket.socket, port: int, i: int) -> None:
    lp = sock.getsockname()[1]
    sdp = ("v=0\r\no=- 1 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\n"
           "m=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")  # fmt: skip
    msg = (
        f"INVITE sip:ivr@127.0.0.1:{port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.2:{lp};branch=z9hG4bK-junk{i}-{time.monotonic_ns()}\r\n"
        f"From: <sip:1370000000{i}@127.0.0.2>;tag=j{i}\r\nTo: <sip:ivr@127.0.0.1:{port}>\r\n"
        f"Call-ID: junk{i}-{time.monotonic_ns()}@127.0.0.2\r\nCSeq: 1 INVITE\r\n"
        f"Contact: <sip:1370000000{i}@127.0.0.2:{lp}>\r\nMax-Forwards: 70\r\n"
        f"Content-Type: application/sdp\r\nContent-Length: {len(sdp)}\r\n\r\n{sdp}"
    )
    sock.sendto(msg.encode(), ("127.0.0.1", port))


def test_10_unacknowledged_invites_are_limited_dropped_fast_and_never_on_the_callback_list(
    line, hotline, desk, tmp_path
):
    line.guard = Guard(GuardConfig(ack_timeout_s=2.0))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.2", 0))
    sock.settimeout(0.2)
    try:
        t0 = time.monotonic()
        for i in range(4):  # four INVITEs that are never acknowledged
            _junk_invite(sock, line.config.port, i)
        wait_for(lambda: line.active_calls >= 2, timeout=5)
        time.sleep(0.3)
        with caller(tmp_path, "real", user="13800138000") as b:  # a real caller gets through
            b.dial(f"sip:ivr@127.0.0.1:{line.config.port}")
            assert established(b)
            # per source: two wait for their ACK, the others were refused at once
            assert sum(1 for c, s in line.rejected if c == 486 and s == "127.0.0.2") == 2
            # the junk calls are gone long before pjsua's 32-64 s
            wait_for(lambda: line.active_calls == 1, timeout=6)
            assert time.monotonic() - t0 < 10
            b.hangup()
            wait_for(lambda: b.wait_event("CALL_CLOSED", 0.1), timeout=10)
    finally:
        sock.close()
    wait_for(lambda: not hotline.active, timeout=10)
    calls = [Call.from_doc(d) for d in desk.store.iter_days("call")]
    assert not [c for c in calls if c.caller.startswith("137000000")]  # no junk on any list
    assert [c.caller for c in calls] == ["13800138000"]


def test_11_follow_up_never_dials_an_international_number(line, hotline, desk, tmp_path):
    def done_order(phone: str):
        o = desk.repairs.report(RepairRequest(location="3-2-501", category="water", description="滴水",
                                              contact_name="张三", contact_phone=phone), STAFF)  # fmt: skip
        desk.repairs.dispatch(o.number, STAFF)
        for action in ("accept", "arrive"):
            desk.repairs.transition(o.number, action, STAFF)
        desk.repairs.complete(o.number, STAFF)
        return o

    fraud = done_order("008821234567")  # typed by an anonymous caller: a satellite number
    gw = hotline.gateway_port
    # baresip answers only calls to its own user: each one stands for the far end of a number
    with bs.Baresip(
        gw, bs.free_port(1), user="008821234567", auto_answer=True, workdir=tmp_path / "intl"
    ) as b:
        assert hotline.dialer.follow_up(fraud) is None
        assert not b.wait_event("CALL_ESTABLISHED", 1.0)  # the gateway was never asked to dial it
        assert not b.events
    ok = done_order("+86 138-0013-8000")
    with bs.Baresip(
        gw, bs.free_port(1), user="13800138000", auto_answer=True, workdir=tmp_path / "dom"
    ) as b:
        t = threading.Thread(target=hotline.dialer.follow_up, args=(ok,))
        t.start()
        assert b.wait_event("CALL_ESTABLISHED", 10)  # +86 number normalised and dialled
        b.hangup()
        t.join(30)


PJLOG_SCRIPT = textwrap.dedent(
    """
    import logging, socket, sys, time
    from desk.masking import install_log_masking
    from voice import sip
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    install_log_masking()
    port = int(sys.argv[1])
    ln = sip.SipLine(sip.SipConfig(port=port, rtp_port=int(sys.argv[2]), log_level=5))
    ln.start(lambda ch: None)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    bad = (f"INVITE sip:ivr@127.0.0.1:{port} SIP/2.0\\r\\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKx\\r\\n"
           "From: \\"13912345678\\" <sip:13912345678@127.0.0.1>;tag=1\\r\\nTo: <sip:ivr@127.0.0.1>\\r\\n"
           "Call-ID: 1@x\\r\\nCSeq: one INVITE\\r\\nContent-Length: 0\\r\\n\\r\\n")
    for _ in range(3):
        s.sendto(bad.encode(), ("127.0.0.1", port))
        time.sleep(0.3)
    ln.stop()
    """
)


def test_12_pjsip_log_goes_through_the_masking_logger(tmp_path):
    """Malformed INVITEs with a caller number, PJSIP at its most verbose (X1)."""
    port, rtp = bs.free_port(3), bs.free_port(2)
    out = subprocess.run([sys.executable, "-c", PJLOG_SCRIPT, str(port), str(rtp)], cwd=ROOT,
                         capture_output=True, text=True, timeout=60,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})  # fmt: skip
    both = out.stdout + out.stderr
    assert out.returncode == 0, both
    assert "13912345678" not in both  # never the whole number, on stdout or stderr
    assert "139****5678" in out.stderr  # the packets were logged (level 5 dumps them), masked
    assert "pjsip" in out.stderr  # through Python logging
