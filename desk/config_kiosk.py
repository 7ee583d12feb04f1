"""Settings of the lobby kiosk (owned by the kiosk package)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KioskSettings:
    fullscreen: bool = False
    """Borderless fullscreen without a cursor (production); windowed for the demo."""
    idle_seconds: int = 60
    """Seconds without a touch before the kiosk wipes input and returns home."""
    idle_warning_seconds: int = 45
    """Seconds without a touch before the idle warning is shown."""
    kiosk_id: str = "kiosk-1"
    """Name of this kiosk (a lockout source, shown in records)."""
    width: int = 1280
    """Window width in pixels when not fullscreen."""
    height: int = 800
    """Window height in pixels when not fullscreen."""
    font_path: str = ""
    """CJK font file (TTF/TTC) registered as the default; empty: search the system (fonts-noto-cjk)."""
    font_face: str = "SC"
    """Face of a font collection (.ttc) to use: SC for Simplified Chinese glyph forms (Kivy would
    otherwise take face 0, Japanese in Noto Sans CJK); extracted once into the cache. Empty: face 0."""
    language: str = "zh"
    """Language shown at start and after every idle reset: "zh" or "en"."""
    voice_guidance: bool = False
    """Read each screen's prompt aloud (rendered ahead of time by speech.tts, cached, played through
    ``audio_output``); 长辈模式 turns it on for one visit."""
    audio_output: str = ""
    """Where prompts are played: empty for the sound card (aplay/paplay), or a ``.wav`` path: a file
    sink that receives exactly what would be heard (tests, CI, the benchmark)."""
    elder_idle_factor: int = 3
    """长辈模式 waits this many times longer before the idle warning and the reset."""
    record_seconds: int = 30
    """Longest spoken note for a repair request."""
    speech_model: str = ""
    """Vosk model directory to transcribe spoken notes; empty: keep the audio only."""
    host_wait_seconds: int = 180
    """How long the visitor screen waits for the host's answer (V2) before offering a message."""
    desk_lock_minutes: int = 10
    """`reception desk`: the staff window locks (log in again) after this many idle minutes."""
    desk_mode: bool = False
    """Set by `reception desk`: the staff side only, in a window, no devices, no idle wipe."""
    print_wait_seconds: float = 8.0
    """How long a receipt waits for the printer's confirmation before the kiosk says it is still
    printing (the job stays queued either way)."""
