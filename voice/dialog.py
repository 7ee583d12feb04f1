"""The dialog engine: prompts, menus with retries/timeouts, digit entry and recording."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from speech.asr import AsrModel, Grammar
from speech.audio import silence
from voice.asr import MIN_VOICED_S, Listener
from voice.events import SAMPLE_RATE, Dtmf, HungUp, PlaybackDone, SilenceAfterSpeech, Speech
from voice.line import Channel
from voice.menu import Menu
from voice.prompts import Prompts, Said

log = logging.getLogger(__name__)

SPEECH_MISSES_BEFORE_KEYS = 2
HASH_GRACE_S = 2.0
"""After the last slot of a digit entry is filled, how long a `#` (the end-of-entry key the
prompt asked for) is waited for and swallowed, so it never answers the next menu."""
TEXT_MS_PER_CHAR = 250
"""Without TTS (tests), a prompt plays silence as long as it would be spoken (~4 Chinese
characters a second), so a scripted clock sees prompts take their time."""
FOREIGN_UTTERANCES = 2
"""T4: this many utterances in a row with speech in them but no menu word in the n-best
list ([unk] only, or no words at all) mean the caller may not speak Mandarin."""


class CallerHungUp(Exception):
    """The far end hung up: unwind the call flow."""


class NotMandarin(Exception):
    """T4: the caller keeps speaking words no menu holds (another language, perhaps)."""


class EmergencyRequested(Exception):
    """`*` or an emergency word (E1): leave the current flow for the emergency one."""

    def __init__(self, via: str):
        super().__init__(via)
        self.via = via


@dataclass
class DialogState:
    path: list[str] = field(default_factory=list)
    said: list[Said] = field(default_factory=list)
    speech_misses: int = 0
    keys_only: bool = False
    foreign: int = 0
    """Utterances in a row that were speech without any menu word (T4)."""


class Dialog:
    """Talks to one caller over a Channel; every wait ends in input, timeout or hang-up."""

    def __init__(
        self,
        channel: Channel,
        prompts: Prompts,
        menus: dict[str, Menu],
        asr: AsrModel | None = None,
        emergency_words: Iterable[str] = (),
        grammars: dict[str, Grammar] | None = None,
        detect_language: bool = False,
    ):
        self.ch = channel
        self.prompts = prompts
        self.menus = menus
        self.asr = asr
        self.emergency_words = tuple(emergency_words)
        self.grammars = grammars if grammars is not None else {}
        self.state = DialogState(keys_only=asr is None)
        self.typeahead: list[str] = []
        self.pending_speech: Speech | None = None
        self.hung_up = False
        self.prompt_timeout_pad = 5.0
        self.detect_language = detect_language
        """Raise ``NotMandarin`` after ``FOREIGN_UTTERANCES`` unknown utterances (T4)."""
        self.emergency_live = True
        """`*` and the emergency words raise ``EmergencyRequested``; off once the emergency
        is on record (E1: more `*` during it change nothing and break nothing)."""
        self.today: Callable[[], date] | None = None
        """The core's date in the site's zone, for 今天/明天 in spoken times."""

    # ---- output -----------------------------------------------------------------
    def say(
        self, prompt_id: str, /, *, wait: bool = True, barge: bool = True, **slots: object
    ) -> str | None:
        """Play a prompt; with ``barge`` a key stops it and is kept as type-ahead."""
        if self.hung_up:
            raise CallerHungUp()
        today = self.today() if self.today else None
        text = self.prompts.text(prompt_id, today=today, **slots)
        self.state.said.append(Said(prompt_id, text))
        log.debug("%s says %s", self.ch.call_id, prompt_id)
        if self.prompts.tts:
            pcm = self.prompts.audio(prompt_id, today=today, **slots)
        else:
            pcm = silence(max(20, TEXT_MS_PER_CHAR * len(text)))
        self.ch.play(pcm)
        if not wait:
            return None
        limit = time.monotonic() + len(pcm) / SAMPLE_RATE + self.prompt_timeout_pad
        while True:
            ev = self.ch.next_event(max(0.05, limit - time.monotonic()))
            if ev is None:
                if time.monotonic() >= limit:
                    self.ch.stop_playback()
                    return None
                continue
            if isinstance(ev, PlaybackDone):
                if not self.ch.playing:
                    return None
            elif isinstance(ev, HungUp):
                self._hung_up()
            elif isinstance(ev, Dtmf) and barge:
                self.ch.stop_playback()
                self._check_emergency_key(ev.digit)
                self.typeahead.append(ev.digit)
                return ev.digit
            elif isinstance(ev, Dtmf):
                self._check_emergency_key(ev.digit)
            elif isinstance(ev, Speech):
                self._check_emergency_words(ev.text)
                if barge:  # an answer spoken over the prompt (barge-in by voice)
                    self.ch.stop_playback()
                    self.pending_speech = ev
                    return None

    def _hung_up(self) -> None:
        self.hung_up = True
        raise CallerHungUp()

    def _check_emergency_key(self, digit: str, live: bool = True) -> None:
        if digit == "*" and live and self.emergency_live:
            raise EmergencyRequested("key *")

    def _check_emergency_words(self, text: str, live: bool = True) -> None:
        if not (live and self.emergency_live):
            return
        if text and any(w in text for w in self.emergency_words):
            raise EmergencyRequested(f"speech {text}")

    # ---- input ---------------------------------------------------------------------
    def _wait_input(self, timeout: float) -> Dtmf | Speech | None:
        if self.typeahead:
            return Dtmf(self.typeahead.pop(0), "typeahead")
        if self.pending_speech is not None:
            ev, self.pending_speech = self.pending_speech, None
            return ev
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            ev = self.ch.next_event(max(0.0, remaining))
            if ev is None:
                return None
            if isinstance(ev, HungUp):
                self._hung_up()
            if isinstance(ev, Dtmf | Speech):
                return ev

    def _grammar(self, menu: Menu) -> Grammar | None:
        if self.asr is None or self.state.keys_only or not menu.words:
            return None
        g = self.grammars.get(menu.name)
        if g is None:
            words = list(menu.words) + (list(self.emergency_words) if menu.emergency else [])
            g = self.grammars[menu.name] = self.asr.recognizer(words)
        return g

    def menu(self, name: str, /, **slots: object) -> str:
        """Run a menu; the chosen option's next step, or ``on_fail`` after the retries."""
        menu = self.menus[name]
        self.state.path.append(name)
        for _attempt in range(menu.retries):
            grammar = self._grammar(menu)
            listener = Listener(grammar, self.ch.push_event) if grammar else None
            if listener:
                self.ch.add_tap(listener.feed)
            try:
                if not self.typeahead and self.pending_speech is None:
                    self.say(menu.prompt, **slots)
                ev = self._wait_input(menu.timeout_s)
            finally:
                if listener:
                    self.ch.remove_tap(listener.feed)
                    listener.close()
            if ev is None:
                self.state.path.append(f"{name}:t")
                if not menu.quiet:
                    self.say("timeout")
                continue
            if isinstance(ev, Dtmf):
                self._check_emergency_key(ev.digit, menu.emergency)
                opt = menu.by_key(ev.digit)
                if opt:
                    self.state.path.append(f"{name}={opt.key}")
                    return opt.next
                self.state.path.append(f"{name}:i")
                if not menu.quiet:
                    self.say("invalid")
                continue
            self._check_emergency_words(ev.text, menu.emergency)
            opt = menu.by_word(ev.text) if ev.text else None
            if opt:
                self.state.speech_misses = 0
                self.state.foreign = 0
                self.state.path.append(f"{name}~{ev.text}")
                return opt.next
            self._count_foreign(ev, menu)
            self.state.path.append(f"{name}:i")
            if menu.quiet:
                continue
            self.state.speech_misses += 1
            self.say("invalid")
            if self.state.speech_misses >= SPEECH_MISSES_BEFORE_KEYS and not self.state.keys_only:
                self.state.keys_only = True
                self.say("keys_only")
        self.state.path.append(f"{name}:fail")
        if not menu.quiet:
            self.say("too_many")
        return menu.on_fail

    def _count_foreign(self, ev: Speech, menu: Menu) -> None:
        """T4: speech with no menu word in it, again and again: not Mandarin, perhaps."""
        if not (ev.unknown and ev.voiced_s >= MIN_VOICED_S):
            self.state.foreign = 0
            return
        self.state.foreign += 1
        if self.detect_language and not menu.quiet and self.state.foreign >= FOREIGN_UTTERANCES:
            self.state.path.append(f"{menu.name}:lang")
            raise NotMandarin()

    def digits(
        self,
        prompt_id: str,
        /,
        max_len: int = 11,
        timeout: float = 6.0,
        tries: int = 3,
        **slots: object,
    ) -> str | None:
        """Collect digits ended by `#`, the timeout or ``max_len`` digits; None after
        ``tries`` empty attempts. `#` ends the entry whether or not every slot is filled: a
        `#` right after a full entry is taken as its end, never as the next menu's answer."""
        for _ in range(tries):
            if not self.typeahead:
                self.say(prompt_id, **slots)
            got = ""
            while len(got) < max_len:
                ev = self._wait_input(timeout)
                if ev is None:
                    break
                if isinstance(ev, Speech):
                    self._check_emergency_words(ev.text)
                    continue
                if ev.digit == "#":
                    if got:
                        return got
                    continue
                self._check_emergency_key(ev.digit)
                got += ev.digit
            else:
                self._swallow_hash(min(timeout, HASH_GRACE_S))
            if got:
                return got
            self.state.path.append(f"{prompt_id}:t")
            self.say("timeout")
        return None

    def _swallow_hash(self, grace: float) -> None:
        """The entry is full: its `#` (pressed as the prompt asked) ends it; any other
        input is kept for what comes next."""
        ev = self._wait_input(grace)
        if ev is None or (isinstance(ev, Dtmf) and ev.digit == "#"):
            return
        if isinstance(ev, Dtmf):
            self._check_emergency_key(ev.digit)
            self.typeahead.insert(0, ev.digit)
        else:
            self.pending_speech = ev

    def record(self, prompt_id: str, /, max_s: float = 60.0, **slots: object) -> np.ndarray:
        """Prompt, beep, then keep the caller's audio until `#`, silence, max_s or hang-up."""
        self.say(prompt_id, barge=False, **slots)
        self.say("beep", barge=False)
        self.typeahead.clear()
        self.ch.start_recording()
        deadline = time.monotonic() + max_s
        try:
            while True:
                ev = self.ch.next_event(max(0.0, deadline - time.monotonic()))
                if ev is None or isinstance(ev, SilenceAfterSpeech):
                    break
                if isinstance(ev, HungUp):
                    self.hung_up = True
                    break
                if isinstance(ev, Dtmf) and ev.digit == "#":
                    break
                if isinstance(ev, Dtmf) and ev.digit == "*" and self.emergency_live:
                    raise EmergencyRequested("key * while recording")
        finally:
            pcm = self.ch.stop_recording()
        return pcm

    def hangup(self) -> None:
        self.ch.hangup()
