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
