"""Field-aware pinyin candidates: whole names in a name field, repair words in a repair description."""

from __future__ import annotations

import logging
import threading
from itertools import product

from kiosk.ime_vocab import GIVEN_CHARS, REPAIR_WORDS, SURNAME_READINGS, SURNAMES
from kiosk.pinyin_ime import SEP, Candidate, PinyinIndex

log = logging.getLogger(__name__)

CONTEXTS = ("", "name", "repair")
NAME_CANDIDATES = 8
"""Whole-name candidates offered first (one page of the keyboard)."""
MAX_NAME_SYLLABLES = 4
NAME_SPREAD = 20.0
"""Whole names weighing less than 1/NAME_SPREAD of the likeliest one are not offered."""
NOT_IN_NAMES = frozenset({"ng", "n", "m", "hm", "hng", "r", "ei", "o", "yo", "lo", "nou"})
"""Interjection syllables (嗯 呣 哦 ...) never read in a name: "zhangwei" is not zha'ng'wei."""


def _reading(text: str) -> str:
    """Toneless pinyin of a word, syllables joined by SEP ('李娜' -> "li'na", v for ü)."""
    from pypinyin import Style, lazy_pinyin

    return SEP.join(lazy_pinyin(text, style=Style.NORMAL, errors="ignore")).replace("ü", "v")


class ContextRanker:
    """Candidates for a field: ``name`` (surname + given-name characters) or ``repair``."""

    def __init__(self, index: PinyinIndex) -> None:
        self.index = index
        self.surnames: dict[str, list[tuple[str, float]]] = {}
        for rank, name in enumerate(SURNAMES):
            key = SURNAME_READINGS.get(name) or _reading(name)
            self.surnames.setdefault(key, []).append((name, 1.0 / (rank + 3)))
        self.given: dict[str, list[tuple[str, float]]] = {}
        for rank, ch in enumerate(GIVEN_CHARS):
            self.given.setdefault(_reading(ch), []).append((ch, 1.0 / (rank + 10)))
        self._split_cache: dict[tuple[str, int], list[list[str]]] = {}
        self.repair: dict[str, list[str]] = {}
        for word in REPAIR_WORDS:
            self.repair.setdefault(_reading(word), []).append(word)

    # -- segmentation ----------------------------------------------------------------
    def segmentations(self, letters: str) -> list[list[str]]:
        """Every split of ``letters`` into at most MAX_NAME_SYLLABLES whole syllables (the last
        may be a prefix); the user's separators are kept."""
        out: list[list[str]] = [[]]
        for chunk in letters.split(SEP):
            if not chunk:
                continue
            out = [
                head + tail
                for head in out
                for tail in self._splits(chunk, MAX_NAME_SYLLABLES - len(head))
            ]
        return [s for s in out if s]

    def _splits(self, chunk: str, budget: int) -> list[list[str]]:
        if not chunk:
            return [[]]
        if budget <= 0 or len(chunk) > 6 * budget:  # too long for a name: pruned early
            return []
        key = (chunk, budget)
        if key not in self._split_cache:
            found = []
            for end in range(1, min(6, len(chunk)) + 1):
                head = chunk[:end]
                whole = head in self.index.syllables
                last_prefix = end == len(chunk) and head in self.index._prefixes
                if whole or last_prefix:
                    found.extend([head, *rest] for rest in self._splits(chunk[end:], budget - 1))
            if len(self._split_cache) > 4096:
                self._split_cache.clear()
            self._split_cache[key] = found
        return self._split_cache[key]

    # -- names -------------------------------------------------------------------------
    def _given_for(self, syllable: str, is_last: bool) -> list[tuple[str, float]]:
        """Given-name characters for one syllable: the list's, then the commonest others."""
        if syllable in self.index.syllables:
            listed = list(self.given.get(syllable, []))[:5]
            general = [w for w in self.index.entries.get(syllable, []) if len(w) == 1][:3]
        elif is_last:  # an unfinished last syllable: "zhangw"
            listed = sorted(
                (cw for key, cws in self.given.items() if key.startswith(syllable) for cw in cws),
                key=lambda cw: -cw[1],
            )[:5]
            general = []
        else:
            return []
        have = {c for c, _ in listed}
        return listed + [(c, 0.3 / (i + 20)) for i, c in enumerate(general) if c not in have]

    def names(self, letters: str) -> list[str]:
        """Whole names for the typed letters, likeliest first ("lina" -> 李娜, "zhangwei" -> 张伟)."""
        scored: dict[str, float] = {}
        for syllables in self.segmentations(letters):
            if NOT_IN_NAMES.intersection(syllables):
                continue
            for n_sur in (1, 2):
                given = syllables[n_sur:]
                if not 1 <= len(given) <= 2:
                    continue
                surnames = self.surnames.get(SEP.join(syllables[:n_sur]), [])[:3]
                options = [self._given_for(s, i == len(given) - 1)[:6] for i, s in enumerate(given)]
                if not surnames or not all(options):
                    continue
                for (sur, ws), *chars in product(surnames, *options):
                    weight = ws
                    for _, wc in chars:
                        weight *= wc
                    name = sur + "".join(c for c, _ in chars)
                    scored[name] = max(scored.get(name, 0.0), weight)
        ranked = sorted(scored.items(), key=lambda kv: -kv[1])
        if not ranked:
            return []
        best = ranked[0][1]  # names far less likely than the best are noise (张湖阿 for zhanghua)
        return [name for name, w in ranked[:NAME_CANDIDATES] if w >= best / NAME_SPREAD]

    # -- candidates --------------------------------------------------------------------
    def candidates(
        self, letters: str, context: str, limit: int = 30, at_start: bool = True
    ) -> list[Candidate]:
        """The keyboard's candidates for ``letters`` typed into a field of kind ``context``."""
        letters = letters.strip().lower()
        base = self.index.candidates(letters, limit)
        if not letters or context not in ("name", "repair"):
            return base
        syllables = self.index.segment(letters)
        offsets = _offsets(letters, syllables)
        first: list[Candidate] = []
        if context == "name":
            first += [Candidate(n, len(letters)) for n in self.names(letters)]
            pool = self.surnames if at_start else self.given
            first += [Candidate(c, offsets[0]) for c, _ in pool.get(syllables[0], [])[:4]]
            return _merge(first, base, limit)
        extra = [
            Candidate(word, offsets[n - 1])
            for n in range(len(syllables), 0, -1)
            for word in self.repair.get(SEP.join(syllables[:n]), [])
        ]
        out: list[Candidate] = []
        for cand in base:  # a repair word goes before the first candidate of its length
            out += [e for e in extra if e.consumed == cand.consumed and e not in out]
            out.append(cand)
        return _merge(out, extra, limit)


def _offsets(letters: str, syllables: list[str]) -> list[int]:
    """Letters (separators included) used up by the first 1, 2, ... syllables."""
    out, pos = [], 0
    for syl in syllables:
        while pos < len(letters) and letters[pos] == SEP:
            pos += 1
        pos += len(syl)
        out.append(pos)
    return out


def _merge(first: list[Candidate], rest: list[Candidate], limit: int) -> list[Candidate]:
    out: list[Candidate] = []
    seen: set[str] = set()
    for cand in (*first, *rest):
        if cand.text not in seen:
            seen.add(cand.text)
            out.append(cand)
    return out[:limit]


_ranker: ContextRanker | None = None
_lock = threading.Lock()


def get_ranker() -> ContextRanker:
    """The shared ranker over the shared index (built on first use)."""
    global _ranker
    with _lock:
        if _ranker is None:
            from kiosk.pinyin_ime import get_index

            _ranker = ContextRanker(get_index())
        return _ranker
