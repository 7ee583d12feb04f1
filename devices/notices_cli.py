"""``reception notices``: list recent messages, send a test SMS, run the sender, public notices."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from typing import Any

log = logging.getLogger(__name__)


def register_notices(subparsers: Any) -> None:
    """Add ``reception notices [list|test PHONE|run|public|reach ID]``."""
    p = subparsers.add_parser("notices", help="SMS notices: list, test the modem, run the sender")
    p.add_argument("action", nargs="?", default="list",
                   choices=["list", "test", "run", "public", "reach"])  # fmt: skip
    p.add_argument("target", nargs="?", help="test: the phone number; reach: the notice id")
    p.add_argument("--modem", metavar="PORT", help="test through this AT port (Gammu's AT driver)")
    p.add_argument(
        "--wait", type=float, default=0.0, help="test: seconds to wait for the status report"
    )
    p.add_argument("--days", type=int, default=3, help="list: days to show")
    p.add_argument("--buildings", help="public: buildings, e.g. 3,5 (units: 3-2)")
    p.add_argument("--what", default="停水通知", help="public: 停水通知 / 停电通知 / 电梯检修 ...")
    p.add_argument("--time", dest="when", default="", help="public: when, e.g. 11月30日9:00-17:00")
    p.add_argument("--detail", default="", help="public: what residents should do")
    p.add_argument("--seconds", type=float, default=None, help="run: stop after this long")
    p.add_argument("--calls", action="store_true",
                   help="public: also call each household (the hotline's dialer, 收到请按1)")  # fmt: skip
    p.set_defaults(func=cmd_notices)


def cmd_notices(args: argparse.Namespace, settings: Any) -> int:
    from desk.service import Desk

    desk = Desk.open(settings)
    try:
        if args.action == "list":
            return _list(desk, args.days)
        if args.action == "test":
            return _test(desk, settings, args)
        if args.action == "run":
            return _run(desk, settings, args.seconds)
        if args.action == "public":
            return _public(desk, args)
        return _reach(desk, args.target or "")
    finally:
        desk.close()


def _list(desk: Any, days: int) -> int:
    from desk.masking import mask_phone
    from desk.notice_hooks import queue_of
    from desk.notices import NOTICE_STATUS_ZH
    from desk.records import format_number

    cfg = desk.settings.notices
    where = cfg.device or (desk.settings.store.data_dir / "sms-modem")
    print(f"短信模块: {cfg.modem}  {where if cfg.modem != 'off' else ''}  "
          f"免打扰 {cfg.quiet_from:%H:%M}-{cfg.quiet_until:%H:%M}")  # fmt: skip
    notices = queue_of(desk).recent(days)
    if not notices:
        print(f"最近 {days} 天没有短信。")
    for n in notices:
        when = n.sent_at or n.created_at
        flag = "【急】" if n.urgent else ""
        print(f"{format_number(n.number)}  {when:%m-%d %H:%M}  {mask_phone(n.recipient)}  "
              f"{NOTICE_STATUS_ZH.get(n.status, n.status)}{flag}  {n.template}  {n.parts}条  "
              f"{n.last_error[:40]}")  # fmt: skip
    return 0


def _test(desk: Any, settings: Any, args: argparse.Namespace) -> int:
    """One test SMS through the configured modem or ``--modem PORT``; 0 only if it was accepted."""
    from desk.masking import mask_phone
    from desk.notice_hooks import queue_of, when_zh
    from desk.notices import Request
    from devices.notice_worker import modem_for
    from devices.sms_modem import ModemError, StatusReport

    if not args.target:
        print("用法: reception notices test PHONE [--modem /dev/ttyUSB2]", file=sys.stderr)
        return 2
    modem = modem_for(settings, args.modem)
    if modem is None:
        print(
            '短信未开启 ([notices] modem = "off")；可用 --modem PORT 直接测试模块', file=sys.stderr
        )
        return 1
    queue = queue_of(desk)
    now = desk.now()
    slots = {"office": settings.site.name, "time": when_zh(now)}
    req = Request(
        f"test:{now:%Y%m%d%H%M%S}:{args.target}", "test", args.target, "", slots, given=True
    )
    made = queue.enqueue([req])
    if not made:
        print(f"{mask_phone(args.target)} 不是有效的手机号码", file=sys.stderr)
        return 2
    notice = queue.claim(made[0].number)
    if notice is None:  # another sender took it first: it is sent once, by that sender
        print("该短信已由另一个发送进程处理", file=sys.stderr)
        return 1
    try:
        refs = modem.send(notice.recipient, notice.text)
    except ModemError as exc:
        queue.refused(notice.number, str(exc), getattr(exc, "sent_parts", 0), certain=False)
        print(f"发送失败: {exc}")
        modem.close()
        return 1
    queue.sent(notice.number, refs)
    print(f"短信已由模块接受：{len(refs)} 条，参考号 {refs}，收件人 {mask_phone(notice.recipient)}")
    deadline = time.monotonic() + args.wait
    state = "已发出（未确认送达）"
    while time.monotonic() < deadline:
        time.sleep(1.0)
        for item in modem.read():
            if isinstance(item, StatusReport):
                done = queue.report(item.reference, item.number, item.delivered, item.status)
                if done is not None and done.status in ("delivered", "failed"):
                    state = (
                        "已送达" if done.status == "delivered" else f"未送达 ({done.last_error})"
                    )
                    deadline = 0
    modem.close()
    print(f"状态: {state}")
    return 0


def _run(desk: Any, settings: Any, seconds: float | None) -> int:
    """The sender as its own service (``[notices] run_in_kiosk = false``)."""
    from devices.notice_worker import senders_for, start_all

    workers = senders_for(desk, settings)
    if not workers:
        print('短信未开启 ([notices] modem = "off")', file=sys.stderr)
        return 1
    start_all(workers)
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    ports = ", ".join(w.modem.config["Device"] for w in workers)
    print(f"短信发送服务已启动 ({settings.notices.modem} {ports})")
    try:
        stop.wait(seconds)
    except KeyboardInterrupt:
        pass
    finally:
        for worker in workers:
            worker.stop()
    return 0


def _public(desk: Any, args: argparse.Namespace) -> int:
    from desk.notice_public import announce
    from desk.records import SYSTEM

    if not args.buildings or not args.when:
        print("用法: reception notices public --buildings 3,5 --what 停水通知 --time 11月30日9:00-17:00 "
              "--detail 请提前储水", file=sys.stderr)  # fmt: skip
        return 2
    key, households, queued = announce(desk, SYSTEM, args.buildings.split(","), args.what,
                                       args.when, args.detail or "请相互转告", args.calls)  # fmt: skip
    print(
        f"通知 {key}：{households} 户，{queued} 条短信已排队。查看送达：reception notices reach {key}"
    )
    return 0


def _reach(desk: Any, key: str) -> int:
    from desk.notice_public import reach

    if not key:
        print("用法: reception notices reach NOTICE_ID", file=sys.stderr)
        return 2
    got = reach(desk, key)
    print(f"通知 {key}：已送达/已发出 {len(got['reached'])} 户（电话确认收到 {len(got['confirmed'])} 户），"
          f"未送达 {len(got['not_reached'])} 户")  # fmt: skip
    for unit in got["not_reached"]:
        print(f"  未送达: {unit}")
    return 0
