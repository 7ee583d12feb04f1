"""kamailio in front of the hotline workers: its configuration from the settings, and a runner.

deploy/kamailio/kamailio.cfg is the routing logic (allow-list, per-source rate, dispatcher
with OPTIONS probing and failover); ``write_config`` puts it next to the site values
(reception.cfg) and the dispatcher list, from ``[hotline]``.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

TEMPLATE = Path(__file__).resolve().parents[1] / "deploy" / "kamailio" / "kamailio.cfg"


def binary() -> str | None:
    found = shutil.which("kamailio")
    if found:
        return found
    return "/usr/sbin/kamailio" if Path("/usr/sbin/kamailio").exists() else None


def available() -> bool:
    """Whether kamailio is installed (Debian package `kamailio`) and its config is here."""
    return binary() is not None and TEMPLATE.exists()


@dataclass(frozen=True)
class FrontConfig:
    host: str
    port: int
    workers: tuple[str, ...]
    """host:port of each hotline worker."""
    allowed: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    pike_density: int = 200
    """Requests one source may send in 2 s before it is blocked a while (a gateway with
    many lines sends ~4 a call: INVITE, ACK, BYE, and retransmissions)."""


def _cidr(spec: str) -> str:
    import ipaddress

    return str(ipaddress.ip_network(spec.strip(), strict=False))


def write_config(cfg: FrontConfig, out_dir: Path) -> Path:
    """kamailio.cfg + reception.cfg + dispatcher.list in ``out_dir``; the cfg's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    main = out_dir / "kamailio.cfg"
    main.write_text(TEMPLATE.read_text())
    dispatcher = out_dir / "dispatcher.list"
    dispatcher.write_text(
        "# setid destination flags priority attributes (written by reception)\n"
        + "".join(f"1 sip:{w} 0 0 duid=w{k}\n" for k, w in enumerate(cfg.workers))
    )
    allowed = ",".join(_cidr(a) for a in cfg.allowed)
    (out_dir / "reception.cfg").write_text(
        "# site values for kamailio.cfg (written by reception from [hotline])\n"
        f"#!define RECEPTION_LISTEN udp:{cfg.host}:{cfg.port}\n"
        f'#!define RECEPTION_ALLOWED "{allowed}"\n'
        f'#!define RECEPTION_DISPATCHER_LIST "{dispatcher}"\n'
        f"#!define RECEPTION_PIKE_DENSITY {int(cfg.pike_density)}\n"
    )
    return main


def check_config(path: Path) -> str:
    """Run ``kamailio -c``; the error text, or '' when the config is fine."""
    exe = binary()
    if exe is None:
        return "kamailio is not installed"
    out = subprocess.run([exe, "-c", "-f", str(path)], capture_output=True, text=True, timeout=30)
    return "" if out.returncode == 0 else (out.stderr or out.stdout)[-2000:]


def options_ping(host: str, port: int, timeout: float = 1.0) -> int:
    """Send one SIP OPTIONS over UDP; the status code of the answer, 0 when none came."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((host if host not in ("0.0.0.0", "") else "127.0.0.1", 0))
        s.settimeout(timeout)
        lhost, lport = s.getsockname()
        tag = uuid.uuid4().hex[:10]
        msg = (
            f"OPTIONS sip:{host}:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {lhost}:{lport};branch=z9hG4bK{tag};rport\r\n"
            f"From: <sip:probe@{lhost}>;tag={tag}\r\nTo: <sip:{host}:{port}>\r\n"
            f"Call-ID: {tag}@{lhost}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 10\r\n"
            "Content-Length: 0\r\n\r\n"
        )
        s.sendto(msg.encode(), (host, port))
        try:
            data = s.recv(4096).decode(errors="replace")
        except OSError:
            return 0
    parts = data.split(" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


class Kamailio:
    """One kamailio process on ``cfg.host:cfg.port`` (tests, `reception demo`, --front kamailio)."""

    def __init__(self, cfg: FrontConfig, work_dir: Path, nice: int = 0):
        self.cfg = cfg
        self.nice = nice
        self.dir = work_dir
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 10.0) -> Kamailio:
        exe = binary()
        if exe is None:
            raise RuntimeError("kamailio is not installed (apt-get install kamailio)")
        path = write_config(self.cfg, self.dir)
        problem = check_config(path)
        if problem:
            raise RuntimeError(f"kamailio config {path} rejected: {problem}")
        run = self.dir / "run"
        run.mkdir(exist_ok=True)
        self.log_path = self.dir / "kamailio.log"
        self.proc = subprocess.Popen(
            (["nice", "-n", str(self.nice)] if self.nice else [])
            + [exe, "-DD", "-E", "-f", str(path), "-m", "32", "-M", "4", "-Y", str(run)],
            stdout=subprocess.DEVNULL,
            stderr=open(self.log_path, "wb"),  # noqa: SIM115 - kept open by the child
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"kamailio exited; see {self.log_path}")
            if options_ping(self.cfg.host, self.cfg.port, 0.3) == 200:
                log.info(
                    "kamailio up on %s:%d over %s", self.cfg.host, self.cfg.port, self.cfg.workers
                )
                return self
        self.stop()
        raise RuntimeError(
            f"kamailio did not answer on {self.cfg.host}:{self.cfg.port}; see {self.log_path}"
        )

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(5)
        self.proc = None

    def __enter__(self) -> Kamailio:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
