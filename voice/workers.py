"""`reception hotline --workers N`: N SIP worker processes, behind kamailio or side by side.

The pjsua2 wheel holds 4 calls a process, so capacity means processes. With a front
(``[hotline] front``), kamailio answers on ``sip_bind:sip_port`` and dispatches to the
workers on ``worker_port + 10*k``; each worker then refuses a call past ``max_calls`` with
486 so kamailio tries the next one. Without, worker k listens on ``sip_port + 10*k``.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from desk.config import Settings
from desk.config_hotline import HotlineSettings

log = logging.getLogger(__name__)

FRONTS = ("auto", "kamailio", "external", "none")
LOOPBACK_PROXIES = ("127.0.0.0/8", "::1/128")


@dataclass(frozen=True)
class Plan:
    front: str
    """kamailio (started here), external (its own service) or none."""
    ports: tuple[int, ...]
    """SIP port of each worker (worker 0 is this process, with the dialer)."""


def choose_front(h: HotlineSettings, workers: int, wanted: str = "") -> str:
    from voice import kamailio

    front = wanted or h.front
    if front not in FRONTS:
        raise ValueError(f"[hotline] front = {front!r}: one of {', '.join(FRONTS)}")
    if front == "auto":
        front = "kamailio" if workers > 1 and kamailio.available() else "none"
    if front == "kamailio" and not kamailio.available():
        raise RuntimeError("kamailio is not installed (apt-get install kamailio)")
    return front


def plan(h: HotlineSettings, workers: int, front: str) -> Plan:
    n = max(1, workers)
    base = h.sip_port if front == "none" else h.worker_port
    return Plan(front, tuple(base + 10 * k for k in range(n)))


def worker_settings(settings: Settings, port: int, rtp_port: int, behind_proxy: bool) -> Settings:
    """The settings one worker runs with: its ports; behind a proxy, trust it and cap calls."""
    h = settings.hotline
    if behind_proxy:
        proxies = h.sip_proxies or tuple(dict.fromkeys((*LOOPBACK_PROXIES, h.sip_bind)))
        h = dataclasses.replace(h, sip_proxies=proxies)
    h = dataclasses.replace(h, sip_port=port, rtp_port=rtp_port)
    return dataclasses.replace(settings, hotline=h)


def front_config(settings: Settings, p: Plan):  # noqa: ANN201 - voice.kamailio.FrontConfig
    from voice.hotline import sip_config
    from voice.kamailio import FrontConfig

    h = settings.hotline
    allowed = sip_config(h).guard.allowed_sources
    local = tuple(f"{h.sip_bind}:{port}" for port in p.ports)
    return FrontConfig(h.sip_bind, h.sip_port, local + tuple(h.remote_workers), allowed)


def write_kamailio_config(settings: Settings, workers: int, out_dir: Path) -> Path:
    """For the kamailio service (ExecStartPre): its config from [hotline]."""
    from voice.kamailio import write_config

    return write_config(
        front_config(settings, plan(settings.hotline, workers, "external")), out_dir
    )


def spawn(settings: Settings, port: int, rtp_port: int, behind_proxy: bool) -> subprocess.Popen:
    """One more worker process (no dialer: worker 0 places the outbound calls)."""
    argv = [sys.executable, "-m", "desk.cli"]
    if settings.source != "<defaults>":
        argv += ["--config", settings.source]
    argv += ["--data", str(settings.store.data_dir), "hotline", "--no-dialer", "--workers", "1",
             "--port", str(port), "--rtp-port", str(rtp_port)]  # fmt: skip
    if behind_proxy:
        argv.append("--behind-proxy")
    return subprocess.Popen(argv)


def softphone_lines(h: HotlineSettings, directory: Path) -> list[str]:
    """How a person at this machine calls the hotline (printed by `reception demo`)."""
    from voice.baresip import dial_command, has_sound_card, softphone_config

    host = h.sip_public or (h.sip_bind if h.sip_bind not in ("0.0.0.0", "::", "") else "127.0.0.1")
    uri = f"sip:{h.sip_user}@{host}:{h.sip_port}"
    softphone_config(directory)
    return [
        "用软电话拨打热线 / call the hotline from a softphone:",
        f"  {dial_command(directory, uri)}",
        "  (通话中在 baresip 终端直接按 0-9 * # 发送按键；按 b 挂机，q 退出)",
        *([] if has_sound_card() else ["  (本机没有声卡：听不到提示音，按键照常发送)"]),
        f"  其他 SIP 软电话 (Linphone, MicroSIP, Zoiper): 直接呼叫 {uri} ，编码 PCMU/PCMA，DTMF RFC 2833",
    ]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--front", choices=FRONTS, default="",
                   help="what answers on sip_port: kamailio over the workers, external kamailio, none")  # fmt: skip
    p.add_argument("--behind-proxy", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--softphone", metavar="DIR", type=Path,
                   help="write a baresip config into DIR and print how to call the hotline")  # fmt: skip
    p.add_argument("--kamailio-config", metavar="DIR", type=Path,
                   help="write kamailio's config for --workers N into DIR and exit")  # fmt: skip
