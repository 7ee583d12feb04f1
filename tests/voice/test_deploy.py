"""deploy/: the systemd units (keys checked; `systemd-analyze verify` where available),
install.sh's options, and the idempotent, SHA-256-checked model install."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from speech.asr import find_model
from voice.models import SUM_FILE, ModelInstallError, install_model

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
EXEC = "/opt/reception/.venv/bin/reception"


def unit(name: str) -> dict[str, dict[str, list[str]]]:
    """A unit file as {section: {key: [values]}} (systemd keys may repeat)."""
    out: dict[str, dict[str, list[str]]] = {}
    section = None
    for raw in (UNITS / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = out.setdefault(line.strip("[]"), {})
            continue
        key, sep, value = line.partition("=")
        assert sep and section is not None, (name, raw)
        section.setdefault(key.strip(), []).append(value.strip())
    return out


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("reception-hotline.service", "hotline --front external"),
        ("reception-kiosk.service", "kiosk --fullscreen"),
        ("reception-sim.service", "sim"),
    ],
)
def test_unit_runs_reception_as_its_user_with_config_and_data(name, command):
    u = unit(name)
    s = u["Service"]
    assert u["Unit"]["Description"]
    assert s["ExecStart"] == [f"{EXEC} {command}"]
    assert s["User"] == ["reception"] and s["WorkingDirectory"] == ["/opt/reception"]
    env = dict(e.split("=", 1) for e in s["Environment"])
    assert env["RECEPTION_CONFIG"] == "/etc/reception/reception.toml"
    assert env["RECEPTION_DATA"] == "/var/lib/reception/data"
    assert s["Restart"] == ["on-failure"]
    assert s["StateDirectory"] == ["reception"] and s["StateDirectoryMode"] == ["0700"]
    assert u["Install"]["WantedBy"]


def test_hotline_unit_runs_at_nice_minus_10_without_realtime_scheduling():
    s = unit("reception-hotline.service")["Service"]
    assert s["Nice"] == ["-10"]  # late RTP frames at normal priority (bench)
    assert "CPUSchedulingPolicy" not in s and "LimitRTPRIO" not in s
    assert "network-online.target" in unit("reception-hotline.service")["Unit"]["After"][0]


def test_kiosk_unit_has_a_display_and_the_serial_group():
    u = unit("reception-kiosk.service")
    env = dict(e.split("=", 1) for e in u["Service"]["Environment"])
    assert env["DISPLAY"] == ":0"
    assert "dialout" in u["Service"]["SupplementaryGroups"][0]
    assert u["Install"]["WantedBy"] == ["graphical.target"]


def test_kamailio_unit_writes_its_config_from_the_settings_then_runs_kamailio():
    u = unit("reception-kamailio.service")
    s = u["Service"]
    assert s["ExecStartPre"] == [f"{EXEC} hotline --kamailio-config /run/reception-kamailio"]
    assert s["ExecStart"][0].startswith(
        "/usr/sbin/kamailio -DD -E -f /run/reception-kamailio/kamailio.cfg"
    )
    assert s["User"] == ["reception"] and s["RuntimeDirectory"] == ["reception-kamailio"]
    assert "reception-hotline.service" in u["Unit"]["Before"][0]
    hot = unit("reception-hotline.service")["Unit"]
    assert "reception-kamailio.service" in hot["After"][0]
    assert "reception-kamailio.service" in hot["Wants"]
    assert (
        "kamailio"
        in (ROOT / "deploy" / "install.sh").read_text().split("APT_PACKAGES=(")[1].split(")")[0]
    )


def test_kamailio_config_command_writes_a_config_kamailio_accepts(tmp_path):
    """Item 13: `reception hotline --kamailio-config DIR` from [hotline] (workers, sources)."""
    from desk.cli import main
    from voice import kamailio

    cfg = tmp_path / "reception.toml"
    cfg.write_text('[hotline]\nsip_bind = "127.0.0.1"\nsip_port = 5080\nworkers = 3\n'
                   'allowed_sources = ["192.168.1.20", "10.8.0.0/16"]\n'
                   'remote_workers = ["192.168.1.30:5100"]\n')  # fmt: skip
    out = tmp_path / "kam"
    assert (
        main(
            [
                "--config",
                str(cfg),
                "--data",
                str(tmp_path / "data"),
                "hotline",
                "--kamailio-config",
                str(out),
            ]
        )
        == 0
    )
    targets = (out / "dispatcher.list").read_text()
    assert [ln.split()[1] for ln in targets.splitlines() if ln[:1].isdigit()] == [
        "sip:127.0.0.1:5100", "sip:127.0.0.1:5110", "sip:127.0.0.1:5120", "sip:192.168.1.30:5100"
    ]  # fmt: skip
    site = (out / "reception.cfg").read_text()
    assert "udp:127.0.0.1:5080" in site and "192.168.1.20/32,10.8.0.0/16" in site
    if not kamailio.available():
        pytest.skip("kamailio is not installed: apt-get install kamailio")
    assert kamailio.check_config(out / "kamailio.cfg") == ""


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="no systemd-analyze")
def test_units_verify(tmp_path):
    """As install.sh installs them: /opt/reception rewritten to the checkout."""
    for f in [*UNITS.glob("*.service"), *UNITS.glob("*.timer")]:
        text = f.read_text(encoding="utf-8").replace("/opt/reception", str(ROOT))
        (tmp_path / f.name).write_text(text, encoding="utf-8")
    if not (ROOT / ".venv" / "bin" / "reception").exists():
        pytest.skip("no .venv/bin/reception for ExecStart to point at")
    res = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.glob("*.[st]*"))],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    problems = [ln for ln in (res.stdout + res.stderr).splitlines() if str(tmp_path) in ln]
    assert res.returncode == 0 and not problems, res.stdout + res.stderr


def test_backup_unit_is_a_oneshot_started_daily_by_its_timer():
    """Issue 17 item 5: the daily backup runs by itself, at low priority, as the service user."""
    s = unit("reception-backup.service")["Service"]
    assert s["Type"] == ["oneshot"] and s["ExecStart"] == [f"{EXEC} backup"]
    assert s["User"] == ["reception"] and s["IOSchedulingClass"] == ["idle"]
    env = dict(e.split("=", 1) for e in s["Environment"])
    assert env["RECEPTION_CONFIG"] == "/etc/reception/reception.toml"
    assert env["RECEPTION_DATA"] == "/var/lib/reception/data"
    t = unit("reception-backup.timer")
    assert t["Timer"]["OnCalendar"] == ["*-*-* 02:30:00"] and t["Timer"]["Persistent"] == ["true"]
    assert t["Install"]["WantedBy"] == ["timers.target"]
    install = (ROOT / "deploy" / "install.sh").read_text(encoding="utf-8")
    assert "reception-backup.service reception-backup.timer" in install
    assert "enable --now reception-backup.timer" in install and "backup.pass" in install


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="no systemd-analyze")
def test_backup_units_verify_against_this_interpreter(tmp_path):
    """systemd-analyze verify on the backup units with ExecStart on the running venv's script."""
    import sys

    script = Path(sys.executable).parent / "reception"
    if not script.exists():
        pytest.skip("no reception script next to the interpreter")
    for name in ("reception-backup.service", "reception-backup.timer"):
        text = (UNITS / name).read_text(encoding="utf-8").replace(EXEC, str(script))
        (tmp_path / name).write_text(text.replace("/opt/reception", str(ROOT)), encoding="utf-8")
    res = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert res.returncode == 0 and str(tmp_path) not in res.stdout + res.stderr, res.stderr


def test_journald_is_capped_and_installed_with_the_units():
    """Issue 17 item 8: the services log to the journal only; it may not fill the disk."""
    conf = (ROOT / "deploy" / "journald" / "reception.conf").read_text(encoding="utf-8")
    keys = dict(
        ln.split("=", 1) for ln in conf.splitlines() if "=" in ln and not ln.startswith("#")
    )
    assert "[Journal]" in conf
    assert keys["SystemMaxUse"] == "500M" and keys["SystemKeepFree"] == "2G"
    assert keys["MaxRetentionSec"] and keys["SystemMaxFileSize"]
    install = (ROOT / "deploy" / "install.sh").read_text(encoding="utf-8")
    assert "/etc/systemd/journald.conf.d/reception.conf" in install
    py = [
        p
        for p in ROOT.glob("*/*.py")
        if p.parts[-2] in ("desk", "kiosk", "voice", "devices", "speech")
    ]
    assert not [p for p in py if "FileHandler" in p.read_text(encoding="utf-8")]  # no file logs


def test_install_sh_options_are_checked_before_anything_is_installed():
    sh = ROOT / "deploy" / "install.sh"
    subprocess.run(["bash", "-n", str(sh)], check=True)
    help_ = subprocess.run(["bash", str(sh), "--help"], capture_output=True, text=True)
    assert help_.returncode == 0 and "--systemd" in help_.stdout and "--model" in help_.stdout
    bad = subprocess.run(["bash", str(sh), "--bogus"], capture_output=True, text=True)
    assert bad.returncode == 2
    no_sum = subprocess.run(
        ["bash", str(sh), "--model", "x.zip"], capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert no_sum.returncode == 2 and "sha256" in no_sum.stderr.lower()


def test_demo_and_test_scripts_call_install_without_optional_steps():
    for name in ("demo.sh", "test.sh"):
        text = (ROOT / "deploy" / name).read_text(encoding="utf-8")
        assert "bash deploy/install.sh\n" in text


def test_ci_type_checks_before_the_tests():
    """Issue 9 item 10: mypy (configured in pyproject.toml) runs in CI before pytest."""
    text = (ROOT / "deploy" / "test.sh").read_text(encoding="utf-8")
    assert 0 < text.index(".venv/bin/mypy") < text.index("-m pytest")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "[tool.mypy]" in pyproject and '"desk", "devices", "speech"' in pyproject
    hooks = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert "ruff check" in hooks and "ruff format" in hooks and ".venv/bin/mypy" in hooks


def test_model_install_is_idempotent_and_checked(tmp_path):
    archive = tmp_path / "vosk-model-tiny.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("vosk-model-tiny/am/final.mdl", b"x")
        zf.writestr("vosk-model-tiny/conf/model.conf", b"y")
    z = tmp_path / "copy.zip"
    shutil.copy(archive, z)
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    data = tmp_path / "data"
    path = install_model(str(archive), data, digest)
    assert (path / SUM_FILE).read_text().strip() == digest and find_model("", data) == path
    archive.unlink()  # a second run does not fetch it again
    assert install_model(str(archive), data, digest.upper()) == path
    with pytest.raises(ModelInstallError):
        install_model(str(z), data, "0" * 64)


def test_reception_hotline_install_model_command(tmp_path):
    """The command install.sh runs (twice: the second is a no-op)."""
    archive = tmp_path / "vosk-model-tiny.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("vosk-model-tiny/am/final.mdl", b"x")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    from desk.cli import main

    argv = ["--data", str(tmp_path / "data"), "hotline", "--install-model", str(archive),
            "--sha256", digest]  # fmt: skip
    assert main(argv) == 0 and main(argv) == 0
    assert main([*argv[:-1], "f" * 64]) == 1  # another sum: fetched again, and refused
