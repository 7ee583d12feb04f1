"""The runner and the CLI: busy lines (T3), status line, missing audio device, model install."""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import zipfile

import pytest

from desk.record_types import Call
from speech.asr import find_model
from voice import cli
from voice.fake import ScriptedChannel
from voice.hotline import Hotline
from voice.models import ModelInstallError, install_model


def test_T3_call_over_capacity_is_missed_and_listed(desk, settings, resources):
    s = dataclasses.replace(settings, hotline=dataclasses.replace(settings.hotline, max_calls=0))
    hl = Hotline(s, desk, line=None, resources=resources)
    hl.on_call(ScriptedChannel([], caller="13800138000"))
    [c] = [Call.from_doc(d) for d in desk.store.iter_days("call")]
    assert c.status == "missed" and c in desk.calls.callbacks()


def test_status_line_says_keys_only_without_model(settings):
    [line] = cli.status_lines(settings)
    assert "仅支持按键" in line


def test_local_without_audio_device_reports_not_crash(settings, capsys, monkeypatch):
    from voice import local

    def no_device(device=""):
        raise local.LocalAudioUnavailable("no usable audio device")

    monkeypatch.setattr(local, "check_device", no_device)
    monkeypatch.setattr("voice.hotline.load_resources", lambda s, d=None: _res())
    args = argparse.Namespace(install_model=None, sha256="", port=0, rtp_port=0, local=True,
                              render_prompts=False, no_dialer=True, workers=1)  # fmt: skip
    assert cli.cmd_hotline(args, settings) == 2
    assert "本地音频不可用" in capsys.readouterr().out


def _res():
    from voice.hotline import Resources
    from voice.menu import load_menus
    from voice.prompts import Prompts

    return Resources(Prompts(None), load_menus(), None, {}, "keys only")


def test_model_install_checks_sha256(tmp_path):
    src = tmp_path / "vosk-model-tiny.zip"
    with zipfile.ZipFile(src, "w") as z:
        z.writestr("vosk-model-tiny/am/final.mdl", b"x")
        z.writestr("vosk-model-tiny/conf/model.conf", b"y")
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    data = tmp_path / "data"
    with pytest.raises(ModelInstallError):
        install_model(str(src), data, "0" * 64)
    with pytest.raises(ModelInstallError):
        install_model(str(src), data, "")
    path = install_model(str(src), data, digest)
    assert path.name == "vosk-model-tiny" and find_model("", data) == path


def test_X2_call_audio_older_than_retention_is_purged(tmp_path):
    from datetime import date

    import numpy as np

    from voice.storage import audio_dir, purge_audio, save_audio

    old = save_audio(
        tmp_path, "a", np.zeros(80, np.int16), __import__("datetime").datetime(2026, 10, 1, 9)
    )
    new = save_audio(
        tmp_path, "b", np.zeros(80, np.int16), __import__("datetime").datetime(2026, 11, 20, 9)
    )
    assert purge_audio(tmp_path, 30, date(2026, 11, 23)) == 1
    assert not old.exists() and new.exists() and audio_dir(tmp_path, date(2026, 11, 20)).is_dir()
