"""The kiosk draws Chinese with the Simplified Chinese face of Noto Sans CJK, not face 0 (Japanese)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.fonts import chinese_face, extract_face, ttc_families

TTC = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
pytestmark = pytest.mark.skipif(not TTC.exists(), reason="fonts-noto-cjk not installed")


def glyph(font_path: Path, ch: str, index: int = 0) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(font_path), 64, index=index)
    image = Image.new("L", (80, 80))
    ImageDraw.Draw(image).text((4, 0), ch, font=font, fill=255)
    return image.tobytes()


def test_face_0_of_the_collection_is_japanese():
    families = ttc_families(TTC)
    assert families[0].endswith(" JP") and "Noto Sans CJK SC" in families


def test_sc_face_extracted_draws_chinese_glyph_forms(tmp_path):
    out = extract_face(TTC, " SC", tmp_path / "sc.otf")
    assert out is not None and out.read_bytes()[:4] == b"OTTO"
    sc_index = ttc_families(TTC).index("Noto Sans CJK SC")
    for ch in "直骨角写":  # shared ideographs drawn differently in Japanese
        assert glyph(out, ch) == glyph(TTC, ch, sc_index)
        assert glyph(out, ch) != glyph(TTC, ch, 0)


def test_chinese_face_is_cached_and_plain_fonts_pass_through(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = chinese_face(TTC)
    assert first.parent == tmp_path / "reception" / "fonts" and first.exists()
    assert chinese_face(TTC) == first
    assert chinese_face(TTC, "") == TTC
    plain = tmp_path / "x.ttf"
    assert chinese_face(plain) == plain
