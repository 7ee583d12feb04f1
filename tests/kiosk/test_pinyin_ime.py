"""The pinyin IME without Kivy: candidates from pypinyin's data ranked by jieba's frequencies."""

from __future__ import annotations

from kiosk.pinyin_ime import Composer, candidates, initials_of, strip_tone


def texts(letters: str, n: int = 5) -> list[str]:
    return [c.text for c in candidates(letters, n)]


def test_zhang_offers_zhang_surname_first_candidates():
    assert "张" in texts("zhang")


def test_wang_offers_wang_surname_first_candidates():
    assert "王" in texts("wang")


def test_multi_syllable_words():
    assert texts("beijing", 1) == ["北京"]
    assert "漏水" in texts("loushui", 3)
    assert "停电" in texts("tingdian", 3)


def test_tone_marks_and_u_umlaut():
    assert strip_tone("zhāng") == "zhang"
    assert strip_tone("lǜ") == "lv"


def test_composer_picks_words_piece_by_piece():
    c = Composer()
    for ch in "kundianti":
        c.type(ch)
    c.choose([x.text for x in c.page_candidates()].index("困"))
    assert c.text == "困" and c.buffer == "dianti"
    c.choose(0)
    assert c.text == "困电梯" and c.buffer == ""


def test_initials_for_resident_search():
    assert initials_of("张三") == "zs"
