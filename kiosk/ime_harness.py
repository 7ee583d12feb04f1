"""Taps to enter a name on the pinyin keyboard (shared by tests/kiosk and bench/pinyin.py)."""

from __future__ import annotations

import logging
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kiosk.pinyin_ime import SEP, Candidate, Composer

log = logging.getLogger(__name__)

TEST_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
"""The 20 most common surnames (household register 2019/2020, in order)."""
_GIVEN = "伟 芳 娜 秀英 敏 静 志强 海燕 浩然 子涵"
TEST_GIVEN = _GIVEN.split()
"""Common given names: the commonest of the 1970s-80s and of children born after 2010."""

MAX_PAGES = 12
"""A user gives up paging after this many pages of one candidate list."""


def common_names(
    surnames: Sequence[str] = TEST_SURNAMES, given: Sequence[str] = TEST_GIVEN
) -> list[str]:
    """Every surname with every given name (20 x 10 = 200 names)."""
    return [s + g for s in surnames for g in given]


def pinyin_of(name: str) -> str:
    """The letters a person types for a name: its toneless pinyin without separators."""
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(name, style=Style.NORMAL)).replace("ü", "v")


@dataclass(frozen=True)
class Entry:
    name: str
    taps: int
    """Letters typed + page turns + candidate taps; -1 if the name could not be entered."""
    first_page: bool
    """The whole name was a candidate on the first page after typing its pinyin."""


CandidatesFn = Callable[[str, int, str, bool], list[Candidate]]


def enter_name(name: str, context: str, candidates_fn: CandidatesFn | None = None) -> Entry:
    """Type the name's pinyin, then pick the longest candidate that starts what is still missing,
    turning pages until one shows (what a person does). ``candidates_fn`` replaces the IME."""
    composer = Composer(mode="zh", max_len=40, context=context)
    if candidates_fn is not None:
        fn = candidates_fn

        def refresh() -> None:
            composer.page = 0
            composer._cands = (
                fn(composer.buffer, 60, composer.context, not composer.text)
                if composer.buffer
                else []
            )

        composer._refresh = refresh  # type: ignore[method-assign]
    letters = pinyin_of(name)
    taps = 0
    for ch in letters:
        composer.type(ch)
        taps += 1
    first_page = any(c.text == name for c in composer.page_candidates())
    while composer.buffer:
        missing = name[len(composer.text) :]
        if not name.startswith(composer.text) or not missing:
            return Entry(name, -1, first_page)
        for _ in range(MAX_PAGES):
            page = composer.page_candidates()
            fits = [i for i, c in enumerate(page) if missing.startswith(c.text)]
            if fits:
                best = max(fits, key=lambda i: len(page[i].text))
                composer.choose(best)
                taps += 1
                break
            before = composer.page
            composer.next_page()
            taps += 1
            if composer.page == before:
                return Entry(name, -1, first_page)
        else:
            return Entry(name, -1, first_page)
    ok = composer.text == name
    return Entry(name, taps if ok else -1, first_page)


@dataclass(frozen=True)
class Summary:
    median_taps: float
    first_page_share: float
    failed: int
    count: int


def measure(
    names: Sequence[str], context: str, candidates_fn: CandidatesFn | None = None
) -> Summary:
    """Median taps over the names that could be entered, the first-page share, failures."""
    entries = [enter_name(n, context, candidates_fn) for n in names]
    done = [e.taps for e in entries if e.taps >= 0]
    return Summary(
        median_taps=statistics.median(done) if done else float("inf"),
        first_page_share=sum(e.first_page for e in entries) / len(entries),
        failed=len(entries) - len(done),
        count=len(entries),
    )


__all__ = ["SEP", "Entry", "Summary", "common_names", "enter_name", "measure", "pinyin_of"]
