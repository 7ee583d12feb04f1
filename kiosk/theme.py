"""Kiosk look: big type, high contrast, large touch targets (all sizes in pixels)."""

from __future__ import annotations

FONT = 32
"""Body text; never below 28 px."""
FONT_SMALL = 28
FONT_TITLE = 44
FONT_HUGE = 60
TARGET = 88
"""Height of an ordinary button; never below 64 px."""
TARGET_MIN = 64

BG = (0.05, 0.09, 0.16, 1)
PANEL = (0.11, 0.17, 0.27, 1)
TEXT = (1, 1, 1, 1)
MUTED = (0.78, 0.84, 0.92, 1)
PRIMARY = (0.0, 0.42, 0.85, 1)
SUCCESS = (0.05, 0.55, 0.25, 1)
WARNING = (0.85, 0.55, 0.0, 1)
DANGER = (0.78, 0.12, 0.12, 1)
NEUTRAL = (0.27, 0.33, 0.43, 1)
HIGHLIGHT = (1.0, 0.85, 0.2, 1)

STATUS_LINES = 2
"""The per-screen status area holds two lines and never changes height (issue 18 item 1)."""
STATUS_COLOR = (1, 0.6, 0.4, 1)


def sizes(elder: bool) -> dict[str, int]:
    """Type and target sizes; 长辈模式 (``elder``) makes every text at least 40 px."""
    if elder:
        return {"font": 44, "font_small": 40, "font_title": 56, "font_huge": 76, "target": 112}
    return {
        "font": FONT,
        "font_small": FONT_SMALL,
        "font_title": FONT_TITLE,
        "font_huge": FONT_HUGE,
        "target": TARGET,
    }


def layout_for(width: float, height: float) -> str:
    """The layout chosen from the window at start: portrait (1080×1920 stands), wide
    (1920×1080 wall screens) or landscape (1280×800)."""
    if height > width:
        return "portrait"
    if width >= 1600:
        return "wide"
    return "landscape"
