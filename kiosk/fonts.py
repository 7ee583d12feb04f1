"""Register a CJK font as Kivy's default so Chinese never shows as empty boxes."""

from __future__ import annotations

import logging
import os
import struct
from importlib import resources
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

ASSETS = Path(str(resources.files("assets")))
CANDIDATES = (
    ASSETS / "fonts" / "NotoSansCJK-Regular.ttc",
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
)


class FontMissing(RuntimeError):
    """No CJK font found; install fonts-noto-cjk or set [kiosk] font_path."""


def find_cjk_font(configured: str = "") -> tuple[Path, Path | None]:
    """The regular CJK font file and, if present next to it, the bold one."""
    paths = [Path(configured)] if configured else list(CANDIDATES)
    for path in paths:
        if path.is_file():
            bold = path.with_name(path.name.replace("Regular", "Bold"))
            return path, bold if bold != path and bold.is_file() else None
    raise FontMissing(f"no CJK font among {[str(p) for p in paths]}; install fonts-noto-cjk")


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "reception" / "fonts"


def _face_tables(fh: BinaryIO, offset: int) -> tuple[bytes, list[tuple[bytes, int, int, int]]]:
    """The offset-table header and the (tag, checksum, offset, length) records of one face."""
    fh.seek(offset)
    header = fh.read(12)
    (count,) = struct.unpack(">H", header[4:6])
    records = [struct.unpack(">4sIII", fh.read(16)) for _ in range(count)]
    return header, records


def _family(fh: BinaryIO, records: list[tuple[bytes, int, int, int]]) -> str:
    """The font family name (name ID 1, Windows platform) of a face."""
    _tag, _sum, off, _len = next(r for r in records if r[0] == b"name")
    fh.seek(off)
    _fmt, count, strings = struct.unpack(">HHH", fh.read(6))
    entries = [struct.unpack(">HHHHHH", fh.read(12)) for _ in range(count)]
    for platform, _enc, _lang, name_id, length, start in entries:
        if name_id == 1 and platform == 3:
            fh.seek(off + strings + start)
            return fh.read(length).decode("utf-16-be", "replace")
    return ""


def ttc_families(path: Path) -> list[str]:
    """Family names of the faces in a TrueType/OpenType collection, in file order."""
    with path.open("rb") as fh:
        head = fh.read(12)
        if head[:4] != b"ttcf":
            return []
        (count,) = struct.unpack(">I", head[8:12])
        offsets = struct.unpack(f">{count}I", fh.read(4 * count))
        return [_family(fh, _face_tables(fh, o)[1]) for o in offsets]


def extract_face(ttc: Path, family_suffix: str, out: Path) -> Path | None:
    """Write the face of ``ttc`` whose family ends with ``family_suffix`` (" SC") as one font file.

    Kivy's SDL2 text provider always opens face 0 of a collection, and face 0 of Noto Sans CJK
    is the Japanese one: shared ideographs (值, 直, 骨, 角...) would show Japanese glyph forms.
    The tables are copied unchanged (the SC face has its own cmap into the shared glyphs).
    """
    with ttc.open("rb") as fh:
        head = fh.read(12)
        if head[:4] != b"ttcf":
            return None
        (count,) = struct.unpack(">I", head[8:12])
        offsets = struct.unpack(f">{count}I", fh.read(4 * count))
        for face_offset in offsets:
            header, records = _face_tables(fh, face_offset)
            if _family(fh, records).endswith(family_suffix):
                break
        else:
            return None
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        position = 12 + 16 * len(records)
        placed = []
        for tag, checksum, offset, length in records:
            placed.append((tag, checksum, offset, length, position))
            position += (length + 3) & ~3
        with tmp.open("wb") as dst:
            dst.write(header)
            for tag, checksum, _offset, length, new_offset in placed:
                dst.write(struct.pack(">4sIII", tag, checksum, new_offset, length))
            for _tag, _sum, offset, length, _new in placed:
                fh.seek(offset)
                dst.write(fh.read(length))
                dst.write(b"\0" * (((length + 3) & ~3) - length))
        tmp.replace(out)
    log.info("font face%s of %s written to %s", family_suffix, ttc.name, out)
    return out


def chinese_face(path: Path, face: str = "SC") -> Path:
    """``path`` itself, or for a collection its ``face`` face extracted once into the cache."""
    if path.suffix.lower() != ".ttc" or not face:
        return path
    out = _cache_dir() / f"{path.stem}-{face}.otf"
    try:
        if out.exists() and out.stat().st_mtime >= path.stat().st_mtime:
            return out
        return extract_face(path, f" {face}", out) or path
    except OSError:
        log.warning("cannot extract the %s face of %s; using face 0", face, path, exc_info=True)
        return path


def register_default_font(configured: str = "", face: str = "SC") -> Path:
    """Register the CJK font under Kivy's default name "Roboto" (every Label uses it)."""
    from kivy.core.text import LabelBase

    regular, bold = find_cjk_font(configured)
    regular = chinese_face(regular, face)
    bold = chinese_face(bold, face) if bold else None
    LabelBase.register(
        name="Roboto",
        fn_regular=str(regular),
        fn_bold=str(bold or regular),
        fn_italic=str(regular),
        fn_bolditalic=str(bold or regular),
    )
    log.info("default font: %s", regular)
    return regular
