"""Settings of the hotline IVR (owned by the voice package)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HotlineSettings:
    sip_bind: str = "127.0.0.1"
    """Address the SIP endpoint binds to and advertises."""
    sip_port: int = 5080
    """SIP UDP port for inbound calls (point the FXO gateway or trunk here)."""
    sip_user: str = "ivr"
    """SIP user part the hotline answers as."""
    vosk_model_dir: str = ""
    """Directory of a Vosk model; empty means the data dir's models/ or keys only."""
