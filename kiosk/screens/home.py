"""Home: the three big choices, order status, check-out, call staff; site name and clock."""

from __future__ import annotations

import logging

from kiosk.widgets.common import KioskScreen

log = logging.getLogger(__name__)


class HomeScreen(KioskScreen):
    """The screen everything returns to."""

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)
        self.prompt = "您好，欢迎光临。请选择您要办理的业务"
