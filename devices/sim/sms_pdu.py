"""SMS TPDUs for the modem simulator (3GPP TS 23.040), independent of Gammu.

SMS-SUBMIT PDUs the product sends are decoded with ``smspdudecoder`` (a PyPI decoder
that shares no code with Gammu), so tests read the text a handset would show.
SMS-DELIVER (incoming messages) and SMS-STATUS-REPORT PDUs are built here from
TS 23.040 9.2.2.1 / 9.2.2.3 and 9.2.3 (fields) and 9.1.2.5 (addresses).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from io import StringIO

from smspdudecoder.fields import SMSSubmit

log = logging.getLogger(__name__)

GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""The GSM 7-bit default alphabet (TS 23.038 6.2.1), indexed by septet value."""


@dataclass(frozen=True)
class SubmitPart:
    """One SMS-SUBMIT as the network receives it."""

    number: str
    text: str
    status_report: bool
    concat_ref: int | None = None
    part: int = 1
    parts: int = 1


def decode_submit(pdu_hex: str) -> SubmitPart:
    """Decode an SMS-SUBMIT (with its leading SMSC field, as sent after AT+CMGS)."""
    sms = SMSSubmit.decode(StringIO(pdu_hex.strip()))
    number = sms["recipient"]["number"]
    if sms["recipient"]["toa"]["ton"] == "international":
        number = "+" + number
    data = sms["user_data"]
    ref, part, parts = None, 1, 1
    for element in (data.get("header") or {}).get("elements", []):
        if element["iei"] in (0x00, 0x08):
            ref = element["data"]["reference"]
            part = element["data"]["part_number"]
            parts = element["data"]["parts_count"]
    return SubmitPart(number, data["data"], bool(sms["header"]["srr"]), ref, part, parts)


def tpdu_length(pdu_hex: str) -> int:
    """Octets after the SMSC field: the <length> AT+CMGS must announce (TS 27.005 3.5.1)."""
    smsc_octets = int(pdu_hex[:2], 16)
    return len(pdu_hex) // 2 - 1 - smsc_octets


def _semi_octets(digits: str) -> str:
    if len(digits) % 2:
        digits += "F"
    return "".join(digits[i + 1] + digits[i] for i in range(0, len(digits), 2))


def encode_address(number: str) -> str:
    """TP-OA / TP-RA: digit count, type of address (91 international, 81 unknown), BCD."""
    international = number.startswith("+")
    digits = number.lstrip("+")
    return f"{len(digits):02X}{'91' if international else '81'}{_semi_octets(digits)}"


def encode_smsc(number: str) -> str:
    """RP SMSC address: octet count including the type octet (TS 24.011 8.2.5.1)."""
    body = ("91" if number.startswith("+") else "81") + _semi_octets(number.lstrip("+"))
    return f"{len(body) // 2:02X}{body}"


def encode_timestamp(when: datetime, tz_quarters: int = 32) -> str:
    """TP-SCTS: YYMMDDhhmmss and the zone in quarter hours, as swapped semi-octets."""
    digits = f"{when:%y%m%d%H%M%S}{tz_quarters:02d}"
    return _semi_octets(digits)


def _gsm7_pack(text: str) -> tuple[int, str]:
    septets = [GSM_BASIC.index(c) for c in text]
    bits = 0
    nbits = 0
    out = bytearray()
    for s in septets:
        bits |= s << nbits
        nbits += 7
        while nbits >= 8:
            out.append(bits & 0xFF)
            bits >>= 8
            nbits -= 8
    if nbits:
        out.append(bits & 0xFF)
    return len(septets), out.hex().upper()


def encode_deliver(sender: str, text: str, when: datetime, smsc: str) -> str:
    """An SMS-DELIVER (TS 23.040 9.2.2.1) with its SMSC field, as +CMGL/+CMGR show it."""
    if all(c in GSM_BASIC for c in text):
        dcs, (udl, ud) = "00", _gsm7_pack(text)
    else:
        raw = text.encode("utf-16-be")
        if len(raw) > 140:
            raise ValueError("a single incoming part holds at most 70 UCS-2 characters")
        dcs, udl, ud = "08", len(raw), raw.hex().upper()
    # first octet 04: TP-MTI 00 (deliver), TP-MMS 1 (no more messages waiting)
    tpdu = f"04{encode_address(sender)}00{dcs}{encode_timestamp(when)}{udl:02X}{ud}"
    return encode_smsc(smsc) + tpdu


def encode_status_report(
    reference: int, recipient: str, sent: datetime, done: datetime, status: int, smsc: str
) -> str:
    """An SMS-STATUS-REPORT (TS 23.040 9.2.2.3); TP-ST 0x00 = received by the recipient."""
    tpdu = (
        f"06{reference:02X}{encode_address(recipient)}"
        f"{encode_timestamp(sent)}{encode_timestamp(done)}{status:02X}"
    )
    return encode_smsc(smsc) + tpdu
