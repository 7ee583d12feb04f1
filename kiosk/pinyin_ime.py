"""Pinyin input method: candidates from pypinyin's data ranked by how often each reading is used (jieba)."""

from __future__ import annotations

import bisect
import json
import logging
import os
import pickle
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kiosk.packed import Packed

log = logging.getLogger(__name__)

SEP = "'"
CACHE_VERSION = 6
MAX_PHRASE_LEN = 4
"""Longest jieba word (in characters) added from per-character readings."""
MIN_WORD_FREQ = 20
"""jieba words below this frequency are left out unless pypinyin lists them as phrases."""


@dataclass(frozen=True)
class Candidate:
    """One choice in the candidate bar: the text and how many typed letters it uses up."""

    text: str
    consumed: int
    """Letters of the pinyin buffer (separators included) that this candidate replaces."""


def strip_tone(syllable: str) -> str:
    """'zhāng' -> 'zhang'; 'lǜ' -> 'lv' (v for ü as on every pinyin keyboard)."""
    out = []
    for ch in unicodedata.normalize("NFD", syllable):
        if ch == "\u0308":  # combining diaeresis: u + ¨ -> v
            if out and out[-1] == "u":
                out[-1] = "v"
            continue
        if unicodedata.category(ch) == "Mn":
            continue
        out.append(ch)
    return "".join(out).lower()


def _package_file(package: str, name: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise FileNotFoundError(f"package {package} is not installed")
    return Path(spec.origin).parent / name


def _source_files() -> tuple[Path, Path, Path]:
    return (
        _package_file("pypinyin", "pinyin_dict.json"),
        _package_file("pypinyin", "phrases_dict.json"),
        _package_file("jieba", "dict.txt"),
    )


def _cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "reception" / f"pinyin_index_v{CACHE_VERSION}.pickle"


class PinyinIndex:
    """Words by their toneless syllables ("zhang'san"), each list ranked by frequency."""

    def __init__(self, entries: Packed, syllables: set[str], initials: Packed) -> None:
        self.entries = entries
        self.keys = entries.keys
        self.syllables = frozenset(syllables)
        self._prefixes = frozenset(s[:i] for s in syllables for i in range(1, len(s) + 1))
        self.initials = initials

    @staticmethod
    def _initials_of(entries: dict[str, list[str]]) -> dict[str, list[str]]:
        """Multi-syllable words by their initials ("zs" -> 张三...), three per reading."""
        out: dict[str, list[str]] = {}
        for key, words in entries.items():
            parts = key.split(SEP)
            if len(parts) > 1:
                out.setdefault("".join(p[0] for p in parts), []).extend(words[:3])
        return out

    # -- building -------------------------------------------------------------
    @staticmethod
    def _reading_frequencies(
        freq: dict[str, int],
        phrases: dict[str, list[list[str]]],
        char_readings: dict[str, list[str]],
    ) -> dict[tuple[str, str], int]:
        """(character, toneless reading) -> summed jieba frequency of the words read that way.

        A word's readings come from pypinyin's phrase data, else each character's main reading
        (what pypinyin itself would say).
        """
        out: dict[tuple[str, str], int] = {}
        for word, count in freq.items():
            readings = phrases.get(word)
            if readings is not None and len(readings) == len(word):
                plain = [strip_tone(r[0]) for r in readings]
            else:
                try:
                    plain = [char_readings[ch][0] for ch in word]
                except KeyError:
                    continue
            for ch, reading in zip(word, plain, strict=True):
                out[ch, reading] = out.get((ch, reading), 0) + count
        return out

    @classmethod
    def build(cls) -> PinyinIndex:
        """Build from the installed packages' data files (about a second)."""
        char_file, phrase_file, freq_file = _source_files()
        freq: dict[str, int] = {}
        with freq_file.open(encoding="utf-8") as fh:
            for line in fh:
                parts = line.split(" ")
                if len(parts) >= 2:
                    try:
                        freq[parts[0]] = int(parts[1])
                    except ValueError:
                        continue
        char_readings: dict[str, list[str]] = {}
        raw_chars = json.loads(char_file.read_text(encoding="utf-8"))
        raw_phrases = json.loads(phrase_file.read_text(encoding="utf-8"))
        for code, readings in raw_chars.items():
            tones = []
            for reading in readings.split(","):
                plain = strip_tone(reading)
                if plain.isalpha() and plain.isascii() and plain not in tones:
                    tones.append(plain)
            if tones:
                char_readings[chr(int(code))] = tones
        by_reading = cls._reading_frequencies(freq, raw_phrases, char_readings)
        scored: dict[str, dict[str, int]] = {}
        syllables: set[str] = set()
        for ch, tones in char_readings.items():
            # Characters outside the basic CJK block come after every common one.
            cjk = 1 if 0x4E00 <= ord(ch) <= 0x9FFF else 0
            for index, plain in enumerate(tones):
                syllables.add(plain)
                # how often the character is read this way (长: zhang in 校长, chang in 长期)
                count = by_reading.get((ch, plain), 0)
                if not count and index == 0:
                    count = freq.get(ch, 0) // 100
                scored.setdefault(plain, {})[ch] = count * 10 + cjk
        for phrase, readings in raw_phrases.items():
            key = SEP.join(strip_tone(r[0]) for r in readings)
            scored.setdefault(key, {})[phrase] = freq.get(phrase, 1) * 10
        for word, count in freq.items():
            if count < MIN_WORD_FREQ or not 2 <= len(word) <= MAX_PHRASE_LEN or word in raw_phrases:
                continue
            try:
                key = SEP.join(char_readings[ch][0] for ch in word)
            except KeyError:
                continue
            scored.setdefault(key, {})[word] = count * 10
        entries = {
            key: [w for w, _ in sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))]
            for key, words in scored.items()
        }
        return cls(Packed.pack(entries), syllables, Packed.pack(cls._initials_of(entries)))

    @classmethod
    def load(cls, cache: Path | None = None) -> PinyinIndex:
        """The index from the cache file, rebuilt when the data files are newer."""
        cache = cache or _cache_path()
        try:
            newest = max(p.stat().st_mtime for p in _source_files())
            if cache.exists() and cache.stat().st_mtime >= newest:
                with cache.open("rb") as fh:
                    entries, syllables, initials = pickle.load(fh)
                return cls(Packed.from_state(entries), syllables, Packed.from_state(initials))
        except Exception:  # a broken cache is rebuilt
            log.warning("pinyin cache %s unreadable; rebuilding", cache, exc_info=True)
        if not _in_child and _build_in_child(cache):
            return cls.load(cache)
        index = cls.build()
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(".tmp")
            with tmp.open("wb") as fh:
                state = (index.entries.state(), set(index.syllables), index.initials.state())
                pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(cache)
        except OSError:
            log.warning("cannot write pinyin cache %s", cache, exc_info=True)
        return index

    # -- lookup ---------------------------------------------------------------
    def segment(self, letters: str) -> list[str]:
        """Split typed letters into syllables; the last one may be incomplete ('zhangs' -> zhang, s)."""
        letters = letters.lower()
        out: list[str] = []
        for chunk in letters.split(SEP):
            out.extend(self._segment_chunk(chunk))
        return out

    @lru_cache(maxsize=512)  # noqa: B019 - the index lives as long as the app
    def _segment_chunk(self, chunk: str) -> tuple[str, ...]:
        if not chunk:
            return ()
        # longest full syllable first, backtracking so that "xian" vs "xi'an" both work
        for end in range(min(6, len(chunk)), 0, -1):
            head = chunk[:end]
            if head in self.syllables:
                rest = self._segment_chunk(chunk[end:])
                if rest is not None and (not rest or rest[0] in self.syllables or len(rest) == 1):
                    return (head, *rest)
        if chunk in self._prefixes:
            return (chunk,)
        # not pinyin: keep the first letter alone so initials searches still work
        return (chunk[0], *self._segment_chunk(chunk[1:]))

    def _match(self, syllables: list[str]) -> list[str]:
        """Words whose readings are ``syllables``, the last one allowed to be a prefix."""
        full = SEP.join(syllables)
        exact = self.entries.get(full, [])
        if syllables[-1] in self.syllables and len(exact) >= 8:
            return exact
        words = list(exact)
        seen = set(words)
        count = len(syllables)
        start = bisect.bisect_left(self.keys, full)
        ranked: list[tuple[int, str]] = []
        for i in range(start, min(start + 400, len(self.keys))):
            key = self.keys[i]
            if not key.startswith(full):
                break
            if key == full or key.count(SEP) + 1 != count:
                continue
            for pos, word in enumerate(self.entries.at(i)[:6]):
                ranked.append((pos, word))
        for _, word in sorted(ranked, key=lambda t: t[0]):
            if word not in seen:
                seen.add(word)
                words.append(word)
        return words

    def candidates(self, letters: str, limit: int = 30) -> list[Candidate]:
        """Candidates for the typed letters: whole-input words first, then words for the leading syllables."""
        letters = letters.strip().lower()
        if not letters:
            return []
        syllables = self.segment(letters)
        # letters consumed by the first n syllables (separators included)
        offsets = []
        pos = 0
        for syl in syllables:
            while pos < len(letters) and letters[pos] == SEP:
                pos += 1
            pos += len(syl)
            offsets.append(pos)
        out: list[Candidate] = []
        seen: set[str] = set()
        if len(syllables) > 1 and all(len(s) == 1 for s in syllables):
            for word in self.initials.get("".join(syllables), [])[:limit]:
                if word not in seen:
                    seen.add(word)
                    out.append(Candidate(word, len(letters)))
        for n in range(len(syllables), 0, -1):
            for word in self._match(syllables[:n]):
                if word in seen:
                    continue
                seen.add(word)
                out.append(Candidate(word, offsets[n - 1]))
                if len(out) >= limit:
                    return out
        return out


_in_child = False


def _build_in_child(cache: Path) -> bool:
    """Build the cache in a child process: the build's peak memory (~60 MB) is not kept."""
    import subprocess
    import sys

    try:
        subprocess.run(
            [sys.executable, "-m", "kiosk.pinyin_ime", str(cache)],
            check=True,
            timeout=120,
            capture_output=True,
        )
    except (OSError, subprocess.SubprocessError):
        log.warning("pinyin cache not built in a child process; building here", exc_info=True)
        return False
    return cache.exists()


_index: PinyinIndex | None = None
_lock = threading.Lock()


def get_index() -> PinyinIndex:
    """The shared index, loaded on first use (thread safe)."""
    global _index
    with _lock:
        if _index is None:
            _index = PinyinIndex.load()
        return _index


def preload() -> threading.Thread:
    """Load the index in the background so the keyboard answers at once when opened."""
    thread = threading.Thread(target=get_index, name="pinyin-preload", daemon=True)
    thread.start()
    return thread


def candidates(
    letters: str, limit: int = 30, context: str = "", at_start: bool = True
) -> list[Candidate]:
    """Candidates for ``letters`` from the shared index; ``context`` "name" or "repair" favours
    whole names or repair words (kiosk.ime_context); ``at_start``: nothing typed before."""
    if context:
        from kiosk.ime_context import get_ranker

        return get_ranker().candidates(letters, context, limit, at_start)
    return get_index().candidates(letters, limit)


def initials_of(name: str) -> str:
    """Pinyin initials of a Chinese name ('张三' -> 'zs'), used to search residents."""
    from pypinyin import Style, lazy_pinyin

    return "".join(p[0] for p in lazy_pinyin(name, style=Style.FIRST_LETTER) if p).lower()


class Composer:
    """The keyboard's state without any widget: committed text, the pinyin buffer, candidates."""

    def __init__(
        self,
        text: str = "",
        mode: str = "zh",
        max_len: int = 200,
        page_size: int = 8,
        context: str = "",
    ) -> None:
        self.text = text
        self.context = context
        """The field's kind: "" (any text), "name" or "repair" (see kiosk.ime_context)."""
        self.buffer = ""
        self.mode = mode
        """"zh" (pinyin), "en" (letters typed as they are) or "digits"."""
        self.max_len = max_len
        self.page_size = page_size
        self.page = 0
        self._cands: list[Candidate] = []

    # -- typing ---------------------------------------------------------------
    def type(self, key: str) -> None:
        """A letter, digit or punctuation key."""
        if self.mode == "zh" and (key.isascii() and key.isalpha() or (key == SEP and self.buffer)):
            if len(self.buffer) < 30:
                self.buffer += key.lower()
                self._refresh()
            return
        if self.buffer:
            self.choose(0)
        self._append(key)

    def _append(self, text: str) -> None:
        room = self.max_len - len(self.text)
        if room > 0:
            self.text += text[:room]

    def backspace(self) -> None:
        if self.buffer:
            self.buffer = self.buffer[:-1]
            self._refresh()
        else:
            self.text = self.text[:-1]

    def space(self) -> None:
        if self.buffer:
            self.choose(0)
        else:
            self._append(" ")

    def clear(self) -> None:
        self.text = ""
        self.buffer = ""
        self._refresh()

    def set_mode(self, mode: str) -> None:
        self.finish()
        self.mode = mode

    def finish(self) -> str:
        """Commit what is pending (the raw letters) and return the text."""
        if self.buffer:
            self._append(self.buffer)
            self.buffer = ""
            self._refresh()
        return self.text

    # -- candidates -------------------------------------------------------------
    def _refresh(self) -> None:
        self.page = 0
        self._cands = (
            candidates(self.buffer, 60, self.context, at_start=not self.text) if self.buffer else []
        )

    @property
    def all_candidates(self) -> list[Candidate]:
        return self._cands

    def page_candidates(self) -> list[Candidate]:
        start = self.page * self.page_size
        return self._cands[start : start + self.page_size]

    def next_page(self) -> None:
        if (self.page + 1) * self.page_size < len(self._cands):
            self.page += 1

    def prev_page(self) -> None:
        self.page = max(0, self.page - 1)

    def choose(self, index: int) -> None:
        """Pick candidate ``index`` of the current page; the rest of the buffer stays."""
        page = self.page_candidates()
        if not page:
            if self.buffer:
                self.finish()
            return
        cand = page[min(index, len(page) - 1)]
        self._append(cand.text)
        self.buffer = self.buffer[cand.consumed :].lstrip(SEP)
        self._refresh()


if __name__ == "__main__":  # python -m kiosk.pinyin_ime [CACHE]: build the cache file
    import sys

    _in_child = True
    PinyinIndex.load(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
