"""Prompts as data (assets/prompts/*.toml) and their audio, from cached pieces."""

from __future__ import annotations

import logging
import re
import string
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from desk.clock import in_site, site_clock
from speech.audio import silence
from speech.tts import Tts

log = logging.getLogger(__name__)

PROMPTS_DIR = Path(str(resources.files("assets") / "prompts"))
"""prompts.toml and menus.toml as installed with the package (package data of the shared
`assets` package: found the same way in a source tree, an editable install and a wheel)."""
DIGITS_ZH = "零一二三四五六七八九"
PHONE_DIGITS_ZH = "零幺二三四五六七八九"
PIECES = tuple(DIGITS_ZH) + tuple("幺十百千两第件位") + (
    "栋", "单元", "室", "年", "月", "日", "号", "点", "分", "半",
    "今天", "明天", "后天", "早上", "上午", "中午", "下午", "晚上", "凌晨", "星号", "井号", "到",
)  # fmt: skip
"""Pieces every number, unit and time is assembled from; rendered at start-up."""


def cn_number(n: int) -> str:
    """0..99999 as a Chinese numeral: 501 -> 五百零一, 12 -> 十二, 2 -> 二."""
    if n < 0 or n > 99999:
        return digits_zh(str(n))
    if n < 10:
        return DIGITS_ZH[n]
    units = ["", "十", "百", "千", "万"]
    s = str(n)
    out = []
    zero = False
    for i, ch in enumerate(s):
        d = int(ch)
        pos = len(s) - 1 - i
        if d == 0:
            zero = True
            continue
        if zero and out:
            out.append("零")
        zero = False
        out.append(DIGITS_ZH[d] + units[pos])
    text = "".join(out)
    return text[1:] if text.startswith("一十") else text


def digits_zh(s: str, phone: bool = True) -> str:
    """Read digit by digit, as on the phone (1 as 幺): 2026 -> 二零二六."""
    table = PHONE_DIGITS_ZH if phone else DIGITS_ZH
    return "".join(
        table[int(c)] if c.isdigit() else {"*": "星号", "#": "井号"}.get(c, c) for c in s
    )


def unit_zh(unit: str) -> str:
    """'3-2-501' -> 三栋二单元五零一室."""
    parts = unit.split("-")
    if len(parts) != 3:
        return unit
    b, e, r = parts
    b_zh = cn_number(int(b)) if b.isdigit() else b
    e_zh = cn_number(int(e)) if e.isdigit() else e
    return f"{b_zh}栋{e_zh}单元{digits_zh(r, phone=False)}室"


def time_zh(when: datetime | time, today: date | None = None) -> str:
    """A time as people say it, in the site's zone: 今天下午三点半, 早上七点半, 晚上八点.

    ``today`` is the core's date (its clock, in the site's zone); without it the machine's
    time in the site's zone. An aware datetime is read in the site's zone, whatever the
    machine's zone is."""
    day = ""
    if isinstance(when, datetime):
        when = in_site(when)
        ref = today or site_clock()().date()
        delta = (when.date() - ref).days
        day = {0: "今天", 1: "明天", 2: "后天"}.get(
            delta, f"{cn_number(when.month)}月{cn_number(when.day)}日"
        )
        t = when.time()
    else:
        t = when
    h = t.hour
    part = "凌晨" if h < 5 else "早上" if h < 9 else "上午" if h < 12 else (
        "中午" if h < 13 else "下午" if h < 18 else "晚上"
    )  # fmt: skip
    h12 = h if h <= 12 else h - 12
    hour = "两" if h12 == 2 else "零" if h12 == 0 else cn_number(h12)
    minute = "" if t.minute == 0 else "半" if t.minute == 30 else f"{cn_number(t.minute)}分"
    return f"{day}{part}{hour}点{minute}"


def hours_zh(start: time, end: time) -> str:
    """Opening hours as spoken: 早上七点半到晚上八点."""
    return f"{time_zh(start)}到{time_zh(end)}"


def load_toml(name: str, directory: Path | None = None) -> dict[str, Any]:
    path = (directory or PROMPTS_DIR) / name
    return tomllib.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Said:
    """What was said: prompt id and the full text (tests and call records read this)."""

    prompt: str
    text: str


class Prompts:
    """Prompt texts by id and their audio: static parts cached whole, slots from pieces."""

    def __init__(
        self,
        tts: Tts | None,
        directory: Path | None = None,
        fixed: dict[str, str] | None = None,
        en_voice: str = "en",
    ):
        doc = load_toml("prompts.toml", directory)
        self.texts: dict[str, str] = dict(doc["prompts"])
        self.statuses: dict[str, str] = dict(doc.get("statuses", {}))
        self.english: dict[str, str] = dict(doc.get("english", {}))
        """English halves of bilingual prompts (T4), spoken after the Chinese in ``en_voice``."""
        unknown = set(self.english) - set(self.texts)
        if unknown:
            raise ValueError(f"[english] prompts without a Chinese text: {sorted(unknown)}")
        self.en_voice = en_voice
        self.tts = tts
        self.fixed = dict(fixed or {})
        """Slot values known at start-up (office name...): rendered into the static text."""
        self.gap = silence(40)

    def template(self, prompt_id: str) -> str:
        text = self.texts[prompt_id]
        for k, v in self.fixed.items():
            text = text.replace("{" + k + "}", v)
        return text

    def text(self, prompt_id: str, /, today: date | None = None, **slots: Any) -> str:
        """The prompt's words; ``today`` (the core's date) for 今天/明天 in times."""
        zh = self.template(prompt_id).format(
            **{k: self.slot_text(k, v, today) for k, v in slots.items()}
        )
        en = self.english.get(prompt_id)
        return f"{zh} {en}" if en else zh

    def slot_text(self, name: str, value: Any, today: date | None = None) -> str:
        if isinstance(value, datetime | time):
            return time_zh(value, today)
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], time):
            return hours_zh(*value)
        if name == "unit":
            return unit_zh(str(value))
        if name in ("number", "code"):
            return digits_zh(str(value))
        if isinstance(value, int):
            return cn_number(value)
        return str(value)

    def static_segments(self) -> set[str]:
        """Every fixed text segment of every prompt (rendered once at start-up)."""
        out: set[str] = set()
        for pid in self.texts:
            out.update(s for s in _split(self.template(pid))[0] if s)
        return out

    def warm(self, extra_slot_texts: Iterable[str] = ()) -> int:
        """Render every static segment, every piece and the given slot texts."""
        if self.tts is None:
            return 0
        n = self.tts.warm(self.static_segments())
        n += self.tts.warm(set(PIECES) | set(extra_slot_texts), trim_silence=True)
        n += self.tts.warm(set(self.english.values()), voice=self.en_voice)
        return n

    def audio(self, prompt_id: str, /, today: date | None = None, **slots: Any) -> np.ndarray:
        """The prompt's audio: cached static segments with slot pieces in between."""
        assert self.tts is not None
        statics, names = _split(self.template(prompt_id))
        parts: list[np.ndarray] = []
        for i, seg in enumerate(statics):
            if seg:
                parts.append(self.tts.get(seg))
            if i < len(names):
                for piece in self.pieces(self.slot_text(names[i], slots[names[i]], today)):
                    parts.append(self.tts.get(piece, trim_silence=True))
                    parts.append(self.gap)
        en = self.english.get(prompt_id)
        if en:
            parts += [silence(300), self.tts.get(en, voice=self.en_voice)]
        return np.concatenate(parts) if parts else silence(100)

    def prepare(self, prompt_id: str, **slots: Any) -> None:
        """Render a prompt's free-text slots now (a visitor's name: V2) so that the call
        does not wait for the synthesis once the callee has picked up."""
        if self.tts is None:
            return
        try:
            self.audio(prompt_id, **slots)
        except Exception:  # noqa: BLE001 - the call will try again, and say what it can
            log.exception("could not render %s in advance", prompt_id)

    def pieces(self, text: str) -> list[str]:
        """Split slot text into known pieces (longest first); unknown runs stay whole."""
        out: list[str] = []
        run = ""
        i = 0
        by_len = sorted(PIECES, key=len, reverse=True)
        while i < len(text):
            for p in by_len:
                if text.startswith(p, i):
                    if run:
                        out.append(run)
                        run = ""
                    out.append(p)
                    i += len(p)
                    break
            else:
                if text[i] not in string.whitespace + "，。、,.":
                    run += text[i]
                i += 1
        if run:
            out.append(run)
        return out


_SLOT = re.compile(r"\{(\w+)\}")


def _split(template: str) -> tuple[list[str], list[str]]:
    """'a{x}b' -> (['a', 'b'], ['x'])."""
    statics = _SLOT.split(template)
    return statics[0::2], statics[1::2]
