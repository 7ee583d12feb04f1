"""Register a CJK font as Kivy's default so Chinese never shows as empty boxes."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

ASSETS = Path(__file__).resolve().parent.parent / "assets"
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


def register_default_font(configured: str = "") -> Path:
    """Register the CJK font under Kivy's default name "Roboto" (every Label uses it)."""
    from kivy.core.text import LabelBase

    regular, bold = find_cjk_font(configured)
    LabelBase.register(
        name="Roboto",
        fn_regular=str(regular),
        fn_bold=str(bold or regular),
        fn_italic=str(regular),
        fn_bolditalic=str(bold or regular),
    )
    log.info("default font: %s", regular)
    return regular
