"""A scripted fake line for tests and the benchmark: the caller's keys, words and hang-up."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

import numpy as np

from voice.events import Event, HungUp, PlaybackDone, Speech
from voice.line import Channel

TIMEOUT = "<timeout>"
HANGUP = "<hangup>"


def say(text: str) -> tuple[str, str]:
    """Script item: the caller says ``text`` (recognised as such)."""
    return ("say", text)


def foreign(voiced_s: float = 1.5) -> tuple[str, float]:
    """Script item: the caller speaks, but no menu word comes of it ([unk]; T4)."""
    return ("foreign", voiced_s)


def audio(pcm: np.ndarray) -> tuple[str, np.ndarray]:
    """Script item: what the caller says into the next recording."""
    return ("audio", pcm)


class ScriptedChannel(Channel):
    """Plays instantly; each wait for input takes the next script item.

    Items: a string of keys ("501#"), TIMEOUT (the wait times out), HANGUP,
    say("漏水") (speech), foreign() (speech no menu word came of), audio(pcm) (content of the next recording). When the script
    is used up the caller hangs up.
    """

    def __init__(
        self,
        script: Iterable[Any],
        caller: str = "13800138000",
        callee: str = "ivr",
        clock: Any = None,
        keys_in_prompts: bool = False,
    ):
        super().__init__("fake-1", caller, callee)
        self.script: deque[Any] = deque(script)
        self.played: list[np.ndarray] = []
        self.next_recording = np.zeros(8000, dtype=np.int16)
        self.local_hangup = False
        self.clock = clock
        """A test clock (``.advance(seconds=...)``, called for the time): a prompt played
        to its end takes as long as its audio (one cut short by a key: no time; the keys
        were already pressed), a TIMEOUT item as long as the wait."""
        self._prompt_s = 0.0
        self.keys_in_prompts = keys_in_prompts
        """Key items are pressed while the prompt still plays (barge-in, or keys the
        dialog must ignore), not after it."""
        self.key_times: list[tuple[str, Any]] = []
        """(digit, clock time) of every key delivered (with a clock)."""
        self.speech_times: list[tuple[str, Any]] = []
        """(text, clock time) of every utterance delivered (with a clock)."""
        self._done_pending = False

    def play(self, pcm: np.ndarray) -> None:
        self.played.append(pcm)
        self._prompt_s += len(pcm) / 8000
        if self.keys_in_prompts:
            self._done_pending = True
        else:
            self._events.put(PlaybackDone())

    def stop_playback(self) -> None:
        self._done_pending = False
        self._prompt_s = 0.0

    def _played_out(self) -> PlaybackDone:
        if self.clock is not None and self._prompt_s:
            self.clock.advance(seconds=self._prompt_s)
        self._prompt_s = 0.0
        return PlaybackDone()

    @property
    def playing(self) -> bool:
        return self._done_pending

    def _keys(self, item: Any) -> Event:
        for digit in str(item):
            if self.clock is not None:
                self.key_times.append((digit, self.clock()))
            self.push_dtmf(digit, "rfc4733")
        return self._events.get_nowait()

    def next_event(self, timeout: float | None) -> Event | None:
        if not self._events.empty():
            ev = self._events.get_nowait()
            return self._played_out() if isinstance(ev, PlaybackDone) else ev
        if self._done_pending:
            head = self.script[0] if self.script else None
            if isinstance(head, str) and head not in (TIMEOUT, HANGUP):
                return self._keys(self.script.popleft())  # pressed during the prompt
            self._done_pending = False
            return self._played_out()
        while self.script:
            item = self.script.popleft()
            if item == TIMEOUT:
                if self.clock is not None and timeout:
                    self.clock.advance(seconds=timeout)
                return None
            if item == HANGUP:
                self.push_event(HungUp("caller"))
                return self._events.get_nowait()
            if isinstance(item, tuple) and item[0] == "audio":
                self.next_recording = item[1]
                continue
            if isinstance(item, tuple) and item[0] == "say":
                if self.clock is not None:
                    self.speech_times.append((item[1], self.clock()))
                return Speech(item[1], 1.0, 10.0)
            if isinstance(item, tuple) and item[0] == "foreign":
                return Speech("", 0.0, 0.0, unknown=True, voiced_s=item[1])
            return self._keys(item)
        if self.hung_up:
            return None
        self.push_event(HungUp("script ended"))
        return self._events.get_nowait()

    def start_recording(self) -> None:
        self._recording = []

    def stop_recording(self) -> np.ndarray:
        self._recording = None
        return self.next_recording

    def hangup(self) -> None:
        self.local_hangup = True
        self.hung_up = True

    @property
    def remaining(self) -> int:
        return len(self.script)


class _NullRecognizer:
    def AcceptWaveform(self, data: bytes) -> bool:  # noqa: N802 - vosk's name
        return False


class FakeGrammar:
    def __init__(self, words: list[str]):
        self.words = words

    def new(self) -> _NullRecognizer:
        return _NullRecognizer()


class FakeAsr:
    """Stands in for a Vosk model: speech comes from the script instead."""

    def recognizer(self, words: Iterable[str]) -> FakeGrammar:
        return FakeGrammar(list(words))
