"""The staff screens' calls (T3, L1): the callback list, call-backs by hand or by the hotline's
dialer, voicemails and recorded repair notes played at the desk."""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path
from typing import Any

from desk.errors import DeskError

log = logging.getLogger(__name__)


class CallsMixin:
    """Mixed into ``KioskBackend`` (``desk``, ``settings``, ``staff_actor``)."""

    desk: Any
    settings: Any

    def staff_actor(self) -> Any: ...

    def callback_list(self) -> list[Any]:
        return self.desk.calls.callback_list()

    def overnight_numbers(self) -> set[str]:
        return {c.number for c in self.desk.calls.overnight()}

    def request_callback(self, number: str) -> str:
        self.desk.calls.request_callback(number, self.staff_actor())
        return "已请热线回拨，接通后转接到客服分机"

    def called_back(self, number: str, result: str, reached: bool = True) -> str:
        self.desk.calls.callback_result(number, self.staff_actor(), result, "hand", reached=reached)
        return "已登记回电结果" + ("，已从回拨列表移除" if reached else "")

    def audio_of(self, number: str) -> Path | None:
        """The recording of a call (voicemail) or a work order (spoken repair note), if kept in
        the data directory."""
        record = self.desk.get(number)
        path = Path(getattr(record, "audio_path", "") or "")
        data = Path(self.settings.store.data_dir).resolve()
        if not path.name or not path.is_file() or data not in path.resolve().parents:
            return None
        return path

    def play(self, number: str) -> str:
        """Play the recording on the desk's speaker (paplay/aplay); says so only once started."""
        path = self.audio_of(number)
        if path is None:
            raise DeskError("没有找到录音文件")
        player = shutil.which("paplay") or shutil.which("aplay")
        if player is None:
            raise DeskError("本机没有音频播放程序（paplay/aplay），无法播放")
        subprocess.Popen([player, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        log.info("playing the recording of %s", number)
        return "正在播放录音"
