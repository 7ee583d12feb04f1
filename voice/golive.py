"""The hotline's lines of `reception check`: SIP OPTIONS to the line and the outbound route, the speech model."""

from __future__ import annotations

import logging
import re
import secrets
import socket
import time
from pathlib import Path
from typing import Any

from desk.golive import Check

log = logging.getLogger(__name__)


def options_request(target_user: str, host: str, port: int, local: tuple[str, int]) -> bytes:
    """A minimal out-of-dialog OPTIONS (RFC 3261 §11; the mandatory headers of §8.1.1)."""
    lhost, lport = local
    branch = "z9hG4bK" + secrets.token_hex(8)
    uri = f"sip:{target_user}@{host}:{port}" if target_user else f"sip:{host}:{port}"
    lines = [
        f"OPTIONS {uri} SIP/2.0",
        f"Via: SIP/2.0/UDP {lhost}:{lport};branch={branch};rport",
        "Max-Forwards: 70",
        f"From: <sip:check@{lhost}>;tag={secrets.token_hex(4)}",
        f"To: <{uri}>",
        f"Call-ID: {secrets.token_hex(8)}@{lhost}",
        "CSeq: 1 OPTIONS",
        f"Contact: <sip:check@{lhost}:{lport}>",
        "Accept: application/sdp",
        "User-Agent: reception-check",
        "Content-Length: 0",
        "",
        "",
    ]
    return "\r\n".join(lines).encode("ascii")


def sip_options(
    host: str, port: int, user: str = "", timeout: float = 1.0
) -> tuple[int, str] | None:
    """Send OPTIONS over UDP; the final response's (code, reason), or None on silence.

    Any final response, even 404 or 405, means a SIP stack is listening there."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect((host, port))
            local = sock.getsockname()[:2]
            sock.send(options_request(user, host, port, local))
            deadline = time.monotonic() + timeout
            while True:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                data = sock.recv(65535)
                m = re.match(rb"SIP/2\.0 (\d{3}) ?([^\r\n]*)", data)
                if m and int(m.group(1)) >= 200:
                    return int(m.group(1)), m.group(2).decode("utf-8", "replace")
        except (TimeoutError, OSError) as exc:  # silence, ICMP port unreachable, no route
            log.debug("OPTIONS %s:%d: %s", host, port, exc)
            return None


def route_of(uri: str) -> tuple[str, int]:
    """Host and port of a SIP URI like ``sip:{number}@192.168.1.20:5060;transport=udp``."""
    rest = uri.split(":", 1)[1] if uri.lower().startswith("sip:") else uri
    rest = rest.split("@", 1)[-1].split(";", 1)[0].split("?", 1)[0]
    if rest.startswith("["):
        host, _, tail = rest[1:].partition("]")
        return host, int(tail.lstrip(":") or 5060)
    host, _, port = rest.partition(":")
    return host, int(port or 5060)


def check_sip(settings: Any) -> list[Check]:
    h = settings.hotline
    timeout = settings.operations.check_timeout_s
    host = "127.0.0.1" if h.sip_bind in ("0.0.0.0", "") else h.sip_bind
    got = sip_options(host, h.sip_port, h.sip_user, timeout)
    where = f"{h.sip_public or h.sip_bind}:{h.sip_port}"
    out = [
        Check("热线 SIP", True, f"{where} 应答 OPTIONS ({got[0]} {got[1]})")
        if got
        else Check(
            "热线 SIP",
            False,
            f"{where} 对 OPTIONS 无应答",
            "systemctl start reception-hotline；网关的 SIP 服务器地址应指向 "
            f"{where}，防火墙放行 UDP {h.sip_port}",
        )  # fmt: skip
    ]
    try:
        ohost, oport = route_of(h.outbound_uri)
    except ValueError:
        out.append(Check("外呼线路", False, f"outbound_uri {h.outbound_uri!r} 无法解析",
                         "[hotline] outbound_uri 应形如 sip:{number}@网关地址:5060"))  # fmt: skip
        return out
    got = sip_options(ohost, oport, "", timeout)
    out.append(
        Check("外呼线路", True, f"{ohost}:{oport} 应答 OPTIONS ({got[0]} {got[1]})")
        if got
        else Check(
            "外呼线路",
            False,
            f"{ohost}:{oport} 对 OPTIONS 无应答",
            "检查 FXO/FXS 网关或中继的地址、端口和电源；[hotline] outbound_uri",
        )  # fmt: skip
    )
    return out


def check_model(settings: Any) -> Check:
    """The model installed by deploy/install.sh --model (its archive's SHA-256 recorded at install)."""
    from speech.asr import find_model
    from voice.models import SUM_FILE

    h = settings.hotline
    fix = ("deploy/install.sh --model vosk-model-small-cn-0.22 --model-sha256 <SHA-256>"
           "（或 reception hotline --install-model ARCHIVE --sha256 SUM）")  # fmt: skip
    model = find_model(h.vosk_model_dir, settings.store.data_dir)
    if model is None:
        return Check("语音识别模型", False, "未安装，热线只能按键", fix)
    sum_file = Path(model) / SUM_FILE
    recorded = sum_file.read_text().strip().lower() if sum_file.is_file() else ""
    want = h.vosk_model_sha256.strip().lower()
    if not recorded:
        return Check("语音识别模型", False, f"{model.name} 没有安装时的 SHA-256 记录", fix)
    if not want:
        return Check("语音识别模型", False, f"{model.name} (SHA-256 {recorded[:12]}…) 未在设置中固定",
                     f"在 [hotline] 写 vosk_model_sha256 = \"{recorded}\"（与发布的校验值核对后）")  # fmt: skip
    if recorded != want:
        return Check(
            "语音识别模型",
            False,
            f"{model.name} 的 SHA-256 {recorded[:12]}… 与设置 {want[:12]}… 不符",
            fix,
        )
    return Check("语音识别模型", True, f"{model.name}，SHA-256 {recorded[:12]}… 正确")


def checks(settings: Any) -> list[Check]:
    """All hotline lines of `reception check`."""
    return [*check_sip(settings), check_model(settings)]
