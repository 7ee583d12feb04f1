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

RADIUS = 12
"""Corner radius of buttons and panels (pixels)."""
_rounded = None


def rounded_texture():  # noqa: ANN201 - a kivy Texture
    """A small white rounded square drawn as a 9-patch: 9 quads instead of a triangle fan.

    Software GL (llvmpipe on kiosks without a GPU, and Xvfb) pays per triangle and per pixel;
    this keeps the rounded corners at the cost of a plain rectangle.
    """
    global _rounded
    if _rounded is None:
        from kivy.graphics.texture import Texture

        size, r = 2 * RADIUS + 2, RADIUS
        buf = bytearray()
        for y in range(size):
            for x in range(size):
                # distance outside the corner circle, anti-aliased over one pixel
                cx = min(max(x + 0.5, r), size - r)
                cy = min(max(y + 0.5, r), size - r)
                d = ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2) ** 0.5 - r
                alpha = int(255 * min(1.0, max(0.0, 0.5 - d)))
                buf += bytes((255, 255, 255, alpha))
        tex = Texture.create(size=(size, size), colorfmt="rgba")
        tex.blit_buffer(bytes(buf), colorfmt="rgba", bufferfmt="ubyte")
        _rounded = tex
    return _rounded


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


class StatusArea(Label):
    """The screen's message line(s): always there, always the same height (issue 18 item 1)."""


class KioskScreen(Screen):
    """Base of every screen: a spoken prompt, a reset that wipes entered data, parameters."""

    prompt = StringProperty("")
    title = StringProperty("")
    status = StringProperty("")
    """The screen's message, in Chinese (shown translated in the ``StatusArea``); cleared when
    its cause is gone: on valid input and when the screen or its section changes."""

    def spoken(self) -> str:
        """What voice guidance reads for this screen (its prompt)."""
        return self.prompt

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
        """Shown at once (no fade: a fade costs frames, and a popup fading out cannot reopen)."""
        app = App.get_running_app()
        if app is not None and self not in app.popups:
            app.popups.append(self)
        if app is not None:
            # the language button works while a popup is open (issue 18 item 5)
            app.unbind(lang=self._lang_changed)
            app.bind(lang=self._lang_changed)
            self.place(app)
        kwargs.setdefault("animation", False)
        super().open(*args, **kwargs)

    def _lang_changed(self, *_: object) -> None:
        self.retranslate()

    def retranslate(self) -> None:
        """Hook: show the popup's texts in the app's current language."""

    def place(self, app: object) -> None:
        """Hook: size and position for the layout (portrait: at the bottom, within reach)."""

    def dismiss(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("animation", False)
        super().dismiss(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return bool(self._is_open)

    def on_dismiss(self) -> None:
        app = App.get_running_app()
        if app is not None:
            app.unbind(lang=self._lang_changed)
        if app is not None and self in app.popups:
            app.popups.remove(self)

    @classmethod
    def reusable(cls) -> KioskPopup:
        """The popup built once per class (building one costs more than a screen change);
        a fresh one only when the shared one is already open."""
        shared = cls.__dict__.get("_shared")
        if shared is not None and not shared.is_open:
            return shared
        popup = cls()
        if shared is None:
            cls._shared = popup
        return popup


class TypingPopup(KioskPopup):
    """A popup that also takes a physical keyboard or a USB barcode scanner while open."""

    def on_open(self) -> None:
        from kivy.core.window import Window

        Window.bind(on_textinput=self._on_textinput, on_key_down=self._on_key_down)

    def on_dismiss(self) -> None:
        from kivy.core.window import Window

        Window.unbind(on_textinput=self._on_textinput, on_key_down=self._on_key_down)
        super().on_dismiss()

    def _on_textinput(self, _window: object, text: str) -> bool:
        raise NotImplementedError

    def _on_key_down(self, _window: object, key: int, *args: object) -> bool:
        raise NotImplementedError


class MessagePopup(KioskPopup):
    """A short message with one or two buttons; texts are kept in Chinese and shown in the
    current language, so the popup follows the language button while open."""

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


class BusyPopup(KioskPopup):
    """ "正在开柜…" / "正在打印…": shown while a device call runs on the worker; no buttons."""

    text = StringProperty("")
