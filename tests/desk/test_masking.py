"""Tests for desk.masking (X1)."""

import io
import logging
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.masking import (
    MaskingFilter,
    install_log_masking,
    mask_id,
    mask_name,
    mask_phone,
    mask_text,
    uninstall_log_masking,
)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _with_check(first17: str) -> str:
    return (
        first17
        + "10X98765432"[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]
    )


resident_ids = st.builds(
    lambda area, y, m, d, seq: _with_check(f"{area}{y:04d}{m:02d}{d:02d}{seq:03d}"),
    st.integers(110000, 659999),
    st.integers(1900, 2020),
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(0, 999),
)
mobiles = st.builds(
    lambda second, rest: f"1{second}{rest:09d}",
    st.sampled_from("3456789"),
    st.integers(0, 999_999_999),
)
# Free text around the secret: anything, digits included.
texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


def test_X1_mask_id_resident():
    assert mask_id("11010519491231002X") == "110***********002X"
    assert mask_id(" 11010519491231002x ") == "110***********002x"


def test_X1_mask_id_passport_and_short():
    assert mask_id("E12345678") == "E******78"
    assert mask_id("") == ""
    assert mask_id("AB1") == "***"
    assert mask_id("AB12") == "A*12"


def test_X1_mask_phone_mobile_and_landline():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138-1234-5678") == "138****5678"
    assert mask_phone("8613812345678") == "138****5678"
    assert mask_phone("0755-88886666") == "0755-****6666"
    assert mask_phone("010-6555123") == "010-***5123"
    assert mask_phone("075588886666") == "0755-****6666"
    assert mask_phone("88886666") == "****6666"
    assert mask_phone("12345") == "12345"
    assert mask_phone("") == ""


def test_X1_mask_name():
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("欧阳修") == "欧**"
    assert mask_name("张") == "*"
    assert mask_name("John Smith") == "J*** *****"
    assert mask_name("迪丽热巴·迪力木拉提") == "迪***·*****"
    assert mask_name("  ") == ""


@given(resident_ids)
def test_X1_masked_id_hides_middle_digits(rid):
    masked = mask_id(rid)
    assert len(masked) == len(rid)
    assert masked[:3] == rid[:3] and masked[-4:] == rid[-4:]
    assert masked[3:14] == "*" * 11


@given(mobiles)
def test_X1_masked_mobile_hides_middle_digits(number):
    masked = mask_phone(number)
    assert masked == number[:3] + "****" + number[7:]


def test_X1_id_followed_by_a_digit_is_masked():
    # Found by hypothesis in CI: the regex stopped before the X and kept 17 digits.
    assert "54521619400107001X" not in mask_text("54521619400107001X0")


@given(texts, resident_ids, texts)
def test_X1_mask_text_never_lets_full_id_through(before, rid, after):
    assert rid not in mask_text(before + rid + after)
    assert rid.lower() not in mask_text(before + rid.lower() + after)


@given(
    texts.filter(lambda t: not t[-1:].isdigit()),
    mobiles,
    texts.filter(lambda t: not t[:1].isdigit()),
)
def test_X1_mask_text_hides_standalone_mobiles(before, number, after):
    assert number not in mask_text(before + number + after)


def test_X1_mask_text_keeps_other_numbers():
    assert (
        mask_text("快递单号 SF1234567890 工单 20240101-0001")
        == "快递单号 SF1234567890 工单 20240101-0001"
    )
    assert mask_text("电话 138 1234 5678") == "电话 138****5678"


def _make_logger(name):
    logger = logging.getLogger(name)
    logger.setLevel(logging.DEBUG)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    return logger, handler, stream


def test_X1_filter_masks_message_and_args():
    logger, handler, stream = _make_logger("test.masking.filter")
    handler.addFilter(MaskingFilter())
    logger.addHandler(handler)
    try:
        logger.info("visitor id %s phone %s", "11010519491231002X", 13812345678)
        logger.info("raw 11010519491231002X in message, dict %(p)s", {"p": "13912345678"})
        logger.info("object %s", {"id": "11010519491231002X"})
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert "11010519491231002X" not in out
    assert "13812345678" not in out and "13912345678" not in out
    assert "110***********002X" in out and "138****5678" in out and "139****5678" in out


def test_X1_filter_masks_tracebacks():
    logger, handler, stream = _make_logger("test.masking.exc")
    handler.addFilter(MaskingFilter())
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("bad id 11010519491231002X")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert "Traceback" in out and "11010519491231002X" not in out


@pytest.fixture
def installed():
    install_log_masking()
    install_log_masking()  # idempotent
    yield
    uninstall_log_masking()


def test_X1_install_covers_caplog_and_handlers_added_later(installed, caplog):
    logger, handler, stream = _make_logger("test.masking.later")
    logging.getLogger().addHandler(handler)  # added after install, no filter of its own
    try:
        with caplog.at_level(logging.INFO):
            logger.info("owner %s, id %s", "13812345678", "11010519491231002X")
    finally:
        logging.getLogger().removeHandler(handler)
    for text in (caplog.text, stream.getvalue()):
        assert "13812345678" not in text and "11010519491231002X" not in text
        assert "138****5678" in text
    assert all("11010519491231002X" not in r.getMessage() for r in caplog.records)


def test_X1_install_filters_existing_root_handlers():
    root = logging.getLogger()
    _, handler, stream = _make_logger("unused")
    root.addHandler(handler)
    try:
        install_log_masking()
        assert any(isinstance(f, MaskingFilter) for f in handler.filters)
        # A record built by hand bypasses the factory; the handler filter still masks it.
        record = logging.LogRecord(
            "x", logging.WARNING, __file__, 1, "id %s", ("11010519491231002X",), None
        )
        root.handle(record)
    finally:
        uninstall_log_masking()
        root.removeHandler(handler)
    assert re.search(r"110\*{11}002X", stream.getvalue())
