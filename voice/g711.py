"""G.711 mu-law (PCMU) and A-law (PCMA) codecs on numpy arrays (no audioop)."""

from __future__ import annotations

import numpy as np

_BIAS = 0x84
_CLIP = 32635


def _ulaw_encode(pcm: np.ndarray) -> np.ndarray:
    x = pcm.astype(np.int32)
    sign = np.where(x < 0, 0x80, 0x00)
    mag = np.minimum(np.abs(x), _CLIP) + _BIAS
    exponent = np.floor(np.log2(mag)).astype(np.int32) - 7
    exponent = np.clip(exponent, 0, 7)
    mantissa = (mag >> (exponent + 3)) & 0x0F
    return (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8)


def _ulaw_decode_scalar(code: int) -> int:
    code = ~code & 0xFF
    sign = code & 0x80
    exponent = (code >> 4) & 0x07
    mantissa = code & 0x0F
    mag = ((mantissa << 3) + _BIAS) << exponent
    mag -= _BIAS
    return -mag if sign else mag


def _alaw_encode(pcm: np.ndarray) -> np.ndarray:
    x = pcm.astype(np.int32) >> 3  # 13-bit
    sign = np.where(x >= 0, 0x80, 0x00)
    mag = np.where(x >= 0, x, -x - 1)
    mag = np.minimum(mag, 0x0FFF)
    exponent = np.where(mag < 32, 0, np.floor(np.log2(np.maximum(mag, 1))).astype(np.int32) - 4)
    exponent = np.clip(exponent, 0, 7)
    mantissa = np.where(exponent == 0, mag >> 1, mag >> exponent) & 0x0F
    return ((sign | (exponent << 4) | mantissa) ^ 0x55).astype(np.uint8)


def _alaw_decode_scalar(code: int) -> int:
    code ^= 0x55
    sign = code & 0x80
    exponent = (code >> 4) & 0x07
    mantissa = code & 0x0F
    mag = (mantissa << 4) + 8
    if exponent:
        mag = (mag + 0x100) << (exponent - 1)
    return mag if sign else -mag


_ULAW_TABLE = np.array([_ulaw_decode_scalar(i) for i in range(256)], dtype=np.int16)
_ALAW_TABLE = np.array([_alaw_decode_scalar(i) for i in range(256)], dtype=np.int16)


def ulaw_encode(pcm: np.ndarray) -> bytes:
    """16-bit linear PCM -> mu-law bytes (PCMU)."""
    return _ulaw_encode(np.asarray(pcm, dtype=np.int16)).tobytes()


def ulaw_decode(data: bytes) -> np.ndarray:
    """Mu-law bytes -> 16-bit linear PCM."""
    return _ULAW_TABLE[np.frombuffer(data, dtype=np.uint8)]


def alaw_encode(pcm: np.ndarray) -> bytes:
    """16-bit linear PCM -> A-law bytes (PCMA)."""
    return _alaw_encode(np.asarray(pcm, dtype=np.int16)).tobytes()


def alaw_decode(data: bytes) -> np.ndarray:
    """A-law bytes -> 16-bit linear PCM."""
    return _ALAW_TABLE[np.frombuffer(data, dtype=np.uint8)]


CODECS = {"PCMU": (ulaw_encode, ulaw_decode), "PCMA": (alaw_encode, alaw_decode)}
