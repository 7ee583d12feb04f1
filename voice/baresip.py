"""baresip as a scripted far end (tests, benchmark, demos): dial, keys, answer, hang up."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

DIGIT_PACE_S = 0.35
"""baresip sends each digit for ~240 ms; keys sent faster queue up."""


def available() -> bool:
    return shutil.which("baresip") is not None


def free_port(span: int = 2, host: str = "127.0.0.1") -> int:
    """A port p with p..p+span-1 free for UDP and TCP on ``host`` (tests run side by side)."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((host, 0))
            base = s.getsockname()[1]
        if base + span >= 65535:
            continue
        held = []
        try:
            for p in range(base, base + span):
                for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                    t = socket.socket(socket.AF_INET, kind)
                    held.append(t)
                    t.bind((host, p))
            return base
        except OSError:
            continue
        finally:
            for t in held:
                t.close()
    raise RuntimeError("no free port range")


def write_wav(path: Path, pcm: np.ndarray, rate: int = 8000) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.asarray(pcm, dtype=np.int16).tobytes())
    return path


def hum(seconds: float, level: float = 3000) -> np.ndarray:
    """A voice-like hum (not a DTMF pair): keeps baresip's call alive and fills recordings."""
    t = np.arange(int(8000 * seconds)) / 8000
    sig = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 6))
    return (sig / 2.3 * level).astype(np.int16)


def has_sound_card() -> bool:
    try:
        cards = Path("/proc/asound/cards").read_text()
    except OSError:
        return False
    return bool(cards.strip()) and "no soundcards" not in cards


def softphone_config(directory: Path, sip_port: int = 0) -> Path:
    """A baresip config dir for a person at this machine: sound card, keys on the terminal.

    Without a sound card the caller hears nothing and sends a quiet hum, but keys work."""
    directory.mkdir(parents=True, exist_ok=True)
    port = sip_port or free_port(2)
    if has_sound_card():
        audio = [
            "audio_player alsa,default",
            "audio_source alsa,default",
            "audio_alert alsa,default",
        ]
    else:
        wav = write_wav(directory / "no-sound-card.wav", hum(1800, level=300))
        audio = ["audio_player alsa,null", f"audio_source aufile,{wav}", "ausrc_srate 8000",
                 "auplay_srate 8000", "module aufile.so"]  # fmt: skip
    (directory / "config").write_text(
        "\n".join(
            [
                f"sip_listen 127.0.0.1:{port}",
                "sip_transports udp",
                *audio,
                "audio_telev_pt 101",
                "module_path /usr/lib/baresip/modules",
                "module stdio.so",
                "module g711.so",
                "module alsa.so",
                "module_app account.so",
                "module_app menu.so",
                "",
            ]
        )
    )
    (directory / "accounts").write_text(f"<sip:demo@127.0.0.1:{port}>;regint=0\n")
    return directory


def dial_command(directory: Path, uri: str) -> str:
    """The exact command line that starts baresip with ``directory`` and dials ``uri``."""
    return f'baresip -f {directory} -e "/dial {uri}"'


class Baresip:
    """One baresip process with a ctrl_tcp socket speaking JSON netstrings."""

    def __init__(
        self,
        sip_port: int,
        ctrl_port: int,
        wav: Path | None = None,
        user: str = "caller",
        auto_answer: bool = False,
        workdir: Path | None = None,
        host: str = "127.0.0.1",
        auth: tuple[str, str] | None = None,
        nice: int = 0,
    ):
        self.host = host
        self.nice = nice
        """Nice increment (bench: the callers stand in for phones elsewhere)."""
        self.auth = auth
        """(user, password) for SIP digest, or None."""
        self.sip_port = sip_port
        self.ctrl_port = ctrl_port
        self.user = user
        self.dir = Path(workdir or tempfile.mkdtemp(prefix="baresip-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.wav = wav or write_wav(self.dir / "source.wav", hum(120))
        self.auto_answer = auto_answer
        self.proc: subprocess.Popen | None = None
        self.sock: socket.socket | None = None
        self.events: list[dict[str, Any]] = []
        self._buf = b""
        self._lock = threading.Lock()
        self._reader: threading.Thread | None = None

    def _write_config(self) -> None:
        (self.dir / "config").write_text(
            "\n".join(
                [
                    f"sip_listen {self.host}:{self.sip_port}",
                    "audio_player alsa,null",
                    f"audio_source aufile,{self.wav}",
                    "ausrc_srate 8000",
                    "auplay_srate 8000",
                    "audio_telev_pt 101",
                    "module_path /usr/lib/baresip/modules",
                    "module g711.so",
                    "module aufile.so",
                    "module alsa.so",
                    "module_app account.so",
                    "module_app menu.so",
                    "module_app ctrl_tcp.so",
                    f"ctrl_tcp_listen 127.0.0.1:{self.ctrl_port}",
                    "sip_transports udp",
                    "",
                ]
            )
        )
        answer = ";answermode=auto" if self.auto_answer else ""
        auth = f";auth_user={self.auth[0]};auth_pass={self.auth[1]}" if self.auth else ""
        (self.dir / "accounts").write_text(
            f"<sip:{self.user}@{self.host}:{self.sip_port}>;regint=0{answer}{auth}\n"
        )

    def start(self) -> Baresip:
        self._write_config()
        self.proc = subprocess.Popen(
            (["nice", "-n", str(self.nice)] if self.nice else [])
            + ["baresip", "-f", str(self.dir), "-n", self.host]
            + (["-s"] if os.environ.get("BARESIP_TRACE") else []),
            stdin=subprocess.DEVNULL,
            stdout=open(self.dir / "stdout.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                self.sock = socket.create_connection(("127.0.0.1", self.ctrl_port), timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError("baresip did not open its control port; see " + str(self.dir))
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        assert self.sock is not None
        self.sock.settimeout(None)
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                return
            if not data:
                return
            self._buf += data
            while b":" in self._buf:
                head, rest = self._buf.split(b":", 1)
                n = int(head)
                if len(rest) < n + 1:
                    break
                msg, self._buf = rest[:n], rest[n + 1 :]
                try:
                    doc = json.loads(msg)
                except ValueError:
                    continue
                with self._lock:
                    self.events.append(doc)

    def command(self, command: str, params: str = "") -> None:
        assert self.sock is not None
        body = json.dumps({"command": command, "params": params, "token": command}).encode()
        self.sock.sendall(str(len(body)).encode() + b":" + body + b",")

    def dial(self, uri: str) -> None:
        self.command("dial", uri)

    def keys(self, digits: str, pace: float = DIGIT_PACE_S) -> None:
        for d in digits:
            self.command("sndcode", d)
            time.sleep(pace)

    def hangup(self) -> None:
        self.command("hangup")

    def wait_event(self, etype: str, timeout: float = 10.0) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for e in self.events:
                    if e.get("type") == etype:
                        return e
            time.sleep(0.02)
        return None

    def stop(self) -> None:
        if self.sock:
            with contextlib.suppress(OSError):
                self.command("quit")
        if self.proc:
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(3)
        if self.sock:
            self.sock.close()

    def __enter__(self) -> Baresip:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
