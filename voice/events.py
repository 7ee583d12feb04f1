"""Typed events at the voice boundary: what a line reports about one call."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SAMPLE_RATE = 8000
"""Line audio: 16-bit mono PCM at 8 kHz (G.711 decoded)."""
FRAME_SAMPLES = 160
"""20 ms frames, as RTP carries them."""


@dataclass(frozen=True)
class CallStarted:
    """A call was answered (inbound) or picked up by the callee (outbound)."""

    call_id: str
    caller: str
    callee: str
    direction: str = "in"


@dataclass(frozen=True)
class Dtmf:
    """A key pressed by the far end."""

    digit: str
    source: str = "rfc4733"
    """rfc4733 (telephone-event), inband (tone on the audio) or sip-info."""


@dataclass(frozen=True)
class Speech:
    """Words recognised in the caller's audio, restricted to the active grammar."""

    text: str
    confidence: float = 1.0
    margin: float = 1.0
    """Confidence distance to the second-best hypothesis."""
    unknown: bool = False
    """Nothing in the n-best list was a menu word: [unk] only, words strung together, or
    audio the model made no words of (another language, or Mandarin off the grammar)."""
    voiced_s: float = 0.0
    """Seconds of the utterance at speech level (frames over ``SPEECH_RMS``)."""


@dataclass(frozen=True)
class SilenceAfterSpeech:
    """The caller spoke and then stayed silent (ends a recording)."""


@dataclass(frozen=True)
class PlaybackDone:
    """The queued prompt audio has all been sent."""


@dataclass(frozen=True)
class HungUp:
    """The far end hung up or the call failed."""

    reason: str = ""


@dataclass(frozen=True)
class Recording:
    """Audio captured from the caller (8 kHz int16)."""

    pcm: np.ndarray = field(repr=False)

    @property
    def seconds(self) -> float:
        return len(self.pcm) / SAMPLE_RATE


Event = CallStarted | Dtmf | Speech | SilenceAfterSpeech | PlaybackDone | HungUp

DTMF_DIGITS = "123456789*0#ABCD"
