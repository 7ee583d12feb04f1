"""Chinese text handling of the ESC/POS builder."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices import escpos_text as tx
from devices.escpos_doc import EscposDoc


def test_yen_is_mapped_to_fullwidth_and_encodes_in_two_bytes():
    assert tx.encode("¥5", "gbk") == "￥5".encode("gbk") == b"\xa3\xa45"
    assert tx.encode("¥5", "gb18030") == b"\xa3\xa45"


def test_chinese_counts_two_columns():
    assert tx.width("A-07") == 4
    assert tx.width("钥匙 3-12") == 9
    assert tx.width("¥") == 2


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_doc_selects_chinese_mode_and_encodes_by_config(encoding):
    doc = EscposDoc(58, encoding)
    doc.line("物业")
    assert doc.output.startswith(b"\x1b@\x1c&")
    assert "物业".encode(encoding) + b"\n" in doc.output


def test_gbk_replaces_what_it_cannot_encode():
    assert tx.encode("𠀀", "gbk") == b"?"
    assert len(tx.encode("𠀀", "gb18030")) == 4


def test_unknown_encoding_rejected():
    with pytest.raises(ValueError):
        tx.encode("x", "utf-8")


@pytest.mark.parametrize("columns", [32, 48])
def test_pair_lines_up_right_column(columns):
    for left, right in [("金额", "¥12.00"), ("Amount", "¥12.00"), ("押金（元）", "200")]:
        line = tx.pad_pair(left, right, columns)
        assert tx.width(line) == columns
        assert line.endswith(tx.normalise(right))


def test_wrap_never_exceeds_columns_and_keeps_all_text():
    text = "厨房水管漏水，地面积水 please send someone soon，谢谢！" * 3
    lines = tx.wrap(text, 32)
    assert all(tx.width(line) <= 32 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize(
    ("text", "columns", "lines"),
    [
        (
            "维修完成后我们将回访，请凭单号查询进度",
            32,
            ["维修完成后我们将回访，", "请凭单号查询进度"],
        ),
        (
            "厨房水管漏水，地面积水，请尽快派人维修",
            26,
            ["厨房水管漏水，地面积水，", "请尽快派人维修"],
        ),
        ("一二三四五六七八九十一二三四五六，七", 32, ["一二三四五六七八九十一二三四五", "六，七"]),
        ("好，一二三四五六七八九十一二三四五六", 32, ["好，一二三四五六七八九十一二三四", "五六"]),
    ],
)
def test_wrap_prefers_punctuation_and_no_line_starts_with_it(text, columns, lines):
    assert tx.wrap(text, columns) == lines


@given(
    st.text(alphabet="中文字，。！abc xyz0123-", max_size=120),
    st.integers(min_value=4, max_value=48),
)
def test_wrap_property_fits_and_keeps_every_character(text, columns):
    lines = tx.wrap(text, columns)
    assert all(tx.width(line) <= columns for line in lines)
    assert "".join(lines).replace(" ", "") == tx.normalise(text).replace(" ", "")


def test_paper_widths():
    assert (EscposDoc(58).columns, EscposDoc(58).dots) == (32, 384)
    assert (EscposDoc(80).columns, EscposDoc(80).dots) == (48, 576)
    with pytest.raises(ValueError):
        EscposDoc(76)


def test_native_qr_is_small_and_image_fallback_is_not():
    native, image = EscposDoc(80), EscposDoc(80, qr_native=False)
    native.qr("22611230007")
    image.qr("22611230007")
    assert b"\x1d(k" in native.output and len(native.output) < 120
    assert b"\x1dv0" in image.output and len(image.output) > 1000
