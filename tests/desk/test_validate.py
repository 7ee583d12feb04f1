"""Tests for desk.validate and desk.errors (V1, R1, P1, K2, X1)."""

import contextlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk import validate
from desk.errors import DeskError, ValidationError

resident_ids = st.builds(
    lambda area, born, seq: (lambda f17: f17 + validate.id_check_char(f17))(
        f"{area}{born:%Y%m%d}{seq:03d}"
    ),
    st.integers(110000, 829999),
    st.dates(date(1900, 1, 1), date.today()),
    st.integers(0, 999),
)
mobiles = st.builds(
    lambda second, rest: f"1{second}{rest:09d}",
    st.sampled_from("3456789"),
    st.integers(0, 999_999_999),
)


def test_V1_resident_id_known_sample():
    assert validate.resident_id("11010519491231002X") == "11010519491231002X"
    assert validate.resident_id(" 110105 1949 1231 002x ") == "11010519491231002X"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "11010519491231002",
        "110105194912310021",
        "11010519491331002X",
        "11010521991231002X",
        "01010519491231002X",
        "1101051949123100XX",
    ],
)
def test_V1_resident_id_rejects(bad):
    with pytest.raises(ValidationError):
        validate.resident_id(bad)


@given(resident_ids)
def test_V1_generated_resident_id_validates(rid):
    assert validate.resident_id(rid) == rid
    assert validate.resident_id(rid.lower()) == rid
    assert validate.id_number("resident_id", rid) == rid


@given(resident_ids, st.integers(0, 16), st.integers(1, 9))
def test_V1_one_wrong_digit_is_caught(rid, pos, delta):
    wrong = rid[:pos] + str((int(rid[pos]) + delta) % 10) + rid[pos + 1 :]
    with pytest.raises(ValidationError):
        validate.resident_id(wrong)


@given(resident_ids.map(lambda r: r[:17] + ("0" if r[17] != "0" else "1")))
def test_X1_error_text_masks_the_id(wrong):
    with pytest.raises(ValidationError) as info:
        validate.resident_id(wrong)
    err = info.value
    assert err.field == "id_number" and err.value == wrong
    assert wrong not in str(err) and wrong not in repr(err)
    assert wrong[3:14] not in str(err)


def test_X1_validation_error_format():
    with pytest.raises(ValidationError) as info:
        validate.mobile("1234", field="visitor_phone")
    assert str(info.value) == "visitor_phone: '1234' — 手机号码应为11位数字"
    assert info.value.message == "手机号码应为11位数字"
    assert isinstance(info.value, DeskError)
    with pytest.raises(ValidationError) as info:
        validate.mobile("12812345678", field="visitor_phone")
    assert "12812345678" not in str(info.value) and "1********78" in str(info.value)


def test_V1_id_number_types():
    assert validate.id_number("passport", "e 1234 5678") == "E12345678"
    assert validate.id_number("hk_macau_permit", "h12345678") == "H12345678"
    assert validate.id_number("other", " 军官证123 ") == "军官证123"
    for id_type, bad in [
        ("passport", "E12"),
        ("passport", "E" * 21),
        ("hk_macau_permit", "12345678"),
        ("other", "  "),
    ]:
        with pytest.raises(ValidationError):
            validate.id_number(id_type, bad)
    with pytest.raises(ValidationError) as info:
        validate.id_number("driving_licence", "123456")
    assert info.value.field == "id_type"


@given(mobiles, st.sampled_from(["{}", "+86{}", "+86 {}", "0086{}", "{0}-{1}-{2}", "{0} {1} {2}"]))
def test_R1_mobile_normalises(number, shape):
    text = (
        shape.format(number)
        if "{0}" not in shape
        else shape.format(number[:3], number[3:7], number[7:])
    )
    assert validate.mobile(text) == number
    assert validate.phone(text) == number


@pytest.mark.parametrize(
    "bad", ["", "1234", "12812345678", "138123456789", "1381234567a", "10012345678"]
)
def test_R1_mobile_rejects(bad):
    with pytest.raises(ValidationError):
        validate.mobile(bad)


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("0755-88886666", "0755-88886666"),
        ("075588886666", "0755-88886666"),
        ("(010)62345678", "010-62345678"),
        ("021 8888 6666", "021-88886666"),
        ("0571-8888666", "0571-8888666"),
        ("13812345678", "13812345678"),
    ],
)
def test_R1_phone_accepts_landlines(raw, norm):
    assert validate.phone(raw) == norm


@pytest.mark.parametrize("bad", ["88886666", "0755-0888666", "0755-888", "755-88886666", "abc"])
def test_R1_phone_rejects(bad):
    with pytest.raises(ValidationError):
        validate.phone(bad)


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("粤b12345", "粤B12345"),
        ("京A·12345", "京A12345"),
        ("京AD12345", "京AD12345"),
        ("沪A12345F", "沪A12345F"),
        ("京A1234警", "京A1234警"),
        ("粤Z1234港", "粤Z1234港"),
        ("鲁B1234学", "鲁B1234学"),
        ("浙A 1234挂", "浙A1234挂"),
        ("使123456", "使123456"),
        ("京Ａ１２３４５", "京A12345"),
    ],
)
def test_V1_plate_accepts(raw, norm):
    assert validate.plate(raw) == norm


@pytest.mark.parametrize(
    "bad", ["", "A12345", "京112345", "京AI2345", "京A1234O", "京A1234", "港A12345", "京A123456"]
)
def test_V1_plate_rejects(bad):
    with pytest.raises(ValidationError):
        validate.plate(bad)


@given(
    st.sampled_from(validate.PROVINCES),
    st.sampled_from("ABCDEFGHJKLMNPQRSTUVWXYZ"),
    st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=5, max_size=5),
)
def test_V1_generated_ordinary_plate_validates(prov, letter, tail):
    assert validate.plate((prov + letter + tail).lower()) == prov + letter + tail


def test_V1_units():
    assert validate.unit_key(3, "2", "0501") == "3-2-501"
    assert validate.unit_key("a", 1, 1201) == "A-1-1201"
    assert validate.parse_unit("3-2-501") == ("3", "2", "501")
    assert validate.parse_unit("3栋2单元501室") == ("3", "2", "501")
    assert validate.parse_unit("12号楼1单元1502") == ("12", "1", "1502")
    assert validate.parse_unit("3/2/501") == ("3", "2", "501")
    assert validate.format_unit_zh("3-2-501") == "3栋2单元501室"
    for bad in ["", "3-501", "3-2-501-1", "3--501", "三-2-501"]:
        with pytest.raises(ValidationError):
            validate.parse_unit(bad)


@given(st.integers(1, 99), st.integers(1, 9), st.integers(101, 3399))
def test_V1_unit_roundtrip(b, e, r):
    key = validate.unit_key(b, e, r)
    assert validate.parse_unit(key) == (str(b), str(e), str(r))
    assert validate.parse_unit(validate.format_unit_zh(key)) == (str(b), str(e), str(r))


def test_V1_party_size():
    assert validate.party_size(1) == 1
    assert validate.party_size("3") == 3
    for bad in [0, -1, 21, "x", None, True, 2.5]:
        with pytest.raises(ValidationError):
            validate.party_size(bad)


def test_R1_non_empty():
    assert validate.non_empty("description", "  漏水  ", 10) == "漏水"
    for bad in ["", "   ", "x" * 11, None, "a\x00b"]:
        with pytest.raises(ValidationError) as info:
            validate.non_empty("description", bad, 10)
        assert info.value.field == "description"


@given(st.text(max_size=40))
def test_R1_validators_raise_only_validation_error(text):
    for fn in (
        validate.resident_id,
        validate.mobile,
        validate.phone,
        validate.plate,
        validate.parse_unit,
    ):
        with contextlib.suppress(ValidationError):
            fn(text)
