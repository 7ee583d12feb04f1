"""Retention (X2): every kind holding personal data is purged after its configured period.

- visits (``visitor_days``): name, ID, phone, plate, work pass, message, the host's room,
  the history's actors — open ones too (never checked out / never answered: expired);
  with them the receipts printed for them (print-job payloads) and guard requests about them;
- key loans returned more than ``key_loan_days`` ago: the borrower's ID and phone (K2);
- proxy pickups (``proxy_pickup_days``): the proxy's name and ID on parcels and requests (P3);
- hotline calls (``call_record_days``): the caller's and callee's numbers;
- call audio (``call_audio_days``): ``hotline/audio/<day>/``, and the speech cache
  ``hotline/tts/`` (host calls say the visitor's name); kiosk recordings
  (``recording_days``): ``audio/kiosk-<date>-<time>.wav``.

Each purged record is rewritten anonymised (op ``purge``), its earlier log entries are
blanked in place (``Store.redact_log``: document and actor, hashes kept), and the indexes,
snapshots and ``tables.broken-*`` copies that still held the data are replaced
(``Store.forget_records``). Run daily by ``reception purge`` (systemd timer
``reception-purge.timer``) and whenever the hotline starts.
"""

from __future__ import annotations

import json
import logging
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk import workflow
from desk.clock import site_zone
from desk.fileio import atomic_write_json
from desk.records import SYSTEM

if TYPE_CHECKING:
    from desk.service import Desk
    from desk.store import Store

log = logging.getLogger(__name__)

VISIT_PERSONAL = ("visitor_name", "id_number", "id_hash", "phone", "plate", "work_pass", "message")
ERASED = ""


def _blank_history(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {**h, "actor": {**h.get("actor", {}), "name": ""}, "note": ""}
        for h in doc.get("history", [])
    ]


Batch = list[tuple[str, dict[str, Any]]]
"""Anonymised documents written together in one transaction: (kind, doc)."""
PENDING = "purge-pending.json"
"""Records anonymised whose log entries, indexes and snapshots may still hold their data:
written before the first anonymising write, removed when all is clean, so a purge killed
at any point is finished by the next one."""


def _day_before(day: date) -> date:
    return day - timedelta(days=1)


def visit_batches(store: Store, cutoff: date) -> list[Batch]:
    """Visits created before ``cutoff``, each with its print jobs; then their requests."""
    batches: list[Batch] = []
    numbers = set()
    for doc in store.iter_days("visit", None, _day_before(cutoff)):
        if doc.get("anonymised"):
            continue
        anon = {**doc, **dict.fromkeys(VISIT_PERSONAL, ERASED), "anonymised": True}
        unit = doc.get("host_unit") or ""
        anon["host_unit"] = unit.split("-")[0] + "-0-0" if unit else ""
        anon["history"] = _blank_history(doc)
        if workflow.is_open("visit", doc):
            anon["status"] = "expired"  # never checked out / never answered: closed now
        batch: Batch = [("visit", anon)]
        for job in store.find("print_job", "record", doc["number"]):
            status = "cancelled" if workflow.is_open("print_job", job) else job["status"]
            batch.append(("print_job", {**job, "payload": ERASED, "status": status}))
        batches.append(batch)
        numbers.add(doc["number"])
    for req in store.iter_days("request", None, _day_before(cutoff)):
        if req.get("visit") in numbers and not req.get("anonymised"):
            batches.append([("request", _anon_request(req))])
    return batches


def _anon_request(req: dict[str, Any]) -> dict[str, Any]:
    status = "turned_down" if workflow.is_open("request", req) else req["status"]
    return {
        **req,
        "proxy_name": ERASED,
        "proxy_id": ERASED,
        "note": ERASED,
        "anonymised": True,
        "status": status,
        "history": _blank_history(req),
    }


def key_loan_batches(store: Store, cutoff: date) -> list[Batch]:
    """Returned key loans older than ``cutoff``: the borrower's ID and phone (K2)."""
    return [
        [("key_loan", {**doc, "id_number": ERASED, "phone": ERASED, "anonymised": True})]
        for doc in store.iter_days("key_loan", None, _day_before(cutoff))
        if not doc.get("anonymised") and not workflow.is_open("key_loan", doc)
    ]


def call_batches(store: Store, cutoff: date) -> list[Batch]:
    """Hotline calls older than ``cutoff``: the caller's and callee's numbers (T3 is done)."""
    return [
        [("call", {**doc, "caller": ERASED, "callee": ERASED, "audio_path": ERASED})]
        for doc in store.iter_days("call", None, _day_before(cutoff))
        if doc.get("caller") or doc.get("callee") or doc.get("audio_path")
    ]


def proxy_batches(store: Store, cutoff: date) -> list[Batch]:
    """Proxy pickups older than ``cutoff``: the proxy's name and ID (P3)."""
    batches: list[Batch] = []
    for doc in store.iter_days("parcel", None, _day_before(cutoff)):
        if not (doc.get("proxy_name") or doc.get("proxy_id")) or workflow.is_open("parcel", doc):
            continue
        history = [
            {**h, "note": "代领" if "代领" in h.get("note", "") else h.get("note", "")}
            for h in doc.get("history", [])
        ]
        anon = {**doc, "proxy_name": ERASED, "proxy_id": ERASED, "history": history}
        if doc.get("collected_by") == doc.get("proxy_name"):
            anon["collected_by"] = "代领人"
        batches.append([("parcel", anon)])
    for req in store.iter_days("request", None, _day_before(cutoff)):
        if (
            req.get("request_kind") == "proxy_pickup"
            and not req.get("anonymised")
            and not workflow.is_open("request", req)
        ):
            batches.append([("request", _anon_request(req))])
    return batches


def _read_pending(path: Path) -> set[tuple[str, str]]:
    try:
        return {(k, n) for k, n in json.loads(path.read_bytes())}
    except FileNotFoundError:
        return set()
    except (ValueError, TypeError) as exc:
        log.error("%s unreadable (%s): redacting every purged record again", path, exc)
        return {("*", "*")}


def _midnight(day: date) -> datetime:
    """The start of ``day`` at the site (the core's days; the host's zone may differ)."""
    return datetime.combine(day, datetime.min.time(), tzinfo=site_zone())


def purge_audio_files(data_dir: Path, call_days: int, recording_days: int, today: date) -> int:
    """Hotline call audio day folders and kiosk recordings past their periods."""
    removed = 0
    calls = Path(data_dir) / "hotline" / "audio"
    if calls.is_dir():
        for folder in calls.iterdir():
            try:
                day = date.fromisoformat(folder.name)
            except ValueError:
                continue
            if day < today - timedelta(days=call_days):
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
    # Speech synthesised for host calls says the visitor's name (V2): the TTS cache is a
    # cache, re-rendered on demand, so nothing in it outlives the call audio's period.
    tts = Path(data_dir) / "hotline" / "tts"
    if tts.is_dir():
        limit = _midnight(today - timedelta(days=call_days)).timestamp()
        for wav in tts.glob("*.wav"):
            if wav.stat().st_mtime < limit:
                wav.unlink(missing_ok=True)
    kiosk = Path(data_dir) / "audio"
    if kiosk.is_dir():
        limit = _midnight(today - timedelta(days=recording_days)).timestamp()
        for wav in kiosk.glob("*.wav"):
            if wav.stat().st_mtime < limit:
                wav.unlink(missing_ok=True)
                removed += 1
    return removed


def purge(desk: Desk, now: datetime | None = None) -> dict[str, int]:
    """X2: everything past its keeping period, in every kind and file that holds it."""
    now = now or desk.now()
    r = desk.settings.retention
    today = now.date()
    store = desk.store
    batches = [
        *visit_batches(store, today - timedelta(days=r.visitor_days)),
        *key_loan_batches(store, today - timedelta(days=r.key_loan_days)),
        *proxy_batches(store, today - timedelta(days=r.proxy_pickup_days)),
        *call_batches(store, today - timedelta(days=r.call_record_days)),
    ]
    new = {(kind, doc["number"]) for batch in batches for kind, doc in batch}
    pending_path = store.dir / PENDING
    targets = _read_pending(pending_path) | new
    if new:
        atomic_write_json(pending_path, sorted(targets))
    for batch in batches:
        with store.transaction() as txn:
            for kind, doc in batch:
                txn.put(kind, doc["number"], doc, SYSTEM.to_doc(), op="purge")
    redacted = 0
    if targets:
        if ("*", "*") in targets:
            targets = store.purged_records()
        redacted = store.redact_log(targets)
        store.forget_records(targets)
        pending_path.unlink(missing_ok=True)
    audio = purge_audio_files(store.dir, r.call_audio_days, r.recording_days, today)
    visits = sum(1 for kind, _ in new if kind == "visit")
    log.info(
        "purge: %d visits, %d other records anonymised, %d log entries redacted, %d audio removed",
        visits,
        len(new) - visits,
        redacted,
        audio,
    )
    return {"visits": visits, "records": len(new), "log_entries": redacted, "audio": audio}
