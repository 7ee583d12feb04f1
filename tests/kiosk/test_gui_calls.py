"""The callback list at the staff screen (T3, L1): a voicemail played, the result of calling back
recorded and the entry closed."""

from __future__ import annotations

from desk.records import Actor, Role
from desk.services.requests import CallLog
from speech.audio import silence, write_wav


def window():
    """Kivy's window, imported only once the harness configured Kivy (not at collection)."""
    from kivy.core.window import Window

    return Window


def test_T3_voicemail_played_and_callback_recorded(k, monkeypatch):
    desk = k.backend.desk
    wav = write_wav(desk.settings.store.data_dir / "audio" / "vm-test.wav", silence(500))
    call = desk.calls.record(CallLog(caller="13800138000", status="voicemail", outcome="voicemail",
                                     audio_path=str(wav)), Actor(Role.SYSTEM, "hotline", "hotline"))  # fmt: skip
    played = []
    monkeypatch.setattr("kiosk.backend_calls.shutil.which", lambda name: "/usr/bin/aplay")
    monkeypatch.setattr(
        "kiosk.backend_calls.subprocess.Popen", lambda argv, **kw: played.append(argv)
    )
    k.app.staff = desk.staff.login("staff", "222222", "kiosk-test")
    k.app.go("guard")
    g = k.screen()
    g.show("board")
    k.tap(k.button(g.ids.actions, "回拨来电"))
    assert g.section == "callbacks"
    k.shot("80-callbacks")
    k.tap(k.button(g.ids.content, "播放留言"))
    assert played == [["/usr/bin/aplay", str(wav)]] and g.notice == "正在播放录音"
    k.tap(k.button(g.ids.content, "热线回拨"))
    assert "operator_uri" in g.notice  # no desk extension configured: call by hand
    k.tap(k.button(g.ids.content, "已回电"))
    window().dispatch("on_textinput", "已回电，业主问停水时间")
    k.pump(2)
    k.tap(k.button(k.popup(), "确定"))
    done = desk.get(call.number)
    assert done.callback_done and done.callback_via == "hand"
    assert call.number not in [c.number for c in desk.calls.callback_list()]
