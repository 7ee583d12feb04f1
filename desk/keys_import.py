"""`reception keys import FILE.csv`: the key register (K1), every row validated before any is written.

Columns (English or Chinese header): key_id/钥匙编号, place/房号/位置 (a unit such as 3-2-501,
or a public place such as 2栋水泵房), kind/类别, slot/格口 (the cabinet slot as labelled,
e.g. 钥匙 3-07), authorisation/业主授权 (the owner's authorisation on file, e.g. 授权书
2024-031: required for entrusted keys, K1/K3), label/名称 (optional).

Kinds are the desk's (desk.record_types.KEY_KINDS: vacant, entrusted, plant, other) or their
Chinese names; "spare" means a plant room's spare key (plant, as K1 words it) and "public"
a key of any other public place (other).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from desk.csv_import import read_rows
from desk.errors import DeskError, ValidationError
from desk.record_types import KEY_KINDS, Key
from desk.records import Actor, Role
from desk.services.requests import NewKey
from desk.validate import PUBLIC_PREFIX, non_empty, parse_unit, unit_label_zh

log = logging.getLogger(__name__)

HEADERS = {
    "钥匙编号": "key_id", "编号": "key_id", "id": "key_id", "key": "key_id",
    "房号": "place", "位置": "place", "地点": "place", "unit": "place", "房屋": "place",
    "类别": "kind", "种类": "kind", "类型": "kind", "key_kind": "kind",
    "格口": "slot", "柜位": "slot", "钥匙柜格口": "slot", "cabinet_slot": "slot",
    "业主授权": "authorisation", "授权": "authorisation", "authorization": "authorisation",
    "名称": "label", "说明": "label",
}  # fmt: skip
KIND_NAMES = {
    **{k: k for k in KEY_KINDS},
    **{zh: k for k, zh in KEY_KINDS.items()},
    "spare": "plant", "public": "other",
    "托管": "entrusted", "业主托管": "entrusted", "空置": "vacant", "空置房": "vacant",
    "机房": "plant", "备用": "plant", "机房备用": "plant", "公共": "other", "其它": "other",
}  # fmt: skip
NEEDS_UNIT = {"entrusted", "vacant"}
KEY_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
MAX_ERRORS = 30
IMPORTER = Actor(Role.SYSTEM, "钥匙登记导入", "cli")


class KeyImportError(DeskError):
    """The file was refused as a whole; the message names every bad row and field."""


@dataclass(frozen=True)
class KeyRow:
    line: int
    key_id: str
    label: str
    kind: str
    slot: str
    unit: str
    authorisation: str


def _slot_key(slot: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", slot)).upper()


def _row(line: int, row: dict[str, str], owner_units: set[str], now: datetime) -> KeyRow:
    key_id = row.get("key_id", "")
    if not KEY_ID_RE.fullmatch(key_id):
        raise ValidationError("key_id", key_id, "钥匙编号应为1-40位字母、数字、-、_ 或 .")
    kind = KIND_NAMES.get(row.get("kind", "").strip().lower())
    if kind is None:
        raise ValidationError("kind", row.get("kind", ""),
                              f"类别应为 {'/'.join(KEY_KINDS)}（或 spare/public、中文名称）")  # fmt: skip
    place = non_empty("place", row.get("place", ""), 40)
    try:
        b, e, r = parse_unit(place, "place")
        unit = f"{b}-{e}-{r}"
    except ValidationError:
        if kind in NEEDS_UNIT:
            raise ValidationError(
                "place", place, f"{KEY_KINDS[kind]}须填写房号，例如 3-2-501"
            ) from None
        unit = PUBLIC_PREFIX + place.removeprefix(PUBLIC_PREFIX)
    authorisation = row.get("authorisation", "")
    if kind == "entrusted":
        if not authorisation:
            raise ValidationError(
                "authorisation", "", "业主托管钥匙须有业主授权（授权书编号或签字日期）(K1, K3)"
            )
        non_empty("authorisation", authorisation, 60)
        if unit not in owner_units:
            raise ValidationError(
                "place", place, "业主托管钥匙的房号不在业主名册中：先导入业主名册"
            )
    label = row.get("label") or f"{unit_label_zh(unit)}{KEY_KINDS[kind]}"[:60]
    slot = row.get("slot", "")
    Key(number=key_id, created_at=now, status="in", label=label, key_kind=kind, slot=slot,
        unit=unit).validate()  # fmt: skip
    return KeyRow(line, key_id, label, kind, slot, unit, authorisation)


def validate_rows(rows: Iterable[tuple[int, dict[str, str]]], existing: list[Key],
                  owner_units: set[str], now: datetime) -> tuple[list[KeyRow], list[KeyRow]]:  # fmt: skip
    """(rows to add, rows already registered identically); KeyImportError naming every bad row."""
    errors: list[str] = []
    ok: list[KeyRow] = []
    same: list[KeyRow] = []
    by_id = {k.number: k for k in existing}
    slot_of = {_slot_key(k.slot): k.number for k in existing}
    seen_id: dict[str, int] = {}
    seen_slot: dict[str, tuple[int, str]] = {}
    for line, row in rows:
        try:
            kr = _row(line, row, owner_units, now)
        except ValidationError as exc:
            errors.append(f"第{line}行 {exc.field}: {exc.message}")
            continue
        if kr.key_id in seen_id:
            errors.append(f"第{line}行 key_id: 钥匙编号 {kr.key_id} 与第{seen_id[kr.key_id]}行重复")
            continue
        seen_id[kr.key_id] = line
        slot = _slot_key(kr.slot)
        if slot in seen_slot:
            first, other = seen_slot[slot]
            errors.append(f"第{line}行 slot: 格口 {kr.slot} 已给第{first}行的钥匙 {other}")
            continue
        seen_slot[slot] = (line, kr.key_id)
        old = by_id.get(kr.key_id)
        if old is not None:
            if (old.label, old.key_kind, _slot_key(old.slot), old.unit) == (
                kr.label,
                kr.kind,
                slot,
                kr.unit,
            ):
                same.append(kr)
            else:
                errors.append(
                    f"第{line}行 key_id: 钥匙 {kr.key_id} 已登记为「{old.label}，{old.slot}」，与本行不同"
                )
            continue
        if slot in slot_of:
            errors.append(f"第{line}行 slot: 格口 {kr.slot} 已放着钥匙 {slot_of[slot]}")
            continue
        ok.append(kr)
    if errors:
        shown = errors[:MAX_ERRORS] + (
            [f"……另有 {len(errors) - MAX_ERRORS} 处"] if len(errors) > MAX_ERRORS else []
        )
        raise KeyImportError(
            f"钥匙登记有 {len(errors)} 处错误，未导入任何钥匙:\n  " + "\n  ".join(shown)
        )
    return ok, same


def import_keys(desk: Any, path: Path) -> tuple[list[KeyRow], list[KeyRow]]:
    """Validate the whole file, then add each key (desk.keys.add) and put the owners'
    authorisations on file in the duty log (L2: append-only, in the audit chain)."""
    rows = read_rows(path, HEADERS)
    if not rows:
        raise KeyImportError(f"{path}: 没有钥匙数据行")
    owner_units = {d["unit"] for d in desk.store.all_docs("owner")}
    ok, same = validate_rows(rows, desk.keys.all(), owner_units, desk.now())
    for kr in ok:
        desk.keys.add(NewKey(kr.key_id, kr.label, kr.slot, kr.kind, kr.unit), IMPORTER)
    authorised = [
        f"{kr.key_id}（{unit_label_zh(kr.unit)}）: {kr.authorisation}"
        for kr in ok
        if kr.authorisation
    ]
    if ok:
        text = f"导入钥匙登记 {Path(path).name}: {len(ok)} 把。"
        if authorised:
            text += "业主授权在案 (K1, K3): " + "；".join(authorised)
        desk.dutylog.write(text[:2000], IMPORTER)
    log.info("imported %d key(s) from %s (%d already registered)", len(ok), path, len(same))
    return ok, same


def cmd_keys(args: Any, settings: Any) -> int:
    """`reception keys import FILE.csv`."""
    from desk.service import Desk

    desk = Desk.open(settings)
    try:
        ok, same = import_keys(desk, args.file)
    finally:
        desk.close()
    kinds: dict[str, int] = {}
    for kr in ok:
        kinds[KEY_KINDS[kr.kind]] = kinds.get(KEY_KINDS[kr.kind], 0) + 1
    detail = "，".join(f"{k} {n}" for k, n in kinds.items())
    print(f"已导入 {len(ok)} 把钥匙" + (f"（{detail}）" if detail else "") +
          (f"；{len(same)} 把已登记且相同，未改动" if same else "") + "。")  # fmt: skip
    return 0
