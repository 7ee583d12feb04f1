"""Store integrity under torn writes, killed purges, short logs, full disks, damaged files,
mistyped paths and tampering (issue 10 items 1-8; K2, X2, L2, L3)."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import os
from pathlib import Path

import pytest

from desk import partition
from desk.audit import Anchor
from desk.cli import main
from desk.clock import local
from desk.config import load_settings
from desk.fileio import dumps
from desk.records import Actor, Role
from desk.service import Desk, kind_specs
from desk.services.requests import KeyLoanRequest, NewKey, NewOwner, VisitRequest
from desk.store import Store, StoreCorrupt, restore
from tests.conftest import FakeClock

ID = "11010519491231002X"
STAFF = Actor(Role.STAFF, "staff", "desk")
VISITOR = Actor(Role.VISITOR, "赵六", "kiosk-1")
OWNER = Actor(Role.OWNER, "张三", "kiosk-1")


def visit(desk: Desk, **over) -> str:
    fields = dict(host_unit="3-2-501", visitor_name="赵六", id_type="resident_id", id_number=ID,
                  phone="13600001111", purpose="探亲", party_size=2, plate="粤B12345")  # fmt: skip
    return desk.visits.register(VisitRequest(**{**fields, **over}), VISITOR).number


def visit_and_leave(desk: Desk) -> str:
    number = visit(desk)
    desk.visits.host_answer(number, OWNER, True)
    desk.visits.check_out(number, VISITOR)
    return number


def add_owner(desk: Desk, unit: str, name: str, phone: str) -> None:
    desk.directory.add_owner(NewOwner(unit, name, phone))


def open_desk(data: Path, clock: FakeClock, **retention) -> Desk:
    settings = load_settings(data_dir=data)
    if retention:
        settings = dataclasses.replace(
            settings, retention=dataclasses.replace(settings.retention, **retention)
        )
    return Desk.open(settings, clock=clock)


def log_bytes(data: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted((data / "log").glob("*.jsonl")))


# ----------------------------------------------------------------- item 1: atomic transactions
def test_K2_key_loan_is_one_unit_on_disk_at_every_torn_byte(desk: Desk) -> None:
    """Item 1: truncate the log at every byte of a two-entry transaction (loan + key out):
    the store opens with both changes or neither, and the chain verifies."""
    desk.keys.add(NewKey("K1", "3-2-501 空置房", "钥匙 3-12", "vacant"))
    loan = desk.keys.lend(KeyLoanRequest("K1", borrower_name="李工", borrower_is_staff=True), STAFF)
    data = desk.store.dir
    desk.close()
    (log_file,) = sorted((data / "log").glob("*.jsonl"))
    full = log_file.read_bytes()
    lines = full.splitlines(keepends=True)
    start = len(full) - len(lines[-1]) - len(lines[-2])
    assert b'"kind":"key_loan"' in lines[-2] + lines[-1]
    seen = set()
    for cut in range(start, len(full) + 1):
        log_file.write_bytes(full[:cut])
        store = Store(data, kind_specs())
        try:
            lent = store.get("key_loan", loan.number) is not None
            key_out = store.get("key", "K1")["status"] == "out"
            assert lent == key_out, f"half a transaction applied with the log cut at byte {cut}"
            assert store.verify() == [], cut
            seen.add(lent)
        finally:
            store.close()
    assert seen == {False, True}


# ------------------------------------------------------------------ item 2: killed purge
def _killed_purge_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, FakeClock]:
    data = tmp_path / "data"
    clock = FakeClock(local(2026, 10, 2, 9, 0))
    desk = open_desk(data, clock, visitor_days=30)
    add_owner(desk, "3-2-501", "张三", "13812345678")
    visit_and_leave(desk)
    desk.store.compact()  # the manifest now points into the middle of October's log
    clock.advance(days=1)
    visit_and_leave(desk)
    clock.now = local(2026, 11, 5, 9, 0)

    def killed(*args: object, **kwargs: object) -> None:
        raise RuntimeError("killed")

    monkeypatch.setattr(Store, "forget", killed)
    monkeypatch.setattr(Store, "forget_records", killed, raising=False)
    with pytest.raises(RuntimeError):
        desk.reports.purge()
    desk.store.close()
    monkeypatch.undo()
    return data, clock


def test_X2_purge_killed_after_redacting_the_log_leaves_an_openable_restorable_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 2: redaction never moves a byte the manifest or a snapshot points at."""
    data, clock = _killed_purge_store(tmp_path, monkeypatch)
    desk = open_desk(data, clock, visitor_days=30)
    assert desk.store.verify() == []
    assert desk.reports.purge()["visits"] == 0 or True  # the rerun finishes the job
    assert desk.store.verify() == []
    desk.close()
    restore(data)
    desk = open_desk(data, clock, visitor_days=30)
    assert desk.store.verify() == []
    desk.close()


def test_X2_a_purge_killed_while_deleting_old_snapshots_leaves_none_half_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 2 (found by bench/crash.py): a half-deleted snapshot must never be restored."""
    import shutil

    from desk import store_upkeep

    data = tmp_path / "data"
    clock = FakeClock(local(2026, 10, 2, 9, 0))
    desk = open_desk(data, clock)
    add_owner(desk, "3-2-501", "张三", "13812345678")
    visit_and_leave(desk)
    for _ in range(3):  # snapshots of three days, the last holding everything
        clock.advance(days=1)
        add_owner(desk, "3-2-502", "李四", "13912345678")
        desk.store.compact()
    clock.advance(days=91)
    real_rmtree = shutil.rmtree

    def killed_midway(path, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        files = sorted(p for p in Path(path).rglob("*") if p.is_file())
        if "2026-10" not in Path(path).name or not files:  # only an old snapshot's removal
            return real_rmtree(path, *args, **kwargs)
        owners = [p for p in files if p.name == "owner.json"]
        (owners or files)[0].unlink()  # one file gone, then the process dies
        raise KeyboardInterrupt

    monkeypatch.setattr(store_upkeep.shutil, "rmtree", killed_midway)
    with pytest.raises(KeyboardInterrupt):
        desk.reports.purge()
    monkeypatch.setattr(store_upkeep.shutil, "rmtree", real_rmtree)
    desk.store.close()
    snaps = sorted((data / "snapshots").glob("[0-9]*"))
    for snap in snaps:
        manifest = json.loads((snap / "manifest.json").read_bytes())
        assert (snap / manifest["index"]).exists() and (snap / "tables" / "owner.json").exists()
    for snap in snaps:
        restore(data, snapshot=snap.name)
    restore(data)
    desk = open_desk(data, clock)
    assert len(desk.directory.residents_of("3-2-501")) == 1 and desk.store.verify() == []
    desk.close()


# -------------------------------------------------------------- item 3: rebuild after purge
def test_X2_restore_rebuild_works_on_a_purged_store(tmp_path: Path, clock: FakeClock) -> None:
    data = tmp_path / "data"
    desk = open_desk(data, clock)
    add_owner(desk, "3-2-501", "张三", "13812345678")
    number = visit_and_leave(desk)
    clock.advance(days=91)
    desk.reports.purge()
    desk.close()
    assert main(["--data", str(data), "restore", "--rebuild"]) == 0
    assert main(["--data", str(data), "verify"]) == 0
    desk = open_desk(data, clock)
    assert desk.get(number).anonymised
    desk.close()


def test_a_failing_restore_destroys_nothing(tmp_path: Path, clock: FakeClock) -> None:
    """Item 3: tables, manifest and index stay as they were when the restore fails."""
    data = tmp_path / "data"
    desk = open_desk(data, clock)
    add_owner(desk, "3-2-501", "张三", "13812345678")
    visit_and_leave(desk)
    desk.store.compact()
    desk.close()
    before = {p.relative_to(data): p.read_bytes() for p in data.rglob("*") if p.is_file()}

    def check() -> None:
        raise StoreCorrupt(data / "log", "simulated failure")

    for rebuild in (False, True):
        with pytest.raises(StoreCorrupt):
            restore(data, rebuild=rebuild, check=check)
        after = {p.relative_to(data): p.read_bytes() for p in data.rglob("*") if p.is_file()}
        assert after == before


# ------------------------------------------------------------- item 4: log shorter than manifest
def test_a_log_shorter_than_the_manifest_refuses_to_open(tmp_path: Path, clock: FakeClock) -> None:
    data = tmp_path / "data"
    desk = open_desk(data, clock)
    for i in range(4):
        add_owner(desk, f"3-2-50{i + 1}", "张三", f"1381234567{i}")
    desk.store.compact()
    desk.close()
    (log_file,) = (data / "log").glob("*.jsonl")
    lines = log_file.read_bytes().splitlines(keepends=True)
    log_file.write_bytes(b"".join(lines[:-3]))
    with pytest.raises(StoreCorrupt) as err:
        Store(data, kind_specs())
    assert log_file.name in str(err.value) and "reception restore" in str(err.value)


# -------------------------------------------------------------------- item 5: disk full
def test_enospc_in_compaction_never_fails_the_acknowledged_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock(local(2026, 11, 23, 9, 0))
    store = Store(tmp_path, kind_specs(), compact_every=10, clock=clock)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(partition, "atomic_write", full)
    keys = []
    for i in range(12):
        with store.transaction() as txn:
            key = f"O{i}"
            txn.put("owner", key, {"number": key, "unit": "3-2-501", "name": "张三"}, {})
        keys.append(key)
    assert "compaction" in store.health()
    other = Store(tmp_path, kind_specs())  # `reception status` runs in another process
    assert "compaction" in other.health()
    other.close()
    monkeypatch.undo()
    clock.advance(minutes=2)
    with store.transaction() as txn:
        txn.put("owner", "O99", {"number": "O99", "unit": "3-2-501", "name": "李四"}, {})
    assert "compaction" not in store.health()
    store.close()
    store = Store(tmp_path, kind_specs())
    assert all(store.get("owner", k) for k in [*keys, "O99"])
    assert store.verify() == []
    store.close()


def test_enospc_in_the_log_write_leaves_no_half_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path, kind_specs())
    with store.transaction() as txn:
        txn.put("owner", "O1", {"number": "O1", "unit": "3-2-501", "name": "张三"}, {})
    real_write = os.write

    def short_then_full(fd: int, data: bytes) -> int:
        if len(data) > 100:
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", short_then_full)
    with pytest.raises(OSError), store.transaction() as txn:
        txn.put("owner", "O2", {"number": "O2", "unit": "3-2-502", "name": "李四"}, {})
        txn.put("owner", "O3", {"number": "O3", "unit": "3-2-503", "name": "王五"}, {})
    monkeypatch.undo()
    store.close()
    store = Store(tmp_path, kind_specs())
    assert store.get("owner", "O2") is None and store.get("owner", "O3") is None
    assert store.seq == 1 and store.verify() == []
    store.close()


# --------------------------------------------------------------- item 6: corrupt index arrays
def test_a_corrupt_index_npz_is_refused_naming_the_file_then_restored(
    tmp_path: Path, clock: FakeClock
) -> None:
    data = tmp_path / "data"
    desk = open_desk(data, clock)
    add_owner(desk, "3-2-501", "张三", "13812345678")
    visit_and_leave(desk)
    desk.store.compact()
    desk.close()
    (npz,) = data.glob("index-*.npz")
    npz.write_bytes(b"PK\x03\x04 not really a zip file")
    with pytest.raises(StoreCorrupt) as err:
        Store(data, kind_specs())
    assert npz.name in str(err.value) and "reception restore" in str(err.value)
    assert main(["--data", str(data), "verify"]) == 2  # refused, no traceback
    assert main(["--data", str(data), "restore"]) == 0
    assert main(["--data", str(data), "verify"]) == 0


@pytest.mark.parametrize(
    ("pattern", "damage"),
    [
        ("manifest.json", b"{}"),
        ("manifest.json", b"[1, 2]"),
        ("index-*.json", b'{"seq": "x"}'),
        ("index-*.json", b"\xff\xfe garbage"),
        ("index-*.npz", b""),
    ],
)
def test_any_damaged_store_file_is_refused_naming_it_without_a_traceback(
    tmp_path: Path, clock: FakeClock, pattern: str, damage: bytes
) -> None:
    data = tmp_path / "data"
    desk = open_desk(data, clock)
    add_owner(desk, "3-2-501", "张三", "13812345678")
    desk.store.compact()
    desk.close()
    (target,) = data.glob(pattern)
    target.write_bytes(damage)
    with pytest.raises(StoreCorrupt) as err:
        Store(data, kind_specs())
    assert "reception restore" in str(err.value)
    assert main(["--data", str(data), "status"]) == 2
    assert main(["--data", str(data), "restore"]) == 0


# ------------------------------------------------------ item 7: read-only commands create nothing
@pytest.mark.parametrize("command", ["verify", "status", "purge"])
def test_read_only_commands_never_create_a_store(tmp_path: Path, command: str) -> None:
    mistyped = tmp_path / "dta"
    assert main(["--data", str(mistyped), command]) == 2
    assert not mistyped.exists()
    assert not any(tmp_path.iterdir())


# --------------------------------------------------------------- item 8: keyed chain, anchors
def _rehash_v1(entry: dict) -> None:
    """What an intruder can do without the key: recompute the plain hashes."""
    if entry.get("doc") is not None:
        entry["doc_sha"] = hashlib.sha256(dumps(entry["doc"]).encode()).hexdigest()
    if "actor_sha" in entry:
        entry["actor_sha"] = hashlib.sha256(dumps(entry["actor"]).encode()).hexdigest()
    covered = {k: v for k, v in entry.items() if k not in ("doc", "sha", "redacted")}
    entry["sha"] = hashlib.sha256(dumps(covered).encode()).hexdigest()


def _tamper(data: Path, change) -> None:  # noqa: ANN001
    (log_file,) = (data / "log").glob("*.jsonl")
    entries = [json.loads(line) for line in log_file.read_bytes().splitlines()]
    prev = "0" * 64
    for i, entry in enumerate(entries):
        entry["prev"] = prev
        if i == 1:
            change(entry)
        _rehash_v1(entry)
        prev = entry["sha"]
    log_file.write_bytes(b"".join((dumps(e) + "\n").encode() for e in entries))


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e["doc"].update(name="王八"),  # edited and re-hashed
        lambda e: e.update(redacted=True) or e["doc"].update(name="王八"),  # "redacted"
    ],
)
def test_L2_an_edited_and_rehashed_chain_fails_verify(tmp_path: Path, clock, change) -> None:
    data = tmp_path / "data"
    desk = open_desk(data, clock)
    add_owner(desk, "3-2-501", "张三", "13812345678")
    add_owner(desk, "3-2-502", "李四", "13912345678")
    add_owner(desk, "3-2-503", "王五", "13712345678")
    desk.close()
    _tamper(data, change)
    store = Store(data, kind_specs())
    try:
        assert store.verify() != []
    finally:
        store.close()


def test_L2_the_audit_key_lives_apart_from_the_data_0600(tmp_path: Path, clock) -> None:
    data = tmp_path / "data"
    assert main(["--data", str(data), "init", "--empty"]) == 0
    key = tmp_path / "data.audit.key"
    assert key.exists() and not key.is_relative_to(data)
    assert key.stat().st_mode & 0o777 == 0o600
    assert not any(b"audit" in p.name.encode() for p in data.rglob("*"))


def test_L3_truncation_before_the_anchor_on_the_handover_slip_is_detected(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    desk = open_desk(data, clock)
    for i in range(5):
        add_owner(desk, f"3-2-50{i + 1}", "张三", f"1381234567{i}")
    anchor = desk.store.anchor()
    desk.dutylog.handover(STAFF, "guard")
    page = desk.dutylog.day(clock.now.date())[-1]
    assert f"审计锚点 {anchor.seq}:" in page.text
    from devices.receipts import receipt_for

    kind, slip = receipt_for(page, desk.settings)  # the handover slip both shifts sign
    assert kind == "handover" and f"{anchor.seq}:{anchor.head[:16]}".encode() in slip
    desk.close()
    assert main(["--data", str(data), "verify", "--anchor", str(anchor)]) == 0
    (log_file,) = (data / "log").glob("*.jsonl")
    lines = log_file.read_bytes().splitlines(keepends=True)
    log_file.write_bytes(b"".join(lines[:-3]))  # the handover page and two owners gone
    store = Store(data, kind_specs())
    try:
        assert store.verify() == []  # the chain alone cannot tell
        assert any("anchor" in p.problem for p in store.verify([anchor]))
        bare = Anchor.parse(anchor.head)  # a sheet that prints only the head
        assert bare.seq is None and any("anchor" in p.problem for p in store.verify([bare]))
        earlier = Anchor.parse(store.anchor().head[:16])
        assert store.verify([earlier]) == []
    finally:
        store.close()
    assert main(["--data", str(data), "verify", "--anchor", str(anchor)]) == 1
    assert "anchor" in capsys.readouterr().out


def test_L2_redaction_stays_verifiable_only_with_a_purge_entry(tmp_path: Path, clock) -> None:
    """Blanking a document is accepted only for a record a later purge entry anonymised."""
    data = tmp_path / "data"
    desk = open_desk(data, clock)
    add_owner(desk, "3-2-501", "张三", "13812345678")
    add_owner(desk, "3-2-502", "李四", "13912345678")
    desk.close()
    (log_file,) = (data / "log").glob("*.jsonl")
    from desk.redact import blank_line

    lines = log_file.read_bytes().splitlines(keepends=True)
    lines[0] = blank_line(lines[0].rstrip(b"\n"), ("doc", "actor")) + b"\n"
    log_file.write_bytes(b"".join(lines))
    store = Store(data, kind_specs())
    try:
        assert any("without a purge" in p.problem for p in store.verify())
    finally:
        store.close()
