"""The store: durability, integrity, indexes, partitions, snapshots, migrations (issue 2, L2, X2)."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path

import pytest
from tinydb import TinyDB

from desk import store as store_mod
from desk.service import kind_specs
from desk.store import Store, StoreCorrupt, restore

ACTOR = {"role": "staff", "name": "t", "source": "test"}


def open_store(path: Path, **kw) -> Store:
    return Store(path, kind_specs(), **kw)


def put_parcel(
    s: Store, unit: str = "3-2-501", code: str = "123456", day: date = date(2026, 11, 23)
) -> str:
    with s.transaction() as txn:
        key = f"4{day:%y%m%d}{txn.next_seq('parcel', day):04d}"
        doc = {
            "number": key,
            "status": "stored",
            "unit": unit,
            "phone": "13812345678",
            "pickup_code": code,
            "tracking_no": key,
        }
        txn.put("parcel", key, doc, ACTOR)
    return key


def test_put_get_find_and_reopen(tmp_path: Path) -> None:
    s = open_store(tmp_path)
    keys = [put_parcel(s, code=f"{i:06d}") for i in range(5)]
    assert s.get("parcel", keys[2])["pickup_code"] == "000002"
    assert [d["number"] for d in s.find("parcel", "unit", "3-2-501")] == keys[::-1]
    assert s.by_code("parcel", "pickup_code", "000004")["number"] == keys[4]
    s.close()
    s2 = open_store(tmp_path)
    assert s2.get("parcel", keys[0])["number"] == keys[0]
    assert len(s2.open_docs("parcel")) == 5
    assert s2.verify() == []


def test_chinese_is_stored_as_utf8_text(tmp_path: Path) -> None:
    s = open_store(tmp_path)
    with s.transaction() as txn:
        txn.put("owner", "O1", {"number": "O1", "name": "张三", "unit": "3-2-501"}, ACTOR)
    s.compact()
    raw = (tmp_path / "log" / f"{datetime.now():%Y-%m}.jsonl").read_text(encoding="utf-8")
    assert "张三" in raw and "\\u" not in raw
    assert "张三" in (tmp_path / "tables" / "owner.json").read_text(encoding="utf-8")


def test_tables_are_plain_tinydb_files(tmp_path: Path) -> None:
    s = open_store(tmp_path)
    key = put_parcel(s)
    s.compact()
    db = TinyDB(tmp_path / "tables" / "parcel" / "2026-11-23.json")
    assert db.table("records").get(doc_id=int(key))["unit"] == "3-2-501"


def test_data_dir_and_files_are_private(tmp_path: Path) -> None:
    s = open_store(tmp_path / "d")
    put_parcel(s)
    s.compact()
    assert os.stat(tmp_path / "d").st_mode & 0o777 == 0o700
    for path in (tmp_path / "d").rglob("*"):
        if path.is_file():
            assert path.stat().st_mode & 0o077 == 0, path


def test_L2_verify_detects_an_altered_entry(tmp_path: Path) -> None:
    s = open_store(tmp_path)
    for i in range(3):
        put_parcel(s, code=f"{i:06d}")
    s.close()
    log_file = next((tmp_path / "log").glob("*.jsonl"))
    lines = log_file.read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[1])
    entry["doc"]["unit"] = "9-9-999"
    lines[1] = json.dumps(entry, ensure_ascii=False)
    log_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = Store(tmp_path, kind_specs()).verify()
    assert any("altered" in p.problem for p in problems)


def test_L2_verify_detects_a_removed_entry(tmp_path: Path) -> None:
    s = open_store(tmp_path)
    for i in range(3):
        put_parcel(s, code=f"{i:06d}")
    s.close()
    log_file = next((tmp_path / "log").glob("*.jsonl"))
    lines = log_file.read_text(encoding="utf-8").splitlines()
    del lines[1]
    log_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(StoreCorrupt):
        Store(tmp_path, kind_specs())  # the chain does not link: refuses to open


def test_truncated_table_file_is_reported_with_name_and_restore_command(tmp_path: Path) -> None:
    s = open_store(tmp_path, compact_every=3)
    for i in range(4):
        put_parcel(s, code=f"{i:06d}")
    s.close()
    table = tmp_path / "tables" / "parcel" / "2026-11-23.json"
    table.write_bytes(table.read_bytes()[:40])
    with pytest.raises(StoreCorrupt) as err:
        open_store(tmp_path).get("parcel", "42611230001")
    assert str(table) in str(err.value) and "reception restore" in str(err.value)
    assert table.stat().st_size == 40  # never silently replaced


def test_garbled_log_line_is_reported(tmp_path: Path) -> None:
    s = open_store(tmp_path)
    put_parcel(s)
    put_parcel(s, code="222222")
    s.close()
    log_file = next((tmp_path / "log").glob("*.jsonl"))
    data = bytearray(log_file.read_bytes())
    data[10:20] = b"#garbage!#"
    log_file.write_bytes(bytes(data))
    with pytest.raises(StoreCorrupt) as err:
        open_store(tmp_path)
    assert log_file.name in str(err.value)


def test_torn_last_line_is_dropped_and_the_rest_kept(tmp_path: Path) -> None:
    s = open_store(tmp_path)
    key = put_parcel(s)
    s.close()
    log_file = next((tmp_path / "log").glob("*.jsonl"))
    with open(log_file, "ab") as fh:
        fh.write(b'{"seq":2,"kind":"parc')
    s2 = open_store(tmp_path)
    assert s2.get("parcel", key) is not None
    put_parcel(s2, code="999999")
    assert s2.verify() == []


def test_restore_from_snapshot_and_rebuild(tmp_path: Path) -> None:
    s = open_store(tmp_path)
    keys = [put_parcel(s, code=f"{i:06d}") for i in range(3)]
    s.compact()
    keys.append(put_parcel(s, code="777777"))
    s.close()
    (tmp_path / "tables" / "parcel" / "2026-11-23.json").write_text("{broken", encoding="utf-8")
    restore(tmp_path)
    s2 = open_store(tmp_path)
    assert [s2.get("parcel", k)["number"] for k in keys] == keys
    s2.close()
    restore(tmp_path, rebuild=True)
    s3 = open_store(tmp_path)
    assert [s3.get("parcel", k)["number"] for k in keys] == keys
    assert s3.verify() == []


def test_partitions_are_per_day_and_cached_lru(tmp_path: Path) -> None:
    s = open_store(tmp_path, compact_every=50, cache_records=4)
    keys = [put_parcel(s, code=f"{d:06d}", day=date(2026, 10, 1 + d)) for d in range(20)]
    assert len(s._partitions) <= 4
    assert all(s.get("parcel", k)["number"] == k for k in keys)
    assert s.days("parcel")[0] == "2026-10-01"


def test_sequence_numbers_unique_per_day(tmp_path: Path) -> None:
    s = open_store(tmp_path)
    keys = [put_parcel(s, code=f"{i:06d}") for i in range(30)]
    assert len(set(keys)) == 30 and keys[0].endswith("0001")


def test_schema_migration_runs_forward_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = open_store(tmp_path)
    key = put_parcel(s)
    s.compact()
    s.close()
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(
        store_mod.MIGRATIONS,
        1,
        lambda kind, doc: {**doc, "courier": "未知"} if kind == "parcel" else None,
    )
    s2 = open_store(tmp_path)
    assert s2.get("parcel", key)["courier"] == "未知"
    assert s2.schema == 2
    assert json.loads((tmp_path / "manifest.json").read_text())["schema"] == 2
    assert s2.verify() == []


def test_get_of_history_reads_one_record_not_the_whole_day(tmp_path: Path) -> None:
    s = open_store(tmp_path)
    keys = [put_parcel(s, code=f"{d:06d}", day=date(2026, 10, 1 + d)) for d in range(10)]
    s.compact()
    s.close()
    s2 = open_store(tmp_path)
    assert [s2.get("parcel", k)["number"] for k in keys] == keys
    assert not any(p.dated for p in s2._partitions.values())  # no day file was parsed whole
    assert s2.get("parcel", "42610019999") is None


def test_offsets_that_no_longer_match_the_file_fall_back_to_reading_the_day(
    tmp_path: Path,
) -> None:
    s = open_store(tmp_path)
    keys = [put_parcel(s, code=f"{i:06d}") for i in range(3)]
    s.compact()
    s.close()
    s2 = open_store(tmp_path)
    wrong = s2._locations["parcel"].copy()
    wrong[:, 1] += 7  # another process rewrote the file since these ranges were read
    s2._locations["parcel"] = wrong
    assert [s2.get("parcel", k)["number"] for k in keys] == keys


def test_find_skips_records_whose_field_changed(tmp_path: Path) -> None:
    s = open_store(tmp_path)
    key = put_parcel(s, unit="3-2-501")
    other = put_parcel(s, unit="3-2-501", code="654321")
    with s.transaction() as txn:
        doc = {**txn.get("parcel", key), "unit": "1-1-101"}
        txn.put("parcel", key, doc, ACTOR)
    assert [d["number"] for d in s.find("parcel", "unit", "3-2-501")] == [other]
    s.compact()
    s.close()
    s2 = open_store(tmp_path)
    assert [d["number"] for d in s2.find("parcel", "unit", "3-2-501")] == [other]
    assert [d["number"] for d in s2.find("parcel", "unit", "1-1-101")] == [key]


def test_store_written_before_compact_indexes_is_read(tmp_path: Path) -> None:
    s = open_store(tmp_path)
    keys = [put_parcel(s, code=f"{i:06d}") for i in range(3)]
    s.compact()
    s.close()
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    (tmp_path / manifest.pop("postings")).unlink()
    del manifest["locations"]
    index_path = tmp_path / manifest["index"]
    index = json.loads(index_path.read_text())
    index["index"]["parcel|unit"] = {"3-2-501": keys}  # the session-1 layout: lists of numbers
    index_path.write_text(json.dumps(index))
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    s2 = open_store(tmp_path)
    assert [d["number"] for d in s2.find("parcel", "unit", "3-2-501")] == keys[::-1]
    assert [s2.get("parcel", k)["number"] for k in keys] == keys
    assert not any(p.dated for p in s2._partitions.values())  # located, not parsed whole
    assert s2.verify() == []


def test_temp_files_of_a_killed_compaction_are_removed_at_open(tmp_path: Path) -> None:
    s = open_store(tmp_path)
    put_parcel(s)
    s.compact()
    s.close()
    stale = tmp_path / "tables" / "parcel" / ".2026-11-23.json.999999.tmp"
    stale.write_bytes(b'{"half')
    open_store(tmp_path).close()
    assert not stale.exists()


def test_indexes_follow_another_process_compaction(tmp_path: Path) -> None:
    kiosk, hotline = open_store(tmp_path), open_store(tmp_path)
    first = put_parcel(kiosk, unit="1-1-101")
    kiosk.compact()  # the hotline now reloads the index files the kiosk wrote
    second = put_parcel(hotline, unit="1-1-101", code="222222")
    assert [d["number"] for d in hotline.find("parcel", "unit", "1-1-101")] == [second, first]
    hotline.compact()
    assert [d["number"] for d in kiosk.find("parcel", "unit", "1-1-101")] == [second, first]
    assert kiosk.get("parcel", second)["pickup_code"] == "222222"
