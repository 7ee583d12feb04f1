"""A card read from an ID card reader (resident ID, residence permits) and whether it may be used."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from desk import validate
from desk.errors import ValidationError
from desk.masking import mask_address, mask_id, mask_name

log = logging.getLogger(__name__)

CARD_TYPES = {
    "resident": "居民身份证",
    "hmt_residence": "港澳台居民居住证",
    "foreign_permanent": "外国人永久居留身份证",
    "foreign_permanent_2023": "外国人永久居留身份证（2023版）",
}
SEXES = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}
_NATIONS = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 "
    "拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 "
    "怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
)
NATIONS = _NATIONS.split()
"""GB 3304 nationality codes 01..56 in order (the card stores the two-digit code)."""


def nation_name(code: str) -> str:
    """'01' -> '汉'; 97 其他, 98 外国血统中国籍人士; unknown codes are returned as they are."""
    code = code.strip()
    if code.isdigit() and 1 <= int(code) <= len(NATIONS):
        return NATIONS[int(code) - 1]
    return {"97": "其他", "98": "外国血统中国籍人士"}.get(code, code)


@dataclass(frozen=True)
class IdentityCard:
    """The machine-readable text of one card, decoded (the photo stays encoded, as read)."""

    card_type: str
    """A key of CARD_TYPES."""
    name: str
    """Chinese name (empty on a 2017 foreigner's card without one)."""
    id_number: str
    sex: str = ""
    """Code: 1 male, 2 female (SEXES)."""
    birth: date | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    """None: 长期 (no end date)."""
    nation: str = ""
    """Nationality code (resident ID) or country code (foreigner's card)."""
    address: str = ""
    authority: str = ""
    name_en: str = ""
    pass_number: str = ""
    """HK/Macao/Taiwan residence permit: the travel permit number printed on it."""
    issue_count: str = ""
    photo: bytes = field(default=b"", repr=False)
    """1024 bytes of the card's encoded (WLT) photo; never stored unless configured."""

    @property
    def display_name(self) -> str:
        return self.name or self.name_en

    @property
    def id_type(self) -> str:
        """The visit record's id_type for this card (desk.record_types.ID_TYPES)."""
        if self.card_type == "foreign_permanent":  # 15 characters: 3 letters + 12 digits
            return "other"
        return "resident_id"  # 18 digits with the GB 11643 check (810000/820000/830000/9...)

    def masked(self) -> dict[str, str]:
        """Every field as it may be shown or printed (X1)."""
        return {
            "证件类型": CARD_TYPES.get(self.card_type, self.card_type),
            "姓名": mask_name(self.display_name),
            "性别": SEXES.get(self.sex, self.sex),
            "证件号码": mask_id(self.id_number),
            "有效期": validity_text(self),
            "住址": mask_address(self.address),
        }


def parse_card_date(text: str) -> date | None:
    """'20200101' -> date; '长期' (and blank) -> None; anything else raises ValueError."""
    text = text.strip().rstrip("\x00").strip()
    if not text or text == "长期":
        return None
    if len(text) != 8 or not text.isdigit():
        raise ValueError(f"not a card date: {text!r}")
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


def validity_text(card: IdentityCard) -> str:
    start = f"{card.valid_from:%Y.%m.%d}" if card.valid_from else "?"
    end = f"{card.valid_until:%Y.%m.%d}" if card.valid_until else "长期"
    return f"{start}-{end}"


@dataclass(frozen=True)
class CardCheck:
    """Whether a card may be used to register, and the message for the visitor if not."""

    ok: bool
    message: str = ""


def check_card(card: IdentityCard, today: date | None = None) -> CardCheck:
    """V1: only a valid, unexpired card fills the form; the visitor is told why otherwise."""
    today = today or date.today()
    if card.card_type not in CARD_TYPES:
        return CardCheck(False, "无法识别的证件，请手动填写或到前台登记")
    if card.valid_until is not None and card.valid_until < today:
        return CardCheck(
            False,
            f"证件已过期（有效期至{card.valid_until:%Y年%m月%d日}），请使用有效证件或到前台登记",
        )
    if card.valid_from is not None and card.valid_from > today:
        return CardCheck(False, "证件尚未生效，请到前台登记")
    try:
        validate.id_number(card.id_type, card.id_number)
    except ValidationError:
        log.warning("card with an invalid number refused: %s", mask_id(card.id_number))
        return CardCheck(False, "证件号码校验不通过，请到前台登记")
    if not card.display_name:
        return CardCheck(False, "证件上没有姓名，请手动填写")
    return CardCheck(True)


def visitor_fields(
    card: IdentityCard, keep_address: bool = False, keep_photo: bool = False
) -> dict[str, Any]:
    """What a read card puts into the visitor form: name and ID only, unless configured (X1)."""
    fields: dict[str, Any] = {
        "visitor_name": card.display_name,
        "id_type": card.id_type,
        "id_number": validate.id_number(card.id_type, card.id_number),
    }
    if keep_address and card.address:
        fields["address"] = card.address
    if keep_photo and card.photo:
        fields["photo"] = card.photo
    return fields
