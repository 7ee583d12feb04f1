"""The outbound dial plan (issue 14 item 11): domestic formats only, no toll fraud."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.config import ConfigError, build_section
from desk.config_hotline import HotlineSettings
from desk.dialplan import DialPlan, canonical, check, guarded, normalise
from desk.errors import ValidationError

LOCAL = DialPlan(local_area_code="0755")


@pytest.mark.parametrize(
    ("typed", "dialled"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("010-12345678", "01012345678"),
        ("0755 8888 6666", "075588886666"),
        ("+86 755 8888 6666", "075588886666"),
        ("0371-1234567", "03711234567"),
    ],
)
def test_domestic_formats_are_dialled_normalised(typed, dialled):
    d = check(typed)
    assert d.ok and d.number == dialled


@pytest.mark.parametrize(
    "number",
    ["008821234567", "+441234567890", "00441234567890", "+1 212 555 0100", "001800123456"],
)
def test_international_numbers_are_refused(number):
    assert not check(number).ok
    assert check(number, DialPlan(allow_international=True)).ok


@pytest.mark.parametrize(
    "number", ["95588", "96123", "10690000123", "19001234567", "4008001234", "110", "12345"]
)
def test_premium_service_and_short_numbers_are_refused(number):
    assert not check(number).ok


def test_a_premium_prefix_can_be_allowed_explicitly():
    plan = DialPlan(allowed_prefixes=("4008001234",))
    assert check("400-800-1234", plan).ok and not check("4008009999", plan).ok


def test_local_numbers_need_a_local_area_code():
    assert not check("88886666").ok
    assert check("88886666", LOCAL).ok and check("8888666", LOCAL).ok
    assert not check("08886666", LOCAL).ok


def test_the_guard_never_calls_a_refused_number():
    called = []
    dial = guarded(lambda n: called.append(n) or "channel")
    assert dial("008821234567") is None
    assert dial("+8613800138000") == "channel"
    assert called == ["13800138000"]


def test_settings_table_builds_the_plan():
    h = build_section(
        HotlineSettings,
        {"dialplan": {"local_area_code": "0755", "premium_prefixes": ["95"]}},
        "hotline",
    )
    assert h.dialplan == DialPlan(local_area_code="0755", premium_prefixes=("95",))
    with pytest.raises(ConfigError):
        build_section(HotlineSettings, {"dialplan": {"international": True}}, "hotline")


@given(st.text(alphabet="0123456789+- ", max_size=20))
def test_whatever_is_typed_the_plan_answers_and_never_allows_international(text):
    d = check(text)
    assert d.number == normalise(text)
    if d.ok:
        assert d.number.isdigit() and not d.number.startswith("00")


@pytest.mark.parametrize(
    ("typed", "area", "expected"),
    [
        ("013887366946", "", "13887366946"),  # a trunk 0 before a mobile's caller ID
        ("+86 138-0013-8000", "", "13800138000"),
        ("0086 13800138000", "", "13800138000"),
        ("8613800138000", "", "13800138000"),
        ("+86 755 8888 6666", "", "075588886666"),
        ("88886666", "0755", "075588886666"),  # local, the site's area code configured
        ("88886666", "755", "075588886666"),
        ("88886666", "", "88886666"),  # without one: left for the caller to refuse
        ("01012345678", "", "01012345678"),  # Beijing landline, not a trunk-0 mobile
        ("008821234567", "", "008821234567"),  # international stays international
    ],
)
def test_issue14_item5_one_rule_for_the_number_forms_callers_use(typed, area, expected):
    """The one function behind records, caller-ID look-ups and the dial plan."""
    assert canonical(typed, area) == expected
    assert normalise(typed) == canonical(typed)


def test_issue14_item5_records_read_the_same_forms():
    from desk import validate

    assert validate.phone("013887366946") == "13887366946"
    assert validate.phone("+86 755 8888 6666") == "0755-88886666"
    assert validate.phone(canonical("88886666", "0755")) == "0755-88886666"
    with pytest.raises(ValidationError):
        validate.phone("88886666")  # no area code: the hotline adds the configured one first
