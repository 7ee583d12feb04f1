"""Units as people on site read them (screens, receipts, the status report)."""

from __future__ import annotations

import pytest

from desk.validate import unit_label_zh


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("3-2-501", "3栋2单元501室"),
        ("public:地下车库", "公共区域（地下车库）"),
        ("public:", "公共区域"),
        ("3-0-0", "3栋"),  # a visit anonymised under X2 keeps only its building
        ("", "—"),
        ("门卫室", "门卫室"),
    ],
)
def test_unit_label_never_fails(stored: str, shown: str) -> None:
    assert unit_label_zh(stored) == shown
