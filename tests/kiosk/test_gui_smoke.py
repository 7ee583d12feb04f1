"""Home screen under Xvfb: Chinese renders, big targets, one tap from home."""

from __future__ import annotations


def test_home_screen(k):
    assert k.screen().name == "home"
    path = k.shot("01-home")
    assert path.stat().st_size > 10_000
    for name in ("visitor", "repair", "parcel", "status", "checkout", "call_staff", "staff"):
        assert k.screen().ids[name].height >= 64
