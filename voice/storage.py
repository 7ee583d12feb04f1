"""Where the hotline keeps call audio and caches, and the purge of old audio (X2)."""

from __future__ import annotations

import logging
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from speech.audio import write_wav

log = logging.getLogger(__name__)


def hotline_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "hotline"


def audio_dir(data_dir: Path, day: date) -> Path:
    return hotline_dir(data_dir) / "audio" / day.isoformat()


def save_audio(data_dir: Path, name: str, pcm: np.ndarray, when: datetime) -> Path:
    return write_wav(audio_dir(data_dir, when.date()) / f"{name}.wav", pcm)


def purge_audio(data_dir: Path, keep_days: int, today: date) -> int:
    """Delete day folders of call audio older than ``keep_days``; returns folders removed."""
    root = hotline_dir(data_dir) / "audio"
    if not root.is_dir():
        return 0
    limit = today - timedelta(days=keep_days)
    removed = 0
    for d in root.iterdir():
        try:
            day = date.fromisoformat(d.name)
        except ValueError:
            continue
        if day < limit:
            shutil.rmtree(d, ignore_errors=True)
            removed += 1
    if removed:
        log.info("purged %d day(s) of call audio older than %s", removed, limit)
    return removed
