"""Field validators (V1, R1, P1, K2): each returns the normalised value or raises ValidationError."""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import date
from typing import Any

from desk.dialplan import canonical
from desk.errors import ValidationError

log = logging.getLogger(__name__)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_TYPES = ("resident_id", "passport", "hk_macau_permit", "other")
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_SUFFIXES = "使领警学挂港澳"
MAX_PARTY_SIZE = 20

_SEPARATORS_RE = re.compile(r"[\s\-()（）·.]")
_LETTER = "A-HJ-NP-Z"  # plates never use I or O
_PLATE_RES = (
    re.compile(rf"^[{PROVINCES}][{_LETTER}][{_LETTER}0-9]{{5}}$"),  # ordinary
    re.compile(rf"^[{PROVINCES}][{_LETTER}][A-HJK][{_LETTER}0-9][0-9]{{4}}$"),  # small NEV
    re.compile(rf"^[{PROVINCES}][{_LETTER}][0-9]{{5}}[A-HJK]$"),  # large NEV
    re.compile(rf"^[{PROVINCES}][{_LETTER}][{_LETTER}0-9]{{4}}[{PLATE_SUFFIXES}]$"),
    re.compile(r"^使[0-9]{6}$"),  # embassy
)
_UNIT_PART_RE = re.compile(r"^[A-Z0-9]{1,6}$")
_UNIT_ZH_RE = re.compile(
    r"^(?P<b>[A-Z0-9]+)(?:栋|幢|座|号楼|楼)(?P<e>[A-Z0-9]+)(?:单元)(?P<r>[A-Z0-9]+)(?:室|号|房)?$"
)


def _nfkc(value: Any) -> str:
    if not isinstance(value, str):
        value = "" if value is None else str(value)
    return unicodedata.normalize("NFKC", value).strip()


def id_check_char(first17: str) -> str:
    """GB 11643 check character for the first 17 digits of a resident ID."""
    return ID_CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def resident_id(value: str, field: str = "id_number") -> str:
    """18-char PRC resident ID with a valid check digit and birth date; x becomes X."""
    v = _SEPARATORS_RE.sub("", _nfkc(value)).upper()
    if not re.fullmatch(r"[0-9]{17}[0-9X]", v):
        raise ValidationError(field, value, "身份证号码应为18位，最后一位可以是X")
    if v[0] == "0":
        raise ValidationError(field, value, "身份证号码的地区码无效")
    try:
        born = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise ValidationError(field, value, "身份证号码中的出生日期无效") from None
    if born.year < 1900 or born > date.today():
        raise ValidationError(field, value, "身份证号码中的出生日期无效")
    if id_check_char(v[:17]) != v[17]:
        raise ValidationError(field, value, "身份证号码校验位不正确，请核对")
    return v


def id_number(id_type: str, value: str, field: str = "id_number") -> str:
    """An ID number of the given type (resident_id, passport, hk_macau_permit, other)."""
    if id_type == "resident_id":
        return resident_id(value, field)
    v = _SEPARATORS_RE.sub("", _nfkc(value)).upper()
    if id_type == "passport":
        if not re.fullmatch(r"[A-Z0-9]{5,20}", v):
            raise ValidationError(field, value, "护照号码应为5-20位字母或数字")
        return v
    if id_type == "hk_macau_permit":
        if not re.fullmatch(r"[A-Z][A-Z0-9][0-9]{7}([0-9]{2})?", v):
            raise ValidationError(field, value, "港澳通行证号码格式不正确，例如H12345678")
        return v
    if id_type == "other":
        v = _nfkc(value)
        if not v:
            raise ValidationError(field, value, "证件号码不能为空")
        if len(v) > 30 or not v.isprintable():
            raise ValidationError(field, value, "证件号码格式不正确")
        return v
    raise ValidationError("id_type", id_type, f"证件类型应为 {', '.join(ID_TYPES)} 之一")


def _phone_digits(value: Any) -> str:
    v = _SEPARATORS_RE.sub("", _nfkc(value))
    if v.startswith("+86"):
        v = v[3:]
    elif v.startswith("0086"):
        v = v[4:]
    elif len(v) == 13 and v.startswith("86"):
        v = v[2:]
    return v


def mobile(value: str, field: str = "phone") -> str:
    """11-digit mainland mobile number (1[3-9]...); spaces, dashes and +86 are removed."""
    v = _phone_digits(value)
    if not re.fullmatch(r"[0-9]{11}", v):
        raise ValidationError(field, value, "手机号码应为11位数字")
    if not re.fullmatch(r"1[3-9][0-9]{9}", v):
        raise ValidationError(field, value, "手机号码应以13-19开头")
    return v


def phone(value: str, field: str = "phone") -> str:
    """A mobile number, or a landline normalised to `0755-88886666` (area code + 7-8 digits).

    The forms callers and caller IDs use are read by ``desk.dialplan.canonical`` (+86, 0086,
    a trunk 0 before a mobile); a local number without area code needs the site's area code
    (``canonical(number, local_area_code)`` first)."""
    v = canonical(_nfkc(value))
    if re.fullmatch(r"1[3-9][0-9]{9}", v):
        return v
    s = re.sub(r"\s", "", _nfkc(value))
    s = re.sub(r"^[(（](0[0-9]{2,3})[)）]", r"\1-", s)
    m = re.fullmatch(r"(0[0-9]{2,3})-([2-9][0-9]{6,7})", s)
    if m:
        return f"{m.group(1)}-{m.group(2)}"
    for digits in (s, v):
        if re.fullmatch(r"0[0-9]{9,11}", digits):
            cut = 3 if digits.startswith(("010", "02")) else 4
            if re.fullmatch(r"[2-9][0-9]{6,7}", digits[cut:]):
                return f"{digits[:cut]}-{digits[cut:]}"
    raise ValidationError(
        field, value, "电话号码应为11位手机号或带区号的固定电话，例如0755-88886666"
    )


def plate(value: str, field: str = "plate") -> str:
    """Chinese vehicle plate (ordinary, new-energy, 使/领/警/学/挂/港/澳), upper-cased."""
    v = _SEPARATORS_RE.sub("", _nfkc(value)).upper()
    if not any(r.fullmatch(v) for r in _PLATE_RES):
        raise ValidationError(field, value, "车牌号格式不正确，例如粤B12345")
    return v


def _unit_part(field: str, part: Any, whole: Any) -> str:
    p = _nfkc(part).upper()
    if not _UNIT_PART_RE.fullmatch(p):
        raise ValidationError(field, whole, "房号格式应为 楼栋-单元-房号，例如3-2-501")
    return (p.lstrip("0") or "0") if p.isdigit() else p


def unit_key(building: Any, entrance: Any, room: Any, field: str = "unit") -> str:
    """Canonical unit key `3-2-501` from building, entrance (单元) and room."""
    whole = f"{building}-{entrance}-{room}"
    return "-".join(_unit_part(field, p, whole) for p in (building, entrance, room))


def parse_unit(value: str, field: str = "unit") -> tuple[str, str, str]:
    """Split `3-2-501` (or `3栋2单元501室`, `3/2/501`) into (building, entrance, room)."""
    v = re.sub(r"\s", "", _nfkc(value)).upper()
    m = _UNIT_ZH_RE.fullmatch(v)
    parts = [m.group("b"), m.group("e"), m.group("r")] if m else re.split(r"[-/]", v)
    if len(parts) != 3:
        raise ValidationError(field, value, "房号格式应为 楼栋-单元-房号，例如3-2-501")
    b, e, r = (_unit_part(field, p, value) for p in parts)
    return b, e, r


def format_unit_zh(value: str) -> str:
    """`3-2-501` -> `3栋2单元501室`."""
    b, e, r = parse_unit(value)
    return f"{b}栋{e}单元{r}室"


PUBLIC_PREFIX = "public:"
"""Work-order locations outside any unit: ``public:<area>`` (R1)."""


def unit_label_zh(unit: str) -> str:
    """A unit or location as people on site read it; never raises (screens, receipts, reports).

    ``3-2-501`` -> ``3栋2单元501室``; ``public:大堂`` -> ``公共区域（大堂）``; a unit anonymised
    to its building (X2: ``3-0-0``) -> ``3栋``; empty -> ``—``; anything else unchanged.
    """
    unit = unit.strip()
    if unit.startswith(PUBLIC_PREFIX):
        area = unit.removeprefix(PUBLIC_PREFIX).strip()
        return f"公共区域（{area}）" if area else "公共区域"
    if not unit:
        return "—"
    parts = unit.split("-")
    if len(parts) == 3 and parts[0].isdigit() and parts[1:] == ["0", "0"]:
        return f"{parts[0]}栋"
    try:
        return format_unit_zh(unit)
    except ValidationError:
        return unit


def party_size(value: Any, field: str = "party_size", max_size: int = MAX_PARTY_SIZE) -> int:
    """Number of people in a visiting party: 1..max_size."""
    if isinstance(value, bool):
        raise ValidationError(field, value, "人数应为整数")
    try:
        n = int(_nfkc(value)) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise ValidationError(field, value, "人数应为整数") from None
    if n != value and not isinstance(value, str):
        raise ValidationError(field, value, "人数应为整数")
    if not 1 <= n <= max_size:
        raise ValidationError(field, value, f"人数应在1到{max_size}之间")
    return n


def non_empty(field: str, value: Any, max_len: int = 500) -> str:
    """Stripped free text, not empty, at most max_len characters, no control characters."""
    if not isinstance(value, str):
        raise ValidationError(field, value, "应为文字")
    v = value.strip()
    if not v:
        raise ValidationError(field, value, "不能为空")
    if len(v) > max_len:
        raise ValidationError(field, value, f"不能超过{max_len}个字")
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in v):
        raise ValidationError(field, value, "含有无效字符")
    return v


# --- hostile text (issue 10 items 16, 17) ----------------------------------------------

INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\u180e"
)
"""Zero-width and bidirectional-override characters: never allowed in a name."""

DEFAULT_MAX_LEN = 2000
"""Longest free-text field (characters) unless a record says otherwise."""


def strip_controls(value: str, keep_newlines: bool = True) -> str:
    """``value`` without control characters (C0, C1, DEL: terminal escapes die here)."""
    keep = "\n\t" if keep_newlines else ""
    if value.isprintable():
        return value
    return "".join(c for c in value if c in keep or unicodedata.category(c) != "Cc")


def check_name(field: str, value: str) -> None:
    """Names may not hide characters: zero-width or direction overrides are refused."""
    if any(c in INVISIBLE for c in value):
        raise ValidationError(field, value, "姓名含有不可见字符或方向控制字符")
