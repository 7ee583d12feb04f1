"""The kiosk App: owns navigation, language, the staff session, the idle reset and the font."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk import theme
from kiosk.i18n import translate
from kiosk.idle import IdleWatch
from kiosk.widgets.common import BusyPopup, KioskPopup, MessagePopup
from kiosk.worker import DeviceWorker

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SCREENS = (
    # (screen name, module under kiosk.screens, class name)
    ("home", "home", "HomeScreen"),
    ("visitor", "visitor", "VisitorScreen"),
    ("visitor_wait", "visitor_wait", "VisitorWaitScreen"),
    ("visitor_preauth", "visitor_preauth", "VisitorPreauthScreen"),
    ("checkout", "checkout", "CheckoutScreen"),
    ("repair", "repair", "RepairScreen"),
    ("parcel", "parcel", "ParcelScreen"),
    ("status", "status", "StatusScreen"),
    ("call_staff", "call_staff", "CallStaffScreen"),
    ("complaint", "complaint", "ComplaintScreen"),
    ("staff_login", "staff_login", "StaffLoginScreen"),
    ("guard", "guard", "GuardScreen"),
    ("result", "result", "ResultScreen"),
)


class KioskApp(App):
    """Screens are loaded from ``kiosk/screens/<name>.kv``; ``go(name)`` navigates."""

    lang = StringProperty("zh")
    staff = ObjectProperty(None, allownone=True)
    """The logged-in guard or staff Actor, or None."""
    site_name = StringProperty("")
    clock_text = StringProperty("")
    warning_text = StringProperty("")
    busy = BooleanProperty(False)
    """A device call (lock, printer) runs on the worker; the busy popup is shown."""
    printer_state = StringProperty("ready")
    """The printer's last reported state (devices' state events, through the backend)."""
    printer_banner = StringProperty("")
    """What the home and guard screens say about the printer; empty when it prints."""
    elder = BooleanProperty(False)
    """长辈模式: type ≥ 40 px, fewer choices, voice guidance, longer idle time (issue 18 item 6)."""
    guidance = BooleanProperty(False)
    """Voice guidance on (the setting, or 长辈模式): each screen's prompt is read aloud."""
    font = NumericProperty(theme.FONT)
    font_small = NumericProperty(theme.FONT_SMALL)
    font_title = NumericProperty(theme.FONT_TITLE)
    font_huge = NumericProperty(theme.FONT_HUGE)
    target = NumericProperty(theme.TARGET)
    layout = StringProperty("landscape")
    """portrait / landscape / wide: chosen from the window at start (issue 18 item 8)."""
    portrait = BooleanProperty(False)

    def __init__(self, settings: Any, backend: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.backend = backend
        self.popups: list[KioskPopup] = []
        self.title = "reception kiosk"
        self.lang = settings.kiosk.language
        self.site_name = settings.site.name
        self.idle = IdleWatch(
            settings.kiosk.idle_warning_seconds,
            settings.kiosk.idle_seconds,
            self._idle_warn,
            self.idle_reset,
        )
        self.desk_mode = bool(getattr(settings.kiosk, "desk_mode", False))
        if self.desk_mode:  # `reception desk`: no idle wipe, a lock after N minutes instead
            lock = max(60, settings.kiosk.desk_lock_minutes * 60)
            self.idle = IdleWatch(lock - 30, lock, self._idle_warn, self.lock)
            self.title = "reception desk"
        self._seen_seq = -1
        self._warning_popup: MessagePopup | None = None
        self.voice = None
        self.sm: ScreenManager | None = None
        self.worker = DeviceWorker()
        self._busy_popup: BusyPopup | None = None

    # -- building ---------------------------------------------------------------
    def build(self) -> ScreenManager:
        Window.clearcolor = theme.BG
        self.layout = theme.layout_for(*Window.size)
        self.portrait = self.layout == "portrait"
        log.info("window %dx%d: %s layout", Window.width, Window.height, self.layout)
        base_kv = str(HERE / "kiosk.kv")
        if base_kv not in Builder.files:  # App.load_kv may have found it by the class name
            Builder.load_file(base_kv)
        self.sm = ScreenManager(transition=NoTransition())
        # only the home screen before the first frame; the others one per frame after it
        # (or at once when asked for first): a faster cold start, the same screens afterwards
        self._build_screen("home")
        Clock.schedule_once(self._build_more, 0.2)
        Window.bind(
            on_touch_down=self._on_activity,
            on_key_down=self._on_activity,
            on_request_close=self._on_request_close,
        )
        Clock.schedule_interval(self._tick, 1.0)
        Clock.schedule_interval(
            lambda _dt: getattr(self.backend, "periodic_alerts", list)(), 60.0
        )  # R4, K2
        self._tick(0)
        if self.settings.kiosk.voice_guidance:
            self.set_guidance(True)
        if self.backend is not None and hasattr(self.backend, "attach"):
            self.backend.attach(self)
        return self.sm

    def _build_screen(self, name: str) -> Any:
        module, cls_name = next((m, c) for n, m, c in SCREENS if n == name)
        kv = HERE / "screens" / f"{module}.kv"
        if kv.exists() and str(kv) not in Builder.files:
            Builder.load_file(str(kv))
        cls = getattr(importlib.import_module(f"kiosk.screens.{module}"), cls_name)
        screen = cls(name=name)
        self.sm.add_widget(screen)
        return screen

    def _build_more(self, _dt: float) -> None:
        """Build the next screen not built yet; one per frame so the home screen stays live."""
        if App.get_running_app() is not self:  # stopping (SIGTERM during start): kv needs the app
            return
        for name, _module, _cls in SCREENS:
            if not self.sm.has_screen(name):
                self._build_screen(name)
                Clock.schedule_once(self._build_more, 0)
                return

    def on_start(self) -> None:
        from kiosk import pinyin_ime

        # the IME index loads after the home screen is up, not before it
        Clock.schedule_once(lambda _dt: pinyin_ime.preload(), 1.0)
        if self.desk_mode:  # the desk's window starts at the staff login
            Clock.schedule_once(lambda _dt: self.go("staff_login"), 0)

    # -- language ---------------------------------------------------------------
    def tr(self, zh: str, _lang: str | None = None) -> str:
        """Translate ``zh``; pass ``app.lang`` from kv so the text follows the toggle."""
        return translate(zh, self.lang)

    def toggle_language(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"

    def on_lang(self, *_args: Any) -> None:
        if self.guidance and self.sm is not None:
            self.speak_prompt()

    # -- 长辈模式 and voice guidance ------------------------------------------------
    def set_elder(self, on: bool) -> None:
        """长辈模式: larger type and targets, voice guidance, a longer idle time (item 6)."""
        self.elder = on
        for key, value in theme.sizes(on).items():
            setattr(self, key, value)
        k = self.settings.kiosk
        factor = k.elder_idle_factor if on else 1
        self.idle.warn_after = k.idle_warning_seconds * factor
        self.idle.timeout = k.idle_seconds * factor
        self.set_guidance(on or k.voice_guidance)
        if self.sm is not None:
            self.speak_prompt()

    def set_guidance(self, on: bool) -> None:
        """Voice guidance: every prompt rendered ahead of time (speech.tts cache), then played."""
        self.guidance = on
        if not on:
            if self.voice is not None:
                self.voice.enabled = False
                self.voice.stop()
            return
        if self.voice is None:
            from kiosk.voice_guide import VoiceGuide

            self.voice = VoiceGuide(output=self.settings.kiosk.audio_output)
            self.voice.preload(self.prompts())
        self.voice.enabled = True

    def prompts(self) -> list[tuple[str, str]]:
        """(text, lang) of every screen prompt and the digits, the home screen's first."""
        from kiosk.i18n import PROMPTS

        texts = list(PROMPTS)
        out = [(t, "zh") for t in texts] + [(translate(t, "en"), "en") for t in texts]
        return out + [(d, "zh") for d in "0123456789X"] + [(d, "en") for d in "0123456789X"]

    def speak_prompt(self) -> None:
        """Read the current screen's prompt (again: the 再听一遍 button)."""
        if self.voice is None or not self.guidance or self.sm is None:
            return
        screen = self.sm.current_screen
        text = getattr(screen, "spoken", lambda: screen.prompt)()
        self.say(text)

    def say(self, zh: str) -> None:
        """Speak ``zh`` in the current language (nothing when guidance is off)."""
        if self.voice is not None and self.guidance:
            self.voice.say(translate(zh, self.lang), self.lang)

    # -- navigation -------------------------------------------------------------
    def screen(self, name: str):  # noqa: ANN201
        """Screen ``name``, built now if the background build has not reached it yet."""
        if not self.sm.has_screen(name):
            return self._build_screen(name)
        return self.sm.get_screen(name)

    def go(self, name: str, **params: Any) -> None:
        """Show screen ``name``; a popup left open over the old screen is closed first."""
        self.close_popups()
        leaving = self.sm.current_screen
        if leaving is not None and leaving.name != name and hasattr(leaving, "status"):
            leaving.status = ""  # a message goes with the screen it belongs to (issue 18 item 1)
        screen = self.screen(name)
        screen.prepare(**params)
        self.sm.current = name
        log.debug("screen %s", name)
        if self.voice is not None:
            self.voice.stop()  # the old screen's prompt stops with it
            self.speak_prompt()

    def home(self) -> None:
        """One tap from every screen: forget what was entered and show the home screen."""
        self.close_popups()
        if self.desk_mode:  # the desk's window has only the staff side
            self.go("guard" if self.staff else "staff_login")
            return
        for screen in self.sm.screens:
            if screen.name != "guard":
                screen.reset()
        self.go("home")

    def show_result(
        self,
        title: str,
        lines: list[str] | tuple[str, ...] = (),
        ok: bool = True,
        number: str = "",
        actions: list[tuple[str, str]] | None = None,
    ) -> None:
        """The end of a flow; texts in Chinese (shown in the current language); ``actions``
        are (label, screen) ways on besides 完成."""
        self.go("result", title=title, lines=list(lines), ok=ok, number=number, actions=actions)

    def message(self, text: str, on_ok: Any = None) -> MessagePopup:
        popup = MessagePopup(text, on_ok=on_ok)
        popup.open()
        return popup

    def close_popups(self) -> None:
        """Close input popups; the busy popup stays until its device call is over."""
        for popup in list(self.popups):
            if popup is not self._busy_popup:
                popup.dismiss(animation=False)
        self.popups[:] = [p for p in self.popups if p is self._busy_popup]

    # -- devices ----------------------------------------------------------------
    def run_device(
        self,
        text: str,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run a device call (lock, printer) on the worker; ``text`` ("正在开柜…") shows meanwhile.

        The UI thread never waits for a serial port: ``on_done(result)`` / ``on_error(exc)``
        run on it once the call is over.
        """
        popup = BusyPopup(text=self.tr(text))
        popup.open()
        self._busy_popup = popup
        self.busy = True

        def finish() -> None:
            popup.dismiss()
            if self._busy_popup is popup:
                self._busy_popup = None
            self.busy = self.worker.pending > 0

        def done(result: Any) -> None:
            finish()
            on_done(result)

        def failed(exc: BaseException) -> None:
            finish()
            if on_error is not None:
                on_error(exc)
            else:
                msg = getattr(exc, "message", "") or str(exc)
                self.show_result("对不起", [msg, "请联系前台工作人员"], ok=False)

        self.worker.submit(fn, done, failed)

    def on_printer_state(self, _app: Any, state: str) -> None:
        from kiosk.backend import PRINTER_TROUBLE

        reason = PRINTER_TROUBLE.get(state, "")
        self.printer_banner = f"{reason}：凭条暂时无法打印，请联系前台" if reason else ""

    # -- idle -------------------------------------------------------------------
    def _on_activity(self, *_args: Any) -> None:
        self.idle.touch()
        if self._warning_popup is not None:
            self._warning_popup.dismiss(animation=False)
            self._warning_popup = None

    def _tick(self, _dt: float) -> None:
        from datetime import datetime

        self.clock_text = datetime.now().strftime("%Y-%m-%d  %H:%M")
        if self.desk_mode:
            self.idle.check() if self.staff else self.idle.touch()
            self._show_what_others_wrote()
            return
        self._visits_tick()
        if self.busy or getattr(self.sm.current_screen if self.sm else None, "keeps_awake", False):
            self.idle.touch()  # a door or the printer is working, a visitor waits: not idle
        elif self.sm is not None and (self.sm.current != "home" or self.popups or self.staff):
            self.idle.check()
        else:
            self.idle.touch()

    _visits_due = 0.0

    def _visits_tick(self) -> None:
        """The core's visits job every 30 s (abandoned waits closed, expired passes signed
        out: issue 12, V1); a failure is logged, never shown to the person at the screen."""
        import time as _time

        if self.backend is None or not hasattr(self.backend, "tick_visits"):
            return
        now = _time.monotonic()
        if now < self._visits_due:
            return
        self._visits_due = now + 30.0
        try:
            self.backend.tick_visits()
        except Exception:  # noqa: BLE001 - the next tick tries again
            log.warning("visits tick failed", exc_info=True)

    def _idle_warn(self, seconds_left: int) -> None:
        self.warning_text = f"{seconds_left}{self.tr('秒后返回首页，触摸屏幕继续')}"
        if self._warning_popup is None:
            self._warning_popup = MessagePopup(self.warning_text)
            self._warning_popup.open()
        else:
            self._warning_popup.text = self.warning_text

    def idle_reset(self) -> None:
        """Wipe everything entered, log staff out, back to Chinese and the home screen."""
        self.idle.touch()  # the idle time starts again from the reset, whoever called it
        self._warning_popup = None
        self.close_popups()
        self.staff = None
        for screen in self.sm.screens:
            screen.reset()
        self.lang = self.settings.kiosk.language
        if self.elder:
            self.set_elder(False)
        self.go("home")

    def lock(self) -> None:
        """`reception desk`: idle for N minutes: the staff session ends, the login is shown."""
        log.info("desk window locked after %s idle minutes", self.settings.kiosk.desk_lock_minutes)
        self._warning_popup = None
        self.close_popups()
        self.staff = None
        self.screen("guard").reset()
        self.go("staff_login")

    def _show_what_others_wrote(self) -> None:
        """The desk is live: what the kiosk or the hotline wrote shows within a second."""
        if self.sm is None or self.sm.current != "guard" or self.popups or self.staff is None:
            return
        store = self.backend.desk.store
        store.refresh()
        if store.seq != self._seen_seq:
            self._seen_seq = store.seq
            guard = self.screen("guard")
            guard.show(guard.section)

    # -- staff ------------------------------------------------------------------
    def logout(self) -> None:
        self.staff = None
        self.screen("guard").reset()
        self.home()

    def quit_kiosk(self) -> None:
        """Only reachable from the staff screen after a PIN login; asks to confirm, then a
        supervisor's PIN (a supervisor logged in confirms alone); written to the duty log."""
        if self.staff is None:
            return
        from kiosk.widgets.numpad import NumPad
        from kiosk.widgets.pickers import ChoicePopup

        def quit_by(supervisor: Any) -> None:
            staff = self.staff
            log.info("kiosk stopped by %s, supervisor %s", staff.name, supervisor.name)
            self.backend.desk.dutylog.write(
                f"退出接待终端程序：{staff.name} 操作，主管 {supervisor.name} 授权", staff
            )
            self._allow_close = True
            self.stop()

        def pin_for(name: str) -> None:
            def got(pin: str) -> None:
                actor = self.backend.login(name, pin) if pin else None
                if actor is None or actor.role.value != "supervisor":
                    self.message("主管密码错误，程序未退出")
                    return
                quit_by(actor)

            NumPad.ask(f"{name} · {self.tr('密码')}", got, max_len=12, secret=True)

        def confirmed() -> None:
            if self.staff.role.value == "supervisor":
                quit_by(self.staff)
                return
            names = [(n, n) for n in self.backend.supervisor_names()]
            ChoicePopup("主管授权退出程序", names, pin_for, cols=3).open()

        MessagePopup(self.tr("退出程序后自助终端将停止服务，确定退出吗？"), on_ok=confirmed,
                     ok_text=self.tr("退出程序"), cancel_text=self.tr("取消")).open()  # fmt: skip

    def _on_request_close(self, *_args: Any, **_kw: Any) -> bool:
        # no exit without a staff PIN: window close and Escape are refused
        return not getattr(self, "_allow_close", False)

    def on_stop(self) -> None:
        if self.backend is not None and hasattr(self.backend, "detach"):
            self.backend.detach()
        self.worker.shutdown()
