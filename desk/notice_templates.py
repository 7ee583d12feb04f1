"""SMS templates (assets/notices/*.toml): loaded, signed 【…物业】, filled, checked to fit 3 parts."""

from __future__ import annotations

import logging
import string
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from desk.errors import DeskError

log = logging.getLogger(__name__)

MAX_PARTS = 3
"""A message that would split into more parts is a template error (operators bill per part)."""

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")
"""TS 23.038 6.2.1: the default alphabet and its extension table (two septets each)."""

SLOT_LONGEST = {
    "courier": "中通快递速运公司",
    "place": "快递柜 B-16号格口",
    "code": "123456",
    "hours": "快递柜24小时可取，前台07:30-20:00可取，请",
    "deadline": "12月31日23:59",
    "days": "30",
    "hotline": "0755-88886666",
    "visitor": "欧阳某某某某",
    "party": "10",
    "unit": "12栋3单元1502室",
    "purpose": "送货上门安装家具家电调试",
    "window": "12月31日07:00-23:59",
    "what": "公共区域电梯困人紧急抢修请立即派人到场处理",
    "number": "2-261231-0007",
    "promise": "紧急维修人员将于30分钟内到场。",
    "tech": "工程部张师傅",
    "time": "12月31日23:59",
    "device": "快递柜门锁控制板",
    "detail": "12栋、13栋、14栋、15栋全天停水，请提前储水，期间请关闭水龙头",
    "office": "幸福家园物业客服中心",
}
"""The longest value each slot takes: the length check fills every slot with these."""


class TemplateError(DeskError):
    """A template is missing, uses an unknown slot, or would not fit in 3 SMS parts."""


@dataclass(frozen=True)
class Template:
    """One message text with its sending rules."""

    name: str
    text: str
    essential: bool = True
    urgent: bool = False

    @property
    def slots(self) -> list[str]:
        return [f for _, f, _, _ in string.Formatter().parse(self.text) if f]


def sms_parts(text: str) -> int:
    """How many SMS parts ``text`` needs (GSM 7-bit 160/153 septets, else UCS-2 70/67 units)."""
    if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text):
        units = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
        single, multi = 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi = 70, 67
    return 1 if units <= single else -(-units // multi)


def signed(signature: str, body: str) -> str:
    return f"【{signature}】{body}"


def templates_dir() -> Path:
    """assets/notices in the package (importlib.resources), else next to the source tree."""
    try:
        found = Path(str(resources.files("assets.notices")))
        if (found / "sms.toml").is_file():
            return found
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parent.parent / "assets" / "notices"


def parse_templates(raw: dict, signature: str, source: str = "") -> dict[str, Template]:
    """Build and check templates from a TOML table; TemplateError names the bad one."""
    out: dict[str, Template] = {}
    for name, table in raw.items():
        if not isinstance(table, dict) or not isinstance(table.get("text"), str):
            raise TemplateError(f'{source} [{name}]: needs text = "..."')
        unknown = set(table) - {"text", "essential", "urgent"}
        if unknown:
            raise TemplateError(f"{source} [{name}]: unknown keys {sorted(unknown)}")
        tpl = Template(name, table["text"].strip(), bool(table.get("essential", True)),
                       bool(table.get("urgent", False)))  # fmt: skip
        bad = [s for s in tpl.slots if s not in SLOT_LONGEST]
        if bad:
            raise TemplateError(f"{source} [{name}]: unknown slot(s) {bad}")
        longest = signed(signature, tpl.text.format(**SLOT_LONGEST))
        parts = sms_parts(longest)
        if parts > MAX_PARTS:
            raise TemplateError(
                f"{source} [{name}]: {len(longest)} characters at the longest, "
                f"{parts} SMS parts (at most {MAX_PARTS})"
            )
        out[name] = tpl
    return out


@lru_cache(maxsize=8)
def load_templates(signature: str, directory: str = "") -> dict[str, Template]:
    """Every template of the directory's *.toml files, checked once."""
    folder = Path(directory) if directory else templates_dir()
    out: dict[str, Template] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise TemplateError(f"{path}: not valid TOML: {exc}") from exc
        out.update(parse_templates(raw, signature, str(path)))
    if not out:
        raise TemplateError(f"no SMS templates in {folder}")
    return out


def render(template: Template, signature: str, sign: bool = True, **slots: str) -> str:
    """The signed text (``sign`` False: a spoken notice); a slot left out or a text over 3
    parts is a TemplateError."""
    missing = [s for s in template.slots if s not in slots]
    if missing:
        raise TemplateError(f"[{template.name}]: no value for {missing}")
    text = template.text.format(**{k: str(v) for k, v in slots.items()})
    text = signed(signature, text) if sign else text
    if sms_parts(text) > MAX_PARTS:
        raise TemplateError(f"[{template.name}]: the text needs {sms_parts(text)} SMS parts")
    return text
