"""Guard mode, keys (K2, K3): the loan form for staff and non-staff borrowers, and returns."""

from __future__ import annotations

import logging
from typing import Any

from desk import validate
from desk.masking import mask_id, mask_name, mask_phone
from desk.record_types import KEY_KINDS
from desk.records import format_number
from kiosk import theme
from kiosk.widgets.keyboard import PinyinKeyboard
from kiosk.widgets.numpad import NumPad
from kiosk.widgets.pickers import ChoicePopup

log = logging.getLogger(__name__)

DEPOSITS = (50, 100, 200, 500, 1000)
PURPOSES = ("工作需要", "维修", "装修", "看房", "业主委托", "其他")
AUTH_WAYS = ("电话授权", "书面授权", "本人到场")


class KeysMixin:
    """The 钥匙借还 section of ``GuardScreen``: ``self.loan`` holds the form being filled in."""

    loan: dict[str, Any]

    def _show_keys(self) -> None:
        b = self.app.backend
        for key in b.keys():  # noqa: SIM118 - key records, not a dict
            kind = KEY_KINDS.get(key.key_kind, key.key_kind)
            if key.status == "in":
                self._row(
                    f"{key.label}  {kind}  {key.slot}  在柜",
                    [("借出", "primary", lambda k=key: self._start_loan(k))],
                )
            else:
                self._row(
                    f"{key.label}  {key.slot}  借出 {format_number(key.loan)}",
                    [
                        (
                            "归还",
                            "success",
                            lambda k=key: self._return_key(k),
                            f"{key.slot} 已打开：请把钥匙挂回并关好柜门…",
                        )
                    ],
                    bg=theme.WARNING,
                )

    # -- the loan form ------------------------------------------------------------
    def _start_loan(self, key: Any) -> None:
        self.loan = {"key": key, "borrower_is_staff": True, "purpose": "工作需要"}
        self.section = "loan"

    def _show_loan(self) -> None:
        loan = self.loan
        key = loan.get("key")
        if key is None:
            self.show("keys")
            return
        staff = loan["borrower_is_staff"]
        entrusted = key.key_kind == "entrusted"
        self._text(
            f"{self.tr('借出')}：{key.label}  {key.slot}"
            + ("  （业主托管：须业主授权）" if entrusted else ""),
            theme.HIGHLIGHT,
        )
        rows = [("borrower_name", "借用人姓名", mask_name, self._ask_borrower)]
        if not staff:  # K2: valid ID, phone, deposit, signature on the register
            rows += [
                ("id_number", "证件号码", mask_id, self._ask_id),
                ("phone", "手机号码", mask_phone, self._ask_phone),
                ("deposit_yuan", "押金（元）", str, self._ask_deposit),
            ]
        if entrusted:
            rows.append(("owner_authorised_by", "业主授权", self._auth_shown, self._ask_auth))
        rows.append(("purpose", "用途", str, self._ask_purpose))
        grid = self._grid(2)
        for field, zh, shown, ask in rows:
            value = loan.get(field)
            text = shown(value) if value not in (None, "") else ""
            # label and value on two lines: half-width rows never break inside a number
            self._row(
                f"{self.tr(zh)}\n{text}" if text else self.tr(zh),
                [("请输入", "neutral", ask)],
                parent=grid,
                action_width=140,
            )
        self._bar(
            [
                ("工作人员", "primary" if staff else "neutral", lambda: self._loan_set("borrower_is_staff", True)),
                ("非工作人员", "primary" if not staff else "neutral", lambda: self._loan_set("borrower_is_staff", False)),
                ("取消", "neutral", self._cancel_loan),
                ("确认借出", "success", self._submit_loan),
            ]
        )  # fmt: skip

    def _loan_set(self, field: str, value: Any) -> None:
        self.loan[field] = value

    def _loan_done(self, field: str, value: Any) -> None:
        self.loan[field] = value
        self.show("loan")

    def _auth_shown(self, value: str) -> str:
        name, _, way = value.partition(" ")
        return f"{mask_name(name)} {way}".strip()

    def _ask_borrower(self) -> None:
        def got(name: str) -> None:
            if name:
                self._loan_done("borrower_name", name)

        title = "借用人（工作人员）" if self.loan["borrower_is_staff"] else "借用人姓名"
        PinyinKeyboard.ask(title, got, self.loan.get("borrower_name", ""), mode="zh", max_len=20)

    def _ask_id(self) -> None:
        def got(text: str) -> None:
            if not text:
                return
            try:
                self._loan_done("id_number", validate.id_number("resident_id", text))
            except Exception as exc:  # noqa: BLE001 - shown to the guard
                self.notice = getattr(exc, "message", "") or "证件号码有误"
                self.show("loan")

        NumPad.ask("借用人身份证号", got, max_len=18, extra="X", mask_keep=4)

    def _ask_phone(self) -> None:
        def got(text: str) -> None:
            if not text:
                return
            try:
                self._loan_done("phone", validate.mobile(text))
            except Exception as exc:  # noqa: BLE001 - shown to the guard
                self.notice = getattr(exc, "message", "") or "手机号码有误"
                self.show("loan")

        NumPad.ask("手机号码", got, max_len=11)

    def _ask_deposit(self) -> None:
        options = [(str(d), f"{d} 元") for d in DEPOSITS]
        ChoicePopup(
            "押金", options, lambda v: self._loan_done("deposit_yuan", int(v)), cols=5
        ).open()

    def _ask_purpose(self) -> None:
        options = [(p, p) for p in PURPOSES]
        ChoicePopup("用途", options, lambda v: self._loan_done("purpose", v), cols=3).open()

    def _ask_auth(self) -> None:
        """K3: which resident of the key's unit authorised it, and how."""
        key = self.loan["key"]
        residents = self.app.backend.residents_of(key.unit)
        options = [
            (f"{r.name} {way}", f"{mask_name(r.name)} {way}")
            for r in residents
            for way in AUTH_WAYS
        ]
        if not options:
            options = [(f"业主 {way}", f"业主 {way}") for way in AUTH_WAYS]
        ChoicePopup(
            "业主授权", options, lambda v: self._loan_done("owner_authorised_by", v), cols=3
        ).open()

    def _cancel_loan(self) -> None:
        self.loan = {}
        self.section = "keys"

    def _submit_loan(self) -> str | None:
        """Register the loan (the core validates K2/K3) and open the key's slot on the worker."""
        loan = self.loan
        key = loan.get("key")
        if key is None:
            return ""
        if not loan.get("borrower_name"):
            return "请填写：借用人姓名"
        fields = {k: v for k, v in loan.items() if k != "key" and v not in (None, "")}
        fields.setdefault("deposit_yuan", 0)

        def lent(result: tuple[Any, bool]) -> None:  # back on the UI thread
            record, opened = result
            self.loan = {}
            self.section = "keys"
            self._after(
                f"已借出 {format_number(record.number)}；"
                + ("钥匙格已打开" if opened else "钥匙格未打开，请手动取出")
            )

        backend = self.app.backend
        self.app.run_device(
            "正在开柜…", lambda: backend.lend_key(key.number, fields), lent, self._failed
        )
        return None

    def _return_key(self, key: Any) -> str:
        """K2: the loan is closed only when the slot's sensor saw the key (the backend waits)."""
        loan, present = self.app.backend.return_key(key.number)
        if not present:
            return (
                f"{key.slot} 传感器未检测到钥匙：借用 {format_number(loan.number)} 未结束，"
                "请把钥匙挂好后再点“归还”"
            )
        return f"已归还 {format_number(loan.number)}"
