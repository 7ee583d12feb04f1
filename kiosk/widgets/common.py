"""Basic kiosk widgets: big buttons, the header with home and language, form fields, popups."""

from __future__ import annotations

import logging
from collections.abc import Callable

from kivy.app import App
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import Screen

from kiosk import theme

log = logging.getLogger(__name__)


class BigButton(Button):
    """A touch target of at least 64 px with large text; ``zh`` is translated when English is on."""

    zh = StringProperty("")
    color_role = StringProperty("primary")
    bg = ListProperty(theme.PRIMARY)

    def on_color_role(self, *_: object) -> None:
        self.bg = {
            "primary": theme.PRIMARY,
            "success": theme.SUCCESS,
            "warning": theme.WARNING,
            "danger": theme.DANGER,
            "neutral": theme.NEUTRAL,
            "panel": theme.PANEL,
        }.get(self.color_role, theme.PRIMARY)


class Caption(Label):
    """Left-aligned text that wraps to its width."""

    zh = StringProperty("")


class FieldRow(BoxLayout):
    """A label and a value button that opens the right input (keyboard, pad or picker)."""

    key = StringProperty("")
    zh = StringProperty("")
    value = StringProperty("")
    display = StringProperty("")
    error = StringProperty("")
    required = BooleanProperty(False)
    editor = ObjectProperty(None, allownone=True)

    def edit(self) -> None:
        if self.editor is not None:
            self.editor(self)


class KioskScreen(Screen):
    """Base of every screen: a spoken prompt, a reset that wipes entered data, parameters."""

    prompt = StringProperty("")
    title = StringProperty("")

    def prepare(self, **params: object) -> None:
        """Called before the screen is shown; ``params`` come from ``app.go``."""

    def reset(self) -> None:
        """Forget everything entered (idle timeout, back to home)."""

    @property
    def app(self):  # noqa: ANN201 - the running KioskApp
        return App.get_running_app()

    def tr(self, zh: str) -> str:
        return self.app.tr(zh) if self.app else zh


class KioskPopup(ModalView):
    """A modal input popup the app can dismiss on idle reset."""

    on_done: Callable[..., None] | None = None

    def open(self, *args: object, **kwargs: object) -> None:
        app = App.get_running_app()
        if app is not None:
            app.popups.append(self)
        super().open(*args, **kwargs)

    def on_dismiss(self) -> None:
        app = App.get_running_app()
        if app is not None and self in app.popups:
            app.popups.remove(self)


class MessagePopup(KioskPopup):
    """A short message with one or two buttons."""

    text = StringProperty("")
    ok_text = StringProperty("确定")
    cancel_text = StringProperty("")

    def __init__(
        self,
        text: str,
        on_ok: Callable[[], None] | None = None,
        ok_text: str = "确定",
        cancel_text: str = "",
        on_cancel: Callable[[], None] | None = None,
        **kw: object,
    ) -> None:
        super().__init__(**kw)
        self.text = text
        self.ok_text = ok_text
        self.cancel_text = cancel_text
        self._on_ok = on_ok
        self._on_cancel = on_cancel

    def ok(self) -> None:
        self.dismiss()
        if self._on_ok:
            self._on_ok()

    def cancel(self) -> None:
        self.dismiss()
        if self._on_cancel:
            self._on_cancel()
