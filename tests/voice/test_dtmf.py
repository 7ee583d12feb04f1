"""In-band DTMF detector on generated tones, and the G.711 codecs."""

import numpy as np
import pytest

from voice import g711
from voice.dtmf import DtmfDetector, _powers, detect, goertzel_power, silence, tone
from voice.events import DTMF_DIGITS

RNG = np.random.default_rng(7)


def sequence(digits: str, on_ms: float = 80, off_ms: float = 60, **kw) -> np.ndarray:
    parts = [silence(50)]
    for d in digits:
        parts += [tone(d, on_ms, **kw), silence(off_ms)]
    return np.concatenate(parts)


def test_all_16_digits():
    assert detect(sequence(DTMF_DIGITS)) == DTMF_DIGITS


def test_repeated_digit_needs_a_pause():
    assert detect(sequence("1111")) == "1111"
    assert detect(tone("5", 500)) == "5"


@pytest.mark.parametrize("twist", [-3.0, 0.0, 3.0, 6.0])
def test_twist_within_limits(twist):
    assert detect(sequence("159#", twist_db=twist)) == "159#"


def test_excessive_twist_rejected():
    assert detect(sequence("1", twist_db=12.0)) == ""
    assert detect(sequence("1", twist_db=-8.0)) == ""


def test_noise_at_15db_snr():
    sig = sequence("24680*", amplitude=8000).astype(np.float64)
    noise = RNG.normal(0, 8000 / np.sqrt(2) / 10 ** (15 / 20) * np.sqrt(2), len(sig))
    assert detect(np.clip(sig + noise, -32768, 32767).astype(np.int16)) == "24680*"


def test_noise_alone_and_speechlike_tone_give_nothing():
    assert detect(RNG.normal(0, 3000, 8000).astype(np.int16)) == ""
    t = np.arange(8000) / 8000
    vowel = sum(np.sin(2 * np.pi * 220 * k * t) / k for k in range(1, 12)) * 3000
    assert detect(vowel.astype(np.int16)) == ""


def test_short_tones():
    assert detect(sequence("7", on_ms=45)) == "7"
    assert detect(sequence("7", on_ms=20)) == ""


def test_quiet_tone_rejected_loud_enough_accepted():
    assert detect(sequence("3", amplitude=300)) == ""
    assert detect(sequence("3", amplitude=2000)) == "3"


@pytest.mark.parametrize("codec", ["PCMU", "PCMA"])
def test_g711_round_trip_keeps_digits(codec):
    enc, dec = g711.CODECS[codec]
    sig = sequence("0123456789*#")
    assert detect(dec(enc(sig))) == "0123456789*#"


def test_streaming_in_20ms_frames_matches_whole():
    sig = sequence("9#8")
    det = DtmfDetector()
    got = "".join(d for i in range(0, len(sig), 160) for d in det.feed(sig[i : i + 160]))
    assert got == "9#8"


def test_vectorised_power_equals_goertzel():
    block = tone("6", 30)[:205].astype(np.float64)
    p, _ = _powers(block)
    assert goertzel_power(block, 770.0) == pytest.approx(p[1], rel=1e-6)
    assert goertzel_power(block, 1477.0) == pytest.approx(p[6], rel=1e-6)


@pytest.mark.parametrize("codec", ["PCMU", "PCMA"])
def test_g711_error_is_small(codec):
    enc, dec = g711.CODECS[codec]
    x = np.linspace(-32000, 32000, 4001).astype(np.int16)
    y = dec(enc(x)).astype(np.float64)
    rel = np.abs(y - x) / np.maximum(np.abs(x), 256)
    assert rel.max() < 0.07
    assert dec(enc(np.zeros(10, np.int16))).max() <= 8


def test_g711_known_codes():
    assert g711.ulaw_encode(np.array([0], np.int16)) == b"\xff"
    assert g711.alaw_encode(np.array([0], np.int16)) == b"\xd5"
    assert g711.ulaw_decode(b"\x00")[0] == -32124
    assert g711.alaw_decode(b"\xd5")[0] == 8
