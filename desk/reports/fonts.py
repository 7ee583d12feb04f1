"""The CJK face for report PDFs: Noto Sans CJK SC from fonts-noto-cjk, registered with matplotlib."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from desk.errors import DeskError

log = logging.getLogger(__name__)

# The same files kiosk/fonts.py looks for (the core may not import the kiosk).
CANDIDATES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)
PREFERRED = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei")
"""Family names in order of preference: the SC face of the collection gives mainland glyph forms."""


class ReportFontMissing(DeskError):
    """No CJK font: install the Debian package fonts-noto-cjk."""


@cache
def cjk_family(configured: str = "") -> str:
    """Register the CJK font files with matplotlib and return the family to use.

    matplotlib registers every face of a .ttc collection, so the Simplified Chinese face
    ("Noto Sans CJK SC") is chosen by name rather than face 0 (the Japanese one).
    """
    from matplotlib import font_manager

    paths = [Path(configured)] if configured else list(CANDIDATES)
    for path in (p for p in paths if p.is_file()):
        font_manager.fontManager.addfont(str(path))
    names = {f.name for f in font_manager.fontManager.ttflist}
    for family in PREFERRED:
        if family in names:
            log.info("report font: %s", family)
            return family
    raise ReportFontMissing(
        f"没有找到中文字体（{', '.join(str(p) for p in CANDIDATES)}），请安装 fonts-noto-cjk"
    )
