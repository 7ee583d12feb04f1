"""Settings of the notice channel: SMS modem, quiet hours, pacing, duty phone (``[notices]``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time


@dataclass(frozen=True)
class NoticeSettings:
    modem: str = "dummy"
    """"dummy" (Gammu's dummy driver: messages land as files under <data>/sms-modem, the demo),
    "at" (a GSM/4G modem on ``device`` through Gammu's AT driver) or "off" (nothing is sent)."""
    device: str = ""
    """Modem AT port for "at" (e.g. /dev/ttyUSB2 of a Quectel EC20, or a udev name);
    for "dummy" the directory of its files (default <data>/sms-modem)."""
    more_devices: tuple[str, ...] = ()
    """Further AT ports (more modems) sending from the same queue, for "at": through Gammu one
    modem carries at most ~85 single-part messages a minute (bench/notices.py)."""
    connection: str = "at115200"
    """Gammu connection of the AT port ("at115200", "at19200", ...)."""
    delivery_reports: bool = True
    """Ask the network for status reports (TP-SRR) and mark notices delivered from them."""
    run_in_kiosk: bool = True
    """The kiosk process runs the sender; false when `reception notices run` runs as a service."""
    quiet_from: time = time(21, 30)
    """Start of the quiet hours: only urgent notices are sent until ``quiet_until``."""
    quiet_until: time = time(7, 30)
    """End of the quiet hours."""
    per_minute: int = 20
    """At most this many messages handed to the modem per minute (operator anti-spam limits)."""
    per_recipient_hour: int = 6
    """At most this many messages to one number in an hour; more wait (urgent ones do not)."""
    max_attempts: int = 5
    """Tries of a message the modem refused before it is marked failed."""
    retry_s: int = 60
    """Wait before retrying a refused message (doubles each time)."""
    poll_s: float = 2.0
    """Seconds between reads of the modem's storage (replies, status reports)."""
    duty_phone: str = ""
    """Mobile number of the duty phone that gets staff alerts (urgent repairs, emergencies,
    collective complaints, devices offline); empty: no alerts by SMS."""
    signature: str = ""
    """Office signature in 【】 at the start of every message; default: compound + "物业"."""
    reply_hours: int = 72
    """How long a reply (1/2 to a visitor, 1-4 to a follow-up) is matched to its notice."""
